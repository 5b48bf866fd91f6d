"""The direct HiGHS mirror: every kind of change to a Pyomo model reaches HiGHS.

Each test solves a tiny model whose optimum is obvious by hand, changes it the way the
optimizer does (budgets, ε levels, lexicographic holds, fixing, new variables, a new
objective), and checks the re-solve against the hand answer. A mirror that silently kept
a stale bound or row would return the old answer.
"""

from __future__ import annotations

import pyomo.environ as pyo
import pytest

from models.terms import linear
from optimizer.solve.solver import PersistentSolver, SolverOptions


def knapsack() -> pyo.ConcreteModel:
    """max 5a + 4b + 3c s.t. 2a + 3b + c ≤ budget (=4), binaries: optimum a + c = 8."""
    m = pyo.ConcreteModel()
    m.goods = pyo.Set(initialize=["a", "b", "c"], ordered=True)
    m.x = pyo.Var(m.goods, domain=pyo.Binary)
    m.budget = pyo.Param(mutable=True, initialize=4.0)
    weight = {"a": 2.0, "b": 3.0, "c": 1.0}
    value = {"a": 5.0, "b": 4.0, "c": 3.0}
    m.cap = pyo.Constraint(expr=linear([(weight[i], m.x[i]) for i in m.goods]) <= m.budget)
    m.obj = pyo.Objective(expr=sum(value[i] * m.x[i] for i in m.goods), sense=pyo.maximize)
    return m


def solve(solver: PersistentSolver) -> float:
    out = solver.solve(time_limit=10, gap=0.0)
    assert out.status == "optimal"
    return out.objective


def chosen(m: pyo.ConcreteModel) -> set[str]:
    return {i for i in m.goods if m.x[i].value > 0.5}


def test_hand_off_and_solution_loaded_back():
    m = knapsack()
    solver = PersistentSolver(m, SolverOptions())
    assert solve(solver) == pytest.approx(8.0)
    assert chosen(m) == {"a", "c"}
    highs = solver._backend.highs
    assert (highs.getNumCol(), highs.getNumRow(), highs.getNumNz()) == (3, 1, 3)


def test_mutable_parameter_in_a_bound_is_resent():
    """Budget 6 affords all three items (2+3+1): value 12; budget 1 only c: 3."""
    m = knapsack()
    solver = PersistentSolver(m, SolverOptions())
    solve(solver)
    m.budget = 6.0
    assert solve(solver) == pytest.approx(12.0)
    m.budget = 1.0
    assert solve(solver) == pytest.approx(3.0)


def test_parameter_in_body_constant_and_coefficient():
    """2a + w·b + c + k ≤ 4: k=1 leaves 3 (a+c = 8); w=0 makes b free (a+b+c = 12)."""
    m = knapsack()
    m.k = pyo.Param(mutable=True, initialize=0.0)
    m.w = pyo.Param(mutable=True, initialize=3.0)
    m.cap.deactivate()
    m.cap2 = pyo.Constraint(expr=2 * m.x["a"] + m.w * m.x["b"] + m.x["c"] + m.k <= 4)
    solver = PersistentSolver(m, SolverOptions())
    assert solve(solver) == pytest.approx(8.0)
    m.k = 2.0  # 2a + 3b + c ≤ 2: a (5) beats c (3)
    assert solve(solver) == pytest.approx(5.0)
    m.k = 0.0
    m.w = 0.0
    assert solve(solver) == pytest.approx(12.0)


def test_rows_added_deactivated_and_deleted():
    """A hold forbidding a: then b + c (7); deactivating it restores 8; a new list again."""
    m = knapsack()
    solver = PersistentSolver(m, SolverOptions())
    solve(solver)
    m.holds = pyo.ConstraintList()
    m.holds.add(m.x["a"] <= 0)
    assert solve(solver) == pytest.approx(7.0)
    m.holds.deactivate()
    assert solve(solver) == pytest.approx(8.0)
    m.del_component(m.holds)
    m.holds = pyo.ConstraintList()
    m.holds.add(m.x["c"] <= 0)  # then a alone fits (b does not fit beside it): 5
    assert solve(solver) == pytest.approx(5.0)
    assert solver._backend.highs.getNumRow() == 2


