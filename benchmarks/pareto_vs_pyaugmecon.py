"""Our exact Pareto fronts against the reference AUGMECON tool, side by side in one run.

    python -m benchmarks.pareto_vs_pyaugmecon --python /path/to/py312/bin/python [--cases 2kp50,2kp100,4kp50]
                                              [--workers 2]

pyaugmecon needs Python ≥ 3.12 and is NOT a capopt dependency: install it in a separate
environment (see docs/benchmarks.md) and point --python at it. Both sides use HiGHS,
exact mode, the same number of workers (one unless --workers; solver threads 1), the same
instance data and, for 4kp50, the same nadir bounds. Writes
benchmarks/results/pareto_vs_pyaugmecon.md (pareto_vs_pyaugmecon_w<N>.md for N workers).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.knapsack import knapsack_inputs, reference_front
from optimizer import Scenario

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "benchmarks" / "knapsack" / "csv"
NADIRS = {"4kp50": [718, 717, 705], "3kp40": [1031, 1069], "3kp50": [1124, 1041]}


def ours(case: str, workers: int = 1) -> dict:
    folder = SHARED / case if (SHARED / case).exists() else ROOT / "tests" / "data" / "knapsack" / case
    inputs = knapsack_inputs(folder)
    names = list(inputs.settings.pareto_objectives)
    nadir = dict(zip(names[1:], NADIRS[case])) if case in NADIRS else None
    started = time.perf_counter()
    front = Scenario(inputs).pareto(exact=True, nadir=nadir, time_limit=3600, threads=1, workers=workers)
    seconds = time.perf_counter() - started
    points = sorted(tuple(round(v, 2) for v in vec) for vec in front.vectors())
    s = front.stats
    return {"seconds": seconds, "points": points, "models_solved": s.solved + len(names) ** 2,
            "solver_share": front.solver_seconds / seconds,
            "reference": sorted(reference_front(folder))}


def theirs(case: str, python: str, workers: int = 1) -> dict:
    cmd = [python, str(ROOT / "benchmarks" / "pyaugmecon_runner.py"), case, "--workers", str(workers)]
    if case in NADIRS:
        cmd += ["--nadir", ",".join(str(v) for v in NADIRS[case])]
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "PYAUGMECON_HIGHS_LOG": str(Path(folder) / "highs_runs.txt")}
        done = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _share(run: dict) -> str:
    return "—" if not run.get("highs_runs") else f"{sum(run['highs_runs']) / run['seconds']:.0%}"


def _per_solve(run: dict) -> float | str:
    return "—" if not run.get("highs_runs") else round(1000 * statistics.mean(run["highs_runs"]), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", required=True, help="a Python ≥ 3.12 with pyaugmecon installed")
    parser.add_argument("--cases", default="2kp50,2kp100,4kp50")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1, help="processes on each side")
    args = parser.parse_args()
    rows = []
    for case in args.cases.split(","):
        runs_ours, runs_theirs = [], []
        for _ in range(args.repeats):  # alternate so both see the same machine load
            runs_ours.append(ours(case, args.workers))
            runs_theirs.append(theirs(case, args.python, args.workers))
        a, b = runs_ours[-1], runs_theirs[-1]
        t_ours = statistics.median(r["seconds"] for r in runs_ours)
        t_theirs = statistics.median(r["seconds"] for r in runs_theirs)
        rows.append({
            "case": case, "points (ours)": len(a["points"]), "points (pyaugmecon)": len(b["points"]),
            "points (published)": len(a["reference"]),
            "identical fronts": a["points"] == [tuple(p) for p in b["points"]] == a["reference"],
            "ours s (median)": round(t_ours, 2), "pyaugmecon s (median)": round(t_theirs, 2),
            "speed-up": round(t_theirs / t_ours, 1),
            "solves/point (ours)": round(a["models_solved"] / len(a["points"]), 2),
            "solves/point (pyaugmecon)": round(b["models_solved"] / max(len(b["points"]), 1), 2),
            "ours: HiGHS s per wall s": f"{a['solver_share']:.0%}",  # > 100% with several workers
            "pyaugmecon: HiGHS s per wall s": _share(b),
            # each tool's HiGHS time per MIP solved: at equal solves per point, the ratio of
            # their wall time to our HiGHS time bounds the speed-up any overhead cut can give
            "ours: HiGHS ms per solve": round(1000 * a["solver_share"] * a["seconds"] / a["models_solved"], 1),
            "pyaugmecon: HiGHS ms per solve": _per_solve(b),
        })
        print(rows[-1], flush=True)
    header = list(rows[0])
    lines = [f"# Exact Pareto fronts: capopt vs pyaugmecon ({time.strftime('%Y-%m-%d')})", "",
             f"Machine: {platform.processor() or platform.machine()}, {platform.system()}, "
             f"Python {platform.python_version()}; HiGHS on both sides, {args.workers} worker(s) each, exact mode; "
             f"median of {args.repeats} alternating runs.", "",
             "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(r[h]) for h in header) + " |" for r in rows]
    name = "pareto_vs_pyaugmecon" + (f"_w{args.workers}" if args.workers > 1 else "")
    out = ROOT / "benchmarks" / "results" / f"{name}.md"
    out.write_text("\n".join(lines) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    sys.exit(main())
