"""Reproduce docs/robust.md's figures: price of robustness, stress of every Γ's plan, re-planning.

    python -m benchmarks.robust_reference [--book BOOK.xlsx] [--objective weighted]
        [--time-limit 300] [--samples 1000] [--out DIR] [--replan]

Solves the book (default: the reference dataset) for Γ = 0, 1, 2, 3, stresses each plan
with the same seeds at several overrun probabilities (common random numbers, so the plans
meet the same overruns), and optionally re-plans from the third planning year after a
10 % budget rise for several stability weights. Prints markdown tables; writes the plan,
robustness and stress workbooks to --out.
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

from optimizer import Scenario
from optimizer.checks.verify import check_robust_budget
from optimizer.studies.replan import FUNDING, ReplanResult, count_changes, replan
from optimizer.studies.robustness import price_of_robustness
from optimizer.studies.stress import stress_test

GAMMAS = (0, 1, 2, 3)
PROBABILITIES = (0.1, 0.25, 0.5)
SEEDS = (0, 1)
WEIGHTS = (0.0, 100.0, 1000.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--book")
    parser.add_argument("--objective", choices=("lexicographic", "weighted"))
    parser.add_argument("--time-limit", type=float, default=300.0)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--out", default="robust-results")
    parser.add_argument("--replan", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    base = Scenario.reference() if args.book is None else Scenario.from_excel(args.book)
    source = base.inputs.source
    print(
        f"book {source.path if source else '?'} sha256 {source.sha256 if source else '?'}; "
        f"objective {args.objective or base.inputs.settings.objective}; time limit {args.time_limit:g} s"
    )
    kwargs = {"time_limit": args.time_limit}
    if args.objective:
        kwargs["objective"] = args.objective
    started = time.monotonic()
    report = price_of_robustness(base, GAMMAS, workers=args.workers, **kwargs)
    print(f"solved in {time.monotonic() - started:.0f} s")
    report.to_excel(out / "robustness.xlsx")
    print_price(report)
    plans = {}
    for point in report.sweep.points:
        if point.result is not None:
            plans[int(point.x)] = point.result
            point.result.to_excel(out / f"plan_gamma{int(point.x)}.xlsx")
    print_stress(base, plans, args.samples, out)
    if args.replan and 0 in plans:
        print_replan(base, plans[0], args.time_limit, out)


def print_price(report) -> None:  # type: ignore[no-untyped-def]
    table = report.table.set_index("gamma")
    price = report.price.set_index("gamma")
    print("\n| Γ | status | gap | capability | lost | cost | shortfall | risk |")
    print("|---|---|---|---|---|---|---|---|")
    for g, row in table.iterrows():
        if row["capability"] != row["capability"]:  # NaN: no plan
            print(f"| {g} | {row['status']} | | | | | | |")
            continue
        print(
            f"| {g} | {row['status']} | {row['gap']:.1%} | {row['capability']:,.0f} | "
            f"{price.loc[g, 'capability lost %']:.1%} | {row['cost']:,.0f} | {row['shortfall']:,.0f} | "
            f"{row['risk']:,.0f} |"
        )


def print_stress(base: Scenario, plans: dict, samples: int, out: Path) -> None:  # type: ignore[type-arg]
    print(
        "\n| Γ | robust for Γ' ≤ | overrun probability | P(nation breaches), mean | nations breaching "
        "(expected) | residual | capability lost (expected) |"
    )
    print("|---|---|---|---|---|---|---|")
    for g, result in plans.items():
        robust_up_to = max(
            [
                k
                for k in range(4)
                if not check_robust_budget(base.with_settings(robust_overruns=k).inputs, result.decisions, 1e-6)
            ],
            default=0,
        )
        for q in PROBABILITIES:
            runs = [stress_test(base.inputs, result.decisions, samples, seed, q) for seed in SEEDS]
            if q == 0.5:
                runs[0].to_excel(out / f"stress_gamma{g}.xlsx")
            mean = sum(r.by_nation["breach_probability"].mean() for r in runs) / len(runs)
            expected = sum(r.by_nation["breach_probability"].sum() for r in runs) / len(runs)
            residual = sum(r.by_nation["residual_breach_probability"].sum() for r in runs) / len(runs)
            lost = sum(r.by_nation["expected_capability_lost"].sum() for r in runs) / len(runs)
            share = lost / max(result.objectives["capability"], 1e-9)
            print(
                f"| {g} | {robust_up_to} | {q:g} | {mean:.3f} | {expected:.1f} | {residual:.2f} | "
                f"{lost:,.0f} ({share:.1%}) |"
            )


def print_replan(base: Scenario, previous, time_limit: float, out: Path) -> None:  # type: ignore[no-untyped-def]
    first = base.inputs.settings.first_year
    year = first + 2
    richer = base.with_budget(scale=1.1, years=range(year, base.inputs.settings.last_year + 1))
    print(f"\nre-plan from {year} after a 10 % budget rise from {year} on")
    print(
        "| stability weight | changes: fundings (added/dropped/moved) + adoptions | capability | Δ capability "
        "| cost | Δ cost | gap |"
    )
    print("|---|---|---|---|---|---|---|")
    for weight in WEIGHTS:
        outcome = replan(richer, previous.decisions, year, weight, time_limit=time_limit)
        outcome.to_excel(out / f"replan_w{weight:g}.xlsx")
        deltas = outcome.objective_deltas.set_index("objective")
        r = outcome.result
        print(
            f"| {weight:g} | {change_counts(outcome)} | {r.objectives['capability']:,.0f} | "
            f"{deltas.loc['capability', 'delta']:+,.0f} | {r.objectives['cost']:,.0f} | "
            f"{deltas.loc['cost', 'delta']:+,.0f} | {r.gap if r.gap is not None else float('nan'):.1%} |"
        )


def change_counts(outcome: ReplanResult) -> str:
    """The changes as docs/robust.md gives them, e.g. "91: 66 (38/22/6) + 25": a re-plan's
    changes list standard adoptions too ("adoption added", …, counted in `change_count`),
    so the added/dropped/moved of fundings alone no longer add up to the total."""
    total = outcome.change_count
    if not total:
        return "0"
    kinds = outcome.changes.loc[outcome.changes["decision"] == FUNDING, "change"].value_counts().to_dict()
    fundings = count_changes(outcome.changes, FUNDING)
    return (
        f"{total}: {fundings} ({kinds.get('added', 0)}/{kinds.get('dropped', 0)}/{kinds.get('moved', 0)}) "
        f"+ {outcome.adoption_change_count}"
    )


if __name__ == "__main__":
    main()
