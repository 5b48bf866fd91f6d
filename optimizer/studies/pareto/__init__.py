"""Exact Pareto fronts by the augmented ε-constraint method (AUGMECON2 + AUGMECON-R flags).

All objectives are handled in "maximise" space (a minimised objective is negated), so the
grid, slacks and dominance tests read the same for every objective. One model is built
and handed to a persistent solver once (once per worker process when the grid is shared,
see `_run_segments`); each grid point changes only the ε right-hand sides (mutable
parameters) and re-solves, starting from the best plan the solver reported at any earlier
point that meets the new levels (`_start_from_pool`).

Redundant grid points are never solved:
* bypass (AUGMECON2) — a solution whose constrained objective k exceeds its ε by slack s_k
  is also optimal for the next ⌊s_k/step_k⌋ grid levels of k;
* flags (AUGMECON-R) — the same holds jointly for every constrained objective, so a whole
  box of the grid is flagged; and an infeasible point makes every point at least as
  demanding in all objectives infeasible too (early exit, generalised).
A point whose subproblem ran out of time is reported as not proven and triggers no skip:
an unproven point is never mistaken for infeasibility.
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
import multiprocessing
from functools import cached_property
import math
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterator, Mapping, Sequence

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from data.tables import Inputs, PlanDecisions, objective_sense
from models import build_model, extract_decisions, set_start
from optimizer.errors import InfeasibleError, SolverError
from optimizer.checks.evaluate import Evaluation, evaluate, objective_values
from optimizer.solve.objectives import hold_within_tolerance, release_holds, set_objective
from optimizer.solve.solver import INTERRUPT, PersistentSolver, SolveOutcome, SolverOptions, catch_ctrl_c

logger = logging.getLogger(__name__)

PAYOFF_GAP = 1e-6  # payoff-table optima fix the grid's range: solve them (almost) exactly
GRID_GAP = 1e-4  # HiGHS's own default, for grid mode
AUGMENTATION_EPSILON = 1e-3  # weight of the slack term; < one unit of an integer primary
DOMINANCE_TOLERANCE = 1e-6
# improving plans kept from earlier grid points as starts for later ones (see _start_from_pool):
# at most 1000, and at most 2 million numbers in all (16 MB), so a large model keeps fewer
POOL_SIZE = 1000
POOL_NUMBERS = 2_000_000


@dataclass
class ParetoProgress:
    """Counts for a progress bar."""

    grid_total: int
    done: int = 0  # grid points visited (solved + skipped)
    solved: int = 0
    skipped: int = 0
    infeasible: int = 0
    unproven: int = 0
    found: int = 0
    phase: str = "payoff table"


ParetoProgressFn = Callable[[ParetoProgress], None]


@dataclass(frozen=True)
class FrontPoint:
    """One plan found on the way; its full evaluation (tables) is computed only when asked,
    since most plans a grid finds turn out dominated or duplicated."""

    decisions: PlanDecisions
    objectives: dict[str, float]
    proven: bool
    gap: float | None
    grid_index: tuple[int, ...]
    inputs: Inputs = field(repr=False, compare=False)

    @cached_property
    def evaluation(self) -> Evaluation:
        return evaluate(self.inputs, self.decisions)


@dataclass
class Front:
    """The non-dominated plans found, with the payoff table and run statistics."""

    inputs: Inputs
    objectives: tuple[str, ...]
    points_found: list[FrontPoint]
    payoff: pd.DataFrame
    grid: dict[str, list[float]]
    stats: ParetoProgress
    complete: bool
    seconds: float
    solver: str = "highs"
    solver_version: str = ""
    exact: bool = False
    notes: list[str] = field(default_factory=list)
    solver_seconds: float = 0.0  # of `seconds`, the time spent inside the MIP solver (all processes)
    workers: int = 1  # processes that shared the grid
    solver_options: str = ""  # HiGHS options chosen for this model (see PersistentSolver.describe_options)

    @property
    def points(self) -> pd.DataFrame:
        """One row per plan: point, the chosen objectives, the others, gap, proven."""
        others = [n for n in self.inputs.objective_names() if n not in self.objectives]
        rows = []
        for i, pt in enumerate(self.points_found, start=1):
            obj = pt.objectives
            rows.append(
                {"point": i, **{n: obj[n] for n in self.objectives}, **{n: obj[n] for n in others},
                 "gap": pt.gap, "proven": pt.proven}
            )
        return pd.DataFrame(rows, columns=["point", *self.objectives, *others, "gap", "proven"])

    @property
    def plans(self) -> list[pd.DataFrame]:
        return [pt.evaluation.plan for pt in self.points_found]

    def point_tables(self) -> dict[str, pd.DataFrame]:
        """Plan, Spend, … of every point, stacked, each beginning with a `point` column."""
        names = ["plan", "spend", "standards", "capability", "contributions"]
        out: dict[str, pd.DataFrame] = {}
        for name in names:
            frames = []
            for i, pt in enumerate(self.points_found, start=1):
                df = getattr(pt.evaluation, name).copy()
                df.insert(0, "point", i)
                frames.append(df)
            out[name] = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["point"])
        return out

    @property
    def core_index(self) -> pd.DataFrame:
        """Share of front plans funding each (nation, programme): 1.0 = in every efficient plan."""
        counts: dict[tuple[str, str], int] = {}
        for pt in self.points_found:
            for key in pt.decisions.funded():
                counts[key] = counts.get(key, 0) + 1
        total = max(len(self.points_found), 1)
        rows = [{"nation": n, "programme": p, "plans": c, "share": c / total} for (n, p), c in counts.items()]
        df = pd.DataFrame(rows, columns=["nation", "programme", "plans", "share"])
        return df.sort_values(["share", "nation", "programme"], ascending=[False, True, True], ignore_index=True)

    def vectors(self) -> list[tuple[float, ...]]:
        """The chosen objectives of each point (in their own sense), for comparisons."""
        return [tuple(pt.objectives[n] for n in self.objectives) for pt in self.points_found]

    def summary_rows(self) -> list[tuple[str, object]]:
        from optimizer.result import tool_version

        source = self.inputs.source
        rows: list[tuple[str, object]] = [
            ("status", "optimal" if self.complete and self.stats.unproven == 0 else "feasible"),
            ("termination", "complete" if self.complete else "stopped early (time limit or interrupt)"),
            ("objective", "pareto"),
        ]
        if self.points_found:
            first = self.points_found[0].objectives
            rows += [(n, float(first[n])) for n in self.inputs.objective_names()]
            rows += [("best_bound", None), ("gap", self.points_found[0].gap)]
        rows += [
            ("pareto_objectives", ", ".join(self.objectives)),
            ("pareto_mode", "exact" if self.exact else "grid"),
            ("points", len(self.points_found)),
            ("grid_points", self.stats.grid_total),
            ("solved", self.stats.solved),
            ("skipped", self.stats.skipped),
            ("infeasible_points", self.stats.infeasible),
            ("unproven_points", self.stats.unproven),
            ("solve_seconds", round(self.seconds, 3)),
            ("seconds_in_solver", round(self.solver_seconds, 3)),
            ("workers", self.workers),
            ("solver", self.solver),
            ("solver_version", self.solver_version),
        ]
        if self.solver_options:
            rows.append(("solver_options", self.solver_options))
        rows += [
            ("input_sha256", source.sha256 if source else ""),
            ("tool_version", tool_version()),
            ("created_at", pd.Timestamp.now(tz="UTC").floor("s").isoformat()),
        ]
        rows += [("note", n) for n in self.notes]
        return rows

    def to_excel(self, path: str | Path) -> Path:
        """Verify every point's plan, then write the front workbook atomically."""
        from data.report import write_front_workbook
        from optimizer.checks.verify import assert_valid

        for pt in self.points_found:
            assert_valid(self.inputs, pt.decisions, pt.objectives)
        return write_front_workbook(
            path, self.summary_rows(), self.points, self.payoff, self.core_index, self.point_tables(),
            list(self.inputs.years), list(self.objectives),
        )

    def plot(self, path: str | Path) -> Path:
        """A PNG of the front (first two objectives); needs the optional matplotlib extra."""
        try:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError as exc:  # pragma: no cover - depends on extras
            raise SolverError("plotting needs matplotlib: pip install 'capopt[plot]'") from exc
        df = self.points
        x, y = self.objectives[0], self.objectives[1]
        fig, ax = plt.subplots(figsize=(7, 5))
        proven = df[df["proven"]]
        ax.scatter(proven[x], proven[y], label="proven", color="#1f4e78")
        unproven = df[~df["proven"]]
        if not unproven.empty:
            ax.scatter(unproven[x], unproven[y], label="not proven", color="#c55a11", marker="x")
        ax.set_xlabel(x)
        ax.set_ylabel(y)
        ax.set_title(f"Pareto front: {len(df)} non-dominated plans")
        ax.grid(True, alpha=0.3)
        ax.legend()
        fig.tight_layout()
        target = Path(path)
        fig.savefig(target, dpi=120)
        plt.close(fig)
        return target


