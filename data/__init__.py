"""capopt data layer: read and validate input workbooks, write result workbooks.

Free of Pyomo by design: data flows workbook -> data -> models -> optimizer -> data.
"""

from data.errors import InputError, Problem
from data.input_writer import write_inputs
from data.reader import load_inputs
from data.summary import describe
from data.template import write_template
from data.validate import RawSheet, sheets_from_rows, validate_sheets

__all__ = [
    "InputError",
    "Problem",
    "RawSheet",
    "describe",
    "load_inputs",
    "sheets_from_rows",
    "validate_sheets",
    "write_inputs",
    "write_template",
]
