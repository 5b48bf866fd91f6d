"""Minor faults an audit of bad input found (session 20): damaged cell XML named only the
sheet, an unknown area in a `weight_capability:<area>` key was blamed on its value, a plan's
unreadable Summary `input_sha256` silently skipped the "made from another workbook" check,
and layouts (a title above the header, long Budgets, "10 000") gave many messages or no hint.
"""

from __future__ import annotations

import io
import logging
import os
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from data.errors import InputError
from data.plan_reader import load_plan_book, read_plan, read_previous_plan
from data.reader import read_sheets_from_bytes
from data.tables import Source
from tests.data.fixtures.books import errors_of, minimal_book, write_book
from tests.optimizer.conftest import make_inputs, programme

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "examples" / "small" / "small.xlsx"
F2 = '<c r="F2" t="n"><v>3</v></c>'  # Programmes!F2 (total_cost) as the example stores it
RETYPE = (
    "expected a value a spreadsheet program wrote: type the cell again in Excel or LibreOffice and save the workbook"
)


# --- 1. damaged cell XML: the cell is named -----------------------------------------------
def _patched(*replacements: tuple[str, str]) -> bytes:
    """The small example with Programmes' sheet XML edited (as a broken exporter writes it)."""
    out = io.BytesIO()
    with zipfile.ZipFile(SMALL) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        hits = 0
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/") and F2.encode() in data:
                text = data.decode()
                for old, new in replacements:
                    assert old in text
                    text = text.replace(old, new)
                data, hits = text.encode(), hits + 1
            dst.writestr(info, data)
    assert hits == 1
    return out.getvalue()


def _read_problems(data: bytes) -> list[str]:
    with pytest.raises(InputError) as caught:
        read_sheets_from_bytes(data, "book.xlsx")
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize(
    ("cell", "what"),
    [
        ('<c r="F2" t="s"><v>99</v></c>', "it points to shared text no. 99, which the file does not hold"),
        ('<c r="F2" t="s"><v>abc</v></c>', 'its shared-text number is "abc", which is not a number'),
        ('<c r="F2" t="b"><v>maybe</v></c>', 'a TRUE/FALSE cell holds "maybe"'),
        ('<c r="F2" t="d"><v>not-a-date</v></c>', 'a date cell holds "not-a-date", which is not a date'),
    ],
    ids=["shared string out of range", "shared string not a number", "boolean", "ISO date"],
)
def test_a_damaged_cell_is_named(cell: str, what: str) -> None:
    assert _read_problems(_patched((F2, cell))) == [f"Programmes!F2: the cell is damaged ({what}) — {RETYPE}"]


def test_every_damaged_cell_of_a_sheet_is_named_and_a_cell_without_reference_too() -> None:
    """A cell without `r` is the one after its left neighbour (as spreadsheet programs read it)."""
    data = _patched((F2, '<c r="F2" t="b"><v>maybe</v></c><c t="d"><v>soon</v></c>'))
    problems = _read_problems(data)
    assert [p.split(":")[0] for p in problems] == ["Programmes!F2", "Programmes!G2"]


def test_a_cell_whose_reference_is_damaged_names_the_sheet() -> None:
    problems = _read_problems(_patched((F2, '<c r="$$" t="b"><v>maybe</v></c>')))
    assert len(problems) == 1 and problems[0].startswith("Programmes: sheet cannot be read: the file is damaged")


# --- 2. an unknown area in a Settings key is the key's fault --------------------------------
def test_an_unknown_area_weight_is_reported_at_its_key_cell() -> None:
    book = minimal_book()
    book["Settings"].append(["weight_capability:SPACE", 2])
    assert errors_of(book) == [
        (
            "Settings!A4: weight_capability:SPACE names no capability area — expected "
            "weight_capability:<an id from CapabilityAreas>"
        )
    ]


# --- 3. a plan's Summary input_sha256 that cannot be compared ------------------------------
@pytest.fixture()
def inputs():
    return replace(make_inputs(programmes=[programme("P", 2, 10)]), source=Source("new.xlsx", "aa" * 32))


def _plan(tmp_path: Path, sha: object) -> Path:
    book = {
        "Summary": [["key", "value"], ["input_file", "new.xlsx"], ["input_sha256", sha]],
        "Plan": [["nation", "programme", "sharing", "start_year"], ["A", "P", "national", 2030]],
        "Contributions": [["programme", "nation", "year", "payment"]],
    }
    return write_book(book, tmp_path / "plan.xlsx")


