"""Validate raw sheet rows against `data.schema` and build typed `Inputs`.

The reader (`data.reader`) turns a workbook into `RawSheet`s; everything that judges the
content lives here, so tests and converters can validate rows built in code without
Excel (`sheets_from_rows`). Every problem is collected before anything is raised: one
`InputError` lists all of them as `Sheet!Cell: what — expected` (WORKBOOK.md).
"""

from __future__ import annotations

import datetime as _dt
import difflib
import itertools
import logging
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.cell import coordinate_from_string

from data.errors import InputError, Problem
from data.schema import (
    AREA_WEIGHT_KEY_PREFIX,
    DATA_DICTIONARY_SHEET,
    MAX_DURATION_YEARS,
    MAX_MAGNITUDE,
    NO_WORDS,
    OBJECTIVE_LIST_KEYS,
    OBJECTIVES,
    SETTINGS_KEYS,
    SHEET_BY_NAME,
    SHEETS,
    YEAR_MAX,
    YEAR_MIN,
    YES_WORDS,
    Column,
    SheetSchema,
    format_value,
    normalise_name,
    settings_key,
)
from data.tables import (
    ALLIANCE,
    AREA_OBJECTIVE_PREFIX,
    CapabilityArea,
    Commitment,
    Inputs,
    Nation,
    Precedence,
    Programme,
    Settings,
    Source,
    Standard,
    Target,
)

log = logging.getLogger(__name__)


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
    """

    title: str
    rows: tuple[tuple[int, tuple[object, ...]], ...] = ()
    merged: tuple[str, ...] = ()


def sheets_from_rows(book: Mapping[str, Sequence[Sequence[object]]]) -> list[RawSheet]:
    """Sheets from plain lists of rows (row 1 = the header), for tests and converters."""
    return [
        RawSheet(title, tuple((i, tuple(row)) for i, row in enumerate(rows, start=1)))
        for title, rows in book.items()
    ]


# --- showing values in messages ---------------------------------------------------------
def show(value: object) -> str:
    """A cell value as a planner would recognise it in a message."""
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:39] + "…"
        return f'"{text}"'
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
    return value is None or (isinstance(value, str) and not value.strip())


def _as_number(value: object) -> float | int | None:
    """The number a cell holds (int kept exact), or None if it holds none."""
    if isinstance(value, (*_NOT_A_NUMBER_TYPES, CellError, _UncachedFormula)):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
        if not math.isfinite(number):
            return None
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    return None


def _as_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, _dt.datetime) and value.time() == _dt.time():
        return value.date().isoformat()
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    return str(value).strip()


def _in_bounds(x: float, column: Column) -> bool:
    lo, hi = column.bounds
    if lo is not None and (x <= lo if column.min_exclusive else x < lo):
        return False
    return hi is None or x <= hi


def convert(value: object, column: Column) -> Any:
    """Convert a non-blank cell to the column's type; raise _Bad with the message parts."""
    what = f"{column.name} is {show(value)}"
    if isinstance(value, (CellError, _UncachedFormula)):
        if value is UNCACHED_FORMULA:
            raise _Bad(
                what,
                "expected a value: open the workbook in Excel or LibreOffice and save it, "
                "so formula results are stored",
            )
        raise _Bad(what, column.expected())
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
        return tuple(item.strip() for item in value.split(",") if item.strip())
    return _as_text(value)  # text, id-reference


def _convert_number(value: object, column: Column, what: str) -> float | int:
    number = _as_number(value)
    if number is None:
        raise _Bad(what, column.expected())
    if column.kind == "number":
        if not _in_bounds(number, column):
            raise _Bad(what, column.expected())
        if abs(number) > MAX_MAGNITUDE:
            raise _Bad(what, f"{column.expected()} up to {MAX_MAGNITUDE:,.0f} (the solver "
                       "cannot work precisely with larger numbers)")
        return float(number)
    if isinstance(number, float) and not number.is_integer():
        raise _Bad(what, column.expected())
    whole = int(number)
    if not _in_bounds(whole, column):
        if column.kind == "year":
            raise _Bad(what, f"expected a year from {YEAR_MIN} to {YEAR_MAX}")
        raise _Bad(what, column.expected())
    return whole


