"""Sweeps: same answers inline, on local processes and on a real local Dask cluster;
budget-only sweeps reuse one model; interrupted sweeps keep what was solved."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import openpyxl
import pandas as pd
import pytest

import optimizer
from optimizer import Scenario, sweep
from optimizer.solve.solver import INTERRUPT
from optimizer.studies.flexibility import flexibility_value
from optimizer.studies.sweeps import Sweep, SweepPoint, budget_sweep, parse_range, tolerance_notes
from tests.optimizer.conftest import make_inputs, nation, programme, two_nations


def unproven(result):  # type: ignore[no-untyped-def]
    """`result` as a solve stopped by its time limit leaves it: no stage proven (a point
    proven with no gap is never solved again by the monotone repair)."""
    import dataclasses

    return dataclasses.replace(
        result,
        stages=tuple(
            dataclasses.replace(stage, outcome=dataclasses.replace(stage.outcome, status="feasible", gap=None))
            for stage in result.stages
        ),
    )


OBJECTIVE_COLUMNS = ["capability", "cost", "shortfall", "interoperability", "risk"]


def small_scenario() -> Scenario:
    """Two allies, three programmes of different value per cost, a 4-year horizon."""
    inputs = make_inputs(
        first_year=2030,
        last_year=2033,
        nations=[nation("A"), nation("B", carry=0.2)],
        budgets=10.0,
        programmes=[
            programme("P1", cost=8),
            programme("P2", cost=5, duration=2),
            programme("P3", cost=12, duration=2, flexible=True),
        ],
        values={("P1", "air"): 5.0, ("P2", "air"): 4.0, ("P3", "air"): 9.0},
        planning_cycle_years=2,
    )
    return Scenario(inputs, name="small")


def frame(s) -> pd.DataFrame:
    return s.table[["scenario", "status", *OBJECTIVE_COLUMNS]]


def test_parse_range():
    assert parse_range("0.6:1.4:0.2") == [0.6, 0.8, 1.0, 1.2, 1.4]
    assert parse_range("0.5,1") == [0.5, 1.0]
    assert parse_range("0.6:1.4:0.1")[-1] == 1.4
    with pytest.raises(ValueError, match="end at 0.5, not at 0.6"):
        parse_range("0.5:0.6:1")  # swept 0.5 alone, without a word
    with pytest.raises(ValueError, match="more than once"):
        parse_range("1,0.5,1")  # one scenario solved twice
    with pytest.raises(ValueError):
        parse_range("1:0:0.1")


def test_budget_sweep_is_monotone_and_identical_inline_and_on_processes():
    scenario = small_scenario()
    scales = [0.4, 0.7, 1.0, 1.3, 1.6]
    inline = budget_sweep(scenario, scales, workers=1, gap=0.0, time_limit=30)
    parallel = budget_sweep(scenario, scales, workers=2, gap=0.0, time_limit=30)
    pd.testing.assert_frame_equal(frame(inline), frame(parallel))
    capability = inline.table["capability"].tolist()
    assert capability == sorted(capability), "more money never buys less capability"
    assert inline.complete and len(inline.points) == 5
    # the reused-model path agrees with solving each point from scratch
    fresh = budget_sweep(scenario, scales, workers=1, gap=0.0, time_limit=30, reuse_model=False)
    pd.testing.assert_frame_equal(frame(inline), frame(fresh))


def test_sweep_workbook_and_core_index(tmp_path):
    import openpyxl

    result = budget_sweep(small_scenario(), [0.5, 1.0, 1.5], workers=1, gap=0.0, time_limit=30)
    core = result.core_index
    assert core["share"].between(0, 1).all()
    path = result.to_excel(tmp_path / "sweep.xlsx")
    wb = openpyxl.load_workbook(path)
    assert {"Sweep", "Plans", "CoreIndex"} <= set(wb.sheetnames)
    assert wb["Sweep"]._charts, "the budget efficiency curve chart is missing"
    # every scenario's spend and adoptions, so its figures can be traced from the workbook
    assert wb.sheetnames.index("Plans") < wb.sheetnames.index("Standards") < wb.sheetnames.index("Spend")
    spend = list(wb["Spend"].iter_rows(values_only=True))
    assert spend[0][:4] == ("scenario", "nation", "year", "budget")
    inputs = small_scenario().inputs
    for point in result.points:
        rows = [r for r in spend[1:] if r[0] == point.name]
        assert len(rows) == len(inputs.nations) * len(inputs.years)
        assert sum(r[4] for r in rows) == pytest.approx(float(point.result.spend["spend"].sum()))
    # a joint member's payments by year (a Spend row's joint share could not be traced)
    paid = list(wb["Contributions"].iter_rows(values_only=True))
    assert paid[0] == ("scenario", "programme", "nation", "year", "payment")
    for point in result.points:
        rows = [r for r in paid[1:] if r[0] == point.name]
        assert len(rows) == len(point.result.contributions)
        assert sum(r[4] for r in rows) == pytest.approx(float(point.result.contributions["payment"].sum()))


def test_a_study_summary_names_the_input_file_beside_its_hash(tmp_path):
    """A sweep's (and so a robustness or flexibility study's) Summary gave only the input's
    SHA-256: nothing a planner could open to trace its numbers back."""
    import openpyxl

    from data.tables import Source

    scenario = small_scenario()
    book = scenario.with_inputs(scenario.inputs.with_changes(source=Source("books/alliance.xlsx", "ab" * 32)))
    path = budget_sweep(book, [1.0], workers=1, gap=0.0, time_limit=30).to_excel(tmp_path / "sweep.xlsx")
    summary = {r[0]: r[1] for r in openpyxl.load_workbook(path)["Summary"].iter_rows(min_row=2, values_only=True)}
    assert (summary["input_file"], summary["input_sha256"]) == ("books/alliance.xlsx", "ab" * 32)


def test_general_sweep_of_what_ifs():
    base = small_scenario()
    result = sweep([base, base.without_programme("P3"), base.with_budget(scale=0.5, nations=["A"])], workers=1, gap=0.0)
    table = result.table
    assert list(table["scenario"]) == [base.name, f"{base.name} without P3", f"{base.name} budget×0.5 A"]
    assert table.loc[1, "capability"] <= table.loc[0, "capability"]


def test_interrupted_sweep_keeps_solved_scenarios(monkeypatch):
    """Interrupt after the first scenario: the sweep returns it and says it is incomplete."""
    from optimizer.studies import sweeps

    original = sweeps.SweepPoint
    calls = []

    def point(*args, **kwargs):
        calls.append(1)
        INTERRUPT.set()
        return original(*args, **kwargs)

    monkeypatch.setattr(sweeps, "SweepPoint", point)
    try:
        result = budget_sweep(small_scenario(), [0.5, 1.0, 1.5], workers=1, gap=0.0, chain_length=1)
    finally:
        INTERRUPT.clear()
    assert len(result.points) == 1 and not result.complete


def test_flexibility_levers_are_never_worse_than_rigid(tmp_path):
    report = flexibility_value(small_scenario(), workers=1, gap=0.0, time_limit=30)
    table = report.by_objective.set_index("objective")
    capability = table.loc["capability"]
    assert capability["flexible"] >= capability["rigid"] - 1e-6
    assert capability["free starts"] >= capability["rigid"] - 1e-6
    assert capability["carry-over"] >= capability["rigid"] - 1e-6
    assert not report.by_nation.empty
    assert report.to_excel(tmp_path / "flex.xlsx").exists()


def test_flexibility_by_nation_adds_up_to_the_objectives_and_studies_show_their_bounds():
    """ByNation's columns are each nation's share of the capability objective and what it
    pays, so they add up to ByObjective (its "capability-years" matched no objective), and
    every scenario's gap stands beside the bound it is measured against."""
    report = flexibility_value(small_scenario(), workers=1, gap=0.0, time_limit=30)
    objectives = report.by_objective.set_index("objective")
    by_nation = report.by_nation
    for lever in ("rigid", "flexible"):
        assert by_nation[f"capability ({lever})"].sum() == pytest.approx(objectives.loc["capability", lever])
        assert by_nation[f"cost ({lever})"].sum() == pytest.approx(objectives.loc["cost", lever])
    gained = by_nation["capability gained by flexibility"].sum()
    assert gained == pytest.approx(objectives.loc["capability", "flexible"] - objectives.loc["capability", "rigid"])
    for row in report.solves.to_dict("records"):
        assert row["best_bound"] is not None and row["gap"] is not None
    for point, row in zip(report.sweep.points, report.sweep.table.to_dict("records")):
        assert row["best_bound"] == point.result.best_bound


