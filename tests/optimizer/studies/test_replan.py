"""Re-planning from last year's plan (optimizer.studies.replan); the verifier's frozen-past rule."""

from __future__ import annotations

import openpyxl
import pytest

from data.errors import InputError
from data.plan_reader import read_plan
from optimizer import Scenario
from optimizer.studies.replan import replan
from optimizer.checks.verify import check_plan_stability
from tests.optimizer.conftest import make_inputs, nation, plan, programme, standard


@pytest.fixture()
def scenario() -> Scenario:
    """2030–2033, one ally with 6 a year: one programme of 6 per year. P worth 1 a year, Q 2, R 3."""
    return Scenario(make_inputs(
        first_year=2030, last_year=2033, nations=[nation("A")], budgets=6.0,
        programmes=[programme("P", 1, 6), programme("Q", 1, 6), programme("R", 1, 6)],
        values={("P", "air"): 1.0, ("Q", "air"): 2.0, ("R", "air"): 3.0},
    ))


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
    previous = plan(national={("A", "P"): 2030}, joint={"J": (2030, ("A", "B"))},
                    payments={("A", "J", 2030): 6, ("B", "J", 2030): 4}, adoptions={("A", "S"): 2030})
    new = plan(national={("A", "P"): 2031, ("B", "P"): 2030}, joint={"J": (2030, ("A", "B"))},
               payments={("A", "J", 2030): 5, ("B", "J", 2030): 5})
    lines = check_plan_stability(inputs, new, previous, 2031)
    assert lines == [
        "Re-plan from 2031: nation A started P in 2030 in the previous plan, but the new plan starts it in 2031",
        ("Re-plan from 2031: nation B starts P in 2030, before 2031, which the previous plan did not "
        "(the past cannot change)"),
        "Re-plan from 2031: adoption of S by A before 2031 changed (2030 → None)",
        "Re-plan from 2031: A paid 6 to J in 2030 in the previous plan, but 5 in the new one (the past cannot change)",
        "Re-plan from 2031: B paid 4 to J in 2030 in the previous plan, but 5 in the new one (the past cannot change)",
    ]
    assert check_plan_stability(inputs, previous, previous, 2031) == []
    assert check_plan_stability(inputs, new, previous, 2030) == []  # nothing was history yet


def test_history_the_inputs_no_longer_allow_is_a_clear_input_error(scenario) -> None:
    later = scenario.with_inputs(scenario.inputs.with_changes(
        programmes=tuple(p if p.id != "P" else p.__class__(**{**p.__dict__, "earliest_start": 2031})
                         for p in scenario.inputs.programmes)))
    with pytest.raises(InputError, match="previous plan started P for A in 2030"):
        replan(later, plan(national={("A", "P"): 2030}), 2031, 1.0, **WEIGHTED)
    with pytest.raises(InputError, match="outside the horizon"):
        replan(scenario, plan(), 2040, 1.0)


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
