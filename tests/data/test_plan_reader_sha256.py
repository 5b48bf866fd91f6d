"""A plan's Summary input_sha256 that cannot be compared: an error at its cell, or a warning (data.plan_reader)."""

from __future__ import annotations

import logging
import os
from dataclasses import replace
from pathlib import Path

import pytest

from data.errors import InputError
from data.plan_reader import load_plan_book, read_plan, read_previous_plan
from data.tables import Source
from tests.data.fixtures.books import write_book
from tests.optimizer.conftest import make_inputs, programme


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
