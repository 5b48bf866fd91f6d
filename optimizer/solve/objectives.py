"""How several objectives become solver runs: lexicographic stages and weighted sums.

Pareto fronts live in `optimizer.studies.pareto`; both share the stage machinery here.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import pyomo.environ as pyo

from data.tables import objective_sense
from optimizer.solve.solver import INTERRUPT, PersistentSolver, SolveOutcome

if TYPE_CHECKING:
    from pyomo.core.expr.numvalue import NumericValue

logger = logging.getLogger(__name__)

ABSOLUTE_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Stage:
    """One solver call of a multi-objective run, for traceability in the Summary."""

    objective: str
    outcome: SolveOutcome


def sign(name: str) -> int:
    """+1 for objectives to maximise, −1 for those to minimise."""
    return 1 if objective_sense(name) == "max" else -1


def set_objective(m: pyo.ConcreteModel, expr: object, sense: str) -> None:
    """Replace the model's single active objective (persistent solvers pick up the swap)."""
    if hasattr(m, "run_objective"):
        m.del_component(m.run_objective)
    m.run_objective = pyo.Objective(expr=expr, sense=pyo.maximize if sense == "max" else pyo.minimize)


def weighted_expression(m: pyo.ConcreteModel, weights: Mapping[str, float]) -> NumericValue:
    """Σ_k sign_k · weight_k · obj_k over the objectives with a non-zero weight (MODEL.md)."""
    terms = [sign(name) * w * m.objective_expr[name] for name, w in weights.items() if w]
    if not terms:
        raise ValueError("weighted objective needs at least one non-zero weight")
    return sum(terms)


def penalised(expr: NumericValue, sense: str, penalty: NumericValue | None) -> NumericValue:
    """`expr` worsened by a non-negative `penalty` in its own sense (None: unchanged).

    A penalty such as plan churn (models.stability) is charged to whichever objective a
    stage optimises: subtracted from a maximised one, added to a minimised one.
    """
    if penalty is None:
        return expr
    return expr - penalty if sense == "max" else expr + penalty


def solve_weighted(
    m: pyo.ConcreteModel,
    solver: PersistentSolver,
    weights: Mapping[str, float],
    time_limit: float,
    gap: float,
    warm_start: bool = False,
    penalty: object | None = None,
    improve: Callable[[float], None] | None = None,
) -> list[Stage]:
    """One solve of the weighted sum. `improve(seconds_left)` may first improve the plan the
    model holds (e.g. optimizer.solve.neighbourhood) and must leave a feasible plan there."""
    deadline = time.monotonic() + time_limit
    set_objective(m, penalised(weighted_expression(m, weights), "max", penalty), "max")
    solver.stage = "weighted"
    if improve is not None and warm_start:
        improve(time_limit)
    return [Stage("weighted", solver.solve(max(deadline - time.monotonic(), 0.0), gap, warm_start))]


def hold_within_tolerance(m: pyo.ConcreteModel, name: str, achieved: float, tolerance: float) -> None:
    """Keep objective `name` within `tolerance` (relative, plus 1e-6 absolute) of `achieved`."""
    slack = tolerance * abs(achieved) + ABSOLUTE_TOLERANCE
    if not hasattr(m, "lexicographic_holds"):
        m.lexicographic_holds = pyo.ConstraintList()
    if objective_sense(name) == "max":
        m.lexicographic_holds.add(m.objective_expr[name] >= achieved - slack)
    else:
        m.lexicographic_holds.add(m.objective_expr[name] <= achieved + slack)


def release_holds(m: pyo.ConcreteModel) -> None:
    """Drop the constraints earlier lexicographic stages added (model reuse)."""
    if hasattr(m, "lexicographic_holds"):
        m.del_component(m.lexicographic_holds)


