"""The floor (direct highspy) and PuLP builds are the same model as `models.build_model`."""

from __future__ import annotations

import numpy as np
import pytest
from pyomo.contrib.appsi.solvers import Highs

from benchmarks import pulp_cbc
from benchmarks.floor_highspy import build_matrix, decode, objective_values, to_highs
from benchmarks.instances import Size, generate
from models import build_model
from optimizer import Scenario
from optimizer.checks.verify import check_plan
from optimizer.solve.objectives import set_objective, weighted_expression

WEIGHTS = {"capability": 1.0, "shortfall": 10.0}
TINY = Size(4, 8, 6)


def _relaxed_optimum(highs) -> float:
    n = highs.getNumCol()
    highs.setOptionValue("output_flag", False)
    highs.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.zeros(n, dtype=np.uint8))
    highs.run()
    return highs.getInfo().objective_function_value


def test_same_size_and_same_lp_bound_as_pyomo_on_s() -> None:
    """Same columns, rows and non-zeros, and the same LP relaxation optimum on S."""
    inputs = generate("S", 1)
    mm = build_matrix(inputs, WEIGHTS)
    m = build_model(inputs)
    set_objective(m, weighted_expression(m, WEIGHTS), "max")
    appsi = Highs()
    appsi.config.load_solution = False
    appsi.set_instance(m)
    ours = appsi._solver_model
    assert (mm.num_cols, mm.num_rows, mm.A.nnz) == (ours.getNumCol(), ours.getNumRow(), ours.getNumNz())
    for name, rows in mm.row_families.items():
        assert rows.stop - rows.start == len(getattr(m, name)), name
    assert _relaxed_optimum(to_highs(mm)) == pytest.approx(_relaxed_optimum(ours), rel=1e-9)


def test_same_mip_optimum_and_a_valid_plan_on_a_tiny_instance() -> None:
    inputs = generate(TINY, 3)
    mm = build_matrix(inputs, WEIGHTS)
    highs = to_highs(mm, {"mip_rel_gap": 0.0})
    highs.run()
    x = np.array(highs.getSolution().col_value)
    floor_value = float(mm.objective @ x)
    plan = decode(mm, x)
    assert check_plan(inputs, plan) == []
    values = objective_values(mm, x)
    assert floor_value == pytest.approx(values["capability"] - 10 * values["shortfall"])
    result = Scenario(inputs).solve(objective="weighted", weights=WEIGHTS, time_limit=30, gap=0)
    assert result.status == "optimal"
    assert floor_value == pytest.approx(result.stages[-1].outcome.objective, rel=1e-7)


def test_pulp_cbc_reaches_the_same_optimum_on_a_tiny_instance() -> None:
    import pulp  # noqa: F401  — installed by the test extra; a benchmark-only tool, not a capopt dependency

    inputs = generate(TINY, 3)
    mm = build_matrix(inputs, WEIGHTS)
    run = pulp_cbc.solve(mm, time_limit=30, gap=0.0)
    highs = to_highs(mm, {"mip_rel_gap": 0.0})
    highs.run()
    assert run.status == "optimal"
    assert run.objective == pytest.approx(highs.getInfo().objective_function_value, rel=1e-6)
    assert check_plan(inputs, decode(mm, run.x)) == []
    assert run.seconds_to_gap[0.01] is not None


def test_cbc_log_parsing() -> None:
    lines = [
        "Cbc0012I Integer solution of -900 found by feasibility pump after 0 iterations and 0 nodes (1.50 seconds)",
        "Cbc0010I After 0 nodes, 1 on tree, -900 best solution, best possible -1000 (2.00 seconds)",
        "Cbc0004I Integer solution of -995 found after 100 iterations and 10 nodes (3.25 seconds)",
        "Cbc0010I After 100 nodes, 3 on tree, -995 best solution, best possible -999 (4.00 seconds)",
        "Objective value:                995.00000000",
        "Upper bound:                    999.000",
    ]
    log = "\n".join(lines)
    trace = pulp_cbc.parse_progress(log)
    assert [t for t, _, _ in trace] == [1.5, 2.0, 3.25, 4.0]
    gaps = [pulp_cbc.relative_gap(inc, bnd) for _, inc, bnd in trace]
    assert gaps[0] is None and gaps[1] == pytest.approx(100 / 900) and gaps[2] == pytest.approx(5 / 995)
    assert pulp_cbc.final_bound(log, 995.0) == 999.0
