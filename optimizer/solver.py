"""The one adapter that talks to the MIP solver: options, hard limits, progress, statuses.

HiGHS is driven through Pyomo's persistent APPSI interface so that one built model can be
re-solved many times (lexicographic stages, Pareto grid points, budget sweeps) with only
the changed objective or right-hand sides handed over again.

Time limits are made hard by us, not trusted to the solver: HiGHS calls our interrupt
callback many times a second during simplex, IPM and branch-and-bound, and we stop it once
the wall clock passes the deadline or the user pressed Ctrl-C. (highspy 1.16.0 was seen
ignoring its own time limit on this model class.)
"""

from __future__ import annotations

import logging
import math
import signal
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator, Literal

import pyomo.environ as pyo

from optimizer.errors import SolverError

logger = logging.getLogger(__name__)
solver_log = logging.getLogger("capopt.solver_log")

Status = Literal["optimal", "feasible", "infeasible", "error", "no_solution"]
ProgressFn = Callable[["Progress"], None]

# Seconds of grace after the deadline before the watchdog interrupts the solver itself.
WATCHDOG_GRACE_SECONDS = 2.0
DEFAULT_SEED = 12345


@dataclass(frozen=True)
class Progress:
    """A live snapshot of a running solve, for progress displays."""

    elapsed: float
    incumbent: float | None
    bound: float | None
    gap: float | None
    stage: str = ""


@dataclass(frozen=True)
class SolveOutcome:
    """What one solver call achieved, detached from the solver."""

    status: Status
    termination: str
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float

    @property
    def has_solution(self) -> bool:
        return self.status in ("optimal", "feasible")


@dataclass(frozen=True)
class SolverOptions:
    solver: str = "highs"
    threads: int | None = None
    seed: int = DEFAULT_SEED
    log_file: str | None = None
    stream_log: bool = False


class Interrupt:
    """Shared flag set by Ctrl-C (or a caller) and read by the solver's callbacks."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def set(self) -> None:
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def clear(self) -> None:
        self._event.clear()


INTERRUPT = Interrupt()


@contextmanager
def catch_ctrl_c() -> Iterator[Interrupt]:
    """Turn the first Ctrl-C into a polite stop request; a second one raises as usual.

    The solver stops at its next callback and returns its incumbent, so the caller can
    still write what was found.
    """
    if threading.current_thread() is not threading.main_thread():
        yield INTERRUPT
        return
    previous = signal.getsignal(signal.SIGINT)

    def handler(signum: int, frame: object) -> None:
        if INTERRUPT.is_set():
            signal.signal(signal.SIGINT, previous)
            raise KeyboardInterrupt
        logger.warning("Interrupted: stopping the solver and keeping the best plan found")
        INTERRUPT.set()

    signal.signal(signal.SIGINT, handler)
    try:
        yield INTERRUPT
    finally:
        signal.signal(signal.SIGINT, previous)


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """|objective − bound| / max(|objective|, 1e-9): HiGHS's definition, guarded."""
    if objective is None or bound is None or not math.isfinite(bound):
        return None
    return abs(objective - bound) / max(abs(objective), 1e-9)


class PersistentSolver:
    """A persistent solver for one Pyomo model.

    Call `solve()` after changing the active objective, adding constraints or changing
    mutable parameters; only the changes are handed over again.
    """

    def __init__(self, model: pyo.ConcreteModel, options: SolverOptions, progress: ProgressFn | None = None):
        self.model = model
        self.options = options
        self.progress = progress
        self.stage = ""
        self._deadline = math.inf
        self._last_progress = 0.0
        if options.solver.lower() in ("highs", "appsi_highs"):
            self._backend: _Backend = _HighsBackend(self)
        else:
            self._backend = _GenericBackend(self)

    @property
    def name(self) -> str:
        return self._backend.name

    @property
    def version(self) -> str:
        return self._backend.version

    def solve(self, time_limit: float, gap: float, warm_start: bool = False) -> SolveOutcome:
        """Solve the active objective within `time_limit` seconds (hard) to relative `gap`."""
        started = time.monotonic()
        self._backend.prepare()  # the first hand-off counts against the limit too
        time_limit -= time.monotonic() - started
        if time_limit <= 0:
            return SolveOutcome("no_solution", "time limit", None, None, None, 0.0)
        self._deadline = time.monotonic() + time_limit + WATCHDOG_GRACE_SECONDS
        return self._backend.solve(time_limit, gap, warm_start)

    # -- callbacks shared by backends -------------------------------------------------
    def should_stop(self) -> bool:
        return INTERRUPT.is_set() or time.monotonic() > self._deadline

    def report(self, snapshot: Progress) -> None:
        now = time.monotonic()
        if self.progress is not None and now - self._last_progress >= 0.25:
            self._last_progress = now
            self.progress(snapshot)


