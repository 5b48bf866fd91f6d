"""The one adapter that talks to the MIP solver: options, hard limits, progress, statuses.

HiGHS is driven through highspy directly, kept in step with the Pyomo model by
`optimizer.solve.highs_model`, so that one built model can be re-solved many times
(lexicographic stages, Pareto grid points, budget sweeps) with only the changed objective,
rows or right-hand sides handed over again. Other MIP solvers go through Pyomo's
SolverFactory.

Time limits are made hard by us, not trusted to the solver: HiGHS calls our interrupt
callback many times a second during simplex, IPM and branch-and-bound, and we stop it once
the wall clock passes the deadline or the user pressed Ctrl-C. (highspy 1.16.0 was seen
ignoring its own time limit on this model class.)
"""

from __future__ import annotations

import logging
import math
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np
import pyomo.environ as pyo

from optimizer.errors import SolverError
from optimizer.solve.engine.problem import gap_met
from optimizer.solve.highs_model import HighsModel
from optimizer.solve.highs_quirks import AGGREGATOR_RULE, aggregator_off, doubtful_verdict
from optimizer.solve.highs_thread import (
    HIGHS_THREAD,
    PRESOLVE_STALL_SECONDS,
    interrupt_events,
    listen,
    match_thread_pool,
    mute,
)

if TYPE_CHECKING:
    import highspy

    from optimizer.solve.engine.neighbourhoods import ColumnGroups

logger = logging.getLogger(__name__)

Status = Literal["optimal", "feasible", "infeasible", "error", "no_solution"]
ProgressFn = Callable[["Progress"], None]

# Seconds of grace after the deadline before the watchdog interrupts the solver itself.
WATCHDOG_GRACE_SECONDS = 2.0
DEFAULT_SEED = 12345
# the termination of a solve stopped at a plan on the bound its caller knew (PersistentSolver.solve)
REACHED_KNOWN_BOUND = "reached the known bound"
# The engine's plans kept as guides for the next engine solves on the same model: the
# previous stage's and the previous sweep point's (optimizer.solve.engine.engine, GUIDED)
GUIDE_PLANS = 2


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
    # where the bound comes from: HiGHS's branch-and-bound, or the engine's LP relaxation
    bound_source: str = "branch-and-bound"

    @property
    def has_solution(self) -> bool:
        return self.status in ("optimal", "feasible")


@dataclass(frozen=True)
class SolverOptions:
    """How every solve of a run is made (solver, threads, seed, log, HiGHS options, search):
    fixed per run, so that the Summary can record it and a rerun repeat it."""

    solver: str = "highs"
    threads: int | None = None
    seed: int = DEFAULT_SEED
    log_file: str | None = None
    stream_log: bool = False
    # HiGHS options a user sets by name (`--highs-option`), applied after capopt's own
    # settings; kept as (name, value-as-text) pairs so a run's Summary can record them
    highs_options: tuple[tuple[str, str], ...] = ()
    # the search (optimizer.solve.engine.strategy): auto, highs (branch-and-bound), rens
    # (LP relaxation and RENS, then highs) or lns (the LP-guided engine); the engine's
    # workers (None: one per core, or `threads`) and a Dask scheduler address to run them on
    # instead of local processes
    strategy: str = "auto"
    workers: int | None = None
    scheduler: str | None = None

    def describe_highs_options(self) -> str:
        """`name=value, …` as the Summary sheet records it (empty when none were set)."""
        return ", ".join(f"{name}={value}" for name, value in self.highs_options)


# From this many matrix non-zeros on, HiGHS solves a MIP's root LP by interior point unless
# the user chose (`--highs-option mip_lp_solver=...`). Measured (docs/benchmarks.md, issue 7):
# on the M benchmark instances (97 k and 118 k non-zeros) it gave better plans at 60 s in
# both budget regimes (291.6 k vs 252.9 k, 254.8 k vs 248.5 k); on the reference dataset
# (62 k) dual simplex was faster (32–33 s against the 60 s limit, twice each). The bound
# lies between the two.
IPM_ROOT_FROM_NONZEROS = 80_000

# Options capopt sets itself on every solve: each has its own flag, which keeps the run's
# Summary truthful (a time limit set behind capopt's back would not be recorded).
# Each says what to use on the command line and in Python: the API's messages named only
# the flags ("use --time-limit" to a script calling solve()).
MANAGED_HIGHS_OPTIONS = {
    "time_limit": "use --time-limit, or time_limit= in Python",
    "mip_rel_gap": "use --gap, or gap= in Python",
    "threads": "use --threads, or threads= in Python",
    "random_seed": "fixed, so that runs are reproducible",
    "output_flag": "use -v or --log, or stream_log= / log_file= in Python",
    "log_to_console": "use -v, or stream_log= in Python",
    "log_file": "use --log, or log_file= in Python",
}


def check_highs_options(options: Mapping[str, object]) -> tuple[tuple[str, str], ...]:
    """The options as (name, text) pairs, each checked by HiGHS itself before any model
    is built, so a typo fails in a second with the option named, not after the build.

    Raises ValueError naming the option and what was expected.
    """
    import highspy

    scratch = highspy.Highs()
    scratch.setOptionValue("output_flag", False)
    checked: list[tuple[str, str]] = []
    for name, value in options.items():
        if name in MANAGED_HIGHS_OPTIONS:
            raise ValueError(f"{name} is set by capopt on every solve ({MANAGED_HIGHS_OPTIONS[name]})")
        text = str(value).lower() if isinstance(value, bool) else str(value)
        status, _ = scratch.getOptionType(name)
        if status != highspy.HighsStatus.kOk:
            raise ValueError(
                f"HiGHS has no option '{name}' (its documentation lists them: https://ergo-code.github.io/HiGHS/)"
            )
        if scratch.setOptionValue(name, text) != highspy.HighsStatus.kOk:
            raise ValueError(f"HiGHS refused {name}={text}: {_option_expectation(scratch, name)}")
        _refuse_unsound(scratch, name, text)
        checked.append((name, text))
    return tuple(checked)


