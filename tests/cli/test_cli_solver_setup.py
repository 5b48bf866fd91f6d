"""A --solver or --scheduler this machine cannot use: one clear line and its exit code, never a traceback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from optimizer.errors import EXIT_CODES
from tests.cli.conftest import run

ROOT = Path(__file__).resolve().parents[2]


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


# --- a solver name Pyomo does not know ----------------------------------------------------
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


# --- a Dask scheduler that does not answer ------------------------------------------------
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
