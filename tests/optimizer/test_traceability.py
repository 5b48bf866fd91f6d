"""A plan's workbook says what made it: the inputs as changed after reading, the run's time
limit and threads, the software and machine, and whether a rerun gives the same plan."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest

from optimizer.result import CHANGES_LISTED, input_change_rows
from optimizer.solve.objectives import Stage
from optimizer.solve.solver import SolveOutcome
from tests.optimizer.test_api_arguments import two_programmes


def summary(result) -> dict[str, object]:
    return dict(result.summary_rows())


def test_a_what_if_plan_says_what_was_changed_after_reading(tmp_path):
    """A plan of budgets ×0.6 said only the workbook's name and hash: it read as the
    workbook's own plan."""
    changed = (
        two_programmes()
        .with_budget(0.6, years=[2030])
        .with_settings(carry_over_fraction=0.1)
        .with_commitment("A", "P2", "exclude")
    )
    rows = summary(changed.solve(time_limit=20))
    assert rows["input_changes"] == (
        "made from input_file changed after reading: budgets ×0.6 in 2030; "
        "Settings carry_over_fraction=0.1; commitment A exclude P2"
    )
    assert "input_changes" not in summary(two_programmes().solve(time_limit=20))
    path = changed.solve(time_limit=20).to_excel(tmp_path / "plan.xlsx")
    dashboard = openpyxl.load_workbook(path)["Dashboard"]
    title = next(c.value for row in dashboard.iter_rows(max_row=3) for c in row if isinstance(c.value, str))
    assert "changed after reading" in title


def test_a_long_list_of_changes_is_cut_short():
    changes = [f"commitment A fund P{i}" for i in range(CHANGES_LISTED + 5)]
    (_, text), *each = input_change_rows(changes)
    assert text.endswith("; … and 5 more (every change: the input_change:<n> rows below)")
    assert f"P{CHANGES_LISTED - 1}" in text and f"P{CHANGES_LISTED};" not in text
    assert [change for _, change in each] == changes


def test_a_study_names_the_changes_its_points_share():
    """The what-ifs made before a sweep, not each point's own budget scale."""
    sweep = two_programmes().with_settings(carry_over_fraction=0.1).budget_sweep([0.9, 1.0], time_limit=20)
    rows = dict(sweep.summary_rows())
    assert rows["input_changes"] == "made from input_file changed after reading: Settings carry_over_fraction=0.1"


