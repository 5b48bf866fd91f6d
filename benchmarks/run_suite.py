"""The performance suite of issue 7: our model against the highspy floor, PuLP/CBC and greedy.

    python -m benchmarks.run_suite                        # S, M, L, XL (long: ~30–40 min)
    python -m benchmarks.run_suite --sizes S,M --time-limit 30
    python -m benchmarks.run_suite --quick                # S and M, 10 s limits, 1 build repeat

Every case runs in its own fresh child process, one after another (never two at once,
so they do not compete for the cores), and reports its own peak resident memory. All
solver runs use the same objective (capability − 10·shortfall, MODEL.md `weighted`), the
same time limit and stop at the same 1e-4 gap, so "objective after the limit" and "time to
1% gap" come out of one run each: the time to 1% is the first moment the solver's own
incumbent and bound were within 1% (HiGHS: from its progress callbacks; CBC: from its log).

Writes benchmarks/results/latest.md, benchmarks/results/latest.csv and docs/img/scaling.png.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gc
import json
import logging
import os
import platform
import resource
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
CHART = ROOT / "docs" / "img" / "scaling.png"
WEIGHTS = {"capability": 1.0, "shortfall": 10.0}
STOP_GAP = 1e-4
MILESTONE = 0.01
SEED = 1

log = logging.getLogger("benchmarks.run_suite")

# HiGHS option sets measured as levers (issue 7, item 3): name -> options
HIGHS_LEVERS: dict[str, dict[str, object]] = {
    "heuristics 0.3": {"mip_heuristic_effort": 0.3},
    "ipm": {"mip_lp_solver": "ipm"},  # interior point for the root LP (docs/benchmarks.md: 6x faster LP on L)
}


# --- child-process cases -------------------------------------------------------------------


def _peak_mb() -> dict[str, float]:
    """Peak RSS of this process and of its finished children (CBC runs as a child), in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"peak_mb": round(own, 1), "child_peak_mb": round(kids, 1)}


def case_build_timings(size: str, hard_caps: bool, repeats: int) -> dict[str, Any]:
    """Median build and hand-off times: ours (the product's path), APPSI's, the highspy floor."""
    from pyomo.contrib.appsi.solvers import Highs

    from benchmarks.floor_highspy import build_matrix, to_highs
    from benchmarks.instances import generate
    from models import build_model
    from optimizer.solve.objectives import set_objective, weighted_expression
    from optimizer.solve.solver import PersistentSolver, SolverOptions

    inputs = generate(size, SEED, hard_caps)
    ours_build, ours_handoff, appsi_handoff, floor_build, floor_handoff = [], [], [], [], []
    nvars = ncons = nnz = 0
    for _ in range(repeats):
        gc.collect()
        began = time.perf_counter()
        m = build_model(inputs)
        set_objective(m, weighted_expression(m, WEIGHTS), "max")
        built = time.perf_counter()
        solver = PersistentSolver(m, SolverOptions())
        solver._backend.prepare()  # what the first solve() does before HiGHS runs
        done = time.perf_counter()
        ours_build.append(built - began)
        ours_handoff.append(done - built)
        highs = solver._backend.highs
        nvars, ncons, nnz = highs.getNumCol(), highs.getNumRow(), highs.getNumNz()
        del solver
        gc.collect()
        began = time.perf_counter()
        appsi = Highs(only_child_vars=True)  # Pyomo's own persistent interface, for comparison
        appsi.config.load_solution = False
        appsi.set_instance(m)
        appsi_handoff.append(time.perf_counter() - began)
        del m, appsi
        gc.collect()
        began = time.perf_counter()
        mm = build_matrix(inputs, WEIGHTS)
        built = time.perf_counter()
        to_highs(mm)
        done = time.perf_counter()
        floor_build.append(built - began)
        floor_handoff.append(done - built)
        assert (mm.num_cols, mm.num_rows, mm.A.nnz) == (nvars, ncons, nnz), "floor and Pyomo models differ in size"
        del mm
    med = statistics.median
    return {
        "vars": nvars,
        "cons": ncons,
        "nnz": nnz,
        "repeats": repeats,
        "ours_build_s": med(ours_build),
        "ours_handoff_s": med(ours_handoff),
        "ours_total_s": med(b + h for b, h in zip(ours_build, ours_handoff)),
        "appsi_handoff_s": med(appsi_handoff),
        "floor_build_s": med(floor_build),
        "floor_handoff_s": med(floor_handoff),
        "floor_total_s": med(b + h for b, h in zip(floor_build, floor_handoff)),
        **_peak_mb(),
    }