# HiGHS option values that make HiGHS 1.15.1 report a worse plan as optimal, as measured:
# on the reference dataset's cost stage (benchmarks.stage_probe, twentieth session),
# mip_lifting_for_probing=1 proved its 61,126.4 start "optimal" (gap 0) on three seeds and
# =2 proved 58,581.2, where the same model has plans of 58,413.7. A planner would be shown
# the plan as optimal; capopt's verifier checks feasibility, not optimality.
UNSOUND_HIGHS_OPTIONS = {
    "mip_lifting_for_probing": (
        lambda value: value > 0,
        (
            "-1 or 0 (with 1 or 2 HiGHS 1.15.1 called plans 0.3–4.6 % "
            "worse than known ones optimal on the reference dataset)"
        ),
    ),
}


def _refuse_unsound(highs: highspy.Highs, name: str, text: str) -> None:
    """Refuse an option value known to make HiGHS claim optimality it has not proven."""
    if name in UNSOUND_HIGHS_OPTIONS:
        unsound, expected = UNSOUND_HIGHS_OPTIONS[name]
        if unsound(highs.getOptionValue(name)[1]):
            raise ValueError(f"{name}={text} is refused — expected {expected}")


def _option_expectation(highs: highspy.Highs, name: str) -> str:
    """What kind of value a HiGHS option takes, for an error message."""
    _, kind = highs.getOptionType(name)
    return {
        0: "expected true or false",
        1: "expected a whole number in its range",
        2: "expected a number in its range",
        3: "not one of its allowed values",
    }.get(int(kind), "invalid value")


class SolutionPool:
    """The improving plans HiGHS reports during its solves, as column vectors.

    A later solve of a related problem (the next Pareto grid point) can start from the best
    of them that still fits, instead of only from the plans the earlier solves returned.
    Recording is off (`limit` 0) unless a caller turns it on; only the newest `limit`
    vectors are kept, and only those as long as the model's current column count are
    offered (columns added later would be missing from older vectors).
    """

    def __init__(self, limit: int = 0) -> None:
        self.limit = limit
        self.vectors: list[np.ndarray] = []

    def clear(self) -> None:
        """Forget every kept plan (a walk that must start as a fresh process would)."""
        self.vectors.clear()

    def add(self, vector: np.ndarray) -> None:
        self.vectors.append(vector)
        if len(self.vectors) > self.limit:
            del self.vectors[: len(self.vectors) - self.limit]

    def matrix(self, columns: int) -> np.ndarray:
        """The kept vectors with `columns` entries, one per row."""
        rows = [v for v in self.vectors if len(v) == columns]
        return np.array(rows) if rows else np.zeros((0, columns))


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
    if not _CTRL_C_DEPTH:
        # only the outermost run starts afresh: a sweep's point or a front's worker pool
        # clearing the flag lost a Ctrl-C pressed while it was being set up (the sweep then
        # solved every point and exited 0)
        INTERRUPT.clear()
    _CTRL_C_DEPTH.append(True)
    try:
        yield from _handling_ctrl_c()
    finally:
        _CTRL_C_DEPTH.pop()
    if not _CTRL_C_DEPTH:  # reached only when the run returned (not when it raised)
        _RUNS_RETURNED[0] += 1


_CTRL_C_DEPTH: list[bool] = []  # catch_ctrl_c contexts open in the main thread
_RUNS_RETURNED = [0]  # outermost catch_ctrl_c runs that returned what they found


def runs_returned() -> int:
    """How many outermost solver runs have returned (with their plan or their incumbent):
    from then on a Ctrl-C has a plan to keep (`cli.keeping_the_plan`)."""
    return _RUNS_RETURNED[0]


def returned_without_plan() -> None:
    """The run that just returned has no plan (infeasible, or none found in time): a Ctrl-C
    during what follows (a diagnosis of up to minutes) interrupts, as before the run. It was
    taken as "the plan found is being written", and the diagnosis it stopped blamed the time.
    (Inside a study's own run, which counts once when it returns, nothing to undo.)"""
    if not _CTRL_C_DEPTH:
        _RUNS_RETURNED[0] -= 1


# A second SIGINT this soon after the first is the same stop request delivered twice, not
# a second Ctrl-C: `timeout -s INT` signals capopt and then its whole process group, and
# one run in four at alliance size was aborted, its plan lost, right after "keeping the
# best plan found". A planner who means to abort presses again later than this.
DUPLICATE_SIGNAL_SECONDS = 1.0


