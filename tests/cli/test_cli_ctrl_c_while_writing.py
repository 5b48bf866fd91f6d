"""A Ctrl-C pressed while a finished plan is written: the plan is kept, a second abandons it."""

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
