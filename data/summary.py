"""A one-screen description of validated inputs: `describe(inputs, warnings)`.

What a planner checks before trusting a run: did the tool read the horizon, the nations,
the money and the programmes they meant? Kept to about 25 lines whatever the input size.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from data.errors import Problem
from data.tables import ALLIANCE, Inputs

MAX_NAMES = 8
MAX_WARNINGS = 5
YEARS_PER_LINE = 6


def _names(items: Sequence[str]) -> str:
    shown = ", ".join(items[:MAX_NAMES])
    return shown + (f", … ({len(items) - MAX_NAMES} more)" if len(items) > MAX_NAMES else "")


def _amount(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 or float(x).is_integer() else f"{x:,.2f}"


def _plural(n: int, word: str, plural: str = "") -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def describe(inputs: Inputs, warnings: Iterable[Problem] = ()) -> str:
    """Nations, years, programmes, money, standards, targets and commitments, briefly."""
    s = inputs.settings
    lines: list[str] = []
    if inputs.source is not None:
        lines.append(f"Input: {inputs.source.path} (sha256 {inputs.source.sha256[:12]}…)")
    cycle = f", planning cycle {_plural(s.planning_cycle_years, 'year')}" if s.planning_cycle_years > 1 else ""
    lines.append(
        f"Horizon: {s.first_year}–{s.last_year} ({_plural(len(inputs.years), 'year')}){cycle}; money in {s.currency}"
    )
    lines += _nation_lines(inputs)
    lines += _programme_lines(inputs)
    lines.append(f"Capability areas: {len(inputs.areas)} ({_names([a.id for a in inputs.areas])})")
    lines += _budget_lines(inputs)
    lines += _relation_lines(inputs)
    lines.append(_objective_line(inputs))
    lines += _warning_lines(list(warnings))
    return "\n".join(lines)


def _nation_lines(inputs: Inputs) -> list[str]:
    allies = [n.code for n in inputs.nations if n.role == "ally"]
    partners = [n.code for n in inputs.nations if n.role == "partner"]
    out = [(f"Nations: {len(inputs.nations)} — {_plural(len(allies), 'ally', 'allies')} ({_names(allies)})")]
    if partners:
        out[0] += f", {_plural(len(partners), 'partner')} ({_names(partners)})"
    return out


def _programme_lines(inputs: Inputs) -> list[str]:
    programmes = inputs.programmes
    joint = sum(p.is_joint for p in programmes)
    out = [f"Programmes: {len(programmes)} — {len(programmes) - joint} national, {joint} joint"]
    by_tech: Counter[tuple[str, str]] = Counter((p.technology or "(no technology)", p.sharing) for p in programmes)
    techs = sorted({t for t, _ in by_tech})
    parts = []
    for tech in techs:
        n, j = by_tech[(tech, "national")], by_tech[(tech, "joint")]
        parts.append(f"{tech} {n + j}" + (f" ({j} joint)" if j else ""))
    if parts:
        out.append(
            "  by technology: "
            + "; ".join(parts[:MAX_NAMES])
            + (f"; … ({len(parts) - MAX_NAMES} more)" if len(parts) > MAX_NAMES else "")
        )
    stuck = [p.id for p in programmes if not inputs.allowed_starts(p)]
    if stuck:
        out.append(f"  cannot start in the horizon: {_names(stuck)}")
    return out


def _budget_lines(inputs: Inputs) -> list[str]:
    totals = [(y, sum(inputs.budget(n.code, y) for n in inputs.nations)) for y in inputs.years]
    grand = sum(t for _, t in totals)
    out = [f"Budget, all nations ({inputs.settings.currency}): total {_amount(grand)}"]
    for i in range(0, len(totals), YEARS_PER_LINE):
        chunk = totals[i : i + YEARS_PER_LINE]
        out.append("  " + " | ".join(f"{y} {_amount(t)}" for y, t in chunk))
    return out


def _relation_lines(inputs: Inputs) -> list[str]:
    required = len({s for _, s in inputs.requirements})
    alliance = sum(t.nation == ALLIANCE for t in inputs.targets)
    actions = Counter(c.action for c in inputs.commitments)
    return [
        (
            f"Standards: {len(inputs.standards)} ({required} required by programmes); "
            f"precedence rules: {len(inputs.precedences)}"
        ),
        (
            f"Targets: {len(inputs.targets)} ({alliance} alliance-wide); commitments: "
            f"{len(inputs.commitments)} ({actions['fund']} fund, {actions['exclude']} exclude)"
        ),
    ]


def _objective_line(inputs: Inputs) -> str:
    s = inputs.settings
    if s.objective == "lexicographic":
        detail = " > ".join(s.priority)
    elif s.objective == "weighted":
        detail = ", ".join(f"{k} {w:g}" for k, w in s.weights.items() if w)
    else:
        detail = " vs ".join(s.pareto_objectives) + (" (exact)" if s.pareto_exact else f" ({s.pareto_points} points)")
    return f"Objective: {s.objective} — {detail}"


def _warning_lines(warnings: list[Problem]) -> list[str]:
    if not warnings:
        return ["Warnings: none"]
    out = [f"Warnings: {len(warnings)}"]
    out += [f"  {w}" for w in warnings[:MAX_WARNINGS]]
    if len(warnings) > MAX_WARNINGS:
        out.append(f"  … and {len(warnings) - MAX_WARNINGS} more")
    return out
