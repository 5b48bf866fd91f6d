"""Input problems located at a cell, and the one error that carries all of them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a warning) in the input, pointing at a cell.

    Rendered as `Sheet!Cell: what — expected` (WORKBOOK.md).
    `cell` may be a cell (`F12`), a column (`F`), a row (`12`) or empty for a whole sheet.
    """

    sheet: str
    cell: str
    what: str
    expected: str = ""

    def __str__(self) -> str:
        where = f"{self.sheet}!{self.cell}" if self.cell else self.sheet
        return f"{where}: {self.what}" + (f" — {self.expected}" if self.expected else "")


class InputError(Exception):
    """The input cannot be used. Carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem] | Problem | str, warnings: list[Problem] | None = None):
        if isinstance(problems, str):
            problems = [Problem("", "", problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        self.warnings: list[Problem] = list(warnings or [])
        super().__init__("\n".join(str(p) for p in self.problems))
