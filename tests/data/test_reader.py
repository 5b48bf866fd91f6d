"""Reading real .xlsx files: cached formulas, Excel cell types, damaged and hostile files."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import defusedxml
import openpyxl
import openpyxl.xml
import pytest
from openpyxl.xml.functions import iterparse

from data.errors import InputError
from data.reader import MAX_COLUMNS, MAX_ROWS, load_inputs, read_sheets_from_bytes
from tests.data.fixtures.books import (
    Book,
    big_book,
    full_book,
    inputs_of,
    minimal_book,
    write_book,
)

FIXTURES = Path(__file__).parent / "fixtures"
XLSX_HINT = "expected an .xlsx workbook (in Excel: File > Save As > Excel Workbook)"


def load_errors(path: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_inputs(path)
    return [str(p) for p in caught.value.problems]


def sheet_part(book: Book, title: str) -> str:
    """openpyxl names sheet parts by position."""
    return f"xl/worksheets/sheet{list(book).index(title) + 1}.xml"


def rewrite(path: Path, part: str, change: Callable[[bytes], bytes]) -> Path:
    """A copy of the workbook with one zip part transformed."""
    out = path.with_name("changed_" + path.name)
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info, change(data) if info.filename == part else data)
    return out


# --- the happy path -----------------------------------------------------------------------
def test_workbook_reads_like_the_rows(tmp_path: Path) -> None:
    book = full_book()
    inputs, warnings = load_inputs(write_book(book, tmp_path / "in.xlsx"))
    assert warnings == []
    assert dataclasses.replace(inputs, source=None) == inputs_of(book)


def test_source_is_path_and_sha256_of_the_bytes(tmp_path: Path) -> None:
    path = write_book(minimal_book(), tmp_path / "in.xlsx")
    source = load_inputs(path)[0].source
    assert source is not None
    assert source.path == str(path)
    assert source.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_input_file_is_never_modified(tmp_path: Path) -> None:
    path = write_book(full_book(), tmp_path / "in.xlsx")
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    load_inputs(path)
    bad = minimal_book()
    bad["Programmes"][1][4] = -2
    bad_path = write_book(bad, tmp_path / "bad.xlsx")
    bad_before = bad_path.read_bytes()
    with pytest.raises(InputError):
        load_inputs(bad_path)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert bad_path.read_bytes() == bad_before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.xlsx", "in.xlsx"]


def test_realistic_workbook_reads_cleanly(tmp_path: Path) -> None:
    """Speed is measured by benchmarks/reference_timings.py, not asserted here."""
    path = write_book(big_book(nations=40, programmes=80), tmp_path / "big.xlsx")
    inputs, warnings = load_inputs(path)
    assert (len(inputs.nations), len(inputs.programmes), warnings) == (40, 80, [])


# --- formulas and Excel cell types --------------------------------------------------------
def test_formulas_are_read_through_cached_values() -> None:
    inputs, warnings = load_inputs(FIXTURES / "formulas_cached.xlsx")
    p01 = inputs.programme_by_id["P01"]
    assert warnings == []
    assert inputs.settings.last_year == 2031  # =B2+4
    assert inputs.budgets[("AAA", 2028)] == pytest.approx(110.0)  # =B2*1.1
    assert inputs.budgets[("AAA", 2031)] == pytest.approx(106.25)  # =SUM(B2:E2)/4
    assert (p01.name, p01.duration_years, p01.total_cost) == ("Drone swarm", 2, 60.0)
    assert p01.exclusive_group is None  # ="" caches empty text: blank
    assert inputs.values[("P02", "AIR")] == 3.0 and inputs.values[("P02", "CYB")] == 4.0


def test_the_fixture_really_holds_formulas() -> None:
    wb = openpyxl.load_workbook(FIXTURES / "formulas_cached.xlsx")
    assert wb["Programmes"]["F2"].value == "=30*2"
    assert wb["Budgets"]["C2"].value == "=B2*1.1"


def test_formula_without_cached_value_is_an_error(tmp_path: Path) -> None:
    book = minimal_book()
    book["Programmes"][1][5] = "=30*2"  # openpyxl stores no result
    book["Budgets"][2][3] = "=B3+1"
    assert load_errors(write_book(book, tmp_path / "f.xlsx")) == [
        (
            "Budgets!D3: budget for 2029 is a formula with no cached value — expected a value: open "
            "the workbook in Excel or LibreOffice and save it, so formula results are stored"
        ),
        (
            "Programmes!F2: total_cost is a formula with no cached value — expected a value: open "
            "the workbook in Excel or LibreOffice and save it, so formula results are stored"
        ),
    ]


def test_excel_error_values(tmp_path: Path) -> None:
    book = minimal_book()
    book["Programmes"][1][5] = "#N/A"
    assert load_errors(write_book(book, tmp_path / "e.xlsx")) == [
        "Programmes!F2: total_cost is the Excel error #N/A — expected a number ≥ 0"
    ]


def test_excel_booleans_and_float_year_headers(tmp_path: Path) -> None:
    book = minimal_book()
    book["Programmes"][0] += ["flexible_start"]
    book["Programmes"][1] += [True]
    book["Programmes"][2] += [False]
    book["Budgets"][0] = ["nation", 2027.0, "2028", 2029, 2030.0, " 2031 "]
    inputs = inputs_of(book)
    loaded = load_inputs(write_book(book, tmp_path / "b.xlsx"))[0]
    assert [p.flexible_start for p in loaded.programmes] == [True, False]
    assert loaded.budgets == inputs.budgets


def test_a_date_where_a_year_belongs(tmp_path: Path) -> None:
    book = minimal_book()
    book["Programmes"][0].append("earliest_start")
    book["Programmes"][1].append(dt.datetime(2028, 1, 1))
    assert load_errors(write_book(book, tmp_path / "d.xlsx")) == [
        "Programmes!G2: earliest_start is the date 2028-01-01 — expected a year like 2028"
    ]


def test_merged_cells_read_as_their_top_left_value(tmp_path: Path) -> None:
    book = minimal_book()
    book["Programmes"][2][2] = None
    path = write_book(book, tmp_path / "m.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["Programmes"].merge_cells("C2:C3")
    wb["Programmes"].merge_cells("A10:C12")  # merged over empty rows: conjures nothing
    wb.save(path)
    inputs, warnings = load_inputs(path)
    assert [p.technology for p in inputs.programmes] == ["autonomy", "autonomy"]
    assert [str(w) for w in warnings] == [
        "Programmes!C2:C3: merged cells: every cell of the range is read as its top-left value",
        "Programmes!A10:C12: merged cells: every cell of the range is read as its top-left value",
    ]


def test_extra_sheets_are_not_read(tmp_path: Path) -> None:
    book = minimal_book() | {"Scratch": [[f"=1/0+{i}"] for i in range(50)]}
    _, warnings = load_inputs(write_book(book, tmp_path / "x.xlsx"))
    assert [str(w) for w in warnings] == ["Scratch: sheet is not an input sheet and is ignored"]


# --- misspelt headers and misnamed sheets --------------------------------------------------
def load_failure(path: Path) -> tuple[list[str], list[str]]:
    with pytest.raises(InputError) as caught:
        load_inputs(path)
    return [str(p) for p in caught.value.problems], [str(w) for w in caught.value.warnings]


def test_a_misspelt_required_header_is_one_error_at_its_cell(tmp_path: Path) -> None:
    """It used to be `Programmes!1: no duration_years column` plus an unlinked warning at E1."""
    book = minimal_book()
    book["Programmes"][0][4] = "duraton_years"
    assert load_failure(write_book(book, tmp_path / "typo.xlsx")) == (
        [
            (
                'Programmes!E1: column "duraton_years" is not an input column — expected duration_years, '
                "which is missing (this header is probably it, misspelt)"
            )
        ],
        [],
    )


def test_a_header_like_no_missing_column_keeps_the_row_error(tmp_path: Path) -> None:
    book = minimal_book()
    book["Programmes"][0][4] = "length"
    assert load_failure(write_book(book, tmp_path / "other.xlsx")) == (
        ["Programmes!G1: no duration_years column — expected a column headed duration_years"],
        ['Programmes!E1: column "length" is not an input column and is ignored'],
    )


def test_a_misspelt_optional_header_is_a_warning_that_names_the_column(tmp_path: Path) -> None:
    book = minimal_book()
    book["Programmes"][0].append("earliest_strat")
    book["Programmes"][1].append(2031)
    inputs, warnings = load_inputs(write_book(book, tmp_path / "optional.xlsx"))
    assert inputs.programmes[0].earliest_start is None  # ignored, as the warning says
    assert [str(w) for w in warnings] == [
        (
            'Programmes!G1: column "earliest_strat" is not an input column and is ignored — expected '
            "earliest_start, if that was meant (this header is probably it, misspelt)"
        )
    ]


def test_a_misnamed_sheet_is_named_by_the_missing_sheet_error(tmp_path: Path) -> None:
    """It used to be `Programmes: sheet is missing` plus an unlinked warning that Programme is ignored."""
    book = minimal_book()
    book = {("Programme" if title == "Programmes" else title): rows for title, rows in book.items()}
    assert load_failure(write_book(book, tmp_path / "sheet.xlsx")) == (
        [
            (
                'Programmes: sheet is missing — expected a sheet named Programmes (sheet "Programme" is '
                "probably it, misnamed: rename it)"
            )
        ],
        [],
    )


def test_a_sheet_like_no_missing_sheet_is_still_just_ignored(tmp_path: Path) -> None:
    book = minimal_book()
    book = {("Scratch" if title == "Programmes" else title): rows for title, rows in book.items()}
    assert load_failure(write_book(book, tmp_path / "scratch.xlsx")) == (
        ["Programmes: sheet is missing — expected a sheet named Programmes"],
        ["Scratch: sheet is not an input sheet and is ignored"],
    )


# --- files that are not good workbooks ----------------------------------------------------
def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.xlsx"
    assert load_errors(missing) == [f"nope.xlsx: file not found ({missing}) — expected the path of an .xlsx workbook"]


def test_a_pipe_is_read_and_a_device_without_end_is_cut_at_the_limit(tmp_path: Path) -> None:
    """/dev/zero was read until memory ran out; a workbook piped in (`cat x.xlsx | capopt
    validate /dev/stdin`) is read as a file is."""
    import os
    import threading

    assert load_errors(Path("/dev/zero")) == ["zero: holds more than 256 MB — expected a workbook under 256 MB"]
    fifo = tmp_path / "piped.xlsx"
    os.mkfifo(fifo)
    book = Path(__file__).resolve().parents[2] / "examples" / "small" / "small.xlsx"
    writer = threading.Thread(target=lambda: fifo.write_bytes(book.read_bytes()))
    writer.start()
    try:
        assert load_inputs(fifo)[0].nations  # read as the file it carries
    finally:
        writer.join(10)


def test_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "dir.xlsx"
    folder.mkdir()
    assert load_errors(folder) == ["dir.xlsx: is a folder — expected an .xlsx file"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "x.xlsx: is empty — " + XLSX_HINT),
        (b"nation,2027\nAAA,100\n", "x.xlsx: is not an Excel workbook — " + XLSX_HINT),
        (
            b"PK\x03\x04" + b"\x00" * 200,
            "x.xlsx: is a damaged .xlsx file (its zip structure cannot be read) — " + XLSX_HINT,
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
            (
                "x.xlsx: is password-protected or a legacy .xls file — expected an .xlsx workbook "
                "without a password (File > Save As > Excel Workbook, with no password)"
            ),
        ),
    ],
)
def test_files_that_are_not_workbooks(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "x.xlsx"
    path.write_bytes(content)
    assert load_errors(path) == [message]


def test_truncated_workbook(tmp_path: Path) -> None:
    good = write_book(full_book(), tmp_path / "good.xlsx").read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(good[: len(good) // 2])
    (message,) = load_errors(path)
    assert message.startswith("cut.xlsx: is a damaged .xlsx file")


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "z.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "hello")
    (message,) = load_errors(path)
    assert message.startswith("z.xlsx: cannot be read as an .xlsx workbook (")
    assert message.endswith(XLSX_HINT)


def test_opendocument_spreadsheet(tmp_path: Path) -> None:
    path = tmp_path / "o.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    assert load_errors(path) == ["o.xlsx: is an OpenDocument spreadsheet (.ods) — " + XLSX_HINT]


def test_damaged_sheet_xml(tmp_path: Path) -> None:
    book = minimal_book()
    path = rewrite(
        write_book(book, tmp_path / "s.xlsx"),
        sheet_part(book, "Nations"),
        lambda xml: xml.replace(b"</sheetData>", b"<row><c></sheetData>"),
    )
    (message,) = load_errors(path)
    assert message.startswith("Nations: sheet cannot be read: the file is damaged (")


STRICT_NAMESPACES = (
    (b"http://schemas.openxmlformats.org/spreadsheetml/2006/main", b"http://purl.oclc.org/ooxml/spreadsheetml/main"),
    (
        b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        b"http://purl.oclc.org/ooxml/officeDocument/relationships",
    ),
)


def as_strict(data: bytes) -> bytes:
    """An XML part as Excel's "Strict Open XML Spreadsheet" writes it: other namespaces."""
    for transitional, strict in STRICT_NAMESPACES:
        data = data.replace(transitional, strict)
    return data


