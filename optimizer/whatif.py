"""What-if transformations of validated inputs: each returns new `Inputs`, never mutates.

These re-apply the validator's own rules where a change could break them (an unknown
nation or year, a commitment outside a programme's allowed starts), so a what-if can never
produce inputs the workbook path would have rejected.
"""

from __future__ import annotations

import logging
import math
import numbers
from collections.abc import Iterable, Mapping
from dataclasses import fields, replace
from typing import Literal

from data.errors import InputError, Problem
from data.schema import MAX_DURATION_YEARS, MAX_MONEY, MIN_MONEY, OBJECTIVE_LIST_KEYS, settings_key
from data.tables import ADDED_IN_PYTHON, Commitment, Inputs, Settings, Source
from data.validate import objective_size_problems
from data.validate.cells import _Bad, convert

logger = logging.getLogger(__name__)
SETTINGS_FIELDS = {f.name for f in fields(Settings)}


def _problem(what: str, expected: str) -> InputError:
    """An argument a what-if cannot use, in the validator's `what — expected` form."""
    return InputError(Problem("what-if", "", what, expected))


def _not_a_bare_value(name: str, value: object, example: str) -> None:
    """A list argument given one value: a string would be read letter by letter ("DEU" as
    nations D, E, U) and a number is not iterable, so both are refused with an example."""
    if isinstance(value, (str, bytes, int, float)):
        raise _problem(f"{name} is {value!r}", f"a list, e.g. {name}={example}")


def _finite(name: str, value: object, expected: str) -> float:
    """A finite real number (bools, text, NaN and infinity refused): NaN or an infinite
    budget passed every later check and reached the solver as nonsense. Any real number
    type counts (numpy's int64 from a DataFrame column was refused as "not a whole year")."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise _problem(f"{name} is {value!r}", expected)
    return float(value)


def _whole(name: str, value: object, expected: str) -> int:
    """A whole number (2028 or 2028.0, not 2028.5, "2028" or True): int() silently turned
    2028.5 into 2028."""
    number = _finite(name, value, expected)
    if not number.is_integer():
        raise _problem(f"{name} is {value!r}", expected)
    return int(number)


def noted(new: Inputs, change: str) -> Inputs:
    """`new`, its source noting `change` after the changes made before it (Source.changes):
    the plan's Summary and Dashboard then say what the plan was made from."""
    source = new.source or Source("", "")
    return replace(new, source=replace(source, changes=source.changes + (change,)))


def _budget_change(
    scale: float, nations: Iterable[str] | None, years: Iterable[int] | None, add: Mapping[object, float] | None
) -> str:
    """A budget what-if in words: "budgets ×0.6 for DEU, FRA in 2028–2030; +100 for DEU"."""
    where = f" for {', '.join(map(str, nations))}" if nations else ""
    chosen = sorted(int(y) for y in years) if years is not None else []
    if chosen:
        contiguous = len(chosen) > 1 and chosen[-1] - chosen[0] == len(chosen) - 1
        where += f" in {chosen[0]}–{chosen[-1]}" if contiguous else f" in {', '.join(map(str, chosen))}"
    text = f"budgets ×{scale:g}{where}"
    for key, amount in (add or {}).items():
        text += f"; {amount:+g} for {key if not isinstance(key, tuple) else ' '.join(map(str, key))}"
    return text


def _nations(inputs: Inputs, nations: Iterable[str] | None, name: str = "nations") -> list[str]:
    """The workbook's codes of `nations` (all of them for None), each once, in order given."""
    if nations is None:
        return [n.code for n in inputs.nations]
    _not_a_bare_value(name, nations, '["DEU", "FRA"]')
    canonical = {n.code.casefold(): n.code for n in inputs.nations}
    out, unknown = [], []
    for code in nations:
        key = str(code).strip().casefold()
        (out.append(canonical[key]) if key in canonical else unknown.append(str(code)))
    if unknown:
        raise InputError(
            Problem(
                "what-if",
                "",
                f"unknown nation(s) {', '.join(unknown)}",
                f"one of {', '.join(sorted(canonical.values()))}",
            )
        )
    return _once(name, out)


