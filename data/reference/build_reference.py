"""Build the reference input workbook (`reference.xlsx`) from the copied public sources.

Run from the repository root: `python -m data.reference.build_reference [--output PATH]`.

Public facts (2024 defence expenditure and equipment shares, EDT areas, capability
areas, interoperability standards, cooperative programmes) are read from `sources/`.
Everything else — programme costs, values, budgets' EDT share, targets, commitments —
is an illustrative assumption, stated here as named constants and tables and explained
in README.md. The build is deterministic (no randomness, fixed workbook timestamps),
so rebuilding gives the same cell values and a reviewer can diff any change.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from data.xlsx_io import new_workbook, save_atomically, write_table

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "sources"
OUTPUT = HERE / "reference.xlsx"

# --- Horizon and settings ------------------------------------------------------------
FIRST_YEAR = 2027
LAST_YEAR = 2038
PLANNING_CYCLE_YEARS = 4
CARRY_OVER_FRACTION = 0.1
BORROW_FRACTION = 0.0
TIME_LIMIT_SECONDS = 60
MIP_GAP = 0.01
# Capability is only solved to within MIP_GAP, so holding it tighter than that while
# cutting cost would be false precision: the cost stage may give up to 1 % of it.
LEXICOGRAPHIC_TOLERANCE = 0.01
# Value after 2038 is not counted: crediting 5 more years made the capability stage
# markedly slower to reach 1 % in a trial run.
SERVICE_YEARS_AFTER_HORIZON = 0
# Capability targets look to the mid-2030s, so every programme must be in service by
# 2035; 2036-38 stay in the horizon to show the payoff of programmes started in the
# second cycle. Without this, leftover budget in the last cycle buys programmes that
# serve a year or two: poor value that a planner would not count, and that leaves the
# cost stage's LP relaxation far from any integer plan (measured: 7-9 % gap at 60 s
# with 2036, under 1 % with 2035).
IN_SERVICE_BY = 2035
# A fixed timestamp keeps the document properties identical between builds.
FIXED_TIMESTAMP = dt.datetime(2025, 1, 1, 0, 0, 0)

# --- Budget assumption (illustrative; see README.md) ---------------------------------
# EDT budget[n, y] = EDT_SHARE_OF_EQUIPMENT * expenditure_2024[n] * equipment_share_2024[n]
#                    / USD_PER_EUR * (1 + BUDGET_GROWTH) ** (y - BASE_YEAR)
BASE_YEAR = 2024
# 8 % of equipment spending (~1-4 % of defence budgets). At 3-5 % most mid-sized Allies
# could afford only a few programmes, and the many near-equal choices that left kept
# HiGHS from reaching a 1 % gap within 60 s.
EDT_SHARE_OF_EQUIPMENT = 0.08
USD_PER_EUR = 1.08
BUDGET_GROWTH = 0.03
# Partners' budgets are not derived from NATO data (NATO does not report them): an
# illustrative yearly amount (EUR million, first horizon year) earmarked for cooperation
# with Allies, growing at BUDGET_GROWTH like the Allies' budgets.
PARTNERS: tuple[tuple[str, str, float], ...] = (
    ("AUS", "Australia", 40.0),
    ("JPN", "Japan", 60.0),
    ("KOR", "Republic of Korea", 35.0),
    ("NZL", "New Zealand", 5.0),
)
# Small administrations can run only a few development programmes at once (illustrative).
MAX_CONCURRENT: Mapping[str, int] = {
    "MNE": 1,
    "MKD": 1,
    "ALB": 2,
    "LUX": 2,
    "SVN": 2,
    "HRV": 3,
    "EST": 3,
}

# --- Capability areas (ids from capability_areas.csv; weights illustrative) ----------
# IAMD is the top priority of the 2025 capability targets; long-range weapons and
# logistics are also named priorities there, hence the higher weights.
AREA_WEIGHTS: Mapping[str, float] = {
    "CA-IAMD": 1.5,
    "CA-CUAS": 1.2,
    "CA-LRF": 1.2,
    "CA-JISR": 1.0,
    "CA-C2": 1.0,
    "CA-MARUS": 0.8,
    "CA-SPACE": 1.0,
    "CA-CYBER": 1.0,
    "CA-LOGS": 0.8,
}


@dataclass(frozen=True)
class StandardSpec:
    """A real standard from standards.csv with illustrative adoption cost and critical mass."""

    id: str
    source_id: str  # the `id` in standards.csv
    adoption_cost: float
    min_adopters: int = 1
    weight: float = 1.0


STANDARDS: tuple[StandardSpec, ...] = (
    StandardSpec("LINK-16", "STANAG 5516 (Link 16)", 3.0, weight=2.0),
    # Link 22, FMN and SAPIENT only pay off if enough navies, mission networks or
    # counter-drone systems use them: adopted by a critical mass of nations or by none.
    StandardSpec("LINK-22", "STANAG 5522 (Link 22)", 2.0, min_adopters=3),
    StandardSpec("FMN", "FMN Spiral Specifications (Spirals 3/4/5)", 2.5, min_adopters=8, weight=2.0),
    StandardSpec("SAPIENT", "SAPIENT (BSI Flex 335)", 0.4, min_adopters=5),
    StandardSpec("STANAG-4586", "STANAG 4586 (AEP-84)", 1.0),
    StandardSpec("STANAG-4774", "STANAG 4774 (ADatP-4774)", 0.4),
)


@dataclass(frozen=True)
class ProgrammeSpec:
    """One candidate programme; every number on it is an illustrative assumption."""

    id: str
    name: str
    technology: str  # an id in edt_areas.csv
    duration: int
    cost: float  # EUR million, total
    trl: int
    risk: float
    values: Mapping[str, float]  # area id -> capability points per in-service year
    flexible: bool = False
    earliest: int | None = None
    deadline: int | None = None
    group: str | None = None
    standards: tuple[str, ...] = ()
    profile: tuple[float, ...] | None = None
    # joint programmes only
    joint: bool = False
    per_participant_cost: float = 0.0
    min_participants: int | None = None
    max_participants: int | None = None
    min_share: float | None = None
    open_to_partners: bool | None = None
    modelled_on: str | None = None  # an id in cooperative_programmes.csv


def national(
    pid: str,
    name: str,
    technology: str,
    duration: int,
    cost: float,
    trl: int,
    risk: float,
    values: Mapping[str, float],
    **kw: Any,
) -> ProgrammeSpec:
    return ProgrammeSpec(pid, name, technology, duration, cost, trl, risk, values, **kw)


def joint(
    pid: str,
    name: str,
    technology: str,
    duration: int,
    cost: float,
    trl: int,
    risk: float,
    values: Mapping[str, float],
    **kw: Any,
) -> ProgrammeSpec:
    return ProgrammeSpec(pid, name, technology, duration, cost, trl, risk, values, joint=True, **kw)


# fmt: off
# National programmes stay within what one Ally can carry: 3-30 EUR million for the
# smallest budgets (2-20 a year), up to ~400 for the large ones. Flagships of 1 billion
# and more exist only as joint programmes, because in practice they need a consortium.
NATIONAL_PROGRAMMES: tuple[ProgrammeSpec, ...] = (
    # Artificial intelligence
    national("N01", "AI decision-support cell", "EDT-AI", 2, 6, 6, 0.2,
             {"CA-C2": 2}, flexible=True),
    national("N02", "AI-enabled ISR exploitation", "EDT-AI", 3, 60, 5, 0.3,
             {"CA-JISR": 5, "CA-C2": 1}),
    national("N03", "AI targeting support for long-range fires", "EDT-AI", 4, 260, 4, 0.45,
             {"CA-LRF": 12, "CA-C2": 3}),
    national("N04", "AI cyber anomaly detection", "EDT-AI", 3, 9, 6, 0.2,
             {"CA-CYBER": 3}),
    national("N05", "AI drone classifier for counter-UAS sensors", "EDT-AI", 2, 3, 7, 0.15,
             {"CA-CUAS": 2}, flexible=True, standards=("SAPIENT",)),
    national("N06", "AI fire control for short-range air defence", "EDT-AI", 3, 100, 5, 0.35,
             {"CA-IAMD": 6}, standards=("LINK-16",)),
    # Autonomy
    national("N07", "Loitering munition capability", "EDT-AUT", 3, 120, 6, 0.3,
             {"CA-LRF": 6}),
    national("N08", "Uncrewed surface vessel squadron", "EDT-AUT", 4, 150, 6, 0.3,
             {"CA-MARUS": 10, "CA-C2": 2}, standards=("LINK-22",)),
    national("N09", "Autonomous mine-countermeasures toolkit", "EDT-AUT", 3, 80, 6, 0.25,
             {"CA-MARUS": 6}),
    national("N10", "Small UAS ISR fleet", "EDT-AUT", 2, 12, 7, 0.15,
             {"CA-JISR": 2, "CA-CUAS": 1}, standards=("STANAG-4586",)),
    national("N11", "Extra-large UUV for anti-submarine warfare", "EDT-AUT", 5, 420, 4, 0.5,
             {"CA-MARUS": 22, "CA-JISR": 4, "CA-C2": 2}, standards=("LINK-22",),
             profile=(0.1, 0.2, 0.3, 0.25, 0.15)),
    national("N12", "Interceptor drones for short-range air defence", "EDT-AUT", 2, 30, 6, 0.3,
             {"CA-CUAS": 3, "CA-IAMD": 1}, flexible=True, group="C-UAS-EFFECTOR",
             standards=("SAPIENT",)),
    # Quantum
    national("N13", "Quantum key distribution link", "EDT-QNT", 4, 70, 4, 0.45,
             {"CA-CYBER": 4, "CA-C2": 1}),
    national("N14", "Quantum navigation: optical clock timing", "EDT-QNT", 4, 250, 4, 0.5,
             {"CA-C2": 10, "CA-LRF": 4}),
    national("N15", "Post-quantum cryptography migration", "EDT-QNT", 3, 40, 7, 0.2,
             {"CA-CYBER": 5, "CA-C2": 1}, standards=("STANAG-4774",)),
    # Biotechnology and human enhancement
    national("N16", "Bio-manufactured fuels and materials pilot", "EDT-BIO", 4, 50, 4, 0.5,
             {"CA-LOGS": 4}),
    national("N17", "Field medical countermeasure production", "EDT-BIO", 3, 25, 5, 0.4,
             {"CA-LOGS": 3}),
    # Space
    national("N18", "National small-satellite ISR", "EDT-SPC", 4, 380, 6, 0.35,
             {"CA-SPACE": 14, "CA-JISR": 8}),
    national("N19", "Space situational awareness radar", "EDT-SPC", 4, 200, 6, 0.3,
             {"CA-SPACE": 10, "CA-IAMD": 2}),
    national("N20", "SATCOM ground terminal upgrade", "EDT-SPC", 2, 25, 8, 0.15,
             {"CA-SPACE": 1, "CA-C2": 2}),
    # Novel materials and manufacturing
    national("N21", "Deployable additive manufacturing cells", "EDT-MAT", 2, 15, 7, 0.2,
             {"CA-LOGS": 2}, flexible=True),
    national("N22", "Energetics and propellant modernisation", "EDT-MAT", 4, 110, 5, 0.35,
             {"CA-LRF": 4, "CA-LOGS": 2}),
    # Energy and propulsion
    national("N23", "Tactical microgrids", "EDT-ENP", 2, 10, 7, 0.15,
             {"CA-LOGS": 2}),
    national("N24", "High-energy laser counter-UAS", "EDT-ENP", 5, 350, 5, 0.5,
             {"CA-CUAS": 14, "CA-IAMD": 4}, group="DIRECTED-ENERGY",
             profile=(0.1, 0.2, 0.3, 0.25, 0.15)),
    national("N25", "High-power microwave counter-UAS", "EDT-ENP", 4, 160, 5, 0.45,
             {"CA-CUAS": 9}, group="DIRECTED-ENERGY"),
    # Next-generation communications networks
    national("N26", "5G tactical network bubble", "EDT-NGC", 3, 45, 6, 0.3,
             {"CA-C2": 4}, standards=("FMN",)),
    national("N27", "Mesh radio for drone teams", "EDT-NGC", 2, 8, 6, 0.2,
             {"CA-C2": 1, "CA-CUAS": 1}),
    national("N28", "Hybrid space-terrestrial C2 network", "EDT-NGC", 5, 350, 5, 0.4,
             {"CA-C2": 16, "CA-SPACE": 4}, standards=("FMN",)),
    # Data (listed as an EDT area until 2025)
    national("N29", "Data-centric security labelling", "EDT-DAT", 2, 3.5, 7, 0.15,
             {"CA-CYBER": 1, "CA-C2": 1}, flexible=True, standards=("STANAG-4774",)),
    national("N30", "Classified defence cloud", "EDT-DAT", 4, 120, 6, 0.3,
             {"CA-C2": 5, "CA-CYBER": 2}, standards=("STANAG-4774",)),
    # Electronic and electromagnetic technologies
    national("N31", "Cognitive electronic warfare pod", "EDT-EEM", 4, 140, 4, 0.45,
             {"CA-IAMD": 3, "CA-LRF": 3}),
    national("N32", "Passive RF drone detection sensors", "EDT-EEM", 2, 11, 7, 0.2,
             {"CA-CUAS": 3}, standards=("SAPIENT",)),
    national("N33", "Electronic attack against drone swarms", "EDT-EEM", 3, 55, 5, 0.35,
             {"CA-CUAS": 5, "CA-IAMD": 1}, group="C-UAS-EFFECTOR"),
    national("N34", "Multistatic passive radar", "EDT-EEM", 4, 130, 5, 0.4,
             {"CA-IAMD": 5, "CA-JISR": 1}),
)

# Joint programmes are modelled on the cooperative programmes in cooperative_programmes.csv
# (names, areas, rough scale); their numbers are illustrative. Minimum consortium sizes
# are below the real participant counts so that the model has room to choose.
JOINT_PROGRAMMES: tuple[ProgrammeSpec, ...] = (
    # APSS: "> USD 1 bn over 5 years" in the source; 950 EUR million ~ USD 1.03 bn.
    joint("J01", "Space-based persistent surveillance constellation (APSS-style)", "EDT-SPC",
          5, 950, 6, 0.35, {"CA-SPACE": 6, "CA-JISR": 6}, per_participant_cost=4,
          min_participants=5, min_share=0.01, open_to_partners=False,
          profile=(0.3, 0.25, 0.2, 0.15, 0.1), modelled_on="PRG-APSS"),
    # MUS counted Australia among its members (cooperative_programmes.csv): open to partners.
    joint("J02", "Maritime unmanned systems for MCM and ASW (MUS-style)", "EDT-AUT",
          4, 600, 6, 0.3, {"CA-MARUS": 7, "CA-C2": 1}, per_participant_cost=3,
          min_participants=4, min_share=0.02, open_to_partners=True,
          standards=("LINK-22",), modelled_on="PRG-MUS"),
    joint("J03", "Modular ground-based air defence (Modular GBAD-style)", "EDT-AUT",
          6, 2400, 6, 0.35, {"CA-IAMD": 8, "CA-CUAS": 2}, per_participant_cost=8,
          min_participants=5, min_share=0.03, open_to_partners=False,
          standards=("LINK-16",), profile=(0.05, 0.1, 0.2, 0.25, 0.25, 0.15),
          modelled_on="PRG-GBAD"),
    joint("J04", "Lower-level air threat counter-drone layer (LLAT-style)", "EDT-AI",
          3, 300, 6, 0.3, {"CA-CUAS": 6}, per_participant_cost=1,
          min_participants=6, min_share=0.01, open_to_partners=False, flexible=True,
          standards=("SAPIENT",), modelled_on="PRG-LLAT"),
    joint("J05", "EDT accelerator challenge cohort (DIANA-style)", "EDT-AI",
          3, 150, 4, 0.5, {"CA-C2": 2, "CA-CYBER": 2, "CA-JISR": 1},
          per_participant_cost=0.3, min_participants=10, min_share=0.003,
          open_to_partners=False, flexible=True, modelled_on="PRG-DIANA"),
    joint("J06", "Drone-based deep precision strike (HVP-style)", "EDT-AUT",
          5, 1200, 5, 0.45, {"CA-LRF": 8, "CA-JISR": 1}, per_participant_cost=6,
          min_participants=3, max_participants=8, min_share=0.05, open_to_partners=False,
          standards=("STANAG-4586",), modelled_on="PRG-DEEPSTRIKE"),
    joint("J07", "Ballistic missile defence sensors and C2 (BMD HVP-style)", "EDT-EEM",
          6, 1800, 5, 0.4, {"CA-IAMD": 7, "CA-SPACE": 1}, per_participant_cost=8,
          min_participants=4, min_share=0.04, open_to_partners=True,
          standards=("LINK-16",), modelled_on="PRG-BMD"),
    joint("J08", "Counter-hypersonic tracking layer", "EDT-HYP",
          6, 3000, 3, 0.6, {"CA-IAMD": 6, "CA-SPACE": 3}, per_participant_cost=10,
          min_participants=3, min_share=0.08, open_to_partners=True, earliest=2029,
          flexible=True),  # TRL 3: starts once the sensors mature, not on the cycle
)

# fmt: on

PROGRAMMES: tuple[ProgrammeSpec, ...] = NATIONAL_PROGRAMMES + JOINT_PROGRAMMES

# (before, after, scope): a maturing technology must be proven before its successor.
PRECEDENCE: tuple[tuple[str, str, str], ...] = (
    ("N05", "N12", "same_nation"),  # a drone classifier before interceptor drones that use it
    ("N02", "N03", "same_nation"),  # AI for ISR before AI for targeting
    ("N13", "N28", "same_nation"),  # a QKD link before the C2 network that relies on it
    ("N05", "J04", "any_nation"),  # the alliance counter-drone layer builds on a proven classifier
)

# (nation, area, year, target) — illustrative; ALLIANCE sums the Allies' capability.
# Set between what the best plan without targets reaches and the most each target
# could reach on its own (README.md lists both), so that most of them bind.
TARGETS: tuple[tuple[str, str, int, float], ...] = (
    ("ALLIANCE", "CA-CUAS", 2031, 380.0),
    ("ALLIANCE", "CA-IAMD", 2035, 820.0),
    ("ROU", "CA-IAMD", 2034, 28.0),
    ("EST", "CA-CUAS", 2030, 6.0),
    ("NOR", "CA-MARUS", 2035, 25.0),
    ("FIN", "CA-JISR", 2034, 18.0),
)

# (nation, programme, action, start_year) — illustrative stand-ins for announcements.
COMMITMENTS: tuple[tuple[str, str, str, int | None], ...] = (
    ("LUX", "J01", "fund", None),  # Luxembourg seeded APSS (cooperative_programmes.csv)
    ("NOR", "J02", "fund", 2027),  # Norway is an MUS participant (cooperative_programmes.csv)
    ("POL", "N12", "fund", None),
    ("EST", "N32", "fund", None),
)


# --- Reading the copied sources --------------------------------------------------------
def read_source(name: str) -> list[dict[str, str]]:
    """Rows of a copied source CSV (UTF-8, header row)."""
    with (SOURCES / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@dataclass(frozen=True)
class AllyExpenditure:
    code: str
    name: str
    expenditure_musd: float  # 2024e, current prices and exchange rates
    equipment_share_pct: float  # 2024e


def allies_with_expenditure() -> list[AllyExpenditure]:
    """The Allies with a 2024 expenditure figure, in the source's order.

    Iceland has no armed forces and no figures, so it drops out here: the model's budget
    rule needs an expenditure to derive an EDT budget from.
    """
    allies = []
    for row in read_source("defence_expenditure.csv"):
        if not row["defence_expenditure_musd"].strip():
            log.info("skipping %s: no defence expenditure published", row["code"])
            continue
        allies.append(
            AllyExpenditure(
                code=row["code"],
                name=row["nation"],
                expenditure_musd=float(row["defence_expenditure_musd"]),
                equipment_share_pct=float(row["equipment_share_pct"]),
            )
        )
    return allies


def edt_budget(ally: AllyExpenditure, year: int) -> float:
    """EUR million for the EDT portfolio in `year`, by the README's stated formula."""
    equipment_musd = ally.expenditure_musd * ally.equipment_share_pct / 100.0
    base_meur = EDT_SHARE_OF_EQUIPMENT * equipment_musd / USD_PER_EUR
    return round(base_meur * (1.0 + BUDGET_GROWTH) ** (year - BASE_YEAR), 1)


