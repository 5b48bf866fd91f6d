"""The command line through click's CliRunner: exit codes, messages, files written or not."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import cli
from data.input_writer import write_inputs
from optimizer.errors import EXIT_CODES
from tests.optimizer.conftest import make_inputs, nation, programme


def run(*args: str):
    return CliRunner().invoke(cli.main, list(args), catch_exceptions=False)


def digest(path: Path) -> tuple[str, float]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime


def test_validate_prints_summary(book):
    result = run("validate", str(book))
    assert result.exit_code == 0, result.output
    assert "AAA" in result.output or "2 nations" in result.output


def test_validate_bad_workbook_lists_problems_and_exits_3(tmp_path, book):
    wb = openpyxl.load_workbook(book)
    ws = wb["Programmes"]
    header = [c.value for c in ws[1]]
    ws.cell(row=2, column=header.index("duration_years") + 1, value=-2)
    bad = tmp_path / "bad.xlsx"
    wb.save(bad)
    result = run("validate", str(bad))
    assert result.exit_code == EXIT_CODES["invalid_input"] == 3
    assert "Programmes!" in result.output and "duration_years" in result.output
    assert "Traceback" not in result.output


def test_not_a_workbook_is_one_clear_line(tmp_path):
    fake = tmp_path / "fake.xlsx"
    fake.write_text("hello")
    result = run("solve", str(fake), "-o", str(tmp_path / "out.xlsx"))
    assert result.exit_code == 3
    assert "Traceback" not in result.output
    assert not (tmp_path / "out.xlsx").exists()


def test_solve_writes_plan_and_summary_without_touching_input(tmp_path, book):
    before = digest(book)
    out = tmp_path / "plan.xlsx"
    result = run("solve", str(book), "-o", str(out), "--time-limit", "30", "--gap", "0")
    assert result.exit_code == 0, result.output
    assert "Status: optimal" in result.output
    assert "capability" in result.output and "Plan written to" in result.output
    assert digest(book) == before
    wb = openpyxl.load_workbook(out)
    for sheet in ("Summary", "Plan", "Spend", "Standards", "Capability", "Contributions", "Gantt"):
        assert sheet in wb.sheetnames
    summary = {r[0]: r[1] for r in wb["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["status"] == "optimal"
    assert summary["input_sha256"] == before[0]
    assert summary["objective"] == "lexicographic"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_solve_weighted_options_override_settings(tmp_path, book):
    out = tmp_path / "plan.xlsx"
    result = run("solve", str(book), "-o", str(out), "--weight", "capability=1", "--weight", "cost=10")
    assert result.exit_code == 0, result.output
    summary = {r[0]: r[1] for r in openpyxl.load_workbook(out)["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["objective"] == "weighted"
    assert summary["cost"] == 0  # at 10 per unit of cost nothing is worth buying
    # the Settings sheet says lexicographic: the switch is said, and the weights recorded
    assert "note: --weight makes this a weighted run (the Settings sheet says lexicographic)" in result.output
    assert summary["weights"] == "capability=1, cost=10"


def test_unknown_objective_is_a_usage_error(book, tmp_path):
    result = run("solve", str(book), "-o", str(tmp_path / "p.xlsx"), "--priority", "capability,happiness")
    assert result.exit_code == 2
    assert "happiness" in result.output


def test_infeasible_exits_4_and_writes_nothing(tmp_path):
    inputs = make_inputs(
        first_year=2030,
        last_year=2031,
        nations=[nation("POL")],
        budgets=260.0,
        programmes=[programme("P07", cost=410)],
        commitments=[("POL", "P07", "fund", 2030)],
    )
    book = tmp_path / "inf.xlsx"
    write_inputs(inputs, book)
    out = tmp_path / "plan.xlsx"
    result = run("solve", str(book), "-o", str(out))
    assert result.exit_code == EXIT_CODES["infeasible"] == 4
    assert "POL must fund P07 starting 2030" in result.output
    assert "POL's 2030 budget is 260.0 and P07 costs 410.0 that year" in result.output
    assert not out.exists()


def test_unwritable_output_is_never_lost(tmp_path, book, monkeypatch):
    """Simulate a file held open by Excel: the first save fails, the plan lands elsewhere."""
    from data import xlsx_io

    real = xlsx_io.save_atomically
    target = tmp_path / "plan.xlsx"

    def refuse_target(wb, path):
        if Path(path) == target:
            raise PermissionError(13, "Permission denied")
        return real(wb, path)

    monkeypatch.setattr(xlsx_io, "save_atomically", refuse_target)
    from data import report

    monkeypatch.setattr(report, "save_atomically", refuse_target, raising=False)
    result = run("solve", str(book), "-o", str(target))
    assert result.exit_code == 0, result.output
    assert "instead" in result.output
    written = [p for p in tmp_path.iterdir() if p.name.startswith("plan-") and p.suffix == ".xlsx"]
    assert len(written) == 1


def test_template_round_trip(tmp_path):
    out = tmp_path / "blank.xlsx"
    result = run("template", str(out))
    assert result.exit_code == 0, result.output
    assert "DataDictionary" in openpyxl.load_workbook(out).sheetnames


def test_pareto_command_writes_front(tmp_path, book, caplog):
    out = tmp_path / "front.xlsx"
    result = run("pareto", str(book), "-o", str(out), "--objectives", "capability,cost", "--points", "4")
    assert result.exit_code == 0, result.output
    assert "non-dominated plans" in result.output
    assert "Pareto" in openpyxl.load_workbook(out).sheetnames
    # the front's completeness is said once, on the "Front:" line: a log warning repeated it
    assert "not proven: grid mode" in next(line for line in result.output.splitlines() if line.startswith("Front:"))
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING and "Pareto front" in r.getMessage()]


def test_pareto_command_on_two_workers_writes_the_same_front(tmp_path, book):
    """--workers 2 shares the grid among two processes; the front's points are the same."""
    fronts = []
    for workers in ("1", "2"):
        out = tmp_path / f"front{workers}.xlsx"
        result = run(
            "pareto",
            str(book),
            "-o",
            str(out),
            "--objectives",
            "capability,cost",
            "--points",
            "4",
            "--workers",
            workers,
        )
        assert result.exit_code == 0, result.output
        wb = openpyxl.load_workbook(out, read_only=True)
        fronts.append(sorted(tuple(row[1:3]) for row in wb["Pareto"].iter_rows(min_row=2, values_only=True)))
        wb.close()
    assert len(fronts[0]) == len(fronts[1]) > 0
    for one, two in zip(*fronts):  # grid mode: equal within the subproblems' MIP gap
        assert two == pytest.approx(one, rel=1e-3)


