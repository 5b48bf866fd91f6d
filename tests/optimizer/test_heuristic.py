"""The greedy benefit-per-cost baseline always yields a plan MODEL.md accepts."""

from __future__ import annotations

import pytest

from optimizer.heuristic import greedy_plan
from benchmarks.instances import Size, generate
from optimizer.evaluate import objective_values
from optimizer.verify import check_plan


@pytest.mark.parametrize("hard_caps", [False, True])
@pytest.mark.parametrize("size", ["S", "M"])
def test_greedy_plan_is_feasible(size: str, hard_caps: bool) -> None:
    inputs = generate(size, 1, hard_caps)
    plan = greedy_plan(inputs)
    assert check_plan(inputs, plan) == []
    assert plan.national and plan.joint, "greedy should fund national programmes and form consortia"


def test_greedy_honours_fund_commitments() -> None:
    inputs = generate("L", 1)
    funded = greedy_plan(inputs).funded()
    for c in inputs.commitments:
        if c.action == "fund":
            assert (c.nation, c.programme) in funded
            if c.start_year is not None:
                assert funded[c.nation, c.programme] == c.start_year
        else:
            assert (c.nation, c.programme) not in funded


def test_greedy_is_beaten_by_the_optimum_on_a_tiny_instance() -> None:
    """The optimum is at least as good as greedy, and greedy is a real plan (not empty)."""
    from optimizer import Scenario

    inputs = generate(Size(4, 8, 6), 3)
    plan = greedy_plan(inputs)
    obj = objective_values(inputs, plan)
    greedy_value = obj["capability"] - 10 * obj["shortfall"]
    best = Scenario(inputs).solve(objective="weighted", weights={"capability": 1, "shortfall": 10},
                                  time_limit=30, gap=0)
    assert obj["capability"] > 0
    assert best.objectives["capability"] - 10 * best.objectives["shortfall"] >= greedy_value - 1e-6
