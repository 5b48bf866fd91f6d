"""The studies called from Python check their arguments as `Scenario.solve` does: before any
solve, naming the argument and what was expected (replan, price_of_robustness, stress_test /
compare_stress, budget_sweep / sweep). Each test failed before its fix."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from data.errors import InputError
from optimizer import Scenario, sweep
from optimizer.session import Session
from optimizer.studies.flexibility import flexibility_value
from optimizer.studies.replan import replan
from optimizer.studies.robustness import price_of_robustness
from optimizer.studies.stress import compare_stress, stress_test
from optimizer.studies.sweeps import budget_sweep
from tests.optimizer.conftest import make_inputs, nation, plan, programme, three_programmes
from tests.optimizer.studies.conftest import small


class Solved(Exception):
    """Raised by a guarded Session: an argument error must come before any model is built."""


@pytest.fixture()
def no_solve(monkeypatch) -> None:
    def refuse(self, *args, **kwargs):
        raise Solved("a model was built before the arguments were checked")

    monkeypatch.setattr(Session, "__init__", refuse)


@pytest.fixture()
def scenario() -> Scenario:
    """2030–2033, one ally with 6 a year; P, Q, R cost 6 and are worth 1, 2, 3 a year."""
    return Scenario(three_programmes(), name="small")


PREVIOUS = plan(national={("A", "P"): 2030, ("A", "Q"): 2031, ("A", "R"): 2032})


# --- replan -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"time_limit": -3}, "time_limit is -3 — expected a finite number > 0"),
        ({"gap": 2}, "gap is 2 — expected a fraction below 1"),
        ({"threads": 0}, "threads is 0 — expected a whole number ≥ 1"),
        ({"priority": "capability"}, "priority is 'capability' — expected a list"),
        ({"priority": ["bogus"]}, "priority names 'bogus', which is not an objective"),
        ({"progress": 5}, "progress is int — expected a function"),
        ({"strategy": "fastest"}, "unknown strategy 'fastest': expected one of"),
        ({"workers": 0}, "workers is 0 — expected a whole number ≥ 1"),
    ],
)
def test_replan_refuses_bad_run_options_before_the_build(scenario, no_solve, kwargs, message) -> None:
    """time_limit=-3 ran (Summary time_limit -3.0), gap=2 returned "optimal" with mip_gap
    2.0, threads=0 was accepted, and a bare or unknown priority was Pyomo's KeyError."""
    with pytest.raises(ValueError, match=message):
        replan(scenario, PREVIOUS, 2031, **kwargs)


@pytest.mark.parametrize("year", [2029.5, "2029", True])
def test_replan_refuses_a_from_year_that_is_no_whole_year(scenario, no_solve, year) -> None:
    """2029.5 ran (Summary replan_from_year 2029.5); "2029" was TypeError '<=' not supported."""
    with pytest.raises(ValueError, match=f"from_year is {year!r} — expected a whole year"):
        replan(scenario, PREVIOUS, year)


def test_replan_outside_the_horizon_names_the_python_argument(scenario, no_solve) -> None:
    """Python has no --from-year flag; the CLI refuses its flag itself (tests/cli)."""
    with pytest.raises(InputError, match="from_year 2040 is outside the horizon 2030–2033") as caught:
        replan(scenario, PREVIOUS, 2040)
    assert "--from-year" not in str(caught.value)


def test_replan_history_conflicts_name_both_spellings_of_the_year() -> None:
    """A commitment the history breaks is reached from the CLI and Python alike."""
    inputs = make_inputs(
        first_year=2030,
        last_year=2033,
        nations=[nation("A")],
        budgets=6.0,
        programmes=[programme("P", 1, 6)],
        commitments=[("A", "P", "exclude")],
    )
    with pytest.raises(InputError, match="--from-year on the command line, from_year in Python"):
        replan(Scenario(inputs), plan(national={("A", "P"): 2030}), 2031)


def test_replan_with_weights_alone_is_a_weighted_run(scenario) -> None:
    """As in Scenario.solve: the Settings' lexicographic run used to ignore the weights."""
    outcome = replan(scenario, PREVIOUS, 2031, 0.6, weights={"capability": 1}, gap=0.0)
    assert outcome.result.objective_mode == "weighted"
    assert outcome.result.decisions.national == PREVIOUS.national  # 1 point for 2 changes at 0.6: no


@pytest.mark.parametrize("strategy", ["highs", "lns"])
def test_replan_takes_the_search_as_solve_does(scenario, strategy) -> None:
    """A re-plan searched as "auto" only: the engine issue lists replan among the commands
    whose search `--strategy` forces."""
    outcome = replan(scenario, PREVIOUS, 2031, 1.0, gap=0.0, strategy=strategy, workers=1)
    assert outcome.result.strategy.startswith(strategy)
    assert dict(outcome.summary_rows())["strategy"].startswith(strategy)


