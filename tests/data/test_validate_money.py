"""Money the solver can separate: budgets and costs typed in euros rather than millions came
back "optimal" at half the capability of a valid plan, and amounts of 1e-5 fell under
HiGHS's tolerances (plans over budget passed). Both are refused at their cell, with the unit
to use instead (data.schema MIN_MONEY, MAX_MONEY)."""

from __future__ import annotations

from data.schema import MAX_MONEY, MIN_MONEY
from tests.data.fixtures.books import errors_of, inputs_of, minimal_book, put


def test_money_in_euros_is_refused_at_its_cell_with_the_unit_to_use() -> None:
    book = minimal_book()
    book["Budgets"][1][1] = 2.5e9
    put(book, "Programmes", 2, "total_cost", 8.2e9)
    errors = errors_of(book)
    assert len(errors) == 2
    assert errors[0].startswith("Budgets!B2: ") and "expected an amount up to 100,000,000" in errors[0]
    assert errors[1].startswith(
        "Programmes!F2: total_cost is 8200000000 — expected an amount up to 100,000,000 in the Settings currency"
    )
    assert all("enter money in a larger unit, e.g. millions" in e for e in errors)


def test_crumbs_of_money_are_refused_and_zero_is_not() -> None:
    book = minimal_book()
    put(book, "Programmes", 2, "total_cost", 1e-5)
    [error] = errors_of(book)
    assert error.startswith("Programmes!F2: total_cost is 1e-05 — expected 0 or an amount of at least 0.001")
    assert "enter money in a smaller unit" in error


def test_the_range_itself_is_accepted() -> None:
    book = minimal_book()
    book["Budgets"][1][1] = MAX_MONEY
    put(book, "Programmes", 2, "total_cost", MIN_MONEY)
    put(book, "Programmes", 3, "total_cost", 0)
    inputs = inputs_of(book)
    assert max(inputs.budgets.values()) == MAX_MONEY
    assert sorted(p.total_cost for p in inputs.programmes)[:2] == [0.0, MIN_MONEY]


def test_crumbs_of_value_or_risk_are_refused_and_zero_is_not() -> None:
    """Values of 1e-6 made a stage "optimal" 6 % short of its best (HiGHS's absolute gap), and
    risks of 1e-7 let a weighted run minimising risk fund what raised it."""
    book = minimal_book()
    put(book, "Programmes", 2, "cost_overrun_risk", 1e-7)
    book["Values"][1][1] = 1e-6
    errors = errors_of(book)
    assert len(errors) == 2, errors
    assert any(
        e.startswith("Programmes!") and "cost_overrun_risk is 1e-07 — expected 0 or at least 0.0001" in e
        for e in errors
    )
    assert any(e.startswith("Values!B2: ") and "expected 0 or at least 0.0001" in e for e in errors)
    book = minimal_book()
    put(book, "Programmes", 2, "cost_overrun_risk", 1e-4)
    book["Values"][1][1] = 0
    assert inputs_of(book).programmes[0].cost_overrun_risk == 1e-4


def test_an_area_weight_too_small_for_the_solver_is_refused() -> None:
    """Area weights of 1e-7 made a capability stage "optimal" 1 % short of its best."""
    book = minimal_book()
    book["CapabilityAreas"][1][2] = 1e-7
    [error] = errors_of(book)
    assert error.startswith("CapabilityAreas!C2: weight is 1e-07 — expected 0 or at least 0.0001")
