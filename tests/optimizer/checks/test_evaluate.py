"""Hand-computed micro-plans for every quantity the independent evaluator reports."""

from __future__ import annotations

import math

import pytest

from data.tables import ALLIANCE
from optimizer.checks.evaluate import (
    CAPABILITY_COLUMNS,
    CONTRIBUTIONS_COLUMNS,
    PLAN_COLUMNS,
    SPEND_COLUMNS,
    STANDARDS_COLUMNS,
    evaluate,
    objective_values,
)
from tests.optimizer.conftest import make_inputs, nation, plan, programme, standard


def spend_row(evaluation, nation_code, year):
    frame = evaluation.spend
    row = frame[(frame["nation"] == nation_code) & (frame["year"] == year)]
    assert len(row) == 1
    return row.iloc[0]


def capability_row(evaluation, who, area, year):
    frame = evaluation.capability
    row = frame[(frame["nation"] == who) & (frame["capability_area"] == area) & (frame["year"] == year)]
    assert len(row) == 1
    return row.iloc[0]


# --- Plan -----------------------------------------------------------------------------


def test_plan_rows_give_start_completion_service_and_what_each_nation_pays():
    # P: 2 years from 2030 -> spends 2030-31, in service 2032; A pays all 10.
    # J: joint, 1 year in 2031, cost 8 split 5/3, each member also pays ppc 2.
    inputs = make_inputs(
        programmes=[programme("P", 2, 10), programme("J", 1, 8, "joint", ppc=2)],
    )
    decisions = plan(
        national={("A", "P"): 2030},
        joint={"J": (2031, ("A", "B"))},
        payments={("A", "J", 2031): 5, ("B", "J", 2031): 3},
    )
    table = evaluate(inputs, decisions).plan
    assert tuple(table.columns) == PLAN_COLUMNS
    assert table.values.tolist() == [
        ["A", "J", "joint", 2031, 2031, 2032, 7.0],
        ["A", "P", "national", 2030, 2031, 2032, 10.0],
        ["B", "J", "joint", 2031, 2031, 2032, 5.0],
    ]


# --- Spend: greedy balances -----------------------------------------------------------


def test_cost_profile_spreads_spend_and_use_it_or_lose_it_lapses_the_rest():
    # profile 1:3 over 2 years of 8 -> 2 then 6; no carry-over, so the unspent budget lapses.
    inputs = make_inputs(nations=[nation("A")], budgets=10, programmes=[programme("P", 2, 8, profile=[1, 3])])
    ev = evaluate(inputs, plan(national={("A", "P"): 2030}))
    assert tuple(ev.spend.columns) == SPEND_COLUMNS
    assert ev.spend[["year", "budget", "spend", "balance", "lapsed"]].values.tolist() == [
        [2030, 10.0, 2.0, 0.0, 8.0],
        [2031, 10.0, 6.0, 0.0, 4.0],
        [2032, 10.0, 0.0, 0.0, 10.0],
    ]


def test_objective_totals_carry_no_float_round_off():
    """A cost of 12 spread 0.7 / 0.3 is 8.4 + 3.5999999999999996: its exact sum is
    11.999999999999998, which a front's cells showed as such (37.00000000000001 there)."""
    from optimizer.checks.evaluate import objective_values

    inputs = make_inputs(nations=[nation("A")], budgets=20, programmes=[programme("P", 2, 12, profile=[0.7, 0.3])])
    assert objective_values(inputs, plan(national={("A", "P"): 2030}))["cost"] == 12.0


def test_carry_over_keeps_up_to_the_cap_and_lapses_only_the_excess():
    # carry 0.5 of a budget of 10 -> cap 5. 2030: 10-2 = 8 -> keep 5, lapse 3.
    # 2031: 5+10-12 = 3, under the cap. 2032: 3+10 = 13 -> keep 5, lapse 8.
    inputs = make_inputs(
        nations=[nation("A", carry=0.5)],
        budgets=10,
        programmes=[programme("P", 1, 2), programme("Q", 1, 12)],
    )
    ev = evaluate(inputs, plan(national={("A", "P"): 2030, ("A", "Q"): 2031}))
    assert ev.spend[["spend", "balance", "lapsed"]].values.tolist() == [
        [2.0, 5.0, 3.0],
        [12.0, 3.0, 0.0],
        [0.0, 5.0, 8.0],
    ]


def test_borrowing_gives_a_negative_balance_repaid_next_year():
    # 2030 spends 14 of 10 -> balance -4 (borrowed), 2031: -4 + 10 - 6 = 0.
    inputs = make_inputs(
        nations=[nation("A", borrow=0.5)],
        budgets=10,
        programmes=[programme("P", 1, 14), programme("Q", 1, 6)],
    )
    ev = evaluate(inputs, plan(national={("A", "P"): 2030, ("A", "Q"): 2031}))
    assert spend_row(ev, "A", 2030)["balance"] == pytest.approx(-4.0)
    assert spend_row(ev, "A", 2031)["balance"] == pytest.approx(0.0)
    assert spend_row(ev, "A", 2031)["lapsed"] == pytest.approx(0.0)


