"""Where a finished plan's gap lives: what each kind of neighbourhood still holds around it.

    python -m benchmarks.neighbourhood_probe --size L --variant mixed --limit 120 --seconds 30

Runs the engine on the instance (the suite's weighted objective, two local workers, no
start plan), then from the plan it returns solves one sub-MIP per probe on one thread for
--seconds each, every integer column outside the probe fixed at the plan: consortia (every
join and joint start), RINS (where the plan and the LP relaxation differ), the --nations
nations and the programmes (about --programme-columns free columns) on which the LP earns
most beyond the plan, and the first --years years of every nation. Per probe it prints the
free columns, the gain found, whether the neighbourhood was solved to its optimum and its
sub-MIP's bound beyond the plan: the most that neighbourhood could still give. A gap that
no probe's bound covers lives in moves no single neighbourhood kind makes.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

import numpy as np

from benchmarks.instances import Size, generate
from benchmarks.run_suite import WEIGHTS
from models import build_model
from optimizer.solve.engine.engine import Engine, EngineReport
from optimizer.solve.engine.neighbourhoods import (
    ColumnGroups,
    column_groups,
    fix_outside,
    item_columns,
)
from optimizer.solve.engine.problem import MipArrays
from optimizer.solve.engine.subsolve import Task, WorkerModel
from optimizer.solve.engine.workers import local_pool
from optimizer.solve.objectives import set_objective, weighted_expression
from optimizer.solve.solver import PersistentSolver, SolverOptions


@dataclass(frozen=True)
class Probe:
    name: str
    free: int
    gain: float  # found beyond the plan
    proven: bool
    bound_gain: float | None  # the sub-MIP's bound beyond the plan (None: no bound)
    seconds: float


def engine_plan(inputs: object, limit: float, workers: int = 2) -> tuple[MipArrays, ColumnGroups, EngineReport]:
    """The engine's plan for the weighted objective, with the arrays and column groups."""
    m = build_model(inputs)  # type: ignore[arg-type]
    set_objective(m, weighted_expression(m, WEIGHTS), "max")
    solver = PersistentSolver(m, SolverOptions())
    solver.matrix_nonzeros()  # hands the model to HiGHS
    backend = solver._backend
    arrays = MipArrays.from_highs(backend.highs)
    groups = column_groups(backend.mirror.columns)
    report = Engine(arrays, groups, local_pool(workers), seed=0).solve(time_limit=limit, gap=1e-4)
    return arrays, groups, report


def relaxation(arrays: MipArrays) -> np.ndarray:
    """The LP relaxation's optimum (interior point with crossover, as the engine solves it)."""
    highs = arrays.highs(threads=1, relax=True)
    highs.setOptionValue("solver", "ipm")
    highs.setOptionValue("run_crossover", "on")
    highs.run()
    return np.array(highs.getSolution().col_value, dtype=float)


def probe_masks(
    arrays: MipArrays,
    groups: ColumnGroups,
    lp: np.ndarray,
    x: np.ndarray,
    nations: int,
    programme_columns: int,
    years: int,
) -> dict[str, np.ndarray]:
    """The free columns of each probe (see the module's docstring)."""
    integer = arrays.integer
    sign = 1.0 if arrays.maximise else -1.0
    gain = sign * arrays.cost * (lp - x)
    masks = {"consortia": integer & groups.consortium, "RINS": integer & (np.abs(lp - x) > 1e-6)}
    potential = {n: gain[integer & (groups.nation == n)].sum() for n in groups.nations}
    top = sorted(potential, key=lambda n: -potential[n])[:nations]
    masks["nations " + ",".join(top)] = integer & np.isin(groups.nation, top)
    items = item_columns(arrays, groups)
    chosen, free = [], np.zeros(arrays.columns, dtype=bool)
    for programme in sorted(items, key=lambda i: -gain[items[i]].sum()):
        if free.sum() >= programme_columns:
            break
        chosen.append(programme)
        free[items[programme]] = True
    masks["programmes " + ",".join(chosen)] = free
    first = min(groups.years) if groups.years else 0
    masks[f"years {first}-{first + years - 1}, every nation"] = (
        integer & (groups.year >= first) & (groups.year < first + years)
    )
    return {name: mask for name, mask in masks.items() if mask.any()}


def run_probes(arrays: MipArrays, masks: dict[str, np.ndarray], x: np.ndarray, seconds: float) -> list[Probe]:
    """One sub-MIP per probe from the plan `x`, on this process, one thread."""
    model = WorkerModel(arrays, threads=1)
    value = arrays.objective(x)
    sign = 1.0 if arrays.maximise else -1.0
    probes = []
    for name, free in masks.items():
        fix_index, fix_value = fix_outside(arrays, free, x)
        result = model.solve(Task(name, fix_index, fix_value, x, seconds, 2**31 - 1, gap=1e-4, seed=1))
        found = sign * ((result.objective if result.objective is not None else value) - value)
        bound = None if result.bound is None else sign * (result.bound - value)
        probes.append(Probe(name, int(free.sum()), found, result.proven, bound, result.seconds))
    return probes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="L", help="S, M, L, XL or NATIONS,PROGRAMMES,YEARS")
    parser.add_argument("--variant", choices=("mixed", "hard"), default="mixed")
    parser.add_argument("--limit", type=float, default=120.0, help="the engine's time limit")
    parser.add_argument("--seconds", type=float, default=30.0, help="per probe")
    parser.add_argument("--nations", type=int, default=4)
    parser.add_argument("--programme-columns", type=int, default=1_000)
    parser.add_argument("--years", type=int, default=5)
    args = parser.parse_args()
    size = Size(*map(int, args.size.split(","))) if "," in args.size else args.size
    started = time.monotonic()
    arrays, groups, report = engine_plan(generate(size, 1, args.variant == "hard"), args.limit)
    if report.x is None:
        raise SystemExit("the engine found no plan to probe")
    print(
        f"plan {report.objective:,.1f}, bound {report.bound:,.1f} ({report.bound_source}), "
        f"gap {report.gap:.3%}, {time.monotonic() - started:.0f} s"
    )
    lp = relaxation(arrays)
    masks = probe_masks(arrays, groups, lp, report.x, args.nations, args.programme_columns, args.years)
    print("| probe | free integer columns | gain found | solved to its optimum | its bound beyond the plan | s |")
    print("|---|---|---|---|---|---|")
    for p in run_probes(arrays, masks, report.x, args.seconds):
        bound = "—" if p.bound_gain is None else f"{round(p.bound_gain):+,}"  # an int: never "-0"
        print(f"| {p.name} | {p.free:,} | {p.gain:+,.1f} | {'yes' if p.proven else 'no'} | {bound} | {p.seconds:.1f} |")


if __name__ == "__main__":
    main()
