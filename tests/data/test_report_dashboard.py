"""Briefing-ready workbooks (issue 18): the Dashboard, print set-up, budget utilisation.

Every test writes a workbook and reads it back with openpyxl, as a planner's Excel would;
none needs LibreOffice. The last tests solve a tiny case and hold the Dashboard to the
Result it was written from.
"""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from data.dashboard import flexibility_findings, front_findings, percent_up, status_in_words
from data.report import (
    RESULT_SHEETS,
    write_flexibility_workbook,
    write_front_workbook,
    write_plan_workbook,
    write_robustness_workbook,
    write_sweep_workbook,
)
from data.utilisation import by_nation, lapse_warnings, with_flows
from tests.data.test_report import SUMMARY, YEARS, plan_tables

INPUT = "/plans/R&D alliance.xlsx"  # an '&' must not turn into a header field code


def summary(**extra: object) -> list[tuple[str, object]]:
    return [*SUMMARY, ("input_file", INPUT), *extra.items()]


def key_values(ws) -> dict:
    return {r[0]: r[1] for r in ws.iter_rows(min_row=2, max_col=2, values_only=True) if r[0]}


def cells(ws) -> dict[str, object]:
    """Every text cell of a sheet -> the cell to its right (label -> value)."""
    out = {}
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.column < ws.max_column:
                out.setdefault(cell.value, ws.cell(cell.row, cell.column + 1).value)
    return out


def table_after(ws, first_header: str) -> list[dict]:
    """The Dashboard table whose header row starts with `first_header`, as dicts."""
    for row in ws.iter_rows():
        if row[0].value == first_header:
            names = [c.value for c in row if c.value is not None]
            out = []
            r = row[0].row + 1
            while ws.cell(r, 2).value is not None:  # a note under a table fills column A only
                out.append({n: ws.cell(r, j).value for j, n in enumerate(names, start=1)})
                r += 1
            return out
    raise AssertionError(f"no table headed {first_header!r} on {ws.title}")


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    path = tmp_path_factory.mktemp("dash") / "plan.xlsx"
    return openpyxl.load_workbook(write_plan_workbook(path, summary(), plan_tables(), YEARS))


# --------------------------------------------------------------------------- status in words


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            {"status": "optimal", "gap": 0.0083, "stage_3": "cost: optimal, 5"},
            "optimal within 0.83 % on cost",
        ),
        ({"status": "optimal", "gap": 0.01}, "optimal within 1 %"),
        ({"status": "optimal", "gap": None}, "optimal (proven)"),
        (
            {
                "status": "feasible",
                "gap": 0.042,
                "solve_seconds": 60.2,
                "stage_2": "capability: feasible, 9",
            },
            # the best possible is at most 4.2 % higher: "below" read "133.93 % below" for large gaps
            "best plan found in 60 s; the best possible capability is at most 4.2 % higher",
        ),
        (
            {
                "status": "feasible",
                "gap": 0.0411,
                "solve_seconds": 12,
                "stage_1": "cost: feasible, 9",
            },
            "best plan found in 12 s; the best possible cost is at most 4.11 % lower",
        ),
        (
            {
                "status": "feasible",
                "gap": 0.1448,
                "solve_seconds": 60.4,
                "stage_2": "capability: feasible, 34279.7",
                "stage_3": "cost: no_solution, None",
            },
            (
                "best plan found in 60 s; the best possible capability is at most 14.48 % higher; "
                "cost not optimised: no time was left for it"
            ),
        ),
        (  # a re-plan charging its changes: the bound is of what the solver optimised
            {"status": "optimal", "gap": 0.0016, "stability_weight": 50, "stage_2": "cost: optimal, 58600"},
            "optimal within 0.16 % on cost + 50 × changes",
        ),
        (
            {
                "status": "feasible",
                "gap": 0.02,
                "solve_seconds": 30,
                "stability_weight": 5,
                "stage_1": "capability: feasible, 100",
            },
            "best plan found in 30 s; the best possible capability − 5 × changes is at most 2 % higher",
        ),
        (
            {"status": "optimal", "gap": 0.0016, "stability_weight": 0, "stage_2": "cost: optimal, 58600"},
            "optimal within 0.16 % on cost",
        ),
        (  # a re-plan's stage rows carry the charged name (ReplanResult): read, not doubled
            {
                "status": "feasible",
                "gap": 0.02,
                "solve_seconds": 30,
                "stability_weight": 50,
                "stage_1": "capability − 50 × changes: optimal, 40000, gap 0.0075",
                "stage_2": "cost + 50 × changes: feasible, 58600, gap 0.02",
            },
            (
                "best plan found in 30 s; the best possible cost + 50 × changes is at most 2 % lower; "
                "capability − 50 × changes was proven within 0.75 %"
            ),
        ),
        (
            {"status": "feasible", "gap": None, "solve_seconds": 60},
            (
                "best plan found in 60 s; no bound is proven on objective, so how far it is from the best "
                "possible is unknown"
            ),
        ),
    ],
)
def test_status_in_words_claims_no_more_than_status_and_gap_prove(rows, expected):
    assert status_in_words(rows) == expected