def _handling_ctrl_c() -> Iterator[Interrupt]:
    previous = signal.getsignal(signal.SIGINT)
    first: list[float] = []

    def handler(signum: int, frame: object) -> None:
        if INTERRUPT.is_set():
            if first and time.monotonic() - first[0] < DUPLICATE_SIGNAL_SECONDS:
                return
            signal.signal(signal.SIGINT, previous)
            raise KeyboardInterrupt
        first.append(time.monotonic())
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

    def __init__(
        self,
        model: pyo.ConcreteModel,
        options: SolverOptions,
        progress: ProgressFn | None = None,
        client: object | None = None,
    ):
        self.model = model
        self.options = options
        self.progress = progress
        self.client = client  # a dask.distributed.Client for the engine's workers, if given
        self.stage = ""
        self._strategy_notes: dict[str, str] = {}  # each search chosen → why, when first chosen (strategy_note)
        self.last_engine: object | None = None  # the engine's report of the last solve, if it ran
        # True while solving a restricted model (e.g. one nation re-optimised): its bound
        # is no bound of the real problem, so progress reports leave bound and gap out
        self.restricted = False
        # True while a caller changes only mutable parameters between solves (see
        # `only_parameters_change`): the hand-off then re-reads only the rows that use them
        self.parameters_only = False
        self._deadline = math.inf
        self._last_progress = 0.0
        self.solver_seconds = 0.0  # inside the solver, over all calls: the rest is our overhead
        # plans the solver found on the way (see SolutionPool); off until a caller sets a limit
        self.improving_solutions = SolutionPool()
        if options.solver.lower() == "highs":
            self._backend: _Backend = _HighsBackend(self)
        else:
            self._backend = _GenericBackend(self)

    @property
    def name(self) -> str:
        return self._backend.name

    @property
    def version(self) -> str:
        return self._backend.version

    def last_nodes(self) -> int | None:
        """Branch-and-bound nodes of the last solve, a count that does not depend on the
        machine (None for a backend that does not report it)."""
        return self._backend.nodes()

    def matrix_nonzeros(self) -> int | None:
        """Non-zeros of the constraint matrix as the solver holds it (hands the model over
        if not done yet); None for a backend without a matrix of its own."""
        self._backend.prepare()
        return self._backend.nonzeros()

    def describe_options(self) -> str:
        """The solver options a run's Summary records: the user's, then capopt's automatic
        choices for this model (empty when neither)."""
        return ", ".join(filter(None, [self.options.describe_highs_options(), self._backend.automatic_options]))

    def set_highs_option(self, name: str, value: bool | float | str) -> None:
        """Set a HiGHS option for the following solves (ignored by other solvers)."""
        self._backend.set_highs_option(name, value)

    def strategy(self) -> str:
        """The search this model gets (optimizer.solve.engine.strategy); a restricted
        sub-problem (one nation re-optimised) always gets plain branch-and-bound."""
        from optimizer.solve.engine.strategy import PORTFOLIO_FROM_NONZEROS, choose_strategy

        backend = self._backend
        if self.restricted or not isinstance(backend, _HighsBackend):
            return "highs"
        if backend.mirror is None:  # hand the model over once; each solve syncs it anyway
            backend.prepare()
        nonzeros = backend.nonzeros() or 0
        requested = self.options.strategy
        # the pool is asked for only where its size decides (a Dask pool connects)
        portfolio = requested == "portfolio" or (requested == "auto" and nonzeros >= PORTFOLIO_FROM_NONZEROS)
        chosen, note = choose_strategy(requested, nonzeros, self.engine_pool().size if portfolio else 1)
        if chosen in ("lns", "portfolio", "rens"):  # RENS too runs on every worker (other seeds beside it)
            note += f", {self.engine_pool().name}"
        if chosen == "rens":
            note += ", then highs"
        self._strategy_notes.setdefault(chosen, note)
        return chosen

    @property
    def strategy_note(self) -> str:
        """Which search ran and why, for the Summary: each search chosen, in the order first
        chosen, with the size of the model that chose it. (It gave the last solve's note: a
        lexicographic run's later stages hold the earlier objectives in extra rows, so the
        Summary gave the last stage's non-zeros, not the model's, and a search chosen for an
        earlier stage only was not named.)"""
        return "; then ".join(self._strategy_notes.values())

    def engine_pool(self):  # -> optimizer.solve.engine.workers.Pool
        """Where the engine's neighbourhoods run: a Dask client if given (or a scheduler
        address), else this process and spawned ones, one per core unless `workers` or
        `threads` says otherwise (a sweep's worker solves with one thread: one worker)."""
        from optimizer.solve.engine.workers import DaskPool, connect_scheduler, local_pool

        if self.client is None and self.options.scheduler:
            self.client = connect_scheduler(self.options.scheduler)
        if self.client is not None:
            return DaskPool(self.client)
        import os

        workers = self.options.workers or self.options.threads or os.cpu_count() or 1
        return local_pool(workers, self.options.threads)

    def coefficients(self, expr: object) -> tuple[np.ndarray, float] | None:
        """A linear expression as (coefficient per solver column, constant), to evaluate
        recorded solutions with one matrix product (None: the backend records none)."""
        return self._backend.coefficients(expr)

    def load_vector(self, values: np.ndarray) -> None:
        """Set the model's variables from a recorded solution (integers rounded), e.g. to
        offer it as the next solve's start."""
        self._backend.load_vector(values)

    @contextmanager
    def only_parameters_change(self) -> Iterator[None]:
        """Solve repeatedly with nothing changed between solves but mutable parameters and
        variable values (starts): the model is handed over once on entry, and each solve
        then sends only the rows whose parameters moved. Adding or fixing anything inside
        would go unseen."""
        self._backend.prepare()
        self.parameters_only = True
        try:
            yield
        finally:
            self.parameters_only = False

    def solution_vector(self) -> np.ndarray | None:
        """The last solve's column values, in the order of `coefficients` (None: the backend
        keeps none), to evaluate objectives with one matrix product."""
        return self._backend.solution_vector()

    def solve(
        self, time_limit: float, gap: float, warm_start: bool = False, known_bound: float | None = None
    ) -> SolveOutcome:
        """Solve the active objective within `time_limit` seconds (hard) to relative `gap`.

        `known_bound`: a bound on this solve's optimum that the caller has proven elsewhere
        (at most it when maximising, at least it when minimising). HiGHS then stops at the
        first plan within `gap` of it, and the outcome is optimal with that bound: a solve
        whose optimum ties the bound skips its own proof (`target_of`). Backends other than
        HiGHS ignore it and prove the optimum themselves."""
        started = time.monotonic()
        self._backend.prepare()  # the first hand-off counts against the limit too
        time_limit -= time.monotonic() - started
        if time_limit <= 0:
            return SolveOutcome("no_solution", "time limit", None, None, None, 0.0)
        self._deadline = time.monotonic() + time_limit + WATCHDOG_GRACE_SECONDS
        outcome = self._backend.solve(time_limit, gap, warm_start, known_bound)
        self.solver_seconds += outcome.seconds
        return outcome

    # -- callbacks shared by backends -------------------------------------------------
    def should_stop(self) -> bool:
        return INTERRUPT.is_set() or time.monotonic() > self._deadline

    def report(self, snapshot: Progress) -> None:
        now = time.monotonic()
        if self.progress is not None and now - self._last_progress >= 0.25:
            self._last_progress = now
            if self.restricted:
                snapshot = Progress(snapshot.elapsed, snapshot.incumbent, None, None, snapshot.stage)
            try:
                self.progress(snapshot)
            except Exception as exc:  # noqa: BLE001 — the caller's function, not the solver: the solve goes on
                # it ran inside HiGHS's callback, so the run failed as "HiGHS failed: 'mine'"
                # and lost its plan; now it is named, switched off, and the plan kept
                logger.warning(
                    "the progress function raised %s: %s — no more progress reports in this run, the solve goes on",
                    type(exc).__name__,
                    exc,
                )
                self.progress = None


