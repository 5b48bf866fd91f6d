"""Issue 20's targets, measured: the LP-guided engine against plain HiGHS, side by side.

    python -m benchmarks.engine_suite                       # S, M, L (mixed and hard caps), reference
    python -m benchmarks.engine_suite --sizes L --variants mixed --limit L=120
    python -m benchmarks.engine_suite --xl                  # adds XL at 600 s (about 20 min more)
    python -m benchmarks.engine_suite --workers             # same plan for 1, 2, 4 workers and Dask
    python -m benchmarks.engine_suite --sweep               # the reference 9-point budget sweep

Every case runs in its own fresh Python process (a main process, as `capopt solve` is, so
the engine may start its own workers), one after another, so no two compete for the cores
and each reports its own peak memory. The engine (`auto`, which picks it from
90,000 non-zeros: optimizer.solve.engine.strategy) and plain HiGHS (`highs`) solve the same weighted objective
(benchmarks.run_suite.WEIGHTS) with the same time limit; each plan is checked against
MODEL.md by the independent verifier and its objective recomputed from the decisions.
Writes benchmarks/results/engine.md and engine.csv.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import logging
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.run_suite import WEIGHTS, _peak_mb, machine

RESULTS = Path(__file__).resolve().parent / "results"
LIMITS = {"S": 30.0, "M": 60.0, "L": 120.0, "XL": 600.0}
SWEEP_SCALES = [0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4]

log = logging.getLogger("engine_suite")


def weighted_value(objectives: dict[str, float]) -> float:
    return sum(objectives[name] * weight * (1 if name != "shortfall" else -1) for name, weight in WEIGHTS.items())


def plan_digest(decisions: Any) -> str:
    """A short fingerprint of a plan's decisions, to compare runs."""
    return hashlib.sha256(repr(decisions).encode()).hexdigest()[:12]


def case_solve(size: str, hard_caps: bool, limit: float, strategy: str, workers: int | None = None) -> dict[str, Any]:
    """One weighted solve of a benchmark instance through the public API."""
    from benchmarks.instances import generate
    from optimizer import Scenario
    from optimizer.checks.verify import check_plan

    scenario = Scenario(generate(size, 1, hard_caps))
    began = time.perf_counter()
    result = scenario.solve(objective="weighted", weights=WEIGHTS, time_limit=limit, strategy=strategy, workers=workers)
    wall = time.perf_counter() - began
    return {
        "objective": weighted_value(result.objectives),
        "bound": result.best_bound,
        "gap": result.gap,
        "status": result.status,
        "termination": result.termination,
        "strategy": result.strategy,
        "bound_source": result.bound_source,
        "wall_s": wall,
        "violations": len(check_plan(scenario.inputs, result.decisions)),
        "plan": plan_digest(result.decisions),
        **_peak_mb(),
    }


def case_reference(strategy: str, limit: float = 60.0) -> dict[str, Any]:
    """The reference dataset's default run (lexicographic, 1 % gap), as `capopt solve` does it."""
    from optimizer import Scenario

    return _lexicographic_case(Scenario.reference(), strategy, limit)


def case_robust(strategy: str, limit: float = 60.0, gamma: int = 2) -> dict[str, Any]:
    """`capopt solve --robust GAMMA` on the reference dataset (lexicographic, 1 % gap)."""
    from optimizer import Scenario

    return _lexicographic_case(Scenario.reference().with_settings(robust_overruns=gamma), strategy, limit)


def _lexicographic_case(scenario: Any, strategy: str, limit: float) -> dict[str, Any]:
    """A Settings-driven (lexicographic) solve to 1 %, with each stage's outcome."""
    from optimizer.checks.verify import check_plan

    began = time.perf_counter()
    result = scenario.solve(time_limit=limit, gap=0.01, strategy=strategy)
    wall = time.perf_counter() - began
    stages = "; ".join(
        f"{st.objective} {st.outcome.status} {st.outcome.seconds:.1f}s gap {st.outcome.gap}" for st in result.stages
    )
    return {
        "objective": result.objectives["capability"],
        "gap": result.gap,
        "status": result.status,
        "termination": result.termination,
        "strategy": result.strategy,
        "bound": result.best_bound,
        "bound_source": result.bound_source,
        "wall_s": wall,
        "stages": stages,
        "violations": len(check_plan(scenario.inputs, result.decisions)),
        **_peak_mb(),
    }


