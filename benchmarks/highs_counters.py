"""HiGHS's work counters against its CPU time on an exact front, with one HiGHS option set.

    python -m benchmarks.highs_counters 2kp50 --option mip_heuristic_run_root_reduced_cost=false --repeats 2
    python -m benchmarks.highs_counters 2kp250 --option mip_heuristic_run_root_reduced_cost=false --large-trees-only --first 250

Runs the case's exact front (its input workbook, no nadir, one thread) once as shipped and
once with each `--option` added to the grid's own HiGHS options, alternating, and prints for
each run the front's size, the CPU seconds of the HiGHS calls and HiGHS's deterministic
counters summed over every solve (simplex iterations, branch-and-bound nodes). An option
could be chosen per front by racing it on the first grid points only if such counters, which
do not depend on the machine's load, followed the time: the twenty-seventh session found
that on 2kp50 they point the other way (docs/benchmarks.md).

`--large-trees-only` sets the options only on the grid points that follow a large tree
(those `grid.fit_tree_settings` gives HiGHS's own restart and reliability branching);
`--first N` asks the front to stop after N solves, as a Ctrl-C would (the payoff table's
solves count; once asked, the rest of the table ends at once and the grid stops), for a
stretch of a long front such as 2kp250's.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import optimizer.solve.solver as solver_module
import optimizer.studies.pareto as pareto_package
from benchmarks.knapsack import knapsack_inputs
from benchmarks.pareto_vs_pyaugmecon import case_folder
from benchmarks.stage_probe import _parse
from data.input_writer import write_inputs
from optimizer import Scenario
from optimizer.studies.pareto import grid


@dataclass
class Counters:
    solves: int = 0
    cpu_seconds: float = 0.0
    iterations: int = 0
    nodes: int = 0


def exact_front_counters(
    book: Path, options: list[str], large_trees_only: bool = False, first: int | None = None
) -> tuple[int, Counters]:
    """The exact front of `book` with `options` set on its grid solves (only after a large
    tree if `large_trees_only`), stopped after `first` solves if given: (points, counters)."""
    counters = Counters()
    prepare, solve = pareto_package._prepare_grid, solver_module._HighsBackend.solve
    fit = grid.fit_tree_settings

    chosen = [_parse(option) for option in options]
    shipped: dict[str, object] = {}  # the grid's own values of those options

    def prepare_with_options(m: Any, persistent: Any, spec: Any) -> None:
        prepare(m, persistent, spec)
        shipped.update({name: persistent._backend.highs.getOptionValue(name)[1] for name, _ in chosen})
        if not large_trees_only:
            for name, value in chosen:
                persistent.set_highs_option(name, value)

    def fit_with_options(persistent: Any, previous_nodes: int) -> None:
        fit(persistent, previous_nodes)
        if large_trees_only and shipped:  # (not while the grid is being prepared)
            large = previous_nodes > grid.LARGE_TREE_NODES
            for name, value in chosen if large else shipped.items():
                persistent.set_highs_option(name, value)

    def counted(self: Any, time_limit: float, gap: float, warm_start: bool, known_bound: float | None) -> Any:
        began = time.process_time()
        outcome = solve(self, time_limit, gap, warm_start, known_bound)
        counters.cpu_seconds += time.process_time() - began
        info = self.highs.getInfo()
        counters.solves += 1
        counters.iterations += info.simplex_iteration_count
        counters.nodes += info.mip_node_count
        if first is not None and counters.solves >= first:
            solver_module.INTERRUPT.set()  # the front stops as after a Ctrl-C, with what it has
        return outcome

    pareto_package._prepare_grid = prepare_with_options  # type: ignore[assignment]
    grid.fit_tree_settings = fit_with_options  # type: ignore[assignment]
    solver_module._HighsBackend.solve = counted  # type: ignore[method-assign]
    try:
        front = Scenario.from_excel(book).pareto(exact=True, time_limit=3600, threads=1)
    finally:
        pareto_package._prepare_grid = prepare  # type: ignore[assignment]
        grid.fit_tree_settings = fit  # type: ignore[assignment]
        solver_module._HighsBackend.solve = solve  # type: ignore[method-assign]
        solver_module.INTERRUPT.clear()
    return len(front.points_found), counters


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("case", help="a knapsack case, e.g. 2kp50")
    parser.add_argument("--option", action="append", default=[], help="NAME=VALUE (repeatable)")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--large-trees-only", action="store_true", help="set the options only after a large tree")
    parser.add_argument("--first", type=int, default=None, help="stop the front after this many solves")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        book = Path(folder) / f"{args.case}.xlsx"
        write_inputs(knapsack_inputs(case_folder(args.case)), book)
        for _ in range(args.repeats):
            for options in ([], args.option):
                began = time.perf_counter()
                points, c = exact_front_counters(book, options, args.large_trees_only, args.first)
                wall = time.perf_counter() - began
                print(
                    f"{args.case} {' '.join(options) or '(as shipped)'}: {points} points, {c.solves} solves, "
                    f"HiGHS CPU {c.cpu_seconds:.2f} s, wall {wall:.1f} s, simplex iterations {c.iterations:,}, nodes {c.nodes:,}"
                )


if __name__ == "__main__":
    main()
