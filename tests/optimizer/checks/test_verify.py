"""One micro-plan per MODEL.md rule: the violating plan yields its sentence, the fix none."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from data.tables import ALLIANCE
from optimizer.checks.verify import (
    PlanVerificationError,
    assert_valid,
    check_plan,
    start_window_violations,
    verify_result,
)
from tests.optimizer.conftest import make_inputs, nation, plan, programme, standard


def only(lines: list[str], *fragments: str) -> None:
    """Exactly one violation, and it says all of `fragments`."""
    assert len(lines) == 1, lines
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


def joint_plan(pid: str, start: int, payments: dict[str, float], **more):
    """A joint start whose members are the payers, paying in the start year."""
    return plan(
        joint={pid: (start, tuple(payments))},
        payments={(n, pid, start): a for n, a in payments.items()},
        **more,
    )


# --- once, partners, consortium -------------------------------------------------------


def test_a_valid_plan_has_no_violation():
    inputs = make_inputs(programmes=[programme("P", 1, 10), programme("J", 1, 10, "joint")])
    decisions = plan(
        national={("A", "P"): 2030},
        joint={"J": (2031, ("A", "B"))},
        payments={("A", "J", 2031): 5, ("B", "J", 2031): 5},
    )
    assert check_plan(inputs, decisions) == []
    assert_valid(inputs, decisions)


def test_decisions_of_the_wrong_kind_and_duplicate_members():
    inputs = make_inputs(programmes=[programme("P", 1, 1), programme("J", 1, 2, "joint")])
    only(check_plan(inputs, plan(national={("A", "J"): 2030})), "Nation A starts J in 2030", "joint")
    only(
        check_plan(inputs, plan(joint={"P": (2030, ("A", "B"))})),
        "P is started as a joint",
        "national",
    )
    twice = plan(
        joint={"J": (2030, ("A", "A", "B"))},
        payments={("A", "J", 2030): 1, ("B", "J", 2030): 1},
    )
    only(check_plan(inputs, twice), "Joint programme J: nation A is listed more than once")


def test_partner_funds_no_national_programme():
    inputs = make_inputs(nations=[nation("A"), nation("C", role="partner")], programmes=[programme("P", 1, 1)])
    only(
        check_plan(inputs, plan(national={("C", "P"): 2030})),
        "Partner C funds national programme P",
    )
    assert check_plan(inputs, plan(national={("A", "P"): 2030})) == []


def test_partner_only_in_joint_programmes_open_to_partners():
    closed = programme("J", 1, 4, "joint", open_to_partners=False)
    inputs = make_inputs(nations=[nation("A"), nation("C", role="partner")], programmes=[closed])
    only(
        check_plan(inputs, joint_plan("J", 2030, {"A": 2, "C": 2})),
        "Joint programme J: partner C is a member",
        "not open to partners",
    )
    opened = make_inputs(
        nations=[nation("A"), nation("C", role="partner")],
        programmes=[programme("J", 1, 4, "joint")],
    )
    assert check_plan(opened, joint_plan("J", 2030, {"A": 2, "C": 2})) == []


def test_consortium_size_between_min_and_max_participants():
    inputs = make_inputs(
        nations=[nation("A"), nation("B"), nation("C")],
        programmes=[programme("J", 1, 6, "joint", min_participants=2, max_participants=2)],
    )
    only(
        check_plan(inputs, joint_plan("J", 2030, {"A": 6})),
        "1 member(s), fewer than its minimum of 2",
    )
    only(
        check_plan(inputs, joint_plan("J", 2030, {"A": 2, "B": 2, "C": 2})),
        "3 members, more than its maximum of 2",
    )
    assert check_plan(inputs, joint_plan("J", 2030, {"A": 3, "C": 3})) == []


# --- burden sharing -------------------------------------------------------------------


def test_yearly_payments_must_sum_to_the_programme_cost():
    # 2 years, profile 1:3 of 8 -> 2 then 6
    inputs = make_inputs(programmes=[programme("J", 2, 8, "joint", profile=[1, 3])])
    good = {("A", "J", 2030): 2, ("A", "J", 2031): 1, ("B", "J", 2031): 5}
    decisions = plan(joint={"J": (2030, ("A", "B"))}, payments=good)
    assert check_plan(inputs, decisions) == []
    short = {**good, ("B", "J", 2031): 4}
    only(
        check_plan(inputs, plan(joint={"J": (2030, ("A", "B"))}, payments=short)),
        "Joint programme J in 2031: payments sum to 5, expected its cost 6",
    )


def test_only_members_pay_and_only_in_spending_years():
    inputs = make_inputs(nations=[nation("A"), nation("B"), nation("C")], programmes=[programme("J", 1, 4, "joint")])
    outsider = plan(
        joint={"J": (2030, ("A", "B"))},
        payments={("A", "J", 2030): 2, ("B", "J", 2030): 1, ("C", "J", 2030): 1},
    )
    only(check_plan(inputs, outsider), "Nation C pays 1 to J in 2030 but is not a member")
    late = plan(
        joint={"J": (2030, ("A", "B"))},
        payments={("A", "J", 2030): 2, ("B", "J", 2030): 2, ("B", "J", 2031): 1},
    )
    lines = check_plan(inputs, late)
    assert any("J in 2031: payments sum to 1, expected its cost 0" in line for line in lines)
    assert any("Nation B pays 1 to J in 2031, more than the programme's cost" in line for line in lines)


def test_every_member_pays_its_minimum_share_of_the_total():
    # min share 0.3 of 10 = 3; per-participant costs do not count toward it
    inputs = make_inputs(programmes=[programme("J", 1, 10, "joint", ppc=5, min_share=0.3)])
    only(
        check_plan(inputs, joint_plan("J", 2030, {"A": 8, "B": 2})),
        "Nation B pays 2 in total to J, below its minimum share 0.3 × 10 = 3",
    )
    assert check_plan(inputs, joint_plan("J", 2030, {"A": 7, "B": 3})) == []


def test_payments_to_no_started_joint_programme_negative_or_outside_horizon():
    inputs = make_inputs(programmes=[programme("J", 1, 4, "joint"), programme("P", 1, 1)])
    only(check_plan(inputs, plan(payments={("A", "J", 2030): 4})), "not a started joint programme")
    negative = plan(joint={"J": (2030, ("A", "B"))}, payments={("A", "J", 2030): 5, ("B", "J", 2030): -1})
    lines = check_plan(inputs, negative)
    assert "Nation B pays -1 to J in 2030: negative" in lines
    assert "Nation B pays -1 in total to J, below its minimum share 0 × 4 = 0" in lines
    outside = plan(
        joint={"J": (2030, ("A", "B"))},
        payments={("A", "J", 2030): 2, ("B", "J", 2030): 2, ("B", "J", 2040): 1},
    )
    only(check_plan(inputs, outside), "Nation B pays 1 to J in 2040, outside the horizon 2030–2032")


def test_payment_tolerance_is_relative_to_the_amount():
    inputs = make_inputs(programmes=[programme("J", 1, 1000, "joint")], budgets=1000)
    near = joint_plan("J", 2030, {"A": 500 + 1e-5, "B": 500})  # 1e-8 relative: solver noise
    assert check_plan(inputs, near) == []
    off = joint_plan("J", 2030, {"A": 500.01, "B": 500})
    assert len(check_plan(inputs, off)) == 1


# --- budget ---------------------------------------------------------------------------


def test_use_it_or_lose_it_without_carry_or_borrowing():
    inputs = make_inputs(nations=[nation("A")], budgets=10, programmes=[programme("P", 1, 11)])
    only(check_plan(inputs, plan(national={("A", "P"): 2030})), "Nation A in 2030: balance -1")
    # a 2-year programme of 12 (6 a year) fits where a 1-year one of 11 does not
    two_years = make_inputs(nations=[nation("A")], budgets=10, programmes=[programme("P", 2, 12)])
    assert check_plan(two_years, plan(national={("A", "P"): 2030})) == []


def test_balance_tolerance_grows_with_the_money_carried_not_this_years_alone():
    """A fuzzed front's plan was refused for a balance of −2.4e-6 in a year with no budget
    and no spend: four years of joint payments, each within HiGHS's 1e-6 of its row. The
    slack is relative to the budget and spend that flowed through the balance so far; a
    real overspend is still caught."""
    inputs = make_inputs(
        nations=[nation("A", carry=1.0), nation("B", carry=1.0)],
        budgets={"A": [10, 10, 0], "B": [10, 10, 0]},
        programmes=[programme("J", 2, 40, "joint")],
    )

    def paying(extra: float):
        return plan(
            joint={"J": (2030, ("A", "B"))},
            payments={
                ("A", "J", 2030): 10.0,
                ("A", "J", 2031): 10.0 + extra,
                ("B", "J", 2030): 10.0,
                ("B", "J", 2031): 10.0 - extra,
            },
        )

    assert check_plan(inputs, paying(2.4e-6)) == []  # A's 2032 balance −2.4e-6, budget and spend 0
    only(check_plan(inputs, paying(0.01)), "Nation A in 2031: balance -0.01")


def test_carry_over_funds_a_later_overspend_up_to_its_cap():
    # carry 0.5 x 10 = 5: saving a full year still brings only 5 into 2031 -> 15 available
    def inputs_with(cost):
        return make_inputs(nations=[nation("A", carry=0.5)], budgets=10, programmes=[programme("P", 1, cost)])

    assert check_plan(inputs_with(15), plan(national={("A", "P"): 2031})) == []
    only(
        check_plan(inputs_with(15.5), plan(national={("A", "P"): 2031})),
        "Nation A in 2031: balance -0.5",
    )


def test_borrowing_floor_is_a_fraction_of_next_years_budget():
    # borrow 0.5; 2031 budget 8 -> floor -4 at the end of 2030; 2030 budget 10
    def check(cost):
        inputs = make_inputs(
            nations=[nation("A", borrow=0.5)],
            budgets={"A": [10, 8, 10]},
            programmes=[programme("P", 1, cost)],
        )
        return check_plan(inputs, plan(national={("A", "P"): 2030}))

    assert check(14) == []
    only(check(14.5), "Nation A in 2030: balance -4.5", "borrowing floor -4", "2031 budget 8")


def test_final_balance_must_not_be_negative_even_with_borrowing():
    inputs = make_inputs(nations=[nation("A", borrow=1.0)], budgets=10, programmes=[programme("P", 1, 11)])
    only(
        check_plan(inputs, plan(national={("A", "P"): 2032})),
        "Nation A in 2032: balance -1 (spend 11, budget 10) at the end of the horizon",
    )
    assert check_plan(inputs, plan(national={("A", "P"): 2031})) == []


def test_adoption_costs_and_per_participant_costs_count_in_budgets():
    inputs = make_inputs(
        nations=[nation("A"), nation("B")],
        budgets=5,
        programmes=[programme("J", 1, 6, "joint", ppc=2)],
        standards=[standard("S", cost=1)],
    )
    # A: payment 3 + ppc 2 = 5 fits; adopting S in the same year breaks it
    assert check_plan(inputs, joint_plan("J", 2030, {"A": 3, "B": 3})) == []
    lines = check_plan(inputs, joint_plan("J", 2030, {"A": 3, "B": 3}, adoptions={("A", "S"): 2030}))
    only(lines, "Nation A in 2030: balance -1")


# --- schedule windows -----------------------------------------------------------------


def test_start_windows_earliest_deadline_cycle_and_horizon_end():
    inputs = make_inputs(
        first_year=2030,
        last_year=2035,
        nations=[nation("A")],
        programmes=[
            programme("E", 1, 1, earliest=2032),
            programme("D", 2, 1, deadline=2033),
            programme("C", 1, 1),
            programme("F", 1, 1, flexible=True),
            programme("H", 3, 1, flexible=True),
        ],
        planning_cycle_years=2,
    )
    only(check_plan(inputs, plan(national={("A", "E"): 2030})), "before its earliest start 2032")
    assert check_plan(inputs, plan(national={("A", "E"): 2032})) == []
    # D: 2 years from 2032 enters service in 2034, after its 2033 deadline
    only(
        check_plan(inputs, plan(national={("A", "D"): 2032})),
        "enters service in 2034, after its deadline 2033",
    )
    assert check_plan(inputs, plan(national={("A", "D"): 2030})) == []
    only(check_plan(inputs, plan(national={("A", "C"): 2031})), "not a planning-cycle year")
    assert check_plan(inputs, plan(national={("A", "F"): 2031})) == []
    only(
        check_plan(inputs, plan(national={("A", "H"): 2034})),
        "spends until 2036, after the horizon ends in 2035",
    )
    only(check_plan(inputs, plan(national={("A", "F"): 2029})), "before the first planning year 2030")


def test_joint_start_window_names_the_programme():
    inputs = make_inputs(programmes=[programme("J", 2, 4, "joint")])
    lines = check_plan(
        inputs,
        plan(joint={"J": (2032, ("A", "B"))}, payments={("A", "J", 2032): 1, ("B", "J", 2032): 1}),
    )
    assert any(line.startswith("Joint programme J starts in 2032, so it spends until 2033") for line in lines)


def test_adoption_outside_the_horizon():
    inputs = make_inputs(nations=[nation("A")], standards=[standard("S")])
    only(check_plan(inputs, plan(adoptions={("A", "S"): 2029})), "adopts standard S in 2029, outside")


@settings(max_examples=200, deadline=None)
@given(
    first=st.integers(2000, 2003),
    span=st.integers(0, 7),
    cycle=st.integers(1, 4),
    duration=st.integers(1, 5),
    earliest=st.one_of(st.none(), st.integers(1998, 2012)),
    deadline=st.one_of(st.none(), st.integers(1999, 2014)),
    flexible=st.booleans(),
)
def test_start_windows_agree_with_inputs_allowed_starts(first, span, cycle, duration, earliest, deadline, flexible):
    # two independent readings of "Programme timing" must agree on every candidate year
    p = programme("P", duration, 1, earliest=earliest, deadline=deadline, flexible=flexible)
    inputs = make_inputs(first_year=first, last_year=first + span, programmes=[p], planning_cycle_years=cycle)
    mine = tuple(t for t in range(first - 3, first + span + 3) if not start_window_violations(inputs, p, t))
    assert mine == inputs.allowed_starts(p)


# --- precedence, exclusivity, capacity ------------------------------------------------


def test_same_nation_precedence_needs_own_completion_the_year_before():
    inputs = make_inputs(
        programmes=[programme("P", 2, 1), programme("Q", 1, 1)],
        precedences=[("P", "Q", "same_nation")],
    )
    # P spends 2030-31 (completes 2031): Q may start in 2032, not in 2031
    assert check_plan(inputs, plan(national={("A", "P"): 2030, ("A", "Q"): 2032})) == []
    only(
        check_plan(inputs, plan(national={("A", "P"): 2030, ("A", "Q"): 2031})),
        "Nation A starts Q in 2031 before completing its predecessor P (same_nation): it completes it in 2031",
    )
    # another nation's completion does not help under same_nation
    only(
        check_plan(inputs, plan(national={("B", "P"): 2030, ("A", "Q"): 2032})),
        "Nation A starts Q in 2032 before completing its predecessor P",
        "never funds it",
    )


def test_any_nation_precedence_accepts_someone_elses_completion():
    inputs = make_inputs(
        programmes=[programme("P", 1, 1), programme("Q", 1, 1)],
        precedences=[("P", "Q", "any_nation")],
    )
    assert check_plan(inputs, plan(national={("B", "P"): 2030, ("A", "Q"): 2031})) == []
    only(
        check_plan(inputs, plan(national={("B", "P"): 2030, ("A", "Q"): 2030})),
        "no nation has completed its predecessor P by 2029 (any_nation)",
    )


def test_joint_predecessor_counts_through_its_own_completion():
    inputs = make_inputs(
        nations=[nation("A"), nation("B"), nation("C")],
        programmes=[programme("J", 1, 2, "joint"), programme("Q", 1, 1)],
        precedences=[("J", "Q", "any_nation"), ("J", "Q", "same_nation")],
    )
    done = {("A", "J", 2030): 1, ("B", "J", 2030): 1}
    ok = plan(national={("A", "Q"): 2031}, joint={"J": (2030, ("A", "B"))}, payments=done)
    assert check_plan(inputs, ok) == []
    # C is not a member: any_nation holds, same_nation does not
    lines = check_plan(inputs, plan(national={("C", "Q"): 2031}, joint={"J": (2030, ("A", "B"))}, payments=done))
    only(lines, "Nation C starts Q in 2031 before completing its predecessor J (same_nation)")


def test_exclusive_group_counts_national_and_joint_fundings():
    inputs = make_inputs(programmes=[programme("P", 1, 1, group="G"), programme("J", 1, 2, "joint", group="G")])
    both = plan(
        national={("A", "P"): 2030},
        joint={"J": (2031, ("A", "B"))},
        payments={("A", "J", 2031): 1, ("B", "J", 2031): 1},
    )
    only(check_plan(inputs, both), "Nation A funds 2 programmes of exclusive group G: J, P")
    assert check_plan(inputs, plan(national={("A", "P"): 2030, ("B", "P"): 2030})) == []


def test_capacity_counts_programmes_in_their_spending_years_including_memberships():
    inputs = make_inputs(
        nations=[nation("A", max_concurrent=1), nation("B")],
        programmes=[programme("P", 2, 1), programme("J", 1, 2, "joint")],
    )
    overlap = plan(
        national={("A", "P"): 2030},
        joint={"J": (2031, ("A", "B"))},
        payments={("A", "J", 2031): 1, ("B", "J", 2031): 1},
    )
    only(
        check_plan(inputs, overlap),
        "Nation A has 2 programmes in development in 2031 (J, P), above its cap of 1",
    )
    after = plan(
        national={("A", "P"): 2030},
        joint={"J": (2032, ("A", "B"))},
        payments={("A", "J", 2032): 1, ("B", "J", 2032): 1},
    )
    assert check_plan(inputs, after) == []  # P is in service in 2032, no longer in development


# --- standards ------------------------------------------------------------------------


def test_required_standard_adopted_no_later_than_completion():
    inputs = make_inputs(
        nations=[nation("A")],
        programmes=[programme("P", 2, 1)],
        standards=[standard("S")],
        requirements=[("P", "S")],
    )
    # P completes in 2031
    assert check_plan(inputs, plan(national={("A", "P"): 2030}, adoptions={("A", "S"): 2031})) == []
    only(
        check_plan(inputs, plan(national={("A", "P"): 2030}, adoptions={("A", "S"): 2032})),
        "Nation A completes P in 2031 without having adopted its required standard S: it adopts it in 2032",
    )
    only(check_plan(inputs, plan(national={("A", "P"): 2030})), "never adopts it")


def test_critical_mass_none_or_at_least_min_adopters():
    inputs = make_inputs(
        nations=[nation("A"), nation("B"), nation("C", role="partner")],
        standards=[standard("S", min_adopters=2), standard("T")],
    )
    assert check_plan(inputs, plan()) == []
    assert check_plan(inputs, plan(adoptions={("A", "T"): 2030})) == []  # min 1: no mass rule
    only(
        check_plan(inputs, plan(adoptions={("A", "S"): 2031})),
        "Standard S has 1 adopter(s) by 2032 (A); it needs none or at least 2",
    )
    # partners count as adopters (sums over n include partners)
    assert check_plan(inputs, plan(adoptions={("A", "S"): 2031, ("C", "S"): 2032})) == []


# --- commitments ----------------------------------------------------------------------


def test_fund_and_exclude_commitments():
    inputs = make_inputs(
        programmes=[programme("P", 1, 1), programme("J", 1, 2, "joint")],
        commitments=[("A", "P", "fund", 2031), ("B", "P", "exclude"), ("B", "J", "fund")],
    )
    joint_ok = {
        "joint": {"J": (2030, ("A", "B"))},
        "payments": {("A", "J", 2030): 1, ("B", "J", 2030): 1},
    }
    assert check_plan(inputs, plan(national={("A", "P"): 2031}, **joint_ok)) == []
    only(
        check_plan(inputs, plan(national={("A", "P"): 2030}, **joint_ok)),
        "Commitments!A2: A must start P in 2031, but starts it in 2030",
    )
    only(
        check_plan(inputs, plan(**joint_ok)),
        "Commitments!A2: A must fund P (start 2031), but does not fund it",
    )
    only(
        check_plan(inputs, plan(national={("A", "P"): 2031, ("B", "P"): 2030}, **joint_ok)),
        "Commitments!A3: B must not fund P (exclude), but starts it in 2030",
    )
    only(
        check_plan(inputs, plan(national={("A", "P"): 2031})),
        "Commitments!A4: B must fund J, but does not fund it",
    )


# --- references, objectives, the exception --------------------------------------------


def test_unknown_ids_are_reported_alone():
    inputs = make_inputs(programmes=[programme("P", 1, 1)], standards=[standard("S")])
    lines = check_plan(inputs, plan(national={("A", "X"): 2030}, adoptions={("Z", "S"): 2030}))
    assert lines == [
        "National start (A, X) names unknown programme 'X'",
        "Adoption (Z, S) names unknown nation 'Z'",
    ]


def test_verify_result_flags_each_misreported_objective():
    inputs = make_inputs(
        nations=[nation("A")],
        programmes=[programme("P", 1, 10)],
        values={("P", "air"): 2},
        targets=[("A", "air", 2030, 1)],
    )
    decisions = plan(national={("A", "P"): 2030})
    right = {
        "capability": 4.0,
        "cost": 10.0,
        "shortfall": 1.0,
        "interoperability": 0.0,
        "risk": 0.0,
        "capability:air": 4.0,
    }
    assert verify_result(inputs, decisions, right) == []
    assert verify_result(inputs, decisions, {"cost": 10.0 * (1 + 1e-7)}) == []  # within rel_tol
    wrong = dict(right, cost=11.0, shortfall=0.0)
    lines = verify_result(inputs, decisions, wrong)
    assert lines == [
        "Objective cost (min): reported 11, recomputed 10",
        "Objective shortfall (min): reported 0, recomputed 1",
    ]
    only(
        verify_result(inputs, decisions, {"speed": 1.0}),
        "'speed' is reported but is not an objective",
    )


def test_verify_result_also_reports_constraint_violations():
    inputs = make_inputs(nations=[nation("A")], budgets=5, programmes=[programme("P", 1, 10)])
    decisions = plan(national={("A", "P"): 2030})
    lines = verify_result(inputs, decisions, {"cost": 0.0})
    assert len(lines) == 2
    assert "balance -5" in lines[0] and "Objective cost" in lines[1]


def test_assert_valid_raises_with_every_line():
    inputs = make_inputs(
        nations=[nation("A")],
        budgets=5,
        programmes=[programme("P", 1, 10, group="G"), programme("Q", 1, 1, group="G")],
    )
    decisions = plan(national={("A", "P"): 2030, ("A", "Q"): 2031})
    with pytest.raises(PlanVerificationError) as caught:
        assert_valid(inputs, decisions)
    assert len(caught.value.lines) == 2
    assert "exclusive group G" in str(caught.value)
    with pytest.raises(PlanVerificationError, match="Objective capability"):
        assert_valid(make_inputs(nations=[nation("A")]), plan(), {"capability": 1.0})


def test_alliance_target_is_never_a_nation_in_constraints():
    # targets are soft: a missed ALLIANCE target is a shortfall, not a violation
    inputs = make_inputs(nations=[nation("A")], targets=[(ALLIANCE, "air", 2032, 100)])
    assert check_plan(inputs, plan()) == []


def test_a_verification_error_keeps_its_lines_across_processes():
    """A sweep's worker sends its errors back pickled: rebuilt from the message, each
    character of it became a violation."""
    import pickle

    from optimizer.checks.verify import PlanVerificationError

    error = pickle.loads(pickle.dumps(PlanVerificationError(["A funds P1 twice", "B overspends in 2030"])))
    assert error.lines == ["A funds P1 twice", "B overspends in 2030"]
    assert str(error) == "plan violates the model:\n  - A funds P1 twice\n  - B overspends in 2030"
