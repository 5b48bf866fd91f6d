"""A lever's worth reads the same way on every sheet of the flexibility workbook: + is better,
whatever the objective's sense, under one header ("worth of <lever> (+ is better)").

ByObjective's "worth of carry-over" was the raw change (a cost saved showed negative) while
LeverWorth's "carry-over gain" was signed better-positive: one fact, two signs, and a planner
had to know each objective's sense to read either.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pandas as pd
import pytest

from data.dashboard import worth_column
from data.report import write_flexibility_workbook
from optimizer.studies.flexibility import LEVERS, FlexibilityReport, flexibility_value
from optimizer.studies.sweeps import Sweep, SweepPoint
from tests.optimizer.studies.conftest import small

# capability is maximised, cost and shortfall minimised; carry-over saves 1,818 of cost
# and loses 45.5 capability (the bundled dataset's case, docs/model.md)
OBJECTIVES = {
    "rigid": {"capability": 37807.0, "cost": 57597.4, "shortfall": 10.0},
    "free starts": {"capability": 40764.8, "cost": 57597.4, "shortfall": 8.0},
    "carry-over": {"capability": 37761.5, "cost": 55779.4, "shortfall": 10.0},
    "flexible": {"capability": 40764.8, "cost": 59000.0, "shortfall": 12.0},
}


def report() -> FlexibilityReport:
    points = [SweepPoint(lever, None, SimpleNamespace(objectives=OBJECTIVES[lever]), None, 1.0) for lever in LEVERS]
    return FlexibilityReport(Sweep(points, "lever", True, 4.0))  # type: ignore[arg-type]


def test_by_objective_worth_is_positive_when_the_lever_is_better() -> None:
    table = report().by_objective.set_index("objective")
    assert table.loc["cost", worth_column("carry-over")] == pytest.approx(1818.0)  # 1,818 saved: better
    assert table.loc["cost", worth_column("flexible")] == pytest.approx(-1402.6)  # dearer: worse
    assert table.loc["capability", worth_column("carry-over")] == pytest.approx(-45.5)
    assert table.loc["capability", worth_column("free starts")] == pytest.approx(2957.8)
    assert table.loc["shortfall", worth_column("free starts")] == pytest.approx(2.0)  # less shortfall
    assert table.loc["shortfall", worth_column("flexible")] == pytest.approx(-2.0)


def test_by_objective_and_lever_worth_give_one_number_under_one_header(tmp_path: Path) -> None:
    by_objective = report().by_objective
    path = write_flexibility_workbook(
        tmp_path / "flex.xlsx",
        [("status", "complete")],
        by_objective,
        pd.DataFrame({"nation": []}),
        pd.DataFrame(),
        levers=list(LEVERS),
    )
    book = openpyxl.load_workbook(path, read_only=True)

    def sheet(name: str) -> dict[str, dict[str, object]]:
        rows = list(book[name].iter_rows(values_only=True))
        return {row[0]: dict(zip(rows[0], row)) for row in rows[1:]}

    by_sheet, worth_sheet = sheet("ByObjective"), sheet("LeverWorth")
    for objective in OBJECTIVES["rigid"]:
        for lever in LEVERS[1:]:
            header = worth_column(lever)
            assert "+ is better" in header
            assert by_sheet[objective][header] == pytest.approx(worth_sheet[objective][header]), (objective, lever)


def test_an_objective_no_lever_moves_has_a_worth_of_plain_zero() -> None:
    """A minimised objective that did not move printed "-0.0" in the terminal's table."""
    import math

    worth = report().by_objective.set_index("objective").loc["cost", worth_column("free starts")]
    assert worth == 0.0 and math.copysign(1.0, worth) == 1.0


def test_a_scenarios_proof_counts_its_own_seconds_re_solves_included() -> None:
    """A lever solved again said "best plan found in 30 s" (its second solve) beside the
    60.8 s of its seconds column."""
    summary = [
        ("status", "feasible"),
        ("gap", 0.02),
        ("solve_seconds", 30.0),
        ("stage_1", "capability: feasible, 100, gap 0.02"),
    ]
    result = SimpleNamespace(
        status="feasible",
        gap=0.02,
        best_bound=102.0,
        gap_objective="capability",
        not_optimised=[],
        objectives={"capability": 100.0},
        standards=pd.DataFrame({"cost": []}),
        summary_rows=lambda: summary,
    )
    sweep = Sweep([SweepPoint("carry-over", None, result, None, 60.8)], "lever", True, 60.8)  # type: ignore[arg-type]
    assert "best plan found in 61 s" in sweep.table.loc[0, "proof"]


def test_without_a_rigid_plan_no_worth_is_given_rather_than_one_against_another_lever(tmp_path: Path) -> None:
    """With the rigid plan missing, the next setting (free starts) became the baseline, and
    "worth of carry-over" compared carry-over with free starts: two levers at once."""
    points = [
        SweepPoint(lever, None, None if lever == "rigid" else SimpleNamespace(objectives=OBJECTIVES[lever]), None, 1.0)
        for lever in LEVERS
    ]
    flexibility = FlexibilityReport(Sweep(points, "lever", True, 4.0))  # type: ignore[arg-type]
    levers = flexibility.workbook_levers()
    assert levers == list(LEVERS)
    assert flexibility.by_objective[worth_column("carry-over")].isna().all()
    path = write_flexibility_workbook(
        tmp_path / "flex.xlsx",
        [("status", "complete")],
        flexibility.by_objective,
        pd.DataFrame({"nation": []}),
        pd.DataFrame(),
        levers=levers,
    )
    book = openpyxl.load_workbook(path, read_only=True)
    text = " ".join(str(c) for row in book["Dashboard"].iter_rows(values_only=True) for c in row if c)
    book.close()
    assert "against the rigid plan" in text and "no worth can be given" in text


# --- ByNation -----------------------------------------------------------------------------
def test_flexibility_by_nation_counts_programmes_in_whole_numbers() -> None:
    """The ByNation sheet showed "3.0" programmes: filling a lever's blanks made the counts floats."""
    table = flexibility_value(small(), workers=1, time_limit=20).by_nation
    counts = [c for c in table.columns if c.startswith("programmes (")]
    assert counts and all(pd.api.types.is_integer_dtype(table[c]) for c in counts)
