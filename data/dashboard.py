"""The Dashboard: the sheet every output workbook opens on, one landscape page.

A plan's Dashboard says what the solver proved (in words, never more than the gap and
bound show), the objectives, what is funded, and how much of each nation's money the plan
uses and lapses, with the two charts a planner asks for first. A study's Dashboard (Pareto
front, sweep, flexibility, robustness) says what the study found, with its chart.
Everything here is laid out from tables `data.report` has already written; charts
reference those cells, so they follow any edit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.legend import Legend
from openpyxl.chart.series import SeriesLabel
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from data.charts import TableRef
from data.print_layout import set_up_print
from data.tables import OBJECTIVE_SENSES
from data.utilisation import LapseWarning
from data.xlsx_io import HEADER_FILL, HEADER_FONT, SMALL_AMOUNT, SMALL_BELOW, amount_text, set_value

TITLE = "Dashboard"
MONEY = "#,##0.0"
SHARE = "0.0%"
CORE_OBJECTIVES = ("capability", "cost", "shortfall", "interoperability", "risk")
TOP_LAPSED = 10
MAX_WARNINGS = 4
MAX_MISSED_TARGETS = 8  # the largest shortfalls on the Dashboard; the Capability sheet has all
# Left block: labels then numbers; charts to the right of column H.
COLUMN_WIDTHS = (24.0, 12.5, 12.5, 12.5, 14.5, 11.0, 10.0)
LINE_HEIGHT = 1.35  # points of row height per point of font size, a line of wrapped text
CHART_COLUMN = len(COLUMN_WIDTHS) + 2
CHART_WIDTH_CM = 14.5
CHART_HEIGHT_CM = 10.0
# Spent dark, kept money light, lapsed money the warning colour (colour-blind safe).
FLOW_COLOURS = {
    "spent": "1F4E78",
    "carried to next year": "56B4E9",
    "unspent at end": "56B4E9",
    "lapsed": "D55E00",
}
TITLE_FONT = Font(name="Calibri", bold=True, size=16, color="1F4E78")
HEADLINE_FONT = Font(name="Calibri", bold=True, size=12)
SECTION_FONT = Font(name="Calibri", bold=True, size=11, color="1F4E78")
WARNING_FONT = Font(name="Calibri", color="9C0006")
WARNING_FILL = PatternFill("solid", fgColor="FFC7CE")
NOTE_FONT = Font(name="Calibri", italic=True, size=9, color="595959")


# --------------------------------------------------------------------------- words


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def percent_up(fraction: float) -> str:
    """A proven bound as a percentage rounded *up* to a hundredth (0.8295 % -> "0.83 %",
    0.6012 % -> "0.61 %"): never claim more. The terminal prints its gaps with this too
    (cli.gap_text), so one run shows one number: it printed "0.99%" (rounded to nearest)
    where the Dashboard said "1 %"; tenths had turned a 0.60 % gap into "within 0.7 %"."""
    if fraction <= 0:
        return "0 %"
    if not fraction < 1e12:  # a Summary's gap typed as 1e308 overflowed the rounding
        return "> 1e+14 %"
    hundredths = math.ceil(round(fraction * 10_000, 7))
    return f"{hundredths / 100:.2f}".rstrip("0").rstrip(".") + " %"


def _proven_zero(fraction: float | None) -> bool:
    """A gap that reads "0 %": a proof of optimality. HiGHS reports a proven optimum's
    gap as round-off (a bound of 49.99999999999999 against 50 gives 1.4e-16), which
    must read "optimal (proven)" like a gap of 0, not "optimal within 0 %"."""
    return fraction is not None and percent_up(fraction) == "0 %"


# `stage_N` statuses of a stage that found no plan (not_reached: the run stopped before it)
_NO_PLAN = ("no_solution", "infeasible", "not_reached")


def last_objective(summary: Mapping[str, object], charged: bool = False) -> str | None:
    """The objective the reported gap belongs to: the last `stage_N` row with a plan, if any.

    A stage that found no plan in the time left ("cost: no_solution, …", as a 60-s robust
    run's cost stage) reports nothing: the gap is the stage's before it. With `charged`, a
    re-plan's stage is named as it was solved ("cost + 50 × changes"), since its bound is of
    that sum, not of the objective alone."""
    solved = [name for name, status, _ in _stage_rows(summary, charged) if status not in _NO_PLAN]
    return (solved[-1].strip() or None) if solved else None


def _stage_rows(summary: Mapping[str, object], charged: bool = False) -> list[tuple[str, str, float | None]]:
    """(objective, status, gap or None) of each `stage_N` row ("name: status, value[, gap g]"),
    in stage order; a re-plan's charged stage by its objective alone unless `charged`."""
    out = []
    for name, status, _, gap in _stage_texts(summary):
        if name.endswith(" × changes") and not charged:  # a re-plan's charged stage
            name = name.split(" ", 1)[0]
        out.append((name, status, gap))
    return out


def _stage_texts(summary: Mapping[str, object]) -> list[tuple[str, str, float | None, float | None]]:
    """(objective as written, status, value, gap) of each `stage_N` row, in stage order."""
    out = []
    for key, text in sorted(
        ((k, v) for k, v in summary.items() if k.startswith("stage_") and k[6:].isdigit()),
        key=lambda item: int(item[0][6:]),
    ):
        name, _, rest = str(text).partition(": ")
        parts = [p.strip() for p in rest.split(",")]
        gap = next((float(p[4:]) for p in parts[2:] if p.startswith("gap ")), None)
        try:
            value: float | None = float(parts[1])
        except (IndexError, ValueError):
            value = None
        out.append((name, parts[0] if parts else "", value, gap))
    return out


def stages_not_optimised(summary: Mapping[str, object]) -> list[str]:
    """The stages after the last one with a plan, in priority order: the time ran out before
    they found one (or before they ran), and the plan is the earlier stage's for them."""
    stages = _stage_rows(summary)
    solved = [i for i, (_, status, _) in enumerate(stages) if status not in _NO_PLAN]
    # the run stops at the first stage without a plan: later ones are in the priority row only
    order = [n.strip() for n in str(summary.get("priority", "")).split(",") if n.strip()] or [n for n, _, _ in stages]
    return order[solved[-1] + 1 :] if solved else []


def _not_optimised(summary: Mapping[str, object]) -> str:
    """'; cost not optimised: …' for the stages after the last one with a plan that found
    none: the time ran out before them, and the plan is the earlier stage's for them."""
    after = stages_not_optimised(summary)
    if not after:
        return ""
    if str(summary.get("termination", "")).startswith("interrupted"):
        return f"; {' and '.join(after)} not optimised: the run was interrupted (Ctrl-C) before {'them' if len(after) > 1 else 'it'}"
    return f"; {' and '.join(after)} not optimised: no time was left for {'them' if len(after) > 1 else 'it'}"


def other_stages_in_words(summary: Mapping[str, object]) -> str:
    """'; shortfall was not proven: …; cost not optimised: …' — what the stages other than
    the one the gap is of proved, and which the time never reached, for a line that states
    that gap itself (a study's Γ point said only its capability gap, with its shortfall
    stage, 140 against a bound of 0, unproven)."""
    return _earlier_proof(summary, last_objective(summary)) + _not_optimised(summary)


def _earlier_proof(summary: Mapping[str, object], last: str | None) -> str:
    """'; capability was proven within 0.75 %' when an earlier stage proved its gap, and
    '; capability was stopped at most 115 % from its best possible' when it did not: a last
    stage's line must hide neither (Ctrl-C during the capability stage left a plan 115 % from
    its bound, and the Dashboard spoke of cost only)."""
    words = []
    for name, status, gap in _stage_rows(summary):
        if name == last or gap is None or status in _NO_PLAN:
            continue
        shown = _as_optimised(summary, name)  # what the stage's gap is of
        if status != "optimal" and _plan_reaches_stage_bound(summary, name):
            words.append(f"{shown} was proven optimal (the plan reaches its stage's bound)")
        elif status == "optimal":
            words.append(f"{shown} was proven {'optimal' if _proven_zero(gap) else f'within {percent_up(gap)}'}")
        else:
            direction = "lower" if _sense(name) == "min" else "higher"
            words.append(f"{shown} was not proven: its best possible is at most {percent_up(gap)} {direction}")
    return "; " + ", ".join(words) if words else ""


def _plan_reaches_stage_bound(summary: Mapping[str, object], name: str) -> bool:
    """Whether the plan's own value of a plain objective is at least as good as the bound its
    stage proved (value ∓ gap·|value|): a shortfall stage stopped at 1 against its bound 0,
    after which the capability stage reached shortfall 0, was called "not proven: at most
    100 % lower" for a plan no plan can beat."""
    plan = _number(summary.get(name))
    # by its name as written: a charged re-plan stage ("cost × changes") is not the plan's cost
    value, gap = next(((v, g) for n, _, v, g in _stage_texts(summary) if n == name), (None, None))
    if plan is None or value is None or gap is None:
        return False
    slack = 1e-9 * max(1.0, abs(value))
    if _sense(name) == "min":
        return plan <= value - gap * abs(value) + slack
    return plan >= value + gap * abs(value) - slack


def _sense(objective: str | None) -> str:
    if objective is None:
        return "max"  # a weighted run maximises its signed, weighted sum
    if objective in OBJECTIVE_SENSES:
        return OBJECTIVE_SENSES[objective]
    return "max"


def status_in_words(summary: Mapping[str, object]) -> str:
    """What the run proves about its plan, from status, gap and solve time only.

    The gap is |plan − bound| / |plan| (HiGHS's definition) of the last objective
    optimised: the best possible is at most gap·|plan| better than the plan. So for a
    minimised objective the best possible is at most that fraction lower, and for a
    maximised one at most that fraction higher (the plan itself is then at most
    gap/(1 + gap) below it: "133.93 % below" read as nonsense). Percentages are rounded up.
    Earlier stages' proofs and the stages the time never reached are said too.
    """
    status = str(summary.get("status", "")).strip().lower()
    gap = _number(summary.get("gap"))
    seconds = _number(summary.get("solve_seconds"))
    objective = last_objective(summary)
    shown = _as_optimised(summary, objective)
    on = f" on {shown}" if shown else ""
    if status == "optimal":
        if gap is None or _proven_zero(gap):
            return "optimal (proven)"
        return f"optimal within {percent_up(gap)}{on}"
    if status == "feasible":
        found = "best plan found" + (f" in {seconds:,.0f} s" if seconds is not None else "")
        how_far = _how_far(gap, objective, shown)
        return f"{found}; {how_far}{_earlier_proof(summary, objective)}{_not_optimised(summary)}"
    termination = summary.get("termination")
    return f"no plan ({status or 'unknown status'}" + (f": {termination})" if termination else ")")


def _as_optimised(summary: Mapping[str, object], objective: str | None) -> str | None:
    """The objective the gap is of, as the solver optimised it: a re-plan that charged its
    changes (`stability_weight` W > 0) optimised "cost + W × changes", and its Dashboard
    said "optimal within 0.16 % on cost", a bound on cost alone that nothing proved."""
    weight = _number(summary.get("stability_weight"))
    if not objective or not weight:
        return objective
    return charged_objective(objective, weight)


def charged_objective(objective: str, weight: float) -> str:
    """`objective` as a re-plan charging `weight` per change optimises it, "cost + 50 ×
    changes": one spelling for the terminal, the Summary's note and the Dashboard."""
    return f"{objective} {'−' if _sense(objective) == 'max' else '+'} {weight:g} × changes"


def _how_far(gap: float | None, objective: str | None, name: str | None = None) -> str:
    """What a gap proves about a plan not proven within the target, in the objective's sense
    (`name`: how the objective is shown, when not by its own name)."""
    name = name or objective or "objective"
    if gap is None:
        return f"no bound is proven on {name}, so how far it is from the best possible is unknown"
    if _proven_zero(gap):
        return f"no better {name} is possible (gap 0)"
    direction = "lower" if _sense(objective) == "min" else "higher"
    return f"the best possible {name} is at most {percent_up(gap)} {direction}"


def proof_in_words(status: object, gap: object, objective: str | None = None) -> str:
    """What one solve proves about its plan, for a study's row: `status_in_words` without
    a Summary. `objective` is the one the gap is of (the last stage's, or "weighted")."""
    status = str(status or "").strip().lower()
    fraction = _number(gap)
    on = f" on {objective}" if objective else ""
    if status == "optimal":
        if fraction is None or _proven_zero(fraction):
            return "proven: no plan is better"
        return f"proven: within {percent_up(fraction)} of the best possible{on}"
    if status == "feasible":
        return f"best plan found, not proven: {_how_far(fraction, objective)}"
    return f"no plan ({status or 'unknown status'})"


def status_detail(summary: Mapping[str, object]) -> str:
    """The line under the headline: mode, solver's reason, bound, time."""
    parts = []
    mode = summary.get("objective")
    if mode:
        parts.append(f"objective: {mode}")
    termination = summary.get("termination")
    if termination:
        parts.append(f"ended: {termination}")  # the reason, not the solver's name
    bound = _number(summary.get("best_bound"))
    objective = _as_optimised(summary, last_objective(summary))  # a re-plan's includes its charge
    if bound is not None:
        parts.append(f"best bound{f' ({objective})' if objective else ''}: {amount_text(bound)}")
    gap = _number(summary.get("gap"))
    if gap is not None:
        parts.append(f"gap {percent_up(gap)}")  # as the headline rounds it: one number per page
    seconds = _number(summary.get("solve_seconds"))
    if seconds is not None:
        parts.append(f"{seconds:,.1f} s")
    return "; ".join(parts)


# --------------------------------------------------------------------------- layout


@dataclass
class Cursor:
    """The next free row of the left block."""

    ws: Worksheet
    row: int = 1

    def text(self, value: object, font: Font | None = None, column: int = 1) -> None:
        cell = self.ws.cell(row=self.row, column=column)
        set_value(cell, value)
        if font is not None:
            cell.font = font
        if column == 1 and isinstance(value, str):
            self._wrap(value, font)
        self.row += 1

    def _wrap(self, text: str, font: Font | None) -> None:
        """A line longer than the left block is wrapped within it, its row made tall enough:
        a 138-character status line ran on under the charts, and printed copies cut it off
        (audit). Excel sizes no merged row itself, so the height is counted here."""
        size = float(font.sz) if font is not None and font.sz else 11.0
        per_line = sum(COLUMN_WIDTHS) * 11.0 / size * (0.9 if font is not None and font.b else 1.0)
        lines = math.ceil(len(text) / per_line)
        if lines <= 1:
            return
        self.ws.merge_cells(start_row=self.row, start_column=1, end_row=self.row, end_column=len(COLUMN_WIDTHS))
        self.ws.cell(row=self.row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
        self.ws.row_dimensions[self.row].height = lines * size * LINE_HEIGHT

    def section(self, title: str) -> None:
        self.row += 1
        self.text(title, SECTION_FONT)

    def table(
        self,
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
        formats: Sequence[str | None] = (),
    ) -> TableRef:
        header = self.row
        for j, name in enumerate(columns, start=1):
            cell = self.ws.cell(row=header, column=j)
            set_value(cell, name)
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(horizontal="left" if j == 1 else "right")
        formats = list(formats) + [None] * (len(columns) - len(formats))
        for i, values in enumerate(rows, start=1):
            for j, value in enumerate(values, start=1):
                cell = self.ws.cell(row=header + i, column=j)
                set_value(cell, _plain(value), formats[j - 1])
                if j > 1 and isinstance(cell.value, str):
                    cell.alignment = Alignment(horizontal="right")  # under its header
        self.row = header + len(rows) + 1
        return TableRef(self.ws, tuple(columns), header_row=header, last_row=header + len(rows))


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def new_dashboard(ws: Worksheet, title: str, headline: str, detail: str = "") -> Cursor:
    """A Dashboard sheet's column widths, title and headline, and the cursor that writes the
    rest below them: every workbook's opening sheet starts alike."""
    for j, width in enumerate(COLUMN_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.column_dimensions[get_column_letter(len(COLUMN_WIDTHS) + 1)].width = 2.0
    cursor = Cursor(ws)
    cursor.text(title, TITLE_FONT)
    cursor.text(headline, HEADLINE_FONT)
    if detail:
        cursor.text(detail, NOTE_FONT)
    return cursor


def finish(cursor: Cursor, label: str, chart_rows: int = 0) -> None:
    """One landscape page: the print area spans the left block and the charts."""
    ws = cursor.ws
    last_row = max(cursor.row, chart_rows)
    last_col = CHART_COLUMN + _columns_for(CHART_WIDTH_CM)
    ws.print_area = f"A1:{get_column_letter(last_col)}{last_row}"
    set_up_print(ws, label, landscape=True, title_rows=None, one_page=True)
    ws.sheet_view.showGridLines = False


def _columns_for(width_cm: float) -> int:
    """Default-width columns a chart covers (8.43 characters, about 1.7 cm each)."""
    return math.ceil(width_cm / 1.69) + 1


def place_charts(ws: Worksheet, charts: Sequence[Any], first_row: int = 1) -> int:
    """Stack charts to the right of the left block; return the last row they cover."""
    row = first_row
    rows_per_chart = math.ceil(CHART_HEIGHT_CM / 0.53) + 1
    for chart in charts:
        chart.width, chart.height = CHART_WIDTH_CM, CHART_HEIGHT_CM
        ws.add_chart(chart, f"{get_column_letter(CHART_COLUMN)}{row}")
        row += rows_per_chart
    return row


def _largest_stack(table: TableRef, series: Mapping[str, str], first_row: int) -> float:
    """The tallest stack of `series` in `table`'s rows from `first_row` (blanks count 0)."""
    columns = [table.column(column) for column in series]
    stacks = [
        sum(abs(float(v)) for c in columns if isinstance(v := table.ws.cell(r, c).value, (int, float)))
        for r in range(first_row, table.last_row + 1)
    ]
    return max(stacks, default=0.0)


def stacked_bars(
    table: TableRef,
    category: str,
    series: Mapping[str, str],
    title: str,
    y_title: str | None = None,
    horizontal: bool = False,
    first_row: int | None = None,
    percent: bool = False,
) -> BarChart:
    """Stacked bars, one stack per row; `series` maps column -> legend name.

    `first_row` skips leading rows (a total that would dwarf the rest); `percent` stacks
    to 100 %, so rows of very different size compare by their split.
    """
    chart = BarChart()
    chart.type = "bar" if horizontal else "col"
    chart.grouping = "percentStacked" if percent else "stacked"
    chart.overlap = 100
    chart.gapWidth = 60
    chart.title = title
    chart.y_axis.title = y_title
    start = first_row if first_row is not None else table.first_row
    for column, name in series.items():
        col = table.column(column)
        values = Reference(table.ws, min_col=col, min_row=start, max_row=table.last_row)
        chart.add_data(values, titles_from_data=False)
        chart.series[-1].tx = SeriesLabel(v=name)
        colour = FLOW_COLOURS.get(name)
        if colour is not None:
            chart.series[-1].graphicalProperties.solidFill = colour
            chart.series[-1].graphicalProperties.line.solidFill = colour
    col = table.column(category)
    chart.set_categories(Reference(table.ws, min_col=col, min_row=start, max_row=table.last_row))
    chart.y_axis.scaling.min = 0
    if percent:
        chart.y_axis.scaling.max = 1
        chart.y_axis.number_format = "0%"
    else:  # small amounts (a budget of 0.05 in EUR billion) with their decimals: the axis read 0, 0, 0
        chart.y_axis.number_format = SMALL_AMOUNT if _largest_stack(table, series, start) < SMALL_BELOW else "#,##0"
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.x_axis.tickLblSkip = 1  # every nation or year labelled
    if horizontal:
        chart.x_axis.scaling.orientation = "maxMin"  # first row on top, as in the table
        chart.y_axis.crosses = "max"
    chart.legend = Legend()
    chart.legend.position = "b"
    return chart


# --------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class PlanFacts:
    """What the plan Dashboard shows, computed once so tests can hold it to the Result."""

    objectives: list[tuple[str, float]]
    programmes: list[tuple[str, object]]
    utilisation: pd.DataFrame  # ALLIANCE first, then the nations that lapse most
    warnings: list[LapseWarning]
    # the soft targets the plan misses, largest shortfall first: only the Capability sheet
    # said which (the Dashboard gave the shortfall's sum alone)
    missed_targets: pd.DataFrame = field(default_factory=pd.DataFrame)
    targets: int = 0  # how many targets the inputs set


def missed_targets(capability: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The rows of a Capability table whose soft target the plan misses, largest shortfall
    first, and how many targets there are (the Dashboard's table, the terminal's headline)."""
    if "target" not in capability or "shortfall" not in capability:
        return capability.iloc[0:0], 0
    targets = capability[capability["target"].notna()]
    missed = targets[targets["shortfall"] > 1e-9].sort_values("shortfall", ascending=False, kind="stable")
    return missed.reset_index(drop=True), len(targets)


def programme_facts(
    plan: pd.DataFrame, standards: pd.DataFrame, partners: Sequence[str] | None
) -> list[tuple[str, object]]:
    """Programmes funded, joint, national, with partners; nations, pairs, adoptions."""
    programmes = plan["programme"].astype(str)
    sharing = plan["sharing"].astype(str).str.lower()
    joint = set(programmes[sharing == "joint"])
    rows: list[tuple[str, object]] = [
        ("programmes funded", programmes.nunique()),
        ("joint programmes", len(joint)),
        ("national programmes", programmes[sharing != "joint"].nunique()),
    ]
    if partners is None:
        rows.append(("programmes with partners", "not known (roles not given)"))
    else:
        with_partners = plan.loc[plan["nation"].astype(str).isin(set(partners)), "programme"]
        rows.append(("programmes with partners", with_partners.astype(str).nunique()))
    rows += [
        ("nations funding", plan["nation"].nunique()),
        ("nation-programme pairs", len(plan)),
        ("standard adoptions", len(standards)),
    ]
    return rows


def write_plan_dashboard(
    ws: Worksheet,
    summary: Mapping[str, object],
    facts: PlanFacts,
    by_year: TableRef,
    label: str,
    currency: str,
) -> None:
    """Status, objectives, programmes, utilisation and warnings left; two charts right."""
    name = str(summary.get("input_file") or "").replace("\\", "/").rsplit("/", 1)[-1]
    title = "Plan" + (f" — {name}" if name else "")
    if summary.get("input_changes"):  # a what-if's plan is not the workbook's own plan
        title += ", changed after reading (Summary input_changes)"
    cursor = new_dashboard(ws, title, status_in_words(summary), status_detail(summary))

    cursor.section("Objectives")
    cursor.table(
        ["objective", "value", "better"],
        [(n, v, "higher" if OBJECTIVE_SENSES.get(n, "max") == "max" else "lower") for n, v in facts.objectives],
        [None, MONEY, None],
    )
    cursor.section("Programmes")
    cursor.table(["what", "count"], facts.programmes, [None, "0"])

    cursor.section(f"Budget utilisation over the horizon ({currency})")
    table = facts.utilisation
    shown = ["nation", "budget", "spend", "lapsed", "unspent_at_end", "utilisation", "lapsed_share"]
    headers = ["nation", "budget", "spent", "lapsed", "unspent at end", "utilisation", "lapsed %"]
    rows = [tuple(r) for r in table[shown].itertuples(index=False, name=None)]
    utilisation = cursor.table(headers, rows, [None, MONEY, MONEY, MONEY, MONEY, SHARE, SHARE])
    cursor.text(
        "ALLIANCE = every nation, partners included; then the nations that lapse the most. "
        "budget = spent + lapsed + unspent at end.",
        NOTE_FONT,
    )
    if not facts.missed_targets.empty:
        missed = facts.missed_targets
        cursor.section(f"Targets missed: {len(missed)} of {facts.targets} (soft: shortfall is an objective)")
        largest = missed.head(MAX_MISSED_TARGETS)[
            ["nation", "capability_area", "year", "target", "capability", "shortfall"]
        ]
        cursor.table(
            ["nation", "capability area", "year", "target", "reached", "short by"],
            [tuple(r) for r in largest.itertuples(index=False, name=None)],
            [None, None, "0", "#,##0.0", "#,##0.0", "#,##0.0"],
        )
        if len(missed) > MAX_MISSED_TARGETS:
            cursor.text(
                f"… and {len(missed) - MAX_MISSED_TARGETS} more (the Capability sheet lists every one)", NOTE_FONT
            )
    if facts.warnings:
        cursor.section("Warnings: nations lapsing more than half their horizon budget")
        for warning in facts.warnings[:MAX_WARNINGS]:
            cursor.text(warning.short_text(), WARNING_FONT)
        more = len(facts.warnings) - MAX_WARNINGS
        if more > 0:
            cursor.text(f"… and {more} more (Summary lists every one)", WARNING_FONT)
        cursor.text(
            "That usually means the inputs' budgets or the portfolio open to the nation are off.",
            NOTE_FONT,
        )

    charts = []
    if not by_year.is_empty:
        charts.append(
            stacked_bars(
                by_year,
                "year",
                {"spend": "spent", "carried_out": "carried to next year", "lapsed": "lapsed"},
                "Alliance money per year: spent, carried, lapsed",
                y_title=currency,
            )
        )
    if not utilisation.is_empty and utilisation.last_row > utilisation.first_row:
        charts.append(
            stacked_bars(
                utilisation,
                "nation",
                {"spent": "spent", "lapsed": "lapsed", "unspent at end": "unspent at end"},
                f"Where the budget goes: the {len(rows) - 1} nations that lapse the most",
                horizontal=True,
                first_row=utilisation.first_row + 1,  # ALLIANCE is the table's first row
                percent=True,
            )
        )
    chart_rows = place_charts(ws, charts)
    finish(cursor, label, chart_rows)


# --------------------------------------------------------------------------- studies


def _fmt(value: object) -> str:
    number = _number(value)
    if number is None:
        return str(value)
    return amount_text(number) if not float(number).is_integer() else f"{number + 0.0:,.0f}"


def write_study_dashboard(
    ws: Worksheet,
    title: str,
    headline: str,
    findings: Sequence[str],
    table: pd.DataFrame | None,
    formats: Mapping[str, str] | None,
    charts: Sequence[Any],
    label: str,
) -> TableRef | None:
    """A study's opening sheet: what it found in a few lines, a small table, its chart."""
    cursor = new_dashboard(ws, title, headline)
    if findings:
        cursor.section("What the study found")
        for line in findings:
            cursor.text(f"• {line}")
    ref = None
    if table is not None and not table.empty:
        cursor.section("At a glance")
        columns = [str(c) for c in table.columns][: len(COLUMN_WIDTHS)]
        rows = [tuple(r) for r in table[columns].itertuples(index=False, name=None)]
        ref = cursor.table(columns, rows, [(formats or {}).get(c) for c in columns])
    chart_rows = place_charts(ws, charts)
    finish(cursor, label, chart_rows)
    return ref


def front_findings(
    points: pd.DataFrame,
    chosen: Sequence[str],
    payoff_proven: bool = True,
    completeness: str | None = None,
    primary_gap: float | None = None,
) -> tuple[str, list[str]]:
    """Headline and lines for a Pareto front: its size and what each objective spans.
    `payoff_proven`: whether the payoff table's solves proved their optima (point 1 is
    then the best possible in the primary objective, not only the best found).
    `completeness`: the Summary's `front_complete`, said first: a grid front read as the
    whole front where only its Summary said "not proven: grid mode samples the front".
    `primary_gap`: the Summary's `gap`, point 1's primary against the bound on it."""
    n = len(points)
    every_point_proven = "proven" not in points.columns or bool(points["proven"].astype(bool).all())
    headline = f"{n} {front_plans_in_words(n, payoff_proven and every_point_proven)} trading {' against '.join(chosen)}"
    lines = [_completeness_line(completeness)] if completeness else []
    if "proven" in points.columns and n:
        proven = int(points["proven"].astype(bool).sum())
        lines.append(f"{proven} of {n} points proven optimal for their sub-problem")
    for name in chosen:
        values = pd.to_numeric(points[name], errors="coerce") if name in points else None
        if values is None or values.dropna().empty:
            continue
        low, high = values.min(), values.max()
        at_low = points.loc[values.idxmin(), "point"]
        at_high = points.loc[values.idxmax(), "point"]
        lines.append(f"{name} ranges from {_fmt(low)} (point {_fmt(at_low)}) to {_fmt(high)} (point {_fmt(at_high)})")
    if n and chosen:
        lines.append(_first_point_line(points, chosen[0], payoff_proven, primary_gap))
    return headline, lines


def front_plans_in_words(n: int, proven: bool) -> str:
    """'3 non-dominated plans' only when every point's sub-problem and the payoff table were
    solved to optimality: a 3-s grid front called a plan non-dominated that a 15-s run's
    plan dominated (more capability, less cost). Otherwise the plans found dominate none of
    each other, which is all that is known."""
    plans = f"plan{'s' if n != 1 else ''}"
    return f"non-dominated {plans}" if proven else f"{plans}, none dominating another (not all proven non-dominated)"


def _completeness_line(completeness: str) -> str:
    """Whether every non-dominated plan is on the front, in a planner's words."""
    if completeness == "proven complete":
        return "the front is proven complete: every non-dominated plan is on it"
    if completeness == "complete within the given nadir":
        return "the front is complete within the worst levels given (--nadir); plans beyond them were not sought"
    reason = completeness.removeprefix("not proven: ")
    return f"the front is not proven complete ({reason}): other non-dominated plans may exist"


def _first_point_line(points: pd.DataFrame, primary: str, payoff_proven: bool, primary_gap: float | None = None) -> str:
    """Point 1 is the payoff table's best plan in the primary objective: "the best" only
    where its solves proved it (a short time limit leaves it a plan, not the optimum), or
    where it meets the bound on the primary (`primary_gap` 0). How far it may be from the
    best is that gap, never point 1's own solve gap: a grid point's is its ε-subproblem's,
    and a shortfall of 0 against a bound of 0 read "not proven the best possible, within
    11.61 %"."""
    first = points.iloc[0]
    gap = _number(primary_gap)
    if _proven_zero(gap) or (payoff_proven and ("proven" not in points.columns or bool(first["proven"]))):
        return f"point 1 is the best in {primary}; the Plan sheets hold every point's plan"
    within = f", within {percent_up(gap)} of it" if gap else ""
    return (
        f"point 1 has the best {primary} found, not proven the best possible{within}; "
        "the Plan sheets hold every point's plan"
    )


def sweep_findings(frame: pd.DataFrame, x: str) -> tuple[str, list[str]]:
    """A sweep Dashboard's headline and findings from its scenario table (`x` the swept
    setting): what a planner reads first, before the curve and the table."""
    n = len(frame)
    headline = f"{n} scenario{'s' if n != 1 else ''} over {x}"
    lines = []
    for name in ("capability", "cost"):
        if name not in frame.columns or frame[name].dropna().empty:
            continue
        values = pd.to_numeric(frame[name], errors="coerce")
        low, high = values.idxmin(), values.idxmax()
        if values[low] == values[high]:  # not "ranges from 288,792.5 (…) to 288,792.5 (…)"
            # "in every scenario" beside a scenario with no plan read as "budget does not matter"
            planned = int(values.notna().sum())
            where = "in every scenario" if planned == n else f"in the {planned} of {n} scenarios with a plan"
            lines.append(f"{name} is {_fmt(values[low])} {where}")
            continue
        lines.append(
            f"{name} ranges from {_fmt(values[low])} ({x} = {_fmt(frame.loc[low, x])}) "
            f"to {_fmt(values[high])} ({x} = {_fmt(frame.loc[high, x])})"
        )
    if "status" in frame.columns:
        counts = frame["status"].astype(str).value_counts()
        lines.append("status: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        unproven = [
            f"{x} = {_fmt(row[x])} ({_row_proof(row)})"
            for _, row in frame.iterrows()
            if str(row["status"]) != "optimal"
        ]
        if unproven:
            lines.append("not proven within the gap target: " + "; ".join(unproven))
    return headline, lines


def worth_column(lever: str, percent: bool = False) -> str:
    """The header of a lever's worth against the rigid plan — ByObjective's, LeverWorth's and
    the terminal's alike: how much better the lever's plan is, signed so that + is better
    whatever the objective's sense. ByObjective's "worth of carry-over" was the raw change
    (cost: −1,818 where 1,818 was saved) and LeverWorth's "carry-over gain" the signed one
    (+1,818): one fact, two signs, and neither header said which way was better."""
    return f"worth of {lever}{' %' if percent else ''} (+ is better)"


def flexibility_findings(
    worth: pd.DataFrame, levers: Sequence[str], solves: pd.DataFrame | None = None
) -> tuple[str, list[str]]:
    """What each lever gains over the first (rigid) setting, objective by objective, and
    which plans (rows of `solves`: lever, status, gap, gap_of) are not proven, since a
    lever's worth is exact only where both its plan and the rigid one are."""
    baseline = levers[0]
    headline = f"What flexibility is worth against the {baseline} plan"
    lines = []
    for _, row in worth.iterrows():
        objective = str(row["objective"])
        if objective not in CORE_OBJECTIVES:
            continue
        gains = []
        for lever in levers[1:]:
            change = _change_in_words(
                objective, _number(row.get(worth_column(lever))), _number(row.get(worth_column(lever, percent=True)))
            )
            if change is not None:
                pair = {f"the {name} plan": _row_of(solves, "lever", name) for name in (baseline, lever)}
                gains.append(f"{lever} {change}" + _unbacked(objective, pair))
        if gains and any(_number(row.get(worth_column(lev))) for lev in levers[1:]):
            lines.append(f"{objective}: " + "; ".join(gains))
    planless = [lever for lever in levers if not _has_values(worth, lever, baseline)]
    if baseline in planless:  # every worth is a difference from it: there is none to give
        lines.append(f"no worth can be given: the {baseline} setting has no plan (see Solves)")
    elif planless:
        lines.append(f"no plan, so no worth: {'; '.join(planless)} (see Solves)")
    if not lines:
        lines.append(f"no lever changes any objective against the {baseline} plan")
    unproven = _unproven_levers(solves)
    if unproven:
        lines.append(
            "not proven within the gap target: "
            + "; ".join(unproven)
            + " (a lever's worth is exact only where both plans are proven; see Solves)"
        )
    return headline, lines


def _row_of(table: pd.DataFrame | None, column: str, value: object) -> Mapping[str, object] | None:
    """The row of a study's table whose `column` is `value` (None if there is none)."""
    if table is None or column not in table:
        return None
    match = table[table[column] == value]
    return None if match.empty else {str(key): cell for key, cell in match.iloc[0].to_dict().items()}


def _unbacked(objective: str, rows: Mapping[str, Mapping[str, object] | None]) -> str:
    """' (cost not optimised at Γ = 1)' or ' (not proven at Γ = 1)' after a difference
    between two solves' plans (rows of a study's table, by how a line names them) that is
    not backed by both proofs: a 2-s flexibility study said "capability: free starts
    -15,976.8 (-48.2 %, worse)" of plans whose capability no stage had optimised."""
    missing = [
        label
        for label, row in rows.items()
        if row is not None and objective in str(row.get("not_optimised") or "").split(", ")
    ]
    if missing:
        return (
            f" ({objective} not optimised in {' and '.join(missing)})"
            if missing[0].startswith("the ")
            else f" ({objective} not optimised at {' and '.join(missing)})"
        )
    unproven = [
        label
        for label, row in rows.items()
        if row is not None and isinstance(row.get("status"), str) and row.get("status") != "optimal"
    ]
    if unproven:
        return f" (not proven: {' and '.join(unproven)})"
    return ""


def _has_values(worth: pd.DataFrame, lever: str, baseline: str) -> bool:
    """Whether `lever` has a plan: its own column of values where the frame has one (the
    baseline's, in LeverWorth's frame), else its worth column. LeverWorth's frame carries
    only the baseline's values and each other lever's worth: looking for the lever's own
    column there said "no plan, so no worth" of every lever whose plan was in Plans."""
    column = lever if lever in worth else worth_column(lever) if lever != baseline else None
    return column is not None and column in worth and not worth[column].isna().all()


def _change_in_words(objective: str, gain: float | None, gain_share: float | None) -> str | None:
    """'+3,607.1 (+6.3 %, worse)': the change in the objective's own units and sign — as the
    plans' own columns of ByObjective show it — and whether that is better or worse. `gain`
    is a `worth_column` value, signed better-positive: a bullet "cost +1,739.1" read as more
    cost where cost fell (found by a helper), so the bullet gives the change and says which."""
    if gain is None:
        return None
    sense = 1.0 if _sense(objective) == "max" else -1.0
    change, share = sense * gain, None if gain_share is None else sense * gain_share
    verdict = "better" if gain > 0 else "worse" if gain < 0 else "no change"
    relative = f"{share:+.1%}, " if share is not None else ""
    return f"{change:+,.1f} ({relative}{verdict})"


def _unproven_levers(solves: pd.DataFrame | None) -> list[str]:
    """'<lever> (<status>, gap … on …)' for each row of `solves` whose status is not optimal."""
    if solves is None or solves.empty:
        return []
    out = []
    for _, row in solves.iterrows():
        if row.get("status") == "optimal":
            continue
        out.append(f"{row['lever']} ({_row_proof(row)})")
    return out


def _row_proof(row: pd.Series) -> str:
    """'feasible, within 0.79 % on capability; cost not optimised' for a study's row; where
    the row has no gap, what its `proof` says (no bound on cost, capability proven within …)."""
    gap = _number(row.get("gap"))
    proof = row.get("proof")
    if isinstance(proof, str) and proof:  # every stage's proof, an unproven shortfall stage's too
        return f"{row.get('status')}: {proof}"  # (a missing one is NaN, which read "infeasible: nan")
    detail = f", within {percent_up(gap)} on {row.get('gap_of')}" if gap is not None else ""
    missing = str(row.get("not_optimised") or "")
    return f"{row.get('status')}{detail}" + (f"; {missing} not optimised (no time was left)" if missing else "")


def robustness_findings(table: pd.DataFrame, price: pd.DataFrame) -> tuple[str, list[str]]:
    """A price-of-robustness Dashboard's headline and findings: what protection against more overruns costs."""
    gammas = [int(g) for g in pd.to_numeric(table["gamma"], errors="coerce").dropna()]
    headline = "Price of robustness over Γ = " + ", ".join(map(str, gammas))
    lines = []
    if len(price) > 1:
        last = price.iloc[-1]
        for name in CORE_OBJECTIVES:
            lost, lost_share = _number(last.get(f"{name} lost")), _number(last.get(f"{name} lost %"))
            if lost is None or lost == 0:
                continue
            change = _change_in_words(name, -lost, None if lost_share is None else -lost_share)
            pair = {
                f"Γ = {_fmt(price.iloc[0]['gamma'])}": _row_of(table, "gamma", price.iloc[0]["gamma"]),
                f"Γ = {_fmt(last['gamma'])}": _row_of(table, "gamma", last["gamma"]),
            }
            lines.append(
                f"at Γ = {_fmt(last['gamma'])} against Γ = {_fmt(price.iloc[0]['gamma'])}: {name} {change}"
                + _unbacked(name, pair)
            )
    planless = [
        _fmt(g)
        for g, status in zip(table["gamma"], table.get("status", pd.Series(dtype=object)))
        if str(status) not in ("optimal", "feasible")
    ]
    if planless:
        # an infeasible Γ left one plan to price, and the Dashboard said protection "costs no
        # objective": it costs every plan there is
        lines.append(
            f"no plan at Γ = {', '.join(planless)}: the budgets cannot absorb that many overruns (see each Γ's status)"
        )
    elif not lines:
        lines.append("absorbing overruns costs no objective over these Γ")
    if "proven" in table.columns:
        proven = table["proven"].fillna(False).astype(bool)
        lines.insert(0, f"{int(proven.sum())} of {len(table)} Γ points proven within the gap target")
        proofs = table["proof"] if "proof" in table.columns else table["status"]
        lines[1:1] = [f"Γ = {_fmt(g)}: {proof}" for g, proof, ok in zip(table["gamma"], proofs, proven) if not ok]
    return headline, lines
