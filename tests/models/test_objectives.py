"""Objectives — every expression evaluated on a plan worked out by hand, and discounting at work."""

from __future__ import annotations

import pyomo.environ as pyo
import pytest

from data.tables import JointDecision, PlanDecisions
from models import build_model, extract_decisions, set_start
from tests.models.conftest import (
    make_inputs,
    nation,
    programme,
    solve_optimal,
    standard,
    target,
    value,
    violations,
)

R = 0.1


def delta(year: int) -> float:
    return (1 + R) ** -(year - 2030)


@pytest.fixture
def fixed_plan():
    """2030–2032, r = 10 %, 2 service years after the horizon, AIR weighs 2 and CYBER 1.

    A funds national N1 (6, 1 year, AIR 3 / CYBER 1) from 2030; A and partner C run joint J
    (10 over 2 years as 6 + 4, 2 per member, CYBER 4) from 2030, A paying 6 in 2030, C 4 in
    2031; A adopts S (cost 1, weight 3) in 2031 and B in 2030.
    """
    inputs = make_inputs(
        [
            programme("N1", 6, risk=0.5),
            programme(
                "J",
                10,
                duration=2,
                joint=True,
                profile=(0.6, 0.4),
                per_participant_cost=2,
                risk=0.2,
            ),
        ],
        years=3,
        nations=[nation("A"), nation("B"), nation("C", "partner")],
        budget=20,
        areas={"AIR": 2.0, "CYBER": 1.0},
        values={("N1", "AIR"): 3, ("N1", "CYBER"): 1, ("J", "CYBER"): 4},
        standards=[standard("S", 1, weight=3)],
        targets=(target("A", 2032, 10, area="AIR"),),
        discount_rate=R,
        service_years_after_horizon=2,
    )
    plan = PlanDecisions(
        national={("A", "N1"): 2030},
        joint={"J": JointDecision(start_year=2030, members=("A", "C"))},
        payments={("A", "J", 2030): 6.0, ("C", "J", 2031): 4.0},
        adoptions={("A", "S"): 2031, ("B", "S"): 2030},
    )
    m = build_model(inputs)
    set_start(m, plan)
    return inputs, plan, m


def test_every_objective_matches_its_definition(fixed_plan) -> None:
    """N1 is in service 2031–2034 (two years after yL), J 2032–2034, each discounted by δ_t."""
    inputs, _, m = fixed_plan
    n1_years = sum(delta(t) for t in (2031, 2032, 2033, 2034))
    j_years = sum(delta(t) for t in (2032, 2033, 2034))
    expected = {
        # ω·value summed over areas: N1 2·3 + 1·1 = 7 for A; J 1·4 = 4 for each of A and C
        "capability": 7 * n1_years + 4 * j_years * 2,
        # area objectives carry no weight
        "capability:AIR": 3 * n1_years,
        "capability:CYBER": 1 * n1_years + 4 * j_years * 2,
        # undiscounted: N1 6, J 10, two integration costs of 2, two adoptions of 1
        "cost": 6 + 10 + 2 * 2 + 2 * 1,
        # A's AIR in 2032 is 3 (N1 in service) against a target of 10
        "shortfall": 7,
        # weight 3 × two adopters + two memberships
        "interoperability": 3 * 2 + 2,
        # 0.5 × 6 for N1; 0.2 × (A: 6 + 2, C: 4 + 2) for J, integration cost included
        "risk": 0.5 * 6 + 0.2 * (8 + 6),
    }
    assert set(expected) == set(inputs.objective_names())
    for name, amount in expected.items():
        assert value(m, name) == pytest.approx(amount), name


def test_each_model_objective_is_a_named_expression(fixed_plan) -> None:
    """`m.capability`, `m.cost`, … (STYLE.md) hold the same values as `m.objective_expr`."""
    _, _, m = fixed_plan
    for name in ("capability", "cost", "shortfall", "interoperability", "risk"):
        assert pyo.value(getattr(m, name)) == pytest.approx(value(m, name)), name


def test_set_start_gives_a_feasible_point(fixed_plan) -> None:
    """Derived variables (shortfall, v, balances) are filled in so HiGHS can use the start as is."""
    _, _, m = fixed_plan
    assert violations(m) == []


def test_extract_decisions_round_trips_set_start(fixed_plan) -> None:
    inputs, plan, m = fixed_plan
    assert extract_decisions(m, inputs) == plan


def test_spend_expression_by_year(fixed_plan) -> None:
    """A in 2030: N1 6 + J payment 6 + integration 2·0.6; in 2031: integration 2·0.4 + adoption 1."""
    _, _, m = fixed_plan
    import pyomo.environ as pyo

    assert pyo.value(m.spend["A", 2030]) == pytest.approx(6 + 6 + 1.2)
    assert pyo.value(m.spend["A", 2031]) == pytest.approx(0.8 + 1)
    assert pyo.value(m.spend["C", 2031]) == pytest.approx(4 + 0.8)
    assert pyo.value(m.spend["B", 2030]) == pytest.approx(1)


def _discount_choice(rate: float, horizon_years: int = 3):
    """One of SOON (2 points, 1 year, in service 2031) and LATE (3 points, 2 years, in service 2032).

    Exclusive and costing 6 each, with money for only one.
    """
    return make_inputs(
        [
            programme("SOON", 6, exclusive_group="G"),
            programme("LATE", 6, duration=2, exclusive_group="G"),
        ],
        years=3,
        budget={"A": {2030: 6, 2031: 3}},
        values={"SOON": 2, "LATE": 3},
        discount_rate=rate,
        service_years_after_horizon=horizon_years,
    )


def test_undiscounted_prefers_more_points_later() -> None:
    """r = 0, H = 3: SOON 2·5 years = 10 < LATE 3·4 years = 12."""
    inputs = _discount_choice(0.0)
    m = build_model(inputs)
    solve_optimal(m, {"capability": 1})
    assert set(extract_decisions(m, inputs).national) == {("A", "LATE")}
    assert value(m, "capability") == pytest.approx(12)


def test_discounting_prefers_earlier_service() -> None:
    """r = 50 %: SOON 2·Σ_{2031..2035} δ ≈ 3.47 beats LATE 3·Σ_{2032..2035} δ ≈ 3.21."""
    inputs = _discount_choice(0.5)
    m = build_model(inputs)
    solve_optimal(m, {"capability": 1})
    d = {t: 1.5 ** -(t - 2030) for t in range(2030, 2036)}
    assert set(extract_decisions(m, inputs).national) == {("A", "SOON")}
    assert value(m, "capability") == pytest.approx(2 * sum(d[t] for t in range(2031, 2036)))


@pytest.mark.parametrize("after", [0, 3])
def test_service_years_after_the_horizon_count(after: int) -> None:
    """A one-year horizon: a programme bought in 2030 enters service in 2031, after yL, so it
    is worth exactly the H service years that follow the horizon."""
    m = build_model(make_inputs([programme("P", 6)], service_years_after_horizon=after))
    solve_optimal(m, {"capability": 1})
    assert value(m, "capability") == after