def partner_budget(base_meur: float, year: int) -> float:
    return round(base_meur * (1.0 + BUDGET_GROWTH) ** (year - FIRST_YEAR), 1)


def check_against_sources() -> None:
    """Fail loudly if an id we rely on is missing from the copied sources.

    The illustrative tables above name real EDT areas, capability areas, standards and
    cooperative programmes; a typo or a changed source file must not slip through.
    """
    edt = {r["id"] for r in read_source("edt_areas.csv")}
    areas = {r["id"] for r in read_source("capability_areas.csv")}
    standards = {r["id"]: r for r in read_source("standards.csv")}
    cooperative = {r["id"] for r in read_source("cooperative_programmes.csv")}
    problems = [f"area {a} not in capability_areas.csv" for a in AREA_WEIGHTS if a not in areas]
    problems += [f"standard {s.source_id} not in standards.csv" for s in STANDARDS if s.source_id not in standards]
    standard_areas = {
        s.id: set(standards[s.source_id]["capability_area"].split(";")) for s in STANDARDS if s.source_id in standards
    }
    for p in PROGRAMMES:
        if p.technology not in edt:
            problems.append(f"{p.id}: technology {p.technology} not in edt_areas.csv")
        if p.modelled_on and p.modelled_on not in cooperative:
            problems.append(f"{p.id}: {p.modelled_on} not in cooperative_programmes.csv")
        problems += [f"{p.id}: area {a} not selected" for a in p.values if a not in AREA_WEIGHTS]
        # A programme requires a standard only where the standard serves one of its areas.
        for s in p.standards:
            if s not in standard_areas:
                problems.append(f"{p.id}: unknown standard {s}")
            elif not standard_areas[s] & set(p.values):
                problems.append(f"{p.id}: standard {s} serves none of its capability areas")
    if problems:
        raise ValueError("reference data does not match its sources: " + "; ".join(problems))


