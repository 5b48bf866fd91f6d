"""Issue 7, item 3: can decomposition by nation prove a tighter bound than HiGHS's LP?

    python -m benchmarks.nation_bound --sizes S,M --iterations 0
    python -m benchmarks.nation_bound --sizes S --iterations 25      # + subgradient steps
    python -m benchmarks.nation_bound --stage /tmp/stages/stage_1.pkl  # a dumped reference stage

Nations are coupled only through joint programmes, critical-mass standards, any-nation
precedence and ALLIANCE targets. Dualising exactly those rows (Lagrangian relaxation)
leaves one small MIP per nation; the sum of their optima, plus the dualised rows' terms,
is a true upper bound for any multipliers of the right sign. At the LP relaxation's
duals it can only be at or below the LP bound; how far below is what nation-local
integrality (budget rows, lumpy multi-year spend: everything a nation decides alone) is
worth. Subgradient steps then move towards the Lagrangian dual, which equals the LP
over the convex hull of every nation's own plans: no valid inequality on a nation's own
rows (budget-row cuts included) can give a bound below it.

The matrix is the product's own (models.build_model, read by optimizer.solve.highs_model);
columns belong to the nation that is their first index, every other column (consortium
starts, standards in use, ALLIANCE shortfall) and every row touching two nations or such
a column is coupling. Writes benchmarks/results/nation_bound.md.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from optimizer.solve.engine.neighbourhoods import ColumnGroups
    from optimizer.solve.engine.problem import MipArrays

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
WEIGHTS = {"capability": 1.0, "shortfall": 10.0}


@dataclass
class Decomposition:
    """The model's matrix (row-wise triplets) split into nation blocks and coupling rows."""

    nations: list[str]
    cost: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    rows: np.ndarray  # row of each matrix entry
    cols: np.ndarray  # column of each matrix entry
    values: np.ndarray
    integer: np.ndarray  # bool per column
    col_block: np.ndarray  # nation index per column, -1 for coupling columns
    row_block: np.ndarray  # nation index per row, -1 for coupling rows
    offset: float = 0.0

    @property
    def coupling(self) -> np.ndarray:
        return self.row_block < 0


@dataclass
class Bound:
    """One evaluation of the Lagrangian bound, with the plan pieces that attain it."""

    value: float
    x: np.ndarray
    seconds: float
    subproblems_proven: bool  # every nation MIP closed (else its own dual bound was used)
    per_nation_seconds: dict[str, float] = field(default_factory=dict)


def decompose(highs: object, columns: list, nations: list[str]) -> Decomposition:
    """Split the maximisation model loaded in `highs` by nation (see the module docstring)."""
    import highspy

    lp = highs.getLp()  # type: ignore[attr-defined]
    if lp.sense_ != highspy.ObjSense.kMaximize:
        raise ValueError("the bound is written for a maximisation objective")
    matrix = lp.a_matrix_
    start, index = np.asarray(matrix.start_), np.asarray(matrix.index_)
    if matrix.format_ == highspy.MatrixFormat.kRowwise:
        rows, cols = np.repeat(np.arange(lp.num_row_), np.diff(start)), index
    else:
        cols, rows = np.repeat(np.arange(lp.num_col_), np.diff(start)), index
    position = {n: i for i, n in enumerate(nations)}
    col_block = np.array([_nation_of(v.index(), position) for v in columns], dtype=int)
    entry_block = col_block[cols]
    low = np.full(lp.num_row_, np.iinfo(np.int64).max)
    high = np.full(lp.num_row_, -1)
    np.minimum.at(low, rows, entry_block)
    np.maximum.at(high, rows, entry_block)
    row_block = np.where((low == high) & (low >= 0), low, -1)
    integrality = np.array([int(t) for t in lp.integrality_]) if len(lp.integrality_) else np.zeros(lp.num_col_)
    return Decomposition(
        nations,
        np.asarray(lp.col_cost_),
        np.asarray(lp.col_lower_),
        np.asarray(lp.col_upper_),
        np.asarray(lp.row_lower_),
        np.asarray(lp.row_upper_),
        rows,
        cols,
        np.asarray(matrix.value_),
        integrality == int(highspy.HighsVarType.kInteger),
        col_block,
        row_block,
        float(lp.offset_),
    )


def _nation_of(index: object, position: dict[str, int]) -> int:
    return position.get(index[0], -1) if isinstance(index, tuple) and index else -1


