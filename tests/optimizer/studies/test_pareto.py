"""Pareto fronts against published exact fronts (multi-objective knapsacks), through the
real path: knapsack → input workbook → validation → AUGMECON2 → front workbook."""

from __future__ import annotations

import concurrent.futures as cf
import time
from pathlib import Path

import numpy as np
import openpyxl
import pyomo.environ as pyo
import pytest

import optimizer.studies.pareto as pareto_module
from benchmarks.knapsack import knapsack_inputs, reference_front
from data.input_writer import write_inputs
from data.tables import PlanDecisions
from models import build_model
from optimizer import Scenario
from optimizer.solve.solver import INTERRUPT, PersistentSolver, SolverOptions
from optimizer.studies.pareto import pareto_front
from optimizer.studies.pareto.front import FrontPoint, ParetoProgress, non_dominated
from optimizer.studies.pareto.grid import (
    GridFlags,
    GridSpec,
    _objective_rows,
    _prepare_grid,
    _slacks,
    plain_primary,
)
from optimizer.studies.pareto.workers import _run_segments, _segment_result, _worker_pool
from tests.optimizer.studies.conftest import small

KNAPSACK = Path(__file__).resolve().parents[2] / "data" / "knapsack"


def rounded(front) -> set[tuple[float, ...]]:
    return {tuple(round(v, 2) for v in vec) for vec in front.vectors()}


@pytest.fixture(scope="module")
def front_2kp50(tmp_path_factory):
    book = tmp_path_factory.mktemp("kp") / "2kp50.xlsx"
    write_inputs(knapsack_inputs(KNAPSACK / "2kp50"), book)
    return Scenario.from_excel(book).pareto(exact=True, time_limit=300, threads=1)


def test_2kp50_front_is_the_published_one(front_2kp50):
    """Mavrotas & Florios' 2kp50 has exactly 35 non-dominated points (pyaugmecon's file)."""
    assert rounded(front_2kp50) == reference_front(KNAPSACK / "2kp50")
    assert len(front_2kp50.points_found) == 35
    assert front_2kp50.complete and front_2kp50.stats.unproven == 0


def test_2kp50_payoff_table_matches_published(front_2kp50):
    payoff = front_2kp50.payoff[["capability:A1", "capability:A2"]].to_numpy().tolist()
    assert payoff == [[2103, 1529], [1547, 2020]]


def test_bypass_and_flags_skip_redundant_grid_points(front_2kp50):
    """492 grid levels, but one solve per point found at most: the rest are skipped."""
    s = front_2kp50.stats
    assert s.grid_total == 2020 - 1529 + 1
    assert s.solved <= 40
    assert s.skipped == s.grid_total - s.solved


def test_grid_points_the_payoff_table_answered_are_not_solved_again(front_2kp50, monkeypatch):
    """Two objectives: the grid's first point (row 1's level) and its top (row 2's) are the
    proven payoff rows' own optima, so the walk settles them without a solve and finds the
    same front."""
    monkeypatch.setattr(pareto_module, "payoff_answers", lambda table, proofs: ())
    without = Scenario(knapsack_inputs(KNAPSACK / "2kp50")).pareto(exact=True, time_limit=300, threads=1)
    assert rounded(without) == rounded(front_2kp50) == reference_front(KNAPSACK / "2kp50")
    assert front_2kp50.stats.solved < without.stats.solved
    for front in (front_2kp50, without):
        assert front.stats.done == front.stats.grid_total == front.stats.solved + front.stats.skipped


def test_a_grid_front_solves_only_the_levels_between_the_payoff_rows(monkeypatch):
    """Grid mode, 5 levels: the lowest (row 1's value of A2) and the highest (row 2's) are
    answered; the three between are solved; the front is the one the full walk finds."""
    inputs = knapsack_inputs(KNAPSACK / "2kp50")
    answered = Scenario(inputs).pareto(exact=False, points=5, time_limit=300, threads=1)
    monkeypatch.setattr(pareto_module, "payoff_answers", lambda table, proofs: ())
    walked = Scenario(inputs).pareto(exact=False, points=5, time_limit=300, threads=1)
    assert rounded(answered) == rounded(walked)
    assert answered.stats.solved <= 3 < walked.stats.solved == 5


def test_payoff_answers_only_from_proven_rows_of_two_objective_tables():
    from optimizer.studies.pareto.payoff import payoff_answers

    table = np.array([[2103.0, 1529.0], [1547.0, 2020.0]])
    proven, unproven = (True, 0.0, 2103.0), (False, 0.01, 2200.0)
    first, top = payoff_answers(table, [proven, proven])
    assert (first.high, first.reached) == (1529.0, 1529.0) and first.low == -np.inf
    assert (top.low, top.high, top.reached) == (2020.0, 2020.0, 2020.0)
    assert payoff_answers(table, [unproven, proven]) == (top,)
    assert payoff_answers(table, [unproven, unproven]) == ()
    assert payoff_answers(np.eye(3), [proven] * 3) == ()
    spec = GridSpec(("a", "b"), [np.arange(1520.0, 2021.0)], [1.0], 0.0, True, 1.0, (0, 501), answers=(first, top))
    assert spec.answer([1520.0]) is first and spec.answer([1529.0]) is first
    assert spec.answer([1530.0]) is None and spec.answer([2020.0]) is top


@pytest.fixture(scope="module")
def front_4kp50(tmp_path_factory):
    """4kp50 through the workbook path, as a planner runs it: no nadir given."""
    book = tmp_path_factory.mktemp("kp") / "4kp50.xlsx"
    write_inputs(knapsack_inputs(KNAPSACK / "4kp50"), book)
    return Scenario.from_excel(book).pareto(exact=True, time_limit=300, threads=1)


