"""Explain an infeasible model in a planner's words: which commitments clash, and with what.

Without commitments the model is always feasible (funding nothing satisfies every rule),
so infeasibility comes from `fund` commitments meeting budgets, deadlines, precedence,
capacity, exclusivity, compliance, critical mass or consortium rules. We find a minimal
set of commitments that is still infeasible (deletion filtering: drop one, re-check, keep
it dropped if the rest stays infeasible), then find which rule families, relaxed alone,
make that set feasible — those are the rules it clashes with.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pyomo.environ as pyo

from data.tables import Commitment, Inputs
from models import build_model
from optimizer.solve.objectives import set_objective
from optimizer.solve.solver import PersistentSolver, SolverOptions

logger = logging.getLogger(__name__)

# model component names -> the rule family in a planner's words
FAMILIES: dict[str, tuple[str, ...]] = {
    "budgets": ("spend_within_budget", "budget_balance", "carry_over_cap", "borrow_floor"),
    "precedence": ("precedence_same_nation", "precedence_any_nation"),
    "exclusive groups": ("exclusive_group",),
    "capacity (max concurrent programmes)": ("capacity",),
    "standards compliance": ("standards_compliance",),
    "critical mass of standards": ("critical_mass_switch", "critical_mass"),
    "consortium size": ("consortium_min", "consortium_max"),
    "minimum cost shares": ("min_share",),
    "robust budgets (room for Γ overruns)": (
        "robust_budget",
        "robust_budget_balance",
        "robust_carry_over_cap",
        "robust_borrow_floor",
    ),
}


# The diagnosis of an infeasible run gets the run's own time limit, within these bounds: a
# re-plan with --time-limit 20 spent 58 s naming its conflict under a fixed 300-s budget.
DIAGNOSIS_MIN_SECONDS = 10.0
DIAGNOSIS_MAX_SECONDS = 300.0


def diagnosis_seconds(time_limit: float | None) -> float:
    """The diagnosis budget for a run with `time_limit` (None: the most)."""
    if time_limit is None:
        return DIAGNOSIS_MAX_SECONDS
    return min(max(float(time_limit), DIAGNOSIS_MIN_SECONDS), DIAGNOSIS_MAX_SECONDS)


FROZEN_PAST = "the re-plan's frozen past (what the previous plan did before the re-plan year)"
FROZEN_PAST_ROWS = (
    "replan_past_start",
    "replan_past_joint",
    "replan_past_adoption",
    "replan_past_adoption_year",
    "replan_past_payment",
)


@dataclass(frozen=True)
class FrozenPast:
    """What a re-plan holds fixed, for its diagnosis: the rows its model adds (`extend`, the
    same function that built them) and the fundings its history commits (`fundings`). A
    diagnosis without them blamed nations whose budgets had not changed, for a conflict
    their commitments did not have, and checked 566 history commitments one by one."""

    extend: Callable[[pyo.ConcreteModel], None]
    fundings: frozenset[tuple[str, str]]


def diagnose_infeasibility(
    inputs: Inputs, seconds_per_check: float = 30.0, budget_seconds: float = 300.0, frozen: FrozenPast | None = None
) -> list[str]:
    """Planner-readable sentences naming a minimal conflicting set of commitments and rules.

    A check the budget cuts short counts as "still needed", so the set named is never
    smaller than a conflict; the last line then says it may hold more than one. A re-plan's
    frozen past is one rule family: its history is never checked commitment by commitment."""
    m = build_model(inputs)
    if frozen is not None:
        frozen.extend(m)
    # any objective will do; a 100% gap makes each check stop at the first feasible plan
    set_objective(m, m.objective_expr["cost"], "min")
    solver = PersistentSolver(m, SolverOptions())
    deadline = time.monotonic() + budget_seconds
    undecided = []

    def feasible() -> bool | None:
        out = solver.solve(min(seconds_per_check, max(deadline - time.monotonic(), 0.1)), 1.0)
        if out.status == "infeasible":
            return False
        if out.has_solution:
            return True
        undecided.append(1)
        return None

    if feasible() is True:
        # inputs that have a plan have no conflict to name: relaxing any rule family "fixed"
        # them, and Scenario.diagnose() named one ("cannot hold together under: budgets")
        return []
    history = frozen.fundings if frozen is not None else frozenset()
    keys = [key for key in (m.commit_fund.keys() if hasattr(m, "commit_fund") else []) if key not in history]
    needed = _still_needed(m.commit_fund if keys else None, keys, feasible, deadline, undecided)
    # `exclude` rows too: one that leaves a consortium too few members was never named (the
    # diagnosis blamed the `fund` row alone, and dropping the exclude was the fix)
    excludes = list(m.commit_exclude.keys()) if hasattr(m, "commit_exclude") else []
    excluded = _still_needed(m.commit_exclude if excludes else None, excludes, feasible, deadline, undecided)
    rules = _blocking_families(m, feasible)
    if frozen is not None and _relaxed_together(m, feasible, FROZEN_PAST_ROWS, history):
        rules.append(FROZEN_PAST)
    lines = _explain(inputs, needed, rules, excluded)
    if undecided:
        lines.append(
            f"(The diagnosis had {budget_seconds:g} s and {len(undecided)} of its checks ran out of "
            "time: the commitments named may be more than the conflict needs; a longer --time-limit "
            "narrows them down.)"
        )
    return lines


def _still_needed(
    rows: object,
    keys: list[tuple[str, str]],
    feasible: Callable[[], bool | None],
    deadline: float,
    undecided: list[int],
) -> list[tuple[str, str]]:
    """Deletion filtering over commitment `rows`: each dropped in turn stays dropped if the
    rest is still infeasible without it; the keys left are part of the conflict. Out of
    time, the rest are kept unchecked (each check still took its 0.1 s and a build's
    overhead, and a re-plan's 566 commitments ran 110 s past a 30-s budget)."""
    needed: list[tuple[str, str]] = []
    for key in keys:
        row = rows[key]  # type: ignore[index]
        if time.monotonic() >= deadline:
            needed.append(key)
            undecided.append(1)
            continue
        row.deactivate()
        if feasible() is False:
            continue  # still infeasible without it: not part of the conflict
        row.activate()
        needed.append(key)
    return needed


def _blocking_families(m: pyo.ConcreteModel, feasible: object) -> list[str]:
    """Rule families that, relaxed alone, let the remaining commitments hold."""
    blocking = []
    for family, names in FAMILIES.items():
        components = [getattr(m, n) for n in names if hasattr(m, n)]
        if not components or all(len(c) == 0 for c in components):
            continue
        for c in components:
            c.deactivate()
        if feasible() is True:  # type: ignore[operator]
            blocking.append(family)
        for c in components:
            c.activate()
    robust = "robust budgets (room for Γ overruns)"
    if not blocking and _relaxed_together(m, feasible, FAMILIES["budgets"] + FAMILIES[robust]):
        # robust rows imply the nominal ones, so neither family relaxed alone lets a plan in:
        # with --robust an ordinary budget conflict lost its explanation and its figures
        blocking.append("budgets")
    return blocking


def _relaxed_together(
    m: pyo.ConcreteModel, feasible: object, names: tuple[str, ...], fundings: frozenset[tuple[str, str]] = frozenset()
) -> bool:
    """Whether the commitments hold with every constraint named in `names` (and the `fund`
    commitments of `fundings`) relaxed at once."""
    components = [getattr(m, n) for n in names if hasattr(m, n)]
    components += [m.commit_fund[key] for key in fundings if hasattr(m, "commit_fund") and key in m.commit_fund]
    if not any(len(c) if hasattr(c, "__len__") else 1 for c in components):  # a ConstraintData has no len
        return False
    for c in components:
        c.deactivate()
    holds = feasible() is True  # type: ignore[operator]
    for c in components:
        c.activate()
    return holds


def _commitment(inputs: Inputs, nation: str, programme: str, action: str = "fund") -> Commitment | None:
    for c in inputs.commitments:
        if c.action == action and (c.nation, c.programme) == (nation, programme):
            return c
    return None


def _explain(
    inputs: Inputs, needed: list[tuple[str, str]], rules: list[str], excluded: Sequence[tuple[str, str]] = ()
) -> list[str]:
    lines = []
    for nation, pid in needed:
        c = _commitment(inputs, nation, pid)
        row = f"{c.where}: " if c else ""
        when = f" starting {c.start_year}" if c and c.start_year is not None else ""
        line = f"{row}{nation} must fund {pid}{when}"
        detail = _budget_detail(inputs, nation, pid, c.start_year if c else None) if "budgets" in rules else ""
        lines.append(line + detail)
    for nation, pid in excluded:
        c = _commitment(inputs, nation, pid, "exclude")
        lines.append(f"{c.where + ': ' if c else ''}{nation} excludes {pid}")
    if rules:
        lines.append("These cannot hold together under: " + ", ".join(rules) + ".")
    elif needed:
        lines.append("These commitments cannot hold together (no single rule family explains it).")
    else:
        lines.append("The model is infeasible even without commitments; check deadlines and critical mass.")
    return lines


def _budget_detail(inputs: Inputs, nation: str, pid: str, start: int | None) -> str:
    """For a national commitment with a start year: the first year its cost alone exceeds
    what the nation can spend (budget plus the most it could carry in or borrow)."""
    programme = inputs.programme_by_id[pid]
    if start is None or programme.is_joint:
        return ""
    n = inputs.nation_by_code[nation]
    for k in range(programme.duration_years):
        year = start + k
        cost = programme.cost_in_offset(k)
        budget = inputs.budget(nation, year)
        prev = inputs.budget(nation, year - 1) * n.carry_over_fraction if year > inputs.years[0] else 0.0
        nxt = inputs.budget(nation, year + 1) * n.borrow_fraction if year < inputs.years[-1] else 0.0
        if cost > budget + prev + nxt + 1e-9:
            return f", but {nation}'s {year} budget is {budget:,.1f} and {pid} costs {cost:,.1f} that year"
    return ""
