"""Mistakes and setup problems users met on the command line: each gets one clear line and
its documented exit code (README "Exit codes"), never a traceback, and a finished solve is
never lost to an output path that cannot be written.

Where what reaches the terminal is the point (Pyomo's and Dask's own log output, objects
torn down at exit), the real command runs in a subprocess; elsewhere click's CliRunner.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import cli
from data.input_writer import write_inputs
from optimizer.errors import EXIT_CODES
from tests.optimizer.conftest import make_inputs, nation, programme

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> Result:
    return CliRunner().invoke(cli.main, list(args), catch_exceptions=False)


def run_command(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m cli ARGS` as a user runs it: the real exit status, stdout and stderr."""
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        check=False,
    )


def free_port() -> int:
    """A local port nothing listens on (the OS hands out a free one; it is closed again)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- 1. an output folder that does not exist --------------------------------------------------
COMMANDS = {  # command -> its arguments besides the output (PLAN: a plan workbook solved first)
    "solve": ["BOOK"],
    "pareto": ["BOOK", "--objectives", "capability,cost", "--points", "3"],
    "sweep": ["BOOK", "--budget-scale", "1", "--workers", "1"],
    "flexibility": ["BOOK", "--workers", "1"],
    "robustness": ["BOOK", "--gammas", "0", "--workers", "1"],
    "stress": ["PLAN", "--samples", "20"],
    "replan": ["BOOK", "--previous", "PLAN", "--from-year", "2031"],
}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_an_output_folder_that_does_not_exist_gets_the_file_in_the_current_folder(
    command: str, tmp_path: Path, book: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """README: if the output cannot be written, it goes next to it or in the current folder
    under a timestamped name, and the message says where — a missing folder included."""
    plan = tmp_path / "plan.xlsx"
    if "PLAN" in COMMANDS[command]:
        assert run("solve", str(book), "-o", str(plan)).exit_code == 0
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    target = tmp_path / "nodir" / "sub" / "out.xlsx"
    args = [str(book) if a == "BOOK" else str(plan) if a == "PLAN" else a for a in COMMANDS[command]]
    result = run(command, *args, "-o", str(target))
    assert result.exit_code == 0, result.output
    [written] = here.glob("out-*.xlsx")
    assert f"could not write {target} (folder {target.parent} does not exist); wrote {written} instead" in result.output
    assert f"written to {written}" in result.output
    assert not (tmp_path / "nodir").exists()
    assert "Internal error" not in result.output


def test_an_output_no_folder_can_take_is_an_output_error_not_a_bug(
    tmp_path: Path, book: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk (here: every save fails with EFBIG, as under a file-size limit) ended in
    "Internal error: OSError: [Errno 27] File too large (run with --debug)", exit 1 — the
    README's code for a bug."""
    import errno

    import data.xlsx_io

    def full(data: bytes, path: object) -> Path:
        raise OSError(errno.EFBIG, "File too large")

    monkeypatch.setattr(data.xlsx_io, "write_bytes_atomically", full)
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "out.xlsx"
    result = run("solve", str(book), "-o", str(target))
    assert result.exit_code == EXIT_CODES["output_error"] == 7, result.output
    assert (
        f"Output error: could not write {target} (File too large), nor a copy in {tmp_path} (File too large)"
        in result.output
    )
    assert "so it was not written — expected room on the disk" in result.output
    assert "Internal error" not in result.output and sorted(tmp_path.glob("*.xlsx")) == [book]


