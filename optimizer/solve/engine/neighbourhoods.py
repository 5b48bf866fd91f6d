"""Where the engine looks for better plans: neighbourhoods of the incumbent and of the LP.

Each neighbourhood frees some integer columns and fixes every other one (at the incumbent
or, for RENS, at the LP's whole values), so that its sub-MIP is small enough for HiGHS to
solve within seconds. The model's structure decides what is worth freeing together:

* nations — a group of nations' own decisions (starts, joins, adoptions): nations are
  coupled only through consortia, critical-mass standards, any-nation precedence and
  alliance targets, so one group can be re-planned with the others held;
* consortia — every joint programme's start and its members' joins, which a nation group
  cannot move on its own, plus one nation group's own decisions (only where columns do not
  name their programme: otherwise that turn goes to a programme group, below);
* time windows — every decision in a span of years for a nation group, which lets starts
  move earlier or later;
* programmes — every nation's decisions on a few programmes or standards (starts, joins,
  a joint programme's start, adoptions), which lets nations trade who delivers a
  capability, who joins a consortium and who adopts a standard;
* RINS (Danna, Rothberg, Le Pape 2005) — every column on which the incumbent and the LP
  agree stays fixed, the rest is free;
* RENS (Berthold 2014) — every column the LP already sets to a whole value stays fixed.

Groups are sized by how many integer columns they free, not by a count of nations, and
the size adapts: a neighbourhood solved to its optimum makes the next one larger, one that
was not makes it smaller. Nations whose plans lie furthest from the LP relaxation's go
first. Everything follows from a seeded generator and from results, never from the clock,
so the same seed and the same results give the same sequence.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.solve.engine.problem import INTEGRALITY_TOLERANCE, MipArrays

FIRST_FREE_COLUMNS = 1_000  # measured on L: one nation (~1,000 free columns) solves in 0.3–3 s
# … but on alliance-size models (L: 28,426 integer columns) a nation group starts twice as
# large: one nation alone has little left to give once the plan is good (0.04 % over its
# start mid-run). L mixed, 120 s, four runs each side by side: median 1,029,642 with 2,000
# against 1,028,143 with 1,000 (3,000: 1,028,396 / 1,029,121); L hard caps 1,027,097 /
# 1,027,231 against 1,026,478 / 1,027,172. On the reference dataset's sweep (5,937 integer
# columns, where 2,000 is a third of them) the same change left the 0.6 and 0.7 × budget
# points at 25,699 and 29,297 (the eleventh session: 28,544 and 33,851), so smaller models
# keep 1,000 (docs/benchmarks.md).
LARGE_FIRST_FREE_COLUMNS = 2_000
LARGE_FROM_INTEGER_COLUMNS = 20_000
# a time window starts at 2,000 (twice a nation group on smaller models): a span of years
# of a few nations mostly solves to its optimum within a second on L, where one whole
# nation mostly runs out of time
WINDOW_FIRST_FREE_COLUMNS = 2_000
MIN_FREE_COLUMNS = 200
GROW, SHRINK = 1.25, 0.8
# The kinds tried in turn. A "group" turn goes to a nation group or a time window, whichever
# has gained more per neighbourhood so far (GROUP_KINDS, `_group_kind`): on L with hard
# caps (120 s) windows in 6 of 10 turns gave 1,026,653, in 4 of 10 1,025,278 / 1,024,796,
# in 1 of 9 (the tenth session) 1,022,847 / 1,023,242; but on the reference dataset's budget
# sweep windows in 6 of 10 turns left the 0.6 × budget point at 29,057 against 30,280 with
# nation groups in most turns (docs/benchmarks.md). Which kind pays depends on the model.
ROTATION = ("group", "group", "group", "group", "consortia", "group", "group", "group", "group", "rins")
GROUP_KINDS = ("window", "nations")  # in this order while neither has been measured
RATE_MEMORY = 0.8  # at each new result of a kind its earlier results count this much
EXPLORE_TURNS = 4  # a group kind not drawn in this many group turns is drawn next
WINDOW_SPANS = 4  # a window covers this share of the years: 1 / WINDOW_SPANS
BENCH_ROUNDS = 12  # a kind that failed twice in a row sits out this many turns
# On alliance-size models (from LARGE_FROM_INTEGER_COLUMNS) the consortium turn goes to a
# programme group where columns name their programme (0: to every consortium decision plus
# half a nation group, as before and as on smaller models). On L that older
# neighbourhood frees 8,290 columns, was never solved within its 3 s and gained nothing;
# a programme group moves a consortium one programme at a time, with every nation's own
# decisions on it, and mostly solves to its optimum. L mixed, 120 s, five pairs side by
# side: median 1,029,988 (gap 0.996 %) against 1,029,084 (1.08 %); M within the clock's
# spread. But on the reference dataset with --robust 2 (5,937 integer columns, 60 s), where
# the consortium neighbourhood is small, 35,500 / 35,608 against 36,848 / 37,373: smaller
# models keep it (docs/benchmarks.md, thirteenth session). As a third
# group kind instead, drawn by gain beside nation groups and spans, it lost (1,027,477 /
# 1,027,845 against 1,029,756 / 1,029,957): it took turns from nation groups.
PROGRAMME_GROUPS = True


@dataclass(frozen=True)
class ColumnGroups:
    """For each column: the nation owning it ('' for shared decisions), its year (−1 for
    none) and whether it is a consortium decision (a joint programme's start or a join)."""

    nation: np.ndarray  # str per column
    year: np.ndarray  # int per column
    consortium: np.ndarray  # bool per column
    # the programme or standard a column decides on, per column ('' for none; None: unknown)
    item: np.ndarray | None = None

    @property
    def nations(self) -> list[str]:
        return sorted({n for n in self.nation if n})

    @property
    def years(self) -> list[int]:
        return sorted({int(y) for y in self.year if y >= 0})


def column_groups(columns: list[object]) -> ColumnGroups:
    """Read owners and years from the Pyomo variables behind the solver's columns.

    Index layouts (models/build.py): starts[n, p, t], joins[n, p, t], adopts[n, s, t],
    joint_starts[p, t], standard_in_use[s]; other columns carry no group.
    """
    nation = np.full(len(columns), "", dtype=object)
    year = np.full(len(columns), -1, dtype=np.int64)
    consortium = np.zeros(len(columns), dtype=bool)
    item = np.full(len(columns), "", dtype=object)
    for j, var in enumerate(columns):
        name = var.parent_component().local_name  # type: ignore[attr-defined]
        index = var.index()  # type: ignore[attr-defined]
        if not isinstance(index, tuple):
            continue
        if name in ("starts", "joins", "adopts"):
            nation[j], year[j] = str(index[0]), _year(index[-1])
            consortium[j] = name == "joins"
            item[j] = ("standard " if name == "adopts" else "") + str(index[1])
        elif name == "joint_starts":
            year[j], consortium[j] = _year(index[-1]), True
            item[j] = str(index[0])
    return ColumnGroups(nation, year, consortium, item)


def item_columns(arrays: MipArrays, groups: ColumnGroups) -> dict[str, np.ndarray]:
    """The integer columns of each programme or standard, by name in sorted order (one pass
    over the columns: XL has 110,026 of them and about 270 programmes and standards)."""
    if groups.item is None:
        return {}
    columns = np.flatnonzero(arrays.integer & (groups.item != ""))
    names, inverse = np.unique(groups.item[columns].astype(str), return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    splits = np.cumsum(np.bincount(inverse, minlength=len(names)))[:-1]
    return {str(name): columns[index] for name, index in zip(names, np.split(order, splits))}


def _year(value: object) -> int:
    return int(value) if isinstance(value, (int, np.integer)) else -1


def fix_outside(arrays: MipArrays, free: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(indices, values) fixing every integer column not in the `free` mask at `values`."""
    fixed = np.flatnonzero(arrays.integer & ~free).astype(np.int32)
    return fixed, np.round(values[fixed])


def rens_fixing(
    arrays: MipArrays, lp: np.ndarray, only_at_lower: bool = False, incumbent: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """RENS: fix the integer columns the LP relaxation sets to whole values — with
    `only_at_lower`, only those it sets to their lower bound (the programmes it does not
    start) and the `incumbent` does too, so that the incumbent stays a plan of the
    neighbourhood: the softer fixing for models where the LP's whole starts together admit
    no plan (the reference dataset's stages: its relaxation funds a nation's programmes to
    the last euro with fractions of others, and no whole plan keeps all of them)."""
    whole = arrays.integer & (np.abs(lp - np.round(lp)) <= INTEGRALITY_TOLERANCE)
    if only_at_lower:
        whole &= np.round(lp) <= arrays.col_lower
        if incumbent is not None:
            whole &= np.round(incumbent) <= arrays.col_lower
    fixed = np.flatnonzero(whole).astype(np.int32)
    return fixed, np.round(lp[fixed])


def alliance_size(arrays: MipArrays) -> bool:
    """Whether a model counts as alliance-size (LARGE_FROM_INTEGER_COLUMNS integer columns or
    more): there nation groups start larger and programme groups take the consortium turn."""
    return int(np.count_nonzero(arrays.integer)) >= LARGE_FROM_INTEGER_COLUMNS


def programme_groups(arrays: MipArrays) -> bool:
    """Whether the consortium turn goes to programme groups: on alliance-size models only,
    where freeing every consortium decision is too large."""
    return PROGRAMME_GROUPS and alliance_size(arrays)


def first_group_size(arrays: MipArrays) -> float:
    """The free columns a nation group aims for at first (it adapts from there)."""
    return float(LARGE_FIRST_FREE_COLUMNS if alliance_size(arrays) else FIRST_FREE_COLUMNS)


def _fill(ranked: list[str], columns: dict[str, int], target: float) -> list[str]:
    """The first of `ranked` until their `columns` reach `target` (at least one if target > 0)."""
    chosen: list[str] = []
    free = 0
    for name in ranked:
        if free >= target:
            break
        chosen.append(name)
        free += columns[name]
    return chosen


class NeighbourhoodPlan:
    """The seeded sequence of improvement neighbourhoods, adapted by their results."""

    def __init__(self, arrays: MipArrays, groups: ColumnGroups, seed: int):
        self.arrays = arrays
        self.groups = groups
        self.rng = np.random.default_rng(seed)
        # free columns to aim for, per kind of group: each adapts to its own results
        self.targets = {
            "nations": first_group_size(arrays),
            "window": float(WINDOW_FIRST_FREE_COLUMNS),
            "programmes": float(FIRST_FREE_COLUMNS),
        }
        self._recent: list[str] = []
        self._gain: np.ndarray | None = None  # per column: what the LP earns there beyond the incumbent
        self._turn = 0
        self._window = 0
        self._recent_spans: list[int] = []
        self._failures: dict[str, int] = {}
        self._benched_until: dict[str, int] = {}
        # per group kind: (gain, neighbourhoods) so far, older results weighing less; and
        # the group turn it was last drawn at
        self._rates: dict[str, tuple[float, float]] = {}
        self._group_turns = 0
        self._last_drawn: dict[str, int] = {}
        nations = groups.nations
        own = arrays.integer & (groups.nation != "")
        self._nation_mask = {n: own & (groups.nation == n) for n in nations}
        self._own_columns = {n: int(np.count_nonzero(mask)) for n, mask in self._nation_mask.items()}
        self._tiebreak = {n: rank for rank, n in enumerate(self.rng.permutation(nations))}
        self._item_index = item_columns(arrays, groups) if programme_groups(arrays) else {}
        self._item_columns = {i: len(index) for i, index in self._item_index.items()}
        self._item_tiebreak = {i: rank for rank, i in enumerate(self.rng.permutation(list(self._item_index)))}
        self._recent_items: list[str] = []

    @property
    def turn(self) -> int:
        """How many neighbourhoods were drawn so far (seeds their sub-MIPs)."""
        return self._turn

    def next(self, incumbent: np.ndarray, lp: np.ndarray | None) -> tuple[str, str, np.ndarray]:
        """The next neighbourhood: (kind, name, mask of free columns)."""
        self._rank(incumbent, lp)
        for _ in range(len(ROTATION)):
            kind = ROTATION[self._turn % len(ROTATION)]
            self._turn += 1
            if kind == "group":
                kind = self._group_kind()
            elif kind == "consortia" and self._item_columns:
                kind = "programmes"
            if self._benched_until.get(kind, -1) >= self._turn:
                continue
            found = self._build(kind, incumbent, lp)
            if found is not None:
                return (kind, *found)
        return ("nations", *self._nation_group())

    def _group_kind(self) -> str:
        """A nation group or a time window: one not drawn for EXPLORE_TURNS group turns (so
        both stay measured), else the one with the larger gain per neighbourhood; a kind
        never drawn yet counts as the best. Gains, not seconds: the same results give the
        same choices on any machine."""
        self._group_turns += 1
        # nation groups are never benched (`feedback`), so one kind is always usable
        usable = [k for k in GROUP_KINDS if self._benched_until.get(k, -1) < self._turn]

        def rate(kind: str) -> float:
            if kind not in self._last_drawn:
                return float("inf")
            gain, count = self._rates.get(kind, (0.0, 0.0))
            return gain / count if count else 0.0

        overdue = [k for k in usable if self._group_turns - self._last_drawn.get(k, self._group_turns) >= EXPLORE_TURNS]
        kind = overdue[0] if overdue else max(usable, key=lambda k: (rate(k), -GROUP_KINDS.index(k)))
        self._last_drawn[kind] = self._group_turns
        return kind

    def feedback(self, kind: str, improved: bool, proven: bool, gain: float = 0.0) -> None:
        """Adapt to a result (`gain`: how much it improved on its incumbent): resize its
        kind of group, update its kind's gain per neighbourhood, bench a kind that keeps
        failing."""
        if kind in GROUP_KINDS:
            before, count = self._rates.get(kind, (0.0, 0.0))
            self._rates[kind] = (RATE_MEMORY * before + max(gain, 0.0), RATE_MEMORY * count + 1.0)
        if kind in ("nations", "window", "consortia", "programmes"):
            size = kind if kind in ("window", "programmes") else "nations"
            self.targets[size] = max(MIN_FREE_COLUMNS, self.targets[size] * (GROW if proven else SHRINK))
        if improved:
            self._failures[kind] = 0
            return
        self._failures[kind] = self._failures.get(kind, 0) + 1
        if self._failures[kind] >= 2 and kind != "nations":
            self._benched_until[kind] = self._turn + BENCH_ROUNDS
            self._failures[kind] = 0

    def _build(self, kind: str, incumbent: np.ndarray, lp: np.ndarray | None) -> tuple[str, np.ndarray] | None:
        if kind == "rins":
            if lp is None:
                return None
            free = self.arrays.integer & (np.abs(lp - incumbent) > INTEGRALITY_TOLERANCE)
            return ("RINS", free) if free.any() else None
        if kind == "consortia":
            if not self.groups.consortium.any():
                return None
            name, nations = self._nation_group(share=0.5)
            return "consortia + " + name, self.groups.consortium | nations
        if kind == "window":
            return self._time_window()
        if kind == "programmes":
            return self._programme_group()
        return self._nation_group()

    def _nation_group(
        self, share: float = 1.0, size: str = "nations", within: np.ndarray | None = None
    ) -> tuple[str, np.ndarray]:
        """Nations with the most to gain, until about `share` × the `size` target columns
        are free.

        A nation's potential is what the LP relaxation earns on its own columns (`within` a
        mask, if given) beyond the incumbent (objective coefficients × (LP − incumbent)):
        the nations whose plans lie furthest from the LP's go first. Nations searched
        recently sit out until half the others have had a turn, so every nation is visited."""
        if not self._own_columns:
            return "all", self.arrays.integer.copy()
        resting = set(self._recent[-max(1, len(self._own_columns) // 2) :])
        potential = self._potential(within)
        ranked = sorted(self._own_columns, key=lambda n: (n in resting, -potential.get(n, 0.0), self._tiebreak[n]))
        chosen = _fill(ranked, self._own_columns, self.targets[size] * share)
        self._recent += chosen
        return "nations " + ",".join(chosen), np.isin(self.groups.nation, chosen)

    def _programme_group(self) -> tuple[str, np.ndarray]:
        """Programmes and standards with the most to gain, across every nation, until about
        the `programmes` target columns are free; recently searched ones rest, as nations do
        in `_nation_group`."""
        gain = self._gain
        potential = {i: float(gain[index].sum()) if gain is not None else 0.0 for i, index in self._item_index.items()}
        resting = set(self._recent_items[-max(1, len(self._item_columns) // 2) :])
        ranked = sorted(self._item_columns, key=lambda i: (i in resting, -potential[i], self._item_tiebreak[i]))
        chosen = _fill(ranked, self._item_columns, self.targets["programmes"])
        self._recent_items += chosen
        mask = np.zeros(self.arrays.columns, dtype=bool)
        for item in chosen:
            mask[self._item_index[item]] = True
        return "programmes " + ",".join(chosen), mask

    def _rank(self, incumbent: np.ndarray, lp: np.ndarray | None) -> None:
        """What the LP earns on each column beyond the incumbent (nothing without an LP)."""
        if lp is None:
            return
        sense = 1.0 if self.arrays.maximise else -1.0
        self._gain = sense * self.arrays.cost * (lp - incumbent)

    def _potential(self, within: np.ndarray | None = None) -> dict[str, float]:
        """Each nation's potential (on the columns `within` a mask, if given)."""
        if self._gain is None:
            return {}
        gain = self._gain if within is None else np.where(within, self._gain, 0.0)
        return {n: float(gain[self._nation_mask[n]].sum()) for n in self._own_columns}

    def _time_window(self) -> tuple[str, np.ndarray] | None:
        """A span of years of the nations with the most to gain in it.

        Spans are taken in turn without an LP; with one, the span where the LP earns the
        most beyond the incumbent goes first (late spans, whose programmes barely enter
        service within the horizon, mostly have nothing to gain), and a span searched
        recently sits out until half the others have had a turn. Neighbouring spans may
        overlap: their nations differ (nations rest too), and on L with hard caps resting
        overlapping spans as well gave the worse plan (1,023,989 against 1,025,565)."""
        years = self.groups.years
        if len(years) < 2:
            return None
        width = max(2, len(years) // WINDOW_SPANS)
        first = self._next_span(years, width)
        span = (self.groups.year >= first) & (self.groups.year < first + width)
        name, nations = self._nation_group(share=len(years) / width, size="window", within=span)
        last = min(first + width - 1, max(years))  # a late span ends with the horizon, not past it
        return f"years {first}-{last} of {name}", span & nations

    def _next_span(self, years: list[int], width: int) -> int:
        """The first year of the next window (see `_time_window`)."""
        if self._gain is None:
            first = years[self._window % len(years)]
            self._window += max(1, width - 1)
            return first
        resting = set(self._recent_spans[-max(1, len(years) // 2) :])
        gain = {y: float(self._gain[(self.groups.year >= y) & (self.groups.year < y + width)].sum()) for y in years}
        first = min(years, key=lambda y: (y in resting, -gain[y], y))
        self._recent_spans.append(first)
        return first