def test_a_strict_open_xml_workbook_is_one_clear_error(tmp_path: Path) -> None:
    """openpyxl read it as a workbook of no sheets: six 'sheet is missing' errors."""
    path = write_book(minimal_book(), tmp_path / "s.xlsx")
    for part in zipfile.ZipFile(path).namelist():
        if part.endswith((".xml", ".rels")):
            path = rewrite(path, part, as_strict).rename(path)
    assert load_errors(path) == ["s.xlsx: is saved as Strict Open XML — " + XLSX_HINT]


def test_a_strict_workbook_part_alone_is_recognised(tmp_path: Path) -> None:
    path = rewrite(write_book(minimal_book(), tmp_path / "s.xlsx"), "xl/workbook.xml", as_strict)
    assert load_errors(path) == ["changed_s.xlsx: is saved as Strict Open XML — " + XLSX_HINT]


def test_a_workbook_part_that_lists_no_sheets(tmp_path: Path) -> None:
    """Worksheets the workbook part does not list are read as no sheets at all."""
    path = rewrite(
        write_book(minimal_book(), tmp_path / "s.xlsx"),
        "xl/workbook.xml",
        lambda xml: re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", xml),
    )
    assert load_errors(path) == ["changed_s.xlsx: lists no sheets but holds 6 worksheet parts — " + XLSX_HINT]


