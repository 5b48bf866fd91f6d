"""Render docs/img/stress.png, docs/robust.md's figure, from a stress workbook.

    capopt solve -o plan.xlsx --time-limit 40
    capopt solve --robust 2 -o robust.xlsx --time-limit 40
    capopt stress plan.xlsx robust.xlsx --samples 500 --seed 1 -o stress.xlsx
    python docs/render_stress.py stress.xlsx

Reads the workbook's Alliance and Stress sheets only (any number of plans), so the figure
shows exactly what the planner's workbook holds. Needs matplotlib; the tests do not.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import openpyxl

HERE = Path(__file__).resolve().parent
PNG = HERE / "img" / "stress.png"
# Alliance measure -> panel title, value format
PANELS = {
    "expected_nation_years_in_breach": ("Nation-years in breach\n(expected)", "{:,.1f}"),
    "budget_overrun_share": ("Overrun beyond budget\n(share of alliance budget)", "{:.2%}"),
    "p95_overrun_beyond_budget": ("Overrun beyond budget ({unit}),\n1 sample in 20 exceeds", "{:,.0f}"),
    "expected_capability_lost": ("Capability at risk\n(expected points lost)", "{:,.0f}"),
    "expected_capability_delivered": ("Capability delivered\nonce overruns hit", "{:,.0f}"),
}
COLOURS = ("#1F4E78", "#D55E00", "#56B4E9", "#009E73", "#CC79A7")  # colour-blind safe


def rows(path: Path, sheet: str) -> list[dict[str, object]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        values = list(wb[sheet].iter_rows(values_only=True))
    finally:
        wb.close()
    return [dict(zip(values[0], r)) for r in values[1:]]


def render(workbook: Path, png: Path) -> Path:
    alliance = {str(r["measure"]): r for r in rows(workbook, "Alliance")}
    plans = [c for c in rows(workbook, "Alliance")[0] if c not in ("measure", "unit", "meaning")]
    summary = {str(r["key"]): r["value"] for r in rows(workbook, "Summary")}
    by_nation = rows(workbook, "Stress")
    colours = {p: COLOURS[i % len(COLOURS)] for i, p in enumerate(plans)}

    fig = plt.figure(figsize=(13, 7.2), dpi=110)
    grid = fig.add_gridspec(2, len(PANELS), height_ratios=(1, 1.15), hspace=0.55, wspace=0.45)
    for k, (measure, (title, fmt)) in enumerate(PANELS.items()):
        ax = fig.add_subplot(grid[0, k])
        values = [float(alliance[measure][p]) for p in plans]  # type: ignore[arg-type]
        bars = ax.bar(plans, values, color=[colours[p] for p in plans])
        ax.bar_label(bars, labels=[fmt.format(v) for v in values], fontsize=8)
        ax.set_title(title.format(unit=alliance[measure]["unit"]), fontsize=9)
        ax.set_ylim(0, max(values + [1e-9]) * 1.2)
        ax.tick_params(labelsize=8)
        ax.yaxis.set_visible(False)
        ax.spines[["top", "right", "left"]].set_visible(False)

    ax = fig.add_subplot(grid[1, :])
    nations = [str(r["nation"]) for r in by_nation if r["plan"] == plans[0]]
    width = 0.8 / len(plans)
    for i, p in enumerate(plans):
        probability = [float(r["breach_probability"]) for r in by_nation if r["plan"] == p]  # type: ignore[arg-type]
        ax.bar(
            [j + (i - (len(plans) - 1) / 2) * width for j in range(len(nations))],
            probability,
            width,
            label=p,
            color=colours[p],
        )
    ax.set_xticks(range(len(nations)), nations, rotation=90, fontsize=8)
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_title("Probability that each nation breaches its budget in some year", fontsize=10)
    ax.legend(fontsize=8, ncols=len(plans), loc="upper right")
    ax.spines[["top", "right"]].set_visible(False)

    fig.suptitle(
        f"Stress test, plans side by side: {summary.get('samples')} samples, seed {summary.get('seed')}, "
        f"each programme overruns with probability {summary.get('overrun_probability')} "
        "by risk × Triangular(0, 0.5, 2.5); the same draws for every plan",
        fontsize=10,
    )
    png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(png, bbox_inches="tight")
    plt.close(fig)
    return png


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workbook", type=Path, help="a workbook written by capopt stress")
    parser.add_argument("--png", type=Path, default=PNG)
    args = parser.parse_args()
    print(f"wrote {render(args.workbook, args.png)}")


if __name__ == "__main__":
    main()
