"""Print set-up for output sheets: A4, fit to the page width, header row on every page.

Planners take plans into meetings on paper or as PDF, so every sheet we write says how it
prints: portrait for narrow tables, landscape where the table and its charts are wide,
scaled to the page width (never to a fixed number of pages tall, which would shrink long
tables to dust), the header row repeated on every page, the sheet name and the input file
in the page header and "page n of m" in the footer. Sizes are estimated from column widths
and chart sizes as openpyxl records them; nothing is rendered here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath

from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.workbook import Workbook
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

DEFAULT_COLUMN_WIDTH = 8.43  # Excel's default, in characters of the default font
CM_PER_CHARACTER = 0.2  # one width unit of Calibri 11 (7 px + padding at 96 dpi)
CM_PER_ROW = 0.45  # the default row height as LibreOffice and Excel print it
A4_PORTRAIT_CM = (21.0, 29.7)
MARGIN_INCHES = 0.4
HEADER_FOOTER_INCHES = 0.2
PRINTABLE_PORTRAIT_CM = A4_PORTRAIT_CM[0] - 2 * MARGIN_INCHES * 2.54
PRINTABLE_LANDSCAPE_CM = A4_PORTRAIT_CM[1] - 2 * MARGIN_INCHES * 2.54
PRINTABLE_HEIGHT_CM = A4_PORTRAIT_CM[1] - 2 * (MARGIN_INCHES + HEADER_FOOTER_INCHES) * 2.54
PRINTABLE_HEIGHT_LANDSCAPE_CM = A4_PORTRAIT_CM[0] - 2 * (MARGIN_INCHES + HEADER_FOOTER_INCHES) * 2.54
# Portrait only while it keeps text at least this large (fit to width shrinks wide sheets).
PORTRAIT_MIN_SCALE = 0.6
MAX_HEADER_LABEL = 120  # characters of the input file's name shown in the page header

_CONFIGURED = "_capopt_print_configured"


@dataclass(frozen=True)
class PrintSize:
    """What a sheet would cover printed at 100 %, in cm."""

    width_cm: float
    height_cm: float

    def pages(self, landscape: bool) -> int:
        """Pages when fitted to the page width (scaled down only, never up)."""
        width, height = (
            (PRINTABLE_LANDSCAPE_CM, PRINTABLE_HEIGHT_LANDSCAPE_CM)
            if landscape
            else (PRINTABLE_PORTRAIT_CM, PRINTABLE_HEIGHT_CM)
        )
        scale = min(1.0, width / max(self.width_cm, 1e-9))
        return max(1, math.ceil(self.height_cm * scale / height - 1e-9))

    @property
    def landscape(self) -> bool:
        """Landscape when it prints on fewer pages, or portrait would shrink text too far."""
        portrait_scale = min(1.0, PRINTABLE_PORTRAIT_CM / max(self.width_cm, 1e-9))
        if portrait_scale < PORTRAIT_MIN_SCALE:
            return True
        return self.pages(landscape=True) < self.pages(landscape=False)


def column_width_cm(ws: Worksheet, column: int) -> float:
    """A column's printed width: Excel's character widths, converted, to fit pages."""
    dimension = ws.column_dimensions.get(get_column_letter(column))
    width = dimension.width if dimension is not None and dimension.width else DEFAULT_COLUMN_WIDTH
    return float(width) * CM_PER_CHARACTER


def column_at_cm(ws: Worksheet, x_cm: float) -> int:
    """The 1-based column that starts at or just after `x_cm` from the sheet's left edge."""
    column, left = 1, 0.0
    while left + 1e-9 < x_cm:
        left += column_width_cm(ws, column)
        column += 1
    return column


