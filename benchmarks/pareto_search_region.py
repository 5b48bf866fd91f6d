"""How many MIP solves would a search-region enumeration need on the published knapsack fronts?

    python -m benchmarks.pareto_search_region 2kp50 3kp40 4kp50

Issue 16 asks for exact fronts at least 5 times faster than pyaugmecon. On 4kp50 ours
solves 174 MIPs for 46 points (payoff table 16, safe levels 3, grid 155), pyaugmecon 156,
and the grid walk re-proves known points (79 of its 155 solves). The literature's answer
to that is a search-region method: keep the part of objective space no known point
dominates as a set of local upper bounds (Klamroth, Lacour and Vanderpooten, EJOR 2015),
ask one MIP per bound — the best f1 strictly inside its box, ties broken
lexicographically — and let each answer split or close the boxes. It needs no payoff
table and no nadir, and never returns a known point: every solve finds a new point or
proves a box empty.

This script counts those solves without a solver. The published front is complete, so the
answer to each box's MIP is the front's lexicographically best point strictly inside it
(or none), and the enumeration runs exactly as it would with HiGHS. It checks that every
published point is found, and prints the solves for each order of visiting the boxes and
each choice of the objective a box optimises. Objectives are maximised in the data;
internally they are negated and minimised.
"""

from __future__ import annotations

import argparse
import csv
from collections.abc import Callable
from pathlib import Path

import numpy as np

FRONTS = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "knapsack" / "csv"
OPEN = 10**9  # a box's bound before any point limits it

Bound = tuple[int, ...]


def published_front(case: str, root: Path = FRONTS) -> np.ndarray:
    """The case's published non-dominated points, negated (minimisation), one row each."""
    with open(root / case / "pareto_sols.csv", newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    return np.array([[-round(float(v)) for v in row[1:]] for row in rows if row[1]], dtype=np.int64)


def best_inside(front: np.ndarray, bound: Bound, objective: int) -> Bound | None:
    """The MIP a box asks: the point strictly below `bound` with the least `objective`,
    ties broken by the other objectives in order (the augmented objective's role)."""
    inside = front[(front < np.array(bound)).all(axis=1)]
    if len(inside) == 0:
        return None
    keys = [inside[:, objective]] + [inside[:, k] for k in range(front.shape[1]) if k != objective]
    return tuple(int(v) for v in inside[np.lexsort(tuple(reversed(keys)))[0]])


def _below_or_equal(a: Bound, b: Bound) -> bool:
    return all(x <= y for x, y in zip(a, b))


def _split(bounds: set[Bound], point: Bound) -> set[Bound]:
    """Local upper bounds after `point` is found: every box holding it is cut into one box
    per objective, and boxes inside another box are dropped (they add nothing)."""
    holding = {u for u in bounds if all(z < x for z, x in zip(point, u))}
    kept = bounds - holding
    for u in holding:
        for j in range(len(point)):
            kept.add(u[:j] + (point[j],) + u[j + 1 :])
    return {u for u in kept if not any(u != v and _below_or_equal(u, v) for v in kept)}


def enumerate_front(
    front: np.ndarray, pick: Callable[[set[Bound]], Bound], objective_of: Callable[[Bound], int]
) -> tuple[int, int]:
    """Run the enumeration with `front` as the oracle: (MIP solves, of which empty boxes)."""
    p = front.shape[1]
    bounds: set[Bound] = {(OPEN,) * p}
    empty: list[Bound] = []  # boxes proven to hold no point: their sub-boxes are never asked
    found: set[Bound] = set()
    solves = infeasible = 0
    while bounds:
        box = pick(bounds)
        bounds.discard(box)
        if any(_below_or_equal(box, e) for e in empty):
            continue
        solves += 1
        objective = objective_of(box)
        point = best_inside(front, box, objective)
        if point is None:
            infeasible += 1
            empty.append(box)
            continue
        if point in found:
            raise AssertionError(f"a box returned a known point {point}")
        found.add(point)
        # nothing in the box beats the point on the objective it optimised
        empty.append(box[:objective] + (point[objective],) + box[objective + 1 :])
        bounds = _split(bounds | {box}, point)
    if len(found) != len(front):
        raise AssertionError(f"found {len(found)} of {len(front)} points")
    return solves, infeasible


PICKS: dict[str, Callable[[set[Bound]], Bound]] = {
    "smallest first": min,
    "largest first": max,
    "most-bounded first": lambda bounds: min(bounds, key=lambda u: (sum(x >= OPEN for x in u), u)),
}
OBJECTIVES: dict[str, Callable[[Bound], int]] = {
    "f1 always": lambda box: 0,
    "the most open": lambda box: int(np.argmax(box)),
    "the tightest": lambda box: int(np.argmin(box)),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("cases", nargs="+")
    parser.add_argument("--fronts", type=Path, default=FRONTS)
    args = parser.parse_args()
    for case in args.cases:
        front = published_front(case, args.fronts)
        for pick_name, pick in PICKS.items():
            for objective_name, objective_of in OBJECTIVES.items():
                solves, infeasible = enumerate_front(front, pick, objective_of)
                print(
                    f"{case}: {len(front)} points; boxes {pick_name}, optimising {objective_name}: "
                    f"{solves} solves ({solves / len(front):.2f} a point), {infeasible} of them empty boxes"
                )


if __name__ == "__main__":
    main()
