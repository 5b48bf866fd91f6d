"""HiGHS option sets on the floor model: which settings let HiGHS find plans and bounds at all.

The suite showed HiGHS stuck before its root LP finished on L. Because the floor matrix
*is* our model (same columns, rows, LP bound — see tests/benchmarks), option sets can be
compared here without the Pyomo build in the way:

    python -m benchmarks.highs_options --size L --time-limit 120
    python -m benchmarks.highs_options --size M --sets adapter,defaults --hard-caps

Each run: root LP relaxation value and time (solved alone first), then the MIP with the
option set, reporting incumbent, bound, gap and time to 1% gap, with a hard wall-clock
deadline enforced through HiGHS's interrupt callback (as optimizer.solve.solver does).
Appends rows to benchmarks/results/highs_options.csv.
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

import numpy as np

from benchmarks.floor_highspy import build_matrix, to_highs
from benchmarks.instances import generate
from optimizer.heuristics.greedy import greedy_plan

RESULTS = Path(__file__).resolve().parent / "results" / "highs_options.csv"
WEIGHTS = {"capability": 1.0, "shortfall": 10.0}

OPTION_SETS: dict[str, dict[str, object]] = {
    # what optimizer.solve.solver passes today
    "adapter": {"random_seed": 12345, "mip_detect_symmetry": True},
    "defaults": {},
    "no symmetry": {"random_seed": 12345, "mip_detect_symmetry": False},
    "no presolve": {"random_seed": 12345, "presolve": "off"},
    "heuristics 1.0": {"random_seed": 12345, "mip_heuristic_effort": 1.0},
    "ipm LPs": {"random_seed": 12345, "mip_lp_solver": "ipm"},
}


def lp_relaxation(mm) -> tuple[float, float]:
    """(LP optimum, seconds) of the relaxation."""
    h = to_highs(mm)
    n = mm.num_cols
    h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.zeros(n, dtype=np.uint8))
    began = time.perf_counter()
    h.run()
    return h.getInfo().objective_function_value, time.perf_counter() - began


def run_mip(mm, options: dict[str, object], time_limit: float, start: np.ndarray | None = None) -> dict[str, object]:
    h = to_highs(mm, {"mip_rel_gap": 1e-4, "time_limit": float(time_limit), **options})
    deadline = time.monotonic() + time_limit + 2.0
    seen: dict[str, float] = {}

    def on_event(event) -> None:
        out = event.data_out
        inc, bnd = out.mip_primal_bound, out.mip_dual_bound
        if abs(inc) < 1e30 and "incumbent" not in seen:
            seen["incumbent"] = out.running_time
        if abs(inc) < 1e30 and abs(bnd) < 1e30 and abs(inc - bnd) <= 0.01 * max(abs(inc), 1e-9):
            seen.setdefault("1pct", out.running_time)

    def on_interrupt(event) -> None:
        on_event(event)
        if time.monotonic() > deadline:
            event.interrupt()

    h.cbMipImprovingSolution += on_event
    h.cbMipLogging += on_event
    for cb in (h.cbSimplexInterrupt, h.cbIpmInterrupt, h.cbMipInterrupt):
        cb += on_interrupt
    if start is not None:
        h.setSolution(start.size, np.arange(start.size, dtype=np.int32), start)
    began = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - began
    info = h.getInfo()
    inc = info.objective_function_value if info.primal_solution_status == 2 else None
    bnd = info.mip_dual_bound if abs(info.mip_dual_bound) < 1e30 else None
    gap = abs(inc - bnd) / max(abs(inc), 1e-9) if inc is not None and bnd is not None else None
    return {
        "status": h.modelStatusToString(h.getModelStatus()),
        "incumbent": inc,
        "bound": bnd,
        "gap": gap,
        "seconds": seconds,
        "first_incumbent_s": seen.get("incumbent"),
        "time_to_1pct_s": seen.get("1pct"),
        "nodes": info.mip_node_count,
    }


def greedy_start(inputs, mm) -> np.ndarray:
    """The greedy plan as a full column vector of the floor model (via the Pyomo start setter)."""
    from models import build_model, set_start

    # Map through the Pyomo model: set_start fills every column consistently (balances,
    # shortfalls, payments), then the values are matched to floor columns by their keys.
    m = build_model(inputs)
    set_start(m, greedy_plan(inputs))
    ix = mm.keys["index"][0]
    x = np.zeros(mm.num_cols)
    nations, progs = ix.nations, inputs.programmes
    for c in range(ix.fund_n.size):
        n, p, t = nations[ix.fund_n[c]], progs[ix.fund_p[c]], int(ix.fund_t[c])
        var = m.joins[n, p.id, t] if p.is_joint else m.starts[n, p.id, t]
        x[ix.fund0 + c] = var.value or 0.0
    for k in range(ix.z_p.size):
        x[ix.z0 + k] = m.joint_starts[progs[ix.z_p[k]].id, int(ix.z_t[k])].value or 0.0
    for k in range(ix.f_n.size):
        x[ix.f0 + k] = m.payment[nations[ix.f_n[k]], progs[ix.f_p[k]].id, int(ix.f_y[k])].value or 0.0
    stds = inputs.standards
    for n in range(ix.N):
        for s in range(ix.S):
            for t in range(ix.nyears):
                x[ix.a_col(n, s, t)] = m.adopts[nations[n], stds[s].id, ix.y0 + t].value or 0.0
    for k, s in enumerate(ix.critical):
        x[ix.v0 + k] = m.standard_in_use[stds[s].id].value or 0.0
    for b, n in enumerate(ix.banking):
        for t in range(ix.nyears):
            x[ix.bal0 + b * ix.nyears + t] = m.balance[nations[n], ix.y0 + t].value or 0.0
            x[ix.lapse0 + b * ix.nyears + t] = m.lapse[nations[n], ix.y0 + t].value or 0.0
    for g, target in enumerate(inputs.targets):
        x[ix.short0 + g] = m.short[target.nation, target.area, target.year].value or 0.0
    return x


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="M")
    parser.add_argument("--hard-caps", action="store_true")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--sets", default=",".join(OPTION_SETS))
    parser.add_argument("--warm-start", action="store_true", help="also give each run the greedy plan")
    parser.add_argument("--skip-lp", action="store_true", help="do not solve the LP relaxation first (slow on L+)")
    args = parser.parse_args(argv)
    inputs = generate(args.size, 1, args.hard_caps)
    mm = build_matrix(inputs, WEIGHTS)
    lp, lp_seconds = lp_relaxation(mm) if not args.skip_lp else (float("nan"), float("nan"))
    start = greedy_start(inputs, mm) if args.warm_start else None
    greedy_value = float(mm.objective @ start) if start is not None else None
    print(
        f"{args.size} hard_caps={args.hard_caps}: LP bound {lp:,.1f} in {lp_seconds:.1f} s"
        + (f"; greedy start {greedy_value:,.1f}" if greedy_value is not None else "")
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    new = not RESULTS.exists()
    with RESULTS.open("a", newline="") as fh:
        writer = csv.writer(fh)
        if new:
            writer.writerow(
                [
                    "date",
                    "size",
                    "hard_caps",
                    "options",
                    "warm_start",
                    "time_limit_s",
                    "lp_bound",
                    "lp_seconds",
                    "status",
                    "incumbent",
                    "bound",
                    "gap",
                    "seconds",
                    "first_incumbent_s",
                    "time_to_1pct_s",
                    "nodes",
                ]
            )
        for name in args.sets.split(","):
            r = run_mip(mm, OPTION_SETS[name], args.time_limit, start)
            print(
                f"  {name:15s} {r['status']:22s} incumbent {r['incumbent']} bound {r['bound']} gap {r['gap']} "
                f"first incumbent {r['first_incumbent_s']} t1% {r['time_to_1pct_s']} nodes {r['nodes']}"
            )
            writer.writerow(
                [
                    time.strftime("%Y-%m-%d %H:%M"),
                    args.size,
                    args.hard_caps,
                    name,
                    args.warm_start,
                    args.time_limit,
                    round(lp, 3),
                    round(lp_seconds, 2),
                    r["status"],
                    r["incumbent"],
                    r["bound"],
                    r["gap"],
                    round(float(r["seconds"]), 2),
                    r["first_incumbent_s"],
                    r["time_to_1pct_s"],
                    r["nodes"],
                ]
            )
            fh.flush()


if __name__ == "__main__":
    main()
