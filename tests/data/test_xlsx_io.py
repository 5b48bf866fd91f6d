"""Shared writing helpers: atomic saves keep sensible file permissions."""

import os
import stat

from data.xlsx_io import new_workbook, save_atomically


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