def test_4kp50_front_is_exact_without_a_nadir(front_4kp50, tmp_path):
    """Four objectives, no --nadir: all 46 published points. The payoff table's worst values
    (A2 741, A3 728, A4 718) lie above 6 of them (A2 down to 735, A3 718, A4 713), so a grid
    from there found 40; the grid starts from the single-objective minima instead."""
    assert rounded(front_4kp50) == reference_front(KNAPSACK / "4kp50")
    assert len(front_4kp50.points_found) == 46
    assert front_4kp50.proven_complete and front_4kp50.stats.unproven == 0
    assert front_4kp50.nadir == {"capability:A2": 0.0, "capability:A3": 0.0, "capability:A4": 0.0}
    assert front_4kp50.stats.solved <= 170  # the wider grid costs almost no solves (155 at writing)
    summary = dict(front_4kp50.summary_rows())
    assert summary["front_complete"] == "proven complete"
    assert summary["nadir_bounds"] == "conservative: single-objective minima over the feasible set"
    assert summary["nadir"] == "capability:A2 ≥ 0, capability:A3 ≥ 0, capability:A4 ≥ 0"
    path = front_4kp50.to_excel(tmp_path / "front.xlsx")  # verifies every point's plan
    cells = {row[0]: row[1] for row in openpyxl.load_workbook(path)["Summary"].iter_rows(values_only=True)}
    assert cells["front_complete"] == "proven complete"


def test_4kp50_front_with_published_nadirs():
    """4 objectives with the nadir bounds pyaugmecon's benchmark uses: the same 46 points,
    but complete only within that nadir (a nadir above the safe bounds could cut plans)."""
    inputs = knapsack_inputs(KNAPSACK / "4kp50")
    nadir = {"capability:A2": 718, "capability:A3": 717, "capability:A4": 705}
    front = Scenario(inputs).pareto(exact=True, nadir=nadir, time_limit=300, threads=1)
    assert rounded(front) == reference_front(KNAPSACK / "4kp50")
    assert len(front.points_found) == 46
    assert front.nadir == {"capability:A2": 718.0, "capability:A3": 717.0, "capability:A4": 705.0}
    summary = dict(front.summary_rows())
    assert summary["front_complete"] == "complete within the given nadir" and not front.proven_complete
    assert summary["nadir_bounds"] == "user --nadir for capability:A2, capability:A3, capability:A4"


def test_two_objectives_keep_the_payoff_nadir(front_2kp50):
    s = dict(front_2kp50.summary_rows())
    assert s["front_complete"] == "proven complete"
    assert s["nadir_bounds"] == "payoff table (the exact nadir with two objectives)"
    assert s["nadir"] == "capability:A2 ≥ 1529"


def test_grid_mode_never_claims_a_complete_front():
    inputs = knapsack_inputs(KNAPSACK / "4kp50")
    front = Scenario(inputs).pareto(points=3, exact=False, time_limit=120, threads=1)
    assert front.completeness == "not proven: grid mode samples the front"
    assert dict(front.summary_rows())["nadir_bounds"].startswith("payoff table's worst values (grid mode")


def test_the_summary_gives_the_primary_objectives_best_bound(front_2kp50):
    """MODEL.md: every result reports its best bound. A front's is the first payoff solve's
    bound on the primary objective (no plan beats it); the Summary left it blank."""
    summary = dict(front_2kp50.summary_rows())
    first = front_2kp50.points_found[0].objectives["capability:A1"]
    assert summary["best_bound"] is not None
    assert first - 1e-6 <= summary["best_bound"] <= first * (1 + 1e-5)


def test_the_summary_says_what_proven_means_for_a_point(front_2kp50):
    """Grid points are solved to a fixed gap, not the workbook's mip_gap: a planner saw
    "2 not proven" beside gaps of 0.8 % and asked against what."""
    from dataclasses import replace

    from optimizer.studies.pareto.grid import GRID_GAP

    exact = dict(front_2kp50.summary_rows())["point_gap_target"]
    assert exact.startswith("the integer optimum of each point (a relative gap of ")
    grid = dict(replace(front_2kp50, exact=False, point_gap=GRID_GAP).summary_rows())["point_gap_target"]
    assert grid == '0.0001 relative gap for each grid point; "proven" means within it'


def test_front_workbook_has_points_core_index_and_chart(front_2kp50, tmp_path):
    path = front_2kp50.to_excel(tmp_path / "front.xlsx")
    wb = openpyxl.load_workbook(path)
    for sheet in ("Summary", "Pareto", "Payoff", "CoreIndex", "Plan", "Spend", "Capability"):
        assert sheet in wb.sheetnames
    pareto = wb["Pareto"]
    assert [c.value for c in pareto[1]][:3] == ["point", "capability:A1", "capability:A2"]
    assert pareto.max_row == 36
    assert wb["Plan"]["A1"].value == "point"
    core = front_2kp50.core_index
    assert core["share"].between(0, 1).all()
    assert (core["share"] == 1.0).any()  # some items are in every efficient knapsack


def test_grid_mode_returns_non_dominated_subset(front_2kp50):
    inputs = knapsack_inputs(KNAPSACK / "2kp50")
    coarse = Scenario(inputs).pareto(points=5, exact=False, time_limit=120, threads=1)
    assert 2 <= len(coarse.points_found) <= 35
    assert rounded(coarse) <= reference_front(KNAPSACK / "2kp50")


def test_non_dominated_drops_duplicates_and_dominated(front_2kp50):
    pts = front_2kp50.points_found
    kept = non_dominated(pts + pts[:3], ["capability:A1", "capability:A2"])
    assert len(kept) == len(pts)


# --- the grid shared among worker processes ---------------------------------------------
def test_two_workers_find_the_same_published_front(front_2kp50):
    """Segments solved by two spawned processes: same 35 points as one process, each plan
    still verified when written, and every grid point accounted for exactly once."""
    inputs = knapsack_inputs(KNAPSACK / "2kp50")
    front = Scenario(inputs).pareto(exact=True, time_limit=300, threads=1, workers=2)
    assert rounded(front) == rounded(front_2kp50) == reference_front(KNAPSACK / "2kp50")
    assert front.complete and front.stats.unproven == 0
    assert dict(front.summary_rows())["workers"] == 2 and dict(front_2kp50.summary_rows())["workers"] == 1
    s = front.stats
    assert s.done == s.grid_total == front_2kp50.stats.grid_total
    assert s.solved + s.skipped == s.grid_total
    # segments do not share flags: at most one extra solve per boundary (4 segments)
    assert front_2kp50.stats.solved <= s.solved <= front_2kp50.stats.solved + 3