# --- the algorithm -------------------------------------------------------------------
def _sign(name: str) -> int:
    return 1 if objective_sense(name) == "max" else -1


def _payoff_table(
    m: pyo.ConcreteModel,
    inputs: Inputs,
    solver: PersistentSolver,
    objectives: Sequence[str],
    deadline: float,
    per_point: float,
) -> tuple[np.ndarray, list[PlanDecisions]]:
    """Row i: lexicographic optimum of objective i, then of the others in the given order
    (tolerance 0), in maximise space."""
    p = len(objectives)
    table = np.zeros((p, p))
    plans: list[PlanDecisions] = []
    for i in range(p):
        order = [objectives[i]] + [o for j, o in enumerate(objectives) if j != i]
        for k, name in enumerate(order):
            solver.stage = f"payoff {i + 1}/{p}: {name}"
            set_objective(m, m.objective_expr[name], objective_sense(name))
            limit = min(per_point, deadline - time.monotonic())
            out = solver.solve(max(limit, 0.0), PAYOFF_GAP, warm_start=k > 0)
            if out.status == "infeasible":
                release_holds(m)
                raise InfeasibleError("No plan satisfies the inputs, so there is no front.")
            if not out.has_solution:
                release_holds(m)
                raise SolverError(f"payoff table: no plan for {name} within the time limit ({out.termination})")
            if k < p - 1:
                hold_within_tolerance(m, name, float(out.objective), 0.0)
        table[i] = [_sign(o) * pyo.value(m.objective_expr[o]) for o in objectives]
        plans.append(extract_decisions(m, inputs))
        release_holds(m)
    return table, plans


