"""The reference dataset's lexicographic stages, solved alone: what would let HiGHS or RENS finish sooner.

    python -m benchmarks.stage_probe dump --out /tmp/stages            # one default run; saves each engine stage
    python -m benchmarks.stage_probe dump --out /tmp/robust --robust 2 --time-limit 60
    python -m benchmarks.stage_probe highs /tmp/stages/stage_1.pkl --seeds 0,1,2 --option presolve=off
    python -m benchmarks.stage_probe rens /tmp/stages/stage_1.pkl --guide vertex|centre|cuts --seconds 20
    python -m benchmarks.stage_probe trace /tmp/stages/stage_2.pkl --seeds 0 --option presolve=off
    python -m benchmarks.stage_probe tiebreak /tmp/stages/stage_1.pkl /tmp/stages/stage_2.pkl --deltas 0,0.001,0.01

`dump` runs the default solve of the bundled dataset once and pickles, for every stage the
engine solves (capability, then cost), the MIP as the engine's workers receive it
(`MipArrays`), its start plan and its column groups. The other commands re-solve one stage
on one thread, with nothing else running, so that a change is judged on the stage itself:

* `highs`: HiGHS's branch-and-bound to the run's 1 % gap from the stage's start plan, once
  per seed, with the given options (e.g. `presolve=off`); prints seconds, plan and bound.
* `trace`: the same run, printing when its plan and its bound moved, and beside each bound
  the plan that would have ended the stage there (within the run's gap of that bound):
  whether a stage waits for its bound or for its plan.
* `tiebreak`: the capability stage with objective capability − δ·cost (a cost tie-break),
  then the cost stage from its plan under that plan's hold (0.999 × its capability, the
  run's tolerance), each to the run's gap: whether a cheaper capability plan lets the cost
  stage end sooner (the twenty-seventh session: it does not).
* `rens`: the softer RENS (every integer column the guide LP sets to zero fixed, except those
  the start plan sets to one; the rest free) solved for --seconds, and its plan and own bound.
  The guide LP is the relaxation's simplex vertex (what the engine uses), the interior-point
  solution without crossover (the centre of the optimal face: zero only where every optimal
  LP solution is zero), or the relaxation with the cuts HiGHS's root node found (read
  through its cut-pool callback, presolve off so that the cuts are in the model's columns).
"""

from __future__ import annotations

import argparse
import pickle
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from optimizer.solve.engine.problem import MipArrays

RUN_GAP = 0.01  # the default run's mip_gap (WORKBOOK.md Settings)


def dump(out: Path, robust: int = 0, time_limit: float | None = None) -> None:
    """Solve the reference dataset once (with `robust` overruns per nation and year),
    pickling what each engine stage was given."""
    import optimizer.solve.engine.engine as engine_module
    from optimizer import Scenario

    out.mkdir(parents=True, exist_ok=True)
    original = engine_module.Engine.solve
    count = [0]

    def recording(self, time_limit, gap, start=None, *args, **kwargs):  # type: ignore[no-untyped-def]
        count[0] += 1
        with open(out / f"stage_{count[0]}.pkl", "wb") as handle:
            pickle.dump((self.arrays, start, self.groups), handle)
        return original(self, time_limit, gap, start, *args, **kwargs)

    engine_module.Engine.solve = recording  # type: ignore[method-assign]
    scenario = Scenario.reference().with_settings(robust_overruns=robust)
    result = scenario.solve() if time_limit is None else scenario.solve(time_limit=time_limit)
    print(f"{count[0]} stages saved in {out}; run {result.status}, gap {result.gap}")


def _load(path: Path) -> tuple[MipArrays, np.ndarray | None, object]:
    with open(path, "rb") as handle:
        return pickle.load(handle)


def _set_start(highs: object, start: np.ndarray | None) -> None:
    import highspy

    if start is not None:
        solution = highspy.HighsSolution()
        solution.col_value = list(start)
        highs.setSolution(solution)  # type: ignore[attr-defined]


