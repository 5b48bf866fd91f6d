"""Workarounds for known HiGHS defects, in one place (no Pyomo: engine workers import it).

HiGHS 1.15.1's MIP presolve can loop for ever on some small models, deaf to the time
limit: one instance of the re-planning property test (52 columns, 84 rows,
tests/data/fixtures/highs_presolve_loop.mps) hung in HPresolve::removeDoubletonEquations
on every try, and hung CI once; with doubleton equations off HiGHS even called it
infeasible. With the aggregator off (presolve rule 12), or with HiGHS 1.16.0, it solves to
the optimum a presolve-free solve finds, at once. So models below
AGGREGATOR_OFF_BELOW_COLUMNS columns (the unit tests' models, the knapsack fronts, up to
250 columns) are solved with the aggregator off. The knapsack fronts took as long
as before (README, "Performance — measured, and what is still slow"). Larger models keep
it: on the S benchmark instance (1,003 columns) the aggregator off took 20.0 s instead of
6.4 s to a 1 % gap (mixed caps; hard caps 17.8 s against 14.1 s, two runs each).
"""

from __future__ import annotations

AGGREGATOR_OFF_BELOW_COLUMNS = 500
AGGREGATOR_RULE = 1 << 12  # presolve_rule_off bit 12: the aggregator


def aggregator_off(columns: int) -> bool:
    """Whether a model of `columns` columns gets the aggregator off."""
    return columns < AGGREGATOR_OFF_BELOW_COLUMNS
