"""A front's Summary says what was proven: `gap` is of the objective `best_bound` is of, and
`termination` says why the run ended. On a shortfall-capability front of the reference
dataset (50 s, 3 points) point 1 had shortfall 0 and best_bound 0 yet gap 0.116 (its grid
subproblem's gap), the Dashboard said "not proven the best possible, within 11.61 %", and
termination said "complete" with three subproblems unproven. Small fronts here, solved in
well under a second; the time-limited outcomes are imposed on their solves."""

from __future__ import annotations

import time
from dataclasses import replace

import openpyxl
import pytest

import optimizer.studies.pareto as pareto_module
from optimizer import Scenario
from optimizer.solve.solver import PersistentSolver, relative_gap
from optimizer.studies.pareto.front import FrontPoint
from tests.optimizer.conftest import make_inputs, nation, programme


def shortfall_inputs():
    """Shortfall 0 needs P3 (land), which costs capability (air): a front of 3 plans."""
    return make_inputs(
        first_year=2030,
        last_year=2032,
        nations=[nation("A"), nation("B")],
        budgets=10.0,
        programmes=[programme("P1", cost=6), programme("P2", cost=6, duration=2), programme("P3", cost=8)],
        areas=("air", "land"),
        values={("P1", "air"): 5.0, ("P2", "air"): 4.0, ("P3", "land"): 1.0},
        targets=[("ALLIANCE", "land", 2032, 2.0)],
    )


def solve_front(**kwargs):
    return Scenario(shortfall_inputs()).pareto(["shortfall", "capability"], points=3, threads=1, **kwargs)


@pytest.fixture(scope="module")
def front():
    return solve_front(time_limit=30)


def dashboard_text(path) -> list[str]:
    book = openpyxl.load_workbook(path, read_only=True)
    return [v for row in book["Dashboard"].iter_rows(values_only=True) for v in row if isinstance(v, str)]


def test_point_1s_gap_is_its_primary_against_the_bound_beside_it(front, tmp_path):
    """Point 1 a grid point whose ε-subproblem stopped at 11.6 % (as in the reference run):
    its shortfall 0 meets the bound 0, so the gap is 0 and point 1 is the best in shortfall."""
    first = front.points_found[0]
    grid_point = FrontPoint(first.decisions, first.objectives, False, 0.116, (0,), first.inputs)
    loose = replace(front, points_found=[grid_point, *front.points_found[1:]], payoff_proven=False)
    summary = dict(loose.summary_rows())
    assert (summary["shortfall"], summary["best_bound"]) == (0.0, 0.0)
    assert summary["gap"] == 0.0
    assert summary["gap_of"].startswith("point 1 (the least shortfall found): its shortfall against best_bound")
    assert loose.points.loc[0, ["gap", "gap_of"]].tolist() == [0.116, "ε-subproblem"]  # its own solve's, so named
    text = dashboard_text(loose.to_excel(tmp_path / "front.xlsx"))
    assert not any("11.6" in t for t in text)
    assert "• point 1 is the best in shortfall; the Plan sheets hold every point's plan" in text


def test_a_gap_against_a_looser_bound_is_that_distance_whatever_point_1s_own_gap(front, tmp_path):
    """Point 1 with shortfall 1 against a bound of 0.5 (a payoff solve stopped short): the
    gap is |1 − 0.5| / 1 = 0.5, in shortfall's sense, however small point 1's own solve gap."""
    second = front.points_found[1]
    assert second.objectives["shortfall"] == 1.0
    grid_point = FrontPoint(second.decisions, second.objectives, False, 0.001, (0,), second.inputs)
    loose = replace(front, points_found=[grid_point, front.points_found[2]], payoff_proven=False, primary_bound=0.5)
    summary = dict(loose.summary_rows())
    assert summary["best_bound"] == 0.5
    assert summary["gap"] == pytest.approx(0.5) == relative_gap(1.0, 0.5)
    # the Dashboard's sentence is that gap's, never point 1's own 0.1 %
    assert (
        "• point 1 has the best shortfall found, not proven the best possible, within 50 % of it; "
        "the Plan sheets hold every point's plan"
    ) in dashboard_text(loose.to_excel(tmp_path / "f.xlsx"))


def test_a_payoff_rows_gap_is_of_its_own_objective(front):
    assert front.points["gap_of"].tolist() == ["shortfall", "ε-subproblem", "capability"]


def test_a_finished_grid_with_every_point_proven_says_so(front):
    summary = dict(front.summary_rows())
    assert summary["termination"] == "grid finished"
    assert summary["status"] == "optimal"


def test_points_stopped_by_their_time_share_are_the_termination(monkeypatch):
    """Every grid subproblem stopped short, as the reference run's three: the grid was
    walked, but "complete" hid that the time limit left them unproven."""
    real_solve = PersistentSolver.solve

    def stopped_short(self, *args, **kwargs):
        out = real_solve(self, *args, **kwargs)
        return replace(out, status="feasible", termination="time limit") if self.stage.startswith("grid") else out

    monkeypatch.setattr(PersistentSolver, "solve", stopped_short)
    monkeypatch.setattr(pareto_module, "payoff_answers", lambda table, proofs: ())  # solve every grid point
    front = solve_front(time_limit=30)
    assert front.complete and front.stats.unproven == 3
    summary = dict(front.summary_rows())
    assert summary["termination"] == "time limit: 3 grid points not proven"
    assert summary["status"] == "feasible"


def test_a_run_out_of_time_before_the_grid_ends_says_so(monkeypatch):
    def walk_until_the_deadline(m, inputs, persistent, spec, deadline, *rest):
        time.sleep(max(deadline - time.monotonic(), 0.0) + 0.01)
        return False

    monkeypatch.setattr(pareto_module, "_walk_grid", walk_until_the_deadline)
    front = solve_front(time_limit=1.0)
    assert dict(front.summary_rows())["termination"] == "time limit: the grid was not finished"
    unproven = replace(front, payoff_proven=False)
    assert unproven.termination == "time limit: the grid was not finished; the payoff table not proven"
