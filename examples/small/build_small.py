"""Build `small.xlsx`: three nations, six programmes, five years — an optimum you can check by hand.

    python examples/small/build_small.py [--output PATH]

Every number is illustrative and chosen so that the optimal plan under the default
lexicographic objective (shortfall, then capability, then cost) is unique and can be
argued with pencil and paper; README.md next to this file does the arithmetic.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(ROOT) not in sys.path:  # run as a plain script from anywhere
    sys.path.insert(0, str(ROOT))

from openpyxl import Workbook

from data.xlsx_io import new_workbook, save_atomically, write_table

OUTPUT = HERE / "small.xlsx"
FIXED_TIMESTAMP = dt.datetime(2025, 1, 1, 0, 0, 0)
YEARS = tuple(range(2027, 2032))

SETTINGS: tuple[tuple[str, Any], ...] = (
    ("first_year", YEARS[0]),
    ("last_year", YEARS[-1]),
    ("currency", "EUR million"),
    # One-year cycle and use-it-or-lose-it budgets keep the arithmetic year by year.
    ("planning_cycle_years", 1),
    ("carry_over_fraction", 0),
    ("borrow_fraction", 0),
    ("objective", "lexicographic"),
    ("priority", "shortfall, capability, cost"),
    # A proven optimum, not one within 1 %: the README's numbers are exact.
    ("mip_gap", 0),
    ("time_limit_seconds", 60),
)

NATIONS: tuple[tuple[str, str, str], ...] = (
    ("ALPHA", "Alphaland", "ally"),
    ("BRAVO", "Bravonia", "ally"),
    ("CHARLIE", "Charlia", "ally"),
)
BUDGET_PER_YEAR = {"ALPHA": 10, "BRAVO": 6, "CHARLIE": 3}

PROGRAMME_COLUMNS = (
    "id", "name", "technology", "sharing", "duration_years", "total_cost",
    "per_participant_cost", "trl", "cost_overrun_risk", "min_participants", "min_share",
)  # fmt: skip
PROGRAMMES: tuple[tuple[Any, ...], ...] = (
    ("P1", "Counter-drone sensor net", "Electronic and electromagnetic technologies",
     "national", 1, 3, None, 7, 0.1, None, None),
    ("P2", "AI ISR exploitation", "Artificial intelligence",
     "national", 2, 8, None, 6, 0.2, None, None),
    ("P3", "Autonomous ISR drones", "Autonomy (autonomous systems)",
     "national", 1, 5, None, 5, 0.3, None, None),
    ("P4", "Laser air defence", "Energy and propulsion",
     "national", 3, 24, None, 4, 0.5, None, None),
    ("P5", "Quantum navigation", "Quantum-enabled technologies",
     "national", 5, 5, None, 3, 0.6, None, None),
    ("J1", "Shared air-defence radar", "Electronic and electromagnetic technologies",
     "joint", 2, 12, 0, 6, 0.2, 2, 0.25),
)  # fmt: skip
AREAS: tuple[tuple[str, str, float], ...] = (("AD", "Air defence", 1), ("ISR", "ISR", 1))
VALUES: tuple[tuple[str, float | None, float | None], ...] = (
    ("P1", 2, None),
    ("P2", None, 3),
    ("P3", None, 4),
    ("P4", 5, None),
    ("P5", None, 2),
    ("J1", 4, None),
)
STANDARDS: tuple[tuple[Any, ...], ...] = (("LINK-16", "Tactical data link (Link 16)", 1, 1, 1),)
REQUIREMENTS: tuple[tuple[str, str], ...] = (("J1", "LINK-16"),)
PRECEDENCE: tuple[tuple[str, str, str], ...] = (("P2", "P3", "same_nation"),)
TARGETS: tuple[tuple[str, str, int, float], ...] = (("BRAVO", "AD", 2030, 6),)


def build_workbook() -> Workbook:
    wb = new_workbook()
    sheets: list[tuple[str, Sequence[str], Sequence[Sequence[Any]]]] = [
        ("Settings", ("key", "value"), SETTINGS),
        ("Nations", ("code", "name", "role"), NATIONS),
        ("Budgets", ("nation", *map(str, YEARS)),
         [(code, *(BUDGET_PER_YEAR[code] for _ in YEARS)) for code, _, _ in NATIONS]),
        ("Programmes", PROGRAMME_COLUMNS, PROGRAMMES),
        ("CapabilityAreas", ("id", "name", "weight"), AREAS),
        ("Values", ("programme", *(a[0] for a in AREAS)), VALUES),
        ("Standards", ("id", "name", "adoption_cost", "min_adopters", "weight"), STANDARDS),
        ("ProgrammeStandards", ("programme", "standard"), REQUIREMENTS),
        ("Precedence", ("before", "after", "scope"), PRECEDENCE),
        ("Targets", ("nation", "capability_area", "year", "target"), TARGETS),
    ]  # fmt: skip
    for title, columns, rows in sheets:
        write_table(wb.create_sheet(title), columns, rows)
    wb.properties.creator = "capopt examples/small/build_small.py"
    wb.properties.created = FIXED_TIMESTAMP
    wb.properties.modified = FIXED_TIMESTAMP
    return wb


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    save_atomically(build_workbook(), args.output)


if __name__ == "__main__":
    main()
