"""Re-planning from last year's plan: keep what has started, make every other change pay.

`replan(scenario, previous, from_year, stability_weight)` turns the previous plan's
fundings that started before `from_year` into `fund` commitments with their start year,
freezes the rest of the past (models.stability, family 14) and charges `stability_weight`
per change from `from_year` on — a programme funding or a standard adoption dropped,
added or moved, counted per (nation, programme) and per (nation, standard) — to every
objective the run optimises (see docs/robust.md). The result lists every change and what
it buys.
"""

from __future__ import annotations

import logging
import math
import numbers
import os
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from data.dashboard import charged_objective
from data.errors import InputError, Problem
from data.tables import Inputs, PlanDecisions, objective_sense
from data.validate.judgements import MAX_COEFFICIENT
from optimizer import whatif
from optimizer.arguments import check_count, check_solver_arguments, whole_number
from optimizer.checks.evaluate import fundings, objective_values, service_weight, spend_items
from optimizer.errors import InfeasibleError
from optimizer.result import Result
from optimizer.solve.diagnose import FROZEN_PAST, FrozenPast
from optimizer.solve.engine.strategy import check_strategy
from optimizer.solve.solver import ProgressFn, SolverOptions, check_highs_options

K = TypeVar("K", bound=Hashable)  # a decision's key: (nation, programme) or (nation, standard)
logger = logging.getLogger(__name__)

# `decision` comes last so the funding columns keep their places; an adoption row holds the
# standard in `programme` and its adoption years in `previous_start` / `new_start`.
CHANGE_COLUMNS = (
    "nation",
    "programme",
    "sharing",
    "change",
    "previous_start",
    "new_start",
    "capability_delta",
    "cost_delta",
    "risk_delta",
    "note",
    "decision",
)
FUNDING = "programme funding"
ADOPTION = "standard adoption"
DELTA_COLUMNS = ("objective", "sense", "previous", "new", "delta", "improvement")
# the re-plan year as each caller names it: these messages reach the command line and Python alike
FROM_YEAR = "--from-year on the command line, from_year in Python"


