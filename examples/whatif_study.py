"""What-if study from Python: which nation's 10% budget cut hurts alliance capability most?

    python examples/whatif_study.py                      # the bundled reference dataset
    python examples/whatif_study.py my.xlsx --cut 0.15   # your workbook, a 15% cut

Solves the base plan once, then one scenario per nation with that nation's budget cut
(every year), side by side on all local cores, and ranks the nations by the alliance
capability lost. Writes the ranking to whatif_study.xlsx.
"""

from __future__ import annotations

import argparse

import pandas as pd

from data.report import write_tables_workbook
from optimizer import Scenario, sweep


def rank_cuts(scenario: Scenario, cut: float, time_limit: float, workers: int | None) -> pd.DataFrame:
    """Capability lost by the alliance when each nation alone loses `cut` of its budget."""
    nations = [n.code for n in scenario.inputs.nations]
    scenarios = [scenario] + [scenario.with_budget(scale=1 - cut, nations=[code], name=code) for code in nations]
    study = sweep(scenarios, workers=workers, time_limit=time_limit)
    table = study.table.set_index("scenario")
    base = table.loc[scenario.name, "capability"]
    ranking = pd.DataFrame(
        {
            "nation": nations,
            "capability": [table.loc[code, "capability"] for code in nations],
            "status": [table.loc[code, "status"] for code in nations],
        }
    )
    ranking["capability_lost"] = base - ranking["capability"]
    ranking["share_lost"] = ranking["capability_lost"] / base if base else 0.0
    return ranking.sort_values(["capability_lost", "nation"], ascending=[False, True], ignore_index=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("book", nargs="?", help="input workbook (default: the reference dataset)")
    parser.add_argument("--cut", type=float, default=0.10, help="budget cut as a fraction (default 0.10)")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per scenario")
    parser.add_argument("--workers", type=int, default=None, help="local processes (default: all cores)")
    parser.add_argument("-o", "--output", default="whatif_study.xlsx")
    args = parser.parse_args()
    scenario = Scenario.from_excel(args.book) if args.book else Scenario.reference()
    ranking = rank_cuts(scenario, args.cut, args.time_limit, args.workers)
    print(f"Alliance capability lost by a {args.cut:.0%} budget cut, nation by nation:")
    print(ranking.head(10).to_string(index=False))
    write_tables_workbook(args.output, {"Ranking": ranking})
    print(f"Ranking written to {args.output}")


if __name__ == "__main__":  # guard needed: local workers are spawned processes
    main()
