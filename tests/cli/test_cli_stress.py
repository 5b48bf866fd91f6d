"""`capopt stress`: the plan it reads, --point and --seed."""

from __future__ import annotations

from pathlib import Path

from data.input_writer import write_inputs
from optimizer.errors import EXIT_CODES
from tests.cli.conftest import old_inputs, refused_as_usage, run


def test_stress_point_without_any_front_is_a_usage_error(tmp_path: Path, plan_of: Path) -> None:
    """`stress plan.xlsx --point 3` stressed the plan and never said that no point was chosen."""
    out = tmp_path / "stress.xlsx"
    result = run("stress", plan_of, "--point", "3", "--samples", "5", "-o", out)
    refused_as_usage(result, "not a Pareto front", out)


def test_stress_still_reads_a_plan_strictly(tmp_path: Path, previous: Path) -> None:
    """A stress test runs against the workbook the plan was made from: an id it lacks stays an error."""
    new = write_inputs(old_inputs(standards=[]), tmp_path / "new.xlsx")
    out = tmp_path / "stress.xlsx"
    result = run("stress", previous, "--book", new, "--allow-other-input", "--samples", "5", "-o", out)
    assert result.exit_code == EXIT_CODES["invalid_input"], result.output
    assert '[previous.xlsx]Standards!B2: standard "S" is not in the input workbook' in result.output
    assert not out.exists()


def test_a_negative_seed_is_a_usage_error(tmp_path: Path, book: Path) -> None:
    """Was "Internal error: ValueError: expected non-negative integer" (exit 1)."""
    plan_file = tmp_path / "plan.xlsx"
    assert run("solve", book, "-o", plan_file).exit_code == 0
    result = run("stress", plan_file, "--seed", "-1", "-o", tmp_path / "s.xlsx")
    assert result.exit_code == EXIT_CODES["usage"], result.output
    assert "--seed" in result.output and "Internal error" not in result.output
