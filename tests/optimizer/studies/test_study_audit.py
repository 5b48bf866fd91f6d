"""Study functions used as a planner would (audit): arguments that were accepted and meant
nothing, and notes that blamed the wrong cause."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from data.errors import InputError
from optimizer import Scenario
from optimizer.studies.flexibility import flexibility_value
from optimizer.studies.pareto import pareto_front
from optimizer.studies.replan import replan
from optimizer.studies.robustness import price_of_robustness
from optimizer.studies.sweeps import Sweep, SweepPoint, budget_sweep, parse_range, tolerance_notes
from tests.optimizer.conftest import make_inputs, nation, plan, programme


def small() -> Scenario:
    """One nation, two programmes, 2030–2031: every study solves it at once."""
    return Scenario(
        make_inputs(
            first_year=2030,
            last_year=2031,
            nations=[nation("AAA")],
            budgets=10.0,
            programmes=[programme("P1", cost=6), programme("P2", cost=3)],
            values={("P1", "air"): 5.0, ("P2", "air"): 1.0},
        )
    )


@pytest.mark.parametrize("weight", [float("nan"), float("inf"), 1e16, 1e300])
def test_replan_refuses_a_stability_weight_that_is_not_a_finite_number(weight: float) -> None:
    """NaN passed the `< 0` check (every comparison with NaN is false) and went into the model
    and the Summary; the command line refuses both, and so must the function. Weights from
    1e16 on came back "optimal" with gaps of 4 % to 6e+298 % for a plan that kept everything."""
    previous = plan(national={("AAA", "P1"): 2030})
    with pytest.raises(ValueError, match="stability_weight is"):
        replan(small(), previous, 2031, weight)


def test_pareto_front_refuses_a_nadir_for_its_primary_objective() -> None:
    """The primary objective is optimised at every grid point, never stepped: its level was
    ignored without a word, and the front read as if bounded by it."""
    with pytest.raises(ValueError, match="primary objective"):
        pareto_front(small().inputs, ["capability", "cost"], points=2, nadir={"capability": 3.0})


def test_parse_range_refuses_an_empty_list() -> None:
    """ "," parsed as no scale at all; the sweep then failed with an internal error."""
    with pytest.raises(ValueError, match="comma list"):
        parse_range(",")


@pytest.mark.parametrize("text", ["a:1:0.5", "0.8,one,1.2", "0.6:1.4:", "nan:1:0.5", "0:inf:0.5", "0.5,nan", "-1,1"])
def test_parse_range_names_the_part_that_is_not_a_factor(text: str) -> None:
    """'a:1:0.5' reached the planner as Python's "could not convert string to float: 'a'",
    'nan:1:0.5' as "cannot convert float NaN to integer", and '0:inf:0.5' and '0.5,nan' as
    internal errors (exit 1)."""
    with pytest.raises(ValueError, match="is not a number ≥ 0 — expected START:STOP:STEP"):
        parse_range(text)


def test_parse_range_refuses_more_points_than_a_sweep_can_solve() -> None:
    """'0:1:1e-9' built a list of a billion factors (the command sat silent) before any solve."""
    with pytest.raises(ValueError, match="1,000,000,000 budget factors — expected at most 1,000"):
        parse_range("0:1:1e-9")


def point(name: str, x: float, **objectives: float) -> SweepPoint:
    """A solved study point with just what `tolerance_notes` reads: objectives and Settings."""
    settings = SimpleNamespace(
        objective="lexicographic", priority=("shortfall", "capability", "cost"), lexicographic_tolerance=0.01
    )
    result = SimpleNamespace(objectives=objectives, inputs=SimpleNamespace(settings=settings))
    return SweepPoint(name, x, result, None, 1.0)  # type: ignore[arg-type]


def test_tolerance_note_is_not_written_where_an_earlier_objective_decided() -> None:
    """Reference robustness study, 15 s a Γ: Γ = 0 (shortfall 0, capability 32,373.8) and
    Γ = 2 (shortfall 140, capability 32,460.3). The note said Γ = 0's capability was "within
    the lexicographic tolerance … the next objective decides" — but shortfall, the first
    objective, decided: Γ = 0 is better on it by far."""
    gamma2 = point("Γ=2", 2.0, shortfall=140.0, capability=32460.3, cost=49136.2)
    gamma0 = point("Γ=0", 0.0, shortfall=0.0, capability=32373.8, cost=47018.3)
    sweep = Sweep([gamma0, gamma2], "robust_overruns", True, 1.0)
    assert tolerance_notes(sweep, {}, tightest_first=lambda p: -(p.x or 0.0)) == []


def test_tolerance_note_is_still_written_where_the_earlier_objectives_are_level() -> None:
    """Same shortfall: the 0.27 % of capability is within the tolerance, and cost decided."""
    gamma2 = point("Γ=2", 2.0, shortfall=0.0, capability=32460.3, cost=49136.2)
    gamma0 = point("Γ=0", 0.0, shortfall=0.0, capability=32373.8, cost=47018.3)
    sweep = Sweep([gamma0, gamma2], "robust_overruns", True, 1.0)
    notes = tolerance_notes(sweep, {}, tightest_first=lambda p: -(p.x or 0.0))
    assert len(notes) == 1 and notes[0].startswith("Γ=0: capability 32,373.8 is 86.5 (0.27%) below Γ=2's")


def test_replan_summary_says_its_bound_is_of_the_penalised_objective() -> None:
    """A W = 50 re-plan of the reference dataset read "optimal within 0.16 % on cost; best
    bound (cost) 58,533.5", but the solver's bound is of cost + 50 × changes: no bound on
    cost alone was proven. The Summary says which sum the bound is of; W = 0 charges nothing."""
    previous = plan(national={("AAA", "P1"): 2030})
    charged = replan(small(), previous, 2031, 5.0, gap=0.0)
    notes = [v for k, v in charged.summary_rows() if k == "note"]
    assert any(n.startswith("best_bound and gap are of cost + 5 × changes") for n in notes), notes
    free = replan(small(), previous, 2031, 0.0, gap=0.0)
    assert not any("best_bound and gap" in str(v) for k, v in free.summary_rows() if k == "note")


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


def test_flexibility_by_nation_counts_programmes_in_whole_numbers() -> None:
    """The ByNation sheet showed "3.0" programmes: filling a lever's blanks made the counts floats."""
    table = flexibility_value(small(), workers=1, time_limit=20).by_nation
    counts = [c for c in table.columns if c.startswith("programmes (")]
    assert counts and all(pd.api.types.is_integer_dtype(table[c]) for c in counts)


