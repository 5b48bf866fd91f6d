"""The schema is the single source of truth: it must agree with tables.py and the docs."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from data.schema import (
    JOINT_ONLY_COLUMNS,
    OBJECTIVES,
    SETTINGS_KEYS,
    SHEET_BY_NAME,
    SHEETS,
    Column,
    dictionary_rows,
    normalise_name,
    schema_markdown,
    settings_key,
)
from data.tables import (
    OBJECTIVE_SENSES,
    CapabilityArea,
    Nation,
    Programme,
    Settings,
    Standard,
    Target,
)

DOCS = Path(__file__).parents[2] / "docs" / "input-validation.md"


def test_settings_defaults_agree_with_the_settings_dataclass() -> None:
    defaults = Settings(first_year=2027, last_year=2031)
    for key in SETTINGS_KEYS:
        if key.required or key.name.startswith("weight_capability:"):
            continue
        if key.name.startswith("weight_"):
            assert defaults.weights[key.name[len("weight_") :]] == key.default, key.name
        else:
            assert getattr(defaults, key.name) == key.default, key.name


def test_every_settings_field_has_a_key() -> None:
    keys = {k.name for k in SETTINGS_KEYS}
    for f in dataclasses.fields(Settings):
        if f.name != "weights":
            assert f.name in keys, f.name
    assert {f"weight_{o}" for o in OBJECTIVE_SENSES} <= keys
    assert OBJECTIVES == tuple(OBJECTIVE_SENSES)


@pytest.mark.parametrize(
    ("sheet", "table", "derived"),
    [
        ("Nations", Nation, {"own_fractions"}),  # which fraction cells were filled, not a column
        ("Programmes", Programme, {"profile"}),
        ("CapabilityAreas", CapabilityArea, set()),
        ("Standards", Standard, set()),
        ("Targets", Target, {"row", "area"}),
    ],
)
def test_every_table_field_has_a_column(sheet: str, table: type, derived: set[str]) -> None:
    columns = {c.name for c in SHEET_BY_NAME[sheet].columns}
    fields = {f.name for f in dataclasses.fields(table)} - derived
    id_column = SHEET_BY_NAME[sheet].id_column
    if id_column is not None:
        fields = {id_column.name if f in ("id", "code") else f for f in fields}
    assert fields <= columns


def test_joint_only_columns_are_the_five_of_workbook_md() -> None:
    assert set(JOINT_ONLY_COLUMNS) == {
        "per_participant_cost",
        "min_participants",
        "max_participants",
        "min_share",
        "open_to_partners",
    }


def test_schema_is_well_formed() -> None:
    assert [s.name for s in SHEETS if s.required] == [
        "Settings",
        "Nations",
        "Budgets",
        "Programmes",
        "CapabilityAreas",
        "Values",
    ]
    for sheet in SHEETS:
        for c in sheet.columns + ((sheet.wide_value,) if sheet.wide_value else ()):
            assert (c.kind == "enum") == bool(c.choices), c.name
            assert (c.kind == "id-reference") == (c.refers_to is not None), c.name
            assert c.refers_to is None or c.refers_to in SHEET_BY_NAME
            assert not (c.required and c.default is not None), c.name
            assert c.meaning.endswith("."), c.name
        assert len({normalise_name(c.name) for c in sheet.columns}) == len(sheet.columns)


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        (SHEET_BY_NAME["Programmes"].column("duration_years"), "expected a whole number ≥ 1"),
        (SHEET_BY_NAME["Programmes"].column("trl"), "expected a whole number from 1 to 9"),
        (SHEET_BY_NAME["Programmes"].column("min_share"), "expected a number from 0 to 1"),
        (settings_key("time_limit_seconds"), "expected a number > 0"),
        (SHEET_BY_NAME["Programmes"].column("sharing"), "expected one of national, joint"),
        (SHEET_BY_NAME["Programmes"].column("flexible_start"), "expected yes or no"),
        (SHEET_BY_NAME["Targets"].column("year"), "expected a year like 2028"),
        (SHEET_BY_NAME["Targets"].column("nation"), "expected a nation code from the Nations sheet or ALLIANCE"),
    ],
)
def test_expected_phrases(column: Column, expected: str) -> None:
    assert column.expected() == expected


def test_area_weight_keys_share_one_entry() -> None:
    assert settings_key("weight_capability:AIR").name == "weight_capability:<area id>"
    with pytest.raises(KeyError):
        settings_key("colour")


def test_names_match_ignoring_case_spaces_and_underscores() -> None:
    assert normalise_name(" Duration Years ") == normalise_name("DURATION_YEARS") == normalise_name("duration_years")
    assert normalise_name("min_share") != normalise_name("max_share")


def test_data_dictionary_covers_every_column_and_key() -> None:
    rows = dictionary_rows()
    pairs = {(r[0], r[1]) for r in rows}
    for sheet in SHEETS:
        if sheet.layout != "settings":
            assert {(sheet.name, c.name) for c in sheet.columns} <= pairs
    assert {("Settings", k.name) for k in SETTINGS_KEYS} <= pairs
    assert ("Budgets", "<year>") in pairs and ("Values", "<area id>") in pairs


def test_docs_hold_the_generated_data_dictionary() -> None:
    """docs/input-validation.md pastes schema_markdown(); regenerate it when this fails."""
    assert schema_markdown() in DOCS.read_text(encoding="utf-8")
