"""What changed between two plans: objectives, programmes gained and lost, starts moved."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from data.tables import PlanDecisions

PROOF_COLUMNS = ["plan", "status", "gap", "best_bound", "gap_of", "not_optimised"]


def _percent(gap: object) -> str:
    return "none" if gap is None or (isinstance(gap, float) and math.isnan(gap)) else f"{float(gap):.2%}"  # type: ignore[arg-type]


@dataclass(frozen=True)
class Comparison:
    """`objectives`: name, base, other, change; `changes`: nation, programme, change
    (gained / lost / moved), base_start, other_start; `proofs`: for each plan (base, other)
    its status, gap, best_bound, the objective they are of (gap_of) and the stages never
    optimised, so that a difference is read against how far each plan is from proven."""

    objectives: pd.DataFrame
    changes: pd.DataFrame
    proofs: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PROOF_COLUMNS))

    @property
    def caveat(self) -> str:
        """Why the differences may be the solver's rather than the change's ("" when both
        plans are proven): two 15-s solves showed a 10 % budget cut *gaining* 22,893
        capability, the base plan 134 % from its bound, and nothing said so."""
        unproven = [f"{row.plan} ({row.status}, gap {_percent(row.gap)}"
                    + (f"; not optimised: {row.not_optimised}" if row.not_optimised else "") + ")"
                    for row in self.proofs.itertuples() if row.status != "optimal" or row.not_optimised]
        if not unproven:
            return ""
        return ("not proven: " + ", ".join(unproven) + " — differences within the gaps may be the "
                "solver's, not the change's; give the solves more time")

    def __str__(self) -> str:
        lines = ["Objectives:", self.objectives.to_string(index=False)]
        if not self.proofs.empty:
            lines += ["", "Plans:", self.proofs.to_string(index=False)]
        lines += ["", "Plan changes:", self.changes.to_string(index=False) if not self.changes.empty else "  none"]
        if self.caveat:
            lines += ["", f"Note: {self.caveat}"]
        return "\n".join(lines)

    def by_nation(self) -> pd.DataFrame:
        """Counts of programmes gained, lost and moved per nation."""
        if self.changes.empty:
            return pd.DataFrame(columns=["nation", "gained", "lost", "moved"])
        table = pd.crosstab(self.changes["nation"], self.changes["change"])
        for col in ("gained", "lost", "moved"):
            if col not in table:
                table[col] = 0
        # crosstab names the column axis "change", which printed as a stray header cell
        return table[["gained", "lost", "moved"]].rename_axis(columns=None).reset_index()


def compare_plans(
    base_objectives: dict[str, float],
    other_objectives: dict[str, float],
    base: PlanDecisions,
    other: PlanDecisions,
    proofs: pd.DataFrame,
) -> Comparison:
    """Objectives side by side and every (nation, programme) funded in one plan and not the
    other ("gained" / "lost") or started in another year ("moved"); `proofs` says how far
    each plan is from proven (`Result.proof_row`)."""
    names = list(base_objectives)
    objectives = pd.DataFrame(
        {
            "objective": names,
            "base": [base_objectives[n] for n in names],
            "other": [other_objectives.get(n) for n in names],
        }
    )
    objectives["change"] = objectives["other"] - objectives["base"]
    a, b = base.funded(), other.funded()
    rows = []
    for key in sorted(set(a) | set(b)):
        if key not in a:
            change = "gained"
        elif key not in b:
            change = "lost"
        elif a[key] != b[key]:
            change = "moved"
        else:
            continue
        rows.append({"nation": key[0], "programme": key[1], "change": change,
                     "base_start": a.get(key), "other_start": b.get(key)})
    changes = pd.DataFrame(rows, columns=["nation", "programme", "change", "base_start", "other_start"])
    # years stay whole numbers beside a blank (a gained programme has no base start): the
    # default float column printed 2031.0 and wrote 2031.0 to a workbook
    changes = changes.astype({"base_start": "Int64", "other_start": "Int64"})
    return Comparison(objectives, changes, proofs)
