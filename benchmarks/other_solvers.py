"""The reference dataset's hardest solves, given to HiGHS and to SCIP: would another open solver end them sooner?

    pip install pyscipopt        # benchmark-only; NOT a capopt dependency
    python -m benchmarks.other_solvers --out /tmp/stages-mps --seconds 150 --seeds 0 [--models cost]

Three models, each written as MPS from the product's own build (`models.build_model`) with
the holds a default run puts on it (`optimizer.solve.objectives`):

* `capability`: the default run's capability stage (shortfall held at 0);
* `cost`: its cost stage, capability held at `--capability-hold` (the capability stage's
  plan in a default run's log) within the Settings sheet's `lexicographic_tolerance` (1 %);
* `shortfall_06`: the 9-point sweep's hardest stage, shortfall at 0.6 × every budget
  (HiGHS alone proved 8 in 145.5 s, the twenty-third session).

Each is solved by each solver on one thread, with no start plan, to the run's 1 % gap or
`--seconds`, alternating, and the time, plan, bound and gap are printed. Without
pyscipopt the SCIP rows are skipped with a note.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from benchmarks.stage_probe import RUN_GAP


def write_models(out: Path, capability_hold: float) -> list[Path]:
    """The three stage models as MPS files in `out`."""
    from models.build import build_model
    from optimizer import Scenario
    from optimizer.solve.objectives import hold_within_tolerance, set_objective

    out.mkdir(parents=True, exist_ok=True)
    reference = Scenario.reference()
    tolerance = reference.inputs.settings.lexicographic_tolerance
    m = build_model(reference.inputs)
    hold_within_tolerance(m, "shortfall", 0.0, tolerance)
    set_objective(m, m.objective_expr["capability"], "max")
    written = [_write_mps(m, out / "capability.mps")]
    hold_within_tolerance(m, "capability", capability_hold, tolerance)
    set_objective(m, m.objective_expr["cost"], "min")
    written.append(_write_mps(m, out / "cost.mps"))
    low = build_model(reference.with_budget(0.6).inputs)
    set_objective(low, low.objective_expr["shortfall"], "min")
    written.append(_write_mps(low, out / "shortfall_06.mps"))
    return written


def _write_mps(model: Any, path: Path) -> Path:
    model.write(str(path), io_options={"symbolic_solver_labels": False})
    return path


def solve_highs(path: Path, seconds: float, seed: int) -> str:
    import highspy

    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.readModel(str(path))
    for name, value in (("mip_rel_gap", RUN_GAP), ("time_limit", seconds), ("threads", 1), ("random_seed", seed)):
        highs.setOptionValue(name, value)
    began = time.perf_counter()
    highs.run()
    info = highs.getInfo()
    status = highs.modelStatusToString(highs.getModelStatus())
    plan = f"{info.objective_function_value:,.1f}" if info.primal_solution_status else "none"
    return _line(time.perf_counter() - began, status, plan, info.mip_dual_bound, info.mip_node_count)


def solve_scip(path: Path, seconds: float, seed: int) -> str:
    import pyscipopt

    scip: Any = pyscipopt.Model()
    scip.hideOutput(True)
    scip.readProblem(str(path))
    for name, value in (
        ("limits/gap", RUN_GAP),
        ("limits/time", seconds),
        ("parallel/maxnthreads", 1),
        ("randomization/randomseedshift", seed),
    ):
        scip.setParam(name, value)
    began = time.perf_counter()
    scip.optimize()
    plan = f"{scip.getObjVal():,.1f}" if scip.getNSols() else "none"
    return _line(time.perf_counter() - began, scip.getStatus(), plan, scip.getDualbound(), scip.getNNodes())


def _line(seconds: float, status: str, plan: str, bound: float, nodes: int) -> str:
    return f"{seconds:6.1f} s  {status:<10}  plan {plan:>10}  bound {bound:>12,.1f}  nodes {nodes}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/capopt-stage-mps"))
    parser.add_argument("--seconds", type=float, default=150.0)
    parser.add_argument("--seeds", default="0")
    parser.add_argument("--capability-hold", type=float, default=40052.3)
    parser.add_argument("--models", default="capability,cost,shortfall_06", help="which of the three to solve")
    args = parser.parse_args()
    try:
        import pyscipopt  # noqa: F401
    except ImportError:
        solvers = {"highs": solve_highs}
        print("pyscipopt is not installed: SCIP skipped (pip install pyscipopt)")
    else:
        solvers = {"highs": solve_highs, "scip": solve_scip}
    for path in write_models(args.out, args.capability_hold):
        if path.stem not in args.models.split(","):
            continue
        for seed in (int(s) for s in args.seeds.split(",")):
            for name, solve in solvers.items():  # alternating: both see the same machine
                print(f"{path.stem:<13} seed {seed}  {name:<5} {solve(path, args.seconds, seed)}", flush=True)


if __name__ == "__main__":
    main()
