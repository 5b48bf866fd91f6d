"""Programmes and CostProfiles: programme rows and their normalised spending profiles."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from data.schema import MAX_DURATION_YEARS, SHEET_BY_NAME
from data.tables import Programme
from data.validate.cells import _BAD
from data.validate.problems import _Check, _Ids, _Row, _Table, id_key
from data.validate.sheets import _define_ids, _reference


@dataclass
class _ProgrammeDraft:
    row: _Row
    fields: dict[str, Any]


# overruns of up to three times the cost happen to new technology; a typed 40 is a percentage
RISK_PLAUSIBLE_UP_TO = 3.0


def _read_programmes(table: _Table | None, ids: _Ids, check: _Check) -> list[_ProgrammeDraft]:
    schema = SHEET_BY_NAME["Programmes"]
    defined = _define_ids(table, schema.column("id"), ids, check)
    if table is None:
        return []
    drafts: list[_ProgrammeDraft] = []
    groups: dict[str, str] = {}
    for row, pid in defined:
        sharing = row.get(schema.column("sharing"))
        fields: dict[str, Any] = {"id": pid, "sharing": sharing}
        for column in schema.columns[1:]:
            if column.name == "sharing":
                continue
            if column.joint_only and sharing == "national":
                if row.filled(column.name):
                    check.warn(
                        table.sheet,
                        row.cell(column.name),
                        f"{column.name} is filled on national programme {pid} and is ignored",
                        "expected it blank (joint programmes only)",
                    )
                continue
            fields[column.name] = row.get(column)
        if fields["duration_years"] is not _BAD and fields["duration_years"] > MAX_DURATION_YEARS:
            check.error(
                table.sheet,
                row.cell("duration_years"),
                f"duration_years is {fields['duration_years']}",
                f"expected at most {MAX_DURATION_YEARS} (the longest horizon, 1900–2200)",
            )
            continue
        if any(v is _BAD for v in fields.values()):
            continue
        check.warn_if_percent(
            table.sheet,
            row.cell("cost_overrun_risk"),
            "cost_overrun_risk",
            fields["cost_overrun_risk"],
            "the expected overrun is {percent} of the cost",
            above=RISK_PLAUSIBLE_UP_TO,
        )
        if fields["exclusive_group"] is not None:
            # Groups are compared ignoring case like ids; the first spelling names the group.
            group = fields["exclusive_group"]
            fields["exclusive_group"] = groups.setdefault(id_key(group), group)
        if sharing == "joint" and not _participants_ok(row, fields, check):
            continue
        drafts.append(_ProgrammeDraft(row, fields))
    if not drafts and not ids and table.complete:
        check.error(table.sheet, table.first_cell("id"), "no programmes are listed", "expected at least one programme")
    return drafts


def _participants_ok(row: _Row, fields: dict[str, Any], check: _Check) -> bool:
    lo, hi = fields["min_participants"], fields["max_participants"]
    if hi is not None and lo > hi:
        check.error(
            row.sheet,
            row.cell("max_participants"),
            f"max_participants {hi} is below min_participants {lo}",
            f"expected max_participants ≥ {lo}",
        )
        return False
    return True


def _read_cost_profiles(
    table: _Table | None, programmes: _Ids, durations: Mapping[str, int], check: _Check
) -> dict[str, tuple[float, ...]]:
    """Programme -> its normalised profile, for the programmes CostProfiles lists."""
    schema = SHEET_BY_NAME["CostProfiles"]
    if table is None:
        return {}
    shares: dict[str, dict[int, float]] = defaultdict(dict)
    first_row: dict[str, _Row] = {}
    bad: set[str] = set()
    for row in table.rows:
        pid = _reference(row, schema.column("programme"), programmes)
        offset, share = row.get(schema.column("year_offset")), row.get(schema.column("share"))
        if pid is None or offset is _BAD or share is _BAD:
            if pid is not None:
                bad.add(pid)
            continue
        first_row.setdefault(pid, row)
        if pid in durations and offset >= durations[pid]:
            check.error(
                table.sheet,
                row.cell("year_offset"),
                f"year_offset is {offset} but {pid} lasts {durations[pid]} years",
                f"expected a whole number from 0 to {durations[pid] - 1}",
            )
            bad.add(pid)
        elif offset in shares[pid]:
            check.error(
                table.sheet,
                row.cell("year_offset"),
                f"year_offset {offset} of {pid} is listed twice",
                "expected each offset of a programme once",
            )
            bad.add(pid)
        else:
            shares[pid][offset] = share
    profiles: dict[str, tuple[float, ...]] = {}
    for pid, by_offset in shares.items():
        if pid in bad or pid not in durations:
            continue
        total = math.fsum(by_offset.values())
        if total <= 0:
            check.error(
                table.sheet,
                first_row[pid].cell("share"),
                f"the shares of {pid} are all 0",
                "expected at least one share > 0",
            )
            continue
        profiles[pid] = _normalise(by_offset, durations[pid], total)
    return profiles


def _normalise(by_offset: Mapping[int, float], duration: int, total: float) -> tuple[float, ...]:
    # Shares that already sum to 1 are kept bit-for-bit, so a written profile reads back
    # exactly (data.input_writer round trips must be lossless).
    scale = 1.0 if abs(total - 1.0) <= 1e-12 else total
    return tuple(by_offset.get(k, 0.0) / scale for k in range(duration))


def even_profile(duration: int) -> tuple[float, ...]:
    """The default profile: the cost spread evenly over the spending years."""
    return (1.0 / duration,) * duration


def _national_defaults(fields: dict[str, Any]) -> dict[str, Any]:
    """Joint-only fields of a national programme take their neutral values (tables.py)."""
    return {
        "per_participant_cost": 0.0,
        "min_participants": 1,
        "max_participants": None,
        "min_share": 0.0,
        "open_to_partners": False,
    } | fields


def _build_programmes(drafts: Sequence[_ProgrammeDraft], profiles: Mapping[str, tuple[float, ...]]) -> list[Programme]:
    out: list[Programme] = []
    for draft in drafts:
        f = dict(draft.fields)
        if f["sharing"] == "national":
            f = _national_defaults(f)
        f["name"] = f["name"] or f["id"]
        f["profile"] = profiles.get(f["id"]) or even_profile(f["duration_years"])
        out.append(Programme(**f))
    return out
