"""The layers of docs/architecture.md hold: lint-imports passes, and fails on an upward import."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    """Run import-linter on `tree` with the contracts in its pyproject.toml."""
    command = "import sys; from importlinter.cli import lint_imports_command as c; sys.exit(c())"
    return subprocess.run(
        [sys.executable, "-c", command, "--no-cache", "--no-logo"],
        cwd=tree,
        env={**os.environ, "PYTHONPATH": str(tree), "COLUMNS": "200"},  # a line a contract
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_every_import_contract_is_kept():
    run = lint_imports(ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout


@pytest.mark.parametrize(
    ("module", "planted", "contract"),
    [
        ("models/__init__.py", "import optimizer.studies", "The pipeline runs one way"),
        ("optimizer/session.py", "import optimizer.studies.sweeps", "The pipeline runs one way"),
        ("optimizer/checks/verify.py", "import models", "The checks stay independent"),
        ("data/__init__.py", "import pyomo.environ", "data never imports Pyomo"),
        ("optimizer/errors.py", "import cli", "Nothing imports the command line"),
        ("optimizer/studies/replan.py", "import highspy", "Only the solver adapter"),
    ],
)
def test_an_upward_import_breaks_a_contract(tmp_path, module, planted, contract):
    """A copy of the packages with one import planted where the layers forbid it."""
    for package in ("optimizer", "models", "data"):
        ignore = shutil.ignore_patterns("__pycache__")
        shutil.copytree(ROOT / package, tmp_path / package, ignore=ignore)
    for name in ("cli.py", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    assert lint_imports(tmp_path).returncode == 0  # the copy is clean before the plant
    with open(tmp_path / module, "a", encoding="utf-8") as source:
        source.write(f"\n{planted}  # planted upward import\n")
    run = lint_imports(tmp_path)
    assert run.returncode != 0
    broken = [line for line in run.stdout.splitlines() if line.endswith(" BROKEN")]
    assert any(line.startswith(contract) for line in broken), run.stdout
