"""The run's solver log (`--log FILE`, `-v`): HiGHS's lines from this process and from the
engine's workers, in one file."""

from __future__ import annotations

import pytest

from optimizer import Scenario
from optimizer.errors import SolverError
from tests.optimizer.test_api_arguments import two_programmes


def test_the_log_file_holds_highs_log_of_plain_branch_and_bound(tmp_path):
    log = tmp_path / "solver.log"
    two_programmes().solve(strategy="highs", log_file=str(log), time_limit=20)
    text = log.read_text(encoding="utf-8")
    assert "Running HiGHS" in text and "Solving report" in text


def test_the_log_file_holds_the_portfolio_branch_and_bound_run_on_a_worker(tmp_path):
    """The portfolio's branch-and-bound runs on a worker process: its log used to be lost,
    leaving the file with HiGHS's two-line banner."""
    log = tmp_path / "solver.log"
    result = two_programmes().solve(strategy="portfolio", workers=2, log_file=str(log), time_limit=30)
    assert result.status == "optimal"
    text = log.read_text(encoding="utf-8")
    assert "branch-and-bound of the whole model (HiGHS), on a worker process ---" in text
    assert "Solving report" in text.split("on a worker process ---", 1)[1]


def test_verbose_runs_print_the_log(capsys):
    two_programmes().solve(strategy="highs", stream_log=True, time_limit=20)
    assert "Running HiGHS" in capsys.readouterr().out


def test_a_log_file_that_cannot_be_written_is_named(tmp_path):
    with pytest.raises(SolverError, match="cannot write the solver log"):
        two_programmes().solve(log_file=str(tmp_path / "missing" / "solver.log"), time_limit=20)


def test_no_log_asked_for_writes_nothing(tmp_path, capsys):
    Scenario(two_programmes().inputs).solve(time_limit=20)
    assert "Running HiGHS" not in capsys.readouterr().out


def test_the_log_file_is_appended_to_as_highs_did(tmp_path):
    """HiGHS appended to its log file; so does capopt's, so that a sweep's solvers (one per
    point, some in other processes) do not wipe each other's lines."""
    log = tmp_path / "solver.log"
    log.write_text("earlier run\n", encoding="utf-8")
    two_programmes().solve(strategy="highs", log_file=str(log), time_limit=20)
    two_programmes().solve(strategy="highs", log_file=str(log), time_limit=20)
    text = log.read_text(encoding="utf-8")
    assert text.startswith("earlier run\n") and text.count("Running HiGHS") == 2  # one banner a run