def test_gap_percentages_round_up_never_down():
    assert [percent_up(g) for g in (0.0, 0.00001, 0.0083, 0.01, 0.0101, 0.123, 0.006012, 0.008295)] == [
        "0 %",
        "0.01 %",
        "0.83 %",
        "1 %",
        "1.01 %",
        "12.3 %",
        "0.61 %",  # the terminal's "0.60%" beside it read "within 0.7 %" with tenths
        "0.83 %",
    ]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (  # a 0.1-s run: only the shortfall stage (proven by its start plan) has a plan
            {
                "status": "feasible",
                "gap": 0.0,
                "solve_seconds": 0.1,
                "stage_1": "shortfall: optimal, 0.0, gap 0",
                "stage_2": "capability: no_solution, None",
                "priority": "shortfall, capability, cost",
            },
            (
                "best plan found in 0 s; no better shortfall is possible (gap 0); "
                "capability and cost not optimised: no time was left for them"
            ),
        ),
        (  # a 30-s run: capability proven, cost stopped with a plan and no bound
            {
                "status": "feasible",
                "gap": None,
                "solve_seconds": 30,
                "stage_1": "shortfall: optimal, 0.0, gap 0",
                "stage_2": "capability: optimal, 40052.3, gap 0.0075",
                "stage_3": "cost: feasible, 61126.4",
            },
            (
                "best plan found in 30 s; no bound is proven on cost, so how far it is from the best possible "
                "is unknown; shortfall was proven optimal, capability was proven within 0.75 %"
            ),
        ),
        (  # a 20-s run: the last stage has a gap, the earlier proofs are still said
            {
                "status": "feasible",
                "gap": 0.0521,
                "solve_seconds": 20,
                "stage_1": "shortfall: optimal, 0.0, gap 0",
                "stage_2": "capability: optimal, 40052.3, gap 0.0075",
                "stage_3": "cost: feasible, 58801.2, gap 0.0521",
            },
            (
                "best plan found in 20 s; the best possible cost is at most 5.21 % lower; shortfall was proven "
                "optimal, capability was proven within 0.75 %"
            ),
        ),
        (  # a 5-s run: 17,253 against a bound of 40,360 — "133.93 % below the best possible" was nonsense
            {
                "status": "feasible",
                "gap": 1.3392,
                "solve_seconds": 5,
                "stage_2": "capability: feasible, 17253.4, gap 1.3392",
            },
            "best plan found in 5 s; the best possible capability is at most 133.92 % higher",
        ),
    ],
)
def test_status_in_words_keeps_the_stages_it_cannot_summarise_in_one_gap(rows, expected):
    assert status_in_words(rows) == expected


def test_a_feasible_plan_is_never_called_optimal(tmp_path):
    rows = [("status", "feasible"), ("gap", 0.0), ("solve_seconds", 3.0)]
    path = write_plan_workbook(tmp_path / "p.xlsx", rows, plan_tables(), YEARS)
    ws = openpyxl.load_workbook(path)["Dashboard"]
    assert ws["A2"].value.startswith("best plan found in 3 s")
    assert "optimal" not in ws["A2"].value


# --------------------------------------------------------------------------- the Dashboard


def test_dashboard_opens_first_and_every_sheet_of_today_is_kept(book):
    assert book.active.title == "Dashboard" and book.sheetnames[0] == "Summary"
    for sheet, columns in RESULT_SHEETS.values():
        assert [c.value for c in book[sheet][1]][: len(columns)] == list(columns), sheet
    for view in ("Gantt", "SpendByNation", "SpendByYear", "AllianceCapability"):
        assert view in book.sheetnames


def test_dashboard_states_status_objectives_and_programmes(book):
    ws = book["Dashboard"]
    assert ws["A1"].value == "Plan — R&D alliance.xlsx"
    assert ws["A2"].value == "optimal within 1.25 %"  # SUMMARY's gap 0.0125
    objectives = {r["objective"]: r["value"] for r in table_after(ws, "objective")}
    assert objectives == {"capability": 42.5, "cost": 122.0}
    counts = {r["what"]: r["count"] for r in table_after(ws, "what")}
    assert counts["programmes funded"] == 2
    assert counts["joint programmes"] == 1
    assert counts["national programmes"] == 1
    assert counts["nation-programme pairs"] == 3
    assert counts["programmes with partners"] == "not known (roles not given)"


def test_dashboard_utilisation_is_the_spend_tables_sums(book):
    rows = table_after(book["Dashboard"], "nation")
    spend = plan_tables()["spend"]
    alliance = rows[0]
    assert alliance["nation"] == "ALLIANCE"
    assert alliance["budget"] == pytest.approx(spend["budget"].sum())
    assert alliance["spent"] == pytest.approx(spend["spend"].sum())
    assert alliance["lapsed"] == pytest.approx(spend["lapsed"].sum())
    # nations after ALLIANCE: most lapsed first
    assert [r["nation"] for r in rows[1:]] == ["N1", "N2"]
    for r in rows:
        assert r["budget"] == pytest.approx(r["spent"] + r["lapsed"] + r["unspent at end"])
        assert r["utilisation"] == pytest.approx(r["spent"] / r["budget"])


def test_dashboard_has_two_charts_fed_by_the_workbooks_tables(book):
    ws = book["Dashboard"]
    assert len(ws._charts) == 2
    by_year, nations = ws._charts
    assert by_year.series[0].val.numRef.f.startswith("'SpendByYear'!")
    assert nations.grouping == "percentStacked"
    assert all(s.val.numRef.f.startswith("'Dashboard'!") for s in nations.series)


def test_dashboard_prints_on_one_landscape_page(book):
    ws = book["Dashboard"]
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 1)
    assert ws.print_area is not None


def test_partners_are_counted_when_the_inputs_name_them(tmp_path):
    class Nation:
        def __init__(self, code, role):
            self.code, self.role = code, role

    class Inputs:
        def __init__(self):
            self.nations = [Nation("N1", "ally"), Nation("N2", "partner")]
            self.source = None

    path = write_plan_workbook(tmp_path / "p.xlsx", SUMMARY, plan_tables(), YEARS, inputs=Inputs())
    counts = {r["what"]: r["count"] for r in table_after(openpyxl.load_workbook(path)["Dashboard"], "what")}
    assert counts["programmes with partners"] == 1  # J1, which N2 joins


# --------------------------------------------------------------------------- print set-up


def test_every_sheet_has_a_print_set_up(book):
    for ws in book.worksheets:
        setup = ws.page_setup
        assert setup.orientation in ("portrait", "landscape"), ws.title
        assert int(setup.paperSize) == int(ws.PAPERSIZE_A4), ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert setup.fitToWidth == 1, ws.title
        assert ws.oddHeader.left.text == "&A", ws.title  # the sheet's name
        assert "R&&D alliance.xlsx" in ws.oddHeader.right.text, ws.title  # '&' taken literally
        assert ws.oddFooter.center.text == "Page &P of &N", ws.title


