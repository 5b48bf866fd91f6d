"""Re-planning from last year's plan (optimizer.studies.replan); the verifier's frozen-past rule."""

from __future__ import annotations

import dataclasses

import openpyxl
import pytest

from data.errors import InputError
from data.plan_reader import read_plan
from optimizer import Scenario
from optimizer.checks.verify import check_plan_stability
from optimizer.studies.replan import CHANGE_COLUMNS, change_table, replan
from tests.optimizer.conftest import make_inputs, nation, plan, programme, standard, three_programmes
from tests.optimizer.studies.conftest import small


@pytest.fixture()
def scenario() -> Scenario:
    """2030–2033, one ally with 6 a year: one programme of 6 per year. P worth 1 a year, Q 2, R 3."""
    return Scenario(three_programmes())


WEIGHTED = {"objective": "weighted", "weights": {"capability": 1.0}, "gap": 0.0}


def test_history_is_kept_and_changes_must_pay(scenario) -> None:
    """Previous: P 2030 (started), Q 2031, R 2032. Moving R to 2031 and Q to 2032 gains
    R's extra year (3) minus Q's (2) = 1 for 2 moves: worth it at W = 0.4, not at W = 0.6."""
    previous = plan(national={("A", "P"): 2030, ("A", "Q"): 2031, ("A", "R"): 2032})
    cheap = replan(scenario, previous, 2031, 0.4, **WEIGHTED)
    assert cheap.result.decisions.national == {("A", "P"): 2030, ("A", "R"): 2031, ("A", "Q"): 2032}
    changes = cheap.changes.set_index("programme")
    assert list(changes["change"]) == ["moved", "moved"]
    assert changes.loc["R", "capability_delta"] == 3.0 and changes.loc["Q", "capability_delta"] == -2.0
    deltas = cheap.objective_deltas.set_index("objective")
    assert deltas.loc["capability", "delta"] == 1.0 and deltas.loc["capability", "improvement"] == 1.0
    assert cheap.change_count == 2
    dear = replan(scenario, previous, 2031, 0.6, **WEIGHTED)
    assert dear.result.decisions.national == previous.national and dear.changes.empty


def test_lexicographic_runs_charge_every_stage(scenario) -> None:
    """Priority capability, cost: the capability stage sees the same trade-off as above."""
    previous = plan(national={("A", "P"): 2030, ("A", "Q"): 2031, ("A", "R"): 2032})
    kwargs = {"objective": "lexicographic", "priority": ["capability", "cost"], "gap": 0.0}
    assert replan(scenario, previous, 2031, 0.4, **kwargs).change_count == 2
    assert replan(scenario, previous, 2031, 0.6, **kwargs).change_count == 0


def test_stage_rows_name_the_charged_objective_their_values_are_of(scenario) -> None:
    """Every stage optimised its objective with W per change charged: the Summary's stage
    rows showed that sum under the bare name ("cost: optimal, 60270.8" beside a cost of
    60,224.8). Capability 1 higher for 2 changes at W = 0.4: the stage value is 0.8 lower
    than the plan's capability, and the row says "capability − 0.4 × changes"."""
    previous = plan(national={("A", "P"): 2030, ("A", "Q"): 2031, ("A", "R"): 2032})
    kwargs = {"objective": "lexicographic", "priority": ["capability", "cost"], "gap": 0.0}
    outcome = replan(scenario, previous, 2031, 0.4, **kwargs)
    rows = dict(outcome.summary_rows())
    capability = outcome.result.objectives["capability"]
    assert rows["stage_1"].startswith("capability − 0.4 × changes: optimal, ")
    assert float(rows["stage_1"].split(", ")[1]) == pytest.approx(capability - 0.8)
    assert rows["stage_2"].startswith("cost + 0.4 × changes: ")
    unpenalised = replan(scenario, previous, 2031, 0.0, **kwargs)
    assert dict(unpenalised.summary_rows())["stage_1"].startswith("capability: optimal, ")


