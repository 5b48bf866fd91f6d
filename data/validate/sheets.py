"""Matching workbook sheets to the schema, reading headers and table sheets, and
resolving the ids one sheet defines and others refer to.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from openpyxl.utils import get_column_letter

from data.schema import DATA_DICTIONARY_SHEET, SHEETS, Column, SheetSchema, normalise_name
from data.tables import ALLIANCE
from data.validate.cells import _BAD, RawSheet, _as_text, is_blank, show
from data.validate.problems import _Check, _Ids, _Row, _Table


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
