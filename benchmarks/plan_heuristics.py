"""Three classical ways to a plan within 0.5 % in about two seconds, tried on a saved stage (#20).

    python -m benchmarks.stage_probe dump --out /tmp/stages            # the default run's stages
    python -m benchmarks.plan_heuristics /tmp/stages/stage_1.pkl dive --batch 1 --fix-whole
    python -m benchmarks.plan_heuristics /tmp/stages/stage_2.pkl branch --k 20 --seconds 3 --total 40
    python -m benchmarks.plan_heuristics /tmp/stages/stage_1.pkl windows --width 2 --step 2 --seconds 2

The twenty-third session measured that each reference stage waits for a plan: one within
0.5 % of the best known, found in about two seconds, would end the stage about 1.5 s after
its LP. Each probe here runs on one core, on the stage exactly as the engine's workers get it:

* `dive`: LP diving. Fractional whole columns are fixed, largest LP value first, to their
  rounding up, `--batch` at a time; the LP is solved again warm; a batch that makes it
  infeasible is halved, and a single column that does is fixed the other way. With
  `--fix-whole` the columns the first LP already has whole are fixed first (RENS-style).
  Ends with a plan, or at a dead end: a column both of whose roundings are infeasible.
* `branch`: local branching (Fischetti and Lodi) from the stage's start plan: HiGHS on the
  stage with "at most k whole columns differ from the incumbent", `--seconds` each, the
  incumbent moving to every better plan and k growing by half when none is found.
* `windows`: relax-and-fix by years: whole numbers only in a window of `--width` years,
  later years relaxed, earlier ones fixed at the window before's values, `--step` years
  fixed per window; then the continuous rest solved with every whole column fixed.

Twenty-sixth session, reference dataset (docs/benchmarks.md): no probe reached a plan
within 0.5 % in two seconds; the dives all ended at dead ends, local branching found no
plan better than the start in 40 s, and relax-and-fix's third window was infeasible.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from optimizer.solve.engine.neighbourhoods import ColumnGroups
from optimizer.solve.engine.problem import MipArrays

WHOLE = 1e-6  # a whole column's LP value within this of its rounding counts as whole


@dataclass
class Probe:
    """What a probe found: a plan (None at a dead end or when nothing improved), the LP or
    MIP solves it made, and a line per step for the record."""

    plan: np.ndarray | None
    value: float | None
    solves: int
    seconds: float
    steps: list[str] = field(default_factory=list)


def _fractional(arrays: MipArrays, x: np.ndarray) -> np.ndarray:
    """The whole columns of `x` that are not whole, as column indices."""
    columns = np.flatnonzero(arrays.integer)
    return columns[np.abs(x[columns] - np.round(x[columns])) > WHOLE]


def _fix(highs: object, columns: np.ndarray, values: np.ndarray) -> None:
    highs.changeColsBounds(len(columns), columns.astype(np.int32), values, values)  # type: ignore[attr-defined]


def _free(highs: object, arrays: MipArrays, columns: np.ndarray) -> None:
    highs.changeColsBounds(
        len(columns),
        columns.astype(np.int32),  # type: ignore[attr-defined]
        arrays.col_lower[columns],
        arrays.col_upper[columns],
    )


def _solved(highs: object) -> bool:
    import highspy

    highs.run()  # type: ignore[attr-defined]
    return bool(highs.getModelStatus() == highspy.HighsModelStatus.kOptimal)  # type: ignore[attr-defined]


def dive(arrays: MipArrays, batch: int = 1, fix_whole: bool = False) -> Probe:
    """LP diving, largest fractional value rounded up first (see the module's text)."""
    began = time.perf_counter()
    highs = arrays.highs(threads=1, relax=True)
    if not _solved(highs):
        return Probe(None, None, 1, time.perf_counter() - began, ["the LP relaxation has no optimum"])
    x = np.array(highs.getSolution().col_value)
    if fix_whole:
        whole = np.setdiff1d(np.flatnonzero(arrays.integer), _fractional(arrays, x))
        _fix(highs, whole, np.round(x[whole]))
    solves, size = 1, batch
    while len(fractional := _fractional(arrays, x)):
        chosen = fractional[np.argsort(-x[fractional])][:size]
        _fix(highs, chosen, np.ceil(x[chosen] - WHOLE))
        solves += 1
        if _solved(highs):
            x, size = np.array(highs.getSolution().col_value), batch
            continue
        _free(highs, arrays, chosen)
        if size > 1:
            size = max(1, size // 2)
            continue
        _fix(highs, chosen, np.floor(x[chosen] + WHOLE))
        solves += 1
        if not _solved(highs):
            return Probe(
                None,
                None,
                solves,
                time.perf_counter() - began,
                [f"dead end at column {int(chosen[0])}: both roundings infeasible"],
            )
        x = np.array(highs.getSolution().col_value)
    x[arrays.integer] = np.round(x[arrays.integer])
    return Probe(x, arrays.objective(x), solves, time.perf_counter() - began)


def local_branching(
    arrays: MipArrays, start: np.ndarray, k: int = 20, seconds: float = 3.0, total: float = 40.0
) -> Probe:
    """Local branching from `start` (see the module's text); the best plan met, at worst `start`."""
    import highspy

    began = time.perf_counter()
    columns = np.flatnonzero(arrays.integer)
    best, value = np.array(start, dtype=float), arrays.objective(np.asarray(start, dtype=float))
    probe = Probe(best, value, 0, 0.0)
    while time.perf_counter() - began < total:
        ones = np.round(best[columns]) > 0.5
        highs = arrays.highs(threads=1)
        # Σ_{x̄=1} (1 − x) + Σ_{x̄=0} x ≤ k, written as Σ ±x ≤ k − |ones|
        highs.addRow(
            -highspy.kHighsInf, float(k - ones.sum()), len(columns), columns.astype(np.int32), np.where(ones, -1.0, 1.0)
        )
        highs.setOptionValue("time_limit", min(seconds, max(total - (time.perf_counter() - began), 0.01)))
        highs.setOptionValue("mip_rel_gap", 0.0)
        solution = highspy.HighsSolution()
        solution.col_value = list(best)
        highs.setSolution(solution)
        highs.run()
        probe.solves += 1
        info = highs.getInfo()
        found = np.array(highs.getSolution().col_value) if info.primal_solution_status == 2 else None
        found_value = arrays.objective(found) if found is not None else None
        probe.steps.append(
            f"{time.perf_counter() - began:6.2f} s  k = {k}: "
            f"{'no plan' if found_value is None else f'{found_value:,.1f}'}, "
            f"neighbourhood bound {info.mip_dual_bound:,.1f}"
        )
        if found is not None and found_value is not None and arrays.better(found_value, value):
            best, value = found, found_value
        else:
            k = int(k * 1.5)
    probe.plan, probe.value, probe.seconds = best, value, time.perf_counter() - began
    return probe


def relax_and_fix(arrays: MipArrays, year: np.ndarray, width: int = 2, step: int = 2, seconds: float = 2.0) -> Probe:
    """Relax-and-fix by years (see the module's text); whole columns without a year
    (`year` < 0) stay whole in every window and are fixed with the last one."""
    import highspy

    began = time.perf_counter()
    years = sorted({int(y) for y in year[arrays.integer] if y >= 0})
    lower, upper = arrays.col_lower.copy(), arrays.col_upper.copy()
    probe = Probe(None, None, 0, 0.0)
    every = np.arange(arrays.columns, dtype=np.int32)
    for first in range(0, len(years), step):
        window = years[first : first + width]
        highs = arrays.highs(threads=1, relax=True)
        whole = np.flatnonzero(arrays.integer & (np.isin(year, window) | (year < 0))).astype(np.int32)
        highs.changeColsIntegrality(len(whole), whole, np.array([highspy.HighsVarType.kInteger] * len(whole)))
        highs.changeColsBounds(arrays.columns, every, lower, upper)
        highs.setOptionValue("time_limit", seconds)
        highs.run()
        probe.solves += 1
        if not highs.getSolution().value_valid:
            probe.steps.append(
                f"years {window[0]}–{window[-1]}: {highs.modelStatusToString(highs.getModelStatus())}, no plan"
            )
            probe.seconds = time.perf_counter() - began
            return probe
        x = np.array(highs.getSolution().col_value)
        probe.steps.append(
            f"{time.perf_counter() - began:6.2f} s  years {window[0]}–{window[-1]}: "
            f"{highs.getInfo().objective_function_value:,.1f}"
        )
        done = arrays.integer & (
            np.isin(year, years[first : first + step]) | ((year < 0) & (first + step >= len(years)))
        )
        lower[done] = upper[done] = np.round(x[done])
    last = arrays.highs(threads=1, relax=True)
    last.changeColsBounds(arrays.columns, every, lower, upper)
    probe.solves += 1
    if _solved(last):
        x = np.array(last.getSolution().col_value)
        x[arrays.integer] = np.round(x[arrays.integer])
        probe.plan, probe.value = x, arrays.objective(x)
    probe.seconds = time.perf_counter() - began
    return probe


def _report(name: str, probe: Probe) -> None:
    for line in probe.steps:
        print(f"  {line}")
    found = "no plan" if probe.value is None else f"plan {probe.value:,.1f}"
    print(f"{name}: {found} after {probe.solves} solves in {probe.seconds:.2f} s")


def main(argv: list[str] | None = None) -> None:
    from benchmarks.stage_probe import _load

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("stage", help="a stage saved by `python -m benchmarks.stage_probe dump`")
    parser.add_argument("probe", choices=["dive", "branch", "windows"])
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--fix-whole", action="store_true")
    parser.add_argument("--k", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--total", type=float, default=40.0)
    parser.add_argument("--width", type=int, default=2)
    parser.add_argument("--step", type=int, default=2)
    args = parser.parse_args(argv)
    arrays, start, groups = _load(args.stage)
    assert isinstance(groups, ColumnGroups), "a stage saved by `benchmarks.stage_probe dump`"
    first = start if start is not None else np.clip(np.zeros(arrays.columns), arrays.col_lower, arrays.col_upper)
    runs: dict[str, Callable[[], Probe]] = {
        "dive": lambda: dive(arrays, args.batch, args.fix_whole),
        "branch": lambda: local_branching(arrays, first, args.k, args.seconds, args.total),
        "windows": lambda: relax_and_fix(arrays, np.asarray(groups.year), args.width, args.step, args.seconds),
    }
    _report(args.probe, runs[args.probe]())


if __name__ == "__main__":
    main()
