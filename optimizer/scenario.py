"""`Scenario`: validated inputs plus run options; `solve()` turns it into a `Result`."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, Sequence

import pyomo.environ as pyo

from data.errors import Problem
from data.tables import Inputs, PlanDecisions
from models import build_model, extract_decisions
from optimizer.errors import InfeasibleError, NoSolutionError, SolverError
from optimizer import whatif
from optimizer.evaluate import evaluate
from optimizer.objectives import Stage, solve_lexicographic, solve_weighted
from optimizer.result import Result
from optimizer.solver import PersistentSolver, ProgressFn, SolverOptions, catch_ctrl_c
from optimizer.verify import PlanVerificationError, verify_result

if TYPE_CHECKING:
    from optimizer.pareto import Front, ParetoProgressFn

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Scenario:
    """A what-if is a new Scenario (see `with_budget` and friends); nothing mutates."""

    inputs: Inputs
    name: str = "base"
    warnings: tuple[Problem, ...] = field(default=(), compare=False)

    # --- construction ------------------------------------------------------------------
    @classmethod
    def from_excel(cls, path: str | Path, name: str | None = None) -> "Scenario":
        """Read and validate a workbook; raises `InputError` listing every problem."""
        from data.validate import load_inputs

        inputs, warnings = load_inputs(path)
        return cls(inputs, name or Path(path).stem, tuple(warnings))

    @classmethod
    def reference(cls) -> "Scenario":
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
    ) -> Result:
        """Build and solve the model; options left as None come from the Settings sheet.

        Raises `InfeasibleError` (with the conflicting commitments named),
        `NoSolutionError` (time ran out before any plan) or `SolverError`.
        """
        s = self.inputs.settings
        mode = objective or s.objective
        if mode == "pareto":
            raise ValueError("use Scenario.pareto() for Pareto fronts")
        time_limit = float(time_limit if time_limit is not None else s.time_limit_seconds)
        gap = float(gap if gap is not None else s.mip_gap)
        started = time.monotonic()
        m = build_model(self.inputs)
        options = SolverOptions(solver=solver, threads=threads, log_file=log_file, stream_log=stream_log)
        persistent = PersistentSolver(m, options, progress)
        build_seconds = time.monotonic() - started
        if warm_start is not None:
            from models import set_start

            set_start(m, warm_start)
        best: dict[str, PlanDecisions] = {}

        def keep(_: object) -> None:
            best["plan"] = extract_decisions(m, self.inputs)

        remaining = time_limit - build_seconds
        with catch_ctrl_c() as interrupt:
            interrupt.clear()
            if mode == "weighted":
                stages = solve_weighted(m, persistent, weights or s.weights, remaining, gap)
                if stages[-1].outcome.has_solution:
                    keep(None)
            elif mode == "lexicographic":
                stages = solve_lexicographic(
                    m, persistent, list(priority or s.priority), s.lexicographic_tolerance, remaining, gap, keep
                )
            else:
                raise ValueError(f"unknown objective mode {mode!r}")
        solve_seconds = time.monotonic() - started - build_seconds
        return self._result(m, mode, stages, best.get("plan"), persistent, build_seconds, solve_seconds)

    def _result(
        self,
        m: pyo.ConcreteModel,
        mode: str,
        stages: list[Stage],
        decisions: PlanDecisions | None,
        persistent: PersistentSolver,
        build_seconds: float,
        solve_seconds: float,
    ) -> Result:
        first, last = stages[0].outcome, stages[-1].outcome
        if first.status == "infeasible":
            from optimizer.diagnose import diagnose_infeasibility

            raise InfeasibleError("No plan satisfies the inputs.", diagnose_infeasibility(self.inputs))
        if decisions is None:
            if first.status == "no_solution":
                raise NoSolutionError(
                    f"No feasible plan found within the time limit ({first.termination}); "
                    "raise --time-limit or relax commitments"
                )
            raise SolverError(f"solver ended with '{first.termination}' and no plan")
        evaluation = evaluate(self.inputs, decisions)
        self._check_against_model(m, decisions, evaluation.objectives)
        # The run is optimal only if every stage was; the bound and gap are the last solved stage's.
        solved = [st.outcome for st in stages if st.outcome.has_solution]
        status = "optimal" if all(o.status == "optimal" for o in (st.outcome for st in stages)) else "feasible"
        final = solved[-1]
        termination = last.termination if last is not final else final.termination
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
            build_seconds=build_seconds,
            solver=persistent.name,
            solver_version=persistent.version,
            stages=tuple(stages),
        )

    def _check_against_model(self, m: pyo.ConcreteModel, decisions: PlanDecisions, objectives: Mapping[str, float]) -> None:
        """The solver's own objective values must match the plan's recomputed ones.

        Shortfall is the exception: the model's shortfall variables may exceed the real
        shortfall when shortfall is not optimised, so only model ≥ real is required.
        """
        reported = {name: float(pyo.value(m.objective_expr[name])) for name in objectives if name != "shortfall"}
        problems = verify_result(self.inputs, decisions, reported)
        model_shortfall = float(pyo.value(m.objective_expr["shortfall"]))
        if model_shortfall < objectives["shortfall"] - 1e-6 * max(1.0, abs(model_shortfall)):
            problems.append(
                f"model shortfall {model_shortfall} is below the plan's real shortfall {objectives['shortfall']}"
            )
        if problems:
            raise PlanVerificationError(problems)

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
        progress: "ParetoProgressFn | None" = None,
    ) -> "Front":
        """The non-dominated plans for two or more objectives (AUGMECON2, see optimizer.pareto).

        Defaults come from Settings (`pareto_objectives`, `pareto_points`, `pareto_exact`).
        """
        from optimizer.pareto import pareto_front

        s = self.inputs.settings
        return pareto_front(
            self.inputs,
            list(objectives or s.pareto_objectives),
            points=points or s.pareto_points,
            exact=s.pareto_exact if exact is None else exact,
            nadir=nadir,
            time_limit=float(time_limit if time_limit is not None else s.time_limit_seconds),
            point_time_limit=point_time_limit,
            threads=threads,
            solver=solver,
            progress=progress,
        )

    # --- what-ifs: each returns a new Scenario --------------------------------------------
    def with_inputs(self, inputs: Inputs, name: str | None = None) -> "Scenario":
        return replace(self, inputs=inputs, name=name or self.name)

    def with_budget(
        self,
        scale: float = 1.0,
        nations: Sequence[str] | None = None,
        years: Sequence[int] | range | None = None,
        add: Mapping[object, float] | None = None,
        name: str | None = None,
    ) -> "Scenario":
        """Budgets scaled (and/or `add`ed to) for some nations and years."""
        label = name or f"{self.name} budget×{scale:g}" + (f" {','.join(nations)}" if nations else "")
        return self.with_inputs(whatif.with_budget(self.inputs, scale, nations, years, add), label)

    def with_settings(self, name: str | None = None, **changes: object) -> "Scenario":
        """Settings changed, e.g. `with_settings(carry_over_fraction=0.2)`."""
        label = name or f"{self.name} " + ", ".join(f"{k}={v}" for k, v in changes.items())
        return self.with_inputs(whatif.with_settings(self.inputs, **changes), label)

    def with_commitment(
        self, nation: str, programme: str, action: str = "fund", start_year: int | None = None, name: str | None = None
    ) -> "Scenario":
        """A nation made to fund (or barred from) a programme."""
        label = name or f"{self.name} {action} {nation}/{programme}"
        return self.with_inputs(
            whatif.with_commitment(self.inputs, nation, programme, action, start_year), label  # type: ignore[arg-type]
        )

    def without_programme(self, programme: str, name: str | None = None) -> "Scenario":
        """The programme cancelled (with the programmes that must follow it)."""
        return self.with_inputs(whatif.without_programme(self.inputs, programme), name or f"{self.name} without {programme}")