# --- Sheet rows ------------------------------------------------------------------------
def settings_rows() -> list[tuple[str, Any]]:
    return [
        ("first_year", FIRST_YEAR),
        ("last_year", LAST_YEAR),
        ("currency", "EUR million"),
        ("planning_cycle_years", PLANNING_CYCLE_YEARS),
        ("carry_over_fraction", CARRY_OVER_FRACTION),
        ("borrow_fraction", BORROW_FRACTION),
        ("discount_rate", 0),
        ("service_years_after_horizon", SERVICE_YEARS_AFTER_HORIZON),
        ("objective", "lexicographic"),
        ("priority", "shortfall, capability, cost"),
        ("lexicographic_tolerance", LEXICOGRAPHIC_TOLERANCE),
        ("time_limit_seconds", TIME_LIMIT_SECONDS),
        ("mip_gap", MIP_GAP),
    ]


def nation_rows(allies: Sequence[AllyExpenditure]) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = [(a.code, a.name, "ally", MAX_CONCURRENT.get(a.code)) for a in allies]
    rows += [(code, name, "partner", MAX_CONCURRENT.get(code)) for code, name, _ in PARTNERS]
    return rows


def budget_rows(allies: Sequence[AllyExpenditure]) -> list[tuple[Any, ...]]:
    years = range(FIRST_YEAR, LAST_YEAR + 1)
    rows: list[tuple[Any, ...]] = [(a.code, *(edt_budget(a, y) for y in years)) for a in allies]
    rows += [(code, *(partner_budget(base, y) for y in years)) for code, _, base in PARTNERS]
    return rows


