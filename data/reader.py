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
import posixpath
import re
import time
import warnings
import zipfile
from collections.abc import Collection, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import defusedxml.ElementTree
import openpyxl.xml
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import FORMULA_TAG, ROW_TAG, VALUE_TAG, WorkSheetParser
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

from data.errors import InputError, Problem
from data.schema import SHEETS, normalise_name
from data.tables import Inputs, Source
from data.validate import UNCACHED_FORMULA, CellError, RawSheet, validate_sheets
from data.validate.cells import show

if TYPE_CHECKING:
    from typing import IO

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 256 * 2**20
MAX_UNCOMPRESSED_BYTES = 1024 * 2**20  # a 100,000-row sheet is a few hundred MB of XML
MAX_ZIP_MEMBERS = 10_000
# Excel's and LibreOffice's parts deflate 5- to 20-fold; a part that claims to expand more
# than 100-fold (Apache POI's long-standing default) is a decompression bomb: a few MB that
# would keep the reader busy for minutes. Small parts may compress as they like.
MAX_EXPANSION = 100
_EXPANSION_FLOOR = 1 << 20
MAX_ROWS = 100_000
MAX_COLUMNS = 1_000
# Parsing costs 5–15 µs a cell on a modest machine, so this bounds any workbook's read to
# seconds; empty (e.g. formatted) cells count too. Real planning workbooks hold well
# under 100,000 cells.
MAX_CELLS = 500_000

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_MERGE_CELL_TAG = f"{{{SHEET_MAIN_NS}}}mergeCell"
_COLUMN_TAG = f"{{{SHEET_MAIN_NS}}}col"  # <cols><col min= max= hidden=/>: column widths and hiding
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_SCAN_CHUNK = 1 << 20
# Row and cell tags as written with or without a namespace prefix (<x:row …>).
_ROW_TAGS = (b"<row ", b"<row>", b":row ", b":row>")
_CELL_TAGS = (b"<c ", b"<c>", b"<c/>", b":c ", b":c>", b":c/>")
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
# A workbook written by Excel or LibreOffice never declares a DTD; one that does is
# either broken or an entity-expansion attack. Checked in every encoding XML allows here.
_DTD_MARKERS = tuple(
    marker.encode(encoding) for marker in ("<!DOCTYPE", "<!ENTITY") for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)
_INPUT_SHEETS = {normalise_name(s.name) for s in SHEETS}
# Excel's "Strict Open XML Spreadsheet" saves under these namespaces, which openpyxl does not
# know: it opened such a file as a workbook of no sheets, reported as six missing sheets.
_STRICT_NAMESPACE = b"http://purl.oclc.org/ooxml/spreadsheetml/main"
_STRICT_RELATIONSHIPS = "http://purl.oclc.org/ooxml/officeDocument/relationships/"
_OFFICE_DOCUMENT = "/officeDocument"
_XLSX_HINT = "expected an .xlsx workbook (in Excel: File > Save As > Excel Workbook)"
_RETYPE_HINT = (
    "expected a value a spreadsheet program wrote: type the cell again in Excel or LibreOffice and save the workbook"
)


def load_inputs(path: str | os.PathLike[str]) -> tuple[Inputs, list[Problem]]:
    """Read and validate an input workbook; return (inputs, warnings).

    Raises InputError listing every problem (and the warnings found on the way).
    """
    started = time.perf_counter()
    path = Path(path)
    data = _read_bytes(path)
    source = Source(str(path), file_sha256(data))
    sheets = read_sheets_from_bytes(data, path.name)
    inputs, warnings_found = validate_sheets(sheets, source)
    log.info(
        "read %s in %.2f s: %d nations, %d programmes, %d warnings",
        path.name,
        time.perf_counter() - started,
        len(inputs.nations),
        len(inputs.programmes),
        len(warnings_found),
    )
    return inputs, warnings_found


