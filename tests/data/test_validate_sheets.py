"""Per-sheet validation: sheet and column matching, types, ids, wide sheets, profiles."""

from __future__ import annotations

import datetime as dt

import pytest

from data.errors import InputError
from data.validate import UNCACHED_FORMULA, CellError, sheets_from_rows, validate_sheets
from tests.data.fixtures.books import (
    errors_of,
    full_book,
    inputs_of,
    minimal_book,
    put,
    warnings_of,
)


# --- sheets and columns -------------------------------------------------------------------
def test_minimal_book_is_valid_without_warnings() -> None:
    assert warnings_of(minimal_book()) == []
    assert warnings_of(full_book()) == []


def test_missing_required_sheet() -> None:
    book = minimal_book()
    del book["Values"]
    assert errors_of(book) == ["Values: sheet is missing — expected a sheet named Values"]


def test_sheet_names_ignore_case_spaces_and_order() -> None:
    book = minimal_book()
    renamed = {" capability areas ": book.pop("CapabilityAreas"), "NATIONS": book.pop("Nations")}
    reordered = dict(reversed(list((book | renamed).items())))
    inputs = inputs_of(reordered)
    assert [a.id for a in inputs.areas] == ["AIR", "CYB"]
    assert [n.code for n in inputs.nations] == ["AAA", "BBB", "CCC"]


def test_extra_sheet_is_a_warning_and_data_dictionary_is_silent() -> None:
    book = minimal_book() | {"Notes": [["anything"]], "DataDictionary": [["sheet", "column"]]}
    assert warnings_of(book) == ["Notes: sheet is not an input sheet and is ignored"]


def test_two_sheets_with_the_same_name() -> None:
    book = minimal_book() | {"values ": [["programme"]]}
    assert errors_of(book) == [
        (
            "values : sheet repeats sheet Values (names are matched ignoring case and spaces) — "
            "expected one sheet named Values"
        )
    ]


def test_empty_required_sheet() -> None:
    book = minimal_book()
    book["CapabilityAreas"] = [[None], []]
    errors = errors_of(book)
    assert errors[0] == "CapabilityAreas: sheet is empty — expected a header row with id, name, weight"


def test_missing_required_column() -> None:
    book = minimal_book()
    for row in book["Programmes"]:
        del row[4]  # duration_years
    assert errors_of(book) == ["Programmes!1: no duration_years column — expected a column headed duration_years"]


def test_columns_match_ignoring_case_spaces_and_order() -> None:
    book = minimal_book()
    header = ["Total Cost", " ID", "DURATION_YEARS", "sharing"]
    book["Programmes"] = [header, [60, "P01", 2, "national"], [150, "P02", 3, "JOINT"]]
    programmes = inputs_of(book).programmes
    assert [(p.id, p.total_cost, p.duration_years, p.sharing) for p in programmes] == [
        ("P01", 60.0, 2, "national"),
        ("P02", 150.0, 3, "joint"),
    ]


def test_extra_column_is_a_warning() -> None:
    book = minimal_book()
    put(book, "Programmes", 2, "notes", "check with MoD")
    assert warnings_of(book) == ['Programmes!G1: column "notes" is not an input column and is ignored']


def test_repeated_column() -> None:
    book = minimal_book()
    put(book, "Programmes", 2, "Total_Cost", 5)
    assert errors_of(book) == [
        ("Programmes!G1: column total_cost appears twice (also in column F) — expected each column once")
    ]


def test_data_without_header_is_a_warning() -> None:
    book = minimal_book()
    book["Nations"][2].extend([None, "stray"])
    assert warnings_of(book) == ["Nations!E: column E has data but no header and is ignored"]


def test_blank_rows_are_skipped() -> None:
    book = minimal_book()
    book["Nations"][2:2] = [[None, None, None], ["  ", None, ""], []]
    assert [n.code for n in inputs_of(book).nations] == ["AAA", "BBB", "CCC"]


