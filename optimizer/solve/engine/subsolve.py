"""One neighbourhood solved as a sub-MIP: fix some integer columns, start from a plan, solve.

Runs wherever a worker runs (this process, a spawned process, a Dask worker). Each worker
keeps the MIP's arrays (`WorkerModel`, cached by the MIP's key: they cross to a worker
once per MIP, not once per task) and solves each neighbourhood as a MIP of its own free
columns only (`problem.restrict`).
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from optimizer.solve.engine.problem import MipArrays, Restriction, restrict
from optimizer.solve.highs_quirks import AGGREGATOR_RULE, aggregator_off, doubtful_verdict
from optimizer.solve.highs_thread import PRESOLVE_STALL_SECONDS, match_thread_pool, run_heard

if TYPE_CHECKING:
    import highspy


@dataclass(frozen=True)
class Task:
    """A neighbourhood to search: which integer columns to fix, and at what.

    `start` is offered to HiGHS as its first incumbent (when it fits the fixings the
    sub-MIP can only improve on it). `node_limit` bounds the search by work, which is the
    same on every machine; `time_limit` only protects the run's deadline.
    """

    name: str
    fix_index: np.ndarray
    fix_value: np.ndarray
    start: np.ndarray | None
    time_limit: float
    node_limit: int
    gap: float = 1e-4
    seed: int = 0
    options: tuple[tuple[str, bool | float | str], ...] = ()  # HiGHS options by name, set last
    # stop as soon as HiGHS proves a first bound: the LP of the model as its presolve
    # tightened it, without the cut rounds that follow (Engine, PRESOLVED_ROOT)
    first_bound: bool = False
    # the wall-clock time (time.time()) by which the task must have handed its result back,
    # whatever it waited for first: a portfolio's branch-and-bound on a spawned process
    # started seconds late on a loaded machine, its time limit counted from then, and the
    # run ended without its bound (None: `time_limit` alone, counted from the task's start)
    end_by: float | None = None
    # hand HiGHS's log back with the result (TaskResult.log): the whole model's root node
    # and branch-and-bound run on workers, and `--log`/`-v` showed none of it
    keep_log: bool = False

    def seconds(self) -> float:
        """The time limit to give HiGHS now: `time_limit`, cut to what is left before `end_by`."""
        limit = float(self.time_limit)
        if self.end_by is not None:
            limit = min(limit, self.end_by - time.time())
        return max(limit, 0.01)

    @property
    def whole_model(self) -> bool:
        """Nothing fixed: the task's dual bound is a bound on the whole MIP."""
        return len(self.fix_index) == 0


@dataclass(frozen=True)
class TaskResult:
    """What a worker sends back from one neighbourhood: its plan (if any), whether proven, and its time."""

    name: str
    status: str  # "solution", "no_solution", "infeasible" or MISSING (the worker lacks the MIP)
    objective: float | None
    x: np.ndarray | None
    seconds: float
    stopped_by_time: bool
    proven: bool  # the neighbourhood's optimum (to the task's gap) was reached
    bound: float | None = None  # HiGHS's dual bound on the task's MIP (None: none proven)
    log: str = ""  # HiGHS's log of the task, when it asked for it (Task.keep_log)


