"""Settings sheet: key/value rows, defaults, types, and objective lists (data.validate.settings)."""

from __future__ import annotations

import datetime as dt

import pytest

from data.tables import Settings
from tests.data.fixtures.books import errors_of, inputs_of, minimal_book, warnings_of


def with_settings(*rows: list[object]):  # type: ignore[no-untyped-def]
    book = minimal_book()
    book["Settings"].extend([list(r) for r in rows])
    return book


def test_defaults_apply_when_keys_are_absent() -> None:
    s = inputs_of(minimal_book()).settings
    assert s == Settings(first_year=2027, last_year=2031)
    assert s.weights == {"capability": 1.0, "cost": 0.0, "shortfall": 10.0, "interoperability": 0.0, "risk": 0.0}


def test_blank_value_means_default() -> None:
    s = inputs_of(with_settings(["currency", None], ["mip_gap", "  "])).settings
    assert (s.currency, s.mip_gap) == ("EUR million", 0.01)


def test_keys_match_ignoring_case_and_spaces() -> None:
    book = minimal_book()
    book["Settings"] = [[" KEY ", "Value"], [" First Year", 2027], ["LAST_YEAR ", 2031], ["Planning cycle years", 2]]
    s = inputs_of(book).settings
    assert (s.first_year, s.last_year, s.planning_cycle_years) == (2027, 2031, 2)


def test_every_value_is_converted_to_its_type() -> None:
    s = inputs_of(
        with_settings(
            ["objective", " Pareto "],
            ["pareto_exact", True],
            ["pareto_points", 4.0],
            ["time_limit_seconds", "60"],
            ["priority", "cost , Shortfall"],
            ["pareto_objectives", "capability:air, risk"],
            ["weight_risk", 2],
            ["weight_capability:cyb", 0.5],
            ["carry_over_fraction", 0.25],
        )
    ).settings
    assert s.objective == "pareto" and s.pareto_exact is True and s.pareto_points == 4
    assert s.time_limit_seconds == 60.0 and s.carry_over_fraction == 0.25
    assert s.priority == ("cost", "shortfall")
    assert s.pareto_objectives == ("capability:AIR", "risk")
    assert s.weights["risk"] == 2.0 and s.weights["capability:CYB"] == 0.5


def test_missing_year_key() -> None:
    book = minimal_book()
    del book["Settings"][1]
    assert errors_of(book) == [
        ("Settings!A3: first_year is missing — expected a row with key first_year and a year like 2028")
    ]


def test_blank_required_year() -> None:
    book = minimal_book()
    book["Settings"][2][1] = None
    assert errors_of(book) == ["Settings!B3: last_year is blank — expected a year like 2028"]


def test_last_year_before_first_year() -> None:
    book = minimal_book()
    book["Settings"][2][1] = 2026
    assert errors_of(book) == [
        "Settings!B3: last_year 2026 is before first_year 2027 — expected last_year ≥ first_year"
    ]


def test_year_outside_1900_2200() -> None:
    book = minimal_book()
    book["Settings"][1][1] = 1800
    assert errors_of(book) == ["Settings!B2: first_year is 1800 — expected a year from 1900 to 2200"]


def test_date_where_a_year_belongs() -> None:
    book = minimal_book()
    book["Settings"][1][1] = dt.datetime(2028, 1, 1)
    assert errors_of(book) == ["Settings!B2: first_year is the date 2028-01-01 — expected a year like 2028"]


def test_fractional_year() -> None:
    book = minimal_book()
    book["Settings"][1][1] = 2027.5
    assert errors_of(book) == ["Settings!B2: first_year is 2027.5 — expected a year like 2028"]


def test_key_given_twice_is_an_error() -> None:
    assert errors_of(with_settings(["First_Year", 2027])) == [
        "Settings!A4: key first_year is given twice (also in row 2) — expected each key once"
    ]


def test_area_weight_given_twice_is_an_error() -> None:
    book = with_settings(["weight_capability:AIR", 1], ["weight_capability: air ", 2])
    assert errors_of(book) == [
        ("Settings!A5: key weight_capability:air is given twice (also in row 4) — expected each key once")
    ]


def test_unknown_key_is_a_warning() -> None:
    assert warnings_of(with_settings(["colour", "blue"])) == [
        'Settings!A4: key "colour" is not a setting and is ignored'
    ]


