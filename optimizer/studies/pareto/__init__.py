"""Exact Pareto fronts by the augmented ε-constraint method (AUGMECON2 + AUGMECON-R flags).

All objectives are handled in "maximise" space (a minimised objective is negated), so the
grid, slacks and dominance tests read the same for every objective. One model is built
and handed to a persistent solver once (once per worker process when the grid is shared,
see `_run_segments`); each grid point changes only the ε right-hand sides (mutable
parameters) and re-solves, starting from the best plan the solver reported at any earlier
point that meets the new levels (`_start_from_pool`).

Redundant grid points are never solved:
* bypass (AUGMECON2) — a solution whose constrained objective k exceeds its ε by slack s_k
  is also optimal for the next ⌊s_k/step_k⌋ grid levels of k;
* flags (AUGMECON-R) — the same holds jointly for every constrained objective, so a whole
  box of the grid is flagged; and an infeasible point makes every point at least as
  demanding in all objectives infeasible too (early exit, generalised).
A point whose subproblem ran out of time is reported as not proven and triggers no skip:
an unproven point is never mistaken for infeasibility.
"""

from __future__ import annotations

import logging
import time
from typing import Mapping, Sequence

import pandas as pd

from data.tables import Inputs
from models import build_model
from optimizer.checks.evaluate import objective_values
from optimizer.solve.solver import PersistentSolver, SolverOptions, catch_ctrl_c
from optimizer.studies.pareto.front import (
    Front,
    FrontPoint,
    ParetoProgress,
    ParetoProgressFn,
    _sign,
    non_dominated,
)
from optimizer.studies.pareto.grid import GridSpec, _prepare_grid, _walk_grid, subproblem_gap
from optimizer.studies.pareto.payoff import _grid, _payoff_table
from optimizer.studies.pareto.workers import _HereWalker, _run_segments, _worker_pool

__all__ = [
    "Front", "FrontPoint", "ParetoProgress", "ParetoProgressFn", "non_dominated", "pareto_front",
]

logger = logging.getLogger(__name__)


def pareto_front(
    inputs: Inputs,
    objectives: Sequence[str],
    points: int = 10,
    exact: bool = False,
    nadir: Mapping[str, float] | None = None,
    time_limit: float = 3600.0,
    point_time_limit: float | None = None,
    threads: int | None = None,
    solver: str = "highs",
    progress: ParetoProgressFn | None = None,
    workers: int = 1,
) -> Front:
    """AUGMECON2 with AUGMECON-R flags over one persistent model (see module docstring).

    `workers` > 1 splits the grid into segments solved by this process and `workers` − 1
    spawned ones (see `_run_segments`); the payoff table is always solved here first.
    """
    if len(objectives) < 2:
        raise ValueError("a Pareto front needs at least two objectives")
    started = time.monotonic()
    deadline = started + time_limit
    notes: list[str] = []
    unbounded = [o for o in objectives[1:] if not nadir or o not in nadir]
    if len(objectives) >= 3 and unbounded:
        # With three or more objectives the payoff table's worst values can sit above the
        # true nadir, so efficient plans below them would be missed (Mavrotas & Florios 2013).
        notes.append(
            "nadir of " + ", ".join(unbounded) + " taken from the payoff table, which can miss "
            "efficient plans with 3+ objectives; give --nadir bounds to be sure"
        )
        logger.warning(notes[-1])
    per_point = point_time_limit or time_limit
    # with workers, this process solves grid segments beside them: one thread each, like them
    options = SolverOptions(solver=solver, threads=threads or (1 if workers > 1 else None))
    m = build_model(inputs)
    persistent = PersistentSolver(m, options)
    stats = ParetoProgress(grid_total=0)
    found: list[FrontPoint] = []
    with catch_ctrl_c() as interrupt, _worker_pool(workers) as pool:
        interrupt.clear()
        table, payoff_plans = _payoff_table(m, inputs, persistent, objectives, deadline, per_point)
        for plan in payoff_plans:
            found.append(FrontPoint(plan, objective_values(inputs, plan), True, 0.0, (), inputs))
        levels, steps = _grid(table, objectives, points, exact, nadir)
        spec = GridSpec(
            tuple(objectives), levels, steps, subproblem_gap(table, exact), exact, per_point,
            (0, len(levels[-1])),
        )
        stats.grid_total = spec.total
        stats.phase = "grid"
        _prepare_grid(m, persistent, spec)
        if pool is not None and not interrupt.is_set():
            here = _HereWalker(m, inputs, persistent, found, stats, progress)
            complete, seconds_in_workers = _run_segments(
                pool, inputs, spec, options, found, deadline, workers, stats, progress, here
            )
        else:
            complete = _walk_grid(m, inputs, persistent, spec, deadline, found, stats, progress)
            seconds_in_workers = 0.0
        complete = complete and not interrupt.is_set()
    solver_seconds = persistent.solver_seconds + seconds_in_workers
    if not complete:
        notes.append("stopped before the grid was finished; the front may be incomplete")
    front_points = non_dominated(found, objectives)
    stats.found = len(front_points)
    payoff = pd.DataFrame(
        [[_sign(o) * v for o, v in zip(objectives, row)] for row in table],
        columns=list(objectives),
        index=[f"optimise {o}" for o in objectives],
    ).reset_index(names="row")
    grid = {objectives[k]: [_sign(objectives[k]) * float(v) for v in levels[k - 1]] for k in range(1, len(objectives))}
    return Front(
        inputs, tuple(objectives), front_points, payoff, grid, stats, complete,
        time.monotonic() - started, persistent.name, persistent.version, exact, notes, solver_seconds,
        max(workers, 1), persistent.describe_options(),
    )
