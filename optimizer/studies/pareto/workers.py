"""The grid on several processes: segments in one queue, a spawned pool, and this process too."""

from __future__ import annotations

import concurrent.futures as cf
import logging
import multiprocessing
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

import pyomo.environ as pyo

from data.tables import Inputs, PlanDecisions
from models import build_model
from optimizer.checks.evaluate import objective_values
from optimizer.processes import workers_allowed
from optimizer.solve.solver import INTERRUPT, PersistentSolver, SolverOptions, catch_ctrl_c
from optimizer.studies.pareto.front import FrontPoint, ParetoProgress, ParetoProgressFn, _emit
from optimizer.studies.pareto.grid import GridSpec, _prepare_grid, _walk_grid

logger = logging.getLogger(__name__)

# Two objectives: 2 segments per worker; each boundary costs about one extra solve. On two
# workers, 3 runs each, fronts identical: 2kp100 8.3 s with 2 per worker (129 solves),
# 9.3 s with 4 (133), 11.1 s with 1 (127, the load unbalanced); 2kp50 1.46-1.53 s with 2,
# 1.47-1.52 s with 4, 1.68-1.76 s with 1. Three or more objectives: the flags that skip
# whole boxes of the grid do not cross segments, so one segment per worker (4kp50 with 4
# per worker: 302 solves against 154).
SEGMENTS_PER_WORKER = {2: 2}


@dataclass
class SegmentResult:
    """What one worker found on its segment (plans travel without their Inputs)."""

    points: list[tuple[PlanDecisions, dict[str, float], bool, float | None, tuple[int, ...]]]
    stats: ParetoProgress
    complete: bool
    solver_seconds: float


def solve_segment(
    inputs: Inputs, spec: GridSpec, options: SolverOptions, starts: list[PlanDecisions], deadline_epoch: float
) -> SegmentResult:
    """Walk one segment of the grid on a model of its own (runs in a worker process).

    `starts` (the payoff table's plans) serve as MIP starts, as in the single-process walk.
    `deadline_epoch` is the whole front's deadline in wall-clock time, which every process
    shares (a segment that waited in the queue has less time, not the full limit).
    """
    deadline = time.monotonic() + (deadline_epoch - time.time())
    stats = ParetoProgress(grid_total=spec.total, phase="grid")
    found = [FrontPoint(plan, objective_values(inputs, plan), True, 0.0, (), inputs) for plan in starts]
    with catch_ctrl_c():  # Ctrl-C reaches every worker: each stops and returns what it found
        m = build_model(inputs)
        persistent = PersistentSolver(m, options)
        _prepare_grid(m, persistent, spec)
        complete = _walk_grid(m, inputs, persistent, spec, deadline, found, stats, None)
    new = found[len(starts) :]
    return SegmentResult(
        [(pt.decisions, pt.objectives, pt.proven, pt.gap, pt.grid_index) for pt in new],
        stats,
        complete,
        persistent.solver_seconds,
    )


@contextmanager
def _worker_pool(workers: int) -> Iterator[cf.ProcessPoolExecutor | None]:
    """`workers` − 1 spawned processes (None for one worker): this process is the other one.

    They start at once, so that their interpreter start-up and imports (about a second)
    overlap the payoff table's solves. This process keeps its built model busy on the grid
    too, rather than waiting: one process start and one model build fewer, which is what
    decides small fronts (2kp50 on two workers: 1.81 s when all segments went to spawned
    processes, 1.52 s with this one taking part; 1.67 s on one worker)."""
    if workers <= 1 or not workers_allowed("the front's grid points"):  # see optimizer.processes
        yield None
        return
    context = multiprocessing.get_context("spawn")  # a clean interpreter per worker, as sweeps
    with cf.ProcessPoolExecutor(max_workers=workers - 1, mp_context=context) as pool:
        for _ in range(workers - 1):
            pool.submit(_ready)
        yield pool


def _ready() -> bool:
    """A no-op task: importing this module on the way is the work (see _worker_pool)."""
    return True