def _grid(
    table: np.ndarray, objectives: Sequence[str], points: int, exact: bool, nadir: Mapping[str, float] | None
) -> tuple[list[np.ndarray], list[float]]:
    """ε levels for each constrained objective (maximise space), lowest first, and steps."""
    levels, steps = [], []
    for k in range(1, len(objectives)):
        name = objectives[k]
        top = float(table[:, k].max())
        low = float(table[:, k].min())
        if nadir and name in nadir:
            low = _sign(name) * float(nadir[name])
        if exact:
            low, top = math.floor(low + 1e-9), math.floor(top + 1e-9)
            values = np.arange(low, top + 1, 1.0)
            step = 1.0
        else:
            values = np.linspace(low, top, max(points, 2)) if top > low else np.array([low])
            step = (top - low) / (max(points, 2) - 1) if top > low else 1.0
        levels.append(values)
        steps.append(step)
    return levels, steps


def _attach_epsilon_constraints(m: pyo.ConcreteModel, objectives: Sequence[str], ranges: list[float]) -> None:
    """f1 + ε·Σ 10^−(k−2)·s_k/r_k with sign_k·f_k − s_k = e_k (AUGMECON2's augmentation)."""
    constrained = list(range(1, len(objectives)))
    m.pareto_levels = pyo.Param(constrained, mutable=True, initialize=0.0)
    m.pareto_slack = pyo.Var(constrained, domain=pyo.NonNegativeReals)
    m.pareto_epsilon = pyo.Constraint(
        constrained,
        rule=lambda mm, k: _sign(objectives[k]) * mm.objective_expr[objectives[k]] - mm.pareto_slack[k]
        == mm.pareto_levels[k],
    )
    primary = objectives[0]
    augmentation = sum(
        (10.0 ** -(k - 1)) * m.pareto_slack[k] / max(ranges[k - 1], 1e-9) for k in constrained
    )
    set_objective(m, _sign(primary) * m.objective_expr[primary] + AUGMENTATION_EPSILON * augmentation, "max")


def subproblem_gap(table: np.ndarray, exact: bool) -> float:
    """The relative MIP gap each grid subproblem is solved to.

    Exact mode assumes integer-valued objectives: a relative gap g with g·|f1| ≤ 0.4 still
    proves the integer optimum of the primary objective (the slack term is < 0.01), and
    is much cheaper to reach than gap 0 (2kp50: about half the time). 0.4 rather than 0.5
    leaves room for how HiGHS normalises its gap. Grid mode uses HiGHS's default.
    """
    if not exact:
        return GRID_GAP
    return 0.4 / max(1.0, float(np.abs(table[:, 0]).max()))


def _objective_rows(
    m: pyo.ConcreteModel, persistent: PersistentSolver, objectives: Sequence[str]
) -> tuple[np.ndarray, np.ndarray] | None:
    """Each objective in maximise space as (coefficients per solver column, constant), so
    that recorded plans are evaluated by one matrix product; None if the solver records none."""
    rows = [persistent.coefficients(_sign(o) * m.objective_expr[o]) for o in objectives]
    if any(row is None for row in rows):
        return None
    return np.array([r[0] for r in rows]), np.array([r[1] for r in rows])


