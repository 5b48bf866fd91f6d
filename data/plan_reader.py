"""Read a plan workbook written by capopt back into `PlanDecisions`: `read_plan(path)`.

A plan workbook is untrusted like any input: it goes through the same safe reader, and
every problem is reported at once as `Sheet!Cell: what — expected`. Only the sheets that
carry decisions are read (WORKBOOK.md "Output workbook"): Plan (who starts what, when),
Contributions (joint payments) and Standards (adoptions), plus the Summary's key/value
rows, which say which input workbook the plan was made from. Derived sheets (Spend,
Capability, Gantt) are ignored: they follow from the decisions.

Two readings. `read_plan` is strict: a stress test or a check judges the plan against the
workbook it was made from, so an id that workbook lacks is an error. `read_previous_plan`
reads last year's plan for a re-plan, whose new workbook has normally changed: ids it no
longer has and another input SHA-256 are warnings, and the ids are kept so that the re-plan
drops their fundings and lists each drop as a change (docs/robust.md §14).
"""

from __future__ import annotations

import difflib
import functools
import itertools
import logging
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from openpyxl.utils import get_column_letter

from data.errors import InputError, Problem
from data.reader import read_sheets_hashed
from data.schema import normalise_name
from data.tables import INPUT_CHANGES_PREFIX, Inputs, JointDecision, PlanDecisions
from data.validate import RawSheet, as_number, is_blank, number_hint, show

log = logging.getLogger(__name__)

_SHA256 = re.compile(r"[0-9a-fA-F]{64}")
PLAN_SHEETS = ("Summary", "Plan", "Contributions", "Standards", "Pareto")  # Pareto: fronts only
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "Plan": ("nation", "programme", "sharing", "start_year"),
    "Contributions": ("programme", "nation", "year", "payment"),
    "Standards": ("nation", "standard", "adoption_year"),
}


@dataclass(frozen=True)
class PlanBook:
    """A plan workbook as read, before its ids are checked against an input workbook."""

    path: str
    summary: Mapping[str, object]
    sheets: Mapping[str, RawSheet]  # by canonical name, only the sheets present
    summary_cells: Mapping[str, str] = field(default_factory=dict)  # Summary key -> cell of its value
    # of the file's bytes as read (reader.file_sha256): a stress or re-plan workbook names the
    # plan file by path, and a path alone does not tell which version of the plan was used
    sha256: str = ""

    @property
    def input_file(self) -> str | None:
        """The input workbook the plan was made from (Summary `input_file`), if recorded."""
        value = self.summary.get("input_file")
        return str(value).strip() if isinstance(value, str) and value.strip() else None

    @property
    def front_points(self) -> list[int] | None:
        """A front workbook's points, from its Pareto sheet (None for a plain plan). A point
        that funds nothing has no Plan rows, so the Plan sheet alone loses it: the "do
        nothing" end of a front could not be chosen with --point."""
        rows = self._pareto_rows
        return None if rows is None else sorted({p for p in (_whole(r["point"]) for r in rows) if p is not None})

    @property
    def is_front(self) -> bool:
        """A Pareto front workbook: a Pareto sheet, or Plan rows numbered by a point column (a
        front whose Pareto sheet was deleted asked for --point, then refused it as "a plan")."""
        if self.front_points is not None:
            return True
        raw = self.sheets.get("Plan")
        if raw is None or not raw.rows:
            return False
        return "point" in {normalise_name(str(v)) for v in raw.rows[0][1] if not is_blank(v)}

    def front_point_row(self, point: int) -> dict[str, object] | None:
        """The Pareto sheet's row of `point`, by column name (None for a plain plan or a point
        the front lacks): a front's Summary speaks for the whole front, and a comparison of
        one point showed another point's gap and bound as its own."""
        return next((r for r in self._pareto_rows or [] if _whole(r["point"]) == point), None)

    @functools.cached_property
    def _pareto_rows(self) -> list[dict[str, object]] | None:
        """The Pareto sheet's rows by column name, each with a `point` (None: no such sheet,
        or one without a point column)."""
        raw = self.sheets.get("Pareto")
        if raw is None or not raw.rows:
            return None
        header = [normalise_name(str(v)) if not is_blank(v) else "" for v in raw.rows[0][1]]
        if "point" not in header:
            return None
        j = header.index("point")
        return [
            {name: value for name, value in zip(header, values) if name}
            for _, values in raw.rows[1:]
            if j < len(values)
        ]

    @property
    def input_sha256(self) -> str | None:
        """The SHA-256 of the input workbook the plan was made from (Summary `input_sha256`),
        lower-case; None unless it is 64 hex digits (`_Decoder` reports a blank or bad one:
        each once silently skipped the "made from another workbook" check)."""
        value = self.summary.get("input_sha256")
        if not isinstance(value, str) or not _SHA256.fullmatch(value.strip()):
            return None
        return value.strip().lower()

    def changed_inputs_note(self, against: str) -> str | None:
        """The plan's Summary `input_changes` (its inputs were what-ifs of its input file: a
        budget cut made in Python, `--robust`), as a warning that it is judged against
        `against` as that file is: a plan of budgets ×0.6 was stressed against the full
        budgets, and a robust plan re-planned as a nominal one, without a word."""
        changes = self.summary.get("input_changes")
        if not changes:
            return None
        text = str(changes).removeprefix(INPUT_CHANGES_PREFIX)
        return (
            f"{Path(self.path).name} was made from {self.input_file or 'its input workbook'} changed "
            f"after reading ({text}); it is judged against {Path(against).name} as that file is"
        )

    def decisions(self, inputs: Inputs, point: int | None = None) -> PlanDecisions:
        """The plan's decisions, every id checked against `inputs`; InputError lists all problems.

        A Pareto front workbook (a `point` column) holds one plan per point: `point` picks one.
        """
        return _Decoder(self, inputs, point).decode()

    def previous_decisions(self, inputs: Inputs, point: int | None = None) -> tuple[PlanDecisions, list[Problem]]:
        """The plan read as a re-plan's previous plan: (decisions, warnings).

        Ids `inputs` no longer defines are warnings, and the decisions keep them, so that the
        re-plan drops those fundings and counts each drop as a change; another input SHA-256
        is a warning too. Every other problem is still an error. A plan none of whose
        decisions `inputs` knows is an error as in `decisions`: it was made from another
        workbook, and re-planning it would only drop everything.
        """
        decoder = _Decoder(self, inputs, point, lenient=True)
        decisions = decoder.decode()
        return decisions, decoder.warnings


