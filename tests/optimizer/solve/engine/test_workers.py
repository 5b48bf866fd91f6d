"""Workers: the MIP crosses to a spawned worker once, and a worker that lacks it gets it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import dask
import numpy as np
import pytest

from optimizer.errors import SolverError
from optimizer.solve.engine.subsolve import MISSING, Task, run_task
from optimizer.solve.engine.workers import CONNECT_GRACE_SECONDS, InlinePool, LocalPool, connect_scheduler
from tests.optimizer.solve.engine.test_problem import arrays_of


def _tasks(arrays, plan: np.ndarray, count: int) -> list[Task]:
    """`count` neighbourhoods of `plan`, each freeing a different third of the integer columns."""
    integer = np.flatnonzero(arrays.integer)
    tasks = []
    for k in range(count):
        fixed = np.array([j for i, j in enumerate(integer) if i % 3 != k % 3], dtype=np.int32)
        tasks.append(Task(f"third {k}", fixed, np.round(plan[fixed]), plan, 30.0, 10_000, seed=k))
    return tasks


def _tasks_and_inline_results(seed: int, count: int) -> tuple[object, list[Task], list]:
    """A tiny MIP, `count` neighbourhoods of its optimum, and their results solved inline."""
    arrays, original = arrays_of(seed)
    original.run()
    tasks = _tasks(arrays, np.array(original.getSolution().col_value), count)
    return arrays, tasks, InlinePool().run("k", arrays, tasks, lambda: False)


def test_a_worker_without_the_mip_says_so():
    arrays, _ = arrays_of(5)
    task = _tasks(arrays, np.zeros(arrays.columns), 1)[0]
    assert run_task("a key no worker has seen", None, task).status == MISSING


def test_a_fresh_worker_that_missed_the_mip_is_sent_it_and_agrees_with_this_process():
    arrays, tasks, expected = _tasks_and_inline_results(5, 4)
    pool = LocalPool(2)
    try:
        first = pool.run("k", arrays, tasks, lambda: False)
        pool.shutdown()  # the next round meets a fresh process that never saw the MIP …
        pool._shipped = "k"  # … while this pool believes it was sent
        second = pool.run("k", arrays, tasks, lambda: False)
    finally:
        pool.shutdown()
    for results in (first, second):
        assert [r.status for r in results] == [r.status for r in expected]
        assert [r.objective for r in results] == [r.objective for r in expected]


def test_free_workers_take_the_next_task_and_results_keep_the_given_order():
    """Seven tasks on this process and two spawned ones, handed out as workers free up:
    every task is solved once and each result sits at its task's place, as inline."""
    arrays, tasks, expected = _tasks_and_inline_results(6, 7)
    pool = LocalPool(3)
    try:
        results = pool.run("k", arrays, tasks, lambda: False)
    finally:
        pool.shutdown()
    assert [r.name for r in results] == [t.name for t in tasks]
    assert [r.objective for r in results] == [r.objective for r in expected]


HALF_SENT_SCRIPT = '''
import gc, os, struct, sys, time
from multiprocessing.queues import SimpleQueue

from optimizer.solve.engine.workers import LocalPool


def send_half_a_result(marker):
    """In the worker: start a result message on the pool's result pipe, as a worker does
    when it sends a large plan, and stop half-way, as a worker terminated mid-send does."""
    results = next(o for o in gc.get_objects() if isinstance(o, SimpleQueue))
    os.write(results._writer.fileno(), struct.pack("!i", 1000) + b"x" * 10)
    open(marker, "w").close()
    time.sleep(120)


if __name__ == "__main__":
    marker = sys.argv[1]
    pool = LocalPool(2)
    pool._pool().submit(send_half_a_result, marker)
    while not os.path.exists(marker):
        time.sleep(0.05)
    pool.shutdown()
    print("stopped")
'''


