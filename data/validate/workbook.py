"""The whole workbook: every sheet validated in order, into `Inputs` or one `InputError`."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from data.errors import InputError, Problem
from data.schema import SHEET_BY_NAME
from data.tables import AREA_OBJECTIVE_PREFIX, Inputs, Source
from data.validate.cells import RawSheet, _as_text, is_blank
from data.validate.commitments import _check_commitments, _read_commitments
from data.validate.definitions import _read_areas, _read_nations, _read_standards
from data.validate.judgements import _judge_products, _Sources, _unfundable, _warn_standards
from data.validate.problems import _Check, _Ids, _Row, _Table, id_key
from data.validate.programmes import _build_programmes, _read_cost_profiles, _read_programmes
from data.validate.relations import _read_precedences, _read_requirements, _read_targets
from data.validate.settings import _finish_settings, _read_settings, _SettingsDraft
from data.validate.sheets import _match_sheets, _read_table
from data.validate.wide import _read_budgets, _read_values

log = logging.getLogger(__name__)


# sheets of the workbooks capopt writes, none of which an input workbook has
OUTPUT_SHEETS = (
    "Summary",
    "Dashboard",
    "Plan",
    "Pareto",
    "Sweep",
    "Robustness",
    "LeverWorth",
    "Objectives",
    "Alliance",
)


def _refuse_an_output_workbook(sheets: Sequence[RawSheet], source: Source | None) -> None:
    """A plan (or study) workbook given where an input workbook belongs is said to be one:
    it got 8 problems and "sheet Capability is probably it, misnamed: rename it"."""
    titles = {id_key(s.title) for s in sheets}
    if "summary" not in titles or titles & {id_key(n) for n in ("Nations", "Programmes", "Budgets")}:
        return
    found = [name for name in OUTPUT_SHEETS if id_key(name) in titles]
    if len(found) >= 2:
        name = Path(source.path).name if source is not None else "workbook"
        raise InputError(
            [
                Problem(
                    name,
                    "",
                    f"is a workbook capopt wrote (sheets {', '.join(found)}), not an input workbook",
                    "expected the input workbook (a plan's Summary names it as "
                    "input_file), or a new one from capopt template",
                )
            ]
        )


def validate_sheets(
    sheets: Sequence[RawSheet], source: Source | None = None, warnings: Sequence[Problem] = ()
) -> tuple[Inputs, list[Problem]]:
    """Validate every sheet; return (Inputs, warnings) or raise InputError listing all.

    `warnings` are earlier ones (e.g. from the reader) to keep in front of ours.
    """
    check = _Check(warnings=list(warnings))
    _refuse_an_output_workbook(sheets, source)
    found = _match_sheets(sheets, check)
    tables = {
        name: _read_table(raw, SHEET_BY_NAME[name], check)
        for name, raw in found.items()
        if SHEET_BY_NAME[name].layout == "table"
    }
    draft = _read_settings(found.get("Settings"), check)
    years = tuple(range(draft.values["first_year"], draft.values["last_year"] + 1)) if draft.ok_years else None

    nation_ids, area_ids, programme_ids, standard_ids = (
        _Ids("nation"),
        _Ids("area"),
        _Ids("programme"),
        _Ids("standard", required=False),
    )
    nations = _read_nations(tables.get("Nations"), draft, nation_ids, check)
    areas = _read_areas(tables.get("CapabilityAreas"), area_ids, check)
    settings = _finish_settings(draft, area_ids, check)
    drafts = _read_programmes(tables.get("Programmes"), programme_ids, check)
    standards = _read_standards(tables.get("Standards"), standard_ids, check)
    durations = {d.fields["id"]: d.fields["duration_years"] for d in drafts}
    profiles = _read_cost_profiles(tables.get("CostProfiles"), programme_ids, durations, check)
    programmes = _build_programmes(drafts, profiles)

    budgets = _read_budgets(found.get("Budgets"), years, nation_ids, check)
    area_names = {id_key(a.name): a.id for a in areas}
    value_cells: dict[tuple[str, str], str] = {}
    values = _read_values(found.get("Values"), programme_ids, area_ids, check, area_names, value_cells)
    requirements = _read_requirements(tables.get("ProgrammeStandards"), programme_ids, standard_ids, check)
    precedences = _read_precedences(tables.get("Precedence"), programme_ids, check)
    targets = _read_targets(tables.get("Targets"), nation_ids, area_ids, years, check)
    commitment_rows = _read_commitments(tables.get("Commitments"), nation_ids, programme_ids, check)
    if settings is None:
        check.sort()
        raise InputError(check.errors, check.warnings)

    inputs = Inputs(
        settings=settings,
        nations=tuple(nations),
        budgets=budgets,
        programmes=tuple(programmes),
        areas=tuple(areas),
        values=values,
        standards=tuple(standards),
        requirements=tuple(requirements),
        precedences=tuple(precedences),
        targets=tuple(targets),
        source=source,
    )
    programme_rows = {d.fields["id"]: d.row for d in drafts}
    # Counts of nations judge consortia and standards only if every nation row was read.
    nations_read = nation_ids.trusted and len(nations) == len(nation_ids) > 0
    unfundable = _unfundable(inputs, check, programme_rows, nations_read)
    standard_rows = _defining_rows(tables.get("Standards"), standard_ids)
    if tables.get("Standards") is not None:
        _warn_standards(inputs, standard_rows, check, nations_read)
    _judge_products(
        inputs,
        _Sources(
            settings=draft.sheet,
            weight_cells=_weight_cells(draft, area_ids),
            values=found["Values"].title if "Values" in found else "Values",
            value_cells=value_cells,
            programmes=programme_rows,
            areas=_defining_rows(tables.get("CapabilityAreas"), area_ids),
            standards=standard_rows,
        ),
        check,
    )
    commitments = _check_commitments(commitment_rows, inputs, unfundable, check)
    check.sort()
    if check.errors:
        raise InputError(check.errors, check.warnings)
    log.debug("validated %d nations, %d programmes, %d warnings", len(nations), len(programmes), len(check.warnings))
    return inputs.with_changes(commitments=tuple(commitments)), check.warnings


def _defining_rows(table: _Table | None, ids: _Ids) -> dict[str, _Row]:
    """Canonical id -> the row defining it ({} without the sheet)."""
    return {} if table is None else {key: row for row, key in _rows_by_id(table, ids)}


def _weight_cells(draft: _SettingsDraft, areas: _Ids) -> dict[str, str]:
    """Objective name -> the Settings cell of its weight, where the sheet sets one."""
    cells = {key.removeprefix("weight_"): cell for key, cell in draft.cells.items() if key.startswith("weight_")}
    for area, _, cell, _ in draft.area_weights:
        found = areas.resolve(area)
        if found is not None:
            cells[AREA_OBJECTIVE_PREFIX + found] = cell
    return cells


def _rows_by_id(table: _Table, ids: _Ids) -> list[tuple[_Row, str]]:
    """(row, canonical id) for rows that defined an id."""
    out = []
    for row in table.rows:
        value = row.raw("id")
        if is_blank(value):
            continue
        canonical = ids.resolve(_as_text(value))
        if canonical is not None and ids.row_of.get(canonical) == row.number:
            out.append((row, canonical))
    return out
