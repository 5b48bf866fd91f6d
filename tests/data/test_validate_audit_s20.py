"""Faults an audit of bad input found (session 20): numbers whose product overflows the
solver, invisible characters in ids and names, a Values sheet without a single area
column, and warnings that blamed correct cells when the Nations sheet could not be read.

Each test builds a small workbook in code (tests/data/fixtures/books.py) and checks the
validator's own words, as a planner reads them.
"""

from __future__ import annotations

import pytest

from data.errors import InputError
from data.validate import sheets_from_rows, show, validate_sheets
from tests.data.fixtures.books import (
    Book,
    errors_of,
    full_book,
    inputs_of,
    minimal_book,
    put,
    warnings_of,
)

TOO_LARGE = (
    "too large for the solver — expected a product under 1e+15 (the solver takes larger "
    "coefficients as infinite or loses its precision): use smaller units or weights"
)


def problems_of(book: Book) -> tuple[list[str], list[str]]:
    """(errors, warnings) of an invalid book."""
    with pytest.raises(InputError) as caught:
        validate_sheets(sheets_from_rows(book))
    return [str(p) for p in caught.value.problems], [str(w) for w in caught.value.warnings]


def settings(book: Book, *rows: list[object]) -> Book:
    """The book with Settings rows added below first_year (row 2) and last_year (row 3)."""
    book["Settings"].extend(list(r) for r in rows)
    return book


# --- F1: products of numbers that each pass -----------------------------------------------
# In the minimal book P01 (2 years) can start in 2027 and serve 2029–2031: 3 years; P02
# (3 years) serves 2030–2031: 2 years. Every number below passes the per-cell cap of 1e12.
def test_a_weight_times_a_value_too_large_names_both_cells() -> None:
    """weight_capability 1e12 × value 1e12 validated, and the solve ended 'Unknown'."""
    book = settings(minimal_book(), ["objective", "weighted"], ["weight_capability", 1e12])
    put(book, "Values", 2, "AIR", 1e12)
    assert errors_of(book) == [
        (
            "Values!B2: value 1e+12 × weight_capability 1e+12 (Settings!B5) × 3 in-service years is "
            f"3e+24 in the weighted objective, {TOO_LARGE}"
        )
    ]


def test_weights_too_small_for_the_solver_name_the_weight_cell() -> None:
    """A weighted objective whose every coefficient lies under the solver's tolerances let any
    plan pass for optimal ("optimal, gap 0" at 32 times the cheapest cost)."""
    book = settings(
        minimal_book(),
        ["objective", "weighted"],
        ["weight_capability", 0],
        ["weight_shortfall", 0],
        ["weight_cost", 1e-12],
    )
    errors = errors_of(book)
    assert len(errors) == 1 and errors[0].startswith(
        "Settings!B7: weight_cost 1e-12 makes the weighted objective's largest coefficient"
    )
    assert "too small for the solver — expected weights whose largest coefficient is at least 1e-05" in errors[0]
    ok = settings(
        minimal_book(),
        ["objective", "weighted"],
        ["weight_capability", 0],
        ["weight_shortfall", 0],
        ["weight_cost", 1e-3],
    )
    assert inputs_of(ok).settings.weights["cost"] == 1e-3


def test_the_same_weight_is_no_error_when_the_run_is_not_weighted() -> None:
    """Settings weights are used only by a weighted run: a lexicographic one ignores them."""
    book = settings(minimal_book(), ["weight_capability", 1e12])
    put(book, "Values", 2, "AIR", 1e12)
    assert inputs_of(book).values[("P01", "AIR")] == 1e12


def test_a_product_under_the_bound_is_accepted() -> None:
    book = settings(minimal_book(), ["objective", "weighted"], ["weight_capability", 100])
    put(book, "Values", 2, "AIR", 1e12)  # 1e12 × 100 × 3 years = 3e14
    assert inputs_of(book).settings.weights["capability"] == 100


def test_an_area_weight_times_a_value_in_a_lexicographic_run() -> None:
    """The capability objective is held as a constraint after its stage; a coefficient of
    4e16 there came back 'optimal' at a sixth of the best plan."""
    book = minimal_book()
    put(book, "CapabilityAreas", 2, "weight", 1e4)
    put(book, "Values", 2, "AIR", 1e12)
    assert errors_of(book) == [
        (
            "Values!B2: value 1e+12 × weight 10000 (CapabilityAreas!C2) × 3 in-service years is "
            f"3e+16 in the capability objective, {TOO_LARGE}"
        )
    ]


