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
