"""Family 5 — schedule windows: planning cycles, deadlines, earliest starts, the horizon end."""

from __future__ import annotations

from models import build_model, extract_decisions
from tests.models.conftest import make_inputs, programme, solve_optimal, value


def test_windows_hold_only_allowed_start_years() -> None:
    """Duration 2 over 2030–2034: cycle 2 allows 2030, 2032 (2034 would end after yL);
    a flexible programme may start any year up to 2033; earliest 2031 + deadline 2034 allows 2031–2032."""
    inputs = make_inputs(
        [
            programme("RIGID", duration=2),
            programme("FLEX", duration=2, flexible_start=True),
            programme("WINDOW", duration=2, earliest_start=2031, deadline=2034, flexible_start=True),
        ],
        years=5,
        planning_cycle_years=2,
    )
    m = build_model(inputs)
    starts = {p: sorted(t for (_, q, t) in m.starts if q == p) for p in m.programmes}
    assert starts == {
        "RIGID": [2030, 2032],
        "FLEX": [2030, 2031, 2032, 2033],
        "WINDOW": [2031, 2032],
    }


def test_rigid_cycle_misses_the_only_funded_year() -> None:
    """Money only in 2031; cycle 2 lets the rigid programme start in 2030 or 2032, never 2031,
    so only the flexible one (worth less) can be bought: the value of flexibility."""
    inputs = make_inputs(
        [programme("RIGID", 6), programme("FLEX", 6, flexible_start=True)],
        years=3,
        budget={"A": {2031: 10}},
        values={"RIGID": 5, "FLEX": 1},
        planning_cycle_years=2,
        service_years_after_horizon=2,
    )
    m = build_model(inputs)
    solve_optimal(m, {"capability": 1})
    assert extract_decisions(m, inputs).national == {("A", "FLEX"): 2031}
    assert value(m, "capability") == 1 * 3  # in service 2032, 2033, 2034


def test_deadline_forces_an_unaffordable_early_start() -> None:
    """Deadline 2031 (in service by then) allows only a 2030 start, and 2030 has no money."""
    inputs = make_inputs(
        [programme("P", 6, deadline=2031)],
        years=3,
        budget={"A": {2031: 10, 2032: 10}},
        service_years_after_horizon=2,
    )
    m = build_model(inputs)
    solve_optimal(m, {"capability": 1})
    assert value(m, "capability") == 0


def test_programme_too_long_for_the_horizon_has_no_variables() -> None:
    """Duration 4 cannot finish spending inside a 3-year horizon: nothing to decide."""
    m = build_model(make_inputs([programme("P", 6, duration=4)], years=3))
    assert len(m.starts) == 0 and len(m.once_national) == 0


def test_multi_year_profile_spends_by_year() -> None:
    """Cost 10 over 2 years with profile (0.8, 0.2) needs 8 then 2: budget 8/2 fits, 5/5 does not."""
    prog = programme("P", 10, duration=2, profile=(0.8, 0.2))
    fits = build_model(make_inputs([prog], years=2, budget={"A": {2030: 8, 2031: 2}}, service_years_after_horizon=1))
    solve_optimal(fits, {"capability": 1})
    assert value(fits, "capability") == 1
    tight = build_model(make_inputs([prog], years=2, budget=5, service_years_after_horizon=1))
    solve_optimal(tight, {"capability": 1})
    assert value(tight, "capability") == 0
