"""Stress tests of plans (optimizer.studies.stress): overrun distribution, breaches, overrun
beyond budget, delay rule, and plans compared on the same draws."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from optimizer import Scenario
from optimizer.studies.stress import (
    ALLIANCE_MEASURES,
    MAX_SAMPLES,
    PERCENTILE,
    TRIANGLE_HIGH,
    StressPlan,
    compare_stress,
    draw_overruns,
    plan_labels,
    stress_test,
)
from tests.optimizer.conftest import make_inputs, nation, plan, programme


def _two_programmes(years: int = 1, risk: float = 0.5, **settings):
    """Budget 10 a year; P1 costs 8 (risk `risk`, worth 5), P2 costs 2 (no risk, worth 1)."""
    return make_inputs(
        first_year=2030,
        last_year=2029 + years,
        nations=[nation("A")],
        budgets=10.0,
        programmes=[programme("P1", 1, 8, risk=risk), programme("P2", 1, 2)],
        values={("P1", "air"): 5.0, ("P2", "air"): 1.0},
        **settings,
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
        first_year=2030,
        last_year=2032,
        budgets={"A": [5.0, 7.0, 7.0], "B": 50.0},
        programmes=[programme("J", 1, 10, "joint", risk=0.1)],
    )
    decisions = plan(joint={"J": (2030, ("A", "B"))}, payments={("A", "J", 2030): 5.0, ("B", "J", 2030): 5.0})
    report = stress_test(inputs, decisions, samples=100, seed=2, overrun_probability=1.0)
    nations = report.by_nation.set_index("nation")
    assert nations.loc["A", "breach_probability"] == 1.0
    assert nations.loc["B", "breach_probability"] == 0.0
    assert nations.loc["A", "expected_capability_lost"] == nations.loc["B", "expected_capability_lost"] == 1.0
    assert set(report.by_programme["expected_slip_years"]) == {1.0}


def test_a_national_programme_slips_only_for_the_nation_that_breaches() -> None:
    """P (cost 10, risk 0.1) funded by A and by B, each its own national programme: A has 10
    in 2030 and breaches when P overruns, B has 50 and never does. Only A's P slips; B's
    kept its schedule and lost nothing (every nation's P slipped, and B's loss was counted)."""
    inputs = make_inputs(
        first_year=2030,
        last_year=2032,
        budgets={"A": [10.0, 15.0, 15.0], "B": 50.0},
        programmes=[programme("P", 1, 10, risk=0.1)],
    )
    decisions = plan(national={("A", "P"): 2030, ("B", "P"): 2030})
    report = stress_test(inputs, decisions, samples=100, seed=2, overrun_probability=1.0)
    nations = report.by_nation.set_index("nation")
    assert nations.loc["A", "breach_probability"] == 1.0 and nations.loc["A", "expected_capability_lost"] == 1.0
    assert nations.loc["B", "breach_probability"] == 0.0 and nations.loc["B", "expected_capability_lost"] == 0.0
    slips = report.by_programme.set_index("nation")["expected_slip_years"]
    assert (slips["A"], slips["B"]) == (1.0, 0.0)


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
    assert (
        only_p1.by_programme.loc[0, "overrun_probability"]
        == a.by_programme.set_index("programme").loc["P1", "overrun_probability"]
    )


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
    # a million samples of the reference dataset would need about 10 GB: refused, not started
    with pytest.raises(ValueError, match="samples must be from 1 to 100,000"):
        stress_test(_two_programmes(), BOTH, samples=MAX_SAMPLES + 1)


def test_progress_counts_every_plans_breaching_samples_up_to_the_total() -> None:
    """The delay rule's replays (the slow part) are reported about twenty times in all,
    ending at the number of samples in which some nation breaches, every plan's together."""
    inputs = _two_programmes(years=2)
    calls: list[tuple[int, int]] = []
    plans = {"both": BOTH, "P1": plan(national={("A", "P1"): 2030})}
    comparison = compare_stress(inputs, plans, samples=400, seed=3, progress=lambda d, t: calls.append((d, t)))
    breaching = sum(round(r.breach_probability() * 400) for r in comparison.reports.values())
    assert breaching > 0 and calls[-1] == (breaching, breaching)
    assert [d for d, _ in calls] == sorted({d for d, _ in calls}) and len(calls) <= 21
    assert stress_test(inputs, BOTH, samples=400, seed=3).by_nation.equals(comparison.reports["both"].by_nation)