# The sheet that tells each study's workbook apart, and what wrote it: such a workbook holds
# many plans (or none), and "Plan: sheet is missing" did not say what the file was instead
STUDY_SHEETS = {
    "Sweep": "a budget sweep (capopt sweep)",
    "Robustness": "a price of robustness (capopt robustness)",
    "LeverWorth": "a flexibility study (capopt flexibility)",
    "Objectives": "a comparison (capopt compare)",
}
# how to get one plan out of each: solve the scenario alone (a comparison holds none of its own)
STUDY_PLAN_HINT = {
    "Sweep": "solve that budget alone (capopt solve on the workbook with its budgets scaled)",
    "Robustness": "solve that Γ alone (e.g. capopt solve --robust 2)",
    "LeverWorth": "solve that lever alone (capopt solve on the workbook with the lever set)",
    "Objectives": "compare the two plan files it names in its Summary",
}
PLAN_EXPECTED = "expected a plan workbook written by capopt (capopt solve or replan; a Pareto front's with --point)"


def load_plan_book(path: str | os.PathLike[str]) -> PlanBook:
    """Read a plan workbook's Summary, Plan, Contributions and Standards sheets (safely)."""
    path = Path(path)
    raw, sha256 = read_sheets_hashed(path, (*PLAN_SHEETS, *STUDY_SHEETS))
    sheets = {normalise_name(s.title): s for s in raw}
    found = {name: sheets[normalise_name(name)] for name in PLAN_SHEETS if normalise_name(name) in sheets}
    # a plan without joint programmes needs no Contributions sheet (one deleted as empty was refused)
    missing = [name for name in ("Plan",) if name not in found]
    study = next((name for name in STUDY_SHEETS if normalise_name(name) in sheets), None)
    if missing and study:
        raise InputError(
            [
                Problem(
                    "Plan",
                    "",
                    f"sheet is missing: the file is {STUDY_SHEETS[study]}, not one plan",
                    f"{PLAN_EXPECTED}; for one of its plans, {STUDY_PLAN_HINT[study]}",
                )
            ]
        )
    problems = [Problem(name, "", "sheet is missing", PLAN_EXPECTED) for name in missing]
    if problems:
        raise InputError(problems)
    summary, cells = _summary(found.get("Summary"))
    return PlanBook(str(path), summary, found, cells, sha256)


