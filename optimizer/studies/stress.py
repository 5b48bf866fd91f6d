"""Stress tests of plans: replay one or more plans against the same sampled cost overruns.

The overrun model (docs/robust.md "Stress test"), chosen to be simple, seeded and documented:

* each programme overruns in a sample with probability `overrun_probability` (default
  0.5), independently of the other programmes;
* an overrunning programme's cost grows by a fraction drawn from a triangular
  distribution on [0, 2.5·r] with mode 0.5·r, where r is its `cost_overrun_risk`: its mean
  is exactly r and it is right-skewed, as cost overruns are;
* the draw belongs to the programme, so every nation fielding it (and every member of a
  consortium, on its payment and per-participant cost alike) sees the same fraction;
  adoption costs never overrun;
* draws are made for every programme of the inputs in input order from a seeded numpy
  Generator — whatever the plans fund — so every plan of the same inputs stressed with the
  same seed meets the same overruns, however many plans are compared and in whatever
  order (common random numbers: differences between plans are not sampling noise).

**Overrun beyond budget.** Years are replayed in order with the overruns added to spend.
In a year where a nation's greedy balance (MODEL.md "Precise rules") falls below its
borrowing floor, the gap is money the nation must find beyond its budget, carry-over and
borrowing: that (nation, year) is *in breach*, the gap is counted, and the balance is put
back on the floor before the next year, so a deficit is counted once, where it arises.
A nation **breaches** in a sample when some year of it is in breach.

**Delay rule** (what a breach costs in capability): years are replayed in order; in a year
where some nation's balance falls below its floor, the overrunning programmes it pays for
in that year slip by one year, largest extra cost first, until its balance is back above
the floor or nothing that overruns is left to slip. A slipped programme's remaining
payments (every member's, for a joint programme) move one year later and it enters
service one year later; one that no longer completes by the last planning year earns no
capability in the horizon nor after it. The capability lost is the plan's capability
objective minus what the slipped plan earns. A breach that slipping cannot cure is a
residual breach.
"""

from __future__ import annotations

import logging
import numbers
import os
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from data.errors import InputError, Problem
from data.plan_reader import PlanBook, load_plan_book, told_apart
from data.tables import Inputs, PlanDecisions
from data.xlsx_io import amount_text
from optimizer.arguments import whole_number
from optimizer.checks.evaluate import (
    Funding,
    borrowing_floor,
    carry_cap,
    fundings,
    objective_values,
    service_weight,
    spend_items,
)
from optimizer.checks.verify import check_plan
from optimizer.compare import EDITED_PROOF, edited_note, plan_proof, proof_in_words
from optimizer.result import Result

logger = logging.getLogger(__name__)

DEFAULT_OVERRUN_PROBABILITY = 0.5
# triangular on [0, HIGH·r] with mode MODE·r: mean (0 + MODE + HIGH)/3 · r = r
TRIANGLE_MODE = 0.5
TRIANGLE_HIGH = 2.5
PERCENTILE = 0.95  # the "bad case" figures: exceeded in one sample in twenty
_TOL = 1e-6
# Columns of the comparison table besides one per plan; a plan may not be labelled so.
RESERVED_LABELS = frozenset({"measure", "unit", "meaning"})
# Samples a stress test takes at most. Each sample holds a (nations × years) array of extra
# spend and of overrun beyond budget, so memory grows with it: the reference dataset took
# 255 MB and 30 s at 10,000 samples, and a million would need about 10 GB and an hour. At
# 100,000 a probability's standard error is at most 0.16 %, far below what the input
# risks themselves are known to.
MAX_SAMPLES = 100_000
# `progress(done, total)` of the replays of breaching samples, every plan's together
StressProgressFn = Callable[[int, int], None]
# Below this many samples a 1-in-20 figure is no percentile at all: the Dashboard says so
FEW_SAMPLES = 20


@dataclass(frozen=True)
class Measure:
    """An alliance figure of a stress test: its key, unit and what it means to a planner."""

    key: str
    unit: str  # "money" stands for the inputs' currency
    meaning: str
    better: str = "lower"  # "lower", "higher" or "" (context, not a ranking)


ALLIANCE_MEASURES: tuple[Measure, ...] = (
    Measure(
        "expected_nation_years_in_breach",
        "nation-years",
        "Expected number of (nation, year) pairs in which a nation must find money beyond its "
        "budget, carry-over and borrowing. The headline: compare it with nations × years.",
    ),
    Measure(
        "budget_overrun_share",
        "share of budget",
        "Overrun beyond budget summed over nations and years, divided by the alliance's total "
        "budget over the horizon (expected).",
    ),
    Measure(
        "expected_overrun_beyond_budget",
        "money",
        "Expected money the nations must find beyond their budgets, carry-over and borrowing, "
        "summed over nations and years.",
    ),
    Measure("p95_overrun_beyond_budget", "money", "The same total in a bad case: exceeded in one sample in twenty."),
    Measure(
        "expected_nations_in_breach",
        "nations",
        "Expected number of nations in breach in at least one year (the sum of the nations' breach probabilities).",
    ),
    Measure(
        "expected_nations_residual_breach",
        "nations",
        "Expected number of nations with a breach that slipping overrunning programmes cannot cure.",
    ),
    Measure(
        "expected_capability_lost",
        "points",
        "Capability at risk: expected capability points lost to programmes slipped by the delay rule.",
    ),
    Measure("p95_capability_lost", "points", "Capability lost in a bad case: exceeded in one sample in twenty."),
    Measure(
        "capability_lost_share", "share of capability", "Expected capability lost as a share of the plan's capability."
    ),
    Measure(
        "expected_capability_delivered",
        "points",
        "Plan capability minus expected capability lost: what the plan is expected to deliver once overruns hit.",
        better="higher",
    ),
    Measure("plan_capability", "points", "The plan's capability objective, without overruns.", better=""),
    Measure("planned_spend", "money", "What the plan spends without overruns.", better=""),
    Measure(
        "expected_overrun_cost",
        "money",
        "Expected extra cost of all overruns, whether the budgets absorb it or not.",
        better="",
    ),
    Measure(
        "any_breach_probability",
        "probability",
        "Probability that some nation breaches in some year. Near 1 for any large alliance "
        "that spends its budgets: kept for reference, not a figure to rank plans by.",
    ),
)


