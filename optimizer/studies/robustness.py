"""The price of robustness: every objective as the overruns budgets must absorb (Γ) grow.

One plan per Γ = robust_overruns (docs/robust.md, family 13), solved side by side like any
sweep. The price of Γ is what each objective loses against the smallest Γ given (normally 0,
the nominal plan), signed so that a loss is positive whatever the objective's sense.

Every Γ is solved to the same gap target as a nominal solve; a point that did not reach it
(its time limit ran out first) is reported as *not proven*, with the bound it did prove, so
a price read off an unproven point is never mistaken for a proven one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from data.dashboard import other_stages_in_words, percent_up, proof_in_words, status_in_words
from data.tables import objective_sense
from optimizer.arguments import check_flag, check_scenario, whole_number
from optimizer.studies.sweeps import (
    Job,
    Sweep,
    SweepPoint,
    SweepProgressFn,
    repair_nested,
    run_jobs,
    tolerance_notes,
    weighted_value,
)
from optimizer.whatif import with_settings

logger = logging.getLogger(__name__)

DEFAULT_GAMMAS = (0, 1, 2, 3)
WEIGHTED = "weighted"  # the objective a weighted run's bound is of: Σ sign·weight·objective
PROOF_COLUMNS = (
    "proven",
    "bound_objective",
    "plan_value",
    "best_bound",
    "bound_source",
    "strategy",
    "proof",
)


@dataclass
class RobustnessReport:
    """Solved plans for each Γ, in the order asked for; Γ's without a plan keep their row."""

    sweep: Sweep
    gammas: list[int]
    solve_kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def table(self) -> pd.DataFrame:
        """gamma, status, gap, seconds and every objective, then what each solve proved:
        `proven` (status optimal: within the gap target), the objective its bound is of
        (the last solved stage's, or "weighted"), the plan's value in it, `best_bound`, its
        source, the search that ran, and `proof` in words. One row per Γ."""
        table = self.sweep.table.rename(columns={"robust_overruns": "gamma"})
        table["gamma"] = table["gamma"].astype(int)
        proofs = pd.DataFrame([self._proof(p) for p in self.sweep.points], columns=list(PROOF_COLUMNS))
        # the sweep's own `proof` and `best_bound` give way to this table's, which adds the
        # bound's source (both at once made two best_bound columns, and the chart failed)
        own = ["scenario", "proof", "best_bound"]
        return pd.concat([table.drop(columns=own, errors="ignore"), proofs], axis=1)

    @property
    def bound_objective(self) -> str | None:
        """The objective every Γ's bound is of when its run completes: the last in priority
        order (lexicographic), or the weighted sum. None when no Γ found a plan."""
        result = self._first_result()
        if result is None:
            return None
        settings = result.inputs.settings
        if (self.solve_kwargs.get("objective") or settings.objective) == WEIGHTED:
            return WEIGHTED
        return list(self.solve_kwargs.get("priority") or settings.priority)[-1]

    @property
    def gap_target(self) -> float | None:
        """The relative gap every Γ had to prove: `gap`, else the Settings' mip_gap."""
        if self.solve_kwargs.get("gap") is not None:
            return float(self.solve_kwargs["gap"])
        result = self._first_result()
        return float(result.inputs.settings.mip_gap) if result is not None else None

    def _first_result(self) -> Any:
        """The first Γ's Result that has a plan (its inputs carry the run's Settings)."""
        return next((p.result for p in self.sweep.points if p.result is not None), None)

    def not_proven(self) -> list[str]:
        """One line per Γ whose plan is not proven within the gap target (or has no plan)."""
        return [
            f"{p.name}: {row['proof']}"
            for p, row in zip(self.sweep.points, map(self._proof, self.sweep.points))
            if not row["proven"]
        ]

    def proven_summary(self) -> str:
        """'3 of 4 Γ points proven within the 1 % gap target'."""
        proven = sum(bool(self._proof(p)["proven"]) for p in self.sweep.points)
        target = self.gap_target
        # no Γ with a plan leaves no run's Settings to read the target from: "(gap target 0)"
        # was printed for a workbook whose mip_gap is 1 %
        within = (
            "within the gap target"
            if target is None
            else "optimal (gap target 0)"
            if target == 0
            else f"within the {percent_up(target)} gap target"
        )
        return f"{proven} of {len(self.sweep.points)} Γ points proven {within}"

    def _proof(self, point: SweepPoint) -> dict[str, Any]:
        result = point.result
        if result is None:
            error = str(point.error or "not solved")
            return dict.fromkeys(PROOF_COLUMNS) | {
                "proven": False,
                "proof": error if error.startswith("no plan") else f"no plan ({error})",
            }
        objective = _bounded_objective(result)
        proof = proof_in_words(result.status, result.gap, objective)
        if result.gap is None and result.status == "feasible":
            # no bound on the last stage: say what the earlier stages proved, as a sweep's
            # `proof` and a plan's Dashboard do (Γ = 0 said only "no bound is proven on cost")
            proof = status_in_words(dict(result.summary_rows()))
        elif result.status == "feasible":
            # and with one, what the other stages proved: an unproven shortfall stage (140
            # against a bound of 0) went unsaid beside the capability gap
            proof += other_stages_in_words(dict(result.summary_rows()))
        wanted = self.bound_objective
        if objective != wanted and wanted is not None and result.best_bound is not None:
            proof += f" (its bound is of {objective}, an earlier stage: {wanted} found no plan in time)"
        return {
            "proven": result.status == "optimal",
            "bound_objective": objective,
            "plan_value": _value_in(result, objective, self.solve_kwargs),
            "best_bound": result.best_bound,
            "bound_source": result.bound_source if result.best_bound is not None else "",
            "strategy": result.strategy,
            "proof": proof,
        }

    @property
    def price(self) -> pd.DataFrame:
        """Per Γ and objective: value lost against the baseline Γ, absolute and relative.

        Loss = sign·(baseline − value) with sign +1 for max objectives, −1 for min ones,
        so a robust plan with less capability or more shortfall shows a positive loss.
        """
        table = self.table
        names = [c for c in table.columns if _is_objective(c)]
        solved = table.dropna(subset=names[:1]) if names else table.iloc[0:0]
        if solved.empty:
            return pd.DataFrame({"gamma": table["gamma"]})
        base = solved.iloc[0]
        out = pd.DataFrame({"gamma": table["gamma"]})
        for name in names:
            sign = 1.0 if objective_sense(name) == "max" else -1.0
            lost = sign * (float(base[name]) - pd.to_numeric(table[name], errors="coerce"))
            out[f"{name} lost"] = lost
            out[f"{name} lost %"] = lost / abs(float(base[name])) if base[name] else float("nan")
        return out

    def to_excel(self, path: str | Path) -> Path:
        """Verify every plan (robust rule included), then write the robustness workbook."""
        from data.report import write_robustness_workbook
        from optimizer.checks.verify import assert_valid

        for p in self.sweep.points:
            if p.result is not None:
                assert_valid(p.result.inputs, p.result.decisions, p.result.objectives)
        summary = self.sweep.summary_rows() + [("gammas", ", ".join(map(str, self.gammas)))]
        if "mip_gap" not in dict(summary):  # the solves' own row (Sweep.summary_rows), when any solved
            summary.append(("mip_gap", self.gap_target))
        summary.append(("proven", self.proven_summary()))
        summary += [("not_proven", line) for line in self.not_proven()]
        plans = _led_by_gamma(self.sweep.plans)
        tables = {name: _led_by_gamma(frame) for name, frame in self.sweep.scenario_tables.items()}
        return write_robustness_workbook(
            path,
            summary,
            self.table,
            self.price,
            plans,
            self.sweep.core_index,
            bound_objective=self.bound_objective,
            scenario_tables=tables,
        )


