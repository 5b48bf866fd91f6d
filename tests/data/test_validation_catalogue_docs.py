"""docs/input-validation.md's error catalogue ("every message kind, with an example") holds
the validator's own words for the message kinds a docs audit found missing from it: a
misnamed sheet, a misspelt column, and a Settings mip_gap written as a percentage."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from data import InputError, load_inputs

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "examples" / "small" / "small.xlsx"
CATALOGUE = (ROOT / "docs" / "input-validation.md").read_text(encoding="utf-8")


def rename_sheet(old: str, new: str) -> Callable[[openpyxl.Workbook], None]:
    def change(wb: openpyxl.Workbook) -> None:
        wb[old].title = new

    return change


def set_cell(sheet: str, cell: str, value: object) -> Callable[[openpyxl.Workbook], None]:
    def change(wb: openpyxl.Workbook) -> None:
        wb[sheet][cell] = value

    return change


def messages(tmp_path: Path, change: Callable[[openpyxl.Workbook], None]) -> list[str]:
    """Every error and warning of the small example with `change` made to it."""
    wb = openpyxl.load_workbook(SMALL)
    change(wb)
    path = tmp_path / "book.xlsx"
    wb.save(path)
    try:
        _, warnings = load_inputs(path)
    except InputError as exc:
        return [str(p) for p in exc.problems]
    return [str(w) for w in warnings]


def changes(*steps: Callable[[openpyxl.Workbook], None]) -> Callable[[openpyxl.Workbook], None]:
    def change(wb: openpyxl.Workbook) -> None:
        for step in steps:
            step(wb)

    return change


def mip_gap_cell(wb: openpyxl.Workbook) -> str:
    return next(f"B{row[0].row}" for row in wb["Settings"].iter_rows(min_row=2) if row[0].value == "mip_gap")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            rename_sheet("Values", "Value"),
            'Values: sheet is missing — expected a sheet named Values (sheet "Value" is probably it, misnamed: rename it)',
        ),
        (
            rename_sheet("Targets", "Target"),
            (
                "Target: sheet is not an input sheet and is ignored — expected Targets, if that was meant (this sheet is "
                "probably it, misnamed)"
            ),
        ),
        (
            set_cell("Programmes", "E1", "durration_years"),
            (
                'Programmes!E1: column "durration_years" is not an input column — expected duration_years, which is missing '
                "(this header is probably it, misspelt)"
            ),
        ),
        (
            set_cell("Programmes", "K1", "min_shares"),
            (
                'Programmes!K1: column "min_shares" is not an input column and is ignored — expected min_share, if that was '
                "meant (this header is probably it, misspelt)"
            ),
        ),
        (
            lambda wb: set_cell("Settings", mip_gap_cell(wb), 5)(wb),
            (
                "Settings!B10: mip_gap 5 is a fraction: 5 means a gap of 500 %, so any plan counts as optimal (did you mean "
                "0.05 for 5 %?)"
            ),
        ),
        (
            set_cell("Values", "B1", "Air defence"),
            (
                'Values!B1: column "Air defence" is not a capability area and is ignored — "Air defence" is the name of area '
                "AD: head the column AD. It holds numbers (3 cells)"
            ),
        ),
        (
            changes(set_cell("Values", "B1", "Air defence"), set_cell("Values", "C1", "Intelligence")),
            (
                "Values!D1: no column is a capability area — expected columns headed by ids from CapabilityAreas (AD, ISR); "
                '"Air defence" is the name of area AD'
            ),
        ),
        (
            changes(
                set_cell("Settings", "B8", "weighted"),
                set_cell("Settings", "A12", "weight_capability"),
                set_cell("Settings", "B12", 1e12),
                set_cell("Values", "B2", 1e12),
            ),
            (
                "Values!B2: value 1e+12 × weight_capability 1e+12 (Settings!B12) × 4 in-service years is 4e+24 in the "
                "weighted objective, too large for the solver — expected a product under 1e+15 (the solver takes larger "
                "coefficients as infinite or loses its precision): use smaller units or weights"
            ),
        ),
    ],
    ids=[
        "misnamed required sheet",
        "misnamed optional sheet",
        "misspelt required column",
        "misspelt optional column",
        "mip_gap as a percentage",
        "area name as a Values header",
        "no Values column is an area",
        "weight × value too large",
    ],
)
def test_the_catalogue_quotes_the_validator(
    tmp_path: Path, change: Callable[[openpyxl.Workbook], None], message: str
) -> None:
    assert message in messages(tmp_path, change)
    assert f"`{message}`" in CATALOGUE
