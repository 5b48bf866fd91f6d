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
    objectives, plans, changes = (
        result.output.split("Plans:")[0],
        result.output.split("Plans:")[1].split("Plan changes:")[0],
        result.output.split("Plan changes:")[1],
    )
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
    # what made it and when, as every output's Summary says (WORKBOOK.md): an audit found neither
    assert summary["tool_version"] and str(summary["created_at"]).startswith("20")
    changes = list(wb["Changes"].iter_rows(values_only=True))
    assert changes[0][:3] == ("nation", "programme", "change") and {r[2] for r in changes[1:]} == {"lost"}
    refused = run("compare", str(full), str(none), "-o", str(full))
    assert refused.exit_code == EXIT_CODES["usage"] and "would overwrite an input workbook" in refused.output
    assert run("compare", str(full), str(none), "-o", str(tmp_path / "c.csv")).exit_code == EXIT_CODES["usage"]


def _plans_rows(output: str) -> dict[str, str]:
    """The Plans table's lines by plan label (base / other)."""
    table = output.split("Plans:")[1].split("Plan changes:")[0]
    return {line.split()[0]: line.strip() for line in table.strip().splitlines()[1:]}


def test_two_points_of_one_front_each_with_its_own_proof(tmp_path: Path, book: Path) -> None:
    """`--point` picked the same point of both files, so two points of one front could not be
    compared, and a point's status and gap were the front Summary's (another point's gap)."""
    import openpyxl

    front = tmp_path / "front.xlsx"
    assert run("pareto", str(book), "--objectives", "capability,cost", "--exact", "-o", str(front)).exit_code == 0
    wb = openpyxl.load_workbook(front, read_only=True)  # read-only keeps the file open until closed
    rows = list(wb["Pareto"].iter_rows(values_only=True))
    wb.close()
    header = rows[0]
    proven = {r[header.index("point")]: r[header.index("proven")] for r in rows[1:]}
    assert len(proven) >= 2
    result = run("compare", str(front), str(front), "--base-point", "1", "--other-point", "2")
    assert result.exit_code == 0, result.output
    plans = _plans_rows(result.output)
    gap_of = {r[header.index("point")]: r[header.index("gap_of")] for r in rows[1:]}
    for label, point in (("base", 1), ("other", 2)):
        assert plans[label].startswith(f"{label} (point {point}) ")
        assert ("optimal" if proven[point] else "feasible") in plans[label]
        assert f" {gap_of[point]} " in plans[label]  # the row's gap_of (read as "gapof", it was lost)
    assert "Plan changes:\n  none" not in result.output  # the points differ
    same = run("compare", str(front), str(front), "--point", "2", "-o", str(tmp_path / "c.xlsx"))
    assert same.exit_code == 0 and "Plan changes:\n  none" in same.output
    summary = {r[0]: r[1] for r in openpyxl.load_workbook(tmp_path / "c.xlsx")["Summary"].iter_rows(values_only=True)}
    assert (summary["base_point"], summary["other_point"]) == (2, 2)  # which plans of the front were compared
    plan = tmp_path / "plan.xlsx"
    assert run("solve", str(book), "-o", str(plan)).exit_code == 0
    refused = run("compare", str(plan), str(front), "--base-point", "1", "--other-point", "2")
    assert refused.exit_code == EXIT_CODES["usage"] and "--base-point only with a front workbook" in refused.output


def test_a_replans_gap_is_named_by_the_objective_it_bounds(tmp_path: Path, book: Path) -> None:
    """The gap of a re-plan with a stability weight is of "cost + 50 × changes": shown as of
    "cost", its bound sat above the plan's cost as if it were a lower bound on cost."""
    plan, again = tmp_path / "plan.xlsx", tmp_path / "again.xlsx"
    assert run("solve", str(book), "-o", str(plan)).exit_code == 0
    done = run(
        "replan",
        str(book),
        "--previous",
        str(plan),
        "--from-year",
        "2031",
        "--stability-weight",
        "50",
        "-o",
        str(again),
    )
    assert done.exit_code == 0, done.output
    result = run("compare", str(plan), str(again))
    assert result.exit_code == 0, result.output
    assert "cost + 50 × changes" in _plans_rows(result.output)["other"]