def revalidate(inputs: Inputs) -> tuple[Inputs, list[Problem]]:
    """Inputs made or changed in Python, checked by the workbook path's own rules: written
    as an input workbook in memory, read and validated as if a planner had saved it. Raises
    InputError naming the sheet and cell of that workbook that breaks a rule (a programme
    cost of −30 or NaN, made with dataclasses.replace, reached the solver and was exported
    as a verified plan). Returns the inputs as read back (profiles normalised, as from a
    file), with the given source."""
    from data.input_writer import input_workbook_bytes

    try:
        data = input_workbook_bytes(inputs)
    except (TypeError, ValueError, AttributeError) as exc:  # e.g. a value no cell can hold
        raise _fail(
            "inputs made in Python",
            f"cannot be written as an input workbook ({exc})",
            "values of the types data.tables declares",
        ) from None
    checked, warnings_found = validate_sheets(read_sheets_from_bytes(data, "inputs made in Python"), inputs.source)
    return replace(
        checked,
        source=inputs.source,
        targets=_rows_kept(inputs.targets, checked.targets),
        commitments=_rows_kept(inputs.commitments, checked.commitments),
    ), warnings_found


def _rows_kept(given: tuple, read: tuple) -> tuple:
    """`read`'s rows (written and read back in the same order) with the rows `given` had: the
    in-memory workbook's rows are not the planner's, and a commitment on row 4 of a sheet
    with blank rows came back as row 2 (a diagnosis then named a blank row), one added in
    Python as a row of a sheet that has none."""
    if len(given) != len(read):
        return read
    return tuple(replace(r, row=g.row) for g, r in zip(given, read))


def file_sha256(data: bytes) -> str:
    """The SHA-256 every output records of a workbook it read (`input_sha256`, a plan's
    `plan_sha256`): of the file's bytes, as WORKBOOK.md defines it, so that `sha256sum`
    of the file on disk tells whether it is still the one the output was made from."""
    return hashlib.sha256(data).hexdigest()


def read_sheets(path: str | os.PathLike[str], wanted: Collection[str] | None = None) -> list[RawSheet]:
    """The workbook's sheets as raw rows (input sheets only; others by title alone).

    `wanted` names other sheets to read instead (matched like input sheet names), for
    readers of the tool's own output workbooks, which get the same safety checks.
    """
    return read_sheets_hashed(path, wanted)[0]


def read_sheets_hashed(
    path: str | os.PathLike[str], wanted: Collection[str] | None = None
) -> tuple[list[RawSheet], str]:
    """`read_sheets`, and the `file_sha256` of the very bytes read: a second read to hash the
    file could see another version of it (a plan saved again in between)."""
    path = Path(path)
    data = _read_bytes(path)
    return read_sheets_from_bytes(data, path.name, wanted), file_sha256(data)


def _fail(name: str, what: str, expected: str = "") -> InputError:
    return InputError([Problem(name, "", what, expected)])


def _read_bytes(path: Path) -> bytes:
    name = path.name or str(path)
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise _fail(name, "is a folder", "expected an .xlsx file")
        if size > MAX_FILE_BYTES:
            raise _fail(name, f"is {size / 2**20:.0f} MB", f"expected a workbook under {MAX_FILE_BYTES // 2**20} MB")
        # a pipe (`cat x.xlsx | capopt validate /dev/stdin`) has no size to check first: read
        # at most one byte past the limit (/dev/zero was read until memory ran out)
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise _fail(
                name,
                f"holds more than {MAX_FILE_BYTES // 2**20} MB",
                f"expected a workbook under {MAX_FILE_BYTES // 2**20} MB",
            )
        return data
    except FileNotFoundError:
        raise _fail(name, f"file not found ({path})", "expected the path of an .xlsx workbook")
    except PermissionError:
        raise _fail(name, "cannot be opened: permission denied", "expected a file you may read")
    except OSError as exc:
        raise _fail(name, f"cannot be read: {exc.strerror or exc}", _XLSX_HINT)


