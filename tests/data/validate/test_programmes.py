"""Programmes and CostProfiles: defaults, joint-only columns, spending profiles (data.validate.programmes)."""

from __future__ import annotations

import pytest

from tests.data.fixtures.books import errors_of, full_book, inputs_of, minimal_book, put, warnings_of


# --- Programmes: defaults and joint-only columns ------------------------------------------
def test_optional_programme_defaults() -> None:
    national, joint = inputs_of(minimal_book()).programmes
    assert (
        national.per_participant_cost,
        national.min_participants,
        national.max_participants,
        national.min_share,
        national.open_to_partners,
    ) == (0.0, 1, None, 0.0, False)
    assert (joint.min_participants, joint.max_participants, joint.min_share, joint.open_to_partners) == (
        2,
        None,
        0.0,
        True,
    )
    assert (national.name, national.flexible_start, national.trl, national.earliest_start) == (
        "Drone swarm",
        False,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("per_participant_cost", 5),
        ("min_participants", 2),
        ("max_participants", 3),
        ("min_share", 0.2),
        ("open_to_partners", "no"),
    ],
)
def test_joint_only_field_on_national_programme_is_a_warning(column: str, value: object) -> None:
    book = minimal_book()
    put(book, "Programmes", 2, column, value)
    assert warnings_of(book) == [
        (
            f"Programmes!G2: {column} is filled on national programme P01 and is ignored — expected "
            "it blank (joint programmes only)"
        )
    ]
    assert inputs_of(book).programmes[0].per_participant_cost == 0.0


def test_joint_only_fields_on_joint_programme() -> None:
    book = minimal_book()
    for column, value in [
        ("per_participant_cost", 5),
        ("min_participants", 3),
        ("max_participants", 3),
        ("min_share", 0.2),
        ("open_to_partners", "no"),
    ]:
        put(book, "Programmes", 3, column, value)
    book["Nations"].append(["DDD", "Delta", "ally"])
    book["Budgets"].append(["DDD", 1, 1, 1, 1, 1])
    p = inputs_of(book).programmes[1]
    assert (p.per_participant_cost, p.min_participants, p.max_participants, p.min_share, p.open_to_partners) == (
        5.0,
        3,
        3,
        0.2,
        False,
    )


def test_min_participants_above_max() -> None:
    book = minimal_book()
    put(book, "Programmes", 3, "min_participants", 3)
    put(book, "Programmes", 3, "max_participants", 2)
    assert errors_of(book) == [
        ("Programmes!H3: max_participants 2 is below min_participants 3 — expected max_participants ≥ 3")
    ]


# --- Programmes: start windows and groups -------------------------------------------------
def test_earliest_start_before_first_year_is_fine() -> None:
    book = minimal_book()
    put(book, "Programmes", 2, "earliest_start", 2020)
    inputs = inputs_of(book)
    assert inputs.allowed_starts(inputs.programmes[0])[0] == 2027


def test_exclusive_groups_are_matched_ignoring_case() -> None:
    book = minimal_book()
    put(book, "Programmes", 2, "exclusive_group", "Radar")
    put(book, "Programmes", 3, "exclusive_group", " radar ")
    assert {p.exclusive_group for p in inputs_of(book).programmes} == {"Radar"}


# --- CostProfiles -------------------------------------------------------------------------
def test_profiles_are_normalised_and_default_to_even() -> None:
    inputs = inputs_of(full_book())
    assert inputs.programme_by_id["P02"].profile == (0.25, 0.5, 0.25)
    assert inputs.programme_by_id["P01"].profile == (0.5, 0.5)


def test_missing_offsets_of_a_listed_programme_are_zero() -> None:
    book = full_book()
    book["CostProfiles"] = [["programme", "year_offset", "share"], ["P02", 0, 3], ["P02", 2, 1]]
    assert inputs_of(book).programme_by_id["P02"].profile == (0.75, 0.0, 0.25)


def test_offset_beyond_duration() -> None:
    book = full_book()
    book["CostProfiles"].append(["P02", 3, 1])
    assert errors_of(book) == [
        "CostProfiles!B5: year_offset is 3 but P02 lasts 3 years — expected a whole number from 0 to 2"
    ]


def test_all_zero_shares() -> None:
    book = full_book()
    book["CostProfiles"] = [["programme", "year_offset", "share"], ["P02", 0, 0], ["P02", 1, 0]]
    assert errors_of(book) == ["CostProfiles!C2: the shares of P02 are all 0 — expected at least one share > 0"]


def test_offset_listed_twice() -> None:
    book = full_book()
    book["CostProfiles"].append(["p02", 1, 1])
    assert errors_of(book) == [
        ("CostProfiles!B5: year_offset 1 of P02 is listed twice — expected each offset of a programme once")
    ]


def test_bad_profile_cells() -> None:
    book = full_book()
    book["CostProfiles"] += [["P77", 0, 1], ["P01", -1, 1], ["P01", 0, -2]]
    assert errors_of(book) == [
        ('CostProfiles!A5: programme "P77" is not in Programmes — expected a programme id from the Programmes sheet'),
        "CostProfiles!B6: year_offset is -1 — expected a whole number ≥ 0",
        "CostProfiles!C7: share is -2 — expected a number ≥ 0",
    ]