def decompose_stage(arrays: MipArrays, groups: ColumnGroups) -> tuple[Decomposition, float]:
    """A dumped engine stage (`benchmarks.stage_probe dump`: the MIP as HiGHS holds it and its
    column groups) split by nation, in maximise space; returns it and the sign that turns its
    values back (−1 for a minimising stage such as cost).

    Only the decision columns (starts, joins, adoptions) carry their nation; every other
    column takes the nation of the rows it sits in, when each of them that has a labelled
    column names one nation alone (spend, balances, capability levels), repeated until
    nothing changes. What is left (consortium starts, standards in use, ALLIANCE shortfall)
    forms one more block, "shared"; a row touching two blocks is coupling."""
    a, g = arrays, groups
    n, m = a.columns, len(a.row_lower)
    cols = np.repeat(np.arange(n), np.diff(a.starts))
    rows = a.index.astype(int)
    nations = list(g.nations)
    position = {code: i for i, code in enumerate(nations)}
    block = np.array([position.get(code, -1) if code else -1 for code in g.nation])
    items = g.item if g.item is not None else np.full(n, "", dtype=object)
    shared_decision = (items != "") & (g.nation == "")
    while True:
        labelled = block[cols] >= 0
        low, high = np.full(m, np.iinfo(np.int64).max), np.full(m, -1)
        np.minimum.at(low, rows[labelled], block[cols][labelled])
        np.maximum.at(high, rows[labelled], block[cols][labelled])
        row_nation = np.where(high < 0, -3, np.where(low == high, low, -2))  # -3: no label yet, -2: several
        informative = ~labelled & (row_nation[rows] != -3)
        c_low, c_high = np.full(n, np.iinfo(np.int64).max), np.full(n, -5)
        np.minimum.at(c_low, cols[informative], row_nation[rows][informative])
        np.maximum.at(c_high, cols[informative], row_nation[rows][informative])
        newly = (block < 0) & (c_low == c_high) & (c_low >= 0) & ~shared_decision
        if not newly.any():
            break
        block[newly] = c_low[newly]
    # the columns left unlabelled are one more block ("shared"), so none is free at an infinite bound
    block = np.where(block < 0, len(nations), block)
    entry = block[cols]
    low, high = np.full(m, np.iinfo(np.int64).max), np.full(m, np.iinfo(np.int64).min)
    np.minimum.at(low, rows, entry)
    np.maximum.at(high, rows, entry)
    row_block = np.where(low == high, low, -1)
    sign = 1.0 if a.maximise else -1.0
    d = Decomposition(
        nations + ["shared"],
        sign * a.cost,
        a.col_lower,
        a.col_upper,
        a.row_lower,
        a.row_upper,
        rows,
        cols,
        a.values,
        a.integer,
        block,
        row_block,
        sign * a.offset,
    )
    return d, sign


def stage_bound(path: Path, nation_time_limit: float) -> dict:
    """The LP bound and the Lagrangian bound at the LP's duals of one dumped stage."""
    import pickle

    import highspy

    with open(path, "rb") as handle:
        arrays, _, groups = pickle.load(handle)
    d, sign = decompose_stage(arrays, groups)
    highs = arrays.highs(relax=True)
    started = time.perf_counter()
    highs.run()
    lp_seconds = time.perf_counter() - started
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError("LP relaxation not solved")
    duals = sign * np.asarray(highs.getSolution().row_dual)  # the duals of the maximise-space rows
    lp = highs.getInfo().objective_function_value
    check = lagrangian_bound(d, duals, integer=False)
    at_duals = lagrangian_bound(d, duals, integer=True, time_limit=nation_time_limit)
    return {
        "stage": path.name,
        "coupling_rows": int(d.coupling.sum()),
        "rows": len(d.row_block),
        "lp": lp,
        "lp_seconds": lp_seconds,
        "relaxed_check": sign * check.value,
        "at_duals": sign * at_duals.value,
        "at_duals_seconds": at_duals.seconds,
        "proven": at_duals.subproblems_proven,
    }


def lp_duals(highs: object) -> tuple[float, np.ndarray]:
    """The LP relaxation's optimum and row duals (interior point: 4–6× faster here).
    Relaxes the model held by `highs` in place: load a fresh one to solve the MIP."""
    import highspy

    lp = highs.getLp()  # type: ignore[attr-defined]
    n = lp.num_col_
    highs.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.zeros(n, dtype=np.uint8))  # type: ignore[attr-defined]
    highs.setOptionValue("solver", "ipm")  # type: ignore[attr-defined]
    highs.run()  # type: ignore[attr-defined]
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:  # type: ignore[attr-defined]
        raise RuntimeError("LP relaxation not solved")
    return highs.getInfo().objective_function_value, np.asarray(highs.getSolution().row_dual)  # type: ignore[attr-defined]


