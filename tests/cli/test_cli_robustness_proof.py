"""`capopt robustness` names every Γ it could not prove within the gap target (issue 21)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import cli
from data.input_writer import write_inputs
from tests.optimizer.conftest import make_inputs, nation, programme
from tests.optimizer.studies.test_robustness_proof import leave_open, rows, summary


@pytest.fixture()
def book(tmp_path: Path) -> Path:
    """One ally with 10 a year; P1 costs 8 (risk 0.5), P2 costs 2: Γ = 1 funds P2 only."""
    inputs = make_inputs(
        first_year=2030,
        last_year=2031,
        nations=[nation("AAA")],
        budgets=10.0,
        programmes=[programme("P1", cost=8, risk=0.5), programme("P2", cost=2)],
        values={("P1", "air"): 5.0, ("P2", "air"): 1.0},
    )
    return write_inputs(inputs, tmp_path / "book.xlsx")


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli.main, list(args), catch_exceptions=False)


def run_robustness(book: Path, out: Path):  # type: ignore[no-untyped-def]
    """`capopt robustness` for Γ = 0 and 1, one worker, 1 % gap target."""
    return run("robustness", str(book), "-o", str(out), "--gammas", "0,1", "--workers", "1", "--gap", "0.01")


def test_every_gamma_proven_prints_no_open_point(tmp_path, book) -> None:
    out = tmp_path / "robust.xlsx"
    result = run_robustness(book, out)
    assert result.exit_code == 0, result.output
    assert "2 of 2 Γ points proven within the 1 % gap target" in result.output
    assert "not proven" not in result.output


def test_an_open_gamma_gets_its_own_line_and_is_marked_in_the_workbook(tmp_path, book, monkeypatch) -> None:
    leave_open(monkeypatch, gamma=1, gap=0.05)  # lexicographic: the last stage is cost
    out = tmp_path / "robust.xlsx"
    result = run_robustness(book, out)
    assert result.exit_code == 0, result.output
    assert "1 of 2 Γ points proven within the 1 % gap target" in result.output
    # the earlier stages' proofs beside the last one's gap (an unproven one went unsaid)
    line = (
        "Γ=1: best plan found, not proven: the best possible cost is at most 5 % lower; "
        "shortfall was proven optimal, capability was proven optimal"
    )
    assert line in result.output.splitlines()
    wb = openpyxl.load_workbook(out)
    sheet = {r["gamma"]: r for r in rows(wb["Robustness"])}
    assert (sheet[0]["proven"], sheet[1]["proven"]) == ("yes", "no")
    assert sheet[1]["cost: best possible (bound)"] == pytest.approx(0.95 * sheet[1]["cost"])
    assert len(wb["Robustness"]._charts) == 2
    assert summary(wb)["not_proven"] == [line]
