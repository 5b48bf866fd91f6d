"""The repository carries the contract it is held to (docs/contract/): the files exist, and
where the project's own copies sit beside the repository (../shared) they are identical."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.mark.parametrize("name", ["MODEL.md", "WORKBOOK.md"])
def test_the_contract_ships_with_the_repository(name: str) -> None:
    copy = ROOT / "docs" / "contract" / name
    assert copy.read_text(encoding="utf-8").startswith("# ")
    original = SHARED / name
    if original.exists():  # a clean checkout has only the copy: nothing to compare it with
        assert copy.read_bytes() == original.read_bytes(), f"docs/contract/{name} differs from ../shared/{name}"