@dataclass
class ReplanResult:
    """The new plan, the plan it replaces and what changed between them."""

    result: Result
    previous: PlanDecisions
    from_year: int
    stability_weight: float
    changes: pd.DataFrame
    objective_deltas: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    previous_source: str = ""  # where the previous plan came from: its file (and front point)
    previous_sha256: str = ""  # that file's SHA-256 (PlanBook.sha256): which version of it was used

    @property
    def change_count(self) -> int:
        """Every change listed, fundings and adoptions: what the planner has to act on."""
        return count_changes(self.changes)

    @property
    def charged_change_count(self) -> int:
        """The changes the stability penalty charged — every one listed, fundings and
        adoptions alike (models.stability) — so W × this is what the plan paid."""
        return self.change_count

    @property
    def adoption_change_count(self) -> int:
        """Standard adoptions added, dropped or moved (charged like fundings)."""
        return count_changes(self.changes, ADOPTION)

    def summary_rows(self) -> list[tuple[str, object]]:
        """The re-plan's Summary: the new plan's rows (stage rows saying what the change
        penalty added), then the re-plan year, weight, changes and the previous plan's file."""
        rows = [self._charged_stage(key, value) for key, value in self.result.summary_rows()] + [
            ("replan_from_year", self.from_year),
            ("stability_weight", self.stability_weight),
            ("changes", self.change_count),
        ]
        if self.previous_source:
            rows.append(("previous_plan", self.previous_source))
        if self.previous_sha256:
            rows.append(("previous_plan_sha256", self.previous_sha256))
        notes = [*self.notes, *([penalised] if (penalised := self.bound_note()) else [])]
        return rows + [("note", n) for n in notes]

    def _charged_stage(self, key: str, value: object) -> tuple[str, object]:
        """A `stage_N` row under the objective its value is of: every stage optimised its
        objective with W per change charged, and "cost: optimal, 60270.8" stood beside a
        Summary cost of 60,224.8 (46 changes at W = 1) under the bare name."""
        if not self.stability_weight or not key.startswith("stage_") or ": " not in str(value):
            return key, value
        name, rest = str(value).split(": ", 1)
        if rest.startswith("not_reached"):
            return key, value
        return key, f"{charged_objective(name, self.stability_weight)}: {rest}"

    def bound_note(self) -> str:
        """What `best_bound` and `gap` are of when changes were charged: the solver optimised
        the objective with W per change added (`Session.set_objective_penalty`), so its bound
        is of that sum, not of the bare objective. The Summary and Dashboard said "optimal
        within 0.16 % on cost; best bound (cost) 58,533.5" for a W = 50 re-plan of the
        reference dataset: no bound on cost alone was proven. "" when nothing was charged."""
        r = self.result
        if not self.stability_weight or r.best_bound is None:
            return ""
        name = r.gap_objective or "the objective"
        return (
            f"best_bound and gap are of {self.optimised_objective()}, the objective the solver optimised "
            f"(the stability weight is charged per change), not of {name} alone, on which no bound is proven"
        )

    def optimised_objective(self) -> str | None:
        """What the last stage optimised, as its gap is of: "cost + 50 × changes" when changes
        were charged, the bare objective's name otherwise (None when no stage had one)."""
        r = self.result
        name = r.gap_objective
        if not self.stability_weight:
            return name
        if r.objective_mode == "weighted":
            return f"the weighted sum − {self.stability_weight:g} × changes"
        return charged_objective(name or "the objective", self.stability_weight)

    def to_excel(self, path: str | Path) -> Path:
        """Verify the plan (MODEL.md and the frozen past), then write it with a Changes sheet."""
        from data.report import write_plan_workbook
        from optimizer.checks.verify import (
            PlanVerificationError,
            assert_valid,
            check_plan_stability,
        )

        r = self.result
        assert_valid(r.inputs, r.decisions, r.objectives)
        # the past the model froze: the part of the previous plan the new workbook still
        # defines (a standard or nation it dropped is a change, listed in Changes; checked
        # against the whole previous plan, a dropped standard adopted before the re-plan
        # year ended the run in an internal error after the solve)
        known, _ = _known_part(r.inputs, self.previous)
        lines = check_plan_stability(r.inputs, r.decisions, known, self.from_year)
        if lines:
            raise PlanVerificationError(lines)
        extra = {"Changes": self.changes, "ChangeSummary": self.objective_deltas}
        years = list(r.inputs.years)
        return write_plan_workbook(path, self.summary_rows(), r.tables(), years, extra_sheets=extra, inputs=r.inputs)


def check_stability_weight(stability_weight: object) -> None:
    """A finite number ≥ 0 below MAX_COEFFICIENT, the solver's limit on any objective
    coefficient: NaN passed "< 0" and went into the model and the Summary, infinity too,
    and a weight of 1e16 came back "optimal, gap 4 %" (1e300: "gap 6e+298 %") for a plan
    that kept everything."""
    if (
        isinstance(stability_weight, bool)
        or not isinstance(stability_weight, numbers.Real)
        or not math.isfinite(stability_weight)
        or not 0 <= float(stability_weight) < MAX_COEFFICIENT
    ):
        raise ValueError(
            f"stability_weight is {stability_weight!r} — expected a finite number ≥ 0 and below "
            f"{MAX_COEFFICIENT:.0e} (larger weights are beyond the solver's precision; 1e6 already "
            "outweighs any plan of the bundled dataset)"
        )


