"""The bundled reference dataset: 31 NATO Allies, 4 partners, an EDT programme portfolio.

The workbook is built by `python -m data.reference.build_reference` from the public
figures copied into `sources/` (see README.md there for what is fact and what is
assumption) and shipped as package data, so `reference_path()` must work from an
installed wheel as well as from a source checkout.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

REFERENCE_FILE = "reference.xlsx"

__all__ = ["REFERENCE_FILE", "reference_path"]


def reference_path() -> Path:
    """Path of the shipped reference input workbook (`data/reference/reference.xlsx`).

    importlib.resources finds the file wherever the package was installed; a regular
    (non-zipped) install gives a real filesystem path, which openpyxl needs. The
    `__file__` fallback covers resource readers that do not return a `Path`.
    """
    resource = resources.files(__name__).joinpath(REFERENCE_FILE)
    if isinstance(resource, Path):
        return resource
    return Path(__file__).with_name(REFERENCE_FILE)
