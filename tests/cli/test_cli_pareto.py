"""`capopt pareto`: a --nadir the front cannot use."""

from __future__ import annotations

from pathlib import Path

from optimizer.errors import EXIT_CODES
from tests.cli.conftest import refused_as_usage, run


def test_pareto_nadir_off_the_front_is_a_usage_error(tmp_path: Path, book: Path) -> None:
    """`--nadir risk=5` on a capability–cost front: "Internal error: ValueError" (exit 1)."""
    result = run("pareto", book, "--objectives", "capability,cost", "--nadir", "risk=5", "-o", tmp_path / "f.xlsx")
    assert result.exit_code == EXIT_CODES["usage"], result.output
    assert "Invalid value for --nadir: risk is not on the front — expected one of cost" in result.output


def test_pareto_nadir_of_the_primary_objective_is_a_usage_error(tmp_path: Path, book: Path) -> None:
    """The primary objective has no grid: its --nadir was ignored without a word."""
    out = tmp_path / "f.xlsx"
    result = run("pareto", book, "--objectives", "capability,cost", "--nadir", "capability=3", "-o", out)
    refused_as_usage(result, "capability is the front's primary objective", out)
