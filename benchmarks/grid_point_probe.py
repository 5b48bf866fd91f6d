"""Probes of one exact grid point's tree on a two-objective knapsack: what shrinks it.

An exact two-objective front spends nearly all its time in HiGHS proving each grid point
(docs/benchmarks.md, thirty-first session). These probes pose the grid point's subproblem
straight to highspy, without the workbook path, so that only HiGHS's tree is measured:

    max f1  s.t.  f2 >= ε,  knapsack rows,  x binary

with the settings an exact walk gives a large tree (optimizer.studies.pareto.grid:
`_prepare_grid`, `fit_tree_settings`). The grid point "k" is the one whose optimum is the
k-th published front point (ε one above the (k−1)-th point's second objective).

    python -m benchmarks.grid_point_probe ../shared/benchmarks/knapsack/csv/2kp250 --out grid_point_probe

* `box`: the ε row capped from above at the level of a front point d places further on (a
  box of objective space, as box methods pose it; the optimum is unchanged) against no cap.
* `second-stage`: a walk over the first points that, after each point, also solves for
  the most of f2 among the plans with the proven best f1 (a lexicographic second stage);
  how often that finds a tie the plain walk would solve again, and what it costs.
* `lp-options`: simplex options on the nodes' LPs (edge weights, scaling).
* `root`: how much of a grid point's solve is HiGHS's root (its presolve, cut rounds and
  restarts: the solve stopped after its first node), with the point's optimum as the start:
  the best start the walk could give (its pool's are often worse, so in the walk HiGHS's
  root heuristics matter more than here).
* `direction`: each front point proven both ways, as the walk from the first objective's
  end poses it (max f1 above the last point's f2) and as the walk from the other end does
  (max f2 above the next point's f1), on every `--step`-th point.

Writes benchmarks/results/<out>.md.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import highspy
import numpy as np

from benchmarks.knapsack import read_case

ROOT = Path(__file__).resolve().parent.parent
OptionValue = bool | int | float | str

# What an exact walk sets for a grid point after a large tree (grid._prepare_grid and
# grid.fit_tree_settings, two objectives), with one thread and no gap.
LARGE_TREE_OPTIONS: dict[str, OptionValue] = {
    "mip_rel_gap": 0.0,
    "threads": 1,
    "mip_heuristic_run_rins": False,
    "mip_heuristic_run_rens": False,
    "mip_heuristic_run_feasibility_jump": False,
    "mip_allow_cut_separation_at_nodes": False,
    "mip_heuristic_run_shifting": True,
    "mip_heuristic_run_zi_round": True,
    "mip_allow_restart": True,
    "mip_pscost_minreliable": 8,
}

LP_OPTION_SETS: dict[str, dict[str, OptionValue]] = {
    "as shipped": {},
    "Dantzig pricing": {"simplex_dual_edge_weight_strategy": 0},
    "Devex pricing": {"simplex_dual_edge_weight_strategy": 1},
    "no scaling": {"simplex_scale_strategy": 0},
}


ROOT_OPTION_SETS: dict[str, dict[str, OptionValue]] = {
    "as shipped": {},
    "no root reduced-cost heuristic": {"mip_heuristic_run_root_reduced_cost": False},
    "cut pool soft limit 1,000": {"mip_pool_soft_limit": 1000},
    "LP age limit 3": {"mip_lp_age_limit": 3},
}


@dataclass(frozen=True)
class Case:
    """A two-objective case: knapsack rows a·x <= b, objectives c, the published front
    sorted by falling f1 (rising f2)."""

    a: np.ndarray
    b: np.ndarray
    c: np.ndarray
    front: np.ndarray

    @classmethod
    def read(cls, folder: str) -> Case:
        data = read_case(folder)
        front = data["pareto_sols"]
        front = front[np.argsort(-front[:, 0], kind="stable")]
        return cls(data["a"][:2], data["b"].ravel()[:2], data["c"][:2], front)

    def level(self, k: int) -> float:
        """ε of grid point k: one above the last point's f2 (0 for the first)."""
        return float(self.front[k - 1, 1] + 1) if k > 0 else 0.0


@dataclass(frozen=True)
class Solved:
    """One solve: objective, nodes, seconds and the plan (None: no plan)."""

    objective: float
    nodes: int
    seconds: float
    plan: np.ndarray | None


def solve(
    case: Case,
    objective: int,
    rows: Sequence[tuple[float, float, int]],
    options: dict[str, OptionValue] | None = None,
    start: np.ndarray | None = None,
) -> Solved:
    """Maximise objective `objective` (0: f1, 1: f2) over the knapsack with extra rows
    (lower, upper, which objective's coefficients), the large-tree settings plus `options`."""
    h = highspy.Highs()
    h.silent()
    n = case.a.shape[1]
    columns = np.arange(n, dtype=np.int32)
    h.addVars(n, np.zeros(n), np.ones(n))
    h.changeColsIntegrality(n, columns, np.array([highspy.HighsVarType.kInteger] * n))
    h.changeColsCost(n, columns, case.c[objective])
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    for row, capacity in zip(case.a, case.b):
        h.addRow(-highspy.kHighsInf, float(capacity), n, columns, row)
    for lower, upper, which in rows:
        h.addRow(lower, upper, n, columns, case.c[which])
    for name, value in {**LARGE_TREE_OPTIONS, **(options or {})}.items():
        h.setOptionValue(name, value)
    if start is not None:
        given = highspy.HighsSolution()
        given.col_value = list(start)
        given.value_valid = True
        h.setSolution(given)
    began = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - began
    info = h.getInfo()
    has_plan = info.primal_solution_status == 2
    plan = np.round(np.array(h.getSolution().col_value)) if has_plan else None
    return Solved(info.objective_function_value, info.mip_node_count, seconds, plan)