def test_spend_includes_joint_payments_per_participant_costs_and_adoptions():
    # J: 2 years of 6 (3 a year), ppc 4 spread 2 a year; A pays 3 then 1, B pays 0 then 2.
    # A adopts S (cost 1.5) in 2031.
    inputs = make_inputs(
        programmes=[programme("J", 2, 6, "joint", ppc=4)],
        standards=[standard("S", cost=1.5)],
    )
    decisions = plan(
        joint={"J": (2030, ("A", "B"))},
        payments={("A", "J", 2030): 3, ("A", "J", 2031): 1, ("B", "J", 2031): 2},
        adoptions={("A", "S"): 2031},
    )
    ev = evaluate(inputs, decisions)
    assert spend_row(ev, "A", 2030)["spend"] == pytest.approx(3 + 2)
    assert spend_row(ev, "A", 2031)["spend"] == pytest.approx(1 + 2 + 1.5)
    assert spend_row(ev, "B", 2030)["spend"] == pytest.approx(0 + 2)
    assert spend_row(ev, "B", 2031)["spend"] == pytest.approx(2 + 2)
    assert ev.objectives["cost"] == pytest.approx(6 + 2 * 4 + 1.5)


# --- Standards and Contributions ------------------------------------------------------


def test_standards_rows_and_contributions_exclude_per_participant_costs():
    inputs = make_inputs(
        programmes=[programme("J", 1, 10, "joint", ppc=3)],
        standards=[standard("S", cost=2), standard("T", cost=0.5)],
    )
    decisions = plan(
        joint={"J": (2031, ("B", "A"))},
        payments={("B", "J", 2031): 4, ("A", "J", 2031): 6},
        adoptions={("B", "S"): 2030, ("A", "T"): 2032, ("A", "S"): 2031},
    )
    ev = evaluate(inputs, decisions)
    assert tuple(ev.standards.columns) == STANDARDS_COLUMNS
    assert ev.standards.values.tolist() == [
        ["A", "S", 2031, 2.0],
        ["A", "T", 2032, 0.5],
        ["B", "S", 2030, 2.0],
    ]
    assert tuple(ev.contributions.columns) == CONTRIBUTIONS_COLUMNS
    assert ev.contributions.values.tolist() == [["J", "A", 2031, 6.0], ["J", "B", 2031, 4.0]]


# --- Capability -----------------------------------------------------------------------


def test_capability_rows_cover_every_nation_alliance_area_and_year():
    inputs = make_inputs(
        nations=[nation("A"), nation("B"), nation("C", role="partner")],
        areas=("air", "cyber"),
        programmes=[programme("P")],
    )
    ev = evaluate(inputs, plan())
    assert tuple(ev.capability.columns) == CAPABILITY_COLUMNS
    assert len(ev.capability) == 4 * 2 * 3
    keys = list(map(tuple, ev.capability[["nation", "capability_area", "year"]].values))
    assert keys == sorted(keys)
    assert set(ev.capability["nation"]) == {"A", "B", "C", ALLIANCE}
    # numbers, NaN where there is no target: `capability >= target` works in a script (audit)
    assert ev.capability["target"].dtype == float and ev.capability["target"].isna().all()
    assert ev.capability["shortfall"].tolist() == [0.0] * 24


def test_alliance_capability_and_shortfall_count_allies_only():
    # J (joint, 3 air points) in service from 2031 for ally A and partner C; P (2 points)
    # for ally B from 2032. ALLIANCE air: 2031 -> 3 (A only), 2032 -> 3 + 2.
    # Targets: ALLIANCE 2031 air 5 -> short 2 (C's 3 points do not count);
    # C 2032 air 4 -> short 1; B 2031 air 1 -> short 1 (P not yet in service).
    inputs = make_inputs(
        nations=[nation("A"), nation("B"), nation("C", role="partner")],
        programmes=[programme("J", 1, 10, "joint"), programme("P", 1, 5)],
        values={("J", "air"): 3, ("P", "air"): 2},
        targets=[(ALLIANCE, "air", 2031, 5), ("C", "air", 2032, 4), ("B", "air", 2031, 1)],
    )
    decisions = plan(
        national={("B", "P"): 2031},
        joint={"J": (2030, ("A", "C"))},
        payments={("A", "J", 2030): 5, ("C", "J", 2030): 5},
    )
    ev = evaluate(inputs, decisions)
    assert capability_row(ev, ALLIANCE, "air", 2031)["capability"] == 3
    assert capability_row(ev, ALLIANCE, "air", 2032)["capability"] == 5
    assert capability_row(ev, "C", "air", 2031)["capability"] == 3
    assert capability_row(ev, "A", "air", 2030)["capability"] == 0
    alliance = capability_row(ev, ALLIANCE, "air", 2031)
    assert (alliance["target"], alliance["shortfall"]) == (5.0, 2.0)
    assert capability_row(ev, "C", "air", 2032)["shortfall"] == 1.0
    assert capability_row(ev, "B", "air", 2031)["shortfall"] == 1.0
    assert math.isnan(capability_row(ev, ALLIANCE, "air", 2032)["target"])
    assert ev.objectives["shortfall"] == pytest.approx(2 + 1 + 1)