def test_sweep_and_flexibility_commands(tmp_path, book):
    out = tmp_path / "sweep.xlsx"
    result = run(
        "sweep", str(book), "-o", str(out), "--budget-scale", "0.5:1.5:0.5", "--workers", "1", "--nations", "AAA"
    )
    assert result.exit_code == 0, result.output
    assert "budget ×0.5" in result.output and out.exists()
    assert "note: budgets scaled for AAA" in result.output  # the sweep's notes reach the terminal
    flex = tmp_path / "flex.xlsx"
    result = run("flexibility", str(book), "-o", str(flex), "--workers", "1")
    assert result.exit_code == 0, result.output
    assert "worth of flexible" in result.output and flex.exists()
    # the Solves table's gaps as the status line prints them (were raw fractions: 1.421085e-16)
    solves = result.output.split("lever", 1)[1].splitlines()[1:5]
    assert solves and all(("%" in line or "—" in line) and "e-" not in line for line in solves), solves


@pytest.mark.parametrize("bad", ["capability", "capability=lots"])
def test_malformed_weight_is_a_usage_error(book, tmp_path, bad):
    result = run("solve", str(book), "-o", str(tmp_path / "p.xlsx"), "--weight", bad)
    assert result.exit_code == 2
    assert "expected NAME=NUMBER" in result.output