def test_a_lever_whose_rules_break_a_commitment_has_no_plan_and_the_study_goes_on(tmp_path):
    """P3 may start off-cycle (flexible_start), and A must fund it in 2031: valid input, but
    the rigid cycle forbids that start. The study stopped with an input error at the
    commitment's row (and, with no rigid plan, would have crashed writing its tables)."""
    base = small_scenario().with_commitment("A", "P3", "fund", start_year=2031)
    report = flexibility_value(base, workers=1, gap=0.0, time_limit=30)
    solves = report.solves.set_index("lever")["status"]
    assert solves["rigid"].startswith("infeasible in this scenario: ")
    assert "A cannot fund P3 starting 2031" in solves["rigid"]
    assert solves["free starts"] == "optimal"
    table = report.by_objective.set_index("objective")
    assert table.loc["capability", "free starts"] > 0
    assert table.loc["capability", "worth of free starts (+ is better)"] is None  # nothing to measure it against
    assert "capability gained by flexibility" not in report.by_nation
    assert report.to_excel(tmp_path / "flex.xlsx").exists()


def test_the_flexibility_dashboard_compares_the_four_plans_only(tmp_path):
    """The "worth of …" columns are differences between plans, not plans: read as levers the
    Dashboard said "worth of carry-over -37,807.0 (-100.1%)" on the reference dataset."""
    import openpyxl

    report = flexibility_value(small_scenario(), workers=1, gap=0.0, time_limit=30)
    book = openpyxl.load_workbook(report.to_excel(tmp_path / "flex.xlsx"), read_only=True)
    text = " ".join(str(v) for row in book["Dashboard"].iter_rows(values_only=True) for v in row if v is not None)
    assert "worth of" not in text.replace("What flexibility is worth", "")
    assert "flexible" in text