def test_met_target_has_no_shortfall_and_shortfall_objective_is_real_not_negative():
    inputs = make_inputs(
        nations=[nation("A")],
        programmes=[programme("P", 1, 1)],
        values={("P", "air"): 7},
        targets=[("A", "air", 2032, 4), ("A", "air", 2030, 2)],
    )
    ev = evaluate(inputs, plan(national={("A", "P"): 2030}))
    assert capability_row(ev, "A", "air", 2032)["shortfall"] == 0.0  # 7 points vs 4: no credit
    assert ev.objectives["shortfall"] == pytest.approx(2.0)  # 2030: nothing in service yet


# --- Objectives -----------------------------------------------------------------------


def test_capability_discounts_service_years_and_counts_years_after_horizon():
    # r = 10 %, H = 2, horizon 2030-32. P (1 year, from 2030) serves 2031, 2032 and the
    # two years after: d(1)+d(2)+d(3)+d(4) with d(k) = 1.1^-k. Area weights 3 (air) and 1.
    inputs = make_inputs(
        nations=[nation("A")],
        areas={"air": 3.0, "cyber": 1.0},
        programmes=[programme("P", 1, 1)],
        values={("P", "air"): 2, ("P", "cyber"): 1},
        discount_rate=0.1,
        service_years_after_horizon=2,
    )
    service = sum(1.1**-k for k in (1, 2, 3, 4))
    obj = evaluate(inputs, plan(national={("A", "P"): 2030})).objectives
    assert obj["capability"] == pytest.approx((3 * 2 + 1 * 1) * service)
    assert obj["capability:air"] == pytest.approx(2 * service)  # no area weight
    assert obj["capability:cyber"] == pytest.approx(1 * service)


def test_programme_completed_in_last_year_earns_only_post_horizon_years():
    # completes 2032 = yL: no in-service year inside the horizon, H = 3 years after it.
    inputs = make_inputs(
        nations=[nation("A")],
        programmes=[programme("P", 1, 1)],
        values={("P", "air"): 1},
        service_years_after_horizon=3,
    )
    assert objective_values(inputs, plan(national={("A", "P"): 2032}))["capability"] == 3.0
    # completing after yL (invalid, but priced) would earn nothing at all
    longer = make_inputs(
        nations=[nation("A")],
        programmes=[programme("P", 2, 1)],
        values={("P", "air"): 1},
        service_years_after_horizon=3,
    )
    assert objective_values(longer, plan(national={("A", "P"): 2032}))["capability"] == 0.0


def test_every_member_and_partner_earns_the_full_capability_value():
    inputs = make_inputs(
        nations=[nation("A"), nation("C", role="partner")],
        programmes=[programme("J", 1, 4, "joint")],
        values={("J", "air"): 5},
    )
    decisions = plan(joint={"J": (2030, ("A", "C"))}, payments={("A", "J", 2030): 2, ("C", "J", 2030): 2})
    ev = evaluate(inputs, decisions)
    assert ev.objectives["capability"] == pytest.approx(2 * 5 * 2)  # 2 nations x 5 x 2 years
    assert ev.nation_capability("C") == pytest.approx(10.0)


def test_interoperability_counts_weighted_adopters_by_yl_and_joint_memberships():
    # S weight 2 adopted by A and B, T weight 0.5 by A: 2*2 + 0.5; J has 2 members: + 2.
    # An adoption after the horizon (invalid, priced anyway) does not count.
    inputs = make_inputs(
        programmes=[programme("J", 1, 4, "joint")],
        standards=[standard("S", weight=2), standard("T", weight=0.5), standard("U", weight=7)],
    )
    decisions = plan(
        joint={"J": (2030, ("A", "B"))},
        payments={("A", "J", 2030): 2, ("B", "J", 2030): 2},
        adoptions={("A", "S"): 2030, ("B", "S"): 2032, ("A", "T"): 2031, ("B", "U"): 2040},
    )
    assert objective_values(inputs, decisions)["interoperability"] == pytest.approx(4.5 + 2)


