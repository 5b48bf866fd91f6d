"""A shortfall stage whose start plan has shortfall 0 is proven by it: no solver call."""

from __future__ import annotations

import pytest

from data.tables import Target
from optimizer import Scenario
from optimizer.objectives import PROVEN_BY_START, proven_by_start
from optimizer.solver import PersistentSolver
from optimizer.verify import check_plan
from tests.optimizer.test_targets_first import busy_small_nation


def test_only_a_shortfall_of_zero_proves_its_stage():
    assert proven_by_start("shortfall", {"shortfall": 0.0})
    assert not proven_by_start("shortfall", {"shortfall": 0.5})
    assert not proven_by_start("cost", {"cost": 0.0, "shortfall": 0.0})


def count_solver_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    original = PersistentSolver.solve

    def counting(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(PersistentSolver, "solve", counting)
    return calls


def test_a_shortfall_stage_met_by_the_start_is_reported_optimal_without_a_solver_call(monkeypatch):
    calls = count_solver_calls(monkeypatch)
    result = Scenario(busy_small_nation()).solve(time_limit=30, gap=0.0)
    first = result.stages[0]
    assert first.objective == "shortfall" and first.outcome.termination == PROVEN_BY_START
    assert (
        first.outcome.status,
        first.outcome.objective,
        first.outcome.bound,
        first.outcome.gap,
    ) == ("optimal", 0.0, 0.0, 0.0)
    assert len(calls) == len(result.stages) - 1
    assert result.status == "optimal" and result.objectives["shortfall"] == 0.0
    assert check_plan(result.inputs, result.decisions) == []


def test_a_shortfall_stage_no_start_can_meet_is_solved(monkeypatch):
    """A target of 10 land points cannot be met (P_land gives 3): the solver proves shortfall 7."""
    inputs = busy_small_nation()
    inputs = inputs.with_changes(targets=(Target("A", "land", 2032, 10.0, 2),))
    calls = count_solver_calls(monkeypatch)
    result = Scenario(inputs).solve(time_limit=30, gap=0.0)
    assert result.stages[0].outcome.termination != PROVEN_BY_START
    assert len(calls) == len(result.stages)
    assert result.objectives["shortfall"] == pytest.approx(7.0)
