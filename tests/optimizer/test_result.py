"""A solved `Result` (optimizer.result): tables, repr and pickling, comparisons, and where `to_excel` writes."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from tests.optimizer.conftest import two_nations


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