def _years(inputs: Inputs, years: Iterable[int] | None, name: str = "years") -> list[int]:
    """The chosen years (the whole horizon for None) as ints, each once, all in the horizon."""
    if years is None:
        return list(inputs.years)
    _not_a_bare_value(name, years, "range(2028, 2031)")
    chosen = [_whole("a year", y, "a whole year of the horizon") for y in years]
    outside = [y for y in chosen if y not in inputs.years]
    if outside:
        raise InputError(
            Problem(
                "what-if", "", f"year(s) {outside} outside the horizon", f"years {inputs.years[0]}–{inputs.years[-1]}"
            )
        )
    return _once(name, chosen)


def _once(name: str, chosen: list) -> list:
    """`chosen` unless it is empty or names something twice. An empty list changed nothing
    while the Summary said "budgets ×0.9" of every budget, and ["DEU", "deu"] or
    [2028, 2028] scaled those budgets twice (×0.81)."""
    if not chosen:
        raise _problem(f"{name} is empty", f"at least one, or {name}=None for all of them")
    twice = sorted({str(item) for item in chosen if chosen.count(item) > 1})
    if twice:
        raise _problem(f"{name} names {', '.join(twice)} twice", "each once")
    return chosen


def budget_nations(inputs: Inputs, nations: Iterable[str] | None) -> list[str] | None:
    """The workbook's codes of the nations a budget what-if names (None: every nation), so a
    scenario's name spells them as its Summary does ("ALPHA", not " alpha ")."""
    return None if nations is None else _nations(inputs, nations)


def with_budget(
    inputs: Inputs,
    scale: float = 1.0,
    nations: Iterable[str] | None = None,
    years: Iterable[int] | None = None,
    add: Mapping[object, float] | None = None,
) -> Inputs:
    """Scale the budgets of some nations and years, and/or add absolute amounts.

    `add` maps a nation code to an amount added in each selected year, or a
    (nation, year) pair to an amount for that year. Budgets never go below 0.
    Raises `InputError` naming the argument when `scale` or an amount is not a finite
    number, or a nation, year or `add` key is not one of the workbook's.
    """
    scale = _finite("budget scale", scale, "a finite number ≥ 0")
    if scale < 0:
        raise _problem(f"budget scale {scale}", "a number ≥ 0")
    budgets = dict(inputs.budgets)
    # read once: a generator read a second time for the Summary's note was empty, so the
    # note said every budget was scaled when one nation's or two years' were
    codes = _nations(inputs, nations) if nations is not None else None  # the workbook's spelling
    chosen_years = _years(inputs, years)
    for nation in codes if codes is not None else _nations(inputs, None):
        for year in chosen_years:
            budgets[(nation, year)] = budgets.get((nation, year), 0.0) * scale
    if add is not None and not isinstance(add, Mapping):
        raise _problem(f"add is {type(add).__name__}", 'a mapping, e.g. add={"DEU": 100} or {("DEU", 2028): 100}')
    added: dict[object, float] = {}  # keys in the workbook's spelling, for the note
    for key, amount in (add or {}).items():
        (nation,), year_list = _added_to(inputs, key, chosen_years)
        amount = _finite(f"add[{key!r}]", amount, "a finite amount of money")
        named = (nation, *year_list) if isinstance(key, tuple) else nation
        if named in added:  # "DEU" and "deu": both were added, the note named one
            raise _problem(f"add names {named!r} twice", "each nation (or nation and year) once")
        added[named] = amount
        for year in year_list:
            budgets[(nation, year)] = max(0.0, budgets.get((nation, year), 0.0) + amount)
    _check_budgets_finite(budgets, scale)
    # noted even when nothing changed (budgets ×1): a study's point is its own change, and
    # `sweeps._shared_changes` counts on one per point
    return noted(
        replace(inputs, budgets=budgets),
        _budget_change(scale, codes, chosen_years if years is not None else None, added),
    )


