"""The LP-guided engine: plans it returns are feasible and never beat the proven optimum,
its bound is a true bound, and with time to spare it agrees with brute-force enumeration."""

from __future__ import annotations

import numpy as np
import pytest

from data.tables import objective_sense
from models import build_model, extract_decisions
from optimizer import InfeasibleError, Scenario
from optimizer.checks.verify import check_plan
from optimizer.solve.engine.engine import PRESOLVED_ROOT, PRESOLVED_ROOT_OPTIONS, ROOT_BOUND, Engine, feasible
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
            objective="weighted",
            weights={"capability": 1.0, "cost": 0.01},
            gap=0.0,
            time_limit=60,
            strategy="lns",
            workers=workers,
        )
        runs.append((workers, result.decisions))
    assert runs[0][1] == runs[1][1]
    assert runs[2][1] == runs[3][1]


def test_a_stop_request_keeps_the_start_plan():
    """Ctrl-C (or the deadline) before any search: the start plan comes back, as it was."""
    inputs = random_tiny_inputs(1)
    _m, _backend, arrays, engine = engine_for(inputs, {"capability": 1.0})
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
    assert note.startswith(f"{expected} (automatic: {nonzeros:,} non-zeros")  # one worker: said when it decided
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
    # the row names where RENS ran, as lns and portfolio rows do (it named no workers)
    assert result.strategy.startswith("rens, ") and result.strategy.endswith(", then highs")
    assert "this process" in result.strategy or "local processes" in result.strategy


class WorkersInline(InlinePool):
    """`size` workers, all in this process (no spawn in tests): the background job (the
    whole model's root node) is solved at once and handed back as a finished future; the
    names and HiGHS options of the jobs submitted are recorded."""

    def __init__(self, size: int = 2) -> None:
        super().__init__()
        self.size = size
        self.submitted: list[str] = []
        self.options: list[tuple] = []
        self.first_bound: list[bool] = []

    def submit(self, key, arrays, task):
        from concurrent.futures import Future

        self.submitted.append(task.name)
        self.options.append(task.options)
        self.first_bound.append(task.first_bound)
        job: Future = Future()
        job.set_result(self.solve(key, arrays, task, lambda: False))
        return job


def best_per_objective(inputs):
    """(objective, its enumerated best as the engine maximises it) for each objective of
    `inputs`; nothing when they admit no plan."""
    plans = feasible_plans(inputs)
    for name in OBJECTIVES if plans else ():
        sign = 1 if objective_sense(name) == "max" else -1
        yield name, max(sign * obj[name] for _, obj in plans)


def capability_cases():
    """(seed, inputs, the enumerated best capability) of every tiny instance with a plan."""
    for seed in SEEDS:
        inputs = random_tiny_inputs(seed)
        plans = feasible_plans(inputs)
        if plans:
            yield seed, inputs, max(obj["capability"] for _, obj in plans)


def fund_nothing(arrays) -> np.ndarray | None:
    """The plan funding nothing, its continuous columns completed by an LP (None: the
    commitments forbid it)."""
    import highspy

    highs = arrays.highs(relax=True)
    lower, upper = arrays.col_lower.copy(), arrays.col_upper.copy()
    lower[arrays.integer] = upper[arrays.integer] = 0.0
    highs.changeColsBounds(arrays.columns, np.arange(arrays.columns, dtype=np.int32), lower, upper)
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    x = np.array(highs.getSolution().col_value)
    return x if feasible(arrays, x) else None


@pytest.mark.parametrize("seed", SEEDS)
def test_the_whole_model_root_bound_never_cuts_off_the_optimum(seed):
    """With a second worker, the root node of the whole model runs beside RENS: whatever
    bound the engine then reports, from the LP or from that root, is at least the
    enumerated optimum (a bound that cut it off would prove a false gap)."""
    inputs = random_tiny_inputs(seed)
    for name, best in best_per_objective(inputs):
        _m, backend, arrays, _ = engine_for(inputs, {name: 1.0})
        engine = Engine(arrays, column_groups(backend.mirror.columns), WorkersInline(), seed=seed)
        report = engine.solve(time_limit=30, gap=0.0, start=fund_nothing(arrays))
        assert report.bound >= best - 1e-6, (seed, name, report.bound_source)
        assert report.objective <= best + 1e-6


