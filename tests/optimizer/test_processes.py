"""Scripts without the `__main__` guard (optimizer.processes): every study that starts
worker processes runs in the script's own process instead of dying with BrokenProcessPool."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SMALL = os.path.abspath("examples/small/small.xlsx")


def _run_script(tmp_path: Path, source: str) -> subprocess.CompletedProcess:
    script = tmp_path / "study.py"
    script.write_text(source)
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    return subprocess.run(
        [sys.executable, str(script)], check=False, capture_output=True, text=True, timeout=240, env=env, cwd=tmp_path
    )


@pytest.mark.parametrize(
    "call, purpose",
    [
        # six points: two chains of three, so that two processes would share them
        ("s.budget_sweep([0.5, 0.6, 0.7, 0.8, 0.9, 1.0], workers=2, time_limit=20)", "the sweep's points"),
        (
            "s.pareto(objectives=['capability', 'cost'], exact=True, workers=2, time_limit=60)",
            "the front's grid points",
        ),
    ],
)
def test_an_unguarded_study_runs_in_the_scripts_process(tmp_path, call, purpose):
    done = _run_script(
        tmp_path, f"from optimizer import Scenario\ns = Scenario.from_excel({SMALL!r})\nprint(type({call}).__name__)\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() in ("Sweep", "Front")
    assert f"{purpose} run in this process only" in done.stderr and "study.py has no" in done.stderr
    assert "BrokenProcessPool" not in done.stderr


@pytest.mark.parametrize(
    "source, unguarded",
    [
        ("import optimizer.processes as p\nprint(p.unguarded_script())\n", True),
        ("import optimizer.processes as p\nif __name__ == '__main__':\n    print(p.unguarded_script())\n", False),
    ],
)
def test_the_guard_is_read_from_the_script(tmp_path, source, unguarded):
    done = _run_script(tmp_path, source)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (str(tmp_path / "study.py") if unguarded else "None")


def test_no_main_file_is_never_rerun():
    """`python -c`, notebooks and the interactive prompt have no main file to re-run."""
    done = subprocess.run(
        [sys.executable, "-c", "import optimizer.processes as p; print(p.unguarded_script())"],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
    )
    assert done.stdout.strip() == "None", done.stderr