def test_every_problem_is_reported_at_once() -> None:
    book = minimal_book()
    book["Programmes"][1][4] = -2
    book["Nations"][2][2] = "enemy"
    book["Values"][1][1] = "lots"
    with pytest.raises(InputError) as caught:
        validate_sheets(sheets_from_rows(book))
    assert [str(p) for p in caught.value.problems] == [
        'Nations!C3: role is "enemy" — expected one of ally, partner',
        "Programmes!E2: duration_years is -2 — expected a whole number ≥ 1",
        'Values!B2: value for AIR is "lots" — expected a number ≥ 0',
    ]
    assert str(caught.value).count("\n") == 2


# --- cells --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("duration_years", -2, "Programmes!E2: duration_years is -2 — expected a whole number ≥ 1"),
        ("duration_years", 2.5, "Programmes!E2: duration_years is 2.5 — expected a whole number ≥ 1"),
        ("duration_years", None, "Programmes!E2: duration_years is blank — expected a whole number ≥ 1"),
        (
            "duration_years",
            302,
            ("Programmes!E2: duration_years is 302 — expected at most 301 (the longest horizon, 1900–2200)"),
        ),  # 301 is allowed: the 1900–2200 horizon is 301 years
        (
            "duration_years",
            10**30,
            (
                "Programmes!E2: duration_years is "
                "1000000000000000000000000000000 — expected at most 301 (the longest horizon, 1900–2200)"
            ),
        ),
        ("total_cost", "abc", 'Programmes!F2: total_cost is "abc" — expected a number ≥ 0'),
        ("total_cost", float("nan"), "Programmes!F2: total_cost is NaN — expected a number ≥ 0"),
        ("total_cost", float("-inf"), "Programmes!F2: total_cost is -infinity — expected a number ≥ 0"),
        ("total_cost", "inf", 'Programmes!F2: total_cost is "inf" — expected a number ≥ 0'),
        ("total_cost", True, "Programmes!F2: total_cost is TRUE — expected a number ≥ 0"),
        (
            "total_cost",
            CellError("#DIV/0!"),
            "Programmes!F2: total_cost is the Excel error #DIV/0! — expected a number ≥ 0",
        ),
        (
            "total_cost",
            UNCACHED_FORMULA,
            (
                "Programmes!F2: total_cost is a formula with no cached value — expected a value: open "
                "the workbook in Excel or LibreOffice and save it, so formula results are stored"
            ),
        ),
        ("total_cost", dt.time(12, 30), "Programmes!F2: total_cost is the time 12:30:00 — expected a number ≥ 0"),
        ("sharing", "both", 'Programmes!D2: sharing is "both" — expected one of national, joint'),
    ],
)
def test_bad_programme_cells(column: str, value: object, message: str) -> None:
    book = minimal_book()
    put(book, "Programmes", 2, column, value)
    assert errors_of(book) == [message]


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("trl", 10, "Programmes!G2: trl is 10 — expected a whole number from 1 to 9"),
        ("min_share", 1.5, "Programmes!G3: min_share is 1.5 — expected a number from 0 to 1"),
        ("flexible_start", "maybe", 'Programmes!G2: flexible_start is "maybe" — expected yes or no'),
        (
            "earliest_start",
            dt.datetime(2028, 3, 1),
            "Programmes!G2: earliest_start is the date 2028-03-01 — expected a year like 2028",
        ),
        ("deadline", 3000, "Programmes!G2: deadline is 3000 — expected a year from 1900 to 2200"),
        ("cost_overrun_risk", -1, "Programmes!G2: cost_overrun_risk is -1 — expected a number ≥ 0"),
        ("min_participants", 0, "Programmes!G3: min_participants is 0 — expected a whole number ≥ 1"),
    ],
)
def test_bad_optional_programme_cells(column: str, value: object, message: str) -> None:
    book = minimal_book()
    row = 3 if column in ("min_share", "min_participants") else 2  # P02 is the joint one
    put(book, "Programmes", row, column, value)
    assert errors_of(book) == [message]


def test_blank_id() -> None:
    book = minimal_book()
    book["Programmes"][1][0] = "  "
    assert errors_of(book) == [
        "Programmes!A2: id is blank — expected an id",
        ('Values!A2: programme "P01" is not in Programmes — expected a programme id from the Programmes sheet'),
    ]