def test_the_summary_records_the_time_limit_threads_and_environment():
    rows = summary(two_programmes().solve(time_limit=17, threads=1))
    assert rows["time_limit"] == 17.0 and rows["threads"] == 1
    assert summary(two_programmes().solve(time_limit=17))["threads"] == "solver default"
    assert {"python_version", "pyomo_version", "machine"} <= set(rows)
    import optimizer.result

    checkout = Path(__file__).resolve().parents[2]
    loaded_from_checkout = checkout in Path(optimizer.result.__file__).resolve().parents
    if shutil.which("git") and (checkout / ".git").exists() and loaded_from_checkout:
        head = subprocess.run(
            ["git", "-C", str(checkout), "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        assert str(rows["tool_commit"]).startswith(head)


def test_only_a_run_proven_at_every_stage_is_called_reproducible():
    result = two_programmes().solve(time_limit=20)
    assert summary(result)["reproducible"].startswith("yes")
    stopped = SolveOutcome("feasible", "Time limit reached", 9.0, 10.0, 0.1, 5.0)
    by_clock = SolveOutcome("optimal", "engine: gap target (timing-dependent)", 9.0, 9.05, 0.005, 5.0)
    for outcome in (stopped, by_clock):
        changed = replace(result, stages=result.stages[:-1] + (Stage(result.stages[-1].objective, outcome),))
        text = summary(changed)["reproducible"]
        assert text.startswith("no: ") and outcome.termination in text, text
    cut_short = replace(result, stages=result.stages[:1])
    assert summary(cut_short)["reproducible"].startswith("no: the time ran out")
    # the weightiest reason is named: a stage stopped by the time limit, not an earlier stage
    # proven with gap 0 by a timing-dependent search (a robust run blamed its shortfall stage)
    both = replace(
        result,
        stages=(Stage(result.stages[0].objective, by_clock),)
        + result.stages[1:-1]
        + (Stage(result.stages[-1].objective, stopped),),
    )
    assert summary(both)["reproducible"].startswith(f"no: the {result.stages[-1].objective} stage stopped before")


def test_a_run_whose_start_came_from_fix_and_optimise_on_a_clock_budget_is_not_called_reproducible():
    """`--improve N` re-plans one nation after another until its N seconds are used, so how
    many nations it reached, and the plan the proof then starts from, depends on the clock.
    Two runs of `capopt solve S.xlsx --strategy highs --improve 1` (the S benchmark instance),
    both proven within 1 %, re-planned 2 and 6 nations and wrote plans differing in 38 of
    57 Plan rows, each saying "reproducible: yes"."""
    plain = two_programmes().solve(time_limit=20, strategy="highs")
    assert summary(plain)["reproducible"].startswith("yes")
    improved = two_programmes().solve(time_limit=20, strategy="highs", improve_seconds=4)
    rows = summary(improved)
    assert improved.status == "optimal" and rows["improve"] == "4 s"
    assert rows["reproducible"].startswith("no: fix-and-optimise by nation ran on a clock budget (4 s)")


def test_a_study_summary_names_each_point_s_own_inputs():
    """`--carry-over 0.35 --borrow 0.1` and a sweep's `--years` were recorded nowhere."""
    flexibility = two_programmes().flexibility_value(
        carry_over_fraction=0.35, borrow_fraction=0.1, time_limit=20, workers=1
    )
    points = dict(flexibility.sweep.summary_rows())["point_changes"]
    assert (
        "carry-over: starts in planning-cycle years, carry-over 0.35 for every nation, borrowing 0.1 for every nation"
    ) in points
    assert "rigid: starts in planning-cycle years, no carry-over or borrowing" in points
    sweep = two_programmes().budget_sweep([0.8, 1.0], years=[2030], time_limit=20)
    assert (
        dict(sweep.summary_rows())["point_changes"]
        == "budget ×0.8: budgets ×0.8 in 2030; budget ×1: budgets ×1 in 2030"
    )


def test_a_study_s_cost_adds_up_from_its_plans_and_standard_adoptions():
    """The study workbook has Plans but no Standards sheet: cost missed the adoption costs."""
    from optimizer import Scenario

    small = Scenario.from_excel(Path(__file__).resolve().parents[2] / "examples" / "small" / "small.xlsx")
    sweep = small.budget_sweep([0.8, 1.0], time_limit=20)
    plans, table = sweep.plans, sweep.table
    assert (table["standards_adoption_cost"] > 0).any()
    for _, point in table.iterrows():
        programme_costs = plans.loc[plans["scenario"] == point["scenario"], "cost"].sum()
        assert programme_costs + point["standards_adoption_cost"] == pytest.approx(point["cost"])


def test_a_front_says_what_made_it_too():
    rows = dict(
        two_programmes()
        .with_budget(0.9)
        .pareto(objectives=["capability", "cost"], points=2, time_limit=20)
        .summary_rows()
    )
    assert rows["input_changes"] == "made from input_file changed after reading: budgets ×0.9"
    assert {"python_version", "pyomo_version", "machine"} <= set(rows)
    assert (rows["time_limit"], rows["point_time_limit"], rows["threads"]) == (
        20,
        "none (the time limit)",
        "solver default",
    )
    timed = dict(
        two_programmes()
        .pareto(objectives=["capability", "cost"], points=2, time_limit=20, point_time_limit=5, threads=1)
        .summary_rows()
    )
    assert (timed["point_time_limit"], timed["threads"]) == (5, 1)


def capability_proven_cost_unbounded():
    """A plan whose capability stage proved 1.86 % and whose cost stage kept its start plan
    with no bound (so the run's gap is blank)."""
    result = two_programmes().solve(time_limit=20)
    proven = SolveOutcome("optimal", "gap target", 9.0, 9.1674, 0.0186, 2.0)
    no_bound = SolveOutcome("feasible", "Time limit reached", 12.0, None, None, 5.0)
    stages = (result.stages[0], Stage("capability", proven), Stage("cost", no_bound))
    return replace(result, status="feasible", stages=stages, gap=None, best_bound=None)


def test_a_study_point_without_a_gap_says_what_its_stages_proved():
    """A sweep point whose cost stage kept its start plan (no bound) had a blank gap and
    nothing more, though its capability stage had proven 1.86 %."""
    from data.dashboard import sweep_findings
    from optimizer.studies.sweeps import Sweep, SweepPoint

    unproven = capability_proven_cost_unbounded()
    sweep = Sweep([SweepPoint("budget ×0.6", 0.6, unproven, None, 5.0)], "budget_scale", True, 5.0)
    proof = sweep.table.loc[0, "proof"]
    assert "no bound is proven on cost" in proof and "capability was proven within 1.86 %" in proof
    _, lines = sweep_findings(sweep.table, "budget_scale")
    assert any("capability was proven within 1.86 %" in line for line in lines if line.startswith("not proven"))


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_tool_commit_only_for_a_module_the_repository_tracks(tmp_path):
    """A package installed into a virtual environment inside another repository (a
    planner's own) must not report that repository's commit."""
    from optimizer.result import _source_commit

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True)

    git("init", "-q")
    tracked, installed = tmp_path / "optimizer" / "result.py", tmp_path / ".venv" / "optimizer" / "result.py"
    for path in (tracked, installed):
        path.parent.mkdir(parents=True)
        path.write_text("# a module\n")
    git("add", "optimizer/result.py")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "one")
    assert _source_commit(installed) == ""
    assert len(_source_commit(tracked)) == 12
    tracked.write_text("# changed\n")
    assert _source_commit(tracked).endswith("-dirty")


