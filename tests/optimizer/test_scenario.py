"""`Scenario`: from_excel, and solve on hand-checkable cases: objective modes, tolerance, infeasibility, what-ifs."""

from __future__ import annotations

import dataclasses
import time

import pytest

from optimizer import InfeasibleError, InputError, Scenario
from optimizer.checks.verify import check_plan
from tests.optimizer.conftest import make_inputs, nation, programme, two_nations


def two_programmes(**settings):
    """Budget 10 a year for one nation; P1 (cost 6, value 5) and P2 (cost 6, value 4): one fits."""
    return make_inputs(
        first_year=2030,
        last_year=2031,
        nations=[nation("A")],
        budgets=10.0,
        programmes=[programme("P1", cost=6), programme("P2", cost=6)],
        values={("P1", "air"): 5.0, ("P2", "air"): 4.0},
        **settings,
    )


def test_lexicographic_default_takes_the_more_valuable_programme_earliest():
    """One programme a year fits. P1 started 2030 is in service in 2031: 5 points; P2 started
    2031 would only enter service after the horizon (0 points). So the best capability is 5,
    and the cost stage then drops P2, which adds nothing: cost 6."""
    result = Scenario(two_programmes()).solve(time_limit=30, gap=0.0)
    assert result.status == "optimal"
    assert result.objectives["capability"] == pytest.approx(5.0)
    assert result.objectives["cost"] == pytest.approx(6.0)
    assert list(result.plan["programme"]) == ["P1"]
    assert check_plan(result.inputs, result.decisions) == []


def test_weighted_objective_trades_capability_against_cost():
    """Weight 1 on capability, 1 on cost: P1 gives 5 for 6 → not worth it; nothing funded."""
    result = Scenario(two_programmes()).solve(objective="weighted", weights={"capability": 1, "cost": 1}, gap=0)
    assert result.plan.empty
    assert result.objectives["cost"] == 0.0


def test_the_summary_records_what_the_run_optimised_and_each_stage_s_gap():
    """A weighted run's weights (a `--weight` on the command line) and a lexicographic run's
    order and tolerance are in its Summary, so the workbook alone can repeat and explain it;
    each stage row carries the gap it proved, which a later stage's gap would otherwise hide."""
    weighted = dict(
        Scenario(two_programmes())
        .solve(objective="weighted", weights={"capability": 1, "cost": 0.01}, gap=0)
        .summary_rows()
    )
    assert weighted["weights"] == "capability=1, cost=0.01" and "priority" not in weighted
    lexicographic = dict(Scenario(two_programmes()).solve(time_limit=30, gap=0.0).summary_rows())
    assert lexicographic["priority"] == "shortfall, capability, cost" and "weights" not in lexicographic
    assert lexicographic["lexicographic_tolerance"] == two_programmes().settings.lexicographic_tolerance
    assert lexicographic["stage_3"].startswith("cost: optimal, 6") and lexicographic["stage_3"].endswith(", gap 0")


def test_lexicographic_tolerance_is_honoured_stage_by_stage():
    """With a 50% tolerance on capability, the cost stage may give up capability down to 2.5:
    P1 (value 5) must stay (dropping it gives 0 < 2.5), so cost stays 6."""
    scenario = Scenario(two_programmes(lexicographic_tolerance=0.5))
    result = scenario.solve(priority=["capability", "cost"], gap=0.0)
    first_stage = result.stages[0].outcome.objective
    assert result.objectives["capability"] >= first_stage * 0.5 - 1e-6
    assert result.objectives["cost"] == pytest.approx(6.0)


def test_lexicographic_tolerance_lets_later_stage_gain():
    """Capability 5 (P1) or 4 (P2): with 25% tolerance, cost stage can't pick a cheaper plan
    because both cost 6; but it may not drop below 3.75 — check every stage bound holds."""
    scenario = Scenario(two_programmes(lexicographic_tolerance=0.25))
    result = scenario.solve(priority=["capability", "cost"], gap=0.0)
    assert result.objectives["capability"] >= 5.0 * 0.75 - 1e-6


def test_infeasible_commitments_are_named_with_the_budget_clash():
    """A must fund P1 (cost 12) in 2030 but has 10 a year: infeasible, and the message says so."""
    inputs = make_inputs(
        first_year=2030,
        last_year=2031,
        nations=[nation("A")],
        budgets=10.0,
        programmes=[programme("P1", cost=12)],
        commitments=[("A", "P1", "fund", 2030)],
    )
    with pytest.raises(InfeasibleError) as err:
        Scenario(inputs).solve(time_limit=30)
    text = str(err.value)
    assert "A must fund P1 starting 2030" in text
    assert "A's 2030 budget is 10.0 and P1 costs 12.0 that year" in text
    assert "budgets" in text