def test_value_without_key() -> None:
    assert errors_of(with_settings([None, 5])) == [
        "Settings!A4: a value has no key — expected a setting name in the key column"
    ]


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("planning_cycle_years", 0, "Settings!B4: planning_cycle_years is 0 — expected a whole number ≥ 1"),
        ("time_limit_seconds", 0, "Settings!B4: time_limit_seconds is 0 — expected a number > 0"),
        ("mip_gap", -0.1, "Settings!B4: mip_gap is -0.1 — expected a number ≥ 0"),
        ("pareto_points", 1, "Settings!B4: pareto_points is 1 — expected a whole number ≥ 2"),
        ("objective", "fast", 'Settings!B4: objective is "fast" — expected one of lexicographic, weighted, pareto'),
        ("pareto_exact", "maybe", 'Settings!B4: pareto_exact is "maybe" — expected yes or no'),
        ("discount_rate", "five", 'Settings!B4: discount_rate is "five" — expected a number ≥ 0'),
        ("weight_cost", float("nan"), "Settings!B4: weight_cost is NaN — expected a number ≥ 0"),
        ("weight_cost", float("inf"), "Settings!B4: weight_cost is infinity — expected a number ≥ 0"),
        ("priority", 5, "Settings!B4: priority is 5 — expected a comma-separated list of objective names"),
    ],
)
def test_bad_setting_values(key: str, value: object, message: str) -> None:
    assert errors_of(with_settings([key, value])) == [message]


def test_unknown_objective_in_priority() -> None:
    assert errors_of(with_settings(["priority", "shortfall, speed"])) == [
        (
            'Settings!B4: priority names "speed", which is not an objective — expected objective '
            "names: capability, cost, shortfall, interoperability, risk or capability:<area id>"
        )
    ]


def test_unknown_area_in_objective_list() -> None:
    assert errors_of(with_settings(["pareto_objectives", "cost, capability:SPACE"])) == [
        (
            'Settings!B4: pareto_objectives names "capability:SPACE", which is not an objective — '
            "expected objective names: capability, cost, shortfall, interoperability, risk or "
            "capability:<area id>"
        )
    ]


def test_objective_named_twice() -> None:
    assert errors_of(with_settings(["priority", "cost, COST"])) == [
        "Settings!B4: priority names cost twice — expected each objective once"
    ]


def test_empty_objective_list() -> None:
    assert errors_of(with_settings(["priority", " , "])) == [
        (
            "Settings!B4: priority lists no objective — expected objective names: capability, "
            "cost, shortfall, interoperability, risk or capability:<area id>"
        )
    ]


def test_pareto_needs_two_objectives() -> None:
    book = with_settings(["objective", "pareto"], ["pareto_objectives", "cost"])
    assert errors_of(book) == [
        ("Settings!B5: pareto_objectives names 1 objective — expected two or more objectives for objective = pareto")
    ]


def test_one_pareto_objective_is_fine_when_not_in_pareto_mode() -> None:
    assert inputs_of(with_settings(["pareto_objectives", "cost"])).settings.pareto_objectives == ("cost",)


def test_weight_for_unknown_area() -> None:
    assert errors_of(with_settings(["weight_capability:SPACE", 1])) == [
        (
            "Settings!A4: weight_capability:SPACE names no capability area — expected "
            "weight_capability:<an id from CapabilityAreas>"
        )
    ]


@pytest.mark.parametrize("value", [True, 1, 1.0, "yes", "Y", "true", "TRUE", "1", " Yes "])
def test_yes_values(value: object) -> None:
    assert inputs_of(with_settings(["pareto_exact", value])).settings.pareto_exact is True


@pytest.mark.parametrize("value", [False, 0, 0.0, "no", "N", "false", "FALSE", "0"])
def test_no_values(value: object) -> None:
    assert inputs_of(with_settings(["pareto_exact", value])).settings.pareto_exact is False


def test_settings_sheet_without_value_column() -> None:
    book = minimal_book()
    book["Settings"] = [["key", "setting"], ["first_year", 2027]]
    errors = errors_of(book)
    assert "Settings!C1: no value column — expected a column headed value" in errors


def test_a_gap_of_one_or_more_is_accepted_with_a_warning_that_it_is_a_fraction() -> None:
    """WORKBOOK.md allows any mip_gap ≥ 0, but 1 means 100 %: a planner who wrote 1 for 1 %
    got a plan 24 % from the best possible called "optimal"."""
    book = with_settings(["mip_gap", 1])
    assert inputs_of(book).settings.mip_gap == 1.0
    (warning,) = [w for w in warnings_of(book) if "mip_gap" in str(w)]
    assert "a gap of 100 %" in str(warning) and "did you mean 0.01 for 1 %?" in str(warning)
    assert not [w for w in warnings_of(with_settings(["mip_gap", 0.5])) if "mip_gap" in str(w)]


# --- an unknown area in a Settings key is the key's fault ---------------------------------
def test_an_unknown_area_weight_is_reported_at_its_key_cell() -> None:
    book = minimal_book()
    book["Settings"].append(["weight_capability:SPACE", 2])
    assert errors_of(book) == [
        (
            "Settings!A4: weight_capability:SPACE names no capability area — expected "
            "weight_capability:<an id from CapabilityAreas>"
        )
    ]