@dataclass(frozen=True)
class _Line:
    """One funding's yearly payments in the plan (nation n pays these for programme p)."""

    nation: str
    programme: str
    payments: dict[int, float]  # year -> amount (payments + per-participant or national cost)


@dataclass
class StressReport:
    """Per-nation breach odds, overrun beyond budget and capability at risk for one plan."""

    by_nation: pd.DataFrame
    by_programme: pd.DataFrame
    by_year: pd.DataFrame
    samples: int
    seed: int
    overrun_probability: float
    notes: list[str] = field(default_factory=list)
    alliance: dict[str, float] = field(default_factory=dict)  # ALLIANCE_MEASURES by key
    currency: str = "money"

    def breach_probability(self, nation: str | None = None) -> float:
        """P(nation breaches); without a nation, P(some nation breaches)."""
        if nation is None:
            return float(self.by_nation.attrs["any_breach_probability"])
        row = self.by_nation.loc[self.by_nation["nation"] == nation]
        return float(row["breach_probability"].iloc[0])

    def summary_rows(self) -> list[tuple[str, object]]:
        """The stress test's Summary: the overrun model, the headline figures and provenance."""
        from optimizer.result import environment_rows, tool_version

        rows: list[tuple[str, object]] = [
            *overrun_model_rows(self.samples, self.seed, self.overrun_probability),
            ("any_breach_probability", self.breach_probability()),
            ("expected_capability_lost", float(self.by_nation.attrs["expected_capability_lost"])),
            ("plan_capability", float(self.by_nation.attrs["plan_capability"])),
            ("tool_version", tool_version()),
            *environment_rows(),
        ]
        return rows + [("note", n) for n in self.notes]

    def to_excel(
        self, path: str | Path, extra_summary: list[tuple[str, object]] | None = None, label: str = "plan"
    ) -> Path:
        """The stress workbook of this plan alone (the comparison workbook with one plan)."""
        comparison = StressComparison(
            {label: self}, self.samples, self.seed, self.overrun_probability, currency=self.currency
        )
        return comparison.to_excel(path, extra_summary)


def overrun_model_rows(samples: int, seed: int, overrun_probability: float) -> list[tuple[str, object]]:
    """The overrun model in Summary rows: what was sampled, how, and how often."""
    return [
        (
            "overrun_model",
            (
                f"each programme overruns in a sample with probability {overrun_probability:g}, "
                f"independently; an overrun raises every payment to it, for every nation, by a fraction "
                f"risk × Triangular(0, {TRIANGLE_MODE:g}, {TRIANGLE_HIGH:g}) (mean = risk, at most "
                f"{TRIANGLE_HIGH:g} × risk); adoptions never overrun"
            ),
        ),
        ("samples", samples),
        ("seed", seed),
        ("overrun_probability", overrun_probability),
        ("overrun_fraction", f"triangular(0, {TRIANGLE_MODE}·risk, {TRIANGLE_HIGH}·risk), mean = risk"),
        (
            "common_random_numbers",
            (
                "one draw per programme and sample from numpy default_rng(seed), for every programme "
                "of the inputs: every plan meets the same overruns"
            ),
        ),
        ("percentile", PERCENTILE),
    ]


@dataclass(frozen=True)
class StressPlan:
    """A plan to stress: its label (a column of the comparison), decisions and provenance."""

    label: str
    decisions: PlanDecisions
    file: str = ""
    robust_overruns: int | None = None  # the Settings Γ the plan was made with, if recorded
    sha256: str = ""  # the plan file's (PlanBook.sha256): `file` names it, this says which version
    # how far from the best possible the plan was proven ("feasible, gap 11.36 % on capability"):
    # a stress test of an unproven robust plan read as a verdict on robustness itself
    proof: str = ""
    proven: bool = True