def test_infeasible_diagnosis_is_minimal():
    """Two commitments, only one of which breaks the budget: only that one is named."""
    inputs = make_inputs(
        first_year=2030,
        last_year=2031,
        nations=[nation("A")],
        budgets=10.0,
        programmes=[programme("P1", cost=12), programme("P2", cost=3)],
        commitments=[("A", "P2", "fund", 2031), ("A", "P1", "fund", 2030)],
    )
    with pytest.raises(InfeasibleError) as err:
        Scenario(inputs).solve(time_limit=30)
    assert any("P1" in c for c in err.value.conflicts)
    assert not any("must fund P2" in c for c in err.value.conflicts)


def test_the_diagnosis_follows_the_runs_time_limit_within_bounds(monkeypatch):
    """A re-plan with --time-limit 20 spent 58 s naming its conflict under a fixed 300-s
    budget: the diagnosis now gets the run's limit (at least 10 s, at most 300 s)."""
    from optimizer.solve import diagnose

    assert [diagnose.diagnosis_seconds(t) for t in (1.0, 20.0, 3600.0, None)] == [10.0, 20.0, 300.0, 300.0]
    budgets = []
    real = diagnose.diagnose_infeasibility
    monkeypatch.setattr(
        diagnose,
        "diagnose_infeasibility",
        lambda inputs, **kw: budgets.append(kw["budget_seconds"]) or real(inputs, **kw),
    )
    inputs = make_inputs(
        first_year=2030,
        last_year=2031,
        nations=[nation("A")],
        budgets=10.0,
        programmes=[programme("P1", cost=12)],
        commitments=[("A", "P1", "fund", 2030)],
    )
    with pytest.raises(InfeasibleError):
        Scenario(inputs).solve(time_limit=25)
    assert budgets == [25.0]


def test_a_diagnosis_cut_short_says_its_set_may_be_larger(monkeypatch):
    """Checks the budget stops are counted as still needed (never a set smaller than the
    conflict), and the planner is told the set named may hold more."""
    from optimizer.solve import diagnose
    from optimizer.solve.solver import PersistentSolver, SolveOutcome

    inputs = make_inputs(
        first_year=2030,
        last_year=2031,
        nations=[nation("A")],
        budgets=10.0,
        programmes=[programme("P1", cost=12), programme("P2", cost=3)],
        commitments=[("A", "P2", "fund", 2031), ("A", "P1", "fund", 2030)],
    )
    monkeypatch.setattr(
        PersistentSolver,
        "solve",
        lambda self, *a, **k: SolveOutcome("no_solution", "time limit", None, None, None, 0.0),
    )
    lines = diagnose.diagnose_infeasibility(inputs, budget_seconds=10.0)
    assert any("must fund P2" in line for line in lines) and any("must fund P1" in line for line in lines)
    assert lines[-1].startswith("(The diagnosis had 10 s and ") and "may be more than the conflict" in lines[-1]


def test_inputs_that_have_a_plan_have_no_conflict_to_name():
    """Scenario.diagnose() on inputs with a plan said "These cannot hold together under:
    budgets" (relaxing any rule family "fixed" them); its docstring promises an empty list."""
    inputs = make_inputs(
        first_year=2030,
        last_year=2031,
        nations=[nation("A")],
        budgets=10.0,
        programmes=[programme("P1", cost=8)],
        commitments=[("A", "P1", "fund", 2030)],
    )
    assert Scenario(inputs).diagnose(10) == []


def test_a_budget_conflict_keeps_its_explanation_with_robust_budgets():
    """Robust rows imply the nominal ones, so neither family relaxed alone lets a plan in: with
    robust budgets the conflict lost its figures ("no single rule family explains it")."""
    inputs = make_inputs(
        first_year=2030,
        last_year=2031,
        nations=[nation("A")],
        budgets=10.0,
        programmes=[dataclasses.replace(programme("P1", cost=12), cost_overrun_risk=0.5)],
        commitments=[("A", "P1", "fund", 2030)],
    )
    for robust in (0, 1):
        with pytest.raises(InfeasibleError) as err:
            Scenario(inputs).with_settings(robust_overruns=robust).solve(time_limit=20)
        assert "A's 2030 budget is 10.0 and P1 costs 12.0 that year" in err.value.conflicts[0], err.value.conflicts
        assert err.value.conflicts[-1] == "These cannot hold together under: budgets."


