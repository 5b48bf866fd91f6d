"""Output into a pipe whose reader has gone (`| head -1`): the command stops quietly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import cli
from tests.cli.test_cli_robust import sheet_rows as rows

ROOT = Path(__file__).resolve().parents[2]


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