class SolverLog:
    """The run's solver log (`--log FILE`, `-v`): HiGHS's lines from this process and, in
    the order they come back, those of HiGHS's whole-model jobs on the engine's workers
    (the portfolio's branch-and-bound, the root node). HiGHS wrote the file itself before,
    and the job that decided a portfolio run left nothing in it; a second writer beside
    HiGHS's own file handle would have been overwritten, so every line now comes through
    here (HiGHS's logging callback)."""

    def __init__(self, path: str | None, echo: bool):
        self.path = path
        self.echo = echo
        if path:
            try:  # appended to, as HiGHS's own log file was: a sweep's solvers and processes share it
                open(path, "a", encoding="utf-8").close()
            except OSError as exc:
                raise SolverError(f"cannot write the solver log {path}: {exc.strerror or exc}") from None

    def write(self, text: str) -> None:
        if self.path:  # opened for each write: a run stopped by Ctrl-C or a crash keeps its log
            with open(self.path, "a", encoding="utf-8") as log:
                log.write(text)
        if self.echo:
            sys.stdout.write(text)
            sys.stdout.flush()


class _Backend:
    name = ""
    version = ""
    automatic_options = ""  # what capopt chose for this model, e.g. the root LP method

    def prepare(self) -> None:
        """Hand the model over if not done yet (persistent backends only)."""

    def nonzeros(self) -> int | None:
        return None

    def nodes(self) -> int | None:
        """Branch-and-bound nodes of the last solve (None: the backend does not say)."""
        return None

    def set_highs_option(self, name: str, value: bool | float | str) -> None:
        """Only the HiGHS backend has HiGHS options."""

    def coefficients(self, expr: object) -> tuple[np.ndarray, float] | None:
        """`expr` as (coefficient per column, in the order solutions are recorded; constant);
        None for a backend without columns of its own (nothing is then recorded either)."""
        return None

    def load_vector(self, values: np.ndarray) -> None:
        raise NotImplementedError

    def solution_vector(self) -> np.ndarray | None:
        return None

    def solve(self, time_limit: float, gap: float, warm_start: bool, known_bound: float | None) -> SolveOutcome:
        raise NotImplementedError


