"""The stress-test workbook: plans side by side under the same sampled overruns (docs/robust.md).

Laid out from tables the optimizer side has built: an Alliance table (one row per
measure, one column per plan, then its unit and meaning) and long per-nation, per-funding
and per-year tables led by `plan`, one block of rows per plan. Every chart is a native
chart with one series per plan, referencing those cells.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from openpyxl.chart import BarChart, LineChart, Reference, Series
from openpyxl.chart.data_source import StrRef
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.legend import Legend
from openpyxl.chart.series import SeriesLabel
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.worksheet import Worksheet

from data.charts import CHART_HEIGHT_CM, CHART_WIDTH_CM, TableRef, grid_anchor
from data.dashboard import write_study_dashboard

# One table writer and one Summary layout for every output workbook: report.py's.
from data.report import (
    DASHBOARD,
    MONEY,
    SHARE,
    SummaryRows,
    _label,
    _set_up_printing,
    _sheet,
    _summary_items,
    _titled,
    _write_frame,
    _write_summary,
    arrange_sheets,
    read_files,
)
from data.xlsx_io import new_workbook, refuse_replacing, save_atomically, set_number_format, wrap_column

COUNT = "#,##0.00"
PROBABILITY = "0.0%"
ALLIANCE_COLUMNS = ("measure", "unit", "meaning")
MEANING_WIDTH = 60.0
SMALL_CHART = (14.0, 8.0)  # cm: a one-category chart of a few bars
# Per-nation and per-year columns charted one series per plan: title, axis title.
NATION_CHARTS = {
    "breach_probability": ("Probability that the nation breaches its budget in some year", "probability"),
    "expected_overrun_beyond_budget": ("Expected overrun beyond budget, per nation", "money"),
    "p95_overrun_beyond_budget": ("Overrun beyond budget exceeded in 1 sample in 20, per nation", "money"),
    "expected_capability_lost": ("Capability at risk: expected capability lost, per nation", "capability points"),
}
YEAR_CHARTS = {
    "expected_nations_breaching": ("Expected nations in breach, per year", "nations"),
    "expected_overrun_beyond_budget": ("Expected overrun beyond budget, per year", "money"),
    "breach_probability": ("Probability that some nation breaches, per year", "probability"),
}
# The Dashboard's table: Alliance measure -> column title and format.
GLANCE = {  # titles short enough for the Dashboard's columns; the findings spell them out
    "expected_nation_years_in_breach": ("nation-years", COUNT),
    "budget_overrun_share": ("overrun %", "0.00%"),
    "expected_overrun_beyond_budget": ("overrun", MONEY),
    "expected_capability_lost": ("capability lost", MONEY),
    "expected_capability_delivered": ("delivered", MONEY),
    "any_breach_probability": ("P(any)", "0.000"),
}
DASHBOARD_CHARTS = ("expected_nation_years_in_breach", "budget_overrun_share", "expected_capability_lost")


def write_stress_workbook(
    path: str | Path,
    summary: SummaryRows,
    headline: str,
    findings: Sequence[str],
    alliance: pd.DataFrame,
    plans: Sequence[str],
    by_nation: pd.DataFrame,
    by_programme: pd.DataFrame,
    by_year: pd.DataFrame,
) -> Path:
    """Write a stress test of one or more plans (docs/robust.md "Stress test").

    Dashboard: the headline, what the study found, the main figures per plan and their
    charts. Alliance: every alliance measure per plan (`alliance`: `measure`, a column per
    label of `plans`, `unit`, `meaning`) with a chart per measure. Stress (per plan and
    nation), StressByProgramme (per plan and funding), StressByYear (per plan and year):
    long tables led by `plan`, one block of rows per plan in the order of `plans`, with a
    chart per measure, one series per plan.
    """
    plans = list(plans)
    _check(alliance, plans, by_nation, by_programme, by_year)
    summary = _summary_items(summary)
    currency = next(
        (str(u) for m, u in zip(alliance["measure"], alliance["unit"]) if m == "expected_overrun_beyond_budget"),
        "money",
    )
    label = _label(summary)
    wb = new_workbook()
    dashboard = _sheet(wb, DASHBOARD)
    _write_summary(wb, summary)

    ws = _sheet(wb, "Alliance")
    formats = [_unit_format(u) for u in alliance["unit"]]
    table = _write_frame(ws, alliance, {p: MONEY for p in plans})
    for r, fmt in enumerate(formats, start=table.first_row):
        for p in plans:
            set_number_format(ws.cell(row=r, column=table.column(p)), fmt)
    wrap_column(ws, table.column("meaning"), MEANING_WIDTH, table.first_row, table.last_row, table.width)
    measure_rows = {str(m): table.first_row + i for i, m in enumerate(alliance["measure"])}
    for i, (measure, row) in enumerate(measure_rows.items()):
        chart: BarChart | LineChart = _measure_chart(table, row, plans, measure.replace("_", " "), formats[i])
        ws.add_chart(chart, grid_anchor(i, table.width + 2, per_row=2))

    ws = _sheet(wb, "Stress")
    shares = {c: SHARE for c in by_nation.columns if str(c).endswith("_probability")}
    nations = _write_frame(ws, by_nation, shares)
    charted = [c for c in NATION_CHARTS if c in by_nation.columns]
    for i, column in enumerate(charted):
        title, axis = NATION_CHARTS[column]
        chart = _block_chart(BarChart(), nations, plans, "nation", column, title, _axis(axis, currency))
        ws.add_chart(chart, grid_anchor(i, nations.width + 2, per_row=1))

    shares = {c: SHARE for c in by_programme.columns if str(c).endswith("_probability")}
    _write_frame(_sheet(wb, "StressByProgramme"), by_programme, shares)

    ws = _sheet(wb, "StressByYear")
    shares = {c: SHARE for c in by_year.columns if str(c).endswith("_probability")}
    years = _write_frame(ws, by_year, shares | {"year": "0"})
    charted = [c for c in YEAR_CHARTS if c in by_year.columns]
    for i, column in enumerate(charted):
        title, axis = YEAR_CHARTS[column]
        chart = _block_chart(LineChart(), years, plans, "year", column, title, _axis(axis, currency))
        ws.add_chart(chart, grid_anchor(i, years.width + 2, per_row=1))

    glance = pd.DataFrame({"plan": plans})
    glance_formats: dict[str, str] = {}
    by_measure = alliance.set_index("measure")
    for measure, (title, fmt) in GLANCE.items():
        if measure in by_measure.index:
            glance[title] = [by_measure.loc[measure, p] for p in plans]  # type: ignore[assignment]  # pandas-stubs
            glance_formats[title] = fmt
    charts = [
        _measure_chart(table, measure_rows[m], plans, m.replace("_", " "), formats[list(measure_rows).index(m)])
        for m in DASHBOARD_CHARTS
        if m in measure_rows
    ]
    write_study_dashboard(
        dashboard, _titled("Stress test", summary), headline, findings, glance, glance_formats, charts, label
    )
    arrange_sheets(wb)
    _set_up_printing(wb, label)
    refuse_replacing(path, read_files(summary))
    return save_atomically(wb, path)


def _check(
    alliance: pd.DataFrame, plans: list[str], by_nation: pd.DataFrame, by_programme: pd.DataFrame, by_year: pd.DataFrame
) -> None:
    if not plans or len(set(plans)) != len(plans) or set(plans) & set(ALLIANCE_COLUMNS):
        raise ValueError(f"plans must be distinct labels, none of {list(ALLIANCE_COLUMNS)}: got {plans}")
    missing = [c for c in (*ALLIANCE_COLUMNS, *plans) if c not in alliance.columns]
    if missing:
        raise ValueError(f"the alliance table needs columns {missing}")
    for frame, lead, what in (
        (by_nation, "nation", "by_nation"),
        (by_year, "year", "by_year"),
        (by_programme, "programme", "by_programme"),
    ):
        if "plan" not in frame.columns or lead not in frame.columns:
            raise ValueError(f"{what} needs 'plan' and '{lead}' columns")
    for frame, what in ((by_nation, "by_nation"), (by_year, "by_year")):
        blocks = list(dict.fromkeys(frame["plan"]))
        sizes = frame["plan"].value_counts()
        if blocks != plans or len(set(sizes)) > 1 or list(frame["plan"]) != sorted(frame["plan"], key=plans.index):
            raise ValueError(f"{what} must hold one block of equally many rows per plan, in the order {plans}")


def _unit_format(unit: object) -> str:
    text = str(unit)
    if text == "share of budget":
        return "0.00%"  # a fraction of a percent is the usual size
    if text == "probability" or text.startswith("share"):
        return PROBABILITY
    if text in ("nation-years", "nations"):
        return COUNT
    return MONEY


def _axis(axis: str, currency: str) -> str:
    return currency if axis == "money" else axis


def _label_ref(ws: Worksheet, row: int, column: int) -> SeriesLabel:
    """A series title that is a cell, so renaming a plan in its header renames the series."""
    return SeriesLabel(strRef=StrRef(f"{quote_sheetname(ws.title)}!${get_column_letter(column)}${row}"))


def _measure_chart(table: TableRef, row: int, plans: Sequence[str], title: str, fmt: str) -> BarChart:
    """One Alliance measure: a bar per plan (one series each), its value written on it."""
    ws = table.ws
    chart = BarChart()
    chart.type, chart.grouping, chart.title = "col", "clustered", title
    for p in plans:
        col = table.column(p)
        series = Series(Reference(ws, min_col=col, min_row=row, max_row=row))
        series.tx = _label_ref(ws, table.header_row, col)
        chart.series.append(series)
    chart.set_categories(Reference(ws, min_col=table.column("measure"), min_row=row, max_row=row))
    chart.dataLabels = DataLabelList(
        showVal=True, showSerName=False, showCatName=False, showLegendKey=False, showPercent=False, numFmt=fmt
    )
    chart.x_axis.tickLblPos = "none"  # the one category is the title
    chart.y_axis.number_format = fmt
    chart.y_axis.scaling.min = 0
    chart.y_axis.title = str(ws.cell(row=row, column=table.column("unit")).value or "")
    chart.x_axis.delete = chart.y_axis.delete = False  # unset reads as hidden in recent Excel
    chart.width, chart.height = SMALL_CHART  # type: ignore[assignment]  # cm (openpyxl's stub: int)
    chart.legend = Legend()
    chart.legend.position = "b"
    return chart


def _block_chart(
    chart: BarChart | LineChart,
    table: TableRef,
    plans: Sequence[str],
    category: str,
    column: str,
    title: str,
    y_title: str,
) -> BarChart | LineChart:
    """A long table's column, one series per plan's block of rows, over the first block's
    categories (every block lists the same nations or years in the same order)."""
    ws = table.ws
    rows = (table.last_row - table.header_row) // len(plans)
    col = table.column(column)
    for k in range(len(plans)):
        first = table.first_row + k * rows
        series = Series(Reference(ws, min_col=col, min_row=first, max_row=first + rows - 1))
        series.tx = _label_ref(ws, first, table.column("plan"))
        if isinstance(chart, LineChart):
            series.smooth = False
        chart.series.append(series)
    cat = table.column(category)
    chart.set_categories(Reference(ws, min_col=cat, min_row=table.first_row, max_row=table.first_row + rows - 1))
    if isinstance(chart, BarChart):
        chart.type, chart.grouping = "col", "clustered"
        chart.y_axis.scaling.min = 0
    chart.title = title
    chart.y_axis.title = y_title
    chart.x_axis.title = category
    if y_title == "probability":
        chart.y_axis.number_format = "0%"
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.height = CHART_HEIGHT_CM
    chart.width = max(CHART_WIDTH_CM, min(60.0, 0.9 * rows * max(1, len(plans) / 2)))  # type: ignore[assignment]
    chart.legend = Legend()
    chart.legend.position = "b"
    return chart
