"""Many scenarios at once: budget sweeps on one reused model, and general scenario sweeps,
on local cores or a Dask cluster, with identical results whichever way they ran.

Determinism: work is cut into *chains* of consecutive scenarios whose length does not
depend on how many workers there are. Within a chain one Session (built model + persistent
solver) is reused and each point starts from the previous point's plan; chains are
independent. Every solve uses a fixed thread count and seed. So the same sweep gives the
same plans inline, on 2 local processes or on a cluster.
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
import math
import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from data.dashboard import status_in_words
from data.errors import InputError
from data.tables import Inputs, Source
from optimizer.arguments import check_count, check_flag, check_progress, check_scale_list, check_scenario
from optimizer.errors import InfeasibleError, NoSolutionError, SolverError
from optimizer.processes import workers_allowed
from optimizer.result import Result
from optimizer.solve.objectives import ABSOLUTE_TOLERANCE, sign
from optimizer.solve.solver import INTERRUPT, SolverOptions, catch_ctrl_c
from optimizer.whatif import budget_nations

logger = logging.getLogger(__name__)

DEFAULT_CHAIN_LENGTH = 3
CLOCKED_LISTED = 5  # scenarios named in the Summary's `reproducible` row
MAX_SWEEP_POINTS = 1000  # budget factors one range may give: each is a whole solve
SWEEP_THREADS = 1  # per solve: parallelism comes from running scenarios side by side


@dataclass(frozen=True)
class SweepPoint:
    """One scenario of a study: its name, its x (budget scale, Γ, index), its Result or why
    it has none (`error`), and its seconds."""

    name: str
    x: float | None
    result: Result | None
    error: str | None
    seconds: float


@dataclass(frozen=True)
class SweepProgress:
    """How far a study has got, for its progress bar: scenarios done, time spent and what it does now."""

    done: int
    total: int
    last_seconds: float
    elapsed: float
    # after the scenarios: what the study does now (a scenario solved again from a better
    # plan, `repair_nested`); a 9-point sweep's bar said "9/9 … ETA 0s" and then nothing for
    # three minutes while six points were solved again, and a planner would kill it
    phase: str = ""

    @property
    def eta(self) -> float:
        return self.elapsed / self.done * (self.total - self.done) if self.done else float("nan")


SweepProgressFn = Callable[[SweepProgress], None]


@dataclass
class Sweep:
    """Solved scenarios in input order; `complete` is False if the run was interrupted."""

    points: list[SweepPoint]
    x_label: str
    complete: bool
    seconds: float
    notes: list[str] = field(default_factory=list)
    workers: int | str = 1  # processes that solved points side by side ("Dask cluster" on one)
    # the workbook the scenarios were made from, for the Summary even when no point was
    # solved (every one infeasible: input_file and input_sha256 were blank)
    source: Source | None = None
    # the search asked for (`strategy=`, `--strategy`): the Summary records it beside what
    # each scenario's solve ran, which is missing for a scenario that never searched
    strategy: str = "auto"

    @property
    def every_point_infeasible(self) -> bool:
        """Whether the study, run to the end, found no plan anywhere because every scenario
        is infeasible: its workbook would hold only "infeasible" rows (the command line then
        exits 4 with a diagnosis instead of writing it)."""
        return (
            self.complete
            and bool(self.points)
            and all(p.result is None and str(p.error).startswith("infeasible") for p in self.points)
        )

    @property
    def table(self) -> pd.DataFrame:
        """One row per scenario with every objective: the budget efficiency curve."""
        rows = []
        for p in self.points:
            row: dict[str, Any] = {"scenario": p.name, self.x_label: p.x}
            if p.result is not None:
                # the bound beside the gap, so the gap can be traced (|plan − bound| / |plan|)
                row.update(
                    status=p.result.status,
                    gap=p.result.gap,
                    best_bound=p.result.best_bound,
                    gap_of=p.result.gap_objective,
                    not_optimised=", ".join(p.result.not_optimised),
                    seconds=round(p.seconds, 3),
                )
                row.update(p.result.objectives)
                # cost is the Plans sheet's programme costs plus these (MODEL.md's spend): the
                # study workbook has no Standards sheet, so its cost did not add up from Plans
                row["standards_adoption_cost"] = float(p.result.standards["cost"].sum())
                # what the point's solve proves, earlier stages included, as a plan's Dashboard
                # says it: a point whose cost stage kept its start plan had a blank gap and
                # nothing else, though its capability stage had proven its gap
                # in the point's own seconds, re-solves included, as the seconds column has them:
                # a lever solved again said "best plan found in 30 s" beside 60.8 s
                row["proof"] = status_in_words({**dict(p.result.summary_rows()), "solve_seconds": p.seconds})
            else:
                row.update(
                    status=p.error,
                    gap=None,
                    best_bound=None,
                    gap_of=None,
                    not_optimised="",
                    seconds=round(p.seconds, 3),
                )
            rows.append(row)
        return pd.DataFrame(rows)

    @property
    def plans(self) -> pd.DataFrame:
        """Every solved scenario's Plan rows, stacked, with a `scenario` column."""
        return self._stacked("plan")

    @property
    def scenario_tables(self) -> dict[str, pd.DataFrame]:
        """Every scenario's Standards, Spend and Contributions tables, stacked under a
        `scenario` column: with only the plans, a scenario's interoperability (which standards
        it adopted), its spend against each budget and a joint member's payments by year
        could not be traced from the study workbook."""
        return {
            "Standards": self._stacked("standards"),
            "Spend": self._stacked("spend"),
            "Contributions": self._stacked("contributions"),
        }

    def _stacked(self, table: str) -> pd.DataFrame:
        """One of the results' tables (plan, standards, spend, contributions) for every solved scenario."""
        frames = []
        for p in self.points:
            if p.result is not None:
                df = getattr(p.result, table).copy()
                df.insert(0, "scenario", p.name)
                frames.append(df)
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["scenario"])

    @property
    def core_index(self) -> pd.DataFrame:
        """Share of solved scenarios funding each (nation, programme): 1.0 survives every budget."""
        solved = [p for p in self.points if p.result is not None]
        counts: dict[tuple[str, str], int] = {}
        for p in solved:
            for key in p.result.decisions.funded():  # type: ignore[union-attr]
                counts[key] = counts.get(key, 0) + 1
        rows = [
            {"nation": n, "programme": q, "scenarios": c, "share": c / max(len(solved), 1)}
            for (n, q), c in counts.items()
        ]
        df = pd.DataFrame(rows, columns=["nation", "programme", "scenarios", "share"])
        return df.sort_values(["share", "nation", "programme"], ascending=[False, True, True], ignore_index=True)

    def reproducibility(self) -> str:
        """Whether running the study again gives these plans: "yes" only when every scenario's
        own solve would repeat (`Result.reproducibility`). A scenario the clock cut short
        changes its own plan and, in a chain, the start of the scenarios after it. The study
        Summaries said only "complete": two flexibility studies of the reference dataset at
        8 s a scenario differed in 2,494 Plans rows with nothing in either Summary to say so."""
        if not self.complete:
            return "no: interrupted before every scenario was solved; a rerun may give other plans"
        clocked = [
            p.name
            for p in self.points
            if (p.result is None and p.error == "no plan within time limit")
            or (p.result is not None and not p.result.reproducibility().startswith("yes"))
        ]
        if clocked:
            shown = ", ".join(clocked[:CLOCKED_LISTED]) + (
                f" and {len(clocked) - CLOCKED_LISTED} more" if len(clocked) > CLOCKED_LISTED else ""
            )
            # "were not proven by a search that does not depend on the clock" stood beside a
            # scenario proven optimal (by a search whose workers' timing shaped its plan)
            return (
                f"no: the plans of {len(clocked)} of {len(self.points)} scenarios ({shown}) depend on timing "
                "(a search cut short by the clock, or parallel work ending sooner or later), so a rerun may "
                "give other plans; each one's status and gap say how far it was proven"
            )
        return "yes: every scenario proven to its gap by a search that does not depend on the clock"

    def status_in_words(self) -> str:
        """'every scenario solved, 0 of 3 proven within the gap target': a study whose solves
        all stopped at the clock said "complete", the word a proof alone may use."""
        if not self.complete:
            return "interrupted: scenarios not solved are missing"
        proven = sum(p.result is not None and p.result.status == "optimal" for p in self.points)
        with_plan = sum(p.result is not None for p in self.points)
        # "every scenario solved" stood beside `solved 1` of 2 (a Γ point found no plan)
        solved = (
            "every scenario solved"
            if with_plan == len(self.points)
            else f"{with_plan} of {len(self.points)} scenarios solved (see each one's status)"
        )
        return f"{solved}, {proven} of {len(self.points)} proven within the gap target"

    def status_word(self) -> str:
        """WORKBOOK.md's one-word status for the whole study: the weakest of its scenarios'
        (error, then infeasible, then feasible, then optimal), so "optimal" stands only where
        every scenario was proven; an interrupted study is at best "feasible"."""
        words = [
            p.result.status
            if p.result is not None
            else "infeasible"
            if str(p.error).startswith("infeasible")
            else "error"
            for p in self.points
        ]
        if not self.complete:
            words.append("feasible")
        for word in ("error", "infeasible", "feasible"):
            if word in words:
                return word
        return "optimal" if words else "error"

    def headline_rows(self, mode: object) -> list[tuple[str, object]]:
        """WORKBOOK.md's Summary head for a study: status, termination, objective (the mode),
        a row per objective, best_bound and gap. As a front's describe its point 1, the
        objective rows, bound and gap describe the first scenario with a plan, which
        `objectives_of` names; the Sweep sheet has every scenario's."""
        terminations: dict[str, list[str]] = {}
        for p in self.points:
            why = p.result.termination if p.result is not None else str(p.error)
            terminations.setdefault(why, []).append(p.name)
        if not self.complete:
            terminations.setdefault("interrupted: scenarios not solved are missing", [])
        termination = (
            next(iter(terminations))
            if len(terminations) == 1
            else "; ".join(f"{', '.join(names) or 'the rest'}: {why}" for why, names in terminations.items())
        )
        rows: list[tuple[str, object]] = [
            ("status", self.status_word()),
            ("termination", termination),
            ("objective", mode),
        ]
        first = next((p for p in self.points if p.result is not None), None)
        if first is not None and first.result is not None:
            result = first.result
            rows += [(name, float(result.objectives[name])) for name in result.inputs.objective_names()]
            rows += [("best_bound", result.best_bound), ("gap", result.gap), ("gap_of", result.gap_objective)]
            rows += [("objectives_of", first.name)]
        return rows

    def summary_rows(self) -> list[tuple[str, object]]:
        """The study's Summary: what ran, how the solver ran (as a plan's Summary says it,
        `study_run_rows`), and what it read."""
        from optimizer.result import environment_rows, input_change_rows, study_run_rows, tool_version

        solved = [p for p in self.points if p.result is not None]
        first = solved[0].result if solved else None
        source = first.inputs.source if first else self.source
        shared = _shared_changes([p.result for p in solved])
        run_rows = study_run_rows([(p.name, p.result) for p in solved if p.result is not None])
        rows: list[tuple[str, object]] = [
            *self.headline_rows(dict(run_rows).get("objective", "")),
            ("status_detail", self.status_in_words()),
            ("scenarios", len(self.points)),
            ("solved", len(solved)),
            ("solve_seconds", round(self.seconds, 3)),
            ("workers", self.workers),
            *([("strategy_asked", self.strategy)] if self.strategy != "auto" else []),
            ("reproducible", self.reproducibility()),
            *[(key, value) for key, value in run_rows if key != "objective"],
            # the file beside its hash, as a plan's Summary has it: a study's numbers trace
            # back to a workbook a planner can open, not only to a checksum
            ("input_file", source.path if source else ""),
            *input_change_rows(shared),
            *_point_change_rows(solved, len(shared)),
            ("input_sha256", source.sha256 if source else ""),
            ("tool_version", tool_version()),
            *environment_rows(),
            ("created_at", pd.Timestamp.now(tz="UTC").floor("s").isoformat()),
        ]
        return rows + [("note", n) for n in self.notes]

    def to_excel(self, path: str | Path) -> Path:
        """Verify every scenario's plan, then write the sweep workbook atomically."""
        from data.report import write_sweep_workbook
        from optimizer.checks.verify import assert_valid

        for p in self.points:
            if p.result is not None:
                assert_valid(p.result.inputs, p.result.decisions, p.result.objectives)
        return write_sweep_workbook(
            path,
            self.summary_rows(),
            self.table,
            self.plans,
            self.core_index,
            self.x_label,
            scenario_tables=self.scenario_tables,
        )