def test_a_started_programme_stays_even_when_dropping_it_pays(scenario) -> None:
    """Previous: P started 2030. From 2030 on, replacing it with R is worth 3·3 − 1·3 = 6 > W;
    from 2031 on, P has started and stays, whatever the weight."""
    previous = plan(national={("A", "P"): 2030})
    assert replan(scenario, previous, 2030, 0.0, **WEIGHTED).result.decisions.national[("A", "R")] == 2030
    kept = replan(scenario, previous, 2031, 0.0, **WEIGHTED)
    assert kept.result.decisions.national[("A", "P")] == 2030
    assert check_plan_stability(scenario.inputs, kept.result.decisions, previous, 2031) == []


def test_the_verifier_names_every_broken_piece_of_history() -> None:
    inputs = make_inputs(programmes=[programme("P"), programme("J", 1, 10, "joint")], standards=[standard("S")])
    previous = plan(
        national={("A", "P"): 2030},
        joint={"J": (2030, ("A", "B"))},
        payments={("A", "J", 2030): 6, ("B", "J", 2030): 4},
        adoptions={("A", "S"): 2030},
    )
    new = plan(
        national={("A", "P"): 2031, ("B", "P"): 2030},
        joint={"J": (2030, ("A", "B"))},
        payments={("A", "J", 2030): 5, ("B", "J", 2030): 5},
    )
    lines = check_plan_stability(inputs, new, previous, 2031)
    assert lines == [
        "Re-plan from 2031: nation A started P in 2030 in the previous plan, but the new plan starts it in 2031",
        (
            "Re-plan from 2031: nation B starts P in 2030, before 2031, which the previous plan did not "
            "(the past cannot change)"
        ),
        "Re-plan from 2031: adoption of S by A before 2031 changed (2030 → None)",
        "Re-plan from 2031: A paid 6 to J in 2030 in the previous plan, but 5 in the new one (the past cannot change)",
        "Re-plan from 2031: B paid 4 to J in 2030 in the previous plan, but 5 in the new one (the past cannot change)",
    ]
    assert check_plan_stability(inputs, previous, previous, 2031) == []
    assert check_plan_stability(inputs, new, previous, 2030) == []  # nothing was history yet


def test_history_the_inputs_no_longer_allow_is_a_clear_input_error(scenario) -> None:
    later = scenario.with_inputs(
        scenario.inputs.with_changes(
            programmes=tuple(
                p if p.id != "P" else p.__class__(**{**p.__dict__, "earliest_start": 2031})
                for p in scenario.inputs.programmes
            )
        )
    )
    with pytest.raises(InputError, match="previous plan started P for A in 2030"):
        replan(later, plan(national={("A", "P"): 2030}), 2031, 1.0, **WEIGHTED)
    with pytest.raises(InputError, match="outside the horizon"):
        replan(scenario, plan(), 2040, 1.0)


def test_a_cut_budget_the_frozen_past_breaks_is_diagnosed_as_such() -> None:
    """A's 2030 budget cut below what the previous plan spent in it, re-planned from 2031: the
    diagnosis rebuilt the model without the frozen past, blamed commitments that hold
    together, and checked the history commitment by commitment (110 s on the reference)."""
    from optimizer.errors import InfeasibleError

    def inputs(budget_2030: float):  # type: ignore[no-untyped-def]
        return make_inputs(
            first_year=2030,
            last_year=2032,
            nations=[nation("A"), nation("B")],
            budgets={"A": [budget_2030, 10.0, 10.0], "B": [10.0, 10.0, 10.0]},
            programmes=[programme("P", 1, 8), programme("Q", 1, 8)],
        )

    previous = plan(national={("A", "P"): 2030, ("B", "Q"): 2030})
    assert replan(Scenario(inputs(10.0)), previous, 2031, 1.0, **WEIGHTED).change_count == 0
    with pytest.raises(InfeasibleError) as raised:
        replan(Scenario(inputs(6.0)), previous, 2031, 1.0, **WEIGHTED)
    lines = raised.value.conflicts
    assert lines[-1] == (
        "These cannot hold together under: budgets, the re-plan's frozen past (what the previous "
        "plan did before the re-plan year)."
    )
    assert lines[0].startswith(
        "what the previous plan began before 2031 breaks a budget on its own: Nation A in "
        "2030: balance -2 (spend 8, budget 6)"
    )
    assert not any("B" in line.split(":")[0] or "must fund" in line for line in lines)


