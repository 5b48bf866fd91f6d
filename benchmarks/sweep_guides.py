"""The reference dataset's budget sweep with and without the engine's guides, side by side.

    python -m benchmarks.sweep_guides                 # GUIDE_PLANS 2 (default) then 0
    python -m benchmarks.sweep_guides --guides 2,0,2 --seconds 20

Each run is a fresh process (the engine's workers and HiGHS start cold in each), one after
another so no two compete for the cores. A guide is an earlier engine plan that a later
stage or sweep point crosses with its start (optimizer.solve.engine.engine, GUIDED);
GUIDE_PLANS = 0 is the engine without them. Prints each run's table, total time and the
number of rule violations the independent verifier finds in its plans.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

COLUMNS = ["budget_scale", "status", "gap", "gap_of", "seconds", "shortfall", "capability", "cost"]


def one_run(guides: int, seconds: float) -> None:
    """The sweep with `guides` plans kept (this process is the run)."""
    from benchmarks.engine_suite import SWEEP_SCALES, sweep_violations
    from optimizer import Scenario
    from optimizer.solve import solver

    solver.GUIDE_PLANS = guides
    scenario = Scenario.reference()
    began = time.perf_counter()
    sweep = scenario.budget_sweep(SWEEP_SCALES, time_limit=seconds)
    seconds = time.perf_counter() - began
    print(f"GUIDE_PLANS {guides}: {seconds:.1f} s in all; {sweep_violations(sweep)} rule violations in the plans")
    print(sweep.table[COLUMNS].to_string(), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guides", default="2,0", help="GUIDE_PLANS per run, in order")
    parser.add_argument("--seconds", type=float, default=20.0, help="time limit per sweep point")
    parser.add_argument("--run", type=int, help=argparse.SUPPRESS)  # a child run
    args = parser.parse_args()
    if args.run is not None:
        one_run(args.run, args.seconds)
        return
    for guides in (int(g) for g in args.guides.split(",")):
        subprocess.run(
            [sys.executable, "-m", "benchmarks.sweep_guides", "--run", str(guides), "--seconds", str(args.seconds)],
            check=True,
        )


if __name__ == "__main__":
    main()
