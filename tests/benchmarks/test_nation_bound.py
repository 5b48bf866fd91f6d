"""The decomposition bound of benchmarks/nation_bound.py: a true bound, never above the LP's.

Held to brute force on tiny random instances (up to 2 nations, joint programmes, ALLIANCE
targets): for any multipliers of the right sign the bound must be at least the true
optimum; at the LP duals it must sit between the optimum and the LP bound, and with the
nation blocks relaxed to LPs it must reproduce the LP bound exactly (the sign check).
"""

from __future__ import annotations

import highspy
import numpy as np
import pytest

from benchmarks.nation_bound import WEIGHTS, decompose, lagrangian_bound, lp_duals, valid_multipliers
from models import build_model
from optimizer.solve.highs_model import HighsModel
from optimizer.solve.objectives import set_objective, weighted_expression
from tests.optimizer.bruteforce import best_plan, random_tiny_inputs

TOLERANCE = 1e-6
# draws with coupling rows (joint programmes, any-nation precedence, ALLIANCE targets); in
# 1, 2, 7, 11 and 12 the bound at the LP duals is strictly below the LP bound
SEEDS = [1, 2, 3, 4, 6, 7, 9, 11, 12, 14]


def loaded(inputs):
    model = build_model(inputs)
    set_objective(model, weighted_expression(model, WEIGHTS), "max")
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    mirror = HighsModel(model, highs)
    return highs, decompose(highs, mirror.columns, [n.code for n in inputs.nations])


@pytest.mark.parametrize("seed", SEEDS)
def test_bound_is_between_the_optimum_and_the_lp(seed: int) -> None:
    inputs = random_tiny_inputs(seed)
    optimum = best_plan(inputs, weights=WEIGHTS)
    assert optimum is not None  # the seeds used all have a plan
    highs, d = loaded(inputs)
    assert d.coupling.any()
    lp, duals = lp_duals(highs)
    scale = max(1.0, abs(lp))
    assert lagrangian_bound(d, duals, integer=False).value == pytest.approx(lp, abs=TOLERANCE * scale * 10)
    at_duals = lagrangian_bound(d, duals).value
    assert optimum.value - TOLERANCE * scale <= at_duals <= lp + TOLERANCE * scale
    if seed in (1, 2, 7, 11, 12):
        assert at_duals < lp - 1e-3  # nation-local integrality is seen: not just the LP again
    rng = np.random.default_rng(seed)
    for _ in range(3):  # any multipliers of the right sign give a true bound
        y = valid_multipliers(d, rng.normal(scale=abs(duals).max() + 1.0, size=duals.size))
        assert lagrangian_bound(d, y).value >= optimum.value - TOLERANCE * scale


def test_coupling_rows_are_exactly_those_of_two_nations_or_shared_columns() -> None:
    inputs = random_tiny_inputs(3)
    _, d = loaded(inputs)
    for row in range(len(d.row_block)):
        blocks = set(d.col_block[d.cols[d.rows == row]].tolist())
        expected = next(iter(blocks)) if len(blocks) == 1 and -1 not in blocks else -1
        assert d.row_block[row] == expected


@pytest.mark.parametrize(("seed", "objective"), [(1, "capability"), (7, "capability"), (2, "cost"), (12, "cost")])
def test_a_dumped_stage_is_bounded_between_its_optimum_and_its_lp(tmp_path, seed: int, objective: str) -> None:
    """`--stage`: a stage as the engine receives it (MipArrays and column groups, as
    `benchmarks.stage_probe dump` saves them), maximising or minimising: its LP relaxed by
    nation reproduces the LP, and at the LP duals the bound lies between optimum and LP."""
    import pickle

    from benchmarks.nation_bound import stage_bound
    from optimizer.solve.engine.neighbourhoods import column_groups
    from optimizer.solve.engine.problem import MipArrays

    inputs = random_tiny_inputs(seed)
    model = build_model(inputs)
    sense = "max" if objective == "capability" else "min"
    set_objective(model, model.objective_expr[objective], sense)
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    mirror = HighsModel(model, highs)
    path = tmp_path / "stage.pkl"
    with open(path, "wb") as handle:
        pickle.dump((MipArrays.from_highs(highs), None, column_groups(mirror.columns)), handle)
    optimum = best_plan(inputs, objective=objective)
    assert optimum is not None
    row = stage_bound(path, nation_time_limit=30)
    scale = max(1.0, abs(row["lp"]))
    assert row["relaxed_check"] == pytest.approx(row["lp"], abs=TOLERANCE * scale * 10)
    low, high = sorted((row["lp"], optimum.value))
    assert low - TOLERANCE * scale <= row["at_duals"] <= high + TOLERANCE * scale