def case_ours(size: str, hard_caps: bool, time_limit: float, lever: str = "") -> dict[str, Any]:
    """Our Pyomo model solved by HiGHS through the project's own adapter (one build, one solve).

    `lever` is "" or parts joined by " + ": "warm start" (greedy plan as MIP start),
    "fix-and-optimise" (greedy start, then half the limit re-optimising nation by nation,
    as `capopt solve --improve`), and keys of HIGHS_LEVERS (e.g. "fix-and-optimise + ipm").
    The returned plan is checked against MODEL.md (`optimizer.checks.verify.check_plan`).
    """
    from benchmarks.instances import generate
    from models import build_model, extract_decisions, set_start
    from optimizer.checks.evaluate import objective_values
    from optimizer.checks.verify import check_plan
    from optimizer.heuristics.greedy import greedy_plan
    from optimizer.solve.objectives import set_objective, weighted_expression
    from optimizer.solve.solver import PersistentSolver, Progress, SolverOptions

    inputs = generate(size, SEED, hard_caps)
    began = time.perf_counter()
    greedy = greedy_plan(inputs)
    greedy_seconds = time.perf_counter() - began
    greedy_obj = objective_values(inputs, greedy)
    first: dict[str, float] = {}
    trace: list[tuple[float, float | None, float | None]] = []

    def progress(p: Progress) -> None:
        trace.append((p.elapsed, p.incumbent, p.bound))
        if p.gap is not None and p.gap <= MILESTONE and "t" not in first:
            first["t"] = p.elapsed

    began = time.perf_counter()
    m = build_model(inputs)
    set_objective(m, weighted_expression(m, WEIGHTS), "max")
    parts = set(lever.split(" + ")) - {""}
    unknown = parts - {"warm start", "fix-and-optimise"} - set(HIGHS_LEVERS)
    if unknown:
        raise ValueError(f"unknown lever part(s) {sorted(unknown)}")
    # a HiGHS option lever is measured on HiGHS's own search: from 90,000 non-zeros (M on)
    # `auto` runs the engine, whose workers never see options set on the adapter's HiGHS
    strategy = "highs" if parts & set(HIGHS_LEVERS) else "auto"
    solver = PersistentSolver(m, SolverOptions(strategy=strategy), progress)
    warm = "warm start" in parts
    for key in parts & set(HIGHS_LEVERS):
        for name, value in HIGHS_LEVERS[key].items():
            solver.set_highs_option(name, value)
    if warm:
        set_start(m, greedy)
    build_seconds = time.perf_counter() - began
    began = time.perf_counter()
    neighbourhood = None
    if "fix-and-optimise" in parts:  # greedy start, half the limit re-optimising nation by nation
        from optimizer.solve.neighbourhood import improve_by_nation

        set_start(m, greedy)
        warm = True
        neighbourhood = improve_by_nation(m, solver, time_limit / 2)
    outcome = solver.solve(time_limit - (time.perf_counter() - began), STOP_GAP, warm_start=warm)
    wall = time.perf_counter() - began  # includes the hand-off on this first solve
    row: dict[str, Any] = {
        "status": outcome.status,
        "objective": outcome.objective,
        "bound": outcome.bound,
        "gap": outcome.gap,
        "solve_s": outcome.seconds,
        "build_handoff_solve_s": build_seconds + wall,
        "time_to_1pct_s": first.get("t"),
        "greedy_objective": greedy_obj["capability"] - 10 * greedy_obj["shortfall"],
        "greedy_capability": greedy_obj["capability"],
        "greedy_s": greedy_seconds,
        "first_bound": next((b for _, _, b in trace if b is not None), None),
        "strategy": solver.strategy_note,  # what the row measured: HiGHS alone, or the engine
    }
    if neighbourhood is not None:
        row.update(
            neighbourhood_objective=neighbourhood.final,
            neighbourhood_solves=neighbourhood.solves,
            neighbourhood_improved=neighbourhood.improved,
            neighbourhood_s=neighbourhood.seconds,
        )
    if row["time_to_1pct_s"] is None and outcome.gap is not None and outcome.gap <= MILESTONE:
        row["time_to_1pct_s"] = outcome.seconds
    if outcome.has_solution:
        plan = extract_decisions(m, inputs)
        problems = check_plan(inputs, plan)
        obj = objective_values(inputs, plan)
        row.update(
            capability=obj["capability"],
            shortfall=obj["shortfall"],
            plan_valid=not problems,
            violations=len(problems),
        )
    return {**row, **_peak_mb()}