def test_a_lever_left_worse_than_a_plan_it_could_keep_is_solved_again(monkeypatch):
    """A plan without a lever is a plan with it too: rigid ⊆ free starts, carry-over ⊆
    flexible. A lever whose own solve came back worse (here: a plan funding nothing stands in
    for a solve stopped by its time limit) is solved again from the best plan it can keep,
    never from one using a lever it lacks (the free-starts plan is no carry-over plan)."""
    from optimizer.studies import flexibility as flexibility_module
    from optimizer.studies.sweeps import SweepPoint

    real_run_jobs = flexibility_module.run_jobs

    def worse_carry_over(jobs, **kwargs):
        sweep_ = real_run_jobs(jobs, **kwargs)
        [job] = [j for j in jobs if j.name == "carry-over"]
        empty = unproven(Scenario(job.inputs).solve(objective="weighted", weights={"cost": 1.0}))  # funds nothing
        sweep_.points = [
            SweepPoint(p.name, p.x, empty, None, 0.0) if p.name == "carry-over" else p for p in sweep_.points
        ]
        return sweep_

    # one programme of 8 a year fits a budget of 10: rigid starts in the cycle years 2030
    # and 2032 only, free starts in 2030–2032 as well, so the free-starts plan is the better one
    inputs = make_inputs(
        first_year=2030,
        last_year=2033,
        nations=[nation("A", carry=0.2)],
        budgets=10.0,
        programmes=[programme(f"P{i}", cost=8) for i in range(1, 5)],
        values={(f"P{i}", "air"): 5.0 for i in range(1, 5)},
        planning_cycle_years=2,
    )
    monkeypatch.setattr(flexibility_module, "run_jobs", worse_carry_over)
    report = flexibility_value(Scenario(inputs), workers=1, gap=0.0, time_limit=30)
    capability = report.by_objective.set_index("objective").loc["capability"]
    assert 0 < capability["rigid"] < capability["free starts"]
    assert capability["carry-over"] >= capability["rigid"] - 1e-6
    assert [n for n in report.notes if "solved again" in n] == [
        (
            "carry-over was solved again from the rigid plan (a plan without a lever is a plan with it "
            "too, and better than what its own solve found in time)"
        )
    ]


def test_a_lever_losing_within_the_lexicographic_tolerance_is_explained():
    """Lexicographic runs count plans within the tolerance as equal on an earlier objective and
    let the next decide: a lever may have a little less capability than a plan it could have
    kept, for less cost, and a note says why — naming only plans it could have kept."""
    from dataclasses import replace
    from types import SimpleNamespace

    from optimizer.studies.flexibility import _lever_count, _lever_fits
    from optimizer.studies.sweeps import tolerance_notes

    report = flexibility_value(small_scenario(), workers=1, gap=0.0, time_limit=30)

    def notes(**kwargs):
        return tolerance_notes(report.sweep, kwargs, tightest_first=_lever_count, fits=_lever_fits)

    assert notes() == []  # the same plans: nothing to explain
    rigid = report._result("rigid").objectives["capability"]
    tolerance = report._result("rigid").inputs.settings.lexicographic_tolerance

    def set_capability(lever: str, value: float) -> None:
        points = report.sweep.points
        i = next(k for k, p in enumerate(points) if p.name == lever)
        result = points[i].result
        objectives = dict(result.objectives, capability=value)
        points[i] = replace(points[i], result=SimpleNamespace(inputs=result.inputs, objectives=objectives))

    set_capability("carry-over", rigid * (1 - tolerance / 2))
    [line] = notes()
    assert line.startswith("carry-over: capability") and "below rigid's" in line
    assert "within the lexicographic tolerance" in line
    assert notes(objective="weighted") == []
    set_capability("carry-over", rigid * (1 - 3 * tolerance))
    assert notes() == []  # beyond the tolerance it is no trade: repair_nested's job
    # free starts does best, but its plan is no carry-over plan: carry-over is held to rigid
    set_capability("free starts", rigid * (1 + tolerance / 4))
    set_capability("carry-over", rigid)
    [line] = notes()  # flexible could have kept the free-starts plan; carry-over could not
    assert line.startswith("flexible: capability") and "below free starts's" in line