def test_missing_id_column_does_not_flood_references() -> None:
    book = minimal_book()
    book["Nations"][0][0] = "nation code"
    assert errors_of(book) == ["Nations!1: no code column — expected a column headed code"]


def test_missing_required_sheet_does_not_flood_references() -> None:
    book = minimal_book()
    del book["Programmes"]
    assert errors_of(book) == ["Programmes: sheet is missing — expected a sheet named Programmes"]


def test_missing_areas_sheet_does_not_flood_settings() -> None:
    book = minimal_book()
    book["Settings"] += [["priority", "capability:AIR, cost"], ["weight_capability:AIR", 2]]
    del book["CapabilityAreas"]
    assert errors_of(book) == ["CapabilityAreas: sheet is missing — expected a sheet named CapabilityAreas"]


def test_numbers_given_as_text_are_accepted() -> None:
    book = minimal_book()
    put(book, "Programmes", 2, "total_cost", " 60.5 ")
    put(book, "Programmes", 2, "duration_years", "2")
    p = inputs_of(book).programmes[0]
    assert (p.total_cost, p.duration_years) == (60.5, 2)


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


def test_blank_name_defaults_to_the_id() -> None:
    book = minimal_book()
    book["Programmes"][1][1] = None
    book["Nations"][1][1] = " "
    inputs = inputs_of(book)
    assert inputs.programmes[0].name == "P01" and inputs.nations[0].name == "AAA"


def test_numeric_ids_are_text() -> None:
    book = minimal_book()
    book["Programmes"][1][0] = 101
    book["Values"][1][0] = "101"
    inputs = inputs_of(book)
    assert inputs.programmes[0].id == "101" and inputs.values[("101", "AIR")] == 5.0


# --- ids ----------------------------------------------------------------------------------
def test_duplicate_id_differing_in_case() -> None:
    book = minimal_book()
    book["Programmes"].append([" p01 ", "Copy", "x", "national", 1, 1])
    assert errors_of(book) == [
        (
            'Programmes!A4: id "p01" repeats P01 from row 2 — expected a unique id (ids are matched '
            "ignoring case and spaces)"
        )
    ]


def test_references_resolve_to_the_canonical_spelling() -> None:
    book = full_book()
    book["Values"][1][0] = " p01"
    book["Targets"][2][:2] = ["aaa", "cyb"]
    book["Targets"][1][0] = "Alliance"
    book["Commitments"][1][:2] = ["AaA", "P01 "]
    inputs = inputs_of(book)
    assert ("P01", "AIR") in inputs.values
    assert [(t.nation, t.area) for t in inputs.targets] == [("ALLIANCE", "AIR"), ("AAA", "CYB")]
    assert (inputs.commitments[0].nation, inputs.commitments[0].programme) == ("AAA", "P01")


def test_alliance_is_a_reserved_code() -> None:
    book = minimal_book()
    book["Nations"].append(["alliance", "All of us", "ally"])
    book["Budgets"].append(["alliance", 1, 1, 1, 1, 1])
    errors = errors_of(book)
    assert errors[0] == (
        'Nations!A5: code "alliance" is reserved — expected a nation code other '
        "than ALLIANCE (it names the allies together in Targets)"
    )


# --- Nations ------------------------------------------------------------------------------
def test_nation_fractions_resolve_against_settings() -> None:
    book = minimal_book()
    book["Settings"] += [["carry_over_fraction", 0.2], ["borrow_fraction", 0.1]]
    put(book, "Nations", 2, "carry_over_fraction", 0.5)
    put(book, "Nations", 3, "borrow_fraction", 0)
    put(book, "Nations", 2, "max_concurrent_programmes", 3)
    a, b, c = inputs_of(book).nations
    assert (a.carry_over_fraction, a.borrow_fraction, a.max_concurrent_programmes) == (0.5, 0.1, 3)
    assert (b.carry_over_fraction, b.borrow_fraction, b.max_concurrent_programmes) == (0.2, 0.0, None)
    assert (c.role, c.carry_over_fraction) == ("partner", 0.2)


def test_role_defaults_to_ally() -> None:
    book = minimal_book()
    book["Nations"][2][2] = None
    assert inputs_of(book).nations[1].role == "ally"


