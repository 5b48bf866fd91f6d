"""Families 6–9 — precedence (both scopes), exclusive groups, capacity, standards compliance."""

from __future__ import annotations

from data.tables import Precedence
from models import build_model, extract_decisions
from tests.models.conftest import (
    commitment,
    make_inputs,
    nation,
    programme,
    solve_optimal,
    standard,
    value,
)


def _precedence_inputs(scope: str, *, joint_before: bool = False):
    """P1 (worthless) before P2 (10 points). A is committed to P1 in 2030 and has no other money;
    B has 6 only in 2031 — enough for one programme, never for P1 and then P2."""
    before = programme("P1", 6, joint=joint_before, min_participants=1)
    return make_inputs(
        [before, programme("P2", 6)],
        years=3,
        nations=("A", "B"),
        budget={"A": {2030: 6}, "B": {2031: 6}},
        values={"P2": 10},
        precedences=(Precedence("P1", "P2", scope),),  # type: ignore[arg-type]
        commitments=(commitment("A", "P1", start_year=2030),),
    )


def test_same_nation_precedence_needs_own_completion() -> None:
    """B never completes P1 itself, so B may not start P2: no capability anywhere."""
    m = build_model(_precedence_inputs("same_nation"))
    solve_optimal(m, {"capability": 1})
    assert value(m, "capability") == 0


def test_any_nation_precedence_accepts_someone_elses_completion() -> None:
    """A completes P1 in 2030, so B may start P2 in 2031: in service 2032, 10 points."""
    inputs = _precedence_inputs("any_nation")
    m = build_model(inputs)
    solve_optimal(m, {"capability": 1})
    assert extract_decisions(m, inputs).national == {("A", "P1"): 2030, ("B", "P2"): 2031}
    assert value(m, "capability") == 10


def test_any_nation_precedence_after_a_joint_programme_uses_its_own_completion() -> None:
    """Joint P1 (one member allowed) run by A in 2030 completes in 2030: B may start P2 in 2031."""
    m = build_model(_precedence_inputs("any_nation", joint_before=True))
    solve_optimal(m, {"capability": 1})
    assert value(m, "capability") == 10


def test_successor_cannot_start_in_the_completion_year() -> None:
    """A could pay for P1 and P2 in 2030 (12), but P2 may start only after P1 is complete (2031),
    and 2031 has no money: P2 is out."""
    inputs = make_inputs(
        [programme("P1", 6), programme("P2", 6)],
        years=2,
        budget={"A": {2030: 12}},
        values={"P1": 1, "P2": 10},
        precedences=(Precedence("P1", "P2", "same_nation"),),
    )
    m = build_model(inputs)
    solve_optimal(m, {"capability": 1})
    assert extract_decisions(m, inputs).national == {("A", "P1"): 2030}


def test_exclusive_group_allows_one_programme_per_nation() -> None:
    """Money for both, but P1 and P2 are alternatives: each nation takes the better, P2."""
    inputs = make_inputs(
        [programme("P1", 1, exclusive_group="G"), programme("P2", 1, exclusive_group="G")],
        nations=("A", "B"),
        budget=10,
        values={"P1": 1, "P2": 2},
        service_years_after_horizon=1,
    )
    m = build_model(inputs)
    solve_optimal(m, {"capability": 1})
    assert extract_decisions(m, inputs).national == {("A", "P2"): 2030, ("B", "P2"): 2030}


def _capacity_inputs(cap: int):
    """Two 2-year programmes in a 3-year horizon: run together, or one after the other (which
    would need 4 years). A joint one-member programme counts toward the cap like a national one."""
    return make_inputs(
        [
            programme("P1", 2, duration=2),
            programme("J", 2, duration=2, joint=True, min_participants=1),
        ],
        years=3,
        nations=[nation("A", max_concurrent=cap)],
        budget=10,
        service_years_after_horizon=1,
    )


def test_capacity_one_allows_one_programme_at_a_time() -> None:
    """With cap 1 the second programme could start only in 2032 and not finish by 2032."""
    m = build_model(_capacity_inputs(1))
    solve_optimal(m, {"capability": 1})
    assert value(m, "capability") == 2  # one programme, in service 2032 and 2033


def test_capacity_two_runs_both_together() -> None:
    m = build_model(_capacity_inputs(2))
    solve_optimal(m, {"capability": 1})
    assert value(m, "capability") == 4


def _compliance_inputs(budget):
    return make_inputs(
        [programme("P", 6)],
        years=2,
        budget=budget,
        standards=[standard("S", 3)],
        requirements=(("P", "S"),),
    )


def test_required_standard_adds_its_cost() -> None:
    """P (6) needs S (3) adopted by its completion year: 9 > 8 of 2030's budget."""
    m = build_model(_compliance_inputs({"A": {2030: 8}}))
    solve_optimal(m, {"capability": 1})
    assert value(m, "capability") == 0
    m.budget["A", 2030] = 9
    solve_optimal(m, {"capability": 1})
    assert value(m, "capability") == 1
    assert m.adopts["A", "S", 2030].value > 0.5


def test_standard_adopted_after_completion_is_too_late() -> None:
    """P completes in 2030 (the only start that earns capability); S could only be paid in 2031."""
    m = build_model(_compliance_inputs({"A": {2030: 6, 2031: 3}}))
    solve_optimal(m, {"capability": 1})
    assert value(m, "capability") == 0