def test_replan_takes_a_result_or_a_plan_workbook(scenario, tmp_path) -> None:
    """Both failed as AttributeError "... no attribute 'funded'". A workbook is read as
    `capopt replan --previous` reads it, and its path and SHA-256 go to the Summary."""
    solved = scenario.solve(gap=0.0)
    from_result = replan(scenario, solved, 2031, 1.0, gap=0.0)
    assert from_result.previous == solved.decisions and from_result.changes.empty
    path = solved.to_excel(tmp_path / "plan.xlsx")
    from_file = replan(scenario, path, 2031, 1.0, gap=0.0)
    assert from_file.previous == solved.decisions and from_file.changes.empty
    summary = dict(from_file.summary_rows())
    assert summary["previous_plan"] == str(path) and len(summary["previous_plan_sha256"]) == 64


def test_replan_says_what_it_accepts(scenario, no_solve) -> None:
    with pytest.raises(TypeError, match="previous is dict — expected the previous plan: a Result, its decisions"):
        replan(scenario, {"A": "P"}, 2031)
    with pytest.raises(TypeError, match=r"scenario is Inputs — expected a Scenario: Scenario\(inputs\)"):
        replan(scenario.inputs, PREVIOUS, 2031)
    with pytest.raises(ValueError, match="point is 2 — expected it only with previous given as"):
        replan(scenario, PREVIOUS, 2031, point=2)


# --- price_of_robustness -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"gammas": [0, 1.5]}, ValueError, "gammas holds 1.5 — expected whole numbers ≥ 0"),
        ({"gammas": "0,1"}, ValueError, "gammas is '0,1' — expected a list"),
        ({"time_limit": -1}, ValueError, "time_limit is -1"),
        ({"gap": 3}, ValueError, "gap is 3 — expected a fraction below 1"),
        ({"workers": 0}, ValueError, "workers is 0 — expected a whole number ≥ 1"),
        ({"priority": "capability"}, ValueError, "priority is 'capability' — expected a list"),
        ({"monotone": "no"}, ValueError, "monotone is 'no' — expected True or False"),
        ({"time_limt": 5}, TypeError, r"unknown option\(s\) time_limt — expected some of .*time_limit"),
        ({"strategy": "fastest"}, ValueError, "unknown strategy 'fastest': expected one of"),
    ],
)
def test_price_of_robustness_checks_its_arguments_before_any_solve(scenario, no_solve, kwargs, error, message) -> None:
    """[0, 1.5] ran Γ = 0 and 1 via int(); the run options went unchecked; a misspelt one
    was "Session.run() got an unexpected keyword argument"; priority="capability" KeyError 'c'."""
    with pytest.raises(error, match=message):
        price_of_robustness(scenario, **{"gammas": [0], "workers": 1, **kwargs})


def test_price_of_robustness_with_weights_alone_is_weighted(scenario) -> None:
    report = price_of_robustness(scenario, [0], workers=1, weights={"capability": 1}, gap=0.0)
    assert report.sweep.points[0].result.objective_mode == "weighted"
    assert report.bound_objective == "weighted"


# --- stress_test / compare_stress --------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"seed": None}, "seed is None — expected a whole number ≥ 0"),
        ({"seed": -1}, "seed is -1 — expected a whole number ≥ 0"),
        ({"samples": 1.5}, r"samples must be from 1 to 100,000 \(a whole number"),
        ({"samples": "100"}, "samples must be from 1 to 100,000 .*got '100'"),
        ({"overrun_probability": "0.5"}, r"overrun_probability must be a number in \[0, 1\], got '0.5'"),
    ],
)
def test_stress_refuses_bad_arguments_naming_them(scenario, kwargs, message) -> None:
    """seed=None drew from the OS (blank seed in the Summary: not repeatable); the others
    failed inside numpy or as TypeError."""
    with pytest.raises(ValueError, match=message):
        stress_test(scenario.inputs, PREVIOUS, **{"samples": 10, **kwargs})
    with pytest.raises(ValueError, match=message):
        compare_stress(scenario.inputs, {"plan": PREVIOUS}, **{"samples": 10, **kwargs})


def test_stress_takes_a_scenario_and_a_result(scenario) -> None:
    """Both failed as AttributeError; numpy integers still count as whole numbers."""
    solved = scenario.solve(gap=0.0)
    expected = stress_test(scenario.inputs, solved.decisions, samples=50, seed=4)
    given = stress_test(scenario, solved, samples=np.int64(50), seed=np.int64(4))
    assert given.by_nation.equals(expected.by_nation) and (given.samples, given.seed) == (50, 4)
    compared = compare_stress(scenario, {"plan": solved}, samples=50, seed=4)
    assert compared.reports["plan"].by_nation.equals(expected.by_nation)


def test_stress_says_what_it_accepts(scenario) -> None:
    with pytest.raises(TypeError, match=r"plans holds PlanDecisions — expected \{label: decisions\}"):
        compare_stress(scenario.inputs, [PREVIOUS], samples=10)
    with pytest.raises(TypeError, match="decisions is int — expected a plan's PlanDecisions"):
        stress_test(scenario.inputs, 7, samples=10)
    with pytest.raises(InputError, match="plan.xlsx: file not found"):  # a path is read as capopt stress reads it
        stress_test(scenario.inputs, "plan.xlsx", samples=10)
    with pytest.raises(TypeError, match="inputs is str — expected the Inputs"):
        stress_test("my.xlsx", PREVIOUS, samples=10)