def replan(
    scenario: Any,
    previous: PlanDecisions | Result | str | os.PathLike[str],
    from_year: int,
    stability_weight: float = 1.0,
    *,
    objective: str | None = None,
    priority: Any = None,
    weights: Any = None,
    time_limit: float | None = None,
    gap: float | None = None,
    threads: int | None = None,
    solver: str = "highs",
    progress: ProgressFn | None = None,
    stream_log: bool = False,
    log_file: str | None = None,
    highs_options: Mapping[str, object] | None = None,
    previous_source: str = "",
    previous_sha256: str = "",
    point: int | None = None,
    strategy: str = "auto",
    workers: int | None = None,
    client: Any = None,
) -> ReplanResult:
    """Solve `scenario` again from `from_year`, keeping `previous`'s past and penalising churn.

    Where the previous plan is still feasible it is the MIP start of every stage, no
    lexicographic hold lets an objective fall below its value, and it is returned unless the
    solver's plan beats it (`Session.set_objective_penalty`): a re-plan is never worse than
    "change nothing", and unchanged inputs give the previous plan back. `highs_options` as
    in `Scenario.solve`. Raises InputError when a programme that already started cannot be
    kept (its start year is not allowed by the new inputs). `previous_source` and
    `previous_sha256` (the previous plan's file and its SHA-256) go to the Summary, so the
    re-plan names the very version of the plan it started from. `strategy`, `workers` and
    `client` choose the search and the engine's workers as in `Scenario.solve`.

    `previous` may be a `Result` (its decisions are used) or the path of a plan workbook
    written by capopt, read leniently as `capopt replan --previous` reads it
    (`data.plan_reader.read_previous_plan`; `point` picks a Pareto front's plan, its warnings
    are logged, and its path and SHA-256 go to the Summary unless `previous_source` /
    `previous_sha256` say otherwise).

    The arguments are checked before the model is built, as `Scenario.solve` checks its
    own (`Scenario.check_study_options`): `weights` alone makes the run weighted and
    `priority` alone lexicographic, a bad value is a ValueError naming its argument (a
    `from_year` outside the input's horizon is an InputError, as a what-if's year outside
    it is), and a `scenario` or `previous` of the wrong kind is a TypeError saying what is
    accepted.
    """
    from models.stability import add_plan_stability
    from optimizer.session import Session

    inputs = _scenario_inputs(scenario)
    s = inputs.settings
    year = whole_number(from_year)
    if year is None:  # 2029.5 ran as a re-plan "from 2029.5"; "2029" failed comparing a str
        raise ValueError(f"from_year is {from_year!r} — expected a whole year, e.g. {s.first_year + 1}")
    from_year = year
    if not s.first_year <= from_year <= s.last_year:
        # `capopt replan` refuses its --from-year before this (cli.check_from_year)
        raise InputError(
            Problem(
                "replan",
                "",
                f"from_year {from_year} is outside the horizon {s.first_year}–{s.last_year}",
                "a year of the input's horizon",
            )
        )
    check_stability_weight(stability_weight)
    run = scenario.check_study_options(
        replan, {"objective": objective, "priority": priority, "weights": weights, "time_limit": time_limit, "gap": gap}
    )
    threads, workers = check_count("threads", threads), check_count("workers", workers)
    strategy = check_strategy(strategy)
    check_solver_arguments(solver, highs_options, log_file, progress, client)  # as Scenario.solve checks them
    previous, source, sha256 = _previous_plan(previous, inputs, point)
    previous_source, previous_sha256 = previous_source or source, previous_sha256 or sha256
    known, notes = _known_part(inputs, previous)
    committed = _with_history(inputs, known, from_year)
    notes += _broken_previous_note(committed, known)
    options = SolverOptions(
        solver=solver,
        threads=threads,
        log_file=log_file,
        stream_log=stream_log,
        highs_options=check_highs_options(highs_options or {}),
        strategy=strategy,
        workers=workers,
    )
    session = Session(committed, options, progress, client)
    forced = _forced_changes(previous, known)
    add_plan_stability(session.model, committed, known, stability_weight, from_year, forced)
    written = {(c.nation, c.programme) for c in inputs.commitments if c.action == "fund"}
    session.frozen_past = FrozenPast(
        lambda m: add_plan_stability(m, committed, known, stability_weight, from_year, forced, warn=False),
        frozenset((c.nation, c.programme) for c in committed.commitments if c.action == "fund") - written,
    )
    # the previous plan, where still feasible: the start, the floor of every hold and the fallback
    session.set_objective_penalty(session.model.stability_penalty, baseline=_baseline(committed, known, from_year))
    try:
        result = session.run(**run)
    except InfeasibleError as exc:
        raise _history_named(exc, committed, from_year, known) from exc
    changes = change_table(inputs, previous, result.decisions, from_year)
    deltas = objective_deltas(inputs, known, result.objectives)
    logger.info("re-plan from %d: %d change(s)", from_year, count_changes(changes))
    return ReplanResult(
        result, previous, from_year, stability_weight, changes, deltas, notes, previous_source, previous_sha256
    )


