"""What a Pareto run returns: its progress counts, the plans it found and the front they make."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from data.dashboard import front_plans_in_words
from data.report import axis_titles
from data.tables import Inputs, PlanDecisions, objective_sense
from data.xlsx_io import write_bytes_atomically
from optimizer.checks.evaluate import Evaluation, evaluate
from optimizer.errors import SolverError
from optimizer.solve.solver import relative_gap

DOMINANCE_TOLERANCE = 1e-6
PROVEN_COMPLETE = "proven complete"
# a grid point's gap is its augmented ε-subproblem's (primary + ε·slacks, ε levels as rows),
# not the primary objective's: near a primary of 0 it is large whatever the primary's proof
SUBPROBLEM_GAP_OF = "ε-subproblem"


@dataclass
class Bounds:
    """Where the grid's worst levels came from, and so whether the front can be proven complete.

    An exact front is complete only if no efficient plan lies below the grid: with two
    objectives the payoff table's worst values are the nadir (each is the other objective's
    lexicographic optimum); with three or more they are not, and the grid starts from
    levels no feasible plan is worse than (`payoff._safe_lows`). A user's nadir above those
    levels may cut efficient plans off.
    """

    exact: bool
    objectives: int
    safe: bool = True  # False if a safe level could not be bounded (payoff value used instead)
    payoff_proven: bool = True
    user: list[str] = field(default_factory=list)  # objectives whose level the user gave
    user_cuts: bool = False  # some user level lies above the safe one
    fractional: list[str] = field(default_factory=list)  # "objective (why)": not whole-valued for certain
    # "objective (up to 5e+07)": values so large that whole steps lie within the solver's
    # tolerances (money in euros: 16 "proven complete" points of 18, two lost)
    too_large: list[str] = field(default_factory=list)
    # every payoff row is the same vector: one plan is best in every objective at once (the
    # ideal point is a plan), so it alone is the front, in grid mode too; such a front of a
    # one-year or zero-budget workbook said "not proven: grid mode samples the front"
    ideal_attained: bool = False

    def describe(self) -> str:
        if self.objectives == 2 and self.payoff_proven:
            auto = "payoff table (the exact nadir with two objectives)"
        elif self.objectives == 2:
            auto = "payoff table, not solved to optimality: not the exact nadir, may miss efficient plans"
        elif not self.exact:
            auto = "payoff table's worst values (grid mode: may miss efficient plans with 3+ objectives)"
        elif self.safe:
            auto = "conservative: single-objective minima over the feasible set"
        else:
            auto = "payoff table's worst values where a single-objective minimum was not bounded (may miss plans)"
        if not self.user:
            return auto
        given = "user --nadir for " + ", ".join(self.user)
        return given if len(self.user) == self.objectives - 1 else f"{given}; others {auto}"

    def completeness(self, walk_finished: bool, unproven: int) -> str:
        """`PROVEN_COMPLETE`, or what stands in the way of that proof."""
        if not walk_finished:
            return "not proven: stopped before the grid was finished"
        if self.ideal_attained and self.payoff_proven:
            return PROVEN_COMPLETE
        if not self.exact:
            return "not proven: grid mode samples the front"
        if self.fractional:
            return (
                "not proven: exact mode steps by whole numbers, and "
                f"{'; '.join(self.fractional)} may take values between its steps"
            )
        if self.too_large:
            return (
                "not proven: exact mode steps by whole numbers, and at the size of "
                f"{'; '.join(self.too_large)} the solver's tolerances cannot tell such steps apart "
                "(enter money in larger units)"
            )
        if unproven:
            return f"not proven: {unproven} grid point(s) not solved to optimality"
        if not self.payoff_proven:
            return "not proven: the payoff table was not solved to optimality"
        if not self.safe and self.objectives >= 3:
            return "not proven: a safe bound was not found for every objective"
        if self.user_cuts:
            return "complete within the given nadir"
        return PROVEN_COMPLETE


@dataclass
class ParetoProgress:
    """Counts for a progress bar, and the grid points left unproven (`open_cells`), which
    travel back from worker segments with the counts for the second tries."""

    grid_total: int
    done: int = 0  # grid points visited (solved + skipped)
    solved: int = 0
    skipped: int = 0
    infeasible: int = 0
    unproven: int = 0
    no_plan: int = 0  # grid points whose time share ran out before any plan (among `unproven`)
    found: int = 0
    phase: str = "payoff table"
    # grid indexes of the points counted in `unproven`, for a second try with the time left
    open_cells: list[tuple[int, ...]] = field(default_factory=list)
    retried: int = 0  # of them, solved again after the walk (`grid.prove_open_cells`)
    retried_proven: int = 0  # of those, proven (optimal or infeasible) the second time
    # grid points solved whose optimum tied the last point's, proven by reaching it (grid._Walk._known_bound)
    tied: int = 0


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
    gap_of: str = SUBPROBLEM_GAP_OF  # what `gap` is of: the ε-subproblem, or a payoff row's objective

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
    bounds: str = ""  # where the grid's worst levels came from (Bounds.describe)
    nadir: dict[str, float] = field(default_factory=dict)  # each constrained objective's worst level
    completeness: str = ""  # PROVEN_COMPLETE, "complete within the given nadir", or why not proven
    payoff_proven: bool = True  # every payoff solve proved its optimum (point 1 is then the best)
    point_gap: float | None = None  # the relative gap each grid point is solved to ("proven" means within it)
    whole_primary: bool = True  # exact mode: the primary objective is whole-valued, so its gap proves optima
    primary_bound: float | None = None  # the first payoff solve's bound: no plan beats it in the primary objective
    stopped_by: str = ""  # why the run stopped before the grid was finished ("" if it finished)
    # the limits and threads the run was given, so a front stopped by its time limit can be
    # repeated from its workbook (they were recorded nowhere)
    time_limit: float | None = None
    point_time_limit: float | None = None
    threads: int | None = None
    strategy: str = ""  # the search the payoff and grid solves got, and why (PersistentSolver.strategy_note)
    # the weight of AUGMECON2's augmentation term in the grid subproblems (0: the primary alone,
    # grid.plain_primary; None: not recorded)
    augmentation_weight: float | None = None

    @property
    def worst_levels(self) -> str:
        """The grid's worst level of each constrained objective, e.g. "cost ≤ 5000"."""
        return ", ".join(f"{n} {'≥' if _sign(n) > 0 else '≤'} {v:g}" for n, v in self.nadir.items())

    @property
    def proven_complete(self) -> bool:
        """Every efficient plan is on the front (exact mode, safe bounds, every point proven)."""
        return self.completeness == PROVEN_COMPLETE

    @property
    def primary_gap(self) -> float | None:
        """Point 1's primary objective against `primary_bound`, the bound shown beside it
        (WORKBOOK.md: `gap` of `best_bound`'s objective, in its own sense). Not point 1's own
        solve gap: point 1 is often a grid point, whose gap is its ε-subproblem's (the
        reference dataset's shortfall-capability front: shortfall 0, bound 0, "gap 0.116")."""
        if not self.points_found or self.primary_bound is None:
            return None
        return relative_gap(float(self.points_found[0].objectives[self.objectives[0]]), float(self.primary_bound))

    @property
    def points(self) -> pd.DataFrame:
        """One row per plan: point, the chosen objectives, the others, gap (of the point's
        own solve), gap_of (that solve's objective: `SUBPROBLEM_GAP_OF` or a payoff row's), proven."""
        others = [n for n in self.inputs.objective_names() if n not in self.objectives]
        rows = []
        for i, pt in enumerate(self.points_found, start=1):
            obj = pt.objectives
            rows.append(
                {
                    "point": i,
                    **{n: obj[n] for n in self.objectives},
                    **{n: obj[n] for n in others},
                    "gap": pt.gap,
                    "gap_of": pt.gap_of,
                    "proven": pt.proven,
                }
            )
        return pd.DataFrame(rows, columns=["point", *self.objectives, *others, "gap", "gap_of", "proven"])

    @property
    def plans(self) -> list[pd.DataFrame]:
        """Each front point's Plan table, in the order of `points`."""
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
        """The front workbook's Summary: point 1's objectives, bound and gap, the grid, the
        proofs and what the front was made from."""
        from optimizer.result import provenance_rows

        source = self.inputs.source
        rows: list[tuple[str, object]] = [
            (
                "status",
                "optimal"
                if self.complete and self.payoff_proven and self.stats.unproven == 0 and not self._unproven_points()
                else "feasible",
            ),
            ("termination", self.termination),
            ("objective", "pareto"),
        ]
        if self.points_found:
            first = self.points_found[0].objectives
            rows += [(n, float(first[n])) for n in self.inputs.objective_names()]
            rows += [("best_bound", self.primary_bound), ("gap", self.primary_gap)]
            rows += self._gap_rows()
        rows += [
            ("pareto_objectives", ", ".join(self.objectives)),
            ("pareto_mode", "exact" if self.exact else "grid"),
            ("point_gap_target", self._point_gap_target()),
            *([("subproblem_objective", self._subproblem_objective())] if self.augmentation_weight is not None else []),
            ("front_complete", self.completeness),
            (
                "payoff_table",
                "proven"
                if self.payoff_proven
                else "not proven: a payoff solve stopped before proving its optimum (point 1 is the best found)",
            ),
            ("nadir_bounds", self.bounds),
            ("nadir", self.worst_levels),
            ("points", len(self.points_found)),
            ("grid_points", self.stats.grid_total),
            ("solved", self.stats.solved),
            ("skipped", self.stats.skipped),
            ("infeasible_points", self.stats.infeasible),
            ("unproven_points", self._unproven_points()),  # of the front's points (Pareto sheet)
            ("unproven_solves", self.stats.unproven),  # grid sub-problems, dominated plans included
            ("second_tries", self.stats.retried),  # unproven grid points solved again (grid.prove_open_cells)
            ("proven_by_last_optimum", self.stats.tied),  # among `solved` (grid._Walk._known_bound)
            ("solve_seconds", round(self.seconds, 3)),
            ("seconds_in_solver", round(self.solver_seconds, 3)),
            ("workers", self.workers),
            *([("strategy", self.strategy)] if self.strategy else []),
            ("time_limit", self.time_limit),
            ("point_time_limit", self.point_time_limit if self.point_time_limit else "none (the time limit)"),
            ("threads", self.threads if self.threads else "solver default"),
            ("solver", self.solver),
            ("solver_version", self.solver_version),
        ]
        if self.solver_options:
            rows.append(("solver_options", self.solver_options))
        rows += [
            *provenance_rows(source),
            ("created_at", pd.Timestamp.now(tz="UTC").floor("s").isoformat()),
        ]
        rows += [("note", n) for n in self.notes]
        return rows

    @property
    def termination(self) -> str:
        """Why the run ended (WORKBOOK.md: the solver's reason), with what it left unproven.

        A front has no one solver reason, and "complete" said nothing true: a 50-s front
        whose three grid points each stopped at their share of the time limit read as
        complete. Each point's time is its share of the run's limit, so a point or payoff
        solve left unproven by a run that finished its grid was stopped by the time limit
        (an interrupt or a lost worker leaves the grid unfinished)."""
        n = self.stats.unproven
        unproven = [] if self.payoff_proven else ["the payoff table"]
        unproven += [f"{n} grid point{'s' * (n != 1)}"] if n else []
        left = f"{' and '.join(unproven)} not proven" if unproven else ""
        if not self.complete:
            return f"{self.stopped_by or 'stopped'}: the grid was not finished" + (f"; {left}" if left else "")
        if self.stopped_by:  # a Ctrl-C during the second tries: the grid itself was finished
            return f"{self.stopped_by}: the grid was finished" + (f"; {left}" if left else "")
        return f"time limit: {left}" if left else "grid finished"

    def _point_gap_target(self) -> str:
        """What "proven" means for a point: grid points are solved to a fixed relative gap,
        not the workbook's mip_gap, so a point stopped by its time share at 0.8 % is "not
        proven" where a plain solve at 0.8 % would say "optimal" (a planner asked why)."""
        if self.point_gap is None:
            return ""
        if self.exact and self.point_gap == 0:  # fractional objectives (grid.subproblem_gap)
            return "the optimum of each point, solved to gap 0"
        if self.exact and self.whole_primary:
            return f"the integer optimum of each point (a relative gap of {self.point_gap:.2g} proves it)"
        return f'{self.point_gap:g} relative gap for each grid point; "proven" means within it'

    def _subproblem_objective(self) -> str:
        """What each grid point maximised, so that an analyst can pose the same subproblem
        again: the primary objective alone, or with AUGMECON2's augmentation term."""
        primary = self.objectives[0]
        if not self.augmentation_weight:
            return (
                f"{primary} alone (two whole-valued objectives); of plans tied on it, "
                "the walk keeps the one best in the other"
            )
        return f"{primary} + {self.augmentation_weight:g} × Σ 10^−(k−2)·(surplus over level k ÷ range k) (AUGMECON2)"

    def _unproven_points(self) -> int:
        """Points of the front whose own solve did not prove its optimum."""
        return sum(not pt.proven for pt in self.points_found)

    def _gap_rows(self) -> list[tuple[str, object]]:
        """The `gap` row (WORKBOOK.md) is point 1's primary against `best_bound`; a front is
        as far from proven as its worst point, so that one's own solve gap is named too
        (every point's, and what it is of, is in the Pareto sheet)."""
        primary = self.objectives[0]
        most = "most" if _sign(primary) > 0 else "least"
        gap_of = (
            f"point 1 (the {most} {primary} found): its {primary} against best_bound, the first "
            f"payoff solve's bound on {primary}, which no plan beats; each point's own solve gap "
            "is in the Pareto sheet (gap, and gap_of: a grid point's is its ε-subproblem's)"
        )
        rows: list[tuple[str, object]] = [("gap_of", gap_of)]
        known = [(pt.gap, i) for i, pt in enumerate(self.points_found, start=1) if pt.gap is not None]
        unknown = [i for i, pt in enumerate(self.points_found, start=1) if pt.gap is None]
        if unknown:
            rows.append(("worst_point_gap", f"unknown: no bound for point {unknown[0]}"))
        elif known:
            gap, point = max(known, key=lambda item: (item[0], -item[1]))
            rows += [("worst_point_gap", gap), ("worst_gap_point", point)]
        return rows

    def to_excel(self, path: str | Path) -> Path:
        """Verify every point's plan, then write the front workbook atomically."""
        from data.report import write_front_workbook
        from optimizer.checks.verify import assert_valid

        for pt in self.points_found:
            assert_valid(self.inputs, pt.decisions, pt.objectives)
        return write_front_workbook(
            path,
            self.summary_rows(),
            self.points,
            self.payoff,
            self.core_index,
            self.point_tables(),
            list(self.inputs.years),
            list(self.objectives),
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
        units = axis_titles(self.inputs.settings.currency, x, y)  # the workbook chart's titles
        ax.set_xlabel(units.get(x, x))
        ax.set_ylabel(units.get(y, y))
        # as the terminal's "Front:" line says it: "10 non-dominated plans" headed a chart
        # whose legend marked 9 of them not proven
        words = front_plans_in_words(len(df), self.payoff_proven and self.stats.unproven == 0)
        ax.set_title(
            f"Pareto front: {len(df)} {words}" + ("" if self.proven_complete else f"\n({self.completeness})"),
            fontsize=10,
        )
        ax.grid(True, alpha=0.3)
        ax.legend()
        fig.tight_layout()
        image = io.BytesIO()
        fig.savefig(image, format="png", dpi=120)
        plt.close(fig)
        return write_bytes_atomically(image.getvalue(), path)


def _sign(name: str) -> int:
    return 1 if objective_sense(name) == "max" else -1


def non_dominated(points: list[FrontPoint], objectives: Sequence[str]) -> list[FrontPoint]:
    """Drop dominated and duplicate points (maximise space), best primary first."""
    if not points:
        return []
    signs = np.array([_sign(n) for n in objectives], dtype=float)
    ordered = sorted(
        points, key=lambda pt: (tuple(-s * pt.objectives[n] for s, n in zip(signs, objectives)), not pt.proven)
    )
    vectors = np.array([[pt.objectives[n] for n in objectives] for pt in ordered], dtype=float) * signs
    # one tolerance per objective, from that objective's own size: one from the vector's
    # largest component (a cost of 5e7) called capability 82 "equal" to 84, and an exact
    # front of money in euros lost its best points (13 of 18, still "proven complete")
    tolerances = DOMINANCE_TOLERANCE * np.maximum(1.0, np.abs(vectors))
    kept: list[int] = []
    for i, (v, tol) in enumerate(zip(vectors, tolerances)):
        if kept:
            others = vectors[kept]
            if np.all(others >= v - tol, axis=1).any():  # a kept point dominates or equals it
                continue
            beaten = np.all(v >= others - tol, axis=1) & np.any(v > others + tol, axis=1)
            if beaten.any():  # only within the tolerance: kept points come first in this order
                kept = [k for k, lost in zip(kept, beaten) if not lost]
        kept.append(i)
    return sorted(
        (ordered[i] for i in kept), key=lambda pt: tuple(-s * pt.objectives[n] for s, n in zip(signs, objectives))
    )


def _emit(progress: ParetoProgressFn | None, stats: ParetoProgress) -> None:
    if progress is not None:
        progress(stats)
