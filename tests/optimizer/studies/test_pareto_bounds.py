"""Exact fronts against brute-force enumeration of every plan of small random knapsacks:
with 3+ objectives they need no nadir (payoff tables whose worst values lie above efficient
plans), and with two whole-valued objectives, whose subproblems maximise the primary alone,
plans tied on the primary leave no weakly efficient plan on the front."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from benchmarks.knapsack import knapsack_inputs
from cli import main
from data.input_writer import write_inputs
from optimizer import Scenario
from optimizer.studies.pareto.front import Bounds
from optimizer.studies.pareto.grid import GridSpec


def nondominated(vectors: set[tuple[float, ...]]) -> set[tuple[float, ...]]:
    def dominated(v: tuple[float, ...]) -> bool:
        return any(all(x >= y for x, y in zip(w, v)) and w != v for w in vectors)

    return {v for v in vectors if not dominated(v)}


def write_case(folder: Path, a: np.ndarray, b: np.ndarray, c: np.ndarray) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in (("a", a), ("b", b.reshape(-1, 1)), ("c", c)):
        frame = pd.DataFrame(table)
        frame.index += 1
        frame.columns += 1
        frame.to_csv(folder / f"{name}.csv")
    return folder


def cutting_case(seed: int, objectives: int, items: int = 10) -> tuple[np.ndarray, np.ndarray, np.ndarray, set]:
    """A random knapsack whose payoff table's worst values cut off part of its front."""
    rng = np.random.default_rng(seed)
    while True:
        a = rng.integers(1, 20, size=(objectives, items)).astype(float)
        b = np.floor(a.sum(axis=1) / 2)
        c = rng.integers(1, 30, size=(objectives, items)).astype(float)
        plans = np.array(list(itertools.product((0, 1), repeat=items)), dtype=float)
        feasible = plans[np.all(plans @ a.T <= b, axis=1)]
        front = nondominated({tuple(v) for v in feasible @ c.T})
        payoff_worst = _payoff_worst(feasible, c)
        if any(v[k] < payoff_worst[k] for v in front for k in range(1, objectives)):
            return a, b, c, front


def _payoff_worst(feasible: np.ndarray, c: np.ndarray) -> np.ndarray:
    """The payoff table's column minima: each row a lexicographic optimum, objectives in order."""
    values = feasible @ c.T
    rows = []
    for i in range(c.shape[0]):
        order = [i] + [j for j in range(c.shape[0]) if j != i]
        best = max(range(len(values)), key=lambda r: tuple(values[r, j] for j in order))
        rows.append(values[best])
    return np.array(rows).min(axis=0)


@pytest.mark.parametrize(("seed", "objectives"), [(1, 3), (2, 3), (3, 4)])
def test_exact_front_without_nadir_is_the_enumerated_one(tmp_path, seed, objectives):
    a, b, c, front = cutting_case(seed, objectives)
    inputs = knapsack_inputs(write_case(tmp_path / "case", a, b, c))
    found = Scenario(inputs).pareto(exact=True, threads=1, time_limit=120)
    assert {tuple(round(v, 6) for v in vec) for vec in found.vectors()} == front
    assert found.proven_complete
    # three objectives or more keep AUGMECON2's augmentation term (grid.plain_primary)
    assert dict(found.summary_rows())["subproblem_objective"].endswith("(AUGMECON2)")


def tied_case(seed: int, items: int = 14) -> tuple[np.ndarray, np.ndarray, np.ndarray, set]:
    """A random two-objective knapsack with values of 1 to 5, the second falling as the first
    rises, so that the front is long and many plans tie on the primary; and its front."""
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 20, size=(2, items)).astype(float)
    b = np.floor(a.sum(axis=1) / 2)
    primary = rng.integers(1, 5, size=items)
    c = np.vstack([primary, 5 - primary + rng.integers(0, 2, size=items)]).astype(float)
    plans = np.array(list(itertools.product((0, 1), repeat=items)), dtype=float)
    return a, b, c, nondominated({tuple(v) for v in plans[np.all(plans @ a.T <= b, axis=1)] @ c.T})


@pytest.mark.parametrize("seed", [0, 1, 4, 5, 7])
def test_a_two_objective_front_whose_primary_ties_is_the_enumerated_one(tmp_path, monkeypatch, seed):
    """The subproblems maximise the primary alone (grid.plain_primary), so a grid point may
    return a plan that ties the best primary and falls short on the other objective. The
    walk's next level finds the better plan, and the front lists only the efficient one.
    These seeds each meet such a plan (the walk's plans are watched on their way to
    `non_dominated`), so the test holds the path it is about."""
    import optimizer.studies.pareto as pareto_module

    weak: list[tuple[float, ...]] = []
    original = pareto_module.non_dominated

    def watched(found, objectives):
        kept = original(found, objectives)
        best = {tuple(p.objectives[o] for o in objectives) for p in kept}
        for point in found:
            vector = tuple(point.objectives[o] for o in objectives)
            if point.grid_index and any(v[0] == vector[0] and v[1] > vector[1] for v in best):
                weak.append(vector)
        return kept

    monkeypatch.setattr(pareto_module, "non_dominated", watched)
    a, b, c, front = tied_case(seed)
    inputs = knapsack_inputs(write_case(tmp_path / "case", a, b, c))
    found = Scenario(inputs).pareto(exact=True, threads=1, time_limit=120)
    assert {tuple(round(v, 6) for v in vec) for vec in found.vectors()} == front
    assert found.proven_complete
    assert weak, "no grid point returned a plan tied on the primary: the case does not test the walk"
    summary = dict(found.summary_rows())
    assert summary["subproblem_objective"].startswith("capability:A1 alone")
    # a point proven by the last optimum comes right after a plan tied on the primary
    assert summary["proven_by_last_optimum"] <= len(weak)


