"""Faults a tester found on the command line: re-planning against a workbook that has
changed since the plan was made, a re-plan's previous plan that is no plan, a negative
--seed, output piped into `head`, and -q/-v typed after the command name."""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import cli
from data.input_writer import write_inputs
from data.report import write_plan_workbook
from data.tables import Inputs, PlanDecisions
from optimizer.checks.evaluate import evaluate
from optimizer.errors import EXIT_CODES
from tests.cli.test_cli_robust import sheet_rows as rows
from tests.optimizer.conftest import make_inputs, nation, plan, programme, standard

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli.main, [str(a) for a in args], catch_exceptions=False)


def written_plan(path: Path, inputs: Inputs, book: Path, decisions: PlanDecisions) -> Path:
    """A plan workbook as `capopt solve BOOK` writes it, with exactly these decisions."""
    tables = evaluate(inputs, decisions)
    summary = [
        ("status", "optimal"),
        ("input_file", str(book)),
        ("input_sha256", hashlib.sha256(book.read_bytes()).hexdigest()),
    ]
    frames = {
        "plan": tables.plan,
        "spend": tables.spend,
        "standards": tables.standards,
        "capability": tables.capability,
        "contributions": tables.contributions,
    }
    return write_plan_workbook(path, summary, frames, list(inputs.years))


def old_inputs(**changes: object) -> Inputs:
    """2030–2032, AAA, BBB and CCC with 20 a year; national P1 and P2, joint J (2 years)."""
    spec: dict[str, object] = {
        "first_year": 2030,
        "last_year": 2032,
        "nations": [nation("AAA"), nation("BBB"), nation("CCC")],
        "budgets": 20.0,
        "standards": [standard("S")],
        "programmes": [
            programme("P1", cost=6),
            programme("P2", cost=6, duration=2),
            programme("J", cost=12, duration=2, sharing="joint"),
        ],
        "values": {("P1", "air"): 5.0, ("P2", "air"): 4.0, ("J", "air"): 3.0},
    }
    return make_inputs(**{**spec, **changes})  # type: ignore[arg-type]


PREVIOUS = plan(  # P2 started before the re-plan year (BBB, 2030) and from it (AAA, 2031)
    national={("AAA", "P1"): 2030, ("AAA", "P2"): 2031, ("BBB", "P2"): 2030},
    joint={"J": (2030, ("AAA", "BBB", "CCC"))},
    payments={(n, "J", y): 2.0 for n in ("AAA", "BBB", "CCC") for y in (2030, 2031)},
    adoptions={("AAA", "S"): 2030, ("CCC", "S"): 2032},
)


@pytest.fixture()
def previous(tmp_path: Path) -> Path:
    inputs = old_inputs()
    book = write_inputs(inputs, tmp_path / "old.xlsx")
    return written_plan(tmp_path / "previous.xlsx", inputs, book, PREVIOUS)


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


# --- 1. re-planning after a programme (or a nation, or a standard) is gone ----------------
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


def test_stress_still_reads_a_plan_strictly(tmp_path: Path, previous: Path) -> None:
    """A stress test runs against the workbook the plan was made from: an id it lacks stays an error."""
    new = write_inputs(old_inputs(standards=[]), tmp_path / "new.xlsx")
    out = tmp_path / "stress.xlsx"
    result = run("stress", previous, "--book", new, "--allow-other-input", "--samples", "5", "-o", out)
    assert result.exit_code == EXIT_CODES["invalid_input"], result.output
    assert '[previous.xlsx]Standards!B2: standard "S" is not in the input workbook' in result.output
    assert not out.exists()


# --- 2. a previous plan that is no plan ----------------------------------------------------
def test_replan_names_the_file_that_is_no_plan_workbook(tmp_path: Path, book: Path) -> None:
    """ "Plan: sheet is missing" did not say which of the two workbooks; stress said [rob.xlsx]Plan."""
    rob = tmp_path / "rob.xlsx"
    rob.write_bytes(book.read_bytes())  # an input workbook, like a robustness report: no Plan sheet
    out = tmp_path / "new.xlsx"
    result = run("replan", book, "--previous", rob, "--from-year", "2031", "-o", out)
    assert result.exit_code == EXIT_CODES["invalid_input"], result.output
    assert "  [rob.xlsx]Plan: sheet is missing — expected a plan workbook written by capopt" in result.output
    assert not out.exists()


