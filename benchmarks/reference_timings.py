"""Reference dataset timings: read + validate, model build + hand-off, the default solve.

    python -m benchmarks.reference_timings [BOOK.xlsx] [--repeats 5] [--solves 3]

Targets (issues 2 and 3): reading and validating under 2 s; the default solve (1% gap)
within 60 s on 2 cores; build + hand-off under a quarter of the total.
Writes benchmarks/results/reference_timings.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from pathlib import Path

from data.reader import load_inputs
from data.reference import reference_path
from models import build_model
from optimizer import Scenario
from optimizer.solver import PersistentSolver, SolverOptions

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("book", nargs="?")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--solves", type=int, default=3)
    args = parser.parse_args()
    book = Path(args.book) if args.book else reference_path()

    reads = []
    for _ in range(args.repeats):
        started = time.perf_counter()
        inputs, _warnings = load_inputs(book)
        reads.append(time.perf_counter() - started)

    builds, handoffs = [], []
    for _ in range(args.repeats):
        started = time.perf_counter()
        m = build_model(inputs)
        built = time.perf_counter()
        solver = PersistentSolver(m, SolverOptions())
        solver._backend._attach()  # the hand-off alone, no solve
        builds.append(built - started)
        handoffs.append(time.perf_counter() - built)

    solves = []
    for _ in range(args.solves):
        started = time.perf_counter()
        result = Scenario(inputs).solve()
        solves.append((time.perf_counter() - started, result.status, result.gap, result.objectives["capability"]))

    total = statistics.median(s[0] for s in solves)
    setup = statistics.median(builds) + statistics.median(handoffs)
    lines = [
        f"# Reference dataset timings ({time.strftime('%Y-%m-%d')})", "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"`{book.name}`: {len(inputs.nations)} nations, {len(inputs.programmes)} programmes, "
        f"{len(inputs.years)} years. Medians of {args.repeats} reads/builds and {args.solves} solves.", "",
        "| step | median seconds | target |", "|---|---|---|",
        f"| read + validate | {statistics.median(reads):.3f} | < 2 |",
        f"| model build | {statistics.median(builds):.3f} | |",
        f"| hand-off to HiGHS | {statistics.median(handoffs):.3f} | |",
        f"| default solve, total (build + hand-off + solve) | {total:.1f} | ≤ 60 |",
        f"| build + hand-off share of total | {setup / total:.1%} | < 25% |", "",
        "| solve | seconds | status | gap | capability |", "|---|---|---|---|---|",
    ]
    lines += [f"| {i + 1} | {s[0]:.1f} | {s[1]} | {s[2]:.4f} | {s[3]:,.1f} |" for i, s in enumerate(solves)]
    out = ROOT / "benchmarks" / "results" / "reference_timings.md"
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
