"""The greedy benefit-per-cost baseline always yields a plan MODEL.md accepts."""

from __future__ import annotations

import pytest

from benchmarks.instances import Size, generate
from optimizer.checks.evaluate import objective_values
from optimizer.checks.verify import check_plan
from optimizer.heuristics.greedy import greedy_plan


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
    best = Scenario(inputs).solve(
        objective="weighted", weights={"capability": 1, "shortfall": 10}, time_limit=30, gap=0
    )
    assert obj["capability"] > 0
    assert best.objectives["capability"] - 10 * best.objectives["shortfall"] >= greedy_value - 1e-6


def test_greedy_meets_a_target_before_chasing_value_per_cost():
    """A (budget 10/yr) must reach 3 points of 'land' by 2032. P_air (cost 4, 5 air
    points) ranks best by value per cost, but only P_land (cost 8, 3 land points) meets
    the target: the greedy funds P_land first, then what still fits."""
    from optimizer.checks.evaluate import objective_values
    from optimizer.checks.verify import check_plan
    from tests.optimizer.conftest import make_inputs, nation, programme

    inputs = make_inputs(
        first_year=2030,
        last_year=2033,
        nations=[nation("A")],
        budgets=10.0,
        programmes=[programme("P_air", cost=4), programme("P_land", cost=8)],
        areas=("air", "land"),
        values={("P_air", "air"): 5.0, ("P_land", "land"): 3.0},
        targets=[("A", "land", 2032, 3.0)],
    )
    plan = greedy_plan(inputs)
    assert check_plan(inputs, plan) == []
    assert ("A", "P_land") in plan.national and plan.national[("A", "P_land")] <= 2031
    assert objective_values(inputs, plan)["shortfall"] == 0.0