def _chart_extent(ws: Worksheet) -> tuple[float, float]:
    """Right and bottom edge (cm) of the sheet's charts, from their one-cell anchors."""
    right = bottom = 0.0
    for chart in ws._charts:
        anchor = chart.anchor
        if isinstance(anchor, str):
            row, column = coordinate_to_tuple(anchor)
            row, column = row - 1, column - 1  # 0-based, like a marker
        elif getattr(anchor, "_from", None) is not None:
            row, column = anchor._from.row, anchor._from.col
        else:
            continue
        left = sum(column_width_cm(ws, c) for c in range(1, column + 1))
        top = row * CM_PER_ROW
        right = max(right, left + float(chart.width))
        bottom = max(bottom, top + float(chart.height))
    return right, bottom


def print_size(ws: Worksheet) -> PrintSize:
    """The sheet's printed extent, tables and charts alike, to choose its paper and scale."""
    table_width = sum(column_width_cm(ws, c) for c in range(1, ws.max_column + 1))
    chart_right, chart_bottom = _chart_extent(ws)
    return PrintSize(max(table_width, chart_right), max(ws.max_row * CM_PER_ROW, chart_bottom))


def header_label(input_file: object, input_sha256: object = None) -> str:
    """The input workbook as the page header names it: its file name, else its hash."""
    if isinstance(input_file, str) and input_file.strip():
        name = PurePath(input_file.strip()).name or input_file.strip()
        return f"Input: {name[:MAX_HEADER_LABEL]}"
    if isinstance(input_sha256, str) and input_sha256.strip():
        return f"Input sha256 {input_sha256.strip()[:12]}…"
    return ""


def _header_text(text: str) -> str:
    """Page-header text taken literally: '&' starts a field code (&P, &A) in Excel."""
    return text.replace("&", "&&")


def set_up_print(
    ws: Worksheet,
    label: str = "",
    *,
    landscape: bool | None = None,
    title_rows: str | None = "1:1",
    print_area: str | None = None,
    one_page: bool = False,
    gridlines: bool = False,
) -> None:
    """A4, fit to width (or to one page), header row repeated, sheet + input in the header.

    `landscape=None` chooses from the sheet's printed width (tables and charts).
    `title_rows` (e.g. "3:3") repeat on every page; None for none.
    """
    if landscape is None:
        landscape = print_size(ws).landscape
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if one_page else 0  # 0: as many pages tall as needed
    ws.page_margins = PageMargins(
        left=MARGIN_INCHES,
        right=MARGIN_INCHES,
        top=MARGIN_INCHES + HEADER_FOOTER_INCHES,
        bottom=MARGIN_INCHES + HEADER_FOOTER_INCHES,
        header=HEADER_FOOTER_INCHES,
        footer=HEADER_FOOTER_INCHES,
    )
    ws.print_options.gridLines = gridlines
    ws.print_options.horizontalCentered = False
    if title_rows:
        ws.print_title_rows = title_rows
    if print_area:
        ws.print_area = print_area
    ws.oddHeader.left.text = "&A"
    ws.oddHeader.left.size = 9
    ws.oddHeader.right.text = _header_text(label)
    ws.oddHeader.right.size = 9
    ws.oddFooter.center.text = "Page &P of &N"
    ws.oddFooter.center.size = 9
    setattr(ws, _CONFIGURED, True)


def set_up_workbook(wb: Workbook, label: str = "", skip: Iterable[str] = ()) -> None:
    """Every sheet not set up yet: a header-row table, orientation from its width."""
    skip = set(skip)
    for ws in wb.worksheets:
        if ws.title in skip or getattr(ws, _CONFIGURED, False):
            continue
        has_table = ws.max_row > 1 and ws.freeze_panes is not None
        # Gridlines would also print across the empty cells under a sheet's charts.
        gridlines = has_table and not ws._charts
        set_up_print(ws, label, title_rows="1:1" if has_table else None, gridlines=gridlines)


def is_configured(ws: Worksheet) -> bool:
    """Whether the sheet's print layout was set already: a layout chosen once is not redone."""
    return bool(getattr(ws, _CONFIGURED, False))
