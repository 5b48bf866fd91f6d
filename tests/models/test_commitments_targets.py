"""Families 10–12 — critical mass, commitments and soft capability targets."""

from __future__ import annotations

import pytest
from pyomo.contrib.appsi.base import TerminationCondition

from data.errors import InputError
from models import build_model, extract_decisions
from tests.models.conftest import (
    commitment,
    make_inputs,
    nation,
    programme,
    solve,
    solve_optimal,
    standard,
    target,
    value,
)


@pytest.mark.parametrize(("budget_b", "adopters"), [(0, 0), (3, 2)])
def test_critical_mass_needs_enough_adopters_or_none(budget_b: float, adopters: int) -> None:
    """S needs 2 adopters at 3 each. If B cannot pay, A adopting alone is not allowed (0);
    if B can, both adopt (interoperability 2)."""
    inputs = make_inputs(
        [],
        nations=("A", "B"),
        budget={"A": 3, "B": budget_b},
        standards=[standard("S", 3, min_adopters=2)],
    )
    m = build_model(inputs)
    solve_optimal(m, {"interoperability": 1})
    assert value(m, "interoperability") == adopters


def test_single_adopter_standard_has_no_critical_mass_rows() -> None:
    m = build_model(make_inputs([], standards=[standard("S", 1)]))
    assert len(m.critical_standards) == 0 and len(m.critical_mass) == 0


def test_fund_commitment_overrides_the_better_choice() -> None:
    """Budget 6 fits one of WORSE (1 point) and BETTER (5 points); the commitment picks WORSE."""
    inputs = make_inputs(
        [programme("WORSE", 6), programme("BETTER", 6)],
        values={"WORSE": 1, "BETTER": 5},
        service_years_after_horizon=1,
        commitments=(commitment("A", "WORSE"),),
    )
    m = build_model(inputs)
    solve_optimal(m, {"capability": 1})
    assert extract_decisions(m, inputs).national == {("A", "WORSE"): 2030}


def test_fund_commitment_with_a_start_year_fixes_the_year() -> None:
    """Unconstrained, P starts in 2030 (more service years); committed to 2031 it starts then."""
    inputs = make_inputs(
        [programme("P", 6)],
        years=2,
        service_years_after_horizon=1,
        commitments=(commitment("A", "P", start_year=2031),),
    )
    m = build_model(inputs)
    solve_optimal(m, {"capability": 1})
    assert extract_decisions(m, inputs).national == {("A", "P"): 2031}


def test_exclude_commitment_forbids_and_is_a_relaxable_row() -> None:
    """Excluding the only programme leaves nothing; deactivating the group brings it back."""
    inputs = make_inputs(
        [programme("P", 6)],
        service_years_after_horizon=1,
        commitments=(commitment("A", "P", "exclude"),),
    )
    m = build_model(inputs)
    solve_optimal(m, {"capability": 1})
    assert value(m, "capability") == 0
    m.commit_exclude.deactivate()
    solve_optimal(m, {"capability": 1})
    assert value(m, "capability") == 1


def test_infeasible_commitment_is_found_by_relaxing_its_group() -> None:
    """Committing to 8 against a budget of 5 is infeasible; without commit_fund it is not."""
    inputs = make_inputs([programme("P", 8)], budget=5, commitments=(commitment("A", "P"),))
    m = build_model(inputs)
    assert solve(m, {"capability": 1}) == TerminationCondition.infeasible
    m.commit_fund.deactivate()
    assert solve(m, {"capability": 1}) == TerminationCondition.optimal


def test_commitment_no_variable_can_meet_is_an_input_error() -> None:
    """A partner can fund no national programme (the validator should have caught this)."""
    inputs = make_inputs(
        [programme("P", 6)],
        nations=[nation("A"), nation("B", "partner")],
        commitments=(commitment("B", "P"),),
    )
    with pytest.raises(InputError, match="B cannot fund P"):
        build_model(inputs)


def test_target_shortfall_is_the_gap_left() -> None:
    """Target 5 points for A in 2031; the best affordable programme gives 3 in service in 2031."""
    inputs = make_inputs(
        [programme("P3", 6), programme("P1", 6)],
        years=2,
        budget={"A": {2030: 6}},
        values={"P3": 3, "P1": 1},
        targets=(target("A", 2031, 5),),
    )
    m = build_model(inputs)
    solve_optimal(m, {"shortfall": 1})
    assert value(m, "shortfall") == pytest.approx(2)
    assert m.short["A", "AIR", 2031].value == pytest.approx(2)


def test_alliance_target_counts_allies_not_partners() -> None:
    """A joint programme gives 4 points to each of ally A and partner P; ALLIANCE sees only 4."""
    inputs = make_inputs(
        [programme("J", 2, joint=True)],
        years=2,
        nations=[nation("A"), nation("P", "partner")],
        budget=10,
        values={"J": 4},
        targets=(target("ALLIANCE", 2031, 6),),
    )
    m = build_model(inputs)
    solve_optimal(m, {"shortfall": 1})
    assert value(m, "shortfall") == pytest.approx(2)


def test_target_only_counts_programmes_in_service_by_then() -> None:
    """A 2-year programme started 2030 enters service 2032: it does not help a 2031 target."""
    inputs = make_inputs(
        [programme("P", 2, duration=2)],
        years=3,
        values={"P": 9},
        targets=(target("A", 2031, 1), target("A", 2032, 1)),
    )
    m = build_model(inputs)
    solve_optimal(m, {"shortfall": 1})
    assert value(m, "shortfall") == pytest.approx(1)
