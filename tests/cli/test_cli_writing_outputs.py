"""Writing outputs: fallbacks for a missing folder or full disk, names no workbook has, logs, Ctrl-C mid-write."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

import cli
import optimizer.solve.solver as solver_module
from optimizer.errors import EXIT_CODES
from tests.cli.conftest import run


def _writer(presses: int):
    def write(target: Path) -> Path:
        for _ in range(presses):
            os.kill(os.getpid(), signal.SIGINT)  # as a planner's Ctrl-C reaches the process
        target.write_text("the plan")
        return target

    return write


def test_a_ctrl_c_while_the_plan_is_written_keeps_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """One Ctrl-C a moment after the solve ended threw the plan away ("Interrupted.", 130)."""
    before = signal.getsignal(signal.SIGINT)
    written = cli.write_output(_writer(1), tmp_path / "plan.xlsx")
    assert written.read_text() == "the plan"
    assert "press Ctrl-C again to abandon it" in capsys.readouterr().err
    assert signal.getsignal(signal.SIGINT) is before


def test_a_second_ctrl_c_abandons_the_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(solver_module, "DUPLICATE_SIGNAL_SECONDS", 0.0)  # not the same request twice
    with pytest.raises(KeyboardInterrupt):
        cli.write_output(_writer(2), tmp_path / "plan.xlsx")
    assert not (tmp_path / "plan.xlsx").exists()


def test_two_fallback_writes_in_one_second_keep_both(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two runs whose output folder was read-only fell back to one timestamped name in the
    same second, and one plan was lost; a read-only file is not replaced either."""
    import stat

    from data.xlsx_io import write_bytes_atomically

    monkeypatch.setattr(cli.time, "strftime", lambda fmt: "20261207-040000")
    keep = tmp_path / "p.xlsx"
    keep.write_text("the planner's own")
    os.chmod(keep, stat.S_IRUSR)
    try:
        first = cli.write_output(lambda path: write_bytes_atomically(b"plan 1", path), keep)
        second = cli.write_output(lambda path: write_bytes_atomically(b"plan 2", path), keep)
    finally:
        os.chmod(keep, stat.S_IRUSR | stat.S_IWUSR)
    assert (first.name, second.name) == ("p-20261207-040000.xlsx", "p-20261207-040000-2.xlsx")
    assert keep.read_text() == "the planner's own" and (first.read_bytes(), second.read_bytes()) == (
        b"plan 1",
        b"plan 2",
    )


def test_sigterm_ends_the_run_as_an_exit_and_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGTERM killed capopt at once: its spawned workers ran on, re-parented, and a
    temporary workbook stayed beside the output. It is now an exit (143): cleanup runs."""
    import data.xlsx_io
    from optimizer.errors import EXIT_CODES

    def terminated_while_renaming(source: str, target: object) -> None:
        os.kill(os.getpid(), signal.SIGTERM)  # as `timeout` or a scheduler stops the run

    import optimizer.solve.engine.workers as workers_module

    stopped_pools: list[bool] = []  # the engine's workers stopped before exiting, not waited for
    monkeypatch.setattr(workers_module, "stop_local_pools", lambda: stopped_pools.append(True))
    monkeypatch.setattr(data.xlsx_io.os, "replace", terminated_while_renaming)
    before = signal.getsignal(signal.SIGTERM)
    try:
        cli.stop_cleanly_on_sigterm()
        with pytest.raises(SystemExit) as stopped:
            data.xlsx_io.write_bytes_atomically(b"the plan", tmp_path / "plan.xlsx")
        assert stopped.value.code == EXIT_CODES["terminated"] == 143
        assert stopped_pools == [True]
    finally:
        signal.signal(signal.SIGTERM, before)
    assert list(tmp_path.iterdir()) == []  # neither the plan nor its temporary file


def test_a_name_too_long_for_the_system_keeps_the_plan_under_a_shorter_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 237-byte output name ended as "Internal error: OSError: File name too long" after the
    whole solve (the plan lost), in the check for a free fallback name."""
    from data.xlsx_io import write_bytes_atomically

    long = tmp_path / ("p" * 260 + ".xlsx")  # beyond the system's 255 bytes (255 itself is written as named)
    written = cli.write_output(lambda path: write_bytes_atomically(b"plan", path), long)
    assert written.parent == tmp_path and written.name.startswith("p" * 100 + "-") and written.read_bytes() == b"plan"
    assert "File name too long" in capsys.readouterr().err


