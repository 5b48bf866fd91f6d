"""`Scenario`: validated inputs plus run options; `solve()` turns it into a `Result`."""

from __future__ import annotations

import inspect
import logging
import math
import numbers
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from data.errors import InputError, Problem
from data.tables import Inputs, PlanDecisions
from data.validate import objective_size_problems
from optimizer import whatif
from optimizer.arguments import check_count, check_flag, check_solver_arguments, whole_number
from optimizer.result import Result
from optimizer.solve.engine.strategy import check_strategy
from optimizer.solve.solver import ProgressFn, SolverOptions, check_highs_options

if TYPE_CHECKING:
    from typing import Any

    from optimizer.studies.flexibility import FlexibilityReport
    from optimizer.studies.pareto import Front, ParetoProgressFn
    from optimizer.studies.replan import ReplanResult
    from optimizer.studies.robustness import RobustnessReport
    from optimizer.studies.sweeps import Sweep

logger = logging.getLogger(__name__)


class RunChoice(NamedTuple):
    """What one plan's run optimises: its mode and the priority or weights it was given."""

    objective: str | None
    priority: list[str] | None
    weights: Mapping[str, float] | None


@dataclass(frozen=True)
class Scenario:
    """A what-if is a new Scenario (see `with_budget` and friends); nothing mutates."""

    inputs: Inputs
    name: str = "base"
    warnings: tuple[Problem, ...] = field(default=(), compare=False)

    def __repr__(self) -> str:
        """One line: the dataclass's own repr printed every input table (38,000 characters
        for the reference dataset), so a notebook cell showed no name and no change."""
        i = self.inputs
        changes = "; ".join(i.source.changes) if i.source is not None and i.source.changes else "none"
        return (
            f"<Scenario {self.name!r}: {len(i.nations)} nations, {len(i.programmes)} programmes, "
            f"{i.years[0]}–{i.years[-1]}; changes: {changes}>"
        )

    # --- construction ------------------------------------------------------------------
    @classmethod
    def from_excel(cls, path: str | Path, name: str | None = None) -> Scenario:
        """Read and validate a workbook; raises `InputError` listing every problem (and
        ValueError naming `path` when it is no file name at all: None was pathlib's TypeError)."""
        from data.reader import load_inputs

        if not isinstance(path, (str, os.PathLike)) or not str(path).strip():
            raise ValueError(f"path is {path!r} — expected the input workbook's file name, e.g. 'my.xlsx'")

        inputs, warnings = load_inputs(path)
        return cls(inputs, name or Path(path).stem, tuple(warnings))

    @classmethod
    def reference(cls) -> Scenario:
        """The bundled reference dataset (31 allies, partners, EDT programmes)."""
        from data.reference import reference_path

        return cls.from_excel(reference_path(), name="reference")

    # --- solving -----------------------------------------------------------------------
    def solve(
        self,
        *,
        objective: str | None = None,
        priority: Sequence[str] | None = None,
        weights: Mapping[str, float] | None = None,
        time_limit: float | None = None,
        gap: float | None = None,
        threads: int | None = None,
        solver: str = "highs",
        progress: ProgressFn | None = None,
        stream_log: bool = False,
        log_file: str | None = None,
        warm_start: PlanDecisions | None = None,
        improve_seconds: float | None = None,
        highs_options: Mapping[str, object] | None = None,
        strategy: str = "auto",
        workers: int | None = None,
        client: object | None = None,
    ) -> Result:
        """Build and solve the model; options left as None come from the Settings sheet.

        `strategy`: "auto" (default) lets capopt choose by the model's size between HiGHS's
        own branch-and-bound ("highs") and the LP-guided engine for large models ("lns":
        LP relaxation, RENS, neighbourhoods in parallel; docs/model.md). `workers`: the
        engine's parallel workers (default: one per core); `client`: a
        `dask.distributed.Client` to run them on instead. The Summary records the choice.

        `improve_seconds` > 0: spend up to that long re-optimising one nation at a time from
        the start plan before the full search (better plans on large models; see
        optimizer.solve.neighbourhood). The bound and the answer's exactness are unaffected.
        None (default): half the time limit on models of 250,000 non-zeros or more solved
        with `strategy="highs"` (`optimizer.session.IMPROVE_FROM_NONZEROS`), none otherwise;
        0 turns it off.

        `highs_options`: HiGHS options by name, e.g. `{"mip_lp_solver": "simplex"}` to keep
        dual simplex for the root LP of a model with 80,000 non-zeros or more (capopt
        switches those to interior point; docs/benchmarks.md). They are checked before the
        model is built (ValueError names the option) and recorded in the Summary.

        `weights` alone makes the run weighted and `priority` alone lexicographic, whatever
        the Settings sheet says (as `capopt solve --weight/--priority` do): given to a run the
        Settings made the other kind, they used to be ignored without a word.

        Raises `ValueError` naming the argument when one cannot be used (an unknown
        objective, a negative weight or time limit, weights with `objective="lexicographic"`),
        before anything is built; then `InfeasibleError` (with the conflicting commitments
        named), `NoSolutionError` (time ran out before any plan) or `SolverError`.
        """
        from optimizer.session import Session

        objective, priority, weights = self._run_objective(objective, priority, weights)
        check_run_options(time_limit=time_limit, gap=gap, improve_seconds=improve_seconds)
        self._check_settings_run(objective)
        threads, workers = check_count("threads", threads), check_count("workers", workers)
        check_solver_arguments(solver, highs_options, log_file, progress, client)
        stream_log = check_flag("stream_log", stream_log)  # "yes" passed as true, "no" too
        if warm_start is not None:
            self._check_warm_start(warm_start)
        options = SolverOptions(
            solver=solver,
            threads=threads,
            log_file=log_file,
            stream_log=stream_log,
            highs_options=check_highs_options(highs_options or {}),
            strategy=check_strategy(strategy),
            workers=workers,
        )
        session = Session(self.inputs, options, progress, client)
        if warm_start is not None:
            session.load_plan(warm_start)
        return session.run(
            objective=objective,
            priority=priority,
            weights=weights,
            time_limit=time_limit,
            gap=gap,
            warm_start=warm_start is not None,
            improve_seconds=improve_seconds,
        )

    def pareto(
        self,
        objectives: Sequence[str] | None = None,
        points: int | None = None,
        exact: bool | None = None,
        nadir: Mapping[str, float] | None = None,
        time_limit: float | None = None,
        point_time_limit: float | None = None,
        threads: int | None = None,
        solver: str = "highs",
        progress: ParetoProgressFn | None = None,
        workers: int = 1,
    ) -> Front:
        """The non-dominated plans for two or more objectives (AUGMECON2: optimizer.studies.pareto).

        Defaults come from Settings (`pareto_objectives`, `pareto_points`, `pareto_exact`).
        `workers` > 1 shares the grid among that many local processes (one solver thread
        each unless `threads` says otherwise); the default, 1, solves it in this process.

        Raises `ValueError` naming the argument, as `capopt pareto` refuses its options: two
        or more distinct objectives of this workbook, `points` a whole number ≥ 2, `nadir`
        only for the front's objectives, positive time limits. An unknown objective used to
        surface as Pyomo's KeyError, and `points=0` silently ran the Settings' count.
        """
        from optimizer.studies.pareto import pareto_front

        s = self.inputs.settings
        names = s.pareto_objectives if objectives is None else _objective_list(self.inputs, "objectives", objectives)
        if len(names) < 2:
            raise ValueError(f"objectives names {len(names)} objective — expected two or more for a front")
        if too_large := self.objective_size_problem("pareto", names):
            raise ValueError(too_large)
        if points is not None and (whole_number(points) is None or points < 2):
            raise ValueError(f"points is {points!r} — expected a whole number ≥ 2 (grid levels per objective)")
        points = whole_number(points) if points is not None else None
        if exact is not None and not isinstance(exact, bool):  # "no" is a true value: it ran an exact front
            raise ValueError(f"exact is {exact!r} — expected True, False or None (the Settings' pareto_exact)")
        _check_nadir(nadir, names)
        for name, value in (("time_limit", time_limit), ("point_time_limit", point_time_limit)):
            _positive(name, value)
        threads = check_count("threads", threads)
        workers = check_count("workers", workers, allow_none=False)  # type: ignore[assignment]
        check_solver_arguments(solver, None, None, progress, None)
        return pareto_front(
            self.inputs,
            list(names),
            points=points or s.pareto_points,
            exact=s.pareto_exact if exact is None else exact,
            nadir=nadir,
            time_limit=float(time_limit if time_limit is not None else s.time_limit_seconds),
            point_time_limit=point_time_limit,
            threads=threads,
            solver=solver,
            progress=progress,
            workers=workers,
        )

    def budget_sweep(
        self,
        scales: Sequence[float],
        nations: Sequence[str] | None = None,
        years: Sequence[int] | None = None,
        **kwargs: object,
    ) -> Sweep:
        """Solve with budgets scaled by each value (one reused model: optimizer.studies.sweeps).

        `kwargs` are the sweep's options (`workers`, `client`, `monotone`, ...) and `solve`'s
        run options (`time_limit`, `gap`, `priority`, `weights`, ...), checked by the study
        before any process starts."""
        from optimizer.studies.sweeps import budget_sweep

        return budget_sweep(self, scales, nations, years, **kwargs)  # type: ignore[arg-type]

    def flexibility_value(self, **kwargs: object) -> FlexibilityReport:
        """What free starts and carry-over/borrowing are worth (optimizer.studies.flexibility);
        `kwargs` are checked by the study, as `budget_sweep`'s are."""
        from optimizer.studies.flexibility import flexibility_value

        return flexibility_value(self, **kwargs)  # type: ignore[arg-type]

    def replan(
        self,
        previous: PlanDecisions | Result | str | os.PathLike[str],
        from_year: int,
        stability_weight: float = 1.0,
        **kwargs: Any,
    ) -> ReplanResult:
        """Solve again from `from_year`, keeping what `previous` (a Result, its decisions or a
        plan workbook) did before it and penalising changes to the rest: never worse than
        keeping `previous` where it is still feasible (optimizer.studies.replan, which
        documents `kwargs`: `solve`'s run options and the previous plan's provenance)."""
        from optimizer.studies.replan import replan

        allowed = set(inspect.signature(replan).parameters) - {"scenario", "previous", "from_year", "stability_weight"}
        unknown = sorted(set(kwargs) - allowed)
        if unknown:  # as the studies say it: Python's own message named no valid option
            raise TypeError(f"unknown option(s) {', '.join(unknown)} — expected some of {', '.join(sorted(allowed))}")
        return replan(self, previous, from_year, stability_weight, **kwargs)

    def price_of_robustness(self, gammas: Sequence[int] | None = None, **kwargs: Any) -> RobustnessReport:
        """Solve once per Γ (programme overruns each budget absorbs; default 0, 1, 2, 3) and
        report what each costs (optimizer.studies.robustness); `kwargs` are checked by the
        study, as `budget_sweep`'s are."""
        from optimizer.studies.robustness import DEFAULT_GAMMAS, price_of_robustness

        return price_of_robustness(self, DEFAULT_GAMMAS if gammas is None else gammas, **kwargs)

    def check_study_options(self, study: object, kwargs: Mapping[str, object]) -> dict[str, Any]:
        """A study's keyword arguments checked: each must be the study's own or one of
        `Session.run`'s (the study hands those to every solve), with solve's value checks."""
        from optimizer.session import Session

        # the studies' own positional arguments (budget_sweep's; sweep's list of scenarios)
        positional = {"scenario", "scenarios", "scales", "nations", "years", "solve_kwargs"}
        own = set(inspect.signature(study).parameters) - positional  # type: ignore[arg-type]
        # the study sets these itself on every solve: `diagnose=False` was listed as valid
        # and then failed as "got multiple values for keyword argument 'diagnose'"
        run = set(inspect.signature(Session.run).parameters) - {"self"} - STUDY_SETS
        run |= STUDY_SEARCH  # the search every solve gets: a solver option, which the study hands on
        unknown = sorted(set(kwargs) - own - run)
        if unknown:
            raise TypeError(f"unknown option(s) {', '.join(unknown)} — expected some of {', '.join(sorted(own | run))}")
        options = dict(kwargs)
        if {"priority", "weights", "objective"} & set(options):
            choice = self._run_objective(
                options.get("objective"),  # type: ignore[arg-type]
                options.get("priority"),  # type: ignore[arg-type]
                options.get("weights"),  # type: ignore[arg-type]
            )
            options.update((k, v) for k, v in choice._asdict().items() if v is not None)
        check_run_options(**{k: options.get(k) for k in ("time_limit", "gap", "improve_seconds")})
        self._check_settings_run(options.get("objective"))  # type: ignore[arg-type]
        if options.get("workers") is not None:
            options["workers"] = check_count("workers", options["workers"])
        if "strategy" in options:
            options["strategy"] = check_strategy(options["strategy"])  # type: ignore[arg-type]
        return options

    def _check_settings_run(self, objective: str | None) -> None:
        """A run that takes its mode from the Settings sheet must make one plan, checked
        before the model is built: objective = pareto failed only after the build. (A
        Settings mip_gap of 1 or more is valid by WORKBOOK.md, warned of when the workbook is
        read, and reported with the gap reached; gap= and with_settings refuse it.)"""
        if objective is None and self.inputs.settings.objective == "pareto":
            raise ValueError(
                "the Settings' objective is 'pareto', a front, not one plan — expected "
                "objective='lexicographic' or 'weighted', or Scenario.pareto() for the front"
            )

    def _check_warm_start(self, warm_start: object) -> None:
        """A plan of this scenario's nations and programmes: one from another workbook (or
        with a programme since cancelled) failed after the build, not naming warm_start."""
        if not isinstance(warm_start, PlanDecisions):
            raise ValueError(
                f"warm_start is {type(warm_start).__name__} — expected a plan's PlanDecisions, "
                "e.g. an earlier result.decisions"
            )
        nations, programmes = set(self.inputs.nation_by_code), set(self.inputs.programme_by_id)
        strays = sorted(f"{n}/{p}" for n, p in warm_start.funded() if n not in nations or p not in programmes)
        if strays:
            raise ValueError(
                f"warm_start funds {', '.join(strays[:5])}{' …' if len(strays) > 5 else ''}, "
                "not in this scenario — expected a plan of its nations and programmes"
            )

    def _run_objective(
        self, objective: str | None, priority: Sequence[str] | None, weights: Mapping[str, float] | None
    ) -> RunChoice:
        """The mode of one plan's run, with `priority` and `weights` checked against the
        workbook's objectives and spelt as it spells them (the rules of
        `capopt solve --priority/--weight`)."""
        if isinstance(objective, str):  # read as the Settings sheet reads it ("Weighted")
            objective = objective.strip().casefold()
        if objective is not None and objective not in ("lexicographic", "weighted"):
            hint = "; a front is Scenario.pareto()" if objective == "pareto" else ""
            raise ValueError(f"objective is {objective!r} — expected 'lexicographic' or 'weighted'{hint}")
        if priority is not None:
            priority = list(_objective_list(self.inputs, "priority", priority))
        if weights is not None:
            weights = self._weights(weights)
        if priority and weights and objective is None:
            raise ValueError(
                "priority orders a lexicographic run and weights weigh a weighted one — "
                "expected one of them, or objective= to say which run is meant"
            )
        if weights and objective == "lexicographic" or priority and objective == "weighted":
            given = "weights" if weights else "priority"
            raise ValueError(
                f"{given} would be ignored by an objective={objective!r} run — expected "
                f"objective={'weighted' if weights else 'lexicographic'!r}, or no {given}"
            )
        if objective is None and (weights or priority):
            objective = "weighted" if weights else "lexicographic"
        if too_large := self.objective_size_problem(objective, priority, weights):
            raise ValueError(too_large)
        return RunChoice(objective, priority, weights)

    def objective_size_problem(
        self,
        objective: str | None = None,
        priority: Sequence[str] | None = None,
        weights: Mapping[str, float] | None = None,
        weight_label: str = "weights[{name!r}] = {weight:g}",
    ) -> str | None:
        """Why a run with this objective, priority or weights (checked, as `solve` takes
        them) would hand the solver a coefficient too large for it (or weights too small
        for its tolerances), or None. For
        `objective="pareto"`, `priority` lists the front's objectives.

        The workbook's own run was judged when it was read (`Settings!` cells named); a run
        that puts other weights to use, or weights the Settings sheet left unused, is judged
        here: `weights={"capability": 1e15}` ran as the greedy plan with "gap 75 %".
        """
        if objective is None and not priority and not weights:
            return None
        s = self.inputs.settings
        if objective == "pareto":
            run = replace(s, objective="pareto", pareto_objectives=tuple(priority or s.pareto_objectives))
        else:
            run = replace(
                s,
                objective=objective or s.objective,  # type: ignore[arg-type]  # a str, not its Literal
                priority=tuple(priority or s.priority),
                weights=weights or s.weights,
            )
        problems = objective_size_problems(replace(self.inputs, settings=run), weight_label)
        return f"{problems[0].what} — {problems[0].expected}" if problems else None

    def _weights(self, weights: Mapping[str, float]) -> Mapping[str, float]:
        """Weights by the Settings sheet's rules (known objectives, finite, ≥ 0), at least one
        of them > 0 and each objective named once: `weights={}` quietly ran the Settings'
        lexicographic mode, all-zero weights failed only after the build, and
        {"CAPABILITY": 1, "capability": 2} kept one of the two without a word."""
        try:
            checked = whatif.with_settings(self.inputs, weights=weights).settings.weights
        except InputError as exc:
            raise ValueError(str(exc.problems[0]).removeprefix("what-if: ")) from None
        if len(checked) < len(weights):
            twice = sorted({n for n in checked if sum(str(k).strip().casefold() == n.casefold() for k in weights) > 1})
            raise ValueError(f"weights names {', '.join(twice)} twice — expected each objective once")
        if not any(checked.values()):
            raise ValueError(
                f"weights is {dict(weights)!r} — expected at least one objective with a weight > 0, "
                'e.g. {"capability": 1}'
            )
        return checked

    def diagnose(self, time_limit: float | None = None) -> list[str]:
        """Planner-readable sentences naming a smallest set of commitments and rules no plan
        meets together, as an infeasible solve reports them (empty when none is found in
        the time): for a study whose every scenario was infeasible, which only said
        "infeasible" point by point and exited 0."""
        from optimizer.solve.diagnose import diagnose_infeasibility, diagnosis_seconds

        check_run_options(time_limit=time_limit)
        return diagnose_infeasibility(self.inputs, budget_seconds=diagnosis_seconds(time_limit))

    # --- what-ifs: each returns a new Scenario --------------------------------------------
    def with_inputs(self, inputs: Inputs, name: str | None = None) -> Scenario:
        """This scenario with other inputs, made or changed in Python (`dataclasses.replace`).

        They are checked by the workbook's own rules first (data.reader.revalidate): a
        programme cost of −30 or NaN made this way was solved, and its plan exported as
        verified. `InputError` names the sheet and cell of the workbook those inputs would
        be. Inputs changed by hand but still carrying this scenario's source are noted with
        what changed (Summary `input_changes`): a plan of halved budgets made that way read
        as the workbook's own plan, and "inputs replaced in Python" did not say how."""
        from data.reader import revalidate

        if inputs == self.inputs:
            return replace(self, name=name or self.name)
        checked, found = revalidate(inputs)
        if inputs.source is not None and inputs.source is self.inputs.source:
            label = f"inputs replaced in Python (with_inputs{f': {name}' if name else ''})"
            for change in whatif.describe_changes(self.inputs, checked) or ["no table changed"]:
                checked = whatif.noted(checked, f"{label}: {change}")  # each change its own, in full
        return self._derived(checked, name, found)

    def _derived(self, inputs: Inputs, name: str | None, found: Sequence[Problem] = ()) -> Scenario:
        """A what-if's scenario: the what-if methods check their own arguments and note
        their change, so their inputs need no second check; its warnings follow the base's."""
        if name is not None and (not isinstance(name, str) or not name.strip()):
            # a label, shown in every table and Summary: name=5 was taken as is
            raise ValueError(f"name is {name!r} — expected a text label, e.g. 'half budget'")
        known = {str(w) for w in self.warnings}
        warnings = self.warnings + tuple(w for w in found if str(w) not in known)
        return replace(self, inputs=inputs, name=name or self.name, warnings=warnings)

    def with_programme(self, programme: str, name: str | None = None, **changes: object) -> Scenario:
        """One programme's figures changed, e.g. `with_programme("P07", total_cost=1200)`
        or `cost_overrun_risk=0.3`, `duration_years=6`, `earliest_start=2029` (the fields
        in whatif.PROGRAMME_FIELDS), checked by the workbook's own rules (InputError
        naming the Programmes cell otherwise) and recorded in the Summary's input_changes."""
        from data.reader import revalidate

        inputs = whatif.with_programme(self.inputs, programme, **changes)
        checked, found = revalidate(inputs)
        label = name or f"{self.name} " + ", ".join(f"{programme} {k}={v}" for k, v in changes.items())
        return self._derived(checked, label, found)

    def with_budget(
        self,
        scale: float = 1.0,
        nations: Sequence[str] | None = None,
        years: Sequence[int] | range | None = None,
        add: Mapping[object, float] | None = None,
        name: str | None = None,
    ) -> Scenario:
        """Budgets scaled (and/or `add`ed to) for some nations and years."""
        if nations is not None and not isinstance(nations, (str, bytes)):
            nations = list(nations)  # read once: the label read a generator after the what-if had
        inputs = whatif.with_budget(self.inputs, scale, nations, years, add)  # checks the arguments first
        codes = whatif.budget_nations(self.inputs, nations)  # the workbook's spelling, as the Summary has it
        label = name or f"{self.name} budget×{scale:g}" + (f" {','.join(codes)}" if codes else "")
        return self._derived(inputs, label)

    def with_settings(self, name: str | None = None, **changes: object) -> Scenario:
        """Settings changed, e.g. `with_settings(carry_over_fraction=0.2)`."""
        label = name or f"{self.name} " + ", ".join(f"{k}={v}" for k, v in changes.items())
        return self._derived(whatif.with_settings(self.inputs, **changes), label)

    def with_commitment(
        self, nation: str, programme: str, action: str = "fund", start_year: int | None = None, name: str | None = None
    ) -> Scenario:
        """A nation made to fund (or barred from) a programme."""
        label = name or f"{self.name} {action} {nation}/{programme}"
        return self._derived(
            whatif.with_commitment(self.inputs, nation, programme, action, start_year),  # type: ignore[arg-type]
            label,
        )

    def without_programme(self, programme: str, name: str | None = None) -> Scenario:
        """The programme cancelled (with the programmes that must follow it)."""
        return self._derived(
            whatif.without_programme(self.inputs, programme), name or f"{self.name} without {programme}"
        )