def test_a_point_proven_with_no_gap_is_not_solved_again_nor_said_to_have_run_out_of_time() -> None:
    """Both points proven optimal at gap 0, yet budget ×1.5 was "solved again from the budget
    ×1 plan (…, and better than what its own solve found in time)": the repair judged plans by
    a pairwise tolerance tie (capability 10 against 10.5, within 20 %), and the re-solve gave
    the same plan back (a brute-force audit of the studies)."""
    from tests.optimizer.conftest import make_inputs, nation, programme

    inputs = make_inputs(
        first_year=2030,
        last_year=2031,
        nations=[nation("A")],
        budgets={"A": [10, 0]},
        programmes=[programme("P1", 1, 10), programme("P2", 1, 5), programme("P3", 1, 2)],
        areas={"air": 1.0},
        values={("P1", "air"): 10, ("P2", "air"): 3, ("P3", "air"): 0.5},
        planning_cycle_years=1,
        lexicographic_tolerance=0.2,
    )
    sweep = Scenario(inputs).budget_sweep([1.0, 1.5], workers=1, gap=0, time_limit=30)
    assert list(sweep.table["capability"]) == [10.0, 10.5] and list(sweep.table["status"]) == ["optimal"] * 2
    assert not any("solved again" in note for note in sweep.notes)