def test_a_previous_plan_that_breaks_the_rules_is_said_to(scenario) -> None:
    """A hand-edited previous plan that cannot be kept (R and Q both in 2031, 12 against a
    budget of 6) gave a re-plan scoring below it with no word of why."""
    broken = plan(national={("A", "P"): 2030, ("A", "Q"): 2031, ("A", "R"): 2031})
    again = replan(scenario, broken, 2031, 0.5, **WEIGHTED)
    assert any(note.startswith("the previous plan breaks the rules of these inputs: ") for note in again.notes)
    kept = replan(
        scenario, plan(national={("A", "P"): 2030, ("A", "Q"): 2031, ("A", "R"): 2032}), 2031, 0.5, **WEIGHTED
    )
    assert not any("breaks the rules" in note for note in kept.notes)


def test_a_previous_plans_payment_crumbs_do_not_make_the_past_infeasible() -> None:
    """The solver paid a joint programme of 2 as 1.999999 by A and 1e-6 by B (dropped as zero):
    frozen as they were, the payments could not add up to the cost, and re-planning the
    unchanged inputs was "infeasible" (the re-planning property test found it)."""
    from data.tables import JointDecision

    unchanged = Scenario(
        make_inputs(
            first_year=2030,
            last_year=2031,
            nations=[nation("A"), nation("B")],
            budgets=5.0,
            programmes=[programme("P0", 1, 1), programme("P1", 1, 2, "joint"), programme("P2", 1, 1)],
            values={("P1", "air"): 2.0, ("P2", "air"): 2.0},
            targets=[("A", "air", 2031, 4.0)],
            objective="lexicographic",
            priority=("shortfall", "capability", "cost"),
            lexicographic_tolerance=0.3,
        )
    )
    previous = plan(national={("A", "P2"): 2030}, payments={("A", "P1", 2030): 1.9999989999999999})
    previous = dataclasses.replace(previous, joint={"P1": JointDecision(2030, ("A", "B"))})
    again = replan(unchanged, previous, 2031, 0.0, gap=0.0, time_limit=30)
    assert again.change_count == 0 and again.result.decisions.funded() == previous.funded()
    # A paid 1.000002 of a joint 3 beside its national 4, in a budget of 5 (within the solver's
    # feasibility tolerance): the same crumbs frozen exactly overspent the budget
    dearer = unchanged.with_programme("P1", total_cost=3.0).with_programme("P2", total_cost=4.0)
    previous = dataclasses.replace(
        previous, payments={("A", "P1", 2030): 1.0000020000000003, ("B", "P1", 2030): 1.9999979999999997}
    )
    again = replan(dearer, previous, 2031, 0.0, gap=0.0, time_limit=30)
    assert again.change_count == 0 and again.result.decisions.funded() == previous.funded()


def test_the_workbook_lists_changes_and_reads_back(scenario, tmp_path) -> None:
    previous = plan(national={("A", "P"): 2030, ("A", "Q"): 2031, ("A", "R"): 2032})
    outcome = replan(scenario, previous, 2031, 0.4, **WEIGHTED)
    path = outcome.to_excel(tmp_path / "new.xlsx")
    wb = openpyxl.load_workbook(path, read_only=True)
    assert wb.sheetnames[-2:] == ["Changes", "ChangeSummary"]
    rows = list(wb["Changes"].iter_rows(values_only=True))
    assert rows[0][:4] == ("nation", "programme", "sharing", "change") and len(rows) == 3
    summary = {r[0]: r[1] for r in wb["Summary"].iter_rows(min_row=2, values_only=True)}
    assert (summary["replan_from_year"], summary["changes"]) == (2031, 2)
    assert read_plan(path, scenario.inputs) == outcome.result.decisions


# --- the previous plan is the start, the floor of every hold and the fallback (issue 21) ---