def test_the_root_bound_is_kept_when_sharper_and_named():
    """The bound the engine reports is the sharper of the LP's and the root's, with its source."""
    sources = set()
    for seed in SEEDS:
        inputs = random_tiny_inputs(seed)
        _m, backend, arrays, _ = engine_for(inputs, {"capability": 1.0})
        lp = arrays.highs(relax=True)
        lp.run()
        engine = Engine(arrays, column_groups(backend.mirror.columns), WorkersInline(), seed=seed)
        start = fund_nothing(arrays)
        if start is None:
            continue
        pool = engine.pool
        report = engine.solve(time_limit=30, gap=0.0, start=start)
        assert pool.submitted in ([], [ROOT_BOUND])  # none when the LP itself is whole
        assert report.bound <= lp.getInfo().objective_function_value + 1e-6
        if pool.submitted:
            assert not report.reproducible  # when the root's result arrives depends on the clock
        sources.add(report.bound_source)
    assert sources == {"LP relaxation", ROOT_BOUND}  # sharper on some of these models, not on all


def runs_from_funding_nothing(make_pool):
    """(enumerated optimum, arrays, pool, report) of a 30-s engine run on each tiny capability
    case that has the plan funding nothing as its start, on a fresh `make_pool()`."""
    for seed, inputs, best in capability_cases():
        _, backend, arrays, _ = engine_for(inputs, {"capability": 1.0})
        start = fund_nothing(arrays)
        if start is None:
            continue
        pool = make_pool()
        engine = Engine(arrays, column_groups(backend.mirror.columns), pool, seed=seed)
        yield best, arrays, pool, engine.solve(30, 0.0, start=start)


class RootNeverEnds(WorkersInline):
    """Two workers whose background job (the whole model's root node) has not ended when
    the search does, as on a spawned process still starting (or one that fails: `fail`)."""

    def __init__(self, fail: bool = False) -> None:
        super().__init__(2)
        self.fail = fail
        self.abandoned = 0

    def submit(self, key, arrays, task):
        from concurrent.futures import Future

        self.submitted.append(task.name)
        job: Future = Future()
        if self.fail:
            job.set_exception(RuntimeError("worker died"))
        return job

    def abandon(self, job):
        self.abandoned += 1


@pytest.mark.parametrize("fail", (False, True))
def test_a_root_node_job_that_never_came_back_leaves_the_run_timing_dependent(fail):
    """Whether the root node beside the rounds ends before the search does depends on the
    clock: with two workers `capopt solve tiny.xlsx --strategy lns` said "reproducible: yes"
    (engine: no neighbourhood improves, then HiGHS: Optimal; bound from branch-and-bound)
    while its worker process was still starting, and the same solve in the same Python
    process once that process was up took the root's plan and bound and ended otherwise
    (gap target, bound from the root node). A run that went without the root's result only
    because it had not arrived is as timing-dependent as one that took it."""
    for _, arrays, pool, report in runs_from_funding_nothing(lambda: RootNeverEnds(fail)):
        if pool.submitted != [ROOT_BOUND]:
            continue  # the LP was whole, or RENS admitted no plan: no root beside this run
        assert report.x is not None and feasible(arrays, report.x)
        assert not report.reproducible, report.stopped_by
        assert pool.abandoned == (0 if fail else 1)
        return
    pytest.fail("no tiny instance ran the root node beside the rounds")


