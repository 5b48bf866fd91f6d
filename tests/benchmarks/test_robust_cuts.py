"""benchmarks/robust_cuts.py: its inequalities hold for every whole plan, and cut the LP."""

from __future__ import annotations

import itertools

import pyomo.environ as pyo

from benchmarks.robust_cuts import greedy_cut, overrun_elements, relax, separate
from models import build_model
from tests.optimizer.conftest import make_inputs, nation, programme


class _Value:
    """A stand-in for a model column: its LP value."""

    def __init__(self, value: float) -> None:
        self.value = value


def test_every_greedy_inequality_holds_for_every_whole_choice() -> None:
    """Σ coefficient × x never exceeds the Γ largest overruns chosen, for any 0/1 x (a valid
    inequality), whatever LP values ordered it."""
    overruns = [5.0, 3.0, 3.0, 1.0]
    for gamma in (1, 2, 3):
        for lp in itertools.product((0.0, 0.4, 1.0), repeat=4):
            columns = [_Value(v) for v in lp]
            overrun_of = {id(col): o for col, o in zip(columns, overruns)}
            cut = greedy_cut(list(zip(overruns, columns)), gamma)
            for choice in itertools.product((0, 1), repeat=4):
                chosen = dict(zip(map(id, columns), choice))
                left = sum(c * chosen[id(col)] for c, col in cut)
                right = sum(sorted((overrun_of[i] for i, x in chosen.items() if x), reverse=True)[:gamma])
                assert left <= right + 1e-9, (gamma, lp, choice)


def test_the_cuts_lower_the_lp_bound_of_a_robust_model() -> None:
    """Two programmes of overrun 4 and 2 in one budget year, Γ = 1: the LP takes fractions."""
    inputs = make_inputs(
        first_year=2030,
        last_year=2031,
        nations=[nation("A")],
        budgets=10.0,
        programmes=[programme("P", cost=8, risk=0.5), programme("Q", cost=4, risk=0.5)],
        robust_overruns=1,
    )
    m = build_model(inputs)
    m.lp_objective = pyo.Objective(expr=m.objective_expr["capability"], sense=pyo.maximize)
    relax(m)
    m.robust_cuts = pyo.ConstraintList()
    solver = pyo.SolverFactory("appsi_highs")
    solver.solve(m)
    before = pyo.value(m.lp_objective)
    assert separate(m, inputs, overrun_elements(m, inputs)) >= 1
    solver.solve(m)
    assert pyo.value(m.lp_objective) < before - 1e-6