def test_the_flexibility_workbook_says_how_far_each_plan_is_proven(tmp_path):
    import openpyxl

    report = flexibility_value(small_scenario(), workers=1, gap=0.0, time_limit=30)
    assert list(report.solves["lever"]) == ["rigid", "free starts", "carry-over", "flexible"]
    assert set(report.solves["status"]) == {"optimal"}
    book = openpyxl.load_workbook(report.to_excel(tmp_path / "flex.xlsx"), read_only=True)
    rows = list(book["Solves"].iter_rows(values_only=True))
    assert rows[0][:3] == ("lever", "status", "gap") and len(rows) == 5


def test_dask_cluster_gives_identical_results():
    from dask import distributed  # the test extra installs capopt[distributed]

    scenario = small_scenario()
    scales = [0.5, 1.0, 1.5, 2.0]
    # ":0": a free port for the dashboard. None still means 8787, and on a machine already
    # running a Dask cluster (another job's) the test failed on the busy port, not on capopt
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster,
        distributed.Client(cluster) as client,
    ):
        on_dask = budget_sweep(scenario, scales, client=client, gap=0.0, time_limit=30)
    inline = budget_sweep(scenario, scales, workers=1, gap=0.0, time_limit=30)
    pd.testing.assert_frame_equal(frame(on_dask), frame(inline))


def test_a_point_whose_later_stages_ran_out_of_time_says_whose_gap_it_reports(monkeypatch):
    """A point's gap is its last stage's that found a plan: when capability and cost got no
    time, the table names shortfall beside its 0 %, so it is not read as the plan's."""
    from optimizer.solve import objectives

    real = objectives.stage_seconds
    monkeypatch.setattr(
        objectives,
        "stage_seconds",
        lambda name, remaining, left: real(name, remaining, left) if name == "shortfall" else 0.0,
    )
    starved = budget_sweep(small_scenario(), [1.0], workers=1, time_limit=30).table.iloc[0]
    assert starved["status"] == "feasible" and starved["gap_of"] == "shortfall"
    monkeypatch.setattr(objectives, "stage_seconds", real)
    full = budget_sweep(small_scenario(), [1.0], workers=1, time_limit=30).table.iloc[0]
    assert full["gap_of"] == "cost"  # the last in the default priority order


def test_points_the_portfolio_suits_are_solved_one_at_a_time_on_every_core(monkeypatch):
    """Where `auto` runs the portfolio (two cores a point), a sweep whose side-by-side
    workers were not asked for solves its points one at a time; asked for, or with
    another strategy or one core, the points stay side by side on one core each."""
    from optimizer.solve.engine import strategy
    from optimizer.studies.sweeps import Job, _wants_every_core

    job = Job("x", 1.0, small_scenario().inputs)
    assert not _wants_every_core(job, "auto", 2)  # tiny: HiGHS proves it in milliseconds
    monkeypatch.setattr(strategy, "PORTFOLIO_FROM_NONZEROS", 0)  # every model counts as mid-size
    assert _wants_every_core(job, "auto", 2)
    assert not _wants_every_core(job, "auto", 1) and not _wants_every_core(job, "highs", 2)
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    swept = budget_sweep(small_scenario(), [0.8, 1.0, 1.2, 1.4], chain_length=1, time_limit=30)
    assert all(p.result.strategy.startswith("portfolio") for p in swept.points)
    side_by_side = budget_sweep(small_scenario(), [0.8, 1.0], chain_length=1, workers=2, time_limit=30)
    assert all(p.result.strategy.startswith("highs") for p in side_by_side.points)
    assert frame(swept).iloc[:2].equals(frame(side_by_side))  # both proven: the same plans


