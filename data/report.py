"""Result tables -> output workbooks: the plan, a Pareto front, a sweep, the value of flexibility.

Inputs are plain pandas DataFrames built by the optimizer side; this module only lays them
out for a planner (WORKBOOK.md "Output workbook" is the contract) and adds the views a
planner looks at first: a Gantt sheet, spend against budget, capability against targets.
Every cell goes through `data.xlsx_io` so names stay inert text, and every file is written
atomically, so a failed run never leaves half a workbook where the last good one was.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import time
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.comments import Comment
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from data import utilisation
from data.charts import (
    CHART_COLUMNS,
    CHART_ROWS,
    GANTT_HEADER_ROW,
    TableRef,
    add_gantt_sheet,
    add_programme_gantt_sheet,
    category_lines,
    clustered_bars,
    grid_anchor,
    lines,
    place,
    plan_and_bound,
    scatter,
    xy_lines,
)
from data.dashboard import (
    CORE_OBJECTIVES,
    TOP_LAPSED,
    PlanFacts,
    flexibility_findings,
    front_findings,
    missed_targets,
    programme_facts,
    robustness_findings,
    sweep_findings,
    worth_column,
    write_plan_dashboard,
    write_study_dashboard,
)
from data.print_layout import header_label, set_up_print, set_up_workbook
from data.tables import ALLIANCE, AREA_OBJECTIVE_PREFIX, OBJECTIVE_SENSES
from data.xlsx_io import new_workbook, refuse_replacing, save_atomically, set_number_format, wrap_column, write_table

log = logging.getLogger(__name__)

MONEY = "#,##0.0"
YEAR = "0"
GAP = "0.000%"  # the exact gap to a thousandth of a percent: "0.00%" showed 4.634 % as 4.63 %, below the
# "within 4.64 %" the words give (they round up, claiming no more than was proven)
SHARE = "0.0%"
NUMBER = "#,##0.0##"  # unknown floats: keep small fractions (0.85, 0.001) visible
SECONDS = "0.00"
DATETIME = "yyyy-mm-dd hh:mm:ss"

# Sheet name and required columns, in contract order (WORKBOOK.md "Output workbook").
RESULT_SHEETS: dict[str, tuple[str, tuple[str, ...]]] = {
    "plan": (
        "Plan",
        (
            "nation",
            "programme",
            "sharing",
            "start_year",
            "completion_year",
            "in_service_year",
            "cost",
        ),
    ),
    "spend": ("Spend", ("nation", "year", "budget", "spend", "balance", "lapsed")),
    "standards": ("Standards", ("nation", "standard", "adoption_year", "cost")),
    "capability": (
        "Capability",
        ("nation", "capability_area", "year", "capability", "target", "shortfall"),
    ),
    "contributions": ("Contributions", ("programme", "nation", "year", "payment")),
}
CORE_INDEX_COLUMNS = ("nation", "programme", "share")
DASHBOARD = "Dashboard"
SUMMARY_VALUE_WIDTH = 70
LAPSE_WARNING_KEY = "lapse_warning:"  # Summary key prefix, one row per nation
NO_CURRENCY = "money"  # what axis titles say when the input names no currency

_YEAR_COLUMNS = {"year", "point", "first_year", "last_year", "earliest_start", "deadline"}
_MONEY_COLUMNS = {
    "budget",
    "spend",
    "balance",
    "lapsed",
    "cost",
    "payment",
    "capability",
    "target",
    "shortfall",
    "interoperability",
    "risk",
    "best_bound",
    "total_cost",
    "per_participant_cost",
    "utilised",
    "carried_in",
    "carried_out",
    "borrowed",
    "repaid",
    "unspent_at_end",
    "overrun_reserve",
}
_SHARE_COLUMNS = {"share", "utilisation", "min_share", "lapsed_share"}
TARGET_MARKER = "diamond"  # AllianceCapability: a target year shows even when it is the only one
_MAX_AREA_CHARTS = 30  # beyond this a chart grid is unreadable; the pivot still has every area
_SHEET_NAME_FORBIDDEN = set("[]:*?/\\")

SummaryRows = Iterable[tuple[str, object]] | Mapping[str, object]


# --------------------------------------------------------------------------- public API


def write_plan_workbook(
    path: str | Path,
    summary: SummaryRows,
    tables: Mapping[str, pd.DataFrame],
    years: Sequence[int],
    extra_sheets: Mapping[str, pd.DataFrame] | None = None,
    inputs: Any = None,
) -> Path:
    """Write one plan: a Dashboard, the contract sheets, Gantts, spend/capability charts.

    `tables` holds DataFrames under "plan", "spend", "standards", "capability",
    "contributions" (RESULT_SHEETS gives their required columns; extra columns follow
    them). A missing key means an empty sheet: a plan that adopts no standard still
    gets a Standards header, so readers can rely on every sheet being there.
    `extra_sheets` (title -> table) follow the contract sheets in the order given, e.g.
    a re-plan's Changes. `inputs` (optional, duck-typed like `data.tables.Inputs`: its
    `nations` with `code` and `role`, its `source.path`) lets the Dashboard count the
    programmes partners take part in and name the input file when Summary does not.
    """
    started = time.perf_counter()
    unknown = set(tables) - set(RESULT_SHEETS)
    if unknown:
        raise ValueError(f"unknown plan tables {sorted(unknown)}; expected {list(RESULT_SHEETS)}")
    frames = {key: _conform(tables.get(key), columns, sheet) for key, (sheet, columns) in RESULT_SHEETS.items()}
    summary = _summary_items(summary)
    currency = _currency(summary)
    warnings = utilisation.lapse_warnings(frames["spend"])
    summary += [(f"{LAPSE_WARNING_KEY}{w.nation}", w.text(currency)) for w in warnings]
    known = _summary_map(summary, inputs)
    label = header_label(known.get("input_file"), known.get("input_sha256"))
    wb = new_workbook()
    dashboard = _sheet(wb, DASHBOARD)
    _write_summary(wb, summary)
    money_sheets = [_write_frame(_sheet(wb, "Plan"), frames["plan"])]
    add_programme_gantt_sheet(wb, frames["plan"], years)
    add_gantt_sheet(wb, frames["plan"], years)
    money_sheets.append(_write_frame(_sheet(wb, "Spend"), utilisation.with_flows(frames["spend"])))
    _add_spend_by_nation(wb, frames["spend"], currency)
    by_year = _add_spend_by_year(wb, frames["spend"], currency)
    money_sheets.append(_write_frame(_sheet(wb, "Standards"), frames["standards"]))
    capability = _write_frame(_sheet(wb, "Capability"), frames["capability"])
    charts = _add_alliance_capability(wb, frames["capability"], years)
    if charts is not None:
        # The pivot is a column per area and measure, too wide for paper; its charts print.
        note = "printed: the charts; the numbers are in the table left of them"
        set_up_print(
            wb["AllianceCapability"],
            f"{label} · {note}" if label else note,
            title_rows=None,
            print_area=charts,
        )
    money_sheets.append(_write_frame(_sheet(wb, "Contributions"), frames["contributions"]))
    for table in money_sheets:
        _name_the_currency(table, currency)
    for title, frame in (extra_sheets or {}).items():
        _write_frame(_sheet(wb, title), _with_index(frame, "index"))
    facts = plan_facts(frames, summary, warnings, _partners(inputs))
    write_plan_dashboard(dashboard, known, facts, by_year, label, currency)
    _print_capability_alliance_rows(capability, frames["capability"], label)
    arrange_sheets(wb, CONTRACT_SHEETS)
    _set_up_printing(wb, label)
    refuse_replacing(path, read_files(summary, inputs))
    target = save_atomically(wb, path)
    log.info("wrote plan workbook %s in %.2f s", target, time.perf_counter() - started)
    return target


def plan_facts(
    frames: Mapping[str, pd.DataFrame],
    summary: SummaryRows,
    warnings: Sequence[utilisation.LapseWarning],
    partners: Sequence[str] | None,
) -> PlanFacts:
    """The Dashboard's figures: objectives from Summary, the rest from the plan tables."""
    rows = _summary_items(summary)
    objectives = [
        (str(key), float(value))
        for key, value in rows
        if str(key) in CORE_OBJECTIVES and isinstance(value, (int, float)) and not isinstance(value, bool)
    ]
    spend = frames["spend"]
    alliance = pd.DataFrame([utilisation.alliance_total(spend)])
    top = utilisation.most_lapsed(spend, TOP_LAPSED)
    table = pd.concat([alliance, top], ignore_index=True) if not top.empty else alliance
    missed, targets = missed_targets(frames.get("capability", pd.DataFrame()))
    return PlanFacts(
        objectives=objectives,
        programmes=programme_facts(frames["plan"], frames["standards"], partners),
        utilisation=table,
        warnings=list(warnings),
        missed_targets=missed,
        targets=targets,
    )


