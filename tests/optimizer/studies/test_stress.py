"""Stress tests of plans (optimizer.studies.stress): overrun distribution, breaches, delay rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from optimizer import Scenario
from optimizer.studies.stress import TRIANGLE_HIGH, draw_overruns, stress_test
from tests.optimizer.conftest import make_inputs, nation, plan, programme


def _two_programmes(years: int = 1, risk: float = 0.5, **settings):
    """Budget 10 a year; P1 costs 8 (risk `risk`, worth 5), P2 costs 2 (no risk, worth 1)."""
    return make_inputs(
        first_year=2030, last_year=2029 + years, nations=[nation("A")], budgets=10.0,
        programmes=[programme("P1", 1, 8, risk=risk), programme("P2", 1, 2)],
        values={("P1", "air"): 5.0, ("P2", "air"): 1.0}, **settings,
    )


BOTH = plan(national={("A", "P1"): 2030, ("A", "P2"): 2030})


def test_draws_have_the_documented_distribution() -> None:
    """P(overrun) = 0.5; given an overrun the fraction lies in (0, 2.5·risk] with mean = risk."""
    inputs = _two_programmes(risk=0.4)
    drawn = draw_overruns(inputs, 20000, seed=7, overrun_probability=0.5)
    p1, p2 = drawn[:, 0], drawn[:, 1]
    assert (p2 == 0).all()  # no risk, no overrun
    assert np.mean(p1 > 0) == pytest.approx(0.5, abs=0.02)
    assert p1.max() <= TRIANGLE_HIGH * 0.4
    assert p1[p1 > 0].mean() == pytest.approx(0.4, rel=0.03)


def test_a_full_budget_breaches_exactly_when_its_risky_programme_overruns() -> None:
    """8 + 2 = 10 uses the whole budget: any overrun of P1 is a breach, and with a one-year
    horizon the slipped P1 leaves it, so its 5 points are lost whenever it overruns."""
    inputs = _two_programmes(service_years_after_horizon=1)
    report = stress_test(inputs, BOTH, samples=2000, seed=3)
    overran = report.by_programme.set_index("programme").loc["P1", "overrun_probability"]
    assert report.breach_probability("A") == overran == pytest.approx(0.5, abs=0.05)
    assert report.by_nation.loc[0, "residual_breach_probability"] == 0
    assert report.by_nation.loc[0, "expected_capability_lost"] == pytest.approx(5 * overran)
    assert report.by_year["breach_probability"].tolist() == [overran]


def test_an_overrun_that_fits_next_year_slips_by_exactly_one_year() -> None:
    """Risk 0.1: every overrun is ≤ 25 %, so P1 (8 · 1.25 ≤ 10) fits in 2031 after slipping once.

    In service 2032 instead of 2031: one of its two horizon years, 5 points, is lost each time.
    """
    inputs = _two_programmes(years=3, risk=0.1)
    report = stress_test(inputs, BOTH, samples=200, seed=1, overrun_probability=1.0)
    row = report.by_programme.set_index("programme").loc["P1"]
    assert report.breach_probability("A") == 1.0
    assert (row["slip_probability"], row["expected_slip_years"]) == (1.0, 1.0)
    assert row["expected_capability_lost"] == pytest.approx(5.0)
    assert report.by_nation.loc[0, "plan_capability"] == pytest.approx(12.0)  # (5 + 1) · 2 years
    assert report.by_year["breach_probability"].tolist() == [1.0, 0.0, 0.0]


def test_a_joint_programme_slips_for_every_member() -> None:
    """J (cost 10, risk 0.1) split 5/5; A has 5 in 2030, so A breaches when J overruns and the
    whole consortium slips to 2031 (A has 7 then, enough for 5 · 1.25): B loses its first
    in-service year too, without breaching."""
    inputs = make_inputs(
        first_year=2030, last_year=2032, budgets={"A": [5.0, 7.0, 7.0], "B": 50.0},
        programmes=[programme("J", 1, 10, "joint", risk=0.1)],
    )
    decisions = plan(joint={"J": (2030, ("A", "B"))},
                     payments={("A", "J", 2030): 5.0, ("B", "J", 2030): 5.0})
    report = stress_test(inputs, decisions, samples=100, seed=2, overrun_probability=1.0)
    nations = report.by_nation.set_index("nation")
    assert nations.loc["A", "breach_probability"] == 1.0
    assert nations.loc["B", "breach_probability"] == 0.0
    assert nations.loc["A", "expected_capability_lost"] == nations.loc["B", "expected_capability_lost"] == 1.0
    assert set(report.by_programme["expected_slip_years"]) == {1.0}


def test_same_seed_same_report_and_common_random_numbers_across_plans() -> None:
    inputs = _two_programmes(years=2)
    a = stress_test(inputs, BOTH, samples=300, seed=11)
    b = stress_test(inputs, BOTH, samples=300, seed=11)
    pd.testing.assert_frame_equal(a.by_nation, b.by_nation)
    pd.testing.assert_frame_equal(a.by_programme, b.by_programme)
    c = stress_test(inputs, BOTH, samples=300, seed=12)
    assert not a.by_programme.equals(c.by_programme)
    # another plan of the same inputs meets the same draws for P1
    only_p1 = stress_test(inputs, plan(national={("A", "P1"): 2030}), samples=300, seed=11)
    assert (only_p1.by_programme.loc[0, "overrun_probability"]
            == a.by_programme.set_index("programme").loc["P1", "overrun_probability"])


def test_robust_plans_breach_no_more_often_than_nominal_ones() -> None:
    """A small random instance: the Γ = 2 plan, stressed with the same draws, breaches less."""
    from tests.models.conftest import synthetic_inputs

    base = Scenario(synthetic_inputs(nations=8, programmes=12, years=6, seed=1))
    kwargs = {"objective": "weighted", "weights": {"capability": 1}, "time_limit": 20, "gap": 0.0}
    nominal = base.solve(**kwargs)
    robust = base.with_settings(robust_overruns=2).solve(**kwargs)
    n = stress_test(base.inputs, nominal.decisions, samples=500, seed=5)
    r = stress_test(base.inputs, robust.decisions, samples=500, seed=5)
    assert r.breach_probability() <= n.breach_probability()
    assert r.by_nation["breach_probability"].sum() < n.by_nation["breach_probability"].sum()
    assert n.breach_probability() > 0


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="samples"):
        stress_test(_two_programmes(), BOTH, samples=0)
    with pytest.raises(ValueError, match="overrun_probability"):
        stress_test(_two_programmes(), BOTH, samples=10, overrun_probability=1.5)
