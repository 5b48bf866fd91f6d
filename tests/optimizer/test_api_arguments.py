"""The Python API refuses what it cannot use, naming the argument and what was expected,
before anything is built or solved — as the command line's options do. Each case below used
to run on (a NaN budget, a lexicographic run that ignored its weights, `points=0` running
the Settings' count) or to fail deep inside (Pyomo's KeyError, an IndexError, a TypeError
from `Session.run` in every worker)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from data.errors import InputError
from optimizer import Scenario
from tests.optimizer.conftest import make_inputs, nation, programme, two_nations

SMALL = Path(__file__).resolve().parents[2] / "examples" / "small" / "small.xlsx"


def two_programmes(**settings: object) -> Scenario:
    """Budget 10 a year for one nation; P1 (cost 6, value 5) and P2 (cost 6, value 4): one fits."""
    return Scenario(
        make_inputs(
            first_year=2030,
            last_year=2031,
            nations=[nation("A")],
            budgets=10.0,
            programmes=[programme("P1", cost=6), programme("P2", cost=6)],
            values={("P1", "air"): 5.0, ("P2", "air"): 4.0},
            **settings,
        )
    )


@pytest.fixture(scope="module")
def small() -> Scenario:
    return Scenario.from_excel(SMALL)


# --- what-ifs ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs, named",
    [
        ({"scale": float("nan")}, "budget scale is nan"),
        ({"scale": float("inf")}, "budget scale is inf"),
        ({"scale": "0.9"}, "budget scale is '0.9'"),
        ({"nations": "A"}, "nations is 'A'"),  # was read letter by letter
        ({"years": 2030}, "years is 2030"),  # was "'int' object is not iterable"
        ({"years": [2030.5]}, "a year is 2030.5"),  # was silently 2030
        ({"add": {"A": float("nan")}}, "add['A'] is nan"),
        ({"add": {("A",): 1.0}}, "add key ('A',)"),  # was IndexError
        ({"add": [("A", 1.0)]}, "add is list"),  # was AttributeError
    ],
)
def test_with_budget_refuses_arguments_it_cannot_use(kwargs, named):
    scenario = two_programmes()
    with pytest.raises(
        InputError,
        match="what-if: " + named.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[").replace("]", r"\]"),
    ):
        scenario.with_budget(**kwargs)
    assert scenario.inputs.budgets == two_programmes().inputs.budgets  # nothing changed


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"carry_over_fraction": "x"}, 'carry_over_fraction is "x" — expected a number'),
        ({"carry_over_fraction": -1}, "carry_over_fraction is -1"),
        ({"mip_gap": float("nan")}, "mip_gap is"),
        ({"objective": "bogus"}, 'objective is "bogus" — expected one of lexicographic, weighted, pareto'),
        ({"time_limit_seconds": -5}, "time_limit_seconds is -5"),
        ({"priority": ["cost", "speed"]}, "priority names 'speed', which is not an objective"),
        ({"priority": ["cost", "COST"]}, "priority names cost twice"),
        ({"weights": {"capability": -1}}, "weight of capability is -1"),
        ({"last_year": 2040}, "last_year 2040: the horizon is the workbook's"),
        ({"objective": "pareto", "pareto_objectives": ["cost"]}, "pareto_objectives names 1 objective"),
    ],
)
def test_with_settings_applies_the_settings_sheets_rules(changes, message):
    with pytest.raises(InputError, match=message):
        two_programmes().with_settings(**changes)


def test_with_settings_reads_values_as_the_sheet_does():
    changed = two_programmes().with_settings(objective="Weighted", priority="Capability, cost", mip_gap="0.05")
    assert changed.inputs.settings.objective == "weighted"
    assert changed.inputs.settings.priority == ("capability", "cost")
    assert changed.inputs.settings.mip_gap == 0.05


def test_a_planning_cycle_that_forbids_a_committed_start_is_refused():
    """Every 2nd year from 2030: a commitment to start in 2031 can no longer be honoured, and
    the workbook path would refuse that pair of inputs."""
    scenario = two_programmes().with_commitment("A", "P1", start_year=2031)
    with pytest.raises(InputError, match="A is committed to start P1 in 2031"):
        scenario.with_settings(planning_cycle_years=2)


def test_with_commitment_reads_action_and_year_as_the_commitments_sheet_does():
    scenario = two_programmes()
    funded = scenario.with_commitment("A", "P1", action="Fund", start_year=2030.0)
    assert [(c.action, c.start_year) for c in funded.inputs.commitments] == [("fund", 2030)]
    with pytest.raises(InputError, match="start_year is '2030'"):  # was "P1 cannot start in 2030"
        scenario.with_commitment("A", "P1", start_year="2030")
    with pytest.raises(InputError, match="start_year 2030 on an exclude commitment"):
        scenario.with_commitment("A", "P1", action="exclude", start_year=2030)
    assert scenario.inputs.commitments == ()


# --- solve ------------------------------------------------------------------------------
def test_weights_alone_make_the_run_weighted():
    """Settings say lexicographic. Weight 1 on capability and 1 on cost: P1 (5 for 6) is not
    worth it, so the weighted plan is empty; the ignored weights used to fund P1."""
    result = two_programmes().solve(weights={"capability": 1, "cost": 1}, gap=0, time_limit=20)
    assert result.objective_mode == "weighted"
    assert result.plan.empty


def test_priority_names_are_read_as_the_workbook_spells_them():
    result = two_programmes().solve(priority=["Capability", "cost"], gap=0, time_limit=20)
    assert result.priority == ("capability", "cost")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"priority": ["bogus"]}, "priority names 'bogus', which is not an objective"),  # was KeyError
        ({"priority": "capability,cost"}, "priority is 'capability,cost' — expected a list"),
        ({"weights": {"bogus": 1}}, "weights names 'bogus'"),  # was accepted and ignored
        ({"weights": {"capability": "x"}}, "weight of capability is 'x'"),
        ({"weights": {"capability": 1}, "objective": "lexicographic"}, "weights would be ignored"),
        ({"weights": {"capability": 1}, "priority": ["cost"]}, "expected one of them"),
        ({"objective": "pareto"}, "a front is Scenario.pareto()"),
        ({"time_limit": -1}, "time_limit is -1 — expected a finite number > 0"),
        ({"time_limit": "5"}, "time_limit is '5'"),
        ({"gap": -0.1}, "gap is -0.1"),
        ({"gap": 2}, "gap is 2 — expected a fraction below 1"),  # was "optimal", Summary mip_gap 2.0
        ({"gap": 1.0}, "gap is 1.0 — expected a fraction below 1"),
        ({"threads": 0}, "threads is 0 — expected a whole number ≥ 1"),
        ({"workers": 0}, "workers is 0"),
        ({"improve_seconds": -1}, "improve_seconds is -1"),
        ({"warm_start": "plan.xlsx"}, "warm_start is str"),  # was AttributeError in models/
    ],
)
def test_solve_refuses_arguments_it_cannot_use(kwargs, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        two_programmes().solve(**kwargs)


# --- studies ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"objectives": ["capability", "bogus"]}, "objectives names 'bogus', which is not an objective"),
        ({"objectives": "capability,cost"}, "objectives is 'capability,cost' — expected a list"),
        ({"objectives": ["capability", "capability"]}, "objectives names capability twice"),
        ({"objectives": ["capability"]}, "expected two or more"),
        ({"points": 0}, "points is 0 — expected a whole number ≥ 2"),
        ({"points": 2.5}, "points is 2.5"),
        ({"workers": 0}, "workers is 0"),
        ({"nadir": {"risk": 5}}, "nadir names 'risk'"),  # was silently ignored
        ({"time_limit": -5}, "time_limit is -5"),
    ],
)
def test_pareto_refuses_arguments_it_cannot_use(small, kwargs, message):
    args = {"objectives": ["capability", "cost"], "points": 3, "time_limit": 20, **kwargs}
    with pytest.raises(ValueError, match=message):
        small.pareto(**args)


def test_pareto_reads_objective_names_as_the_workbook_spells_them(small):
    front = small.pareto(objectives=["Capability", "COST"], points=3, time_limit=20)
    assert list(front.objectives) == ["capability", "cost"]


def test_a_studys_options_are_checked_before_any_solve(small):
    with pytest.raises(TypeError, match="unknown option\\(s\\) time_limt — expected some of .*time_limit"):
        small.budget_sweep([0.9], time_limt=5)
    with pytest.raises(TypeError, match="unknown option\\(s\\) time_limt"):
        small.flexibility_value(time_limt=5)
    with pytest.raises(ValueError, match="scales is \\[\\]"):  # was IndexError
        small.budget_sweep([])
    with pytest.raises(ValueError, match="scale nan"):
        small.budget_sweep([0.9, float("nan")])
    with pytest.raises(ValueError, match="each budget factor once"):  # one scenario solved three times
        small.budget_sweep([1, 1.0, 1])
    with pytest.raises(ValueError, match="time_limit is 0"):
        small.budget_sweep([0.9], time_limit=0)
    with pytest.raises(ValueError, match="carry_over_fraction is -1 — expected a fraction from 0 to 1"):
        small.flexibility_value(carry_over_fraction=-1)  # was a garbled PlanVerificationError


def test_a_studys_weights_make_its_runs_weighted(small):
    sweep = small.budget_sweep([1.0], weights={"capability": 1}, time_limit=20, workers=1)
    assert sweep.points[0].result.objective_mode == "weighted"


# --- comparisons ------------------------------------------------------------------------
def test_a_comparison_keeps_start_years_whole(small):
    base = small.solve(time_limit=20)
    cut = small.with_budget(scale=0.7).solve(time_limit=20)
    comparison = base.compare(cut)
    assert not comparison.changes.empty
    assert str(comparison.changes["base_start"].dtype) == "Int64"
    assert str(comparison.changes["other_start"].dtype) == "Int64"
    assert ".0" not in str(comparison).split("Plan changes:")[1]  # 2030, not 2030.0
    assert comparison.by_nation().columns.name is None
    assert list(comparison.by_nation().columns) == ["nation", "gained", "lost", "moved"]


def test_a_comparison_says_how_far_each_plan_is_from_proven(small):
    """Two 15-s reference solves showed a budget cut gaining 22,893 capability, the base plan
    134 % from its bound, and the comparison said nothing of it."""
    proven = small.solve(time_limit=20)
    cut = small.with_budget(scale=0.7).solve(time_limit=20)
    both = proven.compare(cut)
    assert list(both.proofs["plan"]) == ["base", "other"] and set(both.proofs["status"]) == {"optimal"}
    assert list(both.proofs["gap"]) == [proven.gap, cut.gap] and both.caveat == ""
    unproven = replace(cut, status="feasible", gap=0.4)
    caveat = proven.compare(unproven).caveat
    assert caveat.startswith("not proven: other (feasible, gap 40 %)") and "solver's" in caveat
    # rounded up as every status line rounds a gap: "53.16%" (rounded down) stood beside "53.17 %"
    assert "gap 53.17 %" in proven.compare(replace(cut, status="feasible", gap=0.531601)).caveat
    assert "Note: not proven" in str(proven.compare(unproven))


def test_a_comparison_needs_another_result_or_a_plan_workbook(small):
    result = small.solve(time_limit=20)
    with pytest.raises(TypeError, match="other is int — expected a Result, .* or a plan workbook's path"):
        result.compare(3)  # was AttributeError: no 'objectives'
    with pytest.raises(InputError, match="no-such-plan.xlsx: file not found"):
        result.compare("no-such-plan.xlsx")
    with pytest.raises(ValueError, match="point picks a plan of a front workbook"):
        result.compare(result, point=2)


def test_a_point_is_refused_for_a_plan_that_is_no_front(small, tmp_path):
    """`result.compare("plan.xlsx", point=2)` ignored the point without a word, and
    `compare_plan_files(..., point=True)` ran as point 1."""
    from optimizer.compare import compare_plan_files

    result = small.solve(time_limit=20)
    plan = result.to_excel(tmp_path / "plan.xlsx")
    with pytest.raises(ValueError, match="point is 2 but plan.xlsx is a plan, not a Pareto front"):
        result.compare(plan, point=2)
    with pytest.raises(ValueError, match="point is True — expected a front point's number"):
        compare_plan_files(plan, plan, small.inputs, point=True)
    with pytest.raises(ValueError, match="other_point is 2 but plan.xlsx is a plan, not a Pareto front"):
        compare_plan_files(plan, plan, small.inputs, other_point=2)
    with pytest.raises(ValueError, match="point is 2 but neither file is a Pareto front"):  # was ignored
        compare_plan_files(plan, plan, small.inputs, point=2)


# --- comparisons with a plan workbook (last cycle's plan, a colleague's run) ------------------
def test_a_plan_workbook_compares_as_the_result_it_was_written_from(small, tmp_path):
    result = small.solve(time_limit=20)
    comparison = result.compare(result.to_excel(tmp_path / "plan.xlsx"))
    assert comparison.changes.empty and comparison.notes == () and comparison.caveat == ""
    assert list(comparison.objectives["change"]) == [0.0] * len(comparison.objectives)
    other = comparison.proofs.iloc[1]
    assert (other["plan"], other["status"], other["gap"], other["gap_of"]) == ("other", "optimal", result.gap, "cost")
    assert list(comparison.proofs["rules"]) == ["keeps every rule"] * 2


def test_a_plan_workbook_of_other_budgets_is_priced_on_these_and_its_broken_rules_named(small, tmp_path):
    """A plan made for the full budgets, compared under a 20 % cut: its objectives are what it
    achieves here, and the reader is told it was made from the file as read and no longer fits."""
    plan = small.solve(time_limit=20).to_excel(tmp_path / "full.xlsx")
    cut = small.with_budget(scale=0.8).solve(time_limit=20)
    comparison = cut.compare(plan)
    assert not comparison.changes.empty
    assert comparison.notes[0].startswith("these inputs are small.xlsx changed after reading (budgets ×0.8)")
    assert comparison.notes[1].startswith("full.xlsx breaks 3 rules of these inputs, e.g. Nation ALPHA in 2027")
    assert list(comparison.proofs["rules"]) == ["keeps every rule", "breaks 3 rules"]  # beside its status
    assert "Note: these inputs are small.xlsx changed" in str(comparison)


def test_a_plan_workbook_of_another_dataset_is_an_input_error_naming_its_cells(small, tmp_path):
    plan = two_programmes().solve(time_limit=10).to_excel(tmp_path / "other.xlsx")
    with pytest.raises(InputError, match=r"\[other.xlsx\]Plan!"):
        small.solve(time_limit=20).compare(plan)


# --- coefficients too large for the solver, in a run's own choice -------------------------
# two_programmes: P1 (value 5) completed in 2030 serves 2031: 1 in-service year.
def test_solve_refuses_weights_whose_products_the_solver_cannot_take():
    """weights={"capability": 1e15} passed every check and ran: on the reference dataset
    the greedy plan came back "feasible, gap 75 %"; the workbook path refused the same."""
    with pytest.raises(
        ValueError,
        match=r"value 5 \(Values P1, air\) × 1 in-service years × weights\['capability'\] = "
        r"1e\+15 is 5e\+15 in the weighted objective, too large for the solver",
    ):
        two_programmes().solve(weights={"capability": 1e15})


def test_a_studys_weights_are_judged_as_solves_are(small):
    with pytest.raises(ValueError, match="too large for the solver"):
        small.budget_sweep([1.0], weights={"capability": 1e15})


def test_settings_weights_put_to_use_by_objective_weighted_are_judged():
    """Settings weights are judged only when the Settings run is weighted; objective= or
    with_settings(objective=) that puts them to use is judged then."""
    scenario = two_programmes(objective="lexicographic", weights={"capability": 1e15})
    with pytest.raises(ValueError, match=r"weights\['capability'\] = 1e\+15 is 5e\+15"):
        scenario.solve(objective="weighted")
    with pytest.raises(
        InputError,
        match=r"what-if: value 5 \(Values P1, air\) × 1 in-service years × "
        r"weight_capability 1e\+15 is 5e\+15 in the weighted objective",
    ):
        scenario.with_settings(objective="weighted")


def test_weights_under_the_bound_pass_the_judgement():
    assert two_programmes().objective_size_problem("weighted", None, {"capability": 1e14}) is None
    assert two_programmes().solve(weights={"capability": 1e14}, time_limit=10).objective_mode == "weighted"


def test_a_fronts_own_objectives_are_judged():
    """A risk coefficient of 1e16 (risk 1e4 × cost 1e12) is no error while the workbook's run
    leaves risk out; a front that puts risk to use is refused before anything is built."""
    scenario = Scenario(
        make_inputs(
            first_year=2030,
            last_year=2031,
            nations=[nation("A")],
            budgets=10.0,
            programmes=[replace(programme("P1", cost=1e12), cost_overrun_risk=1e4), programme("P2", cost=6)],
            values={("P1", "air"): 5.0, ("P2", "air"): 4.0},
        )
    )
    with pytest.raises(
        ValueError,
        match=r"cost_overrun_risk 10000 \(Programmes P1\) × total_cost 1e\+12 \(Programmes P1\) is 1e\+16 in the risk objective",
    ):
        scenario.pareto(objectives=["capability", "risk"])
    assert scenario.objective_size_problem("pareto", ["capability", "cost"]) is None


# --- solve's own arguments ----------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"weights": {}}, "weights is {} — expected at least one objective with a weight > 0"),  # ran lexicographic
        ({"weights": {"capability": 0}}, "expected at least one objective with a weight > 0"),
        ({"weights": {"CAPABILITY": 1, "capability": 2}}, "weights names capability twice"),  # one kept silently
        ({"solver": 3}, "solver is 3 — expected a solver name"),  # was AttributeError
        ({"highs_options": [("mip_lp_solver", "simplex")]}, "highs_options is list"),  # was AttributeError
        ({"log_file": 3}, "log_file is 3 — expected a file path"),  # wrote to file descriptor 3
        ({"progress": 3}, "progress is int — expected a function"),  # was "HiGHS failed"
        ({"client": 3}, "client is int — expected a dask.distributed.Client"),  # silently ignored
    ],
)
def test_solve_names_the_argument_before_anything_is_built(kwargs, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        two_nations().solve(time_limit=5, **kwargs)


def test_numpy_and_whole_float_counts_are_ints():
    """threads=np.int64(1) was refused as "not a whole number"; workers=2.0 passed the check
    and failed inside as "'float' object cannot be interpreted as an integer"."""
    assert two_nations().solve(time_limit=20, gap=0, threads=np.int64(1)).threads == 1
    assert two_nations().solve(time_limit=20, gap=0, objective="Weighted").objective_mode == "weighted"
