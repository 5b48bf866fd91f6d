"""`capopt replan`: a previous plan that is no plan or of a changed workbook, and the options that steer it."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from click.testing import Result

from data.input_writer import write_inputs
from data.tables import Inputs
from optimizer.errors import EXIT_CODES
from tests.cli.conftest import old_inputs, refused_as_usage, run
from tests.cli.test_cli_robust import sheet_rows as rows
from tests.optimizer.conftest import nation, programme


# --- --point where there is no front ------------------------------------------------------
def test_replan_point_of_a_plain_plan_is_a_usage_error(tmp_path: Path, book: Path, plan_of: Path) -> None:
    """`--point 2` with a plain plan was ignored, yet the Summary said the re-plan started from
    "plan.xlsx (point 2)"."""
    out = tmp_path / "new.xlsx"
    result = run("replan", book, "--previous", plan_of, "--from-year", "2031", "--point", "2", "-o", out)
    refused_as_usage(result, "plan.xlsx is a plan, not a Pareto front", out)
    assert "--point" in result.output


# --- the previous plan's problems name its file -------------------------------------------
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


def test_replan_names_the_file_that_is_no_plan_workbook(tmp_path: Path, book: Path) -> None:
    """ "Plan: sheet is missing" did not say which of the two workbooks; stress said [rob.xlsx]Plan."""
    rob = tmp_path / "rob.xlsx"
    rob.write_bytes(book.read_bytes())  # an input workbook, like a robustness report: no Plan sheet
    out = tmp_path / "new.xlsx"
    result = run("replan", book, "--previous", rob, "--from-year", "2031", "-o", out)
    assert result.exit_code == EXIT_CODES["invalid_input"], result.output
    assert "  [rob.xlsx]Plan: sheet is missing — expected a plan workbook written by capopt" in result.output
    assert not out.exists()


# --- re-planning after a programme (or a nation, or a standard) is gone -------------------
def replan(tmp_path: Path, new: Inputs, previous: Path) -> tuple[Result, Path]:
    book = write_inputs(new, tmp_path / "new.xlsx")
    out = tmp_path / "replan.xlsx"
    return run(
        "replan",
        book,
        "--previous",
        previous,
        "--from-year",
        "2031",
        "--stability-weight",
        "1000",
        "--gap",
        "0",
        "-o",
        out,
    ), out


def test_replan_drops_a_programme_the_new_workbook_no_longer_has(tmp_path: Path, previous: Path) -> None:
    """Was exit 3: `Plan!B3: programme "P2" is not in the input workbook`, and that the plan
    was made from another workbook — yet a changed workbook is what a re-plan is for, and
    docs/robust.md §14 says such a funding is dropped and counted as a change."""
    new = old_inputs(
        programmes=[programme("P1", cost=6), programme("J", cost=12, duration=2, sharing="joint")],
        values={("P1", "air"): 5.0, ("J", "air"): 3.0},
    )
    result, out = replan(tmp_path, new, previous)
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert warnings[0].startswith("warning: [previous.xlsx]Summary!B4: the plan was made from ")
    assert warnings[1] == (
        'warning: [previous.xlsx]Plan!B4: programme "P2" is not in the input workbook '
        "(nor in 1 more row of Plan) — the re-plan drops its fundings and lists each as a change"
    )
    changes = {(c["nation"], c["programme"], c["change"]) for c in rows(out, "Changes")}
    assert changes == {("AAA", "P2", "dropped"), ("BBB", "P2", "dropped")}
    # the note says why, and the previous plan still tells what kind of programme it was
    assert {(c["sharing"], c["note"].split(" (")[0]) for c in rows(out, "Changes")} == {
        ("national", "no longer in the input workbook")
    }
    summary = {r["key"]: r["value"] for r in rows(out, "Summary")}
    assert summary["changes"] == 2
    assert "2 change(s)" in result.stdout


def test_replan_drops_a_nation_and_a_standard_the_new_workbook_no_longer_has(tmp_path: Path, previous: Path) -> None:
    """CCC paid into J before the re-plan year and S was adopted before it: the new plan's
    past was checked against them, which ended in an internal error after the solve."""
    new = old_inputs(nations=[nation("AAA"), nation("BBB")], standards=[])
    result, out = replan(tmp_path, new, previous)
    assert result.exit_code == 0, result.output
    assert "Internal error" not in result.output
    assert sum(line.startswith("warning: [previous.xlsx]") for line in result.stderr.splitlines()) == 3
    changes = {(c["nation"], c["programme"], c["change"]) for c in rows(out, "Changes")}
    assert {("CCC", "J", "dropped"), ("AAA", "S", "adoption dropped"), ("CCC", "S", "adoption dropped")} <= changes


# --- --stability-weight and --from-year ---------------------------------------------------
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


def test_replan_from_a_year_outside_the_horizon_is_a_usage_error(tmp_path: Path, book: Path) -> None:
    plan, out = tmp_path / "plan.xlsx", tmp_path / "replan.xlsx"
    assert run("solve", str(book), "-o", str(plan)).exit_code == 0
    result = run("replan", str(book), "--previous", str(plan), "--from-year", "2040", "-o", str(out))
    assert result.exit_code == EXIT_CODES["usage"] == 2, result.output
    assert "Invalid value for --from-year: 2040 is outside the horizon 2030–2032" in result.output
    assert not out.exists()