def test_this_process_walks_segments_while_the_pool_walks_others(monkeypatch):
    """Two workers are this process and one spawned process: both take segments from the
    same queue, in grid order, and together they cover the grid once."""
    walked: list[tuple[int, int]] = []
    walk = pareto_module._HereWalker.walk

    def spy(self, segment, deadline, between_points):
        walked.append(segment.outer)
        return walk(self, segment, deadline, between_points)

    monkeypatch.setattr(pareto_module._HereWalker, "walk", spy)
    inputs = knapsack_inputs(KNAPSACK / "2kp50")
    front = Scenario(inputs).pareto(exact=True, time_limit=300, threads=1, workers=2)
    assert rounded(front) == reference_front(KNAPSACK / "2kp50")
    assert 1 <= len(walked) < 4  # of the 4 segments, some here and some in the pool
    assert walked == sorted(walked)
    assert front.stats.done == front.stats.grid_total


def test_with_workers_this_process_solves_with_one_thread_like_them(monkeypatch):
    """This process walks segments beside the spawned ones, so it must not take more than
    its share of the cores: one solver thread unless --threads says otherwise."""
    threads_seen: list[int | None] = []
    real = pareto_module.PersistentSolver

    def recording(model, options, *args, **kwargs):
        threads_seen.append(options.threads)
        return real(model, options, *args, **kwargs)

    monkeypatch.setattr(pareto_module, "PersistentSolver", recording)
    inputs = knapsack_inputs(KNAPSACK / "2kp50")
    Scenario(inputs).pareto(exact=True, time_limit=300, workers=2)
    Scenario(inputs).pareto(exact=True, time_limit=300, workers=2, threads=2)
    assert threads_seen == [1, 2]


@pytest.mark.parametrize("count", [1, 3, 8, 1000])
def test_grid_segments_cover_the_outer_levels_once(count):
    spec = GridSpec(("a", "b", "c"), [np.arange(4.0), np.arange(10.0)], [1.0, 1.0], 0.0, True, 1.0, (0, 10))
    parts = spec.segments(count)
    assert 1 <= len(parts) <= min(count, 10)
    covered = [i for part in parts for i in range(*part.outer)]
    assert covered == list(range(10))
    assert sum(part.total for part in parts) == spec.total == 40


def test_segments_past_the_deadline_report_an_incomplete_front():
    """A deadline that has passed reaches the workers as wall-clock time: they stop at once
    and the run says the front is incomplete instead of waiting or failing."""
    inputs = knapsack_inputs(KNAPSACK / "2kp50")
    spec = GridSpec(("capability:A1", "capability:A2"), [np.arange(1529.0, 2021.0)], [1.0], 1e-4, True, 10.0, (0, 492))
    stats = ParetoProgress(grid_total=spec.total)
    found: list = []
    with _worker_pool(2) as pool:
        complete, _ = _run_segments(
            pool, inputs, spec, SolverOptions(threads=1), found, time.monotonic() - 1.0, 2, stats, None
        )
    assert not complete
    assert found == [] and stats.solved == 0


def test_a_lost_segment_is_reported_not_raised():
    failed: cf.Future = cf.Future()
    failed.set_exception(RuntimeError("worker died"))
    cancelled: cf.Future = cf.Future()
    cancelled.cancel()
    assert _segment_result(failed) is None
    assert _segment_result(cancelled) is None


def test_interrupted_parallel_front_keeps_what_was_found():
    """Stopping after the first finished segment: the segments not yet started are
    cancelled, the running ones hand back their points, and the front says incomplete."""
    inputs = knapsack_inputs(KNAPSACK / "2kp50")

    def stop_after_first_segment(stats: ParetoProgress) -> None:
        if stats.phase == "grid" and stats.done:
            INTERRUPT.set()

    try:
        front = Scenario(inputs).pareto(
            exact=True, time_limit=300, threads=1, workers=2, progress=stop_after_first_segment
        )
    finally:
        INTERRUPT.clear()
    assert not front.complete
    assert any("incomplete" in note for note in front.notes)
    assert 0 < front.stats.done < front.stats.grid_total
    assert rounded(front) <= reference_front(KNAPSACK / "2kp50")  # what it kept is efficient
    assert 2 <= len(front.points_found) < 35


@pytest.mark.parametrize("dense_cells", [0, GridFlags.DENSE_CELLS])  # compressed, then every level an edge
@pytest.mark.parametrize("seed", range(4))
def test_grid_flags_find_the_cell_a_dense_walk_would(seed, dense_cells, monkeypatch):
    """Boxes and corners on the compressed grid against a plain boolean array of every cell:
    from every position, the first cell not flagged is the same."""
    monkeypatch.setattr(GridFlags, "DENSE_CELLS", dense_cells)
    rng = np.random.default_rng(seed)
    for _ in range(60):
        shape = tuple(int(n) for n in rng.integers(1, 7, size=rng.integers(1, 4)))
        dense, flags = np.zeros(shape, dtype=bool), GridFlags(shape)
        for _ in range(rng.integers(1, 6)):
            lo = [int(rng.integers(0, n)) for n in shape]
            hi = [n if rng.random() < 0.2 else int(a + rng.integers(1, n + 1)) for a, n in zip(lo, shape)]
            dense[tuple(slice(a, b) for a, b in zip(lo, hi))] = True
            flags.flag(lo, hi)
            flat = dense.reshape(-1)
            for position in range(flat.size):
                free = np.flatnonzero(~flat[position:])
                expected = tuple(int(i) for i in np.unravel_index(position + free[0], shape)) if free.size else None
                assert flags.next_free(np.unravel_index(position, shape)) == expected


