"""Whatever lands in the cells or the file, the outcome is Inputs or an InputError."""

from __future__ import annotations

import functools
import io
import tempfile
import zipfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from data.errors import InputError
from data.reader import read_sheets_from_bytes
from data.validate import UNCACHED_FORMULA, CellError, sheets_from_rows, validate_sheets
from tests.data.fixtures.books import full_book, write_book

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