def _check_budgets_finite(budgets: Mapping[tuple[str, int], float], scale: float) -> None:
    """Scaled budgets must stay finite numbers: `scale=1e308` (each factor finite) made
    every budget infinite, which no later check caught before the solver."""
    overflow = sorted(key for key, value in budgets.items() if not math.isfinite(value))
    if overflow:
        nation, year = overflow[0]
        raise _problem(
            f"budget scale {scale:g} makes {len(overflow)} budget(s) infinite (first {nation} {year})",
            "a scale and amounts whose budgets stay finite numbers",
        )
    # the workbook's range of money (data.schema): with_budget(1e12) ran where the same
    # number in a Budgets cell is refused, and budgets in euros give wrong "optimal" plans
    outside = sorted((key, value) for key, value in budgets.items() if value > MAX_MONEY or 0 < value < MIN_MONEY)
    if outside:
        (nation, year), value = outside[0]
        raise _problem(
            f"budget scale {scale:g} and amounts make {len(outside)} budget(s) {value:g} or the like "
            f"(first {nation} {year})",
            f"budgets of 0 or from {MIN_MONEY:g} to {MAX_MONEY:,.0f}, as "
            "in a Budgets cell (the solver cannot work reliably with other amounts)",
        )


def _added_to(inputs: Inputs, key: object, chosen_years: list[int]) -> tuple[list[str], list[int]]:
    """The nation and years an `add` key names: a nation code (every chosen year) or a
    (nation, year) pair; a tuple of another length was an IndexError from inside."""
    if not isinstance(key, tuple):
        return _nations(inputs, [key], "add"), chosen_years  # type: ignore[list-item]
    if len(key) != 2:
        raise _problem(f"add key {key!r}", 'a nation code or a (nation, year) pair, e.g. ("DEU", 2028)')
    return _nations(inputs, [key[0]], "add"), _years(inputs, [key[1]], "add")


def with_settings(inputs: Inputs, **changes: object) -> Inputs:
    """Change Settings values; nation carry/borrow fractions follow a changed default.

    A nation whose fraction is the Settings value (its Nations cell blank: `follows_settings`)
    takes the new one, as re-reading the workbook with the new Settings would do; one the
    Nations sheet gave it keeps it, even where it equals the old Settings value.

    Each value is checked by the Settings sheet's own rule for its key (and normalised as
    the sheet would read it: "Weighted" → "weighted", "capability, cost" → a tuple), then
    fund commitments are checked against the start years a new planning cycle allows: a
    carry_over_fraction of "x" or -1 used to be accepted and failed later inside a solve.
    The horizon (first_year, last_year) is the workbook's: its budgets and targets are
    given for those years only, so a what-if cannot move it.
    """
    unknown = sorted(set(changes) - SETTINGS_FIELDS)
    if unknown:
        raise InputError(
            Problem(
                "what-if",
                "",
                f"unknown setting(s) {', '.join(unknown)}",
                f"one of {', '.join(sorted(SETTINGS_FIELDS))}",
            )
        )
    old = inputs.settings
    checked = {name: _setting_value(inputs, name, value) for name, value in changes.items()}
    new = replace(old, **checked)  # type: ignore[arg-type]
    if new.objective == "pareto" and len(new.pareto_objectives) < 2:
        raise _problem(
            f"pareto_objectives names {len(new.pareto_objectives)} objective",
            "two or more objectives for objective = pareto",
        )
    nations = tuple(
        replace(
            n,
            **{
                key: getattr(new, key)
                for key in ("carry_over_fraction", "borrow_fraction")
                if n.follows_settings(key, getattr(old, key))
            },
        )
        for n in inputs.nations
    )
    changed = replace(inputs, settings=new, nations=nations)
    _check_commitment_starts(changed)
    _check_objective_sizes(changed)
    return noted(changed, "Settings " + ", ".join(f"{name}={value!r}" for name, value in checked.items()))


def _check_objective_sizes(inputs: Inputs) -> None:
    """InputError if the run the new Settings describe has a coefficient too large for the
    solver, as reading the workbook would judge it: a weight of 1e15 set in Python, or a
    workbook's unused weights put to use by objective="weighted", ran as a plan of
    nonsense (the reference dataset's greedy plan, "gap 75 %")."""
    problems = objective_size_problems(inputs)
    if problems:
        raise InputError([replace(p, sheet="what-if", cell="") for p in problems])