def _scenario_inputs(scenario: object) -> Inputs:
    """The inputs of the Scenario to re-plan. Bare Inputs are refused, not wrapped: the
    Scenario checks the run's options (optimizer.scenario sits above the studies and cannot
    be imported here), and an Inputs failed as "no attribute 'inputs'"."""
    inputs = getattr(scenario, "inputs", None)
    if not isinstance(inputs, Inputs) or not callable(getattr(scenario, "check_study_options", None)):
        hint = ": Scenario(inputs) makes one (from optimizer import Scenario)" if isinstance(scenario, Inputs) else ""
        raise TypeError(f"scenario is {type(scenario).__name__} — expected a Scenario{hint}")
    return inputs


def _previous_plan(previous: object, inputs: Inputs, point: object) -> tuple[PlanDecisions, str, str]:
    """(decisions, source, SHA-256) of the previous plan: decisions as given, a Result's, or
    a plan workbook's read as `capopt replan --previous` reads it (source and SHA-256 only
    then). A Result or a path failed as "no attribute 'funded'"."""
    from data.plan_reader import load_previous_plan, read_previous_plan

    is_path = isinstance(previous, (str, os.PathLike))
    if point is not None and not is_path:
        raise ValueError(
            f"point is {point!r} — expected it only with previous given as a Pareto front "
            "workbook's path, to pick the point to start from"
        )
    point = check_count("point", point)
    if isinstance(previous, PlanDecisions):
        return previous, "", ""
    if isinstance(previous, Result):
        return previous.decisions, "", ""
    if not is_path:
        raise TypeError(
            f"previous is {type(previous).__name__} — expected the previous plan: a Result, its "
            "decisions (result.decisions) or the path of a plan workbook written by capopt"
        )
    book = load_previous_plan(previous)  # type: ignore[arg-type]
    if point is not None and book.front_points is None:
        raise ValueError(
            f"point is {point!r}, but {Path(book.path).name} is a plan, not a Pareto front — "
            "expected point only with a front workbook (capopt pareto)"
        )
    decisions, warnings = read_previous_plan(book, inputs, point)  # type: ignore[arg-type]
    for warning in warnings:
        logger.warning("previous plan: %s", warning)
    source = str(previous) + (f" (point {point})" if point is not None else "")
    return decisions, source, book.sha256


def _broken_previous_note(inputs: Inputs, previous: PlanDecisions) -> list[str]:
    """A note when the previous plan breaks these inputs' rules: "never worse than the
    previous plan" holds only for a plan that can be kept, and a re-plan of a hand-edited plan
    that could not reported "capability -1.000" with no word of why."""
    from optimizer.checks.verify import check_plan

    broken = check_plan(inputs, previous)
    if not broken:
        return []
    more = f" (and {len(broken) - 1} more)" if len(broken) > 1 else ""
    note = (
        f"the previous plan breaks the rules of these inputs: {broken[0]}{more}; it cannot be kept as it "
        "is, so the re-plan may score below it"
    )
    return [note]