@pytest.mark.parametrize("dense_cells", [0, GridFlags.DENSE_CELLS])
def test_grid_flags_jump_long_flagged_runs(dense_cells, monkeypatch):
    """Runs longer than the first search window (1024 cells), in both representations."""
    monkeypatch.setattr(GridFlags, "DENSE_CELLS", dense_cells)
    rng = np.random.default_rng(7)
    shape = (3, 40, 50)
    dense, flags = np.zeros(shape, dtype=bool), GridFlags(shape)
    for lo, hi in [((0, 0, 0), (2, 38, 50)), ((0, 38, 0), (3, 40, 47)), ((2, 0, 5), (3, 39, 50))]:
        dense[tuple(slice(a, b) for a, b in zip(lo, hi))] = True
        flags.flag(lo, hi)
    flat = dense.reshape(-1)
    for position in rng.choice(flat.size, size=300, replace=False):
        free = np.flatnonzero(~flat[position:])
        expected = tuple(int(i) for i in np.unravel_index(position + free[0], shape)) if free.size else None
        assert flags.next_free(np.unravel_index(position, shape)) == expected


def test_grid_flags_stay_small_on_a_huge_grid():
    """4kp50's safe grid has 450 million cells; a few boxes keep a few compressed cells."""
    flags = GridFlags((758, 770, 771))
    flags.flag((0, 0, 0), (719, 745, 756))
    flags.flag((0, 0, 756), (719, 745, 771))
    assert flags.next_free((0, 0, 0)) == (0, 745, 0)
    flags.flag((0, 745, 0), (758, 770, 771))  # the rest of outer level 0's rows, and beyond
    assert flags.next_free((0, 0, 0)) == (719, 0, 0)
    assert flags.cells.size <= 27


def test_front_summary_records_the_automatic_root_lp_choice(monkeypatch, front_2kp50):
    """A front over a model at or above the interior-point size says so in its Summary; the
    small 2kp50 front (100 non-zeros, below it) records no such choice."""
    import optimizer.solve.solver as solver_module

    assert "mip_lp_solver" not in dict(front_2kp50.summary_rows()).get("solver_options", "")
    monkeypatch.setattr(solver_module, "IPM_ROOT_FROM_NONZEROS", 1)
    inputs = knapsack_inputs(KNAPSACK / "2kp50")
    front = Scenario(inputs).pareto(objectives=["capability", "cost"], points=3, threads=1, time_limit=60)
    assert dict(front.summary_rows())["solver_options"].startswith("mip_lp_solver=ipm (automatic: ")


@pytest.mark.parametrize(
    ("per_point", "left", "solves_left", "expected"),
    [(60.0, 60.0, 4, 12.0), (5.0, 60.0, 4, 5.0), (60.0, 12.0, 1, 6.0), (60.0, -1.0, 2, 0.0)],
)
def test_a_payoff_solve_leaves_time_for_the_rest(per_point, left, solves_left, expected):
    """Each payoff solve gets at most an equal share of the time left, one share kept for the
    grid: on the reference dataset the first one took a whole minute and the run had no front."""
    from optimizer.studies.pareto.payoff import payoff_seconds

    assert payoff_seconds(per_point, left, solves_left) == pytest.approx(expected)


def test_grid_points_share_the_time_left_but_exact_mode_keeps_its_per_point_limit():
    """A grid of `points` levels splits the time left among the cells not yet walked, so a
    short limit still yields a front across the grid; exact mode's grid counts every integer
    level (most skipped), so there each point keeps `per_point`."""
    from optimizer.studies.pareto.grid import point_seconds

    def spec(exact: bool) -> GridSpec:
        return GridSpec(("capability", "cost"), [np.arange(10.0)], [1.0], 1e-4, exact, 60.0, (0, 10))

    assert point_seconds(spec(False), 30.0, 10) == pytest.approx(3.0)
    assert point_seconds(spec(False), 30.0, 1) == pytest.approx(30.0)
    assert point_seconds(spec(True), 30.0, 10) == pytest.approx(30.0)
    assert point_seconds(spec(True), 90.0, 10) == pytest.approx(60.0)


def test_segments_share_the_time_with_the_later_segments_over_the_workers():
    """With workers each walk counts its share of the later segments' cells, so a short limit
    is not spent on the first segments alone."""
    from optimizer.studies.pareto.grid import point_seconds

    whole = GridSpec(("capability", "cost"), [np.arange(12.0)], [1.0], 1e-4, False, 60.0, (0, 12))
    segments = whole.segments(4, workers=2)
    assert [s.total for s in segments] == [3, 3, 3, 3]
    assert [s.cells_after for s in segments] == [4.5, 3.0, 1.5, 0.0]
    assert point_seconds(segments[0], 30.0, 3) == pytest.approx(30.0 / 7.5)
    assert point_seconds(segments[-1], 30.0, 3) == pytest.approx(10.0)


def test_the_summary_says_whose_gap_it_shows_and_names_the_worst_point(front_2kp50):
    """WORKBOOK.md's `gap` row is point 1's; a front is as far from proven as its worst point."""
    from dataclasses import replace

    summary = dict(front_2kp50.summary_rows())
    assert summary["gap_of"].startswith("point 1 (the most capability:A1 found)")
    assert summary["worst_point_gap"] == max(pt.gap for pt in front_2kp50.points_found)
    gaps = [0.0] * len(front_2kp50.points_found)
    gaps[3] = gaps[7] = 0.04
    loose = replace(front_2kp50, points_found=[replace(pt, gap=g) for pt, g in zip(front_2kp50.points_found, gaps)])
    summary = dict(loose.summary_rows())
    assert (summary["gap"], summary["worst_point_gap"], summary["worst_gap_point"]) == (0.0, 0.04, 4)
    unbounded = replace(loose, points_found=[replace(loose.points_found[0], gap=None), *loose.points_found[1:]])
    assert dict(unbounded.summary_rows())["worst_point_gap"] == "unknown: no bound for point 1"


