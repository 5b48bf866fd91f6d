"""Judgements that need the whole input: what no plan can fund or adopt, and numbers that
each pass alone but whose products are too large for the solver."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from data.errors import Problem
from data.schema import format_value
from data.tables import AREA_OBJECTIVE_PREFIX, Inputs, Programme, Settings
from data.validate.problems import _Check, _Row


def _unfundable(inputs: Inputs, check: _Check, rows: Mapping[str, _Row], nations_read: bool = True) -> dict[str, str]:
    """Programmes no plan can fund, with why; each gets a warning (MODEL.md precise rules).

    Consortia are judged only when `nations_read`: with the Nations sheet or its code column
    missing, "only 0 nations may join J1" blamed a correct Programmes cell.
    """
    out: dict[str, str] = {}
    for p in inputs.programmes:
        row = rows[p.id]
        if not inputs.allowed_starts(p):
            why = _no_start_reason(p, inputs.settings)
            check.warn(
                row.sheet,
                row.cell("id"),
                f"programme {p.id} has no allowed start year ({why}) and cannot be funded",
                "expected a start window that fits its duration (kept as a candidate)",
            )
            out[p.id] = f"no allowed start year ({why})"
            continue
        if p.is_joint and nations_read:
            reason = _consortium_problem(p, inputs, row, check)
            if reason:
                out[p.id] = reason
    return out


def _no_start_reason(p: Programme, s: Settings) -> str:
    parts = [f"duration {p.duration_years} years", f"horizon {s.first_year}–{s.last_year}"]
    if p.earliest_start is not None:
        parts.append(f"earliest_start {p.earliest_start}")
    if p.deadline is not None:
        parts.append(f"deadline {p.deadline}")
    if s.planning_cycle_years > 1 and not p.flexible_start:
        parts.append(f"starts only every {s.planning_cycle_years} years")
    return ", ".join(parts)


def _consortium_problem(p: Programme, inputs: Inputs, row: _Row, check: _Check) -> str:
    eligible = len(inputs.eligible_nations(p))
    if p.max_participants is not None and p.max_participants > eligible:
        check.warn(
            row.sheet,
            row.cell("max_participants"),
            f"max_participants is "
            f"{p.max_participants} but only {eligible} nations may join {p.id}; the cap "
            "has no effect",
            f"expected at most {eligible}",
        )
    if p.min_participants > eligible:
        why = f"min_participants {p.min_participants} > {eligible} eligible nations"
        check.warn(
            row.sheet,
            row.cell("min_participants"),
            f"min_participants is "
            f"{p.min_participants} but only {eligible} nations may join {p.id}, so it "
            "cannot be funded",
            f"expected at most {eligible}",
        )
        return why
    if p.min_share * p.min_participants > 1 + 1e-9:
        why = f"{p.min_participants} members × min_share {format_value(p.min_share)} exceed the whole cost"
        check.warn(
            row.sheet,
            row.cell("min_share"),
            f"min_share is {format_value(p.min_share)}: {why}, so {p.id} cannot be funded",
            f"expected min_share ≤ 1/{p.min_participants}",
        )
        return why
    return ""


def _warn_standards(inputs: Inputs, rows: Mapping[str, _Row], check: _Check, nations_read: bool = True) -> None:
    """Standards that more nations must adopt than there are (skipped, as `_unfundable`
    skips consortia, when the nations could not be read)."""
    if not nations_read:
        return
    for s in inputs.standards:
        if s.min_adopters > len(inputs.nations):
            row = rows[s.id]
            check.warn(
                row.sheet,
                row.cell("min_adopters"),
                f"min_adopters is {s.min_adopters} "
                f"but there are only {len(inputs.nations)} nations, so {s.id} can never "
                "be adopted",
                f"expected at most {len(inputs.nations)}",
            )


# --- products too large for the solver ---------------------------------------------------
# Every cell is at most MAX_MAGNITUDE (1e12), but a coefficient the model builds is a
# product: weight_capability 1e12 × value 1e12 × 4 in-service years put 4e24 into a weighted
# objective and the solve failed ("solver ended with 'Unknown'"). HiGHS takes an objective
# coefficient of 1e20 or more as infinite (its option infinite_cost), and a constraint
# coefficient of 1e15 or more (large_matrix_value). An objective's coefficients become
# constraint coefficients whenever it is held or bounded: each earlier stage of a
# lexicographic run, every objective of a Pareto front; so do cost_overrun_risk × cost in
# robust budget rows. (A capability coefficient of 4e16 in a lexicographic run came back
# "optimal" at a sixth of the best plan; a robust row of 3e15 failed plan verification.)
# So 1e15 bounds all of them: one number to explain, and a weighted sum, whose coefficients
# stay in the objective, is then held 1e5 below infinity — room for its few objectives to
# add up and for the solver's relative tolerances to keep their meaning.
MAX_COEFFICIENT = 1e15
# … and at the other end: a weighted objective whose every coefficient is below this lies
# under the solver's absolute tolerances (HiGHS: an objective gap of 1e-6, reduced costs of
# 1e-7), so any plan passes for optimal. `--weight cost=1e-12` alone returned a plan costing
# 53,085 as "optimal, gap 0" where 1,636 was possible. Weights scaled alike give the same
# plan, so a planner loses nothing by scaling them up. At 1e-6 itself the bound was too
# tight: weight_risk 1e-7 (largest coefficient 1.2e-6) funded what raised the risk it
# minimised and called it optimal, the difference under HiGHS's absolute gap of 1e-6.
MIN_LARGEST_COEFFICIENT = 1e-5


@dataclass(frozen=True)
class _Sources:
    """Where the numbers of the objectives were read, so messages can name the cells."""

    settings: str  # the Settings sheet's title
    weight_cells: Mapping[str, str]  # objective name -> the Settings cell of its weight
    values: str  # the Values sheet's title
    value_cells: Mapping[tuple[str, str], str]  # (programme, area) -> its Values cell
    programmes: Mapping[str, _Row]
    areas: Mapping[str, _Row]
    standards: Mapping[str, _Row]
    weight_label: str = "weight_{name} {weight:g}"  # how a message names an objective's weight


def objective_size_problems(inputs: Inputs, weight_label: str = "weight_{name} {weight:g}") -> list[Problem]:
    """The products too large for the solver in the run `inputs.settings` describe, for
    inputs whose cells are not known (a what-if, a run's own objective or weights): the
    same judgement as reading a workbook, with each weight named by `weight_label`."""
    check = _Check()
    _judge_products(inputs, _Sources("Settings", {}, "Values", {}, {}, {}, {}, weight_label), check)
    return check.errors


@dataclass(frozen=True)
class _Factor:
    """One number of a coefficient as a message names it ("value 1e+12") and its cell."""

    text: str
    sheet: str = ""
    cell: str = ""

    def shown(self, located: bool) -> str:
        """The text with its cell, unless the message is already located there."""
        return f"{self.text} ({self.sheet}!{self.cell})" if self.cell and not located else self.text


@dataclass(frozen=True)
class _Coefficient:
    """An upper bound on one variable's coefficient, and the factors of its largest part."""

    size: float
    factors: tuple[_Factor, ...]
    note: str = ""  # what else adds to it, e.g. ", with P1's other areas,"


def _judge_products(inputs: Inputs, sources: _Sources, check: _Check) -> None:
    """An error for each objective (or robust budget) of the run the Settings describe whose
    largest coefficient reaches MAX_COEFFICIENT, naming the cells whose product it is.

    Bounds are discount-free (δ ≤ 1) and take the longest service a programme's allowed
    starts give: simple, and never below the coefficient the model builds.
    """
    s = inputs.settings
    if s.objective == "weighted":
        runs = [(name, weight, "the weighted objective") for name, weight in s.weights.items() if weight]
    else:
        names = s.priority if s.objective == "lexicographic" else s.pareto_objectives
        runs = [(name, 1.0, f"the {name} objective") for name in names]
    for name, weight, where in runs:
        extra = _weight_factor(name, weight, sources)
        _report_largest(list(_coefficients(name, inputs, sources)), weight, extra, where, check)
    if s.objective == "weighted":
        _report_too_small(inputs, sources, runs, check)
    if any(inputs.robust_overruns(n.code) > 0 for n in inputs.nations):
        _report_largest(list(_overruns(inputs, sources, yearly=True)), 1.0, (), "the robust budget rows", check)


def _report_too_small(inputs: Inputs, sources: _Sources, runs: list[tuple[str, float, str]], check: _Check) -> None:
    """An error, at the weight that makes the largest coefficient, when every coefficient of
    the weighted objective is below MIN_LARGEST_COEFFICIENT (bounds from above, as for the
    large ones: a weight refused here makes no coefficient that large)."""
    largest: list[tuple[float, str, float]] = []
    for name, weight, _ in runs:
        sizes = [c.size for c in _coefficients(name, inputs, sources)]
        if name in ("shortfall", "interoperability") or (  # a shortfall or a membership counts 1 …
            name == "cost" and any(p.is_joint for p in inputs.programmes)
        ):  # … as a joint payment does
            sizes.append(1.0)
        if sizes and max(sizes) > 0:  # (a product of a subnormal weight may round to 0: still too small)
            largest.append((weight * max(sizes), name, weight))
    if not largest:
        return
    size, name, weight = max(largest)
    if size >= MIN_LARGEST_COEFFICIENT:
        return
    at = _Factor(
        sources.weight_label.format(name=name, weight=weight), sources.settings, sources.weight_cells.get(name, "")
    )
    check.error(
        at.sheet,
        at.cell,
        f"{at.shown(True)} makes the weighted objective's largest coefficient {size:.3g}, too small for the solver",
        f"expected weights whose largest coefficient is at least "
        f"{MIN_LARGEST_COEFFICIENT:g} (below it the solver's tolerances read the objective as 0 and call "
        "any plan optimal): multiply every weight alike, which gives the same plan",
    )


def _weight_factor(name: str, weight: float, sources: _Sources) -> tuple[_Factor, ...]:
    """The Settings weight of objective `name` as a factor (none if 1: it changes nothing)."""
    if weight == 1:
        return ()
    return (
        _Factor(
            sources.weight_label.format(name=name, weight=weight), sources.settings, sources.weight_cells.get(name, "")
        ),
    )


def _report_largest(
    coefficients: list[_Coefficient], weight: float, extra: tuple[_Factor, ...], where: str, check: _Check
) -> None:
    """One error, at the first cell of the largest coefficient reaching the bound (× weight),
    counting the others: a hundred programmes scaled alike need one fix, not a hundred lines."""
    over = [c for c in coefficients if c.size * weight >= MAX_COEFFICIENT]
    if not over:
        return
    top = max(over, key=lambda c: c.size)
    factors = sorted(top.factors + extra, key=lambda f: not f.cell)  # cells first, then counts
    at = next((f for f in factors if f.cell), _Factor(""))
    product = " × ".join(f.shown(f is at) for f in factors)
    n = len(over) - 1
    others = f", as {n} other coefficient{'s are' if n > 1 else ' is'}" if n else ""
    check.error(
        at.sheet,
        at.cell,
        f"{product}{top.note} is {top.size * weight:.3g} in {where}, too large for the solver{others}",
        f"expected a product under "
        f"{MAX_COEFFICIENT:g} (the solver takes larger coefficients as infinite or "
        "loses its precision): use smaller units or weights",
    )


def _coefficients(name: str, inputs: Inputs, sources: _Sources) -> Iterator[_Coefficient]:
    """Bounds on the coefficients of objective `name` (models/objectives.py). Shortfall and
    joint memberships (interoperability) have coefficient 1: their weight alone, at most
    MAX_MAGNITUDE, cannot reach the bound, so they yield nothing."""
    if name == "capability":
        yield from _capability(inputs, sources, {a.id: a.weight for a in inputs.areas})
    elif name.startswith(AREA_OBJECTIVE_PREFIX):
        yield from _capability(inputs, sources, {name[len(AREA_OBJECTIVE_PREFIX) :]: 1.0})
    elif name == "cost":
        yield from _costs(inputs, sources)
    elif name == "risk":
        yield from _overruns(inputs, sources, yearly=False)
    elif name == "interoperability":
        for st in inputs.standards:
            yield _Coefficient(st.weight, (_cell(sources.standards, st.id, "weight", st.weight, "Standards"),))


def _cell(rows: Mapping[str, _Row], key: str, column: str, value: float, sheet: str) -> _Factor:
    """A factor read from `column` of the row defining `key` on `sheet`; where the cell is not
    known (a run's own objective judged after reading) the sheet and the key say where it is:
    "value 1000 (N14, CA-C2) × weight 1e+12" did not say the weight was an area's."""
    row = rows.get(key)
    if row is None:
        return _Factor(f"{column} {value:g} ({sheet} {key})")
    return _Factor(f"{column} {value:g}", row.sheet, row.cell(column))


def _service_years(p: Programme, inputs: Inputs) -> int:
    """The most years p can earn capability: from its earliest allowed start's completion to
    the end of the service credited after the horizon (0 if it cannot start)."""
    starts = inputs.allowed_starts(p)
    if not starts:
        return 0
    s = inputs.settings
    return s.last_year + s.service_years_after_horizon - (starts[0] + p.duration_years) + 1


def _capability(inputs: Inputs, sources: _Sources, weights: Mapping[str, float]) -> Iterator[_Coefficient]:
    """Per programme: in-service years × Σ over areas of area weight × value."""
    for p in inputs.programmes:
        years = _service_years(p, inputs)
        parts = sorted(((w * inputs.values.get((p.id, area), 0.0), area) for area, w in weights.items()), reverse=True)
        parts = [(points, area) for points, area in parts if points]
        if years <= 0 or not parts:
            continue
        area = parts[0][1]
        value = inputs.values[(p.id, area)]
        cell = sources.value_cells.get((p.id, area), "")
        factors = [_Factor(f"value {value:g}" + ("" if cell else f" (Values {p.id}, {area})"), sources.values, cell)]
        if weights[area] != 1:
            factors.append(_cell(sources.areas, area, "weight", weights[area], "CapabilityAreas"))
        factors.append(_Factor(f"{years} in-service years"))
        note = f", with {p.id}'s other areas," if len(parts) > 1 else ""
        yield _Coefficient(years * sum(points for points, _ in parts), tuple(factors), note)


def _costs(inputs: Inputs, sources: _Sources) -> Iterator[_Coefficient]:
    """What one funding decision costs in all: a national programme's total_cost, a joint
    member's per_participant_cost (its share is paid through variables of coefficient 1),
    a standard's adoption_cost."""
    for p in inputs.programmes:
        column = "per_participant_cost" if p.is_joint else "total_cost"
        amount = p.per_participant_cost if p.is_joint else p.total_cost
        yield _Coefficient(amount, (_cell(sources.programmes, p.id, column, amount, "Programmes"),))
    for st in inputs.standards:
        yield _Coefficient(
            st.adoption_cost, (_cell(sources.standards, st.id, "adoption_cost", st.adoption_cost, "Standards"),)
        )


def _overruns(inputs: Inputs, sources: _Sources, yearly: bool) -> Iterator[_Coefficient]:
    """cost_overrun_risk × what a funding decision costs: in all (the risk objective) or in
    its dearest year (`yearly`: the robust budget rows)."""
    for p in inputs.programmes:
        if not p.cost_overrun_risk:
            continue
        column = "per_participant_cost" if p.is_joint else "total_cost"
        amount = p.per_participant_cost if p.is_joint else p.total_cost
        spent = amount * max(p.profile, default=0.0) if yearly else amount
        factors = (
            _cell(sources.programmes, p.id, "cost_overrun_risk", p.cost_overrun_risk, "Programmes"),
            _cell(sources.programmes, p.id, column, amount, "Programmes"),
        )
        note = f", {spent:.3g} in its dearest year," if yearly and spent != amount else ""
        yield _Coefficient(p.cost_overrun_risk * spent, factors, note)
