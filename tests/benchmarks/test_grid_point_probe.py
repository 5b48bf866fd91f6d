"""The grid point probes pose the walk's subproblem and check every answer they time."""

from __future__ import annotations

from pathlib import Path

import highspy
import pytest

from benchmarks import grid_point_probe
from benchmarks.grid_point_probe import Case, grid_point, solve
from benchmarks.pareto_vs_pyaugmecon import case_folder


@pytest.fixture(scope="module")
def case() -> Case:
    return Case.read(str(case_folder("2kp50")))


def test_a_grid_point_is_the_published_point_with_or_without_a_cap(case: Case) -> None:
    k = 10
    uncapped = grid_point(case, k)
    capped = grid_point(case, k, upper=float(case.front[k + 1, 1] - 1))
    assert uncapped.objective == capped.objective == case.front[k, 0]
    assert uncapped.plan is not None and uncapped.plan @ case.c[1] >= case.level(k)


def test_a_cap_that_cuts_the_point_off_is_caught(case: Case) -> None:
    k = 10
    with pytest.raises(AssertionError, match="grid point 10"):
        grid_point(case, k, upper=float(case.front[k, 1] - 1))


def test_the_other_end_proves_the_same_point(case: Case) -> None:
    k = 10
    other = solve(case, 1, [(float(case.front[k + 1, 0] + 1), highspy.kHighsInf, 0)])
    assert other.objective == case.front[k, 1]


def test_the_second_stage_walk_visits_the_published_front_in_order(case: Case) -> None:
    """The walk checks each point against the published one, so walking the whole front
    (35 points) passes only if every lexicographic step lands on the next point."""
    lines = grid_point_probe.second_stage_probe(case, len(case.front))
    cells = [cell.strip() for cell in lines[-1].strip("|").split("|")]
    assert cells[0] == f"{len(case.front)} points"
    assert 0 <= int(cells[3].split()[0]) < len(case.front)


def test_the_script_writes_every_probe(tmp_path: Path) -> None:
    out = tmp_path / "probe"
    grid_point_probe.main(
        [
            str(case_folder("2kp50")),
            "--points",
            "5,10",
            "--repeats",
            "1",
            "--walk",
            "3",
            "--step",
            "10",
            "--out",
            str(out),
        ]
    )
    text = out.with_suffix(".md").read_text(encoding="utf-8")
    for probe in ("## box", "## second-stage", "## lp-options", "## root", "## direction"):
        assert probe in text
    assert "The cheaper direction at every point" in text


class _RecordedOptions:
    """Stands in for a PersistentSolver: records the HiGHS options the grid sets."""

    def __init__(self) -> None:
        self.options: dict[str, object] = {}

    def set_highs_option(self, name: str, value: object) -> None:
        self.options[name] = value


def test_the_probe_sets_what_the_walk_sets_after_a_large_tree() -> None:
    """The tree and heuristic choices a two-objective walk makes after a large tree are the
    probe's, so a change to the walk's settings cannot leave the probe measuring another."""
    from optimizer.studies.pareto import grid

    recorded = _RecordedOptions()
    grid.fit_tree_settings(recorded, grid.LARGE_TREE_NODES + 1)  # type: ignore[arg-type]
    grid._choose_plan_heuristics(recorded, 2)  # type: ignore[arg-type]
    for name, value in recorded.options.items():
        assert grid_point_probe.LARGE_TREE_OPTIONS[name] == value, name