def technology_names() -> dict[str, str]:
    return {r["id"]: r["name"] for r in read_source("edt_areas.csv")}


PROGRAMME_COLUMNS = (
    "id", "name", "technology", "sharing", "duration_years", "total_cost",
    "per_participant_cost", "earliest_start", "deadline", "flexible_start",
    "exclusive_group", "trl", "cost_overrun_risk", "min_participants",
    "max_participants", "min_share", "open_to_partners",
)  # fmt: skip


def yes_no(flag: bool | None) -> str | None:
    return None if flag is None else ("yes" if flag else "no")


def programme_rows() -> list[tuple[Any, ...]]:
    names = technology_names()
    rows = []
    for p in PROGRAMMES:
        rows.append(
            (
                p.id, p.name, names[p.technology], "joint" if p.joint else "national",
                p.duration, p.cost, p.per_participant_cost if p.joint else None,
                p.earliest, p.deadline or IN_SERVICE_BY, yes_no(p.flexible), p.group,
                p.trl, p.risk,
                p.min_participants, p.max_participants, p.min_share,
                yes_no(p.open_to_partners),
            )
        )  # fmt: skip
    return rows


def area_rows() -> list[tuple[Any, ...]]:
    names = {r["id"]: r["name"] for r in read_source("capability_areas.csv")}
    return [(a, names[a], w) for a, w in AREA_WEIGHTS.items()]


