"""Native Excel charts and the Gantt sheet for the output workbooks.

Charts are openpyxl (DrawingML) charts that reference cells written by `data.report`, so a
planner who edits or filters the numbers sees the chart follow them; nothing is rendered
to an image. Every function here works on a `TableRef` — where a table landed on a sheet —
so the chart code never guesses at cell positions.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from openpyxl.chart import BarChart, LineChart, Reference, ScatterChart, Series
from openpyxl.chart.axis import _BaseAxis
from openpyxl.chart.legend import Legend
from openpyxl.chart.series import XYSeries
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from data.xlsx_io import set_value, wrap_column, write_table

log = logging.getLogger(__name__)

# Colour-blind-safe pair with different lightness, so a grey-scale print still separates them.
DEVELOPMENT_FILL = PatternFill("solid", fgColor="D55E00")
IN_SERVICE_FILL = PatternFill("solid", fgColor="56B4E9")
MARKER_COLOUR = "1F4E78"
BOUND_COLOUR = "D55E00"  # the proven bound beside the plan: the warning colour, not the plan's
GANTT_LABEL_COLUMNS = ("nation", "programme", "sharing", "start_year", "in_service_year")
GANTT_HEADER_ROW = 3
GANTT_YEAR_WIDTH = 6.0

CHART_WIDTH_CM = 18.0
CHART_HEIGHT_CM = 9.0
CHART_ROWS = 20  # rows one chart covers at the default row height, for stacking charts
CHART_COLUMNS = 11


@dataclass(frozen=True)
class TableRef:
    """Where a header-plus-rows table sits on a worksheet (rows are 1-based, inclusive)."""

    ws: Worksheet
    columns: tuple[str, ...]
    header_row: int
    last_row: int

    @property
    def first_row(self) -> int:
        return self.header_row + 1

    @property
    def is_empty(self) -> bool:
        return self.last_row < self.first_row

    @property
    def width(self) -> int:
        return len(self.columns)

    def column(self, name: str) -> int:
        """1-based column index of a header; KeyError names the table's columns."""
        try:
            return self.columns.index(name) + 1
        except ValueError:
            raise KeyError(f"no column {name!r} in {self.ws.title} (has {list(self.columns)})")

    def values(self, name: str) -> Reference:
        """The column's values including its header, so series take their title from it."""
        col = self.column(name)
        return Reference(self.ws, min_col=col, min_row=self.header_row, max_row=self.last_row)

    def categories(self, name: str) -> Reference:
        col = self.column(name)
        return Reference(self.ws, min_col=col, min_row=self.first_row, max_row=self.last_row)


def _show_axes(*axes: _BaseAxis) -> None:
    # openpyxl 3.1 leaves `delete` unset, which recent Excel reads as "axis hidden".
    for axis in axes:
        axis.delete = False


def _size(chart: BarChart | LineChart | ScatterChart, categories: int = 0) -> None:
    chart.height = CHART_HEIGHT_CM
    # Widen for many categories (40 nations) so labels stay legible.
    chart.width = max(CHART_WIDTH_CM, min(60.0, 0.9 * categories))
    chart.legend = Legend()
    chart.legend.position = "b"


def clustered_bars(
    table: TableRef,
    category: str,
    series: Sequence[str],
    title: str,
    y_title: str | None = None,
    x_title: str | None = None,
    from_zero: bool = True,
) -> BarChart:
    """Vertical clustered bars: one group per row of `category`, one bar per series column.

    Bars start at zero by default: spreadsheet auto-scaling otherwise cuts the axis and a
    2 % gap between spend and budget looks like a factor of two.
    """
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "clustered"
    chart.title = title
    chart.y_axis.title = y_title
    chart.x_axis.title = x_title
    for name in series:
        chart.add_data(table.values(name), titles_from_data=True)
    chart.set_categories(table.categories(category))
    if from_zero:
        chart.y_axis.scaling.min = 0
    _show_axes(chart.x_axis, chart.y_axis)
    _size(chart, table.last_row - table.header_row)
    return chart


