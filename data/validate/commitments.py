"""Commitments: fund or exclude decisions, and whether the model could honour them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from data.schema import SHEET_BY_NAME, format_value
from data.tables import Commitment, Inputs
from data.validate.cells import _BAD, span
from data.validate.problems import _Check, _Ids, _Row, _Table
from data.validate.sheets import _reference


def _read_commitments(
    table: _Table | None, nations: _Ids, programmes: _Ids, check: _Check
) -> list[tuple[_Row, Commitment]]:
    schema = SHEET_BY_NAME["Commitments"]
    out: list[tuple[_Row, Commitment]] = []
    for row in table.rows if table else []:
        nation = _reference(row, schema.column("nation"), nations)
        pid = _reference(row, schema.column("programme"), programmes)
        action, start = row.get(schema.column("action")), row.get(schema.column("start_year"))
        if nation is None or pid is None or action is _BAD or start is _BAD:
            continue
        if action == "exclude" and start is not None:
            check.warn(
                row.sheet,
                row.cell("start_year"),
                f"start_year {start} on an exclude commitment is ignored",
                "expected it blank for exclude",
            )
            start = None
        out.append((row, Commitment(nation, pid, action, start, row.number)))
    return out


def _check_commitments(
    commitments: Sequence[tuple[_Row, Commitment]], inputs: Inputs, unfundable: Mapping[str, str], check: _Check
) -> list[Commitment]:
    """Fund commitments the model could never honour are input errors (MODEL.md)."""
    kept: list[Commitment] = []
    by_pair: dict[tuple[str, str], tuple[_Row, Commitment]] = {}
    joint_start: dict[str, tuple[int, int]] = {}
    for row, c in commitments:
        if c.programme not in inputs.programme_by_id or c.nation not in inputs.nation_by_code:
            continue  # its defining row was invalid and has been reported
        earlier = by_pair.get((c.nation, c.programme))
        if earlier is not None:
            if _pair_conflict(row, c, earlier, check):
                continue
            check.warn(
                row.sheet,
                row.cell("action"),
                f"{c.action} {c.nation}/{c.programme} repeats row {earlier[0].number}; the repeat is ignored",
            )
            continue
        by_pair[(c.nation, c.programme)] = (row, c)
        if c.action == "fund" and not _fund_ok(row, c, inputs, unfundable, joint_start, check):
            continue
        kept.append(c)
    return kept


def _pair_conflict(row: _Row, c: Commitment, earlier: tuple[_Row, Commitment], check: _Check) -> bool:
    first_row, first = earlier
    if c.action != first.action:
        check.error(
            row.sheet,
            row.cell("action"),
            f"{c.action} {c.nation}/{c.programme} contradicts {first.action} in row {first_row.number}",
            "expected one action per nation and programme",
        )
        return True
    if c.start_year != first.start_year:
        check.error(
            row.sheet,
            row.cell("start_year"),
            f"start_year {format_value(c.start_year)} "
            f"for {c.nation}/{c.programme} contradicts "
            f"{format_value(first.start_year)} in row {first_row.number}",
            "expected one start year per nation and programme",
        )
        return True
    return False


def _fund_ok(
    row: _Row,
    c: Commitment,
    inputs: Inputs,
    unfundable: Mapping[str, str],
    joint_start: dict[str, tuple[int, int]],
    check: _Check,
) -> bool:
    programme = inputs.programme_by_id[c.programme]
    if c.nation not in inputs.eligible_nations(programme):
        kind = "a national programme" if not programme.is_joint else "closed to partners"
        check.error(
            row.sheet,
            row.cell("action"),
            f"{c.nation} is a partner and cannot fund {c.programme} ({kind})",
            "expected partners to fund only joint programmes open to partners",
        )
        return False
    if c.programme in unfundable:
        check.error(
            row.sheet,
            row.cell("programme"),
            f"{c.nation} must fund {c.programme}, which cannot be funded: {unfundable[c.programme]}",
            "expected a programme that can be funded",
        )
        return False
    allowed = inputs.allowed_starts(programme)
    if c.start_year is not None and c.start_year not in allowed:
        check.error(
            row.sheet,
            row.cell("start_year"),
            f"start_year {c.start_year} is not an allowed start of {c.programme}",
            f"expected one of {span(allowed)}",
        )
        return False
    if programme.is_joint and c.start_year is not None:
        year, first_row = joint_start.setdefault(c.programme, (c.start_year, row.number))
        if year != c.start_year:
            check.error(
                row.sheet,
                row.cell("start_year"),
                f"start_year {c.start_year} for joint {c.programme} differs from {year} in row {first_row}",
                "expected one start year per joint programme (members start together)",
            )
            return False
    return True
