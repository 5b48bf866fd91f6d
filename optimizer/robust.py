"""The price of robustness: every objective as the overruns budgets must absorb (Γ) grow.

One plan per Γ = robust_overruns (docs/robust.md, family 13), solved side by side like any
sweep. The price of Γ is what each objective loses against the first Γ given (normally 0,
the nominal plan), signed so that a loss is positive whatever the objective's sense.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from data.tables import objective_sense
from optimizer.sweeps import Job, Sweep, SweepProgressFn, run_jobs

logger = logging.getLogger(__name__)

DEFAULT_GAMMAS = (0, 1, 2, 3)


@dataclass
class RobustnessReport:
    """Solved plans for each Γ, in the order asked for; Γ's without a plan keep their row."""

    sweep: Sweep
    gammas: list[int]

    @property
    def table(self) -> pd.DataFrame:
        """gamma, status, gap, seconds and every objective: one row per Γ."""
        table = self.sweep.table.rename(columns={"robust_overruns": "gamma"})
        table["gamma"] = table["gamma"].astype(int)
        return table.drop(columns=["scenario"])

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
        from optimizer.verify import assert_valid

        for p in self.sweep.points:
            if p.result is not None:
                assert_valid(p.result.inputs, p.result.decisions, p.result.objectives)
        summary = self.sweep.summary_rows() + [("gammas", ", ".join(map(str, self.gammas)))]
        plans = self.sweep.plans.rename(columns={"scenario": "gamma"})
        plans["gamma"] = [_gamma_of(name) for name in plans["gamma"]]
        return write_robustness_workbook(path, summary, self.table, self.price, plans, self.sweep.core_index)


def _is_objective(name: object) -> bool:
    try:
        objective_sense(str(name))
    except KeyError:
        return False
    return True


def _gamma_of(name: str) -> int:
    return int(str(name).rsplit("=", 1)[-1])


def price_of_robustness(
    scenario: Any,
    gammas: Sequence[int] = DEFAULT_GAMMAS,
    *,
    workers: int | None = None,
    client: Any = None,
    scheduler: str | None = None,
    progress: SweepProgressFn | None = None,
    **solve_kwargs: Any,
) -> RobustnessReport:
    """Solve the scenario once per Γ (Settings robust_overruns) and report what each costs.

    `solve_kwargs` (objective, priority, weights, time_limit, gap) apply to every solve.
    A nation's own robust_overruns in the Nations sheet still overrides each Γ.
    """
    gammas = [int(g) for g in gammas]
    if not gammas or any(g < 0 for g in gammas):
        raise ValueError(f"gammas must be whole numbers ≥ 0, got {gammas}")
    if len(set(gammas)) != len(gammas):
        raise ValueError(f"each Γ once, got {gammas}")
    jobs = [
        Job(f"Γ={g}", float(g), scenario.with_settings(robust_overruns=g).inputs) for g in gammas
    ]
    sweep = run_jobs(jobs, reuse=False, workers=workers, client=client, scheduler=scheduler,
                     progress=progress, solve_kwargs=solve_kwargs, x_label="robust_overruns")
    logger.info("price of robustness for Γ = %s in %.1f s", gammas, sweep.seconds)
    return RobustnessReport(sweep, gammas)
