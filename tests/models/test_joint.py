"""Families 2–3 — consortia, burden sharing, per-participant costs and partners."""

from __future__ import annotations

import pytest

from models import build_model, extract_decisions
from tests.models.conftest import make_inputs, nation, programme, solve_optimal, value


def test_joint_programme_is_bought_by_a_consortium_no_member_affords_alone() -> None:
    """Cost 10, budgets 5 each: nationally nobody can buy it, together they pay 5 + 5."""
    inputs = make_inputs(
        [programme("NAT", 10), programme("J", 10, joint=True)],
        nations=("A", "B"),
        budget=5,
        values={"NAT": 1, "J": 1},
        service_years_after_horizon=1,
    )
    m = build_model(inputs)
    solve_optimal(m, {"capability": 1})
    plan = extract_decisions(m, inputs)
    assert plan.national == {}
    assert plan.joint["J"].members == ("A", "B") and plan.joint["J"].start_year == 2030
    assert plan.payments == {("A", "J", 2030): 5.0, ("B", "J", 2030): 5.0}
    assert value(m, "capability") == 2  # each member gets the full value


def test_min_participants_blocks_a_lone_member() -> None:
    """Only A has money; 2 members are required and min_share 0.1 makes B owe at least 1."""
    inputs = make_inputs(
        [programme("J", 10, joint=True, min_share=0.1)],
        nations=("A", "B"),
        budget={"A": 10},
        service_years_after_horizon=1,
    )
    m = build_model(inputs)
    solve_optimal(m, {"capability": 1})
    assert value(m, "capability") == 0


def test_without_min_share_a_member_may_pay_nothing() -> None:
    """MODEL.md sets no floor when min_share is 0: B joins, A pays all 10, both gain the value."""
    inputs = make_inputs(
        [programme("J", 10, joint=True)],
        nations=("A", "B"),
        budget={"A": 10},
        service_years_after_horizon=1,
    )
    m = build_model(inputs)
    solve_optimal(m, {"capability": 1})
    assert extract_decisions(m, inputs).payments == {("A", "J", 2030): 10.0}
    assert value(m, "capability") == 2


def test_max_participants_caps_the_consortium() -> None:
    """Everyone can afford a share, but max 2 members: interoperability counts 2 memberships."""
    inputs = make_inputs([programme("J", 6, joint=True, max_participants=2)], nations=("A", "B", "C"), budget=10)
    m = build_model(inputs)
    solve_optimal(m, {"interoperability": 1})
    assert value(m, "interoperability") == 2


def test_blank_max_participants_means_every_eligible_nation() -> None:
    inputs = make_inputs([programme("J", 6, joint=True)], nations=("A", "B", "C"), budget=10)
    m = build_model(inputs)
    solve_optimal(m, {"interoperability": 1})
    assert value(m, "interoperability") == 3


def test_min_share_can_make_a_consortium_impossible() -> None:
    """Two members each owing ≥ 60 % of 10 would pay 12 > 10: the payments cannot balance."""
    inputs = make_inputs(
        [programme("J", 10, joint=True, min_share=0.6)],
        nations=("A", "B"),
        budget=10,
        service_years_after_horizon=1,
    )
    m = build_model(inputs)
    solve_optimal(m, {"capability": 1})
    assert value(m, "capability") == 0


@pytest.mark.parametrize(("min_share", "funded"), [(0.5, True), (0.6, False)])
def test_min_share_is_a_floor_on_each_members_payment(min_share: float, funded: bool) -> None:
    """Cost 10, B can pay at most 5: a 50 % floor lets B pay 5 (A the other 5), 60 % does not."""
    inputs = make_inputs(
        [programme("J", 10, joint=True, min_share=min_share)],
        nations=("A", "B"),
        budget={"A": 10, "B": 5},
        service_years_after_horizon=1,
    )
    m = build_model(inputs)
    solve_optimal(m, {"capability": 1})
    assert value(m, "capability") == (2 if funded else 0)


def test_payments_shift_between_years_flexibly() -> None:
    """5 a year for 2 years; A has money only in 2030, B only in 2031: A pays year one, B year two."""
    inputs = make_inputs(
        [programme("J", 10, duration=2, joint=True)],
        years=2,
        nations=("A", "B"),
        budget={"A": {2030: 5}, "B": {2031: 5}},
        service_years_after_horizon=1,
    )
    m = build_model(inputs)
    solve_optimal(m, {"capability": 1})
    assert extract_decisions(m, inputs).payments == {("A", "J", 2030): 5.0, ("B", "J", 2031): 5.0}