# --- work units (module-level so they pickle to processes and Dask workers) ------------
@dataclass(frozen=True)
class Job:
    """One scenario to solve in a chain: plain data, so it pickles to processes and Dask workers."""

    name: str
    x: float | None
    inputs: Inputs


def solve_chain(
    jobs: Sequence[Job], options: SolverOptions, solve_kwargs: dict[str, Any], reuse: bool
) -> list[SweepPoint]:
    """Solve jobs in order. With `reuse`, one Session serves the chain: only budgets change
    and each solve starts from the previous plan."""
    from optimizer.session import Session

    out: list[SweepPoint] = []
    session: Session | None = None
    with catch_ctrl_c() as interrupt:
        for job in jobs:
            if interrupt.is_set():
                break
            started = time.monotonic()
            try:
                if session is None or not reuse:
                    session = Session(job.inputs, options)
                    result = session.run(**solve_kwargs, diagnose=False)
                else:
                    session.update_budgets(job.inputs)
                    result = session.run(**solve_kwargs, warm_start=True, diagnose=False)
                out.append(SweepPoint(job.name, job.x, result, None, time.monotonic() - started))
            except InfeasibleError:
                out.append(SweepPoint(job.name, job.x, None, "infeasible", time.monotonic() - started))
            except InputError as exc:  # the scenario's own rules break a commitment the workbook allows
                out.append(SweepPoint(job.name, job.x, None, scenario_infeasible(exc), time.monotonic() - started))
            except NoSolutionError:
                out.append(SweepPoint(job.name, job.x, None, "no plan within time limit", time.monotonic() - started))
            except SolverError as exc:
                out.append(SweepPoint(job.name, job.x, None, f"solver error: {exc}", time.monotonic() - started))
    return out