def test_tables_repeat_their_header_row_and_print_as_tall_as_needed(book):
    for sheet in ("Summary", "Plan", "Spend", "Standards", "Capability", "Contributions"):
        ws = book[sheet]
        assert ws.print_title_rows == "$1:$1", sheet
        assert ws.page_setup.fitToHeight == 0, sheet
    for sheet in ("Gantt", "GanttByProgramme"):  # the legend and the year header
        assert book[sheet].print_title_rows == "$1:$3", sheet


def test_wide_sheets_print_landscape_and_narrow_ones_portrait(book):
    assert book["Summary"].page_setup.orientation == "portrait"
    assert book["Plan"].page_setup.orientation == "portrait"
    assert book["SpendByNation"].page_setup.orientation == "landscape"  # table and chart


def test_capability_prints_its_alliance_rows(book):
    ws = book["Capability"]
    rows = [r[0] for r in ws.iter_rows(min_row=2, values_only=True)]
    first = rows.index("ALLIANCE") + 2
    last = len(rows) - rows[::-1].index("ALLIANCE") + 1
    assert ws.print_area == f"'Capability'!$A${first}:$F${last}"
    assert "ALLIANCE rows" in ws.oddHeader.right.text


def test_summary_values_wrap_so_keys_and_values_print_together(book):
    ws = book["Summary"]
    assert ws.column_dimensions["B"].width <= 70
    warning_rows = [r for r in range(2, ws.max_row + 1) if str(ws.cell(r, 1).value).startswith("lapse_")]
    assert warning_rows and all(ws.cell(r, 2).alignment.wrap_text for r in warning_rows)


# --------------------------------------------------------------------------- programme Gantt


def test_programme_gantt_has_one_row_per_programme_and_start_year(book):
    ws = book["GanttByProgramme"]
    header = [c.value for c in ws[3]]
    assert header[:6] == [
        "programme",
        "sharing",
        "start_year",
        "in_service_year",
        "nations",
        "funded_by",
    ]
    assert header[6:] == YEARS
    body = [[c.value for c in row[:6]] for row in ws.iter_rows(min_row=4)]
    assert body == [
        ["P1", "national", 2027, 2029, 1, "N1"],
        ["J1", "joint", 2029, 2031, 2, "N1, N2"],
    ]


# --------------------------------------------------------------------------- utilisation


def greedy_spend(budget: list[float], spend: list[float], carry: float, borrow: float) -> pd.DataFrame:
    """One nation's Spend rows by MODEL.md's precise rule (greedy balances, lapse = excess)."""
    rows, balance = [], 0.0
    for i, (b, s) in enumerate(zip(budget, spend)):
        available = balance + b - s
        cap = carry * b
        balance = min(available, cap)
        lapsed = max(0.0, available - cap)
        floor = -borrow * budget[i + 1] if i + 1 < len(budget) else 0.0
        assert balance >= floor - 1e-9, "the hand-made case must be feasible"
        rows.append(("N1", 2027 + i, b, s, balance, lapsed))
    return pd.DataFrame(rows, columns=RESULT_SHEETS["spend"][1])


def test_flows_follow_the_balance_rule_with_carry_over_and_borrowing():
    # 2027 borrows 30 from 2028; 2028 repays it and carries 10; 2029 spends it; 2030 lapses
    spend = greedy_spend([100, 100, 100, 100], [130, 60, 110, 20], carry=0.1, borrow=0.5)
    flows = with_flows(spend)
    assert flows["borrowed"].tolist() == [30, 0, 0, 0]
    assert flows["repaid"].tolist() == [0, 30, 0, 0]
    assert flows["carried_out"].tolist() == [0, 10, 0, 10]
    assert flows["carried_in"].tolist() == [0, 0, 10, 0]
    assert flows["lapsed"].tolist() == [0, 0, 0, 70]
    assert flows["utilisation"].tolist() == pytest.approx([1.3, 0.6, 1.1, 0.2])
    inflow = flows["budget"] + flows["carried_in"] + flows["borrowed"]
    outflow = flows["spend"] + flows["lapsed"] + flows["carried_out"] + flows["repaid"]
    assert inflow.tolist() == pytest.approx(outflow.tolist())
    (total,) = by_nation(spend).to_dict("records")
    assert total["unspent_at_end"] == 10
    assert total["budget"] == pytest.approx(total["spend"] + total["lapsed"] + total["unspent_at_end"])


def test_spend_sheet_appends_the_flows_after_the_contract_columns(book):
    ws = book["Spend"]
    header = [c.value for c in ws[1]]
    assert header == [
        *RESULT_SHEETS["spend"][1],
        "carried_in",
        "borrowed",
        "carried_out",
        "repaid",
        "utilisation",
    ]
    first = dict(zip(header, [c.value for c in ws[2]]))
    assert first["utilisation"] == pytest.approx(30.0 / 40.0)
    assert ws.cell(2, header.index("utilisation") + 1).number_format == "0.0%"
    year = [c.value for c in book["SpendByYear"][1]]
    assert year[:4] == ["year", "budget", "spend", "lapsed"]
    assert year[4:] == ["carried_in", "borrowed", "carried_out", "repaid", "utilisation"]


def test_round_off_balances_are_not_borrowing():
    spend = greedy_spend([100, 100], [100, 100], carry=0.0, borrow=0.0)
    spend.loc[0, "balance"] = -2.9e-12  # what a solver's arithmetic leaves
    assert with_flows(spend)["borrowed"].tolist() == [0, 0]


