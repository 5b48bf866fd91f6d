"""The terminal and the Dashboard show one run's gap as one number, rounded up.

A gap bounds how far the plan may be from the best possible, so rounding it up is the
honest direction: the terminal printed "gap 0.99%" (rounded to nearest) where the
Dashboard of the same run said "gap 1 %" (rounded up to a hundredth, `percent_up`).
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

import cli
from data.dashboard import status_detail

# just above a shown hundredth (the reported case: 0.9901 %), a quarter past one, round-off of 0
GAPS = [0.009901, 0.0083, 0.006012, 0.012549, 0.0125, 1.4210854715202e-16]


def terminal_status_line(gap: float | None) -> str:
    """The `Status:` line `capopt solve` prints for a run with this gap."""
    result = SimpleNamespace(
        gap=gap,
        gap_objective="capability",
        stages=["capability"],
        status="feasible",
        termination="time limit",
        build_seconds=0.1,
        solve_seconds=1.0,
        not_optimised=[],
        strategy="",
        bound_source=None,
        best_bound=None,
        objectives={},
        headline=lambda: "",
    )
    runner = CliRunner()
    with runner.isolation() as (out, _err, _):
        cli.print_result_summary(result, cli.Path("plan.xlsx"))
        return out.getvalue().decode().splitlines()[0]


@pytest.mark.parametrize("gap", GAPS)
def test_the_terminal_shows_the_dashboards_gap(gap: float) -> None:
    dashboard = status_detail({"gap": gap})  # "gap 1 %": the Dashboard's line under the headline
    assert f"; {dashboard};" in terminal_status_line(gap)


@pytest.mark.parametrize("gap", GAPS)
def test_a_shown_gap_never_understates_the_gap(gap: float) -> None:
    shown = float(cli.gap_text(gap).removesuffix(" %")) / 100
    assert shown >= gap or math.isclose(shown, gap, abs_tol=1e-12)


def test_the_reported_case_reads_1_percent_in_both() -> None:
    assert "gap 1 %" in terminal_status_line(0.009901)
    assert status_detail({"gap": 0.009901}) == "gap 1 %"


@pytest.mark.parametrize("missing", [None, float("nan"), float("inf")])
def test_no_gap_is_a_dash(missing: float | None) -> None:
    assert cli.gap_text(missing) == "—"


def test_the_dashboard_names_why_the_run_ended_as_such() -> None:
    """The solver's reason stood under "solver:" ("solver: time limit"), which reads as the
    solver's name."""
    assert status_detail({"termination": "time limit"}) == "ended: time limit"
