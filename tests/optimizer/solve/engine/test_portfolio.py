"""The portfolio (HiGHS's branch-and-bound beside the engine), and the engine's answers when
its own searches come up empty: a start plan whose balances no longer fit, no plan at all."""

from __future__ import annotations

import numpy as np
import pytest

from optimizer import Scenario
from optimizer.solve.engine.engine import (
    BRANCH_AND_BOUND,
    NO_NODE_LIMIT,
    NO_PLAN,
    Engine,
    feasible,
    whole_model_task,
)
from optimizer.solve.engine.neighbourhoods import column_groups
from optimizer.solve.engine.strategy import ENGINE_FROM_NONZEROS, PORTFOLIO_FROM_NONZEROS, choose_strategy
from optimizer.solve.engine.subsolve import WorkerModel
from tests.optimizer.bruteforce import feasible_plans, random_tiny_inputs
from tests.optimizer.solve.engine.test_engine import (
    SEEDS,
    WorkersInline,
    best_per_objective,
    capability_cases,
    engine_for,
)


@pytest.mark.parametrize(
    ("nonzeros", "workers", "expected"),
    [
        (PORTFOLIO_FROM_NONZEROS - 1, 2, "highs"),
        (65_801, 2, "portfolio"),  # the reference dataset on a 2-core machine
        (65_801, 1, "highs"),  # a sweep's point on one core
        (ENGINE_FROM_NONZEROS, 2, "lns"),
        (ENGINE_FROM_NONZEROS, 1, "lns"),
    ],
)
def test_auto_runs_the_portfolio_on_mid_size_models_with_two_workers(nonzeros, workers, expected):
    chosen, note = choose_strategy("auto", nonzeros, workers)
    assert chosen == expected
    # where the one worker, not the size, decided, the note says so: "highs (automatic: 65,801
    # non-zeros)" was re-run with the options the Summary recorded, and got the portfolio
    decided_by_workers = expected == "highs" and nonzeros >= PORTFOLIO_FROM_NONZEROS
    assert note == f"{expected} (automatic: {nonzeros:,} non-zeros" + (
        "; one worker: the portfolio needs two)" if decided_by_workers else ")"
    )


def test_a_portfolio_asked_for_on_one_worker_is_plain_branch_and_bound():
    assert choose_strategy("portfolio", 65_801, 1) == ("highs", "highs (portfolio needs two workers: one)")
    assert choose_strategy("portfolio", 65_801, 2) == ("portfolio", "portfolio")


@pytest.mark.parametrize("seed", SEEDS)
def test_the_portfolio_answers_with_the_branch_and_bound_plan_it_proved(seed):
    """Branch-and-bound proved the gap: its plan is the answer whatever the neighbourhoods
    found, so the answer does not depend on which search ended first; it is the enumerated
    optimum, and the run says it is reproducible."""
    inputs = random_tiny_inputs(seed)
    for name, best in best_per_objective(inputs):
        _m, backend, arrays, _ = engine_for(inputs, {name: 1.0})
        pool = WorkersInline(2)
        report = Engine(arrays, column_groups(backend.mirror.columns), pool, seed=seed).solve(
            30, 0.0, branch_and_bound=True
        )
        assert pool.submitted == [BRANCH_AND_BOUND]  # and no root-node job beside it
        task = whole_model_task(BRANCH_AND_BOUND, None, 30, NO_NODE_LIMIT, gap=0.0, seed=seed)
        alone = WorkerModel(arrays).solve(task)
        assert report.objective == pytest.approx(best, abs=1e-6), (seed, name)
        assert np.array_equal(np.round(report.x[arrays.integer]), np.round(alone.x[arrays.integer]))
        assert report.reproducible and report.status == "optimal"