def valid_multipliers(d: Decomposition, y: np.ndarray) -> np.ndarray:
    """Zero outside coupling rows; y > 0 only on rows with an upper bound, y < 0 only on rows
    with a lower bound — the signs for which y·(A x) ≤ Σ y·(bound) holds for every plan."""
    y = np.where(d.coupling, y, 0.0)
    y = np.where((y > 0) & ~np.isfinite(d.row_upper), 0.0, y)
    return np.where((y < 0) & ~np.isfinite(d.row_lower), 0.0, y)


def lagrangian_bound(d: Decomposition, y: np.ndarray, integer: bool = True, time_limit: float = 60.0) -> Bound:
    """max c·x ≤ Σ_i y_i·bound_i + Σ_blocks max (c − yA)·x_block over each block's own rows.

    With `integer` each nation's block is a MIP (its own proven dual bound is used, so a
    nation that does not close in `time_limit` still gives a true bound); without, an LP,
    which at the LP's optimal duals reproduces the LP optimum (a check of the signs).
    """
    began = time.perf_counter()
    y = valid_multipliers(d, y)
    priced = np.zeros(len(d.cost))
    np.add.at(priced, d.cols, d.values * y[d.rows])
    reduced = d.cost - priced
    rhs = np.where(
        y > 0,
        y * np.where(np.isfinite(d.row_upper), d.row_upper, 0.0),
        y * np.where(np.isfinite(d.row_lower), d.row_lower, 0.0),
    )
    total = d.offset + float(rhs.sum())
    x = np.where(reduced > 0, d.col_upper, d.col_lower)
    free = d.col_block < 0
    total += float(reduced[free] @ x[free])
    proven, seconds = True, {}
    for block, nation in enumerate(d.nations):
        started = time.perf_counter()
        value, plan, closed = _solve_block(d, block, reduced, integer, time_limit)
        seconds[nation] = time.perf_counter() - started
        total += value
        x[d.col_block == block] = plan
        proven = proven and closed
    return Bound(total, x, time.perf_counter() - began, proven, seconds)


def _solve_block(
    d: Decomposition, block: int, reduced: np.ndarray, integer: bool, time_limit: float
) -> tuple[float, np.ndarray, bool]:
    """One nation's MIP (or LP) over its own rows: (its dual bound, its plan, closed?)."""
    import highspy

    cols = np.flatnonzero(d.col_block == block)
    rows = np.flatnonzero(d.row_block == block)
    if cols.size == 0:
        return 0.0, np.zeros(0), True
    col_pos = np.full(len(d.cost), -1)
    col_pos[cols] = np.arange(cols.size)
    row_pos = np.full(len(d.row_block), -1)
    row_pos[rows] = np.arange(rows.size)
    mine = d.row_block[d.rows] == block
    r, c, v = row_pos[d.rows[mine]], col_pos[d.cols[mine]], d.values[mine]
    order = np.lexsort((c, r))
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = int(cols.size), int(rows.size)
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = reduced[cols], d.col_lower[cols], d.col_upper[cols]
    lp.row_lower_, lp.row_upper_ = d.row_lower[rows], d.row_upper[rows]
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.searchsorted(r[order], np.arange(rows.size + 1))
    lp.a_matrix_.index_ = c[order]
    lp.a_matrix_.value_ = v[order]
    if integer:
        kinds = {True: highspy.HighsVarType.kInteger, False: highspy.HighsVarType.kContinuous}
        lp.integrality_ = [kinds[bool(k)] for k in d.integer[cols]]
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    highs.setOptionValue("time_limit", float(time_limit))
    highs.setOptionValue("mip_rel_gap", 1e-6)
    highs.passModel(lp)
    highs.run()
    info = highs.getInfo()
    closed = highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
    value = info.mip_dual_bound if integer else info.objective_function_value
    return float(value), np.asarray(highs.getSolution().col_value), closed


def subgradient(
    d: Decomposition, start: Bound, target: float, iterations: int, time_limit: float, y: np.ndarray
) -> list[Bound]:
    """Polyak steps towards the Lagrangian dual: y ← y − θ·(L(y) − target)/‖g‖²·g, θ shrinking
    by 0.7 after every step that does not improve the best bound. Each step is a true bound."""
    history, best, theta, current = [], start.value, 1.0, start
    y = valid_multipliers(d, y)
    for _ in range(iterations):
        activity = np.zeros(len(d.row_block))
        np.add.at(activity, d.rows, d.values * current.x[d.cols])
        slack_side = np.where(
            y > 0, d.row_upper, np.where(y < 0, d.row_lower, np.clip(activity, d.row_lower, d.row_upper))
        )
        g = np.where(d.coupling, np.nan_to_num(slack_side - activity, posinf=0.0, neginf=0.0), 0.0)
        norm = float(g @ g)
        if norm == 0.0:
            break
        y = valid_multipliers(d, y - theta * (current.value - target) / norm * g)
        current = lagrangian_bound(d, y, True, time_limit)
        history.append(current)
        if current.value < best:
            best = current.value
        else:
            theta *= 0.7
    return history