@pytest.mark.parametrize("known_bound", [True, False])
def test_a_tied_grid_point_is_proven_by_the_last_optimum(tmp_path, monkeypatch, known_bound):
    """A grid point whose optimum ties the last one's stops at the first plan reaching it
    (grid._Walk._known_bound), and the front is still the enumerated one; without the bound
    the same front comes from proving every point."""
    from optimizer.studies.pareto import grid

    if not known_bound:
        monkeypatch.setattr(grid._Walk, "_known_bound", lambda self: None)
    a, b, c, front = tied_case(1)
    found = Scenario(knapsack_inputs(write_case(tmp_path / "case", a, b, c))).pareto(exact=True, threads=1)
    assert {tuple(round(v, 6) for v in vec) for vec in found.vectors()} == front and found.proven_complete
    assert (dict(found.summary_rows())["proven_by_last_optimum"] > 0) == known_bound


def test_pareto_command_says_which_levels_and_whether_complete(tmp_path):
    a, b, c, front = cutting_case(1, 3)
    book = tmp_path / "kp.xlsx"
    write_inputs(knapsack_inputs(write_case(tmp_path / "case", a, b, c)), book)
    out = tmp_path / "front.xlsx"
    result = CliRunner().invoke(main, ["pareto", str(book), "-o", str(out), "--exact", "--threads", "1"])
    assert result.exit_code == 0, result.output
    assert f"Front: {len(front)} non-dominated plans (proven complete)" in result.output
    assert (
        "Worst levels explored: capability:A2 ≥ 0, capability:A3 ≥ 0 "
        "(conservative: single-objective minima over the feasible set)"
    ) in result.output
    summary = {r[0]: r[1] for r in openpyxl.load_workbook(out)["Summary"].iter_rows(values_only=True)}
    assert summary["front_complete"] == "proven complete"

    top = max(v[1] for v in front)  # a nadir that cuts: complete only within it
    result = CliRunner().invoke(
        main, ["pareto", str(book), "-o", str(out), "--exact", "--threads", "1", "--nadir", f"capability:A2={top}"]
    )
    assert result.exit_code == 0, result.output
    assert "(complete within the given nadir)" in result.output
    assert "user --nadir for capability:A2; others conservative" in result.output


def test_two_workers_share_a_safe_grid_and_find_the_same_front(tmp_path):
    """The segments split the payoff table's range among the workers (the levels below it
    go with the first segment): the front is the enumerated one."""
    a, b, c, front = cutting_case(3, 4)
    inputs = knapsack_inputs(write_case(tmp_path / "case", a, b, c))
    found = Scenario(inputs).pareto(exact=True, threads=1, time_limit=120, workers=2)
    assert {tuple(round(v, 6) for v in vec) for vec in found.vectors()} == front
    assert found.proven_complete and found.stats.done == found.stats.grid_total


def test_segments_share_out_the_busy_levels():
    spec = GridSpec(
        ("a", "b", "c"), [np.arange(10.0), np.arange(100.0)], [1.0, 1.0], 0.0, True, 1.0, (0, 100), busy_from=80
    )
    parts = [part.outer for part in spec.segments(4)]
    assert parts == [(0, 85), (85, 90), (90, 95), (95, 100)]


@pytest.mark.parametrize(
    ("bounds", "finished", "unproven", "expected"),
    [
        (Bounds(exact=True, objectives=3), True, 0, "proven complete"),
        (Bounds(exact=True, objectives=3), False, 0, "not proven: stopped before the grid was finished"),
        (Bounds(exact=True, objectives=3), True, 2, "not proven: 2 grid point(s) not solved to optimality"),
        (Bounds(exact=False, objectives=2), True, 0, "not proven: grid mode samples the front"),
        (
            Bounds(exact=True, objectives=3, safe=False),
            True,
            0,
            "not proven: a safe bound was not found for every objective",
        ),
        (
            Bounds(exact=True, objectives=2, payoff_proven=False),
            True,
            0,
            "not proven: the payoff table was not solved to optimality",
        ),
        (Bounds(exact=True, objectives=3, user=["b"], user_cuts=True), True, 0, "complete within the given nadir"),
        (Bounds(exact=True, objectives=3, user=["b"], user_cuts=False), True, 0, "proven complete"),
        # one plan best in every objective (a one-year or zero-budget workbook): the whole front
        (Bounds(exact=False, objectives=2, ideal_attained=True), True, 0, "proven complete"),
        (
            Bounds(exact=False, objectives=2, ideal_attained=True, payoff_proven=False),
            True,
            0,
            "not proven: grid mode samples the front",
        ),
    ],
)
def test_a_front_is_proven_complete_only_when_nothing_can_be_missing(bounds, finished, unproven, expected):
    assert bounds.completeness(finished, unproven) == expected


def test_bounds_say_where_the_worst_levels_came_from():
    assert Bounds(exact=True, objectives=2).describe() == "payoff table (the exact nadir with two objectives)"
    assert Bounds(exact=True, objectives=4).describe() == "conservative: single-objective minima over the feasible set"
    assert Bounds(exact=True, objectives=3, user=["b", "c"]).describe() == "user --nadir for b, c"
    assert Bounds(exact=False, objectives=3).describe().startswith("payoff table's worst values (grid mode")