def test_a_payoff_solve_stopped_short_is_no_proof(monkeypatch, tmp_path):
    """Point 1 is the payoff table's best plan in the primary objective: proven, gap 0 only
    where that solve proved it. A user's 30-s front of the reference dataset said "proven,
    gap 0" and "the exact nadir" for a point 1 % short of a plan `solve` found. Here the
    first payoff solve is made to stop short (as a time limit would leave it)."""
    from dataclasses import replace

    from data.dashboard import front_findings
    from optimizer.solve.solver import PersistentSolver

    real_solve = PersistentSolver.solve

    def stopped_short(self, *args, **kwargs):
        out = real_solve(self, *args, **kwargs)
        if self.stage == "payoff 1/2: capability:A1":  # its bound 2 % above its plan, as HiGHS would leave it
            return replace(out, status="feasible", gap=0.02, bound=out.objective * 1.02)
        return out

    monkeypatch.setattr(PersistentSolver, "solve", stopped_short)
    front = Scenario(knapsack_inputs(KNAPSACK / "2kp50")).pareto(points=3, exact=False, time_limit=120, threads=1)
    assert not front.payoff_proven
    summary = dict(front.summary_rows())
    assert summary["status"] == "feasible" and summary["payoff_table"].startswith("not proven")
    assert summary["nadir_bounds"].startswith("payoff table, not solved to optimality")
    first = front.points_found[0].objectives["capability:A1"]
    assert summary["gap"] == pytest.approx((summary["best_bound"] - first) / first) and summary["gap"] > 0
    book = openpyxl.load_workbook(front.to_excel(tmp_path / "front.xlsx"), read_only=True)
    text = [v for row in book["Dashboard"].iter_rows(values_only=True) for v in row if isinstance(v, str)]
    assert any(t.startswith("• point 1 has the best capability:A1 found, not proven the best possible") for t in text)
    _, lines = front_findings(front.points, list(front.objectives))  # no payoff flag: point 1's own
    assert lines[-1].startswith("point 1 is the best in capability:A1") == bool(front.points.iloc[0]["proven"])


def test_a_huge_grid_keeps_its_time_limit_and_says_once_what_it_could_not_solve(caplog):
    """`points=10**9` allocated a billion levels before the first solve and ignored the time
    limit; at a million levels each cell's share of a short limit ran out, and the log got
    one warning per cell (over 9,000 lines)."""
    import logging

    scenario = Scenario.from_excel(Path(__file__).resolve().parents[3] / "examples" / "small" / "small.xlsx")
    started = time.monotonic()
    with caplog.at_level(logging.WARNING):
        front = scenario.pareto(objectives=["capability", "cost"], points=10**9, time_limit=3)
    assert time.monotonic() - started < 20
    assert any("1,000,000,000 grid levels per objective asked; 1,000,000 used" in n for n in front.notes)
    warned = [r for r in caplog.records if "grid point" in r.getMessage()]
    assert len(warned) == 1 and "found no plan within their share of the time" in warned[0].getMessage()
    assert front.completeness != "proven complete"


def test_ctrl_c_in_the_payoff_table_keeps_the_plans_found(monkeypatch):
    """Interrupted after the payoff table's first solve, the next row started from no plan,
    found none and the front was "Interrupted before a plan was found" (exit 130, nothing
    written) with plans in hand. Now the rows left start from the plan in hand."""
    from optimizer.solve.solver import PersistentSolver

    original, calls = PersistentSolver.solve, []

    def interrupted_after_first(self, *args, **kwargs):
        out = original(self, *args, **kwargs)
        calls.append(out)
        INTERRUPT.set()  # Ctrl-C as the first solve ends
        return out

    monkeypatch.setattr(PersistentSolver, "solve", interrupted_after_first)
    try:
        front = Scenario(knapsack_inputs(KNAPSACK / "2kp50")).pareto(exact=True, time_limit=60, threads=1)
    finally:
        INTERRUPT.clear()
    assert front.points_found and not front.complete
    assert all(pt.decisions.funded() for pt in front.points_found)


def _first_tries_without_time(monkeypatch):
    """Every grid point's first try gets no time (as when a walk's shares run out early)."""
    import optimizer.studies.pareto.grid as grid_module

    monkeypatch.setattr(grid_module, "point_seconds", lambda spec, left, cells_left: 0.0)


def test_a_finished_walk_solves_its_unproven_points_again_with_the_time_left(monkeypatch):
    """Grid mode, 2kp50, 5 levels: with no time for any first try, the walk leaves the three
    middle points unproven; the second tries, sharing the rest of the limit, prove them and
    the front is the one a walk with time finds. The Summary's notes say so."""
    inputs = knapsack_inputs(KNAPSACK / "2kp50")
    walked = Scenario(inputs).pareto(exact=False, points=5, time_limit=300, threads=1)
    _first_tries_without_time(monkeypatch)
    retried = Scenario(inputs).pareto(exact=False, points=5, time_limit=300, threads=1)
    assert retried.stats.retried == retried.stats.retried_proven == 3
    assert retried.stats.unproven == retried.stats.no_plan == 0 and not retried.stats.open_cells
    assert rounded(retried) == rounded(walked)
    assert all(pt.proven for pt in retried.points_found)
    assert any(
        "3 unproven grid point(s) solved again with the time the walk left: 3 proven" in note for note in retried.notes
    )
    assert dict(retried.summary_rows())["second_tries"] == 3 and dict(walked.summary_rows())["second_tries"] == 0
    s = retried.stats  # second tries are no more grid points: each point is solved or skipped once
    assert s.solved + s.skipped == s.done == s.grid_total


def test_ctrl_c_during_the_second_tries_says_so(monkeypatch):
    """It read "time limit: … not proven", with the front complete and nothing interrupted."""
    _first_tries_without_time(monkeypatch)

    def stop_at_the_first_second_try(stats: ParetoProgress) -> None:
        if stats.phase == "second tries" and stats.retried:
            INTERRUPT.set()

    try:
        front = Scenario(knapsack_inputs(KNAPSACK / "2kp50")).pareto(
            exact=False, points=5, time_limit=300, threads=1, progress=stop_at_the_first_second_try
        )
    finally:
        INTERRUPT.clear()
    assert front.stats.retried == 1 and front.stats.unproven == 2
    assert front.termination == "interrupted during the second tries: the grid was finished; 2 grid points not proven"


