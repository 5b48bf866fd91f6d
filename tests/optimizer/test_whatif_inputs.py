"""Inputs made or changed in Python meet the workbook's rules, say what changed, and
cannot be changed in place behind a scenario's back."""

from __future__ import annotations

import math
import pickle
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from data.errors import InputError
from optimizer import Scenario
from tests.optimizer.conftest import two_nations

SMALL = Path(__file__).resolve().parents[2] / "examples" / "small" / "small.xlsx"


@pytest.fixture(scope="module")
def small() -> Scenario:
    return Scenario.from_excel(SMALL)


def _with_cost(scenario: Scenario, pid: str, cost: float) -> Scenario:
    programmes = tuple(replace(p, total_cost=cost) if p.id == pid else p for p in scenario.inputs.programmes)
    return scenario.with_inputs(replace(scenario.inputs, programmes=programmes), name="by hand")


@pytest.mark.parametrize("cost", [-30.0, math.nan, math.inf])
def test_a_cost_the_workbook_would_refuse_is_refused_with_its_cell(small, cost):
    """A programme cost of −30 made with dataclasses.replace was solved (cost −49) and its
    plan exported as verified; NaN gave "optimal, cost nan"."""
    with pytest.raises(InputError) as caught:
        _with_cost(small, small.inputs.programmes[0].id, cost)
    text = str(caught.value)
    assert "Programmes" in text and "total_cost" in text


def test_a_valid_change_by_hand_is_checked_and_noted_with_what_changed(small):
    pid = small.inputs.programmes[0].id
    old = small.inputs.programmes[0].total_cost
    changed = _with_cost(small, pid, old * 2)
    assert changed.inputs.programme_by_id[pid].total_cost == old * 2
    assert changed.inputs.source.changes == (
        f"inputs replaced in Python (with_inputs: by hand): Programmes {pid} total_cost {old!r} → {old * 2!r}",
    )


def test_with_programme_changes_one_programme_and_records_it(small):
    pid = small.inputs.programmes[0].id
    p = small.inputs.programmes[0]
    dearer = small.with_programme(pid.lower(), total_cost=p.total_cost * 1.5, cost_overrun_risk=0.25)
    q = dearer.inputs.programme_by_id[pid]
    assert (q.total_cost, q.cost_overrun_risk) == (p.total_cost * 1.5, 0.25)
    assert small.inputs.programme_by_id[pid] == p  # the base is untouched
    assert dearer.inputs.source.changes[-1].startswith(f"programme {pid}: total_cost {p.total_cost!r} → ")
    longer = small.with_programme(pid, duration_years=p.duration_years + 1)
    assert longer.inputs.programme_by_id[pid].profile == pytest.approx(
        [1 / (p.duration_years + 1)] * (p.duration_years + 1)
    )
    assert longer.solve(time_limit=20).status == "optimal"


def test_with_programme_refuses_what_the_workbook_would(small):
    pid = small.inputs.programmes[0].id
    with pytest.raises(InputError, match="total_cost"):
        small.with_programme(pid, total_cost=-1)
    with pytest.raises(InputError, match="one of"):
        small.with_programme("NOPE", total_cost=1)
    with pytest.raises(InputError, match="some of total_cost"):
        small.with_programme(pid, colour="red")


@pytest.mark.parametrize(("given", "read"), [("no", False), ("No", False), ("yes", True), (False, False), (True, True)])
def test_a_yes_no_field_given_as_a_word_is_read_by_the_sheets_rule(small, given, read):
    """with_programme(flexible_start="no") made the programme flexible: any text was truthy,
    written as "yes" and read back so, while the Summary recorded "no"."""
    joint = next(p for p in small.inputs.programmes if p.is_joint)
    changed = small.with_programme(joint.id, flexible_start=given, open_to_partners=given)
    q = changed.inputs.programme_by_id[joint.id]
    assert (q.flexible_start, q.open_to_partners) == (read, read)


def test_a_yes_no_word_the_sheet_would_refuse_is_refused_with_its_cell(small):
    pid = small.inputs.programmes[0].id
    with pytest.raises(InputError, match=r'Programmes!J\d+: flexible_start is "maybe" — expected yes or no'):
        small.with_programme(pid, flexible_start="maybe")


def test_a_value_that_is_not_finite_is_refused_not_read_as_blank(small):
    """A cost_overrun_risk of inf and a min_share of nan were written as blank cells and read
    back as 0 (risk 7.1 against 9.5), a budget of inf as 0, with the values given recorded."""
    joint = next(p for p in small.inputs.programmes if p.is_joint)
    with pytest.raises(InputError) as caught:
        small.with_programme(joint.id, cost_overrun_risk=math.inf, min_share=math.nan)
    assert 'cost_overrun_risk is "inf" — expected a number ≥ 0' in str(caught.value)
    assert 'min_share is "nan" — expected a number from 0 to 1' in str(caught.value)
    key = next(iter(small.inputs.budgets))
    budgets = {k: (math.inf if k == key else v) for k, v in small.inputs.budgets.items()}
    with pytest.raises(InputError, match='Budgets!.*"inf" — expected'):
        small.with_inputs(replace(small.inputs, budgets=budgets))