def write_front_workbook(
    path: str | Path,
    summary: SummaryRows,
    points: pd.DataFrame,
    payoff: pd.DataFrame,
    core_index: pd.DataFrame,
    point_tables: Mapping[str, pd.DataFrame],
    years: Sequence[int],
    objective_names: Sequence[str],
) -> Path:
    """Write a Pareto front: the points with a scatter chart, the payoff table, the core
    index, and every point's plan in the contract sheets (each led by a `point` column).

    `objective_names` are the chosen objectives, primary first; the chart plots the first
    two. The Gantt sheet shows every point's schedule, one block of rows per point.
    """
    started = time.perf_counter()
    if not objective_names:
        raise ValueError("a Pareto front needs at least one chosen objective")
    frames = {
        key: _conform(point_tables.get(key), ("point", *columns), sheet)
        for key, (sheet, columns) in RESULT_SHEETS.items()
    }
    summary = _summary_items(summary)
    label = _label(summary)
    wb = new_workbook()
    dashboard = _sheet(wb, DASHBOARD)
    _write_summary(wb, summary)
    ws = _sheet(wb, "Pareto")
    front = _pareto_frame(points, objective_names)
    table = _write_frame(ws, front)
    charts = []
    if len(objective_names) >= 2 and not table.is_empty:
        x, y = objective_names[0], objective_names[1]
        units = axis_titles(_currency(summary), x, y)
        title = f"Pareto front: {y} against {x}"  # "y against x", as charts are read (it said x against y)
        place(ws, scatter(table, x, y, title, units.get(x), units.get(y)), _beside(table))
        charts.append(scatter(table, x, y, title, units.get(x), units.get(y)))
    _write_frame(_sheet(wb, "Payoff"), _with_index(payoff, "optimised"))
    _write_frame(_sheet(wb, "CoreIndex"), _core_index_frame(core_index))
    _write_frame(_sheet(wb, "Plan"), frames["plan"])
    add_gantt_sheet(wb, frames["plan"], years)
    frames["spend"] = utilisation.with_flows(frames["spend"])
    for key in ("spend", "standards", "capability", "contributions"):
        _write_frame(_sheet(wb, RESULT_SHEETS[key][0]), frames[key])
    payoff_proven = str(dict(summary).get("payoff_table", "proven")) == "proven"
    completeness = dict(summary).get("front_complete")
    primary_gap = dict(summary).get("gap")  # point 1's primary against best_bound (WORKBOOK.md)
    headline, findings = front_findings(
        front,
        list(objective_names),
        payoff_proven,
        str(completeness) if completeness else None,
        primary_gap if isinstance(primary_gap, (int, float)) else None,
    )
    glance = [c for c in ("point", *objective_names, "gap", "gap_of") if c in front.columns]
    write_study_dashboard(
        dashboard,
        _titled("Pareto front", summary),
        headline,
        findings,
        _glance(front[glance], "Pareto"),
        {c: number_format(c, front[c].dtype) or NUMBER for c in glance},
        charts,
        label,
    )
    arrange_sheets(wb, CONTRACT_SHEETS)
    _set_up_printing(wb, label)
    refuse_replacing(path, read_files(summary))
    target = save_atomically(wb, path)
    log.info("wrote Pareto workbook %s in %.2f s", target, time.perf_counter() - started)
    return target


