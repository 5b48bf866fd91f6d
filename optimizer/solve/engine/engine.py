"""The LP-guided engine: relaxation first, RENS from it, then neighbourhoods in parallel.

At alliance scale a MIP solver does not get past its root node, but the LP relaxation is
tight and nearly integral. So the engine (1) solves the LP relaxation: the first proven
bound, and the guide; (2) solves the RENS sub-MIP around the LP's whole values; (3)
improves the incumbent with rounds of neighbourhoods (`neighbourhoods`), one per worker,
keeping the best and merging the others' changes where they still fit; and stops once the
plan is proven within the gap target, when no neighbourhood improves any more, or at the
deadline.

The bound it reports is the LP relaxation's, or the whole model's root node's when that
is sharper (`ROOT_BOUND`: one worker solves it beside RENS and the rounds on models small
enough for its cuts to finish; on larger ones with two workers only its first LP, the
presolved model's, beside the LP relaxation: `PRESOLVED_ROOT`): a plan is called within
X % of the best possible only when that bound says so.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from optimizer.solve.engine.neighbourhoods import ROTATION, ColumnGroups, NeighbourhoodPlan, fix_outside, rens_fixing
from optimizer.solve.engine.problem import MipArrays, gap_met, restrict
from optimizer.solve.engine.subsolve import Task, TaskResult
from optimizer.solve.engine.workers import Background, Pool, WorkersLost
from optimizer.solve.highs_quirks import aggregator_off
from optimizer.solve.highs_thread import PRESOLVE_STALL_SECONDS, run_heard

if TYPE_CHECKING:
    import highspy

logger = logging.getLogger(__name__)

FEASIBILITY_TOLERANCE = 1e-6
# Interior point (with crossover) for the relaxation of large models: on the L benchmark
# instance 12.3 s against more than twice that with dual simplex (docs/benchmarks.md).
IPM_FROM_NONZEROS = 80_000
# Measured on the L benchmark instance (docs/benchmarks.md): RENS finds its first plan at
# the end of its root node and improves slowly after; one nation's neighbourhood gains as
# much in 3 s as in 10 s, so many short neighbourhoods beat a few long ones.
RENS_SHARE = 0.5  # at most this share of the time left goes to RENS …
# … and it stops after its root node: its plans come from HiGHS's root heuristics (on L:
# 1,006,370 at the root's end, 1,013,053 after its restart, both at node 0; the B&B tree
# after it gained 0.1 % in 40 s). A node limit, unlike a time limit, is the same on every
# machine, so RENS ends the same way wherever it runs.
RENS_NODE_LIMIT = 1
LNS_NODE_LIMIT = 10_000
LNS_SECONDS = 3.0
# A start plan this close to the LP bound is worth improving at once; a worse one (the
# greedy plan) is not, and the other workers run RENS with other seeds instead.
GOOD_START_GAP = 0.05
# Neighbourhoods per worker and round: a round waits for its slowest worker, and two
# short tasks each even out the wait; their changes are merged (`_merge`) as usual.
TASKS_PER_WORKER = 2
# From RENS on, one worker solves the root node of the whole model from the start plan,
# beside the rounds: HiGHS's cuts make its bound sharper than the LP's (the reference
# dataset's capability stage: 40,352 against 40,478; the M benchmark instance: 304,853
# against 306,618). On the largest models that root takes minutes and gains little (L:
# 0.06 %; L with hard caps: 0.23 % after 120 s of one core), so with two workers the
# second searches neighbourhoods instead; from three workers on (a larger machine, a Dask
# cluster) one of them can be spared for it at any size.
ROOT_BOUND = "root node of the whole model (HiGHS cuts)"
ROOT_BOUND_BELOW_NONZEROS = 300_000
ROOT_BOUND_FROM_WORKERS = 3  # … on larger models
# There its root LP goes to interior point, as the `highs` strategy's does from
# IPM_FROM_NONZEROS: on L with hard caps the root LP was ready at 22 s instead of 98 s.
ROOT_LP_SOLVER_OPTIONS = (("mip_lp_solver", "ipm"),)
ROOT_SHARE = 0.75  # of the time left: its bound must arrive while it can still stop the run
# Below that many workers the largest models still get the first part of that root node,
# beside the LP relaxation (when the second worker has nothing to do yet): HiGHS's presolve
# uses the integrality to tighten the model, and the LP of the tightened model is a sharper
# bound. The task stops at that LP, before the cut rounds. On L with hard caps: 1,045,586
# against the LP's 1,046,804 (−0.12 %), ready 21 s after the start on one core, where the
# cuts then take another 22 s for −0.07 % more.
PRESOLVED_ROOT = "root LP of the presolved model (HiGHS)"
PRESOLVED_ROOT_OPTIONS = ROOT_LP_SOLVER_OPTIONS + (("mip_heuristic_run_feasibility_jump", False),)
STALL_ROUNDS = 2 * len(ROTATION)  # rounds without any improvement before giving up
# Improving plans of one round that could not be merged into the new incumbent (most often
# two nations leaving or joining the same consortium, or leaning on the same partner's
# budget) are crossed over in the next round: one of its neighbourhoods frees every
# integer column on which they and the incumbent differ, so its sub-MIP holds each of them
# and picks the best combination. On L with hard caps, 2 or 3 of a round's 4 plans improved
# and only one could be kept in more than half the rounds (docs/benchmarks.md).
CROSSOVER = "crossover"
# RENS with only the LP relaxation's zeros fixed (and not those the plan in hand sets to 1,
# which it then starts from), when RENS's own fixing admits no plan (every stage of the
# reference dataset): on its capability stage a plan of 39,866 within 10 s, 1.9 % under
# the bound, where the neighbourhoods from the shortfall stage's plan (17,253) had reached
# 29,882 by then.
SOFT_RENS = "RENS (only the LP's zeros fixed)"
# … but its sub-MIP is larger, and on the reference dataset with --robust 2 its root
# found nothing in 26 s (half the time left): it gets a smaller share than RENS. Measured
# (one run each): with 0.3 the sweep's 0.9 × budget point found 36,378 (capability stage
# unproven, 37,580); with 0.4 38,865, then proven within 0.64 %; --robust 2 at 60 s:
# 34,358 with 0.4, 34,853 without the softer fixing (seeds moved it by 2,000 before).
SOFT_RENS_SHARE = 0.4
# … and from this size on (where `auto` runs the engine alone) it is skipped when there is a
# plan to improve: the neighbourhoods do better with the time. The reference dataset with
# --robust 2 (116,914 non-zeros, RENS infeasible), 60 s, side by side: capability 36,753
# and 35,770 with it, 37,288 and 37,522 without (tenth session; the ninth: 36,844 / 37,533).
# The reference dataset's sweep (62,406 non-zeros, the portfolio) keeps it: its 0.8 and
# 0.9 × budget points reached 1 % only with it.
SOFT_RENS_BELOW_NONZEROS = 90_000
# The `portfolio` strategy (mid-size models, optimizer.solve.engine.strategy): one worker
# runs HiGHS's own branch-and-bound on the whole model for the whole time, the others the
# engine. Measured on the reference dataset's budget sweep (docs/benchmarks.md): at full
# budget HiGHS proves 1 % where the LP bound cannot; at 0.6–0.9 × budget its plans were
# half as good as the engine's (capability 19,803 against 34,899 at 0.7, 60 s). When it
# proves the gap target its plan is the answer, whatever the neighbourhoods found: so the
# answer never depends on which finished first, and the run is as reproducible as HiGHS.
BRANCH_AND_BOUND = "branch-and-bound of the whole model (HiGHS)"
# … which ends this long before the run's deadline (at most a twentieth of its time), so that
# its plan and bound arrive while the run still waits for them: given the whole time it was
# still returning when the run ended, and a time-limited portfolio reported the LP's bound
# (the M benchmark instance at 60 s: gap 4.79 % against 4.18 % from HiGHS's own bound).
BRANCH_AND_BOUND_MARGIN = 1.0
NO_NODE_LIMIT = 2**31 - 1
NO_PLAN = "no plan to improve"
AWAIT_SECONDS = 0.1
# Plans of earlier solves on the same model (the previous lexicographic stage's, the
# previous sweep point's) that this stage's holds may exclude but that score better on its
# objective: one neighbourhood frees every decision on which such a plan and the start
# differ, so its sub-MIP holds the start and picks the best mix of the two that fits. On the
# reference dataset's sweep the 0.7 × budget point's capability stage started from its
# shortfall stage's plan (capability 20,481) while the 0.6 point had reached 30,280: the
# shortfall stage moves programmes for shortfall alone and gives capability away.
GUIDED = "crossover with an earlier plan"


@dataclass
class EngineReport:
    """What the engine proved and found, phase by phase (for the Summary and the log)."""

    status: str = "no_solution"  # optimal | feasible | infeasible | no_solution
    objective: float | None = None
    bound: float | None = None
    bound_source: str = ""
    x: np.ndarray | None = None
    seconds: float = 0.0
    lp_seconds: float = 0.0
    rounds: int = 0
    tasks: int = 0
    improvements: list[tuple[float, str, float]] = field(default_factory=list)  # (elapsed, source, objective)
    stopped_by: str = ""
    # False once any limit measured on the clock cut a search short: then another run
    # may take a different path (the same holds for HiGHS itself at a time limit)
    reproducible: bool = True

    @property
    def gap(self) -> float | None:
        if self.objective is None or self.bound is None:
            return None
        return abs(self.bound - self.objective) / max(abs(self.objective), 1e-9)


def _fits(basis: highspy.HighsBasis, arrays: MipArrays) -> bool:
    """Whether a kept LP basis has this model's shape (rows and columns may have changed)."""
    return bool(
        basis.valid and len(basis.col_status) == arrays.columns and len(basis.row_status) == len(arrays.row_lower)
    )


