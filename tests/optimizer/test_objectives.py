"""How a lexicographic run shares its time limit among its stages."""

from __future__ import annotations

import pytest

from data.tables import Target
from optimizer import Scenario
from optimizer.objectives import LATER_STAGE_RESERVE, stage_time_limit
from optimizer.solver import PersistentSolver
from tests.optimizer.test_targets_first import busy_small_nation


def test_a_stage_leaves_a_reserve_for_each_later_stage():
    assert LATER_STAGE_RESERVE == 0.2
    assert stage_time_limit(60.0, 60.0, 2) == pytest.approx(36.0)  # 60 − 2 × 12
    assert stage_time_limit(59.5, 60.0, 1) == pytest.approx(47.5)  # a quick first stage passes time on
    assert stage_time_limit(24.0, 60.0, 1) == pytest.approx(12.0)


def test_the_last_stage_gets_everything_left():
    assert stage_time_limit(7.5, 60.0, 0) == 7.5


def test_a_stage_never_gets_less_than_an_equal_share_of_what_is_left():
    assert stage_time_limit(10.0, 60.0, 2) == pytest.approx(10.0 / 3)
    assert stage_time_limit(0.0, 60.0, 2) == 0.0


def test_a_stage_with_a_start_plan_cannot_use_the_later_stages_time(monkeypatch):
    """An unmeetable target makes the shortfall stage a real solve: it is offered at most
    60% of a 30 s limit, and each later stage what the earlier ones left (they finish fast)."""
    inputs = busy_small_nation().with_changes(targets=(Target("A", "land", 2032, 10.0, 2),))
    limits: list[float] = []
    original = PersistentSolver.solve

    def recording(self, time_limit, *args, **kwargs):
        limits.append(time_limit)
        return original(self, time_limit, *args, **kwargs)

    monkeypatch.setattr(PersistentSolver, "solve", recording)
    result = Scenario(inputs).solve(time_limit=30, gap=0.0)
    assert [s.objective for s in result.stages] == ["shortfall", "capability", "cost"]
    assert len(limits) == 3
    assert limits[0] <= 30 * (1 - 2 * LATER_STAGE_RESERVE) + 1e-6
    assert limits[1] > 30 * (1 - LATER_STAGE_RESERVE) - 5  # stage 1 took well under a second
    assert limits[2] > 25
    assert result.status == "optimal"