def test_lapse_warning_only_above_half_the_horizon_budget(tmp_path):
    tables = plan_tables()
    assert [w.nation for w in lapse_warnings(tables["spend"])] == ["N1"]  # 57 %, N2 43 %
    tables["spend"]["spend"] = tables["spend"]["budget"] * 0.6  # everyone lapses 40 %
    tables["spend"]["lapsed"] = tables["spend"]["budget"] * 0.4
    path = write_plan_workbook(tmp_path / "p.xlsx", SUMMARY, tables, YEARS)
    wb = openpyxl.load_workbook(path)
    assert not [k for k in key_values(wb["Summary"]) if k.startswith("lapse_warning")]
    assert "Warnings: nations lapsing more than half their horizon budget" not in cells(wb["Dashboard"])


# --------------------------------------------------------------------------- studies


def front_inputs() -> dict:
    points = pd.DataFrame(
        {
            "point": [1, 2, 3],
            "capability": [90.0, 70.0, 40.0],
            "cost": [300.0, 200.0, 90.0],
            "gap": [0.0, 0.0, 0.01],
            "proven": [True, True, False],
        }
    )
    payoff = pd.DataFrame({"capability": [90.0, 40.0], "cost": [300.0, 90.0]}, index=["capability", "cost"])
    core = pd.DataFrame({"nation": ["N1"], "programme": ["P1"], "share": [1.0]})
    point_tables = {k: v.assign(point=1) for k, v in plan_tables().items()}
    return {"points": points, "payoff": payoff, "core_index": core, "point_tables": point_tables}


def test_study_workbooks_open_on_a_dashboard_that_says_what_was_found(tmp_path):
    core = pd.DataFrame({"nation": ["N1"], "programme": ["P1"], "share": [1.0]})
    written = {
        "front": write_front_workbook(
            tmp_path / "f.xlsx",
            summary(),
            years=YEARS,
            objective_names=["capability", "cost"],
            **front_inputs(),
        ),
        "sweep": write_sweep_workbook(
            tmp_path / "s.xlsx",
            summary(),
            pd.DataFrame(
                {
                    "budget_scale": [1.2, 0.8, 1.0],
                    "capability": [9.0, 5.0, 7.0],
                    "cost": [3.0, 1.0, 2.0],
                }
            ),
            pd.DataFrame(),
            core,
            "budget_scale",
        ),
        "flexibility": write_flexibility_workbook(
            tmp_path / "x.xlsx",
            summary(),
            pd.DataFrame(
                {
                    "objective": ["capability", "cost"],
                    "rigid": [100.0, 50.0],
                    "flexible": [120.0, 45.0],
                }
            ),
            pd.DataFrame({"nation": ["N1"]}),
            pd.DataFrame(),
        ),
        "robustness": write_robustness_workbook(
            tmp_path / "r.xlsx",
            summary(),
            pd.DataFrame({"gamma": [0, 1, 2], "capability": [100.0, 90.0, 80.0], "cost": [50.0, 50.0, 49.0]}),
            pd.DataFrame(
                {
                    "gamma": [0, 1, 2],
                    "capability lost": [0.0, 10.0, 20.0],
                    "capability lost %": [0.0, 0.1, 0.2],
                }
            ),
            pd.DataFrame(),
            core,
        ),
    }
    found = {
        "front": "capability ranges from 40 (point 3) to 90 (point 1)",
        "sweep": "capability ranges from 5 (budget_scale = 0.8) to 9 (budget_scale = 1.2)",
        # in each objective's own units and sign, as the terminal and tables show it, with
        # a word for the direction: "+5.0" for a cost that fell read as more cost
        "flexibility": "cost: flexible -5.0 (-10.0%, better)",
        "robustness": "at Γ = 2 against Γ = 0: capability -20.0 (-20.0%, worse)",
    }
    for study, path in written.items():
        wb = openpyxl.load_workbook(path)
        ws = wb.active
        assert ws.title == "Dashboard", study
        assert wb.sheetnames[0] == "Summary", study
        assert f"• {found[study]}" in cells(ws), (study, list(cells(ws)))
        assert len(ws._charts) == 1, study
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 1), study
        for sheet in wb.worksheets:
            assert sheet.oddFooter.center.text == "Page &P of &N", (study, sheet.title)
            assert sheet.page_setup.fitToWidth == 1, (study, sheet.title)


def test_front_spend_gets_the_flows_per_point(tmp_path):
    path = write_front_workbook(
        tmp_path / "f.xlsx",
        summary(),
        years=YEARS,
        objective_names=["capability", "cost"],
        **front_inputs(),
    )
    header = [c.value for c in openpyxl.load_workbook(path)["Spend"][1]]
    assert header[:7] == ["point", *RESULT_SHEETS["spend"][1]]
    assert header[-5:] == ["carried_in", "borrowed", "carried_out", "repaid", "utilisation"]


def test_formula_looking_input_names_stay_text_on_the_dashboard(tmp_path):
    rows = [*SUMMARY, ("input_file", '=HYPERLINK("http://x","y")')]
    path = write_plan_workbook(tmp_path / "p.xlsx", rows, plan_tables(), YEARS)
    ws = openpyxl.load_workbook(path)["Dashboard"]
    assert ws["A1"].data_type == "s"
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


# --------------------------------------------------------------------------- a real Result


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory):
    from optimizer import Scenario
    from tests.data.fixtures.books import minimal_book, write_book

    folder = tmp_path_factory.mktemp("solved")
    book = minimal_book()
    book["Settings"] += [["carry_over_fraction", 0.5], ["borrow_fraction", 0.2]]
    result = Scenario.from_excel(write_book(book, folder / "in.xlsx")).solve(time_limit=30)
    return result, openpyxl.load_workbook(result.to_excel(folder / "plan.xlsx"))


