"""The grid walk: ε rows, starts from earlier plans, and the bypass and flags that skip points."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import pairwise

import numpy as np
import pyomo.environ as pyo

from data.tables import Inputs
from models import extract_decisions, set_start
from optimizer.checks.evaluate import objective_values
from optimizer.solve.objectives import set_objective
from optimizer.solve.solver import INTERRUPT, REACHED_KNOWN_BOUND, PersistentSolver, SolveOutcome
from optimizer.studies.pareto.front import (
    FrontPoint,
    ParetoProgress,
    ParetoProgressFn,
    _emit,
    _sign,
)

logger = logging.getLogger(__name__)

GRID_GAP = 1e-4  # HiGHS's own default, for grid mode
AUGMENTATION_EPSILON = 1e-3  # weight of the slack term; < one unit of an integer primary
# improving plans kept from earlier grid points as starts for later ones (see _start_from_pool):
# at most 1000, and at most 2 million numbers in all (16 MB), so a large model keeps fewer
POOL_SIZE = 1000
POOL_NUMBERS = 2_000_000


def _attach_epsilon_constraints(
    m: pyo.ConcreteModel, objectives: Sequence[str], ranges: list[float], slack_columns: bool, weight: float
) -> None:
    """f1 + ε·Σ 10^−(k−2)·s_k/r_k with s_k = sign_k·f_k − e_k ≥ 0 (AUGMECON2's augmentation),
    ε = `weight` (GridSpec.augmentation_weight: 0 leaves f1 alone).

    Exact mode writes the slack out as the objective's surplus over its level, with the ε
    row the inequality sign_k·f_k ≥ e_k: the same subproblem as a slack column in an equality
    row, but HiGHS solves the knapsack fronts' small subproblems faster so (alternating runs,
    fronts identical: 2kp50 1.37 → 1.15 s, 4kp50 1.14 → 0.77 s, 2kp100 11.0 → 10.3 s). The
    objective then keeps the levels in its constant, so that its value is AUGMECON2's: the
    subproblem's relative gap and `_known` read f1 from it. Grid mode (`slack_columns`) keeps
    the slack columns: on the reference dataset's time-limited capability-cost grid the
    surplus form found worse plans (6 points, 90 s, twice each: 34,777.5 at cost 47,399.2
    against 36,226.4 at 49,558.7 on the second level)."""
    constrained = list(range(1, len(objectives)))
    m.pareto_levels = pyo.Param(constrained, mutable=True, initialize=0.0)

    def level_of(mm: pyo.ConcreteModel, k: int) -> object:
        return _sign(objectives[k]) * mm.objective_expr[objectives[k]]

    if slack_columns:
        m.pareto_slack = pyo.Var(constrained, domain=pyo.NonNegativeReals)
        m.pareto_epsilon = pyo.Constraint(
            constrained, rule=lambda mm, k: level_of(mm, k) - mm.pareto_slack[k] == mm.pareto_levels[k]
        )
    else:
        m.pareto_slack = pyo.Expression(constrained, rule=lambda mm, k: level_of(mm, k) - mm.pareto_levels[k])
        m.pareto_epsilon = pyo.Constraint(constrained, rule=lambda mm, k: level_of(mm, k) >= mm.pareto_levels[k])
    primary = objectives[0]
    augmentation = sum((10.0 ** -(k - 1)) * m.pareto_slack[k] / max(ranges[k - 1], 1e-9) for k in constrained)
    set_objective(m, _sign(primary) * m.objective_expr[primary] + weight * augmentation, "max")


def _set_start_slacks(m: pyo.ConcreteModel, surplus: Sequence[float]) -> None:
    """Give slack columns (grid mode) their values at a start plan: its surplus over each
    level, so that the start meets the ε rows. Written-out slacks need nothing."""
    if isinstance(m.pareto_slack, pyo.Var):
        for k, value in enumerate(surplus, 1):
            m.pareto_slack[k].set_value(max(0.0, value))


def subproblem_gap(table: np.ndarray, exact: bool, all_whole: bool = True) -> float:
    """The relative MIP gap each grid subproblem is solved to.

    Exact mode with whole-valued objectives: a relative gap g with g·|f1| ≤ 0.4 still
    proves the integer optimum of the primary objective (the slack term is < 0.01), and
    is much cheaper to reach than gap 0 (2kp50: about half the time). 0.4 rather than 0.5
    leaves room for how HiGHS normalises its gap. It leaves the slack term unproven, which
    whole levels make harmless: the grid steps through every level, finds the plan that
    dominates a weakly efficient one, and `non_dominated` drops the latter. With an objective
    that may be fractional (`whole.fractional_objectives`) the levels skip plans, so the
    subproblem is solved to gap 0: its optimum, slack term included, is efficient (a front
    listed (shortfall 0, risk 2, capability 5.5) as proven beside a plan of capability 6
    it never found). Grid mode uses HiGHS's default.
    """
    if not exact:
        return GRID_GAP
    if not all_whole:
        return 0.0
    return 0.4 / max(1.0, float(np.abs(table[:, 0]).max()))


def plain_primary(objectives: int, exact: bool, all_whole: bool) -> bool:
    """Whether the subproblems maximise the primary objective alone, without AUGMECON2's
    augmentation term: exact fronts of two whole-valued objectives.

    The primary alone is whole-valued, and HiGHS then sees that its objective moves in whole
    units: after each plan it looks only for plans a whole unit better, and fixes columns by
    reduced cost against that. The augmentation term's small fractional weights hide it.
    Three of 2kp250's grid points, written out and solved alone: 0.33 / 1.14 / 1.98 s with
    the term, 0.25 / 0.91 / 1.35 s without (441 / 6,958 / 10,956 nodes against 109 / 6,329
    / 6,835). A plan returned may then be only weakly efficient (the most of the primary,
    but not the most of the other objective among such plans). The walk stays exact: the
    bypass is still valid, as the levels it skips have the same primary optimum. The next
    level solved finds the better plan, and `non_dominated` drops the weaker one. The cost is
    a solve more per such plan (2kp100: 121 grid solves against 120). With three objectives
    or more the term stays, as its slacks are what make the flagged boxes large (4kp50: 182
    solves without it against 160). With a fractional objective it stays as well, because
    there the subproblem's optimum, term included, is what makes a plan efficient
    (`subproblem_gap`)."""
    return exact and all_whole and objectives == 2


def _objective_rows(
    m: pyo.ConcreteModel, persistent: PersistentSolver, objectives: Sequence[str]
) -> tuple[np.ndarray, np.ndarray] | None:
    """Each objective in maximise space as (coefficients per solver column, constant), so
    that recorded plans are evaluated by one matrix product; None if the solver records none."""
    rows = [persistent.coefficients(_sign(o) * m.objective_expr[o]) for o in objectives]
    if any(row is None for row in rows):
        return None
    return np.array([r[0] for r in rows]), np.array([r[1] for r in rows])  # type: ignore[index]  # no row is None


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
    _set_start_slacks(m, [float(values[best, k]) - eps[k - 1] for k in range(1, len(eps) + 1)])
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
    surplus = [_sign(objectives[k]) * best.objectives[objectives[k]] - eps[k - 1] for k in range(1, len(objectives))]
    _set_start_slacks(m, surplus)
    return True


@dataclass(frozen=True)
class PayoffAnswer:
    """Levels of the one constrained objective of a two-objective front whose grid point a
    proven payoff row has already answered: for a level ε in [`low`, `high`] the point's
    optimum is that row's, reaching `reached` on the constrained objective (maximise space).

    Row 1 (the primary's lexicographic optimum, then the other's) answers every level up to
    its own value: the primary's optimum is feasible there, and among plans that reach it
    the augmented objective wants the most of the other, which is what row 1's second solve
    found. Row 2 answers the top level, its own value: only plans reaching it are feasible
    there, and row 2's second solve found the best primary among them. So a walk need not
    solve either point again (2kp50: 36 grid solves → 34; the reference dataset's
    capability-cost grid: its first point was a whole capability optimum again)."""

    low: float
    high: float
    reached: float


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
    # each constrained objective's range in the augmentation term (None: its levels' range);
    # the payoff table's, so that a grid widened to safe bounds poses the same subproblems
    ranges: tuple[float, ...] | None = None
    # the first outer level inside the payoff table's range: below it (a grid widened to safe
    # bounds) the first point solved flags nearly everything, so segments share out the rest
    busy_from: int = 0
    # grid mode with workers: the cells of the later segments each walk can expect to share
    # the time with (theirs over the workers), for `point_seconds`
    cells_after: float = 0.0
    # grid points the payoff table has answered (two objectives, proven rows only)
    answers: tuple[PayoffAnswer, ...] = ()
    # whether the subproblems' objective carries AUGMECON2's augmentation term (see
    # augmentation_weight); an exact front of two whole-valued objectives goes without it
    augmented: bool = True

    @property
    def augmentation_weight(self) -> float:
        """The augmentation term's weight in the subproblems' objective: AUGMENTATION_EPSILON,
        or 0 for an exact front of two whole-valued objectives (`plain_primary`)."""
        return AUGMENTATION_EPSILON if self.augmented else 0.0

    def answer(self, eps: Sequence[float]) -> PayoffAnswer | None:
        """The payoff row that has already answered the grid point at levels `eps`, if any."""
        for known in self.answers:
            if known.low - 1e-9 <= eps[0] <= known.high + 1e-9:
                return known
        return None

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

    def segments(self, count: int, workers: int = 1) -> list[GridSpec]:
        """Up to `count` walks over consecutive, disjoint ranges of the outermost levels, each
        told how many later cells it shares the time with (theirs over the `workers`): without
        that the first segments took a short limit's time and the last got none (the reference
        dataset, 60 s, two workers: 6 plans where one process found 10)."""
        lo, hi = self.outer
        start = min(max(self.busy_from, lo), hi - 1)
        cuts = np.linspace(start, hi, min(count, hi - start) + 1).round().astype(int)
        cuts[0] = lo
        walks = [replace(self, outer=(int(a), int(b))) for a, b in pairwise(cuts) if b > a]
        totals = [walk.total for walk in walks]
        return [replace(walk, cells_after=sum(totals[i + 1 :]) / workers) for i, walk in enumerate(walks)]


def _ranges(spec: GridSpec) -> list[float]:
    """Each constrained objective's range in the augmentation term."""
    if spec.ranges:
        return list(spec.ranges)
    return [float(lv[-1] - lv[0]) if len(lv) > 1 else 1.0 for lv in spec.levels]