def sweep_violations(sweep: Any) -> int:
    """The rule violations the independent verifier finds in a sweep's plans (0: all valid)."""
    from optimizer.checks.verify import check_plan

    return sum(len(check_plan(p.result.inputs, p.result.decisions)) for p in sweep.points if p.result)


def case_sweep(strategy: str, limit: float) -> dict[str, Any]:
    """The reference 9-point budget sweep (0.6–1.4), every point's gap."""
    from optimizer import Scenario

    scenario = Scenario.reference()
    began = time.perf_counter()
    sweep = scenario.budget_sweep(SWEEP_SCALES, time_limit=limit, gap=0.01, strategy=strategy)
    wall = time.perf_counter() - began
    gaps = [point.result.gap if point.result is not None else None for point in sweep.points]
    points = [
        "—"
        if p.result is None or p.result.gap is None
        else f"{100 * p.result.gap:.2f}% ({p.result.gap_objective}; capability {p.result.objectives['capability']:,.0f})"
        for p in sweep.points
    ]
    return {
        "wall_s": wall,
        "worst_gap": max((g for g in gaps if g is not None), default=None),
        "gaps": " / ".join(points),
        "strategy": sweep.points[0].result.strategy if sweep.points[0].result else "",
        "violations": sweep_violations(sweep),
        **_peak_mb(),
    }


def case_workers(size: str, limit: float, workers: int, dask: bool) -> dict[str, Any]:
    """The engine with a given worker count (or a Dask LocalCluster of that many workers)."""
    from benchmarks.instances import generate
    from optimizer import Scenario

    scenario = Scenario(generate(size, 1))
    client = cluster = None
    if dask:
        from dask.distributed import Client, LocalCluster

        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=":0")  # a free port
        client = Client(cluster)
    try:
        began = time.perf_counter()
        result = scenario.solve(
            objective="weighted", weights=WEIGHTS, time_limit=limit, strategy="lns", workers=workers, client=client
        )
        wall = time.perf_counter() - began
    finally:
        if client is not None:
            client.close()
            cluster.close()
    return {
        "objective": weighted_value(result.objectives),
        "gap": result.gap,
        "wall_s": wall,
        "termination": result.termination,
        "plan": plan_digest(result.decisions),
        "strategy": result.strategy,
    }