# --- budget_sweep / sweep ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"chain_length": -1}, "chain_length is -1 — expected a whole number ≥ 1"),
        ({"chain_length": 0}, "chain_length is 0 — expected a whole number ≥ 1"),
        ({"chain_length": 1.5}, "chain_length is 1.5 — expected a whole number ≥ 1"),
        ({"chain_length": "3"}, "chain_length is '3' — expected a whole number ≥ 1"),
        ({"progress": 5}, "progress is int — expected a function"),
        ({"monotone": "no"}, "monotone is 'no' — expected True or False"),
        ({"reuse_model": "no"}, "reuse_model is 'no' — expected True or False"),
    ],
)
def test_budget_sweep_checks_its_own_options_before_any_solve(scenario, no_solve, kwargs, message) -> None:
    """chain_length=-1 returned an empty Sweep, 0 and 1.5 failed inside; progress=5 failed
    after the points were solved, losing them; "no" was a true value."""
    with pytest.raises(ValueError, match=message):
        scenario.budget_sweep([0.9, 1.0], workers=1, **kwargs)


def test_sweep_refuses_scenarios_that_share_a_name(scenario, no_solve) -> None:
    """Two rows named "small", and a Plans sheet mixing both plans under that name."""
    with pytest.raises(ValueError, match="more than one named 'small' — expected distinct names: .*name="):
        sweep([scenario, scenario.with_budget(0.5, name="small")], workers=1)
    with pytest.raises(ValueError, match="progress is int — expected a function"):
        sweep([scenario, scenario.with_budget(0.5)], workers=1, progress=5)


def test_a_sweep_with_no_point_solved_still_records_its_workbook(tmp_path):
    """Every scenario infeasible: the Summary's input_file and input_sha256 were blank."""
    from optimizer.studies.sweeps import Sweep, SweepPoint

    scenario = Scenario.from_excel(Path(__file__).resolve().parents[3] / "examples" / "small" / "small.xlsx")
    empty = Sweep(
        [SweepPoint("budget ×0.1", 0.1, None, "infeasible", 0.0)],
        "budget_scale",
        True,
        0.0,
        source=scenario.inputs.source,
    )
    rows = dict(empty.summary_rows())
    assert rows["input_file"] == scenario.inputs.source.path and rows["input_sha256"] == scenario.inputs.source.sha256


def test_a_plan_workbook_stressed_from_python_is_read_as_the_cli_reads_it(tmp_path):
    """A plan made from budgets ×0.6, read back and stressed against the full budgets, was
    judged without a word; the CLI warns. A path is now read and checked the same way."""
    import logging

    from optimizer.studies.stress import stress_test

    scenario = Scenario.from_excel(Path(__file__).resolve().parents[3] / "examples" / "small" / "small.xlsx")
    cut = scenario.with_budget(0.6).solve(time_limit=20, threads=1)
    path = cut.to_excel(tmp_path / "cut.xlsx")
    said = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            said.append(record.getMessage())

    log = logging.getLogger("optimizer.studies.stress")
    keep, level = Keep(logging.WARNING), log.level
    log.addHandler(keep)
    log.setLevel(logging.WARNING)
    try:
        from_file = stress_test(scenario.inputs, str(path), samples=50, seed=1)
    finally:
        log.removeHandler(keep)
        log.setLevel(level)
    assert any("budgets ×0.6" in message for message in said)
    assert from_file.by_nation.equals(stress_test(scenario.inputs, cut, samples=50, seed=1).by_nation)


# --- study functions called directly ------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda s: budget_sweep(s, [0.9], time_limit=-5), ValueError, "time_limit"),
        (lambda s: budget_sweep(s, [0.9], gap=3), ValueError, "gap"),
        (lambda s: budget_sweep(s, []), ValueError, "expected a non-empty list of budget factors"),
        (lambda s: budget_sweep(s, [0.9], time_limt=5), TypeError, "unknown option"),
        (lambda s: budget_sweep(s, [0.9], nations=["ZZZ"]), InputError, "ZZZ"),
        (lambda s: flexibility_value(s, carry_over_fraction=-0.1), ValueError, "carry_over_fraction"),
        (lambda s: flexibility_value(s, time_limt=5), TypeError, "unknown option"),
        (lambda s: price_of_robustness(s.inputs, [0, 1]), TypeError, "expected a Scenario"),
        (lambda s: budget_sweep(s.inputs, [0.9]), TypeError, "expected a Scenario"),
    ],
)
def test_study_functions_called_directly_check_as_the_scenario_methods_do(call, error, message) -> None:
    """Called directly, `budget_sweep(time_limit=-5, gap=3)` was solved as given, `[]` was an
    IndexError, `time_limt` a TypeError from inside Session.run, and `price_of_robustness`
    of an Inputs an AttributeError (audit of the Python API)."""
    with pytest.raises(error, match=message):
        call(small())
