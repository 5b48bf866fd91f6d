"""Which search a model gets: HiGHS's own branch-and-bound, the engine, or both in turn.

* `highs` — HiGHS's branch-and-bound alone;
* `rens` — the engine's LP relaxation and RENS, then HiGHS's branch-and-bound from the
  RENS plan for the rest of the time (the better plan and the sharper bound are kept);
* `lns` — the whole engine: LP relaxation, RENS, neighbourhoods in parallel (then HiGHS
  if no neighbourhood improves and time is left).

`auto` decides by the model's size, from measurements side by side (docs/benchmarks.md):
on small models plain branch-and-bound proves small gaps fastest; on mid-sized ones a
RENS plan gives it a far better start; from ENGINE_FROM_NONZEROS on, HiGHS does not leave
its root node within minutes and the neighbourhoods do the work. The Summary records
which ran and why.
"""

from __future__ import annotations

STRATEGIES = ("auto", "highs", "rens", "lns")

# Under `auto`, models with at least this many matrix non-zeros get `rens`, and from
# ENGINE_FROM_NONZEROS on `lns`. Measured (docs/benchmarks.md, issue 20): see the table
# there for the sizes either side.
RENS_FROM_NONZEROS = 20_000
ENGINE_FROM_NONZEROS = 250_000


def choose_strategy(requested: str, nonzeros: int) -> tuple[str, str]:
    """(strategy to run, what the Summary says of the choice)."""
    if check_strategy(requested) != "auto":
        return requested, requested
    if nonzeros >= ENGINE_FROM_NONZEROS:
        chosen = "lns"
    elif nonzeros >= RENS_FROM_NONZEROS:
        chosen = "rens"
    else:
        chosen = "highs"
    return chosen, f"{chosen} (automatic: {nonzeros:,} non-zeros)"


def check_strategy(requested: str) -> str:
    """`requested` if it names a strategy; ValueError naming the choices otherwise."""
    if requested not in STRATEGIES:
        raise ValueError(f"unknown strategy {requested!r}: expected one of {', '.join(STRATEGIES)}")
    return requested
