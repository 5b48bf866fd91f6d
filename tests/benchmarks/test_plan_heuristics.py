"""The plan-heuristic probes (#20): whatever plan each returns is a whole plan of the stage,
local branching never returns worse than its start, and on a knapsack small enough to
check by hand they reach its optimum or say where they stopped."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks import plan_heuristics
from optimizer.solve.engine.engine import feasible
from tests.benchmarks.test_stage_probe import _knapsack
from tests.optimizer.solve.engine.test_problem import arrays_of


def test_each_probe_on_a_knapsack_checked_by_hand() -> None:
    """max 5a + 4b + 3c, 2a + 3b + c ≤ 4: the optimum a + c = 8 (the LP takes a third of b)."""
    arrays = _knapsack()
    dived = plan_heuristics.dive(arrays)  # b rounded up first: b + c = 7, a dive is no search
    assert dived.plan is not None and feasible(arrays, dived.plan) and dived.value == 7.0
    branched = plan_heuristics.local_branching(arrays, np.zeros(3), k=1, seconds=1.0, total=1.0)
    assert branched.value == 8.0 and feasible(arrays, branched.plan)  # type: ignore[arg-type]
    windows = plan_heuristics.relax_and_fix(arrays, np.array([2030, 2030, 2031]), width=1, step=1)
    assert windows.plan is not None and feasible(arrays, windows.plan)
    assert len(windows.steps) == 2 and windows.value is not None and windows.value <= 8.0


@pytest.mark.parametrize("seed", [3, 11, 19])
def test_a_probe_s_plan_is_a_whole_plan_of_the_model(seed: int) -> None:
    arrays, _ = arrays_of(seed)
    empty = np.clip(np.zeros(arrays.columns), arrays.col_lower, arrays.col_upper)
    for probe in (
        plan_heuristics.dive(arrays, batch=4),
        plan_heuristics.dive(arrays, fix_whole=True),
        plan_heuristics.relax_and_fix(arrays, np.zeros(arrays.columns), width=1, step=1),
    ):
        assert probe.plan is None or feasible(arrays, probe.plan), probe.steps
    if feasible(arrays, empty):
        branched = plan_heuristics.local_branching(arrays, empty, k=2, seconds=0.5, total=1.0)
        assert feasible(arrays, branched.plan) and not arrays.better(arrays.objective(empty), branched.value)  # type: ignore[arg-type]
