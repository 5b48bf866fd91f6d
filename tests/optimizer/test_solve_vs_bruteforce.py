"""The whole solve path (Scenario → model → HiGHS → extracted plan) agrees with brute-force
enumeration on random tiny instances, for every objective, weighted and lexicographic."""

from __future__ import annotations

import pytest

from data.tables import objective_sense
from optimizer import InfeasibleError, Scenario
from tests.optimizer.bruteforce import feasible_plans, random_tiny_inputs

SEEDS = range(12)
OBJECTIVES = ("capability", "cost", "shortfall", "interoperability", "risk")


def lexicographic_optimum(plans, priority):
    """Filter the enumerated plans stage by stage (tolerance 0, plus the 1e-6 absolute)."""
    remaining = plans
    for name in priority:
        sign = 1 if objective_sense(name) == "max" else -1
        best = max(sign * obj[name] for _, obj in remaining)
        remaining = [(p, obj) for p, obj in remaining if sign * obj[name] >= best - 1e-6]
    return remaining


@pytest.mark.parametrize("seed", SEEDS)
def test_each_objective_alone_matches_enumeration(seed):
    inputs = random_tiny_inputs(seed)
    plans = feasible_plans(inputs)
    for name in OBJECTIVES:
        if not plans:
            with pytest.raises(InfeasibleError):
                Scenario(inputs).solve(objective="weighted", weights={name: 1.0}, gap=0.0, time_limit=30)
            continue
        sign = 1 if objective_sense(name) == "max" else -1
        best = max(sign * obj[name] for _, obj in plans) * sign
        result = Scenario(inputs).solve(objective="weighted", weights={name: 1.0}, gap=0.0, time_limit=30)
        assert result.status == "optimal"
        assert result.objectives[name] == pytest.approx(best, abs=1e-6), (seed, name)


@pytest.mark.parametrize("seed", SEEDS)
def test_small_weights_give_the_same_optimum_and_tiny_ones_are_refused(seed):
    """`--weight cost=1e-12` alone put the whole objective under HiGHS's absolute gap
    tolerance: any plan came back "optimal, gap 0" (on the reference dataset one costing
    53,085 where 1,636 was possible). Weights whose largest coefficient is below 1e-5 are
    refused; small ones above it still give the exact optimum."""
    inputs = random_tiny_inputs(seed)
    plans = feasible_plans(inputs)
    if not plans:
        return
    for name in ("cost", "capability"):
        if any(obj[name] for _, obj in plans):  # else the objective is 0 for every plan: nothing to refuse
            with pytest.raises(ValueError, match="too small for the solver .* multiply every weight alike"):
                Scenario(inputs).solve(objective="weighted", weights={name: 1e-12}, gap=0.0, time_limit=30)
        sign = 1 if objective_sense(name) == "max" else -1
        best = max(sign * obj[name] for _, obj in plans) * sign
        result = Scenario(inputs).solve(objective="weighted", weights={name: 1e-3}, gap=0.0, time_limit=30)
        assert result.status == "optimal"
        assert result.objectives[name] == pytest.approx(best, abs=1e-6), (seed, name)


@pytest.mark.parametrize("seed", SEEDS)
def test_lexicographic_matches_enumeration(seed):
    inputs = random_tiny_inputs(seed)
    plans = feasible_plans(inputs)
    scenario = Scenario(inputs).with_settings(lexicographic_tolerance=0.0)
    if not plans:
        with pytest.raises(InfeasibleError):
            scenario.solve(gap=0.0, time_limit=30)
        return
    result = scenario.solve(gap=0.0, time_limit=30)
    best = lexicographic_optimum(plans, ("shortfall", "capability", "cost"))
    for name in ("shortfall", "capability", "cost"):
        assert result.objectives[name] == pytest.approx(best[0][1][name], abs=1e-5), (seed, name)
