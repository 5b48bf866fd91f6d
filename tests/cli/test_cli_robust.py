"""CLI of issues 8 and 21: `solve --robust`, `robustness`, `stress` (plans side by side) and
`replan` through CliRunner."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import cli
from data.input_writer import write_inputs
from tests.optimizer.conftest import make_inputs, nation, programme


@pytest.fixture()
def book(tmp_path: Path) -> Path:
    """One ally with 10 a year; P1 costs 8 (risk 0.5), P2 costs 2 (risk 0).

    Nominally both fit every year (8 + 2 = 10); with Γ = 1, P1 alone needs 12 > 10,
    so the robust plan funds only P2.
    """
    inputs = make_inputs(
        first_year=2030,
        last_year=2031,
        nations=[nation("AAA")],
        budgets=10.0,
        programmes=[programme("P1", cost=8, risk=0.5), programme("P2", cost=2)],
        values={("P1", "air"): 5.0, ("P2", "air"): 1.0},
    )
    return write_inputs(inputs, tmp_path / "book.xlsx")


def run(*args: str):
    return CliRunner().invoke(cli.main, list(args), catch_exceptions=False)


def sheet_rows(path: Path, sheet: str) -> list[dict[str, object]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = list(wb[sheet].iter_rows(values_only=True))
    finally:
        wb.close()  # read-only workbooks keep the file open until closed
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def summary(path: Path) -> dict[str, object]:
    return {r["key"]: r["value"] for r in sheet_rows(path, "Summary")}  # type: ignore[misc]


def test_solve_robust_drops_the_programme_whose_overrun_does_not_fit(tmp_path, book):
    nominal, robust = tmp_path / "nominal.xlsx", tmp_path / "robust.xlsx"
    assert run("solve", str(book), "-o", str(nominal), "--gap", "0").exit_code == 0
    result = run("solve", str(book), "-o", str(robust), "--robust", "1", "--gap", "0")
    assert result.exit_code == 0, result.output
    assert {r["programme"] for r in sheet_rows(nominal, "Plan")} == {"P1", "P2"}
    assert {r["programme"] for r in sheet_rows(robust, "Plan")} == {"P2"}
    assert summary(robust)["robust_overruns"] == 1
    assert "robust_overruns" not in summary(nominal)


def test_negative_gamma_is_a_usage_error(tmp_path, book):
    result = run("solve", str(book), "-o", str(tmp_path / "x.xlsx"), "--robust", "-1")
    assert result.exit_code == 2
    assert not (tmp_path / "x.xlsx").exists()


def test_robustness_writes_price_table_and_chart(tmp_path, book):
    out = tmp_path / "robust.xlsx"
    result = run("robustness", str(book), "-o", str(out), "--gammas", "0,1", "--workers", "1", "--gap", "0")
    assert result.exit_code == 0, result.output
    assert "Price of robustness written to" in result.output
    assert "e-1" not in result.output  # gaps read as percentages, never 1.691768e-16
    rows = {r["gamma"]: r for r in sheet_rows(out, "Robustness")}
    assert rows[0]["capability"] > rows[1]["capability"]
    assert len(openpyxl.load_workbook(out)["Price"]._charts) == 1


def test_bad_gammas_are_a_usage_error(tmp_path, book):
    result = run("robustness", str(book), "-o", str(tmp_path / "r.xlsx"), "--gammas", "0,x")
    assert result.exit_code == 2 and "--gammas" in result.output


def test_stress_finds_the_input_from_the_plan_summary(tmp_path, book):
    nominal, robust = tmp_path / "nominal.xlsx", tmp_path / "robust.xlsx"
    assert run("solve", str(book), "-o", str(nominal), "--gap", "0").exit_code == 0
    assert run("solve", str(book), "-o", str(robust), "--robust", "1", "--gap", "0").exit_code == 0
    out = tmp_path / "stress.xlsx"
    result = run("stress", str(nominal), "--samples", "400", "--seed", "3", "-o", str(out))
    assert result.exit_code == 0, result.output
    nations = sheet_rows(out, "Stress")
    assert nations[0]["nation"] == "AAA" and nations[0]["breach_probability"] > 0.3
    assert summary(out)["plan_file"] == str(nominal)
    assert len(openpyxl.load_workbook(out)["Stress"]._charts) == 4
    out2 = tmp_path / "stress2.xlsx"
    result = run("stress", str(robust), "--book", str(book), "--samples", "400", "--seed", "3", "-o", str(out2))
    assert result.exit_code == 0, result.output
    assert sheet_rows(out2, "Stress")[0]["breach_probability"] == 0


def test_stress_of_a_malformed_plan_names_the_cell(tmp_path, book):
    plan = tmp_path / "plan.xlsx"
    assert run("solve", str(book), "-o", str(plan), "--gap", "0").exit_code == 0
    wb = openpyxl.load_workbook(plan)
    wb["Plan"]["D2"] = "soon"
    wb.save(plan)
    result = run("stress", str(plan), "--book", str(book), "-o", str(tmp_path / "s.xlsx"))
    assert result.exit_code == 3
    assert 'Plan!D2: start_year is "soon"' in result.output
    assert not (tmp_path / "s.xlsx").exists()


def test_stress_needs_the_recorded_input_when_it_is_gone(tmp_path, book):
    plan = tmp_path / "plan.xlsx"
    assert run("solve", str(book), "-o", str(plan), "--gap", "0").exit_code == 0
    book.rename(tmp_path / "elsewhere.xlsx")
    result = run("stress", str(plan), "-o", str(tmp_path / "s.xlsx"))
    assert result.exit_code == 3 and "--book" in result.output


def test_stress_of_a_plan_that_records_no_input_needs_book(tmp_path, book):
    """Its Summary deleted, the plan was judged against the bundled reference dataset
    without a word: 14 "not in the input workbook" errors for its own nations."""
    plan = tmp_path / "plan.xlsx"
    assert run("solve", str(book), "-o", str(plan), "--gap", "0").exit_code == 0
    wb = openpyxl.load_workbook(plan)
    del wb["Summary"]
    wb.save(plan)
    result = run("stress", str(plan), "--samples", "50", "-o", str(tmp_path / "s.xlsx"))
    assert result.exit_code == 3
    assert "[plan.xlsx]Summary: records no input_file" in result.output and "--book" in result.output
    assert (
        run("stress", str(plan), "--book", str(book), "--samples", "50", "-o", str(tmp_path / "s.xlsx")).exit_code == 0
    )


@pytest.fixture()
def two_plans(tmp_path, book) -> tuple[Path, Path]:
    nominal, robust = tmp_path / "nominal.xlsx", tmp_path / "robust.xlsx"
    assert run("solve", str(book), "-o", str(nominal), "--gap", "0").exit_code == 0
    assert run("solve", str(book), "-o", str(robust), "--robust", "1", "--gap", "0").exit_code == 0
    return nominal, robust


def alliance(path: Path) -> dict[str, dict[str, object]]:
    return {r["measure"]: r for r in sheet_rows(path, "Alliance")}  # type: ignore[misc]


def test_stress_compares_plans_side_by_side_on_the_same_draws(tmp_path, two_plans):
    """The nominal plan spends all 10 a year on P1 (8, risk 0.5) and P2 (2): every overrun of
    P1 is beyond budget. The robust plan funds only P2 (no risk): nothing ever breaches."""
    from optimizer.studies.stress import ALLIANCE_MEASURES

    nominal, robust = two_plans
    out = tmp_path / "stress.xlsx"
    result = run("stress", str(nominal), str(robust), "--samples", "400", "--seed", "3", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "nation-years in breach (expected)" in result.output and "Stress test written to" in result.output
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Summary", "Dashboard", "Alliance", "Stress", "StressByProgramme", "StressByYear"]
    charts = {name: wb[name]._charts for name in ("Dashboard", "Alliance", "Stress", "StressByYear")}
    assert [len(charts[n]) for n in charts] == [3, len(ALLIANCE_MEASURES), 4, 3]
    assert all(len(c.series) == 2 for cs in charts.values() for c in cs)  # one series per plan
    facts = summary(out)
    assert "probability 0.5" in facts["overrun_model"] and "Triangular(0, 0.5, 2.5)" in facts["overrun_model"]
    assert (facts["samples"], facts["seed"], facts["plans"]) == (400, 3, "nominal, robust")
    assert facts["plan_file:robust"] == str(robust)
    table = alliance(out)
    assert table["expected_nation_years_in_breach"]["robust"] == 0
    assert table["expected_nation_years_in_breach"]["nominal"] > 0.3
    assert table["budget_overrun_share"]["nominal"] == pytest.approx(
        table["expected_overrun_beyond_budget"]["nominal"] / 20
    )  # two years of 10
    assert table["any_breach_probability"]["unit"] == "probability"
    assert [r["plan"] for r in sheet_rows(out, "Stress")] == ["nominal", "robust"]
    swapped = tmp_path / "swapped.xlsx"
    assert (
        run("stress", str(robust), str(nominal), "--samples", "400", "--seed", "3", "-o", str(swapped)).exit_code == 0
    )
    again = alliance(swapped)
    assert summary(swapped)["plans"] == "robust, nominal"
    for measure, row in table.items():
        assert (again[measure]["nominal"], again[measure]["robust"]) == (row["nominal"], row["robust"])


def test_stress_refuses_a_plan_made_from_another_input(tmp_path, book, two_plans):
    """other.xlsx has the same ids but other budgets: its plan compares nothing with these."""
    from data.reader import load_inputs

    inputs, _ = load_inputs(book)
    other_book = write_inputs(
        inputs.with_changes(budgets={k: 2 * v for k, v in inputs.budgets.items()}), tmp_path / "other.xlsx"
    )
    other = tmp_path / "other-plan.xlsx"
    assert run("solve", str(other_book), "-o", str(other), "--gap", "0").exit_code == 0
    nominal, _ = two_plans
    out = tmp_path / "s.xlsx"
    result = run("stress", str(nominal), str(other), "-o", str(out), "--samples", "50")
    assert result.exit_code == 3
    assert "[other-plan.xlsx]Summary: other-plan.xlsx was made from" in result.output
    assert "other.xlsx" in result.output and "--allow-other-input" in result.output
    assert not out.exists()
    result = run("stress", str(nominal), str(other), "-o", str(out), "--samples", "50", "--allow-other-input")
    assert result.exit_code == 0, result.output
    assert "warning: other-plan.xlsx was made from" in result.output
    assert any(
        "other-plan.xlsx was made from" in str(r["value"]) for r in sheet_rows(out, "Summary") if r["key"] == "note"
    )


def test_stress_of_several_plans_names_the_file_of_each_problem(tmp_path, two_plans):
    nominal, robust = two_plans
    wb = openpyxl.load_workbook(robust)
    wb["Plan"]["D2"] = "soon"
    wb.save(robust)
    out = tmp_path / "s.xlsx"
    result = run("stress", str(nominal), str(robust), str(tmp_path / "missing.xlsx"), "-o", str(out))
    assert result.exit_code == 3
    assert "missing.xlsx: file not found" in result.output
    assert not out.exists()
    result = run("stress", str(nominal), str(robust), "-o", str(out))
    assert result.exit_code == 3
    assert '[robust.xlsx]Plan!D2: start_year is "soon"' in result.output
    assert not out.exists()


def test_stress_needs_a_plan_and_will_not_overwrite_one(tmp_path, two_plans):
    assert run("stress", "-o", str(tmp_path / "s.xlsx")).exit_code == 2
    nominal, robust = two_plans
    result = run("stress", str(nominal), str(robust), "-o", str(robust))
    assert result.exit_code == 2 and "overwrite" in result.output


def test_replan_without_a_book_uses_the_reference_dataset(tmp_path, book, monkeypatch):
    """Like every other command: no BOOK, the bundled dataset (here a small stand-in)."""
    import data.reference

    plan = tmp_path / "plan.xlsx"
    assert run("solve", str(book), "-o", str(plan), "--gap", "0").exit_code == 0
    monkeypatch.setattr(data.reference, "reference_path", lambda: book)
    out = tmp_path / "replan.xlsx"
    result = run("replan", "--previous", str(plan), "--from-year", "2031", "-o", str(out), "--gap", "0")
    assert result.exit_code == 0, result.output
    assert "0 change(s)" in result.output
    assert summary(out)["input_file"] == str(book)
    result = run("replan", "--previous", str(plan), "--from-year", "2031", "-o", str(book))
    assert result.exit_code == 2 and "overwrite" in result.output


def test_replan_lists_changes_against_the_previous_plan(tmp_path):
    """2030–2032, 10 a year. Last year's plan funds P1 (8) in 2030; P3 (cost 12) never fits.
    The new book doubles the 2031 budget, so P3 (worth 4 a year) fits then: one change, adding it."""
    first = make_inputs(
        first_year=2030,
        last_year=2032,
        nations=[nation("AAA")],
        budgets=10.0,
        programmes=[programme("P1", cost=8), programme("P3", cost=12)],
        values={("P1", "air"): 5.0, ("P3", "air"): 4.0},
    )
    old_book = write_inputs(first, tmp_path / "old.xlsx")
    new_book = write_inputs(first.with_changes(budgets={**first.budgets, ("AAA", 2031): 20.0}), tmp_path / "new.xlsx")
    previous = tmp_path / "previous.xlsx"
    assert run("solve", str(old_book), "-o", str(previous), "--gap", "0").exit_code == 0
    assert {r["programme"]: r["start_year"] for r in sheet_rows(previous, "Plan")} == {"P1": 2030}
    out = tmp_path / "replan.xlsx"
    result = run(
        "replan",
        str(new_book),
        "--previous",
        str(previous),
        "--from-year",
        "2031",
        "--stability-weight",
        "1",
        "-o",
        str(out),
        "--gap",
        "0",
        "--highs-option",
        "mip_lp_solver=ipm",
    )
    assert result.exit_code == 0, result.output
    assert "1 change(s)" in result.output
    changes = sheet_rows(out, "Changes")
    assert [(c["programme"], c["change"], c["new_start"]) for c in changes] == [("P3", "added", 2031)]
    assert changes[0]["capability_delta"] == 4.0
    assert summary(out)["stability_weight"] == 1
    assert summary(out)["solver_options"].startswith("mip_lp_solver=ipm, presolve_rule_off=4096 (automatic: ")


def test_replan_refuses_to_overwrite_its_inputs(tmp_path, book):
    plan = tmp_path / "plan.xlsx"
    assert run("solve", str(book), "-o", str(plan), "--gap", "0").exit_code == 0
    result = run("replan", str(book), "--previous", str(plan), "--from-year", "2031", "-o", str(plan))
    assert result.exit_code == 2 and "overwrite" in result.output


def test_stress_refuses_more_samples_than_it_can_hold_and_shows_its_replays(tmp_path, book):
    """`--samples 1000000` ran for over ten minutes with no progress shown (about 10 GB on the
    reference dataset); the CLI now stops at the API's MAX_SAMPLES and reports the replays."""
    from optimizer.studies.stress import MAX_SAMPLES

    plan = tmp_path / "plan.xlsx"
    assert run("solve", str(book), "-o", str(plan), "--gap", "0").exit_code == 0
    out = tmp_path / "stress.xlsx"
    result = run("stress", str(plan), "--samples", str(MAX_SAMPLES + 1), "-o", str(out))
    assert result.exit_code == 2 and "--samples" in result.output and f"x<={MAX_SAMPLES}" in result.output
    assert not out.exists()
    result = run("stress", str(plan), "--samples", "400", "--seed", "3", "-o", str(out))
    assert result.exit_code == 0 and "breaching samples replayed" in result.output


