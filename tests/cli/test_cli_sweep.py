"""`capopt sweep`: options that would sweep something else, notes and tables, and a sweep without any plan."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from data.input_writer import write_inputs
from optimizer.errors import EXIT_CODES
from tests.cli.conftest import refused_as_usage, run
from tests.optimizer.conftest import make_inputs, nation, programme


def summary(path: Path) -> dict[str, object]:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return {r[0]: r[1] for r in wb["Summary"].iter_rows(min_row=2, values_only=True)}
    finally:
        wb.close()


# --- sweep options ------------------------------------------------------------------------
def test_sweep_empty_budget_scale_list_is_a_usage_error(tmp_path: Path, book: Path) -> None:
    """`--budget-scale ,` ended in "Internal error: ValueError: scales is []" (exit 1)."""
    result = run("sweep", book, "--budget-scale", ",", "-o", tmp_path / "s.xlsx")
    assert result.exit_code == EXIT_CODES["usage"], result.output
    assert "Internal error" not in result.output and "--budget-scale" in result.output


def test_sweep_reversed_years_say_what_is_wrong(tmp_path: Path, book: Path) -> None:
    """`--years 2032:2030` made an empty range: first budgets ×0.5 of no year reported as a
    sweep "in every year", then "years is empty — … years=None", a Python hint on the
    command line. It names the order now."""
    result = run("sweep", book, "--budget-scale", "0.5", "--years", "2032:2030", "-o", tmp_path / "s.xlsx")
    assert result.exit_code == EXIT_CODES["usage"], result.output
    assert "'2032:2030' ends before it starts — expected FIRST:LAST with FIRST ≤ LAST" in result.output


def test_sweep_note_spells_nations_as_the_workbook_does(tmp_path: Path, book: Path) -> None:
    """`--nations aaa` scaled AAA's budgets, and the note said "budgets scaled for aaa" beside
    point_changes' "budgets ×0.5 for AAA"."""
    out = tmp_path / "s.xlsx"
    result = run("sweep", book, "--budget-scale", "0.5", "--nations", " aaa", "--workers", "1", "-o", out)
    assert result.exit_code == 0, result.output
    assert "note: budgets scaled for AAA in every year" in result.output
    assert summary(out)["note"] == "budgets scaled for AAA in every year"


@pytest.mark.parametrize(
    ("option", "value", "text"),
    [
        ("--nations", "", "names no nation"),  # was read as every nation
        ("--budget-scale", "1,1", "more than once"),  # one scenario solved twice
        ("--budget-scale", "0.5:0.6:1", "not at 0.6"),  # STOP dropped without a word
    ],
)
def test_sweep_options_that_would_sweep_something_else_are_refused(
    tmp_path: Path, book: Path, option: str, value: str, text: str
) -> None:
    out = tmp_path / "sweep.xlsx"
    args = {"--budget-scale": "0.9,1", option: value}
    result = run("sweep", book, *[part for pair in args.items() for part in pair], "-o", out)
    refused_as_usage(result, text, out)


# --- a nation or year typed on the command line that the workbook lacks -------------------
@pytest.mark.parametrize(
    ("args", "option", "message"),
    [
        (["--nations", "DEU"], "--nations", "unknown nation(s) DEU — one of AAA, BBB"),
        (["--nations", "aaa,DEU,FRA"], "--nations", "unknown nation(s) DEU, FRA — one of AAA, BBB"),
        (["--years", "2040:2041"], "--years", "year(s) [2040, 2041] outside the horizon — years 2030–2032"),
        (["--budget-scale", "-1,1"], "--budget-scale", "'-1,1': '-1' is not a number ≥ 0 — expected START:STOP:STEP"),
    ],
)
def test_sweep_options_naming_what_the_workbook_lacks_are_usage_errors(
    args: list[str], option: str, message: str, tmp_path: Path, book: Path
) -> None:
    """The workbook is fine (exit 3 would send the user hunting through it): the typed
    value is wrong, so exit 2 naming the option."""
    out = tmp_path / "sweep.xlsx"
    result = run("sweep", str(book), *args, "--workers", "1", "-o", str(out))
    assert result.exit_code == EXIT_CODES["usage"] == 2, result.output
    assert f"Invalid value for {option}: {message}" in result.output
    assert not out.exists()


