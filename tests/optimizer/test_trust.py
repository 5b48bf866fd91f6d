"""Trust: the same input gives the same plan; hostile names stay inert text in every
sheet; nothing reaches for the network; nothing unverified is exported."""

from __future__ import annotations

import socket
import zipfile

import openpyxl
import pandas as pd
import pytest

from data.input_writer import write_inputs
from data.tables import PlanDecisions
from optimizer import Scenario
from optimizer.checks.verify import PlanVerificationError
from tests.optimizer.conftest import make_inputs, nation, programme, standard

HOSTILE = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3"]


def hostile_inputs():
    """Nation and programme ids that a spreadsheet would otherwise execute."""
    nations = [nation(HOSTILE[0]), nation(HOSTILE[2])]
    programmes = [programme(HOSTILE[1], cost=5, duration=2), programme(HOSTILE[3], cost=4, sharing="joint")]
    return make_inputs(
        first_year=2030,
        last_year=2033,
        nations=nations,
        budgets=10.0,
        programmes=programmes,
        values={(HOSTILE[1], "air"): 3.0, (HOSTILE[3], "air"): 2.0},
        standards=[standard("=1+1", cost=1)],
        requirements=[(HOSTILE[1], "=1+1")],
    )


def test_formula_like_names_stay_text_in_every_output_sheet(tmp_path):
    book = tmp_path / "hostile.xlsx"
    write_inputs(hostile_inputs(), book)
    result = Scenario.from_excel(book).solve(gap=0.0, time_limit=30)
    assert not result.plan.empty
    out = result.to_excel(tmp_path / "plan.xlsx")
    with zipfile.ZipFile(out) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert "<f>" not in z.read(name).decode("utf-8"), f"a formula was written in {name}"
    wb = openpyxl.load_workbook(out)
    seen = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value in HOSTILE + ["=1+1"]:
                    assert cell.data_type == "s"
                    seen.add(cell.value)
    assert seen >= {HOSTILE[0], HOSTILE[1], "=1+1"}


def test_same_workbook_same_plan_run_after_run(tmp_path):
    book = tmp_path / "book.xlsx"
    write_inputs(hostile_inputs(), book)
    runs = [Scenario.from_excel(book).solve(gap=0.01, time_limit=30, threads=1) for _ in range(3)]
    for other in runs[1:]:
        assert other.objectives == runs[0].objectives
        pd.testing.assert_frame_equal(other.plan, runs[0].plan)
        pd.testing.assert_frame_equal(other.spend, runs[0].spend)
        pd.testing.assert_frame_equal(other.contributions, runs[0].contributions)


def test_no_network_calls(monkeypatch, tmp_path):
    def refuse(*args, **kwargs):
        raise AssertionError("capopt tried to open a network connection")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    book = tmp_path / "book.xlsx"
    write_inputs(hostile_inputs(), book)
    result = Scenario.from_excel(book).solve(gap=0.0, time_limit=30)
    result.to_excel(tmp_path / "plan.xlsx")


def test_a_plan_that_breaks_the_model_is_never_exported(tmp_path):
    """Tamper with a solved plan: the export refuses it and writes nothing."""
    from dataclasses import replace

    result = Scenario(hostile_inputs()).solve(gap=0.0, time_limit=30)
    national = dict(result.decisions.national)
    national[(HOSTILE[0], HOSTILE[1])] = 2033  # cannot finish inside the horizon
    tampered = replace(
        result,
        decisions=PlanDecisions(
            national, result.decisions.joint, result.decisions.payments, result.decisions.adoptions
        ),
    )
    out = tmp_path / "plan.xlsx"
    with pytest.raises(PlanVerificationError):
        tampered.to_excel(out)
    assert not out.exists()


def test_a_plan_is_not_refused_for_binaries_the_solver_left_within_its_tolerance():
    """A brute-force audit of the studies: priority (risk, capability), tolerance 0. The risk
    stage holds risk ≤ 0 + 1e-6 (MODEL.md's absolute slack), and the capability stage used it:
    the joint programme's start at 8e-7, within HiGHS's integrality tolerance, paying 1e-5.
    The plan (rounded: nothing funded) was right, but the run ended in PlanVerificationError
    ("cost reported 1e-05, recomputed 0"), and so did price_of_robustness."""
    inputs = make_inputs(
        first_year=2030,
        last_year=2031,
        nations=[nation("A")],
        budgets={"A": 20},
        programmes=[programme("J0", 1, 12, "joint", risk=0.1, min_participants=1)],
        areas={"air": 1.0},
        values={("J0", "air"): 1},
        planning_cycle_years=1,
        lexicographic_tolerance=0.0,
        priority=("risk", "capability"),
    )
    result = Scenario(inputs).solve(gap=0, time_limit=30)
    assert result.status == "optimal"
    assert {k: result.objectives[k] for k in ("risk", "capability", "cost")} == {
        "risk": 0.0,
        "capability": 0.0,
        "cost": 0.0,
    }