def test_dashboard_figures_are_the_results(solved):
    result, wb = solved
    ws = wb["Dashboard"]
    assert ws["A2"].value == status_in_words(dict(result.summary_rows()))
    assert ws["A2"].value.startswith("optimal" if result.status == "optimal" else "best plan")
    objectives = {r["objective"]: r["value"] for r in table_after(ws, "objective")}
    assert objectives == pytest.approx({k: result.objectives[k] for k in objectives})
    assert set(objectives) == {"capability", "cost", "shortfall", "interoperability", "risk"}
    counts = {r["what"]: r["count"] for r in table_after(ws, "what")}
    assert counts["programmes funded"] == result.plan["programme"].nunique()
    assert counts["nation-programme pairs"] == len(result.plan)
    rows = {r["nation"]: r for r in table_after(ws, "nation")}
    spend = result.spend
    assert rows["ALLIANCE"]["budget"] == pytest.approx(spend["budget"].sum())
    assert rows["ALLIANCE"]["spent"] == pytest.approx(spend["spend"].sum())
    assert rows["ALLIANCE"]["lapsed"] == pytest.approx(spend["lapsed"].sum())
    last = spend.loc[spend["year"] == spend["year"].max()]
    assert rows["ALLIANCE"]["unspent at end"] == pytest.approx(last["balance"].clip(lower=0).sum())


def test_a_solved_plans_spend_flows_balance_and_warn_of_lapses(solved):
    result, wb = solved
    ws = wb["Spend"]
    header = [c.value for c in ws[1]]
    for values in ws.iter_rows(min_row=2, values_only=True):
        row = dict(zip(header, values))
        inflow = row["budget"] + row["carried_in"] + row["borrowed"]
        outflow = row["spend"] + row["lapsed"] + row["carried_out"] + row["repaid"]
        assert inflow == pytest.approx(outflow), row
    totals = result.spend.groupby("nation")[["budget", "lapsed"]].sum()
    expected = sorted(n for n, t in totals.iterrows() if t["lapsed"] > 0.5 * t["budget"])
    warned = sorted(k.split(":", 1)[1] for k in key_values(wb["Summary"]) if k.startswith("lapse_warning:"))
    assert warned == expected
    # the case is built to warn: how a joint programme's cost splits between its members is
    # free (MODEL.md), so which nations lapse more than half depends on the optimum HiGHS picks
    assert 0 < len(expected) <= len(totals)


def test_alliance_capability_prints_its_chart_grid(book):
    ws = book["AllianceCapability"]
    assert len(ws._charts) == 2  # one per area
    # the grid starts two columns right of the pivot (year + 2 columns per area)
    assert ws.print_area == "'AllianceCapability'!$G$1:$AB$20"
    assert "printed: the charts" in ws.oddHeader.right.text


def test_alliance_capability_marks_every_target_year(book):
    """A target is usually one year (each ALLIANCE target of the reference dataset is): the
    dashed target line had no markers, and a line through one point draws nothing, so the
    chart's legend named a target the chart did not show."""
    for chart in book["AllianceCapability"]._charts:
        capability, target = chart.series
        assert target.tx.strRef.f.endswith("C1") or target.tx.strRef.f.endswith("E1")
        assert target.marker is not None and target.marker.symbol not in (None, "none")
        assert capability.marker is None or capability.marker.symbol in (None, "none")


def test_the_flexibility_dashboard_names_the_levers_not_proven(tmp_path):
    """A lever's worth is the difference of two plans: exact only where both are proven."""
    solves = pd.DataFrame(
        {
            "lever": ["rigid", "flexible"],
            "status": ["optimal", "feasible"],
            "gap": [0.004, 0.0213],
            "gap_of": ["cost", "capability"],
            "seconds": [10.0, 60.0],
        }
    )
    path = write_flexibility_workbook(
        tmp_path / "x.xlsx",
        summary(),
        pd.DataFrame({"objective": ["capability", "cost"], "rigid": [100.0, 50.0], "flexible": [120.0, 45.0]}),
        pd.DataFrame({"nation": ["N1"]}),
        pd.DataFrame(),
        solves=solves,
    )
    wb = openpyxl.load_workbook(path)
    lines = [text for text in cells(wb["Dashboard"]) if "not proven" in text]
    # each worth says it is a difference of an unproven plan, where it is read
    assert lines == [
        "• capability: flexible +20.0 (+20.0%, better) (not proven: the flexible plan)",
        "• cost: flexible -5.0 (-10.0%, better) (not proven: the flexible plan)",
        (
            "• not proven within the gap target: flexible (feasible, within 2.13 % on capability) "
            "(a lever's worth is exact only where both plans are proven; see Solves)"
        ),
    ]
    assert [c.value for c in wb["Solves"][1]][:3] == ["lever", "status", "gap"]
    # the At a glance table's percentages are signed better-positive, and say so
    texts = {v for row in wb["Dashboard"].iter_rows(values_only=True) for v in row if isinstance(v, str)}
    assert "flexible % better" in texts and "flexible gain %" not in texts
    assert wb["Solves"]["C3"].number_format == "0.0%"


def test_the_flexibility_dashboard_finds_the_plans_every_lever_has(tmp_path):
    """Every lever of the small example solved to optimality, and its Dashboard said "no
    plan, so no worth: free starts; carry-over; flexible": the findings looked for each
    lever's own column in LeverWorth's frame, which holds only the baseline's values and
    the other levers' worth. Only a lever whose column is blank has no plan."""
    by_objective = pd.DataFrame(
        {
            "objective": ["capability", "cost"],
            "rigid": [100.0, 50.0],
            "free starts": [110.0, 50.0],
            "flexible": [None, None],
        }
    )
    path = write_flexibility_workbook(
        tmp_path / "x.xlsx",
        summary(),
        by_objective,
        pd.DataFrame({"nation": ["N1"]}),
        pd.DataFrame(),
        levers=["rigid", "free starts", "flexible"],
    )
    lines = [text for text in cells(openpyxl.load_workbook(path)["Dashboard"]) if text.startswith("• ")]
    assert "• no plan, so no worth: flexible (see Solves)" in lines
    assert "• capability: free starts +10.0 (+10.0%, better)" in lines
    assert not any("free starts" in line for line in lines if "no plan" in line)