@pytest.fixture()
def five() -> Scenario:
    """2030–2031, one ally with 100 a year, five programmes of 10 worth 1 point each if started
    in 2030; lexicographic capability, cost with a 30 % tolerance. Capability peaks at 5 (all
    five); the cost stage may give 1.5 points back, so a solve funds four (capability 4, cost 40)."""
    return Scenario(
        make_inputs(
            first_year=2030,
            last_year=2031,
            nations=[nation("A")],
            budgets=100.0,
            programmes=[programme(f"P{k}", 1, 10) for k in range(1, 6)],
            objective="lexicographic",
            priority=("capability", "cost"),
            lexicographic_tolerance=0.3,
        )
    )


@pytest.mark.parametrize("weight", [0.0, 0.5, 2.0, 50.0])
def test_unchanged_inputs_give_the_previous_plan_back(five, weight) -> None:
    """Before the fix, at W = 2 the capability stage stopped at the previous plan (adding the
    fifth programme gains 1 < 2), its 30 % hold re-anchored at 4 and the cost stage dropped a
    programme the previous plan had (capability 3, cost 30 + 2 < 40): a plan dominated by the
    one it replaced. Now no hold is looser than the previous plan's value, and ties keep it."""
    solved = five.solve(gap=0.0)
    assert (solved.objectives["capability"], solved.objectives["cost"]) == (4.0, 40.0)
    for from_year in (2030, 2031):
        again = replan(five, solved.decisions, from_year, weight, gap=0.0)
        assert again.change_count == 0 and again.changes.empty
        assert again.result.decisions.funded() == solved.decisions.funded()
        assert again.result.objectives == pytest.approx(solved.objectives, abs=1e-9)


def test_a_change_must_still_pay_for_itself(five) -> None:
    """A previous plan of three: adding a fourth (+1 point) pays at W = 0.5 and not at W = 2, and
    the cost stage never trades capability below the previous plan's to save cost."""
    previous = plan(national={("A", "P1"): 2030, ("A", "P2"): 2030, ("A", "P3"): 2030})
    cheap = replan(five, previous, 2030, 0.5, gap=0.0)
    assert cheap.result.objectives["capability"] >= 4.0 and cheap.change_count >= 1
    dear = replan(five, previous, 2030, 2.0, gap=0.0)
    assert dear.change_count == 0 and dear.result.objectives["capability"] == 3.0


def test_a_last_stage_the_clock_left_without_a_plan_does_not_decide_for_the_previous_plan(five, monkeypatch) -> None:
    """A time-limited re-plan whose cost stage found no plan returned the previous plan because
    it cost less, although the capability stage (the one optimised) had found a better plan,
    and reported that plan's gap beside it. Judged on the last stage with a plan, the solver's
    plan stays."""
    from optimizer.solve import objectives

    shares = objectives.stage_seconds
    monkeypatch.setattr(
        objectives,
        "stage_seconds",
        lambda name, remaining, left: 0.0 if name == "cost" else shares(name, remaining, left),
    )
    previous = plan(national={("A", "P1"): 2030, ("A", "P2"): 2030, ("A", "P3"): 2030})
    loose = five.with_settings(lexicographic_tolerance=0.5)  # the previous plan (3) meets the hold
    again = replan(loose, previous, 2030, 0.5, gap=0.0)
    assert not again.result.stages[-1].outcome.has_solution  # the cost stage: no time, no plan
    assert again.result.objectives["capability"] >= 4.0 and again.change_count >= 1
    assert again.result.gap == again.result.stages[0].outcome.gap