def value_rows() -> list[tuple[Any, ...]]:
    return [(p.id, *(p.values.get(a) for a in AREA_WEIGHTS)) for p in PROGRAMMES]


def standard_rows() -> list[tuple[Any, ...]]:
    source = {r["id"]: r for r in read_source("standards.csv")}
    return [
        (s.id, f"{s.source_id}: {source[s.source_id]['name']}", s.adoption_cost,
         s.min_adopters, s.weight)
        for s in STANDARDS
    ]  # fmt: skip


def cost_profile_rows() -> list[tuple[Any, ...]]:
    return [(p.id, k, share) for p in PROGRAMMES if p.profile is not None for k, share in enumerate(p.profile)]


def requirement_rows() -> list[tuple[Any, ...]]:
    return [(p.id, s) for p in PROGRAMMES for s in p.standards]


# --- Workbook --------------------------------------------------------------------------
def build_workbook() -> Workbook:
    """The whole reference workbook, in memory."""
    check_against_sources()
    allies = allies_with_expenditure()
    years = [str(y) for y in range(FIRST_YEAR, LAST_YEAR + 1)]
    wb = new_workbook()
    sheets: list[tuple[str, Sequence[str], Iterable[Sequence[Any]]]] = [
        ("Settings", ("key", "value"), settings_rows()),
        ("Nations", ("code", "name", "role", "max_concurrent_programmes"), nation_rows(allies)),
        ("Budgets", ("nation", *years), budget_rows(allies)),
        ("Programmes", PROGRAMME_COLUMNS, programme_rows()),
        ("CapabilityAreas", ("id", "name", "weight"), area_rows()),
        ("Values", ("programme", *AREA_WEIGHTS), value_rows()),
        ("CostProfiles", ("programme", "year_offset", "share"), cost_profile_rows()),
        ("Standards", ("id", "name", "adoption_cost", "min_adopters", "weight"),
         standard_rows()),
        ("ProgrammeStandards", ("programme", "standard"), requirement_rows()),
        ("Precedence", ("before", "after", "scope"), PRECEDENCE),
        ("Targets", ("nation", "capability_area", "year", "target"), TARGETS),
        ("Commitments", ("nation", "programme", "action", "start_year"), COMMITMENTS),
    ]  # fmt: skip
    for title, columns, rows in sheets:
        write_table(wb.create_sheet(title), columns, rows)
    wb.properties.creator = "capopt data/reference/build_reference.py"
    wb.properties.title = "capopt reference dataset (NATO public figures + illustrative EDT portfolio)"
    wb.properties.created = FIXED_TIMESTAMP
    wb.properties.modified = FIXED_TIMESTAMP
    return wb


def write_reference(path: str | Path = OUTPUT) -> Path:
    """Build and save the workbook atomically; return where it was written."""
    target = save_atomically(build_workbook(), path)
    log.info("wrote %s", target)
    return target


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=OUTPUT, help="where to write the xlsx")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    write_reference(args.output)


if __name__ == "__main__":
    main()