def scenario_infeasible(exc: InputError) -> str:
    """A point whose scenario (the flexibility study's rigid cycle, say) makes a commitment
    of a valid workbook impossible: that scenario has no plan, and the workbook is not at
    fault. The whole study used to stop with "Input has 1 problem(s): Commitments!4: BRAVO
    cannot fund P1 starting 2028" for a workbook `capopt validate` accepts (P1 is
    flexible_start; the rigid lever is not)."""
    reasons = "; ".join(f"{p.sheet}!{p.cell}: {p.what}" if p.cell else f"{p.sheet}: {p.what}" for p in exc.problems)
    return f"infeasible in this scenario: {reasons}"


def _chains(jobs: list[Job], chain_length: int) -> list[list[Job]]:
    return [jobs[i : i + chain_length] for i in range(0, len(jobs), chain_length)]


def _shared_changes(results: list[Any]) -> tuple[str, ...]:
    """The input changes every point's plan shares: the what-ifs made before the study.
    Each point's last change is its own (its budget scale, Γ or lever: every study makes
    exactly one), so it never counts as shared, even in a one-point study."""
    lists = [r.inputs.source.changes[:-1] if r.inputs.source else () for r in results]
    shared: list[str] = []
    for same in zip(*lists):
        if len(set(same)) != 1:
            break
        shared.append(same[0])
    return tuple(shared)