def lines(
    table: TableRef,
    category: str,
    series: Sequence[str],
    title: str,
    y_title: str | None = None,
    x_title: str | None = None,
    dashed: Iterable[str] = (),
) -> LineChart:
    """One line per series column over the `category` column (years: evenly spaced)."""
    dashed = set(dashed)
    chart = LineChart()
    chart.title = title
    chart.y_axis.title = y_title
    chart.x_axis.title = x_title
    for name in series:
        chart.add_data(table.values(name), titles_from_data=True)
    chart.set_categories(table.categories(category))
    for name, s in zip(series, chart.series):
        s.smooth = False
        if name in dashed:
            s.graphicalProperties.line.dashStyle = "dash"
    _show_axes(chart.x_axis, chart.y_axis)
    _size(chart)
    return chart


def _xy_series(table: TableRef, x: str, y: str, markers_only: bool) -> XYSeries:
    xref = table.categories(x)
    yref = table.values(y)
    s = Series(yref, xref, title_from_data=True)
    s.marker.symbol = "circle"
    s.marker.size = 7
    s.smooth = False
    if markers_only:
        s.graphicalProperties.line.noFill = True
        # Without an explicit fill some viewers draw hollow, near-invisible markers.
        s.marker.graphicalProperties = GraphicalProperties(solidFill=MARKER_COLOUR)
        s.marker.graphicalProperties.line.solidFill = MARKER_COLOUR
    return s


def scatter(
    table: TableRef, x: str, y: str, title: str, x_title: str | None = None, y_title: str | None = None
) -> ScatterChart:
    """Markers only: the points of a Pareto front, x and y on numeric axes (titled by their
    column names unless `x_title` / `y_title` say more, e.g. the unit)."""
    chart = ScatterChart()
    chart.title = title
    chart.x_axis.title = x_title or x
    chart.y_axis.title = y_title or y
    chart.series.append(_xy_series(table, x, y, markers_only=True))
    _show_axes(chart.x_axis, chart.y_axis)
    _size(chart)
    chart.legend = None
    return chart


def xy_lines(
    table: TableRef,
    x: str,
    left: Sequence[str],
    right: Sequence[str] = (),
    title: str = "",
    titles: Mapping[str, str] | None = None,
) -> ScatterChart:
    """Lines over a numeric x (uneven steps keep their spacing); `right` on a second axis.

    Capability and cost differ by orders of magnitude, so a shared axis would flatten one.
    `titles` maps a column to its axis title (with its unit); the column name otherwise.
    """
    named = dict(titles or {})
    chart = ScatterChart()
    chart.title = title
    chart.x_axis.title = named.get(x, x)
    chart.y_axis.title = _axis_title(left, named)
    for name in left:
        chart.series.append(_xy_series(table, x, name, markers_only=False))
    _show_axes(chart.x_axis, chart.y_axis)
    _size(chart)
    if right:
        second = ScatterChart()
        for name in right:
            s = _xy_series(table, x, name, markers_only=False)
            s.graphicalProperties.line.dashStyle = "dash"
            second.series.append(s)
        second.y_axis.axId = 200
        second.y_axis.title = _axis_title(right, named)
        second.y_axis.crosses = "max"
        second.y_axis.majorGridlines = None  # one set of gridlines is enough
        _show_axes(second.y_axis)
        chart += second
    return chart


def plan_and_bound(
    table: TableRef, x: str, plan: str, bound: str, title: str = "", y_title: str | None = None
) -> ScatterChart:
    """A plan's value as a line over a numeric x, and its proven bound as markers beside it.

    Where a bound marker sits on the plan's, that plan is proven; where it stands apart,
    the distance is how much better a plan might still be. Blank bound cells (no bound
    comparable with this objective) plot nothing rather than a wrong number.
    """
    chart = ScatterChart()
    chart.title = title
    chart.x_axis.title = x
    chart.y_axis.title = y_title or plan
    chart.series.append(_xy_series(table, x, plan, markers_only=False))
    s = _xy_series(table, x, bound, markers_only=True)
    assert s.marker is not None  # `_xy_series` styles its marker
    s.marker.symbol = "triangle"
    s.marker.size = 9
    s.marker.graphicalProperties.solidFill = BOUND_COLOUR
    s.marker.graphicalProperties.line.solidFill = BOUND_COLOUR
    chart.series.append(s)
    _show_axes(chart.x_axis, chart.y_axis)
    _size(chart)
    return chart