def test_negative_capacity() -> None:
    book = minimal_book()
    put(book, "Nations", 2, "max_concurrent_programmes", -1)
    assert errors_of(book) == ["Nations!D2: max_concurrent_programmes is -1 — expected a whole number ≥ 0"]


# --- Budgets ------------------------------------------------------------------------------
def test_year_headers_may_be_ints_floats_or_text() -> None:
    book = minimal_book()
    book["Budgets"][0] = ["Nation", 2027.0, " 2028 ", "2029", 2030, "2031.0"]
    budgets = inputs_of(book).budgets
    assert budgets[("AAA", 2028)] == 100.0 and len(budgets) == 15


def test_budget_columns_in_any_order_and_blank_cells_are_zero() -> None:
    book = minimal_book()
    book["Budgets"] = [
        [2031, 2030, "nation", 2029, 2028, 2027],
        [1, 2, "AAA", 3, None, 5],
        [0, 0, "bbb", 0, 0, 0],
        [1, 1, "CCC", 1, 1, 1],
    ]
    budgets = inputs_of(book).budgets
    assert [budgets[("AAA", y)] for y in range(2027, 2032)] == [5.0, 0.0, 3.0, 2.0, 1.0]
    assert budgets[("BBB", 2027)] == 0.0


def test_missing_horizon_year() -> None:
    book = minimal_book()
    for row in book["Budgets"]:
        del row[3]  # 2029
    assert errors_of(book) == [
        ("Budgets!1: no column for year 2029 — expected one column per year 2027–2031, headed by the year")
    ]


def test_missing_horizon_years_are_listed_as_spans() -> None:
    book = minimal_book()
    book["Settings"][2][1] = 2035
    assert errors_of(book) == [
        ("Budgets!1: no column for years 2032–2035 — expected one column per year 2027–2035, headed by the year")
    ]


def test_budget_year_outside_horizon_is_a_warning() -> None:
    book = minimal_book()
    put(book, "Budgets", 2, 2035, 7)
    assert warnings_of(book) == ["Budgets!G1: column 2035 is outside the horizon 2027–2031 and is ignored"]
    assert ("AAA", 2035) not in inputs_of(book).budgets


def test_non_year_budget_column_is_a_warning() -> None:
    book = minimal_book()
    put(book, "Budgets", 2, "comment", "x")
    assert warnings_of(book) == ['Budgets!G1: column "comment" is not a year and is ignored']


def test_date_as_budget_header() -> None:
    book = minimal_book()
    book["Budgets"][0][1] = dt.datetime(2027, 1, 1)
    assert errors_of(book) == [
        ("Budgets!1: no column for year 2027 — expected one column per year 2027–2031, headed by the year"),
        (
            "Budgets!B1: column header is the date 2027-01-01 — expected a year like 2028 (format "
            "the header cell as a number or text)"
        ),
    ]


def test_repeated_year_column() -> None:
    book = minimal_book()
    put(book, "Budgets", 2, "2027", 1)
    assert errors_of(book) == ["Budgets!G1: column 2027 appears twice (also in column B) — expected each column once"]


def test_nation_without_budget_row() -> None:
    book = minimal_book()
    del book["Budgets"][3]
    assert errors_of(book) == ["Budgets: nation CCC has no row — expected a row for every nation in Nations"]


def test_unknown_nation_in_budgets() -> None:
    book = minimal_book()
    book["Budgets"].append(["ZZZ", 1, 1, 1, 1, 1])
    assert errors_of(book) == [
        'Budgets!A5: nation "ZZZ" is not in Nations — expected a nation code from the Nations sheet'
    ]


def test_second_budget_row_for_a_nation() -> None:
    book = minimal_book()
    book["Budgets"].append(["aaa", 1, 1, 1, 1, 1])
    assert errors_of(book) == ["Budgets!A5: nation AAA has a second row (first in row 2) — expected one row per nation"]


def test_bad_budget_cells() -> None:
    book = minimal_book()
    book["Budgets"][1][2] = -5
    book["Budgets"][2][1] = "lots"
    assert errors_of(book) == [
        "Budgets!C2: budget for 2028 is -5 — expected a number ≥ 0",
        'Budgets!B3: budget for 2027 is "lots" — expected a number ≥ 0',
    ]


