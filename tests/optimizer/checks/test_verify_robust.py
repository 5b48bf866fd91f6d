"""The verifier's robust-budget rule (family 13, docs/robust.md) on hand-made plans, and
against the model: every robust plan the optimizer returns passes it."""

from __future__ import annotations

import pytest

from optimizer.checks.verify import check_plan, check_robust_budget, robust_protection
from tests.optimizer.conftest import make_inputs, nation, plan, programme


def only(lines: list[str], *fragments: str) -> None:
    assert len(lines) == 1, lines
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


def _single(gamma: int, risk: float = 0.5):
    return make_inputs(
        first_year=2030,
        last_year=2030,
        nations=[nation("A")],
        budgets=10,
        programmes=[programme("P", 1, 8, risk=risk)],
        robust_overruns=gamma,
    )


def test_gamma_zero_is_the_nominal_budget() -> None:
    assert check_plan(_single(0), plan(national={("A", "P"): 2030})) == []


def test_one_overrun_of_half_breaks_a_budget_of_ten() -> None:
    """8 · 1.5 = 12 > 10."""
    lines = check_plan(_single(1), plan(national={("A", "P"): 2030}))
    only(lines, "Nation A in 2030", "(+4)", "spend 12", "budget 10", "Γ = 1")


def test_the_gamma_largest_overruns_count() -> None:
    """Three programmes of 3 with risks 0.1, 0.5, 1 (overruns 0.3, 1.5, 3); budget 13.

    Γ = 1: 9 + 3 = 12 fits; Γ = 2: 9 + 4.5 = 13.5 does not; β is exactly those sums.
    """

    def inputs(gamma: int):
        return make_inputs(
            first_year=2030,
            last_year=2030,
            nations=[nation("A")],
            budgets=13,
            programmes=[programme(f"P{i}", 1, 3, risk=r) for i, r in enumerate((0.1, 0.5, 1.0))],
            robust_overruns=gamma,
        )

    decisions = plan(national={("A", f"P{i}"): 2030 for i in range(3)})
    assert robust_protection(inputs(1), decisions) == {("A", 2030): pytest.approx(3.0)}
    assert robust_protection(inputs(3), decisions) == {("A", 2030): pytest.approx(4.8)}
    assert check_plan(inputs(1), decisions) == []
    only(check_plan(inputs(2), decisions), "Nation A in 2030", "(+4.5)", "Γ = 2")


def test_joint_payment_and_per_participant_cost_overrun_together() -> None:
    """A pays 4 to J plus 2 per-participant cost: (4 + 2) · 1.5 = 9 > 8; B pays 2 + 2: 6 ≤ 8."""
    inputs = make_inputs(
        first_year=2030,
        last_year=2030,
        budgets=8,
        programmes=[programme("J", 1, 6, "joint", ppc=2, risk=0.5)],
        robust_overruns=1,
    )
    decisions = plan(joint={"J": (2030, ("A", "B"))}, payments={("A", "J", 2030): 4, ("B", "J", 2030): 2})
    assert robust_protection(inputs, decisions) == {("A", 2030): 3.0, ("B", 2030): 2.0}
    only(check_plan(inputs, decisions), "Nation A in 2030", "spend 9")


def test_carry_over_absorbs_an_overrun_in_a_later_year() -> None:
    """5 a year, full carry-over; P costs 8 in 2031 with risk 0.25: 10 ≤ 5 + 5. Risk 0.3 breaks it."""

    def check(risk: float) -> list[str]:
        inputs = make_inputs(
            first_year=2030,
            last_year=2031,
            nations=[nation("A", carry=1.0)],
            budgets=5,
            programmes=[programme("P", 1, 8, risk=risk)],
            robust_overruns=1,
        )
        return check_robust_budget(inputs, plan(national={("A", "P"): 2031}), 1e-6)

    assert check(0.25) == []
    only(check(0.3), "Nation A in 2031", "balance -0.4")


def test_a_nation_with_gamma_zero_is_not_checked() -> None:
    inputs = make_inputs(
        first_year=2030,
        last_year=2030,
        nations=[nation("A")],
        budgets=10,
        programmes=[programme("P", 1, 8, risk=0.5)],
        robust_overruns=1,
    )
    from dataclasses import replace

    inputs = replace(inputs, nations=(replace(inputs.nations[0], robust_overruns=0),))
    assert check_plan(inputs, plan(national={("A", "P"): 2030})) == []


def test_robust_plans_from_the_optimizer_pass_and_nominal_ones_may_not() -> None:
    """On a small random instance the Γ = 2 plan passes the robust rule (the Session checks
    every plan with `check_plan` too); the nominal plan, judged with Γ = 2, breaks it."""
    from optimizer import Scenario
    from tests.models.conftest import synthetic_inputs

    base = Scenario(synthetic_inputs(nations=8, programmes=12, years=6, seed=1))
    nominal = base.solve(objective="weighted", weights={"capability": 1}, time_limit=20, gap=0)
    robust = base.with_settings(robust_overruns=2).solve(
        objective="weighted", weights={"capability": 1}, time_limit=20, gap=0
    )
    judged = base.with_settings(robust_overruns=2).inputs
    assert check_robust_budget(judged, robust.decisions, 1e-6) == []
    assert check_robust_budget(judged, nominal.decisions, 1e-6) != []
    assert robust.objectives["capability"] < nominal.objectives["capability"]


def test_a_robust_plans_spend_shows_the_reserve_it_holds_for_overruns() -> None:
    """Spend's `overrun_reserve` is β[n,τ] (Γ = 1: A's largest overrun, 3) for robust nations,
    blank for a nation with Γ_n = 0 (B), and absent from a nominal plan's Spend."""
    from dataclasses import replace

    from optimizer.checks.evaluate import evaluate

    nations = [nation("A"), replace(nation("B"), robust_overruns=0)]
    programmes = [programme(f"P{i}", 1, 3, risk=r) for i, r in enumerate((0.1, 0.5, 1.0))]
    decisions = plan(national={**{("A", f"P{i}"): 2030 for i in range(3)}, ("B", "P2"): 2030})

    def spend(gamma: int):
        return evaluate(
            make_inputs(
                first_year=2030,
                last_year=2030,
                nations=nations,
                budgets=13,
                programmes=programmes,
                robust_overruns=gamma,
            ),
            decisions,
        ).spend

    robust = spend(1).set_index("nation")["overrun_reserve"]
    assert robust["A"] == pytest.approx(3.0)
    assert robust.isna()["B"]
    assert "overrun_reserve" not in spend(0)