def test_second_tries_stop_when_the_time_left_is_too_short(monkeypatch):
    """Below RETRY_MIN_SECONDS a point keeps its first try: counted unproven, said so."""
    import optimizer.studies.pareto.grid as grid_module

    _first_tries_without_time(monkeypatch)
    monkeypatch.setattr(grid_module, "RETRY_MIN_SECONDS", 1e9)
    front = Scenario(knapsack_inputs(KNAPSACK / "2kp50")).pareto(exact=False, points=5, time_limit=300, threads=1)
    assert front.stats.retried == 0 and front.stats.unproven == 3 == len(front.stats.open_cells)
    assert not any("solved again" in note for note in front.notes)


def test_exact_fronts_keep_their_per_point_limit_and_try_no_point_twice(monkeypatch):
    """Exact mode's points each had the whole per-point limit already: no second tries."""
    _first_tries_without_time(monkeypatch)
    front = Scenario(knapsack_inputs(KNAPSACK / "2kp50")).pareto(exact=True, time_limit=60, threads=1)
    assert front.stats.retried == 0 and front.stats.unproven > 0


def test_segments_hand_their_unproven_points_back_for_second_tries():
    """A worker's unproven grid points join this process's list, so the second tries
    after a parallel walk reach them too."""
    from optimizer.studies.pareto.workers import SegmentResult, _merge_segment

    inputs = knapsack_inputs(KNAPSACK / "2kp50")
    here = ParetoProgress(grid_total=5, unproven=1, open_cells=[(1,)])
    there = ParetoProgress(grid_total=5, unproven=2, no_plan=1, open_cells=[(3,), (4,)])
    _merge_segment(SegmentResult([], there, True, 0.0), inputs, [], here)
    assert here.unproven == 3 and here.no_plan == 1 and sorted(here.open_cells) == [(1,), (3,), (4,)]


def test_a_fronts_plot_is_written_atomically(front_2kp50, tmp_path, monkeypatch):
    """Drawn straight into a full folder, the PNG replaced the old one with 4,096 bytes of it."""
    import errno

    from data import xlsx_io

    png = front_2kp50.plot(tmp_path / "front.png")
    assert png.read_bytes().startswith(b"\x89PNG")

    def full_disk(fd, mode):
        import os

        os.close(fd)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(xlsx_io.os, "fdopen", full_disk)
    before = png.read_bytes()
    with pytest.raises(OSError, match="No space"):
        front_2kp50.plot(png)
    assert png.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["front.png"]


def test_the_first_payoff_solve_starts_from_the_greedy_plan(monkeypatch):
    """Without a start the M instance's 30-s front stopped after 7 s: "payoff table: no plan
    for capability". With the greedy plan loaded, a solve that finds nothing hands it back."""
    from optimizer.solve.solver import PersistentSolver

    real, warm = PersistentSolver.solve, []

    def recording(self, time_limit, gap, warm_start=False, known_bound=None):
        if self.stage.startswith("payoff 1/"):
            warm.append(warm_start)
        return real(self, time_limit, gap, warm_start=warm_start, known_bound=known_bound)

    monkeypatch.setattr(PersistentSolver, "solve", recording)
    inputs = knapsack_inputs(KNAPSACK / "2kp50")
    Scenario(inputs).pareto(exact=False, points=3, time_limit=60, threads=1)
    assert warm == [False, True]  # plain branch-and-bound on this small model: no start needed
    warm.clear()
    from optimizer.studies.pareto import payoff

    monkeypatch.setattr(payoff, "_searched_by_the_engine", lambda solver: True)  # as on M and larger
    front = Scenario(inputs).pareto(exact=False, points=3, time_limit=60, threads=1)
    assert warm == [True, True] and front.points_found


def test_a_payoff_table_the_time_limit_cut_short_is_no_plan_not_a_solver_failure(monkeypatch):
    """`capopt pareto --time-limit 1` exited 5, "solver error", which reads as a broken
    installation; it is the time limit (exit 6, "raise --time-limit")."""
    from optimizer.errors import NoSolutionError
    from optimizer.solve.solver import PersistentSolver, SolveOutcome

    def out_of_time(self, time_limit, gap, warm_start=False, known_bound=None):
        return SolveOutcome("no_solution", "time limit", None, None, None, 0.0)

    monkeypatch.setattr(PersistentSolver, "solve", out_of_time)
    with pytest.raises(NoSolutionError, match="raise --time-limit"):
        Scenario(knapsack_inputs(KNAPSACK / "2kp50")).pareto(exact=False, points=3, time_limit=5, threads=1)


def test_a_fronts_plot_title_claims_no_more_than_the_front_proved(front_2kp50, tmp_path, monkeypatch):
    """The PNG said "10 non-dominated plans" of a grid front whose legend marked 9 not proven."""
    import dataclasses

    import matplotlib.axes

    titles: list[str] = []
    real = matplotlib.axes.Axes.set_title
    monkeypatch.setattr(
        matplotlib.axes.Axes,
        "set_title",
        lambda self, label, *a, **k: titles.append(label) or real(self, label, *a, **k),
    )
    front_2kp50.plot(tmp_path / "proven.png")
    assert titles[-1] == f"Pareto front: {len(front_2kp50.points)} non-dominated plans"
    sampled = dataclasses.replace(
        front_2kp50, payoff_proven=False, completeness="not proven: grid mode samples the front"
    )
    sampled.plot(tmp_path / "sampled.png")
    assert titles[-1].startswith(f"Pareto front: {len(front_2kp50.points)} plans, none dominating another")
    assert titles[-1].endswith("(not proven: grid mode samples the front)")


def test_an_exact_front_keeps_a_point_highs_presolve_called_infeasible():
    """A brute-force audit (2 of 4,879 random fronts): HiGHS 1.15.1's presolve called the
    subproblem "most interoperability at cost ≤ 3" infeasible, so the front lost (1, 2), the
    plan in which one nation adopts S, and was still "proven complete". Every plan: {} (0, 0);
    one adopter (1, 2); both (2, 4); J with one member (1, 6) and two (2, 6), dominated; J with
    two members and one adopter (3, 8), and both adopters (4, 10)."""
    from tests.optimizer.conftest import make_inputs, nation, programme, standard

    inputs = make_inputs(
        first_year=2030,
        last_year=2030,
        nations=[nation("A"), nation("B")],
        budgets={"A": 10, "B": 6},
        values={},
        programmes=[programme("J", 1, 6, "joint", min_participants=1)],
        standards=[standard("S", cost=2, min_adopters=1, weight=1)],
    )
    front = Scenario(inputs).pareto(objectives=["interoperability", "cost"], exact=True)
    assert sorted(front.vectors()) == [(0, 0), (1, 2), (2, 4), (3, 8), (4, 10)]
    assert front.completeness == "proven complete"