class _Backend:
    name = ""
    version = ""

    def prepare(self) -> None:
        """Hand the model over if not done yet (persistent backends only)."""

    def solve(self, time_limit: float, gap: float, warm_start: bool) -> SolveOutcome:
        raise NotImplementedError


class _HighsBackend(_Backend):
    """HiGHS via APPSI, with our interrupt and progress callbacks on the highspy object."""

    def __init__(self, owner: PersistentSolver):
        from pyomo.contrib.appsi.solvers import Highs

        self.owner = owner
        # only_child_vars: skip Pyomo's scan for variables outside the model (measured ~2x faster hand-off)
        self.solver = Highs(only_child_vars=True)
        if not self.solver.available():
            raise SolverError("HiGHS (highspy) is not installed: pip install highspy")
        self.name = "highs"
        self.version = ".".join(str(v) for v in self.solver.version())
        cfg = self.solver.config
        cfg.load_solution = False
        cfg.stream_solver = owner.options.stream_log
        cfg.solver_output_logger = solver_log
        cfg.log_level = logging.INFO
        if owner.options.log_file:
            cfg.logfile = owner.options.log_file
        options = {"random_seed": owner.options.seed, "mip_detect_symmetry": True}
        if owner.options.threads:
            options["threads"] = owner.options.threads
        self.solver.highs_options = options
        self._instance_set = False

    def _attach(self) -> None:
        """Hand the model over once, then hook our callbacks onto the highspy object."""
        from pyomo.common.gc_manager import PauseGC

        with PauseGC():  # the hand-off allocates many small objects; GC passes only slow it down
            self.solver.set_instance(self.owner.model)
        highs = self.solver._solver_model
        for event in (highs.cbSimplexInterrupt, highs.cbIpmInterrupt, highs.cbMipInterrupt):
            event += self._on_interrupt_check
        highs.cbMipImprovingSolution += self._on_progress
        highs.cbMipLogging += self._on_progress
        self._instance_set = True

    def _on_interrupt_check(self, event: object) -> None:
        if self.owner.should_stop():
            event.interrupt()  # type: ignore[attr-defined]
        self._on_progress(event)

    def _on_progress(self, event: object) -> None:
        out = event.data_out  # type: ignore[attr-defined]
        incumbent = out.mip_primal_bound if abs(out.mip_primal_bound) < 1e30 else None
        bound = out.mip_dual_bound if abs(out.mip_dual_bound) < 1e30 else None
        self.owner.report(
            Progress(out.running_time, incumbent, bound, relative_gap(incumbent, bound), self.owner.stage)
        )

    def prepare(self) -> None:
        if not self._instance_set:
            self._attach()

    def solve(self, time_limit: float, gap: float, warm_start: bool) -> SolveOutcome:
        import highspy

        self.prepare()
        cfg = self.solver.config
        cfg.time_limit = time_limit
        cfg.mip_gap = gap
        cfg.warmstart = warm_start
        started = time.monotonic()
        try:
            self.solver.solve(self.owner.model)
        except Exception as exc:  # pragma: no cover - solver internals
            raise SolverError(f"HiGHS failed: {exc}") from exc
        seconds = time.monotonic() - started
        highs = self.solver._solver_model
        model_status = highs.getModelStatus()
        info = highs.getInfo()
        has_primal = info.primal_solution_status == 2  # kSolutionStatusFeasible
        termination = highs.modelStatusToString(model_status)
        if INTERRUPT.is_set():
            termination = "interrupted"
        elif model_status == highspy.HighsModelStatus.kInterrupt:
            termination = "time limit (watchdog)"
        if model_status == highspy.HighsModelStatus.kModelEmpty:
            # nothing can be funded at all: the empty plan is the (only, optimal) plan
            value = pyo.value(_active_objective(self.owner.model))
            return SolveOutcome("optimal", termination, value, value, 0.0, seconds)
        if model_status == highspy.HighsModelStatus.kOptimal:
            status: Status = "optimal"
        elif model_status in (
            highspy.HighsModelStatus.kInfeasible,
            highspy.HighsModelStatus.kUnboundedOrInfeasible,
        ):
            status = "infeasible"
        elif has_primal:
            status = "feasible"
        elif model_status in (
            highspy.HighsModelStatus.kTimeLimit,
            highspy.HighsModelStatus.kInterrupt,
            highspy.HighsModelStatus.kIterationLimit,
            highspy.HighsModelStatus.kSolutionLimit,
        ):
            status = "no_solution"
        else:
            status = "error"
        objective = bound = None
        if status in ("optimal", "feasible"):
            self.solver.load_vars()
            objective = pyo.value(_active_objective(self.owner.model))
            is_mip = info.mip_node_count >= 0
            bound = info.mip_dual_bound if is_mip else info.objective_function_value
            if status == "optimal" and not is_mip:
                bound = objective
        return SolveOutcome(status, termination, objective, bound, relative_gap(objective, bound), seconds)