def test_fixing_and_bounds_are_resent():
    m = knapsack()
    solver = PersistentSolver(m, SolverOptions())
    solve(solver)
    m.x["b"].fix(1)  # b (3) leaves 1: c → 4 + 3
    assert solve(solver) == pytest.approx(7.0)
    assert m.x["b"].value == 1
    m.x["b"].unfix()
    m.x["a"].setub(0)
    assert solve(solver) == pytest.approx(7.0)
    m.x["a"].setub(1)
    assert solve(solver) == pytest.approx(8.0)


def test_new_variables_and_a_new_objective():
    """A bonus variable d (weight 1, value 10) joins; then the objective is replaced."""
    m = knapsack()
    solver = PersistentSolver(m, SolverOptions())
    solve(solver)
    m.d = pyo.Var(domain=pyo.Binary)
    m.cap.deactivate()
    m.cap_d = pyo.Constraint(expr=2 * m.x["a"] + 3 * m.x["b"] + m.x["c"] + m.d <= 4)
    m.obj.deactivate()
    m.obj_d = pyo.Objective(expr=5 * m.x["a"] + 4 * m.x["b"] + 3 * m.x["c"] + 10 * m.d + 1, sense=pyo.maximize)
    assert solve(solver) == pytest.approx(19.0)  # a + c + d = 18, plus the constant 1
    assert m.d.value == pytest.approx(1.0)
    m.obj_d.deactivate()
    m.obj_min = pyo.Objective(expr=m.x["a"] + m.x["b"] + m.x["c"] + m.d, sense=pyo.minimize)
    assert solve(solver) == pytest.approx(0.0)


def test_removed_variable_rebuilds_the_solver_model():
    m = knapsack()
    m.extra = pyo.Var(domain=pyo.Binary)
    m.extra_row = pyo.Constraint(expr=m.extra + m.x["a"] <= 1)
    solver = PersistentSolver(m, SolverOptions())
    assert solve(solver) == pytest.approx(8.0)
    m.del_component(m.extra_row)
    m.del_component(m.extra)
    assert solve(solver) == pytest.approx(8.0)
    assert solver._backend.highs.getNumCol() == 3


def test_repeated_variable_in_a_named_expression_body_is_merged():
    """x_a appears twice (2 + 1 = 3) inside a named Expression: 3a + 3b + c ≤ 4 → a + c = 8."""
    m = knapsack()
    m.cap.deactivate()
    m.weight_used = pyo.Expression(expr=2 * m.x["a"] + 3 * m.x["b"] + m.x["c"] + m.x["a"])
    m.cap3 = pyo.Constraint(expr=m.weight_used <= 4)
    solver = PersistentSolver(m, SolverOptions())
    assert solve(solver) == pytest.approx(8.0)
    m.budget = 0.0  # the old row is inactive: no effect
    assert solve(solver) == pytest.approx(8.0)
    assert solver._backend.highs.getNumNz() == 3


def test_warm_start_is_accepted():
    m = knapsack()
    solver = PersistentSolver(m, SolverOptions())
    m.x["a"].set_value(1)
    m.x["b"].set_value(0)
    m.x["c"].set_value(1)
    out = solver.solve(time_limit=10, gap=0.0, warm_start=True)
    assert out.status == "optimal" and out.objective == pytest.approx(8.0)


def test_variables_fixed_at_the_first_hand_off_keep_their_coefficients():
    """Fixed b = 1 before HiGHS ever saw the model: 4 + c (3) = 7. Once unfixed, the
    optimum must be a + c = 8 — which needs b's objective and row coefficients, which a
    reader that folded the fixed b into constants would have lost."""
    m = knapsack()
    m.weight_used = pyo.Expression(expr=2 * m.x["a"] + 3 * m.x["b"] + m.x["c"])
    m.cap.deactivate()
    m.cap_expr = pyo.Constraint(expr=m.weight_used <= m.budget)  # read by the general reader
    m.x["b"].fix(1)
    solver = PersistentSolver(m, SolverOptions())
    assert solve(solver) == pytest.approx(7.0)
    m.x["b"].unfix()
    assert solve(solver) == pytest.approx(8.0)
    m.budget = 6.0
    assert solve(solver) == pytest.approx(12.0)