def test_non_dominated_judges_each_objective_at_its_own_size():
    """Capability 82 is not "equal" to 84 because the plans cost about 5e7: a tolerance from
    the vector's largest component dropped the 84-point plan (money in euros lost 13 of 18
    points of an exact front)."""
    objectives = ["capability", "cost"]

    def point(capability: float, cost: float) -> FrontPoint:
        decisions = PlanDecisions(national={}, joint={}, payments={}, adoptions={})
        return FrontPoint(decisions, {"capability": capability, "cost": cost}, True, 0.0, (0,), None)  # type: ignore[arg-type]

    best, cheaper = point(84.0, 5.0e7), point(82.0, 4.9e7)
    kept = non_dominated([cheaper, best], objectives)
    assert [pt.objectives["capability"] for pt in kept] == [84.0, 82.0]
    assert non_dominated([point(82.0, 5.0e7), best], objectives) == [best]  # same cost, less capability


def test_a_front_of_infeasible_inputs_names_the_conflict() -> None:
    """`capopt pareto` on inputs with no plan exited 4 saying only "there is no front", where
    `solve` names the commitment and the rule it clashes with."""
    from optimizer.errors import InfeasibleError
    from tests.optimizer.conftest import make_inputs, nation, programme

    inputs = make_inputs(
        first_year=2030,
        last_year=2031,
        nations=[nation("A")],
        budgets=10.0,
        programmes=[programme("P1", cost=12)],
        commitments=[("A", "P1", "fund", 2030)],
    )
    with pytest.raises(InfeasibleError) as raised:
        Scenario(inputs).pareto(objectives=["capability", "cost"], points=3, time_limit=20, threads=1)
    assert "A must fund P1 starting 2030, but A's 2030 budget is 10.0 and P1 costs 12.0" in raised.value.conflicts[0]
    assert raised.value.conflicts[-1] == "These cannot hold together under: budgets."


def test_an_exact_front_of_objectives_too_large_to_step_through_is_not_called_complete() -> None:
    """Money in euros (costs up to 5e7): whole steps lie within HiGHS's tolerances, and a
    front that lost 2 of its 18 points read "proven complete"."""
    from optimizer.studies.pareto.front import Bounds

    bounds = Bounds(exact=True, objectives=2, too_large=["cost (up to 5e+07)"])
    assert bounds.completeness(True, 0) == (
        "not proven: exact mode steps by whole numbers, and at the size of cost (up to 5e+07) the solver's "
        "tolerances cannot tell such steps apart (enter money in larger units)"
    )
    assert Bounds(exact=True, objectives=2).completeness(True, 0) == "proven complete"
    from tests.optimizer.conftest import make_inputs, nation, programme

    inputs = make_inputs(
        first_year=2030,
        last_year=2032,
        nations=[nation("A")],
        budgets=3e7,
        programmes=[programme("P1", cost=2e7), programme("P2", cost=3e7)],
    )
    front = Scenario(inputs).pareto(objectives=["capability", "cost"], exact=True, time_limit=60, threads=1)
    assert front.completeness.startswith("not proven: exact mode steps by whole numbers, and at the size of cost")


def test_front_summary_records_the_search_its_solves_used(monkeypatch):
    """A front of the reference dataset ran the portfolio (a spawned process beside HiGHS)
    while its Summary said `workers 1` and named no search: a front cut short by the clock
    could not be re-run with the search that made it."""
    import optimizer.solve.engine.strategy as strategy_module

    inputs = knapsack_inputs(KNAPSACK / "2kp50")
    front = Scenario(inputs).pareto(objectives=["capability", "cost"], points=3, threads=1, time_limit=60)
    searched = dict(front.summary_rows())["strategy"]
    assert searched.startswith("highs (automatic: ") and searched.endswith(" non-zeros)"), searched
    monkeypatch.setattr(strategy_module, "PORTFOLIO_FROM_NONZEROS", 1)
    front = Scenario(inputs).pareto(objectives=["capability", "cost"], points=3, threads=1, time_limit=60)
    assert dict(front.summary_rows())["strategy"].endswith("non-zeros; one worker: the portfolio needs two)")


def test_an_exact_front_with_fractional_objectives_lists_no_dominated_plan():
    """A bound audit: with a whole primary (shortfall 0) and a fractional capability, the
    grid's gap proved the primary's optimum but not the augmentation's, so a plan of
    (shortfall 0, risk 2, capability 5.5) was listed "proven" and "non-dominated" beside the
    plan (0, 2, 6) it never found. Brute force: (0, 0, 0), (0, 1, 3), (0, 2, 6), (0, 3, 8.5)."""
    from tests.optimizer.bruteforce import pareto_front, random_tiny_inputs

    inputs = random_tiny_inputs(307)
    objectives = ["shortfall", "risk", "capability"]
    front = Scenario(inputs).pareto(objectives=objectives, exact=True, workers=1, time_limit=60)
    truth = [tuple(point) for point in pareto_front(inputs, objectives)]
    for point in front.points_found:
        values = tuple(point.objectives[o] for o in objectives)
        dominated = [
            t
            for t in truth
            if t != pytest.approx(values)
            and t[0] <= values[0] + 1e-6
            and t[1] <= values[1] + 1e-6
            and t[2] >= values[2] - 1e-6
        ]
        assert not dominated, (values, dominated)


# --- arguments ----------------------------------------------------------------------------
def test_pareto_refuses_a_text_exact_and_takes_whole_floats(small_copy):
    with pytest.raises(ValueError, match="exact is 'no' — expected True, False or None"):
        small_copy.pareto(exact="no", points=2, time_limit=20)  # ran an exact front
    front = small_copy.pareto(points=2.0, workers=1.0, time_limit=20)  # workers=2.0 was a TypeError inside
    assert len(front.points) >= 2


