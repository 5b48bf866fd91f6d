"""CLI of issue 8: `solve --robust`, `robustness`, `stress` and `replan` through CliRunner."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import cli
from data.input_writer import write_inputs
from tests.optimizer.conftest import make_inputs, nation, programme


@pytest.fixture()
def book(tmp_path: Path) -> Path:
    """One ally with 10 a year; P1 costs 8 (risk 0.5), P2 costs 2 (risk 0).

    Nominally both fit every year (8 + 2 = 10); with Γ = 1, P1 alone needs 12 > 10,
    so the robust plan funds only P2.
    """
    inputs = make_inputs(
        first_year=2030, last_year=2031, nations=[nation("AAA")], budgets=10.0,
        programmes=[programme("P1", cost=8, risk=0.5), programme("P2", cost=2)],
        values={("P1", "air"): 5.0, ("P2", "air"): 1.0},
    )
    return write_inputs(inputs, tmp_path / "book.xlsx")


def run(*args: str):
    return CliRunner().invoke(cli.main, list(args), catch_exceptions=False)


def sheet_rows(path: Path, sheet: str) -> list[dict[str, object]]:
    ws = openpyxl.load_workbook(path, read_only=True)[sheet]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def summary(path: Path) -> dict[str, object]:
    return {r["key"]: r["value"] for r in sheet_rows(path, "Summary")}  # type: ignore[misc]


def test_solve_robust_drops_the_programme_whose_overrun_does_not_fit(tmp_path, book):
    nominal, robust = tmp_path / "nominal.xlsx", tmp_path / "robust.xlsx"
    assert run("solve", str(book), "-o", str(nominal), "--gap", "0").exit_code == 0
    result = run("solve", str(book), "-o", str(robust), "--robust", "1", "--gap", "0")
    assert result.exit_code == 0, result.output
    assert {r["programme"] for r in sheet_rows(nominal, "Plan")} == {"P1", "P2"}
    assert {r["programme"] for r in sheet_rows(robust, "Plan")} == {"P2"}
    assert summary(robust)["robust_overruns"] == 1
    assert "robust_overruns" not in summary(nominal)


def test_negative_gamma_is_a_usage_error(tmp_path, book):
    result = run("solve", str(book), "-o", str(tmp_path / "x.xlsx"), "--robust", "-1")
    assert result.exit_code == 2
    assert not (tmp_path / "x.xlsx").exists()
