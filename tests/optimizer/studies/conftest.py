"""Helpers the study tests share: a scenario every study solves at once."""

from __future__ import annotations

from optimizer import Scenario
from tests.optimizer.conftest import make_inputs, nation, programme


def small() -> Scenario:
    """One nation, two programmes, 2030–2031: every study solves it at once."""
    return Scenario(
        make_inputs(
            first_year=2030,
            last_year=2031,
            nations=[nation("AAA")],
            budgets=10.0,
            programmes=[programme("P1", cost=6), programme("P2", cost=3)],
            values={("P1", "air"): 5.0, ("P2", "air"): 1.0},
        )
    )
