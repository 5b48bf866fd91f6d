"""Where this process runs HiGHS: one thread that can be given up when HiGHS hangs.

HiGHS 1.15.1's presolve can loop for ever on some small models, inside code that never
calls back (HPresolve::removeDoubletonEquations): our interrupt callback, which makes time
limits hard everywhere else, is never reached, and the run hung past its limit for good
(an audit's three-objective exact front of a 27-column model: still on its first grid
point after 14 minutes of a 60-s limit). highspy releases the GIL while HiGHS runs, so
running it on a thread of its own lets the caller keep the clock: when HiGHS stays silent
too long, the caller gives the thread up (a daemon: it cannot hold up the exit), the next
solves run on a fresh thread, and the backend solves again on a fresh HiGHS object with
presolve off (optimizer.solve.solver). One thread, not a new one per solve: HiGHS keeps
its thread pool per calling thread (thread_local), and a pool per solve would be rebuilt
for every Pareto grid point.

Interrupt checks are sampled. HiGHS asks its interrupt-check events at every node and more
(2kp100's exact front: 84,530 times in 11 s), and each ask crosses into Python whatever
the handler does: with no handler the front took about a tenth less time. So a handler
that hears an ask turns its event off (`mute`), and the thread waiting for the run turns
the events on again every POLL_SECONDS (`listen`, through `HighsThread.run`'s `tick`).
Ctrl-C, the deadline, the watchdog's heartbeat and progress are then heard within a poll,
as before, at a crossing per poll instead of per node. Both sides flip the flags holding
the GIL, so they never write them at once.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from typing import Any

POLL_SECONDS = 0.05
# Seconds a small model's HiGHS may stay silent before it is taken as hung in presolve:
# such models' presolve takes milliseconds, and their solves call back many times a second.
PRESOLVE_STALL_SECONDS = 5.0

# HiGHS objects whose run was given up: still running on their abandoned thread, so they
# must outlive it (freeing one under a running solve would crash the process)
_ABANDONED: list[Any] = []


def _nothing() -> None:
    pass


class _Job:
    def __init__(self, work: Callable[[], Any]):
        self.work = work
        self.done = threading.Event()
        self.error: BaseException | None = None


class HighsThread:
    """A daemon thread running one job at a time, replaced when a job is given up. Callers
    on several threads of their own share it: their HiGHS runs take turns."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[_Job] | None = None
        self._running: _Job | None = None  # the job a caller waits for, if any

    def wait_idle(self, seconds: float) -> bool:
        """Wait up to `seconds` for the running job (if any) to end; whether none runs now.
        An exit while HiGHS's C++ thread still searches aborts the process ("terminate called
        without an active exception", exit 134): SIGTERM asks HiGHS to stop, then waits here."""
        job = self._running
        return job is None or job.done.wait(seconds)

    def run(
        self, work: Callable[[], Any], stuck: Callable[[], bool], owner: Any = None, tick: Callable[[], None] = _nothing
    ) -> bool:
        """Run `work` there and wait; False if `stuck()` said so first: the thread is given
        up, and `owner` (the HiGHS object) kept alive with its callbacks cleared, so that
        should it ever wake it reports into no run. `tick()` runs here every POLL_SECONDS
        while `work` runs (sampled checks: see the module's note). `work`'s own exception is raised here."""
        if self._jobs is None:
            self._jobs = queue.SimpleQueue()
            threading.Thread(target=_serve, args=(self._jobs,), name="highs", daemon=True).start()
        job = _Job(work)
        self._jobs.put(job)
        self._running = job
        try:
            while not job.done.wait(POLL_SECONDS):
                if stuck():
                    _ABANDONED.append(owner)
                    if owner is not None:
                        _clear_callbacks(owner)
                    self._jobs = None  # the next job starts a fresh thread (and HiGHS thread pool)
                    return False
                tick()
        finally:
            self._running = None
        if job.error is not None:
            raise job.error
        return True


def interrupt_events(highs: Any) -> tuple[Any, Any, Any]:
    """HiGHS's interrupt-check events: simplex, interior point, MIP."""
    return highs.cbSimplexInterrupt, highs.cbIpmInterrupt, highs.cbMipInterrupt


def listen(highs: Any) -> None:
    """Turn the interrupt-check events that have handlers on again (see the module's note)."""
    for event in interrupt_events(highs):
        if event.callbacks:
            highs.startCallback(event.callback_type)


def mute(highs: Any, event: Any) -> None:
    """Turn off the interrupt-check event `event` (a HighsCallbackEvent) came from, until the
    next `listen`: a handler's last step once it has heard HiGHS (see the module's note)."""
    import highspy

    highs.stopCallback(highspy.cb.HighsCallbackType(int(event.callback_type)))  # the event carries an int


def _clear_callbacks(highs: Any) -> None:
    for event in (*interrupt_events(highs), highs.cbMipImprovingSolution, highs.cbMipLogging, highs.cbLogging):
        event.clear()


def _serve(jobs: queue.SimpleQueue[_Job]) -> None:
    while True:
        job = jobs.get()
        try:
            job.work()
        except BaseException as exc:  # noqa: BLE001 — handed to the waiting caller
            job.error = exc
        finally:
            job.done.set()


HIGHS_THREAD = HighsThread()

# How many threads the calling thread's HiGHS thread pool was last built with (unset: not by us).
_POOL_THREADS = threading.local()


def match_thread_pool(threads: int | None) -> None:
    """Rebuild HiGHS's thread pool when a solve asks for a different number of threads.

    HiGHS keeps one thread pool per calling thread, sized when it is first used. A later
    solve on that thread asking for another number of threads fails outright (status "Not
    Set"): for example, a Pareto front with workers (one thread here) followed by a solve
    with `threads=2` in the same script. Leaving `threads` unset always fits the current
    pool. Solves on one thread run one after another, so none is running during a rebuild.
    """
    if threads and threads != getattr(_POOL_THREADS, "size", None):
        import highspy

        highspy.Highs.resetGlobalScheduler(True)
        _POOL_THREADS.size = threads


def run_heard(
    highs: Any, call: Callable[[], Any], stall_seconds: float, before: Callable[[], Any] = lambda: None
) -> bool:
    """`call()` (e.g. `highs.run`) on the HiGHS thread, after `before()` there; False, with
    `highs` given up, if it stays silent — none of its interrupt callbacks fires — for
    `stall_seconds`. For HiGHS objects that solve small models away from the solver
    adapter (the engine's sub-MIPs and presolve checks), which hang alike."""
    heard = [time.monotonic()]

    def note(_event: object) -> None:
        heard[0] = time.monotonic()

    events = (highs.cbSimplexInterrupt, highs.cbIpmInterrupt, highs.cbMipInterrupt)
    for event in events:
        event += note
    return HIGHS_THREAD.run(lambda: (before(), call()), lambda: time.monotonic() - heard[0] > stall_seconds, highs)