@pytest.mark.slow
def test_the_reference_dataset_replanned_unchanged_keeps_its_plan() -> None:
    """Issue 21 as reported (≈ 55 s on 2 cores): `capopt solve --time-limit 60`, then re-plan the
    same workbook from 2029 at W = 50. Before the fix: 5 programmes dropped, capability −356
    (6 and −396 at gap 0.01 %); the previous plan is now kept."""
    from data.reference import reference_path
    from optimizer.checks.evaluate import objective_values

    scenario = Scenario.from_excel(reference_path())
    solved = scenario.solve(time_limit=60)
    again = replan(scenario, solved.decisions, 2029, 50.0, time_limit=60)
    before = objective_values(scenario.inputs, solved.decisions)
    after = again.result.objectives
    # never dominated: the first objective (in priority order) that differs favours the re-plan
    for name, better in (("shortfall", -1), ("capability", 1), ("cost", -1)):
        if after[name] != pytest.approx(before[name], abs=1e-6):
            assert better * (after[name] - before[name]) > 0, (name, before, after)
            break
    if solved.status == "optimal" and solved.gap is not None and solved.gap <= 0.01:
        # a plan proven within the gap on a loaded machine may still be bettered by the
        # re-plan's own search; when it is not, nothing changes. Every change pays W,
        # adoptions included
        charged = again.charged_change_count
        assert charged == 0 or after["cost"] < before["cost"] - 50.0 * charged + 1e-6, again.changes.to_string()


# --- standard adoptions are changes too ------------------------------------------------


def test_a_dropped_adoption_is_the_one_change_listed_counted_and_written(tmp_path) -> None:
    """2030–2032, ally A with 10 a year: P (history, started 2030) and standard S (cost 1, weight 1,
    needed by nothing) adopted in 2031. Re-planned from 2031 minimising cost, dropping S saves 1 and
    changes nothing else. Before the fix: "No change", Summary changes 0, an empty Changes sheet.
    Adoptions are charged like fundings: at W = 0.5 < 1 dropping S pays, at W = 5 it does not
    (uncharged, four FMN adoptions went for 10 of cost at W = 50 on the reference dataset)."""
    inputs = make_inputs(
        first_year=2030,
        last_year=2032,
        nations=[nation("A")],
        budgets=10.0,
        programmes=[programme("P", 1, 6)],
        standards=[standard("S", cost=1.0)],
    )
    previous = plan(national={("A", "P"): 2030}, adoptions={("A", "S"): 2031})
    kept = replan(
        Scenario(inputs), previous, 2031, 5.0, objective="weighted", weights={"capability": 1.0, "cost": 1.0}, gap=0.0
    )
    assert kept.result.decisions.adoptions == previous.adoptions and kept.change_count == 0
    outcome = replan(
        Scenario(inputs), previous, 2031, 0.5, objective="weighted", weights={"capability": 1.0, "cost": 1.0}, gap=0.0
    )
    assert outcome.result.decisions.funded() == previous.funded()
    assert outcome.result.decisions.adoptions == {}
    rows = outcome.changes.to_dict("records")
    assert [(r["nation"], r["programme"], r["change"], r["previous_start"], r["decision"]) for r in rows] == [
        ("A", "S", "adoption dropped", 2031, "standard adoption")
    ]
    assert (rows[0]["cost_delta"], rows[0]["capability_delta"], rows[0]["note"]) == (-1.0, 0.0, "interoperability -1")
    assert (outcome.change_count, outcome.adoption_change_count, outcome.charged_change_count) == (1, 1, 1)
    assert dict(outcome.summary_rows())["changes"] == 1
    path = outcome.to_excel(tmp_path / "new.xlsx")
    wb = openpyxl.load_workbook(path, read_only=True)
    written = list(wb["Changes"].iter_rows(values_only=True))
    summary = {r[0]: r[1] for r in wb["Summary"].iter_rows(min_row=2, values_only=True)}
    wb.close()
    assert written[0] == CHANGE_COLUMNS and written[1][:4] == ("A", "S", None, "adoption dropped")
    assert summary["changes"] == 1