def grid_point(
    case: Case, k: int, upper: float = highspy.kHighsInf, options: dict[str, OptionValue] | None = None
) -> Solved:
    """Grid point k with its ε row capped at `upper`; its optimum checked against the
    published front (a probe that changed the answer would measure nothing)."""
    solved = solve(case, 0, [(case.level(k), upper, 1)], options)
    if abs(solved.objective - case.front[k, 0]) > 0.5:
        raise AssertionError(f"grid point {k}: {solved.objective} instead of {case.front[k, 0]}")
    return solved


def timed_point(
    case: Case, k: int, repeats: int, upper: float = highspy.kHighsInf, options: dict[str, OptionValue] | None = None
) -> tuple[float, int]:
    """Grid point k solved `repeats` times: (median seconds, nodes; the tree is the same
    each time, one thread, one seed)."""
    runs = [grid_point(case, k, upper, options) for _ in range(repeats)]
    return statistics.median(r.seconds for r in runs), runs[0].nodes


def box_probe(case: Case, points: Sequence[int], repeats: int) -> list[str]:
    """The ε row uncapped against capped at the level of the front point d places on."""
    distances: list[int | None] = [None, 20, 7, 1]
    lines = ["| grid point | " + " | ".join("no cap" if d is None else f"cap d = {d}" for d in distances) + " |"]
    lines.append("|---" * (len(distances) + 1) + "|")
    totals = {d: 0.0 for d in distances}
    for k in points:
        cells = []
        for d in distances:
            upper = highspy.kHighsInf if d is None else float(case.front[min(k + d, len(case.front) - 1), 1] - 1)
            seconds, nodes = timed_point(case, k, repeats, upper)
            totals[d] += seconds
            cells.append(f"{seconds:.2f} s, {nodes:,} nodes")
        lines.append(f"| {k} | " + " | ".join(cells) + " |")
    lines.append("| all | " + " | ".join(f"**{totals[d]:.2f} s**" for d in distances) + " |")
    return lines


def second_stage_probe(case: Case, count: int) -> list[str]:
    """A walk over the first `count` points, each followed by its lexicographic second
    stage; the next point starts above the second stage's f2, as a lexicographic walk's
    would. Counts the ties the plain walk would have solved again."""
    level, ties, first_seconds, second_seconds = 0.0, 0, 0.0, 0.0
    for k in range(count):
        first = solve(case, 0, [(level, highspy.kHighsInf, 1)])
        assert first.plan is not None, "a grid point of the published front has a plan"
        best, other = float(first.plan @ case.c[0]), float(first.plan @ case.c[1])
        second = solve(case, 1, [(level, highspy.kHighsInf, 1), (best, highspy.kHighsInf, 0)], start=first.plan)
        assert second.plan is not None
        most = float(second.plan @ case.c[1])
        if abs(best - case.front[k, 0]) > 0.5 or abs(most - case.front[k, 1]) > 0.5:  # a lexicographic walk
            raise AssertionError(f"point {k}: ({best}, {most}) instead of {tuple(case.front[k])}")
        first_seconds += first.seconds
        second_seconds += second.seconds
        ties += most > other + 0.5  # the plain walk's next point would tie this one
        level = most + 1
    share = f"{second_seconds / first_seconds:.0%} of the plain solves"
    return [
        "| walk of the first points | plain grid solves | second stages | points with a tie |",
        "|---|---:|---:|---:|",
        f"| {count} points | {first_seconds:.1f} s | {second_seconds:.1f} s ({share}) | {ties} ({ties / count:.0%}) |",
    ]


def lp_options_probe(case: Case, points: Sequence[int], repeats: int) -> list[str]:
    """Simplex options on the nodes' LPs: seconds and nodes over the points."""
    lines = ["| LP options | seconds (sum of medians) | nodes |", "|---|---:|---:|"]
    for name, options in LP_OPTION_SETS.items():
        seconds, nodes = (
            sum(column) for column in zip(*(timed_point(case, k, repeats, options=options) for k in points))
        )
        lines.append(f"| {name} | {seconds:.2f} | {nodes:,} |")
    return lines


