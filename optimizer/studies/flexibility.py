"""The value of flexibility: what free starts and budget carry-over/borrowing are worth.

Four plans of the same inputs, differing only in the two levers the alliance debates:

* rigid — every programme starts only in planning-cycle years; no carry-over, no borrowing;
* free starts — any programme may start in any year; still no carry-over or borrowing;
* carry-over — cycle-bound starts; carry-over and borrowing as the workbook sets them;
* flexible — both levers.

The worth of a lever is how much better its plan is than the rigid plan, objective by
objective, in each objective's own units and signed so that + is better whatever its sense
(capability +100: 100 more; cost +100: 100 less), under `worth_column`'s header "worth of
<lever> (+ is better)" in ByObjective, LeverWorth and the terminal. A plan without a
lever is a plan with it too, so no lever can be worth less than nothing: where a solve
stopped by the time limit came out worse than a plan it could have kept, it is solved again
from that plan (`repair_nested`), and the Summary's notes say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from data.dashboard import worth_column
from data.tables import Inputs, objective_sense
from optimizer.arguments import check_fraction, check_progress, check_scenario
from optimizer.studies.sweeps import (
    Job,
    Sweep,
    SweepPoint,
    SweepProgressFn,
    repair_nested,
    run_jobs,
    tolerance_notes,
)
from optimizer.whatif import noted

LEVERS = ("rigid", "free starts", "carry-over", "flexible")
COMBOS = {"rigid": (False, False), "free starts": (True, False), "carry-over": (False, True), "flexible": (True, True)}
"""Each lever setting as (free starts, carry-over and borrowing)."""
DEFAULT_CARRY_OVER = 0.1  # used only when the workbook allows no carry-over at all


def lever_inputs(inputs: Inputs, free_starts: bool, banking: bool, carry: float | None, borrow: float | None) -> Inputs:
    """The inputs with a flexibility lever set: free starts for every programme or none,
    banking on or off, and the carry and borrow fractions (None: each nation's own)."""
    programmes = tuple(replace(p, flexible_start=free_starts) for p in inputs.programmes)
    nations = tuple(
        replace(
            n,
            carry_over_fraction=(n.carry_over_fraction if carry is None else carry) if banking else 0.0,
            borrow_fraction=(n.borrow_fraction if borrow is None else borrow) if banking else 0.0,
        )
        for n in inputs.nations
    )
    return noted(
        replace(inputs, programmes=programmes, nations=nations), _lever_words(free_starts, banking, carry, borrow)
    )


def _lever_words(free_starts: bool, banking: bool, carry: float | None, borrow: float | None) -> str:
    """What a lever setting changed, for its plan's `input_changes` and the study's Summary:
    `--carry-over 0.35 --borrow 0.1` were recorded nowhere."""
    starts = "any start year" if free_starts else "starts in planning-cycle years"
    if not banking:
        return f"{starts}, no carry-over or borrowing"

    def fraction(value: float | None) -> str:
        return "each nation's own" if value is None else f"{value:g} for every nation"

    return f"{starts}, carry-over {fraction(carry)}, borrowing {fraction(borrow)}"


@dataclass
class FlexibilityReport:
    """What each lever (free starts, carry-over/borrowing, both) is worth against the rigid
    cycle: the four plans as a study (`sweep`), their objectives and proofs."""

    sweep: Sweep
    notes: list[str] = field(default_factory=list)

    def _result(self, lever: str) -> Any:
        for p in self.sweep.points:
            if p.name == lever:
                return p.result
        return None

    @property
    def by_objective(self) -> pd.DataFrame:
        """objective, sense, the four plans' values, and each lever's worth against rigid
        (`worth_column`: + is better, whatever the objective's sense; the raw difference
        showed a cost saved as negative, beside LeverWorth's positive gain for it)."""
        solved = [r for r in map(self._result, LEVERS) if r is not None]
        names = list(solved[0].objectives) if solved else []
        rows = []
        for name in names:
            sense = objective_sense(name)
            better = 1.0 if sense == "max" else -1.0
            row: dict[str, Any] = {"objective": name, "sense": sense}
            for lever in LEVERS:
                r = self._result(lever)
                row[lever] = r.objectives[name] if r else None
            for lever in LEVERS[1:]:  # no worth without both plans (the rigid one may have none)
                both = row[lever] is not None and row["rigid"] is not None
                # + 0.0: no worth of −0.0 (a minimised objective that did not move printed "-0.0")
                row[worth_column(lever)] = better * (row[lever] - row["rigid"]) + 0.0 if both else None
            rows.append(row)
        # the columns even with no row: a study whose every lever is infeasible ended in an
        # internal error writing its workbook (found by fuzzing), where a sweep writes its points
        columns = ["objective", "sense", *LEVERS, *(worth_column(lever) for lever in LEVERS[1:])]
        return pd.DataFrame(rows, columns=columns)

    @property
    def solves(self) -> pd.DataFrame:
        """Per lever: how far its plan is proven (status, gap and whose gap), and its time.
        A lever's worth is a difference of two plans: it is exact only where both are."""
        table = self.sweep.table
        columns = [
            c
            for c in (
                "scenario",
                "status",
                "gap",
                "best_bound",
                "gap_of",
                "not_optimised",
                "proof",
                "standards_adoption_cost",
                "seconds",
            )
            if c in table
        ]
        return table[columns].rename(columns={"scenario": "lever"})

    @property
    def by_nation(self) -> pd.DataFrame:
        """Per nation and plan: its share of the capability objective (MODEL.md's weighted,
        discounted sum, so a lever's column adds up to ByObjective's capability and the
        gains to its worth), what it pays (cost, adoptions included) and its programmes.
        It showed "capability-years", an unweighted sum of the Capability sheet that matched
        no objective (rigid 32,327 against ByObjective's 35,447.1) and was defined nowhere."""
        frames = []
        for lever in LEVERS:
            r = self._result(lever)
            if r is None:
                continue
            digest = r.evaluation.by_nation.set_index("nation")  # evaluated with the plan
            funded = r.plan.groupby("nation")["programme"].nunique()
            frames.append(
                pd.DataFrame(
                    {
                        f"capability ({lever})": digest["capability"],
                        f"cost ({lever})": digest["cost"],
                        f"programmes ({lever})": funded,
                    }
                )
            )
        table = pd.concat(frames, axis=1).fillna(0).reset_index(names="nation") if frames else pd.DataFrame()
        counts = [c for c in table.columns if str(c).startswith("programmes (")]
        table[counts] = table[counts].astype(int)  # whole counts: the blanks filled made them "3.0"
        if not table.empty and {"capability (flexible)", "capability (rigid)"} <= set(table):
            table["capability gained by flexibility"] = table["capability (flexible)"] - table["capability (rigid)"]
        return table

    def to_excel(self, path: str | Path) -> Path:
        """Verify every lever's plan, then write the flexibility workbook atomically."""
        from data.report import write_flexibility_workbook
        from optimizer.checks.verify import assert_valid

        for p in self.sweep.points:
            if p.result is not None:
                assert_valid(p.result.inputs, p.result.decisions, p.result.objectives)
        summary = self.sweep.summary_rows() + [("note", n) for n in self.notes]
        return write_flexibility_workbook(
            path,
            summary,
            self.by_objective,
            self.by_nation,
            self.sweep.plans,
            levers=self.workbook_levers(),
            solves=self.solves,
            scenario_tables=self.sweep.scenario_tables,
        )

    def workbook_levers(self) -> list[str]:
        """The settings the workbook shows, rigid first: the four plans are the levers, and
        the "worth of …" columns are differences between them (read as levers, the Dashboard
        compared them with the rigid plan as plans). A setting without a plan is left out,
        except the rigid one: every worth is against it, and with the next setting in its
        place "worth of carry-over" compared carry-over with free starts, two levers at once.
        Without it the worths are blank and the Dashboard says no worth can be given."""
        return [lever for lever in LEVERS if lever == LEVERS[0] or self._result(lever) is not None]


def flexibility_value(
    scenario: Any,
    carry_over_fraction: float | None = None,
    borrow_fraction: float | None = None,
    *,
    workers: int | None = None,
    client: Any = None,
    scheduler: str | None = None,
    progress: SweepProgressFn | None = None,
    **solve_kwargs: Any,
) -> FlexibilityReport:
    """Solve the four lever combinations side by side and report what each lever is worth.

    Checked before any solve, called directly or through `Scenario.flexibility_value`: the
    fractions lie in [0, 1] as on the Nations sheet, and the other options are checked as
    `budget_sweep`'s are."""
    check_scenario(scenario)
    carry_over_fraction = check_fraction("carry_over_fraction", carry_over_fraction)
    borrow_fraction = check_fraction("borrow_fraction", borrow_fraction)
    check_progress(progress)
    solve_kwargs = scenario.check_study_options(flexibility_value, {"workers": workers, **solve_kwargs})
    workers = solve_kwargs.pop("workers", None)
    inputs: Inputs = scenario.inputs
    notes = []
    carry, borrow = carry_over_fraction, borrow_fraction
    if (
        carry is None
        and borrow is None
        and all(n.carry_over_fraction == 0 and n.borrow_fraction == 0 for n in inputs.nations)
    ):
        carry = DEFAULT_CARRY_OVER
        notes.append(f"the workbook allows no carry-over; the carry-over lever uses {carry:.0%} of a year's budget")
    jobs = [
        Job(lever, float(i), lever_inputs(inputs, free, bank, carry, borrow))
        for i, (lever, (free, bank)) in enumerate(COMBOS.items())
    ]
    sweep = run_jobs(
        jobs,
        reuse=False,
        workers=workers,
        client=client,
        scheduler=scheduler,
        progress=progress,
        solve_kwargs=solve_kwargs,
        x_label="lever",
    )
    by_name = {job.name: job.inputs for job in jobs}
    notes.extend(
        repair_nested(
            sweep,
            solve_kwargs,
            tightest_first=_lever_count,
            inputs_for=lambda donor, point: by_name[point.name],
            fits=_lever_fits,
            why="a plan without a lever is a plan with it too",
            progress=progress,
        )
    )
    notes.extend(tolerance_notes(sweep, solve_kwargs, tightest_first=_lever_count, fits=_lever_fits))
    return FlexibilityReport(sweep, notes)


def _lever_count(point: SweepPoint) -> int:
    """How many levers a setting pulls: a setting's plans fit every setting after it that
    pulls its levers too (`_lever_fits`)."""
    return sum(COMBOS[point.name])


def _lever_fits(donor: SweepPoint, point: SweepPoint) -> bool:
    """Whether `donor`'s plan is a plan of `point`: it uses no lever `point` lacks. Free
    starts only add start years; carry-over and borrowing only loosen the balances."""
    return all(mine <= theirs for mine, theirs in zip(COMBOS[donor.name], COMBOS[point.name]))