def test_a_per_area_weight_counts_in_the_weighted_objective() -> None:
    book = settings(minimal_book(), ["objective", "weighted"], ["weight_capability:cyb", 1e12])
    put(book, "Values", 3, "CYB", 1e12)
    assert errors_of(book) == [
        (
            "Values!C3: value 1e+12 × weight_capability:CYB 1e+12 (Settings!B5) × 2 in-service years "
            f"is 2e+24 in the weighted objective, {TOO_LARGE}"
        )
    ]


def test_several_coefficients_over_the_bound_give_one_error() -> None:
    book = settings(minimal_book(), ["objective", "weighted"], ["weight_capability", 1e6])
    put(book, "Values", 2, "AIR", 1e12)
    put(book, "Values", 3, "AIR", 1e12)
    assert errors_of(book) == [
        (
            "Values!B2: value 1e+12 × weight_capability 1e+06 (Settings!B5) × 3 in-service years is "
            f"3e+18 in the weighted objective, {TOO_LARGE.replace(' —', ', as 1 other coefficient is —')}"
        )
    ]


def test_overrun_risk_times_cost_in_the_risk_objective() -> None:
    book = settings(minimal_book(), ["priority", "shortfall, risk"])
    put(book, "Programmes", 2, "total_cost", 1e8)
    put(book, "Programmes", 2, "cost_overrun_risk", 1e8)
    assert errors_of(book) == [
        (
            "Programmes!G2: cost_overrun_risk 1e+08 × total_cost 1e+08 (Programmes!F2) is 1e+16 in "
            f"the risk objective, {TOO_LARGE}"
        )
    ]


def test_overrun_risk_times_a_years_cost_in_robust_budgets() -> None:
    """Robust budget rows hold risk × the year's cost: 3e15 there failed plan verification."""
    book = settings(minimal_book(), ["robust_overruns", 1])
    put(book, "Programmes", 2, "total_cost", 1e8)
    put(book, "Programmes", 2, "cost_overrun_risk", 1e8)
    assert errors_of(book) == [
        (
            "Programmes!G2: cost_overrun_risk 1e+08 × total_cost 1e+08 (Programmes!F2), 5e+07 in its "
            f"dearest year, is 5e+15 in the robust budget rows, {TOO_LARGE}"
        )
    ]


# --- F2: invisible characters ----------------------------------------------------------------
def test_an_id_with_a_zero_width_space_repeats_the_id_and_the_message_shows_it() -> None:
    """ "P01" + U+200B beside "P01" validated, and the plan showed two programmes "P01"."""
    book = minimal_book()
    book["Programmes"].append(["P01\u200b", "Drone swarm (copy)", "autonomy", "national", 2, 60])
    assert errors_of(book) == [
        (
            'Programmes!A4: id "P01⟨U+200B⟩" repeats P01 from row 2 — expected a unique id (ids are '
            "matched ignoring case and spaces)"
        )
    ]


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


def test_sheet_and_column_names_ignore_invisible_characters() -> None:
    """ "Targets" + U+200B was 'not an input sheet' and the run went ahead without targets."""
    book = full_book()
    book["Targets\u200b"] = book.pop("Targets")
    book["Programmes"][0][4] = "duration_years\u200b"
    inputs, warnings = validate_sheets(sheets_from_rows(book))
    assert warnings == []
    assert len(inputs.targets) == 2
    assert [p.duration_years for p in inputs.programmes] == [2, 3]


def test_a_cell_holding_only_invisible_characters_is_blank() -> None:
    book = minimal_book()
    book["Values"][2][2] = "\u200b"
    book["Programmes"][1][1] = "\ufeff"
    inputs = inputs_of(book)
    assert ("P02", "CYB") not in inputs.values
    assert inputs.programmes[0].name == "P01"  # a blank name defaults to the id