def write_sweep_workbook(
    path: str | Path,
    summary: SummaryRows,
    scenarios: pd.DataFrame,
    plans: pd.DataFrame,
    core_index: pd.DataFrame,
    x_column: str,
    scenario_tables: Mapping[str, pd.DataFrame] | None = None,
) -> Path:
    """Write a parameter sweep: one row per scenario, the budget efficiency curve
    (capability and cost against `x_column`), every scenario's plan, and the core index.
    `scenario_tables` (sheet name -> frame led by `scenario`: every scenario's Standards and
    Spend) follow the Plans sheet, so each scenario's figures can be traced.

    Rows are sorted by `x_column` when it is numeric so the curve reads left to right.
    Cost goes on a second axis: it is usually orders of magnitude above capability.
    `plans` is led by its `scenario` column (else by `x_column`); a frame without
    columns gives a header-only Plans sheet.
    """
    if x_column not in scenarios.columns:
        raise ValueError(f"sweep x column {x_column!r} not in {list(scenarios.columns)}")
    numeric_x = pd.api.types.is_numeric_dtype(scenarios[x_column])
    frame = scenarios.sort_values(x_column, kind="stable") if numeric_x else scenarios
    summary = _summary_items(summary)
    label = _label(summary)
    wb = new_workbook()
    dashboard = _sheet(wb, DASHBOARD)
    _write_summary(wb, summary)
    ws = _sheet(wb, "Sweep")
    table = _write_frame(ws, frame, {x_column: NUMBER} if numeric_x else None)
    left = [c for c in ("capability",) if c in frame.columns]
    right = [c for c in ("cost",) if c in frame.columns]
    if not left:
        left, right = right, []
    charts = []
    if left and not table.is_empty:
        draw = xy_lines if numeric_x else category_lines
        units = axis_titles(_currency(summary), x_column, *left, *right)
        chart = draw(table, x_column, left, right, title="Budget efficiency curve", titles=units)
        place(ws, chart, _beside(table))
        charts.append(draw(table, x_column, left, right, title="Budget efficiency curve", titles=units))
    headline, findings = sweep_findings(frame.reset_index(drop=True), x_column)
    if str(dict(summary).get("status_detail", "")).startswith("interrupted"):
        # said only in the Summary: an interrupted sweep's Dashboard read like a finished one
        findings.insert(
            0,
            "interrupted (Ctrl-C): the scenarios not solved are missing, and the one being "
            "solved when it stopped holds the plan it had then (see its status and proof)",
        )
    findings += [str(value) for key, value in summary if key == "note"]  # what the run redid or why
    glance = [c for c in (x_column, "capability", "cost", "shortfall", "status") if c in frame]
    formats = {c: NUMBER if c == x_column else MONEY for c in glance if c != "status"}
    write_study_dashboard(
        dashboard,
        _titled("Sweep", summary),
        headline,
        findings,
        _glance(frame[glance], "Sweep"),
        formats,
        charts,
        label,
    )
    if len(plans.columns) == 0:
        plans = pd.DataFrame(columns=["scenario", *RESULT_SHEETS["plan"][1]])
    lead = "scenario" if "scenario" in plans.columns else x_column
    _write_frame(_sheet(wb, "Plans"), _lead_with(plans, lead, "Plans"))
    _write_scenario_tables(wb, scenario_tables)
    _write_frame(_sheet(wb, "CoreIndex"), _core_index_frame(core_index))
    arrange_sheets(wb)
    _set_up_printing(wb, label)
    refuse_replacing(path, read_files(summary))
    return save_atomically(wb, path)


def _write_scenario_tables(
    wb: Workbook, tables: Mapping[str, pd.DataFrame] | None, formats: Mapping[str, str] | None = None
) -> None:
    """A study's per-scenario tables (Standards, Spend, Contributions), one sheet each, led by
    `scenario` (a robustness study's by `gamma`)."""
    for name, frame in (tables or {}).items():
        _write_frame(_sheet(wb, name), frame, formats)


def write_flexibility_workbook(
    path: str | Path,
    summary: SummaryRows,
    by_objective: pd.DataFrame,
    by_nation: pd.DataFrame,
    plans: pd.DataFrame | Mapping[str, pd.DataFrame],
    levers: Sequence[str] | None = None,
    solves: pd.DataFrame | None = None,
    scenario_tables: Mapping[str, pd.DataFrame] | None = None,
) -> Path:
    """Write the value of flexibility: objective values per lever setting and their worth.

    `by_objective` has an `objective` column and one column per setting, the baseline
    (rigid) first, e.g. rigid, free_starts_only, carry_over_only, flexible; `levers`
    names those columns when the frame has others too (default: every numeric column).
    The LeverWorth sheet turns them into improvement over the baseline — signed so that
    better is positive, whatever the objective's sense — and charts it as a percentage,
    the one scale on which capability and cost can share a chart. `plans` is one frame
    with a setting column, or a mapping setting -> plan frame. `solves` (lever, status, gap,
    gap_of, seconds) goes to the Solves sheet, and the Dashboard names the plans not proven.
    """
    if "objective" not in by_objective.columns:
        raise ValueError(f"by_objective needs an 'objective' column, has {list(by_objective)}")
    levers = list(levers) if levers is not None else _numeric_columns(by_objective, "objective")
    if not levers:
        raise ValueError("by_objective has no lever columns to compare")
    missing = [c for c in levers if c not in by_objective.columns]
    if missing:
        raise ValueError(f"lever columns {missing} not in by_objective {list(by_objective)}")
    ordered = _lead_with(by_objective, ["objective", *levers], "by_objective")
    summary = _summary_items(summary)
    label = _label(summary)
    wb = new_workbook()
    dashboard = _sheet(wb, DASHBOARD)
    _write_summary(wb, summary)
    ws = _sheet(wb, "ByObjective")
    table = _write_frame(ws, ordered, {c: MONEY for c in levers})
    _add_objective_bars(ws, table, levers, axis_titles(_currency(summary), *map(str, ordered["objective"])))
    worth, worth_table, percent_columns = _add_lever_worth(wb, ordered, levers)
    if solves is not None:
        _write_frame(_sheet(wb, "Solves"), solves, {"gap": SHARE})
    _write_frame(_sheet(wb, "ByNation"), _with_index(by_nation, "nation"))
    _write_frame(_sheet(wb, "Plans"), _stack_plans(plans))
    _write_scenario_tables(wb, scenario_tables)
    headline, findings = flexibility_findings(worth, levers, solves)
    findings += [str(value) for key, value in summary if key == "note"]  # what the run redid or why
    core = worth.loc[worth["objective"].isin(CORE_OBJECTIVES)]
    glance = ["objective", levers[0], *percent_columns]
    charts = []
    if percent_columns and not worth_table.is_empty:
        charts.append(_lever_worth_chart(worth_table, percent_columns, levers[0]))
    # "gain %" is signed better-positive, the bullets above it in the objective's own sign:
    # the header says which, so "cost +7.6 % (worse)" beside "-7.6 %" reads as one fact
    better = {c: f"{lever} % better" for lever, c in zip(levers[1:], percent_columns)}
    write_study_dashboard(
        dashboard,
        _titled("Value of flexibility", summary),
        headline,
        findings,
        core[glance].rename(columns=better),
        {levers[0]: MONEY} | {better[c]: SHARE for c in percent_columns},
        charts,
        label,
    )
    arrange_sheets(wb)
    _set_up_printing(wb, label)
    refuse_replacing(path, read_files(summary))
    return save_atomically(wb, path)