def test_adoptions_added_moved_and_dropped_follow_the_fundings() -> None:
    """Fundings keep their rows and columns; adoptions come after them, one row per (nation,
    standard), priced with the current inputs (an adoption past the horizon costs nothing)."""
    inputs = make_inputs(
        first_year=2030,
        last_year=2032,
        programmes=[programme("P")],
        standards=[standard("S", cost=2.0, weight=3.0), standard("T", cost=1.0)],
    )
    previous = plan(national={("A", "P"): 2031}, adoptions={("A", "S"): 2031, ("B", "S"): 2032, ("B", "GONE"): 2032})
    new = plan(national={("A", "P"): 2032}, adoptions={("A", "S"): 2032, ("A", "T"): 2031, ("B", "S"): 2032})
    table = change_table(inputs, previous, new, 2031)
    assert list(table.columns) == list(CHANGE_COLUMNS)
    got = [tuple(r) for r in table[["nation", "programme", "change", "cost_delta", "note", "decision"]].values]
    assert got == [
        ("A", "P", "moved", 0.0, "", "programme funding"),
        ("A", "S", "adoption moved", 0.0, "", "standard adoption"),
        ("A", "T", "adoption added", 1.0, "interoperability +1", "standard adoption"),
        ("B", "GONE", "adoption dropped", 0.0, "no longer in the input workbook", "standard adoption"),
    ]


def test_a_plan_of_another_workbook_says_so_before_the_ids_it_explains(tmp_path) -> None:
    """`capopt replan small.xlsx --previous other_plan.xlsx`: the line that explains the unknown ids
    (the plan was made from another workbook) used to come last, after every one of them."""
    from click.testing import CliRunner

    import cli
    from data.input_writer import write_inputs
    from data.report import write_plan_workbook
    from optimizer.checks.evaluate import evaluate

    other = make_inputs(programmes=[programme(f"X{k}") for k in range(3)])
    decisions = plan(national={(n, f"X{k}"): 2030 for n in ("A", "B") for k in range(3)})
    tables = evaluate(other, decisions)
    frames = tables.tables()
    previous = write_plan_workbook(
        tmp_path / "other_plan.xlsx",
        [("status", "optimal"), ("input_file", "my.xlsx"), ("input_sha256", "ff" * 32)],
        frames,
        list(other.years),
    )
    small = write_inputs(make_inputs(programmes=[programme("P")]), tmp_path / "small.xlsx")
    with pytest.raises(InputError) as caught:
        read_plan(previous, Scenario.from_excel(small).inputs)
    hint = "Summary: the plan was made from my.xlsx (SHA-256 ffffffffffff…), not from "
    assert str(caught.value.warnings[0]).startswith(hint)
    result = CliRunner().invoke(
        cli.main,
        ["replan", str(small), "--previous", str(previous), "--from-year", "2031", "-o", str(tmp_path / "new.xlsx")],
    )
    assert result.exit_code == 3, result.output
    lines = result.output.splitlines()
    # on the command line every line names the plan file, as the re-plan's warnings do
    assert lines[0].startswith("warning: [other_plan.xlsx]" + hint), result.output
    assert (
        lines[1].startswith("Input has ")
        and '[other_plan.xlsx]Plan!B2: programme "X0" is not in the input workbook' in lines[2]
    )


# --- the workbook's commitments against the history (issue 21) --------------------------


def test_a_commitment_the_history_breaks_is_an_input_error_at_its_row(scenario) -> None:
    """An `exclude` of a programme the previous plan started before the re-plan year was
    replaced by the history's `fund` and the plan kept funding it, silently."""
    previous = plan(national={("A", "P"): 2030, ("A", "Q"): 2031})
    for spec, row_text in (
        (("A", "P", "exclude"), "A excludes P, but the previous plan started it in 2030"),
        (("A", "P", "fund", 2032), "A must fund P from 2032, but the previous plan started it in 2030"),
        (("A", "R", "fund", 2030), "A must fund R from 2030, before the re-plan year 2031, but the previous"),
    ):
        book = scenario.with_inputs(
            scenario.inputs.with_changes(commitments=make_inputs(commitments=[("A", "Q", "fund"), spec]).commitments)
        )
        with pytest.raises(InputError) as caught:
            replan(book, previous, 2031, 1.0, **WEIGHTED)
        assert len(caught.value.problems) == 1
        assert str(caught.value.problems[0]).startswith(f"Commitments!3: {row_text}")
    agreeing = scenario.with_inputs(
        scenario.inputs.with_changes(commitments=make_inputs(commitments=[("A", "P", "fund", 2030)]).commitments)
    )
    assert replan(agreeing, previous, 2031, 1.0, **WEIGHTED).result.decisions.national[("A", "P")] == 2030


