"""Broken workbooks for the adversarial CLI tests, built from valid ones.

Everything here writes real files: cell-level damage goes through openpyxl (so the reader
sees what Excel users produce), file-level damage edits the zip or its XML directly. The
valid sources are the tests' `full_book`, the bundled reference workbook and the small
example, whichever exist; a mutation is only as adversarial as the data it starts from.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from data.schema import SETTINGS_KEYS, SHEET_BY_NAME, Column, normalise_name
from tests.data.fixtures.books import Book, full_book

ROOT = Path(__file__).resolve().parents[3]
SMALL_EXAMPLE = ROOT / "examples" / "small" / "small.xlsx"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_SENTINEL = 770_000_001  # a number no source holds: marks cells whose XML is rewritten


# --- valid sources --------------------------------------------------------------------
def book_from_xlsx(path: Path) -> Book:
    """The cached values of every sheet, row 1 first (rows keep their sheet positions)."""
    wb = openpyxl.load_workbook(path, data_only=True, read_only=True)
    try:
        return {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in wb}
    finally:
        wb.close()


@cache
def _source_books() -> dict[str, Book]:
    from data.reference import reference_path

    books: dict[str, Book] = {"full_book": full_book()}
    if reference_path().is_file():
        books["reference"] = book_from_xlsx(reference_path())
    if SMALL_EXAMPLE.is_file():
        books["small_example"] = book_from_xlsx(SMALL_EXAMPLE)
    return books


def source_names() -> list[str]:
    return sorted(_source_books())


def source(name: str) -> Book:
    """A fresh deep copy of a valid source book, safe to damage."""
    import copy

    return copy.deepcopy(_source_books()[name])


# --- writing --------------------------------------------------------------------------
def save_book(
    book: Book,
    path: Path,
    merges: Iterable[tuple[str, str]] = (),
    raw_values: Mapping[tuple[str, str], bytes] | None = None,
) -> Path:
    """Write `book` as .xlsx; merge the given (sheet, range)s; and put raw `<v>` text into
    the given (sheet, cell)s — how NaN or 1e999, which openpyxl refuses to write, get in."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in book.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(list(row))
    for title, ref in merges:
        wb[title].merge_cells(ref)
    literals: dict[str, dict[bytes, bytes]] = {}
    for i, ((title, cell), literal) in enumerate((raw_values or {}).items()):
        wb[title][cell] = _SENTINEL + i
        part = f"xl/worksheets/sheet{list(book).index(title) + 1}.xml"
        literals.setdefault(part, {})[b"<v>%d</v>" % (_SENTINEL + i)] = b"<v>" + literal + b"</v>"
    buffer = io.BytesIO()
    wb.save(buffer)
    data = buffer.getvalue()
    for part, swaps in literals.items():
        data = rewrite_parts(data, {part: lambda xml, s=swaps: _swap(xml, s)})
    path.write_bytes(data)
    return path


def _swap(xml: bytes, swaps: Mapping[bytes, bytes]) -> bytes:
    for old, new in swaps.items():
        assert xml.count(old) == 1, old
        xml = xml.replace(old, new)
    return xml