def test_a_budget_point_left_worse_than_a_smaller_budget_is_solved_again_from_it(monkeypatch):
    """A smaller budget's plan fits a larger budget. If the larger budget's own solve came
    back worse (here: a plan funding nothing stands in for a solve stopped by its time
    limit), the point is solved again from the smaller budget's plan, and a note says so:
    the curve never falls as the budget grows."""
    from optimizer.studies import sweeps as sweeps_module
    from optimizer.studies.sweeps import SweepPoint, repair_nested

    scenario = small_scenario()
    kwargs = {"objective": "weighted", "weights": {"capability": 1.0}, "gap": 0.0, "time_limit": 30}
    sweep_ = budget_sweep(scenario, [0.7, 1.3], workers=1, monotone=False, **kwargs)
    bigger = scenario.with_budget(1.3)
    empty = unproven(bigger.solve(objective="weighted", weights={"cost": 1.0}))  # funds nothing
    assert empty.objectives["capability"] == 0 < sweep_.points[0].result.objectives["capability"]
    sweep_.points[1] = SweepPoint("budget ×1.3", 1.3, empty, None, 0.0)
    sweep_.complete = False  # stopped by Ctrl-C: no more solves
    assert (
        repair_nested(
            sweep_, kwargs, tightest_first=lambda point: point.x, inputs_for=lambda donor, point: bigger.inputs, why=""
        )
        == []
    )
    sweep_.complete = True
    seconds_before = sweep_.seconds
    said: list = []  # the bar said "2/2 … ETA 0s" and then nothing while points were solved again
    notes = repair_nested(
        sweep_,
        kwargs,
        tightest_first=lambda point: point.x,
        inputs_for=lambda donor, point: bigger.inputs,
        why="it fits the larger budget too",
        progress=said.append,
    )
    assert [p.phase for p in said] == [
        "solving budget ×1.3 again from budget ×0.7's better plan (it fits the larger budget too)"
    ]
    assert notes == [
        (
            "budget ×1.3 was solved again from the budget ×0.7 plan (it fits the larger budget too, "
            "and better than what its own solve found in time)"
        )
    ]
    capability = sweep_.table["capability"].tolist()
    assert capability == sorted(capability) and capability[1] > 0
    assert sweep_.seconds >= seconds_before + sweep_.points[1].seconds  # the re-solve's time is counted
    # budget_sweep repairs by default, with the points ordered by budget
    seen = []
    monkeypatch.setattr(
        sweeps_module,
        "repair_nested",
        lambda sweep, *args, **kw: seen.append([kw["tightest_first"](p) for p in sweep.points]) or [],
    )
    budget_sweep(scenario, [1.3, 0.7], workers=1, **kwargs)
    assert seen == [[1.3, 0.7]]


def test_a_study_given_a_scheduler_nobody_runs_says_so():
    """The Python API's `scheduler=` path of studies connects as `solve --scheduler` does."""
    import socket

    import dask
    from dask import distributed  # noqa: F401 — first: config.set's exit would drop the defaults it adds

    from optimizer.errors import SolverError

    with socket.socket() as probe:  # a free local port: nothing listens once it is closed
        probe.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{probe.getsockname()[1]}"
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}), pytest.raises(SolverError) as caught:
        budget_sweep(small_scenario(), [1.0], scheduler=address, gap=0.0, time_limit=30)
    assert str(caught.value).startswith(f"no Dask scheduler answered at {address}")


def test_better_holds_earlier_objectives_within_the_tolerance_and_the_last_outright():
    """Plans within the lexicographic tolerance are equal on capability; then cost decides,
    by any amount: the free-starts plan 356 cheaper at 0.4 % less capability is the better
    flexible plan (the tolerance on cost too had kept the dearer one)."""
    from types import SimpleNamespace

    from optimizer.studies.sweeps import better

    inputs = small_scenario().inputs  # tolerance 0.001 in these tests' Settings

    def plan(capability: float, cost: float):
        return SimpleNamespace(inputs=inputs, objectives={"shortfall": 0.0, "capability": capability, "cost": cost})

    tolerance = inputs.settings.lexicographic_tolerance
    kwargs = {"objective": "lexicographic"}
    assert better(plan(1000.0 * (1 - tolerance / 2), 99.0), plan(1000.0, 99.05), kwargs)  # within the tolerance of cost
    assert not better(plan(1000.0 * (1 - 2 * tolerance), 50.0), plan(1000.0, 99.5), kwargs)
    assert not better(plan(1000.0, 99.5), plan(1000.0, 99.5), kwargs)


def test_a_sweep_checks_its_scenarios_and_options_before_any_solve():
    """`sweep([])` raised an IndexError, `sweep(["x"])` an AttributeError, a misspelt
    `time_limt` failed in every worker, and `weights=` on a lexicographic workbook was
    ignored."""
    base = small_scenario()
    with pytest.raises(ValueError, match="expected a non-empty list of Scenario objects"):
        sweep([])
    with pytest.raises(ValueError, match="holds str — expected Scenario objects"):
        sweep(["x"])
    with pytest.raises(TypeError, match="unknown option\\(s\\) time_limt"):
        sweep([base], time_limt=5)
    with pytest.raises(ValueError, match="workers is 0"):
        sweep([base], workers=0)
    study = sweep([base], workers=1, weights={"capability": 1.0}, time_limit=30)
    assert study.points[0].result.objective_mode == "weighted"
    with pytest.raises(ValueError, match="unknown strategy 'fastest'"):
        sweep([base], strategy="fastest")


