"""Workers: the MIP crosses to a spawned worker once, and a worker that lacks it gets it."""

from __future__ import annotations

import numpy as np

from optimizer.solve.engine.subsolve import MISSING, Task, run_task
from optimizer.solve.engine.workers import InlinePool, LocalPool
from tests.optimizer.solve.engine.test_problem import arrays_of


def _tasks(arrays, plan: np.ndarray, count: int) -> list[Task]:
    """`count` neighbourhoods of `plan`, each freeing a different third of the integer columns."""
    integer = np.flatnonzero(arrays.integer)
    tasks = []
    for k in range(count):
        fixed = np.array([j for i, j in enumerate(integer) if i % 3 != k % 3], dtype=np.int32)
        tasks.append(Task(f"third {k}", fixed, np.round(plan[fixed]), plan, 30.0, 10_000, seed=k))
    return tasks


def _tasks_and_inline_results(seed: int, count: int) -> tuple[object, list[Task], list]:
    """A tiny MIP, `count` neighbourhoods of its optimum, and their results solved inline."""
    arrays, original = arrays_of(seed)
    original.run()
    tasks = _tasks(arrays, np.array(original.getSolution().col_value), count)
    return arrays, tasks, InlinePool().run("k", arrays, tasks, lambda: False)


def test_a_worker_without_the_mip_says_so():
    arrays, _ = arrays_of(5)
    task = _tasks(arrays, np.zeros(arrays.columns), 1)[0]
    assert run_task("a key no worker has seen", None, task).status == MISSING


def test_a_fresh_worker_that_missed_the_mip_is_sent_it_and_agrees_with_this_process():
    arrays, tasks, expected = _tasks_and_inline_results(5, 4)
    pool = LocalPool(2)
    try:
        first = pool.run("k", arrays, tasks, lambda: False)
        pool.shutdown()  # the next round meets a fresh process that never saw the MIP …
        pool._shipped = "k"  # … while this pool believes it was sent
        second = pool.run("k", arrays, tasks, lambda: False)
    finally:
        pool.shutdown()
    for results in (first, second):
        assert [r.status for r in results] == [r.status for r in expected]
        assert [r.objective for r in results] == [r.objective for r in expected]


def test_free_workers_take_the_next_task_and_results_keep_the_given_order():
    """Seven tasks on this process and two spawned ones, handed out as workers free up:
    every task is solved once and each result sits at its task's place, as inline."""
    arrays, tasks, expected = _tasks_and_inline_results(6, 7)
    pool = LocalPool(3)
    try:
        results = pool.run("k", arrays, tasks, lambda: False)
    finally:
        pool.shutdown()
    assert [r.name for r in results] == [t.name for t in tasks]
    assert [r.objective for r in results] == [r.objective for r in expected]