def test_the_terminal_lists_a_nation_that_loses_capability_without_breaching():
    """B never breaches but loses capability when its consortium slips: it was left out."""
    import pandas as pd

    table = pd.DataFrame(
        {
            "nation": ["A", "B", "C"],
            "breach_probability": [1.0, 0.0, 0.0],
            "expected_overrun_cost": [2.0, 1.0, 0.0],
            "expected_capability_lost": [1.0, 1.0, 0.0],
        }
    )
    assert list(cli.nations_hit(table)["nation"]) == ["A", "B"]


def test_stress_finds_an_input_recorded_relative_to_a_sub_folder(tmp_path, book, monkeypatch):
    """Solved in sub/ from ../book.xlsx, stressed from the parent: the recorded "../book.xlsx"
    was looked for beside the parent folder and the plan refused."""
    sub = tmp_path / "sub"
    sub.mkdir()
    monkeypatch.chdir(sub)
    assert run("solve", "../book.xlsx", "-o", "plan.xlsx", "--gap", "0").exit_code == 0
    monkeypatch.chdir(tmp_path.parent)
    result = run(
        "stress", str(Path(tmp_path.name) / "sub" / "plan.xlsx"), "--samples", "50", "-o", str(tmp_path / "stress.xlsx")
    )
    assert result.exit_code == 0, result.output