# --- overrun beyond budget, by hand -------------------------------------------------------
def _full_budget_two_years():
    """Nation A has 8 a year, use-or-lose. P1 (cost 8, risk 0.5) runs in 2030 and P2 (cost 8,
    no risk) in 2031: every euro is spent, so P1's overrun fraction F is all beyond budget."""
    return make_inputs(
        first_year=2030,
        last_year=2031,
        nations=[nation("A")],
        budgets=8.0,
        programmes=[programme("P1", 1, 8, risk=0.5), programme("P2", 1, 8)],
        values={("P1", "air"): 5.0, ("P2", "air"): 1.0},
    )


FULL = plan(national={("A", "P1"): 2030, ("A", "P2"): 2031})


def test_overrun_beyond_budget_by_hand() -> None:
    """Overrun probability 1: every sample, 2030 needs 8·F beyond the budget of 8 and nothing
    else. The deficit is found in 2030, so 2031 (spend 8 = budget) is not in breach again:
    one nation-year in breach per sample, 8·F beyond budget, 8·E[F]/16 of the budget."""
    inputs = _full_budget_two_years()
    drawn = draw_overruns(inputs, 400, seed=4, overrun_probability=1.0)[:, 0]
    report = stress_test(inputs, FULL, samples=400, seed=4, overrun_probability=1.0)
    a, nation_a = report.alliance, report.by_nation.iloc[0]
    assert (drawn > 0).all()
    assert a["expected_nation_years_in_breach"] == nation_a["expected_breach_years"] == 1.0
    assert a["expected_overrun_beyond_budget"] == pytest.approx(8 * drawn.mean())
    assert a["expected_overrun_beyond_budget"] == pytest.approx(8 * 0.5, rel=0.05)  # E[F] = risk
    assert a["p95_overrun_beyond_budget"] == pytest.approx(8 * np.quantile(drawn, PERCENTILE))
    assert nation_a["p95_overrun_beyond_budget"] == pytest.approx(a["p95_overrun_beyond_budget"])
    assert a["budget_overrun_share"] == pytest.approx(8 * drawn.mean() / 16)
    assert nation_a["overrun_beyond_budget_share"] == pytest.approx(a["budget_overrun_share"])
    assert a["expected_nations_in_breach"] == a["any_breach_probability"] == 1.0
    assert a["planned_spend"] == 16.0
    assert a["expected_overrun_cost"] == pytest.approx(8 * drawn.mean())
    assert report.by_year["expected_nations_breaching"].tolist() == [1.0, 0.0]
    assert report.by_year["expected_overrun_beyond_budget"].tolist() == pytest.approx([8 * drawn.mean(), 0])


def test_only_the_overrun_above_the_slack_is_beyond_budget() -> None:
    """Budget 10, P1 alone costs 8: an overrun F needs max(0, 8·F − 2) beyond budget."""
    inputs = make_inputs(
        first_year=2030,
        last_year=2030,
        nations=[nation("A")],
        budgets=10.0,
        programmes=[programme("P1", 1, 8, risk=0.5)],
        values={("P1", "air"): 5.0},
    )
    drawn = draw_overruns(inputs, 500, seed=9, overrun_probability=0.5)[:, 0]
    report = stress_test(inputs, plan(national={("A", "P1"): 2030}), samples=500, seed=9)
    beyond = np.maximum(0.0, 8 * drawn - 2)
    assert report.alliance["expected_overrun_beyond_budget"] == pytest.approx(beyond.mean())
    assert report.alliance["expected_nation_years_in_breach"] == pytest.approx(np.mean(beyond > 0))
    assert report.breach_probability("A") == pytest.approx(np.mean(beyond > 0))
    none = stress_test(inputs, plan(national={("A", "P1"): 2030}), samples=50, seed=9, overrun_probability=0.0)
    assert none.alliance["expected_overrun_beyond_budget"] == none.alliance["expected_nation_years_in_breach"] == 0