def test_a_name_of_many_bytes_per_letter_keeps_the_plan_under_a_shorter_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A stem of 120 three-byte letters (360 bytes) was cut to 100 letters, 300 bytes, and the
    copy was as unwritable as the target: the plan was lost with "nor a copy"."""
    from data.xlsx_io import write_bytes_atomically

    long = tmp_path / ("計" * 120 + ".xlsx")
    written = cli.write_output(lambda path: write_bytes_atomically(b"plan", path), long)
    assert written.parent == tmp_path and written.read_bytes() == b"plan"
    assert written.name.startswith("計" * 33 + "-") and len(written.name.encode()) <= 255
    assert "File name too long" in capsys.readouterr().err


def test_a_log_onto_a_pipe_is_not_read_to_see_if_it_is_a_workbook(tmp_path: Path) -> None:
    """`--log /dev/stderr` (a pipe or terminal) waited for ever for bytes to read."""
    fifo = tmp_path / "log.fifo"
    os.mkfifo(fifo)
    assert not cli._is_workbook(fifo)  # returns at once: not opened


def test_a_second_ctrl_c_while_writing_says_the_plan_was_not_written(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two Ctrl-Cs while an uninterrupted run's plan was written printed "Interrupted." (the
    message of a run stopped before any plan): the first now counts as the stop request."""
    monkeypatch.setattr(solver_module, "DUPLICATE_SIGNAL_SECONDS", 0.0)
    solver_module.INTERRUPT.clear()
    try:
        with pytest.raises(KeyboardInterrupt):
            cli.write_output(_writer(2), Path("/nonexistent-folder-never-written/plan.xlsx"))
        assert solver_module.INTERRUPT.is_set()
    finally:
        solver_module.INTERRUPT.clear()


@pytest.mark.parametrize("command", ["solve", "replan"])
def test_a_ctrl_c_between_the_solve_and_the_write_keeps_the_plan(
    command: str, tmp_path: Path, book: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Ctrl-C after the solver's run returned, while its plan was checked against the model
    and before the write began, ended the run "Interrupted." (exit 130) without the plan."""
    from click.testing import CliRunner

    from optimizer.session import Session

    previous = tmp_path / "previous.xlsx"
    if command == "replan":
        assert CliRunner().invoke(cli.main, ["solve", str(book), "-o", str(previous)]).exit_code == 0
    checked = Session._check_against_model

    def pressed_while_checking(self: Session, *args: object) -> None:
        os.kill(os.getpid(), signal.SIGINT)  # the solver's own handler is gone by now
        checked(self, *args)

    monkeypatch.setattr(Session, "_check_against_model", pressed_while_checking)
    out = tmp_path / "plan.xlsx"
    extra = ["--previous", str(previous), "--from-year", "2031"] if command == "replan" else []
    try:
        result = CliRunner().invoke(cli.main, [command, str(book), *extra, "-o", str(out)])
    finally:
        solver_module.INTERRUPT.clear()
    assert out.exists(), result.output
    assert "the plan found is being written" in result.output
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_ctrl_c_while_the_model_is_built_still_interrupts(
    tmp_path: Path, book: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before the solver's run there is no plan to keep: Ctrl-C is an interrupt, as before."""
    from click.testing import CliRunner

    from optimizer import Scenario

    built = Scenario.solve

    def pressed_while_building(self: Scenario, *args: object, **kwargs: object) -> object:
        os.kill(os.getpid(), signal.SIGINT)
        return built(self, *args, **kwargs)

    monkeypatch.setattr(Scenario, "solve", pressed_while_building)
    out = tmp_path / "plan.xlsx"
    result = CliRunner().invoke(cli.main, ["solve", str(book), "-o", str(out)])
    assert result.exit_code == 130 and not out.exists(), result.output


def test_a_ctrl_c_during_an_infeasible_run_s_diagnosis_interrupts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After the solver's run returned with no plan, a Ctrl-C at its diagnosis printed "the plan
    found is being written" (there was none), and the checks it stopped blamed the time."""
    from click.testing import CliRunner

    import optimizer.solve.diagnose as diagnose_module
    from data.input_writer import write_inputs
    from tests.optimizer.conftest import make_inputs, nation, programme

    inputs = make_inputs(
        nations=[nation("A")], budgets=1.0, programmes=[programme("P", 1, 10)], commitments=[("A", "P", "fund")]
    )
    book = write_inputs(inputs, tmp_path / "book.xlsx")
    diagnose = diagnose_module.diagnose_infeasibility

    def pressed_while_diagnosing(*args: object, **kwargs: object) -> object:
        os.kill(os.getpid(), signal.SIGINT)
        return diagnose(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(diagnose_module, "diagnose_infeasibility", pressed_while_diagnosing)
    try:
        result = CliRunner().invoke(cli.main, ["solve", str(book), "-o", str(tmp_path / "plan.xlsx")])
    finally:
        solver_module.INTERRUPT.clear()
    assert result.exit_code == 130, result.output
    assert "being written" not in result.output


# --- an output folder that does not exist, or a disk that is full -------------------------
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


# --- a solver log that cannot be written --------------------------------------------------
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


# --- an output name that is not a workbook's ----------------------------------------------
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
