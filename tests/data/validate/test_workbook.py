"""The whole workbook validated at once (data.validate.workbook): Inputs or one InputError listing every problem."""

from __future__ import annotations

import functools
import io
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from data.errors import InputError
from data.reader import read_sheets_from_bytes
from data.validate import UNCACHED_FORMULA, CellError, sheets_from_rows, validate_sheets
from tests.data.fixtures.books import errors_of, full_book, minimal_book, warnings_of, write_book


# --- a valid book, and every problem at once ----------------------------------------------
def test_minimal_book_is_valid_without_warnings() -> None:
    assert warnings_of(minimal_book()) == []
    assert warnings_of(full_book()) == []


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


# --- a missing sheet or column does not flood what refers to it ---------------------------
def test_missing_id_column_does_not_flood_references() -> None:
    book = minimal_book()
    book["Nations"][0][0] = "nation code"
    assert errors_of(book) == ["Nations!D1: no code column — expected a column headed code"]


def test_missing_required_sheet_does_not_flood_references() -> None:
    book = minimal_book()
    del book["Programmes"]
    assert errors_of(book) == ["Programmes: sheet is missing — expected a sheet named Programmes"]


def test_missing_areas_sheet_does_not_flood_settings() -> None:
    book = minimal_book()
    book["Settings"] += [["priority", "capability:AIR, cost"], ["weight_capability:AIR", 2]]
    del book["CapabilityAreas"]
    assert errors_of(book) == ["CapabilityAreas: sheet is missing — expected a sheet named CapabilityAreas"]


# --- whatever lands in the cells or the file, the outcome is Inputs or an InputError ------
CELLS = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.sampled_from(["P01", "aaa", "ALLIANCE", "AIR", "joint", "fund", "yes", "2027", "capability:air"]),
    st.integers(-(10**40), 10**40),
    st.floats(),
    st.booleans(),
    st.datetimes(),
    st.dates(),
    st.times(),
    st.just(CellError("#REF!")),
    st.just(UNCACHED_FORMULA),
)


@st.composite
def damaged_books(draw: st.DrawFn) -> dict:
    book = full_book()
    for _ in range(draw(st.integers(1, 6))):
        rows = book[draw(st.sampled_from(sorted(book)))]
        r = draw(st.integers(0, len(rows)))
        if r == len(rows):
            rows.append([])
        c = draw(st.integers(0, len(rows[r]) + 1))
        rows[r].extend([None] * (c + 1 - len(rows[r])))
        rows[r][c] = draw(CELLS)
    return book


@settings(max_examples=80, deadline=None)
@given(book=damaged_books())
def test_any_cell_values_give_inputs_or_input_error(book: dict) -> None:
    try:
        validate_sheets(sheets_from_rows(book))
    except InputError as exc:
        assert exc.problems and all("!" in str(p) or ":" in str(p) for p in exc.problems)


@functools.cache
def good_bytes() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        return write_book(full_book(), Path(folder) / "good.xlsx").read_bytes()


@st.composite
def damaged_files(draw: st.DrawFn) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(good_bytes()))
    victim = draw(st.sampled_from(source.namelist()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            data = source.read(name)
            if name == victim:
                cut = draw(st.integers(0, len(data)))
                data = data[:cut] + draw(st.binary(max_size=40)) + data[cut + draw(st.integers(0, 50)) :]
            target.writestr(name, data)
    raw = bytearray(out.getvalue())
    for _ in range(draw(st.integers(0, 3))):
        raw[draw(st.integers(0, len(raw) - 1))] = draw(st.integers(0, 255))
    return bytes(raw)


@settings(max_examples=60, deadline=None)
@given(data=damaged_files())
def test_damaged_files_give_inputs_or_input_error(data: bytes) -> None:
    try:
        validate_sheets(read_sheets_from_bytes(data, "f.xlsx"))
    except InputError as exc:
        assert exc.problems
