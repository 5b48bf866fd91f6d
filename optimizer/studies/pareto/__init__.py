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

The grid runs from a worst level up to the payoff table's best, and an exact front is only
as complete as that worst level is safe. Two objectives: the payoff table's worst values are
the nadir. Three or more: they can lie above efficient plans, so unless the user gives
`nadir`, exact mode starts from each objective's single-objective minimum over the feasible
set (`payoff._safe_lows`); the cells below the true nadir are nearly all flagged by the
first point solved there, and the flags cost what their boxes cost, not what the grid's
cells do (`grid.GridFlags`). The front says which bounds it used and whether it is proven
complete (`front.Bounds`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from data.tables import Inputs
from models import build_model
from optimizer.checks.evaluate import objective_values
from optimizer.solve.solver import PersistentSolver, SolverOptions, catch_ctrl_c
from optimizer.studies.pareto.front import (
    PROVEN_COMPLETE,
    Bounds,
    Front,
    FrontPoint,
    ParetoProgress,
    ParetoProgressFn,
    _sign,
    non_dominated,
)
from optimizer.studies.pareto.grid import (
    GridSpec,
    _prepare_grid,
    _walk_grid,
    plain_primary,
    prove_open_cells,
    subproblem_gap,
)
from optimizer.studies.pareto.payoff import _grid, _payoff_table, _safe_lows, payoff_answers
from optimizer.studies.pareto.whole import fractional_objectives
from optimizer.studies.pareto.workers import _HereWalker, _run_segments, _worker_pool

__all__ = [
    "Bounds",
    "Front",
    "FrontPoint",
    "ParetoProgress",
    "ParetoProgressFn",
    "non_dominated",
    "pareto_front",
]

logger = logging.getLogger(__name__)

# Grid levels per constrained objective at most (grid mode). WORKBOOK.md sets no maximum on
# pareto_points, but a billion levels allocated 8 GB of them before the first solve, and
# the time limit was not honoured; a million levels cost 8 MB, and no run solves that many.
MAX_GRID_POINTS = 1_000_000


# Exact mode steps each objective by whole units; HiGHS's tolerances are relative to about
# 1e-7 of a row's size, so above about this magnitude two whole steps may not be told apart
# (a front of costs up to 5e7 lost 2 of its 18 points; up to 5e6 it was complete).
EXACT_MAGNITUDE = 1e7


def _check_front_arguments(objectives: Sequence[str], nadir: Mapping[str, float] | None) -> None:
    """Two objectives at least, and no nadir for the primary objective: it is optimised at
    every grid point, never stepped (its level was ignored without a word, and the front
    read as if bounded by it)."""
    if len(objectives) < 2:
        raise ValueError("a Pareto front needs at least two objectives")
    if nadir and objectives[0] in nadir:
        raise ValueError(
            f"nadir names {objectives[0]!r}, the primary objective, which has no grid level — "
            f"expected some of {', '.join(objectives[1:])}"
        )


def _grid_points_used(points: int, exact: bool, notes: list[str]) -> int:
    """The grid levels per objective a grid-mode front uses: at most `MAX_GRID_POINTS`, noted."""
    if exact or points <= MAX_GRID_POINTS:
        return points
    notes.append(
        f"{points:,} grid levels per objective asked; {MAX_GRID_POINTS:,} used (more cannot be "
        "solved in any time limit; --exact gives every whole level)"
    )
    return MAX_GRID_POINTS


def _note_fractional_objectives(
    m: pyo.ConcreteModel, inputs: Inputs, objectives: Sequence[str], bounds: Bounds
) -> bool:
    """Record in `bounds` the objectives an exact front cannot step by whole units (such a
    front is not called complete); whether the primary objective is whole-valued."""
    bounds.fractional = fractional_objectives(m, inputs, objectives)
    if bounds.fractional:
        logger.warning(
            "exact mode assumes whole-valued objectives, and %s may take fractional values: "
            "the front will not be called complete",
            "; ".join(bounds.fractional),
        )
    return not fractional_objectives(m, inputs, objectives[:1])


def _note_payoff_table(
    table: np.ndarray,
    payoff_proofs: Sequence[tuple[bool, float | None, float | None]],
    objectives: Sequence[str],
    exact: bool,
    bounds: Bounds,
) -> None:
    """Record in `bounds` what the payoff table says of the front's proof: whether every row
    was proven, whether an exact front's objectives are too large to step by whole units
    (such a front is not called complete), and whether one plan is best in every objective."""
    bounds.payoff_proven = all(proven for proven, _, _ in payoff_proofs)
    if exact:
        bounds.too_large = [
            f"{name} (up to {size:.3g})"
            for name, size in zip(objectives, np.abs(table).max(axis=0))
            if size > EXACT_MAGNITUDE
        ]
        if bounds.too_large:
            logger.warning(
                "exact mode steps by whole numbers, and %s are too large for the solver to tell "
                "such steps apart: the front will not be called complete",
                "; ".join(bounds.too_large),
            )
    bounds.ideal_attained = bool(np.allclose(table, table[0], rtol=0.0, atol=1e-6))


def _lowest_levels(
    objectives: Sequence[str], safe: list[float], nadir: Mapping[str, float] | None, bounds: Bounds
) -> list[float]:
    """Each constrained objective's lowest grid level (in its own sense, as a maximum): the
    safe one, or the user's nadir, recorded in `bounds` with whether it lies above the safe
    level, where it may cut efficient plans off."""
    lows = list(safe)
    for k, name in enumerate(objectives[1:]):
        if nadir and name in nadir:
            lows[k] = _sign(name) * float(nadir[name])
            bounds.user.append(name)
            bounds.user_cuts = bounds.user_cuts or lows[k] > safe[k] + 1e-9
    return lows


def _grid_spec(
    table: np.ndarray,
    objectives: Sequence[str],
    points: int,
    exact: bool,
    lows: list[float],
    per_point: float,
    payoff_proofs: Sequence[tuple[bool, float | None, float | None]],
    bounds: Bounds,
) -> GridSpec:
    """The grid the walk visits: its levels and steps from the payoff table down to `lows`,
    the subproblems' gap, the augmentation ranges, where its busy part begins, and the
    points the payoff table already answers."""
    levels, steps = _grid(table, objectives, points, exact, lows)
    ranges = tuple(max(float(table[:, k].max() - table[:, k].min()), 1.0) for k in range(1, len(objectives)))
    return GridSpec(
        tuple(objectives),
        levels,
        steps,
        subproblem_gap(table, exact, not bounds.fractional),
        exact,
        per_point,
        (0, len(levels[-1])),
        ranges,
        int(np.searchsorted(levels[-1], table[:, -1].min() - 1e-9)),
        answers=payoff_answers(table, payoff_proofs),
        augmented=not plain_primary(len(objectives), exact, not bounds.fractional),
    )


def _walk_notes(stats: ParetoProgress, complete: bool) -> list[str]:
    """What the Summary's notes say of the walk: points without a plan, second tries, and
    whether it finished."""
    notes: list[str] = []
    if stats.no_plan:
        notes.append(
            f"{stats.no_plan:,} grid point(s) found no plan within their share of the time "
            "(not treated as infeasible: the front may miss plans there)"
        )
        logger.warning("Pareto front: %s", notes[-1])
    if stats.retried:
        notes.append(
            f"{stats.retried:,} unproven grid point(s) solved again with the time the walk left: "
            f"{stats.retried_proven:,} proven"
        )
        logger.info("Pareto front: %s", notes[-1])
    if not complete:
        notes.append("stopped before the grid was finished; the front may be incomplete")
    return notes


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

    `nadir` (objective → worst level to explore, in its own sense) is an expert option: a
    level above the safe one may cut efficient plans off, and the front then says
    "complete within the given nadir".

    `workers` > 1 splits the grid into segments solved by this process and `workers` − 1
    spawned ones (see `_run_segments`); the payoff table is always solved here first.
    """
    _check_front_arguments(objectives, nadir)
    started = time.monotonic()
    deadline = started + time_limit
    notes: list[str] = []
    points = _grid_points_used(points, exact, notes)
    per_point = point_time_limit or time_limit
    # with workers, this process solves grid segments beside them: one thread each, like them
    options = SolverOptions(solver=solver, threads=threads or (1 if workers > 1 else None))
    m = build_model(inputs)
    persistent = PersistentSolver(m, options)
    stats = ParetoProgress(grid_total=0)
    found: list[FrontPoint] = []
    bounds = Bounds(exact=exact, objectives=len(objectives))
    whole_primary = _note_fractional_objectives(m, inputs, objectives, bounds) if exact else True
    with catch_ctrl_c() as interrupt, _worker_pool(workers) as pool:
        workers = workers if pool is not None else 1  # what the Summary records: what ran
        table, payoff_plans, payoff_proofs = _payoff_table(m, inputs, persistent, objectives, deadline, per_point)
        _note_payoff_table(table, payoff_proofs, objectives, exact, bounds)
        for name, plan, (proven, gap, _) in zip(objectives, payoff_plans, payoff_proofs):
            # a payoff row's gap is of its own objective's solve
            found.append(FrontPoint(plan, objective_values(inputs, plan), proven, gap, (), inputs, name))
        safe = [float(v) for v in table[:, 1:].min(axis=0)]  # two objectives: the exact nadir
        if exact and len(objectives) >= 3:
            worst = _safe_lows(m, persistent, objectives, deadline, per_point)
            bounds.safe = all(w is not None for w in worst)
            safe = [s if w is None else min(w, s) for w, s in zip(worst, safe)]
        lows = _lowest_levels(objectives, safe, nadir, bounds)
        spec = _grid_spec(table, objectives, points, exact, lows, per_point, payoff_proofs, bounds)
        levels = spec.levels
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
        stopped_by = "" if complete else _stopped_by(interrupt.is_set(), deadline)
        if complete and not exact and stats.open_cells:
            stats.phase = "second tries"
            prove_open_cells(m, inputs, persistent, spec, deadline, found, stats, progress)
            if interrupt.is_set():  # the grid was walked; only its second tries were cut short
                stopped_by = SECOND_TRIES_INTERRUPTED
    solver_seconds = persistent.solver_seconds + seconds_in_workers
    notes += _walk_notes(stats, complete)
    completeness = bounds.completeness(complete, stats.unproven)
    if completeness != PROVEN_COMPLETE:
        # info, not a warning: the Front carries it (`completeness`, the Summary's
        # `front_complete`) and `capopt pareto` prints it on its "Front:" line, which the
        # warning only repeated; and every grid-mode front is "not proven complete"
        logger.info("Pareto front: %s", completeness)
    front_points = non_dominated(found, objectives)
    stats.found = len(front_points)
    payoff = pd.DataFrame(
        [[_sign(o) * v for o, v in zip(objectives, row)] for row in table],
        columns=list(objectives),
        index=[f"optimise {o}" for o in objectives],
    ).reset_index(names="row")
    grid = {objectives[k]: [_sign(objectives[k]) * float(v) for v in levels[k - 1]] for k in range(1, len(objectives))}
    return Front(
        inputs,
        tuple(objectives),
        front_points,
        payoff,
        grid,
        stats,
        complete,
        time.monotonic() - started,
        persistent.name,
        persistent.version,
        exact,
        notes,
        solver_seconds,
        max(workers, 1),
        persistent.describe_options(),
        bounds.describe(),
        {name: _sign(name) * float(lv[0]) for name, lv in zip(objectives[1:], levels)},
        completeness,
        bounds.payoff_proven,
        spec.point_gap,
        whole_primary,
        primary_bound=payoff_proofs[0][2],
        stopped_by=stopped_by,
        time_limit=time_limit,
        point_time_limit=point_time_limit,
        threads=options.threads,
        strategy=persistent.strategy_note,
        augmentation_weight=spec.augmentation_weight,
    )


# `Front.stopped_by` of a run whose grid was finished and whose Ctrl-C came during the second tries
SECOND_TRIES_INTERRUPTED = "interrupted during the second tries"


def _stopped_by(interrupted: bool, deadline: float) -> str:
    """Why a walk did not finish the grid, for the Summary's termination: only an interrupt,
    the time limit or a lost worker segment (`workers._segment_result`) stop it."""
    if interrupted:
        return "interrupted"
    if time.monotonic() >= deadline:
        return "time limit"
    return "a grid segment was lost"
