"""The wide sheets, Budgets and Values: a key column, then one column per year or area."""

from __future__ import annotations

import datetime as _dt
import difflib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.cell import coordinate_from_string

from data.schema import SHEET_BY_NAME, Column, SheetSchema, format_value, normalise_name
from data.validate.cells import RawSheet, _as_text, _Bad, as_number, convert, is_blank, show, span
from data.validate.problems import _Check, _Ids, _Row, id_key
from data.validate.sheets import (
    _header_cells,
    _reference,
    _title_rows,
    _unreadable_header,
    _warn_headless_data,
    free_column,
)


@dataclass
class _Wide:
    sheet: str
    header_row: int
    key_index: int
    columns: dict[int, Any]  # column index -> header value (year / area id)
    rows: list[tuple[int, tuple[object, ...]]]


def _read_wide(
    raw: RawSheet, schema: SheetSchema, header_value: Callable[[object, str], Any], check: _Check
) -> _Wide | None:
    """Find the key column and let `header_value(text, cell)` judge every other header.

    header_value returns the parsed header, None to ignore the column (it has warned).
    """
    key = schema.columns[0].name
    header_row, header, rest = _header_cells(raw)
    if not header_row:
        check.error(
            raw.title,
            "A1",
            "sheet is empty",
            f"expected a header row: {key}, then one column per {schema.wide_headers}",
        )
        return None
    has_key = any(not is_blank(t) and normalise_name(_as_text(t)) == key for t in header)
    if not has_key and _title_rows(raw, header_row, [key], [key], check):
        return None  # before the headers are judged: the title's cells are no headers
    key_index: int | None = None
    columns: dict[int, Any] = {}
    seen: dict[Any, int] = {}
    for j, title in enumerate(header):
        if is_blank(title):
            continue
        cell = f"{get_column_letter(j + 1)}{header_row}"
        if _unreadable_header(raw.title, cell, title, _header_expected(schema), check):
            continue
        if normalise_name(_as_text(title)) == key and key_index is None:
            key_index = j
            continue
        parsed = header_value(title, cell)
        if parsed is None:
            continue
        if parsed in seen:
            check.error(
                raw.title,
                cell,
                f"column {format_value(parsed)} appears twice (also in column {get_column_letter(seen[parsed] + 1)})",
                "expected each column once",
            )
            continue
        seen[parsed] = j
        columns[j] = parsed
    used = set(columns) | ({key_index} if key_index is not None else set())
    _warn_headless_data(raw, header_row, used | _all_headed(header), check)
    if key_index is None:
        cell = f"{get_column_letter(free_column(raw) + 1)}{header_row}"  # where the header would go
        check.error(raw.title, cell, f"no {key} column", f"expected a column headed {key}")
        return None
    rows = [(n, v) for n, v in rest if any(not is_blank(x) for x in v)]
    return _Wide(raw.title, header_row, key_index, columns, rows)


def _header_expected(schema: SheetSchema) -> str:
    """What a wide sheet's extra headers should hold, for messages: a year, an area id."""
    return "a year like 2028" if schema.wide_headers == "year" else f"a {schema.wide_headers}"


def _all_headed(header: tuple[object, ...]) -> set[int]:
    return {j for j, title in enumerate(header) if not is_blank(title)}


def _wide_cells(
    wide: _Wide, check: _Check, ids: _Ids, key_column: Column, value_column: Column, noun: str
) -> Iterator[tuple[str, int, dict[Any, float]]]:
    """Yield (canonical key, row number, {header: number}) per row; reports bad and
    repeated keys."""
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
            check.error(
                wide.sheet,
                row.cell(key_column.name),
                f"{key_column.name} {key} has a second row (first in row {seen[key]})",
                f"expected one row per {key_column.name}",
            )
            continue
        seen[key] = number
        if parsed is not None:
            yield key, number, parsed


def _wide_numbers(
    wide: _Wide, number: int, values: tuple[object, ...], value_column: Column, noun: str, check: _Check
) -> dict[Any, float] | None:
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


def _budget_header(years: tuple[int, ...] | None, sheet: str, check: _Check) -> Callable[[object, str], int | None]:
    def judge(title: object, cell: str) -> int | None:
        number = as_number(title)
        if isinstance(title, (_dt.date, _dt.time)):
            check.error(
                sheet,
                cell,
                f"column header is {show(title)}",
                "expected a year like 2028 (format the header cell as a number or text)",
            )
            return None
        if number is None or (isinstance(number, float) and not number.is_integer()):
            check.warn(sheet, cell, f"column {show(_as_text(title))} is not a year and is ignored")
            return None
        year = int(number)
        if years is not None and year not in years:
            check.warn(sheet, cell, f"column {year} is outside the horizon {years[0]}–{years[-1]} and is ignored")
            return None
        return year

    return judge


