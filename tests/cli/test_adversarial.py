"""Adversarial inputs through the real CLI: valid workbooks broken every way we could think of.

Each case is a real file given to `capopt validate BOOK` and `capopt solve BOOK -o OUT`
(CliRunner, in process). For every broken workbook both must exit with the invalid-input
code, print no traceback, list each problem as `Sheet!Cell: what — expected` (or
`file.xlsx: …` for the whole file), report the same problems, write no output file and
leave the input's bytes and mtime alone — within a few seconds. Files built to exhaust
memory or time (entity and zip bombs, a million-row sheet) run in a child process under an
address-space limit, so a blow-up fails the test instead of swapping the machine.

Cases are generated with hypothesis from the valid sources (derandomized: CI sees the same
cases every run). The number of cases per category and the slowest case are printed at the
end of the module; docs/input-validation.md ("Adversarial testing") records them.
"""

from __future__ import annotations

import bz2
import functools
import gzip
import hashlib
import io
import json
import os
import random
import re
import resource
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils import get_column_letter

import cli
from data.schema import SHEET_BY_NAME, SHEETS, normalise_name
from optimizer.errors import EXIT_CODES
from tests.cli.adversarial.workbooks import (
    OLE2_MAGIC,
    SHEET_TAIL,
    Raw,
    Target,
    billion_laughs,
    deflate_piece,
    deflated_members,
    delete_column,
    id_column_targets,
    put_cell,
    raw_zip,
    replace_member,
    rewrite_parts,
    row_has_other_data,
    save_book,
    shared_strings,
    sheet_head,
    sheet_part,
    source,
    source_names,
    split_sheet,
    typed_targets,
    with_shared_strings,
    wrong_values,
)
from tests.data.fixtures.books import Book

INVALID = EXIT_CODES["invalid_input"]
CASE_SECONDS = 10.0  # generous on a shared 2-core machine; typical cases take 0.1 s
MEMORY_LIMIT = 2 * 2**30  # RLIMIT_AS of the child running the hostile files
PEAK_RSS_LIMIT_KB = 1024 * 1024  # their peak resident memory must stay under 1 GB
SOURCES = source_names()
# The brief's form of a problem line; WHERE is stricter: a known sheet or the file, a cell.
PROBLEM_LINE = re.compile(r"^\s*\S+!?\S*: .+")
WHERE = re.compile(r"^(?P<place>[^!]+?)(?:!(?P<cell>[A-Z]{1,3}\d*(?::[A-Z]{1,3}\d*)?|\d+))?: (?P<what>.+)$")
SCHEMA_SHEETS = {s.name for s in SHEETS}