def test_solve_with_improve_writes_a_verified_plan(tmp_path: Path) -> None:
    """`--improve SECONDS` (fix-and-optimise by nation before the full search) on the small
    example: same optimum at gap 0 as the plain solve, plan written."""
    book = Path(__file__).resolve().parents[2] / "examples" / "small" / "small.xlsx"
    plain, improved = tmp_path / "plain.xlsx", tmp_path / "improved.xlsx"
    assert run("solve", str(book), "-o", str(plain), "--gap", "0").exit_code == 0
    result = run("solve", str(book), "-o", str(improved), "--gap", "0", "--improve", "5")
    assert result.exit_code == 0, result.output
    capability = [line for line in result.output.splitlines() if line.strip().startswith("capability ")]
    plain_out = run("solve", str(book), "-o", str(plain), "--gap", "0").output
    assert capability == [line for line in plain_out.splitlines() if line.strip().startswith("capability ")]
    assert improved.exists()


def test_highs_option_is_applied_and_recorded_in_the_summary(tmp_path, book):
    out = tmp_path / "plan.xlsx"
    result = run(
        "solve",
        str(book),
        "-o",
        str(out),
        "--gap",
        "0",
        "--highs-option",
        "mip_lp_solver=ipm",
        "--highs-option",
        "mip_heuristic_effort=0.2",
    )
    assert result.exit_code == 0, result.output
    summary = {r[0]: r[1] for r in openpyxl.load_workbook(out)["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["status"] == "optimal"
    # the user's options first, then capopt's own choice for a model this small (highs_quirks)
    user, automatic = summary["solver_options"].split(", presolve_rule_off=")
    assert user == "mip_lp_solver=ipm, mip_heuristic_effort=0.2"
    assert automatic.startswith("4096 (automatic: ")


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("mip_lp_solver", "expected NAME=VALUE"),
        ("no_such=1", "no option 'no_such'"),
        ("mip_lp_solver=fast", "not one of its allowed values"),
        ("time_limit=10", "--time-limit"),
    ],
)
def test_bad_highs_option_is_a_usage_error_and_writes_nothing(book, tmp_path, bad, message):
    out = tmp_path / "p.xlsx"
    result = run("solve", str(book), "-o", str(out), "--highs-option", bad)
    assert result.exit_code == 2
    assert message in result.output and "--highs-option" in result.output
    assert not out.exists()