def _start_from_pool(
    m: pyo.ConcreteModel,
    persistent: PersistentSolver,
    objective_rows: tuple[np.ndarray, np.ndarray] | None,
    eps: list[float],
) -> bool:
    """Load, as a MIP start, the recorded plan with the best primary objective among those
    that meet every ε level.

    Every plan HiGHS reported while solving earlier grid points satisfies all the rows but
    the ε ones, so meeting the levels is all it takes to fit. They are many more than the
    points found, and often one of them is the next point's optimum or close to it
    (2kp100, single runs: 46.4 s → 37.0 s; fronts identical)."""
    if objective_rows is None:
        return False
    coefficients, constants = objective_rows
    plans = persistent.improving_solutions.matrix(coefficients.shape[1])
    if not len(plans):
        return False
    values = plans @ coefficients.T + constants
    fits = np.all(values[:, 1:] >= np.asarray(eps) - 1e-9, axis=1)
    if not fits.any():
        return False
    best = np.flatnonzero(fits)[np.argmax(values[fits, 0])]
    persistent.load_vector(plans[best])
    for k in range(1, len(eps) + 1):
        m.pareto_slack[k].set_value(max(0.0, float(values[best, k]) - eps[k - 1]))
    return True


def _start_from_best_known(
    m: pyo.ConcreteModel, found: list[FrontPoint], objectives: Sequence[str], eps: list[float]
) -> bool:
    """Load the best plan found so far that meets every ε level, as a MIP start."""
    best, best_value = None, -math.inf
    for pt in found:
        obj = pt.objectives
        if all(_sign(objectives[k]) * obj[objectives[k]] >= eps[k - 1] - 1e-9 for k in range(1, len(objectives))):
            value = _sign(objectives[0]) * obj[objectives[0]]
            if value > best_value:
                best, best_value = pt, value
    if best is None:
        return False
    set_start(m, best.decisions)
    for k in range(1, len(objectives)):
        m.pareto_slack[k].set_value(max(0.0, _sign(objectives[k]) * best.objectives[objectives[k]] - eps[k - 1]))
    return True


def _dominates(a: Sequence[float], b: Sequence[float], tol: float) -> bool:
    return all(x >= y - tol for x, y in zip(a, b)) and any(x > y + tol for x, y in zip(a, b))


def non_dominated(points: list[FrontPoint], objectives: Sequence[str]) -> list[FrontPoint]:
    """Drop dominated and duplicate points (maximise space), best primary first."""
    def vec(pt: FrontPoint) -> tuple[float, ...]:
        return tuple(_sign(n) * pt.objectives[n] for n in objectives)

    def tol_for(v: Sequence[float]) -> float:
        return DOMINANCE_TOLERANCE * max(1.0, max(abs(x) for x in v))

    ordered = sorted(points, key=lambda pt: (tuple(-x for x in vec(pt)), not pt.proven))
    kept: list[FrontPoint] = []
    for pt in ordered:
        v = vec(pt)
        tol = tol_for(v)
        if any(_dominates(vec(k), v, tol) or all(abs(x - y) <= tol for x, y in zip(vec(k), v)) for k in kept):
            continue
        kept = [k for k in kept if not _dominates(v, vec(k), tol)]
        kept.append(pt)
    return sorted(kept, key=lambda pt: tuple(-x for x in vec(pt)))