def test_a_start_whose_balances_no_longer_fit_is_repaired():
    """A sweep point's start is its neighbour's plan: decisions that still fit, balances
    that do not. The engine keeps the decisions and solves payments and balances anew."""
    repaired = 0
    for seed in SEEDS:
        inputs = random_tiny_inputs(seed)
        if not feasible_plans(inputs):
            continue
        _m, _backend, arrays, engine = engine_for(inputs, {"capability": 1.0})
        plan = engine.solve(time_limit=30, gap=0.0).x
        broken = plan.copy()
        broken[~arrays.integer] += 1.0  # every payment and balance off by one
        if feasible(arrays, broken):
            continue
        fixed = engine_for(inputs, {"capability": 1.0})[3]._repaired(broken)
        if fixed is None:
            continue  # some balance cannot follow (a bound the shifted plan broke)
        assert feasible(arrays, fixed)
        assert np.array_equal(fixed[arrays.integer], plan[arrays.integer])
        repaired += 1
    assert repaired > 0


@pytest.mark.parametrize("seed", SEEDS)
def test_an_engine_run_without_any_plan_hands_the_time_to_branch_and_bound(seed, monkeypatch):
    """No start and no RENS plan (RENS is infeasible on the reference dataset's stages): the
    run does not end empty-handed; HiGHS gets the time left and finds the optimum."""
    monkeypatch.setattr(Engine, "_rens", lambda self, report, lp, deadline: None)
    monkeypatch.setattr(Engine, "_repaired", lambda self, start: None)  # no start plan either
    inputs = random_tiny_inputs(seed)
    plans = feasible_plans(inputs)
    if not plans:
        return
    best = max(obj["capability"] for _, obj in plans)
    result = Scenario(inputs).solve(
        objective="weighted", weights={"capability": 1.0}, gap=0.0, time_limit=30, strategy="lns", workers=1
    )
    assert result.objectives["capability"] == pytest.approx(best, abs=1e-6)
    assert result.status == "optimal"
    if result.bound_source != "LP relaxation":  # an integral LP is a plan in itself
        # and the termination says HiGHS ran after the engine ("engine: RENS done" alone hid it)
        assert result.termination == f"engine: {NO_PLAN}, then HiGHS: Optimal"
        assert result.bound_source == "branch-and-bound"


def test_the_softer_rens_fixing_keeps_the_plan_in_hand_feasible():
    """Only columns the LP and the plan in hand both leave at their lower bound are fixed:
    the plan stays a plan of the neighbourhood, and every fixed value is whole."""
    from optimizer.solve.engine.neighbourhoods import rens_fixing

    checked = 0
    for seed in SEEDS:
        inputs = random_tiny_inputs(seed)
        _m, _backend, arrays, engine = engine_for(inputs, {"capability": 1.0})
        lp = arrays.highs(relax=True)
        lp.run()
        x_lp = np.array(lp.getSolution().col_value)
        plan = engine.solve(time_limit=30, gap=0.0).x
        if plan is None:
            continue
        strict, _ = rens_fixing(arrays, x_lp)
        index, value = rens_fixing(arrays, x_lp, only_at_lower=True, incumbent=plan)
        assert set(index) <= set(strict)
        assert np.array_equal(value, arrays.col_lower[index]) and np.array_equal(np.round(plan[index]), value)
        checked += 1
    assert checked > 0


def test_when_rens_admits_no_plan_the_softer_fixing_is_tried(monkeypatch):
    """RENS's fixing infeasible (here forced: every programme funded): the engine tries the
    softer fixing instead, before the neighbourhoods, and its plans stay true plans under
    the bound."""
    from optimizer.solve.engine.engine import SOFT_RENS

    make_rens_infeasible(monkeypatch)
    rounds = record_rens_rounds(monkeypatch)
    tried = 0
    for seed, inputs, best in capability_cases():
        rounds.clear()
        _m, _backend, arrays, engine = engine_for(inputs, {"capability": 1.0})
        report = engine.solve(time_limit=30, gap=0.0)
        if rounds:  # an integral LP needs no RENS at all
            tried += rounds == [SOFT_RENS]  # presolve proved RENS's own fixing empty: not solved
            assert report.x is not None and feasible(arrays, report.x)
            assert report.objective <= best + 1e-6 <= report.bound + 2e-6
    assert tried > 0