@dataclass
class StressComparison:
    """Several plans stressed with the same draws, side by side (one plan works too)."""

    reports: dict[str, StressReport]  # by plan label, in the order given
    samples: int
    seed: int
    overrun_probability: float
    files: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    currency: str = "money"
    file_sha256: dict[str, str] = field(default_factory=dict)  # by plan label, as `files`
    proofs: dict[str, tuple[str, bool]] = field(default_factory=dict)  # by label: (in words, proven)

    @property
    def labels(self) -> list[str]:
        """The plans' labels, in the order given (the columns of every side-by-side table)."""
        return list(self.reports)

    def alliance_table(self) -> pd.DataFrame:
        """One row per alliance measure, one column per plan, then its unit and meaning."""
        rows = []
        for m in ALLIANCE_MEASURES:
            row: dict[str, object] = {"measure": m.key}
            row.update({label: r.alliance.get(m.key) for label, r in self.reports.items()})
            row["unit"] = self.currency if m.unit == "money" else m.unit
            row["meaning"] = m.meaning
            rows.append(row)
        return pd.DataFrame(rows, columns=["measure", *self.labels, "unit", "meaning"])

    def _stacked(self, name: str) -> pd.DataFrame:
        frames = [getattr(r, name).assign(plan=label) for label, r in self.reports.items()]
        frame = pd.concat(frames, ignore_index=True)
        return frame[["plan", *[c for c in frame.columns if c != "plan"]]]

    @property
    def by_nation(self) -> pd.DataFrame:
        """Every plan's per-nation table, led by `plan` (one block of nations per plan)."""
        return self._stacked("by_nation")

    @property
    def by_programme(self) -> pd.DataFrame:
        """Every plan's per-programme stress rows, stacked, with a `plan` column."""
        return self._stacked("by_programme")

    @property
    def by_year(self) -> pd.DataFrame:
        """Every plan's per-year stress rows, stacked, with a `plan` column."""
        return self._stacked("by_year")

    def findings(self) -> tuple[str, list[str]]:
        """A headline and a few lines for the Dashboard, in a planner's words."""
        table = self.alliance_table().set_index("measure")
        labels = self.labels
        nation_years = self.nations * self.years

        def ranked(key: str, fmt: str) -> str:
            better = next(m.better for m in ALLIANCE_MEASURES if m.key == key)
            values = {label: float(table.loc[key, label]) for label in labels}  # type: ignore[arg-type]
            order = sorted(labels, key=lambda lab: values[lab], reverse=better == "higher")
            return ", ".join(
                f"{lab} {amount_text(values[lab]) if fmt == 'amount' else format(values[lab], fmt)}" for lab in order
            )

        first = labels[0]
        # (pandas-stubs: a cell read by .loc may be any scalar, so float() of it is refused)
        years = {
            label: float(table.loc["expected_nation_years_in_breach", label])  # type: ignore[arg-type]
            for label in labels
        }
        share = {label: float(table.loc["budget_overrun_share", label]) for label in labels}  # type: ignore[arg-type]
        if len(labels) == 1:
            headline = (
                f"{first}: {years[first]:,.1f} nation-years in breach expected (of {nation_years}); "
                f"{share[first]:.2%} of the budget overrun"
            )
        else:
            headline = _headline(labels, years, share)
        lines = [
            f"nation-years in breach, expected (of {self.nations} nations × {self.years} years): "
            + ranked("expected_nation_years_in_breach", ",.1f"),
            "overrun beyond budget, share of the alliance budget: " + ranked("budget_overrun_share", ".2%"),
            f"overrun beyond budget, 1 sample in 20 exceeds ({self.currency}): "
            + ranked("p95_overrun_beyond_budget", "amount"),  # money as the sheets show it
            "capability at risk (expected points lost to slips): " + ranked("expected_capability_lost", ",.0f"),
            "capability delivered once overruns hit (expected): " + ranked("expected_capability_delivered", ",.0f"),
            "P(some nation breaches somewhere), near 1 for a large alliance: "
            + ranked("any_breach_probability", ".3f"),
            (
                f"overruns: probability {self.overrun_probability:g} per programme, by a fraction risk × "
                f"Triangular(0, {TRIANGLE_MODE:g}, {TRIANGLE_HIGH:g})"
            ),
            f"{self.samples:,} samples, seed {self.seed}: every plan meets the same overruns",
        ]
        unproven = [f"{label} ({proof})" for label, (proof, proven) in self.proofs.items() if not proven]
        if unproven:
            lines.append(
                "not proven: " + "; ".join(unproven) + " — the figures are of the plan found, which a "
                "longer solve may beat; compare plans proven alike before drawing a conclusion"
            )
        if self.samples < FEW_SAMPLES:  # `--samples 1` gave "1 in 20 exceeds" its one sample, unremarked
            lines.append(
                f"only {self.samples} sample{'s' if self.samples != 1 else ''}: the 1-in-20 figures are "
                f"{'the worst sample' if self.samples > 1 else 'that sample'}, and every figure is one "
                "draw's luck; use 1,000 or more (the default) to compare plans"
            )
        return headline, lines

    @property
    def nations(self) -> int:
        """How many nations the plans were stressed for."""
        return len(next(iter(self.reports.values())).by_nation)

    @property
    def years(self) -> int:
        """How many years of the horizon the plans were stressed over."""
        return len(next(iter(self.reports.values())).by_year)

    def summary_rows(self) -> list[tuple[str, object]]:
        """The comparison's Summary: the plans and their files, the overrun model and provenance."""
        from optimizer.result import environment_rows, tool_version

        rows: list[tuple[str, object]] = [("plans", ", ".join(self.labels)), *self._file_rows()]
        rows += overrun_model_rows(self.samples, self.seed, self.overrun_probability)
        if len(self.reports) == 1:
            report = next(iter(self.reports.values()))
            rows += [
                ("any_breach_probability", report.breach_probability()),
                ("expected_capability_lost", float(report.by_nation.attrs["expected_capability_lost"])),
                ("plan_capability", float(report.by_nation.attrs["plan_capability"])),
            ]
        rows += [
            ("tool_version", tool_version()),
            *environment_rows(),
            ("created_at", pd.Timestamp.now(tz="UTC").floor("s").isoformat()),
        ]  # as a plan's Summary
        notes = [*self.notes, *(f"{label}: {n}" for label, r in self.reports.items() for n in r.notes)]
        return rows + [("note", n) for n in notes]

    def _file_rows(self) -> list[tuple[str, object]]:
        """Each plan's file and its SHA-256 (`plan_file`, `plan_sha256`; `…:<label>` for
        several plans): a path alone does not say which version of a plan was stressed, and
        a plan saved again under the same name would pass for the one stressed here."""
        one = len(self.reports) == 1
        rows: list[tuple[str, object]] = []
        for label, path in self.files.items():
            rows.append(("plan_file" if one else f"plan_file:{label}", path))
            if self.file_sha256.get(label):
                rows.append(("plan_sha256" if one else f"plan_sha256:{label}", self.file_sha256[label]))
            if label in self.proofs:
                rows.append(("plan_proof" if one else f"plan_proof:{label}", self.proofs[label][0]))
        return rows

    def to_excel(self, path: str | Path, extra_summary: list[tuple[str, object]] | None = None) -> Path:
        """Write the comparison workbook atomically: every plan side by side, a chart per measure."""
        from data.stress_report import write_stress_workbook

        headline, findings = self.findings()
        summary = (extra_summary or []) + self.summary_rows()
        return write_stress_workbook(
            path,
            summary,
            headline,
            findings,
            self.alliance_table(),
            self.labels,
            self.by_nation,
            self.by_programme,
            self.by_year,
        )


