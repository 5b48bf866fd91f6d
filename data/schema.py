"""The input workbook's schema: every sheet, column and Settings key, as data.

This is the single source of truth for WORKBOOK.md's input half. The validator
(`data.validate`), the blank template and its DataDictionary sheet (`data.template`) and
the data dictionary in docs/input-validation.md (`schema_markdown`) are all generated from
it, so a column added here shows up everywhere at once and cannot drift.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

Kind = Literal["year", "whole", "number", "text", "yes-no", "enum", "id-reference", "comma-list"]

YEAR_MIN = 1900
YEAR_MAX = 2200
YES_WORDS = frozenset({"yes", "y", "true", "1"})
NO_WORDS = frozenset({"no", "n", "false", "0"})
OBJECTIVES = ("capability", "cost", "shortfall", "interoperability", "risk")
AREA_WEIGHT_KEY_PREFIX = "weight_capability:"
DATA_DICTIONARY_SHEET = "DataDictionary"
# As long as the longest horizon the year range allows (1900–2200: 301 years); also keeps a
# profile a sane size.
MAX_DURATION_YEARS = YEAR_MAX - YEAR_MIN + 1
# Numbers beyond this lose the solver its precision: HiGHS treats 1e20 as infinite and with
# coefficients near 1e15 next to ordinary ones its plans stop satisfying the model. 1e12
# still holds any real budget, even counted in euros rather than millions.
MAX_MAGNITUDE = 1e12
MONEY = "currency (Settings currency)"
# Money (budgets, costs) is held tighter, as every amount is a coefficient beside the
# payments' and balances' 1s in the same budget rows: the same workbook typed in euros
# rather than millions (budgets of 2.9e9, costs of 8.2e9) came back "optimal" at less than
# half the capability of a plan that satisfies it, as did the reference dataset in euros,
# while ×1e7 (costs up to 8.2e8) still gave the same plan. At the other end amounts of
# 1e-5 fall under HiGHS's absolute tolerances (1e-7 to 1e-6): plans 25–83 % over budget
# were accepted. Non-zero amounts from MIN_MONEY to MAX_MONEY keep a margin on both sides;
# any real budget fits in millions (1e8 million is a hundred trillion).
MIN_MONEY = 1e-3
MAX_MONEY = 1e8


@dataclass(frozen=True)
class Column:
    """One column of a sheet (or one Settings key): what it holds and what it may hold.

    `default` is the value used when the cell is blank; `default_text` overrides how that
    default is shown to people when it is not a constant (e.g. "the Settings value").
    A `required` column has no default: a blank cell is an error.
    """

    name: str
    kind: Kind
    meaning: str
    required: bool = False
    default: object = None
    default_text: str | None = None
    min: float | None = None
    max: float | None = None
    min_exclusive: bool = False
    unit: str = ""
    choices: tuple[str, ...] = ()
    refers_to: str | None = None  # the sheet defining the ids this column names
    unique: bool = False  # the sheet's id column: values must not repeat
    joint_only: bool = False  # meaningful only on joint programmes
    allows_alliance: bool = False  # ALLIANCE is accepted besides the referenced ids
    # a non-zero value must be at least this: smaller ones fall under the solver's absolute
    # tolerances (values of 1e-6 made a stage "optimal" 6 % short of its best, risks of 1e-7
    # let a weighted run fund what raised the risk it minimised)
    least_nonzero: float | None = None

    @property
    def bounds(self) -> tuple[float | None, float | None]:
        """Bounds including the implicit year range."""
        if self.kind == "year":
            return (YEAR_MIN, YEAR_MAX)
        return (self.min, self.max)

    def expected(self) -> str:
        """What a valid cell looks like, phrased for the `— expected …` part of a message."""
        return "expected " + self.describe_values()

    def describe_values(self) -> str:
        """'a whole number ≥ 1', 'one of national, joint', … (used in messages and docs)."""
        if self.kind == "year":
            return "a year like 2028"
        if self.kind in ("whole", "number"):
            noun = "a whole number" if self.kind == "whole" else "a number"
            return noun + _bounds_phrase(self.min, self.max, self.min_exclusive)
        if self.kind == "yes-no":
            return "yes or no"
        if self.kind == "enum":
            return "one of " + ", ".join(self.choices)
        if self.kind == "id-reference":
            what = f"{_ID_NOUN[self.refers_to or '']} from the {self.refers_to} sheet"
            return f"{what} or ALLIANCE" if self.allows_alliance else what
        if self.kind == "comma-list":
            return "a comma-separated list of " + (self.unit or "names")
        return "an id" if self.unique else "text"

    def default_display(self) -> str:
        """The default as people should read it ('' for required columns)."""
        if self.required:
            return "required"
        if self.default_text is not None:
            return self.default_text
        return format_value(self.default)


_ID_NOUN = {
    "Programmes": "a programme id",
    "Nations": "a nation code",
    "CapabilityAreas": "a capability area id",
    "Standards": "a standard id",
    "": "an id",
}


def _bounds_phrase(lo: float | None, hi: float | None, lo_exclusive: bool) -> str:
    if lo is not None and hi is not None:
        return f" from {format_value(lo)} to {format_value(hi)}"
    if lo is not None:
        return f" {'>' if lo_exclusive else '≥'} {format_value(lo)}"
    if hi is not None:
        return f" ≤ {format_value(hi)}"
    return ""


def format_value(value: object) -> str:
    """Numbers without a spurious '.0', tuples as comma lists, booleans as yes/no."""
    if value is None:
        return "blank"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (tuple, list)):
        return ", ".join(str(v) for v in value)
    return str(value)


@dataclass(frozen=True)
class SheetSchema:
    """One input sheet.

    layout "table": a header row and one record per row. "wide": a key column (the first
    of `columns`) plus one column per year or per capability area, each cell described by
    `wide_value`. "settings": two columns key/value; the keys are `SETTINGS_KEYS`.
    """

    name: str
    required: bool
    meaning: str
    columns: tuple[Column, ...]
    layout: Literal["table", "wide", "settings"] = "table"
    wide_headers: str = ""  # what the extra column headers of a wide sheet are
    wide_value: Column | None = None

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name}")

    @property
    def id_column(self) -> Column | None:
        return next((c for c in self.columns if c.unique), None)


def _fraction_key(name: str, what: str) -> Column:
    return Column(name, "number", what, default=0.0, min=0, unit="fraction of a year's budget")


def _weight_key(objective: str, default: float) -> Column:
    return Column(
        f"weight_{objective}",
        "number",
        f"Weight of the {objective} objective when objective = weighted.",
        default=default,
        min=0,
    )


SETTINGS_KEYS: tuple[Column, ...] = (
    Column("first_year", "year", "First planning year (y0).", required=True),
    Column("last_year", "year", "Last planning year (yL); not before first_year.", required=True),
    Column("currency", "text", "Unit of every money amount (a label only).", default="EUR million"),
    _fraction_key(
        "carry_over_fraction",
        "Unspent budget a nation may carry into the next year, as a fraction of the year's "
        "budget (nations may override it).",
    ),
    _fraction_key(
        "borrow_fraction",
        "How far a nation may overspend, as a fraction of next year's budget (nations may override it).",
    ),
    Column(
        "planning_cycle_years",
        "whole",
        "Programmes without flexible_start may start only every k-th year from first_year.",
        default=1,
        min=1,
        unit="years",
    ),
    Column("discount_rate", "number", "Yearly discount rate of capability.", default=0.0, min=0),
    Column(
        "service_years_after_horizon",
        "whole",
        "Years of service after last_year still credited to capability.",
        default=0,
        min=0,
        max=MAX_DURATION_YEARS,  # the model builds one term per year: 10**9 would hang it
        unit="years",
    ),
    Column(
        "objective",
        "enum",
        "How objectives are combined.",
        default="lexicographic",
        choices=("lexicographic", "weighted", "pareto"),
    ),
    Column(
        "priority",
        "comma-list",
        "Lexicographic order of objectives, most important first.",
        default=("shortfall", "capability", "cost"),
        unit="objective names",
    ),
    Column(
        "lexicographic_tolerance",
        "number",
        "Relative slack allowed on earlier objectives in lexicographic mode.",
        default=0.001,
        min=0,
    ),
    _weight_key("capability", 1.0),
    _weight_key("cost", 0.0),
    _weight_key("shortfall", 10.0),
    _weight_key("interoperability", 0.0),
    _weight_key("risk", 0.0),
    Column(
        AREA_WEIGHT_KEY_PREFIX + "<area id>",
        "number",
        "Weight of one capability area's own objective (one key per area, optional).",
        default=0.0,
        min=0,
    ),
    Column(
        "pareto_objectives",
        "comma-list",
        "Objectives of the Pareto front; the first is the primary one.",
        default=("capability", "cost"),
        unit="objective names",
    ),
    Column(
        "pareto_points",
        "whole",
        "Grid levels per constrained objective in pareto mode.",
        default=10,
        min=2,
    ),
    Column(
        "pareto_exact",
        "yes-no",
        "Step every integer value instead of a grid (exact Pareto front).",
        default=False,
    ),
    Column(
        "time_limit_seconds",
        "number",
        "Wall-clock limit of the whole run.",
        default=300.0,
        min=0,
        min_exclusive=True,
        unit="seconds",
    ),
    Column("mip_gap", "number", "Relative MIP gap at which the solver stops.", default=0.01, min=0),
    Column(
        "robust_overruns",
        "whole",
        "Robust budgets (Γ): each nation's yearly budget must hold even if up to this many of "
        "the programmes it pays for that year overrun by their cost_overrun_risk; 0 = off "
        "(nations may override it).",
        default=0,
        min=0,
        unit="programmes",
    ),
)

OBJECTIVE_LIST_KEYS = ("priority", "pareto_objectives")

_SETTINGS = SheetSchema(
    "Settings",
    True,
    "Run settings as key/value rows; blank or absent keys take their defaults.",
    (
        Column("key", "text", "A setting name (see the Settings keys).", required=True),
        Column(
            "value",
            "text",
            "Its value, typed as the key says; blank takes the key's default (only "
            "first_year and last_year must be given).",
            required=True,
        ),
    ),
    layout="settings",
)

_NATIONS = SheetSchema(
    "Nations",
    True,
    "The nations of the alliance and their partners.",
    (
        Column("code", "text", "Unique nation code, e.g. POL.", required=True, unique=True),
        Column("name", "text", "Display name.", default_text="the code"),
        Column(
            "role",
            "enum",
            "Allies fund anything; partners only join joint programmes open to them.",
            default="ally",
            choices=("ally", "partner"),
        ),
        Column(
            "max_concurrent_programmes",
            "whole",
            "Most programmes this nation may have in development at once.",
            min=0,
            default_text="no cap",
        ),
        Column(
            "carry_over_fraction",
            "number",
            "This nation's carry-over fraction.",
            min=0,
            default_text="the Settings value",
            unit="fraction of a year's budget",
        ),
        Column(
            "borrow_fraction",
            "number",
            "This nation's borrowing fraction.",
            min=0,
            default_text="the Settings value",
            unit="fraction of a year's budget",
        ),
        Column(
            "robust_overruns",
            "whole",
            "This nation's robust-budget Γ (overrunning programmes its budget must absorb).",
            min=0,
            default_text="the Settings value",
            unit="programmes",
        ),
    ),
)

_BUDGETS = SheetSchema(
    "Budgets",
    True,
    "Yearly budget per nation: one row per nation, one column per year headed by the year.",
    (Column("nation", "id-reference", "The nation.", required=True, refers_to="Nations"),),
    layout="wide",
    wide_headers="year",
    wide_value=Column(
        "<year>",
        "number",
        "The nation's budget in that year; every horizon year needs a column.",
        default=0.0,
        min=0,
        unit=MONEY,
    ),
)

_PROGRAMMES = SheetSchema(
    "Programmes",
    True,
    "Candidate programmes.",
    (
        Column("id", "text", "Unique programme id, e.g. P01.", required=True, unique=True),
        Column("name", "text", "Display name.", default_text="the id"),
        Column("technology", "text", "Technology family (for summaries).", default="", default_text="blank"),
        Column(
            "sharing",
            "enum",
            "national: each funding nation pays it all; joint: one consortium shares it.",
            default="national",
            choices=("national", "joint"),
        ),
        Column(
            "duration_years",
            "whole",
            "Years of spending; in service the year after. At most 301 (the longest horizon, 1900–2200).",
            required=True,
            min=1,
            unit="years",
        ),
        Column("total_cost", "number", "Total cost of the programme.", required=True, min=0, unit=MONEY),
        Column(
            "per_participant_cost",
            "number",
            "Integration cost each consortium member pays on top of its share.",
            default=0.0,
            min=0,
            unit=MONEY,
            joint_only=True,
        ),
        Column("earliest_start", "year", "First year it may start.", default_text="first_year"),
        Column("deadline", "year", "Year by which it must be in service.", default_text="none"),
        Column(
            "flexible_start",
            "yes-no",
            "May start in any year, not only in planning-cycle years.",
            default=False,
        ),
        Column(
            "exclusive_group",
            "text",
            "A nation funds at most one programme of a group.",
            default_text="none",
        ),
        Column("trl", "whole", "Technology readiness level (informational).", min=1, max=9, default_text="none"),
        Column(
            "cost_overrun_risk",
            "number",
            "Expected overrun per unit of cost (risk objective).",
            default=0.0,
            min=0,
            least_nonzero=1e-4,
        ),
        Column(
            "min_participants",
            "whole",
            "Fewest nations in the consortium.",
            default=2,
            min=1,
            joint_only=True,
        ),
        Column(
            "max_participants",
            "whole",
            "Most nations in the consortium.",
            min=1,
            default_text="all eligible",
            joint_only=True,
        ),
        Column(
            "min_share",
            "number",
            "Least share of the total cost each member pays.",
            default=0.0,
            min=0,
            max=1,
            unit="fraction",
            joint_only=True,
        ),
        Column(
            "open_to_partners",
            "yes-no",
            "Partners may join the consortium.",
            default=True,
            joint_only=True,
        ),
    ),
)

_AREAS = SheetSchema(
    "CapabilityAreas",
    True,
    "Capability areas that programmes add to.",
    (
        Column("id", "text", "Unique area id, e.g. AIR.", required=True, unique=True),
        Column("name", "text", "Display name.", default_text="the id"),
        Column(
            "weight", "number", "Weight in the combined capability objective.", default=1.0, min=0, least_nonzero=1e-4
        ),
    ),
)

_VALUES = SheetSchema(
    "Values",
    True,
    "Capability points per in-service year: one row per programme, one column per area id.",
    (Column("programme", "id-reference", "The programme.", required=True, refers_to="Programmes"),),
    layout="wide",
    wide_headers="capability area id",
    wide_value=Column(
        "<area id>",
        "number",
        "Points the programme adds per in-service year to each nation fielding it.",
        default=0.0,
        min=0,
        unit="points per year",
        least_nonzero=1e-4,
    ),
)

_COST_PROFILES = SheetSchema(
    "CostProfiles",
    False,
    "Spending profile of a programme; shares are normalised, unlisted programmes spread evenly.",
    (
        Column("programme", "id-reference", "The programme.", required=True, refers_to="Programmes"),
        Column(
            "year_offset",
            "whole",
            "Year of spending counted from the start (0 = first).",
            required=True,
            min=0,
            unit="years",
        ),
        Column("share", "number", "Relative share of the cost in that year.", required=True, min=0),
    ),
)

_STANDARDS = SheetSchema(
    "Standards",
    False,
    "Interoperability standards.",
    (
        Column("id", "text", "Unique standard id.", required=True, unique=True),
        Column("name", "text", "Display name.", default_text="the id"),
        Column(
            "adoption_cost",
            "number",
            "Cost to each adopting nation, paid when adopting.",
            required=True,
            min=0,
            unit=MONEY,
        ),
        Column("min_adopters", "whole", "Critical mass: adopted by this many nations or none.", default=1, min=1),
        Column("weight", "number", "Weight in the interoperability objective.", default=1.0, min=0),
    ),
)

_PROGRAMME_STANDARDS = SheetSchema(
    "ProgrammeStandards",
    False,
    "Standards a programme requires (adopted by the time it completes).",
    (
        Column("programme", "id-reference", "The programme.", required=True, refers_to="Programmes"),
        Column("standard", "id-reference", "The standard it requires.", required=True, refers_to="Standards"),
    ),
)

_PRECEDENCE = SheetSchema(
    "Precedence",
    False,
    "Programme `after` may start only once `before` is complete.",
    (
        Column("before", "id-reference", "The prerequisite programme.", required=True, refers_to="Programmes"),
        Column("after", "id-reference", "The dependent programme.", required=True, refers_to="Programmes"),
        Column(
            "scope",
            "enum",
            "same_nation: the same nation completed it; any_nation: anyone did.",
            default="same_nation",
            choices=("same_nation", "any_nation"),
        ),
    ),
)

_TARGETS = SheetSchema(
    "Targets",
    False,
    "Soft capability targets; shortfall against them is an objective.",
    (
        Column(
            "nation",
            "id-reference",
            "A nation code, or ALLIANCE for the allies together.",
            required=True,
            refers_to="Nations",
            allows_alliance=True,
        ),
        Column("capability_area", "id-reference", "The capability area.", required=True, refers_to="CapabilityAreas"),
        Column("year", "year", "The year the target applies to (inside the horizon).", required=True),
        Column("target", "number", "Capability points wanted.", required=True, min=0, unit="points"),
    ),
)

_COMMITMENTS = SheetSchema(
    "Commitments",
    False,
    "Fixed decisions: a nation must fund, or must not fund, a programme.",
    (
        Column("nation", "id-reference", "The nation.", required=True, refers_to="Nations"),
        Column("programme", "id-reference", "The programme.", required=True, refers_to="Programmes"),
        Column("action", "enum", "fund or exclude.", required=True, choices=("fund", "exclude")),
        Column("start_year", "year", "Start year a fund commitment forces.", default_text="any"),
    ),
)

SHEETS: tuple[SheetSchema, ...] = (
    _SETTINGS,
    _NATIONS,
    _BUDGETS,
    _PROGRAMMES,
    _AREAS,
    _VALUES,
    _COST_PROFILES,
    _STANDARDS,
    _PROGRAMME_STANDARDS,
    _PRECEDENCE,
    _TARGETS,
    _COMMITMENTS,
)
SHEET_BY_NAME: dict[str, SheetSchema] = {s.name: s for s in SHEETS}
JOINT_ONLY_COLUMNS: tuple[str, ...] = tuple(c.name for c in _PROGRAMMES.columns if c.joint_only)


def settings_key(name: str) -> Column:
    """The schema of a Settings key (the per-area weight keys share one entry)."""
    if name.startswith(AREA_WEIGHT_KEY_PREFIX):
        name = AREA_WEIGHT_KEY_PREFIX + "<area id>"
    for c in SETTINGS_KEYS:
        if c.name == name:
            return c
    raise KeyError(name)


def drop_invisible(text: str) -> str:
    """`text` without Unicode format characters (category Cf: zero-width space and joiners,
    the byte-order mark, soft hyphens, direction marks).

    They show as nothing, yet arrive with text pasted from e-mail, web pages or CSV files
    (a BOM before the first code). Kept, "P1" and "P1" + zero-width space were two
    programmes that read alike, and "Targets" + one was an unknown sheet: like surrounding
    spaces, they are no part of what the planner typed.
    """
    if text.isascii():  # the usual case, and Cf has no ASCII member
        return text
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def normalise_name(name: object) -> str:
    """How sheet, column and key names are matched: case, spaces, underscores and invisible
    characters (`drop_invisible`) ignored.

    'Duration Years', 'duration_years' and ' DURATION_YEARS ' all name one column: planners
    retype headers by hand, and a near-miss should not become an 'unknown column'.
    """
    return re.sub(r"[\s_]+", "", drop_invisible(str(name))).casefold()


# --- the data dictionary, as rows and as Markdown ---------------------------------------
DICTIONARY_COLUMNS = ("sheet", "column", "type", "required", "unit", "default", "values", "meaning")


def _kind_label(column: Column) -> str:
    if column.unique:
        return "text (unique id)"
    label: str = column.kind
    if column.joint_only:
        label += " (joint only)"
    return label


def _dictionary_row(sheet: str, column: Column) -> tuple[str, ...]:
    return (
        sheet,
        column.name,
        _kind_label(column),
        "yes" if column.required else "no",
        column.unit,
        "" if column.required else column.default_display(),
        (f"a year from {YEAR_MIN} to {YEAR_MAX}" if column.kind == "year" else column.describe_values()),
        column.meaning,
    )


def dictionary_rows() -> list[tuple[str, ...]]:
    """One row per column of every sheet, then one per Settings key (DICTIONARY_COLUMNS)."""
    rows: list[tuple[str, ...]] = []
    for sheet in SHEETS:
        if sheet.layout == "settings":
            rows.extend(_dictionary_row("Settings", key) for key in SETTINGS_KEYS)
            continue
        rows.extend(_dictionary_row(sheet.name, c) for c in sheet.columns)
        if sheet.wide_value is not None:
            rows.append(_dictionary_row(sheet.name, sheet.wide_value))
    return rows


def schema_markdown() -> str:
    """The data dictionary as Markdown tables, one per sheet (pasted into the docs)."""
    out: list[str] = []
    for sheet in SHEETS:
        status = "required" if sheet.required else "optional"
        out.append(f"### {sheet.name} ({status})\n\n{sheet.meaning}\n")
        if sheet.layout == "settings":
            out.append("Columns `key`, `value`. Keys:\n")
        out.append("| column | type | required | unit | default | values | meaning |")
        out.append("|---|---|---|---|---|---|---|")
        for row in dictionary_rows():
            if row[0] == sheet.name:
                cells = [c.replace("|", "\\|") for c in row[1:]]
                cells[0] = f"`{cells[0]}`"
                out.append("| " + " | ".join(cells) + " |")
        out.append("")
    return "\n".join(out)
