"""The terminal's live progress line keeps its elapsed time moving between the solver's
updates (the L benchmark's LP relaxation alone gives none for 14-36 s), and stops when the
run ends; a log file gets one line per update."""

from __future__ import annotations

import io
import sys
import time

import pytest

import cli
from optimizer.studies.pareto.front import ParetoProgress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def console_on(stream: io.StringIO) -> cli.Console:
    console = cli.Console()
    if console.stream is not sys.stderr:
        console.stream.close()  # the duplicate of stderr it opened
    console.stream, console.is_tty = stream, stream.isatty()
    return console


def test_the_live_line_is_redrawn_between_updates_and_stops_at_the_end(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "TICK_SECONDS", 0.02)
    stream = Terminal()
    console = console_on(stream)
    draws = iter(range(1, 10_000))
    console.tick(lambda: f"[{next(draws)}] LP relaxation")
    time.sleep(0.3)
    console.end_live()
    drawn = stream.getvalue().count("LP relaxation")
    assert drawn >= 3  # the first draw and the ticks after it
    time.sleep(0.1)
    assert stream.getvalue().count("LP relaxation") == drawn  # ended: no more redraws
    assert stream.getvalue().endswith("\n")


def test_a_log_file_gets_one_line_per_update_and_no_ticks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "TICK_SECONDS", 0.02)
    stream = io.StringIO()
    console = console_on(stream)
    console.tick(lambda: "[1.0s] RENS")
    time.sleep(0.1)
    assert stream.getvalue() == "[1.0s] RENS\n" and console._ticker is None


def test_a_log_record_gets_a_line_of_its_own_beside_the_live_line() -> None:
    """ "…gap 35.46 %WARNING optimizer.solve.solver: Interrupted…": the record ran on from the
    progress line. Now the line is wiped, the record written, and the line drawn again."""
    import logging

    screen = Terminal()
    console = console_on(screen)
    console.live("[   1.0s] incumbent 5")
    console._render = lambda: "[   1.0s] incumbent 5"  # as tick sets it, without its ticker thread
    handler = cli.ConsoleAwareHandler(screen)
    handler.console = console
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    handler.emit(logging.LogRecord("x", logging.WARNING, __file__, 1, "Interrupted", None, None))
    console.end_live()
    assert screen.getvalue().endswith("[   1.0s] incumbent 5\r\033[KWARNING: Interrupted\n[   1.0s] incumbent 5\n")


def test_a_fronts_eta_never_runs_past_its_time_limit() -> None:
    """ "ETA 147s" with 46 s of the limit left: the grid stops at the limit, not at the ETA."""
    screen = io.StringIO()  # not a terminal: one line per update
    show = cli.pareto_progress(console_on(screen), time_limit=10.0)
    time.sleep(0.05)
    show(ParetoProgress(done=1, grid_total=10_000, solved=1))
    eta = float(screen.getvalue().rsplit("ETA", 1)[1].strip().rstrip("s"))
    assert eta <= 10.0


def test_second_tries_are_shown_and_not_counted_as_more_feasible_points() -> None:
    """Three points walked, one of them without a plan; two solved again after the walk,
    the one without a plan now proven infeasible: 2 feasible points (second tries are no more points)."""
    screen = io.StringIO()
    show = cli.pareto_progress(console_on(screen), time_limit=10.0)
    show(ParetoProgress(grid_total=3, done=3, solved=3, infeasible=1, retried=2, retried_proven=1))
    line = screen.getvalue()
    assert "feasible 2 " in line and "second tries 2 (1 proven)" in line


def test_a_studys_re_solves_after_its_scenarios_are_shown() -> None:
    """The bar said "9/9 scenarios … ETA 0s" and then nothing for three minutes while six
    points were solved again from better plans: a planner would think it hung."""
    from optimizer.studies.sweeps import SweepProgress

    screen = io.StringIO()
    show = cli.sweep_progress(console_on(screen))
    show(SweepProgress(9, 9, 20.0, 264.0))
    show(SweepProgress(3, 9, 0.0, 12.0, "solving budget ×0.9 again from budget ×0.8's better plan (it fits)"))
    last = screen.getvalue().strip().splitlines()[-1]
    assert "solving budget ×0.9 again" in last and "3 of 9 checked; re-solving for 12s" in last