def read_plan(path: str | os.PathLike[str], inputs: Inputs, point: int | None = None) -> PlanDecisions:
    """`load_plan_book(path).decisions(inputs, point)`."""
    return load_plan_book(path).decisions(inputs, point)


def load_previous_plan(path: str | os.PathLike[str]) -> PlanBook:
    """`load_plan_book` for a re-plan, which reads two workbooks: a file that is no plan is
    named in every problem (`[rob.xlsx]Plan: sheet is missing`)."""
    try:
        return load_plan_book(path)
    except InputError as exc:
        raise InputError(in_file(exc.problems, path), warnings=in_file(exc.warnings, path)) from None


def read_previous_plan(
    plan: str | os.PathLike[str] | PlanBook, inputs: Inputs, point: int | None = None
) -> tuple[PlanDecisions, list[Problem]]:
    """Last year's plan for a re-plan against `inputs`: (decisions, warnings), leniently
    (`PlanBook.previous_decisions`), every warning naming the plan file. `plan` may be a
    book `load_previous_plan` read already, whose `sha256` the re-plan then records."""
    book = plan if isinstance(plan, PlanBook) else load_previous_plan(plan)
    decisions, warnings = book.previous_decisions(inputs, point)
    return decisions, in_file(warnings, book.path)


def in_file(problems: Sequence[Problem], path: str | os.PathLike[str]) -> list[Problem]:
    """Problems of a plan file located the way Excel names another book's cell,
    `[plan.xlsx]Plan!D2` (problems of the whole file, which name it already, stay)."""
    name = Path(path).name
    return [p if p.sheet == name else replace(p, sheet=f"[{name}]{p.sheet}") for p in problems]


def _summary(raw: RawSheet | None) -> tuple[dict[str, object], dict[str, str]]:
    """The Summary's key/value rows, and the cell of each key's value (for warnings)."""
    if raw is None or not raw.rows:
        return {}, {}
    out: dict[str, object] = {}
    cells: dict[str, str] = {}
    for number, values in raw.rows[1:]:
        if values and not is_blank(values[0]):
            key = str(values[0]).strip()
            if key not in out:
                out[key] = values[1] if len(values) > 1 else None
                cells[key] = f"B{number}"
    return out, cells


def _point_list(points: list[int]) -> str:
    """'1–18' for consecutive points (a front of 568 points listed one by one filled the
    screen), else the points themselves, '1, 3, 4'."""
    consecutive = all(b == a + 1 for a, b in itertools.pairwise(points))  # a point of 1e20: no range built
    if points and consecutive and len(points) > 2:
        return f"{points[0]}–{points[-1]}"
    return ", ".join(str(p) for p in points)


@dataclass
class _Row:
    sheet: str
    number: int
    values: dict[str, object]
    letters: dict[str, str]

    def cell(self, column: str) -> str:
        return f"{self.letters.get(column, '')}{self.number}"


# what a re-plan does with the decisions naming an id its workbook no longer has, by column
DROPPED = {
    "programme": "the re-plan drops its fundings and lists each as a change",
    "nation": "the re-plan drops its fundings and adoptions and lists each as a change",
    "standard": "the re-plan drops its adoptions and lists each as a change",
}


