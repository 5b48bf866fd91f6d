"""Multi-objective knapsack instances (pyaugmecon's format) as capopt acquisition problems.

A knapsack is a one-nation acquisition problem: items are national programmes, each
knapsack row is one year's budget (the item's row weights are its cost profile, its
duration is the number of rows, so every programme can only start in the first year),
one service year after the horizon makes each programme's value count exactly once, and
each objective is one capability area. Then capability:<area k> = Σ_j c[k][j]·x_j and the
budget rows are Σ_j a[i][j]·x_j ≤ b[i]: the original problem, exactly.

    python -m benchmarks.knapsack ../shared/benchmarks/knapsack/csv/2kp50 -o 2kp50.xlsx

Data: pyaugmecon (MIT) and Mavrotas & Florios (2013), see tests/data/knapsack/README.md.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from data.tables import CapabilityArea, Inputs, Nation, Programme, Settings, Source

FIRST_YEAR = 2030
NATION = "KNP"


def read_case(folder: str | Path) -> dict[str, np.ndarray]:
    """The a, b, c matrices and the reference front of one case folder (CSV layout)."""
    folder = Path(folder)
    out = {}
    for name in ("a", "b", "c", "pareto_sols", "payoff_table"):
        path = folder / f"{name}.csv"
        if path.exists():
            out[name] = pd.read_csv(path, index_col=0).to_numpy(dtype=float)
    return out


def knapsack_inputs(folder: str | Path, objectives: int | None = None) -> Inputs:
    """The case as validated capopt inputs (p objectives → areas A1..Ap, m rows → years)."""
    case = read_case(folder)
    a, b, c = case["a"], case["b"].ravel(), case["c"]
    p = objectives or c.shape[0]
    a, b, c = a[:p], b[:p], c[:p]
    rows, items = a.shape
    settings = Settings(
        first_year=FIRST_YEAR,
        last_year=FIRST_YEAR + rows - 1,
        service_years_after_horizon=1,
        objective="pareto",
        pareto_objectives=tuple(f"capability:A{k + 1}" for k in range(p)),
        pareto_exact=True,
    )
    years = settings.years
    programmes = []
    for j in range(items):
        total = float(a[:, j].sum())
        profile = tuple(float(a[i, j] / total) for i in range(rows)) if total > 0 else (1.0 / rows,) * rows
        programmes.append(
            Programme(
                id=f"I{j + 1:03d}",
                name=f"item {j + 1}",
                technology="knapsack",
                sharing="national",
                duration_years=rows,
                total_cost=total,
                per_participant_cost=0.0,
                earliest_start=FIRST_YEAR,
                deadline=None,
                flexible_start=False,
                exclusive_group=None,
                trl=None,
                cost_overrun_risk=0.0,
                min_participants=1,
                max_participants=None,
                min_share=0.0,
                open_to_partners=False,
                profile=profile,
            )
        )
    values = {(f"I{j + 1:03d}", f"A{k + 1}"): float(c[k, j]) for k in range(p) for j in range(items) if c[k, j] != 0}
    return Inputs(
        settings=settings,
        nations=(Nation(NATION, "Knapsack", "ally", None, 0.0, 0.0),),
        budgets={(NATION, years[i]): float(b[i]) for i in range(rows)},
        programmes=tuple(programmes),
        areas=tuple(CapabilityArea(f"A{k + 1}", f"objective {k + 1}", 1.0) for k in range(p)),
        values=values,
        source=Source(str(folder), ""),
    )


def reference_front(folder: str | Path) -> set[tuple[float, ...]]:
    """The published non-dominated objective vectors, rounded to 2 decimals."""
    return {tuple(round(float(v), 2) for v in row) for row in read_case(folder)["pareto_sols"]}


def main() -> None:
    from data.input_writer import write_inputs

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("case", help="folder with a.csv, b.csv, c.csv")
    parser.add_argument("-o", "--output", required=True, help="input workbook to write")
    args = parser.parse_args()
    write_inputs(knapsack_inputs(args.case), args.output)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