def test_an_infeasible_history_is_named_as_history_not_as_a_commitments_row() -> None:
    """Budgets cut below what a started programme still costs: the diagnosis named the
    history's commitments "Commitments row 2", a row the workbook does not have."""
    from optimizer.errors import InfeasibleError

    cut = Scenario(
        make_inputs(
            first_year=2030,
            last_year=2032,
            nations=[nation("A")],
            budgets={"A": [10.0, 1.0, 1.0]},
            programmes=[programme("P", 2, 10)],
            carry_over_fraction=0.0,
        )
    )
    with pytest.raises(InfeasibleError) as caught:
        replan(cut, plan(national={("A", "P"): 2030}), 2031, 1.0, **WEIGHTED)
    first = caught.value.conflicts[0]
    assert first.startswith("what the previous plan began before 2031 breaks a budget on its own: Nation A in 2031")
    assert "frozen past" in caught.value.conflicts[-1]
    assert "Commitments row" not in str(caught.value) and "Commitments!A" not in str(caught.value)


@pytest.mark.parametrize("commitment", [("A", "P1", "exclude"), ("A", "P5", "fund", 2030)])
def test_a_commitment_the_previous_plan_breaks_keeps_the_floor(five, commitment) -> None:
    """Previous plan P1–P3 (capability 3). The workbook now commits P5 from 2030 (or excludes
    P1): the previous plan breaks it, and the run had no floor — at W = 2 the cost stage, held
    only within 30 % of the capability stage, dropped P3 to pay for P5 (capability 3, two
    changes) where adding P5 alone gives 4 for the one forced change. The previous plan with
    only the forced change is now the floor and the fallback."""
    previous = plan(national={("A", "P1"): 2030, ("A", "P2"): 2030, ("A", "P3"): 2030})
    book = five.with_inputs(five.inputs.with_changes(commitments=make_inputs(commitments=[commitment]).commitments))
    again = replan(book, previous, 2030, 2.0, gap=0.0)
    forced = 2.0 if commitment[2] == "exclude" else 4.0
    assert again.result.objectives["capability"] >= forced - 1e-9, again.changes.to_string()
    assert again.change_count == 1, again.changes.to_string()


def test_the_change_table_adds_up_to_the_objective_deltas_when_a_consortium_re_splits() -> None:
    """C joins J and A and B pay less: only C's row was listed, so the Changes sheet's cost
    column summed to +3 against ChangeSummary's 0. The members whose payments moved now have
    `kept` rows (not counted as changes)."""
    from optimizer.studies.replan import count_changes, objective_deltas

    inputs = make_inputs(
        nations=[nation("A"), nation("B"), nation("C")], programmes=[programme("J", 1, 10, "joint", risk=0.5)]
    )
    previous = plan(joint={"J": (2031, ("A", "B"))}, payments={("A", "J", 2031): 6, ("B", "J", 2031): 4})
    new = plan(
        joint={"J": (2031, ("A", "B", "C"))}, payments={("A", "J", 2031): 4, ("B", "J", 2031): 3, ("C", "J", 2031): 3}
    )
    table = change_table(inputs, previous, new, 2031).set_index("nation")
    assert table["change"].to_dict() == {"C": "added", "A": "kept", "B": "kept"}
    assert table.loc["A", "cost_delta"] == pytest.approx(-2.0) and table.loc["B", "cost_delta"] == pytest.approx(-1.0)
    assert count_changes(table.reset_index()) == 1
    from optimizer.checks.evaluate import objective_values

    deltas = objective_deltas(inputs, previous, objective_values(inputs, new)).set_index("objective")
    for column, objective in (("cost_delta", "cost"), ("risk_delta", "risk"), ("capability_delta", "capability")):
        assert table[column].sum() == pytest.approx(deltas.loc[objective, "delta"]), column