def test_a_diagnosis_out_of_time_checks_no_more(monkeypatch):
    """After its budget every check still took at least 0.1 s and a build's overhead: a
    re-plan's 566 commitments ran 110 s past a 30-s budget. The rest are now kept unchecked."""
    from optimizer.solve import diagnose

    clock = iter([0.0] + [1e9] * 1000)  # the budget is spent as soon as it starts
    monkeypatch.setattr(diagnose.time, "monotonic", lambda: next(clock))
    inputs = make_inputs(
        first_year=2030,
        last_year=2031,
        nations=[nation("A")],
        budgets=10.0,
        programmes=[programme("P1", cost=12), programme("P2", cost=3)],
        commitments=[("A", "P2", "fund", 2031), ("A", "P1", "fund", 2030)],
    )
    calls = []
    real = diagnose.PersistentSolver.solve
    monkeypatch.setattr(
        diagnose.PersistentSolver, "solve", lambda self, *a, **k: calls.append(1) or real(self, *a, **k)
    )
    lines = diagnose.diagnose_infeasibility(inputs, budget_seconds=10.0)
    assert any("must fund P2" in line for line in lines) and "may be more than the conflict" in lines[-1]
    assert len(calls) <= 1 + len(diagnose.FAMILIES) + 1  # the first check and the families', none per commitment


def test_an_exclude_row_in_the_conflict_is_named():
    """J needs three members of three nations, A must fund it and B excludes it: the
    diagnosis named A's row alone, and the exclude, whose removal is the fix, never."""
    j = programme("J", cost=3, sharing="joint", min_participants=3)
    inputs = make_inputs(
        first_year=2030,
        last_year=2031,
        nations=[nation("A"), nation("B"), nation("C")],
        budgets=10.0,
        programmes=[j],
        commitments=[("A", "J", "fund"), ("B", "J", "exclude")],
    )
    with pytest.raises(InfeasibleError) as err:
        Scenario(inputs).solve(time_limit=20)
    lines = err.value.conflicts
    assert [line.split(": ", 1)[-1] for line in lines[:2]] == ["A must fund J", "B excludes J"]
    assert lines[2:] == ["These cannot hold together under: consortium size."]


def test_a_commitment_added_in_python_is_named_as_such_not_as_a_sheet_row():
    """`with_commitment` used to number its commitment past the sheet's last row, and a
    diagnosis then sent the planner to a Commitments row that does not exist."""
    inputs = make_inputs(
        first_year=2030,
        last_year=2031,
        nations=[nation("A")],
        budgets=10.0,
        programmes=[programme("P1", cost=12)],
    )
    with pytest.raises(InfeasibleError) as err:
        Scenario(inputs).with_commitment("A", "P1", "fund", start_year=2030).solve(time_limit=30)
    assert err.value.conflicts[0].startswith("a commitment added in Python: A must fund P1 starting 2030")


def test_critical_mass_and_precedence_conflict_is_explained():
    """A must fund Q, which needs P completed first, but P cannot finish in time."""
    inputs = make_inputs(
        first_year=2030,
        last_year=2031,
        nations=[nation("A")],
        budgets=100.0,
        programmes=[programme("P", duration=2), programme("Q", earliest=2031)],
        precedences=[("P", "Q")],
        commitments=[("A", "Q", "fund")],
    )
    with pytest.raises(InfeasibleError) as err:
        Scenario(inputs).solve(time_limit=30)
    assert "precedence" in str(err.value)


def test_what_ifs_return_new_scenarios_and_change_the_plan():
    base = Scenario(two_programmes())
    richer = base.with_budget(scale=2.0)
    assert base.inputs.budget("A", 2030) == 10.0 and richer.inputs.budget("A", 2030) == 20.0
    r0, r1 = base.solve(gap=0), richer.solve(gap=0)
    comparison = r0.compare(r1)
    assert set(comparison.objectives["objective"]) >= {"capability", "cost"}
    # with 20 a year both fit in 2030: P2 is gained
    assert ("A", "P2", "gained") in {tuple(r) for r in comparison.changes[["nation", "programme", "change"]].values}


