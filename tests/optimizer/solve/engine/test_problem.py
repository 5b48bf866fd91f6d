"""The MIP as arrays: read back from HiGHS exactly, rebuilt exactly in a worker."""

from __future__ import annotations

import numpy as np

from models import build_model
from optimizer.solve.engine.engine import feasible, row_activity
from optimizer.solve.engine.problem import MipArrays
from optimizer.solve.objectives import set_objective, weighted_expression
from optimizer.solve.solver import PersistentSolver, SolverOptions
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