def _convert_yes_no(value: object, column: Column, what: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().casefold()
        if word in YES_WORDS:
            return True
        if word in NO_WORDS:
            return False
    raise _Bad(what, column.expected())


# --- collecting problems ----------------------------------------------------------------
@dataclass
class _Check:
    """Every error and warning found so far, in discovery order."""

    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def error(self, sheet: str, cell: str, what: str, expected: str = "") -> None:
        self.errors.append(Problem(sheet, cell, what, expected))

    def warn(self, sheet: str, cell: str, what: str, expected: str = "") -> None:
        self.warnings.append(Problem(sheet, cell, what, expected))

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

    def __init__(self, check: _Check, sheet: str, number: int, values: dict[str, object],
                 letters: dict[str, str]):
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
                self.check.error(self.sheet, self.cell(column.name), f"{column.name} is blank",
                                 column.expected())
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


class _Ids:
    """Ids of one defining sheet, matched ignoring case and surrounding spaces."""

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
        key = text.casefold()
        if key in self.canonical:
            return self.canonical[key]
        self.canonical[key] = text
        self.row_of[text] = row
        return None

    def resolve(self, text: str) -> str | None:
        return self.canonical.get(text.strip().casefold())

    def __contains__(self, text: str) -> bool:
        return self.resolve(text) is not None

    def __len__(self) -> int:
        return len(self.canonical)


# --- sheets and headers -----------------------------------------------------------------
def _match_sheets(sheets: Sequence[RawSheet], check: _Check) -> dict[str, RawSheet]:
    """Schema sheet name -> the workbook sheet that provides it."""
    by_norm = {normalise_name(s.name): s for s in SHEETS}
    found: dict[str, RawSheet] = {}
    for raw in sheets:
        key = normalise_name(raw.title)
        if key == normalise_name(DATA_DICTIONARY_SHEET):
            continue  # our own documentation sheet in the template
        schema = by_norm.get(key)
        if schema is None:
            check.warn(raw.title, "", "sheet is not an input sheet and is ignored")
        elif schema.name in found:
            check.error(raw.title, "", f"sheet repeats sheet {found[schema.name].title} "
                        "(names are matched ignoring case and spaces)",
                        f"expected one sheet named {schema.name}")
        else:
            found[schema.name] = raw
    for schema in SHEETS:
        if schema.required and schema.name not in found:
            check.error(schema.name, "", "sheet is missing",
                        f"expected a sheet named {schema.name}")
    for raw in found.values():
        for ref in raw.merged:
            check.warn(raw.title, ref, "merged cells: every cell of the range is read as "
                       "its top-left value")
    return found


def _header_cells(raw: RawSheet) -> tuple[int, tuple[object, ...], Iterator[tuple[int, tuple[object, ...]]]]:
    """The first non-blank row (the header) and an iterator over the rows below it."""
    rows = iter(raw.rows)
    for number, values in rows:
        if any(not is_blank(v) for v in values):
            return number, values, rows
    return 0, (), iter(())


def _warn_headless_data(raw: RawSheet, header_row: int, used: set[int], check: _Check) -> None:
    """Data under a blank header cell is ignored; say so once per column."""
    reported: set[int] = set()
    for number, values in raw.rows:
        if number <= header_row:
            continue
        for j, v in enumerate(values):
            if j not in used and j not in reported and not is_blank(v):
                reported.add(j)
                check.warn(raw.title, get_column_letter(j + 1),
                           f"column {get_column_letter(j + 1)} has data but no header and is "
                           "ignored")


def _read_table(raw: RawSheet, schema: SheetSchema, check: _Check) -> _Table | None:
    """Map the header onto the schema's columns and wrap each non-blank row."""
    header_row, header, rest = _header_cells(raw)
    if not header_row:
        if schema.required:
            check.error(raw.title, "", "sheet is empty",
                        f"expected a header row with {', '.join(c.name for c in schema.columns)}")
        return None
    known = {normalise_name(c.name): c.name for c in schema.columns}
    index: dict[str, int] = {}
    used: set[int] = set()
    for j, title in enumerate(header):
        if is_blank(title):
            continue
        used.add(j)
        cell = f"{get_column_letter(j + 1)}{header_row}"
        name = known.get(normalise_name(_as_text(title)))
        if name is None:
            check.warn(raw.title, cell, f"column {show(_as_text(title))} is not an input "
                       "column and is ignored")
        elif name in index:
            check.error(raw.title, cell, f"column {name} appears twice (also in column "
                        f"{get_column_letter(index[name] + 1)})", "expected each column once")
        else:
            index[name] = j
    missing = [c.name for c in schema.columns if c.required and c.name not in index]
    for name in missing:
        check.error(raw.title, str(header_row), f"no {name} column",
                    f"expected a column headed {name}")
    _warn_headless_data(raw, header_row, used, check)
    letters = {name: get_column_letter(j + 1) for name, j in index.items()}
    rows: list[_Row] = []
    for number, values in rest:
        picked = {name: values[j] if j < len(values) else None for name, j in index.items()}
        if all(is_blank(v) for v in picked.values()):
            continue
        rows.append(_Row(check, raw.title, number, picked, letters))
    return _Table(raw.title, header_row, rows, frozenset(index), complete=not missing)


def _define_ids(table: _Table | None, column: Column, ids: _Ids,
                check: _Check) -> list[tuple[_Row, str]]:
    """Register each row's id; return the rows to read further (complete sheets only)."""
    if table is None or column.name not in table.columns:
        # An absent optional sheet defines no ids (references to it are errors); an absent
        # required sheet or id column has been reported and leaves references unjudged.
        ids.trusted = table is None and not ids.required
        return []
    out: list[tuple[_Row, str]] = []
    for row in table.rows:
        text = row.get(column)
        if text is _BAD:
            continue
        first = ids.add(text, row.number)
        if first is not None:
            check.error(table.sheet, row.cell(column.name),
                        f"{column.name} {show(text)} repeats {first} from row {ids.row_of[first]}",
                        "expected a unique id (ids are matched ignoring case and spaces)")
            continue
        out.append((row, text))
    return out if table.complete else []


def _reference(row: _Row, column: Column, ids: _Ids) -> str | None:
    """Resolve a reference cell to the canonical id, reporting unknown ones."""
    text = row.get(column)
    if text is _BAD:
        return None
    if column.allows_alliance and text.casefold() == ALLIANCE.casefold():
        return ALLIANCE
    found = ids.resolve(text)
    if found is None and ids.trusted:
        row.check.error(row.sheet, row.cell(column.name),
                        f"{column.name} {show(text)} is not in {column.refers_to}",
                        column.expected())
    return found


# --- Settings ---------------------------------------------------------------------------
@dataclass
class _SettingsDraft:
    """Settings values before capability areas are known (lists and area weights wait)."""

    sheet: str = "Settings"
    values: dict[str, Any] = field(default_factory=dict)
    cells: dict[str, str] = field(default_factory=dict)
    area_weights: list[tuple[str, float, str]] = field(default_factory=list)  # (area, w, cell)
    seen: set[str] = field(default_factory=set)  # keys present, even with a bad value
    ok_years: bool = False

    def value(self, key: str) -> Any:
        return self.values.get(key, settings_key(key).default)


def _read_settings(raw: RawSheet | None, check: _Check) -> _SettingsDraft:
    draft = _SettingsDraft()
    if raw is None:
        return draft
    draft.sheet = raw.title
    table = _read_table(raw, SHEET_BY_NAME["Settings"], check)
    if table is None:
        return draft
    known = {normalise_name(c.name): c for c in SETTINGS_KEYS}
    seen: dict[str, int] = {}
    for row in table.rows:
        if not row.filled("key"):
            check.error(table.sheet, row.cell("key"), "a value has no key",
                        "expected a setting name in the key column")
            continue
        key_text = _as_text(row.raw("key"))
        column, identity = _settings_column(key_text, known)
        if column is None:
            check.warn(table.sheet, row.cell("key"), f"key {show(key_text)} is not a setting "
                       "and is ignored")
            continue
        if identity in seen:
            check.error(table.sheet, row.cell("key"), f"key {column.name} is given twice "
                        f"(also in row {seen[identity]})", "expected each key once")
            continue
        seen[identity] = row.number
        _read_setting_value(row, column, draft)
    _check_years(draft, check)
    return draft


def _settings_column(key_text: str, known: dict[str, Column]) -> tuple[Column | None, str]:
    """The schema entry for a key as typed, and an identity to detect repeats."""
    prefix, colon, area = key_text.partition(":")
    if colon and normalise_name(prefix) == normalise_name(AREA_WEIGHT_KEY_PREFIX[:-1]):
        area = area.strip()
        per_area = replace(settings_key(AREA_WEIGHT_KEY_PREFIX), name=AREA_WEIGHT_KEY_PREFIX + area)
        return per_area, AREA_WEIGHT_KEY_PREFIX + area.casefold()
    column = known.get(normalise_name(key_text))
    return column, (column.name if column else "")


def _read_setting_value(row: _Row, column: Column, draft: _SettingsDraft) -> None:
    draft.seen.add(column.name)
    value_row = _Row(row.check, row.sheet, row.number, {column.name: row.raw("value")},
                     {column.name: row.letters.get("value", "")})
    value = value_row.get(column)
    if value is _BAD:
        return
    cell = value_row.cell(column.name)
    if column.name.startswith(AREA_WEIGHT_KEY_PREFIX):
        draft.area_weights.append((column.name[len(AREA_WEIGHT_KEY_PREFIX):], value, cell))
        return
    draft.values[column.name] = value
    draft.cells[column.name] = cell


def _check_years(draft: _SettingsDraft, check: _Check) -> None:
    for key in ("first_year", "last_year"):
        if key not in draft.seen:
            check.error(draft.sheet, "", f"{key} is missing",
                        f"expected a row with key {key} and {settings_key(key).describe_values()}")
    first, last = draft.values.get("first_year"), draft.values.get("last_year")
    if first is None or last is None:
        return
    if last < first:
        check.error(draft.sheet, draft.cells["last_year"],
                    f"last_year {last} is before first_year {first}",
                    "expected last_year ≥ first_year")
        return
    draft.ok_years = True


def _finish_settings(draft: _SettingsDraft, areas: _Ids, check: _Check) -> Settings | None:
    """Resolve objective lists and per-area weights now that areas are known."""
    lists: dict[str, tuple[str, ...]] = {}
    for key in OBJECTIVE_LIST_KEYS:
        names = draft.value(key)
        resolved = _objective_list(names, key, draft, areas, check)
        if resolved is not None:
            lists[key] = resolved
    weights: dict[str, float] = {name: draft.value(f"weight_{name}") for name in OBJECTIVES}
    for area, weight, cell in draft.area_weights:
        found = areas.resolve(area)
        if found is None and not areas.trusted:
            continue  # CapabilityAreas itself is missing or unreadable: reported there
        if found is None:
            check.error(draft.sheet, cell, f"{AREA_WEIGHT_KEY_PREFIX}{area} names no "
                        "capability area", "expected weight_capability:<an id from "
                        "CapabilityAreas>")
            continue
        weights[AREA_OBJECTIVE_PREFIX + found] = weight
    objective = draft.value("objective")
    pareto = lists.get("pareto_objectives")
    if objective == "pareto" and pareto is not None and len(pareto) < 2:
        check.error(draft.sheet, draft.cells.get("pareto_objectives", ""),
                    f"pareto_objectives names {len(pareto)} objective",
                    "expected two or more objectives for objective = pareto")
    if not draft.ok_years or len(lists) < len(OBJECTIVE_LIST_KEYS):
        return None
    scalars = {
        c.name: draft.value(c.name)
        for c in SETTINGS_KEYS
        if not c.name.startswith("weight_") and c.name not in OBJECTIVE_LIST_KEYS
    }
    fields: dict[str, Any] = {**scalars, "weights": weights, **lists}
    return Settings(**fields)


def _objective_list(names: tuple[str, ...], key: str, draft: _SettingsDraft, areas: _Ids,
                    check: _Check) -> tuple[str, ...] | None:
    cell = draft.cells.get(key, "")
    expected = ("expected objective names: " + ", ".join(OBJECTIVES)
                + " or capability:<area id>")
    if not names:
        check.error(draft.sheet, cell, f"{key} lists no objective", expected)
        return None
    out: list[str] = []
    ok = True
    for name in names:
        canonical = _objective_name(name, areas)
        if canonical is None and not areas.trusted and ":" in name:
            ok = False  # an area objective, but CapabilityAreas is missing: reported there
        elif canonical is None:
            check.error(draft.sheet, cell, f"{key} names {show(name)}, which is not an "
                        "objective", expected)
            ok = False
        elif canonical in out:
            check.error(draft.sheet, cell, f"{key} names {canonical} twice",
                        "expected each objective once")
            ok = False
        else:
            out.append(canonical)
    return tuple(out) if ok else None


def _objective_name(name: str, areas: _Ids) -> str | None:
    prefix, colon, area = name.partition(":")
    if not colon:
        lowered = name.strip().casefold()
        return lowered if lowered in OBJECTIVES else None
    if prefix.strip().casefold() != AREA_OBJECTIVE_PREFIX[:-1]:
        return None
    found = areas.resolve(area)
    return AREA_OBJECTIVE_PREFIX + found if found else None


# --- Nations, areas, standards ----------------------------------------------------------
def _read_nations(table: _Table | None, draft: _SettingsDraft, ids: _Ids,
                  check: _Check) -> list[Nation]:
    schema = SHEET_BY_NAME["Nations"]
    defined = _define_ids(table, schema.column("code"), ids, check)
    if table is None:
        return []
    nations: list[Nation] = []
    for row, code in defined:
        if code.casefold() == ALLIANCE.casefold():
            check.error(table.sheet, row.cell("code"), f"code {show(code)} is reserved",
                        "expected a nation code other than ALLIANCE (it names the allies "
                        "together in Targets)")
            continue
        fields = {c.name: row.get(c) for c in schema.columns[1:]}
        if any(v is _BAD for v in fields.values()):
            continue
        for key in ("carry_over_fraction", "borrow_fraction"):
            if fields[key] is None:
                fields[key] = float(draft.value(key))
        nations.append(Nation(code=code, name=fields.pop("name") or code, **fields))
    if not nations and not ids and table.complete:
        check.error(table.sheet, "", "no nations are listed", "expected at least one nation")
    return nations


def _read_areas(table: _Table | None, ids: _Ids, check: _Check) -> list[CapabilityArea]:
    schema = SHEET_BY_NAME["CapabilityAreas"]
    defined = _define_ids(table, schema.column("id"), ids, check)
    if table is None:
        return []
    areas: list[CapabilityArea] = []
    for row, area_id in defined:
        name, weight = row.get(schema.column("name")), row.get(schema.column("weight"))
        if weight is not _BAD and name is not _BAD:
            areas.append(CapabilityArea(area_id, name or area_id, weight))
    if not areas and not ids and table.complete:
        check.error(table.sheet, "", "no capability areas are listed",
                    "expected at least one capability area")
    return areas


def _read_standards(table: _Table | None, ids: _Ids, check: _Check) -> list[Standard]:
    schema = SHEET_BY_NAME["Standards"]
    defined = _define_ids(table, schema.column("id"), ids, check)
    standards: list[Standard] = []
    for row, sid in defined:
        fields = {c.name: row.get(c) for c in schema.columns[1:]}
        if any(v is _BAD for v in fields.values()):
            continue
        fields["name"] = fields["name"] or sid
        standards.append(Standard(id=sid, **fields))
    return standards


# --- Programmes and cost profiles -------------------------------------------------------
@dataclass
class _ProgrammeDraft:
    row: _Row
    fields: dict[str, Any]


def _read_programmes(table: _Table | None, ids: _Ids, check: _Check) -> list[_ProgrammeDraft]:
    schema = SHEET_BY_NAME["Programmes"]
    defined = _define_ids(table, schema.column("id"), ids, check)
    if table is None:
        return []
    drafts: list[_ProgrammeDraft] = []
    groups: dict[str, str] = {}
    for row, pid in defined:
        sharing = row.get(schema.column("sharing"))
        fields: dict[str, Any] = {"id": pid, "sharing": sharing}
        for column in schema.columns[1:]:
            if column.name == "sharing":
                continue
            if column.joint_only and sharing == "national":
                if row.filled(column.name):
                    check.warn(table.sheet, row.cell(column.name), f"{column.name} is filled on "
                               f"national programme {pid} and is ignored",
                               "expected it blank (joint programmes only)")
                continue
            fields[column.name] = row.get(column)
        if fields["duration_years"] is not _BAD and fields["duration_years"] > MAX_DURATION_YEARS:
            check.error(table.sheet, row.cell("duration_years"), f"duration_years is "
                        f"{fields['duration_years']}", f"expected at most {MAX_DURATION_YEARS} "
                        "(longer than any horizon)")
            continue
        if any(v is _BAD for v in fields.values()):
            continue
        if fields["exclusive_group"] is not None:
            # Groups are compared ignoring case like ids; the first spelling names the group.
            group = fields["exclusive_group"]
            fields["exclusive_group"] = groups.setdefault(group.casefold(), group)
        if sharing == "joint" and not _participants_ok(row, fields, check):
            continue
        drafts.append(_ProgrammeDraft(row, fields))
    if not drafts and not ids and table.complete:
        check.error(table.sheet, "", "no programmes are listed", "expected at least one programme")
    return drafts


def _participants_ok(row: _Row, fields: dict[str, Any], check: _Check) -> bool:
    lo, hi = fields["min_participants"], fields["max_participants"]
    if hi is not None and lo > hi:
        check.error(row.sheet, row.cell("max_participants"), f"max_participants {hi} is below "
                    f"min_participants {lo}", f"expected max_participants ≥ {lo}")
        return False
    return True


def _read_cost_profiles(table: _Table | None, programmes: _Ids,
                        durations: Mapping[str, int], check: _Check) -> dict[str, tuple[float, ...]]:
    """Programme -> its normalised profile, for the programmes CostProfiles lists."""
    schema = SHEET_BY_NAME["CostProfiles"]
    if table is None:
        return {}
    shares: dict[str, dict[int, float]] = defaultdict(dict)
    first_row: dict[str, _Row] = {}
    bad: set[str] = set()
    for row in table.rows:
        pid = _reference(row, schema.column("programme"), programmes)
        offset, share = row.get(schema.column("year_offset")), row.get(schema.column("share"))
        if pid is None or offset is _BAD or share is _BAD:
            if pid is not None:
                bad.add(pid)
            continue
        first_row.setdefault(pid, row)
        if pid in durations and offset >= durations[pid]:
            check.error(table.sheet, row.cell("year_offset"), f"year_offset is {offset} but "
                        f"{pid} lasts {durations[pid]} years",
                        f"expected a whole number from 0 to {durations[pid] - 1}")
            bad.add(pid)
        elif offset in shares[pid]:
            check.error(table.sheet, row.cell("year_offset"), f"year_offset {offset} of {pid} "
                        "is listed twice", "expected each offset of a programme once")
            bad.add(pid)
        else:
            shares[pid][offset] = share
    profiles: dict[str, tuple[float, ...]] = {}
    for pid, by_offset in shares.items():
        if pid in bad or pid not in durations:
            continue
        total = math.fsum(by_offset.values())
        if total <= 0:
            check.error(table.sheet, first_row[pid].cell("share"), f"the shares of {pid} are "
                        "all 0", "expected at least one share > 0")
            continue
        profiles[pid] = _normalise(by_offset, durations[pid], total)
    return profiles


def _normalise(by_offset: Mapping[int, float], duration: int, total: float) -> tuple[float, ...]:
    # Shares that already sum to 1 are kept bit-for-bit, so a written profile reads back
    # exactly (data.input_writer round trips must be lossless).
    scale = 1.0 if abs(total - 1.0) <= 1e-12 else total
    return tuple(by_offset.get(k, 0.0) / scale for k in range(duration))


def even_profile(duration: int) -> tuple[float, ...]:
    """The default profile: the cost spread evenly over the spending years."""
    return (1.0 / duration,) * duration


def _national_defaults(fields: dict[str, Any]) -> dict[str, Any]:
    """Joint-only fields of a national programme take their neutral values (tables.py)."""
    return {
        "per_participant_cost": 0.0,
        "min_participants": 1,
        "max_participants": None,
        "min_share": 0.0,
        "open_to_partners": False,
    } | fields


def _build_programmes(drafts: Sequence[_ProgrammeDraft],
                      profiles: Mapping[str, tuple[float, ...]]) -> list[Programme]:
    out: list[Programme] = []
    for draft in drafts:
        f = dict(draft.fields)
        if f["sharing"] == "national":
            f = _national_defaults(f)
        f["name"] = f["name"] or f["id"]
        f["profile"] = profiles.get(f["id"]) or even_profile(f["duration_years"])
        out.append(Programme(**f))
    return out


# --- wide sheets: Budgets and Values ----------------------------------------------------
@dataclass
class _Wide:
    sheet: str
    header_row: int
    key_index: int
    columns: dict[int, Any]  # column index -> header value (year / area id)
    rows: list[tuple[int, tuple[object, ...]]]


def _read_wide(raw: RawSheet, schema: SheetSchema, header_value: Callable[[object, str], Any],
               check: _Check) -> _Wide | None:
    """Find the key column and let `header_value(text, cell)` judge every other header.

    header_value returns the parsed header, None to ignore the column (it has warned).
    """
    key = schema.columns[0].name
    header_row, header, rest = _header_cells(raw)
    if not header_row:
        check.error(raw.title, "", "sheet is empty", f"expected a header row: {key}, then one "
                    f"column per {schema.wide_headers}")
        return None
    key_index: int | None = None
    columns: dict[int, Any] = {}
    seen: dict[Any, int] = {}
    for j, title in enumerate(header):
        if is_blank(title):
            continue
        cell = f"{get_column_letter(j + 1)}{header_row}"
        if normalise_name(_as_text(title)) == key and key_index is None:
            key_index = j
            continue
        parsed = header_value(title, cell)
        if parsed is None:
            continue
        if parsed in seen:
            check.error(raw.title, cell, f"column {format_value(parsed)} appears twice (also "
                        f"in column {get_column_letter(seen[parsed] + 1)})",
                        "expected each column once")
            continue
        seen[parsed] = j
        columns[j] = parsed
    used = set(columns) | ({key_index} if key_index is not None else set())
    _warn_headless_data(raw, header_row, used | _all_headed(header), check)
    if key_index is None:
        check.error(raw.title, str(header_row), f"no {key} column",
                    f"expected a column headed {key}")
        return None
    rows = [(n, v) for n, v in rest if any(not is_blank(x) for x in v)]
    return _Wide(raw.title, header_row, key_index, columns, rows)


def _all_headed(header: tuple[object, ...]) -> set[int]:
    return {j for j, title in enumerate(header) if not is_blank(title)}


def _wide_cells(wide: _Wide, check: _Check, ids: _Ids, key_column: Column,
                value_column: Column, noun: str) -> Iterator[tuple[str, dict[Any, float]]]:
    """Yield (canonical key, {header: number}) per row; reports bad and repeated keys."""
    seen: dict[str, int] = {}
    for number, values in wide.rows:
        cells = {key_column.name: values[wide.key_index] if wide.key_index < len(values) else None}
        letters = {key_column.name: get_column_letter(wide.key_index + 1)}
        row = _Row(check, wide.sheet, number, cells, letters)
        key = _reference(row, key_column, ids)
        parsed = _wide_numbers(wide, number, values, value_column, noun, check)
        if key is None:
            continue
        if key in seen:
            check.error(wide.sheet, row.cell(key_column.name), f"{key_column.name} {key} has a "
                        f"second row (first in row {seen[key]})", "expected one row per "
                        f"{key_column.name}")
            continue
        seen[key] = number
        if parsed is not None:
            yield key, parsed


def _wide_numbers(wide: _Wide, number: int, values: tuple[object, ...], value_column: Column,
                  noun: str, check: _Check) -> dict[Any, float] | None:
    out: dict[Any, float] = {}
    ok = True
    for j, header in wide.columns.items():
        value = values[j] if j < len(values) else None
        cell = f"{get_column_letter(j + 1)}{number}"
        if is_blank(value):
            out[header] = 0.0
            continue
        try:
            labelled = replace(value_column, name=f"{noun} for {format_value(header)}")
            out[header] = float(convert(value, labelled))
        except _Bad as bad:
            check.error(wide.sheet, cell, bad.what, bad.expected)
            ok = False
    return out if ok else None


def _budget_header(years: tuple[int, ...] | None, sheet: str,
                   check: _Check) -> Callable[[object, str], int | None]:
    def judge(title: object, cell: str) -> int | None:
        number = _as_number(title)
        if isinstance(title, (_dt.date, _dt.time)):
            check.error(sheet, cell, f"column header is {show(title)}",
                        "expected a year like 2028 (format the header cell as a number or text)")
            return None
        if number is None or (isinstance(number, float) and not number.is_integer()):
            check.warn(sheet, cell, f"column {show(_as_text(title))} is not a year and is "
                       "ignored")
            return None
        year = int(number)
        if years is not None and year not in years:
            check.warn(sheet, cell, f"column {year} is outside the horizon "
                       f"{years[0]}–{years[-1]} and is ignored")
            return None
        return year
    return judge


def _read_budgets(raw: RawSheet | None, years: tuple[int, ...] | None, nations: _Ids,
                  check: _Check) -> dict[tuple[str, int], float]:
    if raw is None:
        return {}
    schema = SHEET_BY_NAME["Budgets"]
    assert schema.wide_value is not None
    wide = _read_wide(raw, schema, _budget_header(years, raw.title, check), check)
    if wide is None:
        return {}
    if years is not None:
        missing = [y for y in years if y not in wide.columns.values()]
        if missing:
            check.error(wide.sheet, str(wide.header_row), f"no column for year"
                        f"{'s' if len(missing) > 1 else ''} {span(missing)}",
                        f"expected one column per year {years[0]}–{years[-1]}, headed by the year")
    budgets: dict[tuple[str, int], float] = {}
    listed: set[str] = set()
    for nation, cells in _wide_cells(wide, check, nations, schema.columns[0], schema.wide_value,
                                     "budget"):
        listed.add(nation)
        for year, amount in cells.items():
            budgets[(nation, year)] = amount
    for code in nations.canonical.values():
        if code not in listed and not _row_was_bad(wide, nations, code):
            check.error(wide.sheet, "", f"nation {code} has no row",
                        "expected a row for every nation in Nations")
    return budgets


def _row_was_bad(wide: _Wide, ids: _Ids, key: str) -> bool:
    """A row exists for key but had bad cells (already reported): don't also say 'no row'."""
    for _, values in wide.rows:
        value = values[wide.key_index] if wide.key_index < len(values) else None
        if not is_blank(value) and ids.resolve(_as_text(value)) == key:
            return True
    return False


def _area_header(areas: _Ids, raw: RawSheet, check: _Check) -> Callable[[object, str], str | None]:
    def judge(title: object, cell: str) -> str | None:
        text = _as_text(title)
        found = areas.resolve(text)
        if found is None and areas.trusted:
            # Planners annotate Values with comment columns, so an unknown header is not an
            # error (WORKBOOK.md: extra columns are ignored); but a misspelt area would lose
            # its points silently, so the warning says what the column probably meant.
            letters, header_row = coordinate_from_string(cell)
            numbers = _numbers_below(raw, header_row, column_index_from_string(letters) - 1)
            check.warn(raw.title, cell, f"column {show(text)} is not a capability area and is "
                       "ignored", _unknown_area_hint(text, numbers, areas))
        return found
    return judge


def _numbers_below(raw: RawSheet, header_row: int, j: int) -> int:
    """How many cells under the header in column j hold a number."""
    return sum(1 for number, values in raw.rows
               if number > header_row and j < len(values) and not is_blank(values[j])
               and _as_number(values[j]) is not None)


def _unknown_area_hint(text: str, numbers: int, areas: _Ids) -> str:
    """'did you mean "CYB"? It holds numbers (5 cells)' and the like ('' for plain notes)."""
    close = difflib.get_close_matches(text.strip().casefold(), list(areas.canonical), n=1)
    held = f"numbers ({numbers} cell{'s' if numbers != 1 else ''})"
    if close:
        guess = f"did you mean {show(areas.canonical[close[0]])}?"
        return f"{guess} It holds {held}" if numbers else guess
    if not numbers:
        return ""
    ids = list(areas.canonical.values())
    listed = ", ".join(ids[:_MAX_LISTED]) + (f", … ({len(ids) - _MAX_LISTED} more)"
                                             if len(ids) > _MAX_LISTED else "")
    return (f"it holds {held} that will not be used; expected a capability area id "
            f"from the CapabilityAreas sheet: {listed}")


_MAX_LISTED = 8  # area ids named in a warning; more would bury the message


def _read_values(raw: RawSheet | None, programmes: _Ids, areas: _Ids,
                 check: _Check) -> dict[tuple[str, str], float]:
    if raw is None:
        return {}
    schema = SHEET_BY_NAME["Values"]
    assert schema.wide_value is not None
    wide = _read_wide(raw, schema, _area_header(areas, raw, check), check)
    if wide is None:
        return {}
    values: dict[tuple[str, str], float] = {}
    for pid, cells in _wide_cells(wide, check, programmes, schema.columns[0], schema.wide_value,
                                  "value"):
        for area, points in cells.items():
            if points != 0:
                values[(pid, area)] = points
    return values


# --- relation sheets --------------------------------------------------------------------
def _read_requirements(table: _Table | None, programmes: _Ids, standards: _Ids,
                       check: _Check) -> list[tuple[str, str]]:
    schema = SHEET_BY_NAME["ProgrammeStandards"]
    out: dict[tuple[str, str], int] = {}
    for row in table.rows if table else []:
        pid = _reference(row, schema.column("programme"), programmes)
        sid = _reference(row, schema.column("standard"), standards)
        if pid is None or sid is None:
            continue
        if (pid, sid) in out:
            check.warn(row.sheet, row.cell("programme"), f"{pid} requires {sid} again (first in "
                       f"row {out[(pid, sid)]}); the repeat is ignored")
            continue
        out[(pid, sid)] = row.number
    return list(out)


def _read_precedences(table: _Table | None, programmes: _Ids,
                      check: _Check) -> list[Precedence]:
    schema = SHEET_BY_NAME["Precedence"]
    out: list[Precedence] = []
    rows_of: dict[tuple[str, str], int] = {}
    for row in table.rows if table else []:
        before = _reference(row, schema.column("before"), programmes)
        after = _reference(row, schema.column("after"), programmes)
        scope = row.get(schema.column("scope"))
        if before is None or after is None or scope is _BAD:
            continue
        if (before, after) in rows_of:
            check.warn(row.sheet, row.cell("before"), f"{before} before {after} is listed again "
                       f"(first in row {rows_of[(before, after)]}); the repeat is ignored")
            continue
        rows_of[(before, after)] = row.number
        out.append(Precedence(before, after, scope))
    if table is not None:
        for cycle in find_cycles([(p.before, p.after) for p in out]):
            rows = sorted(rows_of[(a, b)] for a, b in itertools.pairwise(cycle))
            check.error(table.sheet, "", f"programmes {' → '.join(cycle)} form a cycle "
                        f"(row{'s' if len(rows) > 1 else ''} {', '.join(map(str, rows))})",
                        "expected no cycle: none of these programmes could ever start")
    return out


def find_cycles(edges: Sequence[tuple[str, str]]) -> list[list[str]]:
    """One cycle per strongly connected component, as [a, b, …, a], in input order.

    Iterative Tarjan, so thousands of programmes cannot hit the recursion limit.
    """
    graph: dict[str, list[str]] = defaultdict(list)
    order: dict[str, int] = {}
    for a, b in edges:
        graph[a].append(b)
        order.setdefault(a, len(order))
        order.setdefault(b, len(order))
    components = _strongly_connected(graph, list(order))
    cycles = []
    for comp in components:
        members = set(comp)
        start = min(comp, key=order.__getitem__)
        if len(comp) == 1 and start not in graph[start]:
            continue
        cycles.append(_cycle_through(start, graph, members))
    return sorted(cycles, key=lambda c: order[c[0]])


def _strongly_connected(graph: Mapping[str, list[str]], nodes: list[str]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(graph.get(root, ())))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph.get(child, ()))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    comp.append(member)
                    if member == node:
                        break
                out.append(comp)
    return out


