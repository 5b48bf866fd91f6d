"""`capopt compare BASE OTHER`: two plan workbooks priced on one input workbook, side by side."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

import cli
from optimizer.errors import EXIT_CODES


def run(*args: str) -> Result:
    return CliRunner().invoke(cli.main, list(args), catch_exceptions=False)


def test_two_plans_are_compared_on_the_input_workbook_they_record(tmp_path: Path, book: Path) -> None:
    """The cheapest plan (weight on cost alone) funds nothing: against the default plan every
    funding is "lost", and capability falls by what the default plan earned."""
    full, none = tmp_path / "full.xlsx", tmp_path / "none.xlsx"
    assert run("solve", str(book), "-o", str(full)).exit_code == 0
    assert run("solve", str(book), "-o", str(none), "--weight", "cost=1").exit_code == 0
    result = run("compare", str(full), str(none))
    assert result.exit_code == 0, result.output
    objectives, plans, changes = (result.output.split("Plans:")[0], result.output.split("Plans:")[1].split(
        "Plan changes:")[0], result.output.split("Plan changes:")[1])
    capability = next(line.split() for line in objectives.splitlines() if line.strip().startswith("capability "))
    assert float(capability[2]) == 0.0 and float(capability[3]) == -float(capability[1]) < 0
    assert "base optimal" in plans and "other optimal" in plans
    assert "lost" in changes and "gained" not in changes and "Note:" not in result.output


def test_compare_with_an_explicit_book_and_no_point_for_plain_plans(tmp_path: Path, book: Path) -> None:
    plan = tmp_path / "plan.xlsx"
    assert run("solve", str(book), "-o", str(plan)).exit_code == 0
    same = run("compare", str(plan), str(plan), "--book", str(book))
    assert same.exit_code == 0 and "Plan changes:\n  none" in same.output
    pointed = run("compare", str(plan), str(plan), "--point", "2")
    assert pointed.exit_code == EXIT_CODES["usage"] == 2
    assert "not a Pareto front: there is no point to choose" in pointed.output


def test_a_file_that_is_no_plan_is_an_input_error_naming_it(tmp_path: Path, book: Path) -> None:
    plan = tmp_path / "plan.xlsx"
    assert run("solve", str(book), "-o", str(plan)).exit_code == 0
    result = run("compare", str(plan), str(book))
    assert result.exit_code == EXIT_CODES["invalid_input"] == 3
    assert "[book.xlsx]Plan: sheet is missing — expected a plan workbook written by capopt" in result.output


def test_the_comparison_is_written_to_a_workbook_when_asked(tmp_path: Path, book: Path) -> None:
    import openpyxl

    full, none, out = tmp_path / "full.xlsx", tmp_path / "none.xlsx", tmp_path / "compare.xlsx"
    assert run("solve", str(book), "-o", str(full)).exit_code == 0
    assert run("solve", str(book), "-o", str(none), "--weight", "cost=1").exit_code == 0
    result = run("compare", str(full), str(none), "-o", str(out))
    assert result.exit_code == 0 and f"Comparison written to {out}" in result.output
    wb = openpyxl.load_workbook(out, read_only=True)
    assert wb.sheetnames == ["Summary", "Objectives", "Plans", "Changes", "ByNation"]
    summary = {row[0]: row[1] for row in wb["Summary"].iter_rows(values_only=True)}
    assert (summary["base_plan"], summary["other_plan"]) == (str(full), str(none))
    assert summary["input_file"] == str(book) and len(str(summary["input_sha256"])) == 64
    changes = list(wb["Changes"].iter_rows(values_only=True))
    assert changes[0][:3] == ("nation", "programme", "change") and {r[2] for r in changes[1:]} == {"lost"}
    refused = run("compare", str(full), str(none), "-o", str(full))
    assert refused.exit_code == EXIT_CODES["usage"] and "would overwrite an input workbook" in refused.output
    assert run("compare", str(full), str(none), "-o", str(tmp_path / "c.csv")).exit_code == EXIT_CODES["usage"]