class _HighsBackend(_Backend):
    """HiGHS through highspy directly (optimizer.solve.highs_model keeps it in step with Pyomo).

    Our interrupt and progress callbacks sit on the highspy object. Nothing is written to
    files unless the user asked for a solver log.
    """

    def __init__(self, owner: PersistentSolver):
        try:
            import highspy
        except ImportError as exc:  # pragma: no cover - highspy is a core dependency
            raise SolverError("HiGHS (highspy) is not installed: pip install highspy") from exc
        self.owner = owner
        self.name = "highs"
        self.highs = highspy.Highs()
        self.version = self.highs.version()
        self.mirror: HighsModel | None = None
        self._groups: ColumnGroups | None = None  # the engine's column groups, read once per model shape
        self._lp_basis: highspy.HighsBasis | None = None  # the engine's last optimal LP basis
        self._plans: list[np.ndarray] = []  # the engine's last plans, guides for the next solves
        self._options_set: dict[str, bool | float | str] = {}  # set_highs_option's, for a fresh HiGHS object
        self._heard = 0.0  # when HiGHS last called back (see _silent)
        self._configure()

    def _configure(self) -> None:
        import highspy

        options = self.owner.options
        highs = self.highs
        self.log = SolverLog(options.log_file, options.stream_log) if options.log_file or options.stream_log else None
        highs.setOptionValue("output_flag", self.log is not None)
        highs.setOptionValue("log_to_console", False)
        if self.log is not None:
            highs.cbLogging += self._on_log
        highs.setOptionValue("random_seed", options.seed)
        highs.setOptionValue("mip_detect_symmetry", True)
        if options.threads:
            highs.setOptionValue("threads", options.threads)
        for name, value in options.highs_options:
            if highs.setOptionValue(name, value) != highspy.HighsStatus.kOk:
                raise SolverError(f"HiGHS refused {name}={value}: {_option_expectation(highs, name)}")
        for event in interrupt_events(highs):
            event += self._on_interrupt_check
        highs.cbMipImprovingSolution += self._on_progress
        highs.cbMipImprovingSolution += self._on_improving
        highs.cbMipLogging += self._on_progress

    def _on_log(self, event: highspy.HighsCallbackEvent) -> None:
        self.log.write(event.message)  # type: ignore[union-attr]

    def _on_improving(self, event: highspy.HighsCallbackEvent) -> None:
        pool = self.owner.improving_solutions
        if pool.limit:
            pool.add(np.array(event.data_out.mip_solution, dtype=float))

    def _on_interrupt_check(self, event: highspy.HighsCallbackEvent) -> None:
        """HiGHS is alive: stop it if asked, else report progress and mute the check until the
        waiting thread listens again (optimizer.solve.highs_thread: sampled checks). A check
        that interrupts stays on, for HiGHS to read the flag on its way out."""
        self._heard = time.monotonic()
        if self.owner.should_stop():
            event.interrupt()
            return
        self._on_progress(event)
        mute(self.highs, event)

    def _on_progress(self, event: highspy.HighsCallbackEvent) -> None:
        out = event.data_out
        incumbent = out.mip_primal_bound if abs(out.mip_primal_bound) < 1e30 else None
        bound = out.mip_dual_bound if abs(out.mip_dual_bound) < 1e30 else None
        self.owner.report(
            Progress(out.running_time, incumbent, bound, relative_gap(incumbent, bound), self.owner.stage)
        )

    def set_highs_option(self, name: str, value: bool | float | str) -> None:
        self.highs.setOptionValue(name, value)
        self._options_set[name] = value

    def coefficients(self, expr: object) -> tuple[np.ndarray, float] | None:
        self.prepare()
        assert self.mirror is not None
        return self.mirror.coefficients(expr)

    def load_vector(self, values: np.ndarray) -> None:
        assert self.mirror is not None
        self.mirror.set_values(values, round_integers=True)

    def solution_vector(self) -> np.ndarray | None:
        return None if self.mirror is None else self.mirror.solution

    def prepare(self) -> None:
        """Hand the model over on the first call, send only the changes afterwards."""
        from pyomo.common.gc_manager import PauseGC

        with PauseGC():  # the hand-off allocates many small objects; GC passes only slow it down
            if self.mirror is None:
                self.mirror = HighsModel(self.owner.model, self.highs)
                self._choose_root_lp()
                self._guard_small_presolve()
            else:
                self.mirror.sync(parameters_only=self.owner.parameters_only)

    def nonzeros(self) -> int | None:
        return int(self.highs.getNumNz())

    def nodes(self) -> int | None:
        return max(int(self.highs.getInfo().mip_node_count), 0)

    def _user_chose(self, option: str) -> bool:
        """Whether the user set this HiGHS option (`--highs-option`): capopt's own choice yields."""
        return any(name == option for name, _ in self.owner.options.highs_options)

    def _guard_small_presolve(self) -> None:
        """The aggregator off on small models (optimizer.solve.highs_quirks), unless the
        user set `presolve_rule_off`; recorded with the other automatic choices."""
        if self._user_chose("presolve_rule_off"):
            return
        columns = self.highs.getNumCol()
        if aggregator_off(columns):
            self.highs.setOptionValue("presolve_rule_off", AGGREGATOR_RULE)
            choice = f"presolve_rule_off={AGGREGATOR_RULE} (automatic: {columns:,} columns)"
            self.automatic_options = ", ".join(filter(None, [self.automatic_options, choice]))

    def _choose_root_lp(self) -> None:
        """Interior point for the root LP of large models (see IPM_ROOT_FROM_NONZEROS),
        unless the user set `mip_lp_solver`; the choice is recorded for the Summary."""
        if self._user_chose("mip_lp_solver"):
            return
        nonzeros = self.highs.getNumNz()
        if nonzeros >= IPM_ROOT_FROM_NONZEROS:
            self.highs.setOptionValue("mip_lp_solver", "ipm")
            self.automatic_options = f"mip_lp_solver=ipm (automatic: {nonzeros:,} non-zeros)"

    def solve(self, time_limit: float, gap: float, warm_start: bool, known_bound: float | None) -> SolveOutcome:
        import highspy

        if self.mirror is None:  # PersistentSolver.solve has synced it already
            self.prepare()
        assert self.mirror is not None
        self.mirror.solution = None  # set again only by this solve's own plan (load_solution)
        objective = active_objective(self.owner.model)
        maximise = objective.sense == pyo.maximize
        strategy = self.owner.strategy()
        engine = strategy in ("rens", "lns", "portfolio")
        # set before every solve, the engine's too: a target left from an earlier solve would
        # stop its HiGHS runs early
        known_bound = self._set_target(None if engine else known_bound, gap, maximise)
        if engine:
            return self._solve_with_engine(
                time_limit, gap, warm_start, neighbourhoods=strategy != "rens", branch_and_bound=strategy == "portfolio"
            )
        highs = self.highs
        highs.setOptionValue("time_limit", float(time_limit))
        highs.setOptionValue("mip_rel_gap", float(gap))
        if warm_start:
            self.mirror.mip_start()
        started = time.monotonic()
        try:
            finished = self._run_watched()
        except Exception as exc:  # pragma: no cover - solver internals
            raise SolverError(f"HiGHS failed: {exc}") from exc
        if not finished:
            return self._after_hang(time_limit, gap, warm_start, started, known_bound)
        if doubtful_verdict(highs) and not self._confirmed_without_presolve(
            time_limit - (time.monotonic() - started), warm_start
        ):
            return self._after_hang(time_limit, gap, warm_start, started, known_bound)
        seconds = time.monotonic() - started
        model_status = highs.getModelStatus()
        info = highs.getInfo()
        termination = highs.modelStatusToString(model_status)
        if INTERRUPT.is_set():
            termination = "interrupted"
        elif model_status == highspy.HighsModelStatus.kInterrupt:
            termination = "time limit (watchdog)"
        if model_status == highspy.HighsModelStatus.kModelEmpty:
            # nothing can be funded at all: the empty plan is the (only, optimal) plan
            value = pyo.value(objective)
            return SolveOutcome("optimal", termination, value, value, 0.0, seconds)
        status = _status(model_status, info.primal_solution_status == 2)  # 2: kSolutionStatusFeasible
        objective_value = bound = None
        if status in ("optimal", "feasible"):
            self.mirror.load_solution()
            objective_value = self.mirror.objective_value()
            is_mip = info.mip_node_count >= 0
            bound = info.mip_dual_bound if is_mip else info.objective_function_value
            if status == "optimal" and not is_mip:
                bound = objective_value
            reached = model_status == highspy.HighsModelStatus.kObjectiveTarget
            if reached and known_bound is not None and _within_known_bound(objective_value, known_bound, maximise):
                status, bound, termination = "optimal", known_bound, REACHED_KNOWN_BOUND
        return SolveOutcome(status, termination, objective_value, bound, relative_gap(objective_value, bound), seconds)

    def _set_target(self, known_bound: float | None, gap: float, maximise: bool) -> float | None:
        """HiGHS's `objective_target` for this solve: the known bound's (`target_of`), or none
        (-inf, HiGHS's default). A target the user set stays, and the known bound is then
        dropped (returned None): a solve the user's target stopped proves nothing."""
        if self._user_chose("objective_target"):
            return None
        target = -math.inf if known_bound is None else target_of(known_bound, gap, maximise)
        self.highs.setOptionValue("objective_target", target)
        return known_bound

    def _silent(self) -> bool:
        """Whether HiGHS has not called back for PRESOLVE_STALL_SECONDS: on a small model
        (the only kind its presolve was seen to loop on), whose presolve takes milliseconds
        and whose solve calls back many times a second, that is a hang where nothing calls
        back (optimizer.solve.highs_thread). Past the watchdog's deadline a second of
        silence is enough: the limit is the planner's. Large models are never given up: a
        phase without callbacks there (a crossover) ends, late, on its own."""
        now = time.monotonic()
        return now - self._heard > (1.0 if now > self.owner._deadline else PRESOLVE_STALL_SECONDS)

    def _run_watched(self) -> bool:
        """`self.highs.run()` on the HiGHS thread; False if it hung (`_silent`) and was
        replaced by a fresh object without presolve (`_replace_hung`)."""
        highs, threads = self.highs, self.owner.options.threads
        small = aggregator_off(highs.getNumCol())
        self._heard = time.monotonic()
        if HIGHS_THREAD.run(
            lambda: (match_thread_pool(threads), highs.run()),  # type: ignore[func-returns-value]  # both, in turn
            lambda: small and self._silent(),
            highs,
            lambda: listen(highs),
        ):
            return True
        self._replace_hung()
        return False

    def _confirmed_without_presolve(self, left: float, warm_start: bool) -> bool:
        """Solve again without presolve, in the time left, a verdict HiGHS's presolve may have
        got wrong (highs_quirks.doubtful_verdict); the model keeps its presolve setting for
        later solves. False if that solve hung (and HiGHS was replaced)."""
        highs = self.highs
        logger.info(
            "HiGHS's presolve answered %s on this %d-column model: checking it without presolve",
            highs.modelStatusToString(highs.getModelStatus()),
            highs.getNumCol(),
        )
        presolve = highs.getOptionValue("presolve")[1]
        highs.setOptionValue("presolve", "off")
        highs.setOptionValue("time_limit", max(float(left), 0.01))
        if warm_start:
            assert self.mirror is not None
            self.mirror.mip_start()
        try:
            return self._run_watched()
        finally:
            if self.highs is highs:  # not replaced by a hang
                highs.setOptionValue("presolve", presolve)

    def _after_hang(
        self, time_limit: float, gap: float, warm_start: bool, started: float, known_bound: float | None
    ) -> SolveOutcome:
        """Solve again, in the time left, on the fresh HiGHS object without presolve (the
        hangs seen were all in presolve). With no time left, the solve had no plan. (The
        start plan is still in the model's variables: nothing was loaded from the hung run.)"""
        left = time_limit - (time.monotonic() - started)
        if left <= 0:
            return SolveOutcome(
                "no_solution", "time limit (HiGHS hung in presolve)", None, None, None, time.monotonic() - started
            )
        outcome = self.solve(left, gap, warm_start, known_bound)
        return replace(outcome, seconds=time.monotonic() - started)

    def _replace_hung(self) -> None:
        """Give the hung HiGHS object up for a fresh one with presolve off; every later solve
        of this model runs without presolve too."""
        hung = self.highs
        logger.warning(
            "HiGHS stopped responding on this model (%d columns; its presolve is known to loop on "
            "some small models): solving it again without presolve",
            hung.getNumCol(),
        )
        import highspy

        self.highs = highspy.Highs()  # (the thread cleared the hung one's callbacks)
        self._configure()
        for name, value in self._options_set.items():
            self.highs.setOptionValue(name, value)
        self.highs.setOptionValue("presolve", "off")
        kept, self.mirror = self.automatic_options, None
        self.prepare()  # sets the automatic options on the fresh object; they are recorded already
        note = "presolve=off (automatic: HiGHS's presolve hung on this model)"
        self.automatic_options = ", ".join(filter(None, [kept, note]))

    def _solve_with_engine(
        self, time_limit: float, gap: float, warm_start: bool, neighbourhoods: bool, branch_and_bound: bool = False
    ) -> SolveOutcome:
        """The LP-guided engine (optimizer.solve.engine), then HiGHS from its plan if time is left.

        The engine stops early when no neighbourhood improves; the rest of the time goes to
        HiGHS's own search on the full model, started from the engine's plan, whose bound
        may be sharper than the LP's. The better plan and the tighter bound are kept."""
        from optimizer.solve.engine.engine import Engine
        from optimizer.solve.engine.neighbourhoods import column_groups
        from optimizer.solve.engine.problem import MipArrays

        assert self.mirror is not None
        owner = self.owner
        started = time.monotonic()
        objective = active_objective(owner.model)
        arrays = MipArrays.from_highs(self.highs)
        if self._groups is None or len(self._groups.nation) != arrays.columns:
            self._groups = column_groups(self.mirror.columns)
        start = (
            np.array([0.0 if v.value is None else float(v.value) for v in self.mirror.columns]) if warm_start else None
        )
        match_thread_pool(owner.options.threads)

        def progress(report: object, phase: str) -> None:
            stage = f"{owner.stage} · {phase}".strip(" ·")
            owner.report(Progress(time.monotonic() - started, report.objective, report.bound, report.gap, stage))  # type: ignore[attr-defined]

        engine = Engine(
            arrays,
            self._groups,
            owner.engine_pool(),
            owner.options.seed,
            owner.options.threads,
            progress,
            owner.should_stop,
            self._lp_basis,
            owner.options.highs_options,
            guides=tuple(self._plans),
            solver_log=None if self.log is None else self.log.write,
        )
        if self.log is not None:  # which stage the engine's lines and the workers' sections belong to
            self.log.write(f"\n=== {owner.stage or 'solve'}: the engine ===\n")
        report = engine.solve(time_limit, gap, start, neighbourhoods, branch_and_bound)
        self._lp_basis = engine.basis  # the next stage or sweep point starts its LP from it
        if report.x is not None:  # the next stages and sweep points may cross their starts with it
            kept = [*self._plans, report.x]
            self._plans = kept[max(0, len(kept) - GUIDE_PLANS) :]
        owner.last_engine = report
        x, value, bound, source = report.x, report.objective, report.bound, report.bound_source
        if report.status == "infeasible":
            return SolveOutcome("infeasible", "engine: infeasible", None, None, None, report.seconds, source)
        remaining = time_limit - (time.monotonic() - started)
        stalled = report.stopped_by in ("no neighbourhood improves", "RENS done")
        # no plan at all (RENS infeasible, no start): HiGHS's own search gets the time left
        planless = x is None and not INTERRUPT.is_set()
        then = ""  # what HiGHS's own search, given the time left, ended with
        if (planless or (report.status == "feasible" and stalled)) and remaining >= 1.0:
            x, value, bound, source = self._finish_with_highs(x, value, bound, source, remaining, gap, arrays.maximise)
            # "engine: RENS done" alone hid that HiGHS then ran to the time limit
            then = f", then HiGHS: {self.highs.modelStatusToString(self.highs.getModelStatus())}"
        seconds = time.monotonic() - started
        if x is None and then and self._proven_infeasible(time_limit - seconds):
            # the LP had fractional plans, so the engine found none; HiGHS's search proved there
            # is no whole one: that is infeasible inputs (exit 4 with a diagnosis), not the time
            # limit (exit 6, "raise --time-limit")
            return SolveOutcome(
                "infeasible", f"engine: {report.stopped_by}{then}", None, None, None, time.monotonic() - started, source
            )
        if x is None:
            termination = "interrupted" if INTERRUPT.is_set() else f"engine: {report.stopped_by}{then}"
            return SolveOutcome("no_solution", termination, None, bound, None, seconds, source)
        self.mirror.set_values(x, round_integers=True)
        objective_value = float(pyo.value(objective))
        achieved = relative_gap(objective_value, bound)
        status: Status = "optimal" if gap_met(achieved, gap) else "feasible"
        termination = "interrupted" if INTERRUPT.is_set() else f"engine: {report.stopped_by}{then}"
        if not report.reproducible:  # the clock cut a search short: another run may differ
            termination += " (timing-dependent)"
        return SolveOutcome(status, termination, objective_value, bound, achieved, seconds, source)

    def _proven_infeasible(self, left: float) -> bool:
        """Whether HiGHS's last search proved the model infeasible, a verdict its presolve may
        have got wrong on a small model checked again without presolve (doubtful_verdict)."""
        import highspy

        if INTERRUPT.is_set() or self.highs.getModelStatus() != highspy.HighsModelStatus.kInfeasible:
            return False
        if doubtful_verdict(self.highs) and not self._confirmed_without_presolve(left, False):
            return False
        return self.highs.getModelStatus() == highspy.HighsModelStatus.kInfeasible

    def _finish_with_highs(
        self,
        x: np.ndarray | None,
        value: float | None,
        bound: float | None,
        source: str,
        seconds: float,
        gap: float,
        maximise: bool,
    ) -> tuple[np.ndarray | None, float | None, float | None, str]:
        """HiGHS's branch-and-bound on the full model for `seconds`, from the engine's plan
        when it has one."""
        assert self.mirror is not None
        if x is not None:
            self.mirror.set_values(x, round_integers=True)
            self.mirror.mip_start()
        self.highs.setOptionValue("time_limit", float(seconds))
        self.highs.setOptionValue("mip_rel_gap", float(gap))
        if not self._run_watched():  # hung, and replaced: the engine's plan and bound stand
            return x, value, bound, source
        info = self.highs.getInfo()
        if info.primal_solution_status == 2:
            found = float(info.objective_function_value)
            if value is None or ((found > value) if maximise else (found < value)):
                x, value = np.array(self.highs.getSolution().col_value, dtype=float), found
        dual = info.mip_dual_bound
        if abs(dual) < 1e30 and (bound is None or ((dual < bound) if maximise else (dual > bound))):
            bound, source = float(dual), "branch-and-bound"
        return x, value, bound, source


