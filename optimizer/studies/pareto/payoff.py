"""The payoff table: each objective's lexicographic optimum, which sets the range of the grid."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

import numpy as np
import pyomo.environ as pyo

from data.tables import Inputs, PlanDecisions, objective_sense
from models import extract_decisions, set_start
from optimizer.errors import InfeasibleError, NoSolutionError
from optimizer.solve.diagnose import diagnose_infeasibility, diagnosis_seconds
from optimizer.solve.objectives import hold_within_tolerance, release_holds, set_objective
from optimizer.solve.solver import PersistentSolver
from optimizer.studies.pareto.front import _sign
from optimizer.studies.pareto.grid import PayoffAnswer

PAYOFF_GAP = 1e-6  # payoff-table optima fix the grid's range: solve them (almost) exactly


def _payoff_table(
    m: pyo.ConcreteModel,
    inputs: Inputs,
    solver: PersistentSolver,
    objectives: Sequence[str],
    deadline: float,
    per_point: float,
) -> tuple[np.ndarray, list[PlanDecisions], list[tuple[bool, float | None, float | None]]]:
    """Row i: lexicographic optimum of objective i, then of the others in the given order
    (tolerance 0), in maximise space; its plan; and per row whether every solve proved its
    optimum, with the gap and the bound (in objective i's own units) of objective i's own
    solve: row 1's bound holds for every plan, so it is the front's `best_bound`. An unproven row is a plan, not "the
    best in objective i": the grid's top may then lie below an efficient plan, and with
    two objectives its worst value is no longer the exact nadir."""
    p = len(objectives)
    table = np.zeros((p, p))
    plans: list[PlanDecisions] = []
    proofs: list[tuple[bool, float | None, float | None]] = []
    greedy = _searched_by_the_engine(solver) and _greedy_start(m, inputs)
    for i in range(p):
        proven, gap, bound = True, None, None
        order = [objectives[i]] + [o for j, o in enumerate(objectives) if j != i]
        for k, name in enumerate(order):
            solver.stage = f"payoff {i + 1}/{p}: {name}"
            set_objective(m, m.objective_expr[name], objective_sense(name))
            limit = payoff_seconds(per_point, deadline - time.monotonic(), p * p - (i * p + k))
            # a later row starts from the plan in hand (the previous row's, which no hold
            # binds any more): after Ctrl-C the solve hands it back at once and the front
            # keeps the plans found (without a start it found none, and the whole front was
            # "Interrupted before a plan was found" with plans in hand), and under a short
            # limit the row has a plan even if its search finds none in its share (the
            # README's front of the reference dataset at 3 s ended once in "payoff table:
            # no plan for cost" after row 1 had its plan)
            warm = k > 0 or i > 0 or greedy
            out = solver.solve(limit, PAYOFF_GAP, warm_start=warm)
            if out.status == "infeasible":
                release_holds(m)
                # the conflict is named as `solve` names it (exit 4 said only "no front")
                conflicts = diagnose_infeasibility(
                    inputs, budget_seconds=diagnosis_seconds(deadline - time.monotonic())
                )
                raise InfeasibleError("No plan satisfies the inputs, so there is no front.", conflicts)
            if not out.has_solution:
                release_holds(m)
                # the time limit, not a failure: `capopt pareto --time-limit 1` exited 5 ("solver
                # error"), which reads as a broken installation, not as "give it more time"
                raise NoSolutionError(
                    f"payoff table: no plan for {name} within the time limit ({out.termination}); "
                    f"raise --time-limit: a front first solves {p} × {p} payoff-table optima"
                )
            proven = proven and out.status == "optimal"
            if k == 0:
                gap, bound = out.gap, out.bound
            if k < p - 1:
                # (a SolveOutcome with a plan has its objective)
                hold_within_tolerance(m, name, float(out.objective), 0.0)  # type: ignore[arg-type]
        table[i] = [_sign(o) * pyo.value(m.objective_expr[o]) for o in objectives]
        plans.append(extract_decisions(m, inputs))
        proofs.append((proven, gap, bound))
        release_holds(m)
    return table, plans, proofs


def _searched_by_the_engine(solver: PersistentSolver) -> bool:
    """Whether the engine searches this model: it improves a plan, and has none without a
    start. Plain branch-and-bound (small models) finds a first plan at once and only loses
    time to building one (2kp50: 2.15 s against 1.99 s CPU, median of 3)."""
    return solver.strategy() != "highs"


def _greedy_start(m: pyo.ConcreteModel, inputs: Inputs) -> bool:
    """Load the spreadsheet method's plan as the first payoff solve's start, as a plain
    solve does (optimizer.session): without one, `capopt pareto` on the M benchmark
    instance with a 30-s limit stopped after 7 s with "payoff table: no plan for capability"
    (its first solve's share of the time, and the engine had no plan to improve)."""
    from optimizer.checks.verify import check_plan
    from optimizer.heuristics.greedy import greedy_plan

    try:
        plan = greedy_plan(inputs)
    except Exception:  # noqa: BLE001 — a heuristic must never stop a front
        return False
    if check_plan(inputs, plan):  # e.g. robust budgets reject it
        return False
    set_start(m, plan)
    return True


def payoff_answers(
    table: np.ndarray, proofs: Sequence[tuple[bool, float | None, float | None]]
) -> tuple[PayoffAnswer, ...]:
    """The grid points of a two-objective front that the payoff table's proven rows have
    answered (see `PayoffAnswer`); none with three objectives or more, where the augmented
    objective weighs the constrained objectives together and the lexicographic rows need
    not be its optimum."""
    if table.shape[0] != 2:
        return ()
    answers = []
    if proofs[0][0]:
        answers.append(PayoffAnswer(-math.inf, float(table[0, 1]), float(table[0, 1])))
    if proofs[1][0]:
        answers.append(PayoffAnswer(float(table[1, 1]), float(table[1, 1]), float(table[1, 1])))
    return tuple(answers)


def payoff_seconds(per_point: float, left: float, solves_left: int) -> float:
    """A payoff solve's time: at most `per_point`, and at most an equal share of the time
    left with one share kept back for the grid (`solves_left` counts this solve).

    Payoff solves ask for a gap of PAYOFF_GAP, which a model of the reference dataset's size
    does not prove in a minute: given all the time left, the first one took all 60 s of
    `capopt pareto --objectives capability,cost` on it, and the run stopped with "no plan
    for cost". An unproven payoff row leaves the front marked as not proven complete."""
    return max(min(per_point, left / (solves_left + 1)), 0.0)


def _safe_lows(
    m: pyo.ConcreteModel,
    solver: PersistentSolver,
    objectives: Sequence[str],
    deadline: float,
    per_point: float,
) -> list[float | None]:
    """For each constrained objective, a level no feasible plan is worse than (maximise
    space), so no efficient plan either: the solver's bound on that objective alone,
    optimised the wrong way over the feasible set. None where no bound came back.

    With three or more objectives the payoff table's worst values are no such level: an
    efficient plan can be worse than every payoff row in one objective (4kp50: A2 down to
    735, A3 to 718, A4 to 713 against payoff minima 741, 728, 718; 6 of 46 points lie
    there). A grid from these levels is much larger, but the levels below the true nadir
    cost almost nothing: the first point solved there flags a box reaching up to its own
    values (4kp50 from 0: 157 points solved against 154 from the true nadir; see
    `GridFlags` for why the cells themselves cost nothing)."""
    lows: list[float | None] = []
    for name in objectives[1:]:
        solver.stage = f"bounds: worst {name}"
        set_objective(m, m.objective_expr[name], "min" if objective_sense(name) == "max" else "max")
        out = solver.solve(max(min(per_point, deadline - time.monotonic()), 0.0), PAYOFF_GAP)
        # the bound, not the plan: valid even when the solve stopped with a gap
        bound = out.bound if out.status in ("optimal", "feasible") else None
        lows.append(None if bound is None or not math.isfinite(bound) else _sign(name) * float(bound))
    return lows


def _grid(
    table: np.ndarray, objectives: Sequence[str], points: int, exact: bool, lows: Sequence[float]
) -> tuple[list[np.ndarray], list[float]]:
    """ε levels for each constrained objective (maximise space) from `lows` up to the
    payoff table's best, lowest first, and steps."""
    levels, steps = [], []
    for k in range(1, len(objectives)):
        top = float(table[:, k].max())
        low = min(float(lows[k - 1]), top)
        if exact:
            low, top = math.floor(low + 1e-9), math.floor(top + 1e-9)
            values = np.arange(low, top + 1, 1.0)
            step = 1.0
        else:
            values = np.linspace(low, top, max(points, 2)) if top > low else np.array([low])
            step = (top - low) / (max(points, 2) - 1) if top > low else 1.0
        levels.append(values)
        steps.append(step)
    return levels, steps
