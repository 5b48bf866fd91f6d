"""The LP-guided engine: plans it returns are feasible and never beat the proven optimum,
its bound is a true bound, and with time to spare it agrees with brute-force enumeration."""

from __future__ import annotations

import numpy as np
import pytest

from data.tables import objective_sense
from models import build_model, extract_decisions
from optimizer import InfeasibleError, Scenario
from optimizer.checks.verify import check_plan
from optimizer.solve.engine.engine import Engine, feasible
from optimizer.solve.engine.neighbourhoods import column_groups
from optimizer.solve.engine.problem import MipArrays
from optimizer.solve.engine.workers import InlinePool
from optimizer.solve.objectives import set_objective, weighted_expression
from optimizer.solve.solver import PersistentSolver, SolverOptions
from tests.optimizer.bruteforce import feasible_plans, random_tiny_inputs

SEEDS = range(8)
OBJECTIVES = ("capability", "cost", "shortfall", "interoperability", "risk")


def engine_for(inputs, weights, seed=0):
    """The engine on `inputs`' model with a weighted objective, run in this process."""
    m = build_model(inputs)
    set_objective(m, weighted_expression(m, weights), "max")
    solver = PersistentSolver(m, SolverOptions())
    solver.matrix_nonzeros()  # hands the model to HiGHS
    backend = solver._backend
    arrays = MipArrays.from_highs(backend.highs)
    engine = Engine(arrays, column_groups(backend.mirror.columns), InlinePool(), seed=seed)
    return m, backend, arrays, engine


@pytest.mark.parametrize("seed", SEEDS)
def test_engine_plans_are_feasible_and_bounded_by_enumeration(seed):
    """Whatever the engine returns is a real plan, at most the optimum, under its bound."""
    inputs = random_tiny_inputs(seed)
    plans = feasible_plans(inputs)
    if not plans:  # commitments that clash: the relaxation already proves it
        assert engine_for(inputs, {"capability": 1.0})[3].solve(time_limit=30, gap=0.0).status == "infeasible"
        return
    for name in OBJECTIVES:
        sign = 1 if objective_sense(name) == "max" else -1
        best = max(sign * obj[name] for _, obj in plans)
        m, backend, arrays, engine = engine_for(inputs, {name: 1.0})
        report = engine.solve(time_limit=30, gap=0.0)
        assert report.x is not None and feasible(arrays, report.x)
        assert report.objective <= best + 1e-6, (seed, name)
        assert report.bound >= best - 1e-6, (seed, name)  # the LP relaxation bounds the optimum
        backend.mirror.set_values(report.x, round_integers=True)
        assert check_plan(inputs, extract_decisions(m, inputs)) == []


@pytest.mark.parametrize("seed", SEEDS)
def test_lns_strategy_matches_enumeration(seed):
    """With time to spare the engine's run ends in HiGHS from its plan: exact optimum."""
    inputs = random_tiny_inputs(seed)
    plans = feasible_plans(inputs)
    if not plans:
        with pytest.raises(InfeasibleError):
            Scenario(inputs).solve(objective="weighted", weights={"capability": 1.0}, time_limit=30, strategy="lns")
        return
    for name in OBJECTIVES:
        sign = 1 if objective_sense(name) == "max" else -1
        best = max(sign * obj[name] for _, obj in plans) * sign
        result = Scenario(inputs).solve(
            objective="weighted", weights={name: 1.0}, gap=0.0, time_limit=30, strategy="lns", workers=1
        )
        assert result.objectives[name] == pytest.approx(best, abs=1e-6), (seed, name)
        assert result.status == "optimal"
        assert result.strategy.startswith("lns")


def test_same_seed_and_worker_count_give_the_same_plan():
    """Runs that end by their gap target or by running out of ideas are reproducible."""
    inputs = random_tiny_inputs(3)
    runs = []
    for workers in (1, 1, 2, 2):
        result = Scenario(inputs).solve(
            objective="weighted", weights={"capability": 1.0, "cost": 0.01}, gap=0.0, time_limit=60,
            strategy="lns", workers=workers,
        )
        runs.append((workers, result.decisions))
    assert runs[0][1] == runs[1][1]
    assert runs[2][1] == runs[3][1]


def test_a_stop_request_keeps_the_start_plan():
    """Ctrl-C (or the deadline) before any search: the start plan comes back, as it was."""
    inputs = random_tiny_inputs(1)
    m, backend, arrays, engine = engine_for(inputs, {"capability": 1.0})
    start = np.zeros(arrays.columns)  # funding nothing satisfies every rule here
    start = np.clip(start, arrays.col_lower, arrays.col_upper)
    engine.should_stop = lambda: True
    report = engine.solve(time_limit=30, gap=0.0, start=start if feasible(arrays, start) else None)
    assert report.stopped_by in ("interrupted", "gap target")
    if report.x is not None:
        assert feasible(arrays, report.x)


def test_summary_records_strategy_and_bound_source():
    inputs = random_tiny_inputs(2)
    result = Scenario(inputs).solve(objective="weighted", weights={"capability": 1.0}, time_limit=30)
    rows = dict(result.summary_rows())
    assert rows["strategy"].startswith("highs (automatic:")  # tiny models keep branch-and-bound
    assert rows["bound_source"] == "branch-and-bound"
    forced = Scenario(inputs).solve(
        objective="weighted", weights={"capability": 1.0}, time_limit=30, strategy="lns", workers=1
    )
    assert dict(forced.summary_rows())["strategy"].startswith("lns")


def test_unknown_strategy_is_refused_before_building():
    with pytest.raises(ValueError, match="unknown strategy 'fast'"):
        Scenario(random_tiny_inputs(0)).solve(strategy="fast")


@pytest.mark.parametrize(
    ("nonzeros", "expected"), [(7_707, "highs"), (65_801, "highs"), (97_022, "lns"), (500_368, "lns")]
)
def test_auto_strategy_by_size(nonzeros, expected):
    from optimizer.solve.engine.strategy import choose_strategy

    chosen, note = choose_strategy("auto", nonzeros)
    assert chosen == expected
    assert note == f"{expected} (automatic: {nonzeros:,} non-zeros)"
    assert choose_strategy("highs", nonzeros) == ("highs", "highs")


@pytest.mark.parametrize("seed", (0, 3))
def test_rens_strategy_matches_enumeration(seed):
    """LP relaxation and RENS, then HiGHS from that plan: still the exact optimum."""
    inputs = random_tiny_inputs(seed)
    plans = feasible_plans(inputs)
    assert plans, "the chosen seeds have feasible plans"
    best = max(obj["capability"] for _, obj in plans)
    result = Scenario(inputs).solve(
        objective="weighted", weights={"capability": 1.0}, gap=0.0, time_limit=30, strategy="rens"
    )
    assert result.objectives["capability"] == pytest.approx(best, abs=1e-6)
    assert result.strategy == "rens, then highs"
