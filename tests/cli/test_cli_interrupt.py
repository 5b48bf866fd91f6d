"""Ctrl-C before a command's own error handling runs — while `capopt` still imports its
modules, or while click sets the command up — is one line and the documented exit code of an
interrupt (README "Exit codes"), never a traceback nor click's "Aborted!" (exit 1).

The import case runs the console script's two lines in a subprocess, with an import hook that
raises KeyboardInterrupt where a real Ctrl-C lands most often (Pyomo's import, mid-way through
`import cli`): sending a real SIGINT at the right moment depends on the machine's load.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

import cli
from optimizer.errors import EXIT_CODES

ROOT = Path(__file__).resolve().parents[2]

# What `capopt` runs (the console script `capopt = "cli:main"`), with Ctrl-C during `import pyomo.environ`.
INTERRUPTED_IMPORT = """
import sys

class CtrlC:
    def find_spec(self, name, path=None, target=None):
        if name == "pyomo.environ":
            raise KeyboardInterrupt
        return None

sys.meta_path.insert(0, CtrlC())
from cli import main
sys.exit(main())
"""


def test_ctrl_c_while_importing_is_one_line_and_exit_130() -> None:
    done = subprocess.run(
        [sys.executable, "-c", INTERRUPTED_IMPORT, "solve"],
        cwd=ROOT,
        text=True,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr
    assert done.stderr == "Interrupted.\n"
    assert done.returncode == EXIT_CODES["interrupted"] == 130


def test_the_exit_code_used_before_the_table_is_imported_is_the_tables() -> None:
    assert cli.INTERRUPTED_WHILE_STARTING == EXIT_CODES["interrupted"]


def test_ctrl_c_while_click_sets_the_command_up_is_an_interrupt_not_aborted(monkeypatch) -> None:
    def ctrl_c(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "Console", ctrl_c)  # the group callback builds the console
    result = CliRunner().invoke(cli.main, ["validate"])
    assert result.exit_code == EXIT_CODES["interrupted"]
    assert result.output.strip() == "Interrupted."
    assert "Aborted" not in result.output


def test_an_error_raised_while_ctrl_c_was_handled_is_an_interrupt_not_an_internal_error(monkeypatch) -> None:
    """Ctrl-C during the model build once ended in "Internal error: KeyError …" (exit 1): the
    library code it landed in raised its own error in the interrupt's place."""
    from optimizer import Scenario

    def interrupted_build(*args: object, **kwargs: object) -> None:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise KeyError("capability") from None  # as a catch-all handler would, losing the cause

    monkeypatch.setattr(Scenario, "solve", interrupted_build)
    result = CliRunner().invoke(cli.main, ["solve", "-o", "never.xlsx"])
    assert result.exit_code == EXIT_CODES["interrupted"], result.output
    assert result.output.strip().endswith("Interrupted.")
    assert "Internal error" not in result.output


def test_a_plain_error_is_still_an_internal_error(monkeypatch) -> None:
    from optimizer import Scenario

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("capability")

    monkeypatch.setattr(Scenario, "solve", broken)
    result = CliRunner().invoke(cli.main, ["solve", "-o", "never.xlsx"])
    assert result.exit_code == EXIT_CODES["internal_error"]
    assert "Internal error: KeyError" in result.output


def test_ctrl_c_before_any_plan_is_an_interrupt_not_a_solver_error(monkeypatch, tmp_path) -> None:
    """A front interrupted in its payoff table exited 5 with "Solver error: payoff table: no
    plan … (interrupted)"; a solve interrupted before its first plan exited 4."""
    from click.testing import CliRunner

    import cli
    from optimizer import Scenario
    from optimizer.errors import NoSolutionError, SolverError
    from optimizer.solve.solver import INTERRUPT

    for method, error in (
        ("pareto", SolverError("payoff table: no plan (interrupted)")),
        ("solve", NoSolutionError("no feasible plan found (interrupted)")),
    ):

        def stopped(*args, error=error, **kwargs):
            INTERRUPT.set()
            raise error

        monkeypatch.setattr(Scenario, method, stopped)
        try:
            result = CliRunner().invoke(cli.main, [method, "-o", str(tmp_path / f"{method}.xlsx")])
        finally:
            INTERRUPT.clear()
        assert result.exit_code == 130, (method, result.output)
        assert "Interrupted before a plan was found." in result.output


def test_a_second_ctrl_c_says_the_plan_found_was_not_written(monkeypatch, tmp_path) -> None:
    """After the first Ctrl-C promised to keep the best plan, a second one aborts: it said only
    "Interrupted.", the message of an interrupt before any plan."""
    from optimizer import Scenario
    from optimizer.solve.solver import INTERRUPT

    def aborted(*args, **kwargs):
        INTERRUPT.set()  # the first Ctrl-C
        raise KeyboardInterrupt  # the second

    monkeypatch.setattr(Scenario, "solve", aborted)
    try:
        result = CliRunner().invoke(cli.main, ["solve", "-o", str(tmp_path / "plan.xlsx")])
    finally:
        INTERRUPT.clear()
    assert result.exit_code == 130
    assert "Interrupted again: stopped without writing the plan found so far." in result.output
    assert not (tmp_path / "plan.xlsx").exists()


def test_a_worker_process_interrupted_while_starting_stays_silent() -> None:
    """Ctrl-C reaches the engine's worker processes too, which import cli as they start: one
    printed "Interrupted." while capopt went on to write its plan."""
    worker = INTERRUPTED_IMPORT.replace(
        "import sys\n",
        "import sys\nimport multiprocessing\nmultiprocessing.current_process().name = 'SpawnProcess-1'\n",
        1,
    )
    done = subprocess.run(
        [sys.executable, "-c", worker, "solve"], cwd=ROOT, text=True, capture_output=True, timeout=120, check=False
    )
    assert done.stderr == ""
    assert done.returncode == EXIT_CODES["interrupted"]
