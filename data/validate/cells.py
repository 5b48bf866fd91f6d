"""Raw cells and sheets as read, how values are shown in messages, and converting one
cell to its column's type.
"""

from __future__ import annotations

import datetime as _dt
import math
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from data.schema import (
    MAX_MAGNITUDE,
    MAX_MONEY,
    MIN_MONEY,
    MONEY,
    NO_WORDS,
    YEAR_MAX,
    YEAR_MIN,
    YES_WORDS,
    Column,
    drop_invisible,
    normalise_name,
)


# --- raw cells and sheets ---------------------------------------------------------------
@dataclass(frozen=True)
class CellError:
    """A cell holding an Excel error value such as #DIV/0! or #N/A."""

    code: str


class _UncachedFormula:
    """A formula cell whose result was never saved (openpyxl-written files, some exports)."""

    def __repr__(self) -> str:
        return "UNCACHED_FORMULA"


UNCACHED_FORMULA = _UncachedFormula()


@dataclass(frozen=True)
class RawSheet:
    """A sheet as read: its title as spelled in the workbook and its rows.

    `rows` holds (1-based row number, values from column A on); blank rows may be left
    out. `merged` lists merged ranges (their cells already hold the top-left value).
    `hidden_rows` lists rows that hold data but are hidden (or filtered out) in the
    workbook: they are read all the same, and the planner is told so; `hidden_columns`
    (1-based) says the same of columns, and `hidden` of the whole sheet.
    """

    title: str
    rows: tuple[tuple[int, tuple[object, ...]], ...] = ()
    merged: tuple[str, ...] = ()
    hidden_rows: tuple[int, ...] = ()
    hidden: bool = False
    hidden_columns: tuple[int, ...] = ()


def sheets_from_rows(book: Mapping[str, Sequence[Sequence[object]]]) -> list[RawSheet]:
    """Sheets from plain lists of rows (row 1 = the header), for tests and converters."""
    return [
        RawSheet(title, tuple((i, tuple(row)) for i, row in enumerate(rows, start=1))) for title, rows in book.items()
    ]


# --- showing values in messages ---------------------------------------------------------
def show(value: object) -> str:
    """A cell value as a planner would recognise it in a message; invisible characters are
    made visible (`visible`): `programme "P1" is not in Programmes`, about a cell holding
    "P1" and a zero-width space, looked wrong."""
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:39] + "…"
        return f'"{visible(text)}"'
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "infinity" if value > 0 else "-infinity"
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, _dt.datetime):
        if value.time() == _dt.time():
            return f"the date {value.date().isoformat()}"
        return f"the date {value.isoformat(sep=' ')}"
    if isinstance(value, _dt.date):
        return f"the date {value.isoformat()}"
    if isinstance(value, _dt.time):
        return f"the time {value.isoformat()}"
    if isinstance(value, _dt.timedelta):
        return f"the duration {value}"
    if isinstance(value, CellError):
        return f"the Excel error {value.code}"
    if value is UNCACHED_FORMULA:
        return "a formula with no cached value"
    return str(value)


def visible(text: str) -> str:
    """Each Unicode format character (`drop_invisible`) written as ⟨U+200B⟩ and the like:
    they show as nothing, and a message must say what the cell holds."""
    if text.isascii():
        return text
    return "".join(f"⟨U+{ord(ch):04X}⟩" if unicodedata.category(ch) == "Cf" else ch for ch in text)


def show_typed(value: object) -> str:
    """A cell `show`n as typed, surrounding spaces aside: for messages about text whose
    invisible characters the reading dropped (`_as_text`), where they may be the cause
    (`id "P1⟨U+200B⟩" repeats P1`)."""
    return show(value.strip()) if isinstance(value, str) else show(_as_text(value))


def span(years: Iterable[int]) -> str:
    """2027, 2028, 2029, 2031 -> '2027–2029, 2031' (keeps long lists readable)."""
    ordered = sorted(set(years))
    parts: list[str] = []
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        parts.append(str(ordered[i]) if i == j else f"{ordered[i]}–{ordered[j]}")
        i = j + 1
    return ", ".join(parts)


