"""Programme-level judgements that need the whole input: what no plan can fund or adopt."""

from __future__ import annotations

from collections.abc import Mapping

from data.schema import format_value
from data.tables import Inputs, Programme, Settings
from data.validate.problems import _Check, _Row


def _unfundable(inputs: Inputs, check: _Check, rows: Mapping[str, _Row]) -> dict[str, str]:
    """Programmes no plan can fund, with why; each gets a warning (MODEL.md precise rules)."""
    out: dict[str, str] = {}
    for p in inputs.programmes:
        row = rows[p.id]
        if not inputs.allowed_starts(p):
            why = _no_start_reason(p, inputs.settings)
            check.warn(row.sheet, row.cell("id"), f"programme {p.id} has no allowed start year "
                       f"({why}) and cannot be funded",
                       "expected a start window that fits its duration (kept as a candidate)")
            out[p.id] = f"no allowed start year ({why})"
            continue
        if p.is_joint:
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
        check.warn(row.sheet, row.cell("max_participants"), f"max_participants is "
                   f"{p.max_participants} but only {eligible} nations may join {p.id}; the cap "
                   "has no effect", f"expected at most {eligible}")
    if p.min_participants > eligible:
        why = f"min_participants {p.min_participants} > {eligible} eligible nations"
        check.warn(row.sheet, row.cell("min_participants"), f"min_participants is "
                   f"{p.min_participants} but only {eligible} nations may join {p.id}, so it "
                   "cannot be funded", f"expected at most {eligible}")
        return why
    if p.min_share * p.min_participants > 1 + 1e-9:
        why = (f"{p.min_participants} members × min_share {format_value(p.min_share)} "
               "exceed the whole cost")
        check.warn(row.sheet, row.cell("min_share"), f"min_share is "
                   f"{format_value(p.min_share)}: {why}, so {p.id} cannot be funded",
                   f"expected min_share ≤ 1/{p.min_participants}")
        return why
    return ""


def _warn_standards(inputs: Inputs, rows: Mapping[str, _Row], check: _Check) -> None:
    for s in inputs.standards:
        if s.min_adopters > len(inputs.nations):
            row = rows[s.id]
            check.warn(row.sheet, row.cell("min_adopters"), f"min_adopters is {s.min_adopters} "
                       f"but there are only {len(inputs.nations)} nations, so {s.id} can never "
                       "be adopted", f"expected at most {len(inputs.nations)}")