def test_a_one_point_study_does_not_call_its_own_point_an_earlier_what_if():
    rows = dict(two_programmes().budget_sweep([0.8], time_limit=20).summary_rows())
    assert "input_changes" not in rows and rows["point_changes"] == "budget ×0.8: budgets ×0.8"


def test_a_study_of_changed_inputs_says_so_in_its_dashboard_title(tmp_path):
    def title(sweep, name):
        dashboard = openpyxl.load_workbook(sweep.to_excel(tmp_path / name))["Dashboard"]
        return next(c.value for row in dashboard.iter_rows(max_row=3) for c in row if isinstance(c.value, str))

    assert "changed after reading" in title(
        two_programmes().with_budget(0.9).budget_sweep([0.8, 1.0], time_limit=20), "a.xlsx"
    )
    assert "changed after reading" not in title(two_programmes().budget_sweep([0.8, 1.0], time_limit=20), "b.xlsx")


def test_the_flexibility_solves_table_says_what_each_lever_proved_and_its_adoption_cost():
    solves = two_programmes().flexibility_value(time_limit=20, workers=1).solves
    assert {"proof", "standards_adoption_cost"} <= set(solves.columns)


def test_a_sweep_of_some_years_says_which_years():
    sweep = two_programmes().budget_sweep([0.8, 1.0], years=[2031], time_limit=20)
    assert "budgets scaled for every nation in 2031" in sweep.notes


def test_an_interrupted_stage_is_said_to_be_interrupted_not_timed_out():
    result = two_programmes().solve(time_limit=20)
    stopped = SolveOutcome("feasible", "interrupted (timing-dependent)", 9.0, 10.0, 0.1, 5.0)
    changed = replace(result, stages=result.stages[:-1] + (Stage(result.stages[-1].objective, stopped),))
    assert "stage was interrupted (Ctrl-C)" in summary(changed)["reproducible"]


def test_inputs_changed_by_hand_through_with_inputs_are_noted_once(tmp_path):
    from optimizer import Scenario

    small = Scenario.from_excel(Path(__file__).resolve().parents[2] / "examples" / "small" / "small.xlsx")
    halved = {key: value / 2 for key, value in small.inputs.budgets.items()}
    by_hand = small.with_inputs(replace(small.inputs, budgets=halved), name="halved")
    changes = by_hand.inputs.source.changes
    assert (
        len(changes) == 15
        and changes[0] == "inputs replaced in Python (with_inputs: halved): Budgets ALPHA 2027 10.0 → 5.0"
    )
    assert small.with_budget(0.5).inputs.source.changes == ("budgets ×0.5",)
    assert small.with_inputs(small.inputs).inputs.source.changes == ()


def test_input_changes_use_the_workbook_s_spelling_and_a_re_plan_s_history_is_not_one():
    from optimizer.studies.replan import replan

    changed = two_programmes().with_budget(0.5, nations=["a"])
    assert changed.inputs.source.changes[-1] == "budgets ×0.5 for A"
    base = two_programmes()
    previous = base.solve(time_limit=20)
    outcome = replan(base, previous.decisions, 2031, time_limit=20)
    assert "input_changes" not in dict(outcome.result.summary_rows())


