"""Cross-sheet rules: precedence cycles, targets and commitments."""

from __future__ import annotations

import pytest

from data.errors import InputError
from data.validate import find_cycles, sheets_from_rows, validate_sheets
from tests.data.fixtures.books import errors_of, full_book, inputs_of, put, warnings_of


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


# --- Commitments --------------------------------------------------------------------------
def test_commitments_are_read() -> None:
    fund, exclude = inputs_of(full_book()).commitments
    assert (fund.nation, fund.programme, fund.action, fund.start_year, fund.row) == ("AAA", "P01", "fund", 2027, 2)
    assert (exclude.action, exclude.start_year) == ("exclude", None)


def test_partner_cannot_fund_a_national_programme() -> None:
    book = full_book()
    book["Commitments"].append(["CCC", "P01", "fund", None])
    assert errors_of(book) == [
        (
            "Commitments!C4: CCC is a partner and cannot fund P01 (a national programme) — expected "
            "partners to fund only joint programmes open to partners"
        )
    ]


def test_partner_cannot_fund_a_closed_joint_programme() -> None:
    book = full_book()
    put(book, "Programmes", 3, "open_to_partners", "no")
    book["Commitments"].append(["CCC", "P02", "fund", None])
    assert errors_of(book) == [
        (
            "Commitments!C4: CCC is a partner and cannot fund P02 (closed to partners) — expected "
            "partners to fund only joint programmes open to partners"
        )
    ]


def test_partner_may_fund_an_open_joint_programme() -> None:
    book = full_book()
    book["Commitments"].append(["CCC", "P02", "fund", 2028])
    assert inputs_of(book).commitments[-1].nation == "CCC"


def test_partner_may_exclude_anything() -> None:
    book = full_book()
    book["Commitments"].append(["CCC", "P01", "exclude", None])
    assert len(inputs_of(book).commitments) == 3


def test_fund_start_year_must_be_allowed() -> None:
    book = full_book()
    book["Commitments"][1][3] = 2031  # P01 lasts 2 years: the last start is 2030
    assert errors_of(book) == [
        "Commitments!D2: start_year 2031 is not an allowed start of P01 — expected one of 2027–2030"
    ]


def test_fund_start_year_must_respect_planning_cycles() -> None:
    book = full_book()
    book["Settings"].append(["planning_cycle_years", 2])
    book["Commitments"][1][3] = 2028
    assert errors_of(book) == [
        "Commitments!D2: start_year 2028 is not an allowed start of P01 — expected one of 2027, 2029"
    ]


def test_fund_on_a_programme_that_cannot_be_funded() -> None:
    book = full_book()
    book["Programmes"][1][4] = 9
    book["Commitments"][1][3] = None
    with pytest.raises(InputError) as caught:
        validate_sheets(sheets_from_rows(book))
    assert [str(p) for p in caught.value.problems] == [
        (
            "Commitments!B2: AAA must fund P01, which cannot be funded: no allowed start year "
            "(duration 9 years, horizon 2027–2031) — expected a programme that can be funded"
        )
    ]
    assert len(caught.value.warnings) == 1  # the programme's own warning stays a warning


def test_fund_and_exclude_on_the_same_pair() -> None:
    book = full_book()
    book["Commitments"].append(["aaa", "p01", "exclude", None])
    assert errors_of(book) == [
        ("Commitments!C4: exclude AAA/P01 contradicts fund in row 2 — expected one action per nation and programme")
    ]


def test_two_fund_start_years_for_the_same_pair() -> None:
    book = full_book()
    book["Commitments"].append(["AAA", "P01", "fund", 2028])
    assert errors_of(book) == [
        (
            "Commitments!D4: start_year 2028 for AAA/P01 contradicts 2027 in row 2 — expected one "
            "start year per nation and programme"
        )
    ]


def test_repeated_commitment_is_a_warning() -> None:
    book = full_book()
    book["Commitments"].append(["BBB", "P01", "exclude", None])
    assert warnings_of(book) == ["Commitments!C4: exclude BBB/P01 repeats row 3; the repeat is ignored"]
    assert len(inputs_of(book).commitments) == 2


def test_start_year_on_exclude_is_ignored_with_a_warning() -> None:
    book = full_book()
    book["Commitments"][2][3] = 2028
    assert warnings_of(book) == [
        ("Commitments!D3: start_year 2028 on an exclude commitment is ignored — expected it blank for exclude")
    ]
    assert inputs_of(book).commitments[1].start_year is None


def test_joint_members_must_start_together() -> None:
    book = full_book()
    book["Commitments"] += [["AAA", "P02", "fund", 2027], ["BBB", "P02", "fund", 2028]]
    assert errors_of(book) == [
        (
            "Commitments!D5: start_year 2028 for joint P02 differs from 2027 in row 4 — expected one "
            "start year per joint programme (members start together)"
        )
    ]


def test_bad_commitment_rows() -> None:
    book = full_book()
    book["Commitments"] += [["ZZZ", "P01", "fund", None], ["AAA", "P02", "maybe", None], ["AAA", "P02", None, None]]
    assert errors_of(book) == [
        ('Commitments!A4: nation "ZZZ" is not in Nations — expected a nation code from the Nations sheet'),
        'Commitments!C5: action is "maybe" — expected one of fund, exclude',
        "Commitments!C6: action is blank — expected one of fund, exclude",
    ]