# --- argument checks: the Python API refuses what the command line's options refuse ----
STUDY_SETS = frozenset({"diagnose", "warm_start"})  # Session.run options a study sets on every solve
# Solver options a study takes beside Session.run's and hands to every solve: `strategy`
# (optimizer.solve.engine.strategy) — the studies' points were searched as "auto" only,
# and `budget_sweep(strategy="highs")` was refused as an unknown option
STUDY_SEARCH = frozenset({"strategy"})


def _positive(name: str, value: object, strictly: bool = True) -> None:
    """A finite number > 0 (≥ 0 unless `strictly`), or None for the Settings' value."""
    if value is None:
        return
    ok = not isinstance(value, bool) and isinstance(value, numbers.Real) and math.isfinite(value)
    if not ok or (value <= 0 if strictly else value < 0):  # type: ignore[operator]
        raise ValueError(f"{name} is {value!r} — expected a finite number {'>' if strictly else '≥'} 0")


def check_run_options(time_limit: object = None, gap: object = None, improve_seconds: object = None) -> None:
    """One run's numbers, as `capopt solve` checks them: a time limit > 0, a gap and an
    improvement time ≥ 0, and a gap below 1 (a fraction: 0.01 is 1 %). A negative time limit
    used to return a plan nobody had searched for, `time_limit="5"` was accepted by one path
    and refused by another, and `gap=2` returned "optimal" with a Summary `mip_gap` of 2.0
    where `capopt solve --gap 2` is refused."""
    _positive("time_limit", time_limit)
    _positive("gap", gap, strictly=False)
    if gap is not None and gap >= 1:  # type: ignore[operator]
        raise ValueError(f"gap is {gap!r} — expected a fraction below 1, e.g. 0.01 for 1 %")
    _positive("improve_seconds", improve_seconds, strictly=False)


