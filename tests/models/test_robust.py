"""Family 13 — robust budgets (docs/robust.md), each on a model small enough to solve by hand."""

from __future__ import annotations

from dataclasses import replace

import pytest

from models import build_model, extract_decisions
from tests.models.conftest import make_inputs, nation, programme, solve_optimal, value


def _one_programme(gamma: int, budget: float = 10, cost: float = 8, risk: float = 0.5):
    return make_inputs(
        [programme("P", cost, risk=risk)],
        budget=budget,
        service_years_after_horizon=1,
        robust_overruns=gamma,
    )


def test_gamma_zero_fits_the_nominal_cost() -> None:
    """Budget 10, cost 8: fits as planned; Γ = 0 asks for nothing more and adds no rows."""
    m = build_model(_one_programme(0))
    assert not hasattr(m, "robust_budget")
    solve_optimal(m, {"capability": 1})
    assert value(m, "capability") == 1


def test_gamma_one_needs_room_for_the_overrun() -> None:
    """Γ = 1: the programme may cost 8 · 1.5 = 12 > 10, so it cannot be funded."""
    m = build_model(_one_programme(1))
    solve_optimal(m, {"capability": 1})
    assert value(m, "capability") == 0


def test_overrun_that_fits_exactly_is_allowed() -> None:
    """8 · 1.25 = 10 ≤ 10: the robust row is not strict either."""
    m = build_model(_one_programme(1, risk=0.25))
    solve_optimal(m, {"capability": 1})
    assert value(m, "capability") == 1


@pytest.mark.parametrize(("gamma", "funded"), [(0, 3), (1, 3), (2, 3), (3, 2), (9, 2)])
def test_gamma_counts_overrunning_programmes(gamma: int, funded: int) -> None:
    """Budget 20; three programmes of 5 with risk 0.4 (overrun 2 each): 15 + 2Γ.

    Γ ≤ 2 leaves 15 + 4 = 19 ≤ 20; Γ = 3 needs 21 > 20, so one must go (10 + 4 = 14).
    Γ = 1, 2 go through the dual variables, Γ = 3, 9 through the plain sum of overruns.
    """
    inputs = make_inputs(
        [programme(f"P{i}", 5, risk=0.4) for i in range(3)],
        budget=20,
        service_years_after_horizon=1,
        robust_overruns=gamma,
    )
    m = build_model(inputs)
    assert (len(getattr(m, "robust_dual", ())) > 0) == (0 < gamma < 3)
    solve_optimal(m, {"capability": 1, "cost": 0.001})
    assert value(m, "capability") == funded


def test_the_largest_overrun_is_the_one_protected() -> None:
    """Budget 10: A costs 6 (risk 0.1 → 0.6), B costs 2 (risk 1 → 2). Both: 8 + max(0.6, 2) = 10 fits.

    With B's risk at 1.5 the worst single overrun is 3: 8 + 3 = 11 > 10, so A (worth more) stays alone.
    """

    def inputs(risk_b: float):
        return make_inputs(
            [programme("A", 6, risk=0.1), programme("B", 2, risk=risk_b)],
            budget=10,
            values={"A": 2, "B": 1},
            service_years_after_horizon=1,
            robust_overruns=1,
        )

    m = build_model(inputs(1.0))
    solve_optimal(m, {"capability": 1})
    assert value(m, "capability") == 3
    m = build_model(inputs(1.5))
    solve_optimal(m, {"capability": 1})
    assert value(m, "capability") == 2


def _joint(budget_b: float, gamma: int):
    """Joint programme costing 10 (risk 0.5) for A (budget 6) and B: members pay f with f·1.5 ≤ budget."""
    return make_inputs(
        [programme("J", 10, joint=True, risk=0.5)],
        nations=("A", "B"),
        budget={"A": 6, "B": budget_b},
        service_years_after_horizon=1,
        robust_overruns=gamma,
    )


def test_joint_payment_overrun_scales_each_members_payment() -> None:
    """B = 10: A pays at most 6/1.5 = 4, B at most 10/1.5 ≈ 6.7; 4 + 6.7 ≥ 10, so J goes ahead."""
    inputs = _joint(10, 1)
    m = build_model(inputs)
    solve_optimal(m, {"capability": 1})
    assert value(m, "capability") == 2  # both members field it
    plan = extract_decisions(m, inputs)
    for n in ("A", "B"):
        paid = plan.payments[n, "J", 2030]
        assert paid * 1.5 <= inputs.budget(n, 2030) + 1e-6


