"""Stress test of a plan: replay it against sampled cost overruns (docs/robust.md).

The overrun model, chosen to be simple, seeded and documented:

* each programme overruns in a sample with probability `overrun_probability` (default
  0.5), independently of the other programmes;
* an overrunning programme's cost grows by a fraction drawn from a triangular
  distribution on [0, 2.5·r] with mode 0.5·r, where r is its `cost_overrun_risk`: its mean
  is exactly r and it is right-skewed, as cost overruns are;
* the draw belongs to the programme, so every nation fielding it (and every member of a
  consortium, on its payment and per-participant cost alike) sees the same fraction;
  adoption costs never overrun;
* draws are made for every programme of the inputs in input order from a seeded numpy
  Generator, so two plans of the same inputs stressed with the same seed meet the same
  overruns (common random numbers: their difference is not sampling noise).

A nation **breaches** in a sample when, with the overruns added to spend, its greedy
balance (MODEL.md "Precise rules") falls below the borrowing floor in some year.

**Delay rule** (what a breach costs): years are replayed in order; in a year where some
nation's balance falls below its floor, the overrunning programmes it pays for in that
year slip by one year, largest extra cost first, until its balance is back above the
floor or nothing that overruns is left to slip. A slipped programme's remaining payments
(every member's, for a joint programme) move one year later and it enters service one
year later; one that no longer completes by the last planning year earns no capability in
the horizon nor after it. The capability lost is the plan's capability objective minus
what the slipped plan earns. A breach that slipping cannot cure is a residual breach.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from data.tables import Inputs, PlanDecisions
from optimizer.checks.evaluate import (
    Funding,
    borrowing_floor,
    carry_cap,
    fundings,
    service_weight,
    spend_items,
)

logger = logging.getLogger(__name__)

DEFAULT_OVERRUN_PROBABILITY = 0.5
# triangular on [0, HIGH·r] with mode MODE·r: mean (0 + MODE + HIGH)/3 · r = r
TRIANGLE_MODE = 0.5
TRIANGLE_HIGH = 2.5
_TOL = 1e-6


@dataclass(frozen=True)
class _Line:
    """One funding's yearly payments in the plan (nation n pays these for programme p)."""

    nation: str
    programme: str
    payments: dict[int, float]  # year -> amount (payments + per-participant or national cost)


@dataclass
class StressReport:
    """Per-nation breach odds and capability at risk for one plan under sampled overruns."""

    by_nation: pd.DataFrame
    by_programme: pd.DataFrame
    by_year: pd.DataFrame
    samples: int
    seed: int
    overrun_probability: float
    notes: list[str] = field(default_factory=list)

    def breach_probability(self, nation: str | None = None) -> float:
        """P(nation breaches); without a nation, P(some nation breaches)."""
        if nation is None:
            return float(self.by_nation.attrs["any_breach_probability"])
        row = self.by_nation.loc[self.by_nation["nation"] == nation]
        return float(row["breach_probability"].iloc[0])

    def summary_rows(self) -> list[tuple[str, object]]:
        from optimizer.result import tool_version

        rows: list[tuple[str, object]] = [
            ("samples", self.samples),
            ("seed", self.seed),
            ("overrun_probability", self.overrun_probability),
            ("overrun_fraction", f"triangular(0, {TRIANGLE_MODE}·risk, {TRIANGLE_HIGH}·risk), mean = risk"),
            ("any_breach_probability", self.breach_probability()),
            ("expected_capability_lost", float(self.by_nation.attrs["expected_capability_lost"])),
            ("plan_capability", float(self.by_nation.attrs["plan_capability"])),
            ("tool_version", tool_version()),
        ]
        return rows + [("note", n) for n in self.notes]

    def to_excel(self, path: str | Path, extra_summary: list[tuple[str, object]] | None = None) -> Path:
        from data.report import write_stress_workbook

        summary = (extra_summary or []) + self.summary_rows()
        return write_stress_workbook(path, summary, self.by_nation, self.by_programme, self.by_year)