def test_with_budget_add_and_selected_years():
    base = Scenario(two_programmes())
    changed = base.with_budget(add={("A", 2031): 5.0}).with_budget(scale=0.5, years=[2030])
    assert changed.inputs.budget("A", 2030) == 5.0
    assert changed.inputs.budget("A", 2031) == 15.0


def test_with_commitment_and_without_programme():
    base = Scenario(two_programmes())
    forced = base.with_commitment("A", "P2", "fund", start_year=2030)
    assert forced.solve(gap=0).decisions.national == {("A", "P2"): 2030}
    assert [p.id for p in base.without_programme("p1").inputs.programmes] == ["P2"]
    with pytest.raises(InputError, match="unknown programme"):
        base.without_programme("P9")
    with pytest.raises(InputError, match="cannot start in 2032"):
        base.with_commitment("A", "P1", "fund", start_year=2032)


def test_without_programme_drops_its_successors():
    inputs = make_inputs(nations=[nation("A")], programmes=[programme("P"), programme("Q")], precedences=[("P", "Q")])
    assert Scenario(inputs).without_programme("P").inputs.programmes == ()


def test_with_settings_moves_nations_that_follow_the_default():
    inputs = make_inputs(nations=[nation("A"), nation("B", carry=0.3)], programmes=[programme("P")])
    changed = Scenario(inputs).with_settings(carry_over_fraction=0.2)
    carry = {n.code: n.carry_over_fraction for n in changed.inputs.nations}
    assert carry == {"A": 0.2, "B": 0.3}
    with pytest.raises(InputError, match="unknown setting"):
        Scenario(inputs).with_settings(carry_over=0.2)


def test_time_spent_on_the_start_plan_counts_against_the_limit(monkeypatch):
    """The greedy start plan (1.3 s on the L benchmark instance) used to be left out of the
    solver's share of --time-limit, so large runs overran it by that much."""
    from optimizer.session import Session
    from optimizer.solve.solver import PersistentSolver

    slow_start, real_start = 1.0, Session._start_from_greedy_plan
    limits: list[float] = []
    real_solve = PersistentSolver.solve

    def slow(self):  # type: ignore[no-untyped-def]
        time.sleep(slow_start)
        return real_start(self)

    def spy(self, time_limit, gap, warm_start=False, known_bound=None):  # type: ignore[no-untyped-def]
        limits.append(time_limit)
        return real_solve(self, time_limit, gap, warm_start, known_bound)

    monkeypatch.setattr(Session, "_start_from_greedy_plan", slow)
    monkeypatch.setattr(PersistentSolver, "solve", spy)
    Scenario(two_programmes()).solve(objective="weighted", time_limit=10, gap=0.0)
    assert limits and limits[0] <= 10 - slow_start


def test_a_solve_the_clock_left_without_a_plan_returns_its_greedy_start(monkeypatch):
    """A 1-s flexibility study's rigid scenario ended "no plan within time limit" with the
    verified greedy plan in hand; the README promises a plan where HiGHS alone found none."""
    from optimizer.heuristics.greedy import greedy_plan
    from optimizer.solve.solver import PersistentSolver, SolveOutcome

    def out_of_time(self, time_limit, gap, warm_start=False, known_bound=None):  # type: ignore[no-untyped-def]
        return SolveOutcome("no_solution", "time limit", None, None, None, 0.0)

    monkeypatch.setattr(PersistentSolver, "solve", out_of_time)
    inputs = two_programmes()
    result = Scenario(inputs).solve(objective="weighted", time_limit=10)
    assert result.status == "feasible" and result.best_bound is None and result.gap is None
    assert result.decisions.funded() == greedy_plan(inputs).funded()
    assert check_plan(inputs, result.decisions) == []


def test_stages_the_time_never_reached_are_rows_too():
    """A run stops at the first stage without a plan; the Summary lists the later ones as
    not reached (a 0.1-s run had no stage_3 row at all) and says why a stage has no plan."""
    from types import SimpleNamespace

    result = Scenario(two_programmes()).solve(time_limit=30, gap=0.0)
    stuck = SimpleNamespace(
        objective="capability",
        outcome=SimpleNamespace(
            status="no_solution", has_solution=False, objective=None, gap=None, termination="time limit"
        ),
    )
    cut = dataclasses.replace(result, stages=(result.stages[0], stuck))
    rows = dict(cut.summary_rows())
    assert rows["stage_2"] == "capability: no_solution, no plan in the time left"
    assert rows["stage_3"] == "cost: not_reached, no time was left"
    assert rows["mip_gap"] == 0.0
    assert cut.not_optimised == ["capability", "cost"] and result.not_optimised == []


