"""The search-region count is an enumeration that finds every point of a front, never a
known one twice, and asks one MIP per point plus one per empty box."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from benchmarks.pareto_search_region import OBJECTIVES, PICKS, enumerate_front, published_front


def _non_dominated(points: np.ndarray) -> np.ndarray:
    """Brute force: the points no other point weakly dominates (minimisation)."""
    keep = [i for i, a in enumerate(points) if not any((b <= a).all() and (b != a).any() for b in points)]
    return np.unique(points[keep], axis=0)


@pytest.mark.parametrize("p", [2, 3, 4])
def test_every_point_of_a_random_front_is_found_in_every_order(p: int) -> None:
    rng = np.random.default_rng(p)
    front = _non_dominated(rng.integers(0, 12, size=(60, p)))
    for pick, objective_of in itertools.product(PICKS.values(), OBJECTIVES.values()):
        solves, empty = enumerate_front(front, pick, objective_of)  # raises if a point is missed
        assert solves - empty == len(front)


def test_two_objectives_need_one_solve_a_point_and_one_empty_box() -> None:
    """With two objectives the method is the ε-constraint walk: the last solve proves that
    nothing is left."""
    front = np.array([[0, 5], [1, 3], [2, 2], [4, 0]])
    assert enumerate_front(front, min, OBJECTIVES["f1 always"]) == (5, 1)


def test_the_published_2kp50_front_is_read_as_35_negated_points() -> None:
    front = published_front("2kp50", Path(__file__).resolve().parents[1] / "data" / "knapsack")
    assert front.shape == (35, 2) and (front < 0).all()
