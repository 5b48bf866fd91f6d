"""The command-line path a planner walks every day, with the mistakes made on it: every
one is a usage error (exit 2) or an input problem (exit 3) found before anything is solved,
never an internal error after the solve, and the input workbook is never written to."""

from __future__ import annotations

import hashlib
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result

import cli
from data.input_writer import write_inputs
from optimizer.errors import EXIT_CODES
from tests.optimizer.conftest import make_inputs, nation, programme


def run(*args: str) -> Result:
    return CliRunner().invoke(cli.main, list(args), catch_exceptions=False)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def with_setting(book: Path, key: str, value: object, tmp_path: Path) -> Path:
    """A copy of `book` whose Settings sheet has `key` = `value` (row replaced or added)."""
    wb = openpyxl.load_workbook(book)
    ws = wb["Settings"]
    row = next((r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == key), ws.max_row + 1)
    ws.cell(row, 1, key)
    ws.cell(row, 2, value)
    out = tmp_path / f"{key}-{value}.xlsx"
    wb.save(out)
    return out


# --- the input is never written to ------------------------------------------------------------
OVER_THE_INPUT = {  # command -> arguments; BOOK is the input workbook
    "solve -o": ["solve", "BOOK", "-o", "BOOK"],
    "solve --log": ["solve", "BOOK", "-o", "OUT", "--log", "BOOK"],
    "pareto -o": ["pareto", "BOOK", "--points", "2", "-o", "BOOK"],
    "sweep -o": ["sweep", "BOOK", "--budget-scale", "1", "--workers", "1", "-o", "BOOK"],
    "flexibility -o": ["flexibility", "BOOK", "--workers", "1", "-o", "BOOK"],
    "robustness -o": ["robustness", "BOOK", "--gammas", "0", "--workers", "1", "-o", "BOOK"],
}


@pytest.mark.parametrize("case", list(OVER_THE_INPUT))
def test_an_output_naming_the_input_workbook_is_refused_before_solving(case: str, tmp_path: Path, book: Path) -> None:
    """`pareto`, `sweep`, `flexibility`, `robustness` -o BOOK and `solve --log BOOK` replaced
    the planner's workbook by their output (README: the input file is never written to)."""
    before = digest(book)
    args = [str(book) if a == "BOOK" else str(tmp_path / "out.xlsx") if a == "OUT" else a for a in OVER_THE_INPUT[case]]
    result = run(*args)
    assert result.exit_code == EXIT_CODES["usage"], result.output
    refused = (
        "is a workbook — expected a text file for the log"
        if case == "solve --log"  # any workbook
        else f"the output would overwrite an input workbook ({book})"
    )
    assert refused in result.output
    assert digest(book) == before
    assert not (tmp_path / "out.xlsx").exists()


def test_the_same_file_through_another_spelling_is_the_input(tmp_path: Path, book: Path) -> None:
    """A hard link (or another case on a case-insensitive disk) is still the input file."""
    link = tmp_path / "link.xlsx"
    link.hardlink_to(book)
    before = digest(book)
    result = run("pareto", str(link), "--points", "2", "-o", str(book))
    assert result.exit_code == EXIT_CODES["usage"], result.output
    assert digest(book) == before


def test_the_log_onto_the_plan_workbook_is_refused(tmp_path: Path, book: Path) -> None:
    """Two outputs of one run on one file: the later one would replace the earlier (a log
    named like a workbook is refused as one)."""
    plan = tmp_path / "p.xlsx"
    result = run("solve", str(book), "-o", str(plan), "--log", str(plan))
    assert result.exit_code == EXIT_CODES["usage"], result.output
    assert "is a workbook — expected a text file for the log" in result.output
    assert not plan.exists()


@pytest.mark.parametrize("plot", ["front.xlsx", "front", "front.jpg"])
def test_a_plot_not_named_png_is_refused_before_the_front_is_solved(plot: str, tmp_path: Path, book: Path) -> None:
    """`--plot front.xlsx` ended in an internal error after the whole front; `--plot front`
    said "Plot written to front" while front.png was written."""
    result = run("pareto", str(book), "--points", "2", "-o", str(tmp_path / "f.xlsx"), "--plot", str(tmp_path / plot))
    assert result.exit_code == EXIT_CODES["usage"], result.output
    assert "expected a file name ending in .png" in result.output
    assert list(tmp_path.glob("f*")) == []


# --- objective options ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--weight", "capability=-1"], "'capability=-1' — expected NAME=NUMBER ≥ 0"),
        (["--weight", "capability=nan"], "'capability=nan' — expected NAME=NUMBER ≥ 0"),
        (["--weight", "capability=inf"], "'capability=inf' — expected NAME=NUMBER ≥ 0"),
        (["--weight", "cost=1", "--weight", "cost=2"], "cost is given twice — expected each name once"),
        (["--priority", "cost,cost"], "'cost,cost' names cost twice — expected each objective once"),
        (["--priority", ","], "',' lists no objective"),
        (["--objective", "lexicographic", "--weight", "cost=1"], "--objective lexicographic would ignore it"),
        (["--objective", "weighted", "--priority", "cost"], "--objective weighted would ignore it"),
        (["--priority", "cost", "--weight", "cost=1"], "expected one of them"),
        (["--gap", "nan"], "'nan' is not a finite number"),
        (["--time-limit", "inf"], "'inf' is not a finite number"),
    ],
)
def test_objective_options_a_run_would_ignore_or_misread_are_usage_errors(
    args: list[str], message: str, tmp_path: Path, book: Path
) -> None:
    """Each of these ran: a negative or NaN weight turned capability into something to avoid
    or made the plan meaningless, an infinite weight ended in a solver error, a weight beside
    --objective lexicographic was dropped without a word."""
    out = tmp_path / "plan.xlsx"
    result = run("solve", str(book), "-o", str(out), *args)
    assert result.exit_code == EXIT_CODES["usage"], result.output
    assert message in result.output
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--objectives", "capability,capability"], "names capability twice"),
        (["--nadir", "cost=nan"], "'cost=nan' — expected NAME=NUMBER"),
        (["--point-time-limit", "nan"], "'nan' is not a finite number"),
    ],
)
def test_pareto_options_that_broke_the_front_are_usage_errors(
    args: list[str], message: str, tmp_path: Path, book: Path
) -> None:
    """capability,capability ended in "Internal error: TypeError"; a NaN nadir ran a front
    explored up to "cost ≤ nan"."""
    result = run("pareto", str(book), "-o", str(tmp_path / "front.xlsx"), "--points", "2", *args)
    assert result.exit_code == EXIT_CODES["usage"], result.output
    assert message in result.output
    assert "Internal error" not in result.output


