"""Workbooks for many plans at once: a Pareto front, a sweep, the value of flexibility,
and the generic tables workbook."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest
from openpyxl.chart import BarChart, LineChart, ScatterChart

from data.report import (
    RESULT_SHEETS,
    write_flexibility_workbook,
    write_front_workbook,
    write_sweep_workbook,
    write_tables_workbook,
)

YEARS = [2027, 2028, 2029]
SUMMARY = [("status", "optimal"), ("objective", "pareto"), ("capability", 30.0)]


def header(ws) -> list:
    return [c.value for c in ws[1]]


def rows(ws) -> list[list]:
    return [list(r) for r in ws.iter_rows(min_row=2, values_only=True)]


def points() -> pd.DataFrame:
    """Three points, columns deliberately out of order, rows not sorted by point."""
    return pd.DataFrame(
        {
            "cost": [90.0, 40.0, 60.0],
            "gap": [0.0, 0.02, 0.0],
            "point": [3, 1, 2],
            "risk": [1.0, 0.5, 0.7],
            "proven": [True, False, True],
            "capability": [30.0, 10.0, 20.0],
            "solve_seconds": [0.1, 0.2, 0.3],
            "shortfall": [0.0, 4.0, 2.0],
        }
    )


def point_tables() -> dict[str, pd.DataFrame]:
    plan = pd.DataFrame(
        {
            "nation": ["N1", "N1", "N2"],
            "programme": ["P1", "P2", "P1"],
            "sharing": ["national"] * 3,
            "start_year": [2027, 2027, 2028],
            "completion_year": [2027, 2028, 2028],
            "in_service_year": [2028, 2029, 2029],
            "cost": [10.0, 20.0, 10.0],
            "point": [1, 2, 2],  # last: the writer must move it first
        }
    )
    spend = pd.DataFrame(
        {
            "point": [1, 1],
            "nation": ["N1", "N1"],
            "year": [2027, 2028],
            "budget": [20.0, 20.0],
            "spend": [10.0, 0.0],
            "balance": [0.0, 0.0],
            "lapsed": [10.0, 20.0],
        }
    )
    return {"plan": plan, "spend": spend}


def core_index() -> pd.DataFrame:
    return pd.DataFrame({"nation": ["N2", "N1", "N1"], "programme": ["P1", "P2", "P1"], "share": [0.5, 0.5, 1.0]})


def payoff() -> pd.DataFrame:
    return pd.DataFrame(
        {"capability": [30.0, 10.0], "cost": [90.0, 40.0]},
        index=pd.Index(["capability", "cost"]),
    )


@pytest.fixture(scope="module")
def front_book(tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    path = write_front_workbook(
        tmp_path_factory.mktemp("front") / "front.xlsx",
        SUMMARY,
        points(),
        payoff(),
        core_index(),
        point_tables(),
        YEARS,
        ["cost", "capability"],
    )
    return openpyxl.load_workbook(path)


# --------------------------------------------------------------------------- Pareto front


def test_front_sheets(front_book):
    names = front_book.sheetnames
    contract = ["Summary", "Plan", "Spend", "Standards", "Capability", "Contributions", "Pareto"]
    assert names[:8] == [*contract, "Dashboard"] and front_book.active.title == "Dashboard"
    for sheet, _ in RESULT_SHEETS.values():
        assert sheet in names


def test_pareto_columns_chosen_then_other_objectives_then_gap_and_proven(front_book):
    ws = front_book["Pareto"]
    assert header(ws) == [
        "point",
        "cost",
        "capability",
        "risk",
        "shortfall",
        "gap",
        "proven",
        "solve_seconds",
    ]
    assert [r[0] for r in rows(ws)] == [1, 2, 3]
    assert rows(ws)[0][:7] == [1, 40.0, 10.0, 0.5, 4.0, 0.02, False]
    assert ws["F2"].number_format == "0.000%"
    assert ws["B2"].number_format == "#,##0.0"
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:H4"


def test_pareto_scatter_plots_the_first_two_chosen_objectives(front_book):
    (chart,) = front_book["Pareto"]._charts
    assert isinstance(chart, ScatterChart)
    (series,) = chart.series
    assert series.xVal.numRef.f == "'Pareto'!$B$2:$B$4"  # cost
    assert series.yVal.numRef.f == "'Pareto'!$C$2:$C$4"  # capability


def test_payoff_keeps_its_row_labels_and_core_index_is_sorted(front_book):
    payoff_ws = front_book["Payoff"]
    assert header(payoff_ws) == ["optimised", "capability", "cost"]
    assert [r[0] for r in rows(payoff_ws)] == ["capability", "cost"]
    core = front_book["CoreIndex"]
    assert header(core) == ["nation", "programme", "share"]
    assert rows(core) == [["N1", "P1", 1.0], ["N1", "P2", 0.5], ["N2", "P1", 0.5]]
    assert core["C2"].number_format == "0.0%"


def test_point_sheets_begin_with_point_and_missing_ones_are_header_only(front_book):
    plan = front_book["Plan"]
    assert header(plan) == ["point", *RESULT_SHEETS["plan"][1]]
    assert [r[0] for r in rows(plan)] == [1, 2, 2]
    assert header(front_book["Spend"])[0] == "point"
    standards = front_book["Standards"]
    assert header(standards) == ["point", *RESULT_SHEETS["standards"][1]]
    assert standards.max_row == 1
    gantt = front_book["Gantt"]
    assert [c.value for c in gantt[3]][:2] == ["point", "nation"]


def test_front_refuses_points_without_a_chosen_objective(tmp_path):
    with pytest.raises(ValueError, match="interoperability"):
        write_front_workbook(
            tmp_path / "f.xlsx",
            SUMMARY,
            points(),
            payoff(),
            core_index(),
            {},
            YEARS,
            ["capability", "interoperability"],
        )
    assert not list(tmp_path.iterdir())


def test_front_refuses_point_tables_without_a_point_column(tmp_path):
    tables = point_tables()
    tables["plan"] = tables["plan"].drop(columns=["point"])
    with pytest.raises(ValueError, match="point"):
        write_front_workbook(tmp_path / "f.xlsx", SUMMARY, points(), payoff(), core_index(), tables, YEARS, ["cost"])


def test_a_single_chosen_objective_gives_no_scatter(tmp_path):
    path = write_front_workbook(tmp_path / "f.xlsx", SUMMARY, points(), payoff(), core_index(), {}, YEARS, ["cost"])
    assert not openpyxl.load_workbook(path)["Pareto"]._charts


# --------------------------------------------------------------------------- sweep


def scenarios() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "scenario": ["base", "lean", "rich"],
            "budget_scale": [1.0, 0.8, 1.25],
            "capability": [20.0, 12.0, 24.0],
            "cost": [100.0, 80.0, 125.0],
            "shortfall": [1.0, 3.0, 0.0],
        }
    )


def sweep_plans() -> pd.DataFrame:
    plan = point_tables()["plan"].drop(columns=["point"])
    return pd.concat([plan.assign(scenario=s) for s in ("base", "lean")], ignore_index=True)


def test_sweep_rows_sorted_by_x_and_curve_on_two_axes(tmp_path):
    path = write_sweep_workbook(tmp_path / "s.xlsx", SUMMARY, scenarios(), sweep_plans(), core_index(), "budget_scale")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Summary", "Dashboard", "Sweep", "Plans", "CoreIndex"]
    assert wb.active.title == "Dashboard"
    ws = wb["Sweep"]
    assert header(ws) == list(scenarios().columns)
    assert [r[1] for r in rows(ws)] == [0.8, 1.0, 1.25]
    assert ws["B4"].number_format == "#,##0.0##"  # 1.25 must not show as 1.3
    (chart,) = ws._charts
    assert isinstance(chart, ScatterChart)
    # capability on the primary axis, cost on a secondary one
    combined = chart._charts
    assert len(combined) == 2
    y_refs = [[s.yVal.numRef.f for s in c.series] for c in combined]
    assert y_refs == [["'Sweep'!$C$2:$C$4"], ["'Sweep'!$D$2:$D$4"]]
    assert combined[0].y_axis.axId != combined[1].y_axis.axId
    plans = wb["Plans"]
    assert header(plans)[0] == "scenario"
    assert [r[0] for r in rows(plans)] == ["base"] * 3 + ["lean"] * 3


def test_sweep_over_named_scenarios_uses_a_category_line_chart(tmp_path):
    path = write_sweep_workbook(tmp_path / "s.xlsx", SUMMARY, scenarios(), sweep_plans(), core_index(), "scenario")
    ws = openpyxl.load_workbook(path)["Sweep"]
    assert [r[0] for r in rows(ws)] == ["base", "lean", "rich"]  # text x: order kept
    (chart,) = ws._charts
    assert isinstance(chart, LineChart)


def test_sweep_needs_its_x_column(tmp_path):
    with pytest.raises(ValueError, match="carry_over"):
        write_sweep_workbook(tmp_path / "s.xlsx", SUMMARY, scenarios(), sweep_plans(), core_index(), "carry_over")


# --------------------------------------------------------------------------- flexibility


def by_objective() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "objective": ["capability", "cost", "shortfall"],
            "rigid": [100.0, 1000.0, 5.0],
            "free_starts_only": [105.0, 990.0, 4.0],
            "carry_over_only": [100.0, 1010.0, 5.0],
            "flexible": [110.0, 980.0, 0.0],
        }
    )


def by_nation() -> pd.DataFrame:
    return pd.DataFrame({"nation": ["N1", "N2"], "rigid": [60.0, 40.0], "flexible": [66.0, 44.0]})


@pytest.fixture(scope="module")
def flex_book(tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    plans = {"rigid": sweep_plans().head(2), "flexible": sweep_plans().head(3)}
    path = write_flexibility_workbook(
        tmp_path_factory.mktemp("flex") / "flex.xlsx", SUMMARY, by_objective(), by_nation(), plans
    )
    return openpyxl.load_workbook(path)


def test_flexibility_sheets(flex_book):
    assert flex_book.sheetnames == ["Summary", "Dashboard", "ByObjective", "LeverWorth", "ByNation", "Plans"]
    assert rows(flex_book["ByObjective"])[0] == [
        "capability",
        100.0,
        105.0,
        100.0,
        110.0,
    ]
    assert header(flex_book["ByNation"]) == ["nation", "rigid", "flexible"]
    plans = flex_book["Plans"]
    assert header(plans)[0] == "setting"
    assert [r[0] for r in rows(plans)] == ["rigid"] * 2 + ["flexible"] * 3


def test_lever_worth_is_signed_so_better_is_positive(flex_book):
    ws = flex_book["LeverWorth"]
    columns = header(ws)
    table = {r[0]: dict(zip(columns, r)) for r in rows(ws)}
    assert table["capability"]["sense"] == "max"
    assert table["capability"]["worth of flexible (+ is better)"] == pytest.approx(10.0)
    assert table["capability"]["worth of flexible % (+ is better)"] == pytest.approx(0.10)
    # cost is minimised: spending 20 less is a gain of 20
    assert table["cost"]["worth of flexible (+ is better)"] == pytest.approx(20.0)
    assert table["cost"]["worth of carry_over_only (+ is better)"] == pytest.approx(-10.0)
    assert table["shortfall"]["worth of flexible % (+ is better)"] == pytest.approx(1.0)
    pct_col = columns.index("worth of flexible % (+ is better)") + 1
    assert ws.cell(2, pct_col).number_format == "0.0%"


def test_lever_worth_chart_and_one_bar_chart_per_objective(flex_book):
    (chart,) = flex_book["LeverWorth"]._charts
    assert isinstance(chart, BarChart)
    titles = [s.tx.strRef.f for s in chart.series]
    assert len(titles) == 3  # free starts only, carry-over only, flexible; rigid is the base
    per_objective = flex_book["ByObjective"]._charts
    assert len(per_objective) == 3
    assert all(isinstance(c, BarChart) and len(c.series) == 1 for c in per_objective)
    assert per_objective[1].series[0].val.numRef.f == "'ByObjective'!$B$3:$E$3"


def test_a_zero_baseline_gives_a_blank_percentage_not_an_error(tmp_path):
    frame = by_objective()
    frame.loc[2, "rigid"] = 0.0
    path = write_flexibility_workbook(tmp_path / "f.xlsx", SUMMARY, frame, by_nation(), sweep_plans())
    ws = openpyxl.load_workbook(path)["LeverWorth"]
    columns = header(ws)
    shortfall = dict(zip(columns, rows(ws)[2]))
    assert shortfall["worth of flexible (+ is better)"] == pytest.approx(0.0)
    assert shortfall["worth of flexible % (+ is better)"] is None


def test_flexibility_needs_an_objective_column(tmp_path):
    with pytest.raises(ValueError, match="objective"):
        write_flexibility_workbook(tmp_path / "f.xlsx", SUMMARY, by_nation(), by_nation(), sweep_plans())


# --------------------------------------------------------------------------- generic tables


def test_tables_workbook_keeps_order_and_meaningful_indexes(tmp_path):
    filtered = pd.DataFrame({"a": [1, 2, 3]}).query("a > 1")  # leftover integer index
    named = pd.DataFrame({"v": [1.5]}, index=pd.Index(["x"], name="key"))
    path = write_tables_workbook(tmp_path / "t.xlsx", {"B": filtered, "A": named}, SUMMARY)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Summary", "B", "A"]
    assert header(wb["B"]) == ["a"] and rows(wb["B"]) == [[2], [3]]
    assert header(wb["A"]) == ["key", "v"] and rows(wb["A"]) == [["x", 1.5]]


@pytest.mark.parametrize("name", ["a/b", "x" * 32, "", "Summary"])
def test_tables_workbook_refuses_bad_sheet_names(tmp_path, name):
    with pytest.raises(ValueError, match="sheet name"):
        write_tables_workbook(tmp_path / "t.xlsx", {name: pd.DataFrame()}, SUMMARY)
    assert not list(tmp_path.iterdir())


def test_an_interrupted_sweeps_dashboard_says_so_and_flat_curves_read_flat(tmp_path):
    """The Summary said "interrupted: scenarios not solved are missing" and the Dashboard
    nothing; a curve equal at every point read "ranges from 20 (…) to 20 (…)"."""
    from data.dashboard import sweep_findings

    summary = [(k, v) for k, v in SUMMARY if k != "status_detail"] + [
        ("status_detail", "interrupted: scenarios not solved are missing")
    ]
    path = write_sweep_workbook(tmp_path / "s.xlsx", summary, scenarios(), sweep_plans(), core_index(), "budget_scale")
    wb = openpyxl.load_workbook(path, read_only=True)
    text = " ".join(str(c) for r in wb["Dashboard"].iter_rows(values_only=True) for c in r if c)
    wb.close()
    assert "interrupted (Ctrl-C): the scenarios not solved are missing" in text
    flat = scenarios().assign(capability=20.0)
    _, lines = sweep_findings(flat, "budget_scale")
    assert "capability is 20 in every scenario" in lines
    one_missing = flat.assign(capability=[20.0] + [None] * (len(flat) - 1))
    _, lines = sweep_findings(one_missing, "budget_scale")
    assert f"capability is 20 in the 1 of {len(flat)} scenarios with a plan" in lines


def _text(title: object) -> str:
    """A chart or axis title's text as openpyxl reads it back."""
    return "".join(run.t for paragraph in title.tx.rich.p for run in (paragraph.r or []))  # type: ignore[attr-defined]


