"""Fixtures and helpers shared by the command-line tests: a book, plans of it, and running a command."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import cli
from data.input_writer import write_inputs
from data.report import write_plan_workbook
from data.tables import Inputs, PlanDecisions
from optimizer.checks.evaluate import evaluate
from optimizer.errors import EXIT_CODES
from tests.optimizer.conftest import make_inputs, nation, plan, programme, standard


@pytest.fixture()
def book(tmp_path: Path) -> Path:
    """Two allies, two programmes, 2030–2032; budget 10 a year: a plan exists, is easy to
    check, and every command solves it at once."""
    inputs = make_inputs(
        first_year=2030,
        last_year=2032,
        nations=[nation("AAA"), nation("BBB")],
        budgets=10.0,
        programmes=[programme("P1", cost=6), programme("P2", cost=6, duration=2)],
        values={("P1", "air"): 5.0, ("P2", "air"): 4.0},
    )
    path = tmp_path / "book.xlsx"
    write_inputs(inputs, path)
    return path


# --- running a command, and plans to re-plan or stress ------------------------------------
def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli.main, [str(a) for a in args], catch_exceptions=False)


def refused_as_usage(result: Result, text: str, out: Path) -> None:
    """A usage mistake: exit 2, the message says `text`, and nothing was written."""
    assert result.exit_code == EXIT_CODES["usage"], result.output
    assert text in result.output
    assert not out.exists()


@pytest.fixture()
def plan_of(tmp_path: Path, book: Path) -> Path:
    """A plain plan workbook (not a front) of `book`."""
    out = tmp_path / "plan.xlsx"
    assert run("solve", book, "-o", out, "--gap", "0").exit_code == 0
    return out


def written_plan(path: Path, inputs: Inputs, book: Path, decisions: PlanDecisions) -> Path:
    """A plan workbook as `capopt solve BOOK` writes it, with exactly these decisions."""
    tables = evaluate(inputs, decisions)
    summary = [
        ("status", "optimal"),
        ("input_file", str(book)),
        ("input_sha256", hashlib.sha256(book.read_bytes()).hexdigest()),
    ]
    frames = tables.tables()
    return write_plan_workbook(path, summary, frames, list(inputs.years))


def old_inputs(**changes: object) -> Inputs:
    """2030–2032, AAA, BBB and CCC with 20 a year; national P1 and P2, joint J (2 years)."""
    spec: dict[str, object] = {
        "first_year": 2030,
        "last_year": 2032,
        "nations": [nation("AAA"), nation("BBB"), nation("CCC")],
        "budgets": 20.0,
        "standards": [standard("S")],
        "programmes": [
            programme("P1", cost=6),
            programme("P2", cost=6, duration=2),
            programme("J", cost=12, duration=2, sharing="joint"),
        ],
        "values": {("P1", "air"): 5.0, ("P2", "air"): 4.0, ("J", "air"): 3.0},
    }
    return make_inputs(**{**spec, **changes})  # type: ignore[arg-type]


PREVIOUS = plan(  # P2 started before the re-plan year (BBB, 2030) and from it (AAA, 2031)
    national={("AAA", "P1"): 2030, ("AAA", "P2"): 2031, ("BBB", "P2"): 2030},
    joint={"J": (2030, ("AAA", "BBB", "CCC"))},
    payments={(n, "J", y): 2.0 for n in ("AAA", "BBB", "CCC") for y in (2030, 2031)},
    adoptions={("AAA", "S"): 2030, ("CCC", "S"): 2032},
)


@pytest.fixture()
def previous(tmp_path: Path) -> Path:
    inputs = old_inputs()
    book = write_inputs(inputs, tmp_path / "old.xlsx")
    return written_plan(tmp_path / "previous.xlsx", inputs, book, PREVIOUS)
