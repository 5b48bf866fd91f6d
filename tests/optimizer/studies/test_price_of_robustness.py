"""Price of robustness (optimizer.studies.robustness): a plan per Γ, signed losses, a workbook."""

from __future__ import annotations

import dataclasses

import openpyxl
import pytest

from optimizer import Scenario
from optimizer.studies.robustness import price_of_robustness
from tests.optimizer.conftest import make_inputs, nation, programme


@pytest.fixture()
def scenario() -> Scenario:
    """Budget 9 a year; three programmes of 4 with risk 0.25 (overrun 1 each), 1 point a year.

    Only 2030 starts earn capability (in service 2031). Two fit nominally (8 ≤ 9) and with
    Γ = 1 (8 + 1 = 9); with Γ = 2 only one does (8 + 2 > 9, 4 + 1 ≤ 9).
    """
    return Scenario(
        make_inputs(
            first_year=2030,
            last_year=2031,
            nations=[nation("A")],
            budgets={"A": [9.0, 9.0]},
            programmes=[programme(f"P{i}", 1, 4, risk=0.25) for i in range(3)],
        )
    )


def test_each_gamma_is_solved_and_priced_against_the_first(scenario, tmp_path) -> None:
    report = price_of_robustness(
        scenario, [0, 1, 2], workers=1, objective="weighted", weights={"capability": 1, "cost": 0.01}, gap=0.0
    )
    table = report.table.set_index("gamma")
    assert list(table.index) == [0, 1, 2]
    assert set(table["status"]) == {"optimal"}
    assert table.loc[0, "capability"] == table.loc[1, "capability"] == 2
    assert table.loc[2, "capability"] == 1
    price = report.price.set_index("gamma")
    assert price.loc[0, "capability lost"] == 0
    assert price.loc[2, "capability lost"] == 1 and price.loc[2, "capability lost %"] == 0.5
    assert price.loc[2, "cost lost"] < 0  # less is spent: a gain in the cost objective

    path = report.to_excel(tmp_path / "robust.xlsx")
    wb = openpyxl.load_workbook(path)
    # each Γ's adoptions, spend and joint payments: its cost and interoperability could not be
    # recomputed from the workbook, nor its spend checked against the budgets
    assert wb.sheetnames == [
        "Summary",
        "Dashboard",
        "Robustness",
        "Price",
        "Plans",
        "Standards",
        "Spend",
        "Contributions",
        "CoreIndex",
    ]
    for sheet, table in (("Standards", "standards"), ("Spend", "spend"), ("Contributions", "contributions")):
        rows = list(wb[sheet].iter_rows(values_only=True))
        assert rows[0][0] == "gamma", sheet
        for point in report.sweep.points:
            gamma = int(point.name.rsplit("=", 1)[-1])
            assert sum(1 for r in rows[1:] if r[0] == gamma) == len(getattr(point.result, table)), (sheet, point.name)
    # objectives against Γ, and the weighted objective's plan beside its bound
    assert len(wb["Robustness"]._charts) == 2 and len(wb["Price"]._charts) == 1
    gammas = [r[0] for r in wb["Plans"].iter_rows(min_row=2, values_only=True)]
    assert sorted(set(gammas)) == [0, 1, 2]


def test_gammas_given_out_of_order_are_priced_against_the_smallest(scenario) -> None:
    """`--gammas 3,0,1` priced Γ = 0 against Γ = 3 and called protection free."""
    report = price_of_robustness(
        scenario, [2, 0, 1], workers=1, objective="weighted", weights={"capability": 1, "cost": 0.01}, gap=0.0
    )
    assert report.gammas == [0, 1, 2]
    price = report.price.set_index("gamma")
    assert price.loc[0, "capability lost"] == 0 and price.loc[2, "capability lost"] == 1


def test_bad_gammas_are_refused(scenario) -> None:
    with pytest.raises(ValueError, match="≥ 0"):
        price_of_robustness(scenario, [0, -1])
    with pytest.raises(ValueError, match="once"):
        price_of_robustness(scenario, [1, 1])


def test_a_gamma_left_worse_than_a_larger_one_is_solved_again_from_it(scenario) -> None:
    """A plan robust for Γ = 1 is feasible for Γ = 0. If Γ = 0's own solve came back worse
    (here: an empty plan stands in for a solve stopped by its time limit), it is solved
    again from the Γ = 1 plan, so the price never falls as Γ grows."""
    from optimizer.studies.robustness import _repair
    from optimizer.studies.sweeps import SweepPoint

    kwargs = {"objective": "weighted", "weights": {"capability": 1.0}, "gap": 0.0}
    report = price_of_robustness(scenario, [0, 1], workers=1, monotone=False, **kwargs)
    empty = scenario.solve(objective="weighted", weights={"cost": 1.0})  # funds nothing
    assert empty.objectives["capability"] == 0
    # as a solve stopped by its time limit leaves it: not proven (a point proven with no gap
    # is never solved again)
    empty = dataclasses.replace(
        empty,
        stages=tuple(
            dataclasses.replace(stage, outcome=dataclasses.replace(stage.outcome, status="feasible", gap=None))
            for stage in empty.stages
        ),
    )
    report.sweep.points[0] = SweepPoint("Γ=0", 0.0, empty, None, 0.0)
    notes = _repair(report.sweep, kwargs)
    assert notes == [
        ("Γ=0 was solved again from the Γ=1 plan (robust for it too, and better than what its own solve found in time)")
    ]
    capability = report.table.set_index("gamma")["capability"]
    assert capability[0] >= capability[1] == 2


def test_robust_runs_start_from_the_fully_protected_greedy_plan() -> None:
    """The spreadsheet-method start must be robust too: the greedy plan of costs raised by
    their full risk, in real money, passes the robust rule for any Γ and starts the solve."""
    from optimizer.checks.verify import check_plan
    from optimizer.heuristics.greedy import greedy_plan
    from optimizer.heuristics.robust_greedy import robust_greedy_plan
    from optimizer.session import Session
    from tests.models.conftest import synthetic_inputs

    base = Scenario(synthetic_inputs(nations=8, programmes=12, years=6, seed=1))
    for gamma in (1, 3):
        inputs = base.with_settings(robust_overruns=gamma).inputs
        assert check_plan(inputs, greedy_plan(inputs)) != []  # the plain start breaks robust budgets
        plan = robust_greedy_plan(inputs)
        assert plan.national or plan.joint
        assert check_plan(inputs, plan) == []
        session = Session(inputs)
        assert session._start_from_greedy_plan()
        assert session._greedy == plan
