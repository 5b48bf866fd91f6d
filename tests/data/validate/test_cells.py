"""One cell read as its column's type, or refused with what to write instead (data.validate.cells)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from data.reader import load_inputs
from data.schema import MAX_MONEY, MIN_MONEY
from data.validate import UNCACHED_FORMULA, CellError, show
from tests.data.fixtures.books import errors_of, full_book, inputs_of, minimal_book, put, write_book
from tests.data.validate.conftest import settings


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


def test_numbers_given_as_text_are_accepted() -> None:
    book = minimal_book()
    put(book, "Programmes", 2, "total_cost", " 60.5 ")
    put(book, "Programmes", 2, "duration_years", "2")
    p = inputs_of(book).programmes[0]
    assert (p.total_cost, p.duration_years) == (60.5, 2)


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


# --- numbers written as other spreadsheets write them, and ids Excel stores as booleans ---
@pytest.mark.parametrize(
    ("sheet", "row", "column", "value", "message"),
    [
        (
            "Settings",
            4,
            "value",
            "15%",
            (
                'Settings!B4: carry_over_fraction is "15%" — expected a number ≥ 0 '
                "(a percentage is written as a fraction: 15% is 0.15)"
            ),
        ),
        (
            "Programmes",
            3,
            "min_share",
            " 25 %",
            (
                'Programmes!G3: min_share is " 25 %" — expected a number from 0 to 1 '
                "(a percentage is written as a fraction: 25 % is 0.25)"
            ),
        ),
        (
            "Programmes",
            2,
            "total_cost",
            "1,5",
            (
                'Programmes!F2: total_cost is "1,5" — expected a number ≥ 0 '
                "(write a plain number: a point for decimals and no thousands separators, e.g. 1500.5)"
            ),
        ),
        (
            "Programmes",
            2,
            "total_cost",
            "10,000",
            (
                'Programmes!F2: total_cost is "10,000" — expected a number ≥ 0 '
                "(write a plain number: a point for decimals and no thousands separators, e.g. 1500.5)"
            ),
        ),
        (
            "Programmes",
            2,
            "total_cost",
            "a lot, really",
            'Programmes!F2: total_cost is "a lot, really" — expected a number ≥ 0',
        ),
        (
            "Programmes",
            2,
            "total_cost",
            "1_5",
            (
                'Programmes!F2: total_cost is "1_5" — expected a number ≥ 0 '
                "(write a plain number, without underscores: a point for decimals, e.g. 1500.5)"
            ),
        ),
        (
            "Settings",
            4,
            "value",
            "0_2",
            (
                'Settings!B4: carry_over_fraction is "0_2" — expected a number ≥ 0 '
                "(write a plain number, without underscores: a point for decimals, e.g. 1500.5)"
            ),
        ),
        (
            "Programmes",
            2,
            "earliest_start",
            "20_28",
            'Programmes!G2: earliest_start is "20_28" — expected a year like 2028',
        ),
        (
            "Programmes",
            2,
            "duration_years",
            "50%",
            'Programmes!E2: duration_years is "50%" — expected a whole number ≥ 1',
        ),
    ],
)
def test_numbers_written_as_elsewhere_say_how_to_write_them(
    sheet: str, row: int, column: str, value: object, message: str
) -> None:
    book = minimal_book()
    if sheet == "Settings":
        book["Settings"].insert(row - 1, ["carry_over_fraction", value])
    else:
        put(book, sheet, row, column, value)
    assert errors_of(book) == [message]


def test_an_id_excel_stored_as_true_reads_as_excel_shows_it(tmp_path: Path) -> None:
    """A nation typed TRUE (Excel stores the boolean) came back as "True" in every output."""
    book = minimal_book()
    for sheet, row in (("Nations", 3), ("Budgets", 3)):
        book[sheet][row - 1][0] = True
    inputs, _ = load_inputs(write_book(book, tmp_path / "in.xlsx"))
    assert "TRUE" in [n.code for n in inputs.nations]


# --- money the solver can separate --------------------------------------------------------
# Budgets and costs typed in euros rather than millions came back "optimal" at half the
# capability of a valid plan, and amounts of 1e-5 fell under HiGHS's tolerances (plans over
# budget passed). Both are refused at their cell, with the unit to use instead (data.schema
# MIN_MONEY, MAX_MONEY).
def test_money_in_euros_is_refused_at_its_cell_with_the_unit_to_use() -> None:
    book = minimal_book()
    book["Budgets"][1][1] = 2.5e9
    put(book, "Programmes", 2, "total_cost", 8.2e9)
    errors = errors_of(book)
    assert len(errors) == 2
    assert errors[0].startswith("Budgets!B2: ") and "expected an amount up to 100,000,000" in errors[0]
    assert errors[1].startswith(
        "Programmes!F2: total_cost is 8200000000 — expected an amount up to 100,000,000 in the Settings currency"
    )
    assert all("enter money in a larger unit, e.g. millions" in e for e in errors)


def test_crumbs_of_money_are_refused_and_zero_is_not() -> None:
    book = minimal_book()
    put(book, "Programmes", 2, "total_cost", 1e-5)
    [error] = errors_of(book)
    assert error.startswith("Programmes!F2: total_cost is 1e-05 — expected 0 or an amount of at least 0.001")
    assert "enter money in a smaller unit" in error


def test_the_range_itself_is_accepted() -> None:
    book = minimal_book()
    book["Budgets"][1][1] = MAX_MONEY
    put(book, "Programmes", 2, "total_cost", MIN_MONEY)
    put(book, "Programmes", 3, "total_cost", 0)
    inputs = inputs_of(book)
    assert max(inputs.budgets.values()) == MAX_MONEY
    assert sorted(p.total_cost for p in inputs.programmes)[:2] == [0.0, MIN_MONEY]


def test_crumbs_of_value_or_risk_are_refused_and_zero_is_not() -> None:
    """Values of 1e-6 made a stage "optimal" 6 % short of its best (HiGHS's absolute gap), and
    risks of 1e-7 let a weighted run minimising risk fund what raised it."""
    book = minimal_book()
    put(book, "Programmes", 2, "cost_overrun_risk", 1e-7)
    book["Values"][1][1] = 1e-6
    errors = errors_of(book)
    assert len(errors) == 2, errors
    assert any(
        e.startswith("Programmes!") and "cost_overrun_risk is 1e-07 — expected 0 or at least 0.0001" in e
        for e in errors
    )
    assert any(e.startswith("Values!B2: ") and "expected 0 or at least 0.0001" in e for e in errors)
    book = minimal_book()
    put(book, "Programmes", 2, "cost_overrun_risk", 1e-4)
    book["Values"][1][1] = 0
    assert inputs_of(book).programmes[0].cost_overrun_risk == 1e-4


def test_an_area_weight_too_small_for_the_solver_is_refused() -> None:
    """Area weights of 1e-7 made a capability stage "optimal" 1 % short of its best."""
    book = minimal_book()
    book["CapabilityAreas"][1][2] = 1e-7
    [error] = errors_of(book)
    assert error.startswith("CapabilityAreas!C2: weight is 1e-07 — expected 0 or at least 0.0001")


# --- invisible characters in cells --------------------------------------------------------
def test_a_cell_holding_only_invisible_characters_is_blank() -> None:
    book = minimal_book()
    book["Values"][2][2] = "\u200b"
    book["Programmes"][1][1] = "\ufeff"
    inputs = inputs_of(book)
    assert ("P02", "CYB") not in inputs.values
    assert inputs.programmes[0].name == "P01"  # a blank name defaults to the id


def test_numbers_choices_and_lists_read_through_invisible_characters() -> None:
    book = settings(minimal_book(), ["priority", "capability,\u200bcost"])
    book["Budgets"][1][1] = "100\u200b"
    book["Programmes"][2][3] = "joint\u200b"
    inputs = inputs_of(book)
    assert inputs.budgets[("AAA", 2027)] == 100
    assert inputs.programmes[1].sharing == "joint"
    assert inputs.settings.priority == ("capability", "cost")


def test_messages_show_invisible_characters() -> None:
    book = minimal_book()
    book["Values"].append(["P9\u200b", 1, None])
    assert errors_of(book) == [
        ('Values!A4: programme "P9⟨U+200B⟩" is not in Programmes — expected a programme id from the Programmes sheet')
    ]
    assert show("\ufeffALPHA") == '"⟨U+FEFF⟩ALPHA"'
    assert show("plain") == '"plain"'


def test_a_name_keeps_the_invisible_characters_inside_it() -> None:
    """A Persian name's zero-width non-joiner is part of its spelling: dropped, the letters
    joined. Around the name they are dropped like spaces; ids drop them everywhere."""
    book = minimal_book()
    book["Nations"][1][1] = "\u200fجمهوری\u200cاسلامی ایران\u200b "
    inputs = inputs_of(book)
    assert inputs.nations[0].name == "جمهوری\u200cاسلامی ایران"


# --- a number with spaces between its digits ----------------------------------------------
@pytest.mark.parametrize("typed", ["10 000", "10\u00a0000", "10\u202f000"])
def test_a_number_with_spaces_between_its_digits_says_how_to_write_it(typed: str) -> None:
    book = minimal_book()
    book["Budgets"][1][2] = typed  # Budgets!C2, AAA in 2028
    assert errors_of(book) == [
        (
            f'Budgets!C2: budget for 2028 is "{typed}" — expected a number ≥ 0 (write a plain number, without '
            "spaces between the digits, e.g. 10000)"
        )
    ]


# --- huge whole numbers -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("sheet", "row", "column", "value", "message"),
    [
        # min_adopters 10**15 validated (with a warning) and `solve` then failed with an
        # internal error: the plan failed verification (the solver lost its precision).
        (
            "Standards",
            2,
            "min_adopters",
            10**15,
            (
                "Standards!D2: min_adopters is 1000000000000000 — expected a whole number ≥ 1 up to "
                "1,000,000,000,000 (the solver cannot work precisely with larger numbers)"
            ),
        ),
        (
            "Nations",
            2,
            "max_concurrent_programmes",
            1e300,
            (
                "Nations!D2: max_concurrent_programmes is 1e+300 — expected a whole number ≥ 0 up to "
                "1,000,000,000,000 (the solver cannot work precisely with larger numbers)"
            ),
        ),
        (
            "Programmes",
            3,
            "min_participants",
            "2000000000000",
            (
                'Programmes!G3: min_participants is "2000000000000" — expected a whole number ≥ 1 up '
                "to 1,000,000,000,000 (the solver cannot work precisely with larger numbers)"
            ),
        ),
    ],
)
def test_a_huge_whole_number_is_refused_at_its_cell(
    sheet: str, row: int, column: str, value: object, message: str
) -> None:
    """input-validation.md: any number above 1,000,000,000,000 is refused — whole numbers
    too, not only the `number` columns."""
    book = full_book()
    put(book, sheet, row, column, value)
    assert errors_of(book) == [message]


def test_a_whole_number_at_the_limit_is_still_read() -> None:
    book = full_book()
    put(book, "Nations", 2, "max_concurrent_programmes", 10**12)
    assert inputs_of(book).nation_by_code["AAA"].max_concurrent_programmes == 10**12