def test_capability_delivered_is_plan_capability_less_capability_lost() -> None:
    """One year: P1 (worth 5) slips out of the horizon whenever it overruns (probability ~0.5)."""
    inputs = _two_programmes(service_years_after_horizon=1)
    a = stress_test(inputs, BOTH, samples=1000, seed=3).alliance
    assert a["plan_capability"] == pytest.approx(6.0)
    assert a["expected_capability_delivered"] == pytest.approx(6.0 - a["expected_capability_lost"])
    assert a["capability_lost_share"] == pytest.approx(a["expected_capability_lost"] / 6.0)
    assert a["p95_capability_lost"] == 5.0


# --- plans side by side -------------------------------------------------------------------
def test_every_plan_meets_the_same_draws_whatever_the_order() -> None:
    """Swapping the plans, or stressing one alone, changes no plan's figure."""
    inputs = _two_programmes(years=3, risk=0.3)
    plans = {"both": BOTH, "p1 late": plan(national={("A", "P1"): 2031}), "p2": plan(national={("A", "P2"): 2030})}
    forward = compare_stress(inputs, plans, samples=300, seed=21)
    backward = compare_stress(inputs, dict(reversed(list(plans.items()))), samples=300, seed=21)
    assert forward.labels == list(plans) and backward.labels == list(reversed(list(plans)))
    for label, decisions in plans.items():
        alone = stress_test(inputs, decisions, samples=300, seed=21)
        for report in (forward.reports[label], backward.reports[label]):
            assert report.alliance == alone.alliance
            pd.testing.assert_frame_equal(report.by_nation, alone.by_nation)
            pd.testing.assert_frame_equal(report.by_programme, alone.by_programme)
            pd.testing.assert_frame_equal(report.by_year, alone.by_year)
    table = forward.alliance_table().set_index("measure")
    assert list(table.index) == [m.key for m in ALLIANCE_MEASURES]
    assert table.loc["expected_nation_years_in_breach", "p2"] == 0  # P2 has no risk
    assert table.loc["expected_nation_years_in_breach", "both"] > 0


def test_a_comparison_reads_side_by_side() -> None:
    inputs = _two_programmes(years=2)
    comparison = compare_stress(
        inputs,
        [
            StressPlan("nominal", BOTH, "nominal.xlsx", 0),
            StressPlan("safe", plan(national={("A", "P2"): 2030}), "safe.xlsx", 1, "5afe"),
        ],
        samples=200,
        seed=1,
    )
    assert comparison.by_nation["plan"].tolist() == ["nominal", "safe"]
    assert comparison.by_nation.set_index("plan").loc["safe", "gamma"] == 1  # the plan's recorded Γ
    assert list(comparison.by_year["plan"]) == ["nominal"] * 2 + ["safe"] * 2
    headline, findings = comparison.findings()
    assert headline.startswith("Fewest nation-years in breach: safe (0.0 against")
    assert any("Triangular(0, 0.5, 2.5)" in line for line in findings)
    # money as the console and the Alliance sheet give it ("plan 5" beside their 4.7)
    from data.xlsx_io import amount_text

    p95 = float(comparison.alliance_table().set_index("measure").loc["p95_overrun_beyond_budget", "nominal"])
    shown = next(line for line in findings if line.startswith("overrun beyond budget, 1 sample in 20"))
    assert f"nominal {amount_text(p95)}" in shown, shown  # (below 10: up to three decimals, as the cells)
    rows = dict(comparison.summary_rows())
    assert rows["plans"] == "nominal, safe"
    assert rows["plan_file:safe"] == "safe.xlsx"
    assert rows["plan_sha256:safe"] == "5afe" and "plan_sha256:nominal" not in rows  # none given
    assert "created_at" in rows
    assert "probability 0.5" in str(rows["overrun_model"]) and rows["samples"] == 200 and rows["seed"] == 1


