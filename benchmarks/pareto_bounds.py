"""Which worst levels an exact front with 3+ objectives should grid from: measured.

    python -m benchmarks.pareto_bounds [--cases 4kp50,3kp40] [--repeats 3]

For each case, alternating runs of our exact front (one worker, one thread) with the grid's
worst levels taken from:
* safe — the default: each objective's single-objective minimum over the feasible set;
* true nadir — the published front's own minima (known only after the fact: the least grid
  any exact method could use, so the cost of computing it would come on top);
* pyaugmecon's — the hand-set nadirs its tests and benchmarks use;
* payoff — the payoff table's worst values (the old default, which misses points).
Writes benchmarks/results/pareto_bounds.md.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from benchmarks.knapsack import knapsack_inputs, read_case, reference_front
from benchmarks.pareto_vs_pyaugmecon import NADIRS, ROOT, case_folder
from optimizer import Scenario


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="4kp50,3kp40")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rows = []
    for case in args.cases.split(","):
        folder = case_folder(case)
        data = read_case(folder)
        inputs = knapsack_inputs(folder)
        names = list(inputs.settings.pareto_objectives)
        reference = reference_front(folder)
        choices = {
            "safe (default)": None,
            "true nadir (a posteriori)": data["pareto_sols"].min(axis=0)[1:],
            "pyaugmecon's": np.array(NADIRS[case], dtype=float),
            "payoff table (old default)": data["payoff_table"].min(axis=0)[1:],
        }
        runs: dict[str, list] = {label: [] for label in choices}
        for _ in range(args.repeats):
            for label, levels in choices.items():
                nadir = None if levels is None else dict(zip(names[1:], (float(v) for v in levels)))
                started = time.perf_counter()
                front = Scenario(inputs).pareto(exact=True, nadir=nadir, threads=1, time_limit=3600)
                runs[label].append((time.perf_counter() - started, front))
        for label, done in runs.items():
            front = done[-1][1]
            got = {tuple(round(v, 2) for v in vec) for vec in front.vectors()}
            rows.append(
                {
                    "case": case,
                    "worst levels": label,
                    "levels": ", ".join(f"{v:g}" for v in front.nadir.values()),
                    "grid cells": front.stats.grid_total,
                    "grid points solved": front.stats.solved,
                    "points": f"{len(got & reference)} of {len(reference)}",
                    "front": front.completeness,
                    "seconds (median)": round(statistics.median(s for s, _ in done), 2),
                    "runs": " / ".join(f"{s:.2f}" for s, _ in done),
                }
            )
            print(rows[-1], flush=True)
    header = list(rows[0])
    lines = [
        f"# Worst levels for exact fronts with 3+ objectives ({time.strftime('%Y-%m-%d %H:%M')})",
        "",
        f"One worker, one thread, alternating runs, median of {args.repeats}.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    lines += ["| " + " | ".join(str(r[h]) for h in header) + " |" for r in rows]
    out = ROOT / "benchmarks" / "results" / "pareto_bounds.md"
    out.write_text("\n".join(lines) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
