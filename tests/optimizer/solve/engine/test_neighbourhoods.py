"""How the engine picks its neighbourhoods: sizes that adapt per kind, and time windows and
programme groups that go where the LP relaxation earns the most beyond the incumbent."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pyomo.environ as pyo
import pytest

from models import build_model
from optimizer.solve.engine import neighbourhoods
from optimizer.solve.engine.neighbourhoods import (
    EXPLORE_TURNS,
    FIRST_FREE_COLUMNS,
    GROW,
    LARGE_FIRST_FREE_COLUMNS,
    LARGE_FROM_INTEGER_COLUMNS,
    ROTATION,
    SHRINK,
    WINDOW_FIRST_FREE_COLUMNS,
    ColumnGroups,
    NeighbourhoodPlan,
    column_groups,
    first_group_size,
)
from optimizer.solve.engine.problem import MipArrays
from tests.optimizer.bruteforce import random_tiny_inputs

NATIONS = ("AAA", "BBB", "CCC", "DDD")
YEARS = tuple(range(2030, 2042))


def grid_model() -> tuple[MipArrays, ColumnGroups]:
    """One yes/no column per nation and year, no rows: enough for the plan's choices."""
    nation = np.array([n for n in NATIONS for _ in YEARS], dtype=object)
    year = np.array([y for _ in NATIONS for y in YEARS], dtype=np.int64)
    columns = len(nation)
    arrays = MipArrays(
        maximise=True,
        offset=0.0,
        cost=np.ones(columns),
        col_lower=np.zeros(columns),
        col_upper=np.ones(columns),
        row_lower=np.zeros(0),
        row_upper=np.zeros(0),
        starts=np.zeros(columns + 1, dtype=np.int64),
        index=np.zeros(0, dtype=np.int32),
        values=np.zeros(0),
        integer=np.ones(columns, dtype=bool),
    )
    return arrays, ColumnGroups(nation, year, np.zeros(columns, dtype=bool))


def test_each_kind_of_group_adapts_its_own_size():
    """A window solved to its optimum grows the next window, not the next nation group;
    a nation group that ran out of time shrinks only nation groups (and consortia's)."""
    arrays, groups = grid_model()
    plan = NeighbourhoodPlan(arrays, groups, seed=0)
    plan.feedback("window", improved=True, proven=True)
    plan.feedback("nations", improved=False, proven=False)
    assert plan.targets["window"] == WINDOW_FIRST_FREE_COLUMNS * GROW
    assert plan.targets["nations"] == FIRST_FREE_COLUMNS * SHRINK
    plan.feedback("consortia", improved=False, proven=False)
    assert plan.targets["nations"] == FIRST_FREE_COLUMNS * SHRINK * SHRINK
    assert plan.targets["window"] == WINDOW_FIRST_FREE_COLUMNS * GROW


def window_start(plan: NeighbourhoodPlan, incumbent: np.ndarray, lp: np.ndarray | None) -> tuple[int, np.ndarray]:
    plan._rank(incumbent, lp)
    name, free = plan._time_window()
    return int(name.split()[1].split("-")[0]), free


def test_a_window_goes_where_the_lp_earns_most_and_then_rests():
    """The LP differs from the incumbent only in 2036 (for nation CCC): the first window
    covers 2036 and frees CCC's columns there; the next window starts elsewhere."""
    arrays, groups = grid_model()
    plan = NeighbourhoodPlan(arrays, groups, seed=0)
    incumbent = np.zeros(arrays.columns)
    lp = incumbent.copy()
    lp[(groups.year == 2036) & (groups.nation == "CCC")] = 0.5
    first, free = window_start(plan, incumbent, lp)
    assert first <= 2036 < first + 3  # 12 years: windows of 3
    assert free[(groups.year == 2036) & (groups.nation == "CCC")].all()
    assert not free[groups.year >= first + 3].any()
    second, _ = window_start(plan, incumbent, lp)
    assert second != first


def test_without_an_lp_windows_are_taken_in_turn():
    arrays, groups = grid_model()
    plan = NeighbourhoodPlan(arrays, groups, seed=0)
    incumbent = np.zeros(arrays.columns)
    starts = [window_start(plan, incumbent, None)[0] for _ in range(3)]
    assert starts == [2030, 2032, 2034]


def test_group_turns_go_to_the_kind_that_gains_more_but_both_stay_measured():
    """Both kinds are tried first; then nation groups, which gained, take the group turns,
    and windows, which gained nothing, still get one in every EXPLORE_TURNS."""
    arrays, groups = grid_model()
    plan = NeighbourhoodPlan(arrays, groups, seed=0)
    assert [plan._group_kind(), plan._group_kind()] == ["window", "nations"]
    plan.feedback("window", improved=False, proven=True, gain=0.0)
    plan.feedback("nations", improved=True, proven=False, gain=50.0)
    drawn = [plan._group_kind() for _ in range(3 * EXPLORE_TURNS)]
    assert drawn.count("nations") > drawn.count("window") >= 2
    assert all("window" in drawn[i : i + EXPLORE_TURNS] for i in range(len(drawn) - EXPLORE_TURNS + 1))


