"""Sampled interrupt checks (optimizer.solve.highs_thread): HiGHS is heard about once a poll,
not at every node, and a check still stops it."""

from __future__ import annotations

import threading
import time

import highspy
import numpy as np

from optimizer.solve.highs_thread import HIGHS_THREAD, POLL_SECONDS, interrupt_events, listen, match_thread_pool, mute


def _hard_knapsack() -> highspy.Highs:
    """A 300-item, 5-row knapsack HiGHS does not prove within seconds on one thread."""
    rng = np.random.default_rng(0)
    items, rows = 300, 5
    weights = rng.integers(1, 100, (rows, items)).astype(float)
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    x = highs.addBinaries(items)
    for row in weights:
        highs.addConstr(sum(float(w) * x[j] for j, w in enumerate(row)) <= float(row.sum() // 2))
    highs.changeObjectiveSense(highspy.ObjSense.kMaximize)
    highs.changeColsCost(items, np.arange(items, dtype=np.int32), rng.integers(1, 100, items).astype(float))
    return highs


def _run_sampled(highs: highspy.Highs, stop: threading.Event) -> tuple[list[float], float]:
    """Run `highs` on the HiGHS thread with a muting handler; the times it was heard, and the run's seconds."""
    heard: list[float] = []

    def check(event: highspy.HighsCallbackEvent) -> None:
        heard.append(time.monotonic())
        if stop.is_set():
            event.interrupt()
            return
        mute(highs, event)

    for event in interrupt_events(highs):
        event += check
    started = time.monotonic()
    # the HiGHS thread's pool may have been built for another thread count by an earlier test:
    # a run asking for one thread then fails at once (match_thread_pool), as the product knows
    work = lambda: (match_thread_pool(1), highs.run())
    assert HIGHS_THREAD.run(work, lambda: False, highs, lambda: listen(highs))
    return heard, time.monotonic() - started


def test_a_sampled_check_hears_highs_about_once_a_poll_not_at_every_node() -> None:
    """A run of so many nodes, not seconds: on a loaded machine a 1-s run once reached a
    single node, and once had its simplex and MIP checks both heard in a poll (18 hearings
    in 11 polls, against a bound of polls + 5)."""
    highs = _hard_knapsack()
    highs.setOptionValue("mip_max_nodes", 3000)
    highs.setOptionValue("time_limit", 60.0)
    heard, seconds = _run_sampled(highs, threading.Event())
    assert highs.getModelStatus() == highspy.HighsModelStatus.kSolutionLimit  # the node limit
    nodes = highs.getInfo().mip_node_count
    polls = seconds / POLL_SECONDS
    # each poll turns every interrupt event back on (`listen`), and each mutes itself once
    # heard: at most one hearing per event and poll
    assert 1 <= len(heard) <= len(interrupt_events(highs)) * (polls + 2), (len(heard), polls)
    assert nodes > 3 * len(heard), (nodes, len(heard))  # unmuted, HiGHS asks at every node and more


def test_a_sampled_check_still_stops_highs_within_a_poll_or_two() -> None:
    highs = _hard_knapsack()
    highs.setOptionValue("time_limit", 30.0)
    stop = threading.Event()
    threading.Timer(0.5, stop.set).start()
    _, seconds = _run_sampled(highs, stop)
    assert highs.getModelStatus() == highspy.HighsModelStatus.kInterrupt
    assert seconds < 0.5 + 1.0, seconds
