"""Weights, priorities and fronts typed on the command line that the solver cannot take: usage errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from data.input_writer import write_inputs
from optimizer.errors import EXIT_CODES
from tests.cli.conftest import run
from tests.optimizer.conftest import make_inputs, nation, programme


@pytest.mark.parametrize("command", ["solve", "replan"])
def test_a_weight_whose_products_the_solver_cannot_take_is_a_usage_error(
    command: str, tmp_path: Path, book: Path
) -> None:
    """`--weight capability=1e15` ran on the reference dataset as the greedy plan, "feasible,
    gap 75 %", where the same weight in the workbook is refused naming its cell."""
    args = [command, str(book), "-o", str(tmp_path / "out.xlsx"), "--weight", "capability=1e15"]
    if command == "replan":
        plan = tmp_path / "plan.xlsx"
        assert run("solve", str(book), "-o", str(plan)).exit_code == 0
        args += ["--previous", str(plan), "--from-year", "2031"]
    result = run(*args)
    assert result.exit_code == EXIT_CODES["usage"] == 2, result.output
    assert (
        "value 5 (Values P1, air) × 2 in-service years × --weight capability=1e+15 is 1e+16 in the weighted "
        "objective, too large for the solver"
    ) in result.output
    assert not (tmp_path / "out.xlsx").exists()


def test_a_fronts_objectives_whose_products_the_solver_cannot_take_are_a_usage_error(tmp_path: Path) -> None:
    """Risk 1e8 × cost 1e8 is no error while the workbook's run leaves risk out; a front of
    capability and risk ran on it."""
    from dataclasses import replace

    inputs = make_inputs(
        first_year=2030,
        last_year=2031,
        nations=[nation("AAA")],
        budgets=10.0,
        programmes=[replace(programme("P1", cost=1e8), cost_overrun_risk=1e8), programme("P2", cost=6)],
        values={("P1", "air"): 5.0, ("P2", "air"): 4.0},
    )
    book = tmp_path / "risky.xlsx"
    write_inputs(inputs, book)
    result = run("pareto", str(book), "-o", str(tmp_path / "front.xlsx"), "--objectives", "capability,risk")
    assert result.exit_code == EXIT_CODES["usage"] == 2, result.output
    assert (
        "Invalid value for --objectives: cost_overrun_risk 1e+08 (Programmes P1) × total_cost 1e+08 "
        "(Programmes P1) is 1e+16 in the risk objective, too large for the solver"
    ) in result.output
    assert not (tmp_path / "front.xlsx").exists()


def test_a_priority_that_puts_large_area_weights_to_use_names_the_option_and_the_sheets(tmp_path: Path) -> None:
    """The workbook's own run leaves capability out, so its area weight of 1e12 is no error
    there; `--priority capability,cost` was refused as "Invalid value for --objective: value
    1000 (N14, CA-C2) × weight 1e+12", naming an option not given and no sheet."""
    from dataclasses import replace

    inputs = make_inputs(
        first_year=2030,
        last_year=2031,
        nations=[nation("AAA")],
        budgets=10.0,
        programmes=[programme("P1", cost=5), programme("P2", cost=6)],
        values={("P1", "air"): 1000.0, ("P2", "air"): 4.0},
    )
    inputs = replace(
        inputs,
        areas=tuple(replace(a, weight=1e12) for a in inputs.areas),
        settings=replace(inputs.settings, priority=("shortfall", "cost")),
    )
    book = tmp_path / "heavy.xlsx"
    write_inputs(inputs, book)
    result = run("solve", str(book), "-o", str(tmp_path / "plan.xlsx"), "--priority", "capability,cost")
    assert result.exit_code == EXIT_CODES["usage"] == 2, result.output
    assert (
        "Invalid value for --priority: value 1000 (Values P1, air) × weight 1e+12 (CapabilityAreas air) × "
        "1 in-service years is 1e+15 in the capability objective"
    ) in result.output
    assert not (tmp_path / "plan.xlsx").exists()


@pytest.mark.parametrize("command", ["solve", "replan"])
def test_weights_too_small_for_the_solver_are_a_usage_error(command: str, tmp_path: Path, book: Path) -> None:
    """`--weight cost=1e-12` alone returned, on the reference dataset, a plan costing 53,085 as
    "optimal, gap 0" where 1,636 was possible: the objective lay under HiGHS's tolerances."""
    args = [command, str(book), "-o", str(tmp_path / "out.xlsx"), "--weight", "cost=1e-12"]
    if command == "replan":
        args += ["--previous", str(tmp_path / "none.xlsx"), "--from-year", "2031"]
    result = run(*args)
    assert result.exit_code == EXIT_CODES["usage"] == 2, result.output
    assert (
        "Invalid value for --weight: --weight cost=1e-12 makes the weighted objective's largest coefficient "
        "6e-12, too small for the solver"
    ) in result.output
    assert "multiply every weight alike, which gives the same plan" in result.output
    assert not (tmp_path / "out.xlsx").exists()


@pytest.mark.parametrize("command", ["solve", "replan"])
def test_weights_that_are_all_zero_are_a_usage_error(command: str, tmp_path: Path, book: Path) -> None:
    """`--weight capability=0` ended as "Internal error: ValueError" (exit 1)."""
    args = [command, str(book), "-o", str(tmp_path / "out.xlsx"), "--weight", "capability=0", "--weight", "cost=0"]
    if command == "replan":
        args += ["--previous", str(tmp_path / "none.xlsx"), "--from-year", "2031"]
    result = run(*args)
    assert result.exit_code == EXIT_CODES["usage"] == 2, result.output
    assert (
        "Invalid value for --weight: every weight given is 0 (capability=0, cost=0) — expected at least one "
        "objective with a weight > 0"
    ) in result.output