def test_a_plan_that_breaks_these_inputs_rules_says_so_beside_its_status(tmp_path: Path, book: Path) -> None:
    """A plan made for the full budgets, compared under a budget cut, was listed "optimal"
    with its breaches only in a note; a plan file without a Summary showed status "nan"."""
    import openpyxl

    from data.input_writer import write_inputs
    from optimizer import Scenario

    plan, cut = tmp_path / "plan.xlsx", tmp_path / "cut.xlsx"
    assert run("solve", str(book), "-o", str(plan)).exit_code == 0
    write_inputs(Scenario.from_excel(book).with_budget(0.3).inputs, cut)
    result = run("compare", str(plan), str(plan), "--book", str(cut))
    assert result.exit_code == 0, result.output
    rows = _plans_rows(result.output)
    assert "breaks" in rows["base"] and "breaks" in rows["other"]
    bare = tmp_path / "bare.xlsx"
    wb = openpyxl.load_workbook(plan)
    del wb["Summary"]
    wb.save(bare)
    result = run("compare", str(plan), str(bare), "--book", str(book))
    assert result.exit_code == 0, result.output
    other = _plans_rows(result.output)["other"]
    assert "unknown (no Summary sheet, or an empty one)" in other and "nan" not in other and "keeps every rule" in other
    emptied = tmp_path / "emptied.xlsx"  # its rows deleted: it read "no Summary sheet" beside the sheet
    wb = openpyxl.load_workbook(plan)
    wb["Summary"].delete_rows(2, wb["Summary"].max_row)
    wb.save(emptied)
    result = run("compare", str(plan), str(emptied), "--book", str(book))
    assert result.exit_code == 0 and "or an empty one" in _plans_rows(result.output)["other"], result.output
    blank = tmp_path / "blank.xlsx"  # a Summary without a status: not "no Summary sheet"
    wb = openpyxl.load_workbook(plan)
    for row in wb["Summary"].iter_rows(min_row=2):
        if row[0].value == "status":
            row[1].value = None
    wb.save(blank)
    result = run("compare", str(plan), str(blank), "--book", str(book))
    assert result.exit_code == 0 and "unknown (the file records none)" in _plans_rows(result.output)["other"]


def test_a_plan_whose_input_workbook_changed_since_is_said_to_be(tmp_path: Path, book: Path) -> None:
    """It read "made from book.xlsx … not from these inputs", these inputs being book.xlsx."""
    from data.input_writer import write_inputs
    from optimizer import Scenario

    plan = tmp_path / "plan.xlsx"
    assert run("solve", str(book), "-o", str(plan)).exit_code == 0
    write_inputs(Scenario.from_excel(book).with_budget(0.9).inputs, book)  # the planner edits the file
    result = run("compare", str(plan), str(plan))
    assert result.exit_code == 0, result.output
    assert f"was made from {book} as it was then (SHA-256" in result.output
    assert "the file has changed since" in result.output and "not from these inputs" not in result.output


def test_a_plan_edited_after_solving_loses_its_proof_in_compare_and_stress(tmp_path: Path, book: Path) -> None:
    """A start moved by hand kept "optimal, gap 0 %" in compare and stress beside the plan as
    solved, worth more on the same inputs; a stressed plan that breaks the model was said on
    the terminal only, and its workbook kept no trace of it."""
    import openpyxl

    plan, moved = tmp_path / "plan.xlsx", tmp_path / "moved.xlsx"
    assert run("solve", str(book), "-o", str(plan)).exit_code == 0
    wb = openpyxl.load_workbook(plan)
    sheet = wb["Plan"]
    header = [c.value for c in sheet[1]]
    column = header.index("start_year") + 1
    sheet.cell(row=2, column=column, value=sheet.cell(row=2, column=column).value + 1)  # a year later
    wb.save(moved)
    result = run("compare", str(plan), str(moved))
    assert result.exit_code == 0, result.output
    rows = _plans_rows(result.output)
    assert "optimal" in rows["base"] and "edited after solving" in rows["other"] and "optimal" not in rows["other"]
    assert "moved.xlsx was changed after it was solved (capability" in result.output
    out = tmp_path / "stress.xlsx"
    result = run("stress", str(plan), str(moved), "--samples", "20", "-o", str(out))
    assert result.exit_code == 0, result.output
    summary = [(r[0], r[1]) for r in openpyxl.load_workbook(out)["Summary"].iter_rows(values_only=True)]
    assert ("plan_proof:moved", "edited after solving") in summary
    assert any(key == "note" and "moved.xlsx was changed after it was solved" in str(value) for key, value in summary)


def test_a_front_whose_pareto_sheet_was_deleted_still_takes_a_point(tmp_path: Path, book: Path) -> None:
    """compare asked for --point and then refused it (stress and replan took it)."""
    import openpyxl

    front, bare = tmp_path / "front.xlsx", tmp_path / "bare.xlsx"
    assert run("pareto", str(book), "--objectives", "capability,cost", "--exact", "-o", str(front)).exit_code == 0
    wb = openpyxl.load_workbook(front)
    del wb["Pareto"]
    wb.save(bare)
    result = run("compare", str(front), str(bare), "--point", "2")
    assert result.exit_code == 0, result.output
    assert _plans_rows(result.output)["other"].startswith("other (point 2) ")
    assert "Plan changes:\n  none" in result.output