def _cycle_through(start: str, graph: Mapping[str, list[str]], members: set[str]) -> list[str]:
    """Shortest path start → … → start inside one component (breadth first)."""
    parent: dict[str, str] = {}
    frontier = [start]
    while frontier:
        nxt = []
        for node in frontier:
            for child in graph.get(node, ()):
                if child not in members:
                    continue
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(parent[path[-1]])
                    return path[::-1] + [start]
                if child not in parent:
                    parent[child] = node
                    nxt.append(child)
        frontier = nxt
    return [start, start]  # unreachable for a real component


def _read_targets(table: _Table | None, nations: _Ids, areas: _Ids,
                  years: tuple[int, ...] | None, check: _Check) -> list[Target]:
    schema = SHEET_BY_NAME["Targets"]
    out: list[Target] = []
    first: dict[tuple[str, str, int], int] = {}
    for row in table.rows if table else []:
        nation = _reference(row, schema.column("nation"), nations)
        area = _reference(row, schema.column("capability_area"), areas)
        year, target = row.get(schema.column("year")), row.get(schema.column("target"))
        if year is not _BAD and years is not None and year not in years:
            check.error(row.sheet, row.cell("year"), f"year {year} is outside the horizon "
                        f"{years[0]}–{years[-1]}", f"expected a year from {years[0]} to {years[-1]}")
            continue
        if nation is None or area is None or year is _BAD or target is _BAD:
            continue
        key = (nation, area, year)
        if key in first:
            check.error(row.sheet, row.cell("nation"), f"a second target for {nation}, {area}, "
                        f"{year} (first in row {first[key]})",
                        "expected one target per nation, capability area and year")
            continue
        first[key] = row.number
        out.append(Target(nation, area, year, target, row.number))
    return out


