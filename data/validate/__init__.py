"""Validate raw sheet rows against `data.schema` and build typed `Inputs`."""

from data.validate.cells import (
    UNCACHED_FORMULA,
    CellError,
    RawSheet,
    convert,
    even_profile,
    find_cycles,
    is_blank,
    sheets_from_rows,
    show,
    span,
    validate_sheets,
)

__all__ = [
    "UNCACHED_FORMULA",
    "CellError",
    "RawSheet",
    "convert",
    "even_profile",
    "find_cycles",
    "is_blank",
    "sheets_from_rows",
    "show",
    "span",
    "validate_sheets",
]