def measure(size: str, hard_caps: bool, iterations: int, target: float | None, time_limit: float) -> dict:
    """LP bound, Lagrangian bound at the LP duals and after subgradient steps, for one instance."""
    import highspy

    from benchmarks.instances import generate
    from models import build_model
    from optimizer.solve.highs_model import HighsModel
    from optimizer.solve.objectives import set_objective, weighted_expression

    inputs = generate(size, 1, hard_caps)
    model = build_model(inputs)
    set_objective(model, weighted_expression(model, WEIGHTS), "max")
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    mirror = HighsModel(model, highs)
    d = decompose(highs, mirror.columns, [n.code for n in inputs.nations])
    started = time.perf_counter()
    lp_value, duals = lp_duals(highs)
    lp_seconds = time.perf_counter() - started
    relaxed = lagrangian_bound(d, duals, integer=False)
    at_duals = lagrangian_bound(d, duals, integer=True, time_limit=time_limit)
    steps = subgradient(d, at_duals, target, iterations, time_limit, duals) if iterations and target else []
    best = min([at_duals] + steps, key=lambda b: b.value)
    return {
        "size": size,
        "caps": "hard" if hard_caps else "mixed",
        "coupling_rows": int(d.coupling.sum()),
        "rows": len(d.row_block),
        "lp": lp_value,
        "lp_seconds": lp_seconds,
        "relaxed_check": relaxed.value,
        "at_duals": at_duals.value,
        "at_duals_seconds": at_duals.seconds,
        "proven": at_duals.subproblems_proven,
        "slowest_nation_seconds": max(at_duals.per_nation_seconds.values()),
        "steps": len(steps),
        "best": best.value,
        "target": target,
    }


def markdown(rows: list[dict], info: dict[str, str]) -> str:
    """The results table, headed by the machine it ran on (`run_suite.machine()`)."""
    machine = "; ".join(f"{k}: {v}" for k, v in info.items())
    head = (
        f"Machine — {machine}\n\n"
        "| size | caps | coupling rows | LP bound (ipm) | Lagrangian at LP duals | nation MIPs | "
        "after subgradient | best plan known | LP → best Lagrangian |\n|---|---|---:|---:|---:|---:|---:|---:|---:|"
    )
    lines = [head]
    for r in rows:
        after = f"{r['best']:,.1f} ({r['steps']} steps)" if r["steps"] else "—"
        target = f"{r['target']:,.1f}" if r["target"] else "—"
        lines.append(
            f"| {r['size']} | {r['caps']} | {r['coupling_rows']:,} of {r['rows']:,} | {r['lp']:,.1f} ({r['lp_seconds']:.1f} s) "
            f"| {r['at_duals']:,.1f} | {r['at_duals_seconds']:.1f} s{'' if r['proven'] else ' (not all closed)'} "
            f"| {after} | {target} | −{(r['lp'] - r['best']) / r['lp']:.2%} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="S,M")
    parser.add_argument("--hard-caps", action="store_true")
    parser.add_argument("--iterations", type=int, default=0, help="subgradient steps after the LP duals")
    parser.add_argument(
        "--target",
        action="append",
        default=[],
        metavar="SIZE=VALUE",
        help="best plan known (Polyak step target), e.g. S=33617",
    )
    parser.add_argument("--nation-time-limit", type=float, default=60.0)
    parser.add_argument("--out", type=Path, default=RESULTS / "nation_bound.md")
    parser.add_argument(
        "--stage",
        type=Path,
        action="append",
        default=[],
        help="a stage dumped by `benchmarks.stage_probe dump` (repeatable): its LP bound and "
        "Lagrangian bound at the LP duals, printed; --sizes is then ignored",
    )
    args = parser.parse_args(argv)
    if args.stage:
        for path in args.stage:
            print(stage_bound(path, args.nation_time_limit), flush=True)
        return
    targets = {k: float(v) for k, _, v in (t.partition("=") for t in args.target)}
    from benchmarks.run_suite import machine

    info = machine()
    rows = []
    for size in args.sizes.split(","):
        row = measure(size, args.hard_caps, args.iterations, targets.get(size), args.nation_time_limit)
        print(row, flush=True)
        rows.append(row)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(markdown(rows, info))
    print(markdown(rows, info))


if __name__ == "__main__":
    main()