def _point_change_rows(solved: list[SweepPoint], shared: int) -> list[tuple[str, object]]:
    """Each point's own input changes beyond the `shared` first ones all points have (its
    budget scale, Γ or lever), so that a study's options — a sweep's years, the flexibility
    study's carry-over — are in its Summary."""
    own = [
        (p.name, p.result.inputs.source.changes[shared:])
        for p in solved
        if p.result is not None and p.result.inputs.source
    ]
    text = "; ".join(f"{name}: {', '.join(changes)}" for name, changes in own if changes)
    return [("point_changes", text)] if text else []


def run_jobs(
    jobs: list[Job],
    *,
    reuse: bool,
    chain_length: int = DEFAULT_CHAIN_LENGTH,
    workers: int | None = None,
    client: Any = None,
    scheduler: str | None = None,
    progress: SweepProgressFn | None = None,
    solve_kwargs: dict[str, Any] | None = None,
    x_label: str = "x",
    threads: int = SWEEP_THREADS,
) -> Sweep:
    """Run jobs inline, on local processes or on Dask; results come back in input order."""
    check_progress(progress)  # before any solve: it is first called when a point is done
    solve_kwargs = dict(solve_kwargs or {})
    chains = _chains(jobs, chain_length if reuse else 1)
    if scheduler is not None and client is None:
        client = _dask_client(scheduler)
    strategy = solve_kwargs.pop("strategy", "auto")
    cores = os.cpu_count() or 1
    one_at_a_time = client is None and (
        (workers or cores) <= 1
        or len(chains) == 1
        or (workers is None and _wants_every_core(jobs[0], strategy, cores))
        or not workers_allowed("the sweep's points")  # an unguarded script: see optimizer.processes
    )
    workers = workers or cores
    # the search is a solver option, not a run option: every point gets the same one. Points
    # solved one at a time in this process get every core (the engine's and the portfolio's
    # workers); side by side, one core each.
    options = SolverOptions(threads=None if one_at_a_time else threads, strategy=strategy)
    started = time.monotonic()
    results: dict[int, list[SweepPoint]] = {}
    done_points = [0]

    def finished(index: int, points: list[SweepPoint]) -> None:
        results[index] = points
        done_points[0] += len(points)
        if progress is not None and points:
            progress(SweepProgress(done_points[0], len(jobs), points[-1].seconds, time.monotonic() - started))

    complete = True
    with catch_ctrl_c() as interrupt:
        if client is not None:
            complete = _run_dask(client, chains, options, solve_kwargs, reuse, finished)
        elif one_at_a_time:
            for i, chain in enumerate(chains):
                if interrupt.is_set():
                    break
                finished(i, solve_chain(chain, options, solve_kwargs, reuse))
        else:
            complete = _run_processes(workers, chains, options, solve_kwargs, reuse, finished)
        complete = complete and not interrupt.is_set()
    points = [p for i in sorted(results) for p in results[i]]
    complete = complete and len(points) == len(jobs)
    ran_on = "Dask cluster" if client is not None else 1 if one_at_a_time else min(workers, len(chains))
    notes = []
    if strategy == "portfolio" and not one_at_a_time:  # it needs two cores a solve: said, not only recorded
        notes.append(
            f"the portfolio asked for needs two cores a scenario; with {ran_on} side by side on one core "
            "each, every scenario ran HiGHS alone (each one's strategy says so): --workers 1 gives it"
        )
    return Sweep(
        points,
        x_label,
        complete,
        time.monotonic() - started,
        notes=notes,
        workers=ran_on,
        source=jobs[0].inputs.source if jobs else None,
        strategy=strategy,
    )