def stress_test(
    inputs: Inputs,
    decisions: PlanDecisions,
    samples: int = 1000,
    seed: int = 0,
    overrun_probability: float = DEFAULT_OVERRUN_PROBABILITY,
) -> StressReport:
    """Replay `decisions` under `samples` seeded overrun scenarios (see the module docstring)."""
    if samples < 1:
        raise ValueError(f"samples must be ≥ 1, got {samples}")
    if not 0.0 <= overrun_probability <= 1.0:
        raise ValueError(f"overrun_probability must be in [0, 1], got {overrun_probability}")
    fractions = draw_overruns(inputs, samples, seed, overrun_probability)
    lines = _payment_lines(inputs, decisions)
    column = {p.id: j for j, p in enumerate(inputs.programmes)}
    nations = [n.code for n in inputs.nations]
    years = list(inputs.years)
    base = _base_spend(inputs, decisions, nations, years)
    extra = np.zeros((samples, len(nations), len(years)))
    row_of = {n: i for i, n in enumerate(nations)}
    for line in lines:
        drawn = fractions[:, column[line.programme]]
        for year, amount in line.payments.items():
            extra[:, row_of[line.nation], year - years[0]] += drawn * amount
    breach_years = _breaches(inputs, nations, years, base[None, :, :] + extra)
    breached: np.ndarray = np.any(breach_years, axis=2)  # (samples, nations)
    replay = _Replay(inputs, decisions, lines, nations, years, base, column)
    plan_capability = replay.capability({})
    lost = np.zeros((samples, len(nations)))
    residual = np.zeros((samples, len(nations)), dtype=bool)
    slips: dict[tuple[str, str], np.ndarray] = {}
    for s in np.flatnonzero(np.any(breached, axis=1)):
        shifts, unresolved = replay.run(fractions[s])
        residual[s] = unresolved
        for key, k in shifts.items():
            slips.setdefault(key, np.zeros(samples))[s] = k
        lost[s] = replay.capability_lost_by_nation(shifts)
    overran = fractions > 0
    by_nation = _by_nation(inputs, nations, breached, residual, lost, extra, replay)
    by_nation.attrs.update(
        any_breach_probability=float(np.any(breached, axis=1).mean()),
        expected_capability_lost=float(lost.sum(axis=1).mean()),
        plan_capability=plan_capability,
    )
    by_programme = _by_programme(inputs, lines, column, overran, fractions, slips, replay, samples)
    by_year = pd.DataFrame({
        "year": years,
        "breach_probability": breach_years.any(axis=1).mean(axis=0),
        "expected_nations_breaching": breach_years.sum(axis=1).mean(axis=0),
    })
    logger.info("stress test: %d samples, P(any breach) = %.3f", samples, by_nation.attrs["any_breach_probability"])
    return StressReport(by_nation, by_programme, by_year, samples, seed, overrun_probability)


def draw_overruns(inputs: Inputs, samples: int, seed: int, overrun_probability: float) -> np.ndarray:
    """(samples, programmes) overrun fractions, programmes in input order (0 = no overrun)."""
    rng = np.random.default_rng(seed)
    size = (samples, len(inputs.programmes))
    occurs = rng.random(size) < overrun_probability
    shape = rng.triangular(0.0, TRIANGLE_MODE, TRIANGLE_HIGH, size)
    risk = np.array([p.cost_overrun_risk for p in inputs.programmes])
    return np.where(occurs, shape * risk[None, :], 0.0)