@pytest.mark.parametrize("strategy", ["lns", "rens", "highs"])
def test_strategy_is_applied_and_recorded_in_the_summary(tmp_path, book, strategy):
    out = tmp_path / f"{strategy}.xlsx"
    result = run("solve", str(book), "-o", str(out), "--strategy", strategy, "--workers", "1", "--gap", "0")
    assert result.exit_code == 0, result.output
    summary = {r[0]: r[1] for r in openpyxl.load_workbook(out)["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["strategy"].startswith(strategy)
    assert summary["status"] == "optimal"  # small model: the engine's run ends in a proof
    assert f"Search: {strategy}" in result.output


@pytest.mark.parametrize("command", ["sweep", "flexibility", "robustness"])
def test_a_studys_strategy_is_applied_to_every_scenario_and_recorded(tmp_path, book, command):
    """The studies searched every scenario as "auto" and had no --strategy; the Python
    API refused strategy= as an unknown option, though the points' solves took it."""
    out = tmp_path / f"{command}.xlsx"
    extra = {"sweep": ["--budget-scale", "0.9,1.0"], "robustness": ["--gammas", "0,1"]}.get(command, [])
    result = run(command, str(book), "-o", str(out), "--strategy", "lns", "--workers", "1", "--gap", "0", *extra)
    assert result.exit_code == 0, result.output
    summary = {r[0]: r[1] for r in openpyxl.load_workbook(out)["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["strategy"].startswith("lns"), summary["strategy"]  # one value: every scenario had it
    fastest = run(command, str(book), "-o", str(tmp_path / "x.xlsx"), "--strategy", "fastest")
    assert fastest.exit_code == 2 and "--strategy" in fastest.output


def test_a_replans_strategy_is_applied_and_recorded(tmp_path, book):
    plan, again = tmp_path / "plan.xlsx", tmp_path / "again.xlsx"
    assert run("solve", str(book), "-o", str(plan)).exit_code == 0
    result = run(
        "replan",
        str(book),
        "--previous",
        str(plan),
        "--from-year",
        "2031",
        "--strategy",
        "lns",
        "--workers",
        "1",
        "-o",
        str(again),
    )
    assert result.exit_code == 0, result.output
    summary = {r[0]: r[1] for r in openpyxl.load_workbook(again)["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["strategy"].startswith("lns")


def test_unknown_strategy_is_a_usage_error(book, tmp_path):
    result = run("solve", str(book), "-o", str(tmp_path / "x.xlsx"), "--strategy", "fastest")
    assert result.exit_code == 2 and "--strategy" in result.output


def test_points_ignored_by_an_exact_front_are_said_to_be(tmp_path, book):
    result = run(
        "pareto",
        str(book),
        "--objectives",
        "capability,cost",
        "--exact",
        "--points",
        "5",
        "-o",
        str(tmp_path / "front.xlsx"),
    )
    assert result.exit_code == 0, result.output
    assert "note: --points is ignored in exact mode" in result.output
    quiet = run("pareto", str(book), "--objectives", "capability,cost", "--exact", "-o", str(tmp_path / "f2.xlsx"))
    assert "--points is ignored" not in quiet.output


def test_template_never_replaces_an_existing_workbook_unless_forced(tmp_path, book):
    """`capopt template my.xlsx` typed for `validate my.xlsx` wiped a filled-in workbook."""
    before = digest(book)
    refused = run("template", str(book))
    assert refused.exit_code == 2 and "exists and would be replaced" in refused.output
    assert digest(book) == before
    forced = run("template", str(book), "--force")
    assert forced.exit_code == 0 and digest(book)[0] != before[0]


def test_a_front_records_its_input_file_for_stress_and_replan(tmp_path, book):
    out = tmp_path / "front.xlsx"
    assert run("pareto", str(book), "--objectives", "capability,cost", "--points", "3", "-o", str(out)).exit_code == 0
    summary = {r[0]: r[1] for r in openpyxl.load_workbook(out)["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["input_file"] == str(book)
    stressed = run("stress", str(out), "--point", "1", "--samples", "20", "-o", str(tmp_path / "s.xlsx"))
    assert stressed.exit_code == 0, stressed.output


def test_replan_and_stress_record_the_front_point_they_used(tmp_path, book):
    """Two stress or re-plan workbooks of different points of one front were told apart by nothing."""
    front = tmp_path / "front.xlsx"
    assert run("pareto", str(book), "--objectives", "capability,cost", "--points", "3", "-o", str(front)).exit_code == 0

    def summary(path):
        return {r[0]: r[1] for r in openpyxl.load_workbook(path)["Summary"].iter_rows(min_row=2, values_only=True)}

    new = tmp_path / "new.xlsx"
    replanned = run(
        "replan", str(book), "--previous", str(front), "--point", "1", "--from-year", "2031", "-o", str(new)
    )
    assert replanned.exit_code == 0, replanned.output
    assert summary(new)["previous_plan"] == f"{front} (point 1)"
    stressed = tmp_path / "stress.xlsx"
    assert run("stress", str(front), "--point", "2", "--samples", "20", "-o", str(stressed)).exit_code == 0
    assert summary(stressed)["plan_file"] == f"{front} (point 2)"


def test_replan_and_stress_record_the_plan_files_sha256(tmp_path, book):
    """They named the plan file by path alone (`previous_plan s1.xlsx`, `plan_file s1.xlsx`),
    which a plan saved again under the same name passes for: the file's SHA-256 is recorded
    as the input's is, and a stress Summary is dated as a plan's is."""

    def summary(path):
        return {r[0]: r[1] for r in openpyxl.load_workbook(path)["Summary"].iter_rows(min_row=2, values_only=True)}

    first, second = tmp_path / "s1.xlsx", tmp_path / "s2.xlsx"
    assert run("solve", str(book), "-o", str(first)).exit_code == 0
    assert run("solve", str(book), "--objective", "weighted", "-o", str(second)).exit_code == 0
    new = tmp_path / "new.xlsx"
    replanned = run("replan", str(book), "--previous", str(first), "--from-year", "2031", "-o", str(new))
    assert replanned.exit_code == 0, replanned.output
    assert summary(new)["previous_plan_sha256"] == digest(first)[0]
    stressed = tmp_path / "stress.xlsx"
    assert run("stress", str(first), "--samples", "20", "-o", str(stressed)).exit_code == 0
    facts = summary(stressed)
    assert (facts["plan_file"], facts["plan_sha256"]) == (str(first), digest(first)[0])
    assert "created_at" in summary(first) and str(facts["created_at"]).endswith("+00:00")
    assert {"python_version", "pyomo_version", "machine"} <= set(facts)  # what ran the numbers, as a plan says
    both = tmp_path / "both.xlsx"
    assert run("stress", str(first), str(second), "--samples", "20", "-o", str(both)).exit_code == 0
    facts = summary(both)
    assert (facts["plan_sha256:s1"], facts["plan_sha256:s2"]) == (digest(first)[0], digest(second)[0])


def test_stress_and_replan_warn_that_a_plan_was_made_from_changed_inputs(tmp_path, book):
    """A --robust 2 plan (or a what-if's) records input_changes; stress and replan judged it
    against the workbook as it is without a word (a robust plan re-planned as a nominal one)."""
    robust = tmp_path / "robust.xlsx"
    assert run("solve", str(book), "--robust", "2", "-o", str(robust)).exit_code == 0
    stressed = run("stress", str(robust), "--samples", "20", "-o", str(tmp_path / "stress.xlsx"))
    assert stressed.exit_code == 0, stressed.output
    assert "robust.xlsx was made from" in stressed.output and "robust_overruns=2" in stressed.output
    replanned = run(
        "replan", str(book), "--previous", str(robust), "--from-year", "2031", "-o", str(tmp_path / "new.xlsx")
    )
    assert replanned.exit_code == 0, replanned.output
    assert "changed after reading (Settings robust_overruns=2)" in replanned.output


def test_stress_says_how_far_from_proven_each_plan_was(tmp_path, book):
    """robust.md says the robust plan's unproven gap decides how to read a stress test, but
    the stress workbook named the plan files only: an 11 %-gap plan headlined as the winner."""

    def sheet(path, name):
        return {r[0]: r[1] for r in openpyxl.load_workbook(path)[name].iter_rows(min_row=2, values_only=True)}

    proven, rough = tmp_path / "proven.xlsx", tmp_path / "rough.xlsx"
    assert run("solve", str(book), "--gap", "0", "-o", str(proven)).exit_code == 0
    made = run("solve", str(book), "--gap", "0", "-o", str(rough))
    assert made.exit_code == 0
    wb = openpyxl.load_workbook(rough)
    rows = {r[0].value: r[1] for r in wb["Summary"].iter_rows(min_row=2) if r[0].value in ("status", "gap")}
    rows["status"].value, rows["gap"].value = "feasible", 0.1136  # as a 60-s robust plan was
    wb.save(rough)
    both = tmp_path / "both.xlsx"
    assert (
        run("stress", str(proven), str(rough), "--allow-other-input", "--samples", "20", "-o", str(both)).exit_code == 0
    )
    facts = sheet(both, "Summary")
    assert str(facts["plan_proof:proven"]).startswith("optimal, gap 0 %")
    assert str(facts["plan_proof:rough"]).startswith("feasible, gap 11.36 %")
    dashboard = " ".join(
        str(c) for r in openpyxl.load_workbook(both)["Dashboard"].iter_rows(values_only=True) for c in r if c
    )
    assert "not proven: rough (feasible, gap 11.36 %" in dashboard and "not proven: proven" not in dashboard