def test_a_portfolio_asked_for_gets_every_core_one_point_at_a_time():
    """Forced on a study, the portfolio (two workers per solve) ran its points side by side on
    one core each, where it falls back to HiGHS alone: "highs (portfolio needs two workers)"."""
    from optimizer.studies.sweeps import Job, _wants_every_core

    job = Job("x", 1.0, small_scenario().inputs)
    assert _wants_every_core(job, "portfolio", cores=2)
    assert not _wants_every_core(job, "portfolio", cores=1) and not _wants_every_core(job, "highs", cores=2)
    curve = small_scenario().budget_sweep([1.0], strategy="portfolio", gap=0.0)
    assert dict(curve.summary_rows())["strategy_asked"] == "portfolio"
    side_by_side = small_scenario().budget_sweep(
        [0.9, 1.0], strategy="portfolio", gap=0.0, workers=2, reuse_model=False
    )
    if side_by_side.workers == 2:  # (a machine of one core solves them one at a time)
        assert any("every scenario ran HiGHS alone" in note for note in side_by_side.notes)
    assert "strategy_asked" not in dict(small_scenario().budget_sweep([1.0], gap=0.0).summary_rows())


@pytest.mark.parametrize("strategy", ["highs", "lns"])
def test_a_budget_sweeps_strategy_reaches_every_point(strategy):
    """`budget_sweep(strategy=...)` was refused as an unknown option, so a study could not
    force the search its points' solves take (benchmarks/engine_suite's sweep case broke)."""
    curve = small_scenario().budget_sweep([0.8, 1.0], strategy=strategy, workers=1, gap=0.0)
    assert all(p.result.strategy.startswith(strategy) for p in curve.points), [p.result.strategy for p in curve.points]
    assert dict(curve.summary_rows())["strategy"].startswith(strategy)


def test_a_sweep_checks_its_options_against_every_scenario():
    """Options were judged by the first scenario's workbook alone: a weight on an area only
    it has ended in Pyomo's KeyError at the second scenario's solve."""
    base = small_scenario()
    inputs = make_inputs(
        first_year=2030,
        last_year=2033,
        nations=[nation("A")],
        budgets=10.0,
        programmes=[programme("P1", cost=8)],
        areas=("sea",),
        values={("P1", "sea"): 5.0},
    )
    other = Scenario(inputs, name="other")
    with pytest.raises(ValueError, match="air"):
        sweep([base, other], weights={"capability:air": 1.0}, time_limit=10)


def test_a_study_whose_every_lever_is_infeasible_is_written_and_says_so(tmp_path):
    """A commitment no budget can pay: every lever infeasible, and writing the study ended
    in an internal error (found by fuzzing). The workbook is written, and its Dashboard
    says there is no plan to compare."""
    base = small_scenario().with_budget(0.0).with_commitment("A", "P1", "fund")
    report = flexibility_value(base, workers=1, gap=0.0, time_limit=30)
    assert set(report.solves["status"].str.split().str[0]) == {"infeasible"}
    assert report.by_objective.empty and "objective" in report.by_objective
    out = report.to_excel(tmp_path / "flex.xlsx")
    wb = openpyxl.load_workbook(out, read_only=True)
    try:
        text = " ".join(str(c) for row in wb["Dashboard"].iter_rows(values_only=True) for c in row if c)
    finally:
        wb.close()
    assert "no worth can be given: the rigid setting has no plan" in text


def test_a_study_summary_says_whether_a_rerun_gives_the_same_plans():
    """Study Summaries (sweep, robustness, flexibility) said "complete" whatever their solves
    proved: two `capopt flexibility --time-limit 8` runs of the reference dataset wrote
    plans differing in 2,494 Plans rows, neither saying it might not repeat. A study now
    has a plan's `reproducible` row: "yes" only when every scenario's solve would repeat."""
    from dataclasses import replace

    from optimizer.solve.objectives import Stage
    from optimizer.solve.solver import SolveOutcome

    study = small_scenario().budget_sweep([0.8, 1.0], time_limit=20)
    assert all(p.result.reproducibility().startswith("yes") for p in study.points)
    assert dict(study.summary_rows())["reproducible"].startswith("yes: every scenario proven")
    cut = SolveOutcome("feasible", "Time limit reached", 9.0, 10.0, 0.1, 5.0)
    first = study.points[0]
    stopped = replace(
        first,
        result=replace(
            first.result, stages=first.result.stages[:-1] + (Stage(first.result.stages[-1].objective, cut),)
        ),
    )
    clocked = replace(study, points=[stopped, *study.points[1:]])
    assert dict(clocked.summary_rows())["reproducible"].startswith(
        f"no: the plans of 1 of 2 scenarios ({first.name}) depend on timing"
    )
    planless = replace(first, result=None, error="no plan within time limit")
    assert dict(replace(study, points=[planless, *study.points[1:]]).summary_rows())["reproducible"].startswith(
        f"no: the plans of 1 of 2 scenarios ({first.name})"
    )
    assert dict(replace(study, complete=False).summary_rows())["reproducible"].startswith("no: interrupted")
    # and its status detail says how many scenarios are proven: "complete" is a proof's word
    assert dict(study.summary_rows())["status_detail"] == "every scenario solved, 2 of 2 proven within the gap target"
    unproven = replace(first, result=replace(first.result, status="feasible"))
    assert dict(replace(study, points=[unproven, *study.points[1:]]).summary_rows())["status_detail"] == (
        "every scenario solved, 1 of 2 proven within the gap target"
    )
    # a scenario without a plan is not "solved" (it stood beside `solved 1`)
    assert dict(replace(study, points=[planless, *study.points[1:]]).summary_rows())["status_detail"] == (
        "1 of 2 scenarios solved (see each one's status), 1 of 2 proven within the gap target"
    )