def _read_budgets(
    raw: RawSheet | None, years: tuple[int, ...] | None, nations: _Ids, check: _Check
) -> dict[tuple[str, int], float]:
    if raw is None:
        return {}
    schema = SHEET_BY_NAME["Budgets"]
    assert schema.wide_value is not None
    if _long_budgets(raw, years, check):
        return {}
    wide = _read_wide(raw, schema, _budget_header(years, raw.title, check), check)
    if wide is None:
        return {}
    if years is not None:
        missing = [y for y in years if y not in wide.columns.values()]
        if missing:
            check.error(
                wide.sheet,
                _after_header(raw, wide),
                f"no column for year{'s' if len(missing) > 1 else ''} {span(missing)}",
                f"expected one column per year {years[0]}–{years[-1]}, headed by the year",
            )
    budgets: dict[tuple[str, int], float] = {}
    listed: set[str] = set()
    for nation, _, cells in _wide_cells(wide, check, nations, schema.columns[0], schema.wide_value, "budget"):
        listed.add(nation)
        for year, amount in cells.items():
            budgets[(nation, year)] = amount
    free = max((number for number, _ in wide.rows), default=wide.header_row) + 1  # where a row would go
    for code in nations.canonical.values():
        if code not in listed and not _row_was_bad(wide, nations, code):
            cell = f"{get_column_letter(wide.key_index + 1)}{free}"
            free += 1
            check.error(wide.sheet, cell, f"nation {code} has no row", "expected a row for every nation in Nations")
    return budgets


def _long_budgets(raw: RawSheet, years: tuple[int, ...] | None, check: _Check) -> bool:
    """Budgets laid out long — a column headed year, none headed by a year, a row per nation
    and year — said once; True if it was. Read as the wide sheet it should be, it gave an
    error for the missing year columns and one per repeated nation (13 for three nations)."""
    header_row, header, _ = _header_cells(raw)
    texts = [normalise_name(_as_text(t)) for t in header if not is_blank(t)]
    if "year" not in texts and "years" not in texts:
        return False
    if any(isinstance(as_number(t), int) for t in header if not isinstance(t, (_dt.date, _dt.time))):
        return False  # year columns as well: judged column by column
    j = next(j for j, t in enumerate(header) if not is_blank(t) and normalise_name(_as_text(t)) in ("year", "years"))
    horizon = f" {years[0]}–{years[-1]}" if years else ""
    check.error(
        raw.title,
        f"{get_column_letter(j + 1)}{header_row}",  # the "year" header: where the long layout shows
        "the sheet is laid out long, a row per nation and "
        f"year (column {show(_as_text(header[j]))} in {get_column_letter(j + 1)}{header_row})",
        f"expected Budgets wide: one row per nation and a column per year{horizon}, headed by the year",
    )
    return True


def _row_was_bad(wide: _Wide, ids: _Ids, key: str) -> bool:
    """A row exists for key but had bad cells (already reported): don't also say 'no row'."""
    for _, values in wide.rows:
        value = values[wide.key_index] if wide.key_index < len(values) else None
        if not is_blank(value) and ids.resolve(_as_text(value)) == key:
            return True
    return False


def _area_header(
    areas: _Ids, names: Mapping[str, str], raw: RawSheet, check: _Check, strays: list[tuple[int, str]]
) -> Callable[[object, str], str | None]:
    """Judge a Values header; unknown ones are warned about and added to `strays`
    (column index, text), for `_read_values` to judge the sheet as a whole."""

    def judge(title: object, cell: str) -> str | None:
        text = _as_text(title)
        found = areas.resolve(text)
        if found is None and areas.trusted:
            # Planners annotate Values with comment columns, so an unknown header is not an
            # error (WORKBOOK.md: extra columns are ignored); but a misspelt area would lose
            # its points silently, so the warning says what the column probably meant.
            letters, header_row = coordinate_from_string(cell)
            j = column_index_from_string(letters) - 1
            strays.append((j, text))
            numbers = _numbers_below(raw, header_row, j)
            check.warn(
                raw.title,
                cell,
                f"column {show(text)} is not a capability area and is ignored",
                _unknown_area_hint(text, numbers, areas, names),
            )
        return found

    return judge


def _numbers_below(raw: RawSheet, header_row: int, j: int) -> int:
    """How many cells under the header in column j hold a number."""
    return sum(
        1
        for number, values in raw.rows
        if number > header_row and j < len(values) and not is_blank(values[j]) and as_number(values[j]) is not None
    )


