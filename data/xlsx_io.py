"""Shared openpyxl helpers for every workbook we write: safe text, tidy sheets, atomic saves.

All writers (template, plan, front, sweep) go through `write_table` and `save_atomically`
so that text never turns into a formula and no partial file is ever left behind.
"""

from __future__ import annotations

import errno
import io
import math
import os
import stat
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

HEADER_FONT = Font(name="Calibri", bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
MAX_COLUMN_WIDTH = 60


def set_value(cell: Cell, value: Any, number_format: str | None = None) -> None:
    """Write a value; strings are always stored as text, never parsed as formulas.

    openpyxl treats any string starting with '=' as a formula, so we set the data type
    explicitly after assignment. Leading '+', '-', '@' are inert once stored as a string
    cell (Excel does not re-parse stored strings), which is exactly what we want.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        cell.value = None
        return
    if isinstance(value, str):
        cell.value = value
        cell.data_type = "s"
        return
    if hasattr(value, "item"):  # numpy scalar -> python scalar
        value = value.item()
    cell.value = value
    if number_format and isinstance(value, (int, float)) and not isinstance(value, bool):
        cell.number_format = _showing_small_amounts(number_format, value)


ONE_DECIMAL = "#,##0.0"
SMALL_AMOUNT = "#,##0.0##"
SMALLEST_SHOWN = 0.0005  # below it, round-off crumbs of the solver: "0.0" is what they are
SMALL_BELOW = 10.0  # amounts below it get up to three decimals: one decimal is then too coarse


def is_small_amount(value: float) -> bool:
    """Whether one decimal would hide too much of `value`: a payment of 0.0083 (million) read
    "0.0", as if nothing were paid, and a workbook in EUR billion (amounts from 0.001, as
    validation allows) showed its budgets as 0.0 and 0.1. Crumbs below 0.0005 are not."""
    return SMALLEST_SHOWN <= abs(value) < SMALL_BELOW


def set_number_format(cell: Cell | MergedCell, number_format: str) -> None:
    """`number_format` on a written cell, as `set_value` gives it (small amounts' decimals):
    the Summary's and the stress Alliance sheet's own formats showed a cost of 0.05 as 0.1."""
    value = cell.value
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    cell.number_format = _showing_small_amounts(number_format, value) if is_number else number_format  # type: ignore[arg-type]


def _showing_small_amounts(number_format: str, value: float) -> str:
    """A one-decimal format, with up to three decimals for a small amount (`is_small_amount`)."""
    return SMALL_AMOUNT if number_format == ONE_DECIMAL and is_small_amount(value) else number_format


def amount_text(number: float) -> str:
    """`number` in words as its cell shows it: a tenth, or up to three decimals for a small
    amount; never "-0.0" (read as a negative bound of a weighted run)."""
    if is_small_amount(number):
        text = f"{number:,.3f}".rstrip("0")
        return text + "0" if text.endswith(".") else text
    text = f"{number:,.1f}"
    return "0.0" if text == "-0.0" else text


def write_table(
    ws: Worksheet,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    number_formats: dict[str, str] | None = None,
    start_row: int = 1,
    autofilter: bool = True,
    freeze: bool = True,
) -> int:
    """Write a header and rows, style the header, freeze it, add a filter; return last row."""
    number_formats = number_formats or {}
    formats = [number_formats.get(c) for c in columns]
    for j, name in enumerate(columns, start=1):
        cell = ws.cell(row=start_row, column=j)
        set_value(cell, name)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center")
    r = start_row
    for r, row in enumerate(rows, start=start_row + 1):
        for j, value in enumerate(row, start=1):
            set_value(ws.cell(row=r, column=j), value, formats[j - 1])
    if freeze:
        ws.freeze_panes = ws.cell(row=start_row + 1, column=1)
    if autofilter and columns:
        ws.auto_filter.ref = f"A{start_row}:{get_column_letter(len(columns))}{max(r, start_row)}"
    autosize_columns(ws, first_row=start_row)
    return r


def autosize_columns(ws: Worksheet, sample_rows: int = 200, first_row: int = 1) -> None:
    """Width from the longest value in the first rows of a table starting at `first_row`
    (a legend above it does not count): fast on big sheets, good enough."""
    widths: dict[int, int] = {}
    last = min(ws.max_row, first_row + sample_rows - 1)
    for row in ws.iter_rows(min_row=first_row, max_row=last):
        for cell in row:
            if cell.value is None:
                continue
            text = f"{cell.value:,.2f}" if isinstance(cell.value, float) else str(cell.value)
            widths[cell.column] = max(widths.get(cell.column, 0), len(text))
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = min(MAX_COLUMN_WIDTH, width + 3)


LINE_HEIGHT_POINTS = 15.0  # one line of the default 11 pt font


def wrap_column(ws: Worksheet, column: int, width: float, first_row: int, last_row: int, row_width: int = 0) -> None:
    """Wrap a text column at `width` characters and give each row the lines it needs.

    Viewers do not agree on re-measuring wrapped rows when a file opens (LibreOffice
    keeps the stored height), so the height is set here from the text's length. The
    first `row_width` cells of each row are centred vertically with it.
    """
    ws.column_dimensions[get_column_letter(column)].width = width
    per_line = max(1, int(width * 1.1))  # codes and commas run narrower than digits
    for r in range(first_row, last_row + 1):
        for j in range(1, row_width + 1):
            if j != column:
                ws.cell(row=r, column=j).alignment = Alignment(vertical="center")
        cell = ws.cell(row=r, column=column)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        text = "" if cell.value is None else str(cell.value)
        lines = max(1, -(-len(text) // per_line))
        if lines > 1:
            ws.row_dimensions[r].height = LINE_HEIGHT_POINTS * lines


def new_workbook() -> Workbook:
    """A workbook with its default empty sheet removed."""
    wb = Workbook()
    wb.remove(wb.active)
    return wb


def _permissions_for(target: Path) -> int:
    """Keep a replaced file's mode; a new file gets the usual umask mode, not mkstemp's 0600."""
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """Whether two paths name one file: the same path once resolved, or (both existing) one
    file reached through a symbolic or hard link or a case-insensitive file system."""
    first, second = Path(a), Path(b)
    try:
        if first.resolve() == second.resolve():
            return True
        return first.exists() and second.exists() and os.path.samefile(first, second)
    except (OSError, RuntimeError):  # RuntimeError: a symbolic-link loop
        return False


def refuse_replacing(target: str | os.PathLike[str], protected: Iterable[str | os.PathLike[str] | None]) -> None:
    """Raise ValueError if `target` is one of the `protected` files (the workbooks a run
    read). WORKBOOK.md: an output is never written over the input. The command line checks
    this before solving, but `Result.to_excel(path)` from Python did not, and replaced the
    planner's input workbook with the plan."""
    for read in protected:
        if read and same_file(target, read):
            raise ValueError(
                f"{target}: the output would overwrite the input workbook {read} "
                "— expected another file name (the input is never modified)"
            )


def save_workbook(wb: Workbook, target: str | os.PathLike[str] | IO[bytes]) -> None:
    """`wb.save`, every float stored with all the digits it needs (`exact_floats`)."""
    exact_floats(wb)
    wb.save(target)


def exact_floats(wb: Workbook) -> None:
    """Store every float with all the digits it needs to read back bit for bit.

    openpyxl writes numbers with 16 significant digits ('%.16g'), which turns 0.1 + 0.2
    into 0.3: a plan's payment of 1.7999999999999998 read back as 1.8, so a plan written
    and read again was not the plan solved, and a Summary's best_bound lost its last digit.
    A numeric cell whose stored value is the text of `repr(x)` is written verbatim into <v>
    (still a number to Excel, which reads doubles at full precision), so we do that for
    the few floats that 16 digits would change.
    """
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, float) and math.isfinite(value) and float(f"{value:.16g}") != value:
                    cell._value = repr(value)  # data_type stays "n"


def save_atomically(wb: Workbook, path: str | os.PathLike[str]) -> Path:
    """Save to a temporary file in the target folder, then rename over the target.

    A crash, Ctrl-C or full disk leaves either the old file or the new one, never half
    of one. Raises OSError if the folder cannot be written; callers decide the fallback.
    Writers of results call `refuse_replacing` first, so that no input is replaced.
    """
    buffer = io.BytesIO()  # in memory first: openpyxl's zip file, left open by a full disk,
    save_workbook(wb, buffer)  # printed "Exception ignored in: ZipFile.__del__" tracebacks
    return write_bytes_atomically(buffer.getvalue(), path)


def _refuse_read_only(target: Path) -> None:
    """A file marked read-only is not replaced: the rename needs only a writable folder, so
    `chmod 444 keep.xlsx` did not keep it (the README promises a timestamped copy beside a
    read-only output instead). Its write bits are read too, as an administrator may write
    any file."""
    try:
        mode = target.stat().st_mode
    except OSError:  # no such file yet (or a dangling link): nothing to keep
        return
    if not stat.S_ISREG(mode):
        return
    if not os.access(target, os.W_OK) or not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise PermissionError(errno.EACCES, "the file is read-only", str(target))


def write_bytes_atomically(data: bytes, path: str | os.PathLike[str]) -> Path:
    """Write `data` to a temporary file in the target folder, then rename it over the
    target: the old file or the new one, never half of one (a front's PNG drawn straight
    into a full folder replaced the old one with 4,096 bytes of it). Raises OSError if the
    folder cannot be written, after removing the temporary file."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    _refuse_read_only(target)
    # the stem cut to 100 bytes: a name near the system's 255 bytes (83 CJK characters) had no
    # room for the random part
    stem = target.stem.encode("utf-8", "surrogateescape")[:100].decode("utf-8", "ignore")
    fd, tmp = tempfile.mkstemp(prefix=f".{stem}.", suffix=f"{target.suffix[:20]}.tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, _permissions_for(target))
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return target