def write_tables_workbook(
    path: str | Path,
    sheets: Mapping[str, pd.DataFrame],
    summary: SummaryRows | None = None,
) -> Path:
    """Any set of tables, one sheet each in the order given, Summary first when given."""
    summary = _summary_items(summary) if summary is not None else None
    wb = new_workbook()
    if summary is not None:
        _write_summary(wb, summary)
    for title, frame in sheets.items():
        _write_frame(_sheet(wb, title), _with_index(frame, "index"))
    _set_up_printing(wb, _label(summary) if summary is not None else "")
    refuse_replacing(path, read_files(summary or ()))
    return save_atomically(wb, path)


def write_robustness_workbook(
    path: str | Path,
    summary: SummaryRows,
    table: pd.DataFrame,
    price: pd.DataFrame,
    plans: pd.DataFrame,
    core_index: pd.DataFrame,
    bound_objective: str | None = None,
    scenario_tables: Mapping[str, pd.DataFrame] | None = None,
) -> Path:
    """Write the price of robustness (docs/robust.md): one row per Γ with every objective.

    Robustness: `table` (led by `gamma`) with capability and cost against Γ, cost on a
    second axis. Price: what each objective loses against the smallest Γ, and a chart of the
    relative losses, the one scale on which every objective fits. Plans: each Γ's plan;
    CoreIndex: the choices that survive every Γ first.

    When `table` has the proof columns (`proven`, `bound_objective`, `plan_value`,
    `best_bound`), a second chart sets each Γ's plan beside its proven bound for
    `bound_objective` (the run's last objective, or "weighted"; default: the one most
    rows are bounded in).
    """
    if "gamma" not in table.columns or "gamma" not in price.columns:
        raise ValueError("robustness tables need a 'gamma' column")
    summary = _summary_items(summary)
    label = _label(summary)
    wb = new_workbook()
    dashboard = _sheet(wb, DASHBOARD)
    _write_summary(wb, summary)
    ws = _sheet(wb, "Robustness")
    shown, series = _with_bound_series(table, bound_objective)
    robust = _write_frame(ws, shown, {"gamma": "0", "plan_value": MONEY} | {c: MONEY for c in series or ()})
    left = [c for c in ("capability",) if c in table.columns]
    right = [c for c in ("cost",) if c in table.columns]
    charts = []
    if left and not robust.is_empty:
        title = "Objectives against Γ (overruns absorbed)"
        units = axis_titles(_currency(summary), "gamma", *left, *right)
        place(ws, xy_lines(robust, "gamma", left, right, title=title, titles=units), _beside(robust))
        charts.append(xy_lines(robust, "gamma", left, right, title=title, titles=units))
    if series and not robust.is_empty:
        objective = series[0].removesuffix(": plan")
        title = f"{objective}: plan and best possible (bound) per Γ"
        below = f"{get_column_letter(robust.width + 2)}{robust.header_row + (CHART_ROWS + 1) * len(charts)}"
        place(ws, plan_and_bound(robust, "gamma", *series, title=title, y_title=objective), below)
        charts.append(plan_and_bound(robust, "gamma", *series, title=title, y_title=objective))
    headline, findings = robustness_findings(table, price)
    glance = shown[[c for c in ("gamma", "capability", "cost", "shortfall") if c in table]]
    lost = [c for c in ("capability lost %", "cost lost %") if c in price.columns]
    if lost and len(price) == len(glance):
        glance = glance.assign(**{c: price[c].to_numpy() for c in lost})
    if "proven" in shown.columns:
        glance = glance.assign(proven=shown["proven"].to_numpy())
    write_study_dashboard(
        dashboard,
        _titled("Price of robustness", summary),
        headline,
        findings,
        _glance(glance, "Robustness"),
        {"gamma": "0", "capability": MONEY, "cost": MONEY, "shortfall": MONEY} | {c: SHARE for c in lost},
        charts,
        label,
    )
    ws = _sheet(wb, "Price")
    relative = [c for c in price.columns if str(c).endswith(" lost %")]
    formats = {c: SHARE for c in relative} | {"gamma": "0"}
    formats |= {c: MONEY for c in price.columns if str(c).endswith(" lost")}
    priced = _write_frame(ws, price, formats)
    # a loss relative to a base of 0 (shortfall at the smallest Γ) is blank in every row: no line
    named = [c for c in relative if not str(c).startswith(AREA_OBJECTIVE_PREFIX) and price[c].notna().any()]
    if named and not priced.is_empty:
        chart = xy_lines(priced, "gamma", named, title="Price of robustness: objective lost against Γ")
        chart.y_axis.number_format = "0%"
        place(ws, chart, _beside(priced))
    if len(plans.columns) == 0:
        plans = pd.DataFrame(columns=["gamma", *RESULT_SHEETS["plan"][1]])
    _write_frame(_sheet(wb, "Plans"), _lead_with(plans, "gamma", "Plans"), {"gamma": "0"})
    _write_scenario_tables(wb, scenario_tables, {"gamma": "0"})
    _write_frame(_sheet(wb, "CoreIndex"), _core_index_frame(core_index))
    arrange_sheets(wb)
    _set_up_printing(wb, label)
    refuse_replacing(path, read_files(summary))
    return save_atomically(wb, path)


def _with_bound_series(table: pd.DataFrame, objective: str | None) -> tuple[pd.DataFrame, tuple[str, str] | None]:
    """The Robustness sheet's rows: `proven` as yes/no, then the two columns the bound chart
    plots — each Γ's plan value in `objective` and the bound proven for it.

    A row whose bound is of another objective (its last stage found no plan in time) gets
    no bound there: a number in other units must not sit on this axis. Its `proof` says
    which objective its bound is of.
    """
    frame = table.copy()
    if "proven" in frame.columns:
        frame["proven"] = ["yes" if v is True or v == 1 else "no" for v in frame["proven"]]
    if not {"bound_objective", "plan_value", "best_bound"} <= set(frame.columns):
        return frame, None
    named = frame["bound_objective"].dropna().astype(str)
    named = named[named != ""]
    if objective is None or not (named == objective).any():
        # no Γ bounded in the run's last objective (every cost stage out of time): chart the
        # one the bounds are of, rather than a bound series with nothing in it (audit)
        if named.empty:
            return frame, None
        objective = str(named.value_counts().index[0])
    same = frame["bound_objective"].astype(str) == objective
    plan, bound = f"{objective}: plan", f"{objective}: best possible (bound)"
    # a named objective's plan value is known for every plan, bounded or not
    values = frame[objective] if objective in frame.columns else frame["plan_value"].where(same)
    frame[plan] = pd.to_numeric(values, errors="coerce")
    frame[bound] = pd.to_numeric(frame["best_bound"], errors="coerce").where(same)
    return frame, (plan, bound)


