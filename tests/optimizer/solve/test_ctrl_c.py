"""Ctrl-C as a stop request: the outermost run starts afresh, inner ones never lose it."""

from __future__ import annotations

from optimizer.solve.solver import INTERRUPT, catch_ctrl_c


def test_only_the_outermost_run_clears_a_stop_request():
    """A sweep's point (a Session run inside the sweep's own catch) cleared the flag on entry,
    so a Ctrl-C pressed while the point was set up was lost: the sweep solved every point
    and exited 0."""
    try:
        INTERRUPT.set()  # left over from an earlier, interrupted run
        with catch_ctrl_c():
            assert not INTERRUPT.is_set()
            INTERRUPT.set()  # Ctrl-C while the next point is being set up
            with catch_ctrl_c() as inner:
                assert inner.is_set()
            assert INTERRUPT.is_set()
    finally:
        INTERRUPT.clear()


def test_ctrl_c_ends_a_lexicographic_run_at_the_stage_it_interrupts(monkeypatch):
    """Interrupted in its capability stage, the reference run went on into the cost stage,
    which handed back its start plan as "cost: feasible" and left the run's gap blank.
    Now the run stops there: cost is not optimised, and the Summary says why."""
    from pathlib import Path

    from optimizer import Scenario
    from optimizer.solve.solver import PersistentSolver

    original = PersistentSolver.solve

    def interrupted_solve(self, *args, **kwargs):
        INTERRUPT.set()  # Ctrl-C as the first solver call starts
        return original(self, *args, **kwargs)

    monkeypatch.setattr(PersistentSolver, "solve", interrupted_solve)
    book = Path(__file__).resolve().parents[3] / "examples" / "small" / "small.xlsx"
    scenario = Scenario.from_excel(book).with_settings(priority=("shortfall", "capability", "cost"))
    try:
        result = scenario.solve(time_limit=30, threads=1)
    finally:
        INTERRUPT.clear()
    assert [stage.objective for stage in result.stages][-1] == "capability"
    assert result.not_optimised == ["cost"]
    assert ("stage_3", "cost: not_reached, interrupted (Ctrl-C) before it ran") in result.summary_rows()


def test_a_signal_delivered_twice_at_once_is_one_stop_request(monkeypatch):
    """`timeout -s INT` signals capopt and then its process group: the second SIGINT, a
    moment after the first, aborted the run and lost the plan it had just promised to keep.
    Two at once count as one; a second one later still aborts."""
    import os
    import signal
    import time

    import pytest

    import optimizer.solve.solver as solver_module

    monkeypatch.setattr(solver_module, "DUPLICATE_SIGNAL_SECONDS", 0.3)
    try:
        with catch_ctrl_c():
            os.kill(os.getpid(), signal.SIGINT)
            os.kill(os.getpid(), signal.SIGINT)  # the group's copy: ignored
            assert INTERRUPT.is_set()
            time.sleep(0.4)
            with pytest.raises(KeyboardInterrupt):
                os.kill(os.getpid(), signal.SIGINT)
                time.sleep(0.1)  # the handler runs between bytecodes
    finally:
        INTERRUPT.clear()


def test_a_ctrl_c_right_after_a_stage_its_start_proved_is_no_optimal_run(monkeypatch):
    """A Ctrl-C during the shortfall stage that the greedy start plan proves (shortfall 0, no
    solver call) ended the run there, and the start plan was written as "optimal (proven)"
    with capability and cost never optimised."""
    from optimizer import Scenario
    from optimizer.solve import objectives
    from tests.optimizer.conftest import make_inputs, programme

    proven = objectives.proven_by_start

    def interrupted(name, start):
        INTERRUPT.set()  # Ctrl-C while the first stage is judged
        return proven(name, start)

    monkeypatch.setattr(objectives, "proven_by_start", interrupted)
    inputs = make_inputs(programmes=[programme("P", 2, 10), programme("Q", 1, 20)])
    scenario = Scenario(inputs).with_settings(priority=("shortfall", "capability", "cost"))
    try:
        result = scenario.solve(time_limit=30, threads=1)
    finally:
        INTERRUPT.clear()
    assert [stage.objective for stage in result.stages] == ["shortfall"]
    assert result.stages[0].outcome.status == "optimal"  # the stage itself is proven …
    assert result.status == "feasible"  # … the run is not
    assert result.termination.startswith("interrupted (Ctrl-C) after the shortfall stage")
    rows = dict(result.summary_rows())
    assert rows["stage_2"] == "capability: not_reached, interrupted (Ctrl-C) before it ran"
    assert rows["reproducible"].startswith("no: a Ctrl-C ended the run")


def test_a_later_stage_the_clock_left_without_a_plan_is_not_called_a_ctrl_c(monkeypatch):
    """A run stopped by its time limit before its last stage read "interrupted (Ctrl-C) after
    the cost stage" and "run again without interrupting"."""
    from optimizer import Scenario
    from optimizer.session import Session
    from optimizer.solve.objectives import Stage
    from optimizer.solve.solver import SolveOutcome
    from tests.optimizer.conftest import make_inputs, programme

    real = Session._result

    def clock_ran_out(self, mode, stages, decisions, solve_seconds, diagnose, choice=None, time_limit=None):
        out = SolveOutcome("no_solution", "time limit reached", None, None, None, 0.0)
        return real(
            self,
            mode,
            [*stages[:2], Stage(stages[2].objective, out)][:3],
            decisions,
            solve_seconds,
            diagnose,
            {**(choice or {}), "priority": (*(choice or {})["priority"], "risk")},
            time_limit,
        )

    monkeypatch.setattr(Session, "_result", clock_ran_out)
    result = Scenario(make_inputs(programmes=[programme("P", 2, 10)])).solve(time_limit=20, threads=1)
    assert result.status == "feasible" and not result.termination.startswith("interrupted")
