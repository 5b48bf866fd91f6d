"""Family 14 — plan stability for re-planning (models.stability), on hand-solvable models."""

from __future__ import annotations

import logging

import pyomo.environ as pyo
import pytest

from data.tables import JointDecision, PlanDecisions
from models import build_model, extract_decisions
from models.stability import add_plan_stability
from tests.models.conftest import make_inputs, programme, solve_optimal, standard, value


def _inputs(**settings):
    """2030–2032, budget 6 a year: one programme of 6 per year. P is worth 1 a year, Q 2.

    Only starts in 2030 and 2031 enter service inside the horizon (H = 0)."""
    return make_inputs([programme("P", 6), programme("Q", 6)], years=3, budget=6, values={"P": 1, "Q": 2}, **settings)


def _previous(**national: int) -> PlanDecisions:
    return PlanDecisions(national={("A", p): t for p, t in national.items()}, joint={}, payments={}, adoptions={})


def _solve(weight: float, previous: PlanDecisions, from_year: int = 2031):
    inputs = _inputs()
    m = build_model(inputs)
    add_plan_stability(m, inputs, previous, weight, from_year)
    _maximise(m, m.objective_expr["capability"] - m.stability_penalty)
    return m, extract_decisions(m, inputs)


def _maximise(m: pyo.ConcreteModel, expr: object) -> None:
    """Capability less the stability penalty, as Session charges it (see optimizer.objectives)."""
    from pyomo.contrib.appsi.base import TerminationCondition
    from pyomo.contrib.appsi.solvers import Highs

    m.stability_objective = pyo.Objective(expr=expr, sense=pyo.maximize)
    solver = Highs()
    solver.highs_options = {"mip_rel_gap": 0.0, "threads": 1}
    assert solver.solve(m).termination_condition == TerminationCondition.optimal


def test_a_swap_must_buy_more_than_two_changes() -> None:
    """Previous: P in 2031 (1 point). Q in 2031 instead earns 2 but drops P and adds Q: 2 changes.

    W = 0.4: 2 − 0.8 > 1, swap. W = 0.6: 2 − 1.2 < 1, keep P.
    """
    m, plan = _solve(0.4, _previous(P=2031))
    assert plan.national == {("A", "Q"): 2031} and pyo.value(m.plan_changes) == 2
    assert pyo.value(m.plan_change["A", "P"]) == 1 and pyo.value(m.plan_change["A", "Q"]) == 1
    m, plan = _solve(0.6, _previous(P=2031))
    assert plan.national[("A", "P")] == 2031 and pyo.value(m.plan_changes) == 0


def test_a_move_is_one_change() -> None:
    """Previous: P in 2032 (earns nothing). Moving it to 2031 earns 1 for one change;
    adding Q in 2031 instead earns 2 for one change (P stays in 2032)."""
    m, plan = _solve(0.5, _previous(P=2032))
    assert plan.national == {("A", "P"): 2032, ("A", "Q"): 2031}
    assert pyo.value(m.plan_changes) == 1


def test_the_past_admits_no_new_start() -> None:
    """From 2031 on, 2030 is history: Q may not start there although budget allows it; P,
    started there before, may stay."""
    m, plan = _solve(0.0, _previous(P=2030))
    assert ("A", "Q") not in plan.national or plan.national[("A", "Q")] >= 2031
    assert len(m.replan_past_start) == 1  # Q's 2030 start, not P's
    assert value(m, "capability") == 2 + 2  # P (2030, 2 years) is free to stay; Q in 2031


def test_previous_adoptions_before_the_year_are_kept_and_none_added() -> None:
    inputs = make_inputs([programme("P", 1)], years=3, budget=10, standards=[standard("S", 1), standard("T", 1)])
    previous = PlanDecisions(national={}, joint={}, payments={}, adoptions={("A", "S"): 2030})
    m = build_model(inputs)
    add_plan_stability(m, inputs, previous, 1.0, 2031)
    solve_optimal(m, {"interoperability": 1, "cost": 0.01})
    adopted = extract_decisions(m, inputs).adoptions
    assert adopted["A", "S"] == 2030  # kept though adopting later would be cheaper in nothing
    assert adopted["A", "T"] >= 2031  # T is worth adopting, but not in the past


def _joint_inputs(cost: float):
    return make_inputs([programme("J", cost, joint=True)], years=2, nations=("A", "B"), budget=10)


JOINT = PlanDecisions(
    national={},
    joint={"J": JointDecision(2030, ("A", "B"))},
    payments={("A", "J", 2030): 8.0, ("B", "J", 2030): 2.0},
    adoptions={},
)


def test_past_payments_of_a_started_joint_programme_are_held() -> None:
    inputs = _joint_inputs(10)
    m = build_model(inputs)
    add_plan_stability(m, inputs, JOINT, 1.0, 2031)
    assert len(m.replan_past_payment) == 2
    solve_optimal(m, {"capability": 1})
    # held within PAYMENT_TOLERANCE of the year's cost (10): a solver's crumbs may move, the split not
    assert (m.payment["A", "J", 2030].value, m.payment["B", "J", 2030].value) == (
        pytest.approx(8.0, abs=1.1e-5),
        pytest.approx(2.0, abs=1.1e-5),
    )


def test_a_re_estimated_cost_leaves_the_past_split_free(caplog) -> None:
    inputs = _joint_inputs(12)
    m = build_model(inputs)
    with caplog.at_level(logging.WARNING):
        add_plan_stability(m, inputs, JOINT, 1.0, 2031)
    assert len(m.replan_past_payment) == 0
    assert "no longer add up" in caplog.text


def test_unknown_previous_programmes_are_constant_changes() -> None:
    m, _ = _solve(10.0, _previous(P=2031, GONE=2031))
    assert pyo.value(m.plan_change["A", "GONE"]) == 1 and pyo.value(m.plan_changes) == 1


def test_an_adoption_dropped_or_added_is_one_change_each() -> None:
    """Adoptions count like fundings: S adopted in 2031 by the previous plan and dropped is 1
    change; T adopted where the previous plan had none is 1 more; before Y nothing counts."""
    inputs = _inputs(standards=[standard("S", 1.0), standard("T", 1.0)])
    m = build_model(inputs)
    previous = PlanDecisions(national={}, joint={}, payments={}, adoptions={("A", "S"): 2031})
    add_plan_stability(m, inputs, previous, 1.0, 2031)
    for (n, s, t), a in m.adopts.items():
        a.fix(1.0 if (s, t) == ("T", 2032) else 0.0)
    assert pyo.value(m.plan_adoption_change["A", "S"]) == 1
    assert pyo.value(m.plan_adoption_change["A", "T"]) == 1
    m.adopts["A", "S", 2031].fix(1.0)
    m.adopts["A", "T", 2032].fix(0.0)
    assert pyo.value(m.plan_adoption_change["A", "S"]) == 0 and pyo.value(m.plan_adoption_change["A", "T"]) == 0


def test_a_held_payment_moves_less_than_the_verifier_allows() -> None:
    """A band as wide as the verifier's tolerance let the cost stage push held payments to its
    edge, where rounding failed verification: a re-plan of the reference dataset from 2029
    ended in PlanVerificationError. The model keeps half the verifier's tolerance."""
    from models.stability import PAYMENT_TOLERANCE, held_payment_slack

    inputs = _joint_inputs(10)
    slack = held_payment_slack(inputs, "J", 2030, 2030)
    cost = inputs.programme_by_id["J"].cost_in_offset(0)
    assert 0 < slack <= 0.5 * PAYMENT_TOLERANCE * max(1.0, cost) < PAYMENT_TOLERANCE * max(1.0, cost)
