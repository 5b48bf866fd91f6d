"""What no plan can fund or adopt, and products too large for the solver (data.validate.judgements)."""

from __future__ import annotations

from tests.data.fixtures.books import (
    full_book,
    minimal_book,
    put,
    warnings_of,
)


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