def test_joint_programme_dropped_when_the_shared_overrun_does_not_fit() -> None:
    """B = 7: robust room is 4 + 4.67 = 8.67 < 10, so no consortium; nominally 6 + 7 ≥ 10 would do."""
    m = build_model(_joint(7, 1))
    solve_optimal(m, {"capability": 1})
    assert value(m, "capability") == 0
    m = build_model(_joint(7, 0))
    solve_optimal(m, {"capability": 1})
    assert value(m, "capability") == 2


def test_per_participant_cost_overruns_too() -> None:
    """Joint J costs 4 (risk 0.5) plus 4 per member: each member pays 2 + 4 = 6, robust 9 > 8."""

    def inputs(budget: float):
        return make_inputs(
            [programme("J", 4, joint=True, per_participant_cost=4, risk=0.5)],
            nations=("A", "B"),
            budget=budget,
            service_years_after_horizon=1,
            robust_overruns=1,
        )

    m = build_model(inputs(8))
    solve_optimal(m, {"capability": 1})
    assert value(m, "capability") == 0
    m = build_model(inputs(9))
    solve_optimal(m, {"capability": 1})
    assert value(m, "capability") == 2


def _banking(risk: float):
    """5 a year over two years, full carry-over; P (cost 8) can only start in 2031."""
    return make_inputs(
        [programme("P", 8, earliest_start=2031, risk=risk)],
        years=2,
        nations=[nation("A", carry=1.0)],
        budget=5,
        service_years_after_horizon=1,
        robust_overruns=1,
    )


def test_carry_over_covers_the_overrun_through_the_robust_balance() -> None:
    """Saved 5 + 5 = 10 ≥ 8 · 1.25 = 10: funded; at risk 0.3 the overrun (10.4) does not fit."""
    m = build_model(_banking(0.25))
    assert len(m.robust_budget_balance) == 2 and len(m.robust_budget) == 0
    solve_optimal(m, {"capability": 1})
    assert value(m, "capability") == 1
    m = build_model(_banking(0.3))
    solve_optimal(m, {"capability": 1})
    assert value(m, "capability") == 0


def test_a_nations_own_gamma_overrides_the_setting() -> None:
    """Settings Γ = 1, but nation A sets 0: its 8 · 1.5 overrun is not protected, so P fits."""
    inputs = _one_programme(1)
    inputs = replace(inputs, nations=(replace(inputs.nations[0], robust_overruns=0),))
    m = build_model(inputs)
    assert not hasattr(m, "robust_budget")
    solve_optimal(m, {"capability": 1})
    assert value(m, "capability") == 1


def test_riskless_programmes_need_no_protection() -> None:
    """Risk 0 everywhere: Γ changes nothing and adds no rows."""
    m = build_model(_one_programme(2, risk=0.0))
    assert not hasattr(m, "robust_budget")
    solve_optimal(m, {"capability": 1})
    assert value(m, "capability") == 1


def test_a_robust_plan_loaded_as_a_start_satisfies_every_row() -> None:
    """set_start fills λ, μ and the robust balances, so a robust plan is a complete MIP start,
    and β = Γ·λ + Σ μ is the sum of the Γ largest overruns of each nation-year."""
    import pyomo.environ as pyo

    from models import set_start
    from tests.models.conftest import synthetic_inputs, violations

    base = synthetic_inputs(nations=8, programmes=12, years=6)
    inputs = replace(base, settings=replace(base.settings, robust_overruns=2))
    m = build_model(inputs)
    solve_optimal(m, {"capability": 1})
    fresh = build_model(inputs)
    set_start(fresh, extract_decisions(m, inputs))
    assert violations(fresh) == []
    assert len(fresh.robust_level) > 0
    for (n, t), level in fresh.robust_level.items():
        overruns = [
            level.value + fresh.robust_excess[key].value - pyo.value(row.body)  # d = λ + μ − body
            for key, row in fresh.robust_dual.items()
            if (key[0], key[2]) == (n, t)
        ]
        largest = sum(sorted(overruns, reverse=True)[:2])
        assert pyo.value(fresh.robust_protection[n, t]) == pytest.approx(largest, abs=1e-9)