def test_a_stress_test_of_few_samples_says_its_1_in_20_figures_are_no_percentile() -> None:
    """`--samples 1` reported "1 in 20 exceeds" for its one sample without a word."""
    inputs = _two_programmes(years=2)
    one = compare_stress(inputs, {"a": BOTH}, samples=1, seed=1).findings()[1]
    assert any(line.startswith("only 1 sample: the 1-in-20 figures are that sample") for line in one)
    many = compare_stress(inputs, {"a": BOTH}, samples=200, seed=1).findings()[1]
    assert not any(line.startswith("only ") for line in many)


def test_plans_with_the_same_figures_tie_in_the_headline() -> None:
    """The same plan stressed twice (or a re-plan that changed nothing) was headlined
    "Fewest nation-years in breach: a (x against x for b)": a winner picked from a tie."""
    inputs = _two_programmes(years=2)
    safe = plan(national={("A", "P2"): 2030})
    comparison = compare_stress(inputs, {"a": BOTH, "b": BOTH, "safe": safe}, samples=200, seed=1)
    assert comparison.findings()[0].startswith("Fewest nation-years in breach: safe (0.0 against ")
    worse = compare_stress(inputs, {"a": BOTH, "b": BOTH}, samples=200, seed=1)
    years = worse.reports["a"].alliance["expected_nation_years_in_breach"]
    assert years > 0
    assert worse.findings()[0] == f"Fewest nation-years in breach: a and b tie ({years:,.1f} each)"
    partly = compare_stress(inputs, {"safe": safe, "a": BOTH, "again": safe}, samples=200, seed=1)
    assert partly.findings()[0] == (
        f"Fewest nation-years in breach: safe and again tie (0.0 each against {years:,.1f} for a)"
    )


def test_plan_labels_are_file_names_made_distinct() -> None:
    assert plan_labels(["a/plan.xlsx", "b/plan.xlsx", "robust.xlsx", "unit.xlsx"]) == [
        "plan",
        "plan (2)",
        "robust",
        "unit (2)",
    ]


@pytest.mark.parametrize("labels", [["a", "a"], ["measure"], [" "]])
def test_plan_labels_must_be_distinct_and_not_a_column(labels: list[str]) -> None:
    with pytest.raises(ValueError, match="labels"):
        compare_stress(_two_programmes(), [StressPlan(lab, BOTH) for lab in labels], samples=10)


def test_a_deficit_slipping_cannot_cure_is_not_carried_into_later_years():
    """docs/robust.md: "A deficit is counted once, in the year it arises (the replay then
    assumes it was found)". 2031 is in residual breach (Y alone costs 15 of 10 a year), and its
    deficit stayed in the replay's balance: W, whose overrun fits 2032 on its own, slipped in
    92.5 % of samples (0.925 capability lost) in a year the report called free of breach."""
    inputs = make_inputs(
        first_year=2030,
        last_year=2033,
        nations=[nation("A", carry=1.0)],
        budgets=10.0,
        programmes=[programme("X", 1, 5, risk=0.4), programme("Y", 1, 15), programme("W", 1, 9, risk=0.04)],
        values={("X", "air"): 0.0, ("Y", "air"): 0.0, ("W", "air"): 1.0},
    )
    decisions = plan(national={("A", "X"): 2030, ("A", "Y"): 2031, ("A", "W"): 2032})
    report = stress_test(inputs, decisions, samples=200, seed=1, overrun_probability=1.0)
    by_year = report.by_year.set_index("year")["breach_probability"]
    assert by_year[2031] == 1.0 and by_year[2032] == 0.0
    assert report.by_nation["residual_breach_probability"].iloc[0] == 1.0
    assert report.alliance["expected_capability_lost"] == 0.0