def _headline(labels: list[str], years: Mapping[str, float], share: Mapping[str, float]) -> str:
    """Which plan has the fewest nation-years in breach (the overrun share breaking a tie);
    plans that tie on both are named together — a winner picked from identical figures (the
    same plan stressed twice, a re-plan that changed nothing) told a planner they differed."""

    def key(label: str) -> tuple[float, float]:
        return years[label], share[label]

    best = min(labels, key=key)
    tied = [lab for lab in labels if np.allclose(key(lab), key(best), rtol=1e-9, atol=1e-12)]
    others = ", ".join(f"{years[lab]:,.1f} for {lab}" for lab in labels if lab not in tied)
    if len(tied) == 1:
        return f"Fewest nation-years in breach: {best} ({years[best]:,.1f} against {others})"
    against = f" against {others}" if others else ""
    return f"Fewest nation-years in breach: {' and '.join(tied)} tie ({years[best]:,.1f} each{against})"


def stress_test(
    inputs: Inputs,
    decisions: PlanDecisions,
    samples: int = 1000,
    seed: int = 0,
    overrun_probability: float = DEFAULT_OVERRUN_PROBABILITY,
    progress: StressProgressFn | None = None,
) -> StressReport:
    """Replay `decisions` under `samples` seeded overrun scenarios (see the module docstring).

    `inputs` may be a Scenario and `decisions` a Result: their inputs and decisions are used;
    `decisions` may also be a plan workbook's path, read and checked as `capopt stress` reads it.
    """
    inputs = _inputs_of(inputs)
    decisions = _decisions_of("decisions", decisions, inputs)
    samples, seed = _check_arguments(samples, seed, overrun_probability)
    fractions = draw_overruns(inputs, samples, seed, overrun_probability)
    return _stress(
        inputs,
        decisions,
        fractions,
        seed,
        overrun_probability,
        None,
        _replays(progress, inputs, [decisions], fractions),
    )


def compare_stress(
    inputs: Inputs,
    plans: Mapping[str, PlanDecisions] | Sequence[StressPlan],
    samples: int = 1000,
    seed: int = 0,
    overrun_probability: float = DEFAULT_OVERRUN_PROBABILITY,
    progress: StressProgressFn | None = None,
) -> StressComparison:
    """Stress every plan of `inputs` against the same draws, side by side.

    `plans` is {label: decisions} (a Result stands for its decisions), or `StressPlan`s when
    their files and Γ are known; `inputs` may be a Scenario (its inputs are used). Each
    plan's figures are exactly `stress_test(inputs, its decisions, samples, seed, …)`'s,
    whatever the other plans and their order.
    """
    inputs = _inputs_of(inputs)
    samples, seed = _check_arguments(samples, seed, overrun_probability)
    plans = _stress_plans(plans, inputs)
    if not plans:
        raise ValueError("compare_stress needs at least one plan")
    labels = [p.label for p in plans]
    clashing = sorted(
        {
            str(lab)
            for lab in labels
            if labels.count(lab) > 1 or not isinstance(lab, str) or lab.casefold() in RESERVED_LABELS
        }
    )
    if clashing or any(not lab.strip() for lab in labels):
        raise ValueError(f"plan labels must be distinct, non-blank and none of {sorted(RESERVED_LABELS)}; got {labels}")
    fractions = draw_overruns(inputs, samples, seed, overrun_probability)
    replays = _replays(progress, inputs, [p.decisions for p in plans], fractions)
    reports = {
        p.label: _stress(inputs, p.decisions, fractions, seed, overrun_probability, p.robust_overruns, replays)
        for p in plans
    }
    return StressComparison(
        reports,
        samples,
        seed,
        overrun_probability,
        files={p.label: p.file for p in plans if p.file},
        currency=inputs.settings.currency,
        file_sha256={p.label: p.sha256 for p in plans if p.file and p.sha256},
        proofs={p.label: (p.proof, p.proven) for p in plans if p.proof},
    )


