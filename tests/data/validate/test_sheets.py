"""Sheets, headers and columns matched to the schema, hidden rows, and ids defined and used (data.validate.sheets)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from data.errors import InputError
from data.reader import load_inputs
from data.validate import CellError, sheets_from_rows, validate_sheets
from tests.data.fixtures.books import errors_of, full_book, inputs_of, minimal_book, put, warnings_of, write_book


# --- sheets and columns -------------------------------------------------------------------
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
    assert errors[0] == "CapabilityAreas!A1: sheet is empty — expected a header row with id, name, weight"


def test_missing_required_column() -> None:
    book = minimal_book()
    for row in book["Programmes"]:
        del row[4]  # duration_years
    # at the cell where the header would go, after the last one: errors point at a cell
    assert errors_of(book) == ["Programmes!F1: no duration_years column — expected a column headed duration_years"]


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


# --- ids ----------------------------------------------------------------------------------
def test_blank_id() -> None:
    book = minimal_book()
    book["Programmes"][1][0] = "  "
    assert errors_of(book) == [
        "Programmes!A2: id is blank — expected an id",
        ('Values!A2: programme "P01" is not in Programmes — expected a programme id from the Programmes sheet'),
    ]


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


# --- hidden rows, columns and sheets: read, and the planner is told -----------------------
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


# --- invisible characters in ids, sheet and column names ----------------------------------
def test_an_id_with_a_zero_width_space_repeats_the_id_and_the_message_shows_it() -> None:
    """ "P01" + U+200B beside "P01" validated, and the plan showed two programmes "P01"."""
    book = minimal_book()
    book["Programmes"].append(["P01\u200b", "Drone swarm (copy)", "autonomy", "national", 2, 60])
    assert errors_of(book) == [
        (
            'Programmes!A4: id "P01⟨U+200B⟩" repeats P01 from row 2 — expected a unique id (ids are '
            "matched ignoring case and spaces)"
        )
    ]


def test_sheet_and_column_names_ignore_invisible_characters() -> None:
    """ "Targets" + U+200B was 'not an input sheet' and the run went ahead without targets."""
    book = full_book()
    book["Targets\u200b"] = book.pop("Targets")
    book["Programmes"][0][4] = "duration_years\u200b"
    inputs, warnings = validate_sheets(sheets_from_rows(book))
    assert warnings == []
    assert len(inputs.targets) == 2
    assert [p.duration_years for p in inputs.programmes] == [2, 3]


# --- a title row above the header, a header that is missing -------------------------------
def test_a_title_row_above_the_header_is_said_once() -> None:
    book = minimal_book()
    book["Programmes"].insert(0, ["Candidate programmes 2027-2031"])
    assert errors_of(book) == [
        (
            "Programmes!A1: no id, duration_years or total_cost column in row 1, which should be the header — "
            "the header seems to be in row 2: delete the rows above it"
        )
    ]


def test_a_title_row_and_a_blank_row_above_a_wide_sheet_are_said_once() -> None:
    book = minimal_book()
    book["Budgets"][:0] = [["Budgets, EUR million"], [None]]
    assert errors_of(book) == [
        (
            "Budgets!A1: no nation column in row 1, which should be the header — the header seems to be in "
            "row 3: delete the rows above it"
        )
    ]


def test_a_header_that_is_simply_missing_is_not_taken_for_a_title() -> None:
    book = minimal_book()
    book["Programmes"][0][4] = "years"
    assert errors_of(book) == ["Programmes!G1: no duration_years column — expected a column headed duration_years"]


# --- headers and keys that hold no readable value -----------------------------------------
_STORE = "expected a value: open the workbook in Excel or LibreOffice and save it, so formula results are stored"


def test_a_header_formula_without_a_stored_result_is_an_error_that_says_so(tmp_path: Path) -> None:
    """Year headers written as =B1+1 by a script (never calculated) were warned about as
    columns named "UNCACHED_FORMULA", a Values area column and a Settings key were dropped
    with a warning (losing their numbers): WORKBOOK.md makes such a formula an error that
    says so."""
    book = full_book()
    book["Budgets"][0][2] = "=B1+1"
    book["Programmes"][0][2] = '="technology"'
    book["Values"][0][2] = '="CYB"'
    book["Settings"].append(['="carry_over_fraction"', 0.1])
    with pytest.raises(InputError) as caught:
        load_inputs(write_book(book, tmp_path / "in.xlsx"))
    assert [str(p) for p in caught.value.problems] == [
        f"Settings!A4: key is a formula with no cached value — {_STORE}",
        f"Budgets!C1: column header is a formula with no cached value — {_STORE}",
        ("Budgets!G1: no column for year 2028 — expected one column per year 2027–2031, headed by the year"),
        f"Programmes!C1: column header is a formula with no cached value — {_STORE}",
        f"Values!C1: column header is a formula with no cached value — {_STORE}",
    ]
    assert not any("UNCACHED" in str(w) for w in caught.value.warnings)


def test_a_header_holding_an_excel_error_is_an_error_at_its_cell() -> None:
    book = full_book()
    book["Nations"][0][1] = CellError("#REF!")
    book["Values"][0][1] = CellError("#NAME?")
    with pytest.raises(InputError) as caught:
        validate_sheets(sheets_from_rows(book))
    assert [str(p) for p in caught.value.problems] == [
        "Nations!B1: column header is the Excel error #REF! — expected a column name",
        "Values!B1: column header is the Excel error #NAME? — expected a capability area id",
    ]


# --- where something missing is named -----------------------------------------------------
def test_a_missing_column_is_named_right_of_every_filled_cell() -> None:
    """The cell where the missing header would go: right of a duplicate header (F1 held one)
    and of data under no header (typing there would adopt that data)."""
    book = minimal_book()
    for row in book["Programmes"]:
        row[4] = row[5]  # duration_years gone, total_cost twice (E and F)
    assert errors_of(book) == [
        "Programmes!F1: column total_cost appears twice (also in column E) — expected each column once",
        "Programmes!G1: no duration_years column — expected a column headed duration_years",
    ]
    book = minimal_book()
    for row in book["Programmes"]:
        del row[4]
    book["Programmes"][1] += [None, "a note"]  # data in G, under no header
    assert "Programmes!H1: no duration_years column — expected a column headed duration_years" in errors_of(book)


def test_a_title_above_the_header_is_named_at_its_own_cell() -> None:
    book = minimal_book()
    book["Programmes"].insert(0, [None, None, "Programmes 2027"])
    assert errors_of(book)[0].startswith("Programmes!C1: no id, duration_years or total_cost column in row 1")


def test_missing_settings_years_are_named_in_the_key_column_below_the_table() -> None:
    """A Settings table in columns C and D with no rows: C2 and C3, where the keys go (A2
    and A3 were named); without a key column only that is said (each row read as "a value
    has no key", and both years "missing" though typed in the column meant as keys)."""
    book = minimal_book()
    book["Settings"] = [[None, None, "key", "value"]]
    assert errors_of(book)[:2] == [
        "Settings!C2: first_year is missing — expected a row with key first_year and a year like 2028",
        "Settings!C3: last_year is missing — expected a row with key last_year and a year like 2028",
    ]
    book = minimal_book()
    book["Settings"][0][0] = "name"
    assert [e for e in errors_of(book) if e.startswith("Settings")] == [
        "Settings!C1: no key column — expected a column headed key"
    ]
