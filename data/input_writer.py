"""Write an `Inputs` back to an input workbook: `write_inputs(inputs, path)`.

Used for what-if exports and by benchmark converters, so it is exact: reading the file
back with `load_inputs` gives the same `Inputs` (apart from `source` and the row numbers
kept on targets and commitments). Floats are written as they are, never rounded; every
resolved value (a programme's profile) is written explicitly, except a nation's fractions
that are Settings' own, which stay blank as the planner left them.
"""

from __future__ import annotations

import io
import logging
import math
import os
from collections.abc import Sequence
from pathlib import Path

from openpyxl.workbook import Workbook

from data.schema import AREA_WEIGHT_KEY_PREFIX, OBJECTIVES, SETTINGS_KEYS, SHEET_BY_NAME
from data.tables import AREA_OBJECTIVE_PREFIX, Inputs, Nation, Programme, Settings
from data.template import Rows, build_input_workbook, default_header, settings_cell
from data.validate import even_profile
from data.xlsx_io import save_atomically, save_workbook

log = logging.getLogger(__name__)


def write_inputs(inputs: Inputs, path: str | os.PathLike[str]) -> Path:
    """Write `inputs` as a valid input workbook (atomically) and return its path."""
    target = save_atomically(input_workbook(inputs), path)
    log.info("wrote inputs to %s", target)
    return target


def input_workbook_bytes(inputs: Inputs) -> bytes:
    """`inputs` as the bytes of an input workbook, written nowhere: what the validator
    reads when inputs made in Python are checked (data.reader.revalidate)."""
    buffer = io.BytesIO()
    save_workbook(input_workbook(inputs), buffer)
    return buffer.getvalue()


def input_workbook(inputs: Inputs) -> Workbook:
    """The input workbook holding `inputs`."""
    content: dict[str, tuple[Sequence[object], Rows]] = {
        "Settings": (["key", "value"], settings_rows(inputs.settings)),
        "Nations": (
            _header("Nations"),
            [
                [
                    n.code,
                    n.name,
                    n.role,
                    n.max_concurrent_programmes,
                    *_own_fractions(n, inputs.settings),
                    n.robust_overruns,
                ]
                for n in inputs.nations
            ],
        ),
        "Budgets": (
            ["nation", *inputs.years],
            [[n.code, *(inputs.budget(n.code, y) for y in inputs.years)] for n in inputs.nations],
        ),
        "Programmes": (_header("Programmes"), [_programme_row(p) for p in inputs.programmes]),
        "CapabilityAreas": (_header("CapabilityAreas"), [[a.id, a.name, a.weight] for a in inputs.areas]),
        "Values": (["programme", *(a.id for a in inputs.areas)], _value_rows(inputs)),
        "CostProfiles": (_header("CostProfiles"), _profile_rows(inputs.programmes)),
        "Standards": (
            _header("Standards"),
            [[s.id, s.name, s.adoption_cost, s.min_adopters, s.weight] for s in inputs.standards],
        ),
        "ProgrammeStandards": (_header("ProgrammeStandards"), [list(pair) for pair in inputs.requirements]),
        "Precedence": (_header("Precedence"), [[r.before, r.after, r.scope] for r in inputs.precedences]),
        "Targets": (_header("Targets"), [[t.nation, t.area, t.year, t.target] for t in inputs.targets]),
        "Commitments": (
            _header("Commitments"),
            [[c.nation, c.programme, c.action, c.start_year] for c in inputs.commitments],
        ),
    }
    judged = {
        sheet: (header, [[_as_given(value) for value in row] for row in rows])
        for sheet, (header, rows) in content.items()
    }
    return build_input_workbook(judged)  # floats exact: xlsx_io.save_workbook


def _as_given(value: object) -> object:
    """A value the reader must judge as given: a float that is not finite is written as its
    text (a cost_overrun_risk of inf, or a budget of nan, made in Python were written as
    blank cells and read back as the defaults, 0), which the validator refuses at its cell."""
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    return value


def _own_fractions(nation: Nation, settings: Settings) -> list[float | None]:
    """A nation's carry-over and borrowing fractions as its cells: blank where it takes the
    Settings value, so that the file read back (and a Settings what-if after it) tells the
    nation's own values from the default, as the planner's workbook did."""
    return [
        None if nation.follows_settings(key, getattr(settings, key)) else getattr(nation, key)
        for key in ("carry_over_fraction", "borrow_fraction")
    ]


def _header(sheet: str) -> list[object]:
    return default_header(SHEET_BY_NAME[sheet])


def settings_rows(settings: Settings) -> list[list[object]]:
    """Every key with its value; per-area weights as weight_capability:<area> rows."""
    rows: list[list[object]] = []
    for key in SETTINGS_KEYS:
        name = key.name
        if name.startswith(AREA_WEIGHT_KEY_PREFIX):
            rows.extend(
                [AREA_WEIGHT_KEY_PREFIX + objective[len(AREA_OBJECTIVE_PREFIX) :], weight]
                for objective, weight in settings.weights.items()
                if objective.startswith(AREA_OBJECTIVE_PREFIX)
            )
        elif name.startswith("weight_") and name[len("weight_") :] in OBJECTIVES:
            rows.append([name, settings.weights.get(name[len("weight_") :], 0.0)])
        else:
            rows.append([name, settings_cell(key, getattr(settings, name))])
    return rows


def _yes_no(flag: object) -> object:
    """A yes/no field: a bool as the word; anything else as given, for the validator to read
    by the sheet's own rules (flexible_start="no" set in Python was truthy text, so it was
    written as "yes": the what-if's programme became flexible)."""
    return ("yes" if flag else "no") if isinstance(flag, bool) else flag


def _programme_row(p: Programme) -> list[object]:
    joint = p.is_joint
    return [
        p.id,
        p.name,
        p.technology or None,
        p.sharing,
        p.duration_years,
        p.total_cost,
        p.per_participant_cost if joint else None,
        p.earliest_start,
        p.deadline,
        _yes_no(p.flexible_start),
        p.exclusive_group,
        p.trl,
        p.cost_overrun_risk,
        p.min_participants if joint else None,
        p.max_participants if joint else None,
        p.min_share if joint else None,
        _yes_no(p.open_to_partners) if joint else None,
    ]


def _value_rows(inputs: Inputs) -> list[list[object]]:
    rows: list[list[object]] = []
    for p in inputs.programmes:
        cells = [inputs.values.get((p.id, a.id)) for a in inputs.areas]
        if any(v is not None for v in cells):
            rows.append([p.id, *cells])
    return rows


def _profile_rows(programmes: Sequence[Programme]) -> list[list[object]]:
    """Only profiles that differ from the default even spread need rows."""
    rows: list[list[object]] = []
    for p in programmes:
        if tuple(p.profile) != even_profile(p.duration_years):
            rows.extend([p.id, k, share] for k, share in enumerate(p.profile))
    return rows