@pytest.mark.parametrize("seed", SEEDS)
def test_a_crossover_holds_every_unmerged_plan_it_crosses(seed):
    """Plans a round could not merge are crossed with the incumbent in the next round: its
    neighbourhood frees exactly the integer columns where they differ from the incumbent,
    holds the rest at the incumbent, and so finds at least the best of them."""
    from optimizer.solve.engine.engine import CROSSOVER
    from optimizer.solve.engine.neighbourhoods import NeighbourhoodPlan
    from optimizer.solve.engine.subsolve import TaskResult, WorkerModel

    inputs = random_tiny_inputs(seed)
    if not feasible_plans(inputs):
        return
    plans = []
    for name in ("capability", "interoperability"):  # two different plans of the same rows
        _, _, _other_arrays, other_engine = engine_for(inputs, {name: 1.0})
        plans.append(other_engine.solve(time_limit=30, gap=0.0).x)
    _m, _backend, arrays, engine = engine_for(inputs, {"capability": 1.0})
    incumbent = fund_nothing(arrays)
    if incumbent is None:
        return
    engine._unmerged = [
        TaskResult(f"plan {i}", "solution", arrays.objective(x), x, 0.0, False, True) for i, x in enumerate(plans)
    ]
    chosen = engine._crossover_task(NeighbourhoodPlan(arrays, engine.groups, seed), incumbent, 10.0)
    differ = arrays.integer & np.any([np.abs(x - incumbent) > 0.5 for x in plans], axis=0)
    if not differ.any():
        assert chosen == []
        return
    [(kind, task)] = chosen
    assert kind == CROSSOVER and engine._unmerged == []
    assert set(task.fix_index) == set(np.flatnonzero(arrays.integer & ~differ))
    assert np.array_equal(task.fix_value, np.round(incumbent[task.fix_index]))
    result = WorkerModel(arrays).solve(task)
    assert result.x is not None and feasible(arrays, result.x)
    assert result.objective >= max(arrays.objective(x) for x in plans) - 1e-6


@pytest.mark.parametrize(
    "workers, expected",
    [
        (2, (PRESOLVED_ROOT, PRESOLVED_ROOT_OPTIONS, True)),
        (3, (ROOT_BOUND, (("mip_lp_solver", "ipm"),), False)),
    ],
)
def test_on_large_models_the_root_node_needs_a_third_worker(monkeypatch, workers, expected):
    """Above ROOT_BOUND_BELOW_NONZEROS, with two workers the second solves only the
    presolved model's root LP beside the LP relaxation (stopping at its first bound) and
    then searches neighbourhoods; a third solves the whole root node, its LP by interior
    point. Either bound never cuts off the enumerated optimum."""
    from optimizer.solve.engine import engine as engine_module

    monkeypatch.setattr(engine_module, "ROOT_BOUND_BELOW_NONZEROS", 0)  # every model counts as large
    exercised = 0
    for best, _, pool, report in runs_from_funding_nothing(lambda: WorkersInline(workers)):
        assert report.bound >= best - 1e-6
        if pool.submitted:
            assert list(zip(pool.submitted, pool.options, pool.first_bound)) == [expected]
            exercised += 1
    assert exercised > 0


def test_the_presolved_root_stops_at_its_first_bound():
    """A whole-model task with `first_bound` ends with a finite bound that holds for the
    MIP and is never sharper than the bound of the same task run to its end."""
    from optimizer.solve.engine.engine import whole_model_task
    from optimizer.solve.engine.subsolve import WorkerModel

    exercised = 0
    for seed, inputs, best in capability_cases():
        _m, _backend, arrays, _ = engine_for(inputs, {"capability": 1.0})
        task = whole_model_task(PRESOLVED_ROOT, None, 30.0, 1, seed=seed, first_bound=True)
        result = WorkerModel(arrays).solve(task)
        if result.bound is None:  # presolve alone solved it: no search to interrupt
            continue
        assert result.bound >= best - 1e-6
        full = WorkerModel(arrays).solve(whole_model_task(PRESOLVED_ROOT, None, 30.0, 1, seed=seed))
        assert full.bound is not None and full.bound <= result.bound + 1e-6
        exercised += 1
    assert exercised > 0


class CountingPool(InlinePool):
    """This process, counting the rounds it is handed."""

    def __init__(self) -> None:
        super().__init__()
        self.rounds: list[list[str]] = []

    def run(self, key, arrays, tasks, should_stop, busy=0):
        self.rounds.append([task.name for task in tasks])
        return super().run(key, arrays, tasks, should_stop, busy)