# --------------------------------------------------------------------------- cells and tables


def number_format(column: object, dtype: Any = None) -> str | None:
    """The display format a column's name implies: money, years, gaps, shares.

    Name-based because the same quantity (a cost) comes in float or int dtypes, and a
    year must never show as "2,027".
    """
    name = str(column).strip().lower()
    # a re-plan's previous_start / new_start hold years too ("2,031.0" with a blank beside)
    if name in _YEAR_COLUMNS or name.endswith(("_year", "_start")):
        return YEAR
    if name == "gap" or name.endswith("_gap"):
        return GAP
    if name in _SHARE_COLUMNS or name.endswith("_share"):
        return SHARE
    if name.endswith("_seconds"):
        return SECONDS
    if (
        name in _MONEY_COLUMNS
        or name.startswith(AREA_OBJECTIVE_PREFIX)
        or name.endswith(("_cost", "_spend", "_budget", "_payment"))
    ):
        return MONEY
    if dtype is not None and pd.api.types.is_float_dtype(dtype):
        return NUMBER
    return None


def _cell_value(value: Any) -> Any:
    """A value openpyxl can store: blanks for NaN/NA/NaT, text for containers and
    timezone-aware times (Excel has no time zones), plain Python for numpy scalars."""
    if value is None or isinstance(value, (str, bool, int, float, Decimal)):
        return None if isinstance(value, float) and math.isnan(value) else value
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return str(value)
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, np.generic):
        value = value.item()
        return None if isinstance(value, float) and math.isnan(value) else value
    if isinstance(value, (dt.datetime, dt.time)) and value.tzinfo is not None:
        return value.isoformat()
    if isinstance(value, (dt.date, dt.time, dt.timedelta)):
        return value
    return str(value)


def _frame_rows(frame: pd.DataFrame) -> Iterable[tuple[Any, ...]]:
    """Rows of Python values. Float/int/bool columns pass as they are (set_value blanks
    NaN); only object-like columns pay for per-cell cleaning, which keeps big sheets fast."""
    columns = []
    for position in range(frame.shape[1]):
        series = frame.iloc[:, position]
        kind = series.dtype.kind
        if kind in "fiub" and not isinstance(series.dtype, pd.api.extensions.ExtensionDtype):
            columns.append(series.tolist())
        else:
            columns.append([_cell_value(v) for v in series.astype(object).tolist()])
    return zip(*columns) if columns else iter(())


def _write_frame(ws: Worksheet, frame: pd.DataFrame, formats: Mapping[str, str] | None = None) -> TableRef:
    """A DataFrame as a styled table (header, frozen pane, filter, widths, number formats)."""
    columns = [str(c) for c in frame.columns]
    number_formats = {
        name: fmt
        for name, (_, series) in zip(columns, frame.items())
        if (fmt := number_format(name, series.dtype)) is not None
    }
    number_formats.update(formats or {})
    last = write_table(ws, columns, _frame_rows(frame), number_formats=number_formats)
    return TableRef(ws, tuple(columns), header_row=1, last_row=last)


# The plan sheets' columns of money (capability, shortfall and the like are in points).
_AMOUNT_COLUMNS = {
    "budget",
    "spend",
    "balance",
    "lapsed",
    "cost",
    "payment",
    *(c for c in utilisation.FLOW_COLUMNS if c != "utilisation"),
}


def _name_the_currency(table: TableRef, currency: str) -> None:
    """A note on each money column's header naming the currency. WORKBOOK.md fixes the
    headers ("cost", "payment"), so the unit was only in the Summary, and a Plan or Spend
    sheet copied into a briefing lost it. Nothing when the input names no currency."""
    if currency == NO_CURRENCY:
        return
    for j, column in enumerate(table.columns, start=1):
        if column in _AMOUNT_COLUMNS:
            text = f"{column}: in {currency} (the input workbook's Settings currency)"
            table.ws.cell(row=table.header_row, column=j).comment = Comment(text, "capopt", width=260, height=60)


def _summary_items(summary: SummaryRows) -> list[tuple[str, object]]:
    """Materialise once: a generator of rows must not be used up by its first reader."""
    return list(summary.items()) if isinstance(summary, Mapping) else list(summary)


# Summary keys that name a workbook the run read (stress: `plan_file:<label>` per plan).
_READ_FILE_KEYS = ("input_file", "plan_file", "previous_plan")


def read_files(summary: SummaryRows, inputs: Any = None) -> list[str]:
    """The workbooks a run read, as its Summary names them (and `inputs.source.path`): an
    output must never replace one of them (WORKBOOK.md), whoever calls the writer."""
    files = [
        str(value)
        for key, value in _summary_items(summary)
        if str(key).split(":", 1)[0] in _READ_FILE_KEYS and isinstance(value, str) and value
    ]
    source = getattr(inputs, "source", None)
    if getattr(source, "path", None):
        assert source is not None  # None has no path
        files.append(str(source.path))
    return files


def _write_summary(wb: Workbook, summary: SummaryRows) -> Worksheet:
    """Summary: key/value rows in the order given, each value formatted for its key."""
    ws = _sheet(wb, "Summary")
    rows = [(str(key), _cell_value(value)) for key, value in _summary_items(summary)]
    last = write_table(ws, ["key", "value"], rows)
    for r, (key, value) in enumerate(rows, start=2):
        fmt = _summary_format(key, value)
        if fmt is not None:
            set_number_format(ws.cell(row=r, column=2), fmt)
    if any(isinstance(v, str) and len(v) > SUMMARY_VALUE_WIDTH for _, v in rows):
        # long notes and warnings wrap, so a key and its value print on one page
        wrap_column(ws, 2, SUMMARY_VALUE_WIDTH, 2, last, row_width=2)
    return ws