def test_study_charts_say_their_units_and_read_y_against_x(front_book, flex_book, tmp_path):
    """An audit: the Pareto chart's axes read "capability" and "cost" with the currency only in
    the Summary, its title said "cost against capability" of cost on x, and the sweep's and
    the flexibility bars' axes said no unit (the bars had no axis titles at all)."""
    (front,) = front_book["Pareto"]._charts
    assert _text(front.title) == "Pareto front: capability against cost"
    assert (_text(front.x_axis.title), _text(front.y_axis.title)) == ("cost (money)", "capability (capability points)")
    path = write_sweep_workbook(tmp_path / "s.xlsx", SUMMARY, scenarios(), sweep_plans(), core_index(), "budget_scale")
    (curve,) = openpyxl.load_workbook(path)["Sweep"]._charts
    primary, secondary = curve._charts
    assert _text(primary.x_axis.title) == "budget scale (× the workbook's budgets)"
    assert (_text(primary.y_axis.title), _text(secondary.y_axis.title)) == (
        "capability (capability points)",
        "cost (money)",
    )
    bars = flex_book["ByObjective"]._charts
    assert [_text(c.y_axis.title) for c in bars][:2] == ["capability (capability points)", "cost (money)"]
    assert {_text(c.x_axis.title) for c in bars} == {"lever setting"}