def root_probe(case: Case, points: Sequence[int], repeats: int) -> list[str]:
    """Each point solved whole and stopped after its root, both from its optimum: as
    shipped point by point, then summed for each of the options that shorten the root."""
    optima = {k: grid_point(case, k).plan for k in points}

    def timed(k: int, options: dict[str, OptionValue]) -> tuple[float, float, int]:
        rows = [(case.level(k), highspy.kHighsInf, 1)]
        wholes = [solve(case, 0, rows, options, start=optima[k]) for _ in range(repeats)]
        root = statistics.median(
            solve(case, 0, rows, {**options, "mip_max_nodes": 1}, start=optima[k]).seconds for _ in range(repeats)
        )
        return statistics.median(w.seconds for w in wholes), root, wholes[0].nodes

    lines = ["| grid point | whole solve | to the end of the root | root share |", "|---|---:|---:|---:|"]
    sums: dict[str, tuple[float, float, int]] = {}
    for name, options in ROOT_OPTION_SETS.items():
        results = [timed(k, options) for k in points]
        whole_sum, root_sum, node_sum = (sum(column) for column in zip(*results))
        sums[name] = (whole_sum, root_sum, int(node_sum))
        if not options:
            lines += [
                f"| {k} | {whole:.3f} s | {root:.3f} s | {root / whole:.0%} |"
                for k, (whole, root, _) in zip(points, results)
            ]
    whole_sum, root_sum, _ = sums["as shipped"]
    lines.append(f"| all | **{whole_sum:.2f} s** | **{root_sum:.2f} s** | **{root_sum / whole_sum:.0%}** |")
    lines += ["", "| options | root, s | whole solves, s | nodes |", "|---|---:|---:|---:|"]
    lines += [f"| {name} | {root:.2f} | {whole:.2f} | {nodes:,} |" for name, (whole, root, nodes) in sums.items()]
    return lines


def direction_probe(case: Case, step: int) -> list[str]:
    """Each sampled point's tree from either end of the front: whether one direction
    proves points more cheaply, overall or by where on the front they lie."""
    rows = []
    for k in range(3, len(case.front) - 1, step):
        from_first = grid_point(case, k)
        from_other = solve(case, 1, [(float(case.front[k + 1, 0] + 1), highspy.kHighsInf, 0)])
        if abs(from_other.objective - case.front[k, 1]) > 0.5:
            raise AssertionError(f"point {k} from the other end: {from_other.objective}")
        rows.append((from_first, from_other))
    cheaper = sum(other.nodes < first.nodes for first, other in rows)
    lines = [
        "| points | from the first objective's end | from the other end | the other end cheaper |",
        "|---|---:|---:|---:|",
    ]
    for start in range(0, len(rows), 20):
        part = rows[start : start + 20]
        lines.append(
            f"| {3 + start * step}–{3 + (start + len(part) - 1) * step} "
            f"| {sum(f.seconds for f, _ in part):.1f} s, {sum(f.nodes for f, _ in part):,} nodes "
            f"| {sum(o.seconds for _, o in part):.1f} s, {sum(o.nodes for _, o in part):,} nodes "
            f"| {sum(o.nodes < f.nodes for f, o in part)} of {len(part)} |"
        )
    lines.append(
        f"| all {len(rows)} | {sum(f.seconds for f, _ in rows):.1f} s, {sum(f.nodes for f, _ in rows):,} nodes "
        f"| {sum(o.seconds for _, o in rows):.1f} s, {sum(o.nodes for _, o in rows):,} nodes | {cheaper} of {len(rows)} |"
    )
    best = sum(min(f.nodes, o.nodes) for f, o in rows)
    lines += ["", f"The cheaper direction at every point, were it known beforehand: {best:,} nodes."]
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("case", help="a two-objective case folder (CSV layout)")
    parser.add_argument("--points", default="40,80,150,300,450,520", help="grid points k, comma-separated")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--walk", type=int, default=60, help="points the second-stage walk covers")
    parser.add_argument("--step", type=int, default=5, help="every how many front points the direction probe takes")
    parser.add_argument("--probes", default="box,second-stage,lp-options,root,direction")
    parser.add_argument("--out", default="grid_point_probe")
    args = parser.parse_args(argv)
    case = Case.read(args.case)
    points = [int(k) for k in args.points.split(",")]
    probes = {
        "box": lambda: box_probe(case, points, args.repeats),
        "second-stage": lambda: second_stage_probe(case, args.walk),
        "lp-options": lambda: lp_options_probe(case, points, args.repeats),
        "root": lambda: root_probe(case, points, args.repeats),
        "direction": lambda: direction_probe(case, args.step),
    }
    flags = f"--points {args.points} --repeats {args.repeats} --walk {args.walk} --step {args.step}"
    machine = f"{platform.processor() or platform.machine()}, Python {platform.python_version()}"
    lines = [
        f"# Grid point probes: {Path(args.case).name}",
        "",
        f"`python -m benchmarks.grid_point_probe {args.case} {flags} --probes {args.probes}`",
        "",
        f"{machine}, highspy {highspy.Highs().version()}; median of {args.repeats} per cell, one thread.",
    ]
    for name in args.probes.split(","):
        print(f"probe: {name}", flush=True)
        lines += ["", f"## {name}", "", *probes[name]()]
    out = ROOT / "benchmarks" / "results" / f"{args.out}.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