# --- 3. a negative seed ---------------------------------------------------------------------
def test_a_negative_seed_is_a_usage_error(tmp_path: Path, book: Path) -> None:
    """Was "Internal error: ValueError: expected non-negative integer" (exit 1)."""
    plan_file = tmp_path / "plan.xlsx"
    assert run("solve", book, "-o", plan_file).exit_code == 0
    result = run("stress", plan_file, "--seed", "-1", "-o", tmp_path / "s.xlsx")
    assert result.exit_code == EXIT_CODES["usage"], result.output
    assert "--seed" in result.output and "Internal error" not in result.output


# --- 4. a reader that goes away -------------------------------------------------------------
def run_into_closed_pipe(*args: str | Path, stream: str = "stdout") -> subprocess.CompletedProcess[str]:
    """`python -m cli ARGS` with `stream` a pipe whose reader is gone, as after `| head -1`
    (deterministic: the read end is closed before the command starts); the other is captured."""
    read, write = os.pipe()
    os.close(read)
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, stream: write}
    try:
        return subprocess.run(
            [sys.executable, "-m", "cli", *map(str, args)], cwd=ROOT, text=True, timeout=120, check=False, **streams
        )
    finally:
        os.close(write)


@pytest.mark.parametrize("command", ["validate", "solve"])
def test_output_into_a_closed_pipe_stops_quietly(command: str, tmp_path: Path, book: Path) -> None:
    """Was "Internal error: BrokenPipeError" (exit 1); a solve still writes its whole plan."""
    out = tmp_path / "plan.xlsx"
    args = [command, book] + (["-o", out] if command == "solve" else [])
    done = run_into_closed_pipe(*args)
    assert done.returncode == 141, done.stderr
    for noise in ("Internal error", "Traceback", "Exception ignored", "BrokenPipe"):
        assert noise not in done.stderr  # progress lines may be there; nothing about the pipe
    if command == "solve":
        assert {r["programme"] for r in rows(out, "Plan")} == {"P1", "P2"}


def test_an_error_reported_into_a_closed_pipe_stops_quietly(tmp_path: Path) -> None:
    """`capopt validate missing.xlsx 2>&1 | head -1`: the error's own report meets the closed pipe."""
    done = run_into_closed_pipe("validate", tmp_path / "missing.xlsx", stream="stderr")
    assert (done.returncode, done.stdout) == (141, "")


def test_progress_into_a_closed_pipe_stops_and_the_solve_goes_on() -> None:
    """`capopt solve 2>&1 | head -1`: progress is on stderr; its failing write must not end the solve."""

    class Gone:
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self) -> None:
            raise BrokenPipeError(32, "Broken pipe")

    console = cli.Console()
    if console.stream is not sys.stderr:
        console.stream.close()  # its own copy of the stderr descriptor
    console.stream = Gone()  # type: ignore[assignment]
    console.live("[   0.3s] shortfall")
    console.end_live()
    assert console.quiet


# --- 5. -q / -v / --debug after the command name -----------------------------------------------
def test_quiet_and_verbose_go_after_the_command_name_too(tmp_path: Path, book: Path) -> None:
    """`capopt solve -q` was "No such option: -q": they existed only as `capopt -q solve`."""
    out = tmp_path / "plan.xlsx"
    result = run("solve", book, "-o", out, "-q")
    assert result.exit_code == 0, result.output
    assert "incumbent" not in result.stderr  # no progress lines: quiet
    assert "incumbent" in run("solve", book, "-o", out).stderr  # …which it is without -q
    root = logging.getLogger()
    level = root.level
    try:
        assert run("validate", book, "-vv", "--debug").exit_code == 0
        assert root.level == logging.DEBUG
    finally:
        root.setLevel(level)
    for command in cli.main.commands.values():
        names = {opt for p in command.params for opt in getattr(p, "opts", [])}
        assert {"-q", "-v", "--debug"} <= names, command.name
