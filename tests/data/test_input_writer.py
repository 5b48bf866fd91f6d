"""write_inputs: an Inputs written and read back is the same Inputs."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data.input_writer import write_inputs
from data.reader import load_inputs
from data.schema import MAX_MONEY, MIN_MONEY
from data.tables import Inputs
from tests.data.fixtures.books import Book, big_book, full_book, inputs_of, minimal_book, put


def comparable(inputs: Inputs) -> Inputs:
    """Drop what a round trip may legitimately change: the source and sheet row numbers."""
    return dataclasses.replace(
        inputs,
        source=None,
        targets=tuple(dataclasses.replace(t, row=0) for t in inputs.targets),
        commitments=tuple(dataclasses.replace(c, row=0) for c in inputs.commitments),
    )


def round_trip(inputs: Inputs, folder: Path) -> Inputs:
    loaded, warnings = load_inputs(write_inputs(inputs, folder / "out.xlsx"))
    assert warnings == []  # what we write is clean, not merely valid
    return loaded


def test_full_book_round_trips(tmp_path: Path) -> None:
    original = inputs_of(full_book())
    assert comparable(round_trip(original, tmp_path)) == comparable(original)


def test_big_book_round_trips(tmp_path: Path) -> None:
    original = inputs_of(big_book())
    assert comparable(round_trip(original, tmp_path)) == comparable(original)


def test_awkward_values_round_trip_exactly(tmp_path: Path) -> None:
    book = full_book()
    book["Settings"] += [
        ["weight_capability:CYB", 1 / 3],
        ["objective", "pareto"],
        ["pareto_objectives", "capability:AIR, cost, risk"],
        ["pareto_exact", "yes"],
        ["currency", "USD bn"],
        ["carry_over_fraction", 0.1 + 0.2],
    ]
    book["Programmes"][1][1] = '=HYPERLINK("http://example.org")'
    book["Programmes"][1][5] = 0.1 + 0.2
    book["Programmes"][2][5] = 0.00123456789012345678
    put(book, "Programmes", 3, "min_share", 1 / 3)
    put(book, "Programmes", 3, "max_participants", 3)
    put(book, "Programmes", 3, "per_participant_cost", 12345678.123456789)
    put(book, "Nations", 2, "borrow_fraction", 2 / 7)
    book["CostProfiles"] = [["programme", "year_offset", "share"], ["P02", 0, 0.1], ["P02", 1, 0.7], ["P02", 2, 0.3]]
    book["Budgets"][1][1] = 99.99999999999999
    original = inputs_of(book)
    back = round_trip(original, tmp_path)
    assert comparable(back) == comparable(original)
    assert back.programme_by_id["P01"].name == '=HYPERLINK("http://example.org")'
    assert back.programme_by_id["P01"].total_cost == 0.1 + 0.2
    assert back.programme_by_id["P02"].profile == original.programme_by_id["P02"].profile


def test_text_that_looks_like_a_formula_is_stored_as_text(tmp_path: Path) -> None:
    book = minimal_book()
    book["Nations"][1][1] = "=1+1"
    path = write_inputs(inputs_of(book), tmp_path / "out.xlsx")
    cell = openpyxl.load_workbook(path)["Nations"]["B2"]
    assert (cell.value, cell.data_type) == ("=1+1", "s")


def test_national_programmes_leave_joint_columns_blank(tmp_path: Path) -> None:
    path = write_inputs(inputs_of(minimal_book()), tmp_path / "out.xlsx")
    ws = openpyxl.load_workbook(path)["Programmes"]
    header = [c.value for c in ws[1]]
    p01 = dict(zip(header, [c.value for c in ws[2]]))
    assert [
        p01[c]
        for c in ("per_participant_cost", "min_participants", "max_participants", "min_share", "open_to_partners")
    ] == [None] * 5


def test_even_profiles_write_no_rows(tmp_path: Path) -> None:
    path = write_inputs(inputs_of(minimal_book()), tmp_path / "out.xlsx")
    assert openpyxl.load_workbook(path)["CostProfiles"].max_row == 1


def test_writing_is_atomic_and_overwrites(tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"old")
    write_inputs(inputs_of(minimal_book()), target)
    assert target.read_bytes()[:2] == b"PK"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.xlsx"]


# --- property: random valid books survive the round trip ----------------------------------
finite = st.floats(min_value=0, max_value=1e9, allow_nan=False, allow_infinity=False)
# money: 0, or an amount the solver separates reliably (data.schema MIN_MONEY to MAX_MONEY)
money = st.one_of(st.just(0.0), st.floats(min_value=MIN_MONEY, max_value=MAX_MONEY, allow_nan=False))
# values and risks: 0, or at least the 0.0001 the solver's tolerances leave room for
value = st.one_of(st.just(0.0), st.floats(min_value=1e-4, max_value=1e9, allow_nan=False))
share = st.floats(min_value=0.001, max_value=100, allow_nan=False)


@st.composite
def books(draw: st.DrawFn) -> Book:
    book = minimal_book()
    for row in book["Budgets"][1:]:
        row[1:] = [draw(money) for _ in row[1:]]
    for row in book["Programmes"][1:]:
        row[4] = draw(st.integers(1, 5))
        row[5] = draw(money)
    put(book, "Programmes", 3, "per_participant_cost", draw(money))
    put(book, "Programmes", 2, "cost_overrun_risk", draw(st.one_of(st.just(0.0), st.floats(1e-4, 3))))
    put(book, "Programmes", 3, "min_share", draw(st.floats(0, 0.5)))
    put(book, "Nations", 2, "carry_over_fraction", draw(st.floats(0, 1)))
    for row in book["Values"][1:]:
        row[1:] = [draw(st.one_of(st.none(), value)) for _ in row[1:]]
    duration = book["Programmes"][2][4]
    book["CostProfiles"] = [["programme", "year_offset", "share"]] + [["P02", k, draw(share)] for k in range(duration)]
    book["Settings"] += [["discount_rate", draw(st.floats(0, 0.2))], ["weight_capability:AIR", draw(finite)]]
    return book


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(book=books())
def test_random_books_round_trip(tmp_path: Path, book: Book) -> None:
    original = inputs_of(book)
    assert comparable(round_trip(original, tmp_path)) == comparable(original)