def _payment_lines(inputs: Inputs, decisions: PlanDecisions) -> list[_Line]:
    """What each nation pays for each programme, year by year (the items that overrun)."""
    paid: dict[tuple[str, str], dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for item in spend_items(inputs, decisions):
        if item.kind != "adoption":
            paid[(item.nation, item.ref)][item.year] += item.amount
    return [
        _Line(n, pid, dict(years))
        for (n, pid), years in sorted(paid.items())
    ]


def _base_spend(inputs: Inputs, decisions: PlanDecisions, nations: list[str], years: list[int]) -> np.ndarray:
    spend = np.zeros((len(nations), len(years)))
    row = {n: i for i, n in enumerate(nations)}
    for item in spend_items(inputs, decisions):
        spend[row[item.nation], item.year - years[0]] += item.amount
    return spend


def _breaches(inputs: Inputs, nations: list[str], years: list[int], spend: np.ndarray) -> np.ndarray:
    """(samples, nations, years) True where the greedy balance is below the floor."""
    out = np.zeros(spend.shape, dtype=bool)
    balance = np.zeros(spend.shape[:2])
    for i, n in enumerate(nations):
        for j, year in enumerate(years):
            available = balance[:, i] + inputs.budget(n, year) - spend[:, i, j]
            balance[:, i] = np.minimum(available, carry_cap(inputs, n, year))
            floor = borrowing_floor(inputs, n, year)
            out[:, i, j] = balance[:, i] < floor - _TOL * max(1.0, abs(floor), inputs.budget(n, year))
    return out


class _Replay:
    """The delay rule for one sample: replay years in order, slipping overrun programmes.

    Each line (what one nation pays for one programme) is a row of a schedule matrix over
    the horizon years; a slip in year z shifts the row's entries from z on one column to
    the right (what falls off the end leaves the horizon). Rows of one programme always
    slip together.
    """

    def __init__(self, inputs: Inputs, decisions: PlanDecisions, lines: list[_Line],
                 nations: list[str], years: list[int], base: np.ndarray, column: dict[str, int]):
        self.inputs, self.lines, self.nations, self.years = inputs, lines, nations, years
        self.row = {n: i for i, n in enumerate(nations)}
        first = years[0]
        self.schedule = np.zeros((len(lines), len(years)))
        for i, line in enumerate(lines):
            for year, amount in line.payments.items():
                self.schedule[i, year - first] = amount
        self.payer = np.array([self.row[line.nation] for line in lines], dtype=int)
        self.programme = np.array([column[line.programme] for line in lines], dtype=int)
        # certain spend (adoptions) is what the lines do not cover
        self.fixed = base.copy()
        np.add.at(self.fixed, self.payer, -self.schedule)
        self.budget = np.array([[inputs.budget(n, y) for y in years] for n in nations])
        self.cap = np.array([[carry_cap(inputs, n, y) for y in years] for n in nations])
        floor = np.array([[borrowing_floor(inputs, n, y) for y in years] for n in nations])
        self.limit = floor - _TOL * np.maximum.reduce([np.ones_like(floor), np.abs(floor), self.budget])
        self.fundings = fundings(inputs, decisions)
        self.by_key = {(f.nation, f.programme.id): f for f in self.fundings}
        self.weights = {a.id: a.weight for a in inputs.areas}
        self._points: dict[tuple[str, str, int], float] = {}

    def run(self, drawn: np.ndarray) -> tuple[dict[tuple[str, str], int], np.ndarray]:
        """(years slipped per (nation, programme), nations left with a breach slipping cannot cure)."""
        schedule = self.schedule.copy()
        fraction = drawn[self.programme]  # per line
        slips = np.zeros(len(self.lines), dtype=int)
        unresolved = np.zeros(len(self.nations), dtype=bool)
        balance = np.zeros(len(self.nations))
        for j in range(len(self.years)):
            while True:
                paid = schedule[:, j] * (1.0 + fraction)
                spend = self.fixed[:, j] + np.bincount(self.payer, paid, minlength=len(self.nations))
                after = np.minimum(balance + self.budget[:, j] - spend, self.cap[:, j])
                short = after < self.limit[:, j]
                if not short.any():
                    break
                extra = np.where(short[self.payer], schedule[:, j] * fraction, 0.0)
                worst = int(np.argmax(extra))
                if extra[worst] <= 1e-12:
                    unresolved |= short
                    break
                moved = self.programme == self.programme[worst]
                schedule[moved, j + 1:] = schedule[moved, j:-1]
                schedule[moved, j] = 0.0
                slips[moved] += 1
            balance = after
        shifted = {(self.lines[i].nation, self.lines[i].programme): int(slips[i]) for i in np.flatnonzero(slips)}
        return shifted, unresolved

    def capability(self, slips: dict[tuple[str, str], int]) -> float:
        """The capability objective of the plan with the given slips (none: the plan's own)."""
        return float(sum(self.points(f, slips.get((f.nation, f.programme.id), 0)) for f in self.fundings))

    def capability_lost_by_nation(self, slips: dict[tuple[str, str], int]) -> np.ndarray:
        lost = np.zeros(len(self.nations))
        for (n, pid), k in slips.items():
            f = self.by_key.get((n, pid))
            if f is not None and k:
                lost[self.row[n]] += self.points(f, 0) - self.points(f, k)
        return lost

    def points(self, funding: Funding, slip: int) -> float:
        """The funding's share of the capability objective when it enters service `slip` years late.

        Late by k years = started k years later (its last spending year moves by k too);
        one that no longer completes by the last planning year earns nothing.
        """
        key = (funding.nation, funding.programme.id, slip)
        if key not in self._points:
            moved = replace(funding, start=funding.start + slip)
            per_year = sum(w * self.inputs.values.get((funding.programme.id, c), 0.0)
                           for c, w in self.weights.items())
            done = moved.completion <= self.inputs.settings.last_year
            self._points[key] = per_year * service_weight(self.inputs, moved) if done else 0.0
        return self._points[key]


def _by_nation(inputs: Inputs, nations: list[str], breached: np.ndarray, residual: np.ndarray,
               lost: np.ndarray, extra: np.ndarray, replay: _Replay) -> pd.DataFrame:
    planned = np.zeros(len(nations))
    for f in replay.fundings:
        planned[replay.row[f.nation]] += replay.points(f, 0)
    frame = pd.DataFrame({
        "nation": nations,
        "role": [inputs.nation_by_code[n].role for n in nations],
        "gamma": [inputs.robust_overruns(n) for n in nations],
        "breach_probability": breached.mean(axis=0),
        "residual_breach_probability": residual.mean(axis=0),
        "expected_overrun_cost": extra.sum(axis=2).mean(axis=0),
        "plan_capability": planned,
        "expected_capability_lost": lost.mean(axis=0),
    })
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["capability_lost_share"] = np.where(planned > 0, frame["expected_capability_lost"] / planned, 0.0)
    return frame


def _by_programme(inputs: Inputs, lines: list[_Line], column: dict[str, int], overran: np.ndarray,
                  fractions: np.ndarray, slips: dict[tuple[str, str], np.ndarray], replay: _Replay,
                  samples: int) -> pd.DataFrame:
    rows = []
    for line in lines:
        j = column[line.programme]
        slipped = slips.get((line.nation, line.programme), np.zeros(samples))
        f = replay.by_key.get((line.nation, line.programme))
        lost = 0.0
        if f is not None and slipped.any():
            base = replay.points(f, 0)
            lost = float(np.mean([base - replay.points(f, int(k)) if k else 0.0 for k in slipped]))
        rows.append({
            "nation": line.nation,
            "programme": line.programme,
            "cost_overrun_risk": inputs.programme_by_id[line.programme].cost_overrun_risk,
            "planned_cost": sum(line.payments.values()),
            "overrun_probability": float(overran[:, j].mean()),
            "mean_overrun_fraction": float(fractions[:, j].mean()),
            "slip_probability": float((slipped > 0).mean()),
            "expected_slip_years": float(slipped.mean()),
            "expected_capability_lost": lost,
        })
    columns = ["nation", "programme", "cost_overrun_risk", "planned_cost", "overrun_probability",
               "mean_overrun_fraction", "slip_probability", "expected_slip_years", "expected_capability_lost"]
    return pd.DataFrame(rows, columns=columns)