def test_reported_objective_is_the_models_own_value():
    """The objective comes from the cost row HiGHS was given (one dot product), so it must
    equal Pyomo's value of the objective: with a constant, a fixed variable that carries a
    cost, and a variable added after the objective was handed over."""
    m = knapsack()
    m.obj.deactivate()
    m.obj2 = pyo.Objective(expr=5 * m.x["a"] + 4 * m.x["b"] + 3 * m.x["c"] + 2.5, sense=pyo.maximize)
    m.x["b"].fix(1)  # b's 4 is in the objective, through its fixed column
    solver = PersistentSolver(m, SolverOptions())
    out = solver.solve(time_limit=10, gap=0.0)
    assert out.objective == pytest.approx(4 + 3 + 2.5)
    assert out.objective == pytest.approx(pyo.value(m.obj2))
    m.late = pyo.Var(domain=pyo.Binary)  # a column the objective does not use
    m.late_row = pyo.Constraint(expr=m.late + m.x["c"] <= 1)
    m.late.setlb(1)  # late = 1 forces c = 0: 4 + 2.5
    out = solver.solve(time_limit=10, gap=0.0)
    assert out.objective == pytest.approx(6.5)
    assert out.objective == pytest.approx(pyo.value(m.obj2))


def test_solution_vector_is_only_the_last_solves_own():
    m = knapsack()
    solver = PersistentSolver(m, SolverOptions())
    assert solver.solution_vector() is None  # nothing solved yet
    solve(solver)
    assert list(solver.solution_vector()) == pytest.approx([1.0, 0.0, 1.0])
    m.x["a"].setlb(1)
    m.x["b"].setlb(1)  # a + b weigh 5 > 4: infeasible
    assert solver.solve(time_limit=10, gap=0.0).status == "infeasible"
    assert solver.solution_vector() is None  # not the previous plan


def test_only_parameters_change_still_sends_the_parameters():
    """Inside `only_parameters_change` each solve re-reads only parametric rows: a budget
    change must still arrive; once outside, a fixing is seen again."""
    m = knapsack()
    solver = PersistentSolver(m, SolverOptions())
    with solver.only_parameters_change():
        assert solve(solver) == pytest.approx(8.0)
        m.budget = 6.0
        assert solve(solver) == pytest.approx(12.0)
        m.budget = 1.0
        assert solve(solver) == pytest.approx(3.0)
    assert not solver.parameters_only
    m.budget = 4.0
    m.x["c"].fix(0)  # a alone: 5 (b does not fit beside it)
    assert solve(solver) == pytest.approx(5.0)


def test_parameters_in_the_objective_are_resent():
    """An objective whose constant and coefficients read mutable parameters: each solve
    optimises and reports the current ones, also when only parameters are handed over."""
    m = knapsack()
    m.bonus = pyo.Param(mutable=True, initialize=1.0)
    m.price_b = pyo.Param(mutable=True, initialize=4.0)
    m.obj.deactivate()
    m.obj_p = pyo.Objective(expr=5 * m.x["a"] + m.price_b * m.x["b"] + 3 * m.x["c"] - 2 * m.bonus, sense=pyo.maximize)
    solver = PersistentSolver(m, SolverOptions())
    assert solve(solver) == pytest.approx(8.0 - 2.0)
    m.bonus = 5.0  # constant only: same plan, value 8 − 10
    assert solve(solver) == pytest.approx(-2.0)
    with solver.only_parameters_change():
        m.bonus = 0.0
        assert solve(solver) == pytest.approx(8.0)
    m.price_b = 20.0  # b + c (weights 3 + 1: 20 + 3) now beat a + c (8)
    assert solve(solver) == pytest.approx(23.0)
    assert chosen(m) == {"b", "c"}
    assert solve(solver) == pytest.approx(pyo.value(m.obj_p))