def _prepare_grid(m: pyo.ConcreteModel, persistent: PersistentSolver, spec: GridSpec) -> None:
    """Add the ε rows and the augmented objective, and set the subproblems' HiGHS options."""
    _attach_epsilon_constraints(
        m, spec.objectives, _ranges(spec), slack_columns=not spec.exact, weight=spec.augmentation_weight
    )
    if spec.exact:
        fit_tree_settings(persistent, previous_nodes=0)
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
        _choose_plan_heuristics(persistent, len(spec.objectives))
        # An ε-constrained subproblem, whose bound is no bound of the user's problem; its
        # optimum must be proven, so plain branch-and-bound, never the LP-guided engine.
        # (It also spares each solve the engine's size check, a second pass over the model.)
        persistent.restricted = True
    persistent.improving_solutions.limit = max(1, min(POOL_SIZE, POOL_NUMBERS // max(m.nvariables(), 1)))


# An exact grid point whose tree ran past this many nodes hands the next point to HiGHS's
# own restart and reliability branching (fit_tree_settings).
LARGE_TREE_NODES = 2000


def fit_tree_settings(persistent: PersistentSolver, previous_nodes: int) -> None:
    """HiGHS's tree search for the next exact grid point, chosen by the size of the last
    point's tree (nodes: a count that does not depend on the machine, so a front's plans
    stay reproducible).

    Small trees (the last under LARGE_TREE_NODES) get no restart after the root and no
    strong branching: the restart's second presolve and root, and the strong-branching LPs
    that make pseudocosts reliable, cost more than they save in trees of hundreds of nodes
    (alternating runs, fronts identical: restart off 2kp50 7.9 → 5.0 s, 2kp100 58.6 → 45.1 s;
    reliability 0 instead of HiGHS's 8: 2kp50 1.86 → 1.68 s, 2kp100 16.0 → 14.2 s, 3kp40
    76.5 → 67.9 s). Large trees get HiGHS's own choices back: they pay there (2kp250's
    grid points, trees of 1,000 to 14,000 nodes, written out and solved alone, 3 runs:
    0.40 / 1.83 / 3.30 s small-tree settings against 0.29 / 1.06 / 2.03 s; 2kp100's, at
    most 1,574 nodes, 0.07 / 0.19 / 0.17 s against 0.17 / 0.23 / 0.20 s). Consecutive
    grid points pose nearly the same problem, so the last tree foretells the next."""
    large = previous_nodes > LARGE_TREE_NODES
    persistent.set_highs_option("mip_allow_restart", large)
    persistent.set_highs_option("mip_pscost_minreliable", 8 if large else 0)


def _choose_plan_heuristics(persistent: PersistentSolver, objectives: int) -> None:
    """HiGHS's plan-finding heuristics by how often a grid point has a new plan to find.

    With three objectives or more most grid points re-prove a point found already or are
    infeasible (4kp50: 107 of 155), and the start from the pool is the plan: the root
    reduced-cost heuristic's sub-MIP then searches for nothing (alternating runs, fronts
    identical: 4kp50 0.70 → 0.63 s, 3kp40 45.6 → 38.9 s). With two, every point solved is
    a new one: that heuristic pays (2kp100 10.2 → 15.3 s without it), and so do the cheap
    rounding ones HiGHS leaves off, shifting and ZI rounding (2kp50 1.08 → 1.01 s, 2kp100
    10.3–10.6 → 9.9 s; on 4kp50 they cost 4 %)."""
    if objectives >= 3:
        persistent.set_highs_option("mip_heuristic_run_root_reduced_cost", False)
    else:
        persistent.set_highs_option("mip_heuristic_run_shifting", True)
        persistent.set_highs_option("mip_heuristic_run_zi_round", True)


class GridFlags:
    """Which cells of the grid are settled (skipped or solved), on a grid compressed to the
    levels where a flagged box begins or ends.

    Flags are boxes (AUGMECON2's bypass jointly over every constrained objective: AUGMECON-R)
    and infeasible corners (every cell at least as demanding). Between two consecutive box
    edges on every axis all cells are flagged alike, so one boolean per compressed cell is
    enough: the grid of a safe, wide range costs what its boxes cost, not what its cells do
    (4kp50 from the single-objective minima: 450 million cells, about 60 edges per axis).
    A grid of at most `DENSE_CELLS` cells starts with every level an edge (a plain array of
    every cell), so that no box ever has to split it.

    The walk visits cells in C order (axis 0 outermost, as `GridSpec.shape`). `next_free`
    gives the first unflagged cell from a position on, as the dense walk would reach it.
    """

    DENSE_CELLS = 1 << 24

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = tuple(int(n) for n in shape)
        if math.prod(self.shape) <= self.DENSE_CELLS:
            self.edges = [np.arange(n + 1, dtype=np.int64) for n in self.shape]
            self.cells = np.zeros(self.shape, dtype=bool)
        else:
            self.edges = [np.array([0, n], dtype=np.int64) for n in self.shape]
            self.cells = np.zeros((1,) * len(self.shape), dtype=bool)

    def _split(self, axis: int, at: int) -> None:
        """Make `at` an edge on `axis`: the compressed cell it falls in becomes two alike."""
        edges = self.edges[axis]
        i = int(np.searchsorted(edges, at))
        if at <= 0 or at >= self.shape[axis] or edges[i] == at:
            return
        self.edges[axis] = np.insert(edges, i, at)
        self.cells = np.insert(self.cells, i, np.take(self.cells, i - 1, axis=axis), axis=axis)

    def flag(self, lo: Sequence[int], hi: Sequence[int]) -> None:
        """Flag the box lo ≤ cell < hi (half-open, clipped to the grid)."""
        hi = [min(int(h), n) for h, n in zip(hi, self.shape)]
        for axis, (a, b) in enumerate(zip(lo, hi)):
            self._split(axis, int(a))
            self._split(axis, b)
        box = tuple(
            slice(int(np.searchsorted(e, a)), int(np.searchsorted(e, b))) for e, a, b in zip(self.edges, lo, hi)
        )
        self.cells[box] = True

    def next_free(self, position: Sequence[int]) -> tuple[int, ...] | None:
        """The first unflagged cell at or after `position` in C order; None if there is none."""
        return self._search(self.cells, 0, tuple(int(p) for p in position))

    def _search(self, cells: np.ndarray, axis: int, start: tuple[int, ...]) -> tuple[int, ...] | None:
        # `cells`: the compressed cells of axes `axis`.. for the prefix already fixed;
        # `start`: the real position on those axes to begin at. Past the start's own level,
        # every real level of one interval has the same cells further in, so the first free
        # cell there is the lower corner of the first free compressed cell in C order.
        level = start[0]
        i = int(np.searchsorted(self.edges[axis], level, side="right")) - 1
        if axis == len(self.shape) - 1:
            if not cells[i]:
                return (level,)
        else:
            inner = self._search(cells[i], axis + 1, start[1:])
            if inner is not None:
                return (level,) + inner
            if level + 1 < self.edges[axis][i + 1]:
                hit = _first_false(cells[i])
                if hit is not None:
                    return (level + 1,) + self._corner(hit, axis + 1)
        hit = _first_false(cells[i + 1 :])
        if hit is None:
            return None
        return (int(self.edges[axis][i + 1 + hit[0]]),) + self._corner(hit[1:], axis + 1)

    def _corner(self, cell: Sequence[int], axis: int) -> tuple[int, ...]:
        """The real lower corner of compressed `cell`, whose first axis is `axis`."""
        return tuple(int(self.edges[axis + t][c]) for t, c in enumerate(cell))


def _first_false(block: np.ndarray) -> tuple[int, ...] | None:
    """The index of the first False of `block` in C order; None if all are True.

    It looks at a window that doubles, so a short flagged run costs little and a long one is
    found in a few numpy scans: a walk visits most cells through this (4kp50 from the
    payoff table's worst values: 50,400 cells for 134 solves)."""
    flat = block.reshape(-1)  # a view: slices along the first axis of the grid stay contiguous
    start, window = 0, 1024
    while start < flat.size:
        chunk = flat[start : start + window]
        free = int(np.argmin(chunk))  # the first False, or 0 if the chunk is all True
        if not chunk[free]:
            return tuple(int(i) for i in np.unravel_index(start + free, block.shape))
        start += chunk.size
        window *= 2
    return None


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
    walk = _Walk(m, inputs, persistent, spec, found, stats, progress)
    position: tuple[int, ...] | None = (0,) * len(spec.shape)  # first cell not yet visited
    with persistent.only_parameters_change():  # between grid points only the ε levels move
        while position is not None:
            if INTERRUPT.is_set() or time.monotonic() > deadline:
                return False
            cell = walk.skip_to(position)
            if cell is None:
                break
            walk.visit(cell, deadline)
            position = _after(cell, spec.shape)
    return True


class _Walk:
    """What one grid walk keeps between its points: the model and its solver, the grid's
    flags, the objective rows that price recorded plans, and the vectors found so far."""

    def __init__(
        self,
        m: pyo.ConcreteModel,
        inputs: Inputs,
        persistent: PersistentSolver,
        spec: GridSpec,
        found: list[FrontPoint],
        stats: ParetoProgress,
        progress: ParetoProgressFn | None,
    ):
        self.m, self.inputs, self.persistent, self.spec = m, inputs, persistent, spec
        self.found, self.stats, self.progress = found, stats, progress
        self.flags = GridFlags(spec.shape)
        self.objective_rows = _objective_rows(m, persistent, spec.objectives)
        self.ranges = _ranges(spec)
        self.last_nodes = 0  # the last solve's branch-and-bound nodes (fit_tree_settings)
        self.ceiling: float | None = None  # the last proven optimum, while it bounds the next (_known_bound)
        signs = [_sign(o) for o in spec.objectives]
        self.seen = (
            {tuple(round(s * pt.objectives[o]) for s, o in zip(signs, spec.objectives)) for pt in found}
            if spec.exact
            else None
        )

    def skip_to(self, position: tuple[int, ...]) -> tuple[int, ...] | None:
        """The first cell at or after `position` the flags leave open (None: none is), the
        cells passed over counted as skipped."""
        spec, stats = self.spec, self.stats
        cell = self.flags.next_free(position)
        skip = (spec.total if cell is None else _flat(cell, spec.shape)) - _flat(position, spec.shape)
        if skip:
            stats.done += skip
            stats.skipped += skip
            _emit(self.progress, stats)
        return cell

    def visit(self, cell: tuple[int, ...], deadline: float) -> None:
        """Settle grid point `cell` (axes reversed, see GridSpec.shape): by the payoff row
        that has answered it, if one has, else by a solve."""
        spec = self.spec
        self.stats.done += 1
        # index[k-1] = level of constrained objective k, over the whole grid
        index = tuple(reversed((cell[0] + spec.outer[0],) + cell[1:]))
        eps = [float(spec.levels[k][level]) for k, level in enumerate(index)]
        known = spec.answer(eps)
        if known is not None:
            _settle_answered(self.flags, cell, known.reached - eps[0], spec.steps[0], self.stats)
        else:
            self._solve(cell, index, eps, deadline)
        _emit(self.progress, self.stats)

    def _solve(self, cell: tuple[int, ...], index: tuple[int, ...], eps: list[float], deadline: float) -> None:
        """Solve the point at levels `eps` from the best recorded plan that meets them, and
        record what it proves."""
        m, persistent, spec = self.m, self.persistent, self.spec
        for k, level in enumerate(eps, 1):
            m.pareto_levels[k] = level
        has_start = _start_from_pool(m, persistent, self.objective_rows, eps) or _start_from_best_known(
            m, self.found, spec.objectives, eps
        )
        persistent.stage = "grid"
        limit = point_seconds(spec, deadline - time.monotonic(), spec.total - _flat(cell, spec.shape))
        if spec.exact:
            fit_tree_settings(persistent, self.last_nodes)
        outcome = persistent.solve(limit, spec.point_gap, warm_start=has_start, known_bound=self._known_bound())
        self.last_nodes = persistent.last_nodes() or 0
        self.stats.solved += 1
        if outcome.status == "optimal":
            self.ceiling = outcome.objective
            self.stats.tied += outcome.termination == REACHED_KNOWN_BOUND
        slacks = _slacks(m, persistent, self.objective_rows, eps) if outcome.has_solution else []
        self._record(outcome, cell, index, eps, slacks)

    def _known_bound(self) -> float | None:
        """A proven upper bound on the next grid point's optimum: the last proven optimum, in
        a walk whose subproblems maximise the primary alone (`plain_primary`: two objectives,
        so one axis of levels, visited in rising order). Each point's levels then ask at
        least as much as the last's, so its plans are among the last's and its optimum is at
        most the last's. When it ties it (2kp250: 76 of 642 solves), HiGHS stops at the
        first plan reaching it (`PersistentSolver.solve`) and skips the rest of its proof.
        HiGHS mostly meets that plan late in its tree, so the front gains little (2kp250:
        510.8 s against 518.0 s)."""
        return self.ceiling if self.spec.exact and not self.spec.augmented else None

    def _record(
        self,
        outcome: SolveOutcome,
        cell: tuple[int, ...],
        index: tuple[int, ...],
        eps: list[float],
        slacks: list[float],
    ) -> None:
        """Keep a solved point (unless exact mode has seen its vector: `seen`) and flag the
        grid points it proves redundant or infeasible."""
        stats, flags = self.stats, self.flags
        if outcome.status == "infeasible":
            stats.infeasible += 1
            flags.flag(cell, flags.shape)  # at least as demanding: infeasible too
            return
        if not outcome.has_solution:
            stats.unproven += 1
            stats.no_plan += 1  # said once for the whole front (pareto_front): a warning per point
            stats.open_cells.append(index)
            # flooded the terminal, one line per cell, when a short limit was shared by many
            logger.debug("grid point %s: no plan within its time limit (not treated as infeasible)", index)
            return
        proven = outcome.status == "optimal"
        if not (
            proven
            and self.seen is not None
            and _known(self.seen, eps, slacks, outcome, self.ranges, self.spec.augmentation_weight)
        ):
            decisions = extract_decisions(self.m, self.inputs)
            point = FrontPoint(
                decisions, objective_values(self.inputs, decisions), proven, outcome.gap, index, self.inputs
            )
            self.found.append(point)
        if not proven:
            stats.unproven += 1
            stats.open_cells.append(index)
            return
        p1, steps = len(index), self.spec.steps
        # reversed axes: axis 0 is the last constrained objective, p1 − axis its number
        hi = [cell[axis] + _bypass(slacks[p1 - axis - 1], steps[p1 - axis - 1]) + 1 for axis in range(p1)]
        flags.flag(cell, hi)


# A second try at an unproven grid point needs at least this much time: its first try had
# its share of the whole limit, and a shorter one would only repeat it.
RETRY_MIN_SECONDS = 1.0


def prove_open_cells(
    m: pyo.ConcreteModel,
    inputs: Inputs,
    persistent: PersistentSolver,
    spec: GridSpec,
    deadline: float,
    found: list[FrontPoint],
    stats: ParetoProgress,
    progress: ParetoProgressFn | None,
) -> None:
    """Solve the grid points the walk left unproven again, sharing out the time it left.

    Every point's first try had only its share of the limit (`point_seconds`), so a grid
    walk that finishes early left the rest of the limit unused while points stayed
    unproven (a 120-s front of the M benchmark ended after 97 s with points unproven).
    Each second try starts from the best plan known at its levels; its plan joins the
    front's candidates and a proof makes the point proven, so the Summary's counts and
    gaps say what the second tries proved. Points go in the order of their grid
    indexes, whichever process walked them."""
    open_cells = sorted(stats.open_cells)
    stats.open_cells.clear()
    for position, index in enumerate(open_cells):
        left = deadline - time.monotonic()
        limit = min(spec.per_point, left / (len(open_cells) - position))
        if INTERRUPT.is_set() or limit < RETRY_MIN_SECONDS:
            stats.open_cells.extend(open_cells[position:])
            return
        eps = [float(spec.levels[k][index[k]]) for k in range(len(index))]
        for k, level in enumerate(eps, 1):
            m.pareto_levels[k] = level
        has_start = _start_from_best_known(m, found, spec.objectives, eps)
        persistent.stage = "grid, second try"
        outcome = persistent.solve(limit, spec.point_gap, warm_start=has_start)
        stats.retried += 1  # not `solved`: solved + skipped counts the grid's points once
        if not _settle_second_try(outcome, m, inputs, index, found, stats):
            stats.open_cells.append(index)
        _emit(progress, stats)


def _settle_second_try(
    outcome: SolveOutcome,
    m: pyo.ConcreteModel,
    inputs: Inputs,
    index: tuple[int, ...],
    found: list[FrontPoint],
    stats: ParetoProgress,
) -> bool:
    """Keep what a second try found at grid point `index`; True if it proved the point.

    The first try's plan stays: a plan feasible at the point may reach more of another
    objective than the second try's (better on the primary), so only the front's
    non-dominated filter may drop it."""
    had_plan = any(pt.grid_index == index for pt in found)
    proven = outcome.status == "optimal" or (outcome.status == "infeasible" and not had_plan)
    if outcome.has_solution:
        decisions = extract_decisions(m, inputs)
        found.append(FrontPoint(decisions, objective_values(inputs, decisions), proven, outcome.gap, index, inputs))
        if not had_plan:
            stats.no_plan -= 1
    if not proven:
        return False
    if outcome.status == "infeasible":  # only a point that had no plan can be
        stats.infeasible += 1
        stats.no_plan -= 1
    stats.unproven -= 1
    stats.retried_proven += 1
    return True


def _after(cell: Sequence[int], shape: tuple[int, ...]) -> tuple[int, ...] | None:
    """The cell the walk visits after `cell`; None at the end of the grid."""
    after = _flat(cell, shape) + 1
    return None if after >= int(np.prod(shape)) else tuple(int(i) for i in np.unravel_index(after, shape))


def _settle_answered(
    flags: GridFlags, rev_index: tuple[int, ...], slack: float, step: float, stats: ParetoProgress
) -> None:
    """A grid point a payoff row answered: its plan is on the front already, and the levels
    its slack jumps over are flagged as a solve's would be (AUGMECON2's bypass)."""
    stats.skipped += 1
    flags.flag(rev_index, (rev_index[0] + _bypass(slack, step) + 1,))


def _bypass(slack: float, step: float) -> int:
    """Grid levels a point's slack jumps over along one objective (AUGMECON2's bypass)."""
    return math.floor(max(slack, 0.0) / step + 1e-9)


def point_seconds(spec: GridSpec, left: float, cells_left: int) -> float:
    """A grid point's time: at most `per_point`; on a grid of `points` levels also at most an
    equal share of the time left among the cells not yet solved or skipped (`cells_left`
    counts this one), so that a time limit too short to prove every point still yields a
    front across the whole grid, each unproven point marked. (Given all the time left, the
    first point of `capopt pareto --objectives capability,cost --points 10` on the reference
    dataset took the rest of its 60 s, and the front had 2 plans.) A segment's walk also
    counts its share of the later segments' cells (`cells_after`). Exact mode keeps
    `per_point`: its grid counts every integer level, most of them skipped."""
    limit = min(spec.per_point, left)
    if not spec.exact:
        limit = min(limit, left / max(cells_left + spec.cells_after, 1.0))
    return max(limit, 0.0)


def _flat(cell: Sequence[int], shape: tuple[int, ...]) -> int:
    """The cell's place in the walk (C order)."""
    return int(np.ravel_multi_index(tuple(int(i) for i in cell), shape))


def _slacks(
    m: pyo.ConcreteModel,
    persistent: PersistentSolver,
    objective_rows: tuple[np.ndarray, np.ndarray] | None,
    eps: list[float],
) -> list[float]:
    """Each constrained objective's surplus over its ε level (AUGMECON2's slack s_k) at the
    plan just solved: from the solver's column values by one matrix product where it gives
    them, else by evaluating the model (a tenth of 4kp50's time when always evaluated)."""
    solution = persistent.solution_vector()
    if objective_rows is not None and solution is not None:
        coefficients, constants = objective_rows
        values = coefficients @ solution[: coefficients.shape[1]] + constants
        return [max(float(values[k]) - eps[k - 1], 0.0) for k in range(1, len(eps) + 1)]
    return [max(float(pyo.value(m.pareto_slack[k])), 0.0) for k in range(1, len(eps) + 1)]


def _known(
    seen: set[tuple[int, ...]],
    eps: list[float],
    slacks: list[float],
    outcome: SolveOutcome,
    ranges: list[float],
    weight: float,
) -> bool:
    """Whether an exact-mode point's objective vector was found before (and note it if not).

    Most grid points solved return a point found already (4kp50: 155 solves for 46
    points), and re-pricing its plan with the independent evaluator is the largest cost
    outside HiGHS. Its vector needs no plan: f_k = ε_k + s_k on the ε rows, and f_1 is the
    solver's objective less the augmentation term (objectives are integers in exact mode).
    """
    augmentation = sum((10.0 ** -(k - 1)) * s / max(r, 1e-9) for k, (s, r) in enumerate(zip(slacks, ranges), 1))
    primary = float(outcome.objective) - weight * augmentation  # type: ignore[arg-type]
    key = tuple(round(v) for v in [primary] + [e + s for e, s in zip(eps, slacks)])
    if key in seen:
        return True
    seen.add(key)
    return False
