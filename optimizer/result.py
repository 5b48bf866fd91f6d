"""`Result`: one solved plan as tidy tables, detached from Pyomo and the solver."""

from __future__ import annotations

import datetime as _dt
import functools
import os
import platform
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from data.dashboard import missed_targets
from data.tables import INPUT_CHANGES_PREFIX, Inputs, PlanDecisions, Source
from optimizer.checks.evaluate import Evaluation
from optimizer.solve.objectives import NOT_SEARCHED

if TYPE_CHECKING:
    from optimizer.compare import Comparison

Status = Literal["optimal", "feasible", "infeasible", "error"]


@functools.lru_cache(maxsize=1)
def environment_rows() -> tuple[tuple[str, object], ...]:
    """What else ran the numbers: Python, Pyomo, the machine, and — run from a git checkout —
    the commit of capopt's source (`tool_version` is the package's version, the same for
    every commit, so it could not say which code made a plan)."""
    import pyomo.version

    rows: list[tuple[str, object]] = [
        ("python_version", platform.python_version()),
        ("pyomo_version", pyomo.version.version),
        ("machine", f"{platform.platform()}; {os.cpu_count()} cores"),
    ]
    commit = _source_commit()
    if commit:
        rows.append(("tool_commit", commit))
    return tuple(rows)


def _source_commit(module: Path = Path(__file__)) -> str:
    """`git describe --always --dirty` of the tree this module was loaded from, or "" when it
    is not a checkout (an installed package) or git is missing. The module must be tracked
    there: a package installed into a virtual environment inside some other repository (a
    planner's own) would otherwise report that repository's commit."""
    here = module.resolve()

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(here.parent), *args], capture_output=True, text=True, timeout=5, check=False
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    if git("ls-files", "--error-unmatch", "--", here.name) is None:
        return ""
    return git("describe", "--always", "--dirty", "--abbrev=12") or ""


def tool_version() -> str:
    """The installed capopt version (falls back to the source tree's when not installed)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("capopt")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0+unknown"


CHANGES_LISTED = 10  # input changes named in the Summary's one `input_changes` row
INPUT_CHANGE_KEY = "input_change:"  # then one Summary row each, `input_change:1` …, when there are more


def input_change_rows(changes: Sequence[str]) -> list[tuple[str, object]]:
    """An `input_changes` row when the inputs are not the workbook's as read: a script's
    what-ifs or a command-line option (`--robust`), in order (data.tables.Source.changes).
    `input_sha256` stays the file's, as WORKBOOK.md defines it, so without this row a plan
    of budgets ×0.6 read as a plan of the workbook itself. Beyond `CHANGES_LISTED` changes
    every one also gets its own row: "… and 12 more" left a plan's figures untraceable."""
    if not changes:
        return []
    listed = "; ".join(changes[:CHANGES_LISTED])
    if len(changes) <= CHANGES_LISTED:
        return [("input_changes", f"{INPUT_CHANGES_PREFIX}{listed}")]
    more = f"; … and {len(changes) - CHANGES_LISTED} more (every change: the {INPUT_CHANGE_KEY}<n> rows below)"
    return [
        ("input_changes", f"{INPUT_CHANGES_PREFIX}{listed}{more}"),
        *((f"{INPUT_CHANGE_KEY}{n}", change) for n, change in enumerate(changes, start=1)),
    ]


def provenance_rows(source: Source | None) -> list[tuple[str, object]]:
    """What a plan or front was made from and by: the input file and its hash (what stress
    and replan read it against), the changes made to it after reading, capopt's version and
    the environment. A plan's and a front's Summary share them."""
    return [
        ("input_sha256", source.sha256 if source else ""),
        ("input_file", source.path if source else ""),
        *input_change_rows(source.changes if source else ()),
        ("tool_version", tool_version()),
        *environment_rows(),
    ]


