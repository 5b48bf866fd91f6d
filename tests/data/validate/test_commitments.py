"""Commitments: fund or exclude decisions, and whether the model could honour them (data.validate.commitments)."""

from __future__ import annotations

import pytest

from data.errors import InputError
from data.validate import sheets_from_rows, validate_sheets
from tests.data.fixtures.books import errors_of, full_book, inputs_of, put, warnings_of


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
