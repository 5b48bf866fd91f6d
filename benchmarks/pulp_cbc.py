"""The free alternative a planner would otherwise pick: the same model in PuLP, solved by CBC.

PuLP is *not* a capopt dependency; install it in the benchmark environment only
(`pip install pulp`, which ships a CBC binary). `available()` says whether it is there and
the suite skips this column with a note when it is not.

The PuLP model is filled row by row from the floor's matrix (`benchmarks.floor_highspy`),
so CBC sees exactly the columns, rows and objective HiGHS sees: the comparison is solver
against solver on one model, not two hand-written formulations that might differ. PuLP's
own build time (expression objects, then an MPS file CBC reads) is reported alongside.

CBC reports neither its bound nor its progress through PuLP, so both are read from its log
(`Cbc0010I … best solution X, best possible Y (T seconds)` and the final summary).
"""

from __future__ import annotations

import math
import os
import re
import signal
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from benchmarks.floor_highspy import MatrixModel


def available() -> bool:
    """True when PuLP and its bundled CBC can be used."""
    try:
        import pulp
    except ImportError:
        return False
    return bool(pulp.PULP_CBC_CMD(msg=False).available())


def version() -> str:
    import pulp

    return str(pulp.__version__)


@dataclass
class CbcRun:
    """What one CBC run achieved (objective in the model's maximise sense)."""

    status: str
    objective: float | None
    bound: float | None
    gap: float | None
    build_seconds: float  # PuLP objects from the matrix
    solve_seconds: float  # MPS write + CBC + reading the solution back, wall clock
    seconds_to_gap: dict[float, float | None] = field(default_factory=dict)
    x: np.ndarray | None = None
    log: str = ""
    stopped_by_watchdog: bool = False


def build(mm: MatrixModel):  # -> (pulp.LpProblem, list[pulp.LpVariable])
    """The matrix as a PuLP problem (maximise), one LpAffineExpression per row."""
    import pulp

    prob = pulp.LpProblem("capopt", pulp.LpMaximize)
    variables = []
    for j in range(mm.num_cols):
        lo = None if math.isinf(mm.col_lower[j]) else float(mm.col_lower[j])
        hi = None if math.isinf(mm.col_upper[j]) else float(mm.col_upper[j])
        cat = (
            pulp.LpBinary
            if mm.integer[j] and lo == 0 and hi == 1
            else (pulp.LpInteger if mm.integer[j] else pulp.LpContinuous)
        )
        variables.append(pulp.LpVariable(f"c{j}", lo, hi, cat))
    nz = np.flatnonzero(mm.objective)
    prob += pulp.LpAffineExpression([(variables[j], float(mm.objective[j])) for j in nz])
    indptr, indices, data = mm.A.rows()
    for i in range(mm.num_rows):
        cols = indices[indptr[i] : indptr[i + 1]]
        vals = data[indptr[i] : indptr[i + 1]]
        expr = pulp.LpAffineExpression([(variables[j], float(v)) for j, v in zip(cols, vals)])
        lo, hi = float(mm.row_lower[i]), float(mm.row_upper[i])
        if lo == hi:
            prob += pulp.LpConstraint(expr, pulp.LpConstraintEQ, f"r{i}", lo)
            continue
        if not math.isinf(lo):
            prob += pulp.LpConstraint(expr, pulp.LpConstraintGE, f"r{i}", lo)
        if not math.isinf(hi):
            prob += pulp.LpConstraint(expr, pulp.LpConstraintLE, f"r{i}u" if not math.isinf(lo) else f"r{i}", hi)
    return prob, variables


def solve(
    mm: MatrixModel,
    time_limit: float,
    gap: float = 1e-4,
    threads: int | None = None,
    milestones: tuple[float, ...] = (0.01,),
) -> CbcRun:
    """Build with PuLP and solve with CBC; `seconds_to_gap[g]` from CBC's log (None: not reached)."""
    import pulp

    began = time.perf_counter()
    prob, variables = build(mm)
    build_seconds = time.perf_counter() - began
    with tempfile.TemporaryDirectory() as tmp:
        log_path = Path(tmp) / "cbc.log"
        solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit, gapRel=gap, threads=threads, logPath=str(log_path))
        began = time.perf_counter()
        watchdog = _Watchdog(time_limit + WATCHDOG_GRACE_SECONDS)
        try:
            prob.solve(solver)
        except pulp.PulpSolverError:
            if not watchdog.fired:
                raise
        finally:
            watchdog.stop()
        solve_seconds = time.perf_counter() - began
        log = log_path.read_text(errors="replace") if log_path.exists() else ""
    status_name = pulp.LpStatus[prob.status]
    has_solution = prob.sol_status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible)
    x = None
    objective = None
    if has_solution:
        x = np.array([v.varValue if v.varValue is not None else 0.0 for v in variables])
        objective = float(mm.objective @ x)
    progress = parse_progress(log)
    bound = final_bound(log, objective)
    status = (
        "optimal"
        if status_name == "Optimal" and prob.sol_status == pulp.LpSolutionOptimal
        else ("feasible" if has_solution else "no_solution")
    )
    gap_now = relative_gap(objective, bound)
    if status == "optimal" and bound is None:
        bound, gap_now = objective, 0.0
    reached: dict[float, float | None] = {}
    for g in milestones:
        reached[g] = next((t for t, inc, bnd in progress if (r := relative_gap(inc, bnd)) is not None and r <= g), None)
        if reached[g] is None and gap_now is not None and gap_now <= g:
            reached[g] = solve_seconds
    return CbcRun(status, objective, bound, gap_now, build_seconds, solve_seconds, reached, x, log, watchdog.fired)


