"""A neighbourhood's sub-MIP, as a worker solves it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

LOOPING_PRESOLVE = Path(__file__).resolve().parents[3] / "data" / "fixtures" / "highs_presolve_loop.mps"


def test_a_small_models_tasks_get_the_aggregator_off_as_its_own_solves_do():
    """The model on which HiGHS 1.15.1's presolve looped for ever (optimizer.solve.highs_quirks),
    solved whole by an engine worker: it ends at once, at the optimum a solve without
    presolve finds. In a child process with a hard timeout, so a regression fails instead
    of hanging the suite."""
    script = """
import json, sys
import highspy
from optimizer.solve.engine.engine import NO_NODE_LIMIT, whole_model_task
from optimizer.solve.engine.problem import MipArrays
from optimizer.solve.engine.subsolve import WorkerModel

h = highspy.Highs()
h.setOptionValue("output_flag", False)
h.readModel(sys.argv[1])
arrays = MipArrays.from_highs(h)
result = WorkerModel(arrays).solve(whole_model_task("whole", None, 20.0, NO_NODE_LIMIT, gap=0.0))
h.setOptionValue("presolve", "off")
h.run()
print("RESULT", json.dumps([result.status, result.proven, result.objective, h.getInfo().objective_function_value]))
"""
    done = subprocess.run([sys.executable, "-c", script, str(LOOPING_PRESOLVE)], capture_output=True, text=True,
                          timeout=60, cwd=Path(__file__).resolve().parents[4])
    [line] = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    status, proven, objective, without_presolve = json.loads(line.removeprefix("RESULT "))
    assert (status, proven) == ("solution", True)
    assert objective == pytest.approx(without_presolve)