def _parse(option: str) -> tuple[str, object]:
    name, text = option.split("=", 1)
    for kind in (int, float):
        try:
            return name, kind(text)
        except ValueError:
            pass
    return name, {"true": True, "false": False}.get(text, text)


def _stage_highs(arrays: MipArrays, start: np.ndarray | None, seed: int, options: list[str], seconds: float) -> object:
    """HiGHS on one thread holding the stage, to the run's gap, with `options` set last."""
    highs = arrays.highs(threads=1, seed=seed)
    highs.setOptionValue("time_limit", seconds)
    highs.setOptionValue("mip_rel_gap", RUN_GAP)
    for name, value in map(_parse, options):
        highs.setOptionValue(name, value)  # type: ignore[arg-type]
    _set_start(highs, start)
    return highs


def probe_highs(path: Path, seeds: list[int], options: list[str], seconds: float) -> None:
    """HiGHS alone on the stage, once per seed: the time to the run's gap."""
    arrays, start, _ = _load(path)
    for seed in seeds:
        highs: Any = _stage_highs(arrays, start, seed, options, seconds)
        began = time.perf_counter()
        highs.run()
        info = highs.getInfo()
        print(
            f"seed {seed} {' '.join(options) or '(defaults)'}: {time.perf_counter() - began:.1f} s, "
            f"plan {info.objective_function_value:,.1f}, bound {info.mip_dual_bound:,.1f}, gap {info.mip_gap:.4f}"
        )


def ending_plan(bound: float, maximise: bool, gap: float = RUN_GAP) -> float:
    """The worst plan that `bound` proves within `gap` (the engine's gap: |bound − plan| / |plan|)."""
    return bound / (1 + gap) if maximise else bound / (1 - gap)


def _run_noting(highs: object) -> list[tuple[float, float, float]]:
    """Run HiGHS, noting (seconds, plan, bound) whenever its plan or bound moves."""
    timeline: list[tuple[float, float, float]] = []
    began = time.perf_counter()

    def note(event: object) -> None:
        out = event.data_out  # type: ignore[attr-defined]
        point = (out.mip_primal_bound, out.mip_dual_bound)
        if not timeline or timeline[-1][1:] != point:
            timeline.append((time.perf_counter() - began, *point))

    highs.cbMipInterrupt += note  # type: ignore[attr-defined]
    highs.cbMipImprovingSolution += note  # type: ignore[attr-defined]
    highs.run()  # type: ignore[attr-defined]
    return timeline


def probe_trace(path: Path, seeds: list[int], options: list[str], seconds: float) -> None:
    """HiGHS alone on the stage, once per seed, printing each change of its plan or bound."""
    arrays, start, _ = _load(path)
    for seed in seeds:
        highs = _stage_highs(arrays, start, seed, options, seconds)
        began = time.perf_counter()
        timeline = _run_noting(highs)
        print(f"seed {seed} {' '.join(options) or '(defaults)'}: {time.perf_counter() - began:.1f} s")
        for seconds_in, plan, bound in timeline:
            if abs(bound) >= 1e30:
                continue
            needs = ending_plan(bound, arrays.maximise)
            print(
                f"  {seconds_in:7.2f} s  plan {plan:12,.1f}  bound {bound:12,.1f}  "
                f"(ends the stage: a plan {'≥' if arrays.maximise else '≤'} {needs:,.1f})"
            )


