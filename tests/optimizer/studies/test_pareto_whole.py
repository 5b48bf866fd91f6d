"""Exact mode's proof rests on whole-valued objectives: a front on an objective that may take
fractional values is never called complete (a tester's exact front of capability and risk
said "proven complete" for 8 plans, and a 60-point grid found 9 more between its steps)."""

from __future__ import annotations

from pathlib import Path

import pytest

from models import build_model
from optimizer import Scenario
from optimizer.studies.pareto.whole import fractional_objectives

ROOT = Path(__file__).resolve().parents[3]
SMALL = ROOT / "examples" / "small" / "small.xlsx"


@pytest.fixture(scope="module")
def small() -> Scenario:
    return Scenario.from_excel(SMALL)


def test_whole_data_give_whole_objectives_and_fractions_are_named(small: Scenario) -> None:
    m = build_model(small.inputs)
    assert fractional_objectives(m, small.inputs, ["capability", "cost", "shortfall", "interoperability"]) == []
    assert fractional_objectives(m, small.inputs, ["risk"]) == ["risk (cost_overrun_risk × total_cost of P1 = 0.3)"]


def test_a_fractional_coefficient_of_the_model_is_named(small: Scenario) -> None:
    weighted = small.with_settings(discount_rate=0.05)  # δ_t = 1.05^−t: fractional capability points
    m = build_model(weighted.inputs)
    [why] = fractional_objectives(m, weighted.inputs, ["capability"])
    assert why.startswith("capability (") and " counts " in why


def test_an_exact_front_on_a_fractional_objective_is_not_called_complete(small: Scenario) -> None:
    front = small.pareto(objectives=["capability", "risk"], exact=True, time_limit=120, threads=1)
    assert front.completeness.startswith("not proven: exact mode steps by whole numbers, and risk (")
    assert dict(front.summary_rows())["front_complete"] == front.completeness
    primary_risk = small.pareto(objectives=["risk", "capability"], exact=True, time_limit=120, threads=1)
    # a fractional objective: its sub-problems are solved to gap 0, not to a whole unit's gap
    # (nor to 0.01 %: that left a dominated plan listed as proven, grid.subproblem_gap)
    for fractional in (front, primary_risk):
        assert dict(fractional.summary_rows())["point_gap_target"] == "the optimum of each point, solved to gap 0"
    whole = small.pareto(objectives=["capability", "cost"], exact=True, time_limit=120, threads=1)
    assert whole.completeness == "proven complete"
