"""Nations, CapabilityAreas and Standards: the sheets that define ids."""

from __future__ import annotations

from data.schema import SHEET_BY_NAME
from data.tables import ALLIANCE, CapabilityArea, Nation, Standard
from data.validate.cells import _BAD, show
from data.validate.problems import BORROW_MEANING, CARRY_MEANING, _Check, _Ids, _Table
from data.validate.settings import _SettingsDraft
from data.validate.sheets import _define_ids


def _read_nations(table: _Table | None, draft: _SettingsDraft, ids: _Ids, check: _Check) -> list[Nation]:
    schema = SHEET_BY_NAME["Nations"]
    defined = _define_ids(table, schema.column("code"), ids, check)
    if table is None:
        return []
    nations: list[Nation] = []
    for row, code in defined:
        if code.casefold() == ALLIANCE.casefold():
            check.error(
                table.sheet,
                row.cell("code"),
                f"code {show(code)} is reserved",
                "expected a nation code other than ALLIANCE (it names the allies together in Targets)",
            )
            continue
        fields = {c.name: row.get(c) for c in schema.columns[1:]}
        if any(v is _BAD for v in fields.values()):
            continue
        own = tuple(key for key in FRACTION_KEYS if fields[key] is not None)
        for key in own:
            check.warn_if_percent(
                table.sheet,
                row.cell(key),
                key,
                fields[key],
                CARRY_MEANING if key == "carry_over_fraction" else BORROW_MEANING,
            )
        for key in FRACTION_KEYS:
            if fields[key] is None:
                fields[key] = float(draft.value(key))
        nations.append(Nation(code=code, name=fields.pop("name") or code, **fields, own_fractions=own))
    if not nations and not ids and table.complete:
        check.error(table.sheet, table.first_cell("code"), "no nations are listed", "expected at least one nation")
    return nations


FRACTION_KEYS = ("carry_over_fraction", "borrow_fraction")  # a nation's own, or Settings' when blank


def _read_areas(table: _Table | None, ids: _Ids, check: _Check) -> list[CapabilityArea]:
    schema = SHEET_BY_NAME["CapabilityAreas"]
    defined = _define_ids(table, schema.column("id"), ids, check)
    if table is None:
        return []
    areas: list[CapabilityArea] = []
    for row, area_id in defined:
        name, weight = row.get(schema.column("name")), row.get(schema.column("weight"))
        if weight is not _BAD and name is not _BAD:
            areas.append(CapabilityArea(area_id, name or area_id, weight))
    if not areas and not ids and table.complete:
        check.error(
            table.sheet,
            table.first_cell("id"),
            "no capability areas are listed",
            "expected at least one capability area",
        )
    return areas


def _read_standards(table: _Table | None, ids: _Ids, check: _Check) -> list[Standard]:
    schema = SHEET_BY_NAME["Standards"]
    defined = _define_ids(table, schema.column("id"), ids, check)
    standards: list[Standard] = []
    for row, sid in defined:
        fields = {c.name: row.get(c) for c in schema.columns[1:]}
        if any(v is _BAD for v in fields.values()):
            continue
        fields["name"] = fields["name"] or sid
        standards.append(Standard(id=sid, **fields))
    return standards
