"""Collecting problems: warnings on fractions typed as percentages (data.validate.problems)."""

from __future__ import annotations

from pathlib import Path

from data.reader import load_inputs
from tests.data.fixtures.books import minimal_book, put, write_book


# --- fractions typed as percentages -------------------------------------------------------
def test_fractions_typed_as_percentages_are_named_with_what_they_mean(tmp_path: Path) -> None:
    """carry_over_fraction 20, discount_rate 3 and cost_overrun_risk 40 were read as 2,000 %,
    300 % and 4,000 % with no word, where mip_gap 5 is named (audit). The contract allows
    them (≥ 0), so warnings; 1 and below, and above 100, get none."""
    book = minimal_book()
    book["Settings"].append(["carry_over_fraction", 20])
    book["Settings"].append(["discount_rate", 3])
    put(book, "Programmes", 2, "cost_overrun_risk", 40)
    put(book, "Programmes", 3, "cost_overrun_risk", 1)
    inputs, warnings = load_inputs(write_book(book, tmp_path / "in.xlsx"))
    assert inputs.settings.carry_over_fraction == 20  # read as written
    texts = [str(w) for w in warnings]
    assert any(
        t.endswith(
            "carry_over_fraction 20 is a fraction: a nation may carry 2,000 % of a year's budget "
            "into the next (did you mean 0.2 for 20 %?)"
        )
        for t in texts
    )
    assert any(
        t.endswith(
            "discount_rate 3 is a fraction: capability is discounted by 300 % a year (did you mean 0.03 for 3 %?)"
        )
        for t in texts
    )
    assert any(
        t.endswith(
            "cost_overrun_risk 40 is a fraction: the expected overrun is 4,000 % of the cost "
            "(did you mean 0.4 for 40 %?)"
        )
        for t in texts
    )
    assert len(texts) == 3
