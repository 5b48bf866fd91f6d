"""Output workbooks: the plan workbook's contract sheets, planner views, safety and speed.

Every test writes a tiny workbook, opens it again with openpyxl (or reads the raw XML) and
checks what a planner or a downstream reader would rely on.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from openpyxl.chart import BarChart, LineChart

from data.charts import DEVELOPMENT_FILL, IN_SERVICE_FILL
from data.report import (
    MONEY,
    RESULT_SHEETS,
    number_format,
    write_plan_workbook,
    write_tables_workbook,
)

YEARS = [2027, 2028, 2029, 2030, 2031]
INERT_NAMES = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1)", "-1+2", "=1+1"]


def plan_tables() -> dict[str, pd.DataFrame]:
    """Two nations, one national and one joint programme, one standard, one alliance area."""
    plan = pd.DataFrame(
        {
            "nation": ["N1", "N1", "N2"],
            "programme": ["P1", "J1", "J1"],
            "sharing": ["national", "joint", "joint"],
            "start_year": [2027, 2029, 2029],
            "completion_year": [2028, 2030, 2030],
            "in_service_year": [2029, 2031, 2031],
            "cost": [60.0, 25.5, 34.5],
            "trl": [6, 7, 7],  # an extra column: must follow the required ones
        }
    )
    spend = pd.DataFrame(
        [
            (nation, year, budget, spent, 0.0, budget - spent)
            for nation, budget in (("N1", 40.0), ("N2", 30.0))
            for year, spent in zip(YEARS, (30.0, 30.0, 12.0, 13.5, 0.0))
        ],
        columns=["nation", "year", "budget", "spend", "balance", "lapsed"],
    )
    standards = pd.DataFrame({"nation": ["N1"], "standard": ["S1"], "adoption_year": [2028], "cost": [2.0]})
    capability = pd.DataFrame(
        [
            (nation, area, year, float(year >= 2029) * 5, target, 0.0)
            for nation in ("N1", "ALLIANCE")
            for area in ("air", "cyber")
            for year, target in zip(YEARS, (np.nan, 1.0, 2.0, np.nan, 8.0))
        ],
        columns=["nation", "capability_area", "year", "capability", "target", "shortfall"],
    )
    contributions = pd.DataFrame(
        {
            "programme": ["J1"] * 4,
            "nation": ["N1", "N1", "N2", "N2"],
            "year": [2029, 2030, 2029, 2030],
            "payment": [12.0, 13.5, 17.0, 17.5],
        }
    )
    return {
        "plan": plan,
        "spend": spend,
        "standards": standards,
        "capability": capability,
        "contributions": contributions,
    }


SUMMARY = [
    ("status", "optimal"),
    ("termination", "optimal"),
    ("objective", "lexicographic"),
    ("capability", 42.5),
    ("cost", 122.0),
    ("gap", 0.0125),
    ("solve_seconds", 0.5),
    ("currency", "EUR million"),
]


def header(ws) -> list:
    return [c.value for c in ws[1]]


def rows(ws, first: int = 2) -> list[list]:
    return [list(r) for r in ws.iter_rows(min_row=first, values_only=True)]


@pytest.fixture(scope="module")
def plan_book(tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    """Written once per module: the tests below only read it."""
    path = tmp_path_factory.mktemp("plan") / "plan.xlsx"
    return openpyxl.load_workbook(write_plan_workbook(path, SUMMARY, plan_tables(), YEARS))


# --------------------------------------------------------------------------- contract sheets


def test_contract_sheets_lead_in_order_with_their_columns_and_the_dashboard_opens(plan_book):
    """WORKBOOK.md's sheets first, in its order ("more may follow them"); the workbook still
    opens on the Dashboard, its one selected tab."""
    assert plan_book.sheetnames[:6] == ["Summary", "Plan", "Spend", "Standards", "Capability", "Contributions"]
    assert plan_book.active.title == "Dashboard"
    assert [ws.title for ws in plan_book.worksheets if ws.sheet_view.tabSelected] == ["Dashboard"]
    for sheet, columns in RESULT_SHEETS.values():
        assert header(plan_book[sheet])[: len(columns)] == list(columns), sheet
    # extra columns are kept, after the required ones
    assert header(plan_book["Plan"])[-1] == "trl"


def test_summary_keeps_the_given_order_and_formats_values_by_key(plan_book):
    ws = plan_book["Summary"]
    assert header(ws) == ["key", "value"]
    assert [tuple(r) for r in rows(ws)][: len(SUMMARY)] == SUMMARY
    # then a warning for N1, which lapses 114.5 of its 200 (57 %); N2 lapses 43 %
    assert [r[0] for r in rows(ws)][len(SUMMARY) :] == ["lapse_warning:N1"]
    formats = {ws.cell(r, 1).value: ws.cell(r, 2).number_format for r in range(2, ws.max_row + 1)}
    assert formats["gap"] == "0.000%"
    assert formats["capability"] == MONEY
    assert formats["cost"] == MONEY


def test_table_values_and_number_formats(plan_book):
    ws = plan_book["Plan"]
    assert rows(ws)[0] == ["N1", "P1", "national", 2027, 2028, 2029, 60.0, 6]
    columns = header(ws)
    second = {name: ws.cell(2, j).number_format for j, name in enumerate(columns, start=1)}
    assert second["start_year"] == second["completion_year"] == second["in_service_year"] == "0"
    assert second["cost"] == "#,##0.0"
    spend = plan_book["Spend"]
    assert spend["C2"].number_format == "#,##0.0"  # budget
    assert spend["B2"].number_format == "0"  # year, never "2,027"
    assert len(rows(spend)) == 10


def test_money_headers_name_the_currency(plan_book):
    """WORKBOOK.md fixes the headers ("cost", "budget", "payment"): the currency was only in
    the Summary, so a Plan or Spend sheet copied elsewhere lost its unit. The header's note
    names it; headers of capability points and years have none."""
    for sheet, money, other in (
        ("Plan", "cost", "start_year"),
        ("Spend", "budget", "year"),
        ("Spend", "carried_in", "utilisation"),
        ("Contributions", "payment", "year"),
    ):
        columns = header(plan_book[sheet])
        note = plan_book[sheet].cell(1, columns.index(money) + 1).comment
        assert note is not None and "EUR million" in note.text, (sheet, money)
        assert plan_book[sheet].cell(1, columns.index(other) + 1).comment is None, (sheet, other)
    assert all(c.comment is None for c in plan_book["Capability"][1])


def test_sheets_are_frozen_filtered_and_sized(plan_book):
    for sheet, columns in RESULT_SHEETS.values():
        ws = plan_book[sheet]
        assert ws.freeze_panes == "A2", sheet
        assert ws.auto_filter.ref.startswith("A1:"), sheet
    assert plan_book["Plan"].auto_filter.ref == "A1:H4"
    assert plan_book["Plan"].column_dimensions["B"].width >= len("programme")


def test_nan_and_missing_values_are_written_blank(tmp_path):
    tables = plan_tables()
    tables["plan"]["note"] = pd.Series([None, pd.NA, np.nan], dtype=object)
    path = write_plan_workbook(tmp_path / "p.xlsx", SUMMARY, tables, YEARS)
    wb = openpyxl.load_workbook(path)
    cap = wb["Capability"]
    first = rows(cap)[0]
    assert first[:4] == ["N1", "air", 2027, 0.0]
    assert first[4] is None  # no target in 2027
    assert [r[-1] for r in rows(wb["Plan"])] == [None, None, None]


def test_missing_tables_give_header_only_sheets(tmp_path):
    path = write_plan_workbook(tmp_path / "empty.xlsx", SUMMARY, {}, YEARS)
    wb = openpyxl.load_workbook(path)
    for sheet, columns in RESULT_SHEETS.values():
        assert wb[sheet].max_row == 1, sheet
        assert header(wb[sheet])[: len(columns)] == list(columns), sheet
    # the Gantt keeps its year columns even with nothing funded
    assert header_row(wb["Gantt"])[-len(YEARS) :] == YEARS


def test_a_table_missing_a_required_column_is_refused(tmp_path):
    tables = plan_tables()
    tables["spend"] = tables["spend"].drop(columns=["lapsed"])
    with pytest.raises(ValueError, match="lapsed"):
        write_plan_workbook(tmp_path / "bad.xlsx", SUMMARY, tables, YEARS)
    assert not list(tmp_path.iterdir())


def test_an_unknown_table_key_is_refused_rather_than_dropped(tmp_path):
    with pytest.raises(ValueError, match="plans"):
        write_plan_workbook(tmp_path / "bad.xlsx", SUMMARY, {"plans": pd.DataFrame()}, YEARS)


# --------------------------------------------------------------------------- Gantt


def header_row(ws, row: int = 3) -> list:
    return [c.value for c in ws[row] if c.value is not None]


def gantt_row(ws, nation: str, programme: str) -> int:
    for r in range(4, ws.max_row + 1):
        if ws.cell(r, 1).value == nation and ws.cell(r, 2).value == programme:
            return r
    raise AssertionError(f"no Gantt row for {nation}/{programme}")


def test_gantt_shades_development_and_service_years(plan_book):
    ws = plan_book["Gantt"]
    head = [c.value for c in ws[3]]
    year_col = {y: head.index(y) + 1 for y in YEARS}
    dev = DEVELOPMENT_FILL.fgColor.rgb[-6:]
    svc = IN_SERVICE_FILL.fgColor.rgb[-6:]
    for nation, programme, start, done, service in [
        ("N1", "P1", 2027, 2028, 2029),
        ("N1", "J1", 2029, 2030, 2031),
        ("N2", "J1", 2029, 2030, 2031),
    ]:
        r = gantt_row(ws, nation, programme)
        for year in YEARS:
            cell = ws.cell(r, year_col[year])
            colour = cell.fill.fgColor.rgb[-6:] if cell.fill.fill_type == "solid" else None
            expected = dev if start <= year <= done else svc if year >= service else None
            assert colour == expected, (nation, programme, year)


def test_gantt_has_a_legend_and_a_pane_frozen_at_the_first_year(plan_book):
    ws = plan_book["Gantt"]
    assert ws["A1"].value == "Legend"
    assert ws["B1"].fill.fgColor.rgb[-6:] == DEVELOPMENT_FILL.fgColor.rgb[-6:]
    assert ws["B2"].fill.fgColor.rgb[-6:] == IN_SERVICE_FILL.fgColor.rgb[-6:]
    assert "development" in ws["C1"].value and "service" in ws["C2"].value
    first_year_col = [c.value for c in ws[3]].index(YEARS[0]) + 1
    assert ws.freeze_panes == f"{openpyxl.utils.get_column_letter(first_year_col)}4"
    # nation by nation, each in start order
    assert [ws.cell(r, 1).value for r in range(4, 7)] == ["N1", "N1", "N2"]
    assert [ws.cell(r, 2).value for r in range(4, 7)] == ["P1", "J1", "J1"]


# --------------------------------------------------------------------------- charts


def test_spend_by_nation_totals_and_bar_chart(plan_book):
    ws = plan_book["SpendByNation"]
    assert header(ws)[:5] == ["nation", "budget", "spend", "lapsed", "utilisation"]
    assert header(ws)[5:] == ["unspent_at_end", "lapsed_share"]
    got = {r[0]: r[1:] for r in rows(ws)}
    spent = 30.0 + 30.0 + 12.0 + 13.5
    assert got["N1"][:3] == pytest.approx([200.0, spent, 200.0 - spent])
    assert got["N2"][:3] == pytest.approx([150.0, spent, 150.0 - spent])
    assert got["N1"][3] == pytest.approx(spent / 200.0)
    assert ws["E2"].number_format.endswith("%")
    (chart,) = ws._charts
    assert isinstance(chart, BarChart) and chart.grouping == "clustered"
    refs = [s.val.numRef.f for s in chart.series]
    assert refs == ["'SpendByNation'!$B$2:$B$3", "'SpendByNation'!$C$2:$C$3"]
    assert chart.y_axis.scaling.min == 0


def test_spend_by_year_line_chart(plan_book):
    ws = plan_book["SpendByYear"]
    assert [r[0] for r in rows(ws)] == YEARS
    assert rows(ws)[0][1:3] == [70.0, 60.0]
    (chart,) = ws._charts
    assert isinstance(chart, LineChart)
    assert len(chart.series) == 3


def test_alliance_capability_pivot_and_one_chart_per_area(plan_book):
    ws = plan_book["AllianceCapability"]
    assert header(ws) == [
        "year",
        "air capability",
        "air target",
        "cyber capability",
        "cyber target",
    ]
    table = rows(ws)
    assert [r[0] for r in table] == YEARS
    assert [r[1] for r in table] == [0.0, 0.0, 5.0, 5.0, 5.0]
    assert [r[2] for r in table] == [None, 1.0, 2.0, None, 8.0]
    assert len(ws._charts) == 2
    assert all(isinstance(c, LineChart) and len(c.series) == 2 for c in ws._charts)


def test_alliance_view_without_alliance_rows_has_no_chart(tmp_path):
    tables = plan_tables()
    tables["capability"] = tables["capability"].query("nation != 'ALLIANCE'")
    wb = openpyxl.load_workbook(write_plan_workbook(tmp_path / "p.xlsx", SUMMARY, tables, YEARS))
    ws = wb["AllianceCapability"]
    assert header(ws) == ["year"] and not ws._charts


# --------------------------------------------------------------------------- safety


def worksheet_xml(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/worksheets/sheet")}


def test_formula_looking_text_stays_text(tmp_path):
    tables = plan_tables()
    tables["plan"] = tables["plan"].head(len(INERT_NAMES) - 2).copy()
    tables["plan"]["programme"] = INERT_NAMES[: len(tables["plan"])]
    tables["plan"][INERT_NAMES[-1]] = INERT_NAMES[-2]  # a formula-looking column name too
    summary = [*SUMMARY, ("note", INERT_NAMES[0])]
    path = write_plan_workbook(tmp_path / "p.xlsx", summary, tables, YEARS)
    wb = openpyxl.load_workbook(path)
    plan = wb["Plan"]
    assert [plan.cell(r, 2).value for r in (2, 3, 4)] == INERT_NAMES[:3]
    assert all(plan.cell(r, 2).data_type == "s" for r in (2, 3, 4))
    assert plan.cell(1, plan.max_column).value == INERT_NAMES[-1]
    assert plan.cell(1, plan.max_column).data_type == "s"
    notes = {r[0]: r[1] for r in rows(wb["Summary"])}
    assert notes["note"] == INERT_NAMES[0]
    xml = worksheet_xml(path)
    assert xml
    for name, text in xml.items():
        assert not re.search(r"<(\w+:)?f[\s>/]", text), name


def test_a_failing_save_leaves_no_file_and_no_temporary(tmp_path, monkeypatch):
    def half_then_fail(self, filename):
        if hasattr(filename, "write"):  # saved in memory first, then written (xlsx_io)
            filename.write(b"PK\x03\x04 half a zip")
        else:
            Path(filename).write_bytes(b"PK\x03\x04 half a zip")
        raise OSError("disk full")

    monkeypatch.setattr(openpyxl.Workbook, "save", half_then_fail)
    with pytest.raises(OSError, match="disk full"):
        write_plan_workbook(tmp_path / "p.xlsx", SUMMARY, plan_tables(), YEARS)
    assert list(tmp_path.iterdir()) == []


def test_a_failing_save_keeps_the_previous_file_intact(tmp_path, monkeypatch):
    path = write_plan_workbook(tmp_path / "p.xlsx", SUMMARY, plan_tables(), YEARS)
    before = path.read_bytes()

    def fail(self, filename):
        raise OSError("disk full")

    monkeypatch.setattr(openpyxl.Workbook, "save", fail)
    with pytest.raises(OSError):
        write_plan_workbook(path, [("status", "error")], {}, YEARS)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["p.xlsx"]


def test_an_existing_file_is_replaced_whole(tmp_path):
    path = tmp_path / "out.xlsx"
    write_tables_workbook(path, {"Old": pd.DataFrame({"a": [1]}), "Older": pd.DataFrame()})
    write_plan_workbook(path, SUMMARY, plan_tables(), YEARS)
    names = openpyxl.load_workbook(path).sheetnames
    assert "Old" not in names and "Older" not in names and names[:2] == ["Summary", "Plan"]
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]


def test_summary_datetimes_time_zones_and_lists(tmp_path):
    naive = dt.datetime(2026, 1, 2, 3, 4, 5)
    aware = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    summary = [("created_at", naive), ("finished_at", aware), ("priority", ["shortfall", "cost"])]
    path = write_tables_workbook(tmp_path / "t.xlsx", {}, summary)
    ws = openpyxl.load_workbook(path)["Summary"]
    assert ws["B2"].value == naive and ws["B2"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert ws["B3"].value == aware.isoformat()  # Excel has no time zones: keep it as text
    assert ws["B4"].value == "shortfall, cost"


# --------------------------------------------------------------------------- formats, speed


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        ("start_year", "0"),
        ("year", "0"),
        ("gap", "0.000%"),
        ("previous_start", "0"),
        ("base_start", "0"),
        ("share", "0.0%"),
        ("cost", MONEY),
        ("payment", MONEY),
        ("capability:air", MONEY),
        ("nation", None),
    ],
)
def test_number_format_follows_the_column_name(column, expected):
    assert number_format(column) == expected


def test_unknown_float_columns_keep_their_fractions_visible():
    assert number_format("budget_scale", np.dtype(float)) == "#,##0.0##"
    assert number_format("participants", np.dtype(int)) is None


def big_tables(nations: int = 40, areas: int = 10) -> dict[str, pd.DataFrame]:
    years = list(range(2027, 2042))
    codes = [f"N{i:02d}" for i in range(nations)]
    rng = np.random.default_rng(7)
    capability = pd.DataFrame(
        [
            (n, f"A{a}", y, rng.random() * 100, rng.random() * 100, 0.0)
            for n in [*codes, "ALLIANCE"]
            for a in range(areas)
            for y in years
        ],
        columns=RESULT_SHEETS["capability"][1],
    )
    spend = pd.DataFrame(
        [(n, y, 100.0, 95.0, 0.0, 5.0) for n in codes for y in years],
        columns=RESULT_SHEETS["spend"][1],
    )
    plan = pd.DataFrame(
        [(n, f"P{j}", "national", 2027 + j, 2028 + j, 2029 + j, 10.0) for n in codes for j in range(8)],
        columns=RESULT_SHEETS["plan"][1],
    )
    return {"capability": capability, "spend": spend, "plan": plan}


def test_a_full_size_plan_writes_every_row(tmp_path):
    tables = big_tables()
    assert len(tables["capability"]) > 6000
    path = write_plan_workbook(tmp_path / "big.xlsx", SUMMARY, tables, list(range(2027, 2042)))
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        assert wb["Capability"].max_row == 6151
    finally:
        wb.close()


def test_writing_reports_does_not_import_pyomo():
    code = "import sys, data.report, data.charts; sys.exit('pyomo' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], check=False, cwd=Path(__file__).parents[2])
    assert done.returncode == 0


def axis_title(axis) -> str:
    return "".join(run.t for para in axis.title.tx.rich.p for run in para.r or [])


def test_summary_may_be_a_generator_or_a_mapping(tmp_path):
    for name, summary in [
        ("generator", ((key, value) for key, value in SUMMARY)),
        ("mapping", dict(SUMMARY)),
    ]:
        path = write_plan_workbook(tmp_path / f"{name}.xlsx", summary, plan_tables(), YEARS)
        wb = openpyxl.load_workbook(path)
        assert [tuple(r) for r in rows(wb["Summary"])][: len(SUMMARY)] == SUMMARY, name
        # the currency row still reaches the chart axis after the Summary read the rows
        (chart,) = wb["SpendByNation"]._charts
        assert axis_title(chart.y_axis) == "EUR million", name


def test_a_small_amount_in_the_summary_shows_its_decimals(tmp_path):
    """A workbook in EUR billion: the Summary showed a cost of 0.05 as "0.1" and a risk of
    0.0095 as "0.0", beside the Dashboard's "0.05" (its own formats bypassed the cells' rule)."""
    summary = [(k, v) for k, v in SUMMARY if k not in ("cost",)] + [("cost", 0.05), ("risk", 0.0095)]
    wb = openpyxl.load_workbook(write_plan_workbook(tmp_path / "plan.xlsx", summary, plan_tables(), YEARS))
    formats = {r[0].value: r[1].number_format for r in wb["Summary"].iter_rows(min_row=2)}
    assert formats["cost"] == formats["risk"] == "#,##0.0##"
    assert formats["capability"] == MONEY  # 42.5: one decimal, as before
