"""Decisions in and out of a model, and the shape of a realistic model (sparsity, interface)."""

from __future__ import annotations

import pyomo.environ as pyo
import pytest
from pyomo.contrib.appsi.base import TerminationCondition
from pyomo.contrib.appsi.solvers import Highs

from data.tables import JointDecision, PlanDecisions
from models import build_model, extract_decisions, set_start
from tests.models.conftest import make_inputs, nation, programme, solve, violations


def test_objective_expressions_cover_every_name(synthetic) -> None:
    m = build_model(synthetic)
    assert list(m.objective_expr) == list(synthetic.objective_names())
    assert not list(m.component_objects(pyo.Objective)), "the optimizer adds objectives"


def test_variables_exist_only_inside_windows(synthetic) -> None:
    """Every start variable is an allowed start of an eligible nation, and each one exists."""
    m = build_model(synthetic)
    expected_national, expected_joint = set(), set()
    for p in synthetic.programmes:
        for n in synthetic.eligible_nations(p):
            for t in synthetic.allowed_starts(p):
                (expected_joint if p.is_joint else expected_national).add((n, p.id, t))
    assert set(m.starts) == expected_national
    assert set(m.joins) == expected_joint
    partners = {n.code for n in synthetic.nations if n.role == "partner"}
    assert not {n for (n, _, _) in m.starts} & partners


def test_solved_plan_warm_starts_a_fresh_model(synthetic) -> None:
    """The plan of a solve, written into a new model, breaks no row and scores the same."""
    m = build_model(synthetic)
    status = solve(m, {"shortfall": 10, "capability": 1})
    assert status == TerminationCondition.optimal
    plan = extract_decisions(m, synthetic)
    assert plan.national or plan.joint
    fresh = build_model(synthetic)
    set_start(fresh, plan)
    assert violations(fresh) == []
    for name in ("capability", "shortfall", "cost"):
        assert pyo.value(fresh.objective_expr[name]) == pytest.approx(
            pyo.value(m.objective_expr[name]), rel=1e-6, abs=1e-6
        ), name
    assert extract_decisions(fresh, synthetic) == plan


def test_warm_start_is_accepted_by_highs(synthetic) -> None:
    m = build_model(synthetic)
    solve(m, {"capability": 1})
    plan = extract_decisions(m, synthetic)
    fresh = build_model(synthetic)
    set_start(fresh, plan)
    fresh.obj = pyo.Objective(expr=fresh.objective_expr["capability"], sense=pyo.maximize)
    solver = Highs()
    solver.config.warmstart = True
    solver.highs_options = {"mip_rel_gap": 0.0, "threads": 1}
    result = solver.solve(fresh)
    assert result.termination_condition == TerminationCondition.optimal
    assert pyo.value(fresh.objective_expr["capability"]) == pytest.approx(
        pyo.value(m.objective_expr["capability"]), rel=1e-6
    )


def test_set_start_balances_are_greedy() -> None:
    """Budget 10 a year, carry 0.3, nothing bought: keep 3 each year, lapse 7 then 10."""
    inputs = make_inputs([programme("P", 6)], years=2, nations=[nation("A", carry=0.3)])
    m = build_model(inputs)
    set_start(m, PlanDecisions(national={}, joint={}, payments={}, adoptions={}))
    assert [m.balance["A", t].value for t in (2030, 2031)] == [3, 3]
    assert [m.lapse["A", t].value for t in (2030, 2031)] == [7, 10]


def test_set_start_splits_missing_payments_evenly() -> None:
    inputs = make_inputs([programme("J", 10, joint=True)], nations=("A", "B"))
    m = build_model(inputs)
    set_start(
        m,
        PlanDecisions(national={}, joint={"J": JointDecision(2030, ("A", "B"))}, payments={}, adoptions={}),
    )
    assert m.payment["A", "J", 2030].value == m.payment["B", "J", 2030].value == 5
    assert violations(m) == []


@pytest.mark.parametrize(("paid", "exact"), [(10 - 3e-7, True), (10 + 3e-7, True), (10 - 1e-3, False)])
def test_extracted_payments_sum_to_the_years_cost(paid: float, exact: bool) -> None:
    """MODEL.md family 3 is an equation: payments that miss a year's cost of 10 by the
    solver's tolerance are scaled to sum to it exactly (a front read 149.999997 of 150); a
    real miss is left for the verifier."""
    inputs = make_inputs([programme("J", 10, joint=True)], nations=("A", "B"))
    m = build_model(inputs)
    set_start(m, PlanDecisions(national={}, joint={"J": JointDecision(2030, ("A", "B"))}, payments={}, adoptions={}))
    m.payment["A", "J", 2030].set_value(paid * 0.3)
    m.payment["B", "J", 2030].set_value(paid * 0.7)
    payments = extract_decisions(m, inputs).payments
    assert (sum(payments.values()) == pytest.approx(10, rel=1e-15, abs=0)) is exact
    assert payments["A", "J", 2030] / payments["B", "J", 2030] == pytest.approx(3 / 7)


def test_an_excess_payment_comes_off_the_member_furthest_above_its_minimum_share() -> None:
    """Scaling every member down pushed one at its min_share floor (40 of 100) below it, and
    the plan failed verification; the excess now comes off B, which pays 60."""
    from optimizer.checks.verify import check_plan

    inputs = make_inputs([programme("J", 100, joint=True, min_share=0.4)], nations=("A", "B"), budget=200)
    m = build_model(inputs)
    set_start(m, PlanDecisions(national={}, joint={"J": JointDecision(2030, ("A", "B"))}, payments={}, adoptions={}))
    at_floor = 40 * (1 - 0.5e-6)
    m.payment["A", "J", 2030].set_value(at_floor)
    m.payment["B", "J", 2030].set_value(100 * (1 + 0.99e-6) - at_floor)
    decisions = extract_decisions(m, inputs)
    assert decisions.payments["A", "J", 2030] == at_floor
    assert sum(decisions.payments.values()) == pytest.approx(100, rel=1e-15, abs=0)
    assert check_plan(inputs, decisions) == []


def test_set_start_rejects_a_start_outside_the_windows() -> None:
    m = build_model(make_inputs([programme("P", 6, earliest_start=2031)], years=2))
    with pytest.raises(ValueError, match="A starting P in 2030"):
        set_start(m, PlanDecisions(national={("A", "P"): 2030}, joint={}, payments={}, adoptions={}))


def test_build_scales_to_a_realistic_alliance() -> None:
    """40 nations × 60 programmes × 12 years builds (its speed: benchmarks/run_suite.py)."""
    from tests.models.conftest import synthetic_inputs

    inputs = synthetic_inputs(nations=40, programmes=60, years=12)
    m = build_model(inputs)
    assert m.nvariables() > 10_000


def test_built_model_keeps_no_build_time_lookups(synthetic) -> None:
    m = build_model(synthetic)
    assert not [k for k in vars(m) if k.startswith("_capopt")]
    m.clone()  # what-ifs and workers may copy a built model
