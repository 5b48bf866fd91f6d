"""The payoff table: each objective's lexicographic optimum, which sets the range of the grid."""

from __future__ import annotations

import math
import time
from typing import Mapping, Sequence

import numpy as np
import pyomo.environ as pyo

from data.tables import Inputs, PlanDecisions, objective_sense
from models import extract_decisions
from optimizer.errors import InfeasibleError, SolverError
from optimizer.solve.objectives import hold_within_tolerance, release_holds, set_objective
from optimizer.solve.solver import PersistentSolver
from optimizer.studies.pareto.front import _sign

PAYOFF_GAP = 1e-6  # payoff-table optima fix the grid's range: solve them (almost) exactly


def _payoff_table(
    m: pyo.ConcreteModel,
    inputs: Inputs,
    solver: PersistentSolver,
    objectives: Sequence[str],
    deadline: float,
    per_point: float,
) -> tuple[np.ndarray, list[PlanDecisions]]:
    """Row i: lexicographic optimum of objective i, then of the others in the given order
    (tolerance 0), in maximise space."""
    p = len(objectives)
    table = np.zeros((p, p))
    plans: list[PlanDecisions] = []
    for i in range(p):
        order = [objectives[i]] + [o for j, o in enumerate(objectives) if j != i]
        for k, name in enumerate(order):
            solver.stage = f"payoff {i + 1}/{p}: {name}"
            set_objective(m, m.objective_expr[name], objective_sense(name))
            limit = min(per_point, deadline - time.monotonic())
            out = solver.solve(max(limit, 0.0), PAYOFF_GAP, warm_start=k > 0)
            if out.status == "infeasible":
                release_holds(m)
                raise InfeasibleError("No plan satisfies the inputs, so there is no front.")
            if not out.has_solution:
                release_holds(m)
                raise SolverError(f"payoff table: no plan for {name} within the time limit ({out.termination})")
            if k < p - 1:
                hold_within_tolerance(m, name, float(out.objective), 0.0)
        table[i] = [_sign(o) * pyo.value(m.objective_expr[o]) for o in objectives]
        plans.append(extract_decisions(m, inputs))
        release_holds(m)
    return table, plans


def _grid(
    table: np.ndarray, objectives: Sequence[str], points: int, exact: bool, nadir: Mapping[str, float] | None
) -> tuple[list[np.ndarray], list[float]]:
    """ε levels for each constrained objective (maximise space), lowest first, and steps."""
    levels, steps = [], []
    for k in range(1, len(objectives)):
        name = objectives[k]
        top = float(table[:, k].max())
        low = float(table[:, k].min())
        if nadir and name in nadir:
            low = _sign(name) * float(nadir[name])
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