def target_of(known_bound: float, gap: float, maximise: bool) -> float:
    """HiGHS's `objective_target` for a solve whose optimum is known to be at most (maximise)
    or at least `known_bound`: HiGHS stops at the first plan strictly past the target, which
    is then within `gap` of the bound (relative, as HiGHS measures its own gap, and at least
    a billionth so that a plan on the bound itself counts)."""
    slack = max(gap, 1e-9) * max(abs(known_bound), 1.0)
    return known_bound - slack if maximise else known_bound + slack


def _within_known_bound(objective: float, known_bound: float, maximise: bool) -> bool:
    """Whether a plan HiGHS stopped at, at its objective target, does not go past the bound
    the caller gave as proven: then it is optimal, with that bound. A plan past it means the
    bound was none, and the plan stays unproven."""
    tolerance = 1e-9 * max(abs(known_bound), 1.0)
    past = objective > known_bound + tolerance if maximise else objective < known_bound - tolerance
    if past:
        logger.warning(
            "a plan of value %s went past the bound %s given as proven: left unproven", objective, known_bound
        )
    return not past


def _status(model_status: object, has_primal: bool) -> Status:
    """Our status for a HiGHS model status: a plan in hand is 'feasible' whatever stopped it."""
    import highspy

    kind = highspy.HighsModelStatus
    if model_status == kind.kOptimal:
        return "optimal"
    if model_status in (kind.kInfeasible, kind.kUnboundedOrInfeasible):
        return "infeasible"
    if has_primal:
        return "feasible"
    if model_status in (kind.kTimeLimit, kind.kInterrupt, kind.kIterationLimit, kind.kSolutionLimit):
        return "no_solution"
    return "error"