def test_numbers_choices_and_lists_read_through_invisible_characters() -> None:
    book = settings(minimal_book(), ["priority", "capability,\u200bcost"])
    book["Budgets"][1][1] = "100\u200b"
    book["Programmes"][2][3] = "joint\u200b"
    inputs = inputs_of(book)
    assert inputs.budgets[("AAA", 2027)] == 100
    assert inputs.programmes[1].sharing == "joint"
    assert inputs.settings.priority == ("capability", "cost")


def test_messages_show_invisible_characters() -> None:
    book = minimal_book()
    book["Values"].append(["P9\u200b", 1, None])
    assert errors_of(book) == [
        ('Values!A4: programme "P9⟨U+200B⟩" is not in Programmes — expected a programme id from the Programmes sheet')
    ]
    assert show("\ufeffALPHA") == '"⟨U+FEFF⟩ALPHA"'
    assert show("plain") == '"plain"'


# --- F3: a Values sheet without a single area column ------------------------------------------
def test_area_names_as_headers_are_an_error_saying_which_id_is_meant() -> None:
    """Every column ignored with a warning, and the solve ran to an empty plan."""
    book = minimal_book()
    book["Values"][0] = ["programme", "air defence", "Cyber"]
    errors, warnings = problems_of(book)
    assert errors == [
        (
            "Values!1: no column is a capability area — expected columns headed by ids from "
            'CapabilityAreas (AIR, CYB); "air defence" is the name of area AIR; "Cyber" is the name '
            "of area CYB"
        )
    ]
    assert warnings[0] == (
        'Values!B1: column "air defence" is not a capability area and is ignored — "air defence" '
        "is the name of area AIR: head the column AIR. It holds numbers (2 cells)"
    )


def test_a_long_values_layout_is_an_error() -> None:
    book = minimal_book()
    book["Values"] = [["programme", "capability_area", "value"], ["P01", "AIR", 5], ["P02", "CYB", 4]]
    errors, _ = problems_of(book)
    assert errors == [
        (
            "Values!1: no column is a capability area — expected columns headed by ids from "
            'CapabilityAreas (AIR, CYB); column "capability_area" holds area ids: give each area a '
            "column of its own instead of a row per programme and area"
        )
    ]


def test_a_notes_column_beside_an_area_column_stays_a_warning() -> None:
    book = minimal_book()
    for row in book["Values"]:
        del row[2]  # CYB
    put(book, "Values", 2, "Air defence", 7)
    assert warnings_of(book) == [
        (
            'Values!C1: column "Air defence" is not a capability area and is ignored — "Air defence" '
            "is the name of area AIR: head the column AIR. It holds numbers (1 cell)"
        )
    ]


def test_no_area_column_is_not_judged_without_capability_areas() -> None:
    book = minimal_book()
    del book["CapabilityAreas"]
    book["Values"][0] = ["programme", "Air defence", "Cyber"]
    errors, _ = problems_of(book)
    assert errors == ["CapabilityAreas: sheet is missing — expected a sheet named CapabilityAreas"]


# --- minor: no judgements by a count of nations that was never read ---------------------------
@pytest.mark.parametrize(
    "break_nations",
    [
        lambda book: book["Nations"][0].__setitem__(0, "cod"),
        lambda book: book.pop("Nations"),
    ],
    ids=["id header misspelt", "sheet missing"],
)
def test_unread_nations_blame_no_programme_or_standard(break_nations) -> None:  # type: ignore[no-untyped-def]
    """P02 (joint, min_participants 2) and S1 (min_adopters 2) were warned about as if there
    were 0 nations: `Programmes!…: only 0 nations may join P02`."""
    book = full_book()
    break_nations(book)
    errors, warnings = problems_of(book)
    assert len(errors) == 1 and errors[0].startswith("Nations")
    assert not [w for w in warnings if "only 0 nations" in w]


def test_a_name_keeps_the_invisible_characters_inside_it() -> None:
    """A Persian name's zero-width non-joiner is part of its spelling: dropped, the letters
    joined. Around the name they are dropped like spaces; ids drop them everywhere."""
    book = minimal_book()
    book["Nations"][1][1] = "\u200fجمهوری\u200cاسلامی ایران\u200b "
    inputs = inputs_of(book)
    assert inputs.nations[0].name == "جمهوری\u200cاسلامی ایران"