def _root_cuts(arrays: MipArrays, start: np.ndarray | None, seconds: float) -> tuple[np.ndarray, ...]:
    """The cut pool HiGHS's root node holds after `seconds` or at its end, whichever is first
    (presolve off: in the model's own columns). HiGHS hands it over when its root ends,
    and also when the time limit stops the root early."""
    highs = arrays.highs(threads=1)
    highs.setOptionValue("presolve", "off")
    highs.setOptionValue("time_limit", seconds)
    highs.setOptionValue("mip_rel_gap", RUN_GAP)
    pools: list[tuple[np.ndarray, ...]] = []

    def keep(event: object) -> None:
        out = event.data_out  # type: ignore[attr-defined]
        cuts = out.cutpool_num_cut
        starts = np.array(out.cutpool_start)[: cuts + 1]
        nonzeros = int(starts[-1]) if cuts else 0
        pools.append(
            (
                starts,
                np.array(out.cutpool_index)[:nonzeros],
                np.array(out.cutpool_value)[:nonzeros],
                np.array(out.cutpool_lower)[:cuts],
                np.array(out.cutpool_upper)[:cuts],
            )
        )

    highs.cbMipGetCutPool += keep
    _set_start(highs, start)
    highs.run()
    if not pools:
        raise SystemExit("HiGHS ended before its root node's cuts (no cut pool)")
    return pools[-1]


def _guide_lp(arrays: MipArrays, start: np.ndarray | None, guide: str, cut_seconds: float = 60.0) -> np.ndarray:
    """The LP solution whose zeros the softer RENS fixes."""
    import highspy

    relaxation = arrays.highs(threads=1, relax=True)
    if guide == "centre":
        relaxation.setOptionValue("solver", "ipm")
        relaxation.setOptionValue("run_crossover", "off")
    elif guide == "cuts":
        began = time.perf_counter()
        starts, index, value, lower, upper = _root_cuts(arrays, start, cut_seconds)
        print(f"root cuts after {time.perf_counter() - began:.1f} s")
        infinite = highspy.kHighsInf
        relaxation.addRows(
            len(lower),
            np.where(np.isfinite(lower), lower, -infinite),
            np.where(np.isfinite(upper), upper, infinite),
            len(index),
            starts[:-1].astype(np.int32),
            index.astype(np.int32),
            value,
        )
        print(f"{len(lower)} cuts from HiGHS's root node")
    relaxation.run()
    print(f"guide LP ({guide}): {relaxation.getInfo().objective_function_value:,.1f}")
    return np.array(relaxation.getSolution().col_value)


def probe_rens(path: Path, guide: str, seconds: float, cut_seconds: float = 60.0) -> None:
    """The softer RENS from the guide LP's zeros: its plan and its own bound."""
    arrays, start, _ = _load(path)
    x = _guide_lp(arrays, start, guide, cut_seconds)
    fixed = arrays.integer & (x < 1e-6)
    if start is not None:
        fixed &= ~(start > 0.5)
    columns = np.flatnonzero(fixed).astype(np.int32)
    highs = arrays.highs(threads=1)
    highs.changeColsBounds(len(columns), columns, np.zeros(len(columns)), np.zeros(len(columns)))
    highs.setOptionValue("time_limit", seconds)
    highs.setOptionValue("mip_rel_gap", 0.0)
    _set_start(highs, start)
    began = time.perf_counter()
    highs.run()
    info = highs.getInfo()
    free = int(arrays.integer.sum()) - len(columns)
    print(
        f"softer RENS ({guide}): {free:,} integer columns free; plan {info.objective_function_value:,.1f}, "
        f"own bound {info.mip_dual_bound:,.1f}, {time.perf_counter() - began:.1f} s"
    )


HOLD_TOLERANCE = 0.001  # the run's lexicographic_tolerance (WORKBOOK.md Settings)


def hold_row(cost_stage: MipArrays) -> np.ndarray:
    """The cost stage's last row, the capability hold the dump records, as a dense vector."""
    row = len(cost_stage.row_lower) - 1
    dense = np.zeros(cost_stage.columns)
    for j in range(cost_stage.columns):
        span = slice(cost_stage.starts[j], cost_stage.starts[j + 1])
        hits = cost_stage.index[span] == row
        if hits.any():
            dense[j] = float(cost_stage.values[span][hits].sum())
    return dense