# --- Commitments ------------------------------------------------------------------------
def _read_commitments(table: _Table | None, nations: _Ids, programmes: _Ids,
                      check: _Check) -> list[tuple[_Row, Commitment]]:
    schema = SHEET_BY_NAME["Commitments"]
    out: list[tuple[_Row, Commitment]] = []
    for row in table.rows if table else []:
        nation = _reference(row, schema.column("nation"), nations)
        pid = _reference(row, schema.column("programme"), programmes)
        action, start = row.get(schema.column("action")), row.get(schema.column("start_year"))
        if nation is None or pid is None or action is _BAD or start is _BAD:
            continue
        if action == "exclude" and start is not None:
            check.warn(row.sheet, row.cell("start_year"), f"start_year {start} on an exclude "
                       "commitment is ignored", "expected it blank for exclude")
            start = None
        out.append((row, Commitment(nation, pid, action, start, row.number)))
    return out


def _check_commitments(commitments: Sequence[tuple[_Row, Commitment]], inputs: Inputs,
                       unfundable: Mapping[str, str], check: _Check) -> list[Commitment]:
    """Fund commitments the model could never honour are input errors (MODEL.md)."""
    kept: list[Commitment] = []
    by_pair: dict[tuple[str, str], tuple[_Row, Commitment]] = {}
    joint_start: dict[str, tuple[int, int]] = {}
    for row, c in commitments:
        if c.programme not in inputs.programme_by_id or c.nation not in inputs.nation_by_code:
            continue  # its defining row was invalid and has been reported
        earlier = by_pair.get((c.nation, c.programme))
        if earlier is not None:
            if _pair_conflict(row, c, earlier, check):
                continue
            check.warn(row.sheet, row.cell("action"), f"{c.action} {c.nation}/{c.programme} "
                       f"repeats row {earlier[0].number}; the repeat is ignored")
            continue
        by_pair[(c.nation, c.programme)] = (row, c)
        if c.action == "fund" and not _fund_ok(row, c, inputs, unfundable, joint_start, check):
            continue
        kept.append(c)
    return kept