def _summary_format(key: str, value: Any) -> str | None:
    if isinstance(value, dt.datetime):
        return DATETIME
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    name = key.strip().lower()
    if name in OBJECTIVE_SENSES or name.startswith(AREA_OBJECTIVE_PREFIX):
        return MONEY
    fmt = number_format(name)
    if fmt is not None:
        return fmt
    return NUMBER if isinstance(value, float) else None


def _sheet(wb: Workbook, title: str) -> Worksheet:
    """Create a sheet, refusing names Excel would reject or silently truncate."""
    if not title or len(title) > 31 or _SHEET_NAME_FORBIDDEN & set(title):
        forbidden = "".join(sorted(_SHEET_NAME_FORBIDDEN))
        raise ValueError(f"invalid sheet name {title!r}: 1-31 characters, none of {forbidden}")
    if title.lower() in (name.lower() for name in wb.sheetnames):
        raise ValueError(f"duplicate sheet name {title!r}")
    return wb.create_sheet(title)


# --------------------------------------------------------------------------- frame shaping


def _conform(frame: pd.DataFrame | None, required: Sequence[str], what: str) -> pd.DataFrame:
    """Required columns first in contract order, extras after; header-only when absent."""
    if frame is None:
        return pd.DataFrame(columns=list(required))
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ValueError(f"{what}: missing columns {missing} (has {list(frame.columns)})")
    return _lead_with(frame, list(required), what)


def _lead_with(frame: pd.DataFrame, lead: str | Sequence[str], what: str) -> pd.DataFrame:
    lead = [lead] if isinstance(lead, str) else list(lead)
    missing = [c for c in lead if c not in frame.columns]
    if missing:
        raise ValueError(f"{what}: missing columns {missing} (has {list(frame.columns)})")
    rest = [c for c in frame.columns if c not in lead]
    return frame[[*lead, *rest]]


def _with_index(frame: pd.DataFrame, default_name: str) -> pd.DataFrame:
    """Keep an index that carries meaning (named, or labels such as objective names) as
    leading column(s); drop a plain unnamed integer index, including one left by a filter."""
    index = frame.index
    named = any(name is not None for name in index.names)
    if not named and pd.api.types.is_integer_dtype(index.dtype):
        return frame.reset_index(drop=True)
    if not named:
        return frame.rename_axis(default_name).reset_index()
    return frame.reset_index()


def _is_objective(name: object) -> bool:
    text = str(name)
    return text in OBJECTIVE_SENSES or text.startswith(AREA_OBJECTIVE_PREFIX)


def _pareto_frame(points: pd.DataFrame, chosen: Sequence[str]) -> pd.DataFrame:
    """point, the chosen objectives, the other objectives, gap, gap_of, proven, then the rest."""
    missing = [c for c in ("point", *chosen) if c not in points.columns]
    if missing:
        raise ValueError(f"Pareto points: missing columns {missing} (has {list(points.columns)})")
    others = [c for c in points.columns if _is_objective(c) and c not in chosen]
    tail = [c for c in ("gap", "gap_of", "proven") if c in points.columns]
    lead = ["point", *chosen, *others, *tail]
    return _lead_with(points, lead, "Pareto points").sort_values("point", kind="stable")


def _core_index_frame(core_index: pd.DataFrame) -> pd.DataFrame:
    """Most robust choices first: share of front/sweep plans funding (nation, programme)."""
    frame = _conform(core_index, CORE_INDEX_COLUMNS, "CoreIndex")
    return frame.sort_values(["share", "nation", "programme"], ascending=[False, True, True], kind="stable")


def _numeric_columns(frame: pd.DataFrame, exclude: str) -> list[str]:
    return [
        str(c)
        for c, s in frame.items()
        if c != exclude and pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)
    ]