def _setting_value(inputs: Inputs, name: str, value: object) -> object:
    """`value` read by the Settings sheet's rule for `name` (data.schema), or InputError."""
    if name in ("first_year", "last_year"):
        return _same_year(inputs, name, value)
    if name == "weights":
        return _weights(inputs, value)
    if name in OBJECTIVE_LIST_KEYS:
        return tuple(objective_names(inputs, name, value))
    try:
        converted = convert(value, settings_key(name))
    except _Bad as bad:
        raise _problem(bad.what, bad.expected) from None
    if name == "mip_gap" and converted >= 1:  # type: ignore[operator]
        # as solve(gap=) and `capopt solve --gap` refuse it: mip_gap=5 let a plan 24 % from
        # the bound be reported "optimal" and "reproducible: yes … proven to its gap"
        raise _problem(f"mip_gap is {value!r}", "a fraction below 1, e.g. 0.01 for 1 %")
    return converted


def _same_year(inputs: Inputs, name: str, value: object) -> int:
    """The workbook's own first_year or last_year (the horizon cannot move), as the int the
    Settings hold: 2027.0 was kept as a float and a later solve failed inside range(), and
    "2027" was refused as a move of the horizon."""
    current = getattr(inputs.settings, name)
    try:
        year = convert(value, settings_key(name))
    except _Bad:
        year = None
    if year != current:
        raise _problem(
            f"{name} {value!r}: the horizon is the workbook's",
            f"{name} {current}; change it in the workbook, with budgets and targets for the new years",
        )
    return current


def objective_names(inputs: Inputs, name: str, value: object) -> list[str]:
    """A list of objective names (or a comma list, as on the Settings sheet) resolved to the
    workbook's spelling; empty lists and repeats are refused as the sheet refuses them."""
    items = [v.strip() for v in value.split(",")] if isinstance(value, str) else value
    if not isinstance(items, Iterable):
        raise _problem(f"{name} is {value!r}", 'a list of objective names, e.g. ["capability", "cost"]')
    known = {n.casefold(): n for n in inputs.objective_names()}
    out: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise _problem(f"{name} names {item!r}", 'objective names as text, e.g. "capability"')
        if not item.strip():
            continue  # "capability, , cost" on the sheet: an empty item is skipped
        if item.strip().casefold() not in known:
            raise _problem(f"{name} names {item!r}, which is not an objective", f"some of {', '.join(known.values())}")
        out.append(known[item.strip().casefold()])
    if not out:
        raise _problem(f"{name} lists no objective", 'objective names, e.g. ["capability", "cost"]')
    twice = sorted({n for n in out if out.count(n) > 1})
    if twice:
        raise _problem(f"{name} names {', '.join(twice)} twice", "each objective once")
    return out


def _weights(inputs: Inputs, value: object) -> dict[str, float]:
    """Objective weights as the Settings sheet's weight_* keys allow them: known names,
    finite and ≥ 0 (a negative capability weight would minimise capability)."""
    if not isinstance(value, Mapping):
        raise _problem(f"weights is {type(value).__name__}", 'a mapping, e.g. {"capability": 1, "cost": 0.1}')
    out = {}
    for key, given in value.items():
        (name,) = objective_names(inputs, "weights", [key])
        weight = _finite(f"weight of {name}", given, "a finite number ≥ 0")
        if weight < 0:
            raise _problem(f"weight of {name} is {weight:g}", "a number ≥ 0")
        out[name] = weight
    return out


def _check_commitment_starts(inputs: Inputs) -> None:
    """Fund commitments whose start year the (new) Settings no longer allow: the workbook
    path refuses them, so a what-if must too."""
    for c in inputs.commitments:
        if c.action != "fund" or c.start_year is None:
            continue
        allowed = inputs.allowed_starts(inputs.programme_by_id[c.programme])
        if c.start_year not in allowed:
            raise _problem(
                f"{c.nation} is committed to start {c.programme} in {c.start_year}, which these settings do not allow",
                f"one of its allowed start years {list(allowed)}",
            )


