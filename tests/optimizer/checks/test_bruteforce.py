"""The brute-force enumerator is only useful if it is right: hand cases, and checks of its
exact LP, its budget windows and its pruning against a naive enumeration."""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from data.tables import JointDecision, PlanDecisions
from optimizer.checks.evaluate import evaluate, nation_spend, objective_values
from optimizer.checks.verify import check_plan, check_rules
from tests.optimizer.bruteforce import (
    NON_PAYMENT_RULES,
    _budget_windows,
    _joint_options,
    _nation_portfolios,
    best_plan,
    combination_count,
    enumerate_plans,
    exact_feasible_point,
    feasible_plans,
    pareto_front,
    random_tiny_inputs,
    split_payments,
)
from tests.optimizer.conftest import make_inputs, nation, plan, programme

F = Fraction


def choice_key(decisions: PlanDecisions) -> tuple:
    """The discrete part of a plan (payments are one representative split)."""
    return (
        tuple(sorted(decisions.national.items())),
        tuple(sorted((p, jd.start_year, tuple(sorted(jd.members))) for p, jd in decisions.joint.items())),
        tuple(sorted(decisions.adoptions.items())),
    )


# --- exact LP -------------------------------------------------------------------------


def satisfies(point, equalities, inequalities) -> bool:
    def lhs(coeffs):
        return sum((F(a) * point[j] for j, a in coeffs.items()), F(0))

    return (
        all(x >= 0 for x in point)
        and all(lhs(c) == b for c, b in equalities)
        and all(lhs(c) <= b for c, b in inequalities)
    )


def test_exact_lp_small_cases():
    eq = [({0: F(1), 1: F(1)}, F(3))]
    point = exact_feasible_point(2, eq, [({0: F(1)}, F(1))])
    assert point is not None and satisfies(point, eq, [({0: F(1)}, F(1))])
    assert exact_feasible_point(2, eq, [({0: F(1)}, F(1)), ({1: F(1)}, F(1))]) is None
    at_least_two = [({0: F(-1)}, F(-2)), ({0: F(1)}, F(5))]  # negative right-hand side
    point = exact_feasible_point(1, [], at_least_two)
    assert point is not None and 2 <= point[0] <= 5
    assert exact_feasible_point(1, [], [({}, F(-1))]) is None  # 0 <= -1
    assert exact_feasible_point(0, [], []) == []


@settings(max_examples=60, deadline=None)
@given(
    data=st.data(),
    n=st.integers(1, 4),
    n_eq=st.integers(0, 3),
    n_le=st.integers(0, 4),
)
def test_exact_lp_finds_a_point_whenever_one_exists(data, n, n_eq, n_le):
    # build rows around a known non-negative point: the system is feasible by construction
    coef = st.integers(-3, 3)
    witness = [F(data.draw(st.integers(0, 5)), data.draw(st.integers(1, 3))) for _ in range(n)]
    equalities, inequalities = [], []
    for _ in range(n_eq):
        coeffs = {j: F(data.draw(coef)) for j in range(n)}
        equalities.append((coeffs, sum(coeffs[j] * witness[j] for j in range(n))))
    for _ in range(n_le):
        coeffs = {j: F(data.draw(coef)) for j in range(n)}
        slack = F(data.draw(st.integers(0, 2)))
        inequalities.append((coeffs, sum(coeffs[j] * witness[j] for j in range(n)) + slack))
    point = exact_feasible_point(n, equalities, inequalities)
    assert point is not None
    assert satisfies(point, equalities, inequalities)
    # and a contradiction on top (sum of x both <= s and >= s + 1) makes it infeasible
    total = sum(witness)
    ones = {j: F(1) for j in range(n)}
    minus = {j: F(-1) for j in range(n)}
    bad = [*inequalities, (ones, total), (minus, -(total + 1))]
    assert exact_feasible_point(n, equalities, bad) is None