def probe_tiebreak(capability: Path, cost: Path, deltas: list[float], seed: int, seconds: float) -> None:
    """For each δ: the capability stage with capability − δ·cost to the run's gap, then the
    cost stage alone from its plan under that plan's hold; prints both stages' outcomes."""
    first, start, _ = _load(capability)
    second, _, _ = _load(cost)
    if not np.allclose(hold_row(second), first.cost):
        raise ValueError("the cost stage's last row is not the capability stage's objective")
    held_rows = len(second.row_lower) - 1
    for delta in deltas:
        weighted = replace(first, cost=first.cost - delta * second.cost)
        began = time.perf_counter()
        plan = _solve_from(weighted, start, seed, seconds)
        took = time.perf_counter() - began
        reached = float(first.cost @ plan)
        hold = reached * (1 - HOLD_TOLERANCE) - 1e-6
        held = replace(second, row_lower=np.concatenate([second.row_lower[:held_rows], [hold]]))
        began = time.perf_counter()
        highs: Any = _stage_highs(held, plan, seed, [], seconds)
        highs.run()
        info = highs.getInfo()
        print(
            f"delta {delta:g}: capability stage {took:.1f} s, capability {reached:,.1f}, "
            f"cost {float(second.cost @ plan):,.1f} | cost stage {time.perf_counter() - began:.1f} s, "
            f"plan {info.objective_function_value:,.1f}, bound {info.mip_dual_bound:,.1f}, gap {info.mip_gap:.4f}"
        )


def _solve_from(arrays: MipArrays, start: np.ndarray | None, seed: int, seconds: float) -> np.ndarray:
    """HiGHS's plan for `arrays` from `start`, to the run's gap."""
    highs: Any = _stage_highs(arrays, start, seed, [], seconds)
    highs.run()
    return np.array(highs.getSolution().col_value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    dumping = commands.add_parser("dump")
    dumping.add_argument("--out", type=Path, required=True)
    dumping.add_argument("--robust", type=int, default=0, help="GAMMA overruns per nation and year")
    dumping.add_argument("--time-limit", type=float, default=None)
    highs = commands.add_parser("highs")
    highs.add_argument("stage", type=Path)
    highs.add_argument("--seeds", default="0,1,2")
    highs.add_argument("--option", action="append", default=[], help="NAME=VALUE (repeatable)")
    highs.add_argument("--seconds", type=float, default=60.0)
    tracing = commands.add_parser("trace")
    tracing.add_argument("stage", type=Path)
    tracing.add_argument("--seeds", default="0")
    tracing.add_argument("--option", action="append", default=[], help="NAME=VALUE (repeatable)")
    tracing.add_argument("--seconds", type=float, default=90.0)
    tiebreak = commands.add_parser("tiebreak")
    tiebreak.add_argument("capability", type=Path, help="the capability stage (stage_1.pkl)")
    tiebreak.add_argument("cost", type=Path, help="the cost stage (stage_2.pkl)")
    tiebreak.add_argument("--deltas", default="0,0.001,0.01")
    tiebreak.add_argument("--seed", type=int, default=0)
    tiebreak.add_argument("--seconds", type=float, default=120.0)
    rens = commands.add_parser("rens")
    rens.add_argument("stage", type=Path)
    rens.add_argument("--guide", choices=("vertex", "centre", "cuts"), default="vertex")
    rens.add_argument("--seconds", type=float, default=20.0)
    rens.add_argument("--cut-seconds", type=float, default=60.0, help="stop HiGHS's root for its cuts after this")
    args = parser.parse_args()
    if args.command == "dump":
        dump(args.out, args.robust, args.time_limit)
    elif args.command == "highs":
        probe_highs(args.stage, [int(s) for s in args.seeds.split(",")], args.option, args.seconds)
    elif args.command == "trace":
        probe_trace(args.stage, [int(s) for s in args.seeds.split(",")], args.option, args.seconds)
    elif args.command == "tiebreak":
        probe_tiebreak(args.capability, args.cost, [float(d) for d in args.deltas.split(",")], args.seed, args.seconds)
    else:
        probe_rens(args.stage, args.guide, args.seconds, args.cut_seconds)


if __name__ == "__main__":
    main()