def test_per_participant_cost_is_paid_by_each_member_on_top_of_the_share() -> None:
    """Cost 10 + 2 per member: each pays 5 + 2 = 7; budgets of 6.5 are not enough, 7 is."""
    prog = programme("J", 10, joint=True, per_participant_cost=2, risk=0.1)
    short = build_model(make_inputs([prog], nations=("A", "B"), budget=6.5, service_years_after_horizon=1))
    solve_optimal(short, {"capability": 1})
    assert value(short, "capability") == 0
    enough = build_model(make_inputs([prog], nations=("A", "B"), budget=7, service_years_after_horizon=1))
    solve_optimal(enough, {"capability": 1})
    assert value(enough, "capability") == 2
    assert value(enough, "cost") == pytest.approx(14)
    assert value(enough, "risk") == pytest.approx(0.1 * 14)  # includes both integration costs


def test_partners_join_only_open_joint_programmes() -> None:
    """Partner B has money but funds no national programme and no closed joint programme."""
    inputs = make_inputs(
        [
            programme("NAT", 5),
            programme("OPEN", 4, joint=True),
            programme("CLOSED", 4, joint=True, open_to_partners=False),
        ],
        nations=[nation("A"), nation("C"), nation("B", "partner")],
        budget=10,
        service_years_after_horizon=1,
    )
    m = build_model(inputs)
    assert not any(n == "B" for (n, _, _) in m.starts)
    assert not any(n == "B" and p == "CLOSED" for (n, p, _) in m.joins)
    solve_optimal(m, {"capability": 1})
    plan = extract_decisions(m, inputs)
    assert plan.joint["OPEN"].members == ("A", "C", "B")
    assert plan.joint["CLOSED"].members == ("A", "C")
    assert set(plan.national) == {("A", "NAT"), ("C", "NAT")}


def test_a_non_members_crumb_of_payment_goes_to_the_members() -> None:
    """A join left at about 1e-9 by the solver's integrality tolerance let a non-member pay
    2.4e-6 (a fuzzed front's plan failed verification with it): the extracted plan pays
    only members, and the year's payments still sum to its cost."""
    from optimizer.checks.verify import check_plan

    inputs = make_inputs(
        [programme("J", 10, joint=True, max_participants=2)],
        nations=("A", "B", "C"),
        budget=10,
        values={"J": 1},
        service_years_after_horizon=1,
    )
    m = build_model(inputs)
    solve_optimal(m, {"capability": 1})
    plan = extract_decisions(m, inputs)
    members = plan.joint["J"].members
    outsider = next(n for n in ("A", "B", "C") if n not in members)
    year = plan.joint["J"].start_year
    m.joins[outsider, "J", year].set_value(1e-9)
    m.payment[outsider, "J", year].set_value(3e-6)
    payer = max(members, key=lambda n: m.payment[n, "J", year].value)  # pays that much less, as rows allowed
    m.payment[payer, "J", year].set_value(m.payment[payer, "J", year].value - 3e-6)
    crumbed = extract_decisions(m, inputs)
    assert {n for n, _, _ in crumbed.payments} <= set(members)
    assert sum(crumbed.payments.values()) == pytest.approx(10.0, abs=1e-12)
    assert check_plan(inputs, crumbed) == []


def test_a_payment_crumb_in_a_year_the_programme_costs_nothing_is_dropped() -> None:
    """A fuzzed front's plan paid 8.7e-6 to a joint programme in a year it costs nothing —
    a year only another start would have paid in, allowed by the payment row's tolerance —
    and failed verification."""
    from optimizer.checks.verify import check_plan

    inputs = make_inputs(
        [programme("J", 10, 1, joint=True)],
        years=2,
        nations=("A", "B"),
        budget=10,
        values={"J": 1},
        service_years_after_horizon=1,
    )
    m = build_model(inputs)
    solve_optimal(m, {"capability": 1})
    decision = extract_decisions(m, inputs).joint["J"]
    other = next(year for year in (2030, 2031) if year != decision.start_year)
    m.payment[decision.members[0], "J", other].set_value(8.7e-6)  # a variable for the other start's year
    crumbed = extract_decisions(m, inputs)
    assert {year for _, _, year in crumbed.payments} == {decision.start_year}
    assert check_plan(inputs, crumbed) == []