def example_settings(n: int) -> settings:
    return settings(
        max_examples=n,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# --- bookkeeping: cases per category and the slowest one ------------------------------
@dataclass
class Tally:
    cases: int = 0
    rejected: int = 0
    accepted: int = 0  # damage that left a valid workbook (possible for merges, bit flips)
    max_seconds: float = 0.0
    max_rss_kb: int = 0
    examples: list[str] = field(default_factory=list)


TALLY: dict[str, Tally] = defaultdict(Tally)


@pytest.fixture(scope="module", autouse=True)
def report_counts(request: pytest.FixtureRequest) -> Iterator[None]:
    """Print the per-category counts once the module is done (visible without -s)."""
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None or not TALLY:
        return
    with capture.global_and_fixture_disabled():
        write_tally(reporter.write_line)


def write_tally(write: Callable[[str], None]) -> None:
    total = sum(t.cases for t in TALLY.values())
    slowest = max(t.max_seconds for t in TALLY.values())
    write("")
    write(f"adversarial CLI cases: {total} (slowest command {slowest:.2f} s); sources: {', '.join(SOURCES)}")
    for name, t in sorted(TALLY.items()):
        rss = f", peak RSS {t.max_rss_kb / 1024:.0f} MB" if t.max_rss_kb else ""
        write(
            f"  {name:<24} {t.cases:>4} cases  {t.rejected:>4} rejected  "
            f"{t.accepted:>3} still valid  max {t.max_seconds:5.2f} s{rss}"
        )
        if t.examples:
            kinds = Counter(t.examples).most_common()
            write("      " + ", ".join(f"{kind} {n}" for kind, n in kinds))


# --- running the CLI and judging its answer --------------------------------------------
def invoke(*args: str) -> tuple[Result, float]:
    started = time.perf_counter()
    result = CliRunner().invoke(cli.main, list(args))
    return result, time.perf_counter() - started


def fingerprint(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def problem_lines(output: str, places: set[str]) -> list[str]:
    """The problems of an invalid-input answer, each checked for the `where: what` form."""
    lines = output.splitlines()
    headers = [i for i, line in enumerate(lines) if re.fullmatch(r"Input has \d+ problem\(s\):", line)]
    assert len(headers) == 1, f"no problem list in:\n{output}"
    count = int(lines[headers[0]].split()[2])
    problems = [line for line in lines[headers[0] + 1 :] if line.startswith("  ")]
    assert len(problems) == count, output
    assert count >= 1
    for line in problems:
        assert PROBLEM_LINE.match(line), line
        where = WHERE.match(line.strip())
        assert where is not None, f"not `Sheet!Cell: what`: {line!r}"
        assert where["place"] in places, f"{where['place']!r} is no sheet nor the file: {line!r}"
        assert " — expected " in line, f"says what is wrong but not what is expected: {line!r}"
    for line in lines:
        if line.startswith("warning: "):
            assert WHERE.match(line[len("warning: ") :]), line
    return [p.strip() for p in problems]


def assert_clean_failure(result: Result | dict[str, Any], places: set[str]) -> list[str]:
    exit_code = result["exit_code"] if isinstance(result, dict) else result.exit_code
    output = result["output"] if isinstance(result, dict) else result.output
    if isinstance(result, Result):
        assert result.exception is None or isinstance(result.exception, SystemExit), output
    else:
        assert result["escaped"] is None, result["escaped"]
    assert exit_code == INVALID, f"exit {exit_code}:\n{output}"
    assert "Traceback" not in output and "Internal error" not in output, output
    assert "MemoryError" not in output, output
    return problem_lines(output, places)


def places_of(book: Book | None, path: Path) -> set[str]:
    return SCHEMA_SHEETS | set(book or {}) | {path.name}


def check_rejected(
    path: Path,
    category: str,
    book: Book | None = None,
    expect: str | re.Pattern[str] | None = None,
    allow_valid: bool = False,
) -> list[str]:
    """Run validate then solve on `path`; assert everything the brief promises.

    `expect` is the start of one problem line that must be there (e.g. `Programmes!E4: `).
    With `allow_valid`, the damage may have left a valid workbook (exit 0): then nothing is
    solved. Returns the problems (empty when valid).
    """
    tally = TALLY[category]
    tally.cases += 1
    before = fingerprint(path)
    folder = sorted(path.parent.iterdir())
    result, seconds = invoke("validate", str(path))
    tally.max_seconds = max(tally.max_seconds, seconds)
    assert seconds < CASE_SECONDS, f"validate took {seconds:.1f} s"
    if allow_valid and result.exit_code == 0:
        tally.accepted += 1
        assert result.exception is None and "Traceback" not in result.output, result.output
        assert re.search(r"^Input: .*\(sha256 ", result.output, re.MULTILINE), result.output
        assert fingerprint(path) == before
        return []
    problems = assert_clean_failure(result, places_of(book, path))
    if isinstance(expect, re.Pattern):
        assert any(expect.match(p) for p in problems), f"nothing like {expect.pattern}: {problems}"
    elif expect is not None:
        assert any(p.startswith(expect) for p in problems), f"nothing at {expect}: {problems}"
    out = path.parent / "out.xlsx"
    solved, seconds = invoke("solve", str(path), "-o", str(out), "--time-limit", "5")
    tally.max_seconds = max(tally.max_seconds, seconds)
    assert seconds < CASE_SECONDS, f"solve took {seconds:.1f} s"
    assert assert_clean_failure(solved, places_of(book, path)) == problems
    assert not out.exists()
    assert sorted(path.parent.iterdir()) == folder, "solve left files behind"
    assert fingerprint(path) == before, "the input file was modified"
    tally.rejected += 1
    return problems


def in_tmp(run: Callable[[Path], object]) -> None:
    with tempfile.TemporaryDirectory(prefix="capopt-adv-") as folder:
        run(Path(folder))


def write_case(book: Book, folder: Path, name: str = "book.xlsx", **kwargs: Any) -> Path:
    return save_book(book, folder / name, **kwargs)


# --- the sources are valid (otherwise every "broken" case proves nothing) ----------------
@pytest.mark.parametrize("name", SOURCES)
def test_every_source_is_valid_before_it_is_broken(name: str, tmp_path: Path) -> None:
    result, _ = invoke("validate", str(write_case(source(name), tmp_path)))
    assert result.exit_code == 0, result.output


def test_sources_include_the_reference_workbook() -> None:
    assert "reference" in SOURCES and "full_book" in SOURCES


# --- deleted sheets ---------------------------------------------------------------------
def deletable_sheets() -> list[tuple[str, str, str]]:
    """(source, sheet, expected problem start): each required sheet, and Standards where
    ProgrammeStandards still names standards (its references then dangle)."""
    cases = []
    for name in SOURCES:
        book = source(name)
        cases += [(name, s.name, f"{s.name}: sheet is missing") for s in SHEETS if s.required]
        if "Standards" in book and len(book.get("ProgrammeStandards", [])) > 1:
            cases.append((name, "Standards", "ProgrammeStandards!B2: "))
    return cases


@pytest.mark.parametrize(("name", "sheet", "expect"), deletable_sheets())
def test_deleted_sheet(name: str, sheet: str, expect: str, tmp_path: Path) -> None:
    book = source(name)
    del book[sheet]
    check_rejected(write_case(book, tmp_path), "deleted sheet", book, expect)


@pytest.mark.parametrize("name", SOURCES)
def test_renamed_sheet_is_missing_and_the_stranger_ignored(name: str, tmp_path: Path) -> None:
    book = source(name)
    book = {("Programmes (2)" if t == "Programmes" else t): rows for t, rows in book.items()}
    problems = check_rejected(write_case(book, tmp_path), "deleted sheet", book, "Programmes: sheet is missing")
    assert problems


# --- deleted columns --------------------------------------------------------------------
def deletable_columns() -> list[tuple[str, str, int | str, re.Pattern[str]]]:
    """(source, sheet, column index or Settings key, the expected problem: at a cell, where the
    column or row would go)."""
    cases: list[tuple[str, str, int | str, re.Pattern[str]]] = []
    for name in SOURCES:
        book = source(name)
        for sheet, rows in book.items():
            schema = SHEET_BY_NAME.get(sheet)
            if schema is None:
                continue
            index = {normalise_name(str(h)): j for j, h in enumerate(rows[0]) if h is not None}
            for column in schema.columns:
                j = index.get(normalise_name(column.name))
                if column.required and j is not None:
                    cases.append((name, sheet, j, re.compile(f"{sheet}![A-Z]+1: no {column.name} column")))
            if sheet == "Budgets":
                j = len(rows[0]) // 2
                year = int(str(rows[0][j]).strip())
                cases.append((name, sheet, j, re.compile(f"Budgets![A-Z]+1: no column for year {year}")))
        for key in ("first_year", "last_year"):
            cases.append((name, "Settings", key, re.compile(f"Settings![A-Z]+[0-9]+: {key} is missing")))
    return cases


@example_settings(16)
@given(case=st.sampled_from(deletable_columns()))
def test_deleted_column(case: tuple[str, str, int | str, re.Pattern[str]]) -> None:
    name, sheet, column, expect = case
    book = source(name)
    if isinstance(column, str):
        book[sheet] = [r for r in book[sheet] if str(r[0]).strip() != column]
    else:
        delete_column(book, sheet, column)
    in_tmp(lambda folder: check_rejected(write_case(book, folder), "deleted column", book, expect))


# --- wrong values in typed cells --------------------------------------------------------
@st.composite
def broken_cells(
    draw: st.DrawFn, labels: frozenset[str] | None = None, kinds: frozenset[str] | None = None
) -> tuple[str, Book, Target, str, Any]:
    name = draw(st.sampled_from(SOURCES))
    book = source(name)
    targets = [
        t
        for t in typed_targets(book)
        if (kinds is None or t.column.kind in kinds)
        and any(labels is None or label in labels for label, _ in wrong_values(t.column))
    ]
    target = draw(st.sampled_from(targets))
    label, value = draw(
        st.sampled_from([(lab, v) for lab, v in wrong_values(target.column) if labels is None or lab in labels])
    )
    return name, book, target, label, value


def run_broken_cell(book: Book, target: Target, label: str, value: Any, category: str) -> None:
    raw = {}
    if isinstance(value, Raw):
        put_cell(book, target, None)
        raw = {(target.sheet, target.cell): value.literal}
    else:
        put_cell(book, target, value)
    TALLY[category].examples.append(label + (" (raw <v>)" if raw else ""))
    in_tmp(
        lambda folder: check_rejected(
            write_case(book, folder, raw_values=raw), category, book, f"{target.sheet}!{target.cell}: "
        )
    )


@example_settings(30)
@given(
    case=broken_cells(frozenset({"wrong type", "text in number", "excel error", "uncached formula", "out of range"}))
)
def test_wrong_types_and_text_in_numbers(case: tuple[str, Book, Target, str, Any]) -> None:
    _, book, target, label, value = case
    run_broken_cell(book, target, label, value, "wrong type / text")


@example_settings(20)
@given(case=broken_cells(frozenset({"negative", "huge"})))
def test_negative_and_huge_values(case: tuple[str, Book, Target, str, Any]) -> None:
    _, book, target, label, value = case
    run_broken_cell(book, target, label, value, "negative / huge")


@example_settings(16)
@given(case=broken_cells(frozenset({"nan/inf"})))
def test_nan_and_infinity(case: tuple[str, Book, Target, str, Any]) -> None:
    """Typed as text, and as raw <v> literals no spreadsheet program writes (NaN, 1e999)."""
    _, book, target, label, value = case
    run_broken_cell(book, target, label, value, "NaN / inf")


@example_settings(12)
@given(case=broken_cells(frozenset({"date for year"})), header=st.booleans())
def test_dates_where_years_belong(case: tuple[str, Book, Target, str, Any], header: bool) -> None:
    _, book, target, label, value = case
    if header:  # a Budgets year header typed into a date-formatted cell
        j = 1 + len(book["Budgets"][0][1:]) // 2
        target = Target("Budgets", 1, j, SHEET_BY_NAME["Budgets"].columns[0])
        put_cell(book, target, value)
        TALLY["dates for years"].examples.append("budget header")
        in_tmp(
            lambda folder: check_rejected(
                write_case(book, folder),
                "dates for years",
                book,
                f"Budgets!{get_column_letter(j + 1)}1: column header is the date",
            )
        )
        return
    run_broken_cell(book, target, label, value, "dates for years")


@example_settings(12)
@given(case=broken_cells(frozenset({"dangling reference"})))
def test_dangling_references(case: tuple[str, Book, Target, str, Any]) -> None:
    _, book, target, label, value = case
    run_broken_cell(book, target, label, value, "dangling reference")


@example_settings(6)
@given(name=st.sampled_from(SOURCES), where=st.sampled_from(["values header", "area weight"]))
def test_dangling_references_in_headers_and_settings(name: str, where: str) -> None:
    book = source(name)
    if where == "values header":
        # a Values column that names no area is an annotation, ignored with a warning that
        # says so (issue 16): the workbook stays valid and the column is named
        j = len(book["Values"][0]) - 1
        book["Values"][0][j] = "ZZ-NOPE"
        warning = f'warning: Values!{get_column_letter(j + 1)}1: column "ZZ-NOPE" is not a capability area'

        def accepted(folder: Path) -> None:
            result, _ = invoke("validate", str(write_case(book, folder)))
            assert result.exit_code == 0, result.output
            assert any(line.startswith(warning) for line in result.output.splitlines()), result.output

        in_tmp(accepted)
        return
    else:
        book["Settings"].append(["weight_capability:ZZ-NOPE", 1])
        expect = f"Settings!A{len(book['Settings'])}: weight_capability:ZZ-NOPE names no capability area"
    in_tmp(lambda folder: check_rejected(write_case(book, folder), "dangling reference", book, expect))


# --- blank and duplicate ids ------------------------------------------------------------
@example_settings(12)
@given(name=st.sampled_from(SOURCES), data=st.data(), blank=st.sampled_from([None, "", "   "]))
def test_blank_ids(name: str, data: st.DataObject, blank: Any) -> None:
    book = source(name)
    targets = [t for t in id_column_targets(book) if row_has_other_data(book, t)]
    target = data.draw(st.sampled_from(targets))
    put_cell(book, target, blank)
    in_tmp(lambda folder: check_rejected(write_case(book, folder), "blank id", book, f"{target.sheet}!{target.cell}: "))


@example_settings(15)
@given(name=st.sampled_from(SOURCES), data=st.data(), spelling=st.sampled_from(["same", "lower", "padded"]))
def test_duplicate_ids(name: str, data: st.DataObject, spelling: str) -> None:
    book = source(name)
    targets = id_column_targets(book) + [
        Target("Settings", i, 0, SHEET_BY_NAME["Settings"].columns[0]) for i in range(2, len(book["Settings"]) + 1)
    ]
    sheets = sorted({t.sheet for t in targets if sum(u.sheet == t.sheet and u.col == t.col for u in targets) >= 2})
    sheet = data.draw(st.sampled_from(sheets))
    column = [t for t in targets if t.sheet == sheet]
    first, later = sorted(
        data.draw(st.lists(st.sampled_from(column), min_size=2, max_size=2, unique=True)), key=lambda t: t.row
    )
    original = str(book[sheet][first.row - 1][first.col])
    copy = {"same": original, "lower": original.lower(), "padded": f"  {original} "}[spelling]
    put_cell(book, later, copy)
    in_tmp(lambda folder: check_rejected(write_case(book, folder), "duplicate id", book, f"{sheet}!{later.cell}: "))


# --- merged cells -----------------------------------------------------------------------
@example_settings(14)
@given(name=st.sampled_from(SOURCES), data=st.data())
def test_merged_cells(name: str, data: st.DataObject) -> None:
    """A merge may or may not break the book; either way it is named in a warning, and if
    it breaks it the usual promises hold."""
    book = source(name)
    sheet = data.draw(st.sampled_from([s for s in book if s in SCHEMA_SHEETS]))
    rows = book[sheet]
    top = data.draw(st.integers(1, len(rows)))
    left = data.draw(st.integers(1, max(len(r) for r in rows)))
    height, width = data.draw(st.sampled_from([(1, 2), (2, 1), (2, 2), (3, 1), (1, 3), (3, 3)]))
    ref = f"{get_column_letter(left)}{top}:{get_column_letter(left + width - 1)}{top + height - 1}"

    def run(folder: Path) -> None:
        path = write_case(book, folder, merges=[(sheet, ref)])
        check_rejected(path, "merged cells", book, allow_valid=True)
        result, _ = invoke("validate", str(path))
        assert f"warning: {sheet}!{ref}: merged cells" in result.output, result.output

    in_tmp(run)


# --- files that are not workbooks -------------------------------------------------------
def docx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(
            "[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
        )
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


@functools.cache
def good_bytes(name: str = "full_book") -> bytes:
    """The source as a file, once per session (openpyxl stamps the time into every save,
    and hypothesis needs the same bytes each time it replays a case)."""
    with tempfile.TemporaryDirectory() as folder:
        return save_book(source(name), Path(folder) / "g.xlsx").read_bytes()


NOT_WORKBOOKS: dict[str, Callable[[bytes], bytes]] = {
    "text": lambda noise: noise.decode("latin-1").encode("utf-8"),
    "csv": lambda _: b"nation,2027,2028\nAAA,100,100\n",
    "pdf": lambda noise: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n" + noise,
    "png": lambda noise: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + noise,
    "html": lambda _: b"<!DOCTYPE html><html><body><table><tr><td>P01</td></tr></table></body></html>",
    "xml 2003": lambda _: b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"/>',
    "json": lambda _: json.dumps({"Nations": [["AAA"]]}).encode(),
    "gzip": lambda _: gzip.compress(good_bytes()),
    "bzip2": lambda _: bz2.compress(good_bytes()),
    "tar": lambda _: _tar_of(good_bytes()),
    "docx": lambda _: docx_bytes(),
    "empty zip": lambda _: b"PK\x05\x06" + b"\x00" * 18,
    "zip of text": lambda noise: _zip_of({"readme.txt": noise}),
    "ods": lambda _: _zip_of({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}),
    "random": lambda noise: noise,
    "empty": lambda _: b"",
    "utf-16 text": lambda _: "nation\tbudget\nAAA\t100\n".encode("utf-16"),
}


def _zip_of(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in parts.items():
            z.writestr(name, content)
    return out.getvalue()


def _tar_of(content: bytes) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        info = tarfile.TarInfo("book.xlsx")
        info.size = len(content)
        tar.addfile(info, io.BytesIO(content))
    return out.getvalue()


def check_file_rejected(content: bytes, category: str, expect: str | None = None) -> list[str]:
    """A whole-file problem: exactly one line, naming the file."""
    found: list[str] = []

    def run(folder: Path) -> None:
        path = folder / "book.xlsx"
        path.write_bytes(content)
        problems = check_rejected(path, category, None)
        found.extend(problems)

    in_tmp(run)
    assert len(found) == 1 and found[0].startswith("book.xlsx: "), found
    if expect is not None:
        assert expect in found[0], found
    return found


@pytest.mark.parametrize("kind", sorted(NOT_WORKBOOKS))
@example_settings(2)
@given(noise=st.binary(min_size=1, max_size=3000))
def test_files_that_are_not_workbooks(kind: str, noise: bytes) -> None:
    TALLY["not a workbook"].examples.append(kind)
    check_file_rejected(NOT_WORKBOOKS[kind](noise), "not a workbook")


# --- corrupt zips -----------------------------------------------------------------------
@example_settings(40)
@given(name=st.sampled_from(SOURCES), damage=st.sampled_from(["truncate", "flip", "zero", "tail"]), data=st.data())
def test_corrupt_zips(name: str, damage: str, data: st.DataObject) -> None:
    """Truncation always breaks a zip; flipped or zeroed bytes usually do (a flip in a
    timestamp does not, and the book may then validate)."""
    raw = bytearray(good_bytes(name))
    if damage == "truncate":
        raw = raw[: data.draw(st.integers(1, len(raw) - 1))]
    elif damage == "flip":
        for _ in range(data.draw(st.integers(1, 4))):
            i = data.draw(st.integers(0, len(raw) - 1))
            raw[i] ^= 1 << data.draw(st.integers(0, 7))
    elif damage == "zero":
        start = data.draw(st.integers(0, len(raw) - 2))
        end = data.draw(st.integers(start + 1, min(len(raw), start + 512)))
        raw[start:end] = bytes(end - start)
    else:
        cut = data.draw(st.integers(len(raw) // 2, len(raw) - 1))
        raw = raw[:cut] + data.draw(st.binary(min_size=1, max_size=200))
    TALLY["corrupt zip"].examples.append(damage)

    def run(folder: Path) -> None:
        path = folder / "book.xlsx"
        path.write_bytes(bytes(raw))
        problems = check_rejected(path, "corrupt zip", source(name), allow_valid=damage != "truncate")
        if damage == "truncate":
            assert len(problems) == 1, problems
            assert problems[0].startswith(("book.xlsx: is a damaged", "book.xlsx: is not an Excel")), problems

    in_tmp(run)


# --- password-protected files -----------------------------------------------------------
def ole2_header(noise: bytes) -> bytes:
    """An OLE2 compound file header (what Excel writes for a password-protected workbook:
    the encrypted package lives in a CFB container), with `noise` as sector data."""
    header = (
        OLE2_MAGIC
        + bytes(16)
        + b"\x3e\x00\x03\x00\xfe\xff\x09\x00\x06\x00"
        + bytes(10)
        + b"\x01\x00\x00\x00"
        + b"\x00\x00\x00\x00"
        + bytes(4)
        + b"\x00\x10\x00\x00"
        + b"\xfe\xff\xff\xff"
        + bytes(4)
        + b"\xfe\xff\xff\xff"
        + bytes(4)
    )
    header += b"\xff" * (512 - len(header))
    return header + noise


@example_settings(12)
@given(noise=st.binary(max_size=4096), full_header=st.booleans())
def test_password_protected_files(noise: bytes, full_header: bool) -> None:
    content = ole2_header(noise) if full_header else OLE2_MAGIC + noise
    check_file_rejected(content, "password-protected", "is password-protected")


# --- hostile files: bombs and a million rows, in a memory-limited child -------------------
@dataclass(frozen=True)
class Hostile:
    """A file built to exhaust time or memory, and what the answer must say."""

    name: str
    build: Callable[[Path], Path]
    expect: str  # a fragment of the single problem line
    valid: bool = False  # a workbook that is fine despite its size


def _base(path: Path) -> bytes:
    return save_book(source("full_book"), path).read_bytes()


def _bomb_in(part: str, encoding: str = "utf-8") -> Callable[[Path], Path]:
    def build(path: Path) -> Path:
        data = _base(path)
        if part == "xl/sharedStrings.xml":
            bomb = billion_laughs(shared_strings("&lol;"), encoding)
            path.write_bytes(with_shared_strings(data, bomb))
            return path
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            original = z.read(part).decode()
        body = re.sub(r"^<\?xml[^>]*\?>\s*", "", original)
        body = re.sub(r"(<[^?!][^>]*?)(/?)>", lambda m: m.group(1) + ' x="&lol;"' + m.group(2) + ">", body, count=1)
        path.write_bytes(rewrite_parts(data, {part: billion_laughs(body.encode(), encoding)}))
        return path

    return build


def _xxe(path: Path) -> Path:
    part = (
        '<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        + shared_strings("&xxe;").decode()
    )
    path.write_bytes(with_shared_strings(_base(path), part.encode()))
    return path


def _external_dtd(path: Path) -> Path:
    part = '<?xml version="1.0"?><!DOCTYPE sst SYSTEM "http://example.invalid/evil.dtd">' + shared_strings("x").decode()
    path.write_bytes(with_shared_strings(_base(path), part.encode()))
    return path


def _quadratic(path: Path) -> Path:
    entity = "a" * 50_000
    part = f'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "{entity}">]>' + shared_strings("&a;" * 50_000).decode()
    path.write_bytes(with_shared_strings(_base(path), part.encode()))
    return path


def _dtd_across_chunks(path: Path) -> Path:
    """The DOCTYPE straddles the 1 MiB boundary where the pre-scan reads in chunks."""
    rng = random.Random(2)  # varied comments: the part must not trip the expansion limit
    lead = b'<?xml version="1.0"?>'
    pad = b"".join(b"<!-- %032x -->" % rng.getrandbits(128) for _ in range((1 << 20) // 40 + 1))
    pad = pad[: (1 << 20) - len(lead) - 4]
    pad = pad[: pad.rindex(b"-->") + 3]
    pad += b" " * ((1 << 20) - len(lead) - 4 - len(pad))
    part = lead + pad + b'<!DOCTYPE sst [<!ENTITY a "aaaa">]>' + shared_strings("&a;")
    path.write_bytes(with_shared_strings(_base(path), part))
    return path


def _declared_huge(path: Path) -> Path:
    members = deflated_members(_base(path))
    name, payload, crc, size, _ = members[3]
    members[3] = (name, payload, crc, size, 3 * 2**30)  # claims 3 GB
    return raw_zip(path, members)


def _lying_small(path: Path) -> Path:
    """A part that claims 100 bytes but inflates to 512 MB: reading must stop at 100."""
    part = sheet_part(source("full_book"), "Programmes")
    members = replace_member(
        _base(path), part, [(b"<worksheet>", 1), (b"<!-- -->" * 1024, 64 * 1024), (b"</worksheet>", 1)]
    )
    name, payload, crc, _size, _ = members[-1]
    members[-1] = (name, payload, crc, 100, 100)
    return raw_zip(path, members)


def _sheet_pieces(
    title: str, unit: bytes, times: int, opening: bytes = b"", closing: bytes = b""
) -> Callable[[Path], Path]:
    """A sheet whose data ends in opening + unit*times + closing (tiny once deflated)."""

    def build(path: Path) -> Path:
        data = _base(path)
        part = sheet_part(source("full_book"), title)
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            head, tail = split_sheet(z.read(part))
        return raw_zip(path, replace_member(data, part, [(head + opening, 1), (unit, times), (closing + tail, 1)]))

    return build


def _huge_cell(megabytes: int, unit: bytes) -> Callable[[Path], Path]:
    """One cell of `megabytes` MB of text: a reader that builds the string first needs
    three times that in memory."""

    def build(path: Path) -> Path:
        data = _base(path)
        part = sheet_part(source("full_book"), "Programmes")
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            head, tail = split_sheet(z.read(part))
        return raw_zip(
            path,
            replace_member(
                data,
                part,
                [
                    (head + b'<row r="9"><c r="A9" t="inlineStr"><is><t>', 1),
                    (unit, megabytes),
                    (b"</t></is></c></row>" + tail, 1),
                ],
            ),
        )

    return build


def _text(seed: int = 1) -> bytes:
    """1 MiB of letters that deflates only ~30-fold (a random one every 50 bytes), so a
    cell of it passes the expansion limit and must be caught as text."""
    rng = random.Random(seed)
    unit = bytearray(b"a" * (1 << 20))
    for i in range(0, len(unit), 50):
        unit[i] = rng.randrange(ord("a"), ord("z") + 1)
    return bytes(unit)


@functools.cache
def million_rows(numbered: bool) -> tuple[bytes, bytes]:
    """Rows 2 to 1,000,001 of plausible data (a programme id and a value), as XML and
    deflated once for all the cases that use them."""
    if numbered:
        xml = b"".join(
            b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>P%d</t></is></c><c r="B%d">'
            b"<v>%d</v></c></row>" % (r, r, r, r, r % 10)
            for r in range(2, 1_000_002)
        )
    else:
        xml = b"".join(
            b'<row><c t="inlineStr"><is><t>P%d</t></is></c><c><v>%d</v></c></row>' % (r, r % 10)
            for r in range(2, 1_000_002)
        )
    return xml, deflate_piece(xml, level=1)


def _million_rows(dimension: bool, numbered: bool, title: str = "Values") -> Callable[[Path], Path]:
    """A workbook whose `title` sheet holds 1,000,000 data rows."""

    def build(path: Path) -> Path:
        book = source("full_book")
        if title not in book:
            book[title] = [["programme", "AIR", "CYB"]]
        data = save_book(book, path).read_bytes()
        head = sheet_head(book, title, "A1:C1000001" if dimension else None)
        return raw_zip(
            path,
            replace_member(data, sheet_part(book, title), [(head, 1), (SHEET_TAIL, 1)], big=million_rows(numbered)),
        )

    return build


HOSTILE = [
    Hostile("billion laughs in sharedStrings", _bomb_in("xl/sharedStrings.xml"), "declares XML entities"),
    Hostile("billion laughs in a sheet", _bomb_in("xl/worksheets/sheet4.xml"), "declares XML entities"),
    Hostile("billion laughs in workbook.xml", _bomb_in("xl/workbook.xml"), "declares XML entities"),
    Hostile("billion laughs in [Content_Types]", _bomb_in("[Content_Types].xml"), "declares XML entities"),
    Hostile("billion laughs in workbook rels", _bomb_in("xl/_rels/workbook.xml.rels"), "declares XML entities"),
    Hostile("billion laughs, UTF-16-LE", _bomb_in("xl/sharedStrings.xml", "utf-16-le"), "declares XML entities"),
    Hostile("billion laughs, UTF-16-BE", _bomb_in("xl/sharedStrings.xml", "utf-16-be"), "declares XML entities"),
    Hostile("external entity (XXE)", _xxe, "declares XML entities"),
    Hostile("external DTD over the network", _external_dtd, "declares XML entities"),
    Hostile("quadratic blowup", _quadratic, "declares XML entities"),
    Hostile("DOCTYPE across the scan's chunks", _dtd_across_chunks, "declares XML entities"),
    Hostile("zip bomb: declared 3 GB", _declared_huge, "expands to"),
    Hostile("zip bomb: size header lies", _lying_small, "damaged"),
    Hostile("zip bomb: 700 MB cell, 1000-fold", _huge_cell(700, b"a" * (1 << 20)), "expands 1,0"),
    Hostile("300 MB cell, 30-fold", _huge_cell(300, _text()), "holds over 1 MB of text without markup"),
    Hostile(
        "2M empty rows",
        _sheet_pieces("Programmes", b"".join(b'<row r="%d"/>' % r for r in range(7, 7 + 1024)), 2048),
        "Programmes: sheet holds over 100,000 rows",
    ),
    Hostile("zip bomb: 1 GB of XML comments", _sheet_pieces("Programmes", b"<!-- x -->" * 1024, 100_000), "-fold"),
    Hostile(
        "2M empty cells in one row",
        _sheet_pieces(
            "Programmes",
            b"".join(b'<c r="%s7"/>' % get_column_letter(j + 1).encode() for j in range(1024)),
            2048,
            b'<row r="7">',
            b"</row>",
        ),
        "Programmes: sheet has rows of over 1,000 cells",
    ),
    Hostile(
        "1M rows, dimension given", _million_rows(dimension=True, numbered=True), "Values: sheet uses 1,000,001 rows"
    ),
    Hostile(
        "1M rows, no dimension", _million_rows(dimension=False, numbered=True), "Values: sheet holds over 100,000 rows"
    ),
    Hostile(
        "1M rows, no row numbers",
        _million_rows(dimension=False, numbered=False),
        "Values: sheet holds over 100,000 rows",
    ),
    Hostile(
        "1M rows, scratch sheet, no dimension",
        _million_rows(dimension=False, numbered=True, title="Scratch"),
        "Scratch: sheet holds over 100,000 rows",
    ),
    Hostile(
        "1M rows, scratch sheet, dimension given",
        _million_rows(dimension=True, numbered=True, title="Scratch"),
        "",
        valid=True,
    ),
]


@pytest.fixture(scope="module")
def hostile_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Build every hostile file, then validate and solve each in one child process under
    RLIMIT_AS; return per case its runs, files and fingerprints before and after."""
    folder = tmp_path_factory.mktemp("hostile")
    cases: dict[str, dict[str, Any]] = {}
    jobs: list[list[str]] = []
    for i, case in enumerate(HOSTILE):
        case_dir = folder / f"case{i:02d}"
        case_dir.mkdir()
        path = case.build(case_dir / "book.xlsx")
        cases[case.name] = {"path": path, "before": fingerprint(path), "jobs": [len(jobs)]}
        jobs.append(["validate", str(path)])
        if not case.valid:
            cases[case.name]["jobs"].append(len(jobs))
            jobs.append(["solve", str(path), "-o", str(case_dir / "out.xlsx"), "--time-limit", "5"])
    (folder / "jobs.json").write_text(json.dumps(jobs))
    results_file = folder / "results.json"
    child = Path(__file__).parent / "adversarial" / "limited.py"
    try:
        completed = subprocess.run(
            [sys.executable, str(child), str(MEMORY_LIMIT), str(folder / "jobs.json"), str(results_file)],
            capture_output=True,
            text=True,
            timeout=180,
            cwd=Path(__file__).parents[2],
            check=False,
        )
        outcome: tuple[int | None, str] = (completed.returncode, completed.stderr[-2000:])
    except subprocess.TimeoutExpired:  # the results file says which job never finished
        outcome = (None, "timed out after 180 s")
    results = json.loads(results_file.read_text()) if results_file.exists() else []
    for entry in cases.values():
        entry["runs"] = [results[j] if j < len(results) else None for j in entry["jobs"]]
        entry["after"] = fingerprint(entry["path"])
        entry["files"] = sorted(p.name for p in entry["path"].parent.iterdir())
        entry["child"] = outcome
    return cases


@pytest.mark.parametrize("case", HOSTILE, ids=[c.name for c in HOSTILE])
def test_hostile_files(case: Hostile, hostile_runs: dict[str, dict[str, Any]]) -> None:
    run = hostile_runs[case.name]
    tally = TALLY["1M-row sheet" if "1M rows" in case.name else "bombs and huge parts"]
    tally.cases += 1
    assert all(r is not None for r in run["runs"]), f"the child died or hung here: {run['child']}"
    for r in run["runs"]:
        tally.max_seconds = max(tally.max_seconds, r["seconds"])
        tally.max_rss_kb = max(tally.max_rss_kb, r["peak_rss_kb"])
        assert r["seconds"] < CASE_SECONDS, f"{r['argv'][0]} took {r['seconds']:.1f} s"
        assert r["peak_rss_kb"] < PEAK_RSS_LIMIT_KB, f"{r['argv'][0]}: peak RSS {r['peak_rss_kb'] // 1024} MB"
    assert run["after"] == run["before"], "the input file was modified"
    assert run["files"] == ["book.xlsx"], run["files"]
    if case.valid:
        (validated,) = run["runs"]
        assert validated["exit_code"] == 0 and validated["escaped"] is None, validated["output"]
        assert "warning: Scratch: sheet is not an input sheet and is ignored" in validated["output"]
        tally.accepted += 1
        return
    places = SCHEMA_SHEETS | {"book.xlsx", "Scratch"}
    validated, solved = run["runs"]
    problems = assert_clean_failure(validated, places)
    assert assert_clean_failure(solved, places) == problems
    assert len(problems) == 1 and case.expect in problems[0], problems
    tally.rejected += 1


def test_million_rows_through_the_real_command(tmp_path: Path) -> None:
    """`python -m cli validate` itself, as a planner would run it: real exit status and
    stderr, peak memory from the kernel's accounting of that very process."""
    path = _million_rows(dimension=False, numbered=True)(tmp_path / "million.xlsx")
    before = fingerprint(path)

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    with open(tmp_path / "out.txt", "w") as out, open(tmp_path / "err.txt", "w") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "cli", "validate", str(path)],
            stdout=out,
            stderr=err,
            preexec_fn=limit,  # noqa: PLW1509 — no threads yet
            cwd=Path(__file__).parents[2],
        )
        watchdog = threading.Timer(120, proc.kill)
        watchdog.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            watchdog.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
    stderr = (tmp_path / "err.txt").read_text()
    tally = TALLY["1M-row sheet"]
    tally.cases += 1
    tally.max_seconds = max(tally.max_seconds, seconds)
    tally.max_rss_kb = max(tally.max_rss_kb, usage.ru_maxrss)
    assert proc.returncode == INVALID, stderr
    assert "Traceback" not in stderr
    assert re.search(r"^  Values: sheet .*1,000,00\d|^  Values: sheet .*100,00\d", stderr, re.MULTILINE), stderr
    assert seconds < CASE_SECONDS + 5, f"{seconds:.1f} s (with interpreter start-up)"
    assert usage.ru_maxrss < PEAK_RSS_LIMIT_KB
    assert fingerprint(path) == before
    tally.rejected += 1