@pytest.mark.parametrize(("sha", "shown"), [(5, "5"), ("=1+1", "a formula with no cached value"), ("abc", '"abc"')])
def test_an_input_sha256_that_is_no_sha256_is_an_error_at_its_cell(
    tmp_path: Path, inputs, sha: object, shown: str
) -> None:
    path = _plan(tmp_path, sha)
    assert load_plan_book(path).input_sha256 is None
    for read in (lambda: read_plan(path, inputs), lambda: read_previous_plan(path, inputs)):
        with pytest.raises(InputError) as caught:
            read()
        assert str(caught.value.problems[0]).endswith(
            f"Summary!B3: input_sha256 is {shown} — expected the 64 hexadecimal digits capopt wrote there: "
            "the SHA-256 of the input workbook the plan was made from"
        )


def test_a_blank_input_sha256_is_a_warning_that_the_check_cannot_be_made(
    tmp_path: Path, inputs, caplog: pytest.LogCaptureFixture
) -> None:
    path = _plan(tmp_path, None)
    expected = (
        "[plan.xlsx]Summary!B3: input_sha256 is blank, so whether the plan was made from new.xlsx "
        "cannot be checked — the plan is judged against new.xlsx as it is"
    )
    _, warnings = read_previous_plan(path, inputs)
    assert [str(w) for w in warnings] == [expected]
    with caplog.at_level(logging.WARNING, logger="data.plan_reader"):
        read_plan(path, inputs)  # the strict reading (stress) has no warning list: it logs
    assert expected in caplog.messages


def test_a_valid_input_sha256_of_another_workbook_still_says_so(tmp_path: Path, inputs) -> None:
    """Two files of one name are told apart by the full path of the one in use (an audit read
    "made from in.xlsx (SHA-256 3de0…), not from in.xlsx (SHA-256 f4ed…)")."""
    _, warnings = read_previous_plan(_plan(tmp_path, "BB" * 32), inputs)
    assert [str(w) for w in warnings] == [
        (
            "[plan.xlsx]Summary!B3: the plan was made from new.xlsx (SHA-256 bbbbbbbbbbbb…), not from "
            f"{os.path.abspath('new.xlsx')} (SHA-256 aaaaaaaaaaaa…) — the re-plan judges it against new.xlsx"
        )
    ]


# --- 4. layouts and a number with spaces ----------------------------------------------------
def test_a_title_row_above_the_header_is_said_once() -> None:
    book = minimal_book()
    book["Programmes"].insert(0, ["Candidate programmes 2027-2031"])
    assert errors_of(book) == [
        (
            "Programmes!1: no id, duration_years or total_cost column in row 1, which should be the header — "
            "the header seems to be in row 2: delete the rows above it"
        )
    ]


def test_a_title_row_and_a_blank_row_above_a_wide_sheet_are_said_once() -> None:
    book = minimal_book()
    book["Budgets"][:0] = [["Budgets, EUR million"], [None]]
    assert errors_of(book) == [
        (
            "Budgets!1: no nation column in row 1, which should be the header — the header seems to be in "
            "row 3: delete the rows above it"
        )
    ]


def test_a_header_that_is_simply_missing_is_not_taken_for_a_title() -> None:
    book = minimal_book()
    book["Programmes"][0][4] = "years"
    assert errors_of(book) == ["Programmes!1: no duration_years column — expected a column headed duration_years"]


def test_long_budgets_are_said_once() -> None:
    book = minimal_book()
    book["Budgets"] = [["nation", "year", "budget"]] + [
        [nation, year, 100] for nation in ("AAA", "BBB", "CCC") for year in range(2027, 2032)
    ]
    assert errors_of(book) == [
        (
            'Budgets!1: the sheet is laid out long, a row per nation and year (column "year" in B1) — expected '
            "Budgets wide: one row per nation and a column per year 2027–2031, headed by the year"
        )
    ]


@pytest.mark.parametrize("typed", ["10 000", "10\u00a0000", "10\u202f000"])
def test_a_number_with_spaces_between_its_digits_says_how_to_write_it(typed: str) -> None:
    book = minimal_book()
    book["Budgets"][1][2] = typed  # Budgets!C2, AAA in 2028
    assert errors_of(book) == [
        (
            f'Budgets!C2: budget for 2028 is "{typed}" — expected a number ≥ 0 (write a plain number, without '
            "spaces between the digits, e.g. 10000)"
        )
    ]
