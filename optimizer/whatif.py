"""What-if transformations of validated inputs: each returns new `Inputs`, never mutates.

These re-apply the validator's own rules where a change could break them (an unknown
nation or year, a commitment outside a programme's allowed starts), so a what-if can never
produce inputs the workbook path would have rejected.
"""

from __future__ import annotations

import logging
from dataclasses import fields, replace
from typing import Iterable, Literal, Mapping

from data.errors import InputError, Problem
from data.tables import ADDED_IN_PYTHON, Commitment, Inputs, Settings

logger = logging.getLogger(__name__)
SETTINGS_FIELDS = {f.name for f in fields(Settings)}


def _nations(inputs: Inputs, nations: Iterable[str] | None) -> list[str]:
    if nations is None:
        return [n.code for n in inputs.nations]
    canonical = {n.code.casefold(): n.code for n in inputs.nations}
    out, unknown = [], []
    for code in nations:
        key = str(code).strip().casefold()
        (out.append(canonical[key]) if key in canonical else unknown.append(str(code)))
    if unknown:
        raise InputError(Problem("what-if", "", f"unknown nation(s) {', '.join(unknown)}",
                                 f"one of {', '.join(sorted(canonical.values()))}"))
    return out


def _years(inputs: Inputs, years: Iterable[int] | None) -> list[int]:
    if years is None:
        return list(inputs.years)
    chosen = [int(y) for y in years]
    outside = [y for y in chosen if y not in inputs.years]
    if outside:
        raise InputError(Problem("what-if", "", f"year(s) {outside} outside the horizon",
                                 f"years {inputs.years[0]}–{inputs.years[-1]}"))
    return chosen


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
    """
    if scale < 0:
        raise InputError(Problem("what-if", "", f"budget scale {scale}", "a number ≥ 0"))
    budgets = dict(inputs.budgets)
    chosen_years = _years(inputs, years)
    for nation in _nations(inputs, nations):
        for year in chosen_years:
            budgets[(nation, year)] = budgets.get((nation, year), 0.0) * scale
    for key, amount in (add or {}).items():
        if isinstance(key, tuple):
            (nation,), year_list = _nations(inputs, [key[0]]), _years(inputs, [key[1]])
        else:
            (nation,), year_list = _nations(inputs, [key]), chosen_years
        for year in year_list:
            budgets[(nation, year)] = max(0.0, budgets.get((nation, year), 0.0) + float(amount))
    return replace(inputs, budgets=budgets)


def with_settings(inputs: Inputs, **changes: object) -> Inputs:
    """Change Settings values; nation carry/borrow fractions follow a changed default.

    A nation whose fraction equalled the old Settings value (i.e. it had no own value)
    takes the new one, as re-reading the workbook with the new Settings would do.
    """
    unknown = sorted(set(changes) - SETTINGS_FIELDS)
    if unknown:
        raise InputError(Problem("what-if", "", f"unknown setting(s) {', '.join(unknown)}",
                                 f"one of {', '.join(sorted(SETTINGS_FIELDS))}"))
    old = inputs.settings
    new = replace(old, **changes)  # type: ignore[arg-type]
    nations = tuple(
        replace(
            n,
            carry_over_fraction=new.carry_over_fraction if n.carry_over_fraction == old.carry_over_fraction else n.carry_over_fraction,
            borrow_fraction=new.borrow_fraction if n.borrow_fraction == old.borrow_fraction else n.borrow_fraction,
        )
        for n in inputs.nations
    )
    return replace(inputs, settings=new, nations=nations)


def with_commitment(
    inputs: Inputs,
    nation: str,
    programme: str,
    action: Literal["fund", "exclude"] = "fund",
    start_year: int | None = None,
) -> Inputs:
    """Add (or replace) a commitment for one nation and programme."""
    (code,) = _nations(inputs, [nation])
    pid = {p.id.casefold(): p.id for p in inputs.programmes}.get(str(programme).strip().casefold())
    if pid is None:
        raise InputError(Problem("what-if", "", f"unknown programme {programme}", "a programme id"))
    if action not in ("fund", "exclude"):
        raise InputError(Problem("what-if", "", f"action {action!r}", "fund or exclude"))
    p = inputs.programme_by_id[pid]
    if action == "fund":
        if code not in inputs.eligible_nations(p):
            raise InputError(Problem("what-if", "", f"{code} may not fund {pid}",
                                     "an ally, or a partner on a joint programme open to partners"))
        allowed = inputs.allowed_starts(p)
        if start_year is not None and start_year not in allowed or not allowed:
            raise InputError(Problem("what-if", "", f"{pid} cannot start in {start_year}",
                                     f"one of its allowed start years {list(allowed)}"))
    kept = tuple(c for c in inputs.commitments if (c.nation, c.programme) != (code, pid))
    return replace(inputs, commitments=kept + (Commitment(code, pid, action, start_year, ADDED_IN_PYTHON),))


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
    pid = {p.id.casefold(): p.id for p in inputs.programmes}.get(str(programme).strip().casefold())
    if pid is None:
        raise InputError(Problem("what-if", "", f"unknown programme {programme}", "a programme id"))
    gone = dependants(inputs, pid)
    if len(gone) > 1:
        logger.info("without %s: also dropping its successors %s", pid, sorted(gone - {pid}))
    return replace(
        inputs,
        programmes=tuple(p for p in inputs.programmes if p.id not in gone),
        values={k: v for k, v in inputs.values.items() if k[0] not in gone},
        requirements=tuple(r for r in inputs.requirements if r[0] not in gone),
        precedences=tuple(x for x in inputs.precedences if not {x.before, x.after} & gone),
        commitments=tuple(c for c in inputs.commitments if c.programme not in gone),
    )