def test_study_summary_heads_with_workbook_md_rows() -> None:
    """WORKBOOK.md's Summary rows lead a study's Summary as a plan's: `status` one word (the
    weakest scenario's), `termination`, `objective`, a row per objective, `best_bound` and
    `gap` of the first scenario with a plan, which `objectives_of` names. The status was a
    sentence ("every scenario solved, 2 of 2 proven …") and the other rows were missing."""
    from dataclasses import replace

    study = small_scenario().budget_sweep([0.8, 1.0], time_limit=20)
    first = study.points[0]
    summary = dict(study.summary_rows())
    keys = [key for key, _ in study.summary_rows()]
    required = [
        "status",
        "termination",
        "objective",
        *first.result.inputs.objective_names(),
        "best_bound",
        "gap",
        "solve_seconds",
        "solver",
        "solver_version",
        "input_sha256",
        "tool_version",
        "created_at",
    ]
    assert [key for key in keys if key in required] == required
    assert summary["status"] == "optimal" and summary["objective"] == "lexicographic"
    assert summary["capability"] == pytest.approx(first.result.objectives["capability"])
    assert summary["best_bound"] == first.result.best_bound and summary["objectives_of"] == first.name
    assert summary["gap_of"] == first.result.gap_objective
    assert summary["termination"] == first.result.termination
    unproven = replace(first, result=replace(first.result, status="feasible"))
    assert dict(replace(study, points=[unproven, *study.points[1:]]).summary_rows())["status"] == "feasible"
    infeasible = replace(first, result=None, error="infeasible: budgets")
    with_infeasible = dict(replace(study, points=[infeasible, *study.points[1:]]).summary_rows())
    assert with_infeasible["status"] == "infeasible"
    assert with_infeasible["objectives_of"] == study.points[1].name
    assert with_infeasible["termination"].startswith(f"{first.name}: infeasible: budgets; ")
    planless = replace(first, result=None, error="no plan within time limit")
    assert dict(replace(study, points=[planless, *study.points[1:]]).summary_rows())["status"] == "error"
    interrupted = dict(replace(study, complete=False).summary_rows())
    assert interrupted["status"] == "feasible" and "interrupted" in interrupted["termination"]


# --- a study's options and lists, as the Python API takes them ----------------------------
def test_options_a_study_sets_itself_are_not_offered():
    """`diagnose` and `warm_start` were listed as valid, then failed as "got multiple values
    for keyword argument"; `scenarios` was listed as an option of sweep()."""
    scenario = two_nations()
    for option in ("diagnose", "warm_start"):
        with pytest.raises(TypeError, match=f"unknown option\\(s\\) {option} — expected some of"):
            scenario.budget_sweep([0.9, 1.0], **{option: False})
    with pytest.raises(TypeError) as err:
        optimizer.sweep([scenario], time_limt=5)
    assert "scenarios" not in str(err.value).split("expected")[1]


def test_the_packages_budget_sweep_checks_its_arguments():
    """`from optimizer import budget_sweep` was the study's unchecked function."""
    with pytest.raises(TypeError, match="unknown option\\(s\\) time_limt"):
        optimizer.budget_sweep(two_nations(), [0.9], time_limt=5)
    with pytest.raises(ValueError, match="scales is \\[\\]"):
        optimizer.budget_sweep(two_nations(), [])


def test_a_budget_sweep_reads_its_lists_once():
    """Scales as a numpy array were refused; nations as a generator were empty from the
    second point on."""
    sweep = two_nations().budget_sweep(
        np.array([0.5, 1.0]), nations=(n for n in ["A"]), time_limit=20, workers=1, gap=0
    )
    changes = [point.result.inputs.source.changes for point in sweep.points]
    assert changes == [("budgets ×0.5 for A",), ("budgets ×1 for A",)]