class _GenericBackend(_Backend):
    """Any MIP solver Pyomo can drive (cbc, gurobi, glpk, …) through SolverFactory.

    Not persistent: the model is written out on every call. The time limit is passed in
    the solver's own option name; a solver that ignores it cannot be stopped early here.
    """

    TIME_OPTION = {"cbc": "seconds", "gurobi": "TimeLimit", "glpk": "tmlim", "cplex": "timelimit", "scip": "limits/time"}
    GAP_OPTION = {"cbc": "ratioGap", "gurobi": "MIPGap", "glpk": "mipgap", "cplex": "mipgap", "scip": "limits/gap"}
    THREAD_OPTION = {"cbc": "threads", "gurobi": "Threads", "cplex": "threads"}

    def __init__(self, owner: PersistentSolver):
        self.owner = owner
        self.name = owner.options.solver.lower()
        try:
            self.solver = pyo.SolverFactory(self.name)
            available = bool(self.solver.available(exception_flag=False))
        except Exception:  # pragma: no cover - depends on what is installed
            available = False
        if not available:
            raise SolverError(
                f"solver '{self.name}' is not available on this machine — install it or use --solver highs"
            )
        try:
            self.version = ".".join(str(v) for v in self.solver.version())
        except Exception:  # pragma: no cover
            self.version = "unknown"

    def solve(self, time_limit: float, gap: float, warm_start: bool) -> SolveOutcome:
        from pyomo.opt import SolverStatus, TerminationCondition as TC

        options = {}
        if self.name in self.TIME_OPTION:
            options[self.TIME_OPTION[self.name]] = time_limit
        if self.name in self.GAP_OPTION:
            options[self.GAP_OPTION[self.name]] = gap
        if self.owner.options.threads and self.name in self.THREAD_OPTION:
            options[self.THREAD_OPTION[self.name]] = self.owner.options.threads
        started = time.monotonic()
        results = self.solver.solve(
            self.owner.model, options=options, load_solutions=False, tee=self.owner.options.stream_log
        )
        seconds = time.monotonic() - started
        tc = results.solver.termination_condition
        has_solution = len(results.solution) > 0 and tc not in (TC.infeasible, TC.infeasibleOrUnbounded)
        if tc == TC.optimal:
            status: Status = "optimal"
        elif tc in (TC.infeasible, TC.infeasibleOrUnbounded):
            status = "infeasible"
        elif has_solution:
            status = "feasible"
        elif results.solver.status == SolverStatus.aborted or tc == TC.maxTimeLimit:
            status = "no_solution"
        else:
            status = "error"
        objective = bound = None
        if status in ("optimal", "feasible"):
            self.owner.model.solutions.load_from(results)
            objective = pyo.value(_active_objective(self.owner.model))
            lower = getattr(results.problem, "lower_bound", None)
            upper = getattr(results.problem, "upper_bound", None)
            sense_max = _active_objective(self.owner.model).sense == pyo.maximize
            raw = upper if sense_max else lower
            bound = float(raw) if raw is not None and math.isfinite(float(raw)) else None
        return SolveOutcome(status, str(tc), objective, bound, relative_gap(objective, bound), seconds)


def _active_objective(model: pyo.ConcreteModel) -> pyo.Objective:
    objectives = list(model.component_data_objects(pyo.Objective, active=True))
    if len(objectives) != 1:
        raise SolverError(f"expected one active objective, found {len(objectives)}")
    return objectives[0]