def test_a_worker_stopped_half_way_through_sending_its_result_does_not_hang_the_exit(tmp_path):
    """Seen on `solve --robust 2 --time-limit 60`: the run ended, the background job was
    terminated while it sent its result, and the process never exited (the pool's own
    thread waited for the rest of a message no one would write)."""
    script = tmp_path / "half_sent.py"
    script.write_text(HALF_SENT_SCRIPT)
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "marker")],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "stopped"


def test_a_scheduler_nobody_runs_is_a_solver_error_naming_the_address_and_what_to_check():
    pytest.importorskip("dask.distributed")  # first: config.set's exit would drop the defaults it adds
    with socket.socket() as probe:  # a free local port: nothing listens once it is closed
        probe.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{probe.getsockname()[1]}"
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}), pytest.raises(SolverError) as caught:
        connect_scheduler(address)
    assert str(caught.value).startswith(f"no Dask scheduler answered at {address} within 1 s — check that")
    assert "`dask scheduler`" in str(caught.value) and "firewall" in str(caught.value)


# Run in a child process: the connection capopt gives up on stays inside Dask's client on a
# thread, and in one CI run of this test suite that thread later deadlocked in Dask (an
# abandoned Client's __del__ running inside another Client's start, holding the lock of
# Dask's shared event loop), so the LocalCluster test after it waited for good.
_NO_SCHEDULER = """
import json, os, socket, sys, threading, time
import dask
from optimizer.errors import SolverError
from optimizer.solve.engine.workers import connect_scheduler

# "http": a web server's answer to whoever connects; "silent": takes the connection, never answers
reply = b"HTTP/1.0 400 Bad Request\\r\\nContent-Length: 0\\r\\n\\r\\n" * 64 if sys.argv[1] == "http" else None
server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(4)

def answer():
    try:
        while True:
            connection, _ = server.accept()
            if reply is not None:
                connection.sendall(reply)
                connection.close()
    except OSError:
        pass

threading.Thread(target=answer, daemon=True).start()
address = f"tcp://127.0.0.1:{server.getsockname()[1]}"
began = time.monotonic()
try:
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        connect_scheduler(address)
    outcome = "connected"
except SolverError as error:
    outcome = str(error)
print(json.dumps({"address": address, "outcome": outcome, "seconds": time.monotonic() - began}), flush=True)
os._exit(0)
"""


