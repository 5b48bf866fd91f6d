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

import math
from typing import Any

AGGREGATOR_OFF_BELOW_COLUMNS = 500
AGGREGATOR_RULE = 1 << 12  # presolve_rule_off bit 12: the aggregator


def aggregator_off(columns: int) -> bool:
    """Whether a model of `columns` columns gets the aggregator off."""
    return columns < AGGREGATOR_OFF_BELOW_COLUMNS


# HiGHS 1.15.1's presolve also called a feasible 14-column ε-subproblem of an exact Pareto
# front infeasible (with presolve off, and on 1.16.0, its optimum is 1.0001), and on another
# handed the start plan back as "Optimal" with bounds of ±inf: the front lost a
# non-dominated point and was still called complete (a brute-force audit, 2 fronts of
# 4,879). And on a 32-column weighted model started from a plan worth −0.3 it proved that
# plan "optimal" (bound −0.3) before evaluating a single node, where the empty plan scores 0
# (1 of 1,806 weighted brute-force checks; no presolve rule switched off alone avoids it).
# On models this small a verdict reached before any branch-and-bound node is therefore
# checked by a solve without presolve.
PRESOLVE_VERDICT_CHECKED_BELOW_COLUMNS = 5_000


def doubtful_verdict(highs: Any) -> bool:
    """Whether HiGHS's answer on a small MIP may be its presolve's error: "infeasible" or
    "optimal" before the branch-and-bound evaluated any node (presolve decided it), or
    "optimal" with a bound or value that is not finite. Never with presolve already off."""
    import highspy

    if highs.getNumCol() >= PRESOLVE_VERDICT_CHECKED_BELOW_COLUMNS or highs.getOptionValue("presolve")[1] == "off":
        return False
    status, info = highs.getModelStatus(), highs.getInfo()
    kind = highspy.HighsModelStatus
    if status in (kind.kInfeasible, kind.kUnboundedOrInfeasible):
        return info.mip_node_count <= 0
    if status == kind.kOptimal and info.mip_node_count >= 0:  # a MIP (an LP's count is -1)
        finite = math.isfinite(info.mip_dual_bound) and math.isfinite(info.objective_function_value)
        return info.mip_node_count == 0 or not finite
    return False
