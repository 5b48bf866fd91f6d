"""Reference dataset timings: read + validate, model build + hand-off, the default solve by stage.

    python -m benchmarks.reference_timings [BOOK.xlsx] [--repeats 5] [--solves 5]

Targets (issues 2 and 3): reading and validating under 2 s; the default solve (lexicographic
shortfall → capability → cost, 1% gap, 60 s limit) within 60 s on 2 cores, reliably; build
+ hand-off under a quarter of the total. The machine is shared, so each solve records the
load average it started at, and every stage's time, result and gap: a median alone hides
the run that hit the limit. Writes benchmarks/results/reference_timings.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from data.reader import load_inputs
from data.reference import reference_path
from models import build_model
from optimizer import Scenario
from optimizer.solve.solver import PersistentSolver, SolverOptions

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class SolveRun:
    seconds: float  # build + hand-off + every stage, as a user waits for it
    load: float  # 1-minute load average when the solve started
    status: str
    gap: float | None
    capability: float
    cost: float
    stages: tuple[tuple[str, float, str, float | None], ...]  # objective, seconds, termination, gap


def solve_once(inputs: object) -> SolveRun:
    load = os.getloadavg()[0]
    started = time.perf_counter()
    result = Scenario(inputs).solve()  # type: ignore[arg-type]
    seconds = time.perf_counter() - started
    stages = tuple((s.objective, s.outcome.seconds, s.outcome.termination, s.outcome.gap) for s in result.stages)
    return SolveRun(
        seconds,
        load,
        result.status,
        result.gap,
        result.objectives["capability"],
        result.objectives["cost"],
        stages,
    )


def timed_setup(inputs: object, repeats: int) -> tuple[list[float], list[float]]:
    """Model build and first hand-off to HiGHS (no solve), `repeats` times each."""
    builds, handoffs = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        m = build_model(inputs)  # type: ignore[arg-type]
        built = time.perf_counter()
        PersistentSolver(m, SolverOptions())._backend.prepare()  # what the first solve() does first
        builds.append(built - started)
        handoffs.append(time.perf_counter() - built)
    return builds, handoffs


def _gap(gap: float | None) -> str:
    return "—" if gap is None else f"{100 * gap:.2f}%"


def stage_lines(solves: list[SolveRun]) -> list[str]:
    """One row per solve: total, load, status, then each stage's seconds and gap."""
    names = [name for name, *_ in solves[0].stages]
    lines = [
        "| solve | load | total s | " + " | ".join(f"{n} s (gap)" for n in names) + " | status | capability | cost |",
        "|---|---|---|" + "---|" * len(names) + "---|---|---|",
    ]
    for i, run in enumerate(solves):
        cells = [f"{secs:.1f} ({_gap(gap)})" for _, secs, _, gap in run.stages]
        cells += ["—"] * (len(names) - len(cells))
        lines.append(
            f"| {i + 1} | {run.load:.2f} | {run.seconds:.1f} | "
            + " | ".join(cells)
            + f" | {run.status} ({_gap(run.gap)}) | {run.capability:,.1f} | {run.cost:,.1f} |"
        )
    medians = [statistics.median(run.stages[k][1] for run in solves if len(run.stages) > k) for k in range(len(names))]
    lines.append(
        f"| **median** | | **{statistics.median(r.seconds for r in solves):.1f}** | "
        + " | ".join(f"**{m:.1f}**" for m in medians)
        + " | | | |"
    )
    terminations = sorted({f"{name}: {term}" for run in solves for name, _, term, _ in run.stages})
    return lines + ["", "Stage terminations seen: " + "; ".join(terminations) + "."]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("book", nargs="?")
    parser.add_argument("--repeats", type=int, default=5, help="reads and builds to time")
    parser.add_argument("--solves", type=int, default=5, help="default solves to time")
    args = parser.parse_args()
    book = Path(args.book) if args.book else reference_path()

    reads = []
    for _ in range(args.repeats):
        started = time.perf_counter()
        inputs, _warnings = load_inputs(book)
        reads.append(time.perf_counter() - started)
    builds, handoffs = timed_setup(inputs, args.repeats)
    solves = [solve_once(inputs) for _ in range(args.solves)]

    total = statistics.median(s.seconds for s in solves)
    setup = statistics.median(builds) + statistics.median(handoffs)
    within = sum(1 for s in solves if s.seconds <= 60 and s.status == "optimal")
    lines = [
        f"# Reference dataset timings ({time.strftime('%Y-%m-%d')})",
        "",
        (
            f"Machine: {platform.machine()}, {os.cpu_count()} cores (shared), Python {platform.python_version()}; "
            f"`{book.name}`: {len(inputs.nations)} nations, {len(inputs.programmes)} programmes, "
            f"{len(inputs.years)} years. Medians of {args.repeats} reads/builds and {args.solves} solves; "
            f"load = 1-minute load average when each solve started."
        ),
        "",
        "| step | median seconds | target |",
        "|---|---|---|",
        f"| read + validate | {statistics.median(reads):.3f} | < 2 |",
        f"| model build | {statistics.median(builds):.3f} | |",
        f"| hand-off to HiGHS | {statistics.median(handoffs):.3f} | |",
        f"| default solve, total (build + hand-off + solve) | {total:.1f} | ≤ 60 |",
        f"| build + hand-off share of total | {setup / total:.1%} | < 25% |",
        f"| solves optimal to the gap within 60 s | {within} of {len(solves)} | all |",
        "",
        *stage_lines(solves),
    ]
    out = ROOT / "benchmarks" / "results" / "reference_timings.md"
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
