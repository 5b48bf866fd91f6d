"""Budget sweeps: one reused model with warm starts against rebuilding every point.

    python -m benchmarks.sweep_reuse [BOOK.xlsx] [--points 9] [--time-limit 120] [--repeats 1]

Side by side in one run, on the same machine and the same scenario (default: the bundled
reference dataset), inline (one process) so the two are comparable: the reused path keeps
one Session for the whole sweep (only budget parameters change; each solve starts from
the previous plan), the rebuild path builds and hands over a fresh model per point.
Writes benchmarks/results/sweep_reuse.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from pathlib import Path

from optimizer import Scenario
from optimizer.studies.sweeps import budget_sweep

ROOT = Path(__file__).resolve().parents[1]


def timed(scenario: Scenario, scales: list[float], reuse: bool, time_limit: float) -> tuple[float, list]:
    started = time.perf_counter()
    sweep = budget_sweep(
        scenario, scales, workers=1, reuse_model=reuse, chain_length=len(scales), time_limit=time_limit
    )
    seconds = time.perf_counter() - started
    return seconds, [
        (round(p.result.objectives["capability"], 1), _pct(p.result.gap), round(p.seconds, 1))
        if p.result
        else (None, p.error, round(p.seconds, 1))
        for p in sweep.points
    ]


def _pct(gap: float | None) -> str:
    return "—" if gap is None else f"{gap:.2%}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("book", nargs="?")
    parser.add_argument("--points", type=int, default=9)
    parser.add_argument("--time-limit", type=float, default=120.0, help="seconds per point")
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    scenario = Scenario.from_excel(args.book) if args.book else Scenario.reference()
    scales = [round(0.6 + 0.8 * i / (args.points - 1), 4) for i in range(args.points)]
    reuse_times, rebuild_times = [], []
    for _ in range(args.repeats):
        t_reuse, reuse_points = timed(scenario, scales, True, args.time_limit)
        t_rebuild, rebuild_points = timed(scenario, scales, False, args.time_limit)
        reuse_times.append(t_reuse)
        rebuild_times.append(t_rebuild)
        print(f"reuse {t_reuse:.1f}s  rebuild {t_rebuild:.1f}s", flush=True)
    med_reuse, med_rebuild = statistics.median(reuse_times), statistics.median(rebuild_times)
    lines = [
        f"# Budget sweep: reused model vs rebuild ({time.strftime('%Y-%m-%d')})",
        "",
        (
            f"Machine: {platform.machine()}, {platform.system()}, Python {platform.python_version()}; "
            f"scenario `{scenario.name}`, {len(scales)} budget scales {scales[0]}–{scales[-1]}, "
            f"one process, default gap, {args.time_limit:g} s limit per point; median of {args.repeats}; "
            f"load average at the end {os.getloadavg()[0]:.2f}."
        ),
        "",
        "| path | total seconds | per point |",
        "|---|---|---|",
        f"| reused model + warm starts | {med_reuse:.1f} | {med_reuse / len(scales):.1f} |",
        f"| rebuild every point | {med_rebuild:.1f} | {med_rebuild / len(scales):.1f} |",
        f"| speed-up | {med_rebuild / med_reuse:.2f}× | |",
        "",
        "Last repeat, per point (the gap is the last lexicographic stage's):",
        "",
        (
            "| scale | capability (reused) | gap (reused) | seconds (reused) | capability (rebuild) "
            "| gap (rebuild) | seconds (rebuild) |"
        ),
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {s} | {a[0]} | {a[1]} | {a[2]} | {b[0]} | {b[1]} | {b[2]} |"
        for s, a, b in zip(scales, reuse_points, rebuild_points)
    ]
    out = ROOT / "benchmarks" / "results" / "sweep_reuse.md"
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
