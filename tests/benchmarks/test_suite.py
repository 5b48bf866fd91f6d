"""The suite's report (CSV round trip, markdown table) and our hand-off against the floor."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from benchmarks import run_suite
from benchmarks.floor_highspy import build_matrix, to_highs
from benchmarks.instances import Size, generate
from models import build_model
from optimizer.solve.objectives import set_objective, weighted_expression
from optimizer.solve.solver import PersistentSolver, SolverOptions

ROWS = [
    {
        "size": "S",
        "variant": "mixed",
        "case": "build",
        "time_limit_s": 30.0,
        "vars": 100,
        "cons": 90,
        "nnz": 700,
        "repeats": 3,
        "ours_build_s": 0.2,
        "ours_handoff_s": 0.6,
        "ours_total_s": 0.8,
        "floor_build_s": 0.01,
        "floor_handoff_s": 0.01,
        "floor_total_s": 0.02,
        "peak_mb": 150.0,
    },
    {
        "size": "S",
        "variant": "mixed",
        "case": "ours",
        "time_limit_s": 30.0,
        "status": "feasible",
        "objective": 110.0,
        "bound": 111.0,
        "gap": 1 / 110,
        "time_to_1pct_s": 12.5,
        "greedy_objective": 100.0,
        "greedy_capability": 100.0,
        "capability": 120.0,
        "shortfall": 1.0,
        "plan_valid": True,
        "peak_mb": 200.0,
    },
    {
        "size": "S",
        "variant": "mixed",
        "case": "pulp_cbc",
        "time_limit_s": 30.0,
        "status": "no_solution",
        "objective": None,
        "gap": None,
        "time_to_1pct_s": None,
        "solve_s": 31.0,
        "peak_mb": 100.0,
        "child_peak_mb": 50.0,
    },
]


def test_csv_round_trip_and_markdown(tmp_path: Path) -> None:
    run_suite.write_csv(ROWS, tmp_path / "r.csv")
    rows = run_suite.read_csv(tmp_path / "r.csv")
    assert rows[1]["objective"] == 110.0 and rows[1]["plan_valid"] is True and rows[2]["objective"] is None
    md = run_suite.markdown(rows, {"cpu": "test"}, ["S"], ["a note"])
    assert "| S | 100 | 90 | 700 | 0.20 s | 0.60 s | 0.80 s | 0.020 s | 40.0× | — s | 150 |" in md
    assert "| S | 100 | 90 | 700 |" in run_suite.build_markdown(rows, {"cpu": "test"}, ["S"])
    assert "| 0.91% | 12.5 s |" in md  # gap 1/110 and time to 1%
    assert "| 100.0 | 10.00% | 20.00% |" in md  # greedy, objective gain 110/100 − 1, capability gain
    assert "> 30 s" in md  # CBC never reached 1%
    assert "all valid" in md and "- a note" in md


def test_chart_is_written(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib", reason="the chart needs matplotlib (pip install matplotlib)")
    assert run_suite.chart(ROWS, ["S"], tmp_path / "c.png")
    assert (tmp_path / "c.png").stat().st_size > 1000


def test_our_handoff_is_the_floors_model() -> None:
    """The product's direct hand-off (optimizer.highs_model) and the numpy floor build the
    same matrix: same size, same LP optimum — so the timing ratio compares like with like."""
    inputs = generate(Size(4, 8, 6), 3)
    m = build_model(inputs)
    set_objective(m, weighted_expression(m, {"capability": 1.0, "shortfall": 10.0}), "max")
    solver = PersistentSolver(m, SolverOptions())
    solver._backend.prepare()
    ours, floor = solver._backend.highs, to_highs(build_matrix(inputs))
    assert (ours.getNumCol(), ours.getNumRow(), ours.getNumNz()) == (
        floor.getNumCol(),
        floor.getNumRow(),
        floor.getNumNz(),
    )
    values = []
    for h in (ours, floor):
        n = h.getNumCol()
        h.setOptionValue("output_flag", False)
        h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.zeros(n, dtype=np.uint8))
        h.run()
        values.append(h.getInfo().objective_function_value)
    assert values[0] == pytest.approx(values[1], rel=1e-9)