def _check_arguments(samples: object, seed: object, overrun_probability: object) -> tuple[int, int]:
    """(samples, seed) as ints, checked with the probability before anything is drawn: 1.5
    and "100" samples, a seed of -1 and a probability of "0.5" failed inside numpy, and
    `seed=None` drew from the operating system, so the study could not be repeated (its
    Summary's seed was blank)."""
    count = whole_number(samples)
    if count is None or not 1 <= count <= MAX_SAMPLES:
        raise ValueError(
            f"samples must be from 1 to {MAX_SAMPLES:,} (a whole number; see stress.MAX_SAMPLES), got {samples!r}"
        )
    number = whole_number(seed)
    if number is None or number < 0:
        raise ValueError(
            f"seed is {seed!r} — expected a whole number ≥ 0 (default 0): the seed fixes the draws, "
            "so the same seed repeats the study"
        )
    if (
        isinstance(overrun_probability, bool)
        or not isinstance(overrun_probability, numbers.Real)
        or not 0.0 <= overrun_probability <= 1.0  # type: ignore[operator]  # NaN fails the range test too
    ):
        raise ValueError(f"overrun_probability must be a number in [0, 1], got {overrun_probability!r}")
    return count, number


def _inputs_of(inputs: object) -> Inputs:
    """The Inputs to stress against, or a Scenario's (it has no stress method of its own)."""
    if isinstance(inputs, Inputs):
        return inputs
    if isinstance(getattr(inputs, "inputs", None), Inputs):
        return inputs.inputs  # type: ignore[attr-defined]
    raise TypeError(
        f"inputs is {type(inputs).__name__} — expected the Inputs the plans are judged against, "
        "or a Scenario (its inputs are used)"
    )


def _decisions_of(name: str, decisions: object, inputs: Inputs) -> PlanDecisions:
    """A plan's PlanDecisions, a Result's (result.decisions), or a plan workbook's, read
    as `capopt stress` reads it: a plan made from budgets ×0.6, read back in Python and
    stressed against the full budgets, was judged without a word (the CLI warns), and a
    plan made from another workbook is refused (InputError naming its file)."""
    if isinstance(decisions, Result):
        return decisions.decisions
    if isinstance(decisions, PlanDecisions):
        return decisions
    if isinstance(decisions, (str, os.PathLike)):
        plans, warnings = stress_plans(read_plan_books([decisions]), inputs)
        for warning in warnings:
            logger.warning("%s", warning)
        return plans[0].decisions
    raise TypeError(
        f"{name} is {type(decisions).__name__} — expected a plan's PlanDecisions "
        "(e.g. result.decisions), its Result, or the path of a plan workbook"
    )


def _stress_plans(plans: object, inputs: Inputs) -> list[StressPlan]:
    """`compare_stress`'s plans as StressPlans: a list of bare decisions has no labels for
    the comparison's columns ("'PlanDecisions' object has no attribute 'label'")."""
    if isinstance(plans, Mapping):
        return [
            StressPlan(label, _decisions_of(f"plans[{label!r}]", decisions, inputs))
            for label, decisions in plans.items()
        ]
    listed = list(plans) if isinstance(plans, Sequence) and not isinstance(plans, (str, bytes)) else None
    strays = sorted({type(p).__name__ for p in listed or () if not isinstance(p, StressPlan)})
    if listed is None or strays:
        given = f"holds {', '.join(strays)}" if strays else f"is {type(plans).__name__}"
        raise TypeError(
            f"plans {given} — expected {{label: decisions}}, e.g. {{'plan': result.decisions}}, or a list of StressPlan"
        )
    return listed


# --------------------------------------------------------------------------- plan files


def plan_labels(paths: Sequence[str | os.PathLike[str]]) -> list[str]:
    """A short, distinct label per plan file: its name without .xlsx (`robust`, `robust (2)`)."""
    labels: list[str] = []
    for path in paths:
        stem = Path(path).stem.strip() or "plan"
        label, k = stem, 1
        while label in labels or label.casefold() in RESERVED_LABELS:
            k += 1
            label = f"{stem} ({k})"
        labels.append(label)
    return labels


def read_plan_books(paths: Sequence[str | os.PathLike[str]]) -> list[PlanBook]:
    """Every plan workbook read; one InputError listing every file's problems."""
    books, problems = [], []
    for path in paths:
        try:
            books.append(load_plan_book(path))
        except InputError as exc:
            problems += _in_file(exc.problems, path)
    if problems:
        raise InputError(problems)
    return books


