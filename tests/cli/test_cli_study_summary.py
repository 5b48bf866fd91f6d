"""Every study that solves models says in its Summary sheet how the solver ran, with the
rows a plan's Summary has (`Result.solver_rows`, `Result.run_choice_rows`): sweep,
flexibility and robustness workbooks had only their input file and tool version, so none of
their numbers could be traced to a solver, its options or the search that made them.
(`stress` replays plans and solves nothing; it records its seed, tests/optimizer/studies.)
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import cli
from optimizer import Scenario
from optimizer.result import study_run_rows
from tests.optimizer.conftest import make_inputs, nation, programme

RUN_ROWS = (
    "objective",
    "solver",
    "solver_version",
    "solver_options",
    "strategy",
    "mip_gap",
    "priority",
    "lexicographic_tolerance",
)


def summary_keys(path: Path) -> list[object]:
    return [key for key, _ in summary_rows(path)]


def summary_rows(path: Path) -> list[tuple[object, object]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:  # a read-only workbook holds its file open until closed
        return [(r[0], r[1]) for r in wb["Summary"].iter_rows(min_row=2, values_only=True)]
    finally:
        wb.close()


def summary(path: Path) -> dict[str, object]:
    return dict(summary_rows(path))


def run(*args: str) -> None:
    result = CliRunner().invoke(cli.main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output


@pytest.fixture()
def plan_summary(book: Path, tmp_path: Path) -> dict[str, object]:
    out = tmp_path / "plan.xlsx"
    run("solve", str(book), "-o", str(out), "--time-limit", "30")
    return summary(out)


@pytest.mark.parametrize(
    "command", [["sweep", "--budget-scale", "0.8,1"], ["flexibility"], ["robustness", "--gammas", "0,1"]]
)
def test_a_study_summary_says_how_the_solver_ran_as_a_plan_summary_does(
    command: list[str], book: Path, tmp_path: Path, plan_summary: dict[str, object]
) -> None:
    out = tmp_path / "study.xlsx"
    run(command[0], str(book), *command[1:], "-o", str(out), "--workers", "1", "--time-limit", "30")
    study = summary(out)
    for key in RUN_ROWS:
        assert key in plan_summary, key  # the tiny model gets every row a plan can have but `improve`
        # the same run settings as the plan's; the search (by model size) may differ from it
        if key not in ("strategy", "solver_options"):
            assert study[key] == plan_summary[key], key
        else:
            assert study[key], key
    assert study["workers"] == 1


def test_mip_gap_is_written_once_in_a_robustness_summary(book: Path, tmp_path: Path) -> None:
    out = tmp_path / "robustness.xlsx"
    run("robustness", str(book), "--gammas", "0,1", "-o", str(out), "--workers", "1", "--gap", "0.02")
    keys = summary_keys(out)
    assert keys.count("mip_gap") == 1
    assert summary(out)["mip_gap"] == 0.02


def tiny_result(**changes: object):
    inputs = make_inputs(
        first_year=2030,
        last_year=2031,
        nations=[nation("AAA")],
        budgets=10.0,
        programmes=[programme("P1", cost=6)],
        values={("P1", "air"): 5.0},
    )
    return replace(Scenario(inputs).solve(time_limit=30), **changes)


def test_rows_that_differ_between_points_name_each_points_value() -> None:
    small = tiny_result(strategy="highs (automatic: 30 non-zeros)")
    large = replace(small, strategy="lns (automatic: 90,000 non-zeros)", improve="by nation")
    rows = dict(study_run_rows([("a", small), ("b", small), ("c", large)]))
    assert rows["solver"] == small.solver  # shared: once, as the plan writes it
    assert rows["strategy"] == "a, b: highs (automatic: 30 non-zeros); c: lns (automatic: 90,000 non-zeros)"
    assert rows["improve"] == "c: by nation; a, b: none"


def test_a_point_that_called_no_solver_says_no_search_ran() -> None:
    """A setting whose stages needed no solver call read "free starts, flexible: none"."""
    searched = tiny_result(strategy="portfolio (automatic: 37,772 non-zeros)")
    rows = dict(study_run_rows([("carry-over", searched), ("free starts", replace(searched, strategy=""))]))
    assert rows["strategy"] == (
        "carry-over: portfolio (automatic: 37,772 non-zeros); free starts: no search ran (no solver call)"
    )


def test_no_solved_point_gives_no_run_rows() -> None:
    assert study_run_rows([]) == []