def pareto_front(
    inputs: Inputs,
    objectives: Sequence[str],
    points: int = 10,
    exact: bool = False,
    nadir: Mapping[str, float] | None = None,
    time_limit: float = 3600.0,
    point_time_limit: float | None = None,
    threads: int | None = None,
    solver: str = "highs",
    progress: ParetoProgressFn | None = None,
    workers: int = 1,
) -> Front:
    """AUGMECON2 with AUGMECON-R flags over one persistent model (see module docstring).

    `workers` > 1 splits the grid into segments solved by this process and `workers` − 1
    spawned ones (see `_run_segments`); the payoff table is always solved here first.
    """
    if len(objectives) < 2:
        raise ValueError("a Pareto front needs at least two objectives")
    started = time.monotonic()
    deadline = started + time_limit
    notes: list[str] = []
    unbounded = [o for o in objectives[1:] if not nadir or o not in nadir]
    if len(objectives) >= 3 and unbounded:
        # With three or more objectives the payoff table's worst values can sit above the
        # true nadir, so efficient plans below them would be missed (Mavrotas & Florios 2013).
        notes.append(
            "nadir of " + ", ".join(unbounded) + " taken from the payoff table, which can miss "
            "efficient plans with 3+ objectives; give --nadir bounds to be sure"
        )
        logger.warning(notes[-1])
    per_point = point_time_limit or time_limit
    # with workers, this process solves grid segments beside them: one thread each, like them
    options = SolverOptions(solver=solver, threads=threads or (1 if workers > 1 else None))
    m = build_model(inputs)
    persistent = PersistentSolver(m, options)
    stats = ParetoProgress(grid_total=0)
    found: list[FrontPoint] = []
    with catch_ctrl_c() as interrupt, _worker_pool(workers) as pool:
        interrupt.clear()
        table, payoff_plans = _payoff_table(m, inputs, persistent, objectives, deadline, per_point)
        for plan in payoff_plans:
            found.append(FrontPoint(plan, objective_values(inputs, plan), True, 0.0, (), inputs))
        levels, steps = _grid(table, objectives, points, exact, nadir)
        spec = GridSpec(
            tuple(objectives), levels, steps, subproblem_gap(table, exact), exact, per_point,
            (0, len(levels[-1])),
        )
        stats.grid_total = spec.total
        stats.phase = "grid"
        _prepare_grid(m, persistent, spec)
        if pool is not None and not interrupt.is_set():
            here = _HereWalker(m, inputs, persistent, found, stats, progress)
            complete, seconds_in_workers = _run_segments(
                pool, inputs, spec, options, found, deadline, workers, stats, progress, here
            )
        else:
            complete = _walk_grid(m, inputs, persistent, spec, deadline, found, stats, progress)
            seconds_in_workers = 0.0
        complete = complete and not interrupt.is_set()
    solver_seconds = persistent.solver_seconds + seconds_in_workers
    if not complete:
        notes.append("stopped before the grid was finished; the front may be incomplete")
    front_points = non_dominated(found, objectives)
    stats.found = len(front_points)
    payoff = pd.DataFrame(
        [[_sign(o) * v for o, v in zip(objectives, row)] for row in table],
        columns=list(objectives),
        index=[f"optimise {o}" for o in objectives],
    ).reset_index(names="row")
    grid = {objectives[k]: [_sign(objectives[k]) * float(v) for v in levels[k - 1]] for k in range(1, len(objectives))}
    return Front(
        inputs, tuple(objectives), front_points, payoff, grid, stats, complete,
        time.monotonic() - started, persistent.name, persistent.version, exact, notes, solver_seconds,
        max(workers, 1), persistent.describe_options(),
    )


@dataclass(frozen=True)
class GridSpec:
    """What a grid walk needs besides the model: the ε levels and how to solve each point.

    `outer` is the half-open range of levels of the *last* constrained objective that this
    walk covers (all of them, or one segment when the grid is shared among workers).
    """

    objectives: tuple[str, ...]
    levels: list[np.ndarray]
    steps: list[float]
    point_gap: float
    exact: bool
    per_point: float
    outer: tuple[int, int]

    @property
    def shape(self) -> tuple[int, ...]:
        """The walk's grid, axes reversed: axis 0 is the last constrained objective (outermost
        loop) and the last axis objective 2, which np.ndindex varies fastest (AUGMECON2's
        inner loop, along which the bypass jumps)."""
        lo, hi = self.outer
        return (hi - lo,) + tuple(len(lv) for lv in reversed(self.levels[:-1]))

    @property
    def total(self) -> int:
        return int(np.prod(self.shape))

    def segments(self, count: int) -> list["GridSpec"]:
        """Up to `count` walks over consecutive, disjoint ranges of the outermost levels."""
        lo, hi = self.outer
        cuts = np.linspace(lo, hi, min(count, hi - lo) + 1).round().astype(int)
        return [replace(self, outer=(int(a), int(b))) for a, b in zip(cuts[:-1], cuts[1:]) if b > a]