def _stack_plans(plans: pd.DataFrame | Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    if isinstance(plans, pd.DataFrame):
        return plans
    frames = [frame.assign(setting=name) for name, frame in plans.items()]
    if not frames:
        return pd.DataFrame(columns=["setting", *RESULT_SHEETS["plan"][1]])
    stacked = pd.concat(frames, ignore_index=True)
    return _lead_with(stacked, "setting", "plans")


def _currency(summary: SummaryRows) -> str:
    for key, value in _summary_items(summary):
        if str(key).strip().lower() == "currency" and isinstance(value, str) and value.strip():
            return value
    return NO_CURRENCY


def axis_titles(currency: str, *columns: str) -> dict[str, str]:
    """Axis titles that say the unit (a Pareto chart's axes read "capability" and "cost",
    with the currency only in the Summary): money objectives in `currency`, capability and
    shortfall in capability points, the study's x columns in words."""
    titles = {}
    for column in columns:
        name = str(column)
        if name in ("cost", "risk"):
            titles[name] = f"{name} ({currency})"
        elif name in ("capability", "shortfall") or name.startswith(AREA_OBJECTIVE_PREFIX):
            titles[name] = f"{name} (capability points)"
        elif name == "interoperability":
            titles[name] = "interoperability (points)"
        elif name == "gamma":
            titles[name] = "Γ (overruns per nation and year)"
        elif name == "budget_scale":
            titles[name] = "budget scale (× the workbook's budgets)"
    return titles


GLANCE_ROWS = 20  # rows of a study's table on its Dashboard; the full table has them all


def _glance(frame: pd.DataFrame, sheet: str) -> pd.DataFrame:
    """A study table's first rows for its Dashboard (a note row says where the rest are)."""
    if len(frame) <= GLANCE_ROWS:
        return frame.reset_index(drop=True)
    head = frame.head(GLANCE_ROWS).reset_index(drop=True).astype(object)
    note: dict[Any, str | None] = {c: None for c in frame.columns}
    note[frame.columns[0]] = f"… {len(frame) - GLANCE_ROWS} more rows in {sheet}"
    return pd.concat([head, pd.DataFrame([note])], ignore_index=True)


def _label(summary: SummaryRows, inputs: Any = None) -> str:
    known = _summary_map(summary, inputs)
    return header_label(known.get("input_file"), known.get("input_sha256"))


def _titled(title: str, summary: SummaryRows) -> str:
    """'Sweep — small.xlsx', and ', changed after reading' when the study's inputs were
    what-ifs of that file (its Summary's input_changes): a study of a budget cut made in
    Python read as a study of the workbook itself."""
    known = _summary_map(summary)
    name = str(known.get("input_file") or "").replace("\\", "/").rsplit("/", 1)[-1]
    title = f"{title} — {name}" if name else title
    return title + (", changed after reading (Summary input_changes)" if known.get("input_changes") else "")


def _summary_map(summary: SummaryRows, inputs: Any = None) -> dict[str, object]:
    """Summary rows by key (first row of a key wins), the input file from `inputs` if absent."""
    known: dict[str, object] = {}
    for key, value in _summary_items(summary):
        known.setdefault(str(key).strip().lower(), value)
    source = getattr(inputs, "source", None)
    path = getattr(source, "path", None)
    if not known.get("input_file") and isinstance(path, (str, Path)):
        known["input_file"] = str(path)
    return known


def _partners(inputs: Any) -> list[str] | None:
    """Partner codes from duck-typed inputs; None when no inputs were given."""
    nations = getattr(inputs, "nations", None)
    if nations is None:
        return None
    return [str(n.code) for n in nations if str(getattr(n, "role", "")).lower() == "partner"]


# WORKBOOK.md's output sheets, in its order: they lead a plan's and a front's workbook and
# the sheets capopt adds follow them ("more may follow them"); a study's workbook leads with
# its Summary alone (its plan sheets hold many scenarios and sit by the study's tables).
CONTRACT_SHEETS = ("Summary", "Plan", "Spend", "Standards", "Capability", "Contributions", "Pareto")
STUDY_LEAD_SHEETS = ("Summary",)


def arrange_sheets(wb: Workbook, lead: Sequence[str] = STUDY_LEAD_SHEETS) -> None:
    """Put the `lead` sheets the workbook has first, in that order, the rest after them as
    written, and open the workbook on its Dashboard: a planner lands on the Dashboard, while
    a reader taking the first sheet (pandas.read_excel without a sheet name) gets Summary,
    not the Dashboard's layout."""
    if not wb.sheetnames:
        return
    for position, title in enumerate(t for t in lead if t in wb.sheetnames):
        wb.move_sheet(title, offset=position - wb.sheetnames.index(title))
    opening = DASHBOARD if DASHBOARD in wb.sheetnames else wb.sheetnames[0]
    wb.active = wb.sheetnames.index(opening)
    for ws in wb.worksheets:  # one selected tab: two would be grouped, and an edit would hit both
        ws.sheet_view.tabSelected = ws.title == opening


def _set_up_printing(wb: Workbook, label: str) -> None:
    """Print set-up of every sheet not set up yet: the Gantts repeat legend and year
    header; every other table repeats its header row."""
    for title in ("Gantt", "GanttByProgramme"):
        if title in wb.sheetnames:
            set_up_print(wb[title], label, title_rows=f"1:{GANTT_HEADER_ROW}", gridlines=True)
    set_up_workbook(wb, label)


def _print_capability_alliance_rows(table: TableRef, frame: pd.DataFrame, label: str) -> None:
    """Print the ALLIANCE rows of the Capability sheet, when they are one block.

    The sheet has a row per nation, area and year (3,888 on the reference plan, 70
    pages); on paper the alliance's rows against its targets are what a meeting reads,
    and each nation's rows stay a filter away on screen. The page header says so.
    """
    if table.is_empty:
        return
    is_alliance = (frame["nation"].astype(str).str.strip().str.upper() == ALLIANCE).to_numpy()
    rows = np.flatnonzero(is_alliance)
    if len(rows) == 0 or rows[-1] - rows[0] + 1 != len(rows):
        return
    first, last = table.first_row + int(rows[0]), table.first_row + int(rows[-1])
    ws = table.ws
    right = get_column_letter(table.width)
    total = table.last_row - table.header_row
    note = f"printed: the {len(rows):,} ALLIANCE rows of {total:,}; filter nation for the rest"
    set_up_print(
        ws,
        f"{label} · {note}" if label else note,
        title_rows="1:1",
        print_area=f"A{first}:{right}{last}",
        gridlines=True,
    )


def _beside(table: TableRef, gap: int = 2) -> str:
    """Anchor for a chart just right of a table, level with its header."""
    return f"{get_column_letter(table.width + gap)}{table.header_row}"


# --------------------------------------------------------------------------- planner views


def _add_spend_by_nation(wb: Workbook, spend: pd.DataFrame, currency: str) -> TableRef:
    """Whole-horizon budget, spend and lapse per nation, with clustered bars.

    `unspent_at_end` (the last balance) and `lapsed_share` follow: budget = spend +
    lapsed + unspent_at_end, so the row says where every unit of the budget went.
    """
    ws = _sheet(wb, "SpendByNation")
    totals = _totals(spend, "nation")
    totals["utilisation"] = _ratio(totals["spend"], totals["budget"])
    if not totals.empty:
        extra = utilisation.by_nation(spend).set_index("nation")
        for column in utilisation.NATION_COLUMNS:
            totals[column] = totals["nation"].map(extra[column])
    else:
        totals = totals.assign(**{c: pd.Series(dtype=float) for c in utilisation.NATION_COLUMNS})
    table = _write_frame(ws, totals)
    if not table.is_empty:
        chart = clustered_bars(
            table,
            "nation",
            ["budget", "spend"],
            "Spend against budget per nation (whole horizon)",
            y_title=currency,
            x_title="nation",
        )
        place(ws, chart, _beside(table))
    return table


def _add_spend_by_year(wb: Workbook, spend: pd.DataFrame, currency: str) -> TableRef:
    """Alliance-wide budget and spend per year: where money lapses or piles up.

    The flows of `data.utilisation` follow the first columns: carried in and out,
    borrowed, repaid and utilisation (spend over budget).
    """
    ws = _sheet(wb, "SpendByYear")
    totals = _totals(spend, "year")
    flows = utilisation.by_year(spend).set_index("year")
    for column in utilisation.FLOW_COLUMNS:
        totals[column] = totals["year"].map(flows[column]) if not totals.empty else []
    table = _write_frame(ws, totals)
    if not table.is_empty:
        chart = lines(
            table,
            "year",
            ["budget", "spend", "lapsed"],
            "Alliance budget and spend per year",
            y_title=currency,
            x_title="year",
            dashed=["budget"],
        )
        place(ws, chart, _beside(table))
    return table


def _totals(spend: pd.DataFrame, by: str) -> pd.DataFrame:
    numbers = spend[[by, "budget", "spend", "lapsed"]].copy()
    for column in ("budget", "spend", "lapsed"):
        numbers[column] = pd.to_numeric(numbers[column], errors="coerce")
    return numbers.groupby(by, sort=True).sum(min_count=1).reset_index()


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    denominator = denominator.astype(float)
    return numerator.astype(float) / denominator.where(denominator != 0)


def _add_alliance_capability(wb: Workbook, capability: pd.DataFrame, years: Sequence[int]) -> str | None:
    """ALLIANCE rows pivoted to one row per year, a capability and a target column per
    area, and one line chart per area (target dashed) in a grid beside the pivot.

    Returns the range the chart grid covers (what prints), None without charts.
    """
    ws = _sheet(wb, "AllianceCapability")
    pivot, areas = _alliance_pivot(capability, years)
    table = _write_frame(ws, pivot)
    if table.is_empty or not areas:
        return None
    if len(areas) > _MAX_AREA_CHARTS:
        log.info("charting the first %d of %d areas", _MAX_AREA_CHARTS, len(areas))
    first_chart_col = table.width + 2
    for i, area in enumerate(areas[:_MAX_AREA_CHARTS]):
        series = [f"{area} capability"]
        if pivot[f"{area} target"].notna().any():
            series.append(f"{area} target")
        chart = lines(
            table,
            "year",
            series,
            f"Alliance capability: {area}",
            y_title="capability points",
            dashed=series[1:],
        )
        for target in chart.series[1:]:
            # A target is usually one year (every ALLIANCE target of the reference dataset
            # is): a line through one point draws nothing, and the chart showed the
            # target's legend entry with no mark. Each target year gets a marker.
            target.marker.symbol = TARGET_MARKER
            target.marker.size = 8
        place(ws, chart, grid_anchor(i, first_chart_col))
    charted = min(len(areas), _MAX_AREA_CHARTS)
    last_col = first_chart_col + 2 * CHART_COLUMNS - 1
    last_row = math.ceil(charted / 2) * CHART_ROWS
    return f"{get_column_letter(first_chart_col)}1:{get_column_letter(last_col)}{last_row}"


def _alliance_pivot(capability: pd.DataFrame, years: Sequence[int]) -> tuple[pd.DataFrame, list]:
    is_alliance = capability["nation"].astype(str).str.strip().str.upper() == ALLIANCE
    rows = capability.loc[is_alliance]
    areas = list(dict.fromkeys(rows["capability_area"].tolist()))
    all_years = sorted({int(y) for y in years} | {int(y) for y in rows["year"].tolist()})
    pivot = pd.DataFrame({"year": all_years})
    for area in areas:
        one = rows.loc[rows["capability_area"] == area].groupby("year")
        for measure in ("capability", "target"):
            values = pd.to_numeric(one[measure].first(), errors="coerce")
            values.index = values.index.astype(int)
            pivot[f"{area} {measure}"] = pivot["year"].map(values).astype(float)
    return pivot, areas


def _add_objective_bars(ws: Worksheet, table: TableRef, levers: Sequence[str], units: Mapping[str, str]) -> None:
    """One small bar chart per objective: its value under each lever setting, its axes titled
    with the objective's unit and "lever setting"."""
    first = table.column(levers[0])
    last = first + len(levers) - 1
    categories = Reference(ws, min_col=first, max_col=last, min_row=1, max_row=1)
    label_col = table.column("objective")
    for i, row in enumerate(range(table.first_row, table.last_row + 1)):
        chart = BarChart()
        chart.type = "col"
        objective = str(ws.cell(row=row, column=label_col).value)
        chart.title = objective
        chart.y_axis.title, chart.x_axis.title = units.get(objective, objective), "lever setting"
        values = Reference(ws, min_col=first, max_col=last, min_row=row, max_row=row)
        chart.add_data(values, from_rows=True, titles_from_data=False)
        chart.set_categories(categories)
        chart.legend = None
        chart.y_axis.scaling.min = 0  # honest bars; the labels carry the small differences
        # Every flag explicit: viewers disagree on what an absent flag means.
        chart.dataLabels = DataLabelList(
            showVal=True,
            showSerName=False,
            showCatName=False,
            showLegendKey=False,
            showPercent=False,
        )
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.height, chart.width = 7.5, 12.0  # type: ignore[assignment]  # cm (openpyxl's stub: int)
        place(ws, chart, grid_anchor(i, table.width + 2, per_row=2))


def _add_lever_worth(
    wb: Workbook, by_objective: pd.DataFrame, levers: Sequence[str]
) -> tuple[pd.DataFrame, TableRef, list[str]]:
    """Improvement of each lever over the baseline (first lever), better = positive, under
    the headers ByObjective uses for the same numbers (`worth_column`)."""
    ws = _sheet(wb, "LeverWorth")
    baseline, others = levers[0], list(levers[1:])
    worth = pd.DataFrame({"objective": by_objective["objective"].astype(str)})
    worth["sense"] = [_sense(name) for name in worth["objective"]]
    sign = worth["sense"].map({"max": 1.0, "min": -1.0}).fillna(1.0).to_numpy()
    base = pd.to_numeric(by_objective[baseline], errors="coerce").astype(float).to_numpy()
    worth[baseline] = base
    formats = {baseline: MONEY}
    percent_columns = []
    for lever in others:
        value = pd.to_numeric(by_objective[lever], errors="coerce").astype(float).to_numpy()
        gain = sign * (value - base)
        absolute, relative = worth_column(lever), worth_column(lever, percent=True)
        worth[absolute] = gain
        with np.errstate(divide="ignore", invalid="ignore"):
            worth[relative] = np.where(base != 0, gain / np.abs(base), np.nan)
        formats.update({absolute: MONEY, relative: SHARE})
        percent_columns.append(relative)
    table = _write_frame(ws, worth, formats)
    if percent_columns and not table.is_empty:
        place(ws, _lever_worth_chart(table, percent_columns, baseline), _beside(table))
    return worth, table, percent_columns


def _lever_worth_chart(table: TableRef, percent_columns: Sequence[str], baseline: str) -> BarChart:
    chart = clustered_bars(
        table,
        "objective",
        percent_columns,
        f"What each lever is worth: improvement over {baseline}",
        y_title=f"% better than {baseline}",
        x_title="objective",
        from_zero=False,  # a lever can make an objective worse
    )
    chart.y_axis.number_format = "0%"
    return chart


def _sense(objective: str) -> str:
    """max/min from MODEL.md; an unknown name gets "unknown" and its gain is the raw change."""
    if objective in OBJECTIVE_SENSES:
        return OBJECTIVE_SENSES[objective]
    if objective.startswith(AREA_OBJECTIVE_PREFIX):
        return "max"
    log.warning("objective %r has no known sense; its lever gain is reported as raw change", objective)
    return "unknown"
