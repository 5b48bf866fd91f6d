"""The Settings sheet: key/value rows, read before the capability areas are known and
finished once they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from data.schema import (
    AREA_WEIGHT_KEY_PREFIX,
    OBJECTIVE_LIST_KEYS,
    OBJECTIVES,
    SETTINGS_KEYS,
    SHEET_BY_NAME,
    Column,
    normalise_name,
    settings_key,
)
from data.tables import AREA_OBJECTIVE_PREFIX, Settings
from data.validate.cells import _BAD, RawSheet, _as_text, show, unreadable
from data.validate.problems import BORROW_MEANING, CARRY_MEANING, _Check, _Ids, _Row, id_key
from data.validate.sheets import _read_table


@dataclass
class _SettingsDraft:
    """Settings values before capability areas are known (lists and area weights wait)."""

    sheet: str = "Settings"
    values: dict[str, Any] = field(default_factory=dict)
    cells: dict[str, str] = field(default_factory=dict)
    # (area as typed, weight, value cell, key cell): the key cell is where an unknown area is
    area_weights: list[tuple[str, float, str, str]] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)  # keys present, even with a bad value
    free_cell: tuple[str, int] = ("A", 2)  # the key cell below the table, where a missing key would go
    keys_unread: bool = False  # no key column: no key can be said to be missing
    ok_years: bool = False

    def value(self, key: str) -> Any:
        return self.values.get(key, settings_key(key).default)


def _read_settings(raw: RawSheet | None, check: _Check) -> _SettingsDraft:
    draft = _SettingsDraft()
    if raw is None:
        return draft
    draft.sheet = raw.title
    table = _read_table(raw, SHEET_BY_NAME["Settings"], check)
    if table is None:
        return draft
    if "key" not in table.columns:
        # reported at its header cell; without it no row can be read, and a key "missing"
        # may stand in the column that was meant to be the key column
        draft.keys_unread = True
        return draft
    known = {normalise_name(c.name): c for c in SETTINGS_KEYS}
    seen: dict[str, int] = {}
    last_row = max((row.number for row in table.rows), default=table.header_row)
    draft.free_cell = (table.letters["key"], last_row + 1)
    for row in table.rows:
        if not row.filled("key"):
            check.error(table.sheet, row.cell("key"), "a value has no key", "expected a setting name in the key column")
            continue
        if _unreadable_key(row, check):
            continue
        key_text = _as_text(row.raw("key"))
        column, identity = _settings_column(key_text, known)
        if column is None:
            check.warn(table.sheet, row.cell("key"), f"key {show(key_text)} is not a setting and is ignored")
            continue
        if identity in seen:
            check.error(
                table.sheet,
                row.cell("key"),
                f"key {column.name} is given twice (also in row {seen[identity]})",
                "expected each key once",
            )
            continue
        seen[identity] = row.number
        _read_setting_value(row, column, draft)
    _check_years(draft, check)
    _check_gap_fraction(draft, check)
    _check_percent_like(draft, check)
    return draft


def _unreadable_key(row: _Row, check: _Check) -> bool:
    """A key cell that holds no name (a formula never calculated, an Excel error) is an error
    at that cell; True if it was. Read as text it was the unknown key "UNCACHED_FORMULA",
    ignored with a warning, and the setting the planner meant silently took its default."""
    problem = unreadable(row.raw("key"), "key", "expected a setting name in the key column")
    if problem is not None:
        check.error(row.sheet, row.cell("key"), *problem)
    return problem is not None


PERCENT_LIKE_SETTINGS = {  # fractions a planner may type as percentages, and how each reads
    "carry_over_fraction": CARRY_MEANING,
    "borrow_fraction": BORROW_MEANING,
    "discount_rate": "capability is discounted by {percent} a year",
}


def _check_percent_like(draft: _SettingsDraft, check: _Check) -> None:
    """carry_over_fraction 20, borrow_fraction 50 and discount_rate 3 were read as 2,000 %,
    5,000 % and 300 % without a word (audit), where mip_gap 5 is named."""
    for key, meaning in PERCENT_LIKE_SETTINGS.items():
        check.warn_if_percent(draft.sheet, draft.cells.get(key, ""), key, draft.value(key), meaning)


def _check_gap_fraction(draft: _SettingsDraft, check: _Check) -> None:
    """mip_gap is a fraction (WORKBOOK.md: a number ≥ 0, 0.01 = 1 %); 1 or more proves
    nothing, and a planner who wrote 1 meaning 1 % got a plan 24 % from the best called
    "optimal". The contract allows it, so a warning, not an error."""
    gap = draft.value("mip_gap")
    if isinstance(gap, (int, float)) and gap >= 1:
        check.warn(
            draft.sheet,
            draft.cells.get("mip_gap", ""),
            f"mip_gap {gap:g} is a fraction: {gap:g} means a gap of {gap * 100:g} %, so any plan "
            "counts as optimal (did you mean {0:g} for {1:g} %?)".format(gap / 100, gap),
        )


def _settings_column(key_text: str, known: dict[str, Column]) -> tuple[Column | None, str]:
    """The schema entry for a key as typed, and an identity to detect repeats."""
    prefix, colon, area = key_text.partition(":")
    if colon and normalise_name(prefix) == normalise_name(AREA_WEIGHT_KEY_PREFIX[:-1]):
        area = area.strip()
        per_area = replace(settings_key(AREA_WEIGHT_KEY_PREFIX), name=AREA_WEIGHT_KEY_PREFIX + area)
        return per_area, AREA_WEIGHT_KEY_PREFIX + id_key(area)
    column = known.get(normalise_name(key_text))
    return column, (column.name if column else "")


def _read_setting_value(row: _Row, column: Column, draft: _SettingsDraft) -> None:
    draft.seen.add(column.name)
    value_row = _Row(
        row.check, row.sheet, row.number, {column.name: row.raw("value")}, {column.name: row.letters.get("value", "")}
    )
    value = value_row.get(column)
    if value is _BAD:
        return
    cell = value_row.cell(column.name)
    if column.name.startswith(AREA_WEIGHT_KEY_PREFIX):
        draft.area_weights.append((column.name[len(AREA_WEIGHT_KEY_PREFIX) :], value, cell, row.cell("key")))
        return
    draft.values[column.name] = value
    draft.cells[column.name] = cell


def _check_years(draft: _SettingsDraft, check: _Check) -> None:
    if draft.keys_unread:
        return
    letter, free = draft.free_cell
    for key in ("first_year", "last_year"):
        if key not in draft.seen:
            free += 1
            check.error(
                draft.sheet,
                f"{letter}{free - 1}",
                f"{key} is missing",
                f"expected a row with key {key} and {settings_key(key).describe_values()}",
            )
    first, last = draft.values.get("first_year"), draft.values.get("last_year")
    if first is None or last is None:
        return
    if last < first:
        check.error(
            draft.sheet,
            draft.cells["last_year"],
            f"last_year {last} is before first_year {first}",
            "expected last_year ≥ first_year",
        )
        return
    draft.ok_years = True


def _finish_settings(draft: _SettingsDraft, areas: _Ids, check: _Check) -> Settings | None:
    """Resolve objective lists and per-area weights now that areas are known."""
    lists: dict[str, tuple[str, ...]] = {}
    for key in OBJECTIVE_LIST_KEYS:
        names = draft.value(key)
        resolved = _objective_list(names, key, draft, areas, check)
        if resolved is not None:
            lists[key] = resolved
    weights: dict[str, float] = {name: draft.value(f"weight_{name}") for name in OBJECTIVES}
    for area, weight, _, key_cell in draft.area_weights:
        found = areas.resolve(area)
        if found is None and not areas.trusted:
            continue  # CapabilityAreas itself is missing or unreadable: reported there
        if found is None:  # the mistake is in the key, not in the weight beside it
            check.error(
                draft.sheet,
                key_cell,
                f"{AREA_WEIGHT_KEY_PREFIX}{area} names no capability area",
                "expected weight_capability:<an id from CapabilityAreas>",
            )
            continue
        weights[AREA_OBJECTIVE_PREFIX + found] = weight
    objective = draft.value("objective")
    pareto = lists.get("pareto_objectives")
    if objective == "pareto" and pareto is not None and len(pareto) < 2:
        check.error(
            draft.sheet,
            draft.cells.get("pareto_objectives", ""),
            f"pareto_objectives names {len(pareto)} objective",
            "expected two or more objectives for objective = pareto",
        )
    if not draft.ok_years or len(lists) < len(OBJECTIVE_LIST_KEYS):
        return None
    scalars = {
        c.name: draft.value(c.name)
        for c in SETTINGS_KEYS
        if not c.name.startswith("weight_") and c.name not in OBJECTIVE_LIST_KEYS
    }
    fields: dict[str, Any] = {**scalars, "weights": weights, **lists}
    return Settings(**fields)


def _objective_list(
    names: tuple[str, ...], key: str, draft: _SettingsDraft, areas: _Ids, check: _Check
) -> tuple[str, ...] | None:
    cell = draft.cells.get(key, "")
    expected = "expected objective names: " + ", ".join(OBJECTIVES) + " or capability:<area id>"
    if not names:
        check.error(draft.sheet, cell, f"{key} lists no objective", expected)
        return None
    out: list[str] = []
    ok = True
    for name in names:
        canonical = _objective_name(name, areas)
        if canonical is None and not areas.trusted and ":" in name:
            ok = False  # an area objective, but CapabilityAreas is missing: reported there
        elif canonical is None:
            check.error(draft.sheet, cell, f"{key} names {show(name)}, which is not an objective", expected)
            ok = False
        elif canonical in out:
            check.error(draft.sheet, cell, f"{key} names {canonical} twice", "expected each objective once")
            ok = False
        else:
            out.append(canonical)
    return tuple(out) if ok else None


def _objective_name(name: str, areas: _Ids) -> str | None:
    prefix, colon, area = name.partition(":")
    if not colon:
        lowered = name.strip().casefold()
        return lowered if lowered in OBJECTIVES else None
    if prefix.strip().casefold() != AREA_OBJECTIVE_PREFIX[:-1]:
        return None
    found = areas.resolve(area)
    return AREA_OBJECTIVE_PREFIX + found if found else None