def _is_objective(name: object) -> bool:
    try:
        objective_sense(str(name))
    except KeyError:
        return False
    return True


def _led_by_gamma(table: pd.DataFrame) -> pd.DataFrame:
    """A sweep's table led by `gamma` (its Γ as a number) instead of the scenario's name."""
    out = table.rename(columns={"scenario": "gamma"})
    out["gamma"] = [_gamma_of(name) for name in out["gamma"]]
    return out


def _gamma_of(name: str) -> int:
    return int(str(name).rsplit("=", 1)[-1])


def _bounded_objective(result: Any) -> str:
    """The objective a Result's bound and gap are of: its last stage that found a plan
    (optimizer.session: "bound and gap are the last solved stage's")."""
    solved = [stage for stage in result.stages if stage.outcome.has_solution]
    stage = solved[-1] if solved else (result.stages[-1] if result.stages else None)
    return str(stage.objective) if stage is not None else ""


def _value_in(result: Any, objective: str, solve_kwargs: dict[str, Any]) -> float | None:
    """The plan's value in the objective its bound is of, from its re-priced objectives."""
    if objective == WEIGHTED:
        return weighted_value(result, solve_kwargs)
    value = result.objectives.get(objective)
    return float(value) if value is not None else None


def price_of_robustness(
    scenario: Any,
    gammas: Sequence[int] = DEFAULT_GAMMAS,
    *,
    workers: int | None = None,
    client: Any = None,
    scheduler: str | None = None,
    progress: SweepProgressFn | None = None,
    monotone: bool = True,
    **solve_kwargs: Any,
) -> RobustnessReport:
    """Solve the scenario once per Γ (Settings robust_overruns) and report what each costs.

    `solve_kwargs` (objective, priority, weights, time_limit, gap) apply to every solve.
    A nation's own robust_overruns in the Nations sheet still overrides each Γ.
    With `monotone`, a Γ whose plan came out worse than a larger Γ's (a solve stopped by
    its time limit) is solved again starting from that plan, which protects against more
    overruns and so is feasible for it too: the price then never falls as Γ grows.

    Everything is checked before any solve, as `Scenario.budget_sweep` checks its options
    (`Scenario.check_study_options`): a misspelt `time_limt` is a TypeError listing the
    valid options, `weights=` alone makes the runs weighted and `priority=` alone
    lexicographic, and a bad value is a ValueError naming its argument.
    """
    check_scenario(scenario)
    gammas = _gamma_list(gammas)
    monotone = check_flag("monotone", monotone)
    solve_kwargs = scenario.check_study_options(price_of_robustness, {"workers": workers, **solve_kwargs})
    workers = solve_kwargs.pop("workers", None)
    jobs = [Job(f"Γ={g}", float(g), scenario.with_settings(robust_overruns=g).inputs) for g in gammas]
    sweep = run_jobs(
        jobs,
        reuse=False,
        workers=workers,
        client=client,
        scheduler=scheduler,
        progress=progress,
        solve_kwargs=solve_kwargs,
        x_label="robust_overruns",
    )
    if monotone:
        sweep.notes.extend(_repair(sweep, solve_kwargs, progress))
        sweep.notes.extend(tolerance_notes(sweep, solve_kwargs, tightest_first=lambda point: -(point.x or 0.0)))
    logger.info("price of robustness for Γ = %s in %.1f s", gammas, sweep.seconds)
    report = RobustnessReport(sweep, gammas, dict(solve_kwargs))
    for line in report.not_proven():
        logger.info("not proven within the gap target: %s", line)
    return report