def _known_part(inputs: Inputs, previous: PlanDecisions) -> tuple[PlanDecisions, list[str]]:
    """The previous plan restricted to the ids the inputs still define (the rest is dropped)."""
    nations, programmes, standards = inputs.nation_by_code, inputs.programme_by_id, inputs.standard_by_id
    notes = sorted(
        {
            f"{pid} is no longer in the input workbook; the previous plan's funding of it is dropped"
            for (_, pid) in previous.funded()
            if pid not in programmes
        }
    )
    national = {k: t for k, t in previous.national.items() if k[0] in nations and k[1] in programmes}
    joint = {}
    for pid, jd in previous.joint.items():
        if pid in programmes:
            joint[pid] = type(jd)(jd.start_year, tuple(n for n in jd.members if n in nations))
    payments = {k: a for k, a in previous.payments.items() if k[0] in nations and k[1] in joint}
    adoptions = {k: t for k, t in previous.adoptions.items() if k[0] in nations and k[1] in standards}
    return PlanDecisions(national, joint, payments, adoptions), notes


def _forced_changes(previous: PlanDecisions, known: PlanDecisions) -> int:
    """The previous plan's fundings and adoptions of ids the inputs no longer define: changes
    no plan avoids, listed and counted like any other, so charged too (a re-plan dropping a
    removed programme reported "cost + 10 × changes: 4" beside cost 4 and one change)."""
    return len(previous.funded().keys() - known.funded().keys()) + len(
        previous.adoptions.keys() - known.adoptions.keys()
    )


def _baseline(inputs: Inputs, previous: PlanDecisions, from_year: int) -> PlanDecisions:
    """The plan a re-plan may never end worse than: the previous plan with only the changes
    the workbook's own commitments force (an `exclude` dropped, a `fund` moved to its year or
    added), where that plan breaks no rule; else the previous plan itself.

    With the previous plan as the only candidate, one new commitment made it infeasible and
    the run lost its floor: adding "BEL funds N21 from 2031" and "ALB excludes N01" to the
    reference dataset (W = 50) gave 15 changes and 444.8 capability sold for cost, where the
    two forced changes alone lose 4.8. Only national fundings are repaired: a consortium's
    split would have to be re-made, which is the solver's work."""
    from optimizer.checks.verify import check_plan

    national = dict(previous.national)
    for c in inputs.commitments:
        key = (c.nation, c.programme)
        p = inputs.programme_by_id.get(c.programme)
        if p is None or p.is_joint or previous.national.get(key, from_year) < from_year:
            continue  # history (kept by its commitment) and consortia are left as they are
        if c.action == "exclude":
            national.pop(key, None)
        elif c.start_year is not None:
            national[key] = c.start_year
        elif key not in national:
            later = [t for t in inputs.allowed_starts(p) if t >= from_year]
            if later:
                national[key] = later[0]
    if national == previous.national:
        return previous
    repaired = replace(previous, national=national)
    return repaired if not check_plan(inputs, repaired) else previous


def _with_history(inputs: Inputs, previous: PlanDecisions, from_year: int) -> Inputs:
    """Fund commitments, with their start year, for every funding begun before `from_year`.

    A workbook commitment that contradicts the history (an `exclude`, or a `fund` in another
    year, of a programme the previous plan already started) is an input error at its row:
    replacing it by the history's commitment silently dropped what the planner wrote. A
    workbook `fund` the history agrees with keeps its row, so a diagnosis names that row."""
    started = {key: start for key, start in sorted(previous.funded().items()) if start < from_year}
    _check_commitments_against_history(inputs, started, from_year)
    written = {(c.nation, c.programme): c for c in inputs.commitments}
    out = inputs
    for (nation, pid), start in started.items():
        try:
            out = whatif.with_commitment(out, nation, pid, "fund", start)
        except InputError as exc:
            allowed = list(inputs.allowed_starts(inputs.programme_by_id[pid]))
            raise InputError(
                Problem(
                    "replan",
                    "",
                    f"the previous plan started {pid} for {nation} in {start}, before {from_year}, "
                    f"but the input workbook no longer allows that start ({exc.problems[0].what})",
                    f"a horizon and window that include {start} (allowed starts now: {allowed})",
                )
            ) from exc
        if (nation, pid) in written:
            out = replace(
                out, commitments=out.commitments[:-1] + (replace(out.commitments[-1], row=written[nation, pid].row),)
            )
    # the history is the re-plan's own frame, not a what-if: its commitments are not input
    # changes (every re-plan's Dashboard said "changed after reading" and listed them)
    return replace(out, source=inputs.source)