def stress_plans(
    books: Sequence[PlanBook], inputs: Inputs, point: int | None = None, allow_other_input: bool = False
) -> tuple[list[StressPlan], list[str]]:
    """The plans of `books`, decoded against `inputs`, and warnings.

    A plan that records the input workbook it was made from (Summary `input_sha256`) must
    have been made from `inputs`' workbook: stressing it against other budgets, or beside
    plans of other inputs, compares nothing. Such a plan is refused — an InputError naming
    its file — unless `allow_other_input`, which makes it a warning. `point` picks the plan
    of a Pareto front workbook (a plain plan ignores it).
    """
    source = inputs.source
    problems: list[Problem] = []
    warnings: list[str] = []
    plans = []
    for book, label in zip(books, plan_labels([b.path for b in books])):
        name = Path(book.path).name
        sha = book.input_sha256
        if sha and source is not None and source.sha256.lower() != sha:
            what = (
                f"{name} was made from {book.input_file or 'another input workbook'} "
                f"(SHA-256 {sha[:12]}…), not from {told_apart(source.path, book.input_file)} (SHA-256 {source.sha256[:12]}…)"
            )
            if allow_other_input:
                warnings.append(what)
            else:
                problems.append(
                    Problem(
                        f"[{name}]Summary",
                        "",
                        what,
                        "expected plans made from the input workbook they are stressed "
                        "against: pass that workbook with --book, stress plans of other "
                        "workbooks separately, or --allow-other-input to go on anyway",
                    )
                )
                continue
        changed = book.changed_inputs_note(source.path if source else "the workbook")
        if changed:
            warnings.append(changed)
        try:
            decisions = book.decisions(inputs, point)
        except InputError as exc:
            problems += _in_file(exc.problems, book.path)
            continue
        # a front's point is part of where the plan came from (two points' stress workbooks
        # were otherwise told apart by nothing)
        where = f"{book.path} (point {point})" if point is not None and book.front_points is not None else book.path
        proof = plan_proof(book, point)
        broken = check_plan(inputs, decisions)
        if broken:  # said on the terminal only, at most five lines: the workbook kept no trace of it
            more = f" (and {len(broken) - 1} more)" if len(broken) > 1 else ""
            warnings.append(f"{name} breaks the model: {broken[0]}{more} — its figures are of a plan no solve returns")
        if edit := edited_note(book, inputs, objective_values(inputs, decisions), name):
            proof = {**proof, **EDITED_PROOF}  # a start moved by hand was stressed as "optimal, gap 0 %"
            warnings.append(edit)
        plans.append(
            StressPlan(
                label,
                decisions,
                where,
                whole_number(book.summary.get("robust_overruns")),
                book.sha256,
                proof_in_words(proof),
                proof.get("status") == "optimal",
            )
        )
    if problems:
        raise InputError(problems)
    return plans, warnings


def _in_file(problems: Sequence[Problem], path: str | os.PathLike[str]) -> list[Problem]:
    """A plan file's problems, located the way Excel names another book's cell:
    `[plan.xlsx]Plan!D2` (problems of the whole file already name it)."""
    name = Path(path).name
    return [p if p.sheet == name else replace(p, sheet=f"[{name}]{p.sheet}") for p in problems]


# --------------------------------------------------------------------------- the replay


