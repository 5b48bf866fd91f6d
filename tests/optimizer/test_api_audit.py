"""What an analyst scripting what-ifs through the Python API met: records that named changes
not made (an empty or consumed list of nations), budgets scaled twice or made infinite, a
Settings gap that made a 24 % gap "optimal", a Result whose tables could be edited under
its verified Summary, `to_excel` writing over the input workbook, options a study listed as
valid and then crashed on, and errors from deep inside instead of the argument named."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest

import optimizer
from data.errors import InputError
from optimizer import Result, Scenario
from tests.optimizer.conftest import make_inputs, nation, programme

SMALL = Path(__file__).resolve().parents[2] / "examples" / "small" / "small.xlsx"


def two_nations() -> Scenario:
    """Budget 10 a year for A and B; P1 (cost 6, value 5) and P2 (cost 6, value 4)."""
    return Scenario(
        make_inputs(
            first_year=2030,
            last_year=2031,
            nations=[nation("A"), nation("B")],
            budgets=10.0,
            programmes=[programme("P1", cost=6), programme("P2", cost=6)],
            values={("P1", "air"): 5.0, ("P2", "air"): 4.0},
        )
    )


@pytest.fixture(scope="module")
def solved() -> Result:
    return two_nations().solve(time_limit=20, gap=0)


@pytest.fixture()
def small_copy(tmp_path: Path) -> Scenario:
    """The small example read from a copy, so a fault that overwrites it harms nothing."""
    book = tmp_path / "small.xlsx"
    shutil.copyfile(SMALL, book)
    return Scenario.from_excel(book)


# --- with_budget: what changed is what the Summary says --------------------------------
@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"nations": []}, "nations is empty"),  # changed nothing, noted "budgets ×0.5" of all
        ({"years": []}, "years is empty"),
        ({"years": range(0)}, "years is empty"),
        ({"nations": ["A", "a"]}, "nations names A twice"),  # was ×0.25
        ({"years": [2030, 2030]}, "years names 2030 twice"),
        ({"add": {"A": 1, "a": 2}}, "add names 'A' twice"),  # both added, one noted
        ({"scale": 1e308}, "makes 4 budget\\(s\\) infinite"),  # every budget was inf
    ],
)
def test_with_budget_refuses_what_it_would_record_wrongly(kwargs, message):
    scenario = two_nations()
    with pytest.raises(InputError, match=message):
        scenario.with_budget(**{"scale": 0.5, **kwargs})
    assert scenario.inputs == two_nations().inputs


def test_with_budget_reads_generators_once_and_notes_what_it_changed():
    """The note read the nations and years a second time: a generator was empty then, so
    the Summary said every budget was halved when only A's 2030 budget was."""
    base = two_nations()
    cut = base.with_budget(0.5, nations=(n for n in ["a"]), years=(y for y in [2030]))
    assert cut.inputs.budgets[("A", 2030)] == 5.0 and cut.inputs.budgets[("A", 2031)] == 10.0
    assert cut.inputs.budgets[("B", 2030)] == 10.0
    assert cut.inputs.source.changes == ("budgets ×0.5 for A in 2030",)
    assert cut.name == "base budget×0.5 A"  # the workbook's spelling, not "a"
    assert base.inputs == two_nations().inputs


def test_with_budget_takes_numpy_numbers():
    """A year from a DataFrame column is numpy's int64: it was refused as "not a whole year"."""
    cut = two_nations().with_budget(np.int64(2), years=np.array([2030]), add={("A", np.int64(2031)): 1})
    assert cut.inputs.budgets[("A", 2030)] == 20.0 and cut.inputs.budgets[("A", 2031)] == 11.0
    assert cut.inputs.source.changes == ("budgets ×2 in 2030; +1 for A 2031",)


# --- with_settings ---------------------------------------------------------------------
def test_with_settings_keeps_the_horizon_an_int():
    """first_year=2030.0 (the same year) was stored as a float; the solve then failed inside
    range(); "2030" was refused as a move of the horizon."""
    for value in (2030.0, "2030"):
        assert two_nations().with_settings(first_year=value).inputs.settings.first_year == 2030
    assert two_nations().with_settings(first_year=2030.0).solve(time_limit=20, gap=0).status == "optimal"


def test_a_settings_gap_of_one_or_more_is_refused():
    """mip_gap=5 by what-if reported a plan 24 % from its bound as "optimal" and
    "reproducible: yes … proven to its gap", where solve(gap=5) is refused."""
    with pytest.raises(InputError, match="mip_gap is 5 — a fraction below 1"):
        two_nations().with_settings(mip_gap=5)


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


# --- solve arguments ---------------------------------------------------------------------
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


def test_numpy_and_whole_float_counts_are_ints():
    """threads=np.int64(1) was refused as "not a whole number"; workers=2.0 passed the check
    and failed inside as "'float' object cannot be interpreted as an integer"."""
    assert two_nations().solve(time_limit=20, gap=0, threads=np.int64(1)).threads == 1
    assert two_nations().solve(time_limit=20, gap=0, objective="Weighted").objective_mode == "weighted"


