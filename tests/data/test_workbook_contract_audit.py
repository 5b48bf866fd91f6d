"""Faults found by auditing the reader, validator and writers against WORKBOOK.md.

Each test reproduces one fault as a planner (or a script) met it: bad input must end in a
`Sheet!Cell: what — expected` message, never an internal error later on, and no output may
ever be written over the input workbook.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from data.errors import InputError
from data.reader import load_inputs
from data.report import write_plan_workbook, write_tables_workbook
from data.tables import Source
from data.validate import CellError, sheets_from_rows, validate_sheets
from tests.data.fixtures.books import errors_of, full_book, inputs_of, put, write_book


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


# --- never over the input ------------------------------------------------------------------
def _summary(input_file: str) -> list[tuple[str, object]]:
    return [("status", "optimal"), ("objective", "lexicographic"), ("input_file", input_file)]


def _assert_untouched(path: Path, before: bytes) -> None:
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_a_plan_is_never_written_over_the_input_it_names(tmp_path: Path) -> None:
    """`result.to_excel(<the input path>)` from Python replaced the planner's workbook with
    the plan: only the command line refused it. The writer now refuses it itself."""
    book = write_book(full_book(), tmp_path / "in.xlsx")
    before = book.read_bytes()
    with pytest.raises(ValueError, match="would overwrite the input workbook"):
        write_plan_workbook(book, _summary(str(book)), {}, [2027])
    _assert_untouched(book, before)


def test_a_link_to_the_input_is_the_input(tmp_path: Path) -> None:
    book = write_book(full_book(), tmp_path / "in.xlsx")
    before = book.read_bytes()
    (tmp_path / "link.xlsx").symlink_to(book)
    inputs = inputs_of(full_book())
    inputs = inputs.with_changes(source=Source(str(book), "0" * 64))
    with pytest.raises(ValueError, match="would overwrite the input workbook"):
        write_plan_workbook(tmp_path / "link.xlsx", _summary(""), {}, [2027], inputs=inputs)
    _assert_untouched(book, before)


def test_a_study_is_never_written_over_a_workbook_it_read(tmp_path: Path) -> None:
    """Sweeps, fronts and the other study workbooks name what they read in Summary too
    (`input_file`; a stress test's `plan_file:<label>`)."""
    plan = tmp_path / "plan.xlsx"
    plan.write_bytes(b"a plan")
    with pytest.raises(ValueError, match="would overwrite the input workbook"):
        write_tables_workbook(
            plan, {"T": pd.DataFrame({"a": [1]})}, [("status", "optimal"), ("plan_file:b", str(plan))]
        )
    _assert_untouched(plan, b"a plan")


def test_another_file_is_written_as_before(tmp_path: Path) -> None:
    book = write_book(full_book(), tmp_path / "in.xlsx")
    out = write_plan_workbook(tmp_path / "out.xlsx", _summary(str(book)), {}, [2027])
    assert out.exists() and out != book


# --- headers and keys that hold no readable value --------------------------------------------
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
        ("Budgets!1: no column for year 2028 — expected one column per year 2027–2031, headed by the year"),
        f"Budgets!C1: column header is a formula with no cached value — {_STORE}",
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


# --- Unicode ids -----------------------------------------------------------------------------
def test_an_id_typed_in_another_unicode_form_is_the_same_id() -> None:
    """ "Café" typed in Nations (composed é) and pasted into Budgets from elsewhere (e +
    combining accent: macOS file names, some exports) look identical, yet the Budgets row was
    refused as a nation not in Nations, and Café as having no row."""
    book = full_book()
    book["Nations"].append([unicodedata.normalize("NFC", "Café"), "Café", "ally"])
    book["Budgets"].append([unicodedata.normalize("NFD", "Café"), 1, 2, 3, 4, 5])
    inputs = inputs_of(book)
    code = unicodedata.normalize("NFC", "Café")
    assert inputs.budget(code, 2031) == 5


def test_two_ids_that_differ_only_in_unicode_form_are_duplicates() -> None:
    book = full_book()
    book["CapabilityAreas"].append([unicodedata.normalize("NFC", "Sécurité"), "a", 1])
    book["CapabilityAreas"].append([unicodedata.normalize("NFD", "SÉCURITÉ"), "b", 1])
    errors = errors_of(book)
    assert len(errors) == 1 and errors[0].startswith("CapabilityAreas!A5: id ")
    assert "repeats Sécurité from row 4" in unicodedata.normalize("NFC", errors[0])