def test_a_plot_into_a_folder_that_does_not_exist_goes_to_the_current_folder(
    tmp_path: Path, book: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`pareto --plot` into a missing folder ended in "Internal error" after the whole front."""
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    target = tmp_path / "nodir" / "front.png"
    result = run(
        "pareto",
        str(book),
        "--objectives",
        "capability,cost",
        "--points",
        "3",
        "-o",
        str(tmp_path / "front.xlsx"),
        "--plot",
        str(target),
    )
    assert result.exit_code == 0, result.output
    [written] = here.glob("front-*.png")
    assert f"could not write {target} (folder {target.parent} does not exist); wrote {written} instead" in result.output
    assert f"Plot written to {written}" in result.output


def test_a_solver_log_in_a_folder_that_does_not_exist_is_a_usage_error(tmp_path: Path, book: Path) -> None:
    """It ended as "Solver error: cannot write the solver log" (exit 5); now refused before the solve."""
    result = run("solve", str(book), "-o", str(tmp_path / "plan.xlsx"), "--log", str(tmp_path / "nodir" / "s.log"))
    assert result.exit_code == EXIT_CODES["usage"] == 2, result.output
    assert "expected a file in an existing folder" in result.output and not (tmp_path / "plan.xlsx").exists()


def test_a_solver_log_that_cannot_be_written_or_is_a_workbook_is_a_usage_error(
    tmp_path: Path, book: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read-only log was "Solver error" (exit 5: the solver missing or failed), and --log
    plan.xlsx appended text to an earlier plan's workbook."""
    import cli

    result = run("solve", str(book), "-o", str(tmp_path / "plan.xlsx"), "--log", str(tmp_path / "old.xlsx"))
    assert result.exit_code == 2 and "is a workbook — expected a text file for the log" in result.output
    plan = tmp_path / "plan-without-suffix"
    plan.write_bytes(b"PK\x03\x04 a workbook saved without its .xlsx")
    result = run("solve", str(book), "-o", str(tmp_path / "plan.xlsx"), "--log", str(plan))
    assert result.exit_code == 2 and "is a workbook — expected a text file for the log" in result.output
    log = tmp_path / "s.log"
    log.write_text("earlier runs\n")
    import os

    real_access = os.access
    monkeypatch.setattr(
        cli.os,
        "access",  # read-only for this user
        lambda path, mode: real_access(path, mode) and not (Path(path) == log and mode == os.W_OK),
    )
    result = run("solve", str(book), "-o", str(tmp_path / "plan.xlsx"), "--log", str(log))
    assert result.exit_code == EXIT_CODES["usage"] == 2, result.output
    assert "cannot be written (no permission)" in result.output and not (tmp_path / "plan.xlsx").exists()


@pytest.mark.parametrize("command", ["solve", "replan"])
def test_a_weight_whose_products_the_solver_cannot_take_is_a_usage_error(
    command: str, tmp_path: Path, book: Path
) -> None:
    """`--weight capability=1e15` ran on the reference dataset as the greedy plan, "feasible,
    gap 75 %", where the same weight in the workbook is refused naming its cell."""
    args = [command, str(book), "-o", str(tmp_path / "out.xlsx"), "--weight", "capability=1e15"]
    if command == "replan":
        plan = tmp_path / "plan.xlsx"
        assert run("solve", str(book), "-o", str(plan)).exit_code == 0
        args += ["--previous", str(plan), "--from-year", "2031"]
    result = run(*args)
    assert result.exit_code == EXIT_CODES["usage"] == 2, result.output
    assert (
        "value 5 (Values P1, air) × 2 in-service years × --weight capability=1e+15 is 1e+16 in the weighted "
        "objective, too large for the solver"
    ) in result.output
    assert not (tmp_path / "out.xlsx").exists()


def test_a_fronts_objectives_whose_products_the_solver_cannot_take_are_a_usage_error(tmp_path: Path) -> None:
    """Risk 1e8 × cost 1e8 is no error while the workbook's run leaves risk out; a front of
    capability and risk ran on it."""
    from dataclasses import replace

    inputs = make_inputs(
        first_year=2030,
        last_year=2031,
        nations=[nation("AAA")],
        budgets=10.0,
        programmes=[replace(programme("P1", cost=1e8), cost_overrun_risk=1e8), programme("P2", cost=6)],
        values={("P1", "air"): 5.0, ("P2", "air"): 4.0},
    )
    book = tmp_path / "risky.xlsx"
    write_inputs(inputs, book)
    result = run("pareto", str(book), "-o", str(tmp_path / "front.xlsx"), "--objectives", "capability,risk")
    assert result.exit_code == EXIT_CODES["usage"] == 2, result.output
    assert (
        "Invalid value for --objectives: cost_overrun_risk 1e+08 (Programmes P1) × total_cost 1e+08 "
        "(Programmes P1) is 1e+16 in the risk objective, too large for the solver"
    ) in result.output
    assert not (tmp_path / "front.xlsx").exists()


def test_a_priority_that_puts_large_area_weights_to_use_names_the_option_and_the_sheets(tmp_path: Path) -> None:
    """The workbook's own run leaves capability out, so its area weight of 1e12 is no error
    there; `--priority capability,cost` was refused as "Invalid value for --objective: value
    1000 (N14, CA-C2) × weight 1e+12", naming an option not given and no sheet."""
    from dataclasses import replace

    inputs = make_inputs(
        first_year=2030,
        last_year=2031,
        nations=[nation("AAA")],
        budgets=10.0,
        programmes=[programme("P1", cost=5), programme("P2", cost=6)],
        values={("P1", "air"): 1000.0, ("P2", "air"): 4.0},
    )
    inputs = replace(
        inputs,
        areas=tuple(replace(a, weight=1e12) for a in inputs.areas),
        settings=replace(inputs.settings, priority=("shortfall", "cost")),
    )
    book = tmp_path / "heavy.xlsx"
    write_inputs(inputs, book)
    result = run("solve", str(book), "-o", str(tmp_path / "plan.xlsx"), "--priority", "capability,cost")
    assert result.exit_code == EXIT_CODES["usage"] == 2, result.output
    assert (
        "Invalid value for --priority: value 1000 (Values P1, air) × weight 1e+12 (CapabilityAreas air) × "
        "1 in-service years is 1e+15 in the capability objective"
    ) in result.output
    assert not (tmp_path / "plan.xlsx").exists()


@pytest.mark.parametrize("command", ["solve", "replan"])
def test_weights_too_small_for_the_solver_are_a_usage_error(command: str, tmp_path: Path, book: Path) -> None:
    """`--weight cost=1e-12` alone returned, on the reference dataset, a plan costing 53,085 as
    "optimal, gap 0" where 1,636 was possible: the objective lay under HiGHS's tolerances."""
    args = [command, str(book), "-o", str(tmp_path / "out.xlsx"), "--weight", "cost=1e-12"]
    if command == "replan":
        args += ["--previous", str(tmp_path / "none.xlsx"), "--from-year", "2031"]
    result = run(*args)
    assert result.exit_code == EXIT_CODES["usage"] == 2, result.output
    assert (
        "Invalid value for --weight: --weight cost=1e-12 makes the weighted objective's largest coefficient "
        "6e-12, too small for the solver"
    ) in result.output
    assert "multiply every weight alike, which gives the same plan" in result.output
    assert not (tmp_path / "out.xlsx").exists()


@pytest.mark.parametrize("command", ["solve", "replan"])
def test_weights_that_are_all_zero_are_a_usage_error(command: str, tmp_path: Path, book: Path) -> None:
    """`--weight capability=0` ended as "Internal error: ValueError" (exit 1)."""
    args = [command, str(book), "-o", str(tmp_path / "out.xlsx"), "--weight", "capability=0", "--weight", "cost=0"]
    if command == "replan":
        args += ["--previous", str(tmp_path / "none.xlsx"), "--from-year", "2031"]
    result = run(*args)
    assert result.exit_code == EXIT_CODES["usage"] == 2, result.output
    assert (
        "Invalid value for --weight: every weight given is 0 (capability=0, cost=0) — expected at least one "
        "objective with a weight > 0"
    ) in result.output


# --- 2. a solver name Pyomo does not know -----------------------------------------------------
@pytest.mark.parametrize(("command", "name"), [("solve", "higs"), ("solve", "nosuch"), ("pareto", "higs")])
def test_a_misspelt_solver_is_one_clear_line_without_pyomos_traceback(
    command: str, name: str, tmp_path: Path, book: Path
) -> None:
    out = tmp_path / "out.xlsx"
    done = run_command(command, str(book), "--solver", name, "-o", str(out))
    assert done.returncode == EXIT_CODES["solver_error"] == 5, done.stderr
    assert done.stderr.strip() == (
        f"Solver error: solver '{name}' is not available on this machine — "
        "install it or use --solver highs (solver='highs' in Python)"
    )
    assert "Traceback" not in done.stdout + done.stderr
    assert not out.exists()


# --- 3. a Dask scheduler that does not answer -------------------------------------------------
@pytest.mark.parametrize("command", ["solve", "sweep"])
def test_a_scheduler_nobody_runs_is_a_setup_error_naming_the_address(command: str, tmp_path: Path, book: Path) -> None:
    """Exit 5 like a missing solver, not 'Internal error … a bug' after Dask's timeout (here
    2 s through Dask's own configuration variable, instead of 30 s)."""
    address = f"tcp://127.0.0.1:{free_port()}"
    out = tmp_path / "out.xlsx"
    done = run_command(
        command,
        str(book),
        "--scheduler",
        address,
        "-o",
        str(out),
        env={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"},
    )
    assert done.returncode == EXIT_CODES["solver_error"] == 5, done.stderr
    assert done.stderr.strip() == (
        f"Solver error: no Dask scheduler answered at {address} within 2 s — check that a scheduler runs "
        "there (`dask scheduler`), that the address and port are right (another service on that port is no "
        "scheduler) and that no firewall blocks the port"
    )
    assert "Traceback" not in done.stdout + done.stderr
    assert not out.exists()


def test_a_malformed_scheduler_address_is_a_usage_error(tmp_path: Path, book: Path) -> None:
    result = run("solve", str(book), "--scheduler", "localhost", "-o", str(tmp_path / "out.xlsx"))
    assert result.exit_code == EXIT_CODES["usage"] == 2
    assert "--scheduler" in result.output and "missing port number" in result.output
    assert "tcp://host:8786" in result.output


# --- 4. a nation or year typed on the command line that the workbook lacks --------------------
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


def test_replan_from_a_year_outside_the_horizon_is_a_usage_error(tmp_path: Path, book: Path) -> None:
    plan, out = tmp_path / "plan.xlsx", tmp_path / "replan.xlsx"
    assert run("solve", str(book), "-o", str(plan)).exit_code == 0
    result = run("replan", str(book), "--previous", str(plan), "--from-year", "2040", "-o", str(out))
    assert result.exit_code == EXIT_CODES["usage"] == 2, result.output
    assert "Invalid value for --from-year: 2040 is outside the horizon 2030–2032" in result.output
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


# --- 5. an output name that is not a workbook's ----------------------------------------------
@pytest.mark.parametrize(
    ("args", "hint", "suggestion"),
    [
        (["solve", "BOOK", "-o", "OUT/plan.csv"], "'-o' / '--output'", "plan.xlsx"),
        (["sweep", "BOOK", "--output", "OUT/curve"], "'-o' / '--output'", "curve.xlsx"),
        (["template", "OUT/blank.xls"], "'PATH'", "blank.xlsx"),
    ],
)
def test_an_output_not_ending_in_xlsx_is_refused_before_solving(
    args: list[str], hint: str, suggestion: str, tmp_path: Path, book: Path
) -> None:
    """An xlsx under a .csv name is silently wrong: refused as a usage error before any work."""
    args = [str(book) if a == "BOOK" else a.replace("OUT", str(tmp_path)) for a in args]
    result = run(*args)
    assert result.exit_code == EXIT_CODES["usage"] == 2, result.output
    assert f"Invalid value for {hint}" in result.output
    assert f"expected a file name ending in .xlsx (the output is an Excel workbook), e.g. {suggestion}" in result.output
    assert "Status:" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]


def test_an_upper_case_xlsx_output_is_accepted(tmp_path: Path, book: Path) -> None:
    out = tmp_path / "PLAN.XLSX"
    result = run("solve", str(book), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.exists()


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