# --- converting one cell ----------------------------------------------------------------
class _Bad(Exception):
    """A cell that cannot be converted; carries the message parts."""

    def __init__(self, what: str, expected: str):
        super().__init__(what)
        self.what = what
        self.expected = expected


_BAD: Any = object()  # returned by conversions that already reported a problem
_NOT_A_NUMBER_TYPES = (bool, _dt.date, _dt.time, _dt.timedelta)


def is_blank(value: object) -> bool:
    """No value, or only spaces and invisible characters (a cell that looks empty)."""
    return value is None or (isinstance(value, str) and not drop_invisible(value).strip())


def as_number(value: object) -> float | int | None:
    """The number a cell holds (int kept exact; text such as " 2030 " as a number, as a
    planner may type it), or None if it holds none."""
    if isinstance(value, (*_NOT_A_NUMBER_TYPES, CellError, _UncachedFormula)):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        text = drop_invisible(value).strip()
        if "_" in text:  # Python reads "1_5" as 15 (the planner may have meant 1.5): no
            return None  # spreadsheet writes a number so
        try:
            number = float(text)
        except ValueError:
            return None
        if not math.isfinite(number):
            return None
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    return None


def _as_display_name(text: str) -> str:
    """A name column's text: invisible characters dropped only around it, like spaces. Inside
    a name they can be spelling: the zero-width non-joiner of Persian, Urdu or Kurdish
    ("جمهوری\u200cاسلامی" joined its letters once dropped). Ids, keys and numbers drop
    them everywhere (`_as_text`): there they only make look-alikes."""
    start, end = 0, len(text)
    while start < end and (text[start].isspace() or drop_invisible(text[start]) == ""):
        start += 1
    while end > start and (text[end - 1].isspace() or drop_invisible(text[end - 1]) == ""):
        end -= 1
    return text[start:end]


def _as_text(value: object) -> str:
    """A cell's text as the planner sees it: without surrounding spaces or invisible
    characters (`drop_invisible`), so ids read with neither, as does every text. An id Excel
    stored as a boolean (typed TRUE) reads as Excel shows it, not as Python's "True"."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, _dt.datetime) and value.time() == _dt.time():
        return value.date().isoformat()
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    return drop_invisible(str(value)).strip()


def _in_bounds(x: float, column: Column) -> bool:
    lo, hi = column.bounds
    if lo is not None and (x <= lo if column.min_exclusive else x < lo):
        return False
    return hi is None or x <= hi


_STORE_RESULTS = (
    "expected a value: open the workbook in Excel or LibreOffice and save it, so formula results are stored"
)


def unreadable(value: object, name: str, expected: str) -> tuple[str, str] | None:
    """(what, expected) for a cell that holds nothing to read — a formula whose result was
    never stored, or an Excel error — else None. Shared by value cells, headers and Settings
    keys, so that each says what is wrong instead of reading a placeholder as a name."""
    if value is UNCACHED_FORMULA:
        return f"{name} is {show(value)}", _STORE_RESULTS
    if isinstance(value, CellError):
        return f"{name} is {show(value)}", expected
    return None


def convert(value: object, column: Column) -> Any:
    """Convert a non-blank cell to the column's type; raise _Bad with the message parts."""
    what = f"{column.name} is {show(value)}"
    problem = unreadable(value, column.name, column.expected())
    if problem is not None:
        raise _Bad(*problem)
    kind = column.kind
    if kind in ("year", "whole", "number"):
        return _convert_number(value, column, what)
    if kind == "yes-no":
        return _convert_yes_no(value, column, what)
    if kind == "enum":
        wanted = normalise_name(_as_text(value))
        for choice in column.choices:
            if normalise_name(choice) == wanted:
                return choice
        raise _Bad(what, column.expected())
    if kind == "comma-list":
        if not isinstance(value, str):
            raise _Bad(what, column.expected())
        items = drop_invisible(value).split(",")
        return tuple(item.strip() for item in items if item.strip())
    if column.name == "name" and isinstance(value, str):
        return _as_display_name(value)
    return _as_text(value)  # text, id-reference