def _pair_conflict(row: _Row, c: Commitment, earlier: tuple[_Row, Commitment],
                   check: _Check) -> bool:
    first_row, first = earlier
    if c.action != first.action:
        check.error(row.sheet, row.cell("action"), f"{c.action} {c.nation}/{c.programme} "
                    f"contradicts {first.action} in row {first_row.number}",
                    "expected one action per nation and programme")
        return True
    if c.start_year != first.start_year:
        check.error(row.sheet, row.cell("start_year"), f"start_year {format_value(c.start_year)} "
                    f"for {c.nation}/{c.programme} contradicts "
                    f"{format_value(first.start_year)} in row {first_row.number}",
                    "expected one start year per nation and programme")
        return True
    return False


def _fund_ok(row: _Row, c: Commitment, inputs: Inputs, unfundable: Mapping[str, str],
             joint_start: dict[str, tuple[int, int]], check: _Check) -> bool:
    programme = inputs.programme_by_id[c.programme]
    if c.nation not in inputs.eligible_nations(programme):
        kind = "a national programme" if not programme.is_joint else "closed to partners"
        check.error(row.sheet, row.cell("action"), f"{c.nation} is a partner and cannot fund "
                    f"{c.programme} ({kind})",
                    "expected partners to fund only joint programmes open to partners")
        return False
    if c.programme in unfundable:
        check.error(row.sheet, row.cell("programme"), f"{c.nation} must fund {c.programme}, "
                    f"which cannot be funded: {unfundable[c.programme]}",
                    "expected a programme that can be funded")
        return False
    allowed = inputs.allowed_starts(programme)
    if c.start_year is not None and c.start_year not in allowed:
        check.error(row.sheet, row.cell("start_year"), f"start_year {c.start_year} is not an "
                    f"allowed start of {c.programme}", f"expected one of {span(allowed)}")
        return False
    if programme.is_joint and c.start_year is not None:
        year, first_row = joint_start.setdefault(c.programme, (c.start_year, row.number))
        if year != c.start_year:
            check.error(row.sheet, row.cell("start_year"), f"start_year {c.start_year} for "
                        f"joint {c.programme} differs from {year} in row {first_row}",
                        "expected one start year per joint programme (members start together)")
            return False
    return True