# --- budget windows == greedy balances ------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(
    budgets=st.lists(st.integers(0, 10), min_size=1, max_size=4),
    data=st.data(),
    carry=st.sampled_from([0.0, 0.25, 0.5, 1.0, 2.0]),
    borrow=st.sampled_from([0.0, 0.3, 0.5, 1.0]),
)
def test_budget_windows_are_exactly_the_greedy_balance_rule(budgets, data, carry, borrow):
    # one 1-year programme per year whose cost is that year's spend
    spend = data.draw(st.lists(st.integers(0, 14), min_size=len(budgets), max_size=len(budgets)))
    first = 2030
    years = range(first, first + len(budgets))
    inputs = make_inputs(
        first_year=first,
        last_year=first + len(budgets) - 1,
        nations=[nation("A", carry=carry, borrow=borrow)],
        budgets={"A": budgets},
        programmes=[programme(f"P{y}", 1, s, flexible=True) for y, s in zip(years, spend)],
    )
    decisions = plan(national={("A", f"P{y}"): y for y, s in zip(years, spend) if s})
    greedy_ok = not check_rules(inputs, decisions, ["budget"])
    windows = _budget_windows(inputs, "A", {}, nation_spend(inputs, decisions))
    assert greedy_ok == all(rhs >= 0 for _, rhs in windows)


# --- joint payment split --------------------------------------------------------------


def test_split_follows_budgets_when_an_even_split_does_not_fit():
    # J costs 10; A can pay 8, B only 2 -> the split is forced to 8 / 2
    inputs = make_inputs(
        first_year=2030,
        last_year=2030,
        budgets={"A": 8, "B": 2},
        programmes=[programme("J", 1, 10, "joint", min_share=0.2)],
    )
    draft = plan(joint={"J": (2030, ("A", "B"))})
    split = split_payments(inputs, draft)
    assert split == pytest.approx({("A", "J", 2030): 8.0, ("B", "J", 2030): 2.0}, abs=1e-6)
    plans = list(enumerate_plans(inputs))
    assert [choice_key(p) for p in plans] == [((), (), ()), ((), (("J", 2030, ("A", "B")),), ())]
    # a 30 % minimum share cannot be met by B: no split, no joint plan
    strict = make_inputs(
        first_year=2030,
        last_year=2030,
        budgets={"A": 8, "B": 2},
        programmes=[programme("J", 1, 10, "joint", min_share=0.3)],
    )
    assert split_payments(strict, draft) is None
    assert len(list(enumerate_plans(strict))) == 1


def test_split_uses_carry_over_across_years():
    # J: 2 years of 6 each; B has 2 a year but may carry everything: it can pay 0 then 4;
    # A (budget 10) pays 6 then 2. An even 3/3 split breaks B in 2030.
    inputs = make_inputs(
        first_year=2030,
        last_year=2031,
        nations=[nation("A"), nation("B", carry=1.0)],
        budgets={"A": 10, "B": 2},
        programmes=[programme("J", 2, 12, "joint")],
    )
    payments = split_payments(inputs, plan(joint={"J": (2030, ("A", "B"))}))
    assert payments is not None
    decisions = plan(joint={"J": (2030, ("A", "B"))}, payments=payments)
    assert check_plan(inputs, decisions) == []
    assert sum(v for (n, _, _), v in payments.items() if n == "B") == pytest.approx(4.0)


# --- enumeration on hand-countable instances ------------------------------------------


def two_programmes(**nation_kw):
    """One nation, 2 years, budget 10, two 1-year programmes of 6 (1 point each)."""
    return make_inputs(
        first_year=2030,
        last_year=2031,
        nations=[nation("A", **nation_kw)],
        budgets=10,
        programmes=[programme("P", 1, 6, flexible=True), programme("Q", 1, 6, flexible=True)],
    )


def test_use_it_or_lose_it_allows_one_programme_a_year():
    # nothing, P or Q in either year (4), or both in different years (2): 7 plans
    plans = list(enumerate_plans(two_programmes()))
    assert len(plans) == 7
    assert len({choice_key(p) for p in plans}) == 7
    assert all(check_plan(two_programmes(), p) == [] for p in plans)
    assert best_plan(two_programmes(), "capability").value == 1.0  # one serves 2031