@dataclass(frozen=True)
class Result:
    """A solved plan: status, every objective, the plan tables and how it was obtained.

    Every number in the tables is recomputed from the plan's decisions by
    `optimizer.checks.evaluate` (MODEL.md's formulas), not read from solver variables, so what a
    planner sees is traceable to the decisions alone.
    """

    inputs: Inputs
    status: Status
    termination: str
    objective_mode: str
    decisions: PlanDecisions
    evaluation: Evaluation
    best_bound: float | None
    gap: float | None
    solve_seconds: float
    build_seconds: float
    solver: str
    solver_version: str
    stages: tuple[Any, ...] = ()
    solver_options: str = ""  # HiGHS options set by name (`--highs-option`) or chosen by capopt
    improve: str = ""  # fix-and-optimise by nation before the search (`--improve`), if any
    strategy: str = ""  # which search ran and why (optimizer.solve.engine.strategy)
    bound_source: str = ""  # what proves best_bound: branch-and-bound or the LP relaxation
    # what the run optimised, so it can be repeated and explained from its workbook alone
    weights: tuple[tuple[str, float], ...] = ()  # a weighted run's weights
    priority: tuple[str, ...] = ()  # a lexicographic run's order
    lexicographic_tolerance: float | None = None
    gap_target: float | None = None  # the gap asked for: "optimal" means proven within it
    time_limit: float | None = None  # the run's time limit (s): a run stopped by it may differ next time
    threads: int | None = None  # the solver threads asked for (None: the solver's default)
    created_at: str = field(default_factory=lambda: _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat())

    @property
    def gap_objective(self) -> str | None:
        """The objective `gap` and `best_bound` are of: the last stage that found a plan —
        an earlier one than the last in priority order when later stages ran out of time,
        which a table of many runs (a sweep) must say beside the gap."""
        solved = [stage for stage in self.stages if stage.outcome.has_solution]
        return solved[-1].objective if solved else None

    @property
    def not_optimised(self) -> list[str]:
        """The lexicographic stages after the last one with a plan: the time ran out before
        they found one (or before they ran), so the plan was never optimised on them — a
        0.1-s run printed "gap 0.00%" (its shortfall stage's) with capability and cost never
        optimised, and a study compared costs no stage had optimised."""
        solved = [i for i, stage in enumerate(self.stages) if stage.outcome.has_solution]
        if not solved:
            return []
        order = list(self.priority) or [stage.objective for stage in self.stages]
        return order[solved[-1] + 1 :]

    @property
    def not_optimised_reason(self) -> str:
        """Why `not_optimised` stages were not: the time limit, or a Ctrl-C, which ends the run."""
        if self.termination.startswith("interrupted") or any(
            stage.outcome.termination.startswith("interrupted") for stage in self.stages
        ):
            return "interrupted (Ctrl-C) before it ran"
        return "no time was left"

    def __repr__(self) -> str:
        """One line: the dataclass's own repr printed every input table (38,000 characters
        for the reference scenario alone), burying the status and objectives."""
        gap = "none" if self.gap is None else f"{self.gap:.6g}"
        named = ", ".join(
            f"{n}={self.objectives[n]:.10g}" for n in ("capability", "cost", "shortfall") if n in self.objectives
        )
        return (
            f"<Result {self.status} ({self.objective_mode}), gap {gap}, {named}; "
            f"{len(self.evaluation.plan)} plan rows; {self.termination}>"
        )

    # --- the tables of WORKBOOK.md ---------------------------------------------------
    # Each property hands out a copy: the Result is frozen and verified, and a script that
    # edited `result.plan` in place (`result.plan["cost"] = 0`) changed what `to_excel`
    # then wrote under the verified Summary.
    @property
    def objectives(self) -> dict[str, float]:
        """Every objective's value for this plan (MODEL.md), recomputed from its decisions."""
        return dict(self.evaluation.objectives)

    @property
    def plan(self) -> pd.DataFrame:
        """The Plan sheet: one row per nation and programme funded, with start and cost."""
        return self.evaluation.plan.copy()

    @property
    def spend(self) -> pd.DataFrame:
        """The Spend sheet: each nation's budget, spend, balance and lapse by year."""
        return self.evaluation.spend.copy()

    @property
    def standards(self) -> pd.DataFrame:
        """The Standards sheet: adoptions by nation and year, and which standards are in use."""
        return self.evaluation.standards.copy()

    @property
    def capability(self) -> pd.DataFrame:
        """The Capability sheet: capability by nation, area and year against the targets."""
        return self.evaluation.capability.copy()

    @property
    def contributions(self) -> pd.DataFrame:
        """The Contributions sheet: each consortium member's payments to joint programmes."""
        return self.evaluation.contributions.copy()

    def tables(self) -> dict[str, pd.DataFrame]:
        """WORKBOOK.md's result tables, copies of the evaluation's (see `plan`)."""
        return {name: table.copy() for name, table in self.evaluation.tables().items()}

    def summary_rows(self) -> list[tuple[str, object]]:
        """Summary sheet rows in WORKBOOK.md's order, then what helps trace the run."""
        source = self.inputs.source
        rows: list[tuple[str, object]] = [
            ("status", self.status),
            ("termination", self.termination),
            ("objective", self.objective_mode),
        ]
        rows += [(name, float(self.objectives[name])) for name in self.inputs.objective_names()]
        rows += [
            ("best_bound", self.best_bound),
            ("gap", self.gap),
            ("solve_seconds", round(self.solve_seconds, 3)),
            ("build_seconds", round(self.build_seconds, 3)),
            ("reproducible", self.reproducibility()),
        ]
        rows += self.solver_rows()
        if self.bound_source and self.best_bound is not None:
            rows.append(("bound_source", self.bound_source))
        rows += [
            *provenance_rows(source),
            ("created_at", self.created_at),
            ("currency", self.inputs.settings.currency),
        ]
        partners = [n.code for n in self.inputs.nations if n.role == "partner"]
        if partners:  # MODEL.md: ALLIANCE targets count allies; the objectives count everyone
            rows.append(
                (
                    "alliance_rows",
                    (
                        "the Capability sheets' ALLIANCE rows count allies only (MODEL.md's "
                        f"ALLIANCE targets); the capability objective also counts partners {', '.join(partners)}"
                    ),
                )
            )
        if any(self.inputs.robust_overruns(n.code) for n in self.inputs.nations):
            rows.append(("robust_overruns", self.inputs.settings.robust_overruns))
            own = [f"{n.code}={n.robust_overruns}" for n in self.inputs.nations if n.robust_overruns is not None]
            if own:
                rows.append(("robust_overruns_by_nation", ", ".join(own)))
        rows += self.run_choice_rows()
        rows += [(f"stage_{i + 1}", _stage_text(s)) for i, s in enumerate(self.stages)]
        # the run stops at the first stage without a plan: the ones after it never ran
        rows += [
            (f"stage_{i + 1}", f"{name}: not_reached, {self.not_optimised_reason}")
            for i, name in enumerate(self.priority)
            if i >= len(self.stages)
        ]
        return rows

    def reproducibility(self) -> str:
        """Whether running again with the same inputs, options and versions gives this plan.

        Only when every stage was proven to its gap by a search that does not depend on the
        clock. A stage stopped by the time limit (or Ctrl-C) holds whatever the search had
        at that moment, and an engine stage marked "timing-dependent" took a plan found by
        whichever worker ended first: two identical time-limited runs gave plans differing
        in about 90 of 800 rows, and only the engine's runs said so."""
        # the weightiest reason first: a robust run blamed its shortfall stage, proven with gap
        # 0 by a timing-dependent search, where its capability stage had hit the time limit
        reasons: list[tuple[int, str]] = []
        for stage in self.stages:
            out = stage.outcome
            if out.termination.startswith("interrupted"):
                weight, why = 0, "was interrupted (Ctrl-C)"
            elif out.status != "optimal":
                weight, why = 1, "stopped before its gap was proven"
            elif "timing-dependent" in out.termination:
                # a search was cut short by a time limit, or one beside it ended (or had not
                # yet ended) when the clock let it and its plan, bound or worker shaped the run
                weight, why = (
                    2,
                    (
                        "depended on the clock (a search cut short by time, or one running beside it "
                        "ending sooner or later)"
                    ),
                )
            else:
                continue
            reasons.append((weight, f"the {stage.objective} stage {why} ({out.termination})"))
        if reasons:
            return f"no: {min(reasons, key=lambda r: r[0])[1]}; a rerun may give another plan"
        if len(self.stages) < len(self.priority):
            why = "a Ctrl-C ended the run" if self.termination.startswith("interrupted") else "the time ran out"
            return f"no: {why} before every stage ran; a rerun may give another plan"
        if self.improve:
            # fix-and-optimise by nation (optimizer.solve.neighbourhood) stops when its seconds
            # are used and gives each nation a share of them: how many nations it re-planned,
            # and so the plan the proof started from, depends on the clock. Two runs of
            # `--strategy highs --improve 1` on the S benchmark instance, both proven within
            # 1 %, re-planned 2 and 6 nations and returned plans differing in 38 of 57 rows.
            return (
                f"no: fix-and-optimise by nation ran on a clock budget ({self.improve}), so the plan every "
                "stage started from depends on how far it got; a rerun may give another plan within the gap"
            )
        return "yes: every stage proven to its gap by a search that does not depend on the clock"

    def solver_rows(self) -> list[tuple[str, object]]:
        """How the solver ran: its name and version, the HiGHS options set (by name or by
        capopt for this model), the fix-and-optimise warm start and the search. The plan's
        Summary has them, and so does every study's (`study_run_rows`): the study workbooks
        had none, so their numbers could not be traced to the solver that made them."""
        rows: list[tuple[str, object]] = [("solver", self.solver), ("solver_version", self.solver_version)]
        if self.solver_options:
            rows.append(("solver_options", self.solver_options))
        if self.improve:
            rows.append(("improve", self.improve))
        if self.strategy:
            rows.append(("strategy", self.strategy))
        rows.append(("threads", self.threads if self.threads else "solver default"))
        return rows

    def run_choice_rows(self) -> list[tuple[str, object]]:
        """The weights or the priority order and tolerance the run used (a `--weight` on the
        command line, or the Settings sheet's), which the objective mode alone does not say."""
        rows: list[tuple[str, object]] = [("mip_gap", self.gap_target)] if self.gap_target is not None else []
        if self.time_limit is not None:
            rows.append(("time_limit", self.time_limit))
        if self.objective_mode == "weighted" and self.weights:
            return rows + [("weights", ", ".join(f"{name}={weight:g}" for name, weight in self.weights))]
        if self.objective_mode == "lexicographic" and self.priority:
            rows.append(("priority", ", ".join(self.priority)))
            if self.lexicographic_tolerance is not None:
                rows.append(("lexicographic_tolerance", self.lexicographic_tolerance))
        return rows

    def headline(self) -> str:
        """One line for the terminal: how many programmes, funded by how many nations."""
        plan = self.plan
        if plan.empty:
            return "No programme funded."
        per_programme = plan.groupby("programme")["nation"].nunique()
        nations = plan["nation"].nunique()
        joint = plan.loc[plan["sharing"] == "joint", "programme"].nunique()

        def count(n: int, word: str) -> str:
            return f"{n} {word}{'' if n == 1 else 's'}"

        line = (
            f"{count(len(per_programme), 'programme')} funded ({joint} joint) by {count(nations, 'nation')}; "
            f"{count(len(plan), 'nation-programme pair')}"
        )
        return line + self._targets_missed()

    def _targets_missed(self) -> str:
        """'; 6 of 6 targets missed, the most ALLIANCE CA-IAMD 2035 (8 short)' — the terminal
        gave the shortfall's sum alone, and only the Capability sheet said which targets."""
        missed, targets = missed_targets(self.evaluation.capability)
        if missed.empty:
            return ""
        worst = missed.iloc[0]
        return (
            f"; {len(missed)} of {targets} targets missed, the most {worst['nation']} "
            f"{worst['capability_area']} {int(worst['year'])} ({worst['shortfall']:,.4g} short)"
        )

    def compare(self, other: Result | str | os.PathLike[str], point: int | None = None) -> Comparison:
        """What `other` changes against this plan (objectives, programmes, start years).

        `other` is another Result, or a plan workbook capopt wrote (last cycle's plan, a
        colleague's run; of a front workbook, its `point`): its plan is read against this
        result's inputs and its objectives recomputed on them, its status, gap and bound taken
        from its Summary, and the comparison notes when it was made from other inputs or
        breaks their rules. Raises TypeError for anything else (a Front or a Sweep has many
        plans: pick one, e.g. `sweep.points[i].result`), rather than an AttributeError from
        inside, and InputError naming the file's cells when its ids are not this workbook's."""
        from optimizer.compare import compare_plans, read_plan_file

        if isinstance(other, (str, os.PathLike)):
            from data.plan_reader import load_previous_plan

            if point is not None and (isinstance(point, bool) or not isinstance(point, int) or point < 1):
                raise ValueError(f"point is {point!r} — expected a front point's number, e.g. 3")
            book = load_previous_plan(other)
            if point is not None and book.front_points is None:  # it was ignored without a word
                raise ValueError(
                    f"point is {point} but {Path(book.path).name} is a plan, not a Pareto front — "
                    "expected a point only for a front workbook"
                )
            plan = read_plan_file(book, self.inputs, point)
            label = "other" if point is None else f"other (point {point})"
            proofs = pd.DataFrame([self.proof_row("base"), {**plan.proof, "plan": label}])
            return compare_plans(self.objectives, plan.objectives, self.decisions, plan.decisions, proofs, plan.notes)
        if not isinstance(other, Result):
            raise TypeError(
                f"other is {type(other).__name__} — expected a Result, e.g. another scenario's solve(), "
                "or a plan workbook's path"
            )
        if point is not None:
            raise ValueError("point picks a plan of a front workbook — expected no point with a Result")
        _check_comparable(self.inputs, other.inputs)
        proofs = pd.DataFrame([result.proof_row(label) for label, result in (("base", self), ("other", other))])
        return compare_plans(self.objectives, other.objectives, self.decisions, other.decisions, proofs)

    def proof_row(self, label: str) -> dict[str, object]:
        """How far this plan is from proven, for a comparison's `proofs` table."""
        from optimizer.compare import KEEPS_RULES

        return {
            "plan": label,
            "status": self.status,
            "gap": self.gap,
            "best_bound": self.best_bound,
            "gap_of": self.gap_objective,
            "not_optimised": ", ".join(self.not_optimised),
            "rules": KEEPS_RULES,
        }  # every Result's plan was verified against its inputs

    def to_excel(self, path: str | Path) -> Path:
        """Verify the plan against MODEL.md, then write the output workbook atomically.

        Raises, before anything is written, ValueError naming `path` when it is not a file
        name ending in .xlsx or is the workbook this plan was read from (the input is never
        written to), and IsADirectoryError / FileNotFoundError naming it when it is a folder
        or lies in a folder that does not exist."""
        from data.report import write_plan_workbook
        from optimizer.checks.verify import assert_valid

        target = check_output_path(path, self.inputs.source)
        assert_valid(self.inputs, self.decisions, self.objectives)
        return write_plan_workbook(
            target, self.summary_rows(), self.tables(), list(self.inputs.years), inputs=self.inputs
        )


