"""`Scenario`: validated inputs plus run options; `solve()` turns it into a `Result`."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, Sequence

from data.errors import Problem
from data.tables import Inputs, PlanDecisions
from optimizer import whatif
from optimizer.result import Result
from optimizer.solve.engine.strategy import check_strategy
from optimizer.solve.solver import ProgressFn, SolverOptions, check_highs_options

if TYPE_CHECKING:
    from optimizer.studies.flexibility import FlexibilityReport
    from optimizer.studies.pareto import Front, ParetoProgressFn
    from optimizer.studies.sweeps import Sweep

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
        from data.reader import load_inputs

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

        Raises `InfeasibleError` (with the conflicting commitments named),
        `NoSolutionError` (time ran out before any plan) or `SolverError`.
        """
        from optimizer.session import Session

        options = SolverOptions(
            solver=solver, threads=threads, log_file=log_file, stream_log=stream_log,
            highs_options=check_highs_options(highs_options or {}), strategy=check_strategy(strategy),
            workers=workers,
        )
        session = Session(self.inputs, options, progress, client)
        if warm_start is not None:
            session.load_plan(warm_start)
        return session.run(
            objective=objective, priority=priority, weights=weights, time_limit=time_limit, gap=gap,
            warm_start=warm_start is not None, improve_seconds=improve_seconds,
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
        progress: "ParetoProgressFn | None" = None,
        workers: int = 1,
    ) -> "Front":
        """The non-dominated plans for two or more objectives (AUGMECON2: optimizer.studies.pareto).

        Defaults come from Settings (`pareto_objectives`, `pareto_points`, `pareto_exact`).
        `workers` > 1 shares the grid among that many local processes (one solver thread
        each unless `threads` says otherwise); the default, 1, solves it in this process.
        """
        from optimizer.studies.pareto import pareto_front

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
            workers=workers,
        )

    def budget_sweep(self, scales: Sequence[float], nations: Sequence[str] | None = None,
                     years: Sequence[int] | None = None, **kwargs: object) -> "Sweep":
        """Solve with budgets scaled by each value (one reused model: optimizer.studies.sweeps)."""
        from optimizer.studies.sweeps import budget_sweep

        return budget_sweep(self, scales, nations, years, **kwargs)  # type: ignore[arg-type]

    def flexibility_value(self, **kwargs: object) -> "FlexibilityReport":
        """What free starts and carry-over/borrowing are worth (optimizer.studies.flexibility)."""
        from optimizer.studies.flexibility import flexibility_value

        return flexibility_value(self, **kwargs)  # type: ignore[arg-type]

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
