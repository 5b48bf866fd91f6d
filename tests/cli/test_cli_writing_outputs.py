"""Writing outputs: a Ctrl-C while a finished plan is written keeps it (a second abandons it),
and fallback copies of an unwritable output never overwrite one another."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

import cli
import optimizer.solve.solver as solver_module


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
