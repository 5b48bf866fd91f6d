"""`Session`: one built model and its persistent solver, re-solved as inputs change.

A Scenario's solve is one Session run. Budget sweeps keep the Session and change only
the budget parameters between runs, so the model is neither rebuilt nor handed over again,
and each run starts from the previous plan.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pyomo.environ as pyo

from data.tables import Inputs, PlanDecisions, objective_sense
from models import build_model, extract_decisions, set_start
from optimizer.checks.evaluate import evaluate
from optimizer.checks.verify import PlanVerificationError, verify_result
from optimizer.errors import InfeasibleError, NoSolutionError, SolverError
from optimizer.result import Result, Status
from optimizer.solve.objectives import (
    ABSOLUTE_TOLERANCE,
    Stage,
    meets_holds,
    release_holds,
    sign,
    solve_lexicographic,
    solve_weighted,
)
from optimizer.solve.solver import (
    INTERRUPT,
    PersistentSolver,
    ProgressFn,
    SolverOptions,
    catch_ctrl_c,
    returned_without_plan,
)

if TYPE_CHECKING:
    from optimizer.solve.diagnose import FrozenPast

logger = logging.getLogger(__name__)

# When the user leaves `improve_seconds` unset and the model is solved by HiGHS's own
# search (`--strategy highs`: under `auto` models this large get the engine, which searches
# nation neighbourhoods itself), models with this many matrix non-zeros or more spend half
# the time limit on fix-and-optimise by nation first (optimizer.solve.neighbourhood).
# Measured (docs/benchmarks.md, issue 7): on the L and XL benchmark instances (500 k and
# 2.1 M non-zeros) HiGHS alone ends on the greedy plan, while fix-and-optimise improves
# it; on M (118 k) HiGHS alone does better. The bound lies between the two.
IMPROVE_FROM_NONZEROS = 250_000
# how far the solver's own objective values may lie from the plan's (relative, at least absolute)
# and still be read as crumbs of binaries left within HiGHS's integrality tolerance
SOLVER_CRUMBS = 1e-4


@dataclass(frozen=True)
class Baseline:
    """A run's baseline plan where the model can hold it: its objective values and penalty."""

    plan: PlanDecisions
    values: Mapping[str, float]
    penalty: float