def check_output_path(path: object, source: Source | None = None) -> Path:
    """`path` as the output workbook's Path, or an error naming it: `to_excel` onto the input
    workbook overwrote the planner's data (README: "the input file is never written to"),
    "plan.csv" hid an Excel workbook under that name, and a folder or a missing folder ended
    in IsADirectoryError / FileNotFoundError naming a temporary file nobody asked for. Those
    two stay OSErrors (now naming `path`), as a failed write would be, so that `capopt`
    still writes the plan next to the target instead (cli.write_output); the others are
    ValueErrors."""
    from data.xlsx_io import same_file

    if not isinstance(path, (str, os.PathLike)) or not str(path).strip():
        raise ValueError(f"path is {path!r} — expected a file name ending in .xlsx, e.g. 'plan.xlsx'")
    target = Path(path).expanduser()
    if target.is_dir():  # an OSError, as writing would raise: the CLI writes next to it instead
        raise IsADirectoryError(
            f"path {str(path)!r} is a folder — expected a file name ending in .xlsx, e.g. {str(target / 'plan.xlsx')!r}"
        )
    if target.suffix.lower() != ".xlsx":
        raise ValueError(
            f"path {str(path)!r} — expected a file name ending in .xlsx (the output is an Excel "
            f"workbook), e.g. {target.with_suffix('.xlsx').name!r}"
        )
    if not target.parent.is_dir():  # an OSError too (see above)
        raise FileNotFoundError(
            f"path {str(path)!r}: folder {str(target.parent)!r} does not exist — expected a file in an existing folder"
        )
    if source is not None and source.path and same_file(target, source.path):
        raise ValueError(
            f"path {str(path)!r} is the input workbook this plan was read from — expected another "
            "file name (the input is never written to)"
        )
    return target