def solve_lexicographic(
    m: pyo.ConcreteModel,
    solver: PersistentSolver,
    priority: Sequence[str],
    tolerance: float,
    time_limit: float,
    gap: float,
    on_stage_solution: Callable[[SolveOutcome], None] | None = None,
    warm_start: bool = False,
    penalty: object | None = None,
    before_stage: Callable[[str, list[tuple[str, float, float]]], Mapping[str, float] | None] | None = None,
    improve: Callable[[float], None] | None = None,
    floor: Mapping[str, float] | None = None,
) -> list[Stage]:
    """Optimise each objective in turn, holding the earlier ones near what they reached.

    The time limit covers the whole run (`stage_seconds` shares it out). From the second
    stage on the previous plan is handed to the solver as a MIP start: it satisfies every
    hold, so each stage starts from a feasible plan and can only improve on it. If a later
    stage runs out of time without a plan, the caller keeps the previous stage's plan
    (`on_stage_solution` saw it).
    A `penalty` is charged to every stage's objective in its sense (see `penalised`), but
    each hold keeps the bare objective at the value the stage's plan reached: a stage whose
    objective no change can improve must not forbid later stages every change.

    `before_stage(name, holds)` may load a better start into the model's variables and
    return that verified plan's objective values (None: nothing verified was loaded). A
    shortfall stage whose start has shortfall 0 is proven optimal by it and not solved.
    `improve(seconds_left)`, if given, may improve a stage's start plan before it is solved.

    `floor` (re-planning: the previous plan's objective values) is a plan no hold excludes
    while it meets the earlier ones (see `hold_for`): the tolerance lets a later stage give
    back part of what a stage gained, never what that plan already achieves. Without it a
    penalised stage that stops at the previous plan (no change buys more than it costs)
    re-anchors the tolerance there, and the next stage trades the previous plan's own
    objective away: re-planning unchanged inputs dropped 356 capability points for cost.
    """
    deadline = time.monotonic() + time_limit
    stages: list[Stage] = []
    holds: list[tuple[str, float, float]] = []
    for k, name in enumerate(priority):
        solver.stage = f"{k + 1}/{len(priority)} {name}"
        began = time.monotonic()
        start = before_stage(name, holds) if before_stage is not None else None
        stage_expr = penalised(m.objective_expr[name], objective_sense(name), penalty)
        set_objective(m, stage_expr, objective_sense(name))
        if penalty is None and start is not None and proven_by_start(name, start):
            outcome = SolveOutcome(
                "optimal", PROVEN_BY_START, 0.0, 0.0, 0.0, time.monotonic() - began, bound_source=START_BOUND
            )
        else:
            warm = warm_start or k > 0 or start is not None
            if improve is not None and warm:
                improve(deadline - time.monotonic())
            seconds = stage_seconds(name, deadline - time.monotonic(), len(priority) - k)
            held = start_value(m, name) if k > 0 else None
            outcome = not_searched(solver.solve(max(seconds, 0.0), gap, warm_start=warm), held)
        stages.append(Stage(name, outcome))
        logger.info("stage %s: %s %s", name, outcome.status, outcome.objective)
        if not outcome.has_solution:
            break
        if on_stage_solution is not None:
            on_stage_solution(outcome)
        if INTERRUPT.is_set():
            # Ctrl-C ends the run, not only the stage: the next stage went on from the start
            # plan and reported it as "cost: feasible", a stage that never searched
            break
        if k < len(priority) - 1:
            achieved = float(  # (a SolveOutcome with a plan has its objective)
                outcome.objective if penalty is None else pyo.value(m.objective_expr[name])  # type: ignore[arg-type]
            )
            hold = hold_for(name, achieved, tolerance, floor, holds)
            hold_within_tolerance(m, *hold)
            holds.append(hold)
    return stages


# "time limit" first: WORKBOOK.md's termination is the solver's reason, e.g. time limit
NOT_SEARCHED = "time limit: no time left to search beyond the previous stage's plan"
# the bound of a shortfall stage its start plan proves: no solver ran ("bound from
# branch-and-bound" was printed for it)
START_BOUND = "shortfall cannot be below 0 (no solver call)"