def row_activity(arrays: MipArrays, x: np.ndarray) -> np.ndarray:
    """A·x for the column-wise matrix."""
    column_of_entry = arrays.entry_columns()
    activity = np.zeros(len(arrays.row_lower))
    np.add.at(activity, arrays.index, arrays.values * x[column_of_entry])
    return activity


def feasible(arrays: MipArrays, x: np.ndarray, tolerance: float = FEASIBILITY_TOLERANCE) -> bool:
    """Whether `x` satisfies every bound, row and integrality of the MIP (relative tolerance)."""
    if len(x) != arrays.columns or not np.all(np.isfinite(x)):
        return False
    slack = tolerance * np.maximum(1.0, np.abs(x))
    if np.any(x < arrays.col_lower - slack) or np.any(x > arrays.col_upper + slack):
        return False
    if np.any(arrays.fractional(x)):
        return False
    activity = row_activity(arrays, x)
    scale = tolerance * np.maximum(1.0, np.abs(activity))
    return bool(np.all(activity >= arrays.row_lower - scale) and np.all(activity <= arrays.row_upper + scale))


def whole_model_task(name: str, start: np.ndarray | None, seconds: float, node_limit: int, **options: object) -> Task:
    """A task that fixes nothing (its dual bound holds for the whole MIP): the root node
    beside the rounds, or the portfolio's branch-and-bound."""
    nothing = np.zeros(0, dtype=np.int32)
    return Task(name, nothing, np.zeros(0), start, seconds, node_limit, **options)  # type: ignore[arg-type]