def test_changes_read_in_the_objective_s_own_sign_with_a_direction():
    """Rigid cost 57,597.4, carry-over 55,858.3: the Dashboard said "carry-over +1,739.1
    (+3.0%)" (a gain, signed better-positive) where the terminal showed −1,739.1."""
    from data.dashboard import _change_in_words

    assert _change_in_words("cost", 1739.1, 0.0302) == "-1,739.1 (-3.0%, better)"
    assert _change_in_words("cost", -3607.1, -0.0626) == "+3,607.1 (+6.3%, worse)"
    assert _change_in_words("capability", 2957.8, 0.078) == "+2,957.8 (+7.8%, better)"
    assert _change_in_words("capability", -45.5, None) == "-45.5 (worse)"
    assert _change_in_words("risk", None, None) is None


def test_study_rows_say_which_objectives_were_never_optimised():
    """A sweep's Dashboard said only "status: feasible 3" while every point's cost stage had
    found no plan; a flexibility Dashboard compared costs no stage had optimised."""
    from data.dashboard import sweep_findings

    frame = pd.DataFrame(
        {
            "budget_scale": [0.8, 1.0],
            "capability": [30000.0, 36000.0],
            "cost": [50000.0, 60000.0],
            "status": ["feasible", "optimal"],
            "gap": [0.18, 0.004],
            "gap_of": ["capability", "cost"],
            "not_optimised": ["cost", ""],
        }
    )
    _, lines = sweep_findings(frame, "budget_scale")
    assert lines[-1] == (
        "not proven within the gap target: budget_scale = 0.8 (feasible, within 18 % on "
        "capability; cost not optimised (no time was left))"
    )
    solves = frame.rename(columns={"budget_scale": "lever"}).assign(lever=["rigid", "flexible"])
    _, lines = flexibility_findings(pd.DataFrame({"objective": []}), ["rigid", "flexible"], solves)
    assert lines[-1].startswith(
        "not proven within the gap target: rigid (feasible, within 18 % on capability; "
        "cost not optimised (no time was left))"
    )


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # HiGHS reports a proven optimum's gap as round-off (the small example's cost stage:
        # bound 49.99999999999999 against 50 -> gap 1.42e-16): the headline read
        # "optimal within 0 % on cost" where the same plan with gap 0 reads "optimal (proven)"
        (
            {"status": "optimal", "gap": 1.4210854715202e-16, "stage_3": "cost: optimal, 50, gap 1.42109e-16"},
            "optimal (proven)",
        ),
        (
            {"status": "feasible", "gap": 1e-15, "solve_seconds": 3, "stage_2": "capability: feasible, 9, gap 1e-15"},
            "best plan found in 3 s; no better capability is possible (gap 0)",
        ),
        (  # an earlier stage's round-off gap is a proof of optimality, not "within 0 %"
            {
                "status": "feasible",
                "gap": None,
                "solve_seconds": 30,
                "stage_2": "capability: optimal, 335.7764212, gap 3.38579e-16",
                "stage_3": "cost: feasible, 77.6",
            },
            (
                "best plan found in 30 s; no bound is proven on cost, so how far it is from the best possible "
                "is unknown; capability was proven optimal"
            ),
        ),
    ],
)
def test_status_in_words_reads_a_round_off_gap_as_proven(rows, expected):
    assert status_in_words(rows) == expected


def test_proof_in_words_reads_a_round_off_gap_as_proven():
    from data.dashboard import proof_in_words

    assert proof_in_words("optimal", 1.69e-16, "cost") == "proven: no plan is better"


@pytest.mark.parametrize(
    ("completeness", "line"),
    [
        ("proven complete", "the front is proven complete: every non-dominated plan is on it"),
        (
            "not proven: grid mode samples the front",
            "the front is not proven complete (grid mode samples the front): other non-dominated plans may exist",
        ),
        (
            "complete within the given nadir",
            "the front is complete within the worst levels given (--nadir); plans beyond them were not sought",
        ),
    ],
)
def test_a_front_dashboard_says_first_whether_the_front_is_complete(tmp_path, completeness, line):
    """A grid front's Dashboard said "5 of 5 points proven optimal for their sub-problem" and
    nothing of the Summary's "not proven: grid mode samples the front"."""
    path = write_front_workbook(
        tmp_path / "f.xlsx",
        [*summary(), ("front_complete", completeness)],
        years=YEARS,
        objective_names=["capability", "cost"],
        **front_inputs(),
    )
    texts = list(cells(openpyxl.load_workbook(path)["Dashboard"]))
    findings = [t for t in texts if isinstance(t, str) and t.startswith("• ")]
    assert findings[0] == f"• {line}"


def test_an_earlier_stage_left_unproven_is_named_beside_the_last():
    """Ctrl-C during the capability stage: the plan was 115 % from capability's bound, and
    the Dashboard spoke of cost only."""
    rows = {
        "status": "feasible",
        "gap": None,
        "solve_seconds": 6,
        "stage_1": "shortfall: optimal, 0, gap 0",
        "stage_2": "capability: feasible, 18858.8, gap 1.1501",
        "stage_3": "cost: feasible, 60000",
    }
    assert status_in_words(rows) == (
        "best plan found in 6 s; no bound is proven on cost, so how far it is from the best possible is "
        "unknown; shortfall was proven optimal, capability was not proven: its best possible is at most "
        "115.01 % higher"
    )


def test_flexibility_findings_say_which_levers_have_no_plan():
    """Every lever infeasible read "no lever changes any objective against the rigid plan"
    (found by fuzzing): there was no plan to compare."""
    none = pd.DataFrame(
        {"objective": ["capability"], "rigid": [None], "flexible": [None], "worth of flexible (+ is better)": [None]}
    )
    _, lines = flexibility_findings(none, ["rigid", "flexible"])
    assert lines == ["no worth can be given: the rigid setting has no plan (see Solves)"]
    half = pd.DataFrame(
        {"objective": ["capability"], "rigid": [10.0], "flexible": [None], "worth of flexible (+ is better)": [None]}
    )
    _, lines = flexibility_findings(half, ["rigid", "flexible"])
    assert lines == ["no plan, so no worth: flexible (see Solves)"]