def test_pareto_front_refuses_a_nadir_for_its_primary_objective() -> None:
    """The primary objective is optimised at every grid point, never stepped: its level was
    ignored without a word, and the front read as if bounded by it."""
    with pytest.raises(ValueError, match="primary objective"):
        pareto_front(small().inputs, ["capability", "cost"], points=2, nadir={"capability": 3.0})


def test_an_exact_two_objective_subproblem_maximises_the_whole_valued_primary_alone():
    """With no augmentation term the subproblem's objective is the primary itself, and its
    costs are whole numbers, which HiGHS sees (grid.plain_primary: it then prunes by whole
    units)."""
    inputs = knapsack_inputs(KNAPSACK / "2kp50")
    names = ("capability:A1", "capability:A2")
    m = build_model(inputs)
    persistent = PersistentSolver(m, SolverOptions(threads=1))
    spec = GridSpec(names, [np.arange(0.0, 2000.0)], [1.0], 0.0, True, 10.0, (0, 2000), augmented=False)
    assert spec.augmentation_weight == 0.0
    _prepare_grid(m, persistent, spec)
    m.pareto_levels[1] = 1800.0
    outcome = persistent.solve(10, 0.0)
    assert outcome.status == "optimal"
    assert pyo.value(m.objective_expr[names[1]]) >= 1800.0 - 1e-6
    assert outcome.objective == pytest.approx(pyo.value(m.objective_expr[names[0]]), abs=1e-9)
    costs = np.array(persistent._backend.highs.getLp().col_cost_)
    assert np.any(costs != 0) and np.array_equal(costs, np.round(costs))


@pytest.mark.parametrize(
    ("objectives", "exact", "whole", "plain"),
    [(2, True, True, True), (3, True, True, False), (2, True, False, False), (2, False, True, False)],
)
def test_only_exact_two_whole_objective_fronts_go_without_the_augmentation(objectives, exact, whole, plain):
    assert plain_primary(objectives, exact, whole) is plain


@pytest.mark.parametrize(("objectives", "exact"), [(2, True), (4, True), (2, False), (4, False)])
def test_grid_subproblem_rows_and_options(objectives, exact):
    """Exact mode's ε rows are inequalities on the objectives themselves (no slack column
    beside them; grid mode keeps one per row), a grid point's slack is its surplus over the
    level either way, the objective's value is AUGMECON2's, and exact mode runs the
    plan-finding heuristics only on two-objective fronts (see `_choose_plan_heuristics`)."""
    inputs = knapsack_inputs(KNAPSACK / "4kp50", objectives=objectives)
    names = tuple(f"capability:A{k + 1}" for k in range(objectives))
    m = build_model(inputs)
    columns = m.nvariables()
    persistent = PersistentSolver(m, SolverOptions(threads=1))
    levels = [np.arange(0.0, 800.0)] * (objectives - 1)
    spec = GridSpec(names, levels, [1.0] * (objectives - 1), 0.0, exact, 10.0, (0, 800))
    _prepare_grid(m, persistent, spec)
    eps = [700.0] * (objectives - 1)
    for k, level in enumerate(eps, 1):
        m.pareto_levels[k] = level
    outcome = persistent.solve(10, 0.0)
    assert outcome.status == "optimal"
    assert persistent._backend.highs.getNumCol() == columns + (0 if exact else objectives - 1)
    values = [pyo.value(m.objective_expr[name]) for name in names[1:]]
    assert all(v >= 700.0 - 1e-6 for v in values)
    surplus = [v - 700.0 for v in values]
    # the objective's value is AUGMECON2's: f1 plus ε·Σ 10^−(k−2)·s_k/r_k (r_k 799 here), with
    # the levels in its constant, which `_known` and the subproblem's gap rely on
    augmented = pyo.value(m.objective_expr[names[0]]) + 1e-3 * sum(10.0**-k * s / 799.0 for k, s in enumerate(surplus))
    assert outcome.objective == pytest.approx(augmented, abs=1e-9)
    assert _slacks(m, persistent, None, eps) == pytest.approx(surplus)  # evaluated on the model
    assert _slacks(m, persistent, _objective_rows(m, persistent, names), eps) == pytest.approx(surplus)
    chosen = persistent._backend._options_set
    assert chosen.get("mip_heuristic_run_root_reduced_cost", True) is (objectives == 2 or not exact)
    assert chosen.get("mip_heuristic_run_shifting", False) is (objectives == 2 and exact)
    assert chosen.get("mip_heuristic_run_zi_round", False) is (objectives == 2 and exact)


def test_an_exact_front_hands_points_after_a_large_tree_to_highs_own_tree_search(monkeypatch):
    """`fit_tree_settings`: a grid point after a tree of more than LARGE_TREE_NODES nodes gets
    HiGHS's restart and reliability branching back, and the front does not change with it."""
    import optimizer.studies.pareto.grid as grid_module

    fit, large = grid_module.fit_tree_settings, []

    def recorded(persistent: PersistentSolver, previous_nodes: int) -> None:
        fit(persistent, previous_nodes)
        large.append(persistent._backend._options_set["mip_allow_restart"])  # what HiGHS was given

    monkeypatch.setattr(grid_module, "fit_tree_settings", recorded)
    inputs = knapsack_inputs(KNAPSACK / "2kp50")
    small_trees = Scenario(inputs).pareto(exact=True, threads=1, time_limit=120)
    assert large and not any(large)  # 2kp50's trees are hundreds of nodes at most
    monkeypatch.setattr(grid_module, "LARGE_TREE_NODES", 0)
    large.clear()
    every_tree_large = Scenario(inputs).pareto(exact=True, threads=1, time_limit=120)
    assert large[0] is False and sum(large[1:]) >= len(large) // 2, large
    assert sorted(every_tree_large.vectors()) == sorted(small_trees.vectors())
    assert len(small_trees.points) == 35 and small_trees.proven_complete
