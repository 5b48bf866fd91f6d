"""Fixtures shared by the command-line tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from data.input_writer import write_inputs
from tests.optimizer.conftest import make_inputs, nation, programme


@pytest.fixture()
def book(tmp_path: Path) -> Path:
    """Two allies, two programmes, 2030–2032; budget 10 a year: a plan exists, is easy to
    check, and every command solves it at once."""
    inputs = make_inputs(
        first_year=2030,
        last_year=2032,
        nations=[nation("AAA"), nation("BBB")],
        budgets=10.0,
        programmes=[programme("P1", cost=6), programme("P2", cost=6, duration=2)],
        values={("P1", "air"): 5.0, ("P2", "air"): 4.0},
    )
    path = tmp_path / "book.xlsx"
    write_inputs(inputs, path)
    return path
