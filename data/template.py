"""The blank input workbook (`write_template`), generated from `data.schema`.

`build_input_workbook` lays out any content in the input format — headers, drop-down
lists for enumerations and yes/no, frozen header rows, header notes and the
DataDictionary sheet — so the template and `data.input_writer`'s exports look alike.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from openpyxl.comments import Comment
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from data.schema import (
    AREA_WEIGHT_KEY_PREFIX,
    DATA_DICTIONARY_SHEET,
    DICTIONARY_COLUMNS,
    SETTINGS_KEYS,
    SHEETS,
    Column,
    SheetSchema,
    dictionary_rows,
    normalise_name,
    settings_key,
)
from data.xlsx_io import new_workbook, save_atomically, write_table

log = logging.getLogger(__name__)

Rows = Sequence[Sequence[object]]
MIN_COLUMN_WIDTH = 12
VALIDATED_ROWS = 1000  # drop-downs reach this far below the header in an empty sheet


def settings_cell(column: Column, value: object) -> object:
    """How a Settings value is written: lists comma-joined, yes/no as words."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (tuple, list)):
        return ", ".join(str(v) for v in value)
    return value


def template_settings_rows(first_year: int | None = None, last_year: int | None = None) -> list[list[object]]:
    """Every Settings key with its default (the per-area weight keys are per area: none)."""
    given = {"first_year": first_year, "last_year": last_year}
    rows: list[list[object]] = []
    for key in SETTINGS_KEYS:
        if key.name.startswith(AREA_WEIGHT_KEY_PREFIX):
            continue
        value = given[key.name] if key.required else settings_cell(key, key.default)
        rows.append([key.name, value])
    return rows


def build_input_workbook(content: Mapping[str, tuple[Sequence[object], Rows]]) -> Workbook:
    """A workbook in the input format: every schema sheet, then the DataDictionary.

    `content` maps a sheet name to (header, rows); sheets it lacks are written with their
    schema header and no rows.
    """
    wb = new_workbook()
    for schema in SHEETS:
        header, rows = content.get(schema.name, (default_header(schema), []))
        ws = wb.create_sheet(schema.name)
        write_table(ws, header, rows)  # type: ignore[arg-type]  # year headers stay numbers
        _decorate(ws, schema, list(header), rows)
    _write_dictionary(wb.create_sheet(DATA_DICTIONARY_SHEET))
    return wb


def default_header(schema: SheetSchema) -> list[object]:
    """A sheet's header as its schema orders it: the blank template's columns."""
    return [c.name for c in schema.columns]


def _decorate(ws: Worksheet, schema: SheetSchema, header: list[object], rows: Rows) -> None:
    """Header notes, drop-downs and widths: what makes the sheet usable by hand."""
    last_row = max(len(rows) + 1, VALIDATED_ROWS)
    columns = {normalise_name(c.name): c for c in schema.columns}
    for j, title in enumerate(header, start=1):
        column = columns.get(normalise_name(title))
        if column is None and schema.wide_value is not None and j > 1:
            column = schema.wide_value
        if column is None:
            continue
        ws.cell(row=1, column=j).comment = Comment(_note(column), "capopt", width=300, height=120)
        letter = get_column_letter(j)
        if schema.layout != "settings":
            _add_list(ws, column, f"{letter}2:{letter}{last_row}")
        width = ws.column_dimensions[letter].width or 0
        ws.column_dimensions[letter].width = max(width, MIN_COLUMN_WIDTH)
    if schema.layout == "settings":
        _settings_lists(ws, rows)
        ws.column_dimensions["A"].width = max(ws.column_dimensions["A"].width or 0, 30)
        ws.column_dimensions["B"].width = max(ws.column_dimensions["B"].width or 0, 30)


def _note(column: Column) -> str:
    parts = [column.meaning, f"Type: {column.describe_values()}."]
    if column.unit:
        parts.append(f"Unit: {column.unit}.")
    parts.append("Required." if column.required else f"Default: {column.default_display()}.")
    return "\n".join(parts)


def _add_list(ws: Worksheet, column: Column, cells: str) -> None:
    choices = _choices(column)
    if not choices:
        return
    # A warning, not a stop: the validator also accepts true/false, y/n and 1/0.
    validation = DataValidation(
        type="list",
        formula1=f'"{",".join(choices)}"',
        allow_blank=True,
        errorStyle="warning",
        showErrorMessage=True,
        error=f"Expected {column.describe_values()}.",
    )
    validation.add(cells)
    ws.add_data_validation(validation)


def _choices(column: Column) -> tuple[str, ...]:
    if column.kind == "enum":
        return column.choices
    if column.kind == "yes-no":
        return ("yes", "no")
    return ()


def _settings_lists(ws: Worksheet, rows: Rows) -> None:
    """Drop-downs on the value cells of enumerated Settings keys."""
    for i, row in enumerate(rows, start=2):
        try:
            column = settings_key(str(row[0]))
        except KeyError:
            continue
        _add_list(ws, column, f"B{i}")


def _write_dictionary(ws: Worksheet) -> None:
    write_table(ws, DICTIONARY_COLUMNS, dictionary_rows())
    meaning = get_column_letter(len(DICTIONARY_COLUMNS))
    ws.column_dimensions[meaning].width = 80
    for (cell,) in ws.iter_rows(min_row=2, min_col=len(DICTIONARY_COLUMNS), max_col=len(DICTIONARY_COLUMNS)):
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def write_template(path: str | os.PathLike[str], first_year: int | None = None, last_year: int | None = None) -> Path:
    """Write a blank input workbook: every sheet and column, Settings at their defaults.

    With first_year and last_year the Settings rows are filled in and Budgets gets one
    column per year; otherwise the planner adds the year columns.
    """
    content: dict[str, tuple[Sequence[object], Rows]] = {
        "Settings": (["key", "value"], template_settings_rows(first_year, last_year)),
    }
    if first_year is not None and last_year is not None:
        content["Budgets"] = (["nation", *range(first_year, last_year + 1)], [])
    target = save_atomically(build_input_workbook(content), path)
    log.info("wrote input template %s", target)
    return target
