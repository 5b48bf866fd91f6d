"""Helpers the validator's tests share: a book's problems, and Settings rows added to a book."""

from __future__ import annotations

import pytest

from data.errors import InputError
from data.validate import sheets_from_rows, validate_sheets
from tests.data.fixtures.books import Book


def problems_of(book: Book) -> tuple[list[str], list[str]]:
    """(errors, warnings) of an invalid book."""
    with pytest.raises(InputError) as caught:
        validate_sheets(sheets_from_rows(book))
    return [str(p) for p in caught.value.problems], [str(w) for w in caught.value.warnings]


def settings(book: Book, *rows: list[object]) -> Book:
    """The book with Settings rows added below first_year (row 2) and last_year (row 3)."""
    book["Settings"].extend(list(r) for r in rows)
    return book