def test_a_nation_the_workbook_itself_gets_wrong_is_still_invalid_input(tmp_path: Path) -> None:
    """Only a typed value moved to exit 2: a commitment naming an unknown nation in the
    workbook stays exit 3, with the cell."""
    import openpyxl

    inputs = make_inputs(
        first_year=2030,
        last_year=2031,
        nations=[nation("AAA")],
        budgets=10.0,
        programmes=[programme("P1", cost=6)],
        commitments=[("AAA", "P1", "fund", 2030)],
    )
    path = tmp_path / "book.xlsx"
    write_inputs(inputs, path)
    wb = openpyxl.load_workbook(path)
    sheet = wb["Commitments"]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=header.index("nation") + 1, value="DEU")
    wb.save(path)
    result = run("sweep", str(path), "--budget-scale", "1", "--workers", "1", "-o", str(tmp_path / "s.xlsx"))
    assert result.exit_code == EXIT_CODES["invalid_input"] == 3, result.output
    assert "Commitments!" in result.output and "DEU" in result.output


# --- scenarios without a plan -------------------------------------------------------------
def test_sweep_table_shows_a_dash_for_a_scenario_without_a_plan(tmp_path: Path) -> None:
    """An infeasible budget point has no capability, cost or shortfall: the terminal printed
    "NaN" there, where the status line and the workbook say "—"."""
    inputs = make_inputs(
        first_year=2030,
        last_year=2032,
        nations=[nation("AAA"), nation("BBB")],
        budgets=10.0,
        programmes=[programme("P1", cost=6)],
        values={("P1", "air"): 5.0},
        commitments=[("AAA", "P1", "fund")],
    )
    book = tmp_path / "book.xlsx"
    write_inputs(inputs, book)
    result = run("sweep", book, "--budget-scale", "0.1,1", "--workers", "1", "-o", tmp_path / "s.xlsx")
    assert result.exit_code == 0, result.output
    infeasible = next(line for line in result.output.splitlines() if "infeasible" in line and "×0.1" in line)
    assert "NaN" not in infeasible and "None" not in infeasible and "—" in infeasible, result.output


@pytest.fixture()
def infeasible_book(tmp_path: Path) -> Path:
    """AAA must fund P1 (cost 12 a year) in 2030 on a budget of 10: no plan anywhere."""
    inputs = make_inputs(
        first_year=2030,
        last_year=2031,
        nations=[nation("AAA")],
        budgets=10.0,
        programmes=[programme("P1", cost=12)],
        values={("P1", "air"): 5.0},
        commitments=[("AAA", "P1", "fund", 2030)],
    )
    return write_inputs(inputs, tmp_path / "infeasible.xlsx")


@pytest.mark.parametrize("command", [["sweep", "--budget-scale", "0.9,1.0"], ["flexibility"]])
def test_a_study_whose_every_scenario_is_infeasible_says_why_and_exits_4(
    command: list[str], tmp_path: Path, infeasible_book: Path
) -> None:
    """`solve` named the commitment and exited 4; `sweep` and `flexibility` exited 0, wrote a
    workbook of "infeasible" rows and gave no reason."""
    out = tmp_path / "study.xlsx"
    result = run(command[0], str(infeasible_book), "-o", str(out), "--time-limit", "10", *command[1:])
    assert result.exit_code == EXIT_CODES["infeasible"] == 4, result.output
    assert "infeasible" in result.output and "AAA" in result.output and "P1" in result.output
    assert not out.exists()