def _unknown_area_hint(text: str, numbers: int, areas: _Ids, names: Mapping[str, str]) -> str:
    """'did you mean "CYB"? It holds numbers (5 cells)' and the like ('' for plain notes)."""
    close = difflib.get_close_matches(text.strip().casefold(), list(areas.canonical), n=1)
    held = f"numbers ({numbers} cell{'s' if numbers != 1 else ''})"
    named = names.get(id_key(text))
    if named is not None or close:
        guess = (
            f"{_name_of(text, named)}: head the column {named}."
            if named is not None
            else f"did you mean {show(areas.canonical[close[0]])}?"
        )
        return f"{guess} It holds {held}" if numbers else guess
    if not numbers:
        return ""
    return (
        f"it holds {held} that will not be used; expected a capability area id "
        f"from the CapabilityAreas sheet: {_listed(areas)}"
    )


def _name_of(text: str, area: str) -> str:
    """Planners know areas by name ("Air defence") and head columns with it; say the id."""
    return f"{show(text)} is the name of area {area}"


def _listed(areas: _Ids) -> str:
    """The area ids, at most `_MAX_LISTED` of them: 'AIR, CYB' or 'A1, …, A8, … (3 more)'."""
    ids = list(areas.canonical.values())
    return ", ".join(ids[:_MAX_LISTED]) + (f", … ({len(ids) - _MAX_LISTED} more)" if len(ids) > _MAX_LISTED else "")


_MAX_LISTED = 8  # area ids named in a warning; more would bury the message


def _no_area_column(
    wide: _Wide, raw: RawSheet, areas: _Ids, names: Mapping[str, str], strays: list[tuple[int, str]], check: _Check
) -> None:
    """A Values sheet without a single area column is an error, not a warning per column.

    Each unknown column alone may be a planner's notes (issue 16), but with no area column
    at all every programme is worth nothing: the solve ran and reported an empty plan of
    capability 0 (area names typed as headers, or a long programme/area/value layout).
    """
    if wide.columns or not areas.trusted or not len(areas):
        return
    hints = [_name_of(text, names[id_key(text)]) for _, text in strays if id_key(text) in names]
    long_form = next((text for j, text in strays if _area_ids_below(raw, wide.header_row, j, areas)), None)
    if long_form is not None:
        hints.append(
            f"column {show(long_form)} holds area ids: give each area a column of its "
            "own instead of a row per programme and area"
        )
    check.error(
        wide.sheet,
        _after_header(raw, wide),
        "no column is a capability area",
        "expected columns headed by ids from CapabilityAreas "
        f"({_listed(areas)})" + "".join(f"; {hint}" for hint in hints),
    )


def _after_header(raw: RawSheet, wide: _Wide) -> str:
    """The header cell right of every filled cell, where a missing column would go: a
    problem with the header points at a cell, not at its row (WORKBOOK.md)."""
    return f"{get_column_letter(free_column(raw) + 1)}{wide.header_row}"


def _area_ids_below(raw: RawSheet, header_row: int, j: int, areas: _Ids) -> bool:
    """Whether column j holds area ids under the header (a long layout's area column)."""
    return any(
        number > header_row and j < len(values) and not is_blank(values[j]) and _as_text(values[j]) in areas
        for number, values in raw.rows
    )


def _read_values(
    raw: RawSheet | None,
    programmes: _Ids,
    areas: _Ids,
    check: _Check,
    names: Mapping[str, str] | None = None,
    cells: dict[tuple[str, str], str] | None = None,
) -> dict[tuple[str, str], float]:
    """(programme, area) -> points, non-zero ones only.

    `names` maps area names (as `id_key` matches them) to ids, to tell a planner who headed
    a column with an area's name which id is meant; `cells`, if given, receives the cell of
    every value read (for judgements of the whole input that name it).
    """
    if raw is None:
        return {}
    schema = SHEET_BY_NAME["Values"]
    assert schema.wide_value is not None
    strays: list[tuple[int, str]] = []
    wide = _read_wide(raw, schema, _area_header(areas, names or {}, raw, check, strays), check)
    if wide is None:
        return {}
    _no_area_column(wide, raw, areas, names or {}, strays, check)
    letters = {area: get_column_letter(j + 1) for j, area in wide.columns.items()}
    values: dict[tuple[str, str], float] = {}
    for pid, number, parsed in _wide_cells(wide, check, programmes, schema.columns[0], schema.wide_value, "value"):
        for area, points in parsed.items():
            if points != 0:
                values[(pid, area)] = points
                if cells is not None:
                    cells[(pid, area)] = f"{letters[area]}{number}"
    return values
