"""The targets-first start plan: commitments, then every target, each rule kept."""

from __future__ import annotations

import numpy as np
import pytest

from optimizer.checks.evaluate import objective_values
from optimizer.checks.verify import check_plan
from optimizer.heuristics.greedy import greedy_plan
from optimizer.heuristics.plan_state import PlanState
from optimizer.heuristics.targets_first import targets_first_plan
from tests.optimizer.conftest import make_inputs, nation, programme


def busy_small_nation():
    """B must fund joint J (2030–31); A (one programme at a time) needs 3 land points by 2032,
    which only P_land started in 2030 gives. The greedy puts A into J's consortium (every
    nation that can afford an equal share), so A's one slot is taken in 2030 and its target
    is missed. Targets first, J gets its minimum size from the largest budgets (C, B)."""
    return make_inputs(
        first_year=2030,
        last_year=2033,
        nations=[nation("A", max_concurrent=1), nation("B"), nation("C")],
        budgets={"A": 10.0, "B": 100.0, "C": 200.0},
        programmes=[
            programme("J", duration=2, cost=20, sharing="joint"),
            programme("P_land", duration=2, cost=8),
        ],
        areas=("air", "land"),
        values={("J", "air"): 5.0, ("P_land", "land"): 3.0},
        targets=[("A", "land", 2032, 3.0)],
        commitments=[("B", "J", "fund")],
    )


def test_targets_first_meets_a_target_the_greedy_misses():
    inputs = busy_small_nation()
    assert objective_values(inputs, greedy_plan(inputs))["shortfall"] == pytest.approx(3.0)
    plan = targets_first_plan(inputs)
    assert plan is not None and check_plan(inputs, plan) == []
    assert objective_values(inputs, plan)["shortfall"] == 0.0
    assert plan.national[("A", "P_land")] == 2030
    assert sorted(plan.joint["J"].members) == ["B", "C"]  # the commitment, at its minimum size


def test_a_nation_makes_room_for_the_programme_two_targets_need():
    """A has 8 in 2030 and 1 a year after. Air by 2031 is cheapest from P_air (4 for 2
    points), which A funds first; land by 2032 needs P_both (8: 2 air, 3 land), which no
    longer fits. A drops P_air for P_both, which serves both targets."""
    inputs = make_inputs(
        first_year=2030,
        last_year=2032,
        nations=[nation("A")],
        budgets={"A": [8.0, 1.0, 1.0]},
        programmes=[programme("P_air", cost=4), programme("P_both", cost=8)],
        areas=("air", "land"),
        values={("P_air", "air"): 2.0, ("P_both", "air"): 2.0, ("P_both", "land"): 3.0},
        targets=[("A", "air", 2031, 2.0), ("A", "land", 2032, 3.0)],
    )
    plan = targets_first_plan(inputs)
    assert plan is not None and check_plan(inputs, plan) == []
    assert objective_values(inputs, plan)["shortfall"] == 0.0
    assert plan.national == {("A", "P_both"): 2030}


def test_a_joining_member_pays_its_minimum_share_and_the_payer_the_rest():
    inputs = make_inputs(
        first_year=2030,
        last_year=2032,
        nations=[nation("A"), nation("B")],
        budgets=100.0,
        programmes=[programme("J", duration=2, cost=40, sharing="joint", min_share=0.25)],
    )
    state = PlanState(inputs)
    assert state.start_joint("J", 2030, "B") and state.join("A", "J")
    assert state.pay["J"]["A"] == pytest.approx([5.0, 5.0, 0.0])  # 25 % of 20 a year
    assert state.pay["J"]["B"] == pytest.approx([15.0, 15.0, 0.0])
    assert check_plan(inputs, state.decisions()) == []


def test_an_addition_that_breaks_a_rule_leaves_nothing_behind():
    inputs = make_inputs(
        first_year=2030,
        last_year=2031,
        nations=[nation("A")],
        budgets=10.0,
        programmes=[programme("P", cost=12)],
    )
    state = PlanState(inputs)
    assert not state.add_national("A", "P", 2030)  # 12 > 10
    assert state.starts == {} and not np.any(state.spend["A"])


@pytest.mark.parametrize("hard_caps", [False, True])
@pytest.mark.parametrize("size", ["S", "M"])
def test_targets_first_plans_keep_every_rule_on_generated_instances(size: str, hard_caps: bool) -> None:
    """Capacity caps, exclusive groups, precedence, critical mass and commitments included."""
    from benchmarks.instances import generate

    inputs = generate(size, 1, hard_caps)
    plan = targets_first_plan(inputs)
    assert plan is None or check_plan(inputs, plan) == []