# CBC was seen overrunning `-sec` by minutes on L (stuck before its first node), so the
# limit is made hard here, as optimizer.solve.solver does for HiGHS: SIGINT (CBC stops and
# writes its incumbent) a little after the limit, SIGKILL if it still has not stopped.
WATCHDOG_GRACE_SECONDS = 5.0
KILL_AFTER_SECONDS = 10.0


class _Watchdog:
    """Interrupts the CBC processes this process started once the wall clock passes the limit."""

    def __init__(self, seconds: float) -> None:
        self.fired = False
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(seconds,), daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._done.set()
        self._thread.join(timeout=1.0)

    def _run(self, seconds: float) -> None:
        if self._done.wait(seconds):
            return
        for sig, wait in ((signal.SIGINT, KILL_AFTER_SECONDS), (signal.SIGKILL, 0.0)):
            pids = _own_cbc_processes()
            if not pids:
                return
            self.fired = True
            for pid in pids:
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
            if self._done.wait(wait):
                return


def _own_cbc_processes() -> list[int]:
    """Child processes of this process whose command is cbc (Linux /proc; [] elsewhere)."""
    pids: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{os.getpid()}/task")
    except OSError:
        return pids
    for tid in tasks:
        try:
            children = Path(f"/proc/{os.getpid()}/task/{tid}/children").read_text().split()
        except OSError:
            continue
        for child in children:
            try:
                if Path(f"/proc/{child}/comm").read_text().strip().startswith("cbc"):
                    pids.append(int(child))
            except OSError:
                continue
    return pids


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """|objective − bound| / max(|objective|, 1e-9), as HiGHS and optimizer.solve.solver define it."""
    if objective is None or bound is None or not math.isfinite(bound):
        return None
    return abs(objective - bound) / max(abs(objective), 1e-9)


# Cbc0010I After 100 nodes, 5 on tree, -1234.5 best solution, best possible -1300.2 (3.45 seconds)
_NODE = re.compile(
    r"Cbc0010I After \d+ nodes, \d+ on tree, (\S+) best solution, best possible (\S+) \(([\d.]+) seconds\)"
)
# Cbc0012I Integer solution of -1234 found by X after N iterations and M nodes (2.34 seconds)
_FOUND = re.compile(r"Cbc00(?:04|12)I Integer solution of (\S+) found .*?\(([\d.]+) seconds\)")
# Cbc0031I / root: "Cbc0013I At root node, ..." has no bound line we need; the final summary:
_SUMMARY_OBJ = re.compile(r"^Objective value:\s+(\S+)", re.MULTILINE)
_SUMMARY_BOUND = re.compile(r"^(?:Lower|Upper) bound:\s+(\S+)", re.MULTILINE)
# Cbc0011I Exiting as integer gap of X less than ... / Cbc0005I Partial search - best objective X (best possible Y)
_PARTIAL = re.compile(r"best objective (\S+) \(best possible (\S+)\)")


def parse_progress(log: str) -> list[tuple[float, float | None, float | None]]:
    """(seconds, incumbent, bound) snapshots from a CBC log, in CBC's own (minimising) values.

    CBC minimises internally (a maximisation is negated), so magnitudes are what matter
    for gaps; `relative_gap` uses absolute values and is sign-safe for that reason.
    """
    out: list[tuple[float, float | None, float | None]] = []
    bound: float | None = None
    incumbent: float | None = None
    for line in log.splitlines():
        if m := _NODE.search(line):
            incumbent, bound = _num(m.group(1)), _num(m.group(2))
            out.append((float(m.group(3)), incumbent, bound))
        elif m := _FOUND.search(line):
            incumbent = _num(m.group(1))
            out.append((float(m.group(2)), incumbent, bound))
    return out


def final_bound(log: str, objective: float | None) -> float | None:
    """CBC's last best-possible value, in the model's maximise sense (None if not logged)."""
    raw: float | None = None
    if (m := list(_PARTIAL.finditer(log))) or (m := list(_NODE.finditer(log))):
        raw = _num(m[-1].group(2))
    bound_match = _SUMMARY_BOUND.search(log)
    if bound_match:
        raw = _num(bound_match.group(1))
    if raw is None:
        return None
    # CBC's log values for a maximisation are negated; put the bound on the objective's side
    if objective is not None and objective != 0 and raw * objective < 0:
        raw = -raw
    return abs(raw) if objective is None else raw


def _num(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if abs(value) < 1e40 else None
