"""Property tests of re-planning (issue 21): a re-plan never ends worse than the plan it
replaces while that plan is still feasible, and unchanged inputs give that plan back.

"Worse" is in the run's own terms. Lexicographic: the first objective of the priority on
which the two plans differ favours the previous plan. Weighted: the previous plan is at
least as good in every weighted objective and better in one. Equal on every objective,
the re-plan must make no change (a change that buys nothing is churn).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from data.errors import InputError
from data.tables import objective_sense
from optimizer import InfeasibleError, Scenario
from optimizer.checks.evaluate import objective_values
from optimizer.checks.verify import check_plan, check_plan_stability
from optimizer.studies.replan import replan
from tests.optimizer.bruteforce import random_tiny_inputs
from tests.optimizer.conftest import make_inputs, nation, programme

WEIGHTS = {"shortfall": 2.0, "capability": 1.0, "cost": 0.1}
PRIORITY = ("shortfall", "capability", "cost")
PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def sign(name: str) -> int:
    return 1 if objective_sense(name) == "max" else -1


def close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-5 * max(1.0, abs(a), abs(b))


def assert_not_worse(mode: str, new: dict[str, float], old: dict[str, float], changes: int, what: str) -> None:
    names = PRIORITY if mode == "lexicographic" else tuple(WEIGHTS)
    differ = [name for name in names if not close(new[name], old[name])]
    if not differ:
        assert changes == 0, f"{what}: {changes} change(s) that buy nothing"
        return
    if mode == "lexicographic":
        first = differ[0]
        assert sign(first) * (new[first] - old[first]) > 0, (
            f"{what}: worse than the previous plan in {first} ({new[first]} vs {old[first]})"
        )
    else:
        assert any(sign(n) * (new[n] - old[n]) > 0 for n in differ), (
            f"{what}: dominated by the previous plan ({new} vs {old})"
        )


tolerances = st.sampled_from([0.0, 0.01, 0.1, 0.3, 0.5, 0.5])
weights = st.sampled_from([0.0, 0.25, 1.0, 3.0]) | st.floats(0.0, 10.0)
modes = st.sampled_from(["lexicographic", "weighted"])


@st.composite
def granular(draw: st.DrawFn) -> Scenario:
    """Many cheap programmes, so a tolerance can give back part of a plan: 1–2 allies, 2–3
    years, 3–6 programmes (some joint), durations 1–2, costs 1–10, values 0–5, maybe a target."""
    years = draw(st.integers(2, 3))
    nations = [nation("A"), nation("B")][: draw(st.integers(1, 2))]
    programmes = [
        programme(
            f"P{k}",
            draw(st.integers(1, 2)),
            draw(st.integers(1, 10)),
            "joint" if len(nations) == 2 and draw(st.booleans()) else "national",
            min_participants=1,
            flexible=True,
        )
        for k in range(draw(st.integers(3, 6)))
    ]
    targets = [("A", "air", 2029 + years, draw(st.integers(1, 8)))] if draw(st.booleans()) else []
    inputs = make_inputs(
        first_year=2030,
        last_year=2029 + years,
        nations=nations,
        budgets=float(draw(st.integers(5, 30))),
        programmes=programmes,
        values={(p.id, "air"): draw(st.integers(0, 5)) for p in programmes},
        targets=targets,
        lexicographic_tolerance=draw(tolerances),
    )
    return Scenario(inputs)


@st.composite
def tiny(draw: st.DrawFn) -> Scenario:
    """The brute-force enumerator's random tiny instances (every family of constraints)."""
    inputs = random_tiny_inputs(draw(st.integers(0, 100_000)), max_combinations=500)
    return Scenario(inputs).with_settings(lexicographic_tolerance=draw(tolerances))


instances = granular() | tiny()


def run_kwargs(mode: str) -> dict[str, object]:
    return {"objective": mode, "weights": WEIGHTS if mode == "weighted" else None, "gap": 0.0, "time_limit": 30}


def solve_or_reject(scenario: Scenario, **kwargs: object):  # -> Result
    """A solved plan; instances with no plan (or a commitment no start allows) are rejected."""
    try:
        return scenario.solve(**kwargs)
    except (InfeasibleError, InputError):
        assume(False)


@PROPERTY
@given(scenario=instances, weight=weights, mode=modes, data=st.data())
def test_a_replan_is_never_worse_than_a_still_feasible_previous_plan(scenario, weight, mode, data) -> None:
    """Last year's plan was made for other budgets and priorities; where it still satisfies
    this year's inputs, re-planning from any year with any weight does not end worse."""
    scale = data.draw(st.sampled_from([0.6, 0.8, 1.0, 1.25]), label="last year's budget scale")
    last_year = {n: data.draw(st.sampled_from([0.0, 1.0, 2.0]), label=n) for n in ("capability", "cost", "risk")}
    assume(any(last_year.values()))
    previous = solve_or_reject(
        scenario.with_budget(scale), objective="weighted", weights=last_year, gap=0.0, time_limit=30
    ).decisions
    assume(not check_plan(scenario.inputs, previous))
    s = scenario.inputs.settings
    from_year = data.draw(st.integers(s.first_year, s.last_year), label="from year")
    out = replan(scenario, previous, from_year, weight, **run_kwargs(mode))
    new, old = out.result.objectives, objective_values(scenario.inputs, previous)
    assert check_plan_stability(scenario.inputs, out.result.decisions, previous, from_year) == []
    assert_not_worse(mode, new, old, out.change_count, f"{mode}, from {from_year}, W {weight}")
    if mode == "weighted":  # and each change charged (fundings, not adoptions) pays its weight
        gained = sum(sign(n) * w * (new[n] - old[n]) for n, w in WEIGHTS.items())
        assert gained >= weight * out.charged_change_count - 1e-5 * max(1.0, abs(gained))


# Issue 21 in miniature (tests/optimizer/test_replan.py::five): at W = 2 the re-plan used to
# drop a programme of the plan it replaced, unchanged, inside the tolerance.
FIVE = Scenario(
    make_inputs(
        first_year=2030,
        last_year=2031,
        nations=[nation("A")],
        programmes=[programme(f"P{k}", 1, 10) for k in range(5)],
        objective="lexicographic",
        priority=("capability", "cost"),
        lexicographic_tolerance=0.3,
    )
)


@settings(PROPERTY, max_examples=150)
@given(
    scenario=instances,
    weight=weights,
    mode=st.sampled_from(["lexicographic"] * 3 + ["weighted"]),
    offset=st.integers(0, 2),
)
@example(scenario=FIVE, weight=2.0, mode="lexicographic", offset=0)
def test_unchanged_inputs_give_the_previous_plan_back(scenario, weight, mode, offset) -> None:
    """Last year's plan is this year's optimum (gap 0): re-planning the same inputs keeps it."""
    kwargs = run_kwargs(mode)
    solved = solve_or_reject(scenario, **kwargs)
    s = scenario.inputs.settings
    from_year = min(s.first_year + offset, s.last_year)
    out = replan(scenario, solved.decisions, from_year, weight, **kwargs)
    assert out.change_count == 0, out.changes.to_string()
    assert out.result.decisions.funded() == solved.decisions.funded()
    for name in ("shortfall", "capability", "cost"):
        assert out.result.objectives[name] == pytest.approx(solved.objectives[name], rel=1e-6, abs=1e-6)