def _history_named(exc: InfeasibleError, committed: Inputs, from_year: int, previous: PlanDecisions) -> InfeasibleError:
    """The diagnosis with the frozen past named as such: the history's commitments are one rule
    family there, never a "Commitments row 376" of a sheet of five rows, and where it is part
    of the conflict the budgets it breaks on its own are named too."""
    lines = list(exc.conflicts)
    if any(FROZEN_PAST in line for line in lines):
        lines[-1:-1] = _past_overspent(committed, previous, from_year)
    return InfeasibleError(str(exc).split("\n", 1)[0], lines)


def _past_overspent(inputs: Inputs, previous: PlanDecisions, from_year: int) -> list[str]:
    """The budgets that what the previous plan began before `from_year` breaks on its own
    (its fundings, consortia and payments, its adoptions): the verifier's lines, e.g. "Nation
    BEL in 2030: balance -108.8 (spend 119.9, budget 0) is below 0 …", with carry-over and
    borrowing as MODEL.md keeps them. (Comparing a past year's spend with its budget blamed
    nations whose carry-over paid for it.)"""
    from optimizer.checks.verify import check_plan

    frozen = replace(
        previous,
        national={key: start for key, start in previous.national.items() if start < from_year},
        joint={pid: j for pid, j in previous.joint.items() if j.start_year < from_year},
        payments={
            key: paid
            for key, paid in previous.payments.items()
            if key[1] in previous.joint and previous.joint[key[1]].start_year < from_year
        },
        adoptions={key: year for key, year in previous.adoptions.items() if year < from_year},
    )
    return [
        f"what the previous plan began before {from_year} breaks a budget on its own: {problem}"
        for problem in map(str, check_plan(inputs, frozen))
        if "budget" in problem
    ]


def _check_commitments_against_history(inputs: Inputs, started: Mapping[tuple[str, str], int], from_year: int) -> None:
    """Raise one InputError naming every Commitments row the previous plan's history breaks."""
    problems = []
    for c in inputs.commitments:
        start = started.get((c.nation, c.programme))
        if start is None:
            if c.action == "fund" and c.start_year is not None and c.start_year < from_year:
                problems.append(
                    Problem(
                        *c.place,
                        f"{c.nation} must fund {c.programme} from {c.start_year}, "
                        f"before the re-plan year {from_year}, but the previous plan did not start it then "
                        "(the past cannot change)",
                        f"a start_year ≥ {from_year} (or blank)",
                    )
                )
            continue
        if c.action == "exclude":
            problems.append(
                Problem(
                    *c.place,
                    f"{c.nation} excludes {c.programme}, but the previous plan "
                    f"started it in {start}, before the re-plan year {from_year}, and what started stays",
                    f"no exclude row for it, or a re-plan year ≤ {start} ({FROM_YEAR})",
                )
            )
        elif c.action == "fund" and c.start_year is not None and c.start_year != start:
            problems.append(
                Problem(
                    *c.place,
                    f"{c.nation} must fund {c.programme} from {c.start_year}, but "
                    f"the previous plan started it in {start}, before the re-plan year {from_year}",
                    f"start_year {start} (or blank), or a re-plan year ≤ {start} ({FROM_YEAR})",
                )
            )
    if problems:
        raise InputError(problems)


# --- what changed, and what it buys ---------------------------------------------------


def count_changes(changes: pd.DataFrame, decision: str | None = None) -> int:
    """Rows of a change table that are changes (not `kept`), of one `decision` kind or all."""
    if changes.empty:
        return 0
    rows = changes["change"] != "kept"
    if decision is not None:
        rows &= changes["decision"] == decision
    return int(rows.sum())