def _axis_title(columns: Sequence[str], titles: Mapping[str, str]) -> str:
    """One axis's title: its columns' titles, joined."""
    return ", ".join(dict.fromkeys(titles.get(c, c) for c in columns))


def category_lines(
    table: TableRef,
    x: str,
    left: Sequence[str],
    right: Sequence[str] = (),
    title: str = "",
    titles: Mapping[str, str] | None = None,
) -> LineChart:
    """`xy_lines` for a text x column (scenario names): categories instead of numbers."""
    named = dict(titles or {})
    chart = lines(table, x, left, title, y_title=_axis_title(left, named), x_title=named.get(x, x))
    if right:
        second = lines(table, x, right, title, y_title=_axis_title(right, named), dashed=right)
        second.y_axis.axId = 200
        second.y_axis.crosses = "max"
        second.y_axis.majorGridlines = None
        chart += second
    return chart


def place(ws: Worksheet, chart: BarChart | LineChart | ScatterChart, anchor: str) -> None:
    """Anchor `chart` at a cell: the one place a chart is added, so every sheet lays them out alike."""
    ws.add_chart(chart, anchor)


def grid_anchor(index: int, first_column: int, first_row: int = 1, per_row: int = 2) -> str:
    """Top-left cell of the index-th chart in a grid of charts `per_row` wide."""
    col = first_column + (index % per_row) * CHART_COLUMNS
    row = first_row + (index // per_row) * CHART_ROWS
    return f"{get_column_letter(col)}{row}"


def add_gantt_sheet(wb: Workbook, plan: pd.DataFrame, years: Sequence[int], title: str = "Gantt") -> Worksheet:
    """One row per funded (nation, programme), one column per year, years shaded by phase.

    Development years are start_year … completion_year (the spending years); in-service
    years run from in_service_year to the end of the horizon. Blank years mean not yet
    started. A legend sits above the table (rows 1-2) so it stays visible with the
    frozen header.
    """
    ws = wb.create_sheet(title)
    years = [int(y) for y in years]
    _write_legend(ws)
    # A Pareto front's plans carry a `point` column: one block of rows per point.
    labels = [c for c in ("point", *GANTT_LABEL_COLUMNS) if c in plan.columns]
    rows = _gantt_rows(plan, labels)
    columns: list[Any] = [*labels, *years]  # years stay numbers in the header
    last = write_table(
        ws,
        columns,
        ([*(r[c] for c in labels)] for r in rows),
        number_formats={"point": "0", "start_year": "0", "in_service_year": "0"},
        start_row=GANTT_HEADER_ROW,
    )
    _shade_years(ws, rows, years, len(labels) + 1)
    log.debug("Gantt: %d rows up to sheet row %d", len(rows), last)
    return ws


PROGRAMME_GANTT_COLUMNS = (
    "programme",
    "sharing",
    "start_year",
    "in_service_year",
    "nations",
    "funded_by",
)
FUNDED_BY_WIDTH = 60.0


def add_programme_gantt_sheet(
    wb: Workbook, plan: pd.DataFrame, years: Sequence[int], title: str = "GanttByProgramme"
) -> Worksheet:
    """The Gantt to print: one row per programme and start year, its nations listed.

    Nations that start the same programme in the same year share one schedule, so the
    chart has a row per schedule rather than per nation (on the reference plan 71 rows
    instead of 788): programmes × years on a page or two. Rows run in start order, the
    years are shaded like the Gantt sheet's, `funded_by` wraps.
    """
    ws = wb.create_sheet(title)
    years = [int(y) for y in years]
    _write_legend(ws)
    rows = _programme_rows(plan)
    columns: list[Any] = [*PROGRAMME_GANTT_COLUMNS, *years]
    last = write_table(
        ws,
        columns,
        ([r[c] for c in PROGRAMME_GANTT_COLUMNS] for r in rows),
        number_formats={"start_year": "0", "in_service_year": "0", "nations": "0"},
        start_row=GANTT_HEADER_ROW,
    )
    first_year_col = len(PROGRAMME_GANTT_COLUMNS) + 1
    funded_col = PROGRAMME_GANTT_COLUMNS.index("funded_by") + 1
    wrap_column(ws, funded_col, FUNDED_BY_WIDTH, GANTT_HEADER_ROW + 1, last, funded_col)
    _shade_years(ws, rows, years, first_year_col)
    return ws


def _shade_years(ws: Worksheet, rows: Sequence[Any], years: Sequence[int], first_year_col: int) -> None:
    """Both Gantt sheets: shade each row's years, freeze the labels, narrow centred years."""
    for i, r in enumerate(rows):
        _shade_row(ws, GANTT_HEADER_ROW + 1 + i, first_year_col, years, r)
    ws.freeze_panes = ws.cell(row=GANTT_HEADER_ROW + 1, column=first_year_col)
    for j in range(first_year_col, first_year_col + len(years)):
        ws.column_dimensions[get_column_letter(j)].width = GANTT_YEAR_WIDTH
        ws.cell(row=GANTT_HEADER_ROW, column=j).alignment = Alignment(horizontal="center")


def _programme_rows(plan: pd.DataFrame) -> list[dict[str, Any]]:
    """One dict per (programme, start_year): its schedule and the nations that run it."""
    if plan.empty:
        return []
    needed = ["nation", "programme", "sharing", "start_year", "completion_year", "in_service_year"]
    missing = [c for c in needed if c not in plan.columns]
    if missing:
        raise ValueError(f"Gantt needs Plan columns {missing}")
    frame = plan[needed].copy()
    frame["programme"] = frame["programme"].astype(str)
    frame["nation"] = frame["nation"].astype(str)
    rows = []
    keys = ["programme", "start_year", "completion_year", "in_service_year", "sharing"]
    for key, group in frame.groupby(keys, sort=False, dropna=False):
        programme, start, done, service, sharing = key
        nations = sorted(set(group["nation"]))
        rows.append(
            {
                "programme": programme,
                "sharing": None if pd.isna(sharing) else sharing,
                "start_year": None if pd.isna(start) else int(start),
                "completion_year": None if pd.isna(done) else int(done),
                "in_service_year": None if pd.isna(service) else int(service),
                "nations": len(nations),
                "funded_by": ", ".join(nations),
            }
        )
    rows.sort(key=lambda r: (r["start_year"] is None, r["start_year"] or 0, r["programme"]))
    return rows


def _write_legend(ws: Worksheet) -> None:
    """Two rows above the table: a swatch and its meaning each, so no text runs over a
    swatch whatever the column widths turn out to be."""
    set_value(ws.cell(row=1, column=1), "Legend")
    ws.cell(row=1, column=1).font = Font(bold=True)
    for row, fill, text in (
        (1, DEVELOPMENT_FILL, "development (spending years)"),
        (2, IN_SERVICE_FILL, "in service"),
    ):
        ws.cell(row=row, column=2).fill = fill
        set_value(ws.cell(row=row, column=3), text)


def _gantt_rows(plan: pd.DataFrame, labels: Sequence[str]) -> list[dict[str, Any]]:
    """Plan rows as plain dicts, ordered by nation then start year so each nation reads
    as its own little schedule."""
    if plan.empty:
        return []
    needed = ["start_year", "completion_year", "in_service_year"]
    missing = [c for c in ["nation", "programme", *needed] if c not in plan.columns]
    if missing:
        raise ValueError(f"Gantt needs Plan columns {missing}")
    order = [c for c in ("point", "nation", "start_year", "programme") if c in plan.columns]
    frame = plan.sort_values(order, kind="stable")
    keep = list(dict.fromkeys([*labels, *needed]))
    return [
        {c: (None if pd.isna(v) else v) for c, v in zip(keep, values)}
        for values in frame[keep].itertuples(index=False, name=None)
    ]


def _shade_row(ws: Worksheet, row: int, first_col: int, years: Sequence[int], plan_row: dict[str, Any]) -> None:
    start = plan_row["start_year"]
    done = plan_row["completion_year"]
    service = plan_row["in_service_year"]
    for j, year in enumerate(years):
        fill = None
        if start is not None and done is not None and int(start) <= year <= int(done):
            fill = DEVELOPMENT_FILL
        elif service is not None and year >= int(service):
            fill = IN_SERVICE_FILL
        if fill is not None:
            ws.cell(row=row, column=first_col + j).fill = fill
