"""Fix-and-optimise by nation: a better first plan for large models, exploiting their structure.

Nations are coupled only through joint programmes, critical-mass standards, any-nation
precedence and ALLIANCE targets. Holding every other nation's decisions (and every
consortium's start) at the current plan leaves one nation's own choices: a small MIP that
HiGHS solves quickly, whose current plan is feasible, so each pass can only improve the
plan. On the L benchmark instance HiGHS's own search never improved on the greedy start
within 120 s; this neighbourhood search is what finds better plans there
(docs/benchmarks.md).

It is a heuristic for the *incumbent* only: the caller then solves the full model from the
improved plan, so the reported bound stays HiGHS's true bound and the answer stays exact
with respect to MODEL.md.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyomo.environ as pyo

from optimizer.solve.solver import PersistentSolver, active_objective

if TYPE_CHECKING:
    from pyomo.core.base.var import VarData

logger = logging.getLogger(__name__)

NEIGHBOURHOOD_GAP = 1e-4


@dataclass(frozen=True)
class NeighbourhoodReport:
    """What the passes achieved, for the benchmark table and logs."""

    start: float
    final: float
    solves: int
    improved: int
    seconds: float


def improve_by_nation(
    m: pyo.ConcreteModel, solver: PersistentSolver, time_budget: float, nations: list[str] | None = None
) -> NeighbourhoodReport:
    """Re-optimise one nation at a time with everything else fixed at the model's current values.

    The model's variables must hold a feasible plan (a MIP start) and its active objective
    is the one improved. Every binary decision not belonging to the nation is fixed for the
    sub-solve and released afterwards; continuous variables (payments, balances, lapses,
    shortfalls) stay free so they can follow. Stops when `time_budget` seconds are used.
    """
    started = time.monotonic()
    objective = active_objective(m)
    sign = 1.0 if objective.sense == pyo.maximize else -1.0
    best = float(pyo.value(objective))
    first, solves, improved = best, 0, 0
    order = nations or _nations_by_decisions(m)
    stage = solver.stage
    for nation in order:
        remaining = time_budget - (time.monotonic() - started)
        if remaining <= 0.5:
            break
        share = max(remaining / max(len(order) - solves, 1), 1.0)
        fixed = _fix_all_but(m, nation)
        solver.stage, solver.restricted = f"{stage} improving {nation}".strip(), True
        try:
            outcome = solver.solve(min(share, remaining), NEIGHBOURHOOD_GAP, warm_start=True)
        finally:
            solver.stage, solver.restricted = stage, False
            for var in fixed:
                var.unfix()
        solves += 1
        # a sub-solve that found nothing better leaves an equally good plan (or, without a
        # plan, the previous values) in the model: either way still feasible
        if (
            outcome.has_solution
            and outcome.objective is not None
            and (sign * (outcome.objective - best) > 1e-9 * max(1.0, abs(best)))
        ):
            best = float(outcome.objective)
            improved += 1
    report = NeighbourhoodReport(first, best, solves, improved, time.monotonic() - started)
    logger.info("fix-and-optimise by nation: %s", report)
    return report


def _binaries_of(m: pyo.ConcreteModel) -> list[tuple[str | None, VarData]]:
    """(owning nation or None for shared decisions, variable) for every binary decision."""
    out: list[tuple[str | None, VarData]] = []
    for name in ("starts", "joins", "adopts"):
        out += [(index[0], var) for index, var in getattr(m, name).items()]
    out += [(None, var) for var in m.joint_starts.values()]
    out += [(None, var) for var in m.standard_in_use.values()]
    return out


def _fix_all_but(m: pyo.ConcreteModel, nation: str) -> list[VarData]:
    """Fix every binary not owned by `nation` at its current (rounded) value; return them."""
    fixed = []
    for owner, var in _binaries_of(m):
        if owner != nation and not var.fixed:
            var.fix(round(var.value or 0.0))
            fixed.append(var)
    return fixed


def _nations_by_decisions(m: pyo.ConcreteModel) -> list[str]:
    """Nations with the most free decisions first: they have the most room to improve."""
    counts: dict[str, int] = {n: 0 for n in m.nations}
    for owner, _ in _binaries_of(m):
        if owner is not None:
            counts[owner] += 1
    return sorted(counts, key=lambda n: (-counts[n], n))