def test_budgets_without_nation_column() -> None:
    book = minimal_book()
    book["Budgets"][0][0] = "country"
    errors = errors_of(book)
    assert "Budgets!1: no nation column — expected a column headed nation" in errors


# --- Capability areas and Values ----------------------------------------------------------
def test_values_keep_only_non_zero_points() -> None:
    book = minimal_book()
    book["Values"][1][2] = 0
    assert inputs_of(book).values == {("P01", "AIR"): 5.0, ("P02", "AIR"): 3.0, ("P02", "CYB"): 4.0}


def test_values_headers_match_area_ids_ignoring_case() -> None:
    book = minimal_book()
    book["Values"][0] = [" Programme", "cyb", "air"]
    assert inputs_of(book).values[("P01", "CYB")] == 5.0


def test_unknown_area_column_in_values_is_ignored_naming_the_lost_numbers() -> None:
    book = minimal_book()
    put(book, "Values", 2, "SPACE", 1)
    assert warnings_of(book) == [
        (
            'Values!D1: column "SPACE" is not a capability area and is ignored — it holds numbers '
            "(1 cell) that will not be used; expected a capability area id from the "
            "CapabilityAreas sheet: AIR, CYB"
        )
    ]
    assert inputs_of(book).values == inputs_of(minimal_book()).values


def test_unknown_programme_in_values() -> None:
    book = minimal_book()
    book["Values"].append(["P99", 1, 1])
    assert errors_of(book) == [
        ('Values!A4: programme "P99" is not in Programmes — expected a programme id from the Programmes sheet')
    ]


def test_second_values_row() -> None:
    book = minimal_book()
    book["Values"].append(["P02", 1, 1])
    assert errors_of(book) == [
        "Values!A4: programme P02 has a second row (first in row 3) — expected one row per programme"
    ]


def test_negative_value_and_area_weight() -> None:
    book = minimal_book()
    book["Values"][2][2] = -4
    book["CapabilityAreas"][1][2] = -1
    assert errors_of(book) == [
        "CapabilityAreas!C2: weight is -1 — expected a number ≥ 0",
        "Values!C3: value for CYB is -4 — expected a number ≥ 0",
    ]


def test_programme_missing_from_values_adds_nothing() -> None:
    book = minimal_book()
    del book["Values"][2]
    assert all(p != "P02" for p, _ in inputs_of(book).values)


# --- Programmes: joint-only columns and consortium sizes ----------------------------------
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


# --- Programmes: start windows ------------------------------------------------------------
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


# --- Standards ----------------------------------------------------------------------------
def test_standard_defaults_and_requirements() -> None:
    book = full_book()
    book["Standards"].append(["S2", None, 1, None, None])
    inputs = inputs_of(book)
    s2 = inputs.standard_by_id["S2"]
    assert (s2.name, s2.min_adopters, s2.weight) == ("S2", 1, 1.0)
    assert inputs.requirements == (("P02", "S1"),)


def test_standard_needs_adoption_cost() -> None:
    book = full_book()
    book["Standards"][1][2] = None
    assert errors_of(book) == ["Standards!C2: adoption_cost is blank — expected a number ≥ 0"]


def test_critical_mass_above_nation_count_is_a_warning() -> None:
    book = full_book()
    book["Standards"][1][3] = 4
    assert warnings_of(book) == [
        (
            "Standards!D2: min_adopters is 4 but there are only 3 nations, so S1 can never be "
            "adopted — expected at most 3"
        )
    ]


def test_unknown_standard_and_repeated_requirement() -> None:
    book = full_book()
    book["ProgrammeStandards"] += [["P01", "S9"], ["p02", "s1"]]
    with pytest.raises(InputError) as caught:
        validate_sheets(sheets_from_rows(book))
    assert [str(p) for p in caught.value.problems] == [
        ('ProgrammeStandards!B3: standard "S9" is not in Standards — expected a standard id from the Standards sheet')
    ]
    assert [str(w) for w in caught.value.warnings] == [
        "ProgrammeStandards!A4: P02 requires S1 again (first in row 2); the repeat is ignored"
    ]