@pytest.mark.parametrize("seed", SEEDS)
def test_an_earlier_better_plan_is_crossed_with_the_start(seed):
    """A guide (an earlier solve's plan) that scores better than the start is crossed with
    it: the neighbourhood frees the decisions where they differ, so it holds the guide and
    finds at least as good a plan; a guide no better than the start costs no solve."""
    from optimizer.solve.engine.engine import GUIDED, EngineReport

    inputs = random_tiny_inputs(seed)
    if not feasible_plans(inputs):
        return
    _, _, _, best_engine = engine_for(inputs, {"capability": 1.0})
    guide = best_engine.solve(time_limit=30, gap=0.0).x
    _m, backend, arrays, _ = engine_for(inputs, {"capability": 1.0})
    start = fund_nothing(arrays)
    if start is None or guide is None:
        return
    for guides, crossed in (
        ((guide,), arrays.better(arrays.objective(guide), arrays.objective(start))),
        ((start,), False),
    ):
        pool = CountingPool()
        engine = Engine(arrays, column_groups(backend.mirror.columns), pool, seed=seed, guides=guides)
        report = EngineReport()
        engine._take(report, start, arrays.objective(start), "start plan")
        engine._guided(report, deadline=float("inf"))
        assert pool.rounds == ([[GUIDED]] if crossed else [])
        assert feasible(arrays, report.x)
        if crossed:
            assert report.objective >= arrays.objective(guide) - 1e-6


def test_the_next_engine_solve_gets_the_last_plans_as_guides(monkeypatch):
    """The solver keeps the engine's last plans (GUIDE_PLANS) and hands them to the next
    engine solve on the same model: a lexicographic run's later stages, a sweep's next point."""
    from optimizer.solve import solver as solver_module
    from optimizer.solve.engine import engine as engine_module

    received = []
    original = engine_module.Engine.__init__

    def recording(self, *args, guides=(), **kwargs):
        received.append(len(guides))
        original(self, *args, guides=guides, **kwargs)

    monkeypatch.setattr(engine_module.Engine, "__init__", recording)
    _seed, inputs, _ = next(capability_cases())
    Scenario(inputs).solve(priority=["capability", "cost", "risk"], time_limit=30, strategy="lns", workers=1)
    assert received == [min(k, solver_module.GUIDE_PLANS) for k in range(3)]


@pytest.mark.parametrize("left", [0.1, 1.0, 2.9, 6.0, 60.0])
def test_a_rounds_tasks_end_by_the_deadline(left):
    """A worker runs TASKS_PER_WORKER tasks one after the other: near the deadline each gets
    a share of the time left, so the round ends by it; otherwise LNS_SECONDS."""
    from optimizer.solve.engine import engine as engine_module

    seconds = engine_module._task_seconds(left)
    assert 0 < seconds <= engine_module.LNS_SECONDS
    assert seconds * engine_module.TASKS_PER_WORKER <= max(left, 0.05 * engine_module.TASKS_PER_WORKER)
    if left >= engine_module.LNS_SECONDS * engine_module.TASKS_PER_WORKER + 0.2:
        assert seconds == engine_module.LNS_SECONDS


def test_a_run_whose_time_went_before_any_search_says_so(monkeypatch):
    """A robust L run ended "feasible, gap 45 %" on its greedy start plan with nothing to
    say why: its LP relaxation had taken 105 of its 120 s. The termination now says it."""
    import time as clock

    inputs = random_tiny_inputs(1)
    _m, _backend, arrays, engine = engine_for(inputs, {"capability": 1.0})
    start = np.zeros(arrays.columns)  # funding nothing: a plan of every tiny instance without commitments

    def slow_relaxation(report, deadline):
        clock.sleep(max(deadline - clock.monotonic(), 0.0) + 0.05)
        report.lp_seconds = clock.monotonic() - engine._started

    monkeypatch.setattr(engine, "_relaxation", slow_relaxation)
    monkeypatch.setattr(engine, "_repaired", lambda plan: plan)
    report = engine.solve(time_limit=0.5, gap=0.0, start=start)
    assert report.stopped_by.startswith("time limit, before any search improved the start plan")
    assert "raise the time limit" in report.stopped_by