def test_a_plan_with_partners_says_whom_the_alliance_rows_count():
    """The capability objective counts partners; the Capability sheets' ALLIANCE rows (MODEL.md's
    ALLIANCE targets) count allies only. A planner reconciling the two found 6 points missing."""
    inputs = make_inputs(
        first_year=2030,
        last_year=2031,
        nations=[nation("A"), nation("Z", role="partner")],
        budgets=10.0,
        programmes=[programme("J", cost=4, sharing="joint")],
        values={("J", "air"): 2.0},
    )
    rows = dict(Scenario(inputs).solve(time_limit=30, gap=0.0).summary_rows())
    assert "count allies only" in rows["alliance_rows"] and rows["alliance_rows"].endswith("partners Z")
    assert "alliance_rows" not in dict(Scenario(two_programmes()).solve(time_limit=30, gap=0.0).summary_rows())


def test_replan_and_the_price_of_robustness_are_scenario_methods():
    """The command line's replan and robustness go through the public API (STYLE.md: commands
    call only the public Python API), so a script has them too: a re-plan of unchanged inputs
    gives the plan back, and Γ = 1 prices P1's overrun of 3 (6 + 3 still fits the budget)."""
    inputs = make_inputs(
        first_year=2030,
        last_year=2031,
        nations=[nation("A")],
        budgets=10.0,
        programmes=[programme("P1", cost=6, risk=0.5), programme("P2", cost=6)],
        values={("P1", "air"): 5.0, ("P2", "air"): 4.0},
    )
    scenario = Scenario(inputs)
    result = scenario.solve(time_limit=30, gap=0.0)
    again = scenario.replan(result, from_year=2031, stability_weight=1.0, time_limit=30, gap=0.0)
    assert again.change_count == 0
    assert again.result.objectives == pytest.approx(result.objectives)
    with pytest.raises(TypeError, match="unknown option.*time_limt.*expected some of.*time_limit"):
        scenario.replan(result, from_year=2031, time_limt=30)
    report = scenario.price_of_robustness([0, 1], time_limit=30, gap=0.0)
    assert list(report.table["gamma"]) == [0, 1]
    assert list(report.table["capability"]) == pytest.approx([5.0, 5.0])


# --- what solve can honour, and what it is given ------------------------------------------
def test_solve_refuses_a_settings_mode_it_cannot_honour_before_the_build(monkeypatch):
    import optimizer.session

    def no_build(*args: object, **kwargs: object) -> None:
        raise AssertionError("the model was built")

    monkeypatch.setattr(optimizer.session.Session, "__init__", no_build)
    with pytest.raises(ValueError, match="the Settings' objective is 'pareto', a front"):
        two_nations().with_settings(objective="pareto").solve(time_limit=5)


def test_a_workbook_gap_of_one_or_more_still_solves_and_says_its_gap():
    """WORKBOOK.md allows mip_gap ≥ 0 and the reader warns of 1 or more; the run is not
    refused (`capopt solve` on such a workbook ended in an internal error), and its gap
    is the one reached, never more than the 150 % asked."""
    scenario = two_nations()
    settings = scenario.inputs.settings
    wide = scenario.with_inputs(
        scenario.inputs.__class__(
            **{**scenario.inputs.__dict__, "settings": settings.__class__(**{**settings.__dict__, "mip_gap": 1.5})}
        )
    )
    result = wide.solve(time_limit=20)
    assert result.gap is not None and 0 <= result.gap <= 1.5


def test_a_warm_start_from_another_dataset_is_named(solved):
    other = Scenario(
        make_inputs(
            first_year=2030,
            last_year=2031,
            nations=[nation("C")],
            budgets=10.0,
            programmes=[programme("P1", cost=6)],
            values={("P1", "air"): 5.0},
        )
    )
    with pytest.raises(ValueError, match="warm_start funds A/P1, B/P1, not in this scenario"):
        other.solve(time_limit=5, warm_start=solved.decisions)


@pytest.mark.parametrize("path", [None, 3, "", "  "])
def test_from_excel_names_a_path_that_is_no_file_name(path):
    with pytest.raises(ValueError, match="path is .* — expected the input workbook's file name"):
        Scenario.from_excel(path)