@pytest.mark.parametrize("reply", ["http", "silent"])
def test_a_service_that_is_no_scheduler_is_a_solver_error_in_bounded_time(reply):
    """A web server on the port gave "Internal error: MemoryError" (exit 1); a service that
    takes the connection and never answers held the run for good (11 minutes, until Ctrl-C)."""
    import json

    pytest.importorskip("dask.distributed")
    done = subprocess.run(
        [sys.executable, "-c", _NO_SCHEDULER, reply],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    waited = 1 if reply == "http" else 1 + CONNECT_GRACE_SECONDS  # the message gives the time waited
    assert result["outcome"].startswith(
        f"no Dask scheduler answered at {result['address']} within {waited:g} s — check that"
    )
    assert result["seconds"] < 1 + CONNECT_GRACE_SECONDS + 5


def test_a_malformed_scheduler_address_is_the_callers_mistake():
    with pytest.raises(ValueError, match="missing port number"):
        connect_scheduler("localhost")


class SchedulerGone:
    """A `dask.distributed.Client` whose scheduler went away: every request fails and its
    status says so (a LocalCluster stopped mid-run did this)."""

    status = "closed"

    def nthreads(self) -> dict:
        return {"tcp://127.0.0.1:1": 1, "tcp://127.0.0.1:2": 1}

    def scatter(self, *args, **kwargs):
        raise RuntimeError("Client is closed. Can't send update-graph message.")

    submit = scatter

    def cancel(self, *args, **kwargs):
        raise RuntimeError("Client is closed.")


def test_workers_lost_mid_run_keep_the_plan_in_hand():
    """The scheduler went away mid-run: "Internal error: ClosedClientError", exit 1, and no
    workbook, though the run held a plan. Now the engine ends with that plan and says why."""
    from optimizer.solve.engine.engine import Engine
    from optimizer.solve.engine.workers import DaskPool
    from tests.optimizer.solve.engine.test_engine import capability_cases, engine_for

    for seed, inputs, best in capability_cases():
        _m, _backend, arrays, engine = engine_for(inputs, {"capability": 1.0})
        relaxation = arrays.highs(relax=True)
        relaxation.run()
        if relaxation.getInfo().objective_function_value > best + 1e-6:
            break  # the LP's bound does not prove the plan: the engine turns to its workers
    else:
        pytest.fail("no tiny instance whose LP bound is above its optimum")
    plan = engine.solve(time_limit=30, gap=0.0).x
    lost = Engine(arrays, engine.groups, DaskPool(SchedulerGone()), seed=seed)
    report = lost.solve(30, 0.0, start=plan)
    assert report.stopped_by.startswith("workers lost (the Dask scheduler is gone (RuntimeError: Client is closed")
    assert report.objective == pytest.approx(arrays.objective(plan)) and not report.reproducible
    assert report.status in ("optimal", "feasible")


# --- scripts without the `__main__` guard (optimizer.processes) -------------------------
UNGUARDED_SOLVE = """from optimizer import Scenario
result = Scenario.from_excel({book!r}).solve(time_limit=30, strategy="portfolio", workers=2)
print(result.status, result.objectives["capability"])
"""


def _run_script(tmp_path, source: str) -> subprocess.CompletedProcess:
    script = tmp_path / "study.py"
    script.write_text(source)
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    return subprocess.run(
        [sys.executable, str(script)], check=False, capture_output=True, text=True, timeout=240, env=env, cwd=tmp_path
    )


def test_a_script_without_the_guard_solves_in_its_own_process_and_says_why(tmp_path):
    """Three lines — import, solve, print — ended in BrokenProcessPool: each spawned worker
    re-ran the script and died starting workers of its own. Now the script's solve runs
    in its process, and the warning names the script and the guard to add."""
    done = _run_script(tmp_path, UNGUARDED_SOLVE.format(book=os.path.abspath("examples/small/small.xlsx")))
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[0] == "optimal"
    assert 'study.py has no `if __name__ == "__main__":` guard' in done.stderr
    assert "BrokenProcessPool" not in done.stderr


def test_workers_that_die_at_start_leave_the_run_in_this_process(tmp_path):
    """A script that names `__main__` only in a comment passes the source check; its
    workers still die as they start, and the run carries on in this process."""
    source = "# forgot the __main__ guard\n" + UNGUARDED_SOLVE.format(book=os.path.abspath("examples/small/small.xlsx"))
    done = _run_script(tmp_path, source)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[0] in ("optimal", "feasible")
    assert "worker processes stopped as they started" in done.stderr


def test_a_guarded_script_keeps_its_workers(tmp_path):
    source = (
        "from optimizer.solve.engine.workers import LocalPool, local_pool\n"
        'if __name__ == "__main__":\n'
        "    print(type(local_pool(2)).__name__)\n"
    )
    done = _run_script(tmp_path, source)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "LocalPool" and "guard" not in done.stderr


def test_a_broken_pool_solves_its_round_here_in_the_given_order():
    """The processes died: every task of the round is still solved, in this process, and
    the pool reports one worker from then on."""
    arrays, tasks, inline = _tasks_and_inline_results(3, 4)
    pool = LocalPool(2)

    class Broken:
        def submit(self, *args: object) -> None:
            from concurrent.futures.process import BrokenProcessPool

            raise BrokenProcessPool("a child process terminated abruptly")

        def shutdown(self, *args: object, **kwargs: object) -> None:
            return None

    pool._executor = Broken()  # type: ignore[assignment]
    results = pool.run("k", arrays, tasks, lambda: False)
    assert [r.objective for r in results] == pytest.approx([r.objective for r in inline])
    assert pool.broken and pool.size == 1 and pool.submit("k", arrays, tasks[0]) is None