def test_borrowing_lets_both_start_early_carry_over_lets_both_start_late():
    borrowing = two_programmes(borrow=0.5)  # 2030: -2 >= -5, 2031: back to 8
    assert len(list(enumerate_plans(borrowing))) == 8
    best = best_plan(borrowing, "capability")
    assert best.value == 2.0 and best.plan.national == {("A", "P"): 2030, ("A", "Q"): 2030}
    carrying = two_programmes(carry=1.0)  # 10 saved from 2030 + 10 pays 12 in 2031
    assert len(list(enumerate_plans(carrying))) == 8
    assert best_plan(carrying, "capability").value == 1.0


def test_best_plan_single_objectives_and_weights():
    inputs = two_programmes(borrow=0.5)
    assert best_plan(inputs, "cost").value == 0.0
    assert best_plan(inputs, "cost").optimal_plans == 1
    assert best_plan(inputs, "capability:air").value == 2.0
    assert best_plan(inputs, "risk").value == 0.0
    # capability - 0.1 cost: both early 2 - 1.2 beats one early 1 - 0.6
    weighted = best_plan(inputs, weights={"capability": 1.0, "cost": 0.1})
    assert weighted.value == pytest.approx(0.8)
    assert weighted.objectives["capability"] == 2.0
    with pytest.raises(ValueError):
        best_plan(inputs)


def test_pareto_front_of_capability_and_cost():
    # (capability, cost): (0, 0), (1, 6) from one early start, (2, 12) from both early
    front = pareto_front(two_programmes(borrow=0.5), ["capability", "cost"])
    assert front == [(0.0, 0.0), (1.0, 6.0), (2.0, 12.0)]


def test_infeasible_instance_has_no_plan_and_no_optimum():
    inputs = make_inputs(
        nations=[nation("A")],
        budgets=1,
        programmes=[programme("P", 1, 5)],
        commitments=[("A", "P", "fund")],
    )
    assert list(enumerate_plans(inputs)) == []
    assert best_plan(inputs, "capability") is None


def test_too_large_instances_are_refused():
    inputs = make_inputs(
        first_year=2030,
        last_year=2035,
        budgets=1000,
        programmes=[programme(f"P{k}", 1, 1) for k in range(5)],
    )
    with pytest.raises(ValueError, match="too large for brute force"):
        next(enumerate_plans(inputs))


# --- random instances -----------------------------------------------------------------


def test_random_instances_are_tiny_deterministic_and_varied():
    instances = [random_tiny_inputs(seed) for seed in range(40)]
    assert random_tiny_inputs(3) == instances[3]
    for inputs in instances:
        assert len(inputs.nations) <= 2 and len(inputs.programmes) <= 4
        assert len(inputs.years) <= 4 and len(inputs.standards) <= 1
        assert combination_count(inputs) <= 2_000
    assert any(p.is_joint for i in instances for p in i.programmes)
    assert any(n.role == "partner" for i in instances for n in i.nations)
    assert any(i.precedences for i in instances) and any(i.targets for i in instances)
    assert any(i.standards for i in instances) and any(i.requirements for i in instances)
    assert any(i.commitments for i in instances)


def naive_plans(inputs):
    """Every discrete choice over every year, nation and subset, no pruning at all."""
    years = [None, *inputs.years]
    codes = [n.code for n in inputs.nations]
    nat_keys = [(n, p.id) for n in codes for p in inputs.programmes if not p.is_joint]
    ado_keys = [(n, s.id) for n in codes for s in inputs.standards]
    subsets = [c for k in range(len(codes) + 1) for c in itertools.combinations(codes, k)]
    joint_opts = [
        [None, *((p.id, JointDecision(t, m)) for t in inputs.years for m in subsets)]
        for p in inputs.programmes
        if p.is_joint
    ]
    for starts in itertools.product(years, repeat=len(nat_keys)):
        national = {k: t for k, t in zip(nat_keys, starts) if t is not None}
        for adopt in itertools.product(years, repeat=len(ado_keys)):
            adoptions = {k: t for k, t in zip(ado_keys, adopt) if t is not None}
            for joint_choice in itertools.product(*joint_opts):
                joint = dict(c for c in joint_choice if c is not None)
                draft = PlanDecisions(national, joint, {}, adoptions)
                payments = split_payments(inputs, draft)
                if payments is None:
                    continue
                decisions = PlanDecisions(national, joint, payments, adoptions)
                if not check_plan(inputs, decisions):
                    yield decisions