def test_a_robustness_point_without_a_gap_says_what_its_stages_proved():
    from optimizer.studies.robustness import RobustnessReport
    from optimizer.studies.sweeps import Sweep, SweepPoint

    unproven = capability_proven_cost_unbounded()
    sweep = Sweep([SweepPoint("Γ=0", 0.0, unproven, None, 5.0)], "robust_overruns", True, 5.0)
    proof = RobustnessReport(sweep, [0]).table.loc[0, "proof"]
    assert "no bound is proven on cost" in proof and "capability was proven within 1.86 %" in proof


def test_the_headline_counts_in_the_singular_where_there_is_one() -> None:
    """ "1 programmes funded (0 joint) by 1 nations; 1 nation-programme pairs"."""
    from optimizer import Scenario
    from tests.optimizer.conftest import make_inputs, nation, programme

    inputs = make_inputs(
        first_year=2030, last_year=2031, nations=[nation("A")], budgets=10.0, programmes=[programme("P", 1, 8)]
    )
    result = Scenario(inputs).solve(time_limit=30, threads=1)
    assert result.headline() == "1 programme funded (0 joint) by 1 nation; 1 nation-programme pair"


@pytest.mark.parametrize("scale", [0.6, 0.8, 1.2])
def test_a_plan_written_and_read_back_is_the_plan_solved(tmp_path, scale):
    """A payment of 1.7999999999999998 came back as 1.8 (openpyxl's 16 digits), so the plan
    read back was not the plan solved, and the Summary's bound lost its last digit."""
    from data.plan_reader import read_plan
    from optimizer import Scenario

    scenario = Scenario.from_excel(Path(__file__).resolve().parents[2] / "examples" / "small" / "small.xlsx")
    variant = scenario.with_budget(scale)
    result = variant.solve(time_limit=20, threads=1)
    path = result.to_excel(tmp_path / "plan.xlsx")
    assert read_plan(path, variant.inputs) == result.decisions
    wb = openpyxl.load_workbook(path, read_only=True)  # read-only keeps the file open until closed
    rows = dict(wb["Summary"].iter_rows(values_only=True))
    wb.close()
    assert rows["best_bound"] == result.best_bound


def test_every_change_made_by_hand_is_in_the_summary_in_full():
    """Four Values cells changed by hand were recorded as "Values: 4 cells changed, e.g. J1 AD
    4 → 5" and an added commitment as "1 added, 0 removed": the plan's capability could not
    be recomputed from what its workbook recorded. Every change is now named; beyond ten,
    each in its own `input_change:<n>` row."""
    from optimizer import Scenario
    from optimizer.result import CHANGES_LISTED, input_change_rows

    small = Scenario.from_excel(Path(__file__).resolve().parents[2] / "examples" / "small" / "small.xlsx")
    values = dict(small.inputs.values)
    changed = sorted(values)[:4]
    values.update({key: values[key] + 1 for key in changed})
    by_hand = small.with_inputs(replace(small.inputs, values=values, targets=small.inputs.targets[1:]))
    changes = by_hand.inputs.source.changes
    for programme, area in changed:
        assert any(
            f"Values {programme} {area} {values[programme, area] - 1!r} → {values[programme, area]!r}" in c
            for c in changes
        ), changes
    # every digit: "10 → 10" for 10.0000004 could not be recomputed
    exact = small.with_inputs(replace(small.inputs, budgets={**small.inputs.budgets, ("ALPHA", 2027): 10.0000004}))
    assert exact.inputs.source.changes[-1].endswith("Budgets ALPHA 2027 10.0 → 10.0000004")
    dropped = small.inputs.targets[0]
    assert any(f"Targets row removed: nation {dropped.nation}, area {dropped.area}" in c for c in changes), changes
    many = tuple(f"change {n}" for n in range(CHANGES_LISTED + 3))
    rows = dict(input_change_rows(many))
    assert "and 3 more" in str(rows["input_changes"])
    assert [rows[f"input_change:{n + 1}"] for n in range(len(many))] == list(many)
    assert "input_change:1" not in dict(input_change_rows(many[:CHANGES_LISTED]))


def test_the_strategy_row_gives_the_models_size_not_its_last_stages():
    """A lexicographic run's later stages hold the earlier objectives in extra rows, and the
    Summary's strategy row gave the last stage's non-zeros, not those of the model itself."""
    lexicographic = summary(two_programmes().solve(priority=["capability", "cost"], threads=1))
    capability_only = summary(two_programmes().solve(weights={"capability": 1.0}, threads=1))
    assert lexicographic["strategy"] == capability_only["strategy"]
    assert str(lexicographic["strategy"]).startswith("highs (automatic: "), lexicographic["strategy"]
