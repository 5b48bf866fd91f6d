"""Fix-and-optimise by nation: never worse, always a valid plan, nothing left fixed."""

from __future__ import annotations

import pyomo.environ as pyo
import pytest

from benchmarks.instances import Size, generate
from models import build_model, extract_decisions, set_start
from optimizer.checks.evaluate import objective_values
from optimizer.checks.verify import check_plan
from optimizer.heuristics.greedy import greedy_plan
from optimizer.solve.neighbourhood import improve_by_nation
from optimizer.solve.objectives import set_objective, weighted_expression
from optimizer.solve.solver import PersistentSolver, SolverOptions

WEIGHTS = {"capability": 1.0, "shortfall": 10.0}


@pytest.mark.parametrize("seed", [3, 5])
def test_improves_on_the_greedy_plan_and_keeps_it_valid(seed: int) -> None:
    inputs = generate(Size(4, 8, 6), seed)
    m = build_model(inputs)
    set_objective(m, weighted_expression(m, WEIGHTS), "max")
    seen = []
    solver = PersistentSolver(m, SolverOptions(threads=1), progress=seen.append)
    greedy = greedy_plan(inputs)
    set_start(m, greedy)
    start = objective_values(inputs, greedy)

    report = improve_by_nation(m, solver, time_budget=20)
    # a restricted model's bound is no bound of the real problem: never shown as one
    assert seen and all(p.bound is None and p.gap is None for p in seen)
    assert all("improving" in p.stage for p in seen)
    assert not solver.restricted

    assert report.start == pytest.approx(start["capability"] - 10 * start["shortfall"])
    # the greedy plan leaves room on these instances (measured: 2,935 → 3,791; 2,094 → 3,681)
    assert report.final > report.start + 1.0 and report.improved >= 1
    assert report.solves == len(inputs.nations)
    assert not any(v.fixed for v in m.component_data_objects(pyo.Var))
    plan = extract_decisions(m, inputs)
    assert check_plan(inputs, plan) == []
    values = objective_values(inputs, plan)
    assert values["capability"] - 10 * values["shortfall"] == pytest.approx(report.final, rel=1e-9)
    # the full model is intact afterwards: its optimum is at least the improved plan's
    out = solver.solve(time_limit=30, gap=0.0, warm_start=True)
    assert out.status == "optimal" and out.objective >= report.final - 1e-6


def test_solving_with_improve_keeps_the_exact_optimum() -> None:
    """The neighbourhood only improves the incumbent: at gap 0 the optimum (both modes) is
    the one found without it, and every plan still passes the verifier on export."""
    from pathlib import Path

    from optimizer import Scenario

    scenario = Scenario.from_excel(Path(__file__).resolve().parents[3] / "examples" / "small" / "small.xlsx")
    for mode in ("weighted", "lexicographic"):
        plain = scenario.solve(objective=mode, gap=0.0, time_limit=60)
        improved = scenario.solve(objective=mode, gap=0.0, time_limit=60, improve_seconds=10)
        assert improved.status == plain.status == "optimal"
        for name in ("capability", "cost", "shortfall"):
            assert improved.objectives[name] == pytest.approx(plain.objectives[name], abs=1e-6), (mode, name)


def test_large_models_improve_by_default_and_the_summary_says_so(monkeypatch) -> None:
    """Left unset, `improve_seconds` turns fix-and-optimise on from IMPROVE_FROM_NONZEROS on
    (lowered here to the small example's size), with half the time limit; 0 turns it off,
    and below the size nothing changes."""
    from pathlib import Path

    import optimizer.session as session_module
    from optimizer import Scenario
    from optimizer.solve import neighbourhood

    calls: list[float] = []
    real = neighbourhood.improve_by_nation

    def counting(model, solver, seconds):  # type: ignore[no-untyped-def]
        calls.append(seconds)
        return real(model, solver, seconds)

    monkeypatch.setattr(neighbourhood, "improve_by_nation", counting)
    scenario = Scenario.from_excel(Path(__file__).resolve().parents[3] / "examples" / "small" / "small.xlsx")
    below = scenario.solve(objective="weighted", gap=0.0, time_limit=60)
    assert not calls and "improve" not in dict(below.summary_rows())

    monkeypatch.setattr(session_module, "IMPROVE_FROM_NONZEROS", 1)
    automatic = scenario.solve(objective="weighted", gap=0.0, time_limit=60)
    assert len(calls) == 1 and 25 <= calls[0] <= 30  # half of the limit's remainder
    assert dict(automatic.summary_rows())["improve"].endswith("(automatic: 486 non-zeros)")
    assert automatic.objectives["capability"] == pytest.approx(below.objectives["capability"], abs=1e-6)

    off = scenario.solve(objective="weighted", gap=0.0, time_limit=60, improve_seconds=0)
    assert len(calls) == 1 and "improve" not in dict(off.summary_rows())