def _gamma_list(gammas: object) -> list[int]:
    """Γ values as distinct whole numbers ≥ 0, in increasing order (each is priced against
    the smallest): int() made `[0, 1.5]` a study of Γ = 0 and 1 without a word, and a
    string was read character by character."""
    if isinstance(gammas, (str, bytes, Mapping)) or not isinstance(gammas, Iterable):
        raise ValueError(f"gammas is {gammas!r} — expected a list of whole numbers ≥ 0, e.g. [0, 1, 2, 3]")
    listed = list(gammas)
    if not listed:
        raise ValueError("gammas is empty — expected a list of whole numbers ≥ 0, e.g. [0, 1, 2, 3]")
    checked = []
    for g in listed:
        number = whole_number(g)
        if number is None or number < 0:
            raise ValueError(f"gammas holds {g!r} — expected whole numbers ≥ 0 (overruns each budget absorbs)")
        checked.append(number)
    if len(set(checked)) != len(checked):
        raise ValueError(f"each Γ once, got {checked}")
    if checked != sorted(checked):
        # the price is taken against the first Γ: `--gammas 3,0,1` priced Γ = 0 against
        # Γ = 3 and its Dashboard said protection cost nothing, where it cost 13 %
        logger.info("Γ values taken in increasing order: %s (given %s)", sorted(checked), checked)
    return sorted(checked)


def _repair(sweep: Sweep, solve_kwargs: dict[str, Any], progress: SweepProgressFn | None = None) -> list[str]:
    """Re-solve, from a larger Γ's better plan, every Γ that the solver left worse off
    (a plan robust for more overruns is robust for fewer)."""
    return repair_nested(
        sweep,
        solve_kwargs,
        tightest_first=lambda point: -(point.x or 0.0),
        # (repair_nested's donor has a plan; each point's x is its Γ)
        inputs_for=lambda donor, point: with_settings(
            donor.result.inputs,  # type: ignore[union-attr]
            robust_overruns=int(point.x),  # type: ignore[arg-type]
        ),
        why="robust for it too",
        progress=progress,
    )