def change_table(inputs: Inputs, previous: PlanDecisions, new: PlanDecisions, from_year: int) -> pd.DataFrame:
    """One row per (nation, programme) whose funding differs, then one per (nation, standard)
    whose adoption differs: a dropped adoption is as much a change to act on as a dropped
    programme, and the interoperability it costs shows only here.

    Fundings: `change` is added, dropped or moved; deltas are the pair's own capability
    points (weighted, discounted, as in the capability objective), what the nation pays for
    it, and its risk term, new minus previous, both priced with the current inputs.
    Adoptions (`decision` = standard adoption): see `_adoption_rows`.
    """
    rows = _funding_rows(inputs, previous, new, from_year) + _adoption_rows(inputs, previous, new, from_year)
    return pd.DataFrame(rows, columns=list(CHANGE_COLUMNS))


def _funding_rows(inputs: Inputs, previous: PlanDecisions, new: PlanDecisions, from_year: int) -> list[tuple]:
    """Change rows of the (nation, programme) pairs whose funding differs."""
    points = _pair_values(inputs, previous), _pair_values(inputs, new)
    rows = []
    for key, before, after, change in _differences(previous.funded(), new.funded()):
        p = inputs.programme_by_id.get(key[1])
        deltas = [
            points[1].get(key, {}).get(k, 0.0) - points[0].get(key, {}).get(k, 0.0)
            for k in ("capability", "cost", "risk")
        ]
        started = before is not None and before < from_year and after != before
        if p is None:  # the workbook dropped it: the one way a started programme can go
            note = "no longer in the input workbook" + (" (it had started before the re-plan year)" if started else "")
        else:
            note = "started before the re-plan year" if started else ""  # only possible through a bad plan
        sharing = p.sharing if p else "joint" if key[1] in previous.joint else "national"
        rows.append((*key, sharing, change, before, after, *deltas, note, FUNDING))
    return rows + _resplit_rows(inputs, previous, new, points)


def _resplit_rows(
    inputs: Inputs, previous: PlanDecisions, new: PlanDecisions, points: tuple[dict, dict]
) -> list[tuple]:
    """`kept` rows for consortium members whose membership did not change but whose payments
    did (another member joined or left, and the split was re-made). They are no change to act
    on or charge, but without them the Changes sheet's cost and risk columns did not add up to
    ChangeSummary's: GBR leaving J08 on the reference dataset moved 96.6 of cost onto members
    the sheet did not list."""
    before, after = previous.funded(), new.funded()
    rows = []
    for key in sorted(set(before) & set(after)):
        if before[key] != after[key] or key[1] not in inputs.programme_by_id:
            continue
        deltas = [
            points[1].get(key, {}).get(k, 0.0) - points[0].get(key, {}).get(k, 0.0)
            for k in ("capability", "cost", "risk")
        ]
        if any(abs(d) > 1e-9 for d in deltas):
            rows.append(
                (
                    *key,
                    inputs.programme_by_id[key[1]].sharing,
                    "kept",
                    before[key],
                    after[key],
                    *deltas,
                    "same start; its payments changed (the consortium's split was re-made)",
                    FUNDING,
                )
            )
    return rows


def _differences(old: Mapping[K, int], now: Mapping[K, int]) -> list[tuple[K, int | None, int | None, str]]:
    """(key, year before, year after, "added" | "dropped" | "moved") for every key whose year
    differs between two plans' decisions (fundings' start years, adoptions' years)."""
    out = []
    for key in sorted(set(old) | set(now)):  # type: ignore[type-var]  # tuples of names: they sort
        before, after = old.get(key), now.get(key)
        if before != after:
            out.append((key, before, after, "added" if before is None else "dropped" if after is None else "moved"))
    return out