def test_risk_weights_what_each_nation_pays_including_per_participant_costs():
    # National P: 10 x 0.2. Joint J (risk 0.5): payments 6 + 4 plus ppc 1 each -> 12 x 0.5.
    inputs = make_inputs(
        programmes=[
            programme("P", 1, 10, risk=0.2),
            programme("J", 1, 10, "joint", ppc=1, risk=0.5),
        ],
    )
    decisions = plan(
        national={("A", "P"): 2030},
        joint={"J": (2031, ("A", "B"))},
        payments={("A", "J", 2031): 6, ("B", "J", 2031): 4},
    )
    ev = evaluate(inputs, decisions)
    assert ev.objectives["risk"] == pytest.approx(10 * 0.2 + 12 * 0.5)
    assert ev.objectives["cost"] == pytest.approx(10 + 12)  # undiscounted, even with a rate


def test_cost_is_undiscounted_and_includes_adoption_costs():
    inputs = make_inputs(
        nations=[nation("A")],
        programmes=[programme("P", 1, 10)],
        standards=[standard("S", cost=3)],
        discount_rate=0.5,
    )
    decisions = plan(national={("A", "P"): 2032}, adoptions={("A", "S"): 2031})
    assert objective_values(inputs, decisions)["cost"] == pytest.approx(13.0)


def test_objectives_name_every_objective_and_by_nation_adds_up():
    inputs = make_inputs(
        nations=[nation("A"), nation("C", role="partner")],
        areas={"air": 2.0, "sea": 1.0},
        programmes=[programme("P", 1, 3, risk=0.1), programme("J", 2, 8, "joint", ppc=1, risk=1)],
        values={("P", "air"): 1, ("J", "sea"): 4, ("J", "air"): 1},
        standards=[standard("S", cost=1)],
        targets=[("A", "sea", 2032, 9)],
        discount_rate=0.05,
        service_years_after_horizon=1,
    )
    decisions = plan(
        national={("A", "P"): 2030},
        joint={"J": (2030, ("A", "C"))},
        payments={("A", "J", 2030): 4, ("C", "J", 2031): 4},
        adoptions={("C", "S"): 2030},
    )
    ev = evaluate(inputs, decisions)
    assert set(ev.objectives) == set(inputs.objective_names())
    assert ev.by_nation["capability"].sum() == pytest.approx(ev.objectives["capability"])
    assert ev.by_nation["cost"].sum() == pytest.approx(ev.objectives["cost"])
    assert ev.by_nation["risk"].sum() == pytest.approx(ev.objectives["risk"])
    assert ev.by_nation["lapsed"].sum() == pytest.approx(ev.spend["lapsed"].sum())
    assert ev.by_nation["shortfall"].sum() == pytest.approx(ev.objectives["shortfall"])
    assert ev.by_nation.set_index("nation")["memberships"].to_dict() == {"A": 1, "C": 1}
    weighted = 2 * ev.objectives["capability:air"] + 1 * ev.objectives["capability:sea"]
    assert ev.objectives["capability"] == pytest.approx(weighted)
    assert objective_values(inputs, decisions) == ev.objectives


def test_unknown_ids_are_refused_with_their_names():
    inputs = make_inputs(programmes=[programme("P")])
    with pytest.raises(ValueError, match="unknown programme 'Q'"):
        evaluate(inputs, plan(national={("A", "Q"): 2030}))
    with pytest.raises(ValueError, match="unknown nation 'Z'"):
        evaluate(inputs, plan(national={("Z", "P"): 2030}))


def test_objective_totals_are_exactly_rounded_sums():
    """Totals are exactly rounded sums: programmes of 0.1, 0.2 and 0.3 cost 0.6 (a plain sum
    gives 0.6000000000000001, which workbooks showed as 40052.30000000001)."""
    from optimizer import Scenario
    from tests.optimizer.conftest import make_inputs, nation, programme

    inputs = make_inputs(
        first_year=2030,
        last_year=2031,
        nations=[nation("A")],
        budgets=10.0,
        programmes=[programme(f"P{i}", cost=c) for i, c in enumerate((0.1, 0.2, 0.3))],
        values={(f"P{i}", "air"): 1.0 for i in range(3)},
    )
    result = Scenario(inputs).solve(objective="weighted", weights={"capability": 1.0}, gap=0.0)
    assert len(result.plan) == 3 and sum([0.1, 0.2, 0.3]) != 0.6
    assert result.objectives["cost"] == 0.6


def test_spend_shows_floating_point_residue_as_zero_not_minus_zero():
    """A balance of −2.8e-14 showed as "-0.0" in the Spend sheet, reading like borrowing."""
    from optimizer.checks.evaluate import _without_residue

    assert _without_residue(-2.8e-14, 100.0) == 0.0 and _without_residue(-2.8e-14, 0.0) == 0.0
    assert _without_residue(-0.5, 100.0) == -0.5 and _without_residue(1e-6, 100.0) == 1e-6