class WorkerModel:
    """A worker's copy of the MIP's arrays; each task is solved as its own restricted MIP
    (`restrict`): only the columns the neighbourhood frees, built in milliseconds, so
    HiGHS's presolve never reads the whole model again (on XL that cost most of a task)."""

    def __init__(self, arrays: MipArrays, threads: int = 1, should_stop: Callable[[], bool] | None = None):
        self.arrays = arrays
        self.threads = threads
        self.should_stop = should_stop

    def solve(self, task: Task) -> TaskResult:
        """The task's result, with HiGHS's log when the task keeps it."""
        messages: list[str] = []
        result = self._solve(task, messages if task.keep_log else None)
        return replace(result, log="".join(messages)) if messages else result

    def _solve(self, task: Task, log: list[str] | None) -> TaskResult:
        import highspy

        started = time.monotonic()
        # a whole-model task keeps every column free: its dual bound must hold for the MIP
        reference = None if task.whole_model else task.start
        restriction = restrict(self.arrays, task.fix_index, task.fix_value, reference)
        if restriction is None:  # the fixings break a row no free column is left to mend
            return TaskResult(task.name, "infeasible", None, None, time.monotonic() - started, False, True)
        sub = restriction.arrays
        highs = sub.highs(threads=self.threads, seed=task.seed)
        self._interruptible(highs)
        if log is not None:
            _keep_log(highs, log)
        if task.first_bound:
            _stop_at_first_bound(highs)
        highs.setOptionValue("time_limit", task.seconds())
        highs.setOptionValue("mip_max_nodes", int(task.node_limit))
        highs.setOptionValue("mip_rel_gap", float(task.gap))
        if aggregator_off(self.arrays.columns):  # a small model's tasks, as its own solves
            highs.setOptionValue("presolve_rule_off", AGGREGATOR_RULE)
        for name, value in task.options:
            highs.setOptionValue(name, value)
        _set_start(highs, task, restriction)
        if not self._run(highs, sub.columns) or (
            doubtful_verdict(highs) and not self._confirmed(highs, task, restriction, started)
        ):
            return TaskResult(task.name, "no_solution", None, None, time.monotonic() - started, True, False)
        seconds = time.monotonic() - started
        status = highs.getModelStatus()
        kinds = highspy.HighsModelStatus
        by_time = status in (kinds.kTimeLimit, kinds.kInterrupt)
        if status == kinds.kInfeasible:
            return TaskResult(task.name, "infeasible", None, None, seconds, by_time, True)
        info = highs.getInfo()
        bound = float(info.mip_dual_bound) if abs(info.mip_dual_bound) < 1e30 else None
        if info.primal_solution_status != 2:  # 2: a feasible plan in hand
            return TaskResult(task.name, "no_solution", None, None, seconds, by_time, False, bound)
        x = restriction.full(np.array(highs.getSolution().col_value, dtype=float))
        a = self.arrays
        x[a.integer] = np.round(x[a.integer])
        return TaskResult(task.name, "solution", a.objective(x), x, seconds, by_time, status == kinds.kOptimal, bound)

    def _confirmed(self, highs: highspy.Highs, task: Task, restriction: Restriction, started: float) -> bool:
        """Solve again without presolve, in the task's time left, a verdict HiGHS's presolve may
        have got wrong on a small model (highs_quirks.doubtful_verdict), as the main process
        does: the portfolio's branch-and-bound here took HiGHS's "optimal" at the start plan
        (−0.3, bound −0.3, before any node) as proof, where the empty plan scores 0. False if
        that solve hung."""
        highs.setOptionValue("presolve", "off")
        highs.setOptionValue("time_limit", max(task.seconds() - (time.monotonic() - started), 0.01))
        _set_start(highs, task, restriction)
        return self._run(highs, restriction.arrays.columns)

    def _run(self, highs: highspy.Highs, columns: int) -> bool:
        """Run a sub-MIP; a small one on the HiGHS thread, given up (False) if its presolve
        hangs where nothing calls back (optimizer.solve.highs_thread): the forced `rens`
        on a 27-column model hung there, past every time limit."""
        if not aggregator_off(columns):
            highs.run()
            return True
        threads = self.threads or None
        return run_heard(highs, highs.run, PRESOLVE_STALL_SECONDS, lambda: match_thread_pool(threads))

    def _interruptible(self, highs: highspy.Highs) -> None:
        """This process's solves obey Ctrl-C and the deadline."""
        should_stop = self.should_stop
        if should_stop is None:
            return

        def check(event: highspy.HighsCallbackEvent) -> None:
            if should_stop():
                event.interrupt()

        for callback in (highs.cbSimplexInterrupt, highs.cbMipInterrupt):
            callback += check


def _set_start(highs: highspy.Highs, task: Task, restriction: Restriction) -> None:
    """The task's start plan, on the sub-MIP's columns, as HiGHS's first incumbent."""
    import highspy

    if task.start is None:
        return
    sub = restriction.arrays
    solution = highspy.HighsSolution()
    solution.col_value = np.clip(task.start[restriction.kept], sub.col_lower, sub.col_upper)
    solution.value_valid = True
    highs.setSolution(solution)


def _keep_log(highs: highspy.Highs, lines: list[str]) -> None:
    """Collect HiGHS's log lines in `lines` instead of printing them (a worker has no
    terminal, and the user's log file belongs to the main process)."""
    highs.setOptionValue("output_flag", True)
    highs.setOptionValue("log_to_console", False)

    def collect(event: highspy.HighsCallbackEvent) -> None:
        lines.append(event.message)

    highs.cbLogging += collect


def _stop_at_first_bound(highs: highspy.Highs) -> None:
    """Interrupt HiGHS's MIP search once its dual bound is finite (its first root LP)."""

    def check(event: highspy.HighsCallbackEvent) -> None:
        if abs(event.data_out.mip_dual_bound) < 1e30:
            event.interrupt()

    highs.cbMipInterrupt += check


_MODELS: dict[str, WorkerModel] = {}


def ignore_ctrl_c() -> None:
    """Worker-process initializer: Ctrl-C is the main process's to handle (it stops the
    run and keeps the best plan); a worker killed by it would lose its pool."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


MISSING = "missing model"  # a worker asked for a MIP it does not hold (`run_task`)


def run_task(key: str, arrays: MipArrays | None, task: Task) -> TaskResult:
    """Worker entry point: solve `task` on this process's copy of the MIP named `key`.

    `arrays` may be None once the MIP was sent: a worker that does not hold it (a fresh
    process) answers MISSING and is sent it. One MIP at a time is kept."""
    model = _MODELS.get(key)
    if model is None:
        if arrays is None:
            return TaskResult(task.name, MISSING, None, None, 0.0, False, False)
        _MODELS.clear()
        model = _MODELS[key] = WorkerModel(arrays)
    return model.solve(task)