def test_a_worth_or_price_of_an_objective_never_optimised_says_so(tmp_path):
    """A 2-s flexibility study said "capability: free starts -15,976.8 (-48.2 %, worse)" of
    plans whose capability no stage had optimised; a price of robustness alike."""
    solves = pd.DataFrame(
        {
            "lever": ["rigid", "free starts"],
            "status": ["feasible", "feasible"],
            "gap": [None, None],
            "not_optimised": ["capability, cost", "capability, cost"],
        }
    )
    path = write_flexibility_workbook(
        tmp_path / "x.xlsx",
        summary(),
        pd.DataFrame({"objective": ["capability"], "rigid": [100.0], "free starts": [52.0]}),
        pd.DataFrame({"nation": ["N1"]}),
        pd.DataFrame(),
        solves=solves,
        levers=["rigid", "free starts"],
    )
    assert (
        "• capability: free starts -48.0 (-48.0%, worse) (capability not optimised in the rigid plan and "
        "the free starts plan)"
    ) in cells(openpyxl.load_workbook(path)["Dashboard"])
    table = pd.DataFrame(
        {
            "gamma": [0, 1],
            "capability": [100.0, 90.0],
            "status": ["optimal", "feasible"],
            "not_optimised": ["", ""],
            "proven": [True, False],
            "proof": ["proven", "open"],
        }
    )
    price = pd.DataFrame({"gamma": [0, 1], "capability lost": [0.0, 10.0], "capability lost %": [0.0, 0.1]})
    core = pd.DataFrame({"nation": ["N1"], "programme": ["P1"], "share": [1.0]})
    path = write_robustness_workbook(tmp_path / "r.xlsx", summary(), table, price, pd.DataFrame(), core)
    assert "• at Γ = 1 against Γ = 0: capability -10.0 (-10.0%, worse) (not proven: Γ = 1)" in cells(
        openpyxl.load_workbook(path)["Dashboard"]
    )


def test_a_front_calls_its_plans_non_dominated_only_when_every_point_is_proven():
    """A 3-s grid front (payoff table not proven) said "2 non-dominated plans"; a 15-s run found
    a plan with more capability and less cost than its point 1."""
    points = pd.DataFrame(
        {"point": [1, 2], "capability": [39765.5, 38000.0], "cost": [60671.2, 50000.0], "proven": [True, True]}
    )
    headline, _ = front_findings(points, ["capability", "cost"], payoff_proven=False)
    assert headline == "2 plans, none dominating another (not all proven non-dominated) trading capability against cost"
    assert front_findings(points, ["capability", "cost"])[0] == "2 non-dominated plans trading capability against cost"
    open_point = points.assign(proven=[True, False])
    assert front_findings(open_point, ["capability", "cost"])[0].startswith("2 plans, none dominating another")


def test_a_studys_unproven_line_says_every_stages_proof():
    """A sweep's Dashboard said "0.8 (feasible, within 128.97 % on capability; …)" while the
    row's own proof added that its shortfall stage was never proven either."""
    proof = (
        "best plan found in 5 s; not proven: the best possible capability is at most 128.97 % higher; "
        "shortfall was not proven: its best possible is at most 100 % lower"
    )
    solves = pd.DataFrame(
        {
            "lever": ["rigid", "flexible"],
            "status": ["optimal", "feasible"],
            "gap": [0.0, 1.2897],
            "gap_of": ["cost", "capability"],
            "not_optimised": ["", "cost"],
            "proof": ["optimal (proven)", proof],
        }
    )
    worth = pd.DataFrame({"objective": ["capability"], "rigid": [10.0], "flexible": [12.0]})
    _, lines = flexibility_findings(worth, ["rigid", "flexible"], solves)
    assert lines[-1].startswith(f"not proven within the gap target: flexible (feasible: {proof})")


def test_an_earlier_stage_whose_bound_the_plan_reaches_is_proven():
    """Reference dataset, Γ = 1, 10 s: the shortfall stage stopped at 1 against its bound 0, and
    the capability stage then reached shortfall 0. "shortfall was not proven: its best possible
    is at most 100 % lower" was said of a plan no plan can beat."""
    rows = {
        "status": "feasible",
        "gap": 0.05,
        "solve_seconds": 10,
        "shortfall": 0.0,
        "capability": 30000.0,
        "stage_1": "shortfall: feasible, 1, gap 1",
        "stage_2": "capability: feasible, 30000, gap 0.05",
    }
    assert status_in_words(rows).endswith("; shortfall was proven optimal (the plan reaches its stage's bound)")
    assert status_in_words({**rows, "shortfall": 0.5}).endswith(
        "; shortfall was not proven: its best possible is at most 100 % lower"
    )
    maximised = {
        "status": "feasible",
        "gap": 0.1,
        "capability": 110.0,
        "cost": 5.0,
        "stage_1": "capability: feasible, 100, gap 0.1",
        "stage_2": "cost: feasible, 5, gap 0.1",
    }
    assert status_in_words(maximised).endswith("; capability was proven optimal (the plan reaches its stage's bound)")
    assert "capability was not proven" in status_in_words({**maximised, "capability": 105.0})


def test_a_robustness_bound_chart_plots_the_objective_the_bounds_are_of(tmp_path):
    """`robustness --gammas 0,1 --time-limit 10`: no Γ's cost stage found a plan, so every
    bound was of capability, and the cost chart's bound series was blank in every row."""
    table = pd.DataFrame(
        {
            "gamma": [0, 1],
            "capability": [39000.0, 38000.0],
            "cost": [60000.0, 59000.0],
            "status": ["feasible", "feasible"],
            "not_optimised": ["cost", "cost"],
            "proven": [False, False],
            "proof": ["open", "open"],
            "bound_objective": ["capability", "capability"],
            "plan_value": [39000.0, 38000.0],
            "best_bound": [40617.3, 39780.3],
        }
    )
    price = pd.DataFrame({"gamma": [0, 1], "capability lost": [0.0, 1000.0], "capability lost %": [0.0, 0.026]})
    core = pd.DataFrame({"nation": ["N1"], "programme": ["P1"], "share": [1.0]})
    path = write_robustness_workbook(
        tmp_path / "r.xlsx", summary(), table, price, pd.DataFrame(), core, bound_objective="cost"
    )
    wb = openpyxl.load_workbook(path)
    header = [c.value for c in wb["Robustness"][1]]
    bounds = [
        row[header.index("capability: best possible (bound)")].value for row in wb["Robustness"].iter_rows(min_row=2)
    ]
    assert bounds == [40617.3, 39780.3] and "cost: best possible (bound)" not in header
    titles = [chart.title.tx.rich.p[0].r[0].t for chart in wb["Robustness"]._charts if chart.title]
    assert "capability: plan and best possible (bound) per Γ" in titles