class _Decoder:
    """Turns the raw sheets into decisions, collecting every problem before raising.

    `lenient` (a re-plan's previous plan): an unknown id keeps its row, under the id as
    written, and becomes one of `warnings` instead of a problem — unless none of the plan's
    decisions is known, which means another workbook's plan."""

    def __init__(self, book: PlanBook, inputs: Inputs, point: int | None, lenient: bool = False):
        self.book, self.inputs, self.point, self.lenient = book, inputs, point, lenient
        self.front = book.front_points  # read once, not per plan sheet
        self.point_problem_said = False  # a missing or unknown point: said once, not per plan sheet
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        # (sheet, column, id) -> [index of its problem, further rows naming it]
        self.unknown: dict[tuple[str, str, str], list[int]] = {}
        self.spelling: dict[tuple[str, str], str] = {}  # (column, casefolded id) -> unknown id kept
        self.nations = {n.code.casefold(): n.code for n in inputs.nations}
        self.programmes = {p.id.casefold(): p.id for p in inputs.programmes}
        self.standards = {s.id.casefold(): s.id for s in inputs.standards}

    def error(self, row: _Row | None, column: str, what: str, expected: str, sheet: str = "") -> None:
        where = row.cell(column) if row is not None else ""
        self.problems.append(Problem(row.sheet if row is not None else sheet, where, what, expected))

    def decode(self) -> PlanDecisions:
        self._check_input_sha256()
        national, joint = self._starts(self._rows("Plan"))
        # else a payer's missing row may be our own doing (a lenient reading keeps the rows)
        plan_readable = not (self._unknown_kept() if self.lenient else self.problems)
        contributions = self._rows("Contributions") if "Contributions" in self.book.sheets else []
        if joint and "Contributions" not in self.book.sheets:  # read as paying 0, never named
            self.error(
                None,
                "",
                "sheet is missing",
                f"{PLAN_EXPECTED}: the plan funds joint programmes, whose payments the Contributions sheet holds",
                "Contributions",
            )
        payments = self._payments(contributions, joint, plan_readable)
        adoptions = self._rows("Standards") if "Standards" in self.book.sheets else []
        adopted = self._adoptions(adoptions)
        for index, more in self.unknown.values():
            if more:
                p = self.problems[index]
                self.problems[index] = Problem(
                    p.sheet,
                    p.cell,
                    f"{p.what} (nor in {more} more row{'s' if more > 1 else ''} of {p.sheet})",
                    p.expected,
                )
        decisions = PlanDecisions(national=national, joint=joint, payments=payments, adoptions=adopted)
        if self.lenient and self._knows_some(decisions):
            self.warnings = self._changed_inputs_warning() + self._other_book_warning() + self._unknown_as_warnings()
        if self.problems:
            hint = self._wrong_book_hint()
            # the cause goes in front as well: the CLI prints warnings before the problem
            # count, so a planner facing hundreds of unknown ids reads why first
            # … and the unknown ids a lenient reading dropped: a nation misspelt on a joint
            # programme's Plan row was never named, only the payment it left without a member
            raise InputError(self.problems + hint, warnings=self.warnings + hint)
        log.info("read plan %s: %d national starts, %d joint programmes", self.book.path, len(national), len(joint))
        return decisions

    def _unknown_kept(self) -> list[Problem]:
        """The problems that are not unknown ids (a lenient reading keeps those rows)."""
        ids = {index for index, _ in self.unknown.values()}
        return [p for i, p in enumerate(self.problems) if i not in ids]

    def _knows_some(self, decisions: PlanDecisions) -> bool:
        """Whether `inputs` knows at least one funding or adoption of the plan (or the plan
        names no unknown id): a re-plan keeps something of it."""
        if not self.unknown:
            return True
        nations, programmes = set(self.nations.values()), set(self.programmes.values())
        standards = set(self.standards.values())
        return any(n in nations and p in programmes for n, p in decisions.funded()) or any(
            n in nations and s in standards for n, s in decisions.adoptions
        )

    def _unknown_as_warnings(self) -> list[Problem]:
        """Move the unknown-id problems to warnings: one per id, at its first cell, saying
        what the re-plan does with it and where else it stands (a nation dropped from the
        workbook stands in Plan, Contributions and Standards: one line, not three)."""
        first: dict[tuple[str, str], int] = {}  # (column, id) -> index of its first problem
        elsewhere: dict[tuple[str, str], list[str]] = {}
        for (sheet, column, value), (index, more) in self.unknown.items():
            if (column, value) in first:
                rows = more + 1
                elsewhere[column, value].append(f"{rows} row{'s' if rows > 1 else ''} of {sheet}")
            else:
                first[column, value], elsewhere[column, value] = index, []
        warnings = []
        for (column, value), index in sorted(first.items(), key=lambda item: item[1]):
            p = self.problems[index]
            also = f" (also in {', '.join(elsewhere[column, value])})" if elsewhere[column, value] else ""
            warnings.append(replace(p, what=p.what + also, expected=DROPPED[column]))
        ids = {index for index, _ in self.unknown.values()}
        self.problems = [p for i, p in enumerate(self.problems) if i not in ids]
        return warnings

    def _changed_inputs_warning(self) -> list[Problem]:
        source = self.inputs.source
        note = self.book.changed_inputs_note(source.path if source else "the workbook")
        cell = self.book.summary_cells.get("input_changes", "")
        return [Problem("Summary", cell, note, "the re-plan starts from the workbook as it is")] if note else []

    def _check_input_sha256(self) -> None:
        """A Summary `input_sha256` that is not the 64 hex digits capopt writes is an error at
        its cell; a blank one, beside an input read from a file, a warning that the "made
        from another workbook" check cannot be made (a re-plan lists it with its warnings,
        a strict reading logs it). A Summary without the row is judged as a blank one: it was
        trusted without a word against a changed input of the same name."""
        if not self.book.summary or self.book.input_sha256 is not None:
            return
        if "input_sha256" not in self.book.summary:
            note = self._blank_sha_note()
            if note is not None and not self.lenient:
                log.warning("%s", in_file([note], self.book.path)[0])
            return
        value = self.book.summary["input_sha256"]
        cell = self.book.summary_cells.get("input_sha256", "")
        if not is_blank(value):
            self.problems.append(
                Problem(
                    "Summary",
                    cell,
                    f"input_sha256 is {show(value)}",
                    "expected the 64 hexadecimal digits capopt wrote there: the SHA-256 of the input "
                    "workbook the plan was made from",
                )
            )
            return
        note = self._blank_sha_note()
        if note is not None and not self.lenient:
            log.warning("%s", in_file([note], self.book.path)[0])

    def _blank_sha_note(self) -> Problem | None:
        """The warning of a blank Summary `input_sha256` (None if there is no input file to
        compare with, or it is not blank)."""
        source = self.inputs.source
        if source is None or not self.book.summary or not is_blank(self.book.summary.get("input_sha256")):
            return None
        said = "is blank" if "input_sha256" in self.book.summary else "row is missing"
        return Problem(
            "Summary",
            self.book.summary_cells.get("input_sha256", ""),
            f"input_sha256 {said}, so whether the plan was made from {Path(source.path).name} cannot be checked",
            f"the plan is judged against {Path(source.path).name} as it is",
        )

    def _other_book_warning(self) -> list[Problem]:
        """A re-plan's workbook has normally changed since the plan was made: say so, once."""
        sha = self.book.input_sha256
        source = self.inputs.source
        blank = self._blank_sha_note()
        if blank is not None:
            return [blank]
        if not sha or source is None or source.sha256.lower() == sha:
            return []
        return [
            Problem(
                "Summary",
                self.book.summary_cells.get("input_sha256", ""),
                f"the plan was made from {self.book.input_file or 'another workbook'} (SHA-256 "
                f"{sha[:12]}…), not from {told_apart(source.path, self.book.input_file)} (SHA-256 "
                f"{source.sha256[:12]}…)",
                f"the re-plan judges it against {Path(source.path).name}",
            )
        ]

    def _wrong_book_hint(self) -> list[Problem]:
        """Many unknown ids usually mean the plan was made from another workbook: say so.

        It stays the last problem (after the ids it explains) and is also the error's first
        warning, which is what a reader of the error sees first.
        """
        sha = self.book.input_sha256
        source = self.inputs.source
        if self.unknown and sha and source is not None and source.sha256 != sha:
            return [
                Problem(
                    "Summary",
                    "",
                    f"the plan was made from {self.book.input_file or 'another workbook'} "
                    f"(SHA-256 {sha[:12]}…), not from {source.path}",
                    "expected the input workbook the plan was made from (stress and compare: "
                    "--book BOOK; replan: BOOK, its first argument)",
                )
            ]
        return []

    # --- tables ----------------------------------------------------------------------
    def _rows(self, name: str) -> list[_Row]:
        raw = self.book.sheets[name]
        if not raw.rows:
            self.error(
                None,
                "",
                "sheet is empty",
                f"expected a header row with {', '.join(REQUIRED_COLUMNS[name])}",
                sheet=raw.title,
            )
            return []
        header_number, header = raw.rows[0]
        columns: dict[str, int] = {}
        for j, title in enumerate(header):
            if not is_blank(title):
                columns.setdefault(normalise_name(title), j)
        wanted = list(REQUIRED_COLUMNS[name]) + ["point"]
        missing = [c for c in REQUIRED_COLUMNS[name] if normalise_name(c) not in columns]
        for c in missing:
            self.problems.append(
                Problem(
                    raw.title,
                    str(header_number),
                    f"column {c} is missing",
                    f"expected columns {', '.join(REQUIRED_COLUMNS[name])}",
                )
            )
        if missing:
            return []
        index = {c: columns[normalise_name(c)] for c in wanted if normalise_name(c) in columns}
        letters = {c: get_column_letter(j + 1) for c, j in index.items()}
        rows = []
        for number, values in raw.rows[1:]:
            cells = {c: (values[j] if j < len(values) else None) for c, j in index.items()}
            if all(is_blank(v) for v in cells.values()):
                continue
            rows.append(_Row(raw.title, number, cells, letters))
        return self._chosen_point(rows, raw.title)

    def _chosen_point(self, rows: list[_Row], sheet: str) -> list[_Row]:
        """Rows of the chosen Pareto point (a plain plan has no `point` column and no
        Pareto sheet). The points are the Pareto sheet's where it exists."""
        front = self.front
        if front is None and (not rows or "point" not in rows[0].values):
            return rows
        if rows and "point" not in rows[0].values:  # a front whose plan sheet lost its point column
            self.error(
                None,
                "",
                "column point is missing",
                "expected the front's point column, which says which plan each row belongs to",
                sheet,
            )
            return []
        points = (
            front
            if front is not None
            else sorted(
                {_whole(r.values["point"]) for r in rows} - {None}  # type: ignore[type-var, arg-type]
            )
        )
        if self.point is None or self.point not in points:
            if not self.point_problem_said:  # every plan sheet has the same points: say it once
                self.point_problem_said = True
                what = (
                    f"holds {len(points)} plans (a Pareto front)"
                    if self.point is None
                    else f"has no point {self.point}"
                )
                self.error(
                    None,
                    "",
                    what,
                    f"expected the point to use, one of {_point_list(points)}, given as "
                    "--point N on the command line (point=N in Python)",
                    sheet,
                )
            return []
        return [r for r in rows if _whole(r.values["point"]) == self.point]

    def _id(self, row: _Row, column: str, known: Mapping[str, str], what: str) -> str | None:
        value = row.values[column]
        if is_blank(value):
            self.error(row, column, f"{column} is blank", f"expected {what}")
            return None
        found = known.get(str(value).strip().casefold())
        if found is None:
            key = (row.sheet, column, str(value).strip().casefold())
            if key in self.unknown:
                self.unknown[key][1] += 1  # one message per unknown id and sheet, not per row
            else:
                self.error(
                    row,
                    column,
                    f"{column} {show(value)} is not in the input workbook{_did_you_mean(value, known)}",
                    f"expected {what} of the input workbook the plan was made from",
                )
                self.unknown[key] = [len(self.problems) - 1, 0]
            if self.lenient:  # kept, so that the re-plan lists its drop; spelt as first written
                return self.spelling.setdefault((column, key[2]), str(value).strip())
        return found

    def _year(self, row: _Row, column: str) -> int | None:
        value = row.values[column]
        year = _whole(value)
        s = self.inputs.settings
        if year is None:
            self.error(
                row,
                column,
                f"{column} is {show(value) if not is_blank(value) else 'blank'}{number_hint(value)}",
                "expected a year like 2028",
            )
            return None
        if not s.first_year <= year <= s.last_year:
            self.error(
                row,
                column,
                f"{column} {year} is outside the horizon {s.first_year}–{s.last_year}",
                "expected a year of the input's horizon",
            )
            return None
        return year

    # --- decisions -------------------------------------------------------------------
    def _starts(self, rows: Sequence[_Row]) -> tuple[dict[tuple[str, str], int], dict[str, JointDecision]]:
        national: dict[tuple[str, str], int] = {}
        members: dict[str, list[str]] = {}
        joint_start: dict[str, tuple[int, _Row]] = {}
        seen: dict[tuple[str, str], int] = {}
        for row in rows:
            nation = self._id(row, "nation", self.nations, "a nation code")
            pid = self._id(row, "programme", self.programmes, "a programme id")
            start = self._year(row, "start_year")
            sharing = str(row.values["sharing"] or "").strip().casefold()
            if sharing not in ("national", "joint"):
                self.error(row, "sharing", f"sharing is {show(row.values['sharing'])}", "expected national or joint")
                continue
            if nation is None or pid is None or start is None:
                continue
            programme = self.inputs.programme_by_id.get(pid)  # None: unknown, read leniently
            if programme is not None and programme.sharing != sharing:
                self.error(
                    row,
                    "sharing",
                    f"{pid} is {sharing} here but {programme.sharing} in the input workbook",
                    f"expected {programme.sharing}",
                )
                continue
            if (nation, pid) in seen:
                self.error(
                    row,
                    "programme",
                    f"{nation}/{pid} is listed twice (also row {seen[nation, pid]})",
                    "expected one row per nation and programme",
                )
                continue
            seen[nation, pid] = row.number
            if sharing == "national":
                national[nation, pid] = start
                continue
            first = joint_start.setdefault(pid, (start, row))
            if first[0] != start:
                self.error(
                    row,
                    "start_year",
                    f"joint {pid} starts {start} here but {first[0]} in row {first[1].number}",
                    "expected one start year for all members",
                )
                continue
            members.setdefault(pid, []).append(nation)
        joint = {pid: JointDecision(joint_start[pid][0], tuple(ms)) for pid, ms in members.items()}
        return national, joint

    def _payments(
        self, rows: Sequence[_Row], joint: Mapping[str, JointDecision], check_members: bool
    ) -> dict[tuple[str, str, int], float]:
        """Joint payments; membership is judged only against a Plan sheet that could be read."""
        payments: dict[tuple[str, str, int], float] = {}
        for row in rows:
            pid = self._id(row, "programme", self.programmes, "a programme id")
            nation = self._id(row, "nation", self.nations, "a nation code")
            year = self._year(row, "year")
            amount = _number(row.values["payment"])
            if amount is None or amount < 0:
                self.error(
                    row,
                    "payment",
                    f"payment is {show(row.values['payment'])}{number_hint(row.values['payment'])}",
                    "expected a number ≥ 0",
                )
                continue
            if pid is None or nation is None or year is None:
                continue
            jd = joint.get(pid)
            if check_members and (jd is None or nation not in jd.members):
                self.error(
                    row,
                    "nation",
                    f"{nation} pays to {pid} but the Plan sheet has no joint row for {nation}/{pid}",
                    "expected payments only from consortium members",
                )
                continue
            if (nation, pid, year) in payments:
                self.error(
                    row,
                    "year",
                    f"a second payment of {nation} to {pid} in {year}",
                    "expected one row per programme, nation and year",
                )
                continue
            if amount:
                payments[nation, pid, year] = amount
        return payments

    def _adoptions(self, rows: Sequence[_Row]) -> dict[tuple[str, str], int]:
        adopted: dict[tuple[str, str], int] = {}
        for row in rows:
            nation = self._id(row, "nation", self.nations, "a nation code")
            sid = self._id(row, "standard", self.standards, "a standard id")
            year = self._year(row, "adoption_year")
            if nation is None or sid is None or year is None:
                continue
            if (nation, sid) in adopted:
                self.error(
                    row, "standard", f"{nation} adopts {sid} twice", "expected one adoption per nation and standard"
                )
                continue
            adopted[nation, sid] = year
        return adopted


def _number(value: object) -> float | None:
    """A cell's number, read as the input reader reads one: a year or a payment typed as
    text ("2027") was refused as "expected a year like 2028"."""
    number = as_number(value)
    return None if number is None else float(number)


def _whole(value: object) -> int | None:
    number = _number(value)
    return int(number) if number is not None and number.is_integer() else None


def _did_you_mean(value: object, known: Mapping[str, str]) -> str:
    """' (did you mean BRAVO?)' for an id one slip away from one the workbook has: a typo in a
    previous plan's past row dropped that row from history with no hint of the id meant."""
    close = difflib.get_close_matches(str(value).strip().casefold(), list(known), n=1, cutoff=0.75)
    return f" (did you mean {known[close[0]]}?)" if close else ""


def told_apart(path: str, recorded: str | None) -> str:
    """`path` as a message names it beside the plan's recorded input file: in full when the two
    share a file name ("made from in.xlsx …, not from in.xlsx" named two files alike)."""
    if recorded and Path(recorded).name == Path(path).name:
        return os.path.abspath(path)
    return path
