"""Run pyaugmecon (the reference AUGMECON tool) on one knapsack case; print JSON.

Runs in its own Python ≥ 3.12 environment (pyaugmecon needs it), started by
`benchmarks/pareto_vs_pyaugmecon.py`. Uses only pyaugmecon's public API and its bundled
knapsack builder, so it solves the same instance the same way its authors do.

    python benchmarks/pyaugmecon_runner.py 2kp50 --workers 1 [--nadir 718,717,705]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import tempfile
import time
from pathlib import Path

# Where pyaugmecon's time goes: with PYAUGMECON_HIGHS_LOG set, every HiGHS run() appends its
# duration to that file. Module level, so worker processes (forked, or spawned: they import
# this module again) time their solves too.
_HIGHS_LOG = os.environ.get("PYAUGMECON_HIGHS_LOG")
if _HIGHS_LOG:
    import highspy

    _run = highspy.Highs.run

    def _timed_run(self: object) -> object:
        began = time.perf_counter()
        try:
            return _run(self)
        finally:
            with open(_HIGHS_LOG, "a") as log:
                log.write(f"{time.perf_counter() - began}\n")

    highspy.Highs.run = _timed_run


def highs_runs() -> list[float] | None:
    """How long each of pyaugmecon's HiGHS run() calls took, if they were logged."""
    if not _HIGHS_LOG or not Path(_HIGHS_LOG).exists():
        return None
    return [float(line) for line in Path(_HIGHS_LOG).read_text().split()]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("case")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--nadir", default="")
    args = parser.parse_args()

    if args.workers > 1:
        # pyaugmecon's workers share locks that must come from the spawn context
        multiprocessing.set_start_method("spawn", force=True)
    from pyaugmecon import PyAugmecon
    from pyaugmecon.example_models import kp_model

    objectives = int(args.case[0])
    config = {
        "name": args.case,
        "mode": "exact",
        "workers": args.workers,
        "solver_name": "highs",
        "log_to_console": False,
        "progress_bar": False,
        "write_csv": False,
        "artifact_folder": tempfile.mkdtemp(prefix="pyaugmecon-"),
    }
    if args.nadir:
        config["nadir_points"] = [float(v) for v in args.nadir.split(",")]
    started = time.perf_counter()
    model = kp_model(args.case, objectives)
    result = PyAugmecon(model, config).solve()
    seconds = time.perf_counter() - started
    points = sorted(tuple(round(float(v), 2) for v in p) for p in result.points)
    print(
        json.dumps(
            {
                "seconds": seconds,
                "points": points,
                "models_solved": result.models_solved,
                "models_infeasible": result.models_infeasible,
                "highs_runs": highs_runs(),
            }
        )
    )


if __name__ == "__main__":
    main()