@pytest.mark.parametrize("duration", [0, -1, 1e12])
def test_a_duration_outside_what_a_horizon_holds_is_refused_by_name(small, duration):
    """duration_years=0 ended in ZeroDivisionError and 1e12 in MemoryError."""
    with pytest.raises(InputError, match=f"duration_years is {duration!r} — a whole number of years from 1 to"):
        small.with_programme(small.inputs.programmes[0].id, duration_years=duration)


def test_inputs_cannot_be_changed_in_place_behind_a_scenarios_back(small):
    """`s.inputs.budgets[key] = 0` changed the base, every variant sharing the dict and every
    earlier Result, and a what-if then recorded "changes: none"."""
    variant = small.with_settings(carry_over_fraction=0.2)
    key = next(iter(small.inputs.budgets))
    for mapping in (small.inputs.budgets, variant.inputs.budgets, small.inputs.values, small.inputs.settings.weights):
        with pytest.raises(TypeError, match="what-if"):
            mapping[key] = 0.0
        with pytest.raises(TypeError):
            mapping.update({})
    # the lookups too: `programme_by_id["P1"] = replace(p1, total_cost=30)` was solved, unrecorded,
    # and an earlier Result could no longer be exported (audit)
    for lookup in (small.inputs.programme_by_id, small.inputs.nation_by_code, small.inputs.standard_by_id):
        with pytest.raises(TypeError, match="what-if"):
            lookup["X"] = None
    assert hash(small) == hash(Scenario.from_excel(SMALL))  # a frozen scenario can key a dict
    again = pickle.loads(pickle.dumps(small.inputs))
    assert again == small.inputs and type(again.budgets) is type(small.inputs.budgets)


def test_a_progress_function_of_no_arguments_is_refused_before_the_solve(small):
    """`progress=lambda: None` failed inside HiGHS's callback as "HiGHS failed: <lambda>() takes 0
    positional arguments"."""
    with pytest.raises(ValueError, match="function of one argument"):
        small.solve(time_limit=10, progress=lambda: None)


def test_a_progress_function_that_raises_is_named_and_the_plan_kept(small):
    """Its KeyError ended the run as "SolverError: HiGHS failed: 'mine'", plan lost."""
    import logging

    calls, said = [], []

    def broken(update):
        calls.append(update)
        raise KeyError("mine")

    class Keep(logging.Handler):  # on the solver's own logger: the CLI's tests may stop propagation
        def emit(self, record: logging.LogRecord) -> None:
            said.append(record.getMessage())

    solver_log = logging.getLogger("optimizer.solve.solver")
    keep, level = Keep(logging.WARNING), solver_log.level
    solver_log.addHandler(keep)
    solver_log.setLevel(logging.WARNING)  # and a quiet CLI run before may have raised its level
    try:
        result = small.solve(time_limit=20, progress=broken)
    finally:
        solver_log.removeHandler(keep)
        solver_log.setLevel(level)
    assert result.status == "optimal" and len(calls) == 1
    assert any("progress function raised KeyError" in message for message in said)


def test_an_unknown_programme_is_named_with_the_ids_there_are(small):
    ids = [p.id for p in small.inputs.programmes]
    with pytest.raises(InputError, match=f"one of {', '.join(ids)}"):
        small.without_programme("NOPE")
    with pytest.raises(InputError, match="one programme id"):
        small.without_programme(["P1"])


def test_loose_types_are_refused_with_the_argument_named(small):
    """`stream_log="yes"` and `with_budget(name=5)` were taken as they came."""
    with pytest.raises(ValueError, match="stream_log is 'yes' — expected True or False"):
        small.solve(time_limit=10, stream_log="yes")
    with pytest.raises(ValueError, match="name is 5 — expected a text label"):
        small.with_budget(0.9, name=5)


def test_inputs_checked_by_hand_keep_their_rows(small):
    """The round trip's own rows replaced the planner's: a commitment on row 4 came back as
    row 2, and one added in Python as a sheet row that does not exist."""
    from data.tables import ADDED_IN_PYTHON, Commitment

    inputs = small.inputs
    pid = inputs.programmes[0].id
    code = inputs.nations[0].code
    mine = (
        Commitment(code, pid, "exclude", None, 9),
        Commitment(inputs.nations[1].code, pid, "exclude", None, ADDED_IN_PYTHON),
    )
    by_hand = small.with_inputs(
        replace(inputs, commitments=mine, budgets={k: b * 0.5 for k, b in inputs.budgets.items()})
    )
    assert [c.row for c in by_hand.inputs.commitments] == [9, ADDED_IN_PYTHON]
    assert [c.where for c in by_hand.inputs.commitments] == ["Commitments!A9", "a commitment added in Python"]
    assert [t.row for t in by_hand.inputs.targets] == [t.row for t in inputs.targets]


