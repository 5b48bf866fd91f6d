"""Collecting problems: the running list of errors and warnings, table rows that convert
their cells on demand, and the ids a defining sheet registers.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import column_index_from_string

from data.errors import Problem
from data.schema import SHEETS, Column, drop_invisible, normalise_name
from data.validate.cells import _BAD, _Bad, convert, is_blank

# what a carry-over or borrowing fraction means, for the warnings on one typed as a percentage
CARRY_MEANING = "a nation may carry {percent} of a year's budget into the next"
BORROW_MEANING = "a nation may overspend by {percent} of next year's budget"


@dataclass
class _Check:
    """Every error and warning found so far, in discovery order."""

    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def error(self, sheet: str, cell: str, what: str, expected: str = "") -> None:
        self.errors.append(Problem(sheet, cell, what, expected))

    def warn(self, sheet: str, cell: str, what: str, expected: str = "") -> None:
        self.warnings.append(Problem(sheet, cell, what, expected))

    def warn_if_percent(
        self, sheet: str, cell: str, name: str, value: object, meaning: str, above: float = 1.0
    ) -> None:
        """A fraction typed as a percentage (carry_over_fraction 20, meant as 20 %): allowed
        by the contract (≥ 0) but almost surely not meant, so a warning says how it reads,
        as mip_gap's does, for values above `above` up to 100. `meaning` says it with
        {percent}, e.g. "… carry {percent} of …"."""
        if isinstance(value, (int, float)) and not isinstance(value, bool) and above < value <= 100:
            self.warn(
                sheet,
                cell,
                f"{name} {value:g} is a fraction: {meaning.format(percent=f'{value * 100:,g} %')} "
                f"(did you mean {value / 100:g} for {value:g} %?)",
            )

    def sort(self) -> None:
        """Sheet by sheet in workbook order, then row by row, as a planner fixes them."""
        self.errors.sort(key=_reading_order)
        self.warnings.sort(key=_reading_order)


_SHEET_ORDER = {normalise_name(s.name): i for i, s in enumerate(SHEETS)}


def _reading_order(problem: Problem) -> tuple[int, int, int]:
    sheet = _SHEET_ORDER.get(normalise_name(problem.sheet), -1)
    match = re.match(r"([A-Z]*)(\d*)", problem.cell)
    letters, digits = match.groups() if match else ("", "")
    column = column_index_from_string(letters) if letters else 0
    return sheet, int(digits) if digits else 0, column


class _Row:
    """One data row of a table sheet; converts cells on demand and reports problems."""

    def __init__(self, check: _Check, sheet: str, number: int, values: dict[str, object], letters: dict[str, str]):
        self.check = check
        self.sheet = sheet
        self.number = number
        self.values = values
        self.letters = letters

    def cell(self, name: str) -> str:
        letter = self.letters.get(name)
        return f"{letter}{self.number}" if letter else str(self.number)

    def raw(self, name: str) -> object:
        return self.values.get(name)

    def filled(self, name: str) -> bool:
        return not is_blank(self.values.get(name))

    def get(self, column: Column) -> Any:
        """The converted value, the default if blank, or _BAD after reporting why."""
        value = self.values.get(column.name)
        if is_blank(value):
            if column.required:
                self.check.error(self.sheet, self.cell(column.name), f"{column.name} is blank", column.expected())
                return _BAD
            return column.default
        try:
            return convert(value, column)
        except _Bad as bad:
            self.check.error(self.sheet, self.cell(column.name), bad.what, bad.expected)
            return _BAD


@dataclass
class _Table:
    """A table sheet's header and its non-blank rows.

    `complete` is False when a required column is missing: its rows then only define ids
    (so references to them still resolve) and are not otherwise read.
    """

    sheet: str  # the title as spelled in the workbook
    header_row: int
    rows: list[_Row]
    columns: frozenset[str] = frozenset()  # schema columns present in the header
    complete: bool = True
    letters: Mapping[str, str] = field(default_factory=dict)  # schema column -> its letter

    def first_cell(self, column: str) -> str:
        """The column's first cell below the header: where a table with no rows would begin."""
        return f"{self.letters.get(column, 'A')}{self.header_row + 1}"


def id_key(text: str) -> str:
    """How ids are matched: ignoring case and surrounding spaces (WORKBOOK.md), and the
    Unicode form too. "Café" typed with a composed é and pasted with e + a combining accent
    look the same to the planner, yet were told apart, and the message named two ids that
    read identically. Invisible characters (`drop_invisible`) are ignored for the same
    reason: "P1" + a zero-width space was a second programme reading "P1"."""
    folded = unicodedata.normalize("NFC", drop_invisible(text).strip()).casefold()
    return unicodedata.normalize("NFC", folded)


class _Ids:
    """Ids of one defining sheet, matched as `id_key` says (case, spaces, invisible characters)."""

    def __init__(self, what: str, required: bool = True):
        self.what = what
        self.required = required
        self.canonical: dict[str, str] = {}
        self.row_of: dict[str, int] = {}
        # False when the defining sheet or its id column is missing: references to it
        # cannot be judged, and reporting each one would bury the real problem.
        self.trusted = True

    def add(self, text: str, row: int) -> str | None:
        """Register an id; returns the canonical id of an earlier duplicate, if any."""
        key = id_key(text)
        if key in self.canonical:
            return self.canonical[key]
        self.canonical[key] = text
        self.row_of[text] = row
        return None

    def resolve(self, text: str) -> str | None:
        return self.canonical.get(id_key(text))

    def __contains__(self, text: str) -> bool:
        return self.resolve(text) is not None

    def __len__(self) -> int:
        return len(self.canonical)