def test_priority_alone_makes_a_run_lexicographic_and_says_so(tmp_path: Path, book: Path) -> None:
    """With Settings objective = weighted, --priority was silently ignored."""
    weighted = with_setting(book, "objective", "weighted", tmp_path)
    result = run("solve", str(weighted), "-o", str(tmp_path / "plan.xlsx"), "--priority", "cost,capability")
    assert result.exit_code == 0, result.output
    assert "note: --priority makes this a lexicographic run (the Settings sheet says weighted)" in result.output
    summary = dict(openpyxl.load_workbook(tmp_path / "plan.xlsx")["Summary"].iter_rows(values_only=True))
    assert summary["objective"] == "lexicographic"
    assert summary["cost"] == 0  # cost first: nothing is worth paying for


def test_solve_makes_the_front_a_settings_objective_of_pareto_asks_for(tmp_path: Path, book: Path) -> None:
    """WORKBOOK.md allows objective = pareto in Settings, and `capopt solve` (the main
    command) refused such a workbook; it now writes the front `capopt pareto` would, and
    refuses, naming them, the options only one plan takes."""
    front_book = with_setting(book, "objective", "pareto", tmp_path)
    out = tmp_path / "front.xlsx"
    # the options every command takes, and the ones a front shares with one plan, are kept
    result = run("solve", str(front_book), "-o", str(out), "--time-limit", "30", "-q", "--workers", "1")
    assert result.exit_code == 0, result.output
    assert result.output.count("writes the front, as `capopt pareto` would") == 1
    wb = openpyxl.load_workbook(out, read_only=True)
    summary = dict(wb["Summary"].iter_rows(values_only=True))
    assert "Pareto" in wb.sheetnames and summary["objective"] == "pareto"
    wb.close()
    refused = run("solve", str(front_book), "-o", str(tmp_path / "other.xlsx"), "--gap", "0.01", "--strategy", "lns")
    assert refused.exit_code == EXIT_CODES["usage"], refused.output
    assert "a front takes no --gap, --strategy" in refused.output
    assert not (tmp_path / "other.xlsx").exists()


def test_a_settings_objective_of_pareto_points_replan_to_one_plan(tmp_path: Path, book: Path) -> None:
    """`capopt replan` on a workbook whose Settings say objective = pareto ended in
    "Internal error: ValueError: use Scenario.pareto() for Pareto fronts"; a re-plan is one
    plan, so it says how to ask for one."""
    command = "replan"
    plan = tmp_path / "plan.xlsx"
    assert run("solve", str(book), "-o", str(plan)).exit_code == 0
    front_book = with_setting(book, "objective", "pareto", tmp_path)
    extra = ["--previous", str(plan), "--from-year", "2031"]
    result = run(command, str(front_book), "-o", str(tmp_path / "out.xlsx"), *extra)
    assert result.exit_code == EXIT_CODES["usage"], result.output
    assert "capopt pareto BOOK" in result.output
    assert "Internal error" not in result.output
    assert (
        run(
            command, str(front_book), "-o", str(tmp_path / "out.xlsx"), "--objective", "lexicographic", *extra
        ).exit_code
        == 0
    )


# --- the file named -----------------------------------------------------------------------------
@pytest.mark.parametrize("command", ["validate", "solve", "pareto"])
def test_a_folder_for_the_workbook_is_an_input_problem_like_a_missing_file(command: str, tmp_path: Path) -> None:
    """A folder was a click usage error (exit 2), a missing file an input problem (exit 3);
    the reader's message for both is documented (docs/input-validation.md, "The file")."""
    folder = tmp_path / "my.xlsx"
    folder.mkdir()
    result = run(command, str(folder))
    assert result.exit_code == EXIT_CODES["invalid_input"], result.output
    assert "my.xlsx: is a folder — expected an .xlsx file" in result.output


def test_a_book_with_names_like_formulas_writes_them_as_text(tmp_path: Path) -> None:
    """Ids starting with =, +, - or @ reach the Plan sheet as text, never as formulas."""
    inputs = make_inputs(
        first_year=2030,
        last_year=2031,
        nations=[nation("=A"), nation("@B")],
        budgets=10.0,
        programmes=[programme("+P1", cost=4), programme("-P2", cost=4)],
        values={("+P1", "air"): 5.0, ("-P2", "air"): 4.0},
    )
    path = write_inputs(inputs, tmp_path / "book.xlsx")
    out = tmp_path / "plan.xlsx"
    assert run("solve", str(path), "-o", str(out)).exit_code == 0
    wb = openpyxl.load_workbook(out)
    cells = [c for ws in wb for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    plan = {v for row in wb["Plan"].iter_rows(values_only=True) for v in row}
    assert {"=A", "@B", "+P1", "-P2"} <= plan