class Session:
    """One built model and its persistent solver, reused by every run on the same inputs:
    sweeps change only budgets and re-solve warm, so the build is paid once."""

    def __init__(
        self,
        inputs: Inputs,
        options: SolverOptions | None = None,
        progress: ProgressFn | None = None,
        client: object | None = None,
    ):
        started = time.monotonic()
        self.inputs = inputs
        self.model = build_model(inputs)
        self.solver = PersistentSolver(self.model, options or SolverOptions(), progress, client)
        self.build_seconds = time.monotonic() - started
        self._runs = 0
        self.use_greedy_start = True
        self._greedy: PlanDecisions | None = None
        self._start: PlanDecisions | None = None  # the plan loaded as this run's first MIP start
        # charged to every objective a run optimises, in its sense (see set_objective_penalty)
        self.objective_penalty: object | None = None
        self.baseline: PlanDecisions | None = None  # see set_objective_penalty
        self.improve_note = ""  # fix-and-optimise of the last run, for the Summary
        # a re-plan's frozen past, for the diagnosis of inputs it makes infeasible (see replan)
        self.frozen_past: FrozenPast | None = None

    def set_objective_penalty(self, penalty: object | None, baseline: PlanDecisions | None = None) -> None:
        """A non-negative model expression to charge to every stage's objective (None: off).

        Re-planning uses it for plan churn (models.stability): each change costs its weight
        in whichever objective is being optimised. The reported objectives stay unpenalised.

        `baseline` is the plan the penalty charges least (re-planning: the previous plan, no
        change). Wherever it is still feasible, a run never ends worse than it: it is the
        first MIP start and a candidate start of every lexicographic stage, no hold is looser
        than its value (`objectives.hold_for`), and it is returned unless the solver's plan
        beats it in the run's own terms (a tie keeps it: no change for nothing).
        """
        self.objective_penalty = penalty
        self.baseline = baseline

    def _penalty_now(self) -> float:
        """The penalty of the plan the model's variables hold."""
        return float(pyo.value(self.objective_penalty)) if self.objective_penalty is not None else 0.0

    def _load_baseline(self) -> Baseline | None:
        """Load the baseline plan as the run's start, if it breaks no rule and fits the model."""
        from optimizer.checks.evaluate import objective_values
        from optimizer.checks.verify import check_plan

        if self.baseline is None or check_plan(self.inputs, self.baseline):
            return None
        try:
            self.load_plan(self.baseline)
        except ValueError:
            return None
        return Baseline(self.baseline, objective_values(self.inputs, self.baseline), self._penalty_now())

    def _baseline_start(self, best: dict[str, PlanDecisions], base: Baseline, seen: dict[str, list]):
        """Before each lexicographic stage: start from the baseline if it meets the holds and
        beats the plan the model holds in the stage's penalised objective (or that plan does
        not meet them). `seen["holds"]` keeps the run's holds for `_baseline_wins`."""
        from optimizer.checks.evaluate import objective_values

        def choose(name: str, holds: list[tuple[str, float, float]]) -> dict[str, float] | None:
            seen["holds"] = holds
            current = best.get("plan") or self._start
            if not meets_holds(base.values, holds):
                return None
            if current is not None and current is not base.plan:
                values = objective_values(self.inputs, current)  # the model holds `current`
                if meets_holds(values, holds) and (
                    sign(name) * values[name] - self._penalty_now() >= sign(name) * base.values[name] - base.penalty
                ):
                    return None
                self.load_plan(base.plan)
            return dict(base.values)

        return choose

    def _baseline_wins(
        self,
        base: Baseline,
        decisions: PlanDecisions | None,
        mode: str,
        stages: list[Stage],
        holds: Sequence[tuple[str, float, float]],
        weights: Mapping[str, float],
    ) -> bool:
        """Whether the run returns the baseline instead of the solver's plan: there is no plan,
        or the baseline meets every hold and does at least as well in the penalised objective
        of the last stage that found a plan (the weighted sum minus the penalty, in a weighted
        run). A last stage left without a plan by the clock optimised nothing: judged on it,
        a time-limited re-plan returned the previous plan, 54.8 below the solver's plan in the
        stage that was optimised, beside that plan's gap."""
        from optimizer.checks.evaluate import objective_values

        if decisions is None:
            return True
        if not meets_holds(base.values, holds):
            return False
        values = objective_values(self.inputs, decisions)
        if not meets_holds(values, holds):
            return True
        if not stages[-1].outcome.has_solution:
            set_start(self.model, decisions)  # the model may hold another stage's start
        if mode == "weighted":

            def score(v: Mapping[str, float], penalty: float) -> float:
                return sum(sign(n) * w * v[n] for n, w in weights.items() if w) - penalty
        else:
            judged = next((st.objective for st in reversed(stages) if st.outcome.has_solution), stages[-1].objective)

            def score(v: Mapping[str, float], penalty: float) -> float:
                return sign(judged) * v[judged] - penalty

        mine = score(values, self._penalty_now())
        return score(base.values, base.penalty) >= mine - ABSOLUTE_TOLERANCE - 1e-9 * abs(mine)

    def load_plan(self, decisions: PlanDecisions) -> None:
        """Put a plan into the model's variables, to be used as the next MIP start."""
        set_start(self.model, decisions)
        self._start = decisions

    def _better_start(self, best: dict[str, PlanDecisions]):  # -> Callable
        """Before each lexicographic stage: load the best verified start for its objective.

        The candidates are the plan the model holds (the previous stage's; before the first
        stage, the start loaded for this run), the greedy plan, and for a first stage that
        minimises shortfall a plan built targets first (`optimizer.heuristics.targets_first`). The
        previous stage's plan is optimal for *its* objective only and often poor in the
        next one. Returns the objective values of the verified plan the model now holds,
        or None: a shortfall stage whose start has shortfall 0 needs no solver call.
        """
        from optimizer.checks.evaluate import objective_values
        from optimizer.checks.verify import check_plan

        checked: dict[int, tuple[PlanDecisions, dict[str, float] | None]] = {}  # id -> (plan, values)

        def values_of(plan: PlanDecisions, trusted: bool) -> dict[str, float] | None:
            """The plan's objective values, or None if it breaks a rule (checked once a run)."""
            if id(plan) not in checked:
                ok = trusted or not check_plan(self.inputs, plan)
                checked[id(plan)] = (plan, objective_values(self.inputs, plan) if ok else None)
            return checked[id(plan)][1]

        def choose(name: str, holds: list[tuple[str, float, float]]) -> dict[str, float] | None:
            previous = best.get("plan")  # the solver's own plan: feasible for the model already
            current = previous or self._start
            candidates = [current, self._greedy]
            if name == "shortfall" and previous is None and self.use_greedy_start:
                candidates.append(self._targets_first_plan())
            sign = 1 if objective_sense(name) == "max" else -1
            scored = []
            for rank, plan in enumerate(candidates):
                if plan is None or any(plan is other for other in candidates[:rank]):
                    continue
                values = values_of(plan, trusted=plan is previous)
                if values is not None and meets_holds(values, holds):
                    scored.append((sign * values[name], -rank, plan, values))
            if not scored:
                return None
            *_, plan, values = max(scored, key=lambda c: c[:2])  # ties keep the earlier candidate
            if plan is not current or (name == "shortfall" and plan is previous):
                # loading also sets the model's shortfall variables to the plan's real
                # shortfall, which a stage that did not minimise it may have left higher
                self.load_plan(plan)
            return values

        return choose

    def _improver(self, seconds_per_stage: float):  # -> Callable[[float], None]
        """Fix-and-optimise by nation before a stage's solve, within its share of the time."""
        from optimizer.solve.neighbourhood import improve_by_nation

        def improve(seconds_left: float) -> None:
            budget = min(seconds_per_stage, seconds_left / 2)
            if budget >= 1.0:
                improve_by_nation(self.model, self.solver, budget)

        return improve

    def _improve_budget(self, requested: float | None, remaining: float) -> float:
        """Seconds of fix-and-optimise for this run, and what the Summary will say of them."""
        if requested is None:
            nonzeros = self.solver.matrix_nonzeros()
            # the engine searches nation neighbourhoods itself, from a better (LP-guided) plan
            engine = self.solver.strategy() == "lns"
            if not engine and nonzeros is not None and nonzeros >= IMPROVE_FROM_NONZEROS:
                requested = remaining / 2
                self.improve_note = f"{requested:.0f} s (automatic: {nonzeros:,} non-zeros)"
                return requested
            requested = 0.0
        self.improve_note = f"{requested:g} s" if requested > 0 else ""
        return requested

    def _targets_first_plan(self) -> PlanDecisions | None:
        """A plan that meets the targets first, if it can be built (a heuristic never stops a solve)."""
        from optimizer.heuristics.targets_first import targets_first_plan

        try:
            return targets_first_plan(self.inputs)
        except Exception as exc:  # noqa: BLE001 — a heuristic never stops a solve
            logger.info("no targets-first start: %s", exc)
            return None

    def _start_from_greedy_plan(self) -> bool:
        """Hand the solver the spreadsheet method's plan as its first incumbent.

        Measured (docs/benchmarks.md): without it HiGHS found no plan at all on the L
        instances within 120 s and, on M, a plan worse than this greedy one; with it the
        optimizer never returns less than the spreadsheet method would.
        """
        if not self.use_greedy_start:
            return False
        from optimizer.checks.verify import check_plan
        from optimizer.heuristics.greedy import greedy_plan

        try:
            plan = greedy_plan(self.inputs)
            if any(self.inputs.robust_overruns(n.code) for n in self.inputs.nations) and check_plan(self.inputs, plan):
                from optimizer.heuristics.robust_greedy import robust_greedy_plan

                plan = robust_greedy_plan(self.inputs)  # robust budgets reject the plain one
        except Exception as exc:  # noqa: BLE001 — a heuristic must never stop a solve
            logger.info("no greedy start: %s", exc)
            return False
        if check_plan(self.inputs, plan):
            return False
        self._greedy = plan
        self.load_plan(plan)
        return True

    def update_budgets(self, inputs: Inputs) -> None:
        """Take `inputs`' budgets (same nations, years and programmes) into the built model."""
        for (nation, year), param in self.model.budget.items():
            param.set_value(inputs.budget(nation, year))
        self.inputs = inputs
        self._start = self._greedy = None  # planned for the old budgets

    def run(
        self,
        objective: str | None = None,
        priority: Sequence[str] | None = None,
        weights: Mapping[str, float] | None = None,
        time_limit: float | None = None,
        gap: float | None = None,
        warm_start: bool = False,
        diagnose: bool = True,
        improve_seconds: float | None = 0.0,
    ) -> Result:
        """Solve the current inputs; options left as None come from the Settings sheet.

        `improve_seconds` > 0 spends up to that long, shared among the stages and at most
        half of what is left before each, re-optimising one nation at a time from the
        stage's start plan (optimizer.solve.neighbourhood): a better first plan on large models.
        None: half the time limit on models of IMPROVE_FROM_NONZEROS or more solved by HiGHS's
        own search (the engine searches nation neighbourhoods itself), else none.

        Raises `InfeasibleError` (with the conflicting commitments named), `NoSolutionError`
        (time ran out before any plan) or `SolverError`.
        """
        s = self.inputs.settings
        mode = objective or s.objective
        if mode == "pareto":
            raise ValueError("use Scenario.pareto() for Pareto fronts")
        time_limit = float(time_limit if time_limit is not None else s.time_limit_seconds)
        gap = float(gap if gap is not None else s.mip_gap)
        m = self.model
        release_holds(m)
        best: dict[str, PlanDecisions] = {}

        def keep(_: object) -> None:
            best["plan"] = extract_decisions(m, self.inputs)

        started = time.monotonic()
        # build time counts against the limit on a first run only
        budget = time_limit - (self.build_seconds if self._runs == 0 else 0.0)
        self._runs += 1
        base = self._load_baseline()
        seen: dict[str, list] = {"holds": []}  # the lexicographic holds, for _baseline_wins
        warm_start, fallback = self._first_start(base, warm_start)
        improve_seconds = self._improve_budget(improve_seconds, budget - (time.monotonic() - started))
        # the start plan (greedy: 1.3 s on the L benchmark instance) and an early hand-off
        # count against the limit too
        remaining = budget - (time.monotonic() - started)
        with catch_ctrl_c():
            stage_count = 1 if mode == "weighted" else len(priority or s.priority)
            improve = self._improver(improve_seconds / stage_count) if improve_seconds > 0 else None
            if mode == "weighted":
                stages = solve_weighted(
                    m,
                    self.solver,
                    weights or s.weights,
                    remaining,
                    gap,
                    warm_start,
                    self.objective_penalty,
                    improve,
                )
                if stages[-1].outcome.has_solution:
                    keep(None)
            elif mode == "lexicographic":
                stages = solve_lexicographic(
                    m,
                    self.solver,
                    list(priority or s.priority),
                    s.lexicographic_tolerance,
                    remaining,
                    gap,
                    keep,
                    warm_start,
                    self.objective_penalty,
                    before_stage=(
                        self._baseline_start(best, base, seen)
                        if base is not None
                        else None
                        if self.objective_penalty is not None
                        else self._better_start(best)
                    ),
                    improve=improve,
                    floor=base.values if base is not None else None,
                )
            else:
                raise ValueError(f"unknown objective mode {mode!r}")
        release_holds(m)
        decisions = self._final_plan(
            best.get("plan"), fallback, base, mode, stages, seen["holds"], weights or s.weights
        )
        self._start = None  # the model now holds this run's plan (a warm re-run reads it there)
        choice = {
            "weights": tuple((weights or s.weights).items()) if mode == "weighted" else (),
            "priority": tuple(priority or s.priority) if mode == "lexicographic" else (),
            "lexicographic_tolerance": s.lexicographic_tolerance if mode == "lexicographic" else None,
            "gap_target": gap,
            "time_limit": time_limit,
        }
        return self._result(mode, stages, decisions, time.monotonic() - started, diagnose, choice, time_limit)

    def _first_start(self, base: Baseline | None, warm_start: bool) -> tuple[bool, PlanDecisions | None]:
        """The run's first MIP start, and the plan to fall back on: the baseline plan (just
        loaded), else the verified greedy plan unless the model's own plan is asked for (a
        sweep's next point holds the previous one). The greedy plan is the answer if no stage
        returns a plan: a 1-s flexibility study's rigid scenario ended "no plan within time
        limit" with it in hand."""
        if base is not None:
            return True, None
        if not warm_start:
            self._start = None
            started = self._start_from_greedy_plan()
            return started, self._greedy if started else None
        if self._start is None:
            self._start = extract_decisions(self.model, self.inputs)
        return True, None

    def _final_plan(
        self,
        found: PlanDecisions | None,
        fallback: PlanDecisions | None,
        base: Baseline | None,
        mode: str,
        stages: list[Stage],
        holds: list,
        weights: Mapping[str, float],
    ) -> PlanDecisions | None:
        """The run's answer: the stages' plan, else the greedy start plan (unless the inputs
        are infeasible), and the baseline plan instead wherever the solver's does not beat it."""
        decisions = found
        if decisions is None and fallback is not None and stages and stages[0].outcome.status != "infeasible":
            logger.info("no stage returned a plan within the time limit: the greedy start plan is the answer")
            self.load_plan(fallback)
            decisions = fallback
        if base is not None and self._baseline_wins(base, decisions, mode, stages, holds, weights):
            logger.info("the baseline plan is kept: the solver's plan does not beat it")
            self.load_plan(base.plan)
            decisions = base.plan
        return decisions

    def _result(
        self,
        mode: str,
        stages: list[Stage],
        decisions: PlanDecisions | None,
        solve_seconds: float,
        diagnose: bool,
        choice: Mapping[str, Any] | None = None,
        time_limit: float | None = None,
    ) -> Result:
        first, last = stages[0].outcome, stages[-1].outcome
        if first.status == "infeasible" or decisions is None:
            returned_without_plan()
        if first.status == "infeasible":
            from optimizer.solve.diagnose import diagnose_infeasibility, diagnosis_seconds

            budget = diagnosis_seconds(time_limit)
            conflicts = (
                diagnose_infeasibility(self.inputs, budget_seconds=budget, frozen=self.frozen_past) if diagnose else []
            )
            raise InfeasibleError("No plan satisfies the inputs.", conflicts)
        if decisions is None:
            if first.status == "no_solution":
                raise NoSolutionError(
                    f"no feasible plan found within the time limit ({first.termination}); "
                    "raise --time-limit or relax commitments"
                )
            raise SolverError(f"solver ended with '{first.termination}' and no plan")
        evaluation = evaluate(self.inputs, decisions)
        self._check_against_model(decisions, evaluation.objectives)
        # Optimal only if every stage was; bound and gap are the last solved stage's.
        solved = [st.outcome for st in stages if st.outcome.has_solution]
        # a Ctrl-C right after the first stage ended the run there: the greedy start plan that
        # proved shortfall 0 was written as "optimal (proven)", its later stages never run
        cut_short = len(stages) < len((choice or {}).get("priority") or ())
        status: Status = (
            "optimal" if all(st.outcome.status == "optimal" for st in stages) and not cut_short else "feasible"
        )
        termination = last.termination
        if cut_short and INTERRUPT.is_set() and not termination.startswith("interrupted"):
            # (a later stage the clock left without a plan ends the loop too: not a Ctrl-C)
            termination = f"interrupted (Ctrl-C) after the {stages[-1].objective} stage ({termination})"
        final = solved[-1] if solved else last  # no stage solved: the baseline plan (see run)
        return Result(
            inputs=self.inputs,
            status=status,
            termination=termination,
            objective_mode=mode,
            decisions=decisions,
            evaluation=evaluation,
            best_bound=final.bound,
            gap=final.gap,
            solve_seconds=solve_seconds,
            build_seconds=self.build_seconds,
            solver=self.solver.name,
            solver_version=self.solver.version,
            stages=tuple(stages),
            solver_options=self.solver.describe_options(),
            improve=self.improve_note,
            strategy=self.solver.strategy_note,
            bound_source=final.bound_source,
            threads=self.solver.options.threads,
            **(choice or {}),
        )

    def _check_against_model(self, decisions: PlanDecisions, objectives: Mapping[str, float]) -> None:
        """The solver's own objective values must match the plan's recomputed ones.

        Shortfall is the exception: the model's shortfall variables may exceed the real
        shortfall when shortfall is not optimised, so only model ≥ real is required.
        """
        m = self.model
        reported = {name: float(pyo.value(m.objective_expr[name])) for name in objectives if name != "shortfall"}
        problems = verify_result(self.inputs, decisions, reported)
        if problems and all(
            abs(reported[name] - objectives[name]) <= SOLVER_CRUMBS * max(1.0, abs(objectives[name]))
            for name in reported
        ):
            # binaries the solver left within its integrality tolerance (a joint start at 8e-7,
            # paying 1e-5: a risk stage's hold allows 1e-6 of risk) are rounded away by the
            # plan: the model is judged at the plan's own values instead (a tolerance-0 run
            # ended in PlanVerificationError, "cost reported 1e-05, recomputed 0", for the plan
            # that funds nothing)
            set_start(m, decisions)
            reported = {name: float(pyo.value(m.objective_expr[name])) for name in reported}
            problems = verify_result(self.inputs, decisions, reported)
        model_shortfall = float(pyo.value(m.objective_expr["shortfall"]))
        if model_shortfall < objectives["shortfall"] - 1e-6 * max(1.0, abs(model_shortfall)):
            problems.append(
                f"model shortfall {model_shortfall} is below the plan's real shortfall {objectives['shortfall']}"
            )
        if problems:
            raise PlanVerificationError(problems)
