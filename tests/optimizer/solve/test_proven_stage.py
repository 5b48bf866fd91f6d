"""The shortfall stage: proven by a start plan with shortfall 0 (no solver call), else given its share of the time."""

from __future__ import annotations

import pyomo.environ as pyo
import pytest

from data.tables import Target
from optimizer import Scenario
from optimizer.checks.verify import check_plan
from optimizer.compare import read_plan_file
from optimizer.solve.objectives import (
    NOT_SEARCHED,
    PROVEN_BY_START,
    START_BOUND,
    not_searched,
    proven_by_start,
    stage_seconds,
)
from optimizer.solve.solver import PersistentSolver, SolveOutcome
from tests.optimizer.conftest import make_inputs, nation, programme
from tests.optimizer.heuristics.test_targets_first import busy_small_nation


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
    assert first.outcome.bound_source == START_BOUND  # "branch-and-bound" was printed: no solver ran
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


def test_a_later_shortfall_stage_is_proven_by_the_previous_stages_plan(monkeypatch):
    """Capability first: its plan (P in 2030, 3 land points from 2031) already meets A's
    target, so the shortfall stage that follows is proven by it, and the cost stage keeps
    shortfall at 0 (the model's shortfall variables were reset to the plan's real 0)."""
    inputs = make_inputs(
        first_year=2030,
        last_year=2032,
        nations=[nation("A")],
        budgets=10.0,
        programmes=[programme("P", cost=8)],
        areas=("land",),
        values={("P", "land"): 3.0},
        targets=[("A", "land", 2031, 3.0)],
    )
    calls = count_solver_calls(monkeypatch)
    result = Scenario(inputs).solve(priority=["capability", "shortfall", "cost"], time_limit=30, gap=0.0)
    assert result.stages[1].outcome.termination == PROVEN_BY_START
    assert len(calls) == 2
    assert result.status == "optimal" and result.objectives["shortfall"] == 0.0
    assert result.decisions.national == {("A", "P"): 2030}


def test_an_unproven_shortfall_stage_leaves_the_later_stages_their_share():
    assert stage_seconds("shortfall", 30.0, 3) == pytest.approx(10.0)
    assert stage_seconds("shortfall", 30.0, 1) == pytest.approx(30.0)  # nothing follows it
    assert stage_seconds("capability", 30.0, 2) == pytest.approx(30.0)


def test_the_shortfall_stage_is_handed_its_share_of_the_limit(monkeypatch):
    """The unmeetable target keeps shortfall above 0: its stage must not be given the whole limit."""
    inputs = busy_small_nation().with_changes(targets=(Target("A", "land", 2032, 10.0, 2),))
    limits: list[float] = []
    original = PersistentSolver.solve

    def recording(self, time_limit, *args, **kwargs):
        limits.append(time_limit)
        return original(self, time_limit, *args, **kwargs)

    monkeypatch.setattr(PersistentSolver, "solve", recording)
    result = Scenario(inputs).solve(time_limit=30, gap=0.0)
    assert [stage.objective for stage in result.stages] == ["shortfall", "capability", "cost"]
    assert limits[0] <= 30.0 / 3 + 1e-9
    assert limits[1] > limits[0]  # the rest of the run is the later stages'


# --- a later stage that never searched ---------------------------------------------------------
def test_a_later_stage_that_hands_back_its_start_unbounded_never_searched():
    start = SolveOutcome(
        "feasible", "engine: time limit, before any search improved the start plan", 56221.3, None, None, 0.1
    )
    outcome = not_searched(start, 56221.3)
    assert (outcome.status, outcome.objective, outcome.gap) == ("no_solution", None, None)
    assert outcome.termination.startswith(NOT_SEARCHED)
    assert not_searched(start, 56000.0) is start  # it improved on its start: it searched
    bounded = SolveOutcome("feasible", "time limit", 56221.3, 55000.0, 0.02, 5.0)
    assert not_searched(bounded, 56221.3) is bounded  # a bound is a search's proof
    assert not_searched(start, None) is start  # a first stage's start is no earlier stage's plan
    stopped = SolveOutcome("feasible", "interrupted (Ctrl-C)", 56221.3, None, None, 0.1)
    assert not_searched(stopped, 56221.3).termination == "interrupted (Ctrl-C)"  # the run says it


def test_a_run_whose_last_stage_never_searched_reports_the_stage_before(monkeypatch, tmp_path):
    """`capopt solve --robust 2 --time-limit 60` printed "gap — on cost": the cost stage had
    0.1 s, handed back the capability plan with no bound, and hid the capability stage's
    5.35 % gap; its Summary said "cost: feasible" for a cost no search had touched."""
    original = PersistentSolver.solve

    def starved_cost_stage(self, time_limit, gap, warm_start=False):
        if self.stage.endswith("cost"):
            held = pyo.value(self.model.objective_expr["cost"])
            return SolveOutcome(
                "feasible", "engine: time limit, before any search improved the start plan", held, None, None, 0.1
            )
        return original(self, time_limit, gap, warm_start)

    monkeypatch.setattr(PersistentSolver, "solve", starved_cost_stage)
    result = Scenario(busy_small_nation()).solve(time_limit=30, gap=0.0)
    assert [s.objective for s in result.stages] == ["shortfall", "capability", "cost"]
    assert result.stages[-1].outcome.status == "no_solution"
    assert result.gap_objective == "capability" and result.not_optimised == ["cost"]
    assert result.gap == result.stages[1].outcome.gap and result.status == "feasible"
    rows = dict(result.summary_rows())
    assert str(rows["stage_3"]).startswith(f"cost: no_solution, {NOT_SEARCHED}")
    assert check_plan(result.inputs, result.decisions) == []
    # and a comparison with the plan's workbook reads the same from its Summary
    proof = read_plan_file(result.to_excel(tmp_path / "plan.xlsx"), result.inputs).proof
    assert (proof["status"], proof["gap_of"], proof["not_optimised"]) == ("feasible", "capability", "cost")
