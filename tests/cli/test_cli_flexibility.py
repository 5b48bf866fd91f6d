"""`capopt flexibility`: its --carry-over and --borrow fractions."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimizer.errors import EXIT_CODES
from tests.cli.conftest import run


@pytest.mark.parametrize("option", ["--carry-over", "--borrow"])
def test_flexibility_fraction_above_one_is_a_usage_error(tmp_path: Path, book: Path, option: str) -> None:
    """The option took any number ≥ 0, and 1.5 ended in "Internal error: ValueError:
    carry_over_fraction is 1.5 — expected a fraction from 0 to 1" (exit 1)."""
    result = run("flexibility", book, option, "1.5", "-o", tmp_path / "f.xlsx")
    assert result.exit_code == EXIT_CODES["usage"], result.output
    assert "Internal error" not in result.output and option in result.output