def _prepare_grid(m: pyo.ConcreteModel, persistent: PersistentSolver, spec: GridSpec) -> None:
    """Add the ε rows and the augmented objective, and set the subproblems' HiGHS options."""
    ranges = [float(lv[-1] - lv[0]) if len(lv) > 1 else 1.0 for lv in spec.levels]
    _attach_epsilon_constraints(m, spec.objectives, ranges)
    if spec.exact:
        # Many small subproblems: HiGHS's restart after the root (re-presolve with the
        # columns reduced-cost fixing removed) cost more than it saved on every exact
        # benchmark front (2kp50 7.9 → 5.0 s, 2kp100 58.6 → 45.1 s; fronts identical).
        persistent.set_highs_option("mip_allow_restart", False)
        # Every point after the first starts from a recorded plan (see _start_from_pool), so
        # the heuristics whose job is finding plans mostly repeat that work. Single runs with
        # the pool, fronts identical: RINS/RENS off 2kp50 4.2 → 3.0 s, 2kp100 35.8 → 30.9 s,
        # 4kp50 2.4 → 1.9 s; feasibility jump off as well 2.7 s / 32.5 s / 1.55 s. (The
        # root reduced-cost heuristic stays: without it 2kp100 took 55 s.)
        for heuristic in ("rins", "rens", "feasibility_jump"):
            persistent.set_highs_option(f"mip_heuristic_run_{heuristic}", False)
        # Cuts at the root only: separating at every node of these small trees cost more
        # than it pruned (2 runs each: 2kp100 31.5/33.3 → 17.1/19.2 s, 2kp50 2.8 → 1.9/2.0 s,
        # 4kp50 1.6–1.7 s either way).
        persistent.set_highs_option("mip_allow_cut_separation_at_nodes", False)
        # Branch on pseudocosts from the first node, with no strong branching to make them
        # reliable: in trees of tens of nodes the strong-branching LPs cost more than the
        # better choices save (alternating runs, fronts identical: 2kp50 1.86 → 1.68 s,
        # 2kp100 16.0 → 14.2 s, 3kp40 76.5 → 67.9 s, 4kp50 1.48 → 1.45 s; 2 and 4 were
        # within noise).
        persistent.set_highs_option("mip_pscost_minreliable", 0)
    persistent.improving_solutions.limit = max(1, min(POOL_SIZE, POOL_NUMBERS // max(m.nvariables(), 1)))


def _walk_grid(
    m: pyo.ConcreteModel,
    inputs: Inputs,
    persistent: PersistentSolver,
    spec: GridSpec,
    deadline: float,
    found: list[FrontPoint],
    stats: ParetoProgress,
    progress: ParetoProgressFn | None,
) -> bool:
    """Solve the grid points of `spec` that bypass and flags do not prove redundant, adding
    what is found to `found`. False when time or an interrupt stopped the walk early."""
    objectives, levels = spec.objectives, spec.levels
    flags = np.zeros(spec.shape, dtype=bool)
    flat_flags = flags.reshape(-1)  # a view: cells in the order AUGMECON2 visits them
    objective_rows = _objective_rows(m, persistent, objectives)
    p1 = len(levels)
    offset = spec.outer[0]
    position = 0
    while position < flat_flags.size:
        if INTERRUPT.is_set() or time.monotonic() > deadline:
            return False
        skip = _flagged_run(flat_flags, position)
        if skip:
            stats.done += skip
            stats.skipped += skip
            _emit(progress, stats)
            position += skip
            continue
        rev_index = tuple(int(i) for i in np.unravel_index(position, spec.shape))
        position += 1
        stats.done += 1
        # index[k-1] = level of constrained objective k, over the whole grid
        index = tuple(reversed((rev_index[0] + offset,) + rev_index[1:]))
        eps = [float(levels[k - 1][index[k - 1]]) for k in range(1, p1 + 1)]
        for k in range(1, p1 + 1):
            m.pareto_levels[k] = eps[k - 1]
        has_start = _start_from_pool(m, persistent, objective_rows, eps) or _start_from_best_known(
            m, found, objectives, eps
        )
        persistent.stage = "grid"
        limit = min(spec.per_point, deadline - time.monotonic())
        outcome = persistent.solve(max(limit, 0.0), spec.point_gap, warm_start=has_start)
        stats.solved += 1
        _record(outcome, m, inputs, index, spec.steps, flags, rev_index, found, stats)
        _emit(progress, stats)
    return True


def _flagged_run(flat_flags: np.ndarray, position: int) -> int:
    """How many cells from `position` on are flagged, up to the first one still to solve.

    Flags are only ever set at or after the cell just solved (a box or an infeasible
    corner starting there), so a flagged cell stays skipped and the walk can jump over a
    whole run at once: a 4-objective grid has ~10^5 cells for ~10^2 solves (4kp50: 148,878
    for 154), and visiting them one by one in Python was 0.15 s of a profiled 2.0 s front;
    the cost grows with the grid, not with the front. The search looks at a window that
    doubles, so a short run costs little and a long one is found in a few numpy scans.
    """
    window = 1024
    start = position
    while start < flat_flags.size:
        chunk = flat_flags[start : start + window]
        free = int(np.argmin(chunk))  # first False, or 0 if the chunk is all True
        if not chunk[free]:
            return start + free - position
        start += chunk.size
        window *= 2
    return flat_flags.size - position


# --- the grid on several processes -----------------------------------------------------
# Two objectives: 2 segments per worker; each boundary costs about one extra solve. On two
# workers, 3 runs each, fronts identical: 2kp100 8.3 s with 2 per worker (129 solves),
# 9.3 s with 4 (133), 11.1 s with 1 (127, the load unbalanced); 2kp50 1.46-1.53 s with 2,
# 1.47-1.52 s with 4, 1.68-1.76 s with 1. Three or more objectives: the flags that skip
# whole boxes of the grid do not cross segments, so one segment per worker (4kp50 with 4
# per worker: 302 solves against 154).
SEGMENTS_PER_WORKER = {2: 2}


@dataclass
class SegmentResult:
    """What one worker found on its segment (plans travel without their Inputs)."""

    points: list[tuple[PlanDecisions, dict[str, float], bool, float | None, tuple[int, ...]]]
    stats: ParetoProgress
    complete: bool
    solver_seconds: float


def solve_segment(
    inputs: Inputs, spec: GridSpec, options: SolverOptions, starts: list[PlanDecisions], deadline_epoch: float
) -> SegmentResult:
    """Walk one segment of the grid on a model of its own (runs in a worker process).

    `starts` (the payoff table's plans) serve as MIP starts, as in the single-process walk.
    `deadline_epoch` is the whole front's deadline in wall-clock time, which every process
    shares (a segment that waited in the queue has less time, not the full limit).
    """
    deadline = time.monotonic() + (deadline_epoch - time.time())
    stats = ParetoProgress(grid_total=spec.total, phase="grid")
    found = [FrontPoint(plan, objective_values(inputs, plan), True, 0.0, (), inputs) for plan in starts]
    with catch_ctrl_c():  # Ctrl-C reaches every worker: each stops and returns what it found
        m = build_model(inputs)
        persistent = PersistentSolver(m, options)
        _prepare_grid(m, persistent, spec)
        complete = _walk_grid(m, inputs, persistent, spec, deadline, found, stats, None)
    new = found[len(starts):]
    return SegmentResult(
        [(pt.decisions, pt.objectives, pt.proven, pt.gap, pt.grid_index) for pt in new],
        stats, complete, persistent.solver_seconds,
    )


@contextmanager
def _worker_pool(workers: int) -> Iterator[cf.ProcessPoolExecutor | None]:
    """`workers` − 1 spawned processes (None for one worker): this process is the other one.

    They start at once, so that their interpreter start-up and imports (about a second)
    overlap the payoff table's solves. This process keeps its built model busy on the grid
    too, rather than waiting: one process start and one model build fewer, which is what
    decides small fronts (2kp50 on two workers: 1.81 s when all segments went to spawned
    processes, 1.52 s with this one taking part; 1.67 s on one worker)."""
    if workers <= 1:
        yield None
        return
    context = multiprocessing.get_context("spawn")  # a clean interpreter per worker, as sweeps
    with cf.ProcessPoolExecutor(max_workers=workers - 1, mp_context=context) as pool:
        for _ in range(workers - 1):
            pool.submit(_ready)
        yield pool


def _ready() -> bool:
    """A no-op task: importing this module on the way is the work (see _worker_pool)."""
    return True


def _run_segments(
    pool: cf.ProcessPoolExecutor,
    inputs: Inputs,
    spec: GridSpec,
    options: SolverOptions,
    found: list[FrontPoint],
    deadline: float,
    workers: int,
    stats: ParetoProgress,
    progress: ParetoProgressFn | None,
    here: "_HereWalker | None" = None,
) -> tuple[bool, float]:
    """Share the grid among the pool's `workers` − 1 processes and, through `here`, this
    one; returns (every segment finished, seconds inside the solver in the pool's processes).

    The segments wait in one queue, in grid order, and whichever process is free takes the
    next: the pool's only when one of its processes is idle (this process hands it the
    segment between two of its own grid points). Taking them in order matters: the middle
    of a front is the expensive part, and a walk that ends on cheap segments finishes with
    both processes busy (2kp100 on two workers: 9.9 s when this process took the segments
    from the back of the queue, 9.1 s in order).

    The segments depend only on the grid and `workers`, and each starts from the same plans
    wherever it runs (the payoff table's, with an empty solution pool), so the same command
    finds the same front points. Each segment keeps its own flags: a box flagged in one
    segment is not skipped in the next, which costs about one extra solve per boundary on
    a two-objective front.
    """
    options = replace(options, threads=options.threads or 1)  # processes × threads ≤ cores
    queue = deque(spec.segments(SEGMENTS_PER_WORKER.get(len(spec.objectives), 1) * workers))
    starts = [pt.decisions for pt in found]
    deadline_epoch = time.time() + max(deadline - time.monotonic(), 0.0)
    slots = max(workers - 1, 1)
    in_flight: set[cf.Future] = set()
    complete, solver_seconds = True, 0.0

    def collect_and_feed(timeout: float) -> None:
        nonlocal in_flight, complete, solver_seconds
        if in_flight:
            done, in_flight = cf.wait(in_flight, timeout=timeout, return_when=cf.FIRST_COMPLETED)
            for future in done:
                result = _segment_result(future)
                if result is None:
                    complete = False
                    continue
                complete = complete and result.complete
                solver_seconds += result.solver_seconds
                _merge_segment(result, inputs, found, stats)
                _emit(progress, stats)
        while queue and len(in_flight) < slots and not INTERRUPT.is_set():
            segment = queue.popleft()
            in_flight.add(pool.submit(solve_segment, inputs, segment, options, starts, deadline_epoch))

    collect_and_feed(0.0)
    while here is not None and queue and not INTERRUPT.is_set():
        complete = here.walk(queue.popleft(), deadline, lambda: collect_and_feed(0.0)) and complete
    while in_flight or (queue and not INTERRUPT.is_set()):
        collect_and_feed(0.5)
        if INTERRUPT.is_set():
            for future in in_flight:
                future.cancel()
    if queue or INTERRUPT.is_set():
        complete = False  # segments never started, or stopped part-way
    return complete, solver_seconds


class _HereWalker:
    """Walks grid segments in this process, on the model the payoff table was solved on."""

    def __init__(
        self,
        m: pyo.ConcreteModel,
        inputs: Inputs,
        persistent: PersistentSolver,
        found: list[FrontPoint],
        stats: ParetoProgress,
        progress: ParetoProgressFn | None,
    ) -> None:
        self.m, self.inputs, self.persistent = m, inputs, persistent
        self.found, self.stats, self.progress = found, stats, progress
        self.start_points = list(found)  # the payoff table's plans

    def walk(self, segment: GridSpec, deadline: float, between_points: Callable[[], None]) -> bool:
        """One segment, from the state a worker process would start it in: the payoff
        plans as starts and an empty solution pool. The counts go straight to the shared
        progress; the points join the front when the segment is done. `between_points`
        runs after every grid point (it keeps the other processes fed)."""
        self.persistent.improving_solutions.clear()
        seen = list(self.start_points)

        def progress(stats: ParetoProgress) -> None:
            between_points()
            _emit(self.progress, stats)

        complete = _walk_grid(self.m, self.inputs, self.persistent, segment, deadline, seen, self.stats, progress)
        self.found.extend(seen[len(self.start_points):])
        return complete


def _segment_result(future: cf.Future) -> SegmentResult | None:
    """The segment's result; None if it was cancelled or its worker was interrupted or lost
    (what the other segments found is kept: the front is then reported incomplete)."""
    if future.cancelled():
        return None
    try:
        return future.result()
    except (Exception, KeyboardInterrupt) as exc:  # BrokenProcessPool, Ctrl-C during a build
        logger.warning("a grid segment was lost (%s): the front may be incomplete", type(exc).__name__)
        return None


def _merge_segment(result: SegmentResult, inputs: Inputs, found: list[FrontPoint], stats: ParetoProgress) -> None:
    for decisions, values, proven, gap, index in result.points:
        found.append(FrontPoint(decisions, values, proven, gap, index, inputs))
    for name in ("done", "solved", "skipped", "infeasible", "unproven"):
        setattr(stats, name, getattr(stats, name) + getattr(result.stats, name))


def _record(
    outcome: SolveOutcome,
    m: pyo.ConcreteModel,
    inputs: Inputs,
    index: tuple[int, ...],
    steps: list[float],
    flags: np.ndarray,
    rev_index: tuple[int, ...],
    found: list[FrontPoint],
    stats: ParetoProgress,
) -> None:
    """Keep a solved point and flag the grid points it proves redundant or infeasible."""
    if outcome.status == "infeasible":
        stats.infeasible += 1
        flags[tuple(slice(i, None) for i in rev_index)] = True  # at least as demanding: infeasible too
        return
    if not outcome.has_solution:
        stats.unproven += 1
        logger.warning("grid point %s: no plan within its time limit (not treated as infeasible)", index)
        return
    decisions = extract_decisions(m, inputs)
    proven = outcome.status == "optimal"
    found.append(FrontPoint(decisions, objective_values(inputs, decisions), proven, outcome.gap, index, inputs))
    if not proven:
        stats.unproven += 1
        return
    p1 = len(index)
    box = []
    for axis in range(p1):  # reversed axes: axis 0 is the last constrained objective
        k = p1 - axis  # constrained objective number 1..p1
        slack = max(float(pyo.value(m.pareto_slack[k])), 0.0)
        bypass = int(math.floor(slack / steps[k - 1] + 1e-9))
        box.append(slice(rev_index[axis], rev_index[axis] + bypass + 1))
    flags[tuple(box)] = True


def _emit(progress: ParetoProgressFn | None, stats: ParetoProgress) -> None:
    if progress is not None:
        progress(stats)