def _gap_text(gap: float | None) -> str:
    return "—" if gap is None else f"{100 * gap:.4f} %"


def _task_seconds(left: float) -> float:
    """Each neighbourhood's time limit in a round: LNS_SECONDS, or less in the last seconds,
    so that a worker's TASKS_PER_WORKER tasks one after the other end by the deadline.
    (With each task given all the time left, `solve --robust 2 --time-limit 60` ended at
    63 s: its last round began 2.9 s before the deadline and ran two tasks per worker.)"""
    return min(LNS_SECONDS, max((left - 0.2) / TASKS_PER_WORKER, 0.05))


class Engine:
    """One solve of one objective with the LP-guided strategy."""

    def __init__(
        self,
        arrays: MipArrays,
        groups: ColumnGroups,
        pool: Pool,
        seed: int = 0,
        threads: int | None = None,
        progress: Callable[[EngineReport, str], None] | None = None,
        should_stop: Callable[[], bool] = lambda: False,
        basis: highspy.HighsBasis | None = None,
        highs_options: tuple[tuple[str, bool | float | str], ...] = (),
        guides: tuple[np.ndarray, ...] = (),
        solver_log: Callable[[str], None] | None = None,
    ):
        self.arrays = arrays
        self.groups = groups
        self.pool = pool
        self.seed = seed
        self.threads = threads or 0
        self.progress = progress or (lambda report, phase: None)
        self.should_stop = should_stop
        self.key = uuid.uuid4().hex  # names this MIP in the workers' caches
        # an optimal LP basis of a related model (the previous sweep point or stage), to
        # start the relaxation from; the new one is kept here after the solve
        self.basis = basis
        self._completion: highspy.Highs | None = None
        self._root: Background | None = None  # the whole model's root node, running beside
        self._root_kind = ROOT_BOUND  # … or its branch-and-bound (the portfolio)
        self.highs_options = highs_options  # the user's, for that branch-and-bound
        self.guides = tuple(g for g in guides if len(g) == arrays.columns)  # earlier solves' plans (GUIDED)
        self._unmerged: list[TaskResult] = []  # improving plans to cross over next round
        self._root_deferred = False  # RENS admitted no plan: the root node waits for a good plan
        self._started = 0.0
        self._lost = ""  # why the workers went away mid-run (WorkersLost), if they did
        # where HiGHS's log of the whole-model jobs on workers goes (`--log`, `-v`); None: nowhere
        self.solver_log = solver_log

    # -- the phases ------------------------------------------------------------------------
    def solve(
        self,
        time_limit: float,
        gap: float,
        start: np.ndarray | None = None,
        neighbourhoods: bool = True,
        branch_and_bound: bool = False,
    ) -> EngineReport:
        """Best plan and bound within `time_limit` seconds; stops early at `gap`.

        `neighbourhoods=False` stops after RENS (the `rens` strategy: HiGHS goes on from
        its plan). `branch_and_bound=True` (the `portfolio` strategy, with two workers or
        more) runs HiGHS's branch-and-bound on one worker beside everything else: the run
        ends when it does, and its plan is the answer when it proved the gap target."""
        self._started = time.monotonic()
        deadline = self._started + time_limit
        report = EngineReport()
        a = self.arrays
        start = self._repaired(start)
        if start is not None:
            self._take(report, start, a.objective(start), "start plan")
        try:
            stall = self._search(report, start, gap, deadline, neighbourhoods, branch_and_bound)
        except WorkersLost as exc:  # the plan in hand is the answer, not an internal error
            logger.warning("engine: %s; the best plan found so far is kept", exc)
            self._lost, self._root, stall = str(exc), None, 0
        return self._finish(report, gap, deadline, stall)

    def _search(
        self,
        report: EngineReport,
        start: np.ndarray | None,
        gap: float,
        deadline: float,
        neighbourhoods: bool,
        branch_and_bound: bool,
    ) -> int:
        """The phases after the start plan; the number of rounds in a row without a gain."""
        a = self.arrays
        if branch_and_bound:
            left = deadline - time.monotonic()
            self._start_branch_and_bound(start, left - min(BRANCH_AND_BOUND_MARGIN, left / 20), gap)
        else:
            self._start_presolved_root(report, deadline - time.monotonic())
        self.progress(report, "LP relaxation")
        lp = self._relaxation(report, deadline)
        if report.status == "infeasible":
            return 0
        if report.x is not None and not self._done(report, gap, deadline):
            self._guided(report, deadline)
        if lp is not None and not self._done(report, gap, deadline):
            self.progress(report, "RENS")
            self._rens(report, lp, deadline)
        plan = NeighbourhoodPlan(a, self.groups, self.seed)
        stall = 0 if neighbourhoods else STALL_ROUNDS
        while report.x is not None and not self._done(report, gap, deadline) and stall < STALL_ROUNDS:
            workers = self.pool.size - self._busy()
            self.progress(
                report,
                f"round {report.rounds + 1}: {workers * TASKS_PER_WORKER} neighbourhoods "
                f"on {workers} worker{'s' if workers != 1 else ''}" + self._beside(),
            )
            stall = 0 if self._round(report, plan, lp, deadline) else stall + 1
            self._start_deferred_root(report, deadline)
            self._poll_root(report)
        self._await_branch_and_bound(report, deadline)
        return stall

    def _relaxation(self, report: EngineReport, deadline: float) -> np.ndarray | None:
        """Solve the LP relaxation; its optimum is the first proven bound."""
        import highspy

        a = self.arrays
        highs = a.highs(threads=self.threads, relax=True)
        highs.setOptionValue("time_limit", max(deadline - time.monotonic(), 0.01))
        warm = self.basis is not None and _fits(self.basis, a) and highs.setBasis(self.basis) == highspy.HighsStatus.kOk
        if not warm and a.nonzeros >= IPM_FROM_NONZEROS:
            highs.setOptionValue("solver", "ipm")
            highs.setOptionValue("run_crossover", "on")
        self._interruptible(highs)
        highs.run()
        report.lp_seconds = time.monotonic() - self._started
        status = highs.getModelStatus()
        kinds = highspy.HighsModelStatus
        if status in (kinds.kInfeasible, kinds.kUnboundedOrInfeasible):
            report.status = "infeasible"
            return None
        if status != kinds.kOptimal:
            report.reproducible = status not in (kinds.kTimeLimit, kinds.kInterrupt)
            return None
        lp = np.array(highs.getSolution().col_value, dtype=float)
        basis = highs.getBasis()
        self.basis = basis if basis.valid else None
        report.bound, report.bound_source = float(highs.getInfo().objective_function_value), "LP relaxation"
        self._say(f"LP relaxation proves the bound {report.bound:.8g}")
        if not a.fractional(lp).any() and feasible(a, lp):
            self._take(report, lp, a.objective(lp), "LP relaxation (integral)")
        return lp

    def _guided(self, report: EngineReport, deadline: float) -> None:
        """Cross the start plan with each earlier plan that scores better on this objective
        (GUIDED): one round, one neighbourhood per such plan."""
        a = self.arrays
        assert report.x is not None
        tasks = []
        for guide in self.guides:
            free = a.changed(guide, report.x)
            if not free.any() or not a.better(a.objective(guide), report.objective):
                continue
            fix_index, fix_value = fix_outside(a, free, report.x)
            seconds = min(LNS_SECONDS, max(deadline - time.monotonic() - 0.2, 0.05))
            tasks.append(Task(GUIDED, fix_index, fix_value, report.x, seconds, LNS_NODE_LIMIT, seed=self.seed))
        if tasks:
            self.progress(report, GUIDED)
            self._collect(report, tasks, self.pool.run(self.key, a, tasks, self._stop_work, self._busy()), None)

    def _rens(self, report: EngineReport, lp: np.ndarray, deadline: float) -> None:
        """RENS on this process; the other workers search the start plan's neighbourhoods
        when it is already good, or run RENS with other seeds when it is not. When presolve
        proves RENS's fixing empty, the softer fixing instead (SOFT_RENS), or on large models
        with a plan in hand nothing: the neighbourhoods start from that plan."""
        left = deadline - time.monotonic()
        fixing = rens_fixing(self.arrays, lp)
        if not self._admits_no_plan(*fixing):
            self._start_root(report, left * ROOT_SHARE)
            self._rens_round(report, lp, "RENS", fixing, None, left * RENS_SHARE)
        else:
            # the root node's bound waits until the plan is within GOOD_START_GAP of the LP's
            # (`_start_deferred_root`): until then both workers are worth more searching for plans
            self._root_deferred = True
            if report.x is not None and self.arrays.nonzeros >= SOFT_RENS_BELOW_NONZEROS:
                logger.debug("engine: RENS admits no plan; the neighbourhoods start from the plan in hand")
                return
            seconds = left * SOFT_RENS_SHARE
            fixing = rens_fixing(self.arrays, lp, only_at_lower=True, incumbent=report.x)
            logger.debug(
                "engine: RENS admits no plan; %d of %d integer columns free with only the LP's zeros "
                "fixed (%d fractional)",
                int(self.arrays.integer.sum()) - len(fixing[0]),
                int(self.arrays.integer.sum()),
                int(self.arrays.fractional(lp).sum()),
            )
            self._rens_round(report, lp, SOFT_RENS, fixing, report.x, seconds)
        self._poll_root(report)

    def _admits_no_plan(self, fix_index: np.ndarray, fix_value: np.ndarray) -> bool:
        """Whether HiGHS's presolve proves that a fixing leaves no plan (milliseconds)."""
        import highspy

        restriction = restrict(self.arrays, fix_index, fix_value, None)
        if restriction is None:
            return True
        highs = restriction.arrays.highs()
        if aggregator_off(restriction.arrays.columns):  # a small one may hang (optimizer.solve.highs_thread)
            if not run_heard(highs, highs.presolve, PRESOLVE_STALL_SECONDS):
                return False  # not proven: the fixing is tried, and its sub-MIP guarded alike
        else:
            highs.presolve()
        return highs.getModelStatus() == highspy.HighsModelStatus.kInfeasible

    def _rens_round(
        self,
        report: EngineReport,
        lp: np.ndarray,
        name: str,
        fixing: tuple[np.ndarray, np.ndarray],
        start: np.ndarray | None,
        seconds: float,
    ) -> None:
        """One RENS task per free worker (other seeds), or neighbourhoods of a good start."""
        fix_index, fix_value = fixing
        # RENS proper gets no start plan: the incumbent rarely fits its fixings, and HiGHS
        # would spend its root heuristics repairing it; the softer fixing keeps it feasible
        tasks = [Task(name, fix_index, fix_value, start, seconds, RENS_NODE_LIMIT, seed=self.seed)]
        plan = NeighbourhoodPlan(self.arrays, self.groups, self.seed + 1)
        good_start = report.gap is not None and report.gap <= GOOD_START_GAP
        for worker in range(1, self.pool.size - self._busy()):
            if not good_start:  # RENS again, with another seed
                tasks.append(Task(name, fix_index, fix_value, start, seconds, RENS_NODE_LIMIT, seed=self.seed + worker))
            else:
                assert report.x is not None  # a gap (good_start) needs an objective, so a plan
                tasks.append(self._neighbourhood_task(plan, report.x, lp, seconds, worker)[1])
        results = self.pool.run(self.key, self.arrays, tasks, self._stop_work, self._busy())
        self._collect(report, tasks, results, None)

    def _start_root(self, report: EngineReport, seconds: float) -> None:
        """The whole model's root node on one worker, beside RENS and the rounds, for its
        bound (HiGHS's cuts): with a second worker on models below
        ROOT_BOUND_BELOW_NONZEROS, with a third on larger ones (root LP by interior point)."""
        if self.pool.size < self._root_workers() or report.x is None or self._root is not None:
            return
        small = self.arrays.nonzeros < ROOT_BOUND_BELOW_NONZEROS
        task = whole_model_task(
            ROOT_BOUND,
            report.x,
            seconds,
            RENS_NODE_LIMIT,
            seed=self.seed,
            options=() if small else ROOT_LP_SOLVER_OPTIONS,
            keep_log=self._keeps_log,
        )
        self._root, self._root_kind = self.pool.submit(self.key, self.arrays, task), ROOT_BOUND

    def _start_presolved_root(self, report: EngineReport, seconds: float) -> None:
        """The presolved model's root LP on a second worker, beside the LP relaxation, on
        models too large for the whole root node on two workers (PRESOLVED_ROOT)."""
        if not 2 <= self.pool.size < self._root_workers():
            return
        task = whole_model_task(
            PRESOLVED_ROOT,
            report.x,
            seconds,
            RENS_NODE_LIMIT,
            seed=self.seed,
            options=PRESOLVED_ROOT_OPTIONS,
            first_bound=True,
            keep_log=self._keeps_log,
        )
        self._root, self._root_kind = self.pool.submit(self.key, self.arrays, task), PRESOLVED_ROOT

    def _root_workers(self) -> int:
        """Workers the whole root node needs beside the rest: two below
        ROOT_BOUND_BELOW_NONZEROS, ROOT_BOUND_FROM_WORKERS from there on."""
        return 2 if self.arrays.nonzeros < ROOT_BOUND_BELOW_NONZEROS else ROOT_BOUND_FROM_WORKERS

    def _start_deferred_root(self, report: EngineReport, deadline: float) -> None:
        """The root node's bound, once a plan that RENS could not give is within
        GOOD_START_GAP of the LP bound: until then the plan, not the bound, is what keeps the
        gap open. On the reference dataset with --robust 2 (60 s) the plan was 36,753
        without the root worker and 34,709 with it from the start (bound 39,244 from the LP
        against 38,647 from the root)."""
        if self._root_deferred and report.gap is not None and report.gap <= GOOD_START_GAP:
            self._root_deferred = False
            self._start_root(report, (deadline - time.monotonic()) * ROOT_SHARE)

    def _start_branch_and_bound(self, start: np.ndarray | None, seconds: float, gap: float) -> None:
        """HiGHS's branch-and-bound on the whole model, on one worker, for the whole run."""
        if self.pool.size < 2:
            return
        task = whole_model_task(
            BRANCH_AND_BOUND,
            start,
            seconds,
            NO_NODE_LIMIT,
            gap=gap,
            seed=self.seed,
            options=self.highs_options,
            end_by=time.time() + seconds,
            keep_log=self._keeps_log,
        )
        self._root, self._root_kind = self.pool.submit(self.key, self.arrays, task), BRANCH_AND_BOUND

    def _branch_and_bound(self) -> Background | None:
        """The portfolio's branch-and-bound, until its result is folded in."""
        return self._root if self._root_kind == BRANCH_AND_BOUND else None

    def _branching(self) -> bool:
        """Whether the portfolio's branch-and-bound is still running."""
        job = self._branch_and_bound()
        return job is not None and not job.done()

    def _stop_work(self) -> bool:
        """Stop this process's and the rounds' searches: asked to, or the portfolio's
        branch-and-bound has ended (it decides the run)."""
        job = self._branch_and_bound()
        return self.should_stop() or (job is not None and job.done())

    def _await_branch_and_bound(self, report: EngineReport, deadline: float) -> None:
        """Neighbourhoods exhausted (or no plan to improve): the portfolio still waits for
        its branch-and-bound, which holds the bound that may prove the plan."""
        while self._branching() and time.monotonic() < deadline and not self.should_stop():
            time.sleep(AWAIT_SECONDS)
        self._poll_root(report)

    def _beside(self) -> str:
        """What the progress line says runs beside the rounds."""
        if self._root is None:
            return ""
        job = {BRANCH_AND_BOUND: "branch-and-bound", PRESOLVED_ROOT: "the presolved root LP"}.get(
            self._root_kind, "the root node"
        )
        return f", {job} on one more"

    def _busy(self) -> int:
        return 0 if self._root is None else 1

    def _poll_root(self, report: EngineReport) -> None:
        """Fold in the job beside the rounds once it is done: the root node's bound and
        plan (when that happens depends on the clock, so from then on the run is marked
        timing-dependent, as it is when the job fails or is still running at the end:
        `_finish`), or the portfolio's branch-and-bound."""
        if self._root is None or not self._root.done():
            return
        job, self._root = self._root, None
        try:
            result = job.result()
        except Exception as exc:  # noqa: BLE001 — a lost bound must not lose the run's plan
            logger.warning("engine: the root node's worker failed: %s", exc)
            report.reproducible = False  # until it failed, the rounds ran without its worker
            return
        self._pass_on_log(result)
        if self._root_kind == BRANCH_AND_BOUND:
            self._fold_in_branch_and_bound(report, result)
            return
        report.reproducible = False
        self._tighten(report, result.bound, self._root_kind)
        if result.x is not None:
            assert result.objective is not None  # a TaskResult's plan comes with its objective
            self._take(report, result.x, result.objective, self._root_kind)

    def _say(self, text: str) -> None:
        """An event of the search (a plan found, a bound proven), to the debug log and to the
        run's solver log: under `lns` the file held HiGHS's banner alone, since the LP, RENS
        and neighbourhoods are the engine's, not one HiGHS run's."""
        logger.info("engine: %s", text)
        if self.solver_log is not None:
            self.solver_log(f"[engine {time.monotonic() - self._started:7.1f} s] {text}\n")

    @property
    def _keeps_log(self) -> bool:
        return self.solver_log is not None

    def _pass_on_log(self, result: TaskResult) -> None:
        """HiGHS's log of a whole-model job on a worker, into the run's solver log, headed by
        which job it was (the main process's HiGHS log said nothing of the search that
        decided a portfolio run)."""
        if self.solver_log is not None and result.log:
            self.solver_log(f"\n--- {result.name}, on a worker process ---\n{result.log}--- end of {result.name} ---\n")

    def _fold_in_branch_and_bound(self, report: EngineReport, result: TaskResult) -> None:
        """The portfolio's branch-and-bound ended. Proven to its gap: its plan is the answer
        (the bound the sharper of its own and the LP's), as reproducible as HiGHS alone.
        Stopped by the clock: the better plan and the sharper bound of both searches."""
        if result.status == "infeasible" and result.proven:
            report.status, report.x, report.objective = "infeasible", None, None
            return
        self._tighten(report, result.bound, BRANCH_AND_BOUND)
        if result.x is None:
            report.reproducible = False
            return
        assert result.objective is not None  # a TaskResult's plan comes with its objective
        if result.proven:
            report.x, report.objective = result.x, result.objective
            report.improvements.append((time.monotonic() - self._started, BRANCH_AND_BOUND, result.objective))
            report.reproducible = True
            self._say(f"{BRANCH_AND_BOUND} proves {result.objective:.8g} (gap {_gap_text(report.gap)})")
        else:
            report.reproducible = False
            self._take(report, result.x, result.objective, BRANCH_AND_BOUND)

    def _round(self, report: EngineReport, plan: NeighbourhoodPlan, lp: np.ndarray | None, deadline: float) -> bool:
        """TASKS_PER_WORKER neighbourhoods per worker, all from the same incumbent; True if
        the incumbent improved."""
        assert report.x is not None
        seconds = _task_seconds(deadline - time.monotonic())
        count = (self.pool.size - self._busy()) * TASKS_PER_WORKER
        chosen = self._crossover_task(plan, report.x, seconds)
        chosen += [self._neighbourhood_task(plan, report.x, lp, seconds, w) for w in range(len(chosen), count)]
        tasks = [task for _, task in chosen]
        results = self.pool.run(self.key, self.arrays, tasks, self._stop_work, self._busy())
        report.rounds += 1
        before = report.objective
        self._collect(report, tasks, results, plan, [kind for kind, _ in chosen])
        return report.objective != before

    def _crossover_task(self, plan: NeighbourhoodPlan, incumbent: np.ndarray, seconds: float) -> list[tuple[str, Task]]:
        """The last round's unmerged improving plans crossed with the incumbent (or nothing)."""
        others, self._unmerged = self._unmerged, []
        free = np.zeros(self.arrays.columns, dtype=bool)
        for other in others:
            assert other.x is not None
            free |= self.arrays.changed(other.x, incumbent)
        if not free.any():
            return []
        fix_index, fix_value = fix_outside(self.arrays, free, incumbent)
        name = "crossover of " + " + ".join(other.name for other in others)
        task = Task(name, fix_index, fix_value, incumbent, seconds, LNS_NODE_LIMIT, seed=self.seed + 1000 * plan.turn)
        return [(CROSSOVER, task)]

    def _neighbourhood_task(
        self, plan: NeighbourhoodPlan, incumbent: np.ndarray, lp: np.ndarray | None, seconds: float, worker: int
    ) -> tuple[str, Task]:
        kind, name, free = plan.next(incumbent, lp)
        fix_index, fix_value = fix_outside(self.arrays, free, incumbent)
        seed = self.seed + 1000 * plan.turn + worker
        return kind, Task(name, fix_index, fix_value, incumbent, seconds, LNS_NODE_LIMIT, seed=seed)

    def _collect(
        self,
        report: EngineReport,
        tasks: list[Task],
        results: list[TaskResult | None],
        plan: NeighbourhoodPlan | None,
        kinds: list[str] | None = None,
    ) -> None:
        """Take the best result, then merge in the other improving ones where they fit."""
        a = self.arrays
        incumbent = report.x
        report.tasks += len(tasks)
        improving: list[tuple[float, np.ndarray, TaskResult]] = []  # (objective, plan, result)
        for i, result in enumerate(results):
            if result is None:
                report.reproducible = False
                continue
            logger.debug(
                "engine: %s: %s %s in %.2f s%s",
                result.name,
                result.status,
                result.objective,
                result.seconds,
                " (proven)" if result.proven else " (time)" if result.stopped_by_time else "",
            )
            if result.stopped_by_time:
                report.reproducible = False
            objective = result.objective if result.x is not None else None  # a plan comes with its objective
            better = objective is not None and a.better(objective, report.objective)
            if plan is not None and kinds is not None and kinds[i] != CROSSOVER:
                gain = (
                    abs(objective - report.objective)
                    if better and objective is not None and report.objective is not None
                    else 0.0
                )
                plan.feedback(kinds[i], better, result.proven, gain)
            if better and objective is not None and result.x is not None:
                improving.append((objective, result.x, result))
        improving.sort(key=lambda item: -item[0] if a.maximise else item[0])
        for rank, (objective, x, result) in enumerate(improving):
            if rank == 0:
                self._take(report, x, objective, result.name)
            elif incumbent is None or not self._merge(report, incumbent, result):
                self._unmerged.append(result)

    def _finish(self, report: EngineReport, gap: float, deadline: float, stall: int) -> EngineReport:
        if self._root is not None:  # still in its root node: its worker is not waited for
            self._poll_root(report)
            if self._root is not None:
                self.pool.abandon(self._root)
                self._root = None
                # the run took its course because that job had not ended yet: the rounds
                # ran without its worker and without its bound and plan, and it stopped
                # when the search did. Ended sooner (a faster or less loaded machine, a
                # worker process already started), it changes the rounds, the bound and
                # when the gap target is met, so the same inputs can give another plan.
                report.reproducible = False
        report.seconds = time.monotonic() - self._started
        if report.status == "infeasible":
            report.stopped_by = "infeasible"
        elif gap_met(report.gap, gap):
            report.stopped_by = "gap target"
        elif self._lost:
            report.stopped_by, report.reproducible = f"workers lost ({self._lost})", False
        elif self.should_stop() and time.monotonic() < deadline:
            report.stopped_by, report.reproducible = "interrupted", False
        elif stall >= STALL_ROUNDS:
            report.stopped_by = "no neighbourhood improves" if report.rounds else "RENS done"
        elif report.x is None and time.monotonic() < deadline - 0.2:
            report.stopped_by = NO_PLAN  # neither a start nor RENS gave one to improve
        else:
            report.stopped_by, report.reproducible = "time limit", False
            if report.improvements and all(source == "start plan" for _, source, _ in report.improvements):
                # a robust L run ended "feasible, gap 45 %" on its greedy start with nothing
                # to say that no search had run: the LP relaxation took 105 of its 120 s
                report.stopped_by += (
                    f", before any search improved the start plan (the LP relaxation "
                    f"took {report.lp_seconds:.0f} s of it: raise the time limit)"
                )
        if report.x is not None:
            report.status = "optimal" if gap_met(report.gap, gap) else "feasible"
        self.progress(report, "done")
        return report

    # -- helpers -----------------------------------------------------------------------------
    def _done(self, report: EngineReport, gap: float, deadline: float) -> bool:
        # the portfolio's neighbourhoods never end the run: its branch-and-bound does
        proven = gap_met(report.gap, gap) and not self._branching()
        return proven or time.monotonic() >= deadline - 0.2 or self._stop_work()

    def _take(self, report: EngineReport, x: np.ndarray, value: float, source: str) -> bool:
        if not self.arrays.better(value, report.objective):
            return False
        report.x, report.objective = x, value
        report.improvements.append((time.monotonic() - self._started, source, value))
        self._say(f"{source} found {value:.8g} (gap {_gap_text(report.gap)})")
        return True

    def _tighten(self, report: EngineReport, bound: float | None, source: str) -> None:
        """Keep `bound` if it is proven for the whole MIP and sharper than the one held."""
        if bound is None:
            return
        if report.bound is None or (bound < report.bound if self.arrays.maximise else bound > report.bound):
            report.bound, report.bound_source = bound, source
            self._say(f"{source} proves the bound {bound:.8g} (gap {_gap_text(report.gap)})")

    def _merge(self, report: EngineReport, incumbent: np.ndarray, other: TaskResult) -> bool:
        """Add another neighbourhood's changes to the new incumbent when they still fit.

        Its integer columns that moved (against the round's incumbent) are copied over and
        the continuous columns re-solved as an LP with every integer column fixed; kept if
        feasible and better. Two nation groups' changes often fit together: that is how a
        round with two workers can gain twice. When they do not (False), the next round
        crosses them over instead (`_crossover_task`)."""
        a = self.arrays
        assert report.x is not None and other.x is not None
        moved = a.changed(other.x, incumbent)
        already = a.changed(report.x, incumbent)
        if not moved.any() or (moved & already).any():
            logger.debug("engine: %s not merged: its changes overlap the new incumbent's", other.name)
            return False
        candidate = report.x.copy()
        candidate[moved] = other.x[moved]
        x = self._continuous_completion(candidate)
        if x is None:
            logger.debug("engine: %s not merged: no payments and balances fit both changes", other.name)
            return False
        if not self._take(report, x, a.objective(x), f"merge + {other.name}"):
            logger.debug("engine: %s not merged: together %.8g, no better", other.name, a.objective(x))
            return False
        return True

    def _repaired(self, start: np.ndarray | None) -> np.ndarray | None:
        """The start plan, or its decisions with payments and balances solved anew when
        they no longer fit (None: its decisions break a rule).

        A sweep point starts from its neighbour's plan, whose integer decisions usually
        still fit the new budgets while its balances (budget rows held as equalities) do
        not; HiGHS's own MIP start does the same repair. Without it the engine began such
        points with no plan and, RENS being infeasible on the reference dataset, ended
        them with none (budget sweep, issue 21)."""
        if start is None or len(start) != self.arrays.columns:
            return None
        if feasible(self.arrays, start):
            return start.copy()
        return self._continuous_completion(start)

    def _continuous_completion(self, candidate: np.ndarray) -> np.ndarray | None:
        """The best continuous columns for `candidate`'s integer columns (None: infeasible)."""
        import highspy

        a = self.arrays
        if self._completion is None:
            self._completion = a.highs(threads=self.threads, relax=True)
            self._interruptible(self._completion)
        highs = self._completion
        lower, upper = a.col_lower.copy(), a.col_upper.copy()
        fixed = np.flatnonzero(a.integer)
        lower[fixed] = upper[fixed] = np.round(candidate[fixed])
        highs.changeColsBounds(a.columns, np.arange(a.columns, dtype=np.int32), lower, upper)
        highs.run()
        if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        x = np.array(highs.getSolution().col_value, dtype=float)
        x[fixed] = np.round(x[fixed])
        return x if feasible(a, x) else None

    def _interruptible(self, highs: highspy.Highs) -> None:
        """This process's HiGHS runs stop on Ctrl-C and at the deadline."""

        def check(event: highspy.HighsCallbackEvent) -> None:
            if self._stop_work():
                event.interrupt()

        for callback in (highs.cbSimplexInterrupt, highs.cbIpmInterrupt):
            callback += check