def _objective_list(inputs: Inputs, name: str, value: object) -> tuple[str, ...]:
    """A list of this workbook's objective names, each once; a bare string is refused
    (it was read letter by letter: "capability,cost" as objectives c, a, p, ...)."""
    if isinstance(value, str):
        raise ValueError(f"{name} is {value!r} — expected a list, e.g. {name}={value.split(',')!r}")
    try:
        return tuple(whatif.objective_names(inputs, name, value))
    except InputError as exc:
        raise ValueError(str(exc.problems[0]).removeprefix("what-if: ")) from None


def _check_nadir(nadir: Mapping[str, float] | None, objectives: Sequence[str]) -> None:
    """Worst levels only for the front's own objectives, as finite numbers: a level for an
    objective not on the front was silently ignored."""
    if nadir is None:
        return
    if not isinstance(nadir, Mapping):
        raise ValueError(f"nadir is {type(nadir).__name__} — expected a mapping, e.g. {{'cost': 5000}}")
    for name, level in nadir.items():
        if name not in objectives:
            raise ValueError(f"nadir names {name!r} — expected some of the front's objectives {', '.join(objectives)}")
        if isinstance(level, bool) or not isinstance(level, numbers.Real) or not math.isfinite(level):
            raise ValueError(f"nadir level of {name} is {level!r} — expected a finite number")