def _wants_every_core(job: Job, strategy: str, cores: int) -> bool:
    """Whether the points get the portfolio (HiGHS's branch-and-bound beside the engine:
    asked for, or `auto` at their models' size), which needs two cores per point: then points are
    better solved one at a time on every core than side by side on one core each. Measured
    on the reference dataset's 9-point budget sweep at 20 s a point (docs/benchmarks.md):
    side by side (HiGHS alone) 122 s, gaps 73–98 % at 0.6–0.9 × budget and 5–7 % above;
    one at a time (portfolio) 187 s, gaps 6–14 % and 2–3 %. Decided from the first point's
    model, built once to count its non-zeros."""
    from optimizer.session import Session
    from optimizer.solve.engine.strategy import choose_strategy

    if cores < 2:
        return False
    if strategy == "portfolio":  # asked for: side by side, one core each, it ran as HiGHS alone
        return True
    if strategy != "auto":
        return False
    try:
        nonzeros = Session(job.inputs, SolverOptions(threads=1)).solver.matrix_nonzeros() or 0
    except Exception as exc:  # noqa: BLE001 — the points' own solves will say what is wrong
        logger.info("sweep: points side by side (the first point's model could not be measured: %s)", exc)
        return False
    return choose_strategy("auto", nonzeros, cores)[0] == "portfolio"


def _run_processes(
    workers: int,
    chains: list[list[Job]],
    options: SolverOptions,
    solve_kwargs: dict[str, Any],
    reuse: bool,
    finished: Callable[[int, list[SweepPoint]], None],
) -> bool:
    # spawn: a clean interpreter per worker (no forked solver state, same on every OS)
    context = multiprocessing.get_context("spawn")
    with cf.ProcessPoolExecutor(max_workers=min(workers, len(chains)), mp_context=context) as pool:
        futures = {pool.submit(solve_chain, chain, options, solve_kwargs, reuse): i for i, chain in enumerate(chains)}
        pending = set(futures)
        while pending:
            done, pending = cf.wait(pending, timeout=0.5, return_when=cf.FIRST_COMPLETED)
            for future in done:
                finished(futures[future], future.result())
            if INTERRUPT.is_set():
                for future in pending:
                    future.cancel()
                for future in cf.as_completed([f for f in pending if not f.cancelled()]):
                    finished(futures[future], future.result())
                return False
    return True


def _dask_client(address: str) -> Any:
    """The study's Dask client: a scheduler that does not answer is a setup error naming
    the address (as for `solve --scheduler`), not Dask's bare timeout."""
    from optimizer.solve.engine.workers import connect_scheduler

    return connect_scheduler(address)


def _run_dask(
    client: Any,
    chains: list[list[Job]],
    options: SolverOptions,
    solve_kwargs: dict[str, Any],
    reuse: bool,
    finished: Callable[[int, list[SweepPoint]], None],
) -> bool:
    from dask.distributed import as_completed

    futures = [client.submit(solve_chain, chain, options, solve_kwargs, reuse, pure=False) for chain in chains]
    index = {f.key: i for i, f in enumerate(futures)}
    for future in as_completed(futures):
        finished(index[future.key], future.result())
        if INTERRUPT.is_set():
            for f in futures:
                f.cancel()
            return False
    return True


# --- public entry points -------------------------------------------------------------
def parse_range(text: str) -> list[float]:
    """'0.6:1.4:0.1' → [0.6, 0.7, …, 1.4] (inclusive); '0.8,1,1.2' → those values.

    Every scale given is solved, once: a STOP that the steps do not reach was dropped without
    a word ('0.5:0.6:1' swept 0.5 alone), and '1,1,1' solved one scenario three times."""
    if ":" in text:
        parts = [_factor(x, text) for x in text.split(":")]
        if len(parts) != 3 or parts[2] <= 0 or parts[1] < parts[0]:
            raise ValueError(f"{text!r}: expected START:STOP:STEP with STEP > 0 and STOP ≥ START")
        count = int(np.floor((parts[1] - parts[0]) / parts[2] + 1e-9)) + 1
        if count > MAX_SWEEP_POINTS:  # '0:1:1e-9' built a billion-point list before solving anything
            raise ValueError(
                f"{text!r} gives {count:,} budget factors — expected at most {MAX_SWEEP_POINTS:,}: a larger STEP"
            )
        values = [round(parts[0] + i * parts[2], 10) for i in range(count)]
        if abs(values[-1] - parts[1]) > 1e-9 * max(1.0, abs(parts[1])):
            raise ValueError(
                f"{text!r}: steps of {parts[2]:g} from {parts[0]:g} end at {values[-1]:g}, not at "
                f"{parts[1]:g} — expected a STEP that divides STOP − START, or a comma list"
            )
        return values
    values = [_factor(x, text) for x in text.split(",") if x.strip()]
    if not values:  # "," or "": the sweep found out later, as an internal error (exit 1)
        raise ValueError(f"{text!r}: expected START:STOP:STEP or a comma list of budget factors, e.g. 0.8,1,1.2")
    repeated = sorted({v for v in values if values.count(v) > 1})
    if repeated:
        raise ValueError(
            f"{text!r} gives {', '.join(f'{v:g}' for v in repeated)} more than once — expected each budget factor once"
        )
    return values


