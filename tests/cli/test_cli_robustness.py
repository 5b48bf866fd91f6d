"""`capopt robustness`: the terminal's table of Γ points."""

from __future__ import annotations

from pathlib import Path

from data.input_writer import write_inputs
from tests.cli.conftest import run
from tests.optimizer.conftest import make_inputs, nation, programme


def test_robustness_shows_a_dash_not_nan_where_a_gamma_has_no_gap(tmp_path: Path) -> None:
    """A Γ with no plan (or no bound) printed "NaN" in the gap column: pandas gives NaN to
    na_rep, never to the gap formatter, so the terminal and the Dashboard disagreed."""
    inputs = make_inputs(
        first_year=2030,
        last_year=2031,
        nations=[nation("AAA")],
        budgets=10.0,
        programmes=[programme("P1", cost=8, risk=0.5), programme("P2", cost=2)],
        values={("P1", "air"): 5.0, ("P2", "air"): 1.0},
        commitments=[("AAA", "P1", "fund", 2030)],
    )  # Γ = 1: P1 needs 12 > 10, and AAA must fund it: no plan
    book = write_inputs(inputs, tmp_path / "book.xlsx")
    result = run("robustness", book, "--gammas", "0,1", "--workers", "1", "--gap", "0", "-o", tmp_path / "r.xlsx")
    assert result.exit_code == 0, result.output
    table = result.stdout.split("Γ points proven")[0]
    assert "NaN" not in table and "infeasible" in table
    assert "—" in table.splitlines()[-2]  # Γ = 1's row