def read_sheets_from_bytes(
    data: bytes, name: str = "workbook", wanted: Collection[str] | None = None
) -> list[RawSheet]:
    """Raw sheets from the bytes of an .xlsx; InputError for anything that is not one."""
    _check_signature(data, name)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception:  # noqa: BLE001 — BadZipFile, NotImplementedError (odd zip versions), …
        raise _fail(name, "is a damaged .xlsx file (its zip structure cannot be read)", _XLSX_HINT)
    with archive:
        sizes = _check_archive(archive, name)
        _refuse_strict(archive, name)
    if not openpyxl.xml.DEFUSEDXML:
        log.warning(
            "openpyxl is not using defusedxml (OPENPYXL_DEFUSEDXML is off); relying on "
            "the DTD pre-scan alone against XML bombs"
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # openpyxl's own warnings go to the log, not the user
        sheets = _read_workbook(data, name, wanted, sizes)
    for w in caught:
        log.debug("openpyxl: %s", w.message)
    return sheets


def _check_signature(data: bytes, name: str) -> None:
    if not data:
        raise _fail(name, "is empty", _XLSX_HINT)
    if data.startswith(_OLE2_MAGIC):
        raise _fail(
            name,
            "is password-protected or a legacy .xls file",
            "expected an .xlsx workbook without a password (File > Save As > Excel Workbook, with no password)",
        )
    if not data.startswith(_ZIP_MAGICS):
        raise _fail(name, "is not an Excel workbook", _XLSX_HINT)


@dataclass
class _Scan:
    """What a byte scan of one XML part found (see `_scan_part`)."""

    dtd: bool = False
    text: bool = False
    rows: int = 0
    cells: int = 0
    sized: bool = False  # a <dimension> before the sheet data


def _check_archive(archive: zipfile.ZipFile, name: str) -> dict[str, _Scan]:
    """Refuse archives too large to be a planning workbook, and any DTD, before parsing.

    Returns the row and cell counts of every worksheet part, for `_read_sheet`.
    """
    try:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise _fail(name, f"holds {len(members):,} parts", "expected an ordinary workbook")
        total = sum(m.file_size for m in members)
        if total > MAX_UNCOMPRESSED_BYTES:
            raise _fail(
                name,
                f"expands to {total / 2**20:,.0f} MB",
                f"expected at most {MAX_UNCOMPRESSED_BYTES // 2**20:,} MB of content",
            )
        for member in members:
            if member.file_size > _EXPANSION_FLOOR and member.file_size > MAX_EXPANSION * max(member.compress_size, 1):
                raise _fail(
                    name,
                    f"is refused for safety: {member.filename} expands "
                    f"{member.file_size / max(member.compress_size, 1):,.0f}-fold",
                    "expected a workbook saved by Excel or LibreOffice (their parts "
                    f"expand at most about {MAX_EXPANSION}-fold)",
                )
        names = {m.filename for m in members}
        if "mimetype" in names and b"opendocument" in archive.read("mimetype")[:100]:
            raise _fail(name, "is an OpenDocument spreadsheet (.ods)", _XLSX_HINT)
        sizes: dict[str, _Scan] = {}
        for member in members:
            if not member.filename.lower().endswith(_XML_SUFFIXES):
                continue
            sheet = member.filename.startswith("xl/worksheets/")
            found = _scan_part(archive, member, count=sheet)
            if found.dtd:
                raise _fail(
                    name,
                    f"declares XML entities or a DTD in {member.filename} and is refused for safety",
                    "expected a workbook saved by Excel or LibreOffice",
                )
            if found.text:
                raise _fail(
                    name,
                    f"holds over 1 MB of text without markup in {member.filename} and is refused for safety",
                    "expected cells of at most 32,767 characters, as in Excel",
                )
            if sheet:
                sizes[member.filename] = found
        _check_unsized(archive, sizes)
        return sizes
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 — zlib.error, bad CRC, unsupported compression, …
        raise _fail(name, f"is a damaged .xlsx file ({_reason(exc)})", _XLSX_HINT)


def _scan_part(archive: zipfile.ZipFile, member: zipfile.ZipInfo, count: bool = False) -> _Scan:
    """One pass of byte searches over a part (C speed), before any XML parsing.

    It finds DTDs and entity declarations, and a whole chunk without markup: more text in
    one piece than an Excel cell may hold (32,767 characters), which the XML parser would
    build up in memory at three times its size. With `count` (worksheets), it also counts
    rows and cells — up to the limits: a sheet over them is refused whatever the exact
    count — and notes whether the sheet declares its size before its data.
    """
    found = _Scan()
    tail = previous = b""
    data_seen = False
    with archive.open(member) as part:
        while chunk := part.read(_SCAN_CHUNK):
            window = tail + chunk
            if any(marker in window for marker in _DTD_MARKERS):
                found.dtd = True
                return found
            if len(chunk) == _SCAN_CHUNK and b"<" not in chunk:
                found.text = True
                return found
            if count and found.rows <= MAX_ROWS and found.cells <= MAX_CELLS:
                found.rows += _count(_ROW_TAGS, previous, chunk)
                found.cells += _count(_CELL_TAGS, previous, chunk)
            if count and not data_seen:
                dimension, data = window.find(b"dimension "), window.find(b"sheetData")
                found.sized = found.sized or (dimension != -1 and (data == -1 or dimension < data))
                data_seen = data != -1
            tail = window[-32:]
            previous = chunk
    return found


def _count(tags: tuple[bytes, ...], previous: bytes, chunk: bytes) -> int:
    """Occurrences of the tags in `chunk`, plus those straddling its start (exact: the
    junction is too short to hold a whole tag on either side)."""
    total = 0
    for tag in tags:
        k = len(tag) - 1
        total += chunk.count(tag) + (previous[-k:] + chunk[:k]).count(tag)
    return total


def _refuse_strict(archive: zipfile.ZipFile, name: str) -> None:
    """Refuse a workbook saved as Strict Open XML, by the namespace of its workbook part.

    The part is found through the package relationships (`_rels/.rels`), whose own
    namespace Strict keeps; its root element declares the namespace in the first bytes.
    """
    part, strict_rel = _workbook_part(archive)
    try:
        with archive.open(part) as source:
            head = source.read(_SCAN_CHUNK)
    except Exception:  # noqa: BLE001 — missing or damaged: reported when openpyxl reads it
        head = b""
    if strict_rel or _STRICT_NAMESPACE in head:
        raise _fail(name, "is saved as Strict Open XML", _XLSX_HINT)


def _workbook_part(archive: zipfile.ZipFile) -> tuple[str, bool]:
    """(the workbook part's path, whether it is related under a Strict namespace); the
    usual xl/workbook.xml when the relationships cannot be read."""
    try:
        rels = defusedxml.ElementTree.fromstring(archive.read("_rels/.rels"))
    except Exception:  # noqa: BLE001 — missing or broken: openpyxl reports it next
        return "xl/workbook.xml", False
    for rel in rels:
        kind = rel.get("Type", "")
        if kind.endswith(_OFFICE_DOCUMENT):
            target = rel.get("Target", "xl/workbook.xml")
            return posixpath.normpath(target.lstrip("/")), kind.startswith(_STRICT_RELATIONSHIPS)
    return "xl/workbook.xml", False


def _check_unsized(archive: zipfile.ZipFile, sizes: dict[str, _Scan]) -> None:
    """openpyxl parses a sheet that declares no size in full, just to learn its size, as it
    opens the workbook — any sheet, read by us or not, at some microseconds a cell. Such
    sheets (Excel and LibreOffice always declare the size) must therefore be small enough
    to read, all of them together, before openpyxl may open the file."""
    unsized = {part: scan for part, scan in sizes.items() if not scan.sized}
    if not unsized:
        return
    titles = _sheet_titles(archive)
    budget = [MAX_CELLS, MAX_CELLS]
    for part, scan in unsized.items():
        _check_counts(titles.get(part, part), scan, budget)


def _sheet_titles(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part -> sheet title, from the workbook and its relationships (best effort:
    messages then name the sheet rather than the zip part)."""
    try:
        workbook = defusedxml.ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = defusedxml.ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        targets = {rel.get("Id"): rel.get("Target", "") for rel in rels}
        titles = {}
        for sheet in workbook.iter(f"{{{SHEET_MAIN_NS}}}sheet"):
            target = targets.get(sheet.get(f"{{{_REL_NS}}}id"), "")
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            titles[part] = sheet.get("name", part)
        return titles
    except Exception:  # noqa: BLE001 — a broken workbook.xml is reported by openpyxl next
        return {}


def _read_workbook(
    data: bytes, name: str, wanted: Collection[str] | None = None, sizes: dict[str, _Scan] | None = None
) -> list[RawSheet]:
    readable = _INPUT_SHEETS if wanted is None else {normalise_name(w) for w in wanted}
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # noqa: BLE001 — openpyxl raises anything from KeyError to TypeError
        raise _fail(name, f"cannot be read as an .xlsx workbook ({_reason(exc)})", _XLSX_HINT)
    try:
        if not wb.sheetnames and sizes:  # a workbook part openpyxl could not make sense of
            raise _fail(
                name,
                f"lists no sheets but holds {len(sizes)} worksheet part{'s' if len(sizes) != 1 else ''}",
                _XLSX_HINT,
            )
        sheets: list[RawSheet] = []
        budget = [MAX_CELLS, MAX_CELLS]  # filled cells, cell elements (empty ones too)
        for title in wb.sheetnames:
            ws = wb[title]
            if not isinstance(ws, ReadOnlyWorksheet) or normalise_name(title) not in readable:
                sheets.append(RawSheet(title))  # not ours to read: the validator names it
                continue
            sheet = _read_sheet(
                wb,
                ws,
                title,
                budget,
                (sizes or {}).get(ws._worksheet_path),  # type: ignore[attr-defined]
            )
            sheets.append(replace(sheet, hidden=getattr(ws, "sheet_state", "visible") != "visible"))
        return sheets
    finally:
        wb.close()


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}"[:200] if text else type(exc).__name__


def _too_big(title: str, what: str, expected: str) -> InputError:
    return InputError([Problem(title, "", what, expected)])


def _read_sheet(
    wb: object, ws: ReadOnlyWorksheet, title: str, budget: list[int], scan: _Scan | None = None
) -> RawSheet:
    """Rows with values (sparse rows padded to their last value), plus merged ranges."""
    declared_rows, declared_cols = ws._max_row or 0, ws._max_column or 0  # type: ignore[attr-defined]
    if declared_rows > MAX_ROWS:
        raise _too_big(
            title,
            f"sheet uses {declared_rows:,} rows",
            f"expected at most {MAX_ROWS:,} (delete the unused rows below the data)",
        )
    if declared_cols > MAX_COLUMNS:
        raise _too_big(
            title,
            f"sheet uses {declared_cols:,} columns",
            f"expected at most {MAX_COLUMNS:,} (delete the unused columns right of the data)",
        )
    if scan is not None:
        _check_counts(title, scan, budget)
    rows: dict[int, dict[int, object]] = {}
    try:
        with wb._archive.open(ws._worksheet_path) as source:  # type: ignore[attr-defined]
            parser = _SheetParser(source, ws._shared_strings, wb)  # type: ignore[attr-defined]
            for number, cells in parser.rows():
                _keep_row(rows, number, cells, title, budget)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 — malformed XML, bad coordinates, entity refusal, …
        raise _too_big(title, f"sheet cannot be read: the file is damaged ({_reason(exc)})", _XLSX_HINT)
    if parser.damaged:
        raise InputError(
            [Problem(title, cell, f"the cell is damaged ({what})", _RETYPE_HINT) for cell, what in parser.damaged]
        )
    _fill_merged(rows, parser.merged)
    out = tuple(
        (number, tuple(cells.get(j) for j in range(1, max(cells) + 1))) for number, cells in sorted(rows.items())
    )
    hidden = tuple(sorted({number for number in parser.hidden if number in rows}))
    filled = {column for cells in rows.values() for column in cells}
    hidden_columns = tuple(sorted(filled & parser.hidden_columns))
    return RawSheet(title, out, tuple(parser.merged), hidden, hidden_columns=hidden_columns)


def _check_counts(title: str, scan: _Scan, budget: list[int]) -> None:
    """Judge a sheet by its counted rows and cells before parsing any of it.

    Parsing costs some microseconds a cell, so a million rows without a declared size, or
    millions of empty cells, would otherwise keep the reader busy for minutes. Empty cells
    count: they cost as much.
    """
    rows, cells = scan.rows, scan.cells
    if rows > MAX_ROWS:
        raise _too_big(
            title,
            f"sheet holds over {MAX_ROWS:,} rows",
            f"expected at most {MAX_ROWS:,} (delete the unused rows below the data)",
        )
    if cells > max(rows, 1) * MAX_COLUMNS:  # so at least one row is wider than allowed
        raise _too_big(
            title, f"sheet has rows of over {MAX_COLUMNS:,} cells", f"expected at most {MAX_COLUMNS:,} columns"
        )
    budget[1] -= cells
    if budget[1] < 0:
        raise _too_big(
            title, "the workbook holds too many cells", f"expected at most {MAX_CELLS:,} cells, empty ones included"
        )


def _keep_row(
    rows: dict[int, dict[int, object]], number: int, cells: list[dict[str, object]], title: str, budget: list[int]
) -> None:
    if number > MAX_ROWS:
        raise _too_big(
            title, f"sheet has data in row {number:,}", f"expected at most {MAX_ROWS:,} rows (delete the unused rows)"
        )
    values: dict[int, object] = {}
    for cell in cells:
        value = cell["value"]
        if value is None:
            continue
        if isinstance(value, str) and "_x" in value:
            value = _unescaped(value)
        column = int(cell["column"])  # type: ignore[call-overload]
        if column > MAX_COLUMNS:
            raise _too_big(title, f"sheet has data in column {column:,}", f"expected at most {MAX_COLUMNS:,} columns")
        values[column] = value
    if not values:
        return
    budget[0] -= len(values)
    if budget[0] < 0:
        raise _too_big(
            title, "the workbook holds too many cells", f"expected at most {MAX_CELLS:,} cells, empty ones included"
        )
    rows.setdefault(number, {}).update(values)


# How Excel stores characters XML cannot hold, or that it escapes, in cell text: "_x000D_" for
# a carriage return, "_x005F_" for an underscore that would otherwise start such an escape.
_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescaped(text: str) -> str:
    """Cell text as Excel and LibreOffice show it: openpyxl hands the escapes over as typed,
    and "AAA" + carriage return read as nation "AAA_x000D_" beside a Budgets row of "AAA".
    One left-to-right pass, so "_x005F_x000D_" stays the literal text "_x000D_". A control
    character no workbook can hold (a vertical tab from a line break pasted from Word) reads
    as a space: decoded, it made the name unwritable in any output."""
    return _OOXML_ESCAPE.sub(lambda match: _writable(chr(int(match.group(1), 16))), text)


def _writable(character: str) -> str:
    """`character`, or a space if XML 1.0 cannot hold it (controls but tab, line feed, return)."""
    unwritable = (ord(character) < 0x20 and character not in "\t\n\r") or character in "\ufffe\uffff"
    return " " if unwritable else character


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
        if min_col is None or min_row is None or max_col is None or max_row is None:
            continue  # a whole-column or whole-row ref: no top-left cell holds a value
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

    def __init__(self, source: IO[bytes], shared_strings: list[str], wb: object):
        super().__init__(
            source,
            shared_strings,
            data_only=True,
            epoch=wb.epoch,  # type: ignore[attr-defined]
            date_formats=wb._date_formats,  # type: ignore[attr-defined]
            timedelta_formats=wb._timedelta_formats,  # type: ignore[attr-defined]
        )
        self.merged: list[str] = []
        self.hidden: list[int] = []  # rows hidden or filtered out in Excel (hidden="1")
        self.hidden_columns: set[int] = set()  # columns hidden in Excel (<col hidden="1">)
        self.damaged: list[tuple[str, str]] = []  # (cell, what is wrong) of unreadable cells

    def rows(self) -> Iterator[tuple[int, list[dict[str, object]]]]:
        for _event, element in iterparse(self.source):  # defusedxml's, via openpyxl
            if element.tag == ROW_TAG:
                hidden = _is_true(element.get("hidden"))
                row = self.parse_row(element)
                if hidden:
                    self.hidden.append(row[0])
                element.clear()
                yield row
            elif element.tag == _MERGE_CELL_TAG:
                ref = element.get("ref")
                if ref:
                    self.merged.append(ref)
            elif element.tag == _COLUMN_TAG and _is_true(element.get("hidden")):
                self._hide_columns(element.get("min"), element.get("max"))

    def _hide_columns(self, first: str | None, last: str | None) -> None:
        """Columns first…last (1-based) hidden; a span beyond the sheet's width (Excel hides
        "to the end" as max=16384) is cut at the widest column read."""
        try:
            low, high = int(first or 0), int(last or first or 0)
        except ValueError:
            return  # a damaged <col>: its widths are not ours to judge
        self.hidden_columns.update(range(max(low, 1), min(high, MAX_COLUMNS) + 1))

    def parse_cell(self, element: object) -> dict[str, object]:
        column_before = self.col_counter
        try:
            cell = super().parse_cell(element)
        except (ValueError, IndexError, TypeError, OverflowError) as exc:
            unparsed = self._unparsed_number(element)
            if unparsed is None:
                return self._damaged(element, exc, column_before)
            cell = unparsed
        if cell["data_type"] == "e" and cell["value"] is not None:
            cell["value"] = CellError(str(cell["value"]))
        elif (
            cell["value"] is None
            and element.find(FORMULA_TAG) is not None  # type: ignore[attr-defined]
            and not _cached_empty_text(element)
        ):
            cell["value"] = UNCACHED_FORMULA
        return cell

    def _damaged(self, element: object, exc: Exception, column_before: int) -> dict[str, object]:
        """A cell whose stored value no spreadsheet program writes (a shared-text index
        beyond the list, TRUE/FALSE holding "maybe", a date cell holding "not-a-date"):
        noted with its cell, so the planner is told where, and read as blank meanwhile.
        Re-raised when the cell's own reference is unreadable: only the sheet can be named."""
        reference = element.get("r")  # type: ignore[attr-defined]
        if reference:
            try:
                row, column = coordinate_to_tuple(reference)
            except (TypeError, ValueError):
                raise exc from None
        else:
            row, column = self.row_counter, column_before + 1
            self.col_counter = column
        self.damaged.append((f"{get_column_letter(column)}{row}", _damage(element, exc)))
        return {"row": row, "column": column, "value": None, "data_type": "n", "style_id": 0}

    def _unparsed_number(self, element: object) -> dict[str, object] | None:
        """A number cell holding text such as NaN or INF (no spreadsheet program writes
        them, some exporters do): keep the text, so the validator names the cell."""
        text = element.findtext(VALUE_TAG)  # type: ignore[attr-defined]
        if element.get("t", "n") != "n" or text is None:  # type: ignore[attr-defined]
            return None
        coordinate = element.get("r")  # type: ignore[attr-defined]
        row, column = coordinate_to_tuple(coordinate) if coordinate else (self.row_counter, self.col_counter)
        return {"row": row, "column": column, "value": text, "data_type": "s", "style_id": 0}


def _is_true(flag: object) -> bool:
    """An XML boolean attribute as Excel and LibreOffice write it ("1" or "true")."""
    return str(flag or "").strip().lower() in ("1", "true")


def _damage(element: object, exc: Exception) -> str:
    """What is wrong with a cell the parser refused, in a spreadsheet user's words."""
    kind = element.get("t", "n")  # type: ignore[attr-defined]
    text = element.findtext(VALUE_TAG) or ""  # type: ignore[attr-defined]
    shown = show(text)
    if kind == "s" and isinstance(exc, IndexError):
        return f"it points to shared text no. {text.strip()}, which the file does not hold"
    if kind == "s":
        return f"its shared-text number is {shown}, which is not a number"
    if kind == "b":
        return f"a TRUE/FALSE cell holds {shown}"
    if kind == "d":
        return f"a date cell holds {shown}, which is not a date"
    return _reason(exc)


def _cached_empty_text(element: object) -> bool:
    """A formula whose stored result is the empty string (t="str" with an empty <v>).

    A number cannot be empty, so an empty or missing <v> on any other type means the result
    was never computed: openpyxl, for one, writes formulas as `<f>…</f><v/>`.
    """
    return (
        element.get("t") in ("str", "s")  # type: ignore[attr-defined]
        and element.find(VALUE_TAG) is not None  # type: ignore[attr-defined]
    )