def _factor(part: str, text: str) -> float:
    """One budget factor of a range or list; Python's "could not convert string to float"
    reached the planner as it was."""
    try:
        value = float(part)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:  # nan and inf ended in internal errors
        raise ValueError(
            f"{text!r}: {part.strip()!r} is not a number ≥ 0 — expected START:STOP:STEP or a comma "
            "list of budget factors, e.g. 0.6:1.4:0.1 or 0.8,1,1.2"
        )
    return value


def weighted_value(result: Any, solve_kwargs: dict[str, Any]) -> float:
    """Σ sign·weight·objective of a Result, with the run's weights (else its Settings')."""
    weights = solve_kwargs.get("weights") or result.inputs.settings.weights
    return float(sum(sign(n) * w * result.objectives[n] for n, w in weights.items() if w))


def better(a: Any, b: Any, solve_kwargs: dict[str, Any]) -> bool:
    """Whether result a beats result b in the run's own terms (weighted sum, or priority order)."""
    s = a.inputs.settings
    mode = solve_kwargs.get("objective") or s.objective
    if mode == "weighted":
        score = [weighted_value(r, solve_kwargs) for r in (a, b)]
        return score[0] > score[1] + 1e-6 * max(1.0, abs(score[1]))
    priority = _priority(s, solve_kwargs)
    for k, name in enumerate(priority):
        x, y = sign(name) * a.objectives[name], sign(name) * b.objectives[name]
        # earlier objectives are held within the tolerance; the last is optimised outright,
        # so there a plan 356 cheaper is better (a helper saw flexible keep the dearer one)
        tolerance = s.lexicographic_tolerance if k < len(priority) - 1 else 1e-9
        if not _tied(x, y, tolerance):
            return x > y
    return False


def _tied(x: float, y: float, tolerance: float) -> bool:
    """Equal under a lexicographic tolerance: relative to the larger, plus the absolute
    ABSOLUTE_TOLERANCE (MODEL.md)."""
    return abs(x - y) <= tolerance * max(abs(x), abs(y)) + ABSOLUTE_TOLERANCE


def repair_nested(
    sweep: Sweep,
    solve_kwargs: dict[str, Any],
    tightest_first: Callable[[SweepPoint], float],
    inputs_for: Callable[[SweepPoint, SweepPoint], Inputs],
    why: str,
    fits: Callable[[SweepPoint, SweepPoint], bool] | None = None,
    progress: SweepProgressFn | None = None,
) -> list[str]:
    """Make a study of nested points never contradict itself; the notes say what was redone.

    In some studies every point's plan is feasible for the points after it in the order
    `tightest_first` sorts them: a smaller budget's plan fits a larger budget, and a plan
    robust for more overruns is robust for fewer. Solved to optimality, each later point is
    then at least as good. A point whose solve ran out of time may come out worse. That
    point is solved again from the better plan, so the curve never falls where a planner
    knows it cannot. `inputs_for(donor, point)` gives a point with no plan its inputs.
    Where the points are nested only in part (the value of flexibility: a rigid plan fits
    every lever, a free-starts plan does not fit the carry-over lever), `fits(donor, point)`
    says whose plans a point can take; by default every earlier point's.
    A study stopped by Ctrl-C is left as it stands: the planner asked for no more solves."""
    from optimizer.session import Session

    if not sweep.complete:
        return []
    solve_kwargs = dict(solve_kwargs)
    # solved one at a time after the study: every core, and the study's own search
    options = SolverOptions(threads=None, strategy=solve_kwargs.pop("strategy", "auto"))
    notes = []
    began = time.monotonic()
    solved: list[SweepPoint] = []  # the points with a plan, in the order they were settled
    for i in sorted(range(len(sweep.points)), key=lambda k: tightest_first(sweep.points[k])):
        point = sweep.points[i]
        best = _best_donor([d for d in solved if fits is None or fits(d, point)], solve_kwargs)
        if best is not None and (
            point.result is None
            or (not _proven_exactly(point.result) and better(best.result, point.result, solve_kwargs))
        ):
            started = time.monotonic()
            if progress is not None:
                progress(
                    SweepProgress(
                        len(solved),
                        len(sweep.points),
                        0.0,
                        started - began,
                        f"solving {point.name} again from {best.name}'s better plan ({why})",
                    )
                )
            inputs = point.result.inputs if point.result is not None else inputs_for(best, point)
            session = Session(inputs, options)
            assert best.result is not None  # `solved` holds points with a plan only
            session.load_plan(best.result.decisions)
            try:
                result = session.run(**solve_kwargs, warm_start=True, diagnose=False)
            except SolverError:
                result = None
            seconds = point.seconds + time.monotonic() - started
            if result is not None and (point.result is None or better(result, point.result, solve_kwargs)):
                point = SweepPoint(point.name, point.x, result, None, seconds)
                sweep.points[i] = point
                notes.append(
                    f"{point.name} was solved again from the {best.name} plan ({why}, and better "
                    "than what its own solve found in time)"
                )
            else:  # no better than its own plan (lexicographic ties): kept, and said not to be redone
                point = SweepPoint(point.name, point.x, point.result, point.error, seconds)
                sweep.points[i] = point
        if point.result is not None:
            solved.append(point)
    sweep.seconds += time.monotonic() - began  # the Summary's solve_seconds counts the re-solves
    return notes


