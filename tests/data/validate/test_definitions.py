"""The sheets that define ids: Nations, CapabilityAreas and Standards (data.validate.definitions)."""

from __future__ import annotations

from tests.data.fixtures.books import errors_of, full_book, inputs_of, minimal_book, put


# --- Nations ------------------------------------------------------------------------------
def test_alliance_is_a_reserved_code() -> None:
    book = minimal_book()
    book["Nations"].append(["alliance", "All of us", "ally"])
    book["Budgets"].append(["alliance", 1, 1, 1, 1, 1])
    errors = errors_of(book)
    assert errors[0] == (
        'Nations!A5: code "alliance" is reserved — expected a nation code other '
        "than ALLIANCE (it names the allies together in Targets)"
    )


def test_nation_fractions_resolve_against_settings() -> None:
    book = minimal_book()
    book["Settings"] += [["carry_over_fraction", 0.2], ["borrow_fraction", 0.1]]
    put(book, "Nations", 2, "carry_over_fraction", 0.5)
    put(book, "Nations", 3, "borrow_fraction", 0)
    put(book, "Nations", 2, "max_concurrent_programmes", 3)
    a, b, c = inputs_of(book).nations
    assert (a.carry_over_fraction, a.borrow_fraction, a.max_concurrent_programmes) == (0.5, 0.1, 3)
    assert (b.carry_over_fraction, b.borrow_fraction, b.max_concurrent_programmes) == (0.2, 0.0, None)
    assert (c.role, c.carry_over_fraction) == ("partner", 0.2)


def test_role_defaults_to_ally() -> None:
    book = minimal_book()
    book["Nations"][2][2] = None
    assert inputs_of(book).nations[1].role == "ally"


def test_negative_capacity() -> None:
    book = minimal_book()
    put(book, "Nations", 2, "max_concurrent_programmes", -1)
    assert errors_of(book) == ["Nations!D2: max_concurrent_programmes is -1 — expected a whole number ≥ 0"]


# --- Standards ----------------------------------------------------------------------------
def test_standard_defaults_and_requirements() -> None:
    book = full_book()
    book["Standards"].append(["S2", None, 1, None, None])
    inputs = inputs_of(book)
    s2 = inputs.standard_by_id["S2"]
    assert (s2.name, s2.min_adopters, s2.weight) == ("S2", 1, 1.0)
    assert inputs.requirements == (("P02", "S1"),)


def test_standard_needs_adoption_cost() -> None:
    book = full_book()
    book["Standards"][1][2] = None
    assert errors_of(book) == ["Standards!C2: adoption_cost is blank — expected a number ≥ 0"]
