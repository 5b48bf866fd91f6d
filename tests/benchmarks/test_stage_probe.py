"""The stage probe re-solves a saved stage: HiGHS to the run's gap, and the softer RENS from
a guide LP, on a knapsack small enough to check by hand."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

from benchmarks import stage_probe
from optimizer.solve.engine.problem import MipArrays


def _knapsack() -> MipArrays:
    """max 5a + 4b + 3c  s.t.  2a + 3b + c <= 4, binary: the optimum is a + c = 8 (a + b
    does not fit; the LP takes a, c and a third of b)."""
    return MipArrays(
        maximise=True,
        offset=0.0,
        cost=np.array([5.0, 4.0, 3.0]),
        col_lower=np.zeros(3),
        col_upper=np.ones(3),
        row_lower=np.array([-np.inf]),
        row_upper=np.array([4.0]),
        starts=np.array([0, 1, 2, 3], dtype=np.int32),
        index=np.zeros(3, dtype=np.int32),
        values=np.array([2.0, 3.0, 1.0]),
        integer=np.ones(3, dtype=bool),
    )


@pytest.fixture
def stage(tmp_path: Path) -> Path:
    path = tmp_path / "stage_1.pkl"
    with open(path, "wb") as handle:
        pickle.dump((_knapsack(), np.array([0.0, 1.0, 0.0]), None), handle)  # start: b alone, 4
    return path


def test_options_are_read_as_their_type() -> None:
    assert stage_probe._parse("presolve=off") == ("presolve", "off")
    assert stage_probe._parse("random_seed=2") == ("random_seed", 2)
    assert stage_probe._parse("mip_rel_gap=0.5") == ("mip_rel_gap", 0.5)
    assert stage_probe._parse("mip_detect_symmetry=false") == ("mip_detect_symmetry", False)


def test_highs_alone_finds_the_optimum_from_the_start_plan(stage: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stage_probe.probe_highs(stage, [0, 1], ["presolve=off"], 10.0)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and all("plan 8.0" in line for line in lines)


@pytest.mark.parametrize("guide", ["vertex", "centre"])
def test_softer_rens_keeps_the_start_plans_ones_free(
    guide: str, stage: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No column the LP sets positive is fixed, nor b, which the start plan uses: all three
    stay free and the neighbourhood holds the optimum."""
    stage_probe.probe_rens(stage, guide, 10.0)
    out = capsys.readouterr().out
    assert "3 integer columns free" in out and "plan 8.0" in out


def test_a_trace_ends_at_the_optimum_and_says_what_each_bound_proves(
    stage: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stage_probe.probe_trace(stage, [0], ["presolve=off"], 10.0)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("seed 0 presolve=off")
    assert "plan          8.0" in lines[-1]


@pytest.mark.parametrize(("bound", "maximise", "plan"), [(101.0, True, 100.0), (99.0, False, 100.0)])
def test_the_plan_a_bound_proves_is_within_the_runs_gap(bound: float, maximise: bool, plan: float) -> None:
    assert stage_probe.ending_plan(bound, maximise, gap=0.01) == pytest.approx(plan)


def test_tiebreak_runs_both_stages_with_the_capability_hold(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Capability 5a + 4b + 3c, cost 2a + 3b + c (the same knapsack row): the capability
    stage reaches 8 (a + c); the cost stage under a hold of 0.999 × 8 keeps a + c, cost 3."""
    first = _knapsack()
    second = MipArrays(
        maximise=False,
        offset=0.0,
        cost=np.array([2.0, 3.0, 1.0]),
        col_lower=np.zeros(3),
        col_upper=np.ones(3),
        row_lower=np.array([-np.inf, 0.0]),
        row_upper=np.array([4.0, np.inf]),
        starts=np.array([0, 2, 4, 6], dtype=np.int32),
        index=np.array([0, 1, 0, 1, 0, 1], dtype=np.int32),
        values=np.array([2.0, 5.0, 3.0, 4.0, 1.0, 3.0]),
        integer=np.ones(3, dtype=bool),
    )
    assert np.array_equal(stage_probe.hold_row(second), first.cost)
    paths = []
    for name, arrays in (("stage_1.pkl", first), ("stage_2.pkl", second)):
        paths.append(tmp_path / name)
        with open(paths[-1], "wb") as handle:
            pickle.dump((arrays, np.array([0.0, 1.0, 0.0]), None), handle)
    stage_probe.probe_tiebreak(paths[0], paths[1], [0.0, 0.1], seed=0, seconds=10.0)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert all("capability 8.0, cost 3.0" in line and "plan 3.0" in line for line in lines)
