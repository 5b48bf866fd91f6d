"""A neighbourhood's sub-MIP, as a worker solves it."""

from __future__ import annotations

import pytest

from tests.optimizer.solve.test_solver import LOOPING_PRESOLVE, child_result


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
    status, proven, objective, without_presolve = child_result(script, str(LOOPING_PRESOLVE))
    assert (status, proven) == ("solution", True)
    assert objective == pytest.approx(without_presolve)


def test_a_task_with_an_end_time_gets_only_what_is_left_of_it():
    """The portfolio's branch-and-bound must hand its result back by the run's deadline,
    however late its process started: on a loaded machine it started seconds late, ran its
    full time limit from then, and the run ended without its bound."""
    import time

    import numpy as np

    from optimizer.solve.engine.subsolve import Task

    nothing = np.zeros(0, dtype=np.int32)
    plain = Task("b&b", nothing, np.zeros(0), None, 30.0, 10)
    assert plain.seconds() == 30.0
    due = Task("b&b", nothing, np.zeros(0), None, 30.0, 10, end_by=time.time() + 5.0)
    assert 4.0 < due.seconds() <= 5.0
    late = Task("b&b", nothing, np.zeros(0), None, 30.0, 10, end_by=time.time() - 1.0)
    assert late.seconds() == 0.01
