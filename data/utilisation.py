"""Budget utilisation from a plan's Spend table: where each nation's money goes, year by year.

MODEL.md's balance rule, `bal[t] = bal[t−1] + budget[t] − spend[t] − lapse[t]` with
`bal[y0−1] = 0`, splits into flows that a planner can read off a row:

    budget + carried_in + borrowed = spend + lapsed + carried_out + repaid

where a positive balance at the end of the previous year is `carried_in` (a negative one
is `repaid` out of this year's budget) and a positive balance at the end of this year is
`carried_out` (a negative one is `borrowed` from next year's budget). Over the horizon the
flows telescope to `budget = spend + lapsed + unspent_at_end` (the last balance, ≥ 0).

Everything here is computed from the Spend table alone (`nation`, `year`, `budget`,
`spend`, `balance`, `lapsed`), so it needs neither the inputs nor the optimizer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from data.tables import ALLIANCE
from data.xlsx_io import amount_text

FLOW_COLUMNS = ("carried_in", "borrowed", "carried_out", "repaid", "utilisation")
NATION_COLUMNS = ("unspent_at_end", "lapsed_share")
LAPSE_WARNING_SHARE = 0.5  # lapsing more than half a horizon budget: inputs are probably off
_NOISE = 1e-9  # balances within this of 0 (relative to the budget) are solver round-off


@dataclass(frozen=True)
class LapseWarning:
    """A nation that lapses more than `LAPSE_WARNING_SHARE` of its horizon budget."""

    nation: str
    budget: float
    lapsed: float
    point: object = None  # the Pareto point, for a front's plans

    @property
    def share(self) -> float:
        return self.lapsed / self.budget

    def short_text(self) -> str:
        where = f" (point {self.point})" if self.point is not None else ""
        return (
            f"{self.nation}{where} lapses {amount_text(self.lapsed)} of its {amount_text(self.budget)} "
            f"horizon budget ({self.share:.0%})"
        )

    def text(self, currency: str = "") -> str:
        unit = f" {currency}" if currency else ""
        where = f" (point {self.point})" if self.point is not None else ""
        return (
            f"{self.nation}{where} lapses {amount_text(self.lapsed)} of its {amount_text(self.budget)}{unit} "
            f"horizon budget ({self.share:.0%}): more than half, which usually means its "
            "budgets or the programmes open to it are off"
        )


def _groups(spend: pd.DataFrame) -> list[str]:
    """A Pareto front's Spend holds one plan per point: balances run per point and nation."""
    return ["point", "nation"] if "point" in spend.columns else ["nation"]


def _numbers(spend: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    out = spend.copy()
    for column in columns:
        out[column] = pd.to_numeric(out[column], errors="coerce").astype(float)
    return out


def with_flows(spend: pd.DataFrame) -> pd.DataFrame:
    """The Spend table with `FLOW_COLUMNS` appended (row order and other columns kept).

    `utilisation` is spend over that year's budget: above 100 % where carried-in or
    borrowed money is spent, blank where the budget is 0.
    """
    out = _numbers(spend, ("budget", "spend", "balance", "lapsed"))
    if out.empty:
        return out.assign(**{c: pd.Series(dtype=float) for c in FLOW_COLUMNS})
    keys = _groups(out)
    budget = out["budget"].to_numpy()
    balance = out["balance"].to_numpy()
    balance = np.where(np.abs(balance) <= _NOISE * np.maximum(1.0, np.abs(budget)), 0.0, balance)
    ordered = out.assign(_balance=balance).sort_values([*keys, "year"], kind="stable")
    previous = ordered.groupby(keys, sort=False)["_balance"].shift(1, fill_value=0.0)
    previous = previous.reindex(out.index).to_numpy()  # type: ignore[assignment]  # the Series, as an array
    out["carried_in"] = np.maximum(previous, 0.0)
    out["borrowed"] = np.maximum(-balance, 0.0)
    out["carried_out"] = np.maximum(balance, 0.0)
    out["repaid"] = np.maximum(-previous, 0.0)
    out["utilisation"] = out["spend"] / out["budget"].where(out["budget"] != 0)
    return out


def by_year(spend: pd.DataFrame) -> pd.DataFrame:
    """All nations' flows per year (partners included, as in every sum over nations)."""
    flows = with_flows(spend)
    columns = ["budget", "spend", "lapsed", "carried_in", "borrowed", "carried_out", "repaid"]
    totals = flows.groupby("year", sort=True)[columns].sum(min_count=1).reset_index()
    totals["utilisation"] = totals["spend"] / totals["budget"].where(totals["budget"] != 0)
    return totals


def by_nation(spend: pd.DataFrame) -> pd.DataFrame:
    """Horizon totals per nation: budget, spend, lapsed, utilisation, unspent_at_end, lapsed_share.

    `unspent_at_end` is the last year's balance: money neither spent nor lapsed inside the
    horizon, so `budget = spend + lapsed + unspent_at_end` row by row.
    """
    flows = with_flows(spend)
    keys = _groups(flows)
    if flows.empty:
        columns = [*keys, "budget", "spend", "lapsed", "utilisation", *NATION_COLUMNS]
        return pd.DataFrame(columns=columns)
    grouped = flows.sort_values([*keys, "year"], kind="stable").groupby(keys, sort=True)
    totals = grouped[["budget", "spend", "lapsed"]].sum(min_count=1)
    totals["utilisation"] = totals["spend"] / totals["budget"].where(totals["budget"] != 0)
    totals["unspent_at_end"] = grouped["carried_out"].last()
    totals["lapsed_share"] = totals["lapsed"] / totals["budget"].where(totals["budget"] != 0)
    return totals.reset_index()


def alliance_total(spend: pd.DataFrame) -> dict[str, float]:
    """The whole alliance over the whole horizon, same measures as `by_nation`."""
    nations = by_nation(spend)
    if "point" in nations.columns and not nations.empty:
        nations = nations.loc[nations["point"] == nations["point"].min()]
    total = {c: float(nations[c].sum()) for c in ("budget", "spend", "lapsed", "unspent_at_end")}
    budget = total["budget"]
    total["utilisation"] = total["spend"] / budget if budget else float("nan")
    total["lapsed_share"] = total["lapsed"] / budget if budget else float("nan")
    return {"nation": ALLIANCE, **total}  # type: ignore[dict-item]


def most_lapsed(spend: pd.DataFrame, count: int = 10) -> pd.DataFrame:
    """The `count` nations that lapse the most money, most first (ties by nation code)."""
    nations = by_nation(spend)
    if "point" in nations.columns:
        nations = nations.loc[nations["point"] == nations["point"].min()].drop(columns="point")
    ranked = nations.loc[nations["lapsed"] > 0]
    return ranked.sort_values(["lapsed", "nation"], ascending=[False, True], kind="stable").head(count)


def lapse_warnings(spend: pd.DataFrame, share: float = LAPSE_WARNING_SHARE) -> list[LapseWarning]:
    """Nations (per point, on a front) lapsing more than `share` of their horizon budget."""
    nations = by_nation(spend)
    flagged = nations.loc[(nations["budget"] > 0) & (nations["lapsed"] > share * nations["budget"])]
    flagged = flagged.sort_values(
        [*(["point"] if "point" in flagged.columns else []), "lapsed"],
        ascending=[*([True] if "point" in flagged.columns else []), False],
        kind="stable",
    )
    return [
        LapseWarning(
            nation=str(row["nation"]),
            budget=float(row["budget"]),
            lapsed=float(row["lapsed"]),
            point=row["point"] if "point" in flagged.columns else None,
        )
        for _, row in flagged.iterrows()
    ]
