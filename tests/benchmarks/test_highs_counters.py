"""The counter probe counts every solve of an exact front and sets its option on them."""

from __future__ import annotations

from pathlib import Path

from benchmarks import highs_counters
from benchmarks.knapsack import knapsack_inputs, reference_front
from benchmarks.pareto_vs_pyaugmecon import case_folder
from data.input_writer import write_inputs


def test_counters_cover_every_solve_and_the_option_keeps_the_front(tmp_path: Path) -> None:
    book = tmp_path / "4kp50.xlsx"
    write_inputs(knapsack_inputs(case_folder("4kp50")), book)
    points, shipped = highs_counters.exact_front_counters(book, [])
    again, without = highs_counters.exact_front_counters(book, ["mip_heuristic_run_root_reduced_cost=false"])
    assert points == again == len(reference_front(case_folder("4kp50")))
    for counters in (shipped, without):
        assert counters.solves > points and counters.iterations > 0 and counters.cpu_seconds > 0


def test_first_stops_the_front_after_that_many_solves(tmp_path: Path) -> None:
    book = tmp_path / "4kp50.xlsx"
    write_inputs(knapsack_inputs(case_folder("4kp50")), book)
    points, stopped = highs_counters.exact_front_counters(book, [], first=20)
    again, whole = highs_counters.exact_front_counters(book, [])  # the stop request is cleared after
    assert again == len(reference_front(case_folder("4kp50"))) > points
    # the payoff table ends its solves (stopped at once by the request); the grid then stops
    assert 20 <= stopped.solves < whole.solves


def test_large_trees_only_leaves_a_front_of_small_trees_as_shipped(tmp_path: Path) -> None:
    """2kp50's trees stay under grid.LARGE_TREE_NODES, so an option given for large trees
    only never applies: the same solves and nodes as shipped, unlike the option everywhere."""
    book = tmp_path / "2kp50.xlsx"
    write_inputs(knapsack_inputs(case_folder("2kp50")), book)
    option = ["mip_heuristic_run_root_reduced_cost=false"]
    _, shipped = highs_counters.exact_front_counters(book, [])
    _, large_only = highs_counters.exact_front_counters(book, option, large_trees_only=True)
    _, everywhere = highs_counters.exact_front_counters(book, option)
    assert (large_only.solves, large_only.nodes) == (shipped.solves, shipped.nodes)
    assert (everywhere.solves, everywhere.nodes) != (shipped.solves, shipped.nodes)
