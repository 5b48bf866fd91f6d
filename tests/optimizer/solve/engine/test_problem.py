"""The MIP as arrays: read back from HiGHS exactly, rebuilt exactly in a worker, restricted to a neighbourhood exactly."""

from __future__ import annotations

import numpy as np
import pytest

from models import build_model
from optimizer.solve.engine.engine import feasible, row_activity
from optimizer.solve.engine.problem import MipArrays, gap_met, restrict
from optimizer.solve.objectives import set_objective, weighted_expression
from optimizer.solve.solver import PersistentSolver, SolverOptions, relative_gap
from tests.optimizer.bruteforce import random_tiny_inputs


def arrays_of(seed: int) -> tuple[MipArrays, object]:
    m = build_model(random_tiny_inputs(seed))
    set_objective(m, weighted_expression(m, {"capability": 1.0}), "max")
    solver = PersistentSolver(m, SolverOptions())
    solver.matrix_nonzeros()
    return MipArrays.from_highs(solver._backend.highs), solver._backend.highs


def test_rebuilt_model_has_the_same_optimum():
    arrays, original = arrays_of(4)
    original.run()
    rebuilt = arrays.highs()
    rebuilt.run()
    assert rebuilt.getInfo().objective_function_value == original.getInfo().objective_function_value
    assert rebuilt.getNumNz() == original.getNumNz() == arrays.nonzeros


def test_column_wise_matrix_gives_the_row_activities_highs_reports():
    arrays, original = arrays_of(5)
    original.run()
    x = np.array(original.getSolution().col_value)
    assert np.allclose(row_activity(arrays, x), original.getSolution().row_value, atol=1e-7)
    assert feasible(arrays, x)


def test_a_plan_that_breaks_a_row_is_not_feasible():
    arrays, original = arrays_of(5)
    original.run()
    x = np.array(original.getSolution().col_value)
    broken = x.copy()
    broken[arrays.integer] = 1.0  # fund every option at once: budgets and windows break
    assert not feasible(arrays, broken) or np.array_equal(broken, x)


def _fixed_full_optimum(arrays: MipArrays, fix_index: np.ndarray, fix_value: np.ndarray) -> float | None:
    """The same neighbourhood the old way: the whole model with the fixed columns' bounds pinned."""
    import highspy

    highs = arrays.highs()
    lower, upper = arrays.col_lower.copy(), arrays.col_upper.copy()
    lower[fix_index] = upper[fix_index] = fix_value
    highs.changeColsBounds(arrays.columns, np.arange(arrays.columns, dtype=np.int32), lower, upper)
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return highs.getInfo().objective_function_value


@pytest.mark.parametrize("seed", [3, 5, 8])
def test_a_restricted_neighbourhood_has_the_optimum_of_the_pinned_whole_model(seed):
    """Half the integer columns fixed at a feasible plan: the small MIP of the free columns
    reaches what the whole model with pinned bounds reaches, and its plan maps back to a
    feasible plan of the whole model with that objective value."""
    arrays, original = arrays_of(seed)
    original.run()
    plan = np.array(original.getSolution().col_value)
    integer = np.flatnonzero(arrays.integer)
    fix_index = integer[np.random.default_rng(seed).permutation(len(integer))[: len(integer) // 2]].astype(np.int32)
    fix_value = np.round(plan[fix_index])
    restriction = restrict(arrays, fix_index, fix_value, plan)
    assert restriction is not None
    assert restriction.arrays.columns < arrays.columns
    sub = restriction.arrays.highs()
    sub.run()
    x = restriction.full(np.array(sub.getSolution().col_value))
    x[arrays.integer] = np.round(x[arrays.integer])
    assert feasible(arrays, x)
    assert np.array_equal(x[fix_index], fix_value)
    expected = _fixed_full_optimum(arrays, fix_index, fix_value)
    assert arrays.objective(x) == pytest.approx(sub.getInfo().objective_function_value, abs=1e-6)
    assert arrays.objective(x) == pytest.approx(expected, rel=1e-9, abs=1e-6)


def test_a_fixing_that_breaks_a_row_makes_no_restriction():
    """Every integer column fixed at 1 (fund everything everywhere): some budget or window
    row fails with no free column left to mend it, so the neighbourhood is infeasible."""
    arrays, _ = arrays_of(5)
    integer = np.flatnonzero(arrays.integer).astype(np.int32)
    assert _fixed_full_optimum(arrays, integer, np.ones(len(integer))) is None
    restriction = restrict(arrays, integer, np.ones(len(integer)), None)
    if restriction is not None:  # a row left with free continuous columns: HiGHS must find it infeasible
        sub = restriction.arrays.highs()
        sub.run()
        assert sub.getInfo().primal_solution_status != 2


def test_a_gap_of_float_remainders_meets_a_target_of_zero():
    """27 against a bound of 27.000000000000004 is proven at gap 0: the stage was called
    "feasible, gap 1.3e-16", ran to its time limit and left the next stage no time."""
    assert gap_met(relative_gap(27.0, 27.000000000000004), 0.0)
    assert not gap_met(1e-9, 0.0) and not gap_met(None, 0.01)
    assert gap_met(0.01, 0.01) and not gap_met(0.0101, 0.01)
