"""Shared writing helpers: atomic saves keep sensible file permissions, and never overwrite the input."""

import os
import stat
from pathlib import Path
from typing import Self

import openpyxl
import pandas as pd
import pytest

from data.report import write_plan_workbook, write_tables_workbook
from data.tables import Source
from data.xlsx_io import new_workbook, save_atomically, set_value
from tests.data.fixtures.books import full_book, inputs_of, write_book


def test_new_output_is_readable_like_any_new_file(tmp_path):
    wb = new_workbook()
    wb.create_sheet("A")
    path = save_atomically(wb, tmp_path / "out.xlsx")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


def test_replacing_a_file_keeps_its_mode(tmp_path):
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"old")
    target.chmod(0o640)
    wb = new_workbook()
    wb.create_sheet("A")
    save_atomically(wb, target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_saved_floats_read_back_bit_for_bit(tmp_path):
    """openpyxl's 16 significant digits turned 0.1 + 0.2 into 0.3 in every output workbook."""
    from openpyxl import Workbook, load_workbook

    from data.xlsx_io import save_atomically

    wb = Workbook()
    values = [0.1 + 0.2, 1.7999999999999998, 40352.399999999994, 1 / 3, 2.5]
    wb.active.append(values)
    path = save_atomically(wb, tmp_path / "out.xlsx")
    assert [c.value for c in next(load_workbook(path).active.iter_rows())] == values


class _FullDisk:
    """A file handle on a full disk: every write fails as ENOSPC."""

    def __init__(self, fd: int, mode: str) -> None:
        import os

        os.close(fd)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def write(self, data: bytes) -> int:
        import errno

        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_disk_leaves_the_old_file_and_no_traceback(tmp_path, monkeypatch, capfd):
    """openpyxl's zip file, left open by a full disk, printed "Exception ignored in:
    ZipFile.__del__" tracebacks; a PNG drawn straight into the folder replaced the old one
    with its first 4,096 bytes and left a 0-byte fallback behind."""
    import gc

    import pytest
    from openpyxl import Workbook

    from data import xlsx_io

    old_book, old_png = tmp_path / "plan.xlsx", tmp_path / "front.png"
    old_book.write_bytes(b"old book")
    old_png.write_bytes(b"old png")
    monkeypatch.setattr(xlsx_io.os, "fdopen", _FullDisk)
    wb = Workbook()
    wb.active.append([1.5, "text"])
    with pytest.raises(OSError, match="No space"):
        xlsx_io.save_atomically(wb, old_book)
    with pytest.raises(OSError, match="No space"):
        xlsx_io.write_bytes_atomically(b"\x89PNG new", old_png)
    gc.collect()
    assert old_book.read_bytes() == b"old book" and old_png.read_bytes() == b"old png"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["front.png", "plan.xlsx"]
    assert "Traceback" not in capfd.readouterr().err


def test_a_read_only_file_is_not_replaced(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`chmod 444 keep.xlsx` did not keep it: the rename needs only a writable folder. The
    CLI then writes a timestamped copy beside it (README, exit codes)."""
    import pytest

    from data.xlsx_io import write_bytes_atomically

    keep = tmp_path / "keep.xlsx"
    keep.write_bytes(b"the planner's own")
    os.chmod(keep, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    try:
        with pytest.raises(PermissionError, match="read-only"):
            write_bytes_atomically(b"new", keep)
        assert keep.read_bytes() == b"the planner's own" and sorted(p.name for p in tmp_path.iterdir()) == ["keep.xlsx"]
    finally:
        os.chmod(keep, stat.S_IRUSR | stat.S_IWUSR)
    assert write_bytes_atomically(b"new", keep).read_bytes() == b"new"


@pytest.mark.parametrize(
    "value, shown_format",
    [
        (0.0083, "#,##0.0##"),
        (-0.02, "#,##0.0##"),
        (0.05, "#,##0.0##"),
        (9.25, "#,##0.0##"),
        (12.25, "#,##0.0"),
        (0.0, "#,##0.0"),
        (1e-9, "#,##0.0"),
    ],
)
def test_a_small_amount_is_not_shown_as_zero(value: float, shown_format: str) -> None:
    """A payment of 0.0083 (million) read "0.0" in a one-decimal money column, as if nothing
    were paid, and a workbook in EUR billion (every amount below 1, as allowed) showed its
    budgets as 0.0 and 0.1: amounts below 10 get up to three decimals. Round-off crumbs
    (below 0.0005) stay "0.0"."""
    cell = openpyxl.Workbook().active.cell(1, 1)
    set_value(cell, value, "#,##0.0")
    assert cell.number_format == shown_format


@pytest.mark.parametrize(
    "value, text",
    [
        (0.05, "0.05"),
        (0.0125, "0.013"),
        (9.5, "9.5"),
        (2.0, "2.0"),
        (12.25, "12.2"),
        (1234.56, "1,234.6"),
        (0.0, "0.0"),
        (-0.0, "0.0"),
        (1e-9, "0.0"),
        (-0.004, "-0.004"),
    ],
)
def test_an_amount_in_words_is_shown_as_its_cell(value: float, text: str) -> None:
    """The Dashboard's "lapses 0.0 of its 0.0 horizon budget" beside cells of 0.025 and 0.05."""
    from data.xlsx_io import amount_text

    assert amount_text(value) == text


def test_a_long_but_valid_name_is_written_under_that_name(tmp_path) -> None:
    """A 250-character name (the system allows 255) failed: the temporary file beside it
    added the random part and ".tmp" to the whole name, and the plan went to a fallback copy."""
    from data.xlsx_io import write_bytes_atomically

    for target in (tmp_path / ("p" * 245 + ".xlsx"), tmp_path / ("漢" * 83 + ".xlsx")):  # 250 and 254 bytes
        assert write_bytes_atomically(b"plan", target) == target
        assert target.read_bytes() == b"plan" and target.name in os.listdir(tmp_path)
    assert len(os.listdir(tmp_path)) == 2  # no temporary file left


# --- never over the input -----------------------------------------------------------------
def _summary(input_file: str) -> list[tuple[str, object]]:
    return [("status", "optimal"), ("objective", "lexicographic"), ("input_file", input_file)]


def _assert_untouched(path: Path, before: bytes) -> None:
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_a_plan_is_never_written_over_the_input_it_names(tmp_path: Path) -> None:
    """`result.to_excel(<the input path>)` from Python replaced the planner's workbook with
    the plan: only the command line refused it. The writer now refuses it itself."""
    book = write_book(full_book(), tmp_path / "in.xlsx")
    before = book.read_bytes()
    with pytest.raises(ValueError, match="would overwrite the input workbook"):
        write_plan_workbook(book, _summary(str(book)), {}, [2027])
    _assert_untouched(book, before)


def test_a_link_to_the_input_is_the_input(tmp_path: Path) -> None:
    book = write_book(full_book(), tmp_path / "in.xlsx")
    before = book.read_bytes()
    (tmp_path / "link.xlsx").symlink_to(book)
    inputs = inputs_of(full_book())
    inputs = inputs.with_changes(source=Source(str(book), "0" * 64))
    with pytest.raises(ValueError, match="would overwrite the input workbook"):
        write_plan_workbook(tmp_path / "link.xlsx", _summary(""), {}, [2027], inputs=inputs)
    _assert_untouched(book, before)


def test_a_study_is_never_written_over_a_workbook_it_read(tmp_path: Path) -> None:
    """Sweeps, fronts and the other study workbooks name what they read in Summary too
    (`input_file`; a stress test's `plan_file:<label>`)."""
    plan = tmp_path / "plan.xlsx"
    plan.write_bytes(b"a plan")
    with pytest.raises(ValueError, match="would overwrite the input workbook"):
        write_tables_workbook(
            plan, {"T": pd.DataFrame({"a": [1]})}, [("status", "optimal"), ("plan_file:b", str(plan))]
        )
    _assert_untouched(plan, b"a plan")


def test_another_file_is_written_as_before(tmp_path: Path) -> None:
    book = write_book(full_book(), tmp_path / "in.xlsx")
    out = write_plan_workbook(tmp_path / "out.xlsx", _summary(str(book)), {}, [2027])
    assert out.exists() and out != book