# --- programme-level judgements that need the whole input -------------------------------
def _unfundable(inputs: Inputs, check: _Check, rows: Mapping[str, _Row]) -> dict[str, str]:
    """Programmes no plan can fund, with why; each gets a warning (MODEL.md precise rules)."""
    out: dict[str, str] = {}
    for p in inputs.programmes:
        row = rows[p.id]
        if not inputs.allowed_starts(p):
            why = _no_start_reason(p, inputs.settings)
            check.warn(row.sheet, row.cell("id"), f"programme {p.id} has no allowed start year "
                       f"({why}) and cannot be funded",
                       "expected a start window that fits its duration (kept as a candidate)")
            out[p.id] = f"no allowed start year ({why})"
            continue
        if p.is_joint:
            reason = _consortium_problem(p, inputs, row, check)
            if reason:
                out[p.id] = reason
    return out


def _no_start_reason(p: Programme, s: Settings) -> str:
    parts = [f"duration {p.duration_years} years", f"horizon {s.first_year}–{s.last_year}"]
    if p.earliest_start is not None:
        parts.append(f"earliest_start {p.earliest_start}")
    if p.deadline is not None:
        parts.append(f"deadline {p.deadline}")
    if s.planning_cycle_years > 1 and not p.flexible_start:
        parts.append(f"starts only every {s.planning_cycle_years} years")
    return ", ".join(parts)


