"""Matching workbook sheets to the schema, reading headers and table sheets, and
resolving the ids one sheet defines and others refer to.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from difflib import SequenceMatcher
from typing import TypeVar

from openpyxl.utils import get_column_letter

from data.schema import (
    DATA_DICTIONARY_SHEET,
    SHEET_BY_NAME,
    SHEETS,
    Column,
    SheetSchema,
    normalise_name,
)
from data.tables import ALLIANCE
from data.validate.cells import (
    _BAD,
    RawSheet,
    _as_text,
    is_blank,
    show,
    show_typed,
    span,
    unreadable,
)
from data.validate.problems import _Check, _Ids, _Row, _Table

# How alike two normalised names must be (difflib ratio) for one to be taken as the other
# misspelt: "duraton_years" is 0.96 like duration_years, "Programme" 0.95 like Programmes,
# while distinct schema names stay apart ("Programmes" and "ProgrammeStandards" are 0.71).
CLOSE_NAME = 0.8

_K = TypeVar("_K")


def _likely_meant(strays: Mapping[_K, str], absent: Sequence[str]) -> dict[str, _K]:
    """Absent schema name -> the stray name (unknown sheet or header) that probably misspells it.

    Names are compared as they are matched (`normalise_name`). Closest pairs are taken first
    and each name is used once, so two near-misses do not claim one column; on a tie the
    name earlier in `absent` wins (callers list required names first).
    """
    scored = sorted(
        (-SequenceMatcher(None, normalise_name(text), normalise_name(name)).ratio(), i, j)
        for i, name in enumerate(absent)
        for j, text in enumerate(strays.values())
    )
    keys = list(strays)
    meant: dict[str, _K] = {}
    taken: set[int] = set()
    for score, i, j in scored:
        if -score < CLOSE_NAME:
            break
        if absent[i] not in meant and j not in taken:
            meant[absent[i]] = keys[j]
            taken.add(j)
    return meant


def _match_sheets(sheets: Sequence[RawSheet], check: _Check) -> dict[str, RawSheet]:
    """Schema sheet name -> the workbook sheet that provides it."""
    by_norm = {normalise_name(s.name): s for s in SHEETS}
    found: dict[str, RawSheet] = {}
    strays: dict[str, str] = {}
    for raw in sheets:
        key = normalise_name(raw.title)
        if key == normalise_name(DATA_DICTIONARY_SHEET):
            continue  # our own documentation sheet in the template
        schema = by_norm.get(key)
        if schema is None:
            strays[raw.title] = raw.title
        elif schema.name in found:
            check.error(
                raw.title,
                "",
                f"sheet repeats sheet {found[schema.name].title} (names are matched ignoring case and spaces)",
                f"expected one sheet named {schema.name}",
            )
        else:
            found[schema.name] = raw
    _report_sheet_names(strays, found, check)
    for raw in found.values():
        for ref in raw.merged:
            check.warn(raw.title, ref, "merged cells: every cell of the range is read as its top-left value")
        _warn_hidden_rows(raw, check)
        _warn_hidden_columns(raw, check)
        if raw.hidden:  # as hidden rows are: hiding looks like leaving out, and is not
            check.warn(
                raw.title,
                "",
                "sheet is hidden in the workbook but read like any other "
                "(unhide it to review it; to leave its data out, delete the rows)",
            )
    return found


def _warn_hidden_rows(raw: RawSheet, check: _Check) -> None:
    """Hiding a row (or filtering it out) looks like leaving it out, but it is read like any
    other: a hidden programme can still be funded. One warning per sheet names the rows."""
    rows = raw.hidden_rows
    if not rows:
        return
    which = f"row {rows[0]} is" if len(rows) == 1 else f"rows {span(rows)} are"
    check.warn(raw.title, str(rows[0]), f"{which} hidden but read like any other (to leave a row out, delete it)")


def _warn_hidden_columns(raw: RawSheet, check: _Check) -> None:
    """A hidden column is read like a hidden row is (an audit hid the Values sheet's ISR
    column and Budgets' 2029 with no word): one warning per sheet names the columns by
    letter and header."""
    columns = raw.hidden_columns
    if not columns:
        return
    header = next((cells for _, cells in raw.rows if any(v is not None for v in cells)), ())
    named = [
        get_column_letter(c) + (f" ({show(header[c - 1])})" if c <= len(header) and header[c - 1] is not None else "")
        for c in columns
    ]
    which = f"column {named[0]} is" if len(named) == 1 else f"columns {', '.join(named)} are"
    check.warn(
        raw.title,
        get_column_letter(columns[0]),
        f"{which} hidden but read like any other (to leave a column out, delete it)",
    )


def _report_sheet_names(strays: Mapping[str, str], found: Mapping[str, RawSheet], check: _Check) -> None:
    """Missing required sheets and ignored strays, linked where a stray is probably the
    missing sheet misnamed: one message that says what to rename, not two unrelated ones."""
    absent = sorted((s for s in SHEETS if s.name not in found), key=lambda s: not s.required)  # required first
    meant = _likely_meant(strays, [s.name for s in absent])
    by_stray = {title: name for name, title in meant.items()}
    for schema in absent:
        if not schema.required:
            continue
        expected = f"expected a sheet named {schema.name}"
        if schema.name in meant:
            expected += f" (sheet {show(meant[schema.name])} is probably it, misnamed: rename it)"
        check.error(schema.name, "", "sheet is missing", expected)
    for title in strays:
        name = by_stray.get(title)
        if name is None:
            check.warn(title, "", "sheet is not an input sheet and is ignored")
        elif not SHEET_BY_NAME[name].required:
            check.warn(
                title,
                "",
                "sheet is not an input sheet and is ignored",
                f"expected {name}, if that was meant (this sheet is probably it, misnamed)",
            )


def free_column(raw: RawSheet) -> int:
    """The 0-based index of the first column right of every filled cell of the sheet (a
    header, a duplicate, a merged range's copies, data under no header): where a missing
    column can be typed without overwriting or adopting anything."""
    last = -1
    for _, values in raw.rows:
        filled = [j for j, v in enumerate(values) if not is_blank(v)]
        if filled:
            last = max(last, filled[-1])
    return last + 1


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
                check.warn(
                    raw.title,
                    get_column_letter(j + 1),
                    f"column {get_column_letter(j + 1)} has data but no header and is ignored",
                )


def _read_table(raw: RawSheet, schema: SheetSchema, check: _Check) -> _Table | None:
    """Map the header onto the schema's columns and wrap each non-blank row."""
    header_row, header, rest = _header_cells(raw)
    if not header_row:
        if schema.required:
            check.error(
                raw.title,
                "A1",  # where its header would begin
                "sheet is empty",
                f"expected a header row with {', '.join(c.name for c in schema.columns)}",
            )
        return None
    known = {normalise_name(c.name): c.name for c in schema.columns}
    index: dict[str, int] = {}
    used: set[int] = set()
    strays: dict[int, str] = {}
    for j, title in enumerate(header):
        if is_blank(title):
            continue
        used.add(j)
        cell = f"{get_column_letter(j + 1)}{header_row}"
        if _unreadable_header(raw.title, cell, title, "a column name", check):
            continue
        name = known.get(normalise_name(_as_text(title)))
        if name is None:
            strays[j] = _as_text(title)
        elif name in index:
            check.error(
                raw.title,
                cell,
                f"column {name} appears twice (also in column {get_column_letter(index[name] + 1)})",
                "expected each column once",
            )
        else:
            index[name] = j
    missing = [c.name for c in schema.columns if c.required and c.name not in index]
    if missing and _title_rows(raw, header_row, [c.name for c in schema.columns if c.required], missing, check):
        return None
    _report_columns(raw, header_row, schema, index, strays, check)
    _warn_headless_data(raw, header_row, used, check)
    letters = {name: get_column_letter(j + 1) for name, j in index.items()}
    rows: list[_Row] = []
    for number, values in rest:
        picked = {name: values[j] if j < len(values) else None for name, j in index.items()}
        if all(is_blank(v) for v in picked.values()):
            continue
        rows.append(_Row(check, raw.title, number, picked, letters))
    return _Table(raw.title, header_row, rows, frozenset(index), complete=not missing, letters=letters)


# How many rows below the first non-blank one are searched for the real header: a title, a
# note and a blank line above a table are common; a header further down is another mistake.
_HEADER_SEARCH_ROWS = 5


def _header_below(raw: RawSheet, header_row: int, names: Sequence[str]) -> int | None:
    """The row, among the first few below `header_row`, that holds a header for every one
    of `names` (matched like headers), if any."""
    wanted = {normalise_name(n) for n in names}
    for number, values in raw.rows:
        if number <= header_row:
            continue
        if number > header_row + _HEADER_SEARCH_ROWS:
            break
        found = {normalise_name(_as_text(v)) for v in values if not is_blank(v)}
        if wanted <= found:
            return number
    return None


def _title_rows(raw: RawSheet, header_row: int, required: Sequence[str], missing: Sequence[str], check: _Check) -> bool:
    """A title (or notes) typed above the header: the first non-blank row lacks required
    columns that a row just below it has. One error says so, instead of an error per missing
    column and a warning per column of data 'without a header'; True if it was said."""
    below = _header_below(raw, header_row, required)
    if below is None:
        return False
    names = ", ".join(missing[:-1]) + " or " + missing[-1] if len(missing) > 1 else missing[0]
    _, header, _ = _header_cells(raw)
    first = next((j for j, v in enumerate(header) if not is_blank(v)), 0)
    check.error(
        raw.title,
        f"{get_column_letter(first + 1)}{header_row}",  # the title's cell, in the row to delete
        f"no {names} column in row {header_row}, which should be the header",
        f"the header seems to be in row {below}: delete the rows above it",
    )
    return True


def _unreadable_header(sheet: str, cell: str, title: object, expected: str, check: _Check) -> bool:
    """Report a header cell that holds no name (a formula whose result was never stored, an
    Excel error) as an error at that cell; True if it did. Read as text, such a header was an
    unknown column "UNCACHED_FORMULA", ignored with a warning, and its data lost with it."""
    problem = unreadable(title, "column header", f"expected {expected}")
    if problem is not None:
        check.error(sheet, cell, *problem)
    return problem is not None


def _report_columns(
    raw: RawSheet,
    header_row: int,
    schema: SheetSchema,
    index: Mapping[str, int],
    strays: Mapping[int, str],
    check: _Check,
) -> None:
    """Missing required columns and ignored headers, linked where a header is probably the
    missing column misspelt: the error then names that header's cell, where the fix is.
    A column missing outright is named right of every filled cell (`free_column`, a pass
    over the sheet made only then)."""
    sheet = raw.title
    absent = sorted((c for c in schema.columns if c.name not in index), key=lambda c: not c.required)
    meant = _likely_meant(strays, [c.name for c in absent])
    by_stray = {j: name for name, j in meant.items()}
    unmatched = [c for c in absent if c.required and c.name not in meant]
    # the cells where their headers would go, not the row: errors point at a cell (WORKBOOK.md)
    free = free_column(raw) if unmatched else 0
    for k, column in enumerate(unmatched):
        cell = f"{get_column_letter(free + k + 1)}{header_row}"
        check.error(sheet, cell, f"no {column.name} column", f"expected a column headed {column.name}")
    for j, text in strays.items():
        cell = f"{get_column_letter(j + 1)}{header_row}"
        name = by_stray.get(j)
        if name is None:
            check.warn(sheet, cell, f"column {show(text)} is not an input column and is ignored")
        elif schema.column(name).required:
            check.error(
                sheet,
                cell,
                f"column {show(text)} is not an input column",
                f"expected {name}, which is missing (this header is probably it, misspelt)",
            )
        else:
            check.warn(
                sheet,
                cell,
                f"column {show(text)} is not an input column and is ignored",
                f"expected {name}, if that was meant (this header is probably it, misspelt)",
            )


def _define_ids(table: _Table | None, column: Column, ids: _Ids, check: _Check) -> list[tuple[_Row, str]]:
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
            typed = show_typed(row.raw(column.name))  # as typed: an invisible character shows
            check.error(
                table.sheet,
                row.cell(column.name),
                f"{column.name} {typed} repeats {first} from row {ids.row_of[first]}",
                "expected a unique id (ids are matched ignoring case and spaces)",
            )
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
        row.check.error(
            row.sheet,
            row.cell(column.name),
            f"{column.name} {show_typed(row.raw(column.name))} is not in {column.refers_to}",
            column.expected(),
        )
    return found