def test_a_line_longer_than_the_left_block_is_wrapped_within_it(tmp_path):
    """A 138-character status line, and study bullets of up to 912, ran on under the charts
    (which start at column I) and were cut off in print (audit)."""
    from data.dashboard import COLUMN_WIDTHS, Cursor

    wb = openpyxl.Workbook()
    ws = wb.active
    cursor = Cursor(ws)
    cursor.text("short line")
    cursor.text("x" * 400)
    [merged] = ws.merged_cells.ranges  # the long line's row only
    assert merged.coord == f"A2:{openpyxl.utils.get_column_letter(len(COLUMN_WIDTHS))}2"
    assert ws["A2"].alignment.wrap_text and ws.row_dimensions[2].height == pytest.approx(5 * 11 * 1.35)
    assert ws.row_dimensions[1].height is None


def test_the_price_chart_leaves_out_a_loss_with_no_value(tmp_path):
    """Shortfall 0 at the smallest Γ makes its relative loss blank in every row: the Price chart
    drew a legend entry for a line with nothing behind it (audit)."""
    table = pd.DataFrame({"gamma": [0, 1], "capability": [100.0, 90.0], "status": ["optimal", "optimal"]})
    price = pd.DataFrame(
        {
            "gamma": [0, 1],
            "capability lost": [0.0, 10.0],
            "capability lost %": [0.0, 0.1],
            "shortfall lost": [0.0, 2.0],
            "shortfall lost %": [None, None],
        }
    )
    core = pd.DataFrame({"nation": ["N1"], "programme": ["P1"], "share": [1.0]})
    path = write_robustness_workbook(tmp_path / "r.xlsx", summary(), table, price, pd.DataFrame(), core)
    (chart,) = openpyxl.load_workbook(path)["Price"]._charts
    assert len(chart.series) == 1  # capability lost % only


def test_a_bound_that_rounds_to_zero_reads_without_a_minus() -> None:
    """A weighted run's Dashboard read "best bound (weighted): -0.0"."""
    from data.dashboard import _fmt, amount_text

    # (an amount below 10 keeps up to three decimals, as its cell shows it; crumbs read 0.0)
    assert [amount_text(x) for x in (-0.0, -0.0001, -0.04, -0.06, 1234.56)] == [
        "0.0",
        "0.0",
        "-0.04",
        "-0.06",
        "1,234.6",
    ]
    assert [_fmt(x) for x in (-0.0, -0.0002, -0.02, 3.0)] == ["0", "0.0", "-0.02", "3"]


def test_the_targets_a_plan_misses_are_named_on_the_dashboard_and_the_terminal(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Only the Capability sheet said which soft targets a plan missed; the Dashboard and the
    terminal gave the shortfall's sum alone."""
    from optimizer import Scenario
    from tests.optimizer.conftest import make_inputs, nation, programme

    inputs = make_inputs(
        first_year=2030,
        last_year=2031,
        nations=[nation("A")],
        budgets=10.0,
        programmes=[programme("P", cost=8)],
        values={("P", "air"): 3.0},
        targets=[("A", "air", 2031, 5.0)],
    )
    result = Scenario(inputs).solve(time_limit=20)
    assert result.headline().endswith("; 1 of 1 targets missed, the most A air 2031 (2 short)")
    rows = [
        [c for c in row if c is not None]
        for row in openpyxl.load_workbook(result.to_excel(tmp_path / "plan.xlsx"))["Dashboard"].iter_rows(
            values_only=True
        )
    ]
    at = rows.index(["Targets missed: 1 of 1 (soft: shortfall is an objective)"])
    assert rows[at + 1] == ["nation", "capability area", "year", "target", "reached", "short by"]
    assert rows[at + 2] == ["A", "air", 2031, 5, 3, 2]


def test_a_scenario_without_a_proof_reads_its_status_alone() -> None:
    """An infeasible budget point of a sweep read "budget_scale = 0.8 (infeasible: nan)"."""
    from data.dashboard import sweep_findings

    frame = pd.DataFrame(
        {
            "budget_scale": [0.8, 1.0],
            "status": ["infeasible", "optimal"],
            "capability": [float("nan"), 10.0],
            "proof": [float("nan"), "optimal"],
        }
    )
    _, lines = sweep_findings(frame, "budget_scale")
    assert any("budget_scale = 0.8 (infeasible)" in line for line in lines), lines
    assert not any("nan" in line for line in lines)


@pytest.mark.parametrize(("budget", "axis"), [(0.05, "#,##0.0##"), (120.0, "#,##0")])
def test_a_money_chart_of_small_amounts_shows_their_decimals(budget: float, axis: str) -> None:
    """A workbook in EUR billion: the spend chart's axis read 0, 0, 0."""
    import openpyxl

    from data.charts import TableRef
    from data.dashboard import stacked_bars

    ws = openpyxl.Workbook().active
    for row in (("nation", "spent", "lapsed"), ("A", budget * 0.6, budget * 0.4), ("B", budget / 2, 0)):
        ws.append(row)
    chart = stacked_bars(
        TableRef(ws, ("nation", "spent", "lapsed"), 1, 3),
        "nation",
        {"spent": "spent", "lapsed": "lapsed"},
        "Budget use",
    )
    assert chart.y_axis.number_format.formatCode == axis
