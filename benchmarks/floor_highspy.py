"""The floor: MODEL.md built straight into HiGHS from numpy arrays, with no modelling layer.

Whatever a modelling layer costs is measured against this: the same columns, the same rows
(family by family, as `models/` builds them), assembled as COO triplets with vectorised
numpy, compressed to CSC (numpy only: scipy is not a capopt dependency) and handed over
in one `passModel` call. No names, no expression objects, no files. It is also a second, independent build of MODEL.md, so the
benchmark can hold our Pyomo model against it (same optimal objective on small instances)
and PuLP/CBC can be fed exactly the same matrix (`benchmarks.pulp_cbc`).

    from benchmarks.floor_highspy import build_matrix, to_highs
    mm = build_matrix(inputs, weights={"capability": 1, "shortfall": 10})
    highs = to_highs(mm)            # a highspy.Highs holding the model, ready to run()
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from data.tables import (
    ALLIANCE,
    AREA_OBJECTIVE_PREFIX,
    Inputs,
    JointDecision,
    PlanDecisions,
    objective_sense,
)

INF = np.inf
DEFAULT_WEIGHTS = {"capability": 1.0, "shortfall": 10.0}


@dataclass
class MatrixModel:
    """A MIP as arrays: maximise `objective`·x s.t. row_lower ≤ A x ≤ row_upper, bounds, integrality.

    `blocks` maps a variable family to its column slice; `keys` holds, per family, the
    index tuples (nation, programme, year, …) of its columns, for decoding a solution.
    `objectives` holds every named MODEL.md objective as a dense vector (their own sense).
    """

    A: CscMatrix
    row_lower: np.ndarray
    row_upper: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    integer: np.ndarray  # bool per column
    objective: np.ndarray  # the weighted objective, to maximise
    objectives: dict[str, np.ndarray]
    blocks: dict[str, slice]
    keys: dict[str, list[tuple]]
    row_families: dict[str, slice] = field(default_factory=dict)

    @property
    def num_cols(self) -> int:
        return int(self.col_lower.size)

    @property
    def num_rows(self) -> int:
        return int(self.row_lower.size)


@dataclass
class CscMatrix:
    """A compressed-sparse-column matrix: the layout HiGHS takes, built without scipy."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    shape: tuple[int, int]

    @property
    def nnz(self) -> int:
        return int(self.data.size)

    @classmethod
    def from_coo(cls, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, shape: tuple[int, int]) -> CscMatrix:
        """Duplicates summed, explicit zeros dropped, rows sorted within each column."""
        nrows, ncols = shape
        key = cols.astype(np.int64) * max(nrows, 1) + rows.astype(np.int64)
        order = np.argsort(key, kind="stable")
        key, vals = key[order], vals[order]
        uniq, first = np.unique(key, return_index=True)
        summed = np.add.reduceat(vals, first) if key.size else np.zeros(0)
        keep = summed != 0
        uniq, summed = uniq[keep], summed[keep]
        col = uniq // max(nrows, 1)
        indptr = np.zeros(ncols + 1, dtype=np.int64)
        np.add.at(indptr, col + 1, 1)
        return cls(np.cumsum(indptr), (uniq % max(nrows, 1)).astype(np.int64), summed.astype(float), shape)

    def rows(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The same entries row by row: (row pointers, column indices, values) — CSR."""
        nrows, ncols = self.shape
        col = np.repeat(np.arange(ncols), np.diff(self.indptr))
        order = np.lexsort((col, self.indices))
        indptr = np.zeros(nrows + 1, dtype=np.int64)
        np.add.at(indptr, self.indices + 1, 1)
        return np.cumsum(indptr), col[order], self.data[order]


class _Rows:
    """Collects rows as COO triplets, one family at a time."""

    def __init__(self) -> None:
        self.rows: list[np.ndarray] = []
        self.cols: list[np.ndarray] = []
        self.vals: list[np.ndarray] = []
        self.lower: list[np.ndarray] = []
        self.upper: list[np.ndarray] = []
        self.count = 0
        self.families: dict[str, slice] = {}

    def add(
        self, name: str, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, lower: np.ndarray, upper: np.ndarray
    ) -> None:
        """A family of `len(lower)` rows; `rows` are local (0-based within the family)."""
        n = len(lower)
        self.rows.append(np.asarray(rows, dtype=np.int64) + self.count)
        self.cols.append(np.asarray(cols, dtype=np.int64))
        self.vals.append(np.asarray(vals, dtype=float))
        self.lower.append(np.asarray(lower, dtype=float))
        self.upper.append(np.asarray(upper, dtype=float))
        self.families[name] = slice(self.count, self.count + n)
        self.count += n


def _expand(starts: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For items i with lengths L_i: (item index, offset k) for k in 0..L_i−1, flattened."""
    item = np.repeat(np.arange(len(lengths)), lengths)
    first = np.repeat(np.cumsum(lengths) - lengths, lengths)
    return item, np.arange(item.size) - first


class _Index:
    """Column numbering for every variable family of MODEL.md, built from the sparse windows."""

    def __init__(self, inputs: Inputs) -> None:
        s = inputs.settings
        self.inputs = inputs
        self.y0, self.nyears = s.first_year, len(inputs.years)
        self.nations = [n.code for n in inputs.nations]
        self.nation_ix = {c: i for i, c in enumerate(self.nations)}
        self.N = len(self.nations)
        progs = inputs.programmes
        self.P = len(progs)
        self.prog_ix = {p.id: j for j, p in enumerate(progs)}
        self.dur = np.array([p.duration_years for p in progs], dtype=np.int64)
        dmax = int(self.dur.max()) if self.P else 1
        self.cost = np.zeros((self.P, dmax))
        self.ppc = np.zeros((self.P, dmax))
        for j, p in enumerate(progs):
            self.cost[j, : p.duration_years] = [p.cost_in_offset(k) for k in range(p.duration_years)]
            self.ppc[j, : p.duration_years] = [p.per_participant_cost_in_offset(k) for k in range(p.duration_years)]
        self.joint = np.array([p.is_joint for p in progs], dtype=bool)
        self.starts = [np.array(inputs.allowed_starts(p), dtype=np.int64) for p in progs]
        self.eligible = [
            np.array([self.nation_ix[c] for c in inputs.eligible_nations(p)], dtype=np.int64) for p in progs
        ]
        self.col = 0
        self.blocks: dict[str, slice] = {}
        self._fund_columns()
        self._other_columns()

    def _block(self, name: str, size: int) -> int:
        first = self.col
        self.blocks[name] = slice(first, first + size)
        self.col += size
        return first

    def _fund_columns(self) -> None:
        """x[n,p,t] (national) and w[n,p,t] (joint) share one block: both say "n funds p from t"."""
        ns, ps, ts, bases = [], [], [], np.zeros(self.P, dtype=np.int64)
        self.pos = np.full((self.N, self.P), -1, dtype=np.int64)
        total = 0
        for j in range(self.P):
            e, st = self.eligible[j], self.starts[j]
            bases[j] = total
            if st.size == 0:
                continue
            self.pos[e, j] = np.arange(e.size)
            ns.append(np.repeat(e, st.size))
            ps.append(np.full(e.size * st.size, j))
            ts.append(np.tile(st, e.size))
            total += e.size * st.size
        cat = lambda xs: np.concatenate(xs) if xs else np.zeros(0, dtype=np.int64)
        self.fund_n, self.fund_p, self.fund_t = cat(ns), cat(ps), cat(ts)
        self.fund0 = self._block("fund", total)
        self.fund_base = bases + self.fund0
        self.nstarts = np.array([st.size for st in self.starts], dtype=np.int64)

    def fund_cols(self, n: int, j: int) -> tuple[np.ndarray, np.ndarray]:
        """(columns, start years) by which nation n funds programme j (empty if it cannot)."""
        k = self.pos[n, j]
        if k < 0 or self.nstarts[j] == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        first = self.fund_base[j] + k * self.nstarts[j]
        return np.arange(first, first + self.nstarts[j]), self.starts[j]

    def _other_columns(self) -> None:
        inputs, Y = self.inputs, self.nyears
        # z[p,t]
        zj = [np.full(self.starts[j].size, j) for j in range(self.P) if self.joint[j]]
        zt = [self.starts[j] for j in range(self.P) if self.joint[j]]
        self.z_p = np.concatenate(zj) if zj else np.zeros(0, dtype=np.int64)
        self.z_t = np.concatenate(zt) if zt else np.zeros(0, dtype=np.int64)
        self.z0 = self._block("z", self.z_p.size)
        self.z_of = np.full((self.P, Y), -1, dtype=np.int64)
        self.z_of[self.z_p, self.z_t - self.y0] = self.z0 + np.arange(self.z_p.size)
        # f[n,p,τ] over years in which some allowed start spends
        fn, fp, fy = [], [], []
        self.spending: dict[int, np.ndarray] = {}
        for j in np.flatnonzero(self.joint):
            st, d = self.starts[j], self.dur[j]
            paying = np.flatnonzero(self.cost[j, :d] > 0)
            years = np.unique((st[:, None] + paying[None, :]).ravel()) if st.size else np.zeros(0, np.int64)
            self.spending[j] = years
            e = self.eligible[j]
            fn.append(np.repeat(e, years.size))
            fp.append(np.full(e.size * years.size, j))
            fy.append(np.tile(years, e.size))
        cat = lambda xs: np.concatenate(xs).astype(np.int64) if xs else np.zeros(0, dtype=np.int64)
        self.f_n, self.f_p, self.f_y = cat(fn), cat(fp), cat(fy)
        self.f0 = self._block("f", self.f_n.size)
        self.f_of = np.full((self.N, self.P, Y), -1, dtype=np.int64)
        self.f_of[self.f_n, self.f_p, self.f_y - self.y0] = self.f0 + np.arange(self.f_n.size)
        # a[n,s,t] for every n, s, t (as in the Pyomo model)
        self.S = len(inputs.standards)
        self.a0 = self._block("a", self.N * self.S * Y)
        # v[s] for critical standards
        self.critical = [i for i, s in enumerate(inputs.standards) if s.min_adopters > 1]
        self.v0 = self._block("v", len(self.critical))
        # bal, lapse for banking nations
        self.banking = [i for i, n in enumerate(inputs.nations) if n.carry_over_fraction > 0 or n.borrow_fraction > 0]
        self.bal0 = self._block("bal", len(self.banking) * Y)
        self.lapse0 = self._block("lapse", len(self.banking) * Y)
        self.short0 = self._block("short", len(inputs.targets))

    def a_col(self, n: np.ndarray | int, s: np.ndarray | int, year_offset: np.ndarray | int) -> np.ndarray:
        return self.a0 + (np.asarray(n) * self.S + np.asarray(s)) * self.nyears + np.asarray(year_offset)


def build_matrix(inputs: Inputs, weights: Mapping[str, float] | None = None) -> MatrixModel:
    """Every column and row of MODEL.md for `inputs`, plus the weighted objective (maximised)."""
    ix = _Index(inputs)
    rows = _Rows()
    spend = _spend_entries(ix)
    _once(ix, rows)
    _consortium(ix, rows)
    _burden_sharing(ix, rows)
    _budget(ix, rows, spend)
    _precedence(ix, rows)
    _exclusive_groups(ix, rows)
    _capacity(ix, rows)
    _standards_compliance(ix, rows)
    _critical_mass(ix, rows)
    _commitments(ix, rows)
    _capability_targets(ix, rows)
    ncol = ix.col
    r = np.concatenate(rows.rows) if rows.rows else np.zeros(0, np.int64)
    c = np.concatenate(rows.cols) if rows.cols else np.zeros(0, np.int64)
    v = np.concatenate(rows.vals) if rows.vals else np.zeros(0)
    A = CscMatrix.from_coo(r, c, v, (rows.count, ncol))

    lower, upper, integer = _bounds(ix)
    objectives = _objectives(ix, spend)
    weights = DEFAULT_WEIGHTS if weights is None else weights
    objective = np.zeros(ncol)
    for name, w in weights.items():
        if w:
            objective += (1 if objective_sense(name) == "max" else -1) * w * objectives[name]
    return MatrixModel(
        A=A,
        row_lower=np.concatenate(rows.lower),
        row_upper=np.concatenate(rows.upper),
        col_lower=lower,
        col_upper=upper,
        integer=integer,
        objective=objective,
        objectives=objectives,
        blocks=dict(ix.blocks),
        keys={"index": [ix]},  # kept for decoding; see decode()
        row_families=rows.families,
    )


def _bounds(ix: _Index) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = ix.col
    lower, upper = np.zeros(n), np.full(n, INF)
    integer = np.zeros(n, dtype=bool)
    for name in ("fund", "z", "a", "v"):
        b = ix.blocks[name]
        upper[b] = 1.0
        integer[b] = True
    lower[ix.blocks["bal"]] = -INF
    return lower, upper, integer


# --- spend (family 4's left-hand side, reused by the cost and risk objectives) -------------


@dataclass
class _Spend:
    """spend[n,τ] as COO: row = n·Y + (τ − y0)."""

    row: np.ndarray
    col: np.ndarray
    val: np.ndarray


def _spend_entries(ix: _Index) -> _Spend:
    Y, y0 = ix.nyears, ix.y0
    rows, cols, vals = [], [], []
    # fund columns spend cost_p[k] (national) or ppc_p[k] (joint) in year t+k
    item, k = _expand(np.arange(ix.fund_n.size), ix.dur[ix.fund_p])
    p = ix.fund_p[item]
    per_year = np.where(ix.joint[p], ix.ppc[p, k], ix.cost[p, k])
    keep = per_year != 0
    rows.append(ix.fund_n[item][keep] * Y + (ix.fund_t[item] + k - y0)[keep])
    cols.append((ix.fund0 + item)[keep])
    vals.append(per_year[keep])
    # joint payments
    rows.append(ix.f_n * Y + ix.f_y - y0)
    cols.append(ix.f0 + np.arange(ix.f_n.size))
    vals.append(np.ones(ix.f_n.size))
    # adoption costs in the adoption year
    cost = np.array([s.adoption_cost for s in ix.inputs.standards])
    n, s, t = np.meshgrid(np.arange(ix.N), np.arange(ix.S), np.arange(Y), indexing="ij")
    n, s, t = n.ravel(), s.ravel(), t.ravel()
    keep = cost[s] != 0 if ix.S else np.zeros(0, bool)
    rows.append(n[keep] * Y + t[keep])
    cols.append(ix.a_col(n, s, t)[keep])
    vals.append(cost[s][keep])
    return _Spend(np.concatenate(rows), np.concatenate(cols), np.concatenate(vals))


# --- constraint families (MODEL.md numbering) ----------------------------------------------


def _group_rows(keys: np.ndarray) -> tuple[np.ndarray, int]:
    """Local row numbers for entries grouped by an integer key (one row per distinct key)."""
    uniq, inv = np.unique(keys, return_inverse=True)
    return inv, uniq.size


def _once(ix: _Index, rows: _Rows) -> None:
    national = ~ix.joint[ix.fund_p]
    cols = ix.fund0 + np.flatnonzero(national)
    r, n = _group_rows(ix.fund_n[national] * ix.P + ix.fund_p[national])
    rows.add("once_national", r, cols, np.ones(cols.size), np.full(n, -INF), np.ones(n))
    r, n = _group_rows(ix.z_p)
    rows.add("once_joint", r, ix.z0 + np.arange(ix.z_p.size), np.ones(ix.z_p.size), np.full(n, -INF), np.ones(n))
    na = ix.N * ix.S
    r = np.repeat(np.arange(na), ix.nyears)
    rows.add("once_adoption", r, ix.a0 + np.arange(na * ix.nyears), np.ones(r.size), np.full(na, -INF), np.ones(na))


def _consortium(ix: _Index, rows: _Rows) -> None:
    joint = np.flatnonzero(ix.joint[ix.fund_p])
    wcols = ix.fund0 + joint
    zcols = ix.z_of[ix.fund_p[joint], ix.fund_t[joint] - ix.y0]
    m = joint.size
    r = np.arange(m)
    rows.add(
        "consortium_member",
        np.concatenate([r, r]),
        np.concatenate([wcols, zcols]),
        np.concatenate([np.ones(m), -np.ones(m)]),
        np.full(m, -INF),
        np.zeros(m),
    )
    nz = ix.z_p.size
    zlocal = zcols - ix.z0  # the consortium row of each membership column
    progs = ix.inputs.programmes
    size_min = np.array([progs[j].min_participants for j in ix.z_p], dtype=float)
    size_max = np.array(
        [progs[j].max_participants if progs[j].max_participants is not None else ix.eligible[j].size for j in ix.z_p],
        dtype=float,
    )
    zr = np.arange(nz)
    for name, size, lo, hi in (
        ("consortium_min", size_min, np.zeros(nz), np.full(nz, INF)),
        ("consortium_max", size_max, np.full(nz, -INF), np.zeros(nz)),
    ):
        rows.add(
            name,
            np.concatenate([zlocal, zr]),
            np.concatenate([wcols, ix.z0 + zr]),
            np.concatenate([np.ones(m), -size]),
            lo,
            hi,
        )


def _burden_sharing(ix: _Index, rows: _Rows) -> None:
    Y, y0 = ix.nyears, ix.y0
    # consortium_pays[p,τ]: one row per (p, spending year)
    pairs = np.concatenate([j * Y + ix.spending[j] - y0 for j in ix.spending]) if ix.spending else np.zeros(0, np.int64)
    row_of = np.full(ix.P * Y, -1, dtype=np.int64)
    row_of[pairs] = np.arange(pairs.size)
    f_cols = ix.f0 + np.arange(ix.f_n.size)
    item, k = _expand(np.arange(ix.z_p.size), ix.dur[ix.z_p])
    zc = ix.cost[ix.z_p[item], k]
    keep = zc > 0
    z_rows = row_of[ix.z_p[item] * Y + ix.z_t[item] + k - y0][keep]
    rows.add(
        "consortium_pays",
        np.concatenate([row_of[ix.f_p * Y + ix.f_y - y0], z_rows]),
        np.concatenate([f_cols, (ix.z0 + item)[keep]]),
        np.concatenate([np.ones(f_cols.size), -zc[keep]]),
        np.zeros(pairs.size),
        np.zeros(pairs.size),
    )
    # pay_while_member[n,p,τ]: one row per payment column
    joint = np.flatnonzero(ix.joint[ix.fund_p])
    item, k = _expand(joint, ix.dur[ix.fund_p[joint]])
    w = joint[item]
    wc = ix.cost[ix.fund_p[w], k]
    keep = wc > 0
    w = w[keep]
    target = ix.f_of[ix.fund_n[w], ix.fund_p[w], ix.fund_t[w] + k[keep] - y0] - ix.f0
    nf = ix.f_n.size
    rows.add(
        "pay_while_member",
        np.concatenate([np.arange(nf), target]),
        np.concatenate([f_cols, ix.fund0 + w]),
        np.concatenate([np.ones(nf), -wc[keep]]),
        np.full(nf, -INF),
        np.zeros(nf),
    )
    # min_share[n,p]
    progs = ix.inputs.programmes
    least = np.array([p.min_share * p.total_cost if p.is_joint else 0.0 for p in progs])
    shared = least > 0
    fkeep = shared[ix.f_p]
    wkeep = shared[ix.fund_p[joint]]
    keys_f = ix.f_n[fkeep] * ix.P + ix.f_p[fkeep]
    keys_w = ix.fund_n[joint][wkeep] * ix.P + ix.fund_p[joint][wkeep]
    uniq = np.unique(keys_w)  # only pairs with a membership variable get a row
    rf = np.searchsorted(uniq, keys_f)
    ok = (
        (rf < uniq.size) & (uniq[np.minimum(rf, max(uniq.size - 1, 0))] == keys_f)
        if uniq.size
        else np.zeros(keys_f.size, bool)
    )
    rw = np.searchsorted(uniq, keys_w)
    rows.add(
        "min_share",
        np.concatenate([rf[ok], rw]),
        np.concatenate([f_cols[fkeep][ok], ix.fund0 + joint[wkeep]]),
        np.concatenate([np.ones(int(ok.sum())), -least[ix.fund_p[joint][wkeep]]]),
        np.zeros(uniq.size),
        np.full(uniq.size, INF),
    )


def _budget(ix: _Index, rows: _Rows, spend: _Spend) -> None:
    inputs, Y = ix.inputs, ix.nyears
    budget = np.array([[inputs.budget(n, t) for t in inputs.years] for n in ix.nations]).reshape(-1)
    banking = np.zeros(ix.N, dtype=bool)
    banking[ix.banking] = True
    # use-or-lose nations: spend ≤ budget
    plain = np.flatnonzero(~banking)
    row_of = np.full(ix.N * Y, -1, dtype=np.int64)
    plain_rows = (plain[:, None] * Y + np.arange(Y)[None, :]).ravel()
    row_of[plain_rows] = np.arange(plain_rows.size)
    keep = row_of[spend.row] >= 0
    rows.add(
        "spend_within_budget",
        row_of[spend.row[keep]],
        spend.col[keep],
        spend.val[keep],
        np.full(plain_rows.size, -INF),
        budget[plain_rows],
    )
    if not ix.banking:
        return
    nb = len(ix.banking)
    bank_pos = np.full(ix.N, -1, dtype=np.int64)
    bank_pos[ix.banking] = np.arange(nb)
    row_of = np.full(ix.N * Y, -1, dtype=np.int64)
    bank_rows = (np.array(ix.banking)[:, None] * Y + np.arange(Y)[None, :]).ravel()
    row_of[bank_rows] = np.arange(bank_rows.size)
    keep = row_of[spend.row] >= 0
    local = np.arange(nb * Y)
    bal = ix.bal0 + local
    lapse = ix.lapse0 + local
    prev = local[(local % Y) > 0]
    rows.add(
        "budget_balance",
        np.concatenate([row_of[spend.row[keep]], local, local, prev]),
        np.concatenate([spend.col[keep], bal, lapse, ix.bal0 + prev - 1]),
        np.concatenate([spend.val[keep], np.ones(nb * Y), np.ones(nb * Y), -np.ones(prev.size)]),
        budget[bank_rows],
        budget[bank_rows],
    )
    carry = np.array([inputs.nations[i].carry_over_fraction for i in ix.banking])
    borrow = np.array([inputs.nations[i].borrow_fraction for i in ix.banking])
    cap = np.repeat(carry, Y) * budget[bank_rows]
    rows.add("carry_over_cap", local, bal, np.ones(nb * Y), np.full(nb * Y, -INF), cap)
    next_budget = np.zeros(nb * Y)
    t = local % Y
    inner = t < Y - 1
    next_budget[inner] = budget[bank_rows[inner] + 1]
    floor = -np.repeat(borrow, Y) * next_budget
    floor[~inner] = 0.0
    rows.add("borrow_floor", local, bal, np.ones(nb * Y), floor, np.full(nb * Y, INF))


def _completed_cols(ix: _Index, j: int, nations: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Funding columns (and start years) of programme j over the given nations."""
    cols, years = [], []
    for n in nations:
        c, t = ix.fund_cols(int(n), j)
        cols.append(c)
        years.append(t)
    if not cols:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(cols), np.concatenate(years)


def _precedence(ix: _Index, rows: _Rows) -> None:
    """S[n,q,t] ≤ K[·,p,t−1] at each allowed start t of q (K: start ≤ t − d_p)."""
    by_scope: dict[str, tuple[list, list, list]] = {"same_nation": ([], [], []), "any_nation": ([], [], [])}
    counts = {"same_nation": 0, "any_nation": 0}
    for rule in ix.inputs.precedences:
        p, q = ix.prog_ix[rule.before], ix.prog_ix[rule.after]
        d = ix.dur[p]
        r_list, c_list, v_list = by_scope[rule.scope]
        if rule.scope == "any_nation":
            if ix.joint[p]:
                zc = ix.z_of[p, ix.starts[p] - ix.y0]
                done_cols, done_t = zc, ix.starts[p]
            else:
                done_cols, done_t = _completed_cols(ix, p, ix.eligible[p])
        for n in ix.eligible[q]:
            fund, starts = ix.fund_cols(int(n), q)
            if fund.size == 0:
                continue
            if rule.scope == "same_nation":
                done_cols, done_t = ix.fund_cols(int(n), p)
            base = counts[rule.scope]
            k = fund.size
            # started-by: row i gets fund[i'] for i' ≤ i (starts are sorted)
            ii, jj = np.tril_indices(k)
            r_list.append(base + ii)
            c_list.append(fund[jj])
            v_list.append(np.ones(ii.size))
            # completed-by, negated: done columns with start ≤ t_i − d
            mask = done_t[None, :] <= (starts[:, None] - d)
            ri, ci = np.nonzero(mask)
            r_list.append(base + ri)
            c_list.append(done_cols[ci])
            v_list.append(-np.ones(ri.size))
            counts[rule.scope] += k
    for scope in ("same_nation", "any_nation"):
        r_list, c_list, v_list = by_scope[scope]
        n = counts[scope]
        cat = lambda xs: np.concatenate(xs) if xs else np.zeros(0)
        rows.add(f"precedence_{scope}", cat(r_list), cat(c_list), cat(v_list), np.full(n, -INF), np.zeros(n))


def _exclusive_groups(ix: _Index, rows: _Rows) -> None:
    groups: dict[str, list[int]] = defaultdict(list)
    for j, p in enumerate(ix.inputs.programmes):
        if p.exclusive_group is not None:
            groups[p.exclusive_group].append(j)
    r_list, c_list, count = [], [], 0
    for members in groups.values():
        if len(members) < 2:
            continue
        for n in range(ix.N):
            cols = np.concatenate([ix.fund_cols(n, j)[0] for j in members])
            if cols.size:
                r_list.append(np.full(cols.size, count))
                c_list.append(cols)
                count += 1
    cat = lambda xs: np.concatenate(xs) if xs else np.zeros(0, np.int64)
    c = cat(c_list)
    rows.add("exclusive_group", cat(r_list), c, np.ones(c.size), np.full(count, -INF), np.ones(count))


def _capacity(ix: _Index, rows: _Rows) -> None:
    """Σ in-development ≤ cap: a funding column counts in years t … t+d−1 of its start t."""
    caps = np.array(
        [-1 if n.max_concurrent_programmes is None else n.max_concurrent_programmes for n in ix.inputs.nations]
    )
    capped = caps[ix.fund_n] >= 0
    cols = np.flatnonzero(capped)
    item, k = _expand(cols, ix.dur[ix.fund_p[cols]])
    c = cols[item]
    year = ix.fund_t[c] + k - ix.y0
    inside = year < ix.nyears
    c, year = c[inside], year[inside]
    local, count = _group_rows(ix.fund_n[c] * ix.nyears + year)
    keys = np.unique(ix.fund_n[c] * ix.nyears + year)
    rows.add(
        "capacity", local, ix.fund0 + c, np.ones(c.size), np.full(count, -INF), caps[keys // ix.nyears].astype(float)
    )


def _standards_compliance(ix: _Index, rows: _Rows) -> None:
    """K[n,p,t] ≤ A[n,s,t] at each completion year t of p."""
    std_ix = {s.id: i for i, s in enumerate(ix.inputs.standards)}
    r_list, c_list, v_list, count = [], [], [], 0
    for pid, sid in ix.inputs.requirements:
        j, s = ix.prog_ix[pid], std_ix[sid]
        d = int(ix.dur[j])
        for n in ix.eligible[j]:
            fund, starts = ix.fund_cols(int(n), j)
            if fund.size == 0:
                continue
            done = np.unique(starts + d - 1)
            k = done.size
            mask = (starts[None, :] + d - 1) <= done[:, None]
            ri, ci = np.nonzero(mask)
            r_list += [count + ri]
            c_list += [fund[ci]]
            v_list += [np.ones(ri.size)]
            adopt = np.arange(ix.nyears)[None, :] <= (done[:, None] - ix.y0)
            ri, ti = np.nonzero(adopt)
            r_list += [count + ri]
            c_list += [ix.a_col(int(n), s, ti)]
            v_list += [-np.ones(ri.size)]
            count += k
    cat = lambda xs: np.concatenate(xs) if xs else np.zeros(0)
    rows.add("standards_compliance", cat(r_list), cat(c_list), cat(v_list), np.full(count, -INF), np.zeros(count))


def _critical_mass(ix: _Index, rows: _Rows) -> None:
    Y = ix.nyears
    ncrit = len(ix.critical)
    r_list, c_list, v_list = [], [], []
    count = 0
    for k, s in enumerate(ix.critical):
        for n in range(ix.N):
            r_list += [np.full(Y, count), [count]]
            c_list += [ix.a_col(n, s, np.arange(Y)), [ix.v0 + k]]
            v_list += [np.ones(Y), [-1.0]]
            count += 1
    cat = lambda xs: np.concatenate(xs) if xs else np.zeros(0)
    rows.add("critical_mass_switch", cat(r_list), cat(c_list), cat(v_list), np.full(count, -INF), np.zeros(count))
    r_list, c_list, v_list = [], [], []
    least = []
    for k, s in enumerate(ix.critical):
        cols = ix.a_col(np.repeat(np.arange(ix.N), Y), s, np.tile(np.arange(Y), ix.N))
        r_list += [np.full(cols.size + 1, k)]
        c_list += [np.append(cols, ix.v0 + k)]
        v_list += [np.append(np.ones(cols.size), -float(ix.inputs.standards[s].min_adopters))]
        least.append(0.0)
    rows.add("critical_mass", cat(r_list), cat(c_list), cat(v_list), np.zeros(ncrit), np.full(ncrit, INF))


def _commitments(ix: _Index, rows: _Rows) -> None:
    for action in ("fund", "exclude"):
        r_list, c_list, count = [], [], 0
        for c in ix.inputs.commitments:
            if c.action != action:
                continue
            cols, starts = ix.fund_cols(ix.nation_ix[c.nation], ix.prog_ix[c.programme])
            if action == "fund" and c.start_year is not None:
                cols = cols[starts == c.start_year]
            if cols.size == 0:
                if action == "fund":
                    raise ValueError(f"{c.nation} cannot fund {c.programme}")
                continue
            r_list.append(np.full(cols.size, count))
            c_list.append(cols)
            count += 1
        cat = lambda xs: np.concatenate(xs) if xs else np.zeros(0, np.int64)
        cols = cat(c_list)
        lo = np.ones(count) if action == "fund" else np.full(count, -INF)
        hi = np.ones(count) if action == "fund" else np.zeros(count)
        rows.add(f"commit_{action}", cat(r_list), cols, np.ones(cols.size), lo, hi)


def _points(ix: _Index, area_weight: Mapping[str, float]) -> np.ndarray:
    points = np.zeros(ix.P)
    for (pid, area), v in ix.inputs.values.items():
        points[ix.prog_ix[pid]] += area_weight.get(area, 0.0) * v
    return points


def _capability_targets(ix: _Index, rows: _Rows) -> None:
    """cap[n,c,t] + short ≥ T, in service when start + d ≤ t; ALLIANCE sums allies."""
    inputs = ix.inputs
    ally = np.zeros(ix.N, dtype=bool)
    ally[[ix.nation_ix[c] for c in inputs.allies]] = True
    ready = ix.fund_t + ix.dur[ix.fund_p]
    r_list, c_list, v_list = [], [], []
    by_area: dict[str, np.ndarray] = {}
    for g, t in enumerate(inputs.targets):
        if t.area not in by_area:
            by_area[t.area] = _points(ix, {t.area: 1.0})
        value = by_area[t.area][ix.fund_p]
        who = ally[ix.fund_n] if t.nation == ALLIANCE else ix.fund_n == ix.nation_ix[t.nation]
        cols = np.flatnonzero(who & (value != 0) & (ready <= t.year))
        r_list += [np.full(cols.size + 1, g)]
        c_list += [np.append(ix.fund0 + cols, ix.short0 + g)]
        v_list += [np.append(value[cols], 1.0)]
    n = len(inputs.targets)
    cat = lambda xs: np.concatenate(xs) if xs else np.zeros(0)
    rows.add(
        "capability_target",
        cat(r_list),
        cat(c_list),
        cat(v_list),
        np.array([t.target for t in inputs.targets], dtype=float),
        np.full(n, INF),
    )


# --- objectives ------------------------------------------------------------------------------


def _service_value(ix: _Index) -> np.ndarray:
    """Σ δ_t from a first in-service year to yL+H, indexed by year − y0 (0 beyond)."""
    s = ix.inputs.settings
    last = s.last_year + s.service_years_after_horizon
    years = np.arange(s.first_year, last + 1)
    delta = (1.0 + s.discount_rate) ** -(years - s.first_year).astype(float)
    tail = np.cumsum(delta[::-1])[::-1]
    return np.append(tail, 0.0)


def _objectives(ix: _Index, spend: _Spend) -> dict[str, np.ndarray]:
    inputs, ncol = ix.inputs, ix.col
    service = _service_value(ix)
    offset = np.minimum(ix.fund_t + ix.dur[ix.fund_p] - ix.y0, service.size - 1)

    def capability(weights: Mapping[str, float]) -> np.ndarray:
        vec = np.zeros(ncol)
        vec[ix.blocks["fund"]] = _points(ix, weights)[ix.fund_p] * service[offset]
        return vec

    out = {"capability": capability({a.id: a.weight for a in inputs.areas})}
    cost = np.zeros(ncol)
    np.add.at(cost, spend.col, spend.val)
    out["cost"] = cost
    short = np.zeros(ncol)
    short[ix.blocks["short"]] = 1.0
    out["shortfall"] = short
    inter = np.zeros(ncol)
    weight = np.array([s.weight for s in inputs.standards])
    if ix.S:
        inter[ix.blocks["a"]] = np.repeat(np.tile(weight, ix.N), ix.nyears)
    inter[ix.fund0 + np.flatnonzero(ix.joint[ix.fund_p])] = 1.0
    out["interoperability"] = inter
    progs = inputs.programmes
    risk_p = np.array([p.cost_overrun_risk for p in progs])
    risk = np.zeros(ncol)
    fund_pay = np.array([p.per_participant_cost if p.is_joint else p.total_cost for p in progs])
    risk[ix.blocks["fund"]] = (risk_p * fund_pay)[ix.fund_p]
    risk[ix.blocks["f"]] = risk_p[ix.f_p]
    out["risk"] = risk
    for a in inputs.areas:
        out[AREA_OBJECTIVE_PREFIX + a.id] = capability({a.id: 1.0})
    return out


# --- hand-off and decoding ---------------------------------------------------------------------


def to_highs(mm: MatrixModel, options: Mapping[str, object] | None = None):  # -> highspy.Highs
    """One `passModel` call with the CSC arrays (maximise `mm.objective`)."""
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    for key, value in (options or {}).items():
        h.setOptionValue(key, value)
    A = mm.A
    integrality = np.where(mm.integer, 1, 0).astype(np.int32)  # kInteger = 1
    h.passModel(
        mm.num_cols,
        mm.num_rows,
        int(A.nnz),
        int(highspy.MatrixFormat.kColwise),
        int(highspy.ObjSense.kMaximize),
        0.0,
        mm.objective,
        mm.col_lower,
        mm.col_upper,
        mm.row_lower,
        mm.row_upper,
        A.indptr.astype(np.int32),
        A.indices.astype(np.int32),
        A.data,
        integrality,
    )
    return h


def decode(mm: MatrixModel, x: np.ndarray) -> PlanDecisions:
    """The plan held in a solution vector (binaries rounded at 0.5, payments of chosen consortia)."""
    ix: _Index = mm.keys["index"][0]
    progs, nations = ix.inputs.programmes, ix.nations
    on = x[ix.blocks["fund"]] > 0.5
    national, members = {}, defaultdict(list)
    for c in np.flatnonzero(on):
        n, j, t = nations[ix.fund_n[c]], int(ix.fund_p[c]), int(ix.fund_t[c])
        if ix.joint[j]:
            members[j, t].append(n)
        else:
            national[n, progs[j].id] = t
    joint = {}
    for k in np.flatnonzero(x[ix.blocks["z"]] > 0.5):
        j, t = int(ix.z_p[k]), int(ix.z_t[k])
        joint[progs[j].id] = JointDecision(t, tuple(members.get((j, t), ())))
    fvals = x[ix.blocks["f"]]
    payments = {
        (nations[ix.f_n[k]], progs[ix.f_p[k]].id, int(ix.f_y[k])): float(fvals[k])
        for k in np.flatnonzero(fvals > 1e-9)
        if progs[ix.f_p[k]].id in joint
    }
    adoptions = {}
    a = x[ix.blocks["a"]].reshape(ix.N, ix.S, ix.nyears) if ix.S else np.zeros((ix.N, 0, ix.nyears))
    for n, s, t in zip(*np.nonzero(a > 0.5)):
        adoptions[nations[n], ix.inputs.standards[s].id] = ix.y0 + int(t)
    return PlanDecisions(national=national, joint=joint, payments=payments, adoptions=adoptions)


def objective_values(mm: MatrixModel, x: np.ndarray) -> dict[str, float]:
    """Every named objective at solution `x`, as the model computes it."""
    return {name: float(vec @ x) for name, vec in mm.objectives.items()}