def run_child(fn: Any, *args: Any) -> dict[str, Any]:
    """Run one case as a fresh main process (`python -m benchmarks.engine_suite --case …`)."""
    command = [sys.executable, "-m", "benchmarks.engine_suite", "--case", fn.__name__, json.dumps(list(args))]
    done = subprocess.run(
        command, capture_output=True, text=True, check=False, cwd=Path(__file__).resolve().parent.parent
    )
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT ") :])
    log.error("case %s%s failed:\n%s", fn.__name__, args, done.stderr[-3000:])
    return {"status": "error"}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="S,M,L")
    parser.add_argument("--variants", default="mixed,hard")
    parser.add_argument("--limit", action="append", default=[], help="SIZE=SECONDS (repeatable)")
    parser.add_argument("--strategies", default="auto,highs", help="strategies to compare per size")
    parser.add_argument("--xl", action="store_true")
    parser.add_argument("--xl-auto-only", action="store_true", help="XL with the default only (saves 10 min)")
    parser.add_argument("--no-reference", action="store_true")
    parser.add_argument("--sweep", action="store_true")
    parser.add_argument("--robust", action="store_true", help="the reference dataset with --robust 2, 60 s")
    parser.add_argument("--workers", action="store_true")
    parser.add_argument("--workers-size", default="S", help="instance for the workers table (default S)")
    parser.add_argument("--out", default=str(RESULTS / "engine"))
    parser.add_argument("--case", help=argparse.SUPPRESS)  # internal: run one case, print its result
    parser.add_argument("case_args", nargs="?", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.case:
        print("RESULT " + json.dumps(globals()[args.case](*json.loads(args.case_args)), default=str), flush=True)
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    limits = dict(LIMITS)
    for pair in args.limit:
        size, seconds = pair.split("=")
        limits[size] = float(seconds)
    sizes = [s for s in args.sizes.split(",") if s] + (["XL"] if args.xl else [])
    info = machine()
    rows: list[dict[str, Any]] = []

    def add(label: str, result: dict[str, Any], **fields: Any) -> None:
        """One row: what was asked (`fields`, e.g. requested=auto) beside what the run says."""
        row = {**result, **fields}
        rows.append(row)
        log.info("%s: %s", label, row)
        write(rows, info, Path(args.out))  # keep what is measured even if a later case breaks

    for size in sizes:
        for variant in args.variants.split(","):
            for strategy in ("auto",) if size == "XL" and args.xl_auto_only else args.strategies.split(","):
                result = run_child(case_solve, size, variant == "hard", limits[size], strategy)
                add("solve", result, case="solve", size=size, variant=variant, requested=strategy, limit=limits[size])
    if not args.no_reference:
        for strategy in ("auto", "lns", "highs"):
            add(
                "reference", run_child(case_reference, strategy), case="reference", size="reference", requested=strategy
            )
    if args.robust:
        for strategy in ("auto", "lns", "rens", "highs"):
            add("robust", run_child(case_robust, strategy), case="robust Γ=2", size="reference", requested=strategy)
    if args.sweep:
        for strategy in ("auto", "highs"):
            add("sweep", run_child(case_sweep, strategy, 20.0), case="sweep", size="reference", requested=strategy)
    if args.workers:
        for workers, dask in ((1, False), (1, False), (2, False), (2, False), (4, False), (2, True), (2, True)):
            add(
                "workers",
                run_child(case_workers, args.workers_size, limits[args.workers_size], workers, dask),
                case="workers",
                size=args.workers_size,
                workers=workers,
                dask=dask,
            )
    write(rows, info, Path(args.out))


def write(rows: list[dict[str, Any]], info: dict[str, str], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    keys = sorted({key for row in rows for key in row})
    with open(out.with_suffix(".csv"), "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=keys)
        writer.writeheader()
        writer.writerows(rows)
    lines = ["# Engine suite (issue 20)", "", "Machine: " + ", ".join(f"{k} {v}" for k, v in info.items()), ""]
    lines += [
        "| case | size | variant | asked | ran | limit | objective | bound | gap | wall s | peak MB | plan |",
        "|---|---|---|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        gap = row.get("gap")
        lines.append(
            f"| {row['case']} | {row['size']} | {row.get('variant', row.get('workers', ''))}"
            f"{' dask' if row.get('dask') else ''} | {row.get('requested', '')} | {row.get('strategy', '')} "
            f"| {row.get('limit', '')} "
            f"| {_num(row.get('objective'))} | {_num(row.get('bound'))} "
            f"| {'' if gap is None else f'{100 * gap:.2f}%'} | {_num(row.get('wall_s'), 1)} "
            f"| {_num(_peak(row), 0)} | {row.get('plan', row.get('gaps', row.get('stages', '')))} |"
        )
    out.with_suffix(".md").write_text("\n".join(lines) + "\n")
    log.info("wrote %s", out.with_suffix(".md"))


def _peak(row: dict[str, Any]) -> float | None:
    """This process's peak plus its largest child's (the engine's spawned worker), in MB."""
    own, child = row.get("peak_mb"), row.get("child_peak_mb")
    return None if own is None else own + (child or 0.0)


def _num(value: Any, digits: int = 1) -> str:
    return "" if value is None else f"{value:,.{digits}f}" if isinstance(value, (int, float)) else str(value)


if __name__ == "__main__":
    main()