def with_commitment(
    inputs: Inputs,
    nation: str,
    programme: str,
    action: Literal["fund", "exclude"] = "fund",
    start_year: int | None = None,
) -> Inputs:
    """Add (or replace) a commitment for one nation and programme.

    `action` is matched ignoring case, as the Commitments sheet matches it; `start_year`
    must be a whole year and is for `fund` only (the sheet ignores it on `exclude`, so a
    script that gives one has mistaken the action).
    """
    (code,) = _nations(inputs, [nation])
    pid = {p.id.casefold(): p.id for p in inputs.programmes}.get(str(programme).strip().casefold())
    if pid is None:
        raise InputError(Problem("what-if", "", f"unknown programme {programme}", "a programme id"))
    action = str(action).strip().casefold()  # type: ignore[assignment]
    if action not in ("fund", "exclude"):
        raise InputError(Problem("what-if", "", f"action {action!r}", "fund or exclude"))
    if start_year is not None:
        start_year = _whole("start_year", start_year, "a whole year, e.g. 2029")
        if action == "exclude":
            raise _problem(f"start_year {start_year} on an exclude commitment", "start_year=None for exclude")
    p = inputs.programme_by_id[pid]
    if action == "fund":
        if code not in inputs.eligible_nations(p):
            raise InputError(
                Problem(
                    "what-if",
                    "",
                    f"{code} may not fund {pid}",
                    "an ally, or a partner on a joint programme open to partners",
                )
            )
        allowed = inputs.allowed_starts(p)
        if start_year is not None and start_year not in allowed or not allowed:
            raise InputError(
                Problem(
                    "what-if",
                    "",
                    f"{pid} cannot start in {start_year}",
                    f"one of its allowed start years {list(allowed)}",
                )
            )
    kept = tuple(c for c in inputs.commitments if (c.nation, c.programme) != (code, pid))
    added = replace(inputs, commitments=kept + (Commitment(code, pid, action, start_year, ADDED_IN_PYTHON),))
    return noted(added, f"commitment {code} {action} {pid}" + (f" in {start_year}" if start_year else ""))


def dependants(inputs: Inputs, pid: str) -> set[str]:
    """`pid` and every programme that (transitively) must come after it."""
    gone, frontier = {pid}, [pid]
    while frontier:
        current = frontier.pop()
        for rule in inputs.precedences:
            if rule.before == current and rule.after not in gone:
                gone.add(rule.after)
                frontier.append(rule.after)
    return gone


def without_programme(inputs: Inputs, programme: str) -> Inputs:
    """Cancel a programme: drop it and everything that refers to it.

    Programmes that may only start after it (precedence, either scope) can then never
    start, so they are dropped too rather than silently freed from their predecessor.
    """
    pid = _programme_id(inputs, programme)
    gone = dependants(inputs, pid)
    if len(gone) > 1:
        logger.info("without %s: also dropping its successors %s", pid, sorted(gone - {pid}))
    also = f" and its successors {', '.join(sorted(gone - {pid}))}" if len(gone) > 1 else ""
    return noted(
        replace(
            inputs,
            programmes=tuple(p for p in inputs.programmes if p.id not in gone),
            values={k: v for k, v in inputs.values.items() if k[0] not in gone},
            requirements=tuple(r for r in inputs.requirements if r[0] not in gone),
            precedences=tuple(x for x in inputs.precedences if not {x.before, x.after} & gone),
            commitments=tuple(c for c in inputs.commitments if c.programme not in gone),
        ),
        f"without {pid}{also}",
    )


# Programme fields a what-if may change: the figures planners argue about. Ids, sharing and
# the cost profile's length stay as the workbook has them (a new duration gets an even
# profile, as a blank CostProfiles row would).
PROGRAMME_FIELDS = (
    "total_cost",
    "per_participant_cost",
    "duration_years",
    "earliest_start",
    "deadline",
    "flexible_start",
    "cost_overrun_risk",
    "min_participants",
    "max_participants",
    "min_share",
    "open_to_partners",
    "exclusive_group",
    "trl",
)


def _programme_id(inputs: Inputs, programme: object) -> str:
    """The workbook's spelling of `programme` (any case), or an error listing the ids
    (`without_programme(["P1"])` said "unknown programme ['P1']", listing none)."""
    if not isinstance(programme, str):
        raise _problem(f"programme is {programme!r}", "one programme id, e.g. 'N12'")
    pid = {p.id.casefold(): p.id for p in inputs.programmes}.get(str(programme).strip().casefold())
    if pid is None:
        ids = ", ".join(p.id for p in inputs.programmes)
        raise InputError(Problem("what-if", "", f"unknown programme {programme!r}", f"one of {ids}"))
    return pid