def test_on_large_models_with_a_plan_the_softer_fixing_is_skipped(monkeypatch):
    """From SOFT_RENS_BELOW_NONZEROS on (here every model counts as large), RENS admitting
    no plan sends the engine to the neighbourhoods of the plan in hand; with no plan in hand
    the softer fixing still runs, since it is the only way to a first plan."""
    from optimizer.solve.engine import engine as engine_module
    from optimizer.solve.engine.engine import SOFT_RENS
    from tests.optimizer.solve.engine.test_engine import fund_nothing

    make_rens_infeasible(monkeypatch)
    monkeypatch.setattr(engine_module, "SOFT_RENS_BELOW_NONZEROS", 0)
    rounds = record_rens_rounds(monkeypatch)
    seen = set()
    for seed, inputs, best in capability_cases():
        for with_start in (True, False):
            _m, _backend, arrays, engine = engine_for(inputs, {"capability": 1.0})
            start = fund_nothing(arrays) if with_start else None
            if with_start and start is None:
                continue
            rounds.clear()
            report = engine.solve(time_limit=30, gap=0.0, start=start)
            lp = arrays.highs(relax=True)
            lp.run()
            if not arrays.fractional(np.array(lp.getSolution().col_value)).any():
                continue  # an integral LP needs no RENS at all
            assert rounds == ([] if with_start else [SOFT_RENS])
            seen.add(with_start)
            if report.x is not None:
                assert feasible(arrays, report.x) and report.objective <= best + 1e-6
    assert seen == {True, False}


def record_rens_rounds(monkeypatch) -> list[str]:
    """The names of the RENS rounds the engine runs from now on (the list fills as it runs)."""
    rounds: list[str] = []
    real_round = Engine._rens_round

    def recording(self, report, lp, name, fixing, start, seconds):
        rounds.append(name)
        real_round(self, report, lp, name, fixing, start, seconds)

    monkeypatch.setattr(Engine, "_rens_round", recording)
    return rounds


def make_rens_infeasible(monkeypatch) -> None:
    """RENS's own fixing becomes "fund every programme", which no budget allows."""
    from optimizer.solve.engine import engine as engine_module

    real = engine_module.rens_fixing

    def fund_everything_first(arrays, lp, only_at_lower=False, incumbent=None):
        if only_at_lower:
            return real(arrays, lp, only_at_lower, incumbent)
        index = np.flatnonzero(arrays.integer).astype(np.int32)
        return index, arrays.col_upper[index]

    monkeypatch.setattr(engine_module, "rens_fixing", fund_everything_first)


def test_when_rens_admits_no_plan_the_root_node_waits_for_a_good_plan(monkeypatch):
    """Both workers search for plans until one is within GOOD_START_GAP of the LP bound;
    only then does one of them solve the root node for a sharper bound."""
    import time

    from optimizer.solve.engine import engine as engine_module
    from optimizer.solve.engine.engine import GOOD_START_GAP, ROOT_BOUND, EngineReport
    from tests.optimizer.solve.engine.test_engine import fund_nothing

    make_rens_infeasible(monkeypatch)
    deferred = 0
    for seed, inputs, _ in capability_cases():
        _m, backend, arrays, _ = engine_for(inputs, {"capability": 1.0})
        pool = WorkersInline(2)
        engine = Engine(arrays, column_groups(backend.mirror.columns), pool, seed=seed)
        report, deadline = EngineReport(), time.monotonic() + 30
        start = fund_nothing(arrays)
        if start is None:
            continue
        engine._take(report, start, arrays.objective(start), "start plan")
        lp = engine._relaxation(report, deadline)
        if lp is None or not arrays.fractional(lp).any():
            continue
        if not engine._admits_no_plan(*engine_module.rens_fixing(arrays, lp)):
            continue
        engine._rens(report, lp, deadline)
        assert pool.submitted == [] and engine._root_deferred
        engine._start_deferred_root(report, deadline)
        assert pool.submitted == ([ROOT_BOUND] if report.gap <= GOOD_START_GAP else [])
        deferred += 1
    assert deferred > 0


RETURN_SECONDS = 0.1  # from HiGHS's time limit to its result in the run's hands