def _adoption_rows(inputs: Inputs, previous: PlanDecisions, new: PlanDecisions, from_year: int) -> list[tuple]:
    """Change rows of the (nation, standard) pairs whose adoption differs.

    The standard stands in `programme`, its adoption years in `previous_start`/`new_start`;
    `change` is "adoption added", "adoption dropped" or "adoption moved", so the line reads
    right wherever only those columns are shown (the terminal). Capability and risk do not
    depend on adoptions (0); `cost_delta` is the adoption cost inside the horizon, new minus
    previous; the note gives the interoperability it moves.
    """
    worth = _adoption_values(inputs, previous), _adoption_values(inputs, new)
    rows = []
    for key, before, after, change in _differences(previous.adoptions, new.adoptions):
        was, will = worth[0].get(key, (0.0, 0.0)), worth[1].get(key, (0.0, 0.0))
        cost, points = will[0] - was[0], will[1] - was[1]
        if key[1] not in inputs.standard_by_id or key[0] not in inputs.nation_by_code:
            note = "no longer in the input workbook"
        elif before is not None and before < from_year:
            note = "adopted before the re-plan year"  # only possible through a bad plan
        else:
            note = f"interoperability {points:+g}" if points else ""
        rows.append((*key, "", f"adoption {change}", before, after, 0.0, cost, 0.0, note, ADOPTION))
    return rows


def _adoption_values(inputs: Inputs, decisions: PlanDecisions) -> dict[tuple[str, str], tuple[float, float]]:
    """Per known (nation, standard) adopted: (adoption cost, interoperability points), both
    counted only inside the horizon, as in the cost and interoperability objectives."""
    years = set(inputs.years)
    out: dict[tuple[str, str], tuple[float, float]] = {}
    for (nation, sid), year in decisions.adoptions.items():
        s = inputs.standard_by_id.get(sid)
        if s is not None and nation in inputs.nation_by_code and year in years:
            out[nation, sid] = (s.adoption_cost, s.weight)
    return out


def _pair_values(inputs: Inputs, decisions: PlanDecisions) -> dict[tuple[str, str], dict[str, float]]:
    """Per (nation, programme): capability points, what the nation pays, its risk term."""
    known = PlanDecisions(
        {
            k: t
            for k, t in decisions.national.items()
            if k[1] in inputs.programme_by_id and k[0] in inputs.nation_by_code
        },
        {p: jd for p, jd in decisions.joint.items() if p in inputs.programme_by_id},
        {
            k: a
            for k, a in decisions.payments.items()
            if k[1] in inputs.programme_by_id and k[0] in inputs.nation_by_code
        },
        {},
    )
    weights = {a.id: a.weight for a in inputs.areas}
    out: dict[tuple[str, str], dict[str, float]] = {}
    for f in fundings(inputs, known):
        per_year = sum(w * inputs.values.get((f.programme.id, c), 0.0) for c, w in weights.items())
        out[(f.nation, f.programme.id)] = {"capability": per_year * service_weight(inputs, f), "cost": 0.0, "risk": 0.0}
    for item in spend_items(inputs, known):
        entry = out.setdefault((item.nation, item.ref), {"capability": 0.0, "cost": 0.0, "risk": 0.0})
        entry["cost"] += item.amount
        entry["risk"] += inputs.programme_by_id[item.ref].cost_overrun_risk * item.amount
    return out


def objective_deltas(inputs: Inputs, previous: PlanDecisions, new: dict[str, float]) -> pd.DataFrame:
    """Every objective of the previous plan (re-priced with the current inputs) and the new one.

    `improvement` is the delta signed by the objective's sense: positive = the new plan is better.
    """
    try:
        old = objective_values(inputs, previous)
    except ValueError:  # unknown ids: already reported as dropped
        old = {}
    rows = []
    for name, value in new.items():
        was = old.get(name)
        delta = None if was is None else value - was
        better = None if delta is None else (delta if objective_sense(name) == "max" else -delta)
        rows.append((name, objective_sense(name), was, value, delta, better))
    return pd.DataFrame(rows, columns=list(DELTA_COLUMNS))