# --- parse_range --------------------------------------------------------------------------
def test_parse_range_refuses_an_empty_list() -> None:
    """ "," parsed as no scale at all; the sweep then failed with an internal error."""
    with pytest.raises(ValueError, match="comma list"):
        parse_range(",")


@pytest.mark.parametrize("text", ["a:1:0.5", "0.8,one,1.2", "0.6:1.4:", "nan:1:0.5", "0:inf:0.5", "0.5,nan", "-1,1"])
def test_parse_range_names_the_part_that_is_not_a_factor(text: str) -> None:
    """'a:1:0.5' reached the planner as Python's "could not convert string to float: 'a'",
    'nan:1:0.5' as "cannot convert float NaN to integer", and '0:inf:0.5' and '0.5,nan' as
    internal errors (exit 1)."""
    with pytest.raises(ValueError, match="is not a number ≥ 0 — expected START:STOP:STEP"):
        parse_range(text)


def test_parse_range_refuses_more_points_than_a_sweep_can_solve() -> None:
    """'0:1:1e-9' built a list of a billion factors (the command sat silent) before any solve."""
    with pytest.raises(ValueError, match="1,000,000,000 budget factors — expected at most 1,000"):
        parse_range("0:1:1e-9")


# --- tolerance notes ----------------------------------------------------------------------
def point(name: str, x: float, **objectives: float) -> SweepPoint:
    """A solved study point with just what `tolerance_notes` reads: objectives and Settings."""
    settings = SimpleNamespace(
        objective="lexicographic", priority=("shortfall", "capability", "cost"), lexicographic_tolerance=0.01
    )
    result = SimpleNamespace(objectives=objectives, inputs=SimpleNamespace(settings=settings))
    return SweepPoint(name, x, result, None, 1.0)  # type: ignore[arg-type]


def test_tolerance_note_is_not_written_where_an_earlier_objective_decided() -> None:
    """Reference robustness study, 15 s a Γ: Γ = 0 (shortfall 0, capability 32,373.8) and
    Γ = 2 (shortfall 140, capability 32,460.3). The note said Γ = 0's capability was "within
    the lexicographic tolerance … the next objective decides" — but shortfall, the first
    objective, decided: Γ = 0 is better on it by far."""
    gamma2 = point("Γ=2", 2.0, shortfall=140.0, capability=32460.3, cost=49136.2)
    gamma0 = point("Γ=0", 0.0, shortfall=0.0, capability=32373.8, cost=47018.3)
    sweep = Sweep([gamma0, gamma2], "robust_overruns", True, 1.0)
    assert tolerance_notes(sweep, {}, tightest_first=lambda p: -(p.x or 0.0)) == []


def test_tolerance_note_is_still_written_where_the_earlier_objectives_are_level() -> None:
    """Same shortfall: the 0.27 % of capability is within the tolerance, and cost decided."""
    gamma2 = point("Γ=2", 2.0, shortfall=0.0, capability=32460.3, cost=49136.2)
    gamma0 = point("Γ=0", 0.0, shortfall=0.0, capability=32373.8, cost=47018.3)
    sweep = Sweep([gamma0, gamma2], "robust_overruns", True, 1.0)
    notes = tolerance_notes(sweep, {}, tightest_first=lambda p: -(p.x or 0.0))
    assert len(notes) == 1 and notes[0].startswith("Γ=0: capability 32,373.8 is 86.5 (0.27%) below Γ=2's")


# --- points proven at gap 0 ---------------------------------------------------------------
def test_a_point_proven_with_no_gap_is_not_solved_again_nor_said_to_have_run_out_of_time() -> None:
    """Both points proven optimal at gap 0, yet budget ×1.5 was "solved again from the budget
    ×1 plan (…, and better than what its own solve found in time)": the repair judged plans by
    a pairwise tolerance tie (capability 10 against 10.5, within 20 %), and the re-solve gave
    the same plan back (a brute-force audit of the studies)."""
    from tests.optimizer.conftest import make_inputs, nation, programme

    inputs = make_inputs(
        first_year=2030,
        last_year=2031,
        nations=[nation("A")],
        budgets={"A": [10, 0]},
        programmes=[programme("P1", 1, 10), programme("P2", 1, 5), programme("P3", 1, 2)],
        areas={"air": 1.0},
        values={("P1", "air"): 10, ("P2", "air"): 3, ("P3", "air"): 0.5},
        planning_cycle_years=1,
        lexicographic_tolerance=0.2,
    )
    sweep = Scenario(inputs).budget_sweep([1.0, 1.5], workers=1, gap=0, time_limit=30)
    assert list(sweep.table["capability"]) == [10.0, 10.5] and list(sweep.table["status"]) == ["optimal"] * 2
    assert not any("solved again" in note for note in sweep.notes)
