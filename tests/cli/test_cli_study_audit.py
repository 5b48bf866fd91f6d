"""Study commands used as a planner would (audit of replan, stress, sweep, flexibility,
pareto and robustness): options that were silently ignored, mistakes that ended in an
internal error, and terminal output that did not say what the workbook says."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result

import cli
from data.input_writer import write_inputs
from optimizer.errors import EXIT_CODES
from tests.optimizer.conftest import make_inputs, nation, programme


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli.main, [str(a) for a in args], catch_exceptions=False)


def summary(path: Path) -> dict[str, object]:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return {r[0]: r[1] for r in wb["Summary"].iter_rows(min_row=2, values_only=True)}
    finally:
        wb.close()


def refused_as_usage(result: Result, text: str, out: Path) -> None:
    """A usage mistake: exit 2, the message says `text`, and nothing was written."""
    assert result.exit_code == EXIT_CODES["usage"], result.output
    assert text in result.output
    assert not out.exists()


@pytest.fixture()
def plan_of(tmp_path: Path, book: Path) -> Path:
    """A plain plan workbook (not a front) of `book`."""
    out = tmp_path / "plan.xlsx"
    assert run("solve", book, "-o", out, "--gap", "0").exit_code == 0
    return out


# --- --point where there is no front -----------------------------------------------------
def test_replan_point_of_a_plain_plan_is_a_usage_error(tmp_path: Path, book: Path, plan_of: Path) -> None:
    """`--point 2` with a plain plan was ignored, yet the Summary said the re-plan started from
    "plan.xlsx (point 2)"."""
    out = tmp_path / "new.xlsx"
    result = run("replan", book, "--previous", plan_of, "--from-year", "2031", "--point", "2", "-o", out)
    refused_as_usage(result, "plan.xlsx is a plan, not a Pareto front", out)
    assert "--point" in result.output


def test_stress_point_without_any_front_is_a_usage_error(tmp_path: Path, plan_of: Path) -> None:
    """`stress plan.xlsx --point 3` stressed the plan and never said that no point was chosen."""
    out = tmp_path / "stress.xlsx"
    result = run("stress", plan_of, "--point", "3", "--samples", "5", "-o", out)
    refused_as_usage(result, "not a Pareto front", out)


# --- the previous plan's problems name its file ----------------------------------------------
def test_replan_names_the_previous_plan_file_in_its_problems(tmp_path: Path, book: Path, plan_of: Path) -> None:
    """A damaged previous plan gave `Plan!D2: start_year is "soon"` — which of the two
    workbooks? `capopt stress` and the re-plan's own warnings say `[plan.xlsx]Plan!D2`."""
    wb = openpyxl.load_workbook(plan_of)
    header = [c.value for c in wb["Plan"][1]]
    wb["Plan"].cell(2, header.index("start_year") + 1).value = "soon"
    wb.save(plan_of)
    wb.close()
    result = run("replan", book, "--previous", plan_of, "--from-year", "2031", "-o", tmp_path / "new.xlsx")
    assert result.exit_code == EXIT_CODES["invalid_input"], result.output
    assert '  [plan.xlsx]Plan!D2: start_year is "soon"' in result.output


# --- sweep options -----------------------------------------------------------------------
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


# --- flexibility ---------------------------------------------------------------------------
@pytest.mark.parametrize("option", ["--carry-over", "--borrow"])
def test_flexibility_fraction_above_one_is_a_usage_error(tmp_path: Path, book: Path, option: str) -> None:
    """The option took any number ≥ 0, and 1.5 ended in "Internal error: ValueError:
    carry_over_fraction is 1.5 — expected a fraction from 0 to 1" (exit 1)."""
    result = run("flexibility", book, option, "1.5", "-o", tmp_path / "f.xlsx")
    assert result.exit_code == EXIT_CODES["usage"], result.output
    assert "Internal error" not in result.output and option in result.output


# --- pareto --nadir ------------------------------------------------------------------------
def test_pareto_nadir_off_the_front_is_a_usage_error(tmp_path: Path, book: Path) -> None:
    """`--nadir risk=5` on a capability–cost front: "Internal error: ValueError" (exit 1)."""
    result = run("pareto", book, "--objectives", "capability,cost", "--nadir", "risk=5", "-o", tmp_path / "f.xlsx")
    assert result.exit_code == EXIT_CODES["usage"], result.output
    assert "Invalid value for --nadir: risk is not on the front — expected one of cost" in result.output


def test_pareto_nadir_of_the_primary_objective_is_a_usage_error(tmp_path: Path, book: Path) -> None:
    """The primary objective has no grid: its --nadir was ignored without a word."""
    out = tmp_path / "f.xlsx"
    result = run("pareto", book, "--objectives", "capability,cost", "--nadir", "capability=3", "-o", out)
    refused_as_usage(result, "capability is the front's primary objective", out)


# --- robustness: a Γ without a gap ---------------------------------------------------------
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


def test_a_replan_charging_changes_says_its_gap_is_of_the_penalised_objective(
    tmp_path: Path, book: Path, plan_of: Path
) -> None:
    """The terminal said "gap 0 % on cost" and the Dashboard "optimal … on cost" for a
    re-plan that optimised cost + W × changes: no bound on cost alone was proven."""
    out = tmp_path / "new.xlsx"
    result = run("replan", book, "--previous", plan_of, "--from-year", "2031", "--stability-weight", "5", "-o", out)
    assert result.exit_code == 0, result.output
    assert "× changes" in next(line for line in result.output.splitlines() if line.startswith("Status:"))
    wb = openpyxl.load_workbook(out, read_only=True)
    try:
        dashboard = " ".join(str(c) for row in wb["Dashboard"].iter_rows(values_only=True) for c in row if c)
    finally:
        wb.close()
    assert "+ 5 × changes" in dashboard or "− 5 × changes" in dashboard
    free = tmp_path / "free.xlsx"
    result = run("replan", book, "--previous", plan_of, "--from-year", "2031", "--stability-weight", "0", "-o", free)
    assert result.exit_code == 0 and "× changes" not in result.output


def test_a_stability_weight_beyond_the_solvers_precision_is_refused(tmp_path: Path, book: Path, plan_of: Path) -> None:
    """`--stability-weight 1e16` came back "optimal, gap 4 %" (1e300: "gap 6e+298 %")."""
    out = tmp_path / "new.xlsx"
    result = run("replan", book, "--previous", plan_of, "--from-year", "2031", "--stability-weight", "1e16", "-o", out)
    refused_as_usage(result, "--stability-weight", out)


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


# --- terminal tables show blanks as the status line does --------------------------------------
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