def test_stress_takes_the_recorded_input_that_the_plan_was_made_from(tmp_path, book, monkeypatch):
    """Solved in team/ from in.xlsx, stressed from the parent, which holds another in.xlsx:
    the parent's was taken (it came first), and the plan refused with "made from in.xlsx
    (SHA-256 3de0…), not from in.xlsx (SHA-256 f4ed…)". The one beside the plan matches."""
    team = tmp_path / "team"
    team.mkdir()
    (team / "in.xlsx").write_bytes(book.read_bytes())
    monkeypatch.chdir(team)
    assert run("solve", "in.xlsx", "-o", "plan.xlsx", "--gap", "0").exit_code == 0
    monkeypatch.chdir(tmp_path)
    other = openpyxl.load_workbook(book)
    other["Budgets"]["B2"] = 9
    other.save(tmp_path / "in.xlsx")
    result = run("stress", "team/plan.xlsx", "--samples", "50", "-o", "stress.xlsx")
    assert result.exit_code == 0, result.output
    summary = {r["key"]: r["value"] for r in sheet_rows(tmp_path / "stress.xlsx", "Summary")}
    assert Path(str(summary["input_file"])).resolve() == (team / "in.xlsx").resolve()
    (team / "in.xlsx").unlink()  # only the other one left: refused, with its full path named
    result = run("stress", "team/plan.xlsx", "--samples", "50", "-o", "stress2.xlsx")
    assert result.exit_code == 3
    assert f"not from {tmp_path / 'in.xlsx'} (SHA-256" in result.output


def test_robustness_with_every_gamma_infeasible_exits_as_infeasible(tmp_path: Path) -> None:
    """It exited 0 with a workbook of no plans, where sweep and flexibility exit 4 with the
    conflict."""
    from data.input_writer import write_inputs
    from optimizer.errors import EXIT_CODES
    from tests.optimizer.conftest import make_inputs, nation, programme

    bad = tmp_path / "bad.xlsx"
    write_inputs(
        make_inputs(
            first_year=2030,
            last_year=2031,
            nations=[nation("A")],
            budgets=10.0,
            programmes=[programme("P1", cost=12)],
            commitments=[("A", "P1", "fund", 2030)],
        ),
        bad,
    )
    out = tmp_path / "price.xlsx"
    result = CliRunner().invoke(cli.main, ["robustness", str(bad), "--gammas", "0,1", "-o", str(out)])
    assert result.exit_code == EXIT_CODES["infeasible"] == 4, result.output
    assert "every Γ is infeasible (Γ = 0, 1); no workbook written. At Γ = 0:" in result.output
    assert "A must fund P1 starting 2030" in result.output and not out.exists()
