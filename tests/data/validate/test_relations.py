"""Relation sheets: ProgrammeStandards, Precedence (with its cycle check) and Targets (data.validate.relations)."""

from __future__ import annotations

import pytest

from data.errors import InputError
from data.validate import find_cycles, sheets_from_rows, validate_sheets
from tests.data.fixtures.books import errors_of, full_book, inputs_of, warnings_of


# --- ProgrammeStandards -------------------------------------------------------------------
def test_unknown_standard_and_repeated_requirement() -> None:
    book = full_book()
    book["ProgrammeStandards"] += [["P01", "S9"], ["p02", "s1"]]
    with pytest.raises(InputError) as caught:
        validate_sheets(sheets_from_rows(book))
    assert [str(p) for p in caught.value.problems] == [
        ('ProgrammeStandards!B3: standard "S9" is not in Standards — expected a standard id from the Standards sheet')
    ]
    assert [str(w) for w in caught.value.warnings] == [
        "ProgrammeStandards!A4: P02 requires S1 again (first in row 2); the repeat is ignored"
    ]


# --- Precedence ---------------------------------------------------------------------------
def test_precedence_is_read_with_default_scope() -> None:
    book = full_book()
    book["Precedence"] = [["before", "after"], ["p01", " P02 "]]
    (rule,) = inputs_of(book).precedences
    assert (rule.before, rule.after, rule.scope) == ("P01", "P02", "same_nation")


def test_two_programme_cycle() -> None:
    book = full_book()
    book["Precedence"].append(["P02", "p01", "same_nation"])
    assert errors_of(book) == [
        (
            "Precedence: programmes P01 → P02 → P01 form a cycle (rows 2, 3) — expected no cycle: "
            "none of these programmes could ever start"
        )
    ]


def test_programme_before_itself() -> None:
    book = full_book()
    book["Precedence"].append(["P02", "P02", None])
    assert errors_of(book) == [
        (
            "Precedence: programmes P02 → P02 form a cycle (row 3) — expected no cycle: none of "
            "these programmes could ever start"
        )
    ]


def test_repeated_precedence_is_a_warning() -> None:
    book = full_book()
    book["Precedence"].append(["P01", "P02", "any_nation"])
    assert warnings_of(book) == [
        "Precedence!A3: P01 before P02 is listed again (first in row 2); the repeat is ignored"
    ]


def test_bad_precedence_rows() -> None:
    book = full_book()
    book["Precedence"] += [["P01", "P77", None], ["P01", "P02", "everyone"]]
    assert errors_of(book) == [
        ('Precedence!B3: after "P77" is not in Programmes — expected a programme id from the Programmes sheet'),
        'Precedence!C4: scope is "everyone" — expected one of same_nation, any_nation',
    ]


def test_find_cycles_names_each_cycle_once() -> None:
    edges = [("A", "B"), ("B", "C"), ("C", "A"), ("C", "D"), ("D", "E"), ("E", "D"), ("F", "G")]
    assert find_cycles(edges) == [["A", "B", "C", "A"], ["D", "E", "D"]]
    assert find_cycles([("A", "B"), ("B", "C"), ("A", "C")]) == []


def test_find_cycles_is_iterative() -> None:
    chain = [(f"P{i}", f"P{i + 1}") for i in range(5000)] + [("P5000", "P0")]
    (cycle,) = find_cycles(chain)
    assert len(cycle) == 5002 and cycle[0] == cycle[-1] == "P0"


# --- Targets ------------------------------------------------------------------------------
def test_targets_outside_horizon() -> None:
    book = full_book()
    book["Targets"].append(["AAA", "AIR", 2040, 1])
    assert errors_of(book) == [
        "Targets!C4: year 2040 is outside the horizon 2027–2031 — expected a year from 2027 to 2031"
    ]


def test_duplicate_target() -> None:
    book = full_book()
    book["Targets"].append(["alliance", "air", 2031.0, 12])
    assert errors_of(book) == [
        (
            "Targets!A4: a second target for ALLIANCE, AIR, 2031 (first in row 2) — expected one "
            "target per nation, capability area and year"
        )
    ]


def test_bad_target_rows() -> None:
    book = full_book()
    book["Targets"] += [["XYZ", "AIR", 2030, 1], ["AAA", "SEA", 2030, 1], ["AAA", "AIR", 2030, -1]]
    assert errors_of(book) == [
        ('Targets!A4: nation "XYZ" is not in Nations — expected a nation code from the Nations sheet or ALLIANCE'),
        (
            'Targets!B5: capability_area "SEA" is not in CapabilityAreas — expected a capability '
            "area id from the CapabilityAreas sheet"
        ),
        "Targets!D6: target is -1 — expected a number ≥ 0",
    ]


def test_targets_keep_their_rows() -> None:
    assert [t.row for t in inputs_of(full_book()).targets] == [2, 3]