def number_hint(value: object) -> str:
    """How to write a number typed as text the way people write it elsewhere (a cell
    formatted as text, or pasted from a report): "15%" (Excel stores a typed 15% as 0.15),
    "1,5", "10,000" or "10 000" (separators a cell formatted as text keeps). Empty if none
    fits."""
    if not isinstance(value, str):
        return ""
    text = value.strip()
    if text.endswith("%") and as_number(text[:-1]) is not None:
        return f" (a percentage is written as a fraction: {text} is {as_number(text[:-1]) / 100:g})"  # type: ignore[operator]
    if "," in text and (as_number(text.replace(",", "")) is not None or as_number(text.replace(",", ".")) is not None):
        return " (write a plain number: a point for decimals and no thousands separators, e.g. 1500.5)"
    if "_" in text and as_number(text.replace("_", "")) is not None:
        return " (write a plain number, without underscores: a point for decimals, e.g. 1500.5)"
    joined = "".join(ch for ch in text if ch not in _SPACE_SEPARATORS)
    if joined != text and as_number(joined) is not None:
        return f" (write a plain number, without spaces between the digits, e.g. {joined})"
    return ""


# Spaces that reports and European locales put between thousands ("10 000"): the ordinary
# one, the no-break space (U+00A0) and the narrow and thin ones (U+202F, U+2009).
_SPACE_SEPARATORS = frozenset(" \u00a0\u202f\u2009")


# Whole-number columns whose sheet reader applies a tighter cap with its own message
# (programmes.py: duration_years at most MAX_DURATION_YEARS, "the longest horizon").
_CAPPED_WHEN_READ = frozenset({"duration_years"})


def _convert_number(value: object, column: Column, what: str) -> float | int:
    number = as_number(value)
    if number is None:
        hint = number_hint(value) if column.kind == "number" else ""
        raise _Bad(what, column.expected() + hint)
    if column.kind == "number":
        if not _in_bounds(number, column):
            raise _Bad(what, column.expected())
        _check_magnitude(number, column, what)
        return float(number)
    if isinstance(number, float) and not number.is_integer():
        raise _Bad(what, column.expected())
    whole = int(number)
    if not _in_bounds(whole, column):
        if column.kind == "year":
            raise _Bad(what, f"expected a year from {YEAR_MIN} to {YEAR_MAX}")
        raise _Bad(what, column.expected())
    if column.name not in _CAPPED_WHEN_READ:
        _check_magnitude(whole, column, what)
    return whole


def _check_magnitude(number: float, column: Column, what: str) -> None:
    """Refuse numbers the solver cannot work with precisely, whole numbers included: a
    `min_adopters` of 10**15 validated and then broke the solve with an internal error
    (its plan failed verification), where the planner should have been told at the cell."""
    if abs(number) > MAX_MAGNITUDE:
        raise _Bad(
            what,
            f"{column.expected()} up to {MAX_MAGNITUDE:,.0f} (the solver cannot work precisely with larger numbers)",
        )
    if column.unit == MONEY:
        _check_money(number, what)
    elif column.least_nonzero is not None and 0 < abs(number) < column.least_nonzero:
        raise _Bad(
            what,
            f"expected 0 or at least {column.least_nonzero:g} (smaller values fall under the "
            "solver's tolerances and are read as noise): enter 0 where it is negligible",
        )


def _check_money(amount: float, what: str) -> None:
    """Refuse amounts of money outside the range the solver separates reliably (data.schema
    MIN_MONEY, MAX_MONEY), saying which unit would bring them in."""
    if amount > MAX_MONEY:
        raise _Bad(
            what,
            f"expected an amount up to {MAX_MONEY:,.0f} in the Settings currency (with larger "
            "amounts the solver cannot tell a programme's cost from rounding): enter money in a larger "
            "unit, e.g. millions, and say so in Settings currency",
        )
    if 0 < amount < MIN_MONEY:
        raise _Bad(
            what,
            f"expected 0 or an amount of at least {MIN_MONEY:g} in the Settings currency "
            "(smaller amounts fall under the solver's tolerances): enter money in a smaller unit, e.g. "
            "thousands rather than millions, and say so in Settings currency",
        )


def _convert_yes_no(value: object, column: Column, what: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = drop_invisible(value).strip().casefold()
        if word in YES_WORDS:
            return True
        if word in NO_WORDS:
            return False
    raise _Bad(what, column.expected())