def _proven_exactly(result: Any) -> bool:
    """Whether every stage of `result` was proven optimal with no gap: a re-solve cannot
    better it in the run's own terms (a sweep re-solved such points from a smaller budget's
    plan, whose capability lay outside their own hold, and said they had run out of time)."""
    stages = getattr(result, "stages", ())
    if not stages or len(stages) < len(getattr(result, "priority", ()) or ()):
        return False
    return all(s.outcome.status == "optimal" and (s.outcome.gap or 0.0) <= 1e-9 for s in stages)


def tolerance_notes(
    sweep: Sweep,
    solve_kwargs: dict[str, Any],
    tightest_first: Callable[[SweepPoint], float],
    fits: Callable[[SweepPoint, SweepPoint], bool] | None = None,
) -> list[str]:
    """Why a nested study's curve can still dip after `repair_nested`: a lexicographic run
    counts plans within `lexicographic_tolerance` of each other as equal on an earlier
    objective and lets the next decide. For each point and each objective but the last, the
    earlier point (in `tightest_first` order, one whose plan `fits` it) that did best on it
    is named where this point has less of it within the tolerance: on the reference
    dataset's sweep, budget ×1.3 had 0.7 % less capability than ×1.2, for less cost."""
    solved = [p for p in sorted(sweep.points, key=tightest_first) if p.result is not None]
    if not solved:
        return []
    assert solved[0].result is not None  # `solved` holds points with a plan only
    settings = solved[0].result.inputs.settings
    if (solve_kwargs.get("objective") or settings.objective) != "lexicographic":
        return []
    priority = _priority(settings, solve_kwargs)
    tolerance = settings.lexicographic_tolerance
    notes = []
    for k, point in enumerate(solved):
        donors = [d for d in solved[:k] if fits is None or fits(d, point)]
        for i, name in enumerate(priority[:-1]):
            # only plans level with this one on every earlier objective: where an earlier one
            # differs beyond the tolerance, it decided, not the tolerance (reference Γ = 0 has
            # shortfall 0 against Γ = 2's 140, and its 0.27 % less capability was blamed on it)
            donors = [d for d in donors if _level(d.result, point.result, priority[:i], tolerance)]
            if not donors:
                break
            best = max(donors, key=lambda d: sign(name) * float(d.result.objectives[name]))  # type: ignore[union-attr]
            assert best.result is not None and point.result is not None  # both from `solved`
            before, after = float(best.result.objectives[name]), float(point.result.objectives[name])
            lost = sign(name) * (before - after)
            if 1e-6 < lost <= tolerance * max(abs(before), abs(after)) + 1e-6:
                share = f" ({lost / abs(before):.2%})" if before else ""
                notes.append(
                    f"{point.name}: {name} {after:,.1f} is {lost:,.1f}{share} {'below' if sign(name) > 0 else 'above'} "
                    f"{best.name}'s {before:,.1f}, within the lexicographic tolerance ({tolerance:.2%}): plans "
                    f"within it count as equal on {name}, and the next objective decides"
                )
                break
    return notes


def _level(a: Any, b: Any, names: Sequence[str], tolerance: float) -> bool:
    """Whether results a and b count as equal on every one of `names` under a lexicographic
    run's tolerance (the slack `better` allows an earlier objective)."""
    return all(_tied(float(a.objectives[name]), float(b.objectives[name]), tolerance) for name in names)


def _priority(settings: Any, solve_kwargs: dict[str, Any]) -> list[str]:
    """A lexicographic run's order: the run's own, else the Settings sheet's."""
    return list(solve_kwargs.get("priority") or settings.priority)


def _best_donor(points: list[SweepPoint], solve_kwargs: dict[str, Any]) -> SweepPoint | None:
    """The point whose plan beats every other's in the run's own terms (the first on a tie)."""
    best = None
    for point in points:
        if best is None or better(point.result, best.result, solve_kwargs):
            best = point
    return best


