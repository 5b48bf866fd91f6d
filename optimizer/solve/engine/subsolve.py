"""One neighbourhood solved as a sub-MIP: fix some integer columns, start from a plan, solve.

Runs wherever a worker runs (this process, a spawned process, a Dask worker). Each worker
builds its HiGHS copy of a MIP once (`WorkerModel`, cached by the MIP's key) and then only
changes column bounds between neighbourhoods: milliseconds, where a rebuild costs seconds
on large models.
"""

from __future__ import annotations

import signal
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from optimizer.solve.engine.problem import MipArrays


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


@dataclass(frozen=True)
class TaskResult:
    name: str
    status: str  # "solution", "no_solution" or "infeasible"
    objective: float | None
    x: np.ndarray | None
    seconds: float
    stopped_by_time: bool
    proven: bool  # the neighbourhood's optimum (to the task's gap) was reached


class WorkerModel:
    """A worker's own HiGHS copy of the MIP, reused for every task on it."""

    def __init__(self, arrays: MipArrays, threads: int = 1, should_stop: Callable[[], bool] | None = None):
        self.arrays = arrays
        self.highs = arrays.highs(threads=threads)
        if should_stop is not None:  # this process's solves obey Ctrl-C and the deadline
            def check(event: object) -> None:
                if should_stop():
                    event.interrupt()  # type: ignore[attr-defined]

            for callback in (self.highs.cbSimplexInterrupt, self.highs.cbMipInterrupt):  # type: ignore[attr-defined]
                callback += check

    def solve(self, task: Task) -> TaskResult:
        import highspy

        a = self.arrays
        highs = self.highs
        lower, upper = a.col_lower.copy(), a.col_upper.copy()
        lower[task.fix_index] = task.fix_value
        upper[task.fix_index] = task.fix_value
        highs.changeColsBounds(a.columns, np.arange(a.columns, dtype=np.int32), lower, upper)
        highs.setOptionValue("time_limit", max(float(task.time_limit), 0.01))
        highs.setOptionValue("mip_max_nodes", int(task.node_limit))
        highs.setOptionValue("mip_rel_gap", float(task.gap))
        highs.setOptionValue("random_seed", int(task.seed))
        if task.start is not None:
            solution = highspy.HighsSolution()
            solution.col_value = np.clip(task.start, lower, upper)
            solution.value_valid = True
            highs.setSolution(solution)
        started = time.monotonic()
        highs.run()
        seconds = time.monotonic() - started
        status = highs.getModelStatus()
        kinds = highspy.HighsModelStatus
        by_time = status in (kinds.kTimeLimit, kinds.kInterrupt)
        if status == kinds.kInfeasible:
            return TaskResult(task.name, "infeasible", None, None, seconds, by_time, True)
        if highs.getInfo().primal_solution_status != 2:  # 2: a feasible plan in hand
            return TaskResult(task.name, "no_solution", None, None, seconds, by_time, False)
        x = np.array(highs.getSolution().col_value, dtype=float)
        x[a.integer] = np.round(x[a.integer])
        return TaskResult(task.name, "solution", a.objective(x), x, seconds, by_time, status == kinds.kOptimal)


_MODELS: dict[str, WorkerModel] = {}


def ignore_ctrl_c() -> None:
    """Worker-process initializer: Ctrl-C is the main process's to handle (it stops the
    run and keeps the best plan); a worker killed by it would lose its pool."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def run_task(key: str, arrays: MipArrays, task: Task) -> TaskResult:
    """Worker entry point: solve `task` on this process's copy of the MIP named `key`,
    built on first use; one MIP at a time is kept (the previous solve's is done)."""
    model = _MODELS.get(key)
    if model is None:
        _MODELS.clear()
        model = _MODELS[key] = WorkerModel(arrays)
    return model.solve(task)
