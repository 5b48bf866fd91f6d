"""One engine constant changed, side by side with the committed value: how levers are judged.

    python -m benchmarks.engine_ab --size L --variant mixed --set LARGE_FIRST_FREE_COLUMNS=1000 --repeats 4
    python -m benchmarks.engine_ab --size L --variant hard --set LNS_SECONDS=2 --set TASKS_PER_WORKER=3
    python -m benchmarks.engine_ab --size reference --robust 2 --limit 60 --set SOFT_RENS_SHARE=0.3

Runs alternate (committed, changed, committed, changed, …), each in its own fresh Python
process, so both sides share the machine's load; one L run moves by about ±1,000 with the
clock alone, so a lever is kept only when it wins across several pairs. `--set NAME=VALUE`
changes a numeric module-level constant of `optimizer.solve.engine.engine` or
`optimizer.solve.engine.neighbourhoods` in the child process before it solves (the
weighted objective of benchmarks.run_suite.WEIGHTS on benchmarks.instances seed 1; with
`--size reference`, the bundled reference dataset's default lexicographic solve, `--robust
GAMMA` overruns per nation and year, judged by its capability). Prints one line per run and
the medians.
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import subprocess
import sys

ENGINE_MODULES = ("optimizer.solve.engine.engine", "optimizer.solve.engine.neighbourhoods")


def apply(settings: list[str]) -> None:
    """Set each NAME=VALUE on the engine module that defines NAME, as that constant's type."""
    modules = [importlib.import_module(name) for name in ENGINE_MODULES]
    for setting in settings:
        name, value = setting.split("=", 1)
        owners = [m for m in modules if hasattr(m, name)]
        if not owners:
            raise SystemExit(f"no engine constant named {name}")
        for module in owners:
            setattr(module, name, type(getattr(module, name))(float(value)))


def run_one(size: str, hard: bool, limit: float, settings: list[str], robust: int = 0) -> float:
    """This process: solve once, print and return the plan's weighted objective (the
    reference dataset's: its capability)."""
    apply(settings)
    from benchmarks.engine_suite import weighted_value
    from benchmarks.instances import generate
    from benchmarks.run_suite import WEIGHTS
    from optimizer import Scenario

    if size == "reference":
        scenario = Scenario.reference().with_settings(robust_overruns=robust)
        result = scenario.solve(time_limit=limit)
        value = float(result.objectives["capability"])
    else:
        result = Scenario(generate(size, 1, hard)).solve(objective="weighted", weights=WEIGHTS, time_limit=limit)
        value = weighted_value(result.objectives)
    gap = "—" if result.gap is None else f"{result.gap:.4%}"  # None: no bound proven
    bound = "—" if result.best_bound is None else f"{result.best_bound:.1f}"
    print(
        f"RESULT {value:.1f} gap {gap} bound {bound} status {result.status} solve {result.solve_seconds:.1f} s",
        flush=True,
    )
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="L")
    parser.add_argument("--variant", choices=("mixed", "hard"), default="mixed")
    parser.add_argument("--limit", type=float, default=120.0)
    parser.add_argument("--set", action="append", default=[], dest="settings", help="NAME=VALUE (repeatable)")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--robust", type=int, default=0, help="with --size reference: GAMMA overruns")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    hard = args.variant == "hard"
    if args.child:
        run_one(args.size, hard, args.limit, args.settings, args.robust)
        return
    values: dict[str, list[float]] = {"committed": [], "changed": []}
    for _ in range(args.repeats):
        for side, settings in (("committed", []), ("changed", args.settings)):
            command = [
                sys.executable,
                "-m",
                "benchmarks.engine_ab",
                "--child",
                "--size",
                args.size,
                "--variant",
                args.variant,
                "--limit",
                str(args.limit),
                "--robust",
                str(args.robust),
            ]
            command += [f"--set={s}" for s in settings]
            out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
            line = next(row for row in out.splitlines() if row.startswith("RESULT"))
            values[side].append(float(line.split()[1]))
            print(side, " ".join(settings) or "-", line, flush=True)
    for side, found in values.items():
        print(f"{side}: median {statistics.median(found):,.1f} over {len(found)} runs")


if __name__ == "__main__":
    main()