def test_a_sheet_title_with_an_invisible_character_is_read(tmp_path: Path) -> None:
    """ "Targets" + a zero-width space was not read at all, and the run had no targets."""
    book = full_book()
    book["Targets\u200b"] = book.pop("Targets")
    inputs, warnings = load_inputs(write_book(book, tmp_path / "zwsp.xlsx"))
    assert warnings == []
    assert len(inputs.targets) == 2


# --- hostile files ------------------------------------------------------------------------
BOMB = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, b"".join(b"&lol%s;" % (b"" if i == 1 else b"%d" % (i - 1)) for _ in range(10)))
        for i in range(1, 10)
    )
    + b']>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
    b"</sheetData></worksheet>"
)


def bomb_workbook(tmp_path: Path) -> Path:
    book = minimal_book()
    return rewrite(write_book(book, tmp_path / "bomb.xlsx"), sheet_part(book, "Settings"), lambda _: BOMB)


def test_entity_bomb_is_refused_fast(tmp_path: Path) -> None:
    path = bomb_workbook(tmp_path)
    errors = load_errors(path)  # refused by the pre-scan, before any XML is parsed
    assert errors == [
        (
            "changed_bomb.xlsx: declares XML entities or a DTD in xl/worksheets/sheet1.xml and is "
            "refused for safety — expected a workbook saved by Excel or LibreOffice"
        )
    ]