class _GenericBackend(_Backend):
    """Any MIP solver Pyomo can drive (cbc, gurobi, glpk, …) through SolverFactory.

    Not persistent: the model is written out on every call. The time limit is passed in
    the solver's own option name; a solver that ignores it cannot be stopped early here.
    """

    TIME_OPTION: ClassVar[dict[str, str]] = {
        "cbc": "seconds",
        "gurobi": "TimeLimit",
        "glpk": "tmlim",
        "cplex": "timelimit",
        "scip": "limits/time",
    }
    GAP_OPTION: ClassVar[dict[str, str]] = {
        "cbc": "ratioGap",
        "gurobi": "MIPGap",
        "glpk": "mipgap",
        "cplex": "mipgap",
        "scip": "limits/gap",
    }
    THREAD_OPTION: ClassVar[dict[str, str]] = {"cbc": "threads", "gurobi": "Threads", "cplex": "threads"}

    def __init__(self, owner: PersistentSolver):
        self.owner = owner
        self.name = owner.options.solver.lower()
        if owner.options.highs_options:
            raise SolverError(
                f"HiGHS options were given but the solver is '{self.name}' — use --solver highs "
                "(solver='highs' in Python)"
            )
        with _pyomo_logs_to_debug():
            try:
                self.solver = pyo.SolverFactory(self.name)
                available = bool(self.solver.available(exception_flag=False))
            except Exception:  # noqa: BLE001  # pragma: no cover - depends on what is installed
                available = False
        if not available:
            raise SolverError(
                f"solver '{self.name}' is not available on this machine — install it or use --solver highs "
                "(solver='highs' in Python)"
            )
        try:
            self.version = ".".join(str(v) for v in self.solver.version())
        except Exception:  # noqa: BLE001 — the version is only shown  # pragma: no cover
            self.version = "unknown"

    def solve(self, time_limit: float, gap: float, warm_start: bool, known_bound: float | None) -> SolveOutcome:
        from pyomo.opt import SolverStatus
        from pyomo.opt import TerminationCondition as TC

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
            objective = pyo.value(active_objective(self.owner.model))
            lower = getattr(results.problem, "lower_bound", None)
            upper = getattr(results.problem, "upper_bound", None)
            sense_max = active_objective(self.owner.model).sense == pyo.maximize
            raw = upper if sense_max else lower
            bound = float(raw) if raw is not None and math.isfinite(float(raw)) else None
        return SolveOutcome(status, str(tc), objective, bound, relative_gap(objective, bound), seconds)