def test_the_same_results_give_the_same_neighbourhoods():
    """The choices follow the seed and the results only (no clock)."""
    arrays, groups = grid_model()
    incumbent = np.zeros(arrays.columns)
    lp = np.where(groups.year < 2034, 0.5, 0.0)
    names = []
    for _ in range(2):
        plan = NeighbourhoodPlan(arrays, groups, seed=3)
        drawn = []
        for turn in range(12):
            kind, name, _ = plan.next(incumbent, lp)
            plan.feedback(kind, improved=turn % 3 == 0, proven=turn % 2 == 0, gain=float(turn % 3 == 0))
            drawn.append(name)
        names.append(drawn)
    assert names[0] == names[1]


def test_nation_groups_start_larger_on_alliance_size_models() -> None:
    """Twice the columns from LARGE_FROM_INTEGER_COLUMNS integer columns on; smaller models
    keep FIRST_FREE_COLUMNS (the reference dataset's sweep did worse with the larger start)."""
    small = SimpleNamespace(integer=np.ones(LARGE_FROM_INTEGER_COLUMNS - 1, dtype=bool))
    large = SimpleNamespace(integer=np.ones(LARGE_FROM_INTEGER_COLUMNS, dtype=bool))
    assert first_group_size(small) == FIRST_FREE_COLUMNS  # type: ignore[arg-type]
    assert first_group_size(large) == LARGE_FIRST_FREE_COLUMNS > FIRST_FREE_COLUMNS  # type: ignore[arg-type]


def item_model() -> tuple[MipArrays, ColumnGroups]:
    """The grid model with each nation's yearly columns split between programmes P1 and P2."""
    arrays, groups = grid_model()
    item = np.where(groups.year < 2036, "P1", "P2").astype(object)
    return arrays, ColumnGroups(groups.nation, groups.year, groups.consortium, item)


def test_a_programme_group_frees_every_nations_columns_of_the_programmes_with_most_to_gain(
    monkeypatch: pytest.MonkeyPatch,
):
    """The LP earns beyond the incumbent only on P2: the group frees P2 for all four nations
    (and nothing of P1); the next programme group goes to P1, while P2 rests."""
    arrays, groups = item_model()
    monkeypatch.setattr(neighbourhoods, "LARGE_FROM_INTEGER_COLUMNS", arrays.columns)  # counts as large
    plan = NeighbourhoodPlan(arrays, groups, seed=0)
    plan.targets["programmes"] = 1.0  # one programme per group
    incumbent = np.zeros(arrays.columns)
    plan._rank(incumbent, np.where(groups.item == "P2", 0.5, 0.0))
    name, free = plan._programme_group()
    assert name == "programmes P2"
    assert np.array_equal(free, groups.item == "P2")
    assert set(groups.nation[free]) == set(NATIONS)
    assert plan._programme_group()[0] == "programmes P1"


def test_the_consortium_turn_goes_to_a_programme_group_on_large_models_that_name_programmes(
    monkeypatch: pytest.MonkeyPatch,
):
    """On a model of LARGE_FROM_INTEGER_COLUMNS integer columns or more, with programme
    names, one turn in ROTATION (the consortium turn) is a programme group; groups built
    without names, or smaller models, never draw one."""
    incumbent = np.zeros(len(grid_model()[1].nation))

    def kinds(model: tuple[MipArrays, ColumnGroups]) -> list[str]:
        plan = NeighbourhoodPlan(*model, seed=0)
        return [plan.next(incumbent, None)[0] for _ in ROTATION]

    assert "programmes" not in kinds(item_model())  # 48 integer columns: a small model
    monkeypatch.setattr(neighbourhoods, "LARGE_FROM_INTEGER_COLUMNS", len(incumbent))
    assert kinds(item_model()).count("programmes") == 1
    assert "programmes" not in kinds(grid_model())


def test_column_groups_name_the_programme_or_standard_each_decision_is_about():
    """starts/joins/joint starts carry their programme, adoptions 'standard <id>'; other
    columns (spend, balances, shortfalls) none."""
    m = build_model(random_tiny_inputs(4))  # starts, joins, joint starts and adoptions
    columns = [v for v in m.component_data_objects(pyo.Var, descend_into=True)]
    groups = column_groups(columns)
    assert groups.item is not None
    for var, item in zip(columns, groups.item):
        assert item == expected_item(var.parent_component().local_name, var.index()), (var.name, item)
    kinds = {v.parent_component().local_name for v, item in zip(columns, groups.item) if item}
    assert kinds == {"starts", "joins", "joint_starts", "adopts"}


def expected_item(name: str, index: object) -> str:
    """MODEL.md's index layouts: starts/joins[n, p, t], joint_starts[p, t], adopts[n, s, t]."""
    if name in ("starts", "joins"):
        return str(index[1])  # type: ignore[index]
    if name == "joint_starts":
        return str(index[0])  # type: ignore[index]
    return f"standard {index[1]}" if name == "adopts" else ""  # type: ignore[index]


def test_a_windows_name_never_runs_past_the_horizon():
    """A late span read "years 2040-2042" on a horizon ending in 2041."""
    arrays, groups = grid_model()
    plan = NeighbourhoodPlan(arrays, groups, seed=0)
    incumbent = np.zeros(arrays.columns)
    seen = []
    for _ in range(12):
        plan._rank(incumbent, None)
        name, _ = plan._time_window()
        first, last = (int(y) for y in name.split()[1].split("-"))
        seen.append(first)
        assert first <= last <= max(YEARS), name
    assert max(seen) > max(YEARS) - 2  # a span that would have run past the horizon was named