class _Replays:
    """Counts the delay-rule replays (the slow part, one Python pass per breaching sample)
    for `progress`, about twenty calls in all, so a log that is not a terminal gets twenty
    lines, not one per sample."""

    def __init__(self, progress: StressProgressFn | None, total: int):
        self.progress, self.total, self.done = progress, total, 0
        self._step = max(1, total // 20)

    def one(self) -> None:
        self.done += 1
        if self.progress is not None and (self.done % self._step == 0 or self.done == self.total):
            self.progress(self.done, self.total)


def _replays(
    progress: StressProgressFn | None, inputs: Inputs, plans: Sequence[PlanDecisions], fractions: np.ndarray
) -> _Replays:
    """The replay counter; its total is counted only when someone watches the progress."""
    return _Replays(progress, _breaching(inputs, plans, fractions) if progress is not None else 0)


def _breaching(inputs: Inputs, plans: Sequence[PlanDecisions], fractions: np.ndarray) -> int:
    """How many replays the plans will need: their samples with some nation in breach. Each
    plan's overrun arrays are computed here and again by `_stress`, one plan at a time:
    keeping every plan's (samples × nations × years arrays) for one pass would hold several
    times the memory, and this part is quick beside the replays."""
    if len(plans) == 0:
        return 0
    nations, years = [n.code for n in inputs.nations], list(inputs.years)
    return sum(
        int(np.any(_overrun_beyond(inputs, d, fractions, nations, years)[1] > 0, axis=(1, 2)).sum()) for d in plans
    )


def _overrun_beyond(
    inputs: Inputs, decisions: PlanDecisions, fractions: np.ndarray, nations: list[str], years: list[int]
) -> tuple[np.ndarray, np.ndarray]:
    """(extra spend, overrun beyond budget), each (samples, nations, years), of one plan."""
    column = {p.id: j for j, p in enumerate(inputs.programmes)}
    base = _base_spend(inputs, decisions, nations, years)
    extra = np.zeros((fractions.shape[0], len(nations), len(years)))
    row_of = {n: i for i, n in enumerate(nations)}
    for line in _payment_lines(inputs, decisions):
        drawn = fractions[:, column[line.programme]]
        for year, amount in line.payments.items():
            extra[:, row_of[line.nation], year - years[0]] += drawn * amount
    return extra, _beyond_budget(inputs, nations, years, base[None, :, :] + extra)


def _stress(
    inputs: Inputs,
    decisions: PlanDecisions,
    fractions: np.ndarray,
    seed: int,
    overrun_probability: float,
    robust_overruns: int | None,
    replays: _Replays | None = None,
) -> StressReport:
    samples = fractions.shape[0]
    lines = _payment_lines(inputs, decisions)
    column = {p.id: j for j, p in enumerate(inputs.programmes)}
    nations = [n.code for n in inputs.nations]
    years = list(inputs.years)
    base = _base_spend(inputs, decisions, nations, years)
    extra, beyond = _overrun_beyond(inputs, decisions, fractions, nations, years)
    breach_years = beyond > 0
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
        if replays is not None:
            replays.one()
    overran = fractions > 0
    budgets = np.array([sum(inputs.budget(n, y) for y in years) for n in nations])
    by_nation = _by_nation(
        inputs, nations, breach_years, residual, lost, extra, beyond, budgets, replay, robust_overruns
    )
    by_nation.attrs.update(
        any_breach_probability=float(np.any(breached, axis=1).mean()),
        expected_capability_lost=float(lost.sum(axis=1).mean()),
        plan_capability=plan_capability,
    )
    by_programme = _by_programme(inputs, lines, column, overran, fractions, slips, replay, samples)
    by_year = pd.DataFrame(
        {
            "year": years,
            "breach_probability": breach_years.any(axis=1).mean(axis=0),
            "expected_nations_breaching": breach_years.sum(axis=1).mean(axis=0),
            "expected_overrun_beyond_budget": beyond.sum(axis=1).mean(axis=0),
        }
    )
    alliance = _alliance(
        breach_years, breached, residual, lost, extra, beyond, float(budgets.sum()), float(base.sum()), plan_capability
    )
    logger.info(
        "stress test: %d samples, %.2f nation-years in breach expected, P(any breach) = %.3f",
        samples,
        alliance["expected_nation_years_in_breach"],
        alliance["any_breach_probability"],
    )
    return StressReport(
        by_nation,
        by_programme,
        by_year,
        samples,
        seed,
        overrun_probability,
        alliance=alliance,
        currency=inputs.settings.currency,
    )


def _alliance(
    breach_years: np.ndarray,
    breached: np.ndarray,
    residual: np.ndarray,
    lost: np.ndarray,
    extra: np.ndarray,
    beyond: np.ndarray,
    total_budget: float,
    planned_spend: float,
    plan_capability: float,
) -> dict[str, float]:
    """ALLIANCE_MEASURES of one plan, from its (samples, nations[, years]) arrays."""
    total_beyond = beyond.sum(axis=(1, 2))
    total_lost = lost.sum(axis=1)
    expected_lost = float(total_lost.mean())
    return {
        "expected_nation_years_in_breach": float(breach_years.sum(axis=(1, 2)).mean()),
        "budget_overrun_share": float(total_beyond.mean() / total_budget) if total_budget > 0 else 0.0,
        "expected_overrun_beyond_budget": float(total_beyond.mean()),
        "p95_overrun_beyond_budget": float(np.quantile(total_beyond, PERCENTILE)),
        "expected_nations_in_breach": float(breached.sum(axis=1).mean()),
        "expected_nations_residual_breach": float(residual.sum(axis=1).mean()),
        "expected_capability_lost": expected_lost,
        "p95_capability_lost": float(np.quantile(total_lost, PERCENTILE)),
        "capability_lost_share": expected_lost / plan_capability if plan_capability > 0 else 0.0,
        "expected_capability_delivered": plan_capability - expected_lost,
        "plan_capability": plan_capability,
        "planned_spend": planned_spend,
        "expected_overrun_cost": float(extra.sum(axis=(1, 2)).mean()),
        "any_breach_probability": float(np.any(breached, axis=1).mean()),
    }


def draw_overruns(inputs: Inputs, samples: int, seed: int, overrun_probability: float) -> np.ndarray:
    """(samples, programmes) overrun fractions, programmes in input order (0 = no overrun).

    Drawn for every programme of the inputs, funded or not: the draws depend on the inputs
    and the seed only, never on a plan.
    """
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
    return [_Line(n, pid, dict(years)) for (n, pid), years in sorted(paid.items())]


def _base_spend(inputs: Inputs, decisions: PlanDecisions, nations: list[str], years: list[int]) -> np.ndarray:
    spend = np.zeros((len(nations), len(years)))
    row = {n: i for i, n in enumerate(nations)}
    for item in spend_items(inputs, decisions):
        spend[row[item.nation], item.year - years[0]] += item.amount
    return spend


def _beyond_budget(inputs: Inputs, nations: list[str], years: list[int], spend: np.ndarray) -> np.ndarray:
    """(samples, nations, years) money needed beyond budget, carry-over and borrowing (0: none).

    The greedy balance, except that a year's gap below the floor is found (counted here)
    and the balance put back on the floor, so a deficit is counted in the year it arises.
    Up to a nation's first breach this is the plain greedy balance.
    """
    out = np.zeros(spend.shape)
    balance = np.zeros(spend.shape[:2])
    for i, n in enumerate(nations):
        for j, year in enumerate(years):
            budget = inputs.budget(n, year)
            balance[:, i] = np.minimum(balance[:, i] + budget - spend[:, i, j], carry_cap(inputs, n, year))
            floor = borrowing_floor(inputs, n, year)
            short = balance[:, i] < floor - _TOL * max(1.0, abs(floor), budget)
            out[:, i, j] = np.where(short, floor - balance[:, i], 0.0)
            balance[:, i] = np.where(short, floor, balance[:, i])
    return out


class _Replay:
    """The delay rule for one sample: replay years in order, slipping overrun programmes.

    Each line (what one nation pays for one programme) is a row of a schedule matrix over
    the horizon years; a slip in year z shifts the row's entries from z on one column to
    the right (what falls off the end leaves the horizon). Rows of one joint programme
    slip together (one consortium); a national programme's row slips alone.
    """

    def __init__(
        self,
        inputs: Inputs,
        decisions: PlanDecisions,
        lines: list[_Line],
        nations: list[str],
        years: list[int],
        base: np.ndarray,
        column: dict[str, int],
    ):
        self.inputs, self.lines, self.nations, self.years = inputs, lines, nations, years
        self.row = {n: i for i, n in enumerate(nations)}
        first = years[0]
        self.schedule = np.zeros((len(lines), len(years)))
        for i, line in enumerate(lines):
            for year, amount in line.payments.items():
                self.schedule[i, year - first] = amount
        self.payer = np.array([self.row[line.nation] for line in lines], dtype=int)
        self.programme = np.array([column[line.programme] for line in lines], dtype=int)
        # a joint programme's lines slip together (one consortium); a national programme
        # funded by several nations is a separate programme of each, and slips alone
        self.joint = np.array([inputs.programme_by_id[line.programme].sharing == "joint" for line in lines], dtype=bool)
        # certain spend (adoptions) is what the lines do not cover
        self.fixed = base.copy()
        np.add.at(self.fixed, self.payer, -self.schedule)
        self.budget = np.array([[inputs.budget(n, y) for y in years] for n in nations])
        self.cap = np.array([[carry_cap(inputs, n, y) for y in years] for n in nations])
        floor = np.array([[borrowing_floor(inputs, n, y) for y in years] for n in nations])
        self.floor = floor
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
                if not self.joint[worst]:  # another nation's own funding of it does not slip
                    moved &= self.payer == self.payer[worst]
                schedule[moved, j + 1 :] = schedule[moved, j:-1]
                schedule[moved, j] = 0.0
                slips[moved] += 1
            # a deficit slipping cannot cure is counted once, in its year: the replay assumes it
            # was found (docs/robust.md), so it is not carried into later years, where it made a
            # programme that fits its own year slip (a brute-force audit of the stress measures)
            balance = np.maximum(after, self.floor[:, j])
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
            per_year = sum(w * self.inputs.values.get((funding.programme.id, c), 0.0) for c, w in self.weights.items())
            done = moved.completion <= self.inputs.settings.last_year
            self._points[key] = per_year * service_weight(self.inputs, moved) if done else 0.0
        return self._points[key]


def _by_nation(
    inputs: Inputs,
    nations: list[str],
    breach_years: np.ndarray,
    residual: np.ndarray,
    lost: np.ndarray,
    extra: np.ndarray,
    beyond: np.ndarray,
    budgets: np.ndarray,
    replay: _Replay,
    robust_overruns: int | None,
) -> pd.DataFrame:
    planned = np.zeros(len(nations))
    for f in replay.fundings:
        planned[replay.row[f.nation]] += replay.points(f, 0)
    own = {n.code: n.robust_overruns for n in inputs.nations}
    total_beyond = beyond.sum(axis=2)  # (samples, nations)
    frame = pd.DataFrame(
        {
            "nation": nations,
            "role": [inputs.nation_by_code[n].role for n in nations],
            # Γ the plan was made with: the nation's own, else the plan's Settings value if known
            "gamma": [
                inputs.robust_overruns(n) if robust_overruns is None or own[n] is not None else robust_overruns
                for n in nations
            ],
            "breach_probability": breach_years.any(axis=2).mean(axis=0),
            "expected_breach_years": breach_years.sum(axis=2).mean(axis=0),
            "residual_breach_probability": residual.mean(axis=0),
            "expected_overrun_cost": extra.sum(axis=2).mean(axis=0),
            "expected_overrun_beyond_budget": total_beyond.mean(axis=0),
            "p95_overrun_beyond_budget": np.quantile(total_beyond, PERCENTILE, axis=0),
            "plan_capability": planned,
            "expected_capability_lost": lost.mean(axis=0),
            "p95_capability_lost": np.quantile(lost, PERCENTILE, axis=0),
        }
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["capability_lost_share"] = np.where(planned > 0, frame["expected_capability_lost"] / planned, 0.0)
        frame["overrun_beyond_budget_share"] = np.where(
            budgets > 0, frame["expected_overrun_beyond_budget"] / budgets, 0.0
        )
    return frame


def _by_programme(
    inputs: Inputs,
    lines: list[_Line],
    column: dict[str, int],
    overran: np.ndarray,
    fractions: np.ndarray,
    slips: dict[tuple[str, str], np.ndarray],
    replay: _Replay,
    samples: int,
) -> pd.DataFrame:
    rows = []
    for line in lines:
        j = column[line.programme]
        slipped = slips.get((line.nation, line.programme), np.zeros(samples))
        f = replay.by_key.get((line.nation, line.programme))
        lost = 0.0
        if f is not None and slipped.any():
            base = replay.points(f, 0)
            lost = float(np.mean([base - replay.points(f, int(k)) if k else 0.0 for k in slipped]))
        rows.append(
            {
                "nation": line.nation,
                "programme": line.programme,
                "cost_overrun_risk": inputs.programme_by_id[line.programme].cost_overrun_risk,
                "planned_cost": sum(line.payments.values()),
                "overrun_probability": float(overran[:, j].mean()),
                "mean_overrun_fraction": float(fractions[:, j].mean()),
                "slip_probability": float((slipped > 0).mean()),
                "expected_slip_years": float(slipped.mean()),
                "expected_capability_lost": lost,
            }
        )
    columns = [
        "nation",
        "programme",
        "cost_overrun_risk",
        "planned_cost",
        "overrun_probability",
        "mean_overrun_fraction",
        "slip_probability",
        "expected_slip_years",
        "expected_capability_lost",
    ]
    return pd.DataFrame(rows, columns=columns)
