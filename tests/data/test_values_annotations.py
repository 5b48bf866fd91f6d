"""Values columns that are not capability areas (issue 16): ignored with a warning.

Planners keep comment columns next to the numbers; those must not stop a run. A misspelt
area, though, would lose its points, so the warning says what the column probably meant —
the same words through `validate_sheets`, `load_inputs` and the CLI.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from data.errors import InputError
from data.reader import load_inputs
from data.validate import sheets_from_rows, validate_sheets
from tests.data.fixtures.books import (
    Book,
    errors_of,
    inputs_of,
    minimal_book,
    put,
    warnings_of,
    write_book,
)

NOTES = 'Values!D1: column "notes" is not a capability area and is ignored'
MISSPELT = (
    'Values!D1: column "CYBR" is not a capability area and is ignored — did you mean "CYB"? It holds numbers (2 cells)'
)


def notes_book() -> Book:
    """The minimal book with a text column of planners' comments in Values."""
    book = minimal_book()
    put(book, "Values", 2, "notes", "ask J3 about the sensor")
    put(book, "Values", 3, "notes", "cost from 2025 study")
    return book


def misspelt_book() -> Book:
    """The minimal book with an extra area column typed CYBR (for CYB), holding numbers."""
    book = minimal_book()
    put(book, "Values", 2, "CYBR", 7)
    put(book, "Values", 3, "CYBR", " 2.5 ")  # a number typed as text is still a number
    return book


def validate_cli(path: Path):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli.main, ["validate", str(path)], catch_exceptions=False)


# --- validate_sheets --------------------------------------------------------------------
def test_text_notes_column_is_ignored_with_a_warning() -> None:
    assert warnings_of(notes_book()) == [NOTES]
    assert inputs_of(notes_book()) == inputs_of(minimal_book())


def test_misspelt_area_with_numbers_names_the_likely_area() -> None:
    assert warnings_of(misspelt_book()) == [MISSPELT]
    assert inputs_of(misspelt_book()).values == inputs_of(minimal_book()).values


def test_close_match_ignores_case_and_keeps_the_defined_spelling() -> None:
    book = minimal_book()
    put(book, "Values", 2, "cybr", None)  # a header over an empty column
    assert warnings_of(book) == [
        'Values!D1: column "cybr" is not a capability area and is ignored — did you mean "CYB"?'
    ]


def test_one_number_is_one_cell() -> None:
    book = minimal_book()
    put(book, "Values", 3, "CYBR", 1)
    assert warnings_of(book) == [
        (
            'Values!D1: column "CYBR" is not a capability area and is ignored — did you mean "CYB"? '
            "It holds numbers (1 cell)"
        )
    ]


def test_numbers_under_an_unrelated_header_list_the_area_ids() -> None:
    book = minimal_book()
    book["CapabilityAreas"] += [[f"A{i}", f"Area {i}", 1] for i in range(8)]
    put(book, "Values", 2, "remarks", 3)
    put(book, "Values", 3, "remarks", "see annex")  # text does not count
    assert warnings_of(book) == [
        (
            'Values!D1: column "remarks" is not a capability area and is ignored — it holds '
            "numbers (1 cell) that will not be used; expected a capability area id from the "
            "CapabilityAreas sheet: AIR, CYB, A0, A1, A2, A3, A4, A5, … (2 more)"
        )
    ]


def test_extra_columns_do_not_hide_errors_in_area_columns() -> None:
    book = notes_book()
    book["Values"][1][1] = -1
    assert errors_of(book) == ["Values!B2: value for AIR is -1 — expected a number ≥ 0"]


def test_no_warning_when_capability_areas_itself_is_missing() -> None:
    book = notes_book()
    del book["CapabilityAreas"]
    with pytest.raises(InputError) as caught:
        validate_sheets(sheets_from_rows(book))
    assert [str(p) for p in caught.value.problems] == [
        "CapabilityAreas: sheet is missing — expected a sheet named CapabilityAreas"
    ]
    assert caught.value.warnings == []  # every header is unjudged, not "not an area"


# --- load_inputs and the CLI ------------------------------------------------------------
def test_reader_loads_a_workbook_with_a_notes_column(tmp_path: Path) -> None:
    inputs, warnings = load_inputs(write_book(notes_book(), tmp_path / "notes.xlsx"))
    assert [str(w) for w in warnings] == [NOTES]
    assert inputs.values == inputs_of(minimal_book()).values


def test_reader_names_the_likely_area(tmp_path: Path) -> None:
    inputs, warnings = load_inputs(write_book(misspelt_book(), tmp_path / "typo.xlsx"))
    assert [str(w) for w in warnings] == [MISSPELT]
    assert inputs.values == inputs_of(minimal_book()).values


def test_cli_validate_accepts_a_notes_column_and_warns(tmp_path: Path) -> None:
    result = validate_cli(write_book(notes_book(), tmp_path / "notes.xlsx"))
    assert result.exit_code == 0, result.output
    assert f"warning: {NOTES}" in result.output.splitlines()
    assert "Programmes: 2" in result.output


def test_cli_validate_names_the_likely_area(tmp_path: Path) -> None:
    result = validate_cli(write_book(misspelt_book(), tmp_path / "typo.xlsx"))
    assert result.exit_code == 0, result.output
    assert f"warning: {MISSPELT}" in result.output.splitlines()