def rewrite_parts(
    data: bytes, changes: Mapping[str, Any], add: Mapping[str, bytes] | None = None, drop: Iterable[str] = ()
) -> bytes:
    """A copy of a zip with parts transformed (callable) or replaced (bytes), added, dropped."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename in drop:
                continue
            content = src.read(info)
            change = changes.get(info.filename)
            if change is not None:
                content = change(content) if callable(change) else change
            dst.writestr(info.filename, content)
        for name, content in (add or {}).items():
            dst.writestr(name, content)
    return out.getvalue()


def sheet_part(book: Mapping[str, Any], title: str) -> str:
    """openpyxl numbers sheet parts in workbook order."""
    return f"xl/worksheets/sheet{list(book).index(title) + 1}.xml"


# --- where the typed cells are --------------------------------------------------------
@dataclass(frozen=True)
class Target:
    """One cell of a source book and the schema column that judges it."""

    sheet: str
    row: int  # 1-based sheet row (= list index + 1)
    col: int  # 0-based column index
    column: Column

    @property
    def cell(self) -> str:
        return f"{get_column_letter(self.col + 1)}{self.row}"


def _horizon(book: Book) -> tuple[int, int]:
    values = {normalise_name(str(r[0])): r[1] for r in book["Settings"][1:] if r and r[0]}
    return int(values["firstyear"]), int(values["lastyear"])


def _header_index(book: Book, sheet: str) -> dict[str, int]:
    return {normalise_name(str(h)): j for j, h in enumerate(book[sheet][0]) if h is not None}


def _is_joint(book: Book, row: list[Any]) -> bool:
    j = _header_index(book, "Programmes").get("sharing")
    return j is not None and j < len(row) and normalise_name(str(row[j] or "")) == "joint"


def typed_targets(book: Book) -> list[Target]:
    """Every cell whose column gives it a type that can be got wrong.

    Free-text columns (names, technology, currency) accept anything and are left out, as
    are joint-only columns on national programmes (ignored with a warning by design) and
    Budgets columns outside the horizon (ignored too).
    """
    first, last = _horizon(book)
    settings = {normalise_name(c.name): c for c in SETTINGS_KEYS}
    out: list[Target] = []
    for sheet, rows in book.items():
        schema = SHEET_BY_NAME.get(sheet)
        if schema is None or not rows:
            continue
        if schema.layout == "settings":
            for i, row in enumerate(rows[1:], start=2):
                column = settings.get(normalise_name(str(row[0] or "")))
                if column is not None and column.kind != "text":
                    out.append(Target(sheet, i, 1, column))
            continue
        if schema.layout == "wide":
            key = schema.columns[0]
            for i, row in enumerate(rows[1:], start=2):
                out.append(Target(sheet, i, 0, key))
                for j, header in enumerate(rows[0][1:], start=1):
                    if sheet == "Budgets" and not first <= int(str(header).strip()) <= last:
                        continue
                    out.append(Target(sheet, i, j, schema.wide_value))  # type: ignore[arg-type]
            continue
        index = _header_index(book, sheet)
        for column in schema.columns:
            at = index.get(normalise_name(column.name))
            if at is None or (column.kind == "text" and not column.required):
                continue
            for i, row in enumerate(rows[1:], start=2):
                if column.joint_only and not _is_joint(book, row):
                    continue
                out.append(Target(sheet, i, at, column))
    return out


def put_cell(book: Book, target: Target, value: Any) -> None:
    row = book[target.sheet][target.row - 1]
    row.extend([None] * (target.col + 1 - len(row)))
    row[target.col] = value


def delete_column(book: Book, sheet: str, col: int) -> None:
    for row in book[sheet]:
        if col < len(row):
            del row[col]


# --- wrong values, by column kind -----------------------------------------------------
# Each is (label, value); a value is either a Python value written through openpyxl or
# `Raw(b"...")`, literal text for the cell's <v> element.
@dataclass(frozen=True)
class Raw:
    literal: bytes


DATE = dt.datetime(2028, 1, 1)


def wrong_values(column: Column) -> list[tuple[str, Any]]:
    """Values the column must refuse, each labelled with the kind of mistake it is."""
    kind = column.kind
    out: list[tuple[str, Any]] = []
    if kind in ("number", "whole"):
        out += [
            ("text in number", "abc"),
            ("text in number", "12 000"),
            ("text in number", "1,5"),
            ("text in number", "ten"),
            ("wrong type", True),
            ("wrong type", dt.time(12, 30)),
            ("wrong type", DATE),
            ("excel error", "#DIV/0!"),
            ("excel error", "#N/A"),
            ("uncached formula", "=1/0"),
            ("nan/inf", "nan"),
            ("nan/inf", "-Infinity"),
            ("nan/inf", "inf"),
            ("nan/inf", Raw(b"NaN")),
            ("nan/inf", Raw(b"1e999")),
            ("nan/inf", Raw(b"-1e999")),
            ("nan/inf", Raw(b"INF")),
        ]
        if column.min is not None and column.min >= 0:
            out += [("negative", -1), ("negative", -1e9), ("negative", -0.5)]
        if column.max is not None:
            out += [("huge", column.max + 1), ("huge", 10**15)]
        if kind == "number":
            out += [("huge", 1e300), ("huge", 1e13)]
        if kind == "whole":
            out += [("wrong type", 2.5)]
    elif kind == "year":
        out += [
            ("date for year", DATE),
            ("date for year", dt.date(2030, 6, 30)),
            ("huge", 10**9),
            ("negative", -2028),
            ("out of range", 1899),
            ("out of range", 2201),
            ("wrong type", 2028.5),
            ("text in number", "twenty"),
            ("nan/inf", Raw(b"NaN")),
        ]
    elif kind == "yes-no":
        out += [("wrong type", "maybe"), ("wrong type", 2), ("wrong type", DATE)]
    elif kind == "enum":
        out += [("wrong type", "sometimes"), ("wrong type", 7)]
    elif kind == "comma-list":
        out += [("wrong type", "speed, cost"), ("wrong type", 5)]
    elif kind == "id-reference":
        out += [("dangling reference", "ZZ-NOPE"), ("dangling reference", 404)]
    elif kind == "text" and column.required:
        out += [("blank id", None), ("blank id", "   ")]
    return out


def id_column_targets(book: Book) -> list[Target]:
    """Id cells of defining sheets (unique ids) and key cells of the wide sheets."""
    return [
        t for t in typed_targets(book) if t.column.unique or (SHEET_BY_NAME[t.sheet].layout == "wide" and t.col == 0)
    ]


def row_has_other_data(book: Book, target: Target) -> bool:
    row = book[target.sheet][target.row - 1]
    return any(v is not None and str(v).strip() for j, v in enumerate(row) if j != target.col)


# --- hostile files --------------------------------------------------------------------
def billion_laughs(root: bytes, encoding: str = "utf-8") -> bytes:
    """An entity-expansion bomb: 10^9 'lol's from a 1 KB document."""
    entities = "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "lol" * 10}">' for i in range(1, 10)
    )
    text = f'<?xml version="1.0" encoding="{encoding.upper()}"?>\n<!DOCTYPE lolz [{entities}]>\n{root.decode()}'
    return text.replace("&lol;", "&lol9;").encode(encoding)


def shared_strings(text: str) -> bytes:
    return (f'<sst xmlns="{SHEET_NS}" count="1" uniqueCount="1"><si><t>{text}</t></si></sst>').encode()


SST_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def with_shared_strings(data: bytes, part: bytes) -> bytes:
    """Add (or replace) xl/sharedStrings.xml, registered so openpyxl would read it."""

    def register(types: bytes) -> bytes:
        if b"/xl/sharedStrings.xml" in types:
            return types
        return types.replace(
            b"</Types>",
            b'<Override PartName="/xl/sharedStrings.xml" ContentType="' + SST_CONTENT_TYPE.encode() + b'"/></Types>',
        )

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        exists = "xl/sharedStrings.xml" in z.namelist()
    if exists:
        return rewrite_parts(data, {"xl/sharedStrings.xml": part})
    return rewrite_parts(data, {"[Content_Types].xml": register}, add={"xl/sharedStrings.xml": part})


def raw_zip(path: Path, members: Sequence[tuple[str, bytes, int, int, int]]) -> Path:
    """A zip written by hand from (name, deflated bytes, crc, uncompressed size, declared
    size): lets a test declare sizes that differ from the data, or store data built faster
    than zlib could compress it."""
    local, central = io.BytesIO(), io.BytesIO()
    for name, payload, crc, _size, declared in members:
        encoded = name.encode()
        offset = local.tell()
        header = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(payload), declared, len(encoded), 0)
        local.write(header + encoded + payload)
        central.write(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0,
                8,
                0,
                0,
                crc,
                len(payload),
                declared,
                len(encoded),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + encoded
        )
    directory = central.getvalue()
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(directory), local.tell(), 0)
    path.write_bytes(local.getvalue() + directory + end)
    return path


def deflated_members(data: bytes) -> list[tuple[str, bytes, int, int, int]]:
    """The parts of a zip as raw_zip members (re-deflated, honest sizes)."""
    out = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for info in z.infolist():
            content = z.read(info)
            out.append(member_from_pieces(info.filename, [(content, deflate_piece(content), 1)]))
    return out


def deflate_piece(content: bytes, level: int = 6) -> bytes:
    """`content` deflated on its own and flushed with Z_FULL_FLUSH: no back-references
    across pieces, so pieces can be concatenated and repeated freely (see
    member_from_pieces), which builds gigabyte parts in milliseconds."""
    c = zlib.compressobj(level, zlib.DEFLATED, -15)
    return c.compress(content) + c.flush(zlib.Z_FULL_FLUSH)


_FINAL_BLOCK = zlib.compressobj(6, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)


def member_from_pieces(name: str, pieces: Sequence[tuple[bytes, bytes, int]]) -> tuple[str, bytes, int, int, int]:
    """A raw_zip member from (content, deflate_piece(content), times) pieces, in order."""
    crc = size = 0
    body = []
    for content, deflated, times in pieces:
        for _ in range(times):
            crc = zlib.crc32(content, crc)
        size += len(content) * times
        body.append(deflated * times)
    return name, b"".join(body) + _FINAL_BLOCK, crc, size, size


def replace_member(
    data: bytes, part: str, pieces: Sequence[tuple[bytes, int]], big: tuple[bytes, bytes] | None = None
) -> list[tuple[str, bytes, int, int, int]]:
    """The workbook's members with `part` made of (content, times) pieces; `big` is an
    already deflated (content, deflate_piece(content)) placed after the first piece."""
    members = [m for m in deflated_members(data) if m[0] != part]
    deflated = [(content, deflate_piece(content), times) for content, times in pieces]
    if big is not None:
        deflated.insert(1, (big[0], big[1], 1))
    return [*members, member_from_pieces(part, deflated)]


def sheet_head(book: Book, title: str, dimension: str | None) -> bytes:
    """The start of a sheet's XML up to and including its header row (row 1)."""
    header = "".join(
        f'<c r="{get_column_letter(j + 1)}1" t="inlineStr"><is><t>{h}</t></is></c>'
        for j, h in enumerate(book[title][0])
    )
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{SHEET_NS}">{dim}<sheetData><row r="1">{header}</row>'
    ).encode()


SHEET_TAIL = b"</sheetData></worksheet>"


def split_sheet(xml: bytes) -> tuple[bytes, bytes]:
    """(everything up to the end of the last row, the rest) of a sheet's XML."""
    head, sep, tail = xml.partition(b"</sheetData>")
    assert sep, "no sheetData"
    return head, sep + tail