def _check_comparable(base: Inputs, other: Inputs) -> None:
    """Two plans are compared only over the same alliance, horizon and capability areas (a
    what-if of one workbook, or two versions of it): plans of other datasets gave a table of
    NaN changes and every programme "gained" or "lost", with the other's areas left out."""
    differences = []
    if base.years != other.years:
        differences.append(f"years {base.years[0]}–{base.years[-1]} against {other.years[0]}–{other.years[-1]}")
    if {n.code for n in base.nations} != {n.code for n in other.nations}:
        differences.append("other nations")
    if base.objective_names() != other.objective_names():
        differences.append("other objectives (capability areas)")
    if differences:
        raise ValueError(
            f"other plans {'; '.join(differences)} — expected a Result of the same workbook or one of its what-ifs"
        )


# What a study's Summary says of a point whose Result has no such row: a run whose stages
# needed no solver call (a shortfall of 0 proven by its start, then no time left) has no
# search to name, and "free starts, flexible: none" read as a setting left out
UNSET_ROWS = {"strategy": "no search ran (no solver call)"}


def study_run_rows(results: Sequence[tuple[str, Result]]) -> list[tuple[str, object]]:
    """The Summary rows that say how a study's solves ran — the objective mode, then each
    solve's `solver_rows` and `run_choice_rows` — given (point name, Result) for every
    point with a plan. A row all solves share is written once; one that differs (the search
    chosen by model size, or the options HiGHS got for it, can differ between points) lists
    each value with the points that had it, so no point's run is misreported."""
    values: dict[str, list[tuple[str, object]]] = {}
    for name, result in results:
        for key, value in [("objective", result.objective_mode), *result.solver_rows(), *result.run_choice_rows()]:
            values.setdefault(key, []).append((name, value))
    rows: list[tuple[str, object]] = []
    for key, seen in values.items():
        by_value: dict[object, list[str]] = {}
        for name, value in seen:
            by_value.setdefault(value, []).append(name)
        if len(by_value) == 1 and len(seen) == len(results):
            rows.append((key, seen[0][1]))
            continue
        named = [f"{', '.join(names)}: {value}" for value, names in by_value.items()]
        unset = [name for name, _ in results if name not in {n for n, _ in seen}]
        if unset:  # a row a Result writes only when set (improve, solver_options, strategy)
            named.append(f"{', '.join(unset)}: {UNSET_ROWS.get(key, 'none')}")
        rows.append((key, "; ".join(named)))
    return rows


def _stage_text(stage: Any) -> str:
    """A `stage_N` Summary row: "name: status, value" and, where the stage proved one, its
    gap ("capability: optimal, 40052.3, gap 0.0075"): a later stage that ran out of time
    reports the run's gap, and the earlier stages' proofs would otherwise be lost."""
    out = stage.outcome
    if not out.has_solution:
        searched = not out.termination.startswith(NOT_SEARCHED)
        why = "no plan in the time left" if out.status == "no_solution" and searched else out.termination
        return f"{stage.objective}: {out.status}, {why}"
    text = f"{stage.objective}: {out.status}, {out.objective:.10g}"  # 40052.3, not 40052.30000000005
    if out.gap is not None:
        text += f", gap {out.gap:.6g}"
    return text
