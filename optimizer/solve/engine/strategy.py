"""Which search a model gets: HiGHS's own branch-and-bound, the engine, or both in turn.

* `highs` — HiGHS's branch-and-bound alone;
* `rens` — the engine's LP relaxation and RENS, then HiGHS's branch-and-bound from the
  RENS plan for the rest of the time (the better plan and the sharper bound are kept);
* `lns` — the whole engine: LP relaxation, RENS, neighbourhoods in parallel (then HiGHS
  if no neighbourhood improves and time is left).

`auto` decides by the model's size, from measurements side by side (docs/benchmarks.md,
the engine section): below ENGINE_FROM_NONZEROS plain branch-and-bound (on the reference
dataset, 65,801 non-zeros, `rens` gave the same plan in the same time and `lns` a worse
one: its LP relaxation is loose there); from it on, `lns` gave better plans than `highs`
and `rens` on every instance measured — M with and without hard caps (97,022 and 118,117
non-zeros), the reference dataset with `--robust 2` (116,914), L. `rens` stays available
by name. The Summary records which ran and why.
"""

from __future__ import annotations

STRATEGIES = ("auto", "highs", "rens", "lns")

# Under `auto`, models with at least this many matrix non-zeros get `lns`, smaller ones
# `highs`: between the reference dataset (65,801) and M with hard caps (97,022).
ENGINE_FROM_NONZEROS = 90_000


def choose_strategy(requested: str, nonzeros: int) -> tuple[str, str]:
    """(strategy to run, what the Summary says of the choice)."""
    if check_strategy(requested) != "auto":
        return requested, requested
    chosen = "lns" if nonzeros >= ENGINE_FROM_NONZEROS else "highs"
    return chosen, f"{chosen} (automatic: {nonzeros:,} non-zeros)"


def check_strategy(requested: str) -> str:
    """`requested` if it names a strategy; ValueError naming the choices otherwise."""
    if requested not in STRATEGIES:
        raise ValueError(f"unknown strategy {requested!r}: expected one of {', '.join(STRATEGIES)}")
    return requested
