"""Habits a planner brings from other spreadsheets: hiding rows to leave them out, typing
percentages and separators into cells formatted as text. Each is either read as the
planner meant or named with what to write instead."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from data.reader import load_inputs
from tests.data.fixtures.books import errors_of, minimal_book, put, write_book


def hide_rows(path: Path, sheet: str, rows: list[int]) -> Path:
    """The workbook with `rows` of `sheet` hidden, as Excel's Hide (or a filter) leaves it."""
    wb = openpyxl.load_workbook(path)
    for row in rows:
        wb[sheet].row_dimensions[row].hidden = True
    wb.save(path)
    return path


def test_a_hidden_row_is_read_and_the_planner_is_told(tmp_path: Path) -> None:
    """Hiding P02 looked like leaving it out, but it was read silently (and could be funded)."""
    path = hide_rows(write_book(minimal_book(), tmp_path / "in.xlsx"), "Programmes", [3])
    inputs, warnings = load_inputs(path)
    assert "P02" in {p.id for p in inputs.programmes}
    assert [str(w) for w in warnings] == [
        "Programmes!3: row 3 is hidden but read like any other (to leave a row out, delete it)"
    ]


def test_hidden_rows_of_a_sheet_are_one_warning_and_empty_hidden_rows_none(tmp_path: Path) -> None:
    book = minimal_book()
    book["Budgets"].append(["DDD", 1, 1, 1, 1, 1])  # row 5: an unknown nation would be an error,
    book["Nations"].append(["DDD", "Delta", "ally"])  # so Delta is a nation too
    path = hide_rows(write_book(book, tmp_path / "in.xlsx"), "Budgets", [2, 3, 5, 40])
    _, warnings = load_inputs(path)
    assert [str(w) for w in warnings] == [
        "Budgets!2: rows 2–3, 5 are hidden but read like any other (to leave a row out, delete it)"
    ]


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_a_hidden_sheet_is_read_and_the_planner_is_told(tmp_path: Path, state: str) -> None:
    """Hiding a sheet looked like leaving it out; it was read with no word (audit)."""
    path = write_book(minimal_book(), tmp_path / "in.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["Budgets"].sheet_state = state
    wb.save(path)
    inputs, warnings = load_inputs(path)
    assert inputs.budgets and [str(w) for w in warnings] == [
        (
            "Budgets: sheet is hidden in the workbook but read like any other (unhide it to review it; "
            "to leave its data out, delete the rows)"
        )
    ]


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


def test_hidden_columns_are_read_and_the_planner_is_told(tmp_path: Path) -> None:
    """An audit hid a Budgets year column: it was read (and spent) with no word, where a
    hidden row or sheet is named. A hidden column beyond the data is not worth a word."""
    path = write_book(minimal_book(), tmp_path / "in.xlsx")
    wb = openpyxl.load_workbook(path)
    for letter in ("C", "D", "Z"):
        wb["Budgets"].column_dimensions[letter].hidden = True
    wb.save(path)
    inputs, warnings = load_inputs(path)
    assert inputs.budgets and [str(w) for w in warnings] == [
        ("Budgets!C: columns C (2028), D (2029) are hidden but read like any other (to leave a column out, delete it)")
    ]


def test_fractions_typed_as_percentages_are_named_with_what_they_mean(tmp_path: Path) -> None:
    """carry_over_fraction 20, discount_rate 3 and cost_overrun_risk 40 were read as 2,000 %,
    300 % and 4,000 % with no word, where mip_gap 5 is named (audit). The contract allows
    them (≥ 0), so warnings; 1 and below, and above 100, get none."""
    book = minimal_book()
    book["Settings"].append(["carry_over_fraction", 20])
    book["Settings"].append(["discount_rate", 3])
    put(book, "Programmes", 2, "cost_overrun_risk", 40)
    put(book, "Programmes", 3, "cost_overrun_risk", 1)
    inputs, warnings = load_inputs(write_book(book, tmp_path / "in.xlsx"))
    assert inputs.settings.carry_over_fraction == 20  # read as written
    texts = [str(w) for w in warnings]
    assert any(
        t.endswith(
            "carry_over_fraction 20 is a fraction: a nation may carry 2,000 % of a year's budget "
            "into the next (did you mean 0.2 for 20 %?)"
        )
        for t in texts
    )
    assert any(
        t.endswith(
            "discount_rate 3 is a fraction: capability is discounted by 300 % a year (did you mean 0.03 for 3 %?)"
        )
        for t in texts
    )
    assert any(
        t.endswith(
            "cost_overrun_risk 40 is a fraction: the expected overrun is 4,000 % of the cost "
            "(did you mean 0.4 for 40 %?)"
        )
        for t in texts
    )
    assert len(texts) == 3


def test_text_with_excel_s_escapes_reads_as_excel_shows_it(tmp_path: Path) -> None:
    """Excel stores a carriage return typed into a cell as "_x000D_": "AAA" + CR was refused
    as nation "AAA_x000D_" (no row) beside Budgets' "AAA" (not in Nations). The escapes are
    decoded, as Excel and LibreOffice show them; an escaped underscore ("_x005F_") keeps the
    text after it literal."""
    book = minimal_book()
    book["Nations"][1][0] = "AAA_x000D_"
    book["Nations"][2][1] = "Bravo_x005F_x0041_"
    inputs, _ = load_inputs(write_book(book, tmp_path / "in.xlsx"))
    assert [n.code for n in inputs.nations][:2] == ["AAA", "BBB"]
    assert inputs.nations[1].name == "Bravo_x0041_"


def test_an_escaped_control_character_no_workbook_holds_reads_as_a_space(tmp_path: Path) -> None:
    """A line break pasted from Word is stored as "_x000B_" (a vertical tab): decoded as such,
    the name could not be written to any output workbook (openpyxl's IllegalCharacterError)."""
    from data.input_writer import write_inputs

    book = minimal_book()
    book["Nations"][1][1] = "Alpha_x000B_North"
    inputs, _ = load_inputs(write_book(book, tmp_path / "in.xlsx"))
    assert inputs.nations[0].name == "Alpha North"
    write_inputs(inputs, tmp_path / "again.xlsx")  # raised IllegalCharacterError


def test_an_id_excel_stored_as_true_reads_as_excel_shows_it(tmp_path: Path) -> None:
    """A nation typed TRUE (Excel stores the boolean) came back as "True" in every output."""
    book = minimal_book()
    for sheet, row in (("Nations", 3), ("Budgets", 3)):
        book[sheet][row - 1][0] = True
    inputs, _ = load_inputs(write_book(book, tmp_path / "in.xlsx"))
    assert "TRUE" in [n.code for n in inputs.nations]
