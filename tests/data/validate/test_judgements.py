"""What no plan can fund or adopt, and products too large for the solver (data.validate.judgements)."""

from __future__ import annotations

import pytest

from tests.data.fixtures.books import errors_of, full_book, inputs_of, minimal_book, put, warnings_of
from tests.data.validate.conftest import problems_of, settings


# --- consortium sizes and shares ----------------------------------------------------------
def test_min_participants_above_eligible_is_a_warning() -> None:
    book = minimal_book()
    put(book, "Programmes", 3, "open_to_partners", "no")  # only AAA and BBB remain eligible
    put(book, "Programmes", 3, "min_participants", 3)
    assert warnings_of(book) == [
        (
            "Programmes!H3: min_participants is 3 but only 2 nations may join P02, so it cannot be "
            "funded — expected at most 2"
        )
    ]


def test_max_participants_above_eligible_is_a_warning() -> None:
    book = minimal_book()
    put(book, "Programmes", 3, "max_participants", 5)
    assert warnings_of(book) == [
        (
            "Programmes!G3: max_participants is 5 but only 3 nations may join P02; the cap has no "
            "effect — expected at most 3"
        )
    ]


def test_min_shares_that_cannot_add_up_are_a_warning() -> None:
    book = minimal_book()
    put(book, "Programmes", 3, "min_share", 0.6)
    assert warnings_of(book) == [
        (
            "Programmes!G3: min_share is 0.6: 2 members × min_share 0.6 exceed the whole cost, so "
            "P02 cannot be funded — expected min_share ≤ 1/2"
        )
    ]


# --- start windows ------------------------------------------------------------------------
def test_programme_too_long_for_the_horizon_is_a_warning() -> None:
    book = minimal_book()
    book["Programmes"][1][4] = 6
    assert warnings_of(book) == [
        (
            "Programmes!A2: programme P01 has no allowed start year (duration 6 years, horizon "
            "2027–2031) and cannot be funded — expected a start window that fits its duration "
            "(kept as a candidate)"
        )
    ]


def test_deadline_and_earliest_start_leave_no_window() -> None:
    book = minimal_book()
    put(book, "Programmes", 2, "earliest_start", 2029)
    put(book, "Programmes", 2, "deadline", 2030)
    assert warnings_of(book) == [
        (
            "Programmes!A2: programme P01 has no allowed start year (duration 2 years, horizon "
            "2027–2031, earliest_start 2029, deadline 2030) and cannot be funded — expected a start "
            "window that fits its duration (kept as a candidate)"
        )
    ]


def test_planning_cycle_can_leave_no_window() -> None:
    book = minimal_book()
    book["Settings"].append(["planning_cycle_years", 3])
    book["Programmes"][1][4] = 3
    put(book, "Programmes", 2, "earliest_start", 2028)  # cycle years 2027, 2030; 2030+3 > 2032
    assert warnings_of(book) == [
        (
            "Programmes!A2: programme P01 has no allowed start year (duration 3 years, horizon "
            "2027–2031, earliest_start 2028, starts only every 3 years) and cannot be funded — "
            "expected a start window that fits its duration (kept as a candidate)"
        )
    ]
    put(book, "Programmes", 2, "flexible_start", "yes")
    assert warnings_of(book) == []


# --- standards ----------------------------------------------------------------------------
def test_critical_mass_above_nation_count_is_a_warning() -> None:
    book = full_book()
    book["Standards"][1][3] = 4
    assert warnings_of(book) == [
        (
            "Standards!D2: min_adopters is 4 but there are only 3 nations, so S1 can never be "
            "adopted — expected at most 3"
        )
    ]


# --- products of numbers that each pass, too large for the solver together ----------------
TOO_LARGE = (
    "too large for the solver — expected a product under 1e+15 (the solver takes larger "
    "coefficients as infinite or loses its precision): use smaller units or weights"
)


# In the minimal book P01 (2 years) can start in 2027 and serve 2029–2031: 3 years; P02
# (3 years) serves 2030–2031: 2 years. Every number below passes the per-cell cap of 1e12.
def test_a_weight_times_a_value_too_large_names_both_cells() -> None:
    """weight_capability 1e12 × value 1e12 validated, and the solve ended 'Unknown'."""
    book = settings(minimal_book(), ["objective", "weighted"], ["weight_capability", 1e12])
    put(book, "Values", 2, "AIR", 1e12)
    assert errors_of(book) == [
        (
            "Values!B2: value 1e+12 × weight_capability 1e+12 (Settings!B5) × 3 in-service years is "
            f"3e+24 in the weighted objective, {TOO_LARGE}"
        )
    ]