def start_value(m: pyo.ConcreteModel, name: str) -> float | None:
    """Objective `name` at the plan the model holds (a stage's start), None if unset."""
    value = pyo.value(m.objective_expr[name], exception=False)
    return float(value) if value is not None else None


def not_searched(outcome: SolveOutcome, held: float | None) -> SolveOutcome:
    """A later stage that hands back its start plan with no bound never searched: it is
    reported as a stage without a plan (the run keeps the previous stage's), not as a
    stage that optimised. `capopt solve --robust 2 --time-limit 60` printed "gap — on cost"
    with the cost stage's 0.1 s, hiding the capability stage's 5.35 %, and its Summary said
    "cost: feasible, 56221.3" for a cost no search had touched."""
    if held is None or outcome.status != "feasible" or outcome.bound is not None or outcome.objective is None:
        return outcome
    if abs(outcome.objective - held) > ABSOLUTE_TOLERANCE + 1e-9 * abs(held):
        return outcome
    # a Ctrl-C keeps its word: the run reports it, and its exit, by the stage's termination
    termination = outcome.termination if outcome.termination.startswith("interrupted") else NOT_SEARCHED
    return replace(outcome, status="no_solution", termination=termination, objective=None, gap=None)


def stage_seconds(name: str, remaining: float, stages_left: int) -> float:
    """The share of the time left that stage `name` may use, `stages_left` counting itself.

    A shortfall stage that its start plan did not prove (shortfall above 0) gets an equal
    share when later stages follow: its LP bound is 0 whenever the targets can be met
    with fractional programmes, so its gap rarely closes and, given all the time, it used
    every second of it and left capability and cost unoptimised (the reference dataset at
    0.6 × budget: shortfall 11 against bound 0 after 19 s of 20, later stages never ran).
    The stage still reports its own gap, and the run is "optimal" only if every stage was.
    Other stages keep all the time left: their plans anchor every later one."""
    if name == "shortfall" and stages_left > 1:
        return remaining / stages_left
    return remaining


def hold_for(
    name: str,
    achieved: float,
    tolerance: float,
    floor: Mapping[str, float] | None,
    holds: Sequence[tuple[str, float, float]],
) -> tuple[str, float, float]:
    """The hold after stage `name` reached `achieved`: within `tolerance` of it, but never
    looser than `floor`'s value (tolerance 0) while the `floor` plan meets the earlier holds."""
    if floor is not None and meets_holds(floor, holds):
        slack = tolerance * abs(achieved) + ABSOLUTE_TOLERANCE
        if sign(name) * floor[name] - ABSOLUTE_TOLERANCE > sign(name) * achieved - slack:
            return (name, floor[name], 0.0)
    return (name, achieved, tolerance)


PROVEN_BY_START = "optimal: proven by the start plan (shortfall 0 is the least possible; no solver call)"


def proven_by_start(name: str, start: Mapping[str, float]) -> bool:
    """Whether a verified start plan is optimal for stage `name` without solving.

    Shortfall is a sum of non-negative terms, so a plan with shortfall 0 is optimal, and
    proven so with bound 0 (gap 0) — no solver could report anything else.
    """
    return name == "shortfall" and start.get("shortfall", math.inf) <= 0.0


def meets_holds(objectives: Mapping[str, float], holds: Sequence[tuple[str, float, float]]) -> bool:
    """Whether a plan's objective values satisfy every lexicographic hold so far."""
    for name, achieved, tolerance in holds:
        slack = tolerance * abs(achieved) + ABSOLUTE_TOLERANCE
        value = objectives[name]
        if objective_sense(name) == "max" and value < achieved - slack:
            return False
        if objective_sense(name) == "min" and value > achieved + slack:
            return False
    return True