def _consortium_problem(p: Programme, inputs: Inputs, row: _Row, check: _Check) -> str:
    eligible = len(inputs.eligible_nations(p))
    if p.max_participants is not None and p.max_participants > eligible:
        check.warn(row.sheet, row.cell("max_participants"), f"max_participants is "
                   f"{p.max_participants} but only {eligible} nations may join {p.id}; the cap "
                   "has no effect", f"expected at most {eligible}")
    if p.min_participants > eligible:
        why = f"min_participants {p.min_participants} > {eligible} eligible nations"
        check.warn(row.sheet, row.cell("min_participants"), f"min_participants is "
                   f"{p.min_participants} but only {eligible} nations may join {p.id}, so it "
                   "cannot be funded", f"expected at most {eligible}")
        return why
    if p.min_share * p.min_participants > 1 + 1e-9:
        why = (f"{p.min_participants} members × min_share {format_value(p.min_share)} "
               "exceed the whole cost")
        check.warn(row.sheet, row.cell("min_share"), f"min_share is "
                   f"{format_value(p.min_share)}: {why}, so {p.id} cannot be funded",
                   f"expected min_share ≤ 1/{p.min_participants}")
        return why
    return ""


def _warn_standards(inputs: Inputs, rows: Mapping[str, _Row], check: _Check) -> None:
    for s in inputs.standards:
        if s.min_adopters > len(inputs.nations):
            row = rows[s.id]
            check.warn(row.sheet, row.cell("min_adopters"), f"min_adopters is {s.min_adopters} "
                       f"but there are only {len(inputs.nations)} nations, so {s.id} can never "
                       "be adopted", f"expected at most {len(inputs.nations)}")