class SlowBranchAndBound(WorkersInline):
    """The portfolio's branch-and-bound as a time-limited HiGHS returns it: done only when
    its own time limit has passed, not proven, with a bound (here the enumerated optimum)."""

    def __init__(self, bound: float) -> None:
        super().__init__(2)
        self.bound = bound

    def submit(self, key, arrays, task):
        import time

        from optimizer.solve.engine.subsolve import TaskResult

        self.submitted.append(task.name)
        ends = time.monotonic() + task.time_limit + RETURN_SECONDS  # HiGHS stops, then hands back

        class Job:
            def done(self) -> bool:
                return time.monotonic() >= ends

            def result(inner) -> TaskResult:
                return TaskResult(task.name, "solution", None, None, task.time_limit, True, False, self.bound)

        return Job()


def test_a_time_limited_portfolio_keeps_the_branch_and_bound_bound():
    """At the time limit the portfolio keeps the sharper bound of the two searches
    (docs/model.md). HiGHS was given the whole time, its result came back after the run had
    ended, and the run reported the LP's bound: 4.79 % where HiGHS's proved 4.18 %."""
    for seed, inputs, best in capability_cases():
        _m, backend, arrays, _ = engine_for(inputs, {"capability": 1.0})
        relaxation = arrays.highs(relax=True)
        relaxation.run()
        if relaxation.getInfo().objective_function_value < best + 1e-6:
            continue  # the LP's bound is already the optimum: no sharper bound to keep
        pool = SlowBranchAndBound(best)
        report = Engine(arrays, column_groups(backend.mirror.columns), pool, seed=seed).solve(
            4.0, 0.0, branch_and_bound=True
        )
        assert pool.submitted == [BRANCH_AND_BOUND]
        assert report.bound_source == BRANCH_AND_BOUND, seed
        assert report.bound == pytest.approx(best)
        return
    pytest.fail("no tiny instance whose LP bound is above its optimum")


def test_a_whole_model_job_hands_its_highs_log_back_when_asked():
    """A worker has no terminal and the log file is the main process's: HiGHS's log of a
    whole-model job comes back with the result, and only when the run keeps a log."""
    inputs = random_tiny_inputs(SEEDS[0])
    _, _, arrays, _ = engine_for(inputs, {"capability": 1.0})
    kept = WorkerModel(arrays).solve(whole_model_task(BRANCH_AND_BOUND, None, 30, NO_NODE_LIMIT, keep_log=True))
    quiet = WorkerModel(arrays).solve(whole_model_task(BRANCH_AND_BOUND, None, 30, NO_NODE_LIMIT))
    assert "MIP has" in kept.log and "Solving report" in kept.log
    assert quiet.log == ""
    assert kept.objective == pytest.approx(quiet.objective)


def test_the_portfolio_passes_its_branch_and_bound_log_to_the_run_log():
    """`--log` under the portfolio (the reference dataset's default search) held HiGHS's
    banner and nothing of the branch-and-bound that decided the run."""
    inputs = random_tiny_inputs(SEEDS[0])
    _, backend, arrays, _ = engine_for(inputs, {"capability": 1.0})
    written: list[str] = []
    Engine(arrays, column_groups(backend.mirror.columns), WorkersInline(2), solver_log=written.append).solve(
        30, 0.0, branch_and_bound=True
    )
    (section,) = [text for text in written if "on a worker process ---" in text]
    assert section.lstrip().startswith(f"--- {BRANCH_AND_BOUND}, on a worker process ---")
    assert "Solving report" in section


def test_the_engine_writes_its_plans_and_bounds_to_the_run_log():
    """Under `lns` the solver log held HiGHS's banner alone: the LP relaxation, RENS and the
    neighbourhoods are the engine's own search."""
    inputs = random_tiny_inputs(SEEDS[0])
    _, backend, arrays, _ = engine_for(inputs, {"capability": 1.0})
    written: list[str] = []
    Engine(arrays, column_groups(backend.mirror.columns), WorkersInline(1), solver_log=written.append).solve(30, 0.0)
    text = "".join(written)
    assert "[engine" in text and "LP relaxation proves the bound" in text and " found " in text
