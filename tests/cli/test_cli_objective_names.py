"""Objective names on the command line are read as the Python API and the Settings sheet
read them (ignoring case), and a gap is a fraction below 1."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

import cli
from tests.cli.test_cli_robust import summary

SMALL = Path(__file__).resolve().parents[2] / "examples" / "small" / "small.xlsx"


def run(*args: object):
    return CliRunner().invoke(cli.main, [str(a) for a in args], catch_exceptions=False)


def test_objective_names_are_read_ignoring_case(tmp_path: Path) -> None:
    """`--priority COST,Capability` was refused where `priority=["COST", "Capability"]` ran."""
    out = tmp_path / "plan.xlsx"
    result = run("solve", SMALL, "--priority", "COST,Capability", "--time-limit", "20", "-o", out)
    assert result.exit_code == 0, result.output
    assert summary(out)["priority"] == "cost, capability"
    weighted = run("solve", SMALL, "--weight", "CAPABILITY=1", "--time-limit", "20", "-o", tmp_path / "w.xlsx")
    assert weighted.exit_code == 0, weighted.output
    twice = run("solve", SMALL, "--weight", "cost=1", "--weight", "COST=2", "-o", tmp_path / "t.xlsx")
    assert twice.exit_code == 2 and "given twice" in twice.output


def test_a_gap_of_one_or_more_is_a_usage_error(tmp_path: Path) -> None:
    """`--gap 2` meant 2 % and ran as 200 %: the run said "optimal" at a 24 % gap."""
    result = run("solve", SMALL, "--gap", "2", "-o", tmp_path / "plan.xlsx")
    assert result.exit_code == 2 and "--gap" in result.output
    assert not (tmp_path / "plan.xlsx").exists()


def test_a_scheduler_the_model_does_not_use_is_said_to_be_unused(tmp_path: Path, monkeypatch) -> None:
    """A small model gets HiGHS's own search, which never uses the cluster: `--scheduler`
    was silently ignored."""
    monkeypatch.setattr(cli, "dask_client", lambda scheduler: None)  # no cluster needed to see the note
    result = run(
        "solve", SMALL, "--scheduler", "tcp://127.0.0.1:8786", "--time-limit", "20", "-o", tmp_path / "plan.xlsx"
    )
    assert result.exit_code == 0, result.output
    assert "note: --scheduler was not used: this model got HiGHS's own search" in result.output
