"""The blank template: generated from the schema, usable by hand, valid once filled in."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from data.errors import InputError
from data.reader import load_inputs
from data.schema import DICTIONARY_COLUMNS, SETTINGS_KEYS, SHEETS, dictionary_rows
from data.template import write_template


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_template(tmp_path_factory.mktemp("tpl") / "template.xlsx")


def header(ws: openpyxl.worksheet.worksheet.Worksheet) -> list[object]:
    return [c.value for c in next(ws.iter_rows(min_row=1, max_row=1))]


def test_every_sheet_and_column_from_the_schema(template: Path) -> None:
    wb = openpyxl.load_workbook(template)
    assert wb.sheetnames == [s.name for s in SHEETS] + ["DataDictionary"]
    for schema in SHEETS:
        assert header(wb[schema.name]) == [c.name for c in schema.columns], schema.name


def test_settings_are_prefilled_with_defaults(template: Path) -> None:
    ws = openpyxl.load_workbook(template)["Settings"]
    rows = {r[0]: r[1] for r in ws.iter_rows(min_row=2, values_only=True)}
    expected_keys = [k.name for k in SETTINGS_KEYS if not k.name.endswith("<area id>")]
    assert list(rows) == expected_keys
    assert rows["first_year"] is None and rows["last_year"] is None
    assert rows["currency"] == "EUR million" and rows["weight_shortfall"] == 10
    assert rows["priority"] == "shortfall, capability, cost" and rows["pareto_exact"] == "no"


def test_data_dictionary_is_the_schema(template: Path) -> None:
    ws = openpyxl.load_workbook(template)["DataDictionary"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == DICTIONARY_COLUMNS
    assert [tuple("" if v is None else v for v in r) for r in rows[1:]] == dictionary_rows()


def test_drop_downs_frozen_headers_and_widths(template: Path) -> None:
    wb = openpyxl.load_workbook(template)
    programmes = wb["Programmes"]
    lists: dict[str, set[str]] = {}
    for dv in programmes.data_validations.dataValidation:
        lists.setdefault(dv.formula1, set()).update(str(dv.sqref).split())
    assert lists == {'"national,joint"': {"D2:D1000"}, '"yes,no"': {"J2:J1000", "Q2:Q1000"}}
    settings = wb["Settings"]
    row_of = {r[0].value: r[0].row for r in settings.iter_rows(min_row=2, max_col=1)}
    setting_lists = {str(dv.sqref): dv.formula1 for dv in settings.data_validations.dataValidation}
    assert setting_lists[f"B{row_of['objective']}"] == '"lexicographic,weighted,pareto"'
    assert setting_lists[f"B{row_of['pareto_exact']}"] == '"yes,no"'
    for schema in SHEETS:
        ws = wb[schema.name]
        assert ws.freeze_panes == "A2", schema.name
        assert all((ws.column_dimensions[c].width or 0) >= 12 for c in "AB"), schema.name
    assert "whole number ≥ 1" in programmes["E1"].comment.text


def test_blank_template_names_what_is_missing(template: Path) -> None:
    with pytest.raises(InputError) as caught:
        load_inputs(template)
    assert [str(p) for p in caught.value.problems] == [
        "Settings!B2: first_year is blank — expected a year like 2028",
        "Settings!B3: last_year is blank — expected a year like 2028",
        "Nations!A2: no nations are listed — expected at least one nation",
        "Programmes!A2: no programmes are listed — expected at least one programme",
        "CapabilityAreas!A2: no capability areas are listed — expected at least one capability area",
    ]
    assert caught.value.warnings == []  # the DataDictionary sheet is ours: no warning


def test_template_with_years_has_budget_columns(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(write_template(tmp_path / "t.xlsx", 2027, 2030))
    assert header(wb["Budgets"]) == ["nation", 2027, 2028, 2029, 2030]
    settings = {r[0]: r[1] for r in wb["Settings"].iter_rows(min_row=2, values_only=True)}
    assert (settings["first_year"], settings["last_year"]) == (2027, 2030)


def fill(ws: openpyxl.worksheet.worksheet.Worksheet, rows: list[list[object]]) -> None:
    for i, row in enumerate(rows, start=2):
        for j, value in enumerate(row, start=1):
            ws.cell(row=i, column=j, value=value)


def test_filled_in_template_validates(template: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(template)
    settings = wb["Settings"]
    for row in settings.iter_rows(min_row=2, max_col=2):
        if row[0].value == "first_year":
            row[1].value = 2027
        elif row[0].value == "last_year":
            row[1].value = 2029
    fill(wb["Nations"], [["POL", "Poland", "ally", 4], ["NOR", "Norway", "partner"]])
    budgets = wb["Budgets"]
    for j, year in enumerate([2027, 2028, 2029], start=2):
        budgets.cell(row=1, column=j, value=year)
    fill(budgets, [["POL", 100, 110, 120], ["NOR", 50, 50, 50]])
    # id, name, technology, sharing, duration, cost, ppc, earliest, deadline, flexible,
    # group, trl, risk, min_p, max_p, min_share, open
    fill(
        wb["Programmes"],
        [
            ["P01", "Radar", "sensors", "national", 2, 80, None, None, None, "no", None, 6, 0.1],
            ["P02", "Satellite", "space", "joint", 3, 300, 5, 2027, None, "yes", None, 7, 0.2, 2, None, 0.25, "yes"],
        ],
    )
    fill(wb["CapabilityAreas"], [["AIR", "Air", 1], ["SPC", "Space", 2]])
    values = wb["Values"]
    values.cell(row=1, column=2, value="AIR")
    values.cell(row=1, column=3, value="SPC")
    fill(values, [["P01", 4, None], ["P02", 1, 6]])
    fill(wb["CostProfiles"], [["P02", 0, 1], ["P02", 1, 3]])
    fill(wb["Standards"], [["S1", "Link 22", 2, 2, 1]])
    fill(wb["ProgrammeStandards"], [["P02", "S1"]])
    fill(wb["Precedence"], [["P01", "P02", "any_nation"]])
    fill(wb["Targets"], [["ALLIANCE", "AIR", 2029, 4]])
    fill(wb["Commitments"], [["POL", "P01", "fund", 2027]])
    path = tmp_path / "filled.xlsx"
    wb.save(path)
    inputs, warnings = load_inputs(path)
    assert warnings == []
    assert [n.code for n in inputs.nations] == ["POL", "NOR"]
    assert inputs.programme_by_id["P02"].profile == (0.25, 0.75, 0.0)
    assert inputs.budget("POL", 2029) == 120.0
    assert inputs.settings.priority == ("shortfall", "capability", "cost")
