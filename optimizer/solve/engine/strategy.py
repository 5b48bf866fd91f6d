"""Which search a model gets: HiGHS's own branch-and-bound, or the LP-guided engine.

`auto` decides by the model's size, from measurements side by side (docs/benchmarks.md):
small and mid-sized models are solved best by plain branch-and-bound, which proves small
gaps quickly there; from the threshold on, HiGHS does not leave its root node within
minutes and the engine's plans are better at equal time. `--strategy highs|lns` forces
either, and the Summary records which ran and why.
"""

from __future__ import annotations

STRATEGIES = ("auto", "highs", "lns")

# Models with at least this many matrix non-zeros get the engine under `auto`. Measured
# (docs/benchmarks.md, issue 20): see the table there for the sizes either side.
ENGINE_FROM_NONZEROS = 250_000


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