# --- the whole workbook -----------------------------------------------------------------
def validate_sheets(sheets: Sequence[RawSheet], source: Source | None = None,
                    warnings: Sequence[Problem] = ()) -> tuple[Inputs, list[Problem]]:
    """Validate every sheet; return (Inputs, warnings) or raise InputError listing all.

    `warnings` are earlier ones (e.g. from the reader) to keep in front of ours.
    """
    check = _Check(warnings=list(warnings))
    found = _match_sheets(sheets, check)
    tables = {
        name: _read_table(raw, SHEET_BY_NAME[name], check)
        for name, raw in found.items()
        if SHEET_BY_NAME[name].layout == "table"
    }
    draft = _read_settings(found.get("Settings"), check)
    years = tuple(range(draft.values["first_year"], draft.values["last_year"] + 1)) \
        if draft.ok_years else None

    nation_ids, area_ids, programme_ids, standard_ids = (
        _Ids("nation"), _Ids("area"), _Ids("programme"), _Ids("standard", required=False))
    nations = _read_nations(tables.get("Nations"), draft, nation_ids, check)
    areas = _read_areas(tables.get("CapabilityAreas"), area_ids, check)
    settings = _finish_settings(draft, area_ids, check)
    drafts = _read_programmes(tables.get("Programmes"), programme_ids, check)
    standards = _read_standards(tables.get("Standards"), standard_ids, check)
    durations = {d.fields["id"]: d.fields["duration_years"] for d in drafts}
    profiles = _read_cost_profiles(tables.get("CostProfiles"), programme_ids, durations, check)
    programmes = _build_programmes(drafts, profiles)

    budgets = _read_budgets(found.get("Budgets"), years, nation_ids, check)
    values = _read_values(found.get("Values"), programme_ids, area_ids, check)
    requirements = _read_requirements(tables.get("ProgrammeStandards"), programme_ids,
                                      standard_ids, check)
    precedences = _read_precedences(tables.get("Precedence"), programme_ids, check)
    targets = _read_targets(tables.get("Targets"), nation_ids, area_ids, years, check)
    commitment_rows = _read_commitments(tables.get("Commitments"), nation_ids, programme_ids,
                                        check)
    if settings is None:
        check.sort()
        raise InputError(check.errors, check.warnings)

    inputs = Inputs(
        settings=settings,
        nations=tuple(nations),
        budgets=budgets,
        programmes=tuple(programmes),
        areas=tuple(areas),
        values=values,
        standards=tuple(standards),
        requirements=tuple(requirements),
        precedences=tuple(precedences),
        targets=tuple(targets),
        source=source,
    )
    programme_rows = {d.fields["id"]: d.row for d in drafts}
    unfundable = _unfundable(inputs, check, programme_rows)
    standards_table = tables.get("Standards")
    if standards_table is not None:
        _warn_standards(inputs, {sid: r for r, sid in _rows_by_id(standards_table,
                                                                   standard_ids)}, check)
    commitments = _check_commitments(commitment_rows, inputs, unfundable, check)
    check.sort()
    if check.errors:
        raise InputError(check.errors, check.warnings)
    log.debug("validated %d nations, %d programmes, %d warnings", len(nations), len(programmes),
              len(check.warnings))
    return inputs.with_changes(commitments=tuple(commitments)), check.warnings


def _rows_by_id(table: _Table, ids: _Ids) -> list[tuple[_Row, str]]:
    """(row, canonical id) for rows that defined an id."""
    out = []
    for row in table.rows:
        value = row.raw("id")
        if is_blank(value):
            continue
        canonical = ids.resolve(_as_text(value))
        if canonical is not None and ids.row_of.get(canonical) == row.number:
            out.append((row, canonical))
    return out