# --- Result ------------------------------------------------------------------------------
def test_a_results_tables_cannot_be_edited_under_its_summary(solved, tmp_path):
    plan = solved.plan
    plan["cost"] = 0.0
    assert solved.plan["cost"].sum() == pytest.approx(12.0)
    for table in solved.tables().values():
        table.drop(table.index, inplace=True)
    assert len(solved.plan) == 2 and not solved.spend.empty


def test_to_excel_never_writes_over_the_input_workbook(small_copy):
    book = Path(small_copy.inputs.source.path)
    before = book.read_bytes()
    result = small_copy.solve(time_limit=20)
    with pytest.raises(ValueError, match="is the input workbook this plan was read from"):
        result.to_excel(book)
    with pytest.raises(ValueError, match="is the input workbook"):
        small_copy.with_budget(0.9).solve(time_limit=20).to_excel(str(book))
    assert book.read_bytes() == before


@pytest.mark.parametrize(
    "name, error, message",
    [
        ("plan.csv", ValueError, "expected a file name ending in .xlsx"),  # an xlsx under a .csv name
        # still OSErrors, as a failed write is (capopt writes next to the target instead), but
        # naming the path given, where they used to name a temporary file
        (".", IsADirectoryError, "is a folder"),
        ("missing/plan.xlsx", FileNotFoundError, "folder .* does not exist"),
        (None, ValueError, "path is None"),
    ],
)
def test_to_excel_refuses_a_path_it_cannot_use(solved, tmp_path, name, error, message):
    path = tmp_path / name if name else None
    with pytest.raises(error, match=message):
        solved.to_excel(path)
    assert not list(tmp_path.glob("*.tmp")) and not (tmp_path / "plan.csv").exists()


def test_compare_refuses_plans_of_another_dataset(solved, small_copy):
    other = small_copy.solve(time_limit=20)
    with pytest.raises(ValueError, match="other plans years 2030–2031 against 2027–2031; other nations"):
        solved.compare(other)
    assert not solved.compare(two_nations().with_budget(0.5).solve(time_limit=20, gap=0)).changes.empty


def test_repr_is_one_line_and_a_result_pickles(solved):
    text = repr(solved)
    assert text.startswith("<Result optimal (lexicographic), gap 0, capability=") and "\n" not in text
    assert len(text) < 300
    assert repr(two_nations().with_budget(0.5)) == (
        "<Scenario 'base budget×0.5': 2 nations, 2 programmes, 2030–2031; changes: budgets ×0.5>"
    )
    assert pickle.loads(pickle.dumps(solved)).objectives == solved.objectives


# --- studies -----------------------------------------------------------------------------
def test_options_a_study_sets_itself_are_not_offered():
    """`diagnose` and `warm_start` were listed as valid, then failed as "got multiple values
    for keyword argument"; `scenarios` was listed as an option of sweep()."""
    scenario = two_nations()
    for option in ("diagnose", "warm_start"):
        with pytest.raises(TypeError, match=f"unknown option\\(s\\) {option} — expected some of"):
            scenario.budget_sweep([0.9, 1.0], **{option: False})
    with pytest.raises(TypeError) as err:
        optimizer.sweep([scenario], time_limt=5)
    assert "scenarios" not in str(err.value).split("expected")[1]


def test_the_packages_budget_sweep_checks_its_arguments():
    """`from optimizer import budget_sweep` was the study's unchecked function."""
    with pytest.raises(TypeError, match="unknown option\\(s\\) time_limt"):
        optimizer.budget_sweep(two_nations(), [0.9], time_limt=5)
    with pytest.raises(ValueError, match="scales is \\[\\]"):
        optimizer.budget_sweep(two_nations(), [])


def test_a_budget_sweep_reads_its_lists_once():
    """Scales as a numpy array were refused; nations as a generator were empty from the
    second point on."""
    sweep = two_nations().budget_sweep(
        np.array([0.5, 1.0]), nations=(n for n in ["A"]), time_limit=20, workers=1, gap=0
    )
    changes = [point.result.inputs.source.changes for point in sweep.points]
    assert changes == [("budgets ×0.5 for A",), ("budgets ×1 for A",)]


def test_pareto_refuses_a_text_exact_and_takes_whole_floats(small_copy):
    with pytest.raises(ValueError, match="exact is 'no' — expected True, False or None"):
        small_copy.pareto(exact="no", points=2, time_limit=20)  # ran an exact front
    front = small_copy.pareto(points=2.0, workers=1.0, time_limit=20)  # workers=2.0 was a TypeError inside
    assert len(front.points) >= 2


@pytest.mark.parametrize("path", [None, 3, "", "  "])
def test_from_excel_names_a_path_that_is_no_file_name(path):
    with pytest.raises(ValueError, match="path is .* — expected the input workbook's file name"):
        Scenario.from_excel(path)