def budget_sweep(
    scenario: Any,
    scales: Sequence[float],
    nations: Sequence[str] | None = None,
    years: Sequence[int] | None = None,
    *,
    workers: int | None = None,
    client: Any = None,
    scheduler: str | None = None,
    chain_length: int = DEFAULT_CHAIN_LENGTH,
    reuse_model: bool = True,
    progress: SweepProgressFn | None = None,
    monotone: bool = True,
    **solve_kwargs: Any,
) -> Sweep:
    """Solve the scenario with budgets scaled by each value in `scales`.

    With `monotone`, a point whose plan came out worse than a smaller budget's (its solve
    stopped by the time limit) is solved again from that plan, which fits the larger budget
    too (`repair_nested`): the curve never falls as the budget grows.

    Everything is checked before any point is built or any process starts, called directly
    or through `Scenario.budget_sweep`: a misspelt `time_limt` failed in every worker as
    "Session.run() got an unexpected keyword argument", an empty list as IndexError, and
    `time_limit=-5, gap=3` were solved as given.
    """
    check_scenario(scenario)
    scales = check_scale_list(scales)
    chain_length = check_count("chain_length", chain_length, allow_none=False)  # type: ignore[assignment]
    reuse_model, monotone = check_flag("reuse_model", reuse_model), check_flag("monotone", monotone)
    check_progress(progress)
    # read once and checked here: a generator of nations was empty from the second point
    # on, and an unknown nation failed only when the first point was built
    nations = None if nations is None else list(nations) if not isinstance(nations, (str, bytes)) else nations
    years = None if years is None else list(years) if not isinstance(years, (str, bytes, int, float)) else years
    scenario.with_budget(1.0, nations, years)  # InputError naming the nation or year, as the what-if says it
    solve_kwargs = scenario.check_study_options(budget_sweep, {"workers": workers, **solve_kwargs})
    workers = solve_kwargs.pop("workers", None)
    jobs = [
        Job(f"budget ×{scale:g}", float(scale), scenario.with_budget(scale=scale, nations=nations, years=years).inputs)
        for scale in scales
    ]
    sweep = run_jobs(
        jobs,
        reuse=reuse_model,
        chain_length=chain_length,
        workers=workers,
        client=client,
        scheduler=scheduler,
        progress=progress,
        solve_kwargs=solve_kwargs,
        x_label="budget_scale",
    )
    if monotone and all(scale >= 0 for scale in scales):
        inputs = {job.x: job.inputs for job in jobs}
        sweep.notes.extend(
            repair_nested(
                sweep,
                solve_kwargs,
                tightest_first=lambda point: point.x or 0.0,
                inputs_for=lambda donor, point: inputs[point.x],
                why="it fits the larger budget too",
                progress=progress,
            )
        )
        sweep.notes.extend(tolerance_notes(sweep, solve_kwargs, tightest_first=lambda point: point.x or 0.0))
    if nations or years is not None:  # the years too: a sweep of 2028–2032 read as one of every year
        chosen = sorted(int(y) for y in years) if years is not None else []
        codes = budget_nations(scenario.inputs, nations)  # the workbook's spelling, as input_changes
        sweep.notes.append(
            "budgets scaled"
            + (f" for {', '.join(codes)}" if codes else " for every nation")
            + (f" in {', '.join(map(str, chosen))}" if chosen else " in every year")
        )
    return sweep


def sweep(
    scenarios: Sequence[Any],
    *,
    workers: int | None = None,
    client: Any = None,
    scheduler: str | None = None,
    progress: SweepProgressFn | None = None,
    **solve_kwargs: Any,
) -> Sweep:
    """Solve independent scenarios (any what-ifs), side by side.

    The list and `solve_kwargs` are checked first, as `Scenario.budget_sweep` checks its
    options (every scenario's workbook judges the objective names; the first's spelling is
    used): `sweep([])` raised an
    IndexError, a misspelt `time_limt` failed in every worker, and `weights=` on a
    lexicographic workbook was ignored. Each scenario needs its own name (the table's rows
    and the Plans sheet are keyed by it)."""
    if isinstance(scenarios, (str, bytes)) or not isinstance(scenarios, Sequence) or not scenarios:
        raise ValueError(f"scenarios is {scenarios!r} — expected a non-empty list of Scenario objects")
    strays = [type(s).__name__ for s in scenarios if not hasattr(s, "inputs") or not hasattr(s, "name")]
    if strays:
        raise ValueError(f"scenarios holds {', '.join(strays)} — expected Scenario objects (e.g. Scenario.reference())")
    _check_distinct_names(scenarios)
    given = {"workers": workers, **solve_kwargs}
    solve_kwargs = scenarios[0].check_study_options(sweep, given)
    for other in scenarios[1:]:  # each workbook judges its own names: one may lack an area the first has
        other.check_study_options(sweep, given)
    workers = solve_kwargs.pop("workers", None)  # as checked: 2.0 is 2
    jobs = [Job(s.name, float(i), s.inputs) for i, s in enumerate(scenarios)]
    return run_jobs(
        jobs,
        reuse=False,
        workers=workers,
        client=client,
        scheduler=scheduler,
        progress=progress,
        solve_kwargs=solve_kwargs,
        x_label="index",
    )


def _check_distinct_names(scenarios: Sequence[Any]) -> None:
    """Each scenario's name once: a sweep's rows and its Plans sheet are keyed by the name,
    and two scenarios named "small" gave two rows of that name and one block of Plans rows
    mixing both plans."""
    names = [s.name for s in scenarios]
    twice = sorted({str(n) for n in names if names.count(n) > 1})
    if twice:
        raise ValueError(
            f"scenarios holds more than one named {', '.join(map(repr, twice))} — expected distinct "
            "names: give each its own with name=, e.g. s.with_budget(0.5, name='half budget')"
        )
