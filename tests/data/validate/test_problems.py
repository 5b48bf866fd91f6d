"""Collecting problems: fractions typed as percentages, and ids matched as one (data.validate.problems)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from data.reader import load_inputs
from tests.data.fixtures.books import errors_of, full_book, inputs_of, minimal_book, put, write_book


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


# --- ids matched as one: invisible characters and Unicode forms ---------------------------
def test_ids_are_stored_and_matched_without_invisible_characters() -> None:
    """As with surrounding spaces, the canonical id keeps none: a BOM from a CSV paste, a
    soft hyphen, a zero-width joiner."""
    book = minimal_book()
    book["Nations"][1][0] = "\ufeffAAA"
    book["Programmes"][1][0] = "P01\u00ad"
    book["Budgets"][2][0] = "BBB\u200d"
    book["Values"][2][0] = "\u200bP02"
    inputs = inputs_of(book)
    assert [n.code for n in inputs.nations] == ["AAA", "BBB", "CCC"]
    assert [p.id for p in inputs.programmes] == ["P01", "P02"]
    assert inputs.budgets[("BBB", 2027)] == 80
    assert inputs.values[("P02", "CYB")] == 4


def test_an_id_typed_in_another_unicode_form_is_the_same_id() -> None:
    """ "Café" typed in Nations (composed é) and pasted into Budgets from elsewhere (e +
    combining accent: macOS file names, some exports) look identical, yet the Budgets row was
    refused as a nation not in Nations, and Café as having no row."""
    book = full_book()
    book["Nations"].append([unicodedata.normalize("NFC", "Café"), "Café", "ally"])
    book["Budgets"].append([unicodedata.normalize("NFD", "Café"), 1, 2, 3, 4, 5])
    inputs = inputs_of(book)
    code = unicodedata.normalize("NFC", "Café")
    assert inputs.budget(code, 2031) == 5


def test_two_ids_that_differ_only_in_unicode_form_are_duplicates() -> None:
    book = full_book()
    book["CapabilityAreas"].append([unicodedata.normalize("NFC", "Sécurité"), "a", 1])
    book["CapabilityAreas"].append([unicodedata.normalize("NFD", "SÉCURITÉ"), "b", 1])
    errors = errors_of(book)
    assert len(errors) == 1 and errors[0].startswith("CapabilityAreas!A5: id ")
    assert "repeats Sécurité from row 4" in unicodedata.normalize("NFC", errors[0])