# Pyomo's loggers that speak while a solver is looked for by name
PYOMO_SOLVER_LOGGERS = ("pyomo.opt", "pyomo.solvers")


@contextmanager
def _pyomo_logs_to_debug() -> Iterator[None]:
    """Hold back what Pyomo logs while it looks for a solver, then pass it on at debug level.

    A name Pyomo does not know (a misspelt `--solver higs`) is looked for as an AMPL
    executable, and Pyomo logs the failure as a warning with a full traceback; our
    SolverError already says it in one line, so the terminal gets only that line and `-vv`
    still shows Pyomo's own account."""
    held: list[logging.LogRecord] = []

    class Hold(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            held.append(record)

    handler = Hold()
    pyomo_loggers = [logging.getLogger(name) for name in PYOMO_SOLVER_LOGGERS]
    propagate = [pyomo_logger.propagate for pyomo_logger in pyomo_loggers]
    for pyomo_logger in pyomo_loggers:
        pyomo_logger.addHandler(handler)
        pyomo_logger.propagate = False
    try:
        yield
    finally:
        for pyomo_logger, before in zip(pyomo_loggers, propagate):
            pyomo_logger.removeHandler(handler)
            pyomo_logger.propagate = before
        for record in held:
            logger.debug("%s: %s", record.name, record.getMessage(), exc_info=record.exc_info)


def active_objective(model: pyo.ConcreteModel) -> pyo.Objective:
    """The model's single active objective (every solve optimises exactly one)."""
    objectives = list(model.component_data_objects(pyo.Objective, active=True))
    if len(objectives) != 1:
        raise SolverError(f"expected one active objective, found {len(objectives)}")
    return objectives[0]
