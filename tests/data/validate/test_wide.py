"""The wide sheets, Budgets and Values: a key column, then one column per year or area (data.validate.wide)."""

from __future__ import annotations

import datetime as dt

from tests.data.fixtures.books import errors_of, inputs_of, minimal_book, put, warnings_of
from tests.data.validate.conftest import problems_of


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
        ("Budgets!F1: no column for year 2029 — expected one column per year 2027–2031, headed by the year")
    ]


def test_missing_horizon_years_are_listed_as_spans() -> None:
    book = minimal_book()
    book["Settings"][2][1] = 2035
    assert errors_of(book) == [
        ("Budgets!G1: no column for years 2032–2035 — expected one column per year 2027–2035, headed by the year")
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
        (
            "Budgets!B1: column header is the date 2027-01-01 — expected a year like 2028 (format "
            "the header cell as a number or text)"
        ),
        ("Budgets!G1: no column for year 2027 — expected one column per year 2027–2031, headed by the year"),
    ]


def test_repeated_year_column() -> None:
    book = minimal_book()
    put(book, "Budgets", 2, "2027", 1)
    assert errors_of(book) == ["Budgets!G1: column 2027 appears twice (also in column B) — expected each column once"]


def test_nation_without_budget_row() -> None:
    book = minimal_book()
    del book["Budgets"][3]
    assert errors_of(book) == ["Budgets!A4: nation CCC has no row — expected a row for every nation in Nations"]


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
    assert "Budgets!G1: no nation column — expected a column headed nation" in errors


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


# --- a Values sheet without a single area column ------------------------------------------
def test_area_names_as_headers_are_an_error_saying_which_id_is_meant() -> None:
    """Every column ignored with a warning, and the solve ran to an empty plan."""
    book = minimal_book()
    book["Values"][0] = ["programme", "air defence", "Cyber"]
    errors, warnings = problems_of(book)
    assert errors == [
        (
            "Values!D1: no column is a capability area — expected columns headed by ids from "
            'CapabilityAreas (AIR, CYB); "air defence" is the name of area AIR; "Cyber" is the name '
            "of area CYB"
        )
    ]
    assert warnings[0] == (
        'Values!B1: column "air defence" is not a capability area and is ignored — "air defence" '
        "is the name of area AIR: head the column AIR. It holds numbers (2 cells)"
    )


def test_a_long_values_layout_is_an_error() -> None:
    book = minimal_book()
    book["Values"] = [["programme", "capability_area", "value"], ["P01", "AIR", 5], ["P02", "CYB", 4]]
    errors, _ = problems_of(book)
    assert errors == [
        (
            "Values!D1: no column is a capability area — expected columns headed by ids from "
            'CapabilityAreas (AIR, CYB); column "capability_area" holds area ids: give each area a '
            "column of its own instead of a row per programme and area"
        )
    ]


def test_a_notes_column_beside_an_area_column_stays_a_warning() -> None:
    book = minimal_book()
    for row in book["Values"]:
        del row[2]  # CYB
    put(book, "Values", 2, "Air defence", 7)
    assert warnings_of(book) == [
        (
            'Values!C1: column "Air defence" is not a capability area and is ignored — "Air defence" '
            "is the name of area AIR: head the column AIR. It holds numbers (1 cell)"
        )
    ]


def test_no_area_column_is_not_judged_without_capability_areas() -> None:
    book = minimal_book()
    del book["CapabilityAreas"]
    book["Values"][0] = ["programme", "Air defence", "Cyber"]
    errors, _ = problems_of(book)
    assert errors == ["CapabilityAreas: sheet is missing — expected a sheet named CapabilityAreas"]


# --- long Budgets -------------------------------------------------------------------------
def test_long_budgets_are_said_once() -> None:
    book = minimal_book()
    book["Budgets"] = [["nation", "year", "budget"]] + [
        [nation, year, 100] for nation in ("AAA", "BBB", "CCC") for year in range(2027, 2032)
    ]
    assert errors_of(book) == [
        (
            'Budgets!B1: the sheet is laid out long, a row per nation and year (column "year" in B1) — expected '
            "Budgets wide: one row per nation and a column per year 2027–2031, headed by the year"
        )
    ]


def test_a_missing_year_is_named_right_of_an_ignored_column() -> None:
    """F1 held a "comment" header (warned about at the same cell): the missing year's cell is G1."""
    book = minimal_book()
    book["Budgets"][0][5] = "comment"
    assert errors_of(book) == [
        "Budgets!G1: no column for year 2031 — expected one column per year 2027–2031, headed by the year"
    ]
