"""Which search a model gets: HiGHS's own branch-and-bound, the engine, or both in turn.

* `highs` — HiGHS's branch-and-bound alone;
* `rens` — the engine's LP relaxation and RENS, then HiGHS's branch-and-bound from the
  RENS plan for the rest of the time (the better plan and the sharper bound are kept);
* `lns` — the whole engine: LP relaxation, RENS, neighbourhoods in parallel (then HiGHS
  if no neighbourhood improves and time is left);
* `portfolio` — HiGHS's branch-and-bound on one worker for the whole time and the engine
  on the others; the run ends when branch-and-bound does, and its plan is the answer when
  it proved the gap target (so the answer is HiGHS's, as reproducible), else the better of
  the two at the time limit. Needs two workers; with one it is `highs`.

`auto` decides by the model's size and the workers at hand, from measurements side by side
(docs/benchmarks.md, the engine section): small models (below PORTFOLIO_FROM_NONZEROS)
plain branch-and-bound, which proves them within seconds; mid-size ones (the reference
dataset, 65,801 non-zeros) `portfolio` — at full budget HiGHS proves 1 % where the
engine's LP bound cannot (`lns` alone: a worse plan, slower), but at 0.6–0.9 × budget
HiGHS's plans were half as good as the engine's (capability 19,803 against 34,899 at 0.7),
so both run and HiGHS's proof decides; from ENGINE_FROM_NONZEROS on, `lns`, which gave
better plans than `highs` and `rens` on every instance measured — M with and without hard
caps (97,022 and 118,117 non-zeros), the reference dataset with `--robust 2` (116,914), L.
With one worker (a sweep's points run side by side, one core each) mid-size models keep
`highs`. `rens` stays available by name. The Summary records which ran and why.
"""

from __future__ import annotations

STRATEGIES = ("auto", "highs", "rens", "lns", "portfolio")

# Under `auto`, models with at least this many matrix non-zeros get `lns`, smaller ones
# `highs`: between the reference dataset (65,801) and M with hard caps (97,022).
ENGINE_FROM_NONZEROS = 90_000
# … and from this many on, with two workers or more, `portfolio`: above the benchmark's S
# instance (7,707), whose every solve HiGHS proves within 1 % in seconds, and far below
# the reference dataset (65,801). A worker process costs about a second to start.
PORTFOLIO_FROM_NONZEROS = 20_000


def choose_strategy(requested: str, nonzeros: int, workers: int = 1) -> tuple[str, str]:
    """(strategy to run, what the Summary says of the choice)."""
    if check_strategy(requested) != "auto":
        if requested == "portfolio" and workers < 2:
            return "highs", "highs (portfolio needs two workers: one)"
        return requested, requested
    why = ""
    if nonzeros >= ENGINE_FROM_NONZEROS:
        chosen = "lns"
    elif nonzeros >= PORTFOLIO_FROM_NONZEROS and workers >= 2:
        chosen = "portfolio"
    else:
        chosen = "highs"
        if nonzeros >= PORTFOLIO_FROM_NONZEROS:  # the worker count decided, not the size: say so
            why = "; one worker: the portfolio needs two"
    return chosen, f"{chosen} (automatic: {nonzeros:,} non-zeros{why})"


def check_strategy(requested: str) -> str:
    """`requested` if it names a strategy; ValueError naming the choices otherwise."""
    if requested not in STRATEGIES:
        raise ValueError(f"unknown strategy {requested!r}: expected one of {', '.join(STRATEGIES)}")
    return requested
