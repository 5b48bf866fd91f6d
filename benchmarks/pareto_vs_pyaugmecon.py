"""Our exact Pareto fronts against the reference AUGMECON tool, side by side in one run.

    python -m benchmarks.pareto_vs_pyaugmecon --python /path/to/py312/bin/python [--cases 2kp50,2kp100,4kp50]
                                              [--workers 2] [--repeats 3] [--timeout 3600] [--cap-ratio R] [--together] [--out NAME]

pyaugmecon needs Python ≥ 3.12 and is NOT a capopt dependency: install it in a separate
environment (see docs/benchmarks.md) and point --python at it. Both sides use HiGHS,
exact mode, the same number of workers (one unless --workers; solver threads 1) and the
same instance data. Ours runs as a planner would: the case written to an input workbook,
read back and validated, no nadir given (the front finds safe bounds itself); the timing
is the `pareto` call, and afterwards every point's plan is verified against MODEL.md.
pyaugmecon gets the nadir bounds its own tests and benchmarks use (NADIRS; without them
it misses efficient points on 3kp40, 3kp50 and 4kp50). A case's row is written as soon as
it is done, so a long run that is stopped keeps the cases it finished. Writes
benchmarks/results/pareto_vs_pyaugmecon.md (pareto_vs_pyaugmecon_w<N>.md for N workers).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.knapsack import knapsack_inputs, reference_front
from optimizer import Scenario

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "benchmarks" / "knapsack" / "csv"
# pyaugmecon's own nadir bounds for these cases (its tests and benchmark config)
NADIRS = {"4kp50": [718, 717, 705], "4kp40": [138, 106, 121], "3kp40": [1031, 1069], "3kp50": [1124, 1041]}
CASES = "2kp50,2kp100,4kp50,4kp40,3kp40,3kp50,2kp250"


def case_folder(case: str) -> Path:
    return SHARED / case if (SHARED / case).exists() else ROOT / "tests" / "data" / "knapsack" / case


def ours(case: str, book: Path, workers: int = 1, timeout: float = 3600) -> dict:
    """The case's input workbook through the planner's path, no nadir; plans verified after."""
    from optimizer.checks.verify import assert_valid

    scenario = Scenario.from_excel(book)
    names = list(scenario.inputs.settings.pareto_objectives)
    started = time.perf_counter()
    front = scenario.pareto(exact=True, time_limit=timeout, threads=1, workers=workers)
    seconds = time.perf_counter() - started
    for pt in front.points_found:
        assert_valid(scenario.inputs, pt.decisions, pt.objectives)
    points = sorted(tuple(round(v, 2) for v in vec) for vec in front.vectors())
    s = front.stats
    reference = reference_front(case_folder(case))
    return {
        "seconds": seconds,
        "points": points,
        "models_solved": s.solved + len(names) ** 2 + len(names) - 1,
        "proven_by_last_optimum": s.tied,
        "solver_share": front.solver_seconds / seconds,
        "completeness": front.completeness,
        "reference": sorted(v for v in reference if not any(map(math.isnan, v))),
    }  # 4kp40: none published


def theirs(
    case: str, python: str, workers: int = 1, timeout: float = 3600, beside: Callable[[], float] | None = None
) -> dict:
    """pyaugmecon on `case` in its own environment, stopped after `timeout` seconds.

    With `beside` (`--together`), that function, our run, runs here while pyaugmecon runs,
    each on a core of its own, and returns a limit for pyaugmecon counted from its start
    (--cap-ratio times our time). Its output goes to files, not pipes, so that a full pipe
    cannot hold it up while nobody reads; a run stopped at its limit is stopped with the
    worker processes it started."""
    cmd = [python, str(ROOT / "benchmarks" / "pyaugmecon_runner.py"), case, "--workers", str(workers)]
    if case in NADIRS:
        cmd += ["--nadir", ",".join(str(v) for v in NADIRS[case])]
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "PYAUGMECON_HIGHS_LOG": str(Path(folder) / "highs_runs.txt")}
        out, err = Path(folder) / "stdout.txt", Path(folder) / "stderr.txt"
        started = time.perf_counter()
        with out.open("w") as stdout, err.open("w") as stderr:
            run = subprocess.Popen(cmd, stdout=stdout, stderr=stderr, text=True, env=env, start_new_session=True)
            if beside is not None:
                timeout = min(timeout, beside())
            try:
                run.wait(timeout=max(timeout - (time.perf_counter() - started), 0.0))
            except subprocess.TimeoutExpired:
                os.killpg(run.pid, signal.SIGKILL)
                run.wait()
                return {"seconds": time.perf_counter() - started, "points": [], "models_solved": 0, "timed_out": True}
        if run.returncode:
            raise subprocess.CalledProcessError(run.returncode, cmd, out.read_text(), err.read_text())
        return json.loads(out.read_text().strip().splitlines()[-1])


def _share(run: dict) -> str:
    return "—" if not run.get("highs_runs") else f"{sum(run['highs_runs']) / run['seconds']:.0%}"


def _per_solve(run: dict) -> float | str:
    return "—" if not run.get("highs_runs") else round(1000 * statistics.mean(run["highs_runs"]), 1)


def main() -> None:
    from data.input_writer import write_inputs

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", required=True, help="a Python ≥ 3.12 with pyaugmecon installed")
    parser.add_argument("--cases", default=CASES)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1, help="processes on each side")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per run, each side")
    parser.add_argument(
        "--cap-ratio",
        type=float,
        help="stop pyaugmecon at this multiple of our time in the same repeat: a case it cannot finish in "
        "hours is settled as 'more than R× faster' in R + 1 times our time, not in --timeout",
    )
    parser.add_argument("--out", help="results file name (default from --workers)")
    parser.add_argument(
        "--together",
        action="store_true",
        help="run both at the same time, each on a core of its own, instead of one after the other: a case "
        "pyaugmecon takes hours on then takes its time once, not ours added",
    )
    args = parser.parse_args()

    def _their_limit(run: dict) -> float:
        return args.timeout if args.cap_ratio is None else min(args.timeout, args.cap_ratio * run["seconds"])

    def _ours_beside() -> float:
        runs_ours.append(ours(case, book, args.workers, args.timeout))
        return _their_limit(runs_ours[-1])

    name = args.out or "pareto_vs_pyaugmecon" + (f"_w{args.workers}" if args.workers > 1 else "")
    out = ROOT / "benchmarks" / "results" / f"{name}.md"
    rows = []
    workdir = Path(tempfile.mkdtemp(prefix="capopt-kp-"))
    for case in args.cases.split(","):
        book = workdir / f"{case}.xlsx"
        write_inputs(knapsack_inputs(case_folder(case)), book)
        runs_ours, runs_theirs = [], []
        for _ in range(args.repeats):  # alternate (or run together) so both see the same machine load
            if args.together:
                runs_theirs.append(theirs(case, args.python, args.workers, args.timeout, beside=_ours_beside))
            else:
                runs_ours.append(ours(case, book, args.workers, args.timeout))
                runs_theirs.append(theirs(case, args.python, args.workers, _their_limit(runs_ours[-1])))
            print(case, round(runs_ours[-1]["seconds"], 2), round(runs_theirs[-1]["seconds"], 2), flush=True)
        a, b = runs_ours[-1], runs_theirs[-1]
        t_ours = statistics.median(r["seconds"] for r in runs_ours)
        t_theirs = statistics.median(r["seconds"] for r in runs_theirs)
        timed_out = any(r.get("timed_out") for r in runs_theirs)
        same_runs = all(r["points"] == a["points"] for r in runs_ours)
        rows.append(
            {
                "case": case,
                "points (ours)": len(a["points"]),
                "points (published)": len(a["reference"]) or "none published",
                "ours = published": (a["points"] == a["reference"]) if a["reference"] else "—",
                "ours, every run alike": same_runs,
                "ours: front": a["completeness"],
                "points (pyaugmecon, own nadirs)": "timed out" if timed_out else len(b["points"]),
                "pyaugmecon = ours": "—" if timed_out else a["points"] == [tuple(p) for p in b["points"]],
                "ours s (median)": round(t_ours, 2),
                "pyaugmecon s (median)": (">" if timed_out else "") + str(round(t_theirs, 2)),
                "speed-up": (">" if timed_out else "") + str(round(t_theirs / t_ours, 1)),
                "runs": args.repeats,
                "solves/point (ours)": round(a["models_solved"] / len(a["points"]), 2),
                "solves/point (pyaugmecon)": round(b["models_solved"] / max(len(b["points"]), 1), 2),
                "ours: grid points proven by the last optimum": a["proven_by_last_optimum"],
                "ours: HiGHS s per wall s": f"{a['solver_share']:.0%}",  # > 100% with several workers
                "pyaugmecon: HiGHS s per wall s": _share(b),
                # each tool's HiGHS time per MIP solved: at equal solves per point, the ratio of
                # their wall time to our HiGHS time bounds the speed-up any overhead cut can give
                "ours: HiGHS ms per solve": round(1000 * a["solver_share"] * a["seconds"] / a["models_solved"], 1),
                "pyaugmecon: HiGHS ms per solve": _per_solve(b),
                "ours s (all runs)": " / ".join(f"{r['seconds']:.2f}" for r in runs_ours),
                "pyaugmecon s (all runs)": " / ".join(f"{r['seconds']:.2f}" for r in runs_theirs),
            }
        )
        print(rows[-1], flush=True)
        header = list(rows[0])
        lines = [
            f"# Exact Pareto fronts: capopt vs pyaugmecon ({time.strftime('%Y-%m-%d %H:%M')})",
            "",
            (
                f"Machine: {platform.processor() or platform.machine()}, {platform.system()}, "
                f"Python {platform.python_version()}; HiGHS on both sides, {args.workers} worker(s) each, exact "
                f"mode; ours from the input workbook with no nadir, pyaugmecon with its own nadirs; median of "
                f"the runs shown, {'each pair run together, a core each' if args.together else 'alternating'}."
            ),
            "",
            "| " + " | ".join(header) + " |",
            "|" + "---|" * len(header),
        ]
        lines += ["| " + " | ".join(str(r[h]) for h in header) + " |" for r in rows]
        out.write_text("\n".join(lines) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    sys.exit(main())