def test_utf16_entity_declarations_are_refused(tmp_path: Path) -> None:
    book = minimal_book()
    utf16 = BOMB.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    path = rewrite(write_book(book, tmp_path / "u.xlsx"), sheet_part(book, "Settings"), lambda _: utf16)
    assert "declares XML entities or a DTD" in load_errors(path)[0]


def test_openpyxl_itself_refuses_entities_through_defusedxml(tmp_path: Path) -> None:
    """The second line of defence, should the pre-scan ever miss a declaration."""
    assert openpyxl.xml.DEFUSEDXML is True
    assert iterparse.__module__.startswith("defusedxml")
    path = bomb_workbook(tmp_path)
    with open(path, "rb") as handle, pytest.raises(Exception) as caught:
        openpyxl.load_workbook(handle)  # a handle we close: openpyxl leaks its own on failure
    chain = [caught.value, caught.value.__cause__, caught.value.__context__]
    assert any(isinstance(e, defusedxml.DefusedXmlException) for e in chain)


def test_too_many_rows_by_dimension(tmp_path: Path) -> None:
    path = write_book(minimal_book(), tmp_path / "rows.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["Values"].cell(row=MAX_ROWS + 1, column=1, value="P01")  # openpyxl writes rows sparsely
    wb.save(path)
    assert load_errors(path) == [  # from the sheet's declared dimension, before reading rows
        ("Values: sheet uses 100,001 rows — expected at most 100,000 (delete the unused rows below the data)")
    ]


def test_too_many_rows_without_dimension_stops_reading(tmp_path: Path) -> None:
    book = minimal_book()
    path = rewrite(
        write_book(book, tmp_path / "rows.xlsx"),
        sheet_part(book, "Values"),
        lambda xml: re.sub(rb"<dimension[^>]*/>", b"", xml).replace(
            b"</sheetData>", b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
        ),
    )
    assert load_errors(path) == [
        ("Values: sheet has data in row 1,048,576 — expected at most 100,000 rows (delete the unused rows)")
    ]


def test_too_many_columns(tmp_path: Path) -> None:
    book = minimal_book()
    book["Values"][1] += [None] * (MAX_COLUMNS - 3) + [1]
    assert load_errors(write_book(book, tmp_path / "cols.xlsx")) == [
        ("Values: sheet uses 1,001 columns — expected at most 1,000 (delete the unused columns right of the data)")
    ]


def test_reading_happens_in_memory_only(tmp_path: Path) -> None:
    """The reader takes bytes once; nothing else touches the file (no lock files, no temp)."""
    path = write_book(minimal_book(), tmp_path / "in.xlsx")
    data = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert "xl/workbook.xml" in z.namelist()
    load_inputs(path)
    assert [p.name for p in tmp_path.iterdir()] == ["in.xlsx"]


def test_a_workbook_capopt_wrote_is_named_as_such_not_as_missing_sheets(tmp_path: Path) -> None:
    """A plan given as the input workbook got 8 problems, among them "sheet Capability is
    probably it, misnamed: rename it"."""
    from optimizer import Scenario

    small = Path(__file__).resolve().parents[2] / "examples" / "small" / "small.xlsx"
    plan = Scenario.from_excel(small).solve(time_limit=10).to_excel(tmp_path / "plan.xlsx")
    [problem] = load_errors(plan)
    assert problem.startswith(
        "plan.xlsx: is a workbook capopt wrote (sheets Summary, Dashboard, Plan), not an "
        "input workbook — expected the input workbook"
    )


# --- Excel's escapes in cell text ---------------------------------------------------------
def test_text_with_excel_s_escapes_reads_as_excel_shows_it(tmp_path: Path) -> None:
    """Excel stores a carriage return typed into a cell as "_x000D_": "AAA" + CR was refused
    as nation "AAA_x000D_" (no row) beside Budgets' "AAA" (not in Nations). The escapes are
    decoded, as Excel and LibreOffice show them; an escaped underscore ("_x005F_") keeps the
    text after it literal."""
    book = minimal_book()
    book["Nations"][1][0] = "AAA_x000D_"
    book["Nations"][2][1] = "Bravo_x005F_x0041_"
    inputs, _ = load_inputs(write_book(book, tmp_path / "in.xlsx"))
    assert [n.code for n in inputs.nations][:2] == ["AAA", "BBB"]
    assert inputs.nations[1].name == "Bravo_x0041_"


def test_an_escaped_control_character_no_workbook_holds_reads_as_a_space(tmp_path: Path) -> None:
    """A line break pasted from Word is stored as "_x000B_" (a vertical tab): decoded as such,
    the name could not be written to any output workbook (openpyxl's IllegalCharacterError)."""
    from data.input_writer import write_inputs

    book = minimal_book()
    book["Nations"][1][1] = "Alpha_x000B_North"
    inputs, _ = load_inputs(write_book(book, tmp_path / "in.xlsx"))
    assert inputs.nations[0].name == "Alpha North"
    write_inputs(inputs, tmp_path / "again.xlsx")  # raised IllegalCharacterError


# --- damaged cell XML: the cell is named --------------------------------------------------
ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "examples" / "small" / "small.xlsx"
F2 = '<c r="F2" t="n"><v>3</v></c>'  # Programmes!F2 (total_cost) as the example stores it
RETYPE = (
    "expected a value a spreadsheet program wrote: type the cell again in Excel or LibreOffice and save the workbook"
)


def _patched(*replacements: tuple[str, str]) -> bytes:
    """The small example with Programmes' sheet XML edited (as a broken exporter writes it)."""
    out = io.BytesIO()
    with zipfile.ZipFile(SMALL) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        hits = 0
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/") and F2.encode() in data:
                text = data.decode()
                for old, new in replacements:
                    assert old in text
                    text = text.replace(old, new)
                data, hits = text.encode(), hits + 1
            dst.writestr(info, data)
    assert hits == 1
    return out.getvalue()


def _read_problems(data: bytes) -> list[str]:
    with pytest.raises(InputError) as caught:
        read_sheets_from_bytes(data, "book.xlsx")
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize(
    ("cell", "what"),
    [
        ('<c r="F2" t="s"><v>99</v></c>', "it points to shared text no. 99, which the file does not hold"),
        ('<c r="F2" t="s"><v>abc</v></c>', 'its shared-text number is "abc", which is not a number'),
        ('<c r="F2" t="b"><v>maybe</v></c>', 'a TRUE/FALSE cell holds "maybe"'),
        ('<c r="F2" t="d"><v>not-a-date</v></c>', 'a date cell holds "not-a-date", which is not a date'),
    ],
    ids=["shared string out of range", "shared string not a number", "boolean", "ISO date"],
)
def test_a_damaged_cell_is_named(cell: str, what: str) -> None:
    assert _read_problems(_patched((F2, cell))) == [f"Programmes!F2: the cell is damaged ({what}) — {RETYPE}"]


def test_every_damaged_cell_of_a_sheet_is_named_and_a_cell_without_reference_too() -> None:
    """A cell without `r` is the one after its left neighbour (as spreadsheet programs read it)."""
    data = _patched((F2, '<c r="F2" t="b"><v>maybe</v></c><c t="d"><v>soon</v></c>'))
    problems = _read_problems(data)
    assert [p.split(":")[0] for p in problems] == ["Programmes!F2", "Programmes!G2"]


def test_a_cell_whose_reference_is_damaged_names_the_sheet() -> None:
    problems = _read_problems(_patched((F2, '<c r="$$" t="b"><v>maybe</v></c>')))
    assert len(problems) == 1 and problems[0].startswith("Programmes: sheet cannot be read: the file is damaged")