def naive_size(inputs) -> int:
    per_year = len(inputs.years) + 1
    codes = len(inputs.nations)
    size = per_year ** (codes * (sum(not p.is_joint for p in inputs.programmes) + len(inputs.standards)))
    return size * (1 + len(inputs.years) * 2**codes) ** sum(p.is_joint for p in inputs.programmes)


def test_pruning_drops_only_infeasible_choices():
    # the enumerator's necessary conditions must not lose a plan the naive search finds
    checked = 0
    for seed in range(300):
        inputs = random_tiny_inputs(seed)
        if naive_size(inputs) > 700:
            continue
        fast = {choice_key(p) for p in enumerate_plans(inputs)}
        assert fast == {choice_key(p) for p in naive_plans(inputs)}, seed
        checked += 1
        if checked == 12:
            break
    assert checked == 12


def test_every_enumerated_plan_is_valid_and_evaluates_consistently():
    for seed in range(8):
        inputs = random_tiny_inputs(seed)
        plans = feasible_plans(inputs)
        assert len({choice_key(p) for p, _ in plans}) == len(plans)
        for decisions, objectives in plans[:25]:
            assert check_plan(inputs, decisions) == []
            ev = evaluate(inputs, decisions)
            assert ev.objectives == objectives == objective_values(inputs, decisions)
            assert ev.spend["spend"].sum() == pytest.approx(objectives["cost"])
            targeted = ev.capability[ev.capability["target"].notna()]
            assert targeted["shortfall"].sum() == pytest.approx(objectives["shortfall"])
            assert (ev.spend["lapsed"] >= 0).all()


def test_no_split_found_means_no_split_on_a_fine_grid_either():
    # Independent of the LP: where it says "no split", try members' shares on a grid.
    refuted = 0
    for seed in range(80):
        inputs = random_tiny_inputs(seed)
        portfolios = [_nation_portfolios(inputs, n.code) for n in inputs.nations]
        for joint_choice in itertools.product(*_joint_options(inputs)):
            joint = dict(c for c in joint_choice if c is not None)
            if len(joint) != 1 or len(next(iter(joint.values())).members) != 2:
                continue
            for combo in itertools.product(*portfolios):
                national = {k: v for nat, _ in combo for k, v in nat.items()}
                adoptions = {k: v for _, ado in combo for k, v in ado.items()}
                draft = PlanDecisions(national, joint, {}, adoptions)
                if check_rules(inputs, draft, NON_PAYMENT_RULES) or split_payments(inputs, draft):
                    continue
                assert not any_grid_split_works(inputs, draft), (seed, draft)
                refuted += 1
    assert refuted >= 10  # the check saw real "no split" cases


def any_grid_split_works(inputs, draft, steps: int = 20) -> bool:
    ((pid, jd),) = draft.joint.items()
    p = inputs.programme_by_id[pid]
    first, second = jd.members
    years = [t for t in range(jd.start_year, jd.start_year + p.duration_years) if p.cost_in_offset(t - jd.start_year)]
    for shares in itertools.product(range(steps + 1), repeat=len(years)):
        payments = {}
        for t, k in zip(years, shares):
            cost = p.cost_in_offset(t - jd.start_year)
            payments[(first, pid, t)] = cost * k / steps
            payments[(second, pid, t)] = cost * (steps - k) / steps
        if not check_plan(inputs, PlanDecisions(draft.national, draft.joint, payments, draft.adoptions)):
            return True
    return False