def _run_segments(
    pool: cf.ProcessPoolExecutor,
    inputs: Inputs,
    spec: GridSpec,
    options: SolverOptions,
    found: list[FrontPoint],
    deadline: float,
    workers: int,
    stats: ParetoProgress,
    progress: ParetoProgressFn | None,
    here: _HereWalker | None = None,
) -> tuple[bool, float]:
    """Share the grid among the pool's `workers` − 1 processes and, through `here`, this
    one; returns (every segment finished, seconds inside the solver in the pool's processes).

    The segments wait in one queue, in grid order, and whichever process is free takes the
    next: the pool's only when one of its processes is idle (this process hands it the
    segment between two of its own grid points). Taking them in order matters: the middle
    of a front is the expensive part, and a walk that ends on cheap segments finishes with
    both processes busy (2kp100 on two workers: 9.9 s when this process took the segments
    from the back of the queue, 9.1 s in order).

    The segments depend only on the grid and `workers`, and each starts from the same plans
    wherever it runs (the payoff table's, with an empty solution pool), so the same command
    finds the same front points. Each segment keeps its own flags: a box flagged in one
    segment is not skipped in the next, which costs about one extra solve per boundary on
    a two-objective front.
    """
    options = replace(options, threads=options.threads or 1)  # processes × threads ≤ cores
    queue = deque(spec.segments(SEGMENTS_PER_WORKER.get(len(spec.objectives), 1) * workers, workers))
    starts = [pt.decisions for pt in found]
    deadline_epoch = time.time() + max(deadline - time.monotonic(), 0.0)
    slots = max(workers - 1, 1)
    in_flight: set[cf.Future] = set()
    complete, solver_seconds = True, 0.0

    def collect_and_feed(timeout: float) -> None:
        nonlocal in_flight, complete, solver_seconds
        if in_flight:
            done, in_flight = cf.wait(in_flight, timeout=timeout, return_when=cf.FIRST_COMPLETED)
            for future in done:
                result = _segment_result(future)
                if result is None:
                    complete = False
                    continue
                complete = complete and result.complete
                solver_seconds += result.solver_seconds
                _merge_segment(result, inputs, found, stats)
                _emit(progress, stats)
        while queue and len(in_flight) < slots and not INTERRUPT.is_set():
            segment = queue.popleft()
            in_flight.add(pool.submit(solve_segment, inputs, segment, options, starts, deadline_epoch))

    collect_and_feed(0.0)
    while here is not None and queue and not INTERRUPT.is_set():
        complete = here.walk(queue.popleft(), deadline, lambda: collect_and_feed(0.0)) and complete
    while in_flight or (queue and not INTERRUPT.is_set()):
        collect_and_feed(0.5)
        if INTERRUPT.is_set():
            for future in in_flight:
                future.cancel()
    if queue or INTERRUPT.is_set():
        complete = False  # segments never started, or stopped part-way
    return complete, solver_seconds


class _HereWalker:
    """Walks grid segments in this process, on the model the payoff table was solved on."""

    def __init__(
        self,
        m: pyo.ConcreteModel,
        inputs: Inputs,
        persistent: PersistentSolver,
        found: list[FrontPoint],
        stats: ParetoProgress,
        progress: ParetoProgressFn | None,
    ) -> None:
        self.m, self.inputs, self.persistent = m, inputs, persistent
        self.found, self.stats, self.progress = found, stats, progress
        self.start_points = list(found)  # the payoff table's plans

    def walk(self, segment: GridSpec, deadline: float, between_points: Callable[[], None]) -> bool:
        """One segment, from the state a worker process would start it in: the payoff
        plans as starts and an empty solution pool. The counts go straight to the shared
        progress; the points join the front when the segment is done. `between_points`
        runs after every grid point (it keeps the other processes fed)."""
        self.persistent.improving_solutions.clear()
        seen = list(self.start_points)

        def progress(stats: ParetoProgress) -> None:
            between_points()
            _emit(self.progress, stats)

        complete = _walk_grid(self.m, self.inputs, self.persistent, segment, deadline, seen, self.stats, progress)
        self.found.extend(seen[len(self.start_points) :])
        return complete


def _segment_result(future: cf.Future) -> SegmentResult | None:
    """The segment's result; None if it was cancelled or its worker was interrupted or lost
    (what the other segments found is kept: the front is then reported incomplete)."""
    if future.cancelled():
        return None
    try:
        return future.result()
    except (Exception, KeyboardInterrupt) as exc:  # noqa: BLE001 — BrokenProcessPool, Ctrl-C during a build
        logger.warning("a grid segment was lost (%s): the front may be incomplete", type(exc).__name__)
        return None


def _merge_segment(result: SegmentResult, inputs: Inputs, found: list[FrontPoint], stats: ParetoProgress) -> None:
    for decisions, values, proven, gap, index in result.points:
        found.append(FrontPoint(decisions, values, proven, gap, index, inputs))
    for name in ("done", "solved", "skipped", "infeasible", "unproven", "no_plan", "tied"):
        setattr(stats, name, getattr(stats, name) + getattr(result.stats, name))
    stats.open_cells.extend(result.stats.open_cells)