def test_a_settings_fraction_what_if_leaves_a_nations_own_value(tmp_path):
    """BRAVO's own borrow_fraction 0 on the Nations sheet equalled the Settings value 0, so
    with_settings(borrow_fraction=0.5) moved it too (capability 94 against 87 for the workbook
    re-read with that Settings value): WORKBOOK.md makes only a blank cell Settings'."""
    import openpyxl

    from data.reader import load_inputs

    path = tmp_path / "own.xlsx"
    wb = openpyxl.load_workbook(SMALL)
    sheet = wb["Nations"]
    column = sheet.max_column + 1
    sheet.cell(row=1, column=column, value="borrow_fraction")
    sheet.cell(row=2, column=column, value=0)  # the first nation: its own 0; the others blank, Settings'
    wb.save(path)
    base = Scenario.from_excel(path)
    first, *others = base.inputs.nations
    assert base.inputs.settings.borrow_fraction == 0 and first.borrow_fraction == 0
    moved = base.with_settings(borrow_fraction=0.5).inputs
    assert moved.nations[0].borrow_fraction == 0.0
    assert [n.borrow_fraction for n in moved.nations[1:]] == [0.5] * len(others)
    # the same after a what-if that writes and re-reads the inputs (revalidate), and as a file
    again = base.with_programme(base.inputs.programmes[0].id, total_cost=1.0).with_settings(borrow_fraction=0.5)
    assert [n.borrow_fraction for n in again.inputs.nations] == [0.0] + [0.5] * len(others)
    from data.input_writer import write_inputs

    reread, _ = load_inputs(write_inputs(moved, tmp_path / "moved.xlsx"))
    assert reread.nations == moved.nations


def test_budgets_a_budgets_cell_would_refuse_are_refused_in_python(small):
    """`with_budget(add={...: 1e13})` ran where the same number in a Budgets cell is refused,
    and money in euros rather than millions gives wrong "optimal" plans."""
    nation = small.inputs.nations[0].code
    with pytest.raises(InputError, match=r"budgets of 0 or from 0.001 to 100,000,000, as in a Budgets cell"):
        small.with_budget(add={nation: 1e13})
    with pytest.raises(InputError, match=r"budget scale 1e-09"):
        small.with_budget(scale=1e-9)
    assert max(small.with_budget(scale=0).inputs.budgets.values()) == 0.0


# --- with_budget: what changed is what the Summary says -----------------------------------
@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"nations": []}, "nations is empty"),  # changed nothing, noted "budgets ×0.5" of all
        ({"years": []}, "years is empty"),
        ({"years": range(0)}, "years is empty"),
        ({"nations": ["A", "a"]}, "nations names A twice"),  # was ×0.25
        ({"years": [2030, 2030]}, "years names 2030 twice"),
        ({"add": {"A": 1, "a": 2}}, "add names 'A' twice"),  # both added, one noted
        ({"scale": 1e308}, "makes 4 budget\\(s\\) infinite"),  # every budget was inf
    ],
)
def test_with_budget_refuses_what_it_would_record_wrongly(kwargs, message):
    scenario = two_nations()
    with pytest.raises(InputError, match=message):
        scenario.with_budget(**{"scale": 0.5, **kwargs})
    assert scenario.inputs == two_nations().inputs


def test_with_budget_reads_generators_once_and_notes_what_it_changed():
    """The note read the nations and years a second time: a generator was empty then, so
    the Summary said every budget was halved when only A's 2030 budget was."""
    base = two_nations()
    cut = base.with_budget(0.5, nations=(n for n in ["a"]), years=(y for y in [2030]))
    assert cut.inputs.budgets[("A", 2030)] == 5.0 and cut.inputs.budgets[("A", 2031)] == 10.0
    assert cut.inputs.budgets[("B", 2030)] == 10.0
    assert cut.inputs.source.changes == ("budgets ×0.5 for A in 2030",)
    assert cut.name == "base budget×0.5 A"  # the workbook's spelling, not "a"
    assert base.inputs == two_nations().inputs


def test_with_budget_takes_numpy_numbers():
    """A year from a DataFrame column is numpy's int64: it was refused as "not a whole year"."""
    cut = two_nations().with_budget(np.int64(2), years=np.array([2030]), add={("A", np.int64(2031)): 1})
    assert cut.inputs.budgets[("A", 2030)] == 20.0 and cut.inputs.budgets[("A", 2031)] == 11.0
    assert cut.inputs.source.changes == ("budgets ×2 in 2030; +1 for A 2031",)


# --- with_settings ------------------------------------------------------------------------
def test_with_settings_keeps_the_horizon_an_int():
    """first_year=2030.0 (the same year) was stored as a float; the solve then failed inside
    range(); "2030" was refused as a move of the horizon."""
    for value in (2030.0, "2030"):
        assert two_nations().with_settings(first_year=value).inputs.settings.first_year == 2030
    assert two_nations().with_settings(first_year=2030.0).solve(time_limit=20, gap=0).status == "optimal"


def test_a_settings_gap_of_one_or_more_is_refused():
    """mip_gap=5 by what-if reported a plan 24 % from its bound as "optimal" and
    "reproducible: yes … proven to its gap", where solve(gap=5) is refused."""
    with pytest.raises(InputError, match="mip_gap is 5 — a fraction below 1"):
        two_nations().with_settings(mip_gap=5)
