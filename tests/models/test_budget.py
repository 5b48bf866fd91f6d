"""Family 4 — budgets, carry-over, borrowing and lapse, each on a model small enough to solve by hand."""

from __future__ import annotations

import pyomo.environ as pyo
from pyomo.contrib.appsi.base import TerminationCondition

from models import build_model, extract_decisions
from tests.models.conftest import make_inputs, nation, programme, solve, solve_optimal, value


def test_budget_of_ten_funds_one_of_two_programmes_of_six() -> None:
    """Budget 10, two programmes costing 6: both would need 12, so only one fits."""
    m = build_model(make_inputs([programme("P1", 6), programme("P2", 6)], budget=10, service_years_after_horizon=1))
    solve_optimal(m, {"capability": 1})
    assert value(m, "capability") == 1
    assert value(m, "cost") == 6


def test_budget_of_twelve_funds_both() -> None:
    """Budget 12 covers 6 + 6 exactly: spend ≤ budget is not strict."""
    m = build_model(make_inputs([programme("P1", 6), programme("P2", 6)], budget=12, service_years_after_horizon=1))
    solve_optimal(m, {"capability": 1})
    assert value(m, "capability") == 2


def test_changed_budget_parameter_is_honoured_on_resolve() -> None:
    """What-ifs change only m.budget: raising 10 to 12 must let the second programme in."""
    inputs = make_inputs([programme("P1", 6), programme("P2", 6)], budget=10, service_years_after_horizon=1)
    m = build_model(inputs)
    solve_optimal(m, {"capability": 1})
    assert value(m, "capability") == 1
    m.budget["A", 2030] = 12
    solve_optimal(m, {"capability": 1})
    assert value(m, "capability") == 2


def _carry_inputs(carry: float):
    """5 a year for two years; one programme costing 8, worth 1 point a year in service.

    Started in 2030 it would need 8 > 5 at once; started in 2031 it needs 5 + what 2030 left.
    """
    return make_inputs(
        [programme("P", 8)],
        years=2,
        nations=[nation("A", carry=carry)],
        budget=5,
        service_years_after_horizon=1,
    )


def test_full_carry_over_saves_for_a_programme_no_single_year_affords() -> None:
    """Carrying all of 2030's 5 into 2031 gives 10 ≥ 8: funded in 2031, in service 2032 (= yL+1)."""
    m = build_model(_carry_inputs(1.0))
    solve_optimal(m, {"capability": 1})
    assert extract_decisions(m, _carry_inputs(1.0)).national == {("A", "P"): 2031}
    assert value(m, "capability") == 1


def test_carry_over_cap_limits_what_is_saved() -> None:
    """At fraction 0.5 only 2.5 carries over: 7.5 < 8, so the programme cannot be funded."""
    m = build_model(_carry_inputs(0.5))
    solve_optimal(m, {"capability": 1})
    assert value(m, "capability") == 0


def test_use_it_or_lose_it_without_carry_over() -> None:
    """Fractions 0: each year's 5 stands alone and 8 never fits."""
    m = build_model(_carry_inputs(0.0))
    assert len(m.banking_nations) == 0 and len(m.spend_within_budget) == 2
    solve_optimal(m, {"capability": 1})
    assert value(m, "capability") == 0


def _borrow_inputs(borrow: float, earliest: int | None = None, deadline: int | None = None):
    return make_inputs(
        [programme("P", 8, earliest_start=earliest, deadline=deadline)],
        years=2,
        nations=[nation("A", borrow=borrow)],
        budget=5,
        service_years_after_horizon=1,
    )


def test_borrowing_against_next_year_funds_an_early_programme() -> None:
    """Deadline 2031 forces a 2030 start: 8 − 5 = 3 borrowed ≤ 1.0·5 of 2031's budget, repaid in 2031."""
    m = build_model(_borrow_inputs(1.0, deadline=2031))
    solve_optimal(m, {"capability": 1})
    assert value(m, "capability") == 2  # in service 2031 and 2032
    assert pyo.value(m.balance["A", 2030]) <= -3 + 1e-6  # the loan (lapse may deepen it, harmlessly)


def test_borrowing_floor_limits_the_loan() -> None:
    """At fraction 0.5 at most 2.5 may be borrowed, less than the 3 needed."""
    m = build_model(_borrow_inputs(0.5, deadline=2031))
    solve_optimal(m, {"capability": 1})
    assert value(m, "capability") == 0


def test_no_borrowing_past_the_horizon() -> None:
    """Starting only in 2031 (the last year) would leave bal[yL] = −3 < 0: not allowed."""
    m = build_model(_borrow_inputs(1.0, earliest=2031))
    solve_optimal(m, {"capability": 1})
    assert value(m, "capability") == 0


def test_lapsed_money_is_lost() -> None:
    """Carry 0.5 of 2030's 10 leaves 5 in 2031 (the other 5 lapse): P5 fits, P6 does not."""
    inputs = make_inputs(
        [programme("P5", 5, earliest_start=2031), programme("P6", 6, earliest_start=2031)],
        years=2,
        nations=[nation("A", carry=0.5)],
        budget={"A": {2030: 10, 2031: 0}},
        values={"P5": 1, "P6": 2},
        service_years_after_horizon=1,
    )
    m = build_model(inputs)
    solve_optimal(m, {"capability": 1})
    assert extract_decisions(m, inputs).national == {("A", "P5"): 2031}
    assert pyo.value(m.lapse["A", 2030]) >= 5 - 1e-6


def test_overcommitted_budget_is_infeasible() -> None:
    """A `fund` commitment costing 8 against a budget of 5 with no banking cannot be met."""
    from tests.models.conftest import commitment

    inputs = make_inputs([programme("P", 8)], budget=5, commitments=(commitment("A", "P"),))
    assert solve(build_model(inputs), {"capability": 1}) == TerminationCondition.infeasible
