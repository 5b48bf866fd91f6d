"""Read an input workbook safely and validate it: `load_inputs(path)`.

The file is untrusted: it may not be a workbook at all, be damaged, encrypted, enormous or
an XML entity bomb. Every such case ends in one clear `InputError` line, never a traceback,
and quickly. The file is only ever read, never written.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import time
import warnings
import zipfile
from collections.abc import Collection, Iterator
from pathlib import Path

import openpyxl.xml
from openpyxl import load_workbook
from openpyxl.utils import range_boundaries
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import FORMULA_TAG, ROW_TAG, VALUE_TAG, WorkSheetParser
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

from data.errors import InputError, Problem
from data.schema import SHEETS, normalise_name
from data.tables import Inputs, Source
from data.validate import UNCACHED_FORMULA, CellError, RawSheet, validate_sheets

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 256 * 2**20
MAX_UNCOMPRESSED_BYTES = 1024 * 2**20  # a 100,000-row sheet is a few hundred MB of XML
MAX_ZIP_MEMBERS = 10_000
MAX_ROWS = 100_000
MAX_COLUMNS = 1_000
MAX_CELLS = 5_000_000

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_MERGE_CELL_TAG = f"{{{SHEET_MAIN_NS}}}mergeCell"
_XML_SUFFIXES = (".xml", ".rels", ".vml")
# A workbook written by Excel or LibreOffice never declares a DTD; one that does is
# either broken or an entity-expansion attack. Checked in every encoding XML allows here.
_DTD_MARKERS = tuple(
    marker.encode(encoding)
    for marker in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)
_INPUT_SHEETS = {normalise_name(s.name) for s in SHEETS}
_XLSX_HINT = "expected an .xlsx workbook (in Excel: File > Save As > Excel Workbook)"


def load_inputs(path: str | os.PathLike[str]) -> tuple[Inputs, list[Problem]]:
    """Read and validate an input workbook; return (inputs, warnings).

    Raises InputError listing every problem (and the warnings found on the way).
    """
    started = time.perf_counter()
    path = Path(path)
    data = _read_bytes(path)
    source = Source(str(path), hashlib.sha256(data).hexdigest())
    sheets = read_sheets_from_bytes(data, path.name)
    inputs, warnings_found = validate_sheets(sheets, source)
    log.info("read %s in %.2f s: %d nations, %d programmes, %d warnings", path.name,
             time.perf_counter() - started, len(inputs.nations), len(inputs.programmes),
             len(warnings_found))
    return inputs, warnings_found


def read_sheets(path: str | os.PathLike[str], wanted: Collection[str] | None = None) -> list[RawSheet]:
    """The workbook's sheets as raw rows (input sheets only; others by title alone).

    `wanted` names other sheets to read instead (matched like input sheet names), for
    readers of the tool's own output workbooks, which get the same safety checks.
    """
    path = Path(path)
    return read_sheets_from_bytes(_read_bytes(path), path.name, wanted)


def _fail(name: str, what: str, expected: str = "") -> InputError:
    return InputError([Problem(name, "", what, expected)])


def _read_bytes(path: Path) -> bytes:
    name = path.name or str(path)
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise _fail(name, "is a folder", "expected an .xlsx file")
        if size > MAX_FILE_BYTES:
            raise _fail(name, f"is {size / 2**20:.0f} MB", f"expected a workbook under "
                        f"{MAX_FILE_BYTES // 2**20} MB")
        return path.read_bytes()
    except FileNotFoundError:
        raise _fail(name, f"file not found ({path})", "expected the path of an .xlsx workbook")
    except PermissionError:
        raise _fail(name, "cannot be opened: permission denied",
                    "expected a file you may read")
    except OSError as exc:
        raise _fail(name, f"cannot be read: {exc.strerror or exc}", _XLSX_HINT)


def read_sheets_from_bytes(data: bytes, name: str = "workbook",
                           wanted: Collection[str] | None = None) -> list[RawSheet]:
    """Raw sheets from the bytes of an .xlsx; InputError for anything that is not one."""
    _check_signature(data, name)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception:  # noqa: BLE001 — BadZipFile, NotImplementedError (odd zip versions), …
        raise _fail(name, "is a damaged .xlsx file (its zip structure cannot be read)",
                    _XLSX_HINT)
    with archive:
        _check_archive(archive, name)
    if not openpyxl.xml.DEFUSEDXML:
        log.warning("openpyxl is not using defusedxml (OPENPYXL_DEFUSEDXML is off); relying on "
                    "the DTD pre-scan alone against XML bombs")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # openpyxl's own warnings go to the log, not the user
        sheets = _read_workbook(data, name, wanted)
    for w in caught:
        log.debug("openpyxl: %s", w.message)
    return sheets


def _check_signature(data: bytes, name: str) -> None:
    if not data:
        raise _fail(name, "is empty", _XLSX_HINT)
    if data.startswith(_OLE2_MAGIC):
        raise _fail(name, "is password-protected or a legacy .xls file",
                    "expected an .xlsx workbook without a password (File > Save As > Excel "
                    "Workbook, with no password)")
    if not data.startswith(_ZIP_MAGICS):
        raise _fail(name, "is not an Excel workbook", _XLSX_HINT)


def _check_archive(archive: zipfile.ZipFile, name: str) -> None:
    """Refuse archives too large to be a planning workbook, and any DTD, before parsing."""
    try:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise _fail(name, f"holds {len(members):,} parts", "expected an ordinary workbook")
        total = sum(m.file_size for m in members)
        if total > MAX_UNCOMPRESSED_BYTES:
            raise _fail(name, f"expands to {total / 2**20:,.0f} MB",
                        f"expected at most {MAX_UNCOMPRESSED_BYTES // 2**20:,} MB of content")
        names = {m.filename for m in members}
        if "mimetype" in names and b"opendocument" in archive.read("mimetype")[:100]:
            raise _fail(name, "is an OpenDocument spreadsheet (.ods)", _XLSX_HINT)
        for member in members:
            if member.filename.lower().endswith(_XML_SUFFIXES) and _declares_dtd(archive, member):
                raise _fail(name, f"declares XML entities or a DTD in {member.filename} and is "
                            "refused for safety", "expected a workbook saved by Excel or "
                            "LibreOffice")
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 — zlib.error, bad CRC, unsupported compression, …
        raise _fail(name, f"is a damaged .xlsx file ({_reason(exc)})", _XLSX_HINT)


def _declares_dtd(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bool:
    tail = b""
    with archive.open(member) as part:
        while chunk := part.read(1 << 20):
            window = tail + chunk
            if any(marker in window for marker in _DTD_MARKERS):
                return True
            tail = window[-32:]
    return False


def _read_workbook(data: bytes, name: str, wanted: Collection[str] | None = None) -> list[RawSheet]:
    readable = _INPUT_SHEETS if wanted is None else {normalise_name(w) for w in wanted}
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # noqa: BLE001 — openpyxl raises anything from KeyError to TypeError
        raise _fail(name, f"cannot be read as an .xlsx workbook ({_reason(exc)})", _XLSX_HINT)
    try:
        sheets: list[RawSheet] = []
        budget = [MAX_CELLS]
        for title in wb.sheetnames:
            ws = wb[title]
            if not isinstance(ws, ReadOnlyWorksheet) or normalise_name(title) not in readable:
                sheets.append(RawSheet(title))  # not ours to read: the validator names it
                continue
            sheets.append(_read_sheet(wb, ws, title, budget))
        return sheets
    finally:
        wb.close()


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}"[:200] if text else type(exc).__name__


def _too_big(title: str, what: str, expected: str) -> InputError:
    return InputError([Problem(title, "", what, expected)])


def _read_sheet(wb: object, ws: ReadOnlyWorksheet, title: str, budget: list[int]) -> RawSheet:
    """Rows with values (sparse rows padded to their last value), plus merged ranges."""
    declared_rows, declared_cols = ws._max_row or 0, ws._max_column or 0
    if declared_rows > MAX_ROWS:
        raise _too_big(title, f"sheet uses {declared_rows:,} rows", f"expected at most "
                       f"{MAX_ROWS:,} (delete the unused rows below the data)")
    if declared_cols > MAX_COLUMNS:
        raise _too_big(title, f"sheet uses {declared_cols:,} columns", f"expected at most "
                       f"{MAX_COLUMNS:,} (delete the unused columns right of the data)")
    rows: dict[int, dict[int, object]] = {}
    try:
        with wb._archive.open(ws._worksheet_path) as source:  # type: ignore[attr-defined]
            parser = _SheetParser(source, ws._shared_strings, wb)
            for number, cells in parser.rows():
                _keep_row(rows, number, cells, title, budget)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 — malformed XML, bad coordinates, entity refusal, …
        raise _too_big(title, f"sheet cannot be read: the file is damaged ({_reason(exc)})",
                       _XLSX_HINT)
    _fill_merged(rows, parser.merged)
    out = tuple(
        (number, tuple(cells.get(j) for j in range(1, max(cells) + 1)))
        for number, cells in sorted(rows.items())
    )
    return RawSheet(title, out, tuple(parser.merged))


def _keep_row(rows: dict[int, dict[int, object]], number: int, cells: list[dict[str, object]],
              title: str, budget: list[int]) -> None:
    if number > MAX_ROWS:
        raise _too_big(title, f"sheet has data in row {number:,}",
                       f"expected at most {MAX_ROWS:,} rows (delete the unused rows)")
    values: dict[int, object] = {}
    for cell in cells:
        value = cell["value"]
        if value is None:
            continue
        column = int(cell["column"])  # type: ignore[call-overload]
        if column > MAX_COLUMNS:
            raise _too_big(title, f"sheet has data in column {column:,}",
                           f"expected at most {MAX_COLUMNS:,} columns")
        values[column] = value
    if not values:
        return
    budget[0] -= len(values)
    if budget[0] < 0:
        raise _too_big(title, "the workbook holds too many cells",
                       f"expected at most {MAX_CELLS:,} filled cells")
    rows.setdefault(number, {}).update(values)


def _fill_merged(rows: dict[int, dict[int, object]], merged: list[str]) -> None:
    """Each cell of a merged range shows the top-left value, so read it that way.

    Only rows that hold other data are filled: a merge reaching into empty rows should not
    conjure up records nobody typed.
    """
    for ref in merged:
        try:
            min_col, min_row, max_col, max_row = range_boundaries(ref)
        except (TypeError, ValueError):
            continue
        value = rows.get(min_row, {}).get(min_col)
        if value is None:
            continue
        for number, cells in rows.items():
            if min_row <= number <= max_row:
                for column in range(min_col, min(max_col, MAX_COLUMNS) + 1):
                    cells.setdefault(column, value)


class _SheetParser(WorkSheetParser):
    """openpyxl's cell parser, reading cached values, flagging formulas that have none.

    One pass does both (no second load with formulas): with data_only the parser reads a
    formula cell's cached <v>; if the cell has an <f> but no <v> at all, its result was
    never stored. Only rows and merged ranges are looked at, the rest of the sheet XML
    (styles, validations, views) is skipped, which is both faster and less to go wrong.
    """

    def __init__(self, source: object, shared_strings: list[str], wb: object):
        super().__init__(source, shared_strings, data_only=True, epoch=wb.epoch,  # type: ignore[attr-defined]
                         date_formats=wb._date_formats,  # type: ignore[attr-defined]
                         timedelta_formats=wb._timedelta_formats)  # type: ignore[attr-defined]
        self.merged: list[str] = []

    def rows(self) -> Iterator[tuple[int, list[dict[str, object]]]]:
        for _event, element in iterparse(self.source):  # defusedxml's, via openpyxl
            if element.tag == ROW_TAG:
                row = self.parse_row(element)
                element.clear()
                yield row
            elif element.tag == _MERGE_CELL_TAG:
                ref = element.get("ref")
                if ref:
                    self.merged.append(ref)

    def parse_cell(self, element: object) -> dict[str, object]:
        cell = super().parse_cell(element)
        if cell["data_type"] == "e" and cell["value"] is not None:
            cell["value"] = CellError(str(cell["value"]))
        elif (cell["value"] is None
              and element.find(FORMULA_TAG) is not None  # type: ignore[attr-defined]
              and not _cached_empty_text(element)):
            cell["value"] = UNCACHED_FORMULA
        return cell


def _cached_empty_text(element: object) -> bool:
    """A formula whose stored result is the empty string (t="str" with an empty <v>).

    A number cannot be empty, so an empty or missing <v> on any other type means the result
    was never computed: openpyxl, for one, writes formulas as `<f>…</f><v/>`.
    """
    return (element.get("t") in ("str", "s")  # type: ignore[attr-defined]
            and element.find(VALUE_TAG) is not None)  # type: ignore[attr-defined]
