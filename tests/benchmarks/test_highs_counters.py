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
