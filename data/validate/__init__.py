"""Validate raw sheet rows against `data.schema` and build typed `Inputs`.

The reader (`data.reader`) turns a workbook into `RawSheet`s; everything that judges the
content lives here, so tests and converters can validate rows built in code without
Excel (`sheets_from_rows`). Every problem is collected before anything is raised: one
`InputError` lists all of them as `Sheet!Cell: what — expected` (WORKBOOK.md).

One module per sheet family, in the order `validate_sheets` (workbook.py) reads them:
cells (raw cells, messages' values, one cell's conversion) → problems (collecting them;
rows, ids) → sheets (sheet and header matching, references) → settings → definitions
(Nations, CapabilityAreas, Standards) → programmes (and CostProfiles) → wide (Budgets,
Values) → relations (ProgrammeStandards, Precedence, Targets) → commitments → judgements
(what the whole input makes unfundable, and products of numbers too large for the solver).
"""

from data.validate.cells import (
    UNCACHED_FORMULA,
    CellError,
    RawSheet,
    as_number,
    convert,
    is_blank,
    number_hint,
    sheets_from_rows,
    show,
    span,
)
from data.validate.judgements import objective_size_problems
from data.validate.programmes import even_profile
from data.validate.relations import find_cycles
from data.validate.workbook import validate_sheets

__all__ = [
    "UNCACHED_FORMULA",
    "CellError",
    "RawSheet",
    "as_number",
    "convert",
    "even_profile",
    "find_cycles",
    "is_blank",
    "number_hint",
    "objective_size_problems",
    "sheets_from_rows",
    "show",
    "span",
    "validate_sheets",
]