def with_programme(inputs: Inputs, programme: str, **changes: object) -> Inputs:
    """One programme's figures changed, e.g. `total_cost=1.2 * p.total_cost`, checked by the
    workbook's own rules when the Scenario takes the inputs (Scenario.with_programme)."""
    pid = _programme_id(inputs, programme)
    unknown = sorted(set(changes) - set(PROGRAMME_FIELDS))
    if unknown or not changes:
        raise _problem(f"programme fields {unknown or 'none'}", f"some of {', '.join(PROGRAMME_FIELDS)}")
    old = inputs.programme_by_id[pid]
    new = replace(old, **changes)  # type: ignore[arg-type]
    if new.duration_years != old.duration_years:
        expected = f"a whole number of years from 1 to {MAX_DURATION_YEARS}"
        duration = _whole("duration_years", new.duration_years, expected)
        if not 1 <= duration <= MAX_DURATION_YEARS:  # 0 divided by zero, 1e12 ran out of memory
            raise _problem(f"duration_years is {new.duration_years!r}", expected)
        new = replace(new, profile=tuple([1.0 / duration] * duration))
    programmes = tuple(new if p.id == pid else p for p in inputs.programmes)
    told = ", ".join(f"{name} {getattr(old, name)!r} → {value!r}" for name, value in changes.items())
    return noted(replace(inputs, programmes=programmes), f"programme {pid}: {told}")


def describe_changes(old: Inputs, new: Inputs) -> list[str]:
    """Everything that differs between two inputs, table by table, one item a change: inputs
    replaced by hand were recorded only as "inputs replaced in Python", and then as the first
    six changes with "Values: 4 cells changed, e.g. …", so a plan's figures could not be
    traced to, or re-run from, what its workbook recorded."""
    found: list[str] = []
    found += _field_changes("Settings", "", old.settings, new.settings)
    for table, key in (("Nations", "code"), ("Programmes", "id"), ("CapabilityAreas", "id"), ("Standards", "id")):
        attribute = table.lower() if table != "CapabilityAreas" else "areas"
        before = {getattr(r, key): r for r in getattr(old, attribute)}
        after = {getattr(r, key): r for r in getattr(new, attribute)}
        found += [f"{table} {k} added" for k in after if k not in before]
        found += [f"{table} {k} removed" for k in before if k not in after]
        for k in before.keys() & after.keys():
            found += _field_changes(table, f" {k}", before[k], after[k])
    for table, attribute in (("Budgets", "budgets"), ("Values", "values")):
        before, after = getattr(old, attribute), getattr(new, attribute)
        found += [
            f"{table} {' '.join(map(str, k))} {float(before.get(k, 0.0))!r} → {float(after.get(k, 0.0))!r}"
            for k in sorted(before.keys() | after.keys(), key=str)
            if before.get(k, 0.0) != after.get(k, 0.0)
        ]
    for table, attribute in (
        ("ProgrammeStandards", "requirements"),
        ("Precedence", "precedences"),
        ("Targets", "targets"),
        ("Commitments", "commitments"),
    ):
        was, now = set(getattr(old, attribute)), set(getattr(new, attribute))
        found += [f"{table} row added: {_row_words(item)}" for item in sorted(now - was, key=str)]
        found += [f"{table} row removed: {_row_words(item)}" for item in sorted(was - now, key=str)]
    return found


def _row_words(item: object) -> str:
    """A relation's row as its fields (a tuple's items, a record's non-blank fields but its row number)."""
    if isinstance(item, tuple) and not hasattr(item, "__dataclass_fields__"):
        return " ".join(map(str, item))
    return ", ".join(
        f"{f.name} {getattr(item, f.name)}"
        for f in fields(item)  # type: ignore[arg-type]
        if f.name != "row" and getattr(item, f.name) not in (None, "")
    )


def _field_changes(table: str, label: str, before: object, after: object) -> list[str]:
    return [
        f"{table}{label} {f.name} {getattr(before, f.name)!r} → {getattr(after, f.name)!r}"
        for f in fields(before)  # type: ignore[arg-type]
        if getattr(before, f.name) != getattr(after, f.name)
    ]
