"""describe(): one screen that shows what was read."""

from __future__ import annotations

from data.errors import Problem
from data.summary import describe
from tests.data.fixtures.books import big_book, full_book, inputs_of


def test_full_book_summary() -> None:
    text = describe(inputs_of(full_book()), [])
    assert text.splitlines() == [
        "Horizon: 2027–2031 (5 years); money in EUR million",
        "Nations: 3 — 2 allies (AAA, BBB), 1 partner (CCC)",
        "Programmes: 2 — 1 national, 1 joint",
        "  by technology: autonomy 1; space 1 (1 joint)",
        "Capability areas: 2 (AIR, CYB)",
        "Budget, all nations (EUR million): total 1,150",
        "  2027 230 | 2028 230 | 2029 230 | 2030 230 | 2031 230",
        "Standards: 1 (1 required by programmes); precedence rules: 1",
        "Targets: 2 (1 alliance-wide); commitments: 2 (1 fund, 1 exclude)",
        "Objective: lexicographic — shortfall > capability > cost",
        "Warnings: none",
    ]


def test_big_input_still_fits_one_screen() -> None:
    book = big_book(nations=60, programmes=300, years=25)
    book["Programmes"][1][4] = 40  # cannot start: listed
    inputs = inputs_of(book)
    warnings = [Problem("Programmes", f"A{i}", "something") for i in range(2, 12)]
    lines = describe(inputs, warnings).splitlines()
    assert len(lines) <= 25 and max(map(len, lines)) <= 130
    assert "  cannot start in the horizon: P000" in lines
    assert lines[-1] == "  … and 5 more" and lines[-7] == "Warnings: 10"
    assert any(line.startswith("Nations: 60 — ") and "more)" in line for line in lines)


def test_budget_total_is_the_sum_of_the_budgets() -> None:
    inputs = inputs_of(full_book())
    total = sum(inputs.budgets.values())
    assert f"total {total:,.0f}" in describe(inputs)
