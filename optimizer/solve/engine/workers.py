"""Where neighbourhoods are solved: this process, local worker processes, or a Dask cluster.

Every pool takes a round of tasks and returns their results in the order given, so the
engine's choices never depend on which worker finished first: the same seed and worker
count give the same plan. Workers take the round's tasks in turn as they become free;
this process always solves the first itself, so one worker costs no process start and
Ctrl-C stops it at once. A pool with a worker to spare also runs one job beside the
rounds (`submit`: the engine's whole-model root node).
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import multiprocessing
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Protocol

from optimizer.errors import SolverError
from optimizer.processes import broken_pool_advice, workers_allowed
from optimizer.solve.engine.problem import MipArrays
from optimizer.solve.engine.subsolve import MISSING, Task, TaskResult, WorkerModel, ignore_ctrl_c, run_task

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.1


class Pool(Protocol):
    """`size` workers solving one round of tasks for the MIP named `key`."""

    size: int
    name: str

    def run(
        self, key: str, arrays: MipArrays, tasks: list[Task], should_stop: Callable[[], bool], busy: int = 0
    ) -> list[TaskResult | None]: ...

    def submit(self, key: str, arrays: MipArrays, task: Task) -> Background | None: ...

    def abandon(self, job: Background) -> None: ...


class Background(Protocol):
    """A task running beside the rounds on one worker (`Pool.submit`)."""

    def done(self) -> bool: ...

    def result(self) -> TaskResult: ...


class InlinePool:
    """This process alone: its own HiGHS copy per MIP, interrupted by Ctrl-C and the deadline."""

    def __init__(self, threads: int | None = None):
        self.size = 1
        self.name = "this process"
        self.threads = threads
        self._key = ""
        self._model: WorkerModel | None = None

    def solve(self, key: str, arrays: MipArrays, task: Task, should_stop: Callable[[], bool]) -> TaskResult:
        if key != self._key or self._model is None:
            self._model = WorkerModel(arrays, self.threads or 0, should_stop)
            self._key = key
        return self._model.solve(task)

    def run(
        self, key: str, arrays: MipArrays, tasks: list[Task], should_stop: Callable[[], bool], busy: int = 0
    ) -> list[TaskResult | None]:
        return [self.solve(key, arrays, task, should_stop) for task in tasks]

    def submit(self, key: str, arrays: MipArrays, task: Task) -> Background | None:
        """No worker to spare: nothing runs in the background."""
        return None

    def abandon(self, job: Background) -> None:
        return None


class LocalPool(InlinePool):
    """This process plus `size − 1` spawned ones (spawn: safe beside HiGHS's threads).

    The spawned processes live as long as this one, so a sweep's or a lexicographic run's
    later solves reuse them; each keeps the current MIP and rebuilds only when it changes.
    If they die as they start (`BrokenProcessPool`: most often a script without the
    `__main__` guard that optimizer.processes could not recognise), the pool carries on
    as this process alone, with a warning, rather than failing the run.
    """

    def __init__(self, size: int, threads: int | None = None):
        super().__init__(threads)
        self.size = size
        self.name = f"{size} local processes"
        self._executor: ProcessPoolExecutor | None = None
        self._shipped = ""  # the MIP whose arrays went to the workers last
        self.broken = False

    def _submit(self, *job: object) -> Future | None:
        """`job` on a spawned process; None once the processes could not be started."""
        if self.broken:
            return None
        try:
            return self._pool().submit(*job)  # type: ignore[arg-type]
        except BrokenProcessPool:
            self._give_up()
            return None

    def _give_up(self) -> None:
        """From now on solve in this process alone (later stages then choose as for one
        worker: `highs` where the portfolio would have run), and say why once."""
        if not self.broken:
            logger.warning("the engine's %s: %s; solving in this process only", self.name, broken_pool_advice())
            self.broken = True
            self.size, self.name = 1, "this process (worker processes failed to start)"
        self.shutdown()

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            context = multiprocessing.get_context("spawn")
            self._executor = ProcessPoolExecutor(self.size - 1, mp_context=context, initializer=ignore_ctrl_c)
        return self._executor

    def run(
        self, key: str, arrays: MipArrays, tasks: list[Task], should_stop: Callable[[], bool], busy: int = 0
    ) -> list[TaskResult | None]:
        """Each worker takes the round's next task as soon as it is free: this process the
        first, every spawned process not running a background job (`busy` of them do) one
        at a time. A task proven in 0.1 s then frees its worker for the next one at once
        instead of leaving it idle until the round's slowest worker ends (measured on L
        with hard caps: crossovers proving their neighbourhood in 0.1–0.4 s). Who solves a
        task never changes its result, so rounds stay reproducible.

        The MIP's arrays go with the tasks of its first round only (on XL, 40 MB a task);
        a worker that missed them says so and gets them."""
        if self.broken:
            return super().run(key, arrays, tasks, should_stop, busy)
        ship = arrays if key != self._shipped else None
        self._shipped = key
        queue = _TaskQueue(len(tasks))
        futures: dict[int, Future] = {}
        unsent: list[int] = []  # tasks no process would take (the pool broke): solved here

        def hand_out(_: object = None) -> None:  # also called from the pool's own thread
            with queue.lock:
                i = queue.take_locked()
                if i is None or should_stop():
                    return
                future = self._submit(run_task, key, ship, tasks[i])
                if future is None:
                    unsent.append(i)
                    return
                futures[i] = future
            future.add_done_callback(hand_out)  # outside the lock: a done future calls back at once

        results: dict[int, TaskResult | None] = {}
        i = queue.take()  # the first task is this process's: no process start for one worker
        for _ in range(max(0, self.size - 1 - busy)):
            hand_out()
        while i is not None:
            results[i] = None if should_stop() else self.solve(key, arrays, tasks[i], should_stop)
            i = queue.take() if not self.broken else (unsent.pop(0) if unsent else queue.take())
        while True:  # spawned workers hand themselves tasks until the queue is empty
            with queue.lock:
                running = [j for j in futures if j not in results]
            if not running:
                break
            for j, result in zip(running, _gather([futures[j] for j in running], should_stop, self.shutdown)):
                results[j] = result
        if any(
            f.exception() is not None and isinstance(f.exception(), BrokenProcessPool)
            for f in futures.values()
            if f.done() and not f.cancelled()
        ):
            self._give_up()
        missed = [i for i in futures if results[i] is not None and results[i].status == MISSING]  # type: ignore[union-attr]
        if self.broken:  # the tasks the dead processes held, and any left unsent, solved here
            missed = [i for i in futures if results[i] is None] + unsent
            for i in missed:
                results[i] = None if should_stop() else self.solve(key, arrays, tasks[i], should_stop)
        elif missed:
            again = [self._pool().submit(run_task, key, arrays, tasks[i]) for i in missed]
            for i, result in zip(missed, _gather(again, should_stop, self.shutdown)):
                results[i] = result
        if len(results) < len(tasks) or any(results[i] is None for i in futures):
            self.shutdown()  # a stopped or broken pool is started afresh for the next round
        return [results.get(i) for i in range(len(tasks))]

    def submit(self, key: str, arrays: MipArrays, task: Task) -> Background | None:
        """Run `task` on one spawned process beside the rounds (with the MIP's arrays); None
        when no process can be started."""
        return self._submit(run_task, key, arrays, task)

    def abandon(self, job: Background) -> None:
        """A background job still running when the solve ends holds a process until its
        time limit: stop the processes (the next solve starts them afresh)."""
        if not job.done():
            self.shutdown()

    def shutdown(self) -> None:
        """Stop the spawned processes now (after Ctrl-C their tasks are not waited for).

        A process stopped while it sends a result leaves half a message in the result pipe,
        and the pool's own thread waits for the rest. This process's copy of the pipe's
        write end, which it never uses, is closed first: once the stopped process is gone
        no writer is left, the wait ends, and the interpreter can exit (it joins that thread)."""
        if self._executor is not None:
            results = getattr(self._executor, "_result_queue", None)
            if results is not None:
                results._writer.close()
            for process in list(getattr(self._executor, "_processes", {}).values()):
                process.terminate()
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
            self._shipped = ""


def connect_scheduler(address: str) -> object:
    """A `dask.distributed.Client` of the scheduler at `address` (`--scheduler`).

    No scheduler answering is a setup problem, like a missing solver, not a bug: it is a
    SolverError naming the address and what to check (exit 5 on the command line) instead
    of Dask's bare timeout. A malformed address is the caller's mistake: ValueError."""
    try:
        from dask.distributed import Client
    except ImportError as exc:
        raise SolverError('a Dask scheduler needs the optional extra: pip install "capopt[distributed]"') from exc
    seconds = _connect_seconds()
    outcome: dict[str, object] = {}

    def connect() -> None:
        try:
            outcome["client"] = Client(address, timeout=seconds)
        except Exception as exc:  # noqa: BLE001 — judged below, in the caller's thread
            outcome["error"] = exc

    # on a thread of its own: a port that accepts the connection and never answers held
    # Client() past its own timeout for good (11 minutes, until Ctrl-C)
    thread = threading.Thread(target=connect, name="capopt-dask-connect", daemon=True)
    thread.start()
    thread.join(seconds + CONNECT_GRACE_SECONDS)
    error = outcome.get("error")
    if isinstance(error, ValueError):  # a malformed address
        raise error
    waited = seconds + CONNECT_GRACE_SECONDS if thread.is_alive() else seconds
    if thread.is_alive() or error is not None:
        # distributed's connect timeout is an OSError; a service there that is no Dask
        # scheduler (a web server, a proxy) gave "Internal error: MemoryError" (exit 1)
        logger.debug("Dask client for %s: %r", address, error or "no answer")
        raise SolverError(
            f"no Dask scheduler answered at {address} within {waited:g} s — check that a scheduler runs "
            "there (`dask scheduler`), that the address and port are right (another service on that port "
            "is no scheduler) and that no firewall blocks the port"
        ) from None
    return outcome["client"]


CONNECT_GRACE_SECONDS = 5.0  # beyond Dask's own connect timeout, before the connection is given up


def _connect_seconds() -> float:
    """Dask's connect timeout as configured (`distributed.comm.timeouts.connect`), in seconds."""
    import dask
    from dask.utils import parse_timedelta

    timeout = dask.config.get("distributed.comm.timeouts.connect", default=None)
    return float(parse_timedelta(timeout, default="seconds")) if timeout is not None else 30.0


class WorkersLost(SolverError):
    """The workers went away mid-run (the Dask scheduler stopped): the engine ends its search
    and keeps the best plan it holds, which a closed client's next request used to lose
    ("Internal error: ClosedClientError", exit 1, no workbook written)."""


class DaskPool:
    """The workers of a `dask.distributed.Client` (`--scheduler`, `client=`); the MIP is
    scattered to them once per solve. Any request to a client whose scheduler is gone
    raises `WorkersLost`."""

    def __init__(self, client: object):
        self.client = client
        self.size = max(1, sum(client.nthreads().values()))  # type: ignore[attr-defined]
        self.name = f"Dask cluster ({self.size} workers)"
        self._key = ""
        self._arrays: object = None

    def run(
        self, key: str, arrays: MipArrays, tasks: list[Task], should_stop: Callable[[], bool], busy: int = 0
    ) -> list[TaskResult | None]:
        with self._scheduler_reached():
            self._scatter(key, arrays)
            futures = [
                self.client.submit(run_task, key, self._arrays, task, pure=False)  # type: ignore[attr-defined]
                for task in tasks
            ]
        return _gather(futures, should_stop, lambda: self._cancel(futures))

    def submit(self, key: str, arrays: MipArrays, task: Task) -> Background | None:
        with self._scheduler_reached():
            self._scatter(key, arrays)
            return self.client.submit(run_task, key, self._arrays, task, pure=False)  # type: ignore[attr-defined]

    @contextlib.contextmanager
    def _scheduler_reached(self) -> Iterator[None]:
        """Requests to the scheduler; one the closed client refuses is `WorkersLost`."""
        try:
            yield
        except Exception as exc:
            if getattr(self.client, "status", "running") in ("running", "connecting", "newly-created"):
                raise
            raise WorkersLost(f"the Dask scheduler is gone ({type(exc).__name__}: {exc})") from exc

    def _cancel(self, futures: list) -> None:
        """Cancel where the scheduler still answers; gone, there is nothing left to cancel."""
        try:
            self.client.cancel(futures)  # type: ignore[attr-defined]
        except Exception as exc:  # noqa: BLE001 — the scheduler went away: so did its tasks
            logger.warning("could not cancel Dask tasks: %s", exc)

    def abandon(self, job: Background) -> None:
        """Dask cannot stop a task once it runs: its worker stays busy until the job's own
        time limit (at most three quarters of the solve's), and the next solve's first
        rounds queue on the other workers meanwhile."""
        self._cancel([job])

    def _scatter(self, key: str, arrays: MipArrays) -> None:
        if key != self._key:
            [self._arrays] = self.client.scatter([arrays], broadcast=True)  # type: ignore[attr-defined]
            self._key = key


def _gather(futures: list, should_stop: Callable[[], bool], abandon: Callable[[], None]) -> list[TaskResult | None]:
    """Results in submission order; None for a task abandoned after a stop request or
    whose worker failed (logged: a lost neighbourhood must not lose the run's plan)."""
    while not all(future.done() for future in futures):
        if should_stop():
            abandon()
            break
        time.sleep(POLL_SECONDS)
    results: list[TaskResult | None] = []
    for future in futures:
        if not future.done() or future.cancelled():
            results.append(None)
        elif future.exception() is not None:
            logger.warning("an engine worker failed: %s", future.exception())
            results.append(None)
        else:
            results.append(future.result())
    return results


class _TaskQueue:
    """The indices of a round's tasks, handed out in order to whichever worker asks."""

    def __init__(self, count: int):
        self.lock = threading.Lock()
        self._next = 0
        self._count = count

    def take(self) -> int | None:
        with self.lock:
            return self.take_locked()

    def take_locked(self) -> int | None:
        """`take` for a caller already holding the lock."""
        if self._next >= self._count:
            return None
        self._next += 1
        return self._next - 1


_LOCAL: dict[tuple[int, int | None], LocalPool] = {}


def local_pool(size: int, threads: int | None = None) -> InlinePool:
    """The process-wide pool of `size` workers (1: this process only), started on first use.

    A process that is itself a worker (a sweep's, a Pareto grid's, a benchmark's, a user's
    process pool) solves inline: its parent already spreads work over the cores, and pools
    nested in pool workers were seen to hang at the worker's exit."""
    if size <= 1 or multiprocessing.parent_process() is not None:
        return InlinePool(threads)
    if not workers_allowed("the engine's workers"):  # an unguarded script: see optimizer.processes
        return InlinePool(threads)
    key = (size, threads)
    if key not in _LOCAL or _LOCAL[key].broken:
        _LOCAL[key] = LocalPool(size, threads)
    return _LOCAL[key]


@atexit.register
def stop_local_pools() -> None:
    """Stop every local pool's processes now. At exit this comes after the interpreter's
    own wait for each pool's running tasks (concurrent.futures joins its threads first), so
    a SIGTERM calls it before exiting: it waited up to a neighbourhood's time limit (exit
    after 10–18 s of a reference solve, past `docker stop`'s 10 s)."""
    for pool in _LOCAL.values():
        pool.shutdown()
    _LOCAL.clear()