def case_cbc(size: str, hard_caps: bool, time_limit: float) -> dict[str, Any]:
    """The same matrix in PuLP, solved by CBC; the plan is decoded and checked too."""
    from benchmarks import pulp_cbc
    from benchmarks.floor_highspy import build_matrix, decode
    from benchmarks.instances import generate
    from optimizer.checks.evaluate import objective_values
    from optimizer.checks.verify import check_plan

    inputs = generate(size, SEED, hard_caps)
    mm = build_matrix(inputs, WEIGHTS)
    run = pulp_cbc.solve(mm, time_limit, STOP_GAP, milestones=(MILESTONE,))
    row: dict[str, Any] = {
        "status": run.status,
        "objective": run.objective,
        "bound": run.bound,
        "gap": run.gap,
        "pulp_build_s": run.build_seconds,
        "solve_s": run.solve_seconds,
        "time_to_1pct_s": run.seconds_to_gap.get(MILESTONE),
    }
    if run.x is not None:
        plan = decode(mm, run.x)
        obj = objective_values(inputs, plan)
        problems = check_plan(inputs, plan)
        row.update(
            capability=obj["capability"], shortfall=obj["shortfall"], plan_valid=not problems, violations=len(problems)
        )
    return {**row, **_peak_mb()}


def run_child(fn: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """Run one case in a fresh process (spawned, so its peak memory is its own)."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"), max_tasks_per_child=1) as pool:
        try:
            return pool.submit(fn, *args).result()
        except Exception as exc:  # a failed case is a result too, not the end of the suite
            log.exception("case %s%s failed", fn.__name__, args)
            return {"status": "error", "error": f"{type(exc).__name__}: {exc}"}


# --- the machine ------------------------------------------------------------------------


def machine() -> dict[str, str]:
    import highspy  # noqa: F401
    import pyomo.version

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        kb = int(
            next(li for li in Path("/proc/meminfo").read_text().splitlines() if li.startswith("MemTotal")).split()[1]
        )
        ram = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    from importlib.metadata import PackageNotFoundError, version

    try:
        pulp_version = version("pulp")
    except PackageNotFoundError:
        pulp_version = "not installed"
    return {
        "date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "ram": ram,
        "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "python": platform.python_version(),
        "pyomo": pyomo.version.version,
        "highspy": version("highspy"),
        "pulp": pulp_version,
        "os": platform.platform(),
    }


# --- the suite -------------------------------------------------------------------------


def run_size(
    size: str, time_limit: float, repeats: int, levers: bool, with_cbc: bool, build_only: bool = False
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def add(case: str, variant: str, result: dict[str, Any]) -> None:
        row = {"size": size, "variant": variant, "case": case, "time_limit_s": time_limit, **result}
        log.info("%s %s %s: %s", size, variant, case, {k: _fmt(v) for k, v in result.items()})
        rows.append(row)

    add("build", "mixed", run_child(case_build_timings, size, False, repeats))
    if build_only:
        return rows
    add("ours", "mixed", run_child(case_ours, size, False, time_limit))
    if with_cbc:
        add("pulp_cbc", "mixed", run_child(case_cbc, size, False, time_limit))
    if levers:
        add("ours + warm start", "mixed", run_child(case_ours, size, False, time_limit, "warm start"))
        for name in HIGHS_LEVERS:
            add(f"ours + {name}", "mixed", run_child(case_ours, size, False, time_limit, name))
        add("ours + warm start + ipm", "mixed", run_child(case_ours, size, False, time_limit, "warm start + ipm"))
        for lever in ("fix-and-optimise", "fix-and-optimise + ipm"):
            add(f"ours + {lever}", "mixed", run_child(case_ours, size, False, time_limit, lever))
        add("ours", "hard_caps", run_child(case_ours, size, True, time_limit))
        add("ours + warm start", "hard_caps", run_child(case_ours, size, True, time_limit, "warm start"))
    return rows


def _fmt(v: Any) -> Any:
    return round(v, 6) if isinstance(v, float) else v


COLUMNS = [
    "size",
    "variant",
    "case",
    "time_limit_s",
    "status",
    "vars",
    "cons",
    "nnz",
    "repeats",
    "ours_build_s",
    "ours_handoff_s",
    "ours_total_s",
    "appsi_handoff_s",
    "floor_build_s",
    "floor_handoff_s",
    "floor_total_s",
    "objective",
    "bound",
    "gap",
    "time_to_1pct_s",
    "solve_s",
    "build_handoff_solve_s",
    "pulp_build_s",
    "first_bound",
    "capability",
    "shortfall",
    "plan_valid",
    "violations",
    "greedy_objective",
    "greedy_capability",
    "greedy_s",
    "peak_mb",
    "child_peak_mb",
    "error",
]


def write_csv(rows: list[dict[str, Any]], path: Path) -> None:
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _fmt(row.get(k)) for k in COLUMNS})


def _find(rows: list[dict[str, Any]], size: str, case: str, variant: str = "mixed") -> dict[str, Any]:
    return next((r for r in rows if r["size"] == size and r["case"] == case and r["variant"] == variant), {})


def _s(v: Any, digits: int = 2) -> str:
    if v is None or v == "":
        return "—"
    if isinstance(v, float):
        return f"{v:,.{digits}f}"
    return str(v)


def _pct(v: Any) -> str:
    return "—" if v is None else f"{100 * v:.2f}%"


def _t1(row: dict[str, Any]) -> str:
    t = row.get("time_to_1pct_s")
    if t is not None:
        return f"{t:.1f} s"
    return f"> {row.get('time_limit_s', 0):.0f} s" if row else "—"


def build_table(rows: list[dict[str, Any]], sizes: list[str]) -> list[str]:
    """The build and hand-off table, one line per size."""
    out = [
        "## Build and hand-off (median of repeats) against the highspy floor",
        "",
        (
            "| size | vars | cons | nnz | ours build | ours hand-off | ours total | floor total | ratio "
            "| APPSI hand-off (was ours) | peak MB (build×2) |"
        ),
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size in sizes:
        b = _find(rows, size, "build")
        if not b or b.get("status") == "error":
            out.append(f"| {size} | failed: {b.get('error', '')} |||||||||")
            continue
        ratio = b["ours_total_s"] / b["floor_total_s"] if b.get("floor_total_s") else None
        out.append(
            f"| {size} | {b['vars']:,} | {b['cons']:,} | {b['nnz']:,} | {b['ours_build_s']:.2f} s | "
            f"{b['ours_handoff_s']:.2f} s | {b['ours_total_s']:.2f} s | {b['floor_total_s']:.3f} s | "
            f"{_s(ratio, 1)}× | {_s(b.get('appsi_handoff_s'))} s | {_s(b.get('peak_mb'), 0)} |"
        )
    return out


def build_markdown(rows: list[dict[str, Any]], info: dict[str, str], sizes: list[str]) -> str:
    """`--build-only`: the machine and the build and hand-off table."""
    out = ["# capopt build and hand-off against the highspy floor", ""]
    out += ["| machine | |", "|---|---|"] + [f"| {k} | {v} |" for k, v in info.items()] + [""]
    out += [
        (
            "Instances: `benchmarks.instances.generate(size, seed=1)`, mixed variant; ours = `build_model` "
            "then the first `PersistentSolver` hand-off (optimizer.solve.highs_model); floor = the same matrix "
            "built with numpy and passed to highspy directly."
        ),
        "",
    ]
    return "\n".join(out + build_table(rows, sizes)) + "\n"


def markdown(rows: list[dict[str, Any]], info: dict[str, str], sizes: list[str], notes: list[str]) -> str:
    out = ["# capopt performance suite — latest results", ""]
    out += ["| machine | |", "|---|---|"] + [f"| {k} | {v} |" for k, v in info.items()] + [""]
    out += [
        (
            "Objective in every run: maximise capability − 10·shortfall (MODEL.md `weighted`). "
            "Instances: `benchmarks.instances.generate(size, seed=1)`; *mixed* = half the nations "
            "carry over (some borrow), half have hard annual caps; *hard_caps* = hard caps everywhere. "
            "Solver runs stop at the time limit or a 1e-4 gap; *t→1%* is when incumbent and bound "
            "were first within 1%."
        ),
        "",
    ]
    out += build_table(rows, sizes)
    out += [
        "",
        "## Solve: ours (Pyomo + HiGHS) against PuLP + CBC on the same model, and greedy",
        "",
        (
            "| size | limit | ours objective | ours gap | ours t→1% | CBC objective | CBC gap | CBC t→1% "
            "| CBC wall | greedy objective | gain over greedy | capability gain | ours peak MB | CBC peak MB |"
        ),
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size in sizes:
        o, c = _find(rows, size, "ours"), _find(rows, size, "pulp_cbc")
        if not o:
            continue
        gain = cap_gain = None
        if o.get("objective") is not None and o.get("greedy_objective"):
            gain = o["objective"] / o["greedy_objective"] - 1
        if o.get("capability") is not None and o.get("greedy_capability"):
            cap_gain = o["capability"] / o["greedy_capability"] - 1
        out.append(
            f"| {size} | {o.get('time_limit_s', 0):.0f} s | {_s(o.get('objective'), 1)} | {_pct(o.get('gap'))} | "
            f"{_t1(o)} | {_s(c.get('objective'), 1) if c else 'not run'} | {_pct(c.get('gap')) if c else '—'} | "
            f"{_t1(c) if c else '—'} | {_s(c.get('solve_s'), 0) + ' s' if c else '—'} | {_s(o.get('greedy_objective'), 1)} | {_pct(gain)} | {_pct(cap_gain)} | "
            f"{_s(o.get('peak_mb'), 0)} | {_s(c.get('peak_mb', 0) + c.get('child_peak_mb', 0), 0) if c else '—'} |"
        )
    lever_rows = [r for r in rows if r["case"].startswith("ours") and (r["case"] != "ours" or r["variant"] != "mixed")]
    if lever_rows:
        out += [
            "",
            "## Levers (issue 7, item 3), each one run with the same limit",
            "",
            "| size | variant | case | status | objective | bound | gap | t→1% | first bound HiGHS reported |",
            "|---|---|---|---|---:|---:|---:|---:|---:|",
        ]
        for size in sizes:
            base = _find(rows, size, "ours")
            for r in [base] + [r for r in lever_rows if r["size"] == size]:
                if not r:
                    continue
                out.append(
                    f"| {size} | {r['variant']} | {r['case']} | {r.get('status')} | {_s(r.get('objective'), 1)} | "
                    f"{_s(r.get('bound'), 1)} | {_pct(r.get('gap'))} | {_t1(r)} | {_s(r.get('first_bound'), 1)} |"
                )
    invalid = [r for r in rows if r.get("plan_valid") is False]
    out += ["", "## Checks", ""]
    out.append(
        "Every returned plan was re-checked against MODEL.md with `optimizer.checks.verify.check_plan`: "
        + (
            "all valid."
            if not invalid
            else f"{len(invalid)} INVALID: " + ", ".join(f"{r['size']}/{r['case']}" for r in invalid)
        )
    )
    out += [""] + [f"- {n}" for n in notes]
    return "\n".join(out) + "\n"


def chart(rows: list[dict[str, Any]], sizes: list[str], path: Path) -> bool:
    """Left: build, hand-off and floor time against model size. Right: gap left at the limit.

    Both solvers hit the time limit on most sizes, so a time-to-1% line would sit on the
    limit and say nothing; the gap they reached (or "no plan") is the informative measure.
    Returns False if matplotlib is missing.
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log.warning("matplotlib is not installed: no chart (pip install matplotlib)")
        return False
    builds = [_find(rows, s, "build") for s in sizes]
    ok = [i for i, b in enumerate(builds) if b.get("vars")]
    if not ok:
        return False
    x = [builds[i]["vars"] for i in ok]
    labels = [sizes[i] for i in ok]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5))
    for name, key, style in (
        ("ours: Pyomo build", "ours_build_s", "o-"),
        ("ours: hand-off to HiGHS", "ours_handoff_s", "s-"),
        ("floor: highspy build + hand-off", "floor_total_s", "^-"),
    ):
        left.plot(x, [builds[i][key] for i in ok], style, label=name)
    limits = [_find(rows, sizes[i], "ours").get("time_limit_s") for i in ok]
    if all(v is not None for v in limits):
        left.plot(x, limits, ":", color="grey", label="solver time limit")
    left.set_title("build and hand-off time (median of repeats)")
    left.set_ylabel("seconds")
    for case, name, style, top in (
        ("ours", "HiGHS (ours)", "D-", 1e4),
        ("pulp_cbc", "CBC (PuLP)", "v-", 5e3),
        ("ours + warm start", "HiGHS + greedy warm start", "o--", 2.5e3),
    ):
        xs, gaps, missing = [], [], []
        for xi, i in zip(x, ok):
            r = _find(rows, sizes[i], case)
            if not r:
                continue
            if r.get("gap") is None:
                missing.append(xi)
            else:
                xs.append(xi)
                gaps.append(max(100 * r["gap"], 1e-2))
        (line,) = right.plot(xs, gaps, style, label=name)
        for xi in missing:
            right.plot([xi], [top], "x", color=line.get_color(), ms=10)
    right.axhline(1.0, color="grey", ls=":", label="1% target")
    right.set_title("gap at the time limit (× at the top: no plan found)")
    right.set_ylabel("relative gap, %")
    for ax in (left, right):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("model variables")
        ax.grid(True, which="both", alpha=0.3)
        ax.set_xticks(x, [f"{lab}\n{v:,}" for lab, v in zip(labels, x)])
        ax.minorticks_off()
        ax.legend(fontsize=7, loc="upper left")
    fig.suptitle("capopt scaling on seeded instances (weighted objective, same instances for every solver)")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def read_csv(path: Path) -> list[dict[str, Any]]:
    """Rows of a results CSV with numbers and booleans restored (for --replot)."""
    out = []
    with path.open() as fh:
        for raw in csv.DictReader(fh):
            row: dict[str, Any] = {}
            for k, v in raw.items():
                if v == "":
                    row[k] = None
                elif v in ("True", "False"):
                    row[k] = v == "True"
                else:
                    try:
                        row[k] = int(v) if v.lstrip("-").isdigit() else float(v)
                    except ValueError:
                        row[k] = v
            out.append(row)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="S,M,L,XL")
    parser.add_argument("--time-limit", type=float, default=120.0, help="seconds per solver run")
    parser.add_argument("--time-limits", default="", help="per size, e.g. S=30,M=60,L=120,XL=300")
    parser.add_argument("--repeats", type=int, default=3, help="build timings per size (median quoted)")
    parser.add_argument("--levers", default="S,M,L", help="sizes on which to measure the levers")
    parser.add_argument("--quick", action="store_true", help="S,M at 10 s, 1 repeat, levers on S")
    parser.add_argument("--out", default=str(RESULTS), help="folder for latest.md / latest.csv")
    parser.add_argument(
        "--chart",
        default=None,
        help=f"PNG to draw (default: {CHART.relative_to(ROOT)} for the default --out, "
        "else scaling.png inside --out, so a partial run never replaces the docs' chart)",
    )
    parser.add_argument(
        "--build-only", action="store_true", help="only the build and hand-off table (written to build_only.md/.csv)"
    )
    parser.add_argument("--replot", action="store_true", help="redo latest.md and the chart from latest.csv/json")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    out = Path(args.out)
    if args.chart is None:
        args.chart = str(CHART if out.resolve() == RESULTS.resolve() else out / "scaling.png")
    if args.replot:
        rows = read_csv(out / "latest.csv")
        meta = json.loads((out / "latest.json").read_text())
        sizes = list(dict.fromkeys(r["size"] for r in rows))
        chart(rows, sizes, Path(args.chart))
        (out / "latest.md").write_text(markdown(rows, meta["machine"], sizes, meta["notes"]))
        return
    if args.quick:
        args.sizes, args.time_limit, args.repeats, args.levers = "S,M", 10.0, 1, "S"
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    limits = {s: args.time_limit for s in sizes}
    for item in filter(None, args.time_limits.split(",")):
        key, value = item.split("=")
        limits[key.strip()] = float(value)
    lever_sizes = {s.strip() for s in args.levers.split(",") if s.strip()}

    from benchmarks import pulp_cbc

    with_cbc = pulp_cbc.available()
    notes = []
    if not with_cbc:
        notes.append("PuLP is not installed, so the CBC column was skipped (`pip install pulp`).")
    info = machine()
    rows: list[dict[str, Any]] = []
    began = time.perf_counter()
    for size in sizes:
        rows += run_size(size, limits[size], args.repeats, size in lever_sizes, with_cbc, args.build_only)
    info["suite wall time"] = f"{(time.perf_counter() - began) / 60:.1f} min"
    info["load average at end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    out.mkdir(parents=True, exist_ok=True)
    if args.build_only:
        write_csv(rows, out / "build_only.csv")
        (out / "build_only.md").write_text(build_markdown(rows, info, sizes))
        log.info("wrote %s", out / "build_only.md")
        return
    write_csv(rows, out / "latest.csv")
    if chart(rows, sizes, Path(args.chart)):
        notes.append(
            f"Chart: {Path(args.chart).relative_to(ROOT) if Path(args.chart).is_relative_to(ROOT) else args.chart}"
        )
    (out / "latest.json").write_text(json.dumps({"machine": info, "notes": notes}, indent=2))
    (out / "latest.md").write_text(markdown(rows, info, sizes, notes))
    log.info("wrote %s and %s", out / "latest.md", out / "latest.csv")


if __name__ == "__main__":
    main()