@pytest.mark.parametrize("mode", ["lexicographic", "weighted"])
def test_changes_no_plan_avoids_are_charged_in_the_reported_objective_and_bound(mode: str) -> None:
    """A programme the new workbook no longer has is dropped and counted as a change, but the
    charged objective and its bound left it out: "cost + 10 × changes: 4" beside cost 4 and
    one change (a re-plan audit: every such run off by W × the forced drops)."""
    old = make_inputs(
        first_year=2030,
        last_year=2032,
        nations=[nation("A")],
        budgets=10.0,
        programmes=[programme("P", 1, 4), programme("Q", 1, 4)],
        values={("P", "air"): 1.0, ("Q", "air"): 2.0},
    )
    previous = plan(national={("A", "P"): 2030, ("A", "Q"): 2031})
    weights = {"capability": 1.0, "cost": 0.1} if mode == "weighted" else None
    out = replan(
        Scenario(old).without_programme("Q"),
        previous,
        2031,
        10.0,
        objective=mode,
        gap=0.0,
        time_limit=30,
        weights=weights,
    )
    assert out.change_count == 1
    objectives, charge = out.result.objectives, 10.0 * out.change_count
    last = out.result.stages[-1].outcome
    expected = (
        objectives["cost"] + charge
        if mode == "lexicographic"
        else objectives["capability"] - 0.1 * objectives["cost"] - charge
    )
    assert last.objective == pytest.approx(expected) and out.result.best_bound == pytest.approx(expected)


def test_a_past_payment_left_free_is_warned_once(caplog: pytest.LogCaptureFixture) -> None:
    """A joint programme re-estimated dearer after it started: its past payments no longer add
    up, and the re-plan, infeasible, printed each "split is left free" warning twice (once
    more for the diagnosis's own build of the model)."""
    from optimizer.errors import InfeasibleError

    base = make_inputs(
        first_year=2030,
        last_year=2032,
        nations=[nation("A"), nation("B")],
        budgets=1.5,
        programmes=[programme("J", 2, 4, "joint")],
        values={("J", "air"): 1.0},
    )
    previous = plan(
        joint={"J": (2030, ("A", "B"))},
        payments={("A", "J", 2030): 1.0, ("B", "J", 2030): 1.0, ("A", "J", 2031): 1.0, ("B", "J", 2031): 1.0},
    )
    dearer = Scenario(base).with_programme("J", total_cost=8)
    with caplog.at_level("WARNING"), pytest.raises(InfeasibleError):
        replan(dearer, previous, 2031, 1.0, gap=0.0, time_limit=30)
    left_free = [r.getMessage() for r in caplog.records if "split is left free" in r.getMessage()]
    assert left_free == ["re-plan: J's 2030 payments (2) no longer add up to its cost 4; their split is left free"]


# --- a stability weight, and the bound it makes -------------------------------------------
@pytest.mark.parametrize("weight", [float("nan"), float("inf"), 1e16, 1e300])
def test_replan_refuses_a_stability_weight_that_is_not_a_finite_number(weight: float) -> None:
    """NaN passed the `< 0` check (every comparison with NaN is false) and went into the model
    and the Summary; the command line refuses both, and so must the function. Weights from
    1e16 on came back "optimal" with gaps of 4 % to 6e+298 % for a plan that kept everything."""
    previous = plan(national={("AAA", "P1"): 2030})
    with pytest.raises(ValueError, match="stability_weight is"):
        replan(small(), previous, 2031, weight)


def test_replan_summary_says_its_bound_is_of_the_penalised_objective() -> None:
    """A W = 50 re-plan of the reference dataset read "optimal within 0.16 % on cost; best
    bound (cost) 58,533.5", but the solver's bound is of cost + 50 × changes: no bound on
    cost alone was proven. The Summary says which sum the bound is of; W = 0 charges nothing."""
    previous = plan(national={("AAA", "P1"): 2030})
    charged = replan(small(), previous, 2031, 5.0, gap=0.0)
    notes = [v for k, v in charged.summary_rows() if k == "note"]
    assert any(n.startswith("best_bound and gap are of cost + 5 × changes") for n in notes), notes
    free = replan(small(), previous, 2031, 0.0, gap=0.0)
    assert not any("best_bound and gap" in str(v) for k, v in free.summary_rows() if k == "note")