def test_weights_too_small_for_the_solver_name_the_weight_cell() -> None:
    """A weighted objective whose every coefficient lies under the solver's tolerances let any
    plan pass for optimal ("optimal, gap 0" at 32 times the cheapest cost)."""
    book = settings(
        minimal_book(),
        ["objective", "weighted"],
        ["weight_capability", 0],
        ["weight_shortfall", 0],
        ["weight_cost", 1e-12],
    )
    errors = errors_of(book)
    assert len(errors) == 1 and errors[0].startswith(
        "Settings!B7: weight_cost 1e-12 makes the weighted objective's largest coefficient"
    )
    assert "too small for the solver — expected weights whose largest coefficient is at least 1e-05" in errors[0]
    ok = settings(
        minimal_book(),
        ["objective", "weighted"],
        ["weight_capability", 0],
        ["weight_shortfall", 0],
        ["weight_cost", 1e-3],
    )
    assert inputs_of(ok).settings.weights["cost"] == 1e-3


def test_the_same_weight_is_no_error_when_the_run_is_not_weighted() -> None:
    """Settings weights are used only by a weighted run: a lexicographic one ignores them."""
    book = settings(minimal_book(), ["weight_capability", 1e12])
    put(book, "Values", 2, "AIR", 1e12)
    assert inputs_of(book).values[("P01", "AIR")] == 1e12


def test_a_product_under_the_bound_is_accepted() -> None:
    book = settings(minimal_book(), ["objective", "weighted"], ["weight_capability", 100])
    put(book, "Values", 2, "AIR", 1e12)  # 1e12 × 100 × 3 years = 3e14
    assert inputs_of(book).settings.weights["capability"] == 100


def test_an_area_weight_times_a_value_in_a_lexicographic_run() -> None:
    """The capability objective is held as a constraint after its stage; a coefficient of
    4e16 there came back 'optimal' at a sixth of the best plan."""
    book = minimal_book()
    put(book, "CapabilityAreas", 2, "weight", 1e4)
    put(book, "Values", 2, "AIR", 1e12)
    assert errors_of(book) == [
        (
            "Values!B2: value 1e+12 × weight 10000 (CapabilityAreas!C2) × 3 in-service years is "
            f"3e+16 in the capability objective, {TOO_LARGE}"
        )
    ]


def test_a_per_area_weight_counts_in_the_weighted_objective() -> None:
    book = settings(minimal_book(), ["objective", "weighted"], ["weight_capability:cyb", 1e12])
    put(book, "Values", 3, "CYB", 1e12)
    assert errors_of(book) == [
        (
            "Values!C3: value 1e+12 × weight_capability:CYB 1e+12 (Settings!B5) × 2 in-service years "
            f"is 2e+24 in the weighted objective, {TOO_LARGE}"
        )
    ]


def test_several_coefficients_over_the_bound_give_one_error() -> None:
    book = settings(minimal_book(), ["objective", "weighted"], ["weight_capability", 1e6])
    put(book, "Values", 2, "AIR", 1e12)
    put(book, "Values", 3, "AIR", 1e12)
    assert errors_of(book) == [
        (
            "Values!B2: value 1e+12 × weight_capability 1e+06 (Settings!B5) × 3 in-service years is "
            f"3e+18 in the weighted objective, {TOO_LARGE.replace(' —', ', as 1 other coefficient is —')}"
        )
    ]


def test_overrun_risk_times_cost_in_the_risk_objective() -> None:
    book = settings(minimal_book(), ["priority", "shortfall, risk"])
    put(book, "Programmes", 2, "total_cost", 1e8)
    put(book, "Programmes", 2, "cost_overrun_risk", 1e8)
    assert errors_of(book) == [
        (
            "Programmes!G2: cost_overrun_risk 1e+08 × total_cost 1e+08 (Programmes!F2) is 1e+16 in "
            f"the risk objective, {TOO_LARGE}"
        )
    ]


def test_overrun_risk_times_a_years_cost_in_robust_budgets() -> None:
    """Robust budget rows hold risk × the year's cost: 3e15 there failed plan verification."""
    book = settings(minimal_book(), ["robust_overruns", 1])
    put(book, "Programmes", 2, "total_cost", 1e8)
    put(book, "Programmes", 2, "cost_overrun_risk", 1e8)
    assert errors_of(book) == [
        (
            "Programmes!G2: cost_overrun_risk 1e+08 × total_cost 1e+08 (Programmes!F2), 5e+07 in its "
            f"dearest year, is 5e+15 in the robust budget rows, {TOO_LARGE}"
        )
    ]


# --- no judgements by a count of nations that was never read ------------------------------
@pytest.mark.parametrize(
    "break_nations",
    [
        lambda book: book["Nations"][0].__setitem__(0, "cod"),
        lambda book: book.pop("Nations"),
    ],
    ids=["id header misspelt", "sheet missing"],
)
def test_unread_nations_blame_no_programme_or_standard(break_nations) -> None:  # type: ignore[no-untyped-def]
    """P02 (joint, min_participants 2) and S1 (min_adopters 2) were warned about as if there
    were 0 nations: `Programmes!…: only 0 nations may join P02`."""
    book = full_book()
    break_nations(book)
    errors, warnings = problems_of(book)
    assert len(errors) == 1 and errors[0].startswith("Nations")
    assert not [w for w in warnings if "only 0 nations" in w]
