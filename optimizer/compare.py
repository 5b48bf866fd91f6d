"""What changed between two plans: objectives, programmes gained and lost, starts moved."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from data.dashboard import last_objective, percent_up, stages_not_optimised
from data.errors import InputError
from data.plan_reader import PlanBook, in_file, load_previous_plan
from data.schema import normalise_name
from data.tables import Inputs, PlanDecisions
from optimizer.checks.evaluate import objective_values
from optimizer.checks.verify import check_plan

# `rules`: whether the plan keeps every rule of the inputs it is compared under (a plan made
# for other budgets can break them, and its status is the one it was solved to there)
PROOF_COLUMNS = ["plan", "status", "gap", "best_bound", "gap_of", "not_optimised", "rules"]
KEEPS_RULES = "keeps every rule"
NO_SUMMARY = "unknown (no Summary sheet, or an empty one)"  # an emptied sheet reads as none
NO_STATUS = "unknown (the file records none)"


def _percent(gap: object) -> str:
    """A gap as every other output shows it: rounded up (`percent_up`), "none" without one."""
    if gap is None or (isinstance(gap, float) and math.isnan(gap)):
        return "none"
    return percent_up(float(gap))  # type: ignore[arg-type]  # a Summary number, checked by _number


@dataclass(frozen=True)
class Comparison:
    """`objectives`: name, base, other, change; `changes`: nation, programme, change
    (gained / lost / moved), base_start, other_start; `proofs`: for each plan (base, other)
    its status, gap, best_bound, the objective they are of (gap_of) and the stages never
    optimised, so that a difference is read against how far each plan is from proven."""

    objectives: pd.DataFrame
    changes: pd.DataFrame
    proofs: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PROOF_COLUMNS))
    # what else a reader must know: a plan read from a file that was made from other inputs,
    # or that breaks rules of the inputs it is compared under
    notes: tuple[str, ...] = ()

    @property
    def caveat(self) -> str:
        """Why the differences may be the solver's rather than the change's ("" when both
        plans are proven): two 15-s solves showed a 10 % budget cut *gaining* 22,893
        capability, the base plan 134 % from its bound, and nothing said so."""
        return "; ".join([*self.notes, self.unproven] if self.unproven else self.notes)

    @property
    def unproven(self) -> str:
        """'not proven: other (feasible, gap 6.16 %) — …', or "" when both plans are proven."""
        unproven = [
            f"{row['plan']} ({row['status']}, gap {_percent(row['gap'])}"
            + (f"; not optimised: {row['not_optimised']}" if row["not_optimised"] else "")
            + ")"
            for row in self.proofs.to_dict("records")
            if row["status"] != "optimal" or row["not_optimised"]
        ]
        if not unproven:
            return ""
        return (
            "not proven: " + ", ".join(unproven) + " — differences within the gaps may be the "
            "solver's, not the change's; give the solves more time"
        )

    def __str__(self) -> str:
        lines = ["Objectives:", self.objectives.to_string(index=False, na_rep="—")]
        if not self.proofs.empty:
            # gaps rounded up, as the status lines give them; "—" where there is none (a front's point keeps no bound)
            shown = self.proofs.astype(object).where(self.proofs.notna() & (self.proofs != ""), "—")
            gaps = {"gap": lambda gap: "—" if gap == "—" else _percent(gap)}
            lines += ["", "Plans:", shown.to_string(index=False, formatters=gaps)]
        lines += [
            "",
            "Plan changes:",
            self.changes.to_string(index=False, na_rep="—") if not self.changes.empty else "  none",
        ]
        if self.caveat:
            lines += ["", f"Note: {self.caveat}"]
        return "\n".join(lines)

    def to_excel(self, path: str | os.PathLike[str], summary: list[tuple[str, object]] | None = None) -> Path:
        """The comparison as a workbook, written atomically: Summary (`summary`'s rows, then
        the notes), Objectives, Plans (each plan's proof), Changes and ByNation; a planner
        keeps it beside the two plans."""
        from data.report import write_tables_workbook
        from optimizer.result import environment_rows, tool_version

        rows = list(summary or []) + [("note", note) for note in self.notes]
        given = {key for key, _ in rows}
        # every output's Summary says what made it and when (WORKBOOK.md); a comparison's did not
        rows += [
            (key, value)
            for key, value in (
                ("tool_version", tool_version()),
                *environment_rows(),
                ("created_at", pd.Timestamp.now(tz="UTC").floor("s").isoformat()),
            )
            if key not in given
        ]
        if self.unproven:
            rows.append(("note", self.unproven))
        sheets = {
            "Objectives": self.objectives,
            "Plans": self.proofs,
            "Changes": self.changes,
            "ByNation": self.by_nation(),
        }
        return write_tables_workbook(Path(path), sheets, summary=rows)

    def by_nation(self) -> pd.DataFrame:
        """Counts of programmes gained, lost and moved per nation."""
        if self.changes.empty:
            return pd.DataFrame(columns=["nation", "gained", "lost", "moved"])
        table = pd.crosstab(self.changes["nation"], self.changes["change"])
        for col in ("gained", "lost", "moved"):
            if col not in table:
                table[col] = 0
        # crosstab names the column axis "change", which printed as a stray header cell
        return table[["gained", "lost", "moved"]].rename_axis(columns=None).reset_index()


@dataclass(frozen=True)
class PlanFile:
    """A plan read from a capopt plan workbook, priced on the inputs it is compared under."""

    decisions: PlanDecisions
    objectives: dict[str, float]
    proof: dict[str, object]  # a `proofs` row, from the workbook's Summary
    notes: tuple[str, ...]


def read_plan_file(path: str | os.PathLike[str] | PlanBook, inputs: Inputs, point: int | None = None) -> PlanFile:
    """The plan of workbook `path` (or of a book read already; of a front: its `point`)
    against `inputs`: its decisions, its objectives recomputed on `inputs` (MODEL.md), its
    status, gap and bound as its Summary records them (a front's point: as its Pareto row
    does), whether it keeps the inputs' rules, and notes when it was made from other inputs
    or breaks their rules. InputError, every problem located in the file, when its ids are
    not `inputs`'."""
    book = path if isinstance(path, PlanBook) else load_previous_plan(path)
    if not book.is_front:
        point = None  # a plain plan has one plan: `point` is for the front beside it
    try:
        decisions = book.decisions(inputs, point)
    except InputError as exc:
        raise InputError(in_file(exc.problems, book.path), warnings=in_file(exc.warnings, book.path)) from None
    name = Path(book.path).name if point is None else f"{Path(book.path).name} (point {point})"
    notes = []
    source = inputs.source
    if book.input_sha256 and (source is None or source.sha256.lower() != book.input_sha256):
        # the same file edited since reads "made from cut.xlsx … not from these inputs" beside
        # these inputs' cut.xlsx: say that the file changed
        edited = source is not None and _recorded_file_is(book, source.path)
        made = (
            f"{book.input_file} as it was then (SHA-256 {book.input_sha256[:12]}…; the file has changed since)"
            if edited
            else f"{book.input_file or 'another input workbook'} (SHA-256 {book.input_sha256[:12]}…), "
            "not from these inputs"
        )
        notes.append(
            f"{name} was made from {made}: its objectives are recomputed on these inputs, its status and "
            "gap are those it was solved to there"
        )
    if changed := book.changed_inputs_note(source.path if source is not None else "these inputs"):
        notes.append(changed)
    elif source is not None and source.changes:
        notes.append(
            f"these inputs are {Path(source.path).name} changed after reading "
            f"({'; '.join(source.changes)}), and {name} was made from that file as it is"
        )
    broken = check_plan(inputs, decisions)
    rules = f"breaks {len(broken)} rule{'s' if len(broken) != 1 else ''}" if broken else KEEPS_RULES
    if broken:
        notes.append(f"{name} {rules} of these inputs, e.g. {broken[0]}")
    proof = plan_proof(book, point)
    objectives = objective_values(inputs, decisions)
    if edit := edited_note(book, inputs, objectives, name):
        # a start moved by hand kept "optimal, gap 0 %" beside another "optimal" plan of the
        # same inputs worth more: the proof was of the plan as solved, not as edited
        proof = {**proof, **EDITED_PROOF}
        notes.append(edit)
    return PlanFile(decisions, objectives, {"plan": name, **proof, "rules": rules}, tuple(notes))


EDITED = "edited after solving"
EDITED_PROOF = {"status": EDITED, "gap": None, "best_bound": None}  # what an edited plan's proof becomes


def edited_note(book: PlanBook, inputs: Inputs, objectives: Mapping[str, float], name: str) -> str | None:
    """ "plan.xlsx was changed after it was solved (capability 79 against 83 recorded) …" when
    a plain plan made from these very inputs, unchanged by a what-if, has objectives that,
    recomputed, differ from the values its Summary records (None otherwise: a front's Summary
    speaks for the whole front, and another input's or a what-if's plan differs anyway)."""
    source = inputs.source
    if (
        book.is_front
        or source is None
        or not book.input_sha256
        or source.sha256.lower() != book.input_sha256
        or book.summary.get("input_changes")
    ):
        return None
    for objective, value in objectives.items():
        recorded = _number(book.summary.get(objective))
        if recorded is not None and abs(recorded - value) > 1e-6 * max(1.0, abs(value)):
            return (
                f"{name} was changed after it was solved ({objective} {value:,.6g} against {recorded:,.6g} "
                "recorded): the status and gap its Summary records are not this plan's"
            )
    return None


def _recorded_file_is(book: PlanBook, path: str) -> bool:
    """Whether the input file the plan records is the file at `path`: as recorded (relative
    to the folder the solve ran in) or beside the plan, as `capopt compare` looks for it."""
    if book.input_file is None:
        return False
    recorded, folder = Path(book.input_file), Path(book.path).parent
    target = Path(path).resolve()
    return any(c.resolve() == target for c in (recorded, folder / recorded, folder / recorded.name))


def plan_proof(book: PlanBook, point: int | None = None) -> dict[str, object]:
    """A plan file's proof (status, gap, best_bound, gap_of, not_optimised): its Summary's,
    or a front point's own from its Pareto row (`point` is ignored for a plain plan)."""
    if point is not None and book.is_front and book.front_points is None:
        # the Pareto sheet that held each point's proof is gone: the Summary's is the front's
        # (every point read "optimal 0 %, best bound 84", a point of 56 among them)
        return {
            "status": "unknown (the front's Pareto sheet is missing)",
            "gap": None,
            "best_bound": None,
            "gap_of": None,
            "not_optimised": "",
        }
    if point is None or book.front_points is None:
        return _summary_proof(book.summary)
    return _point_proof(book, point)


def proof_in_words(proof: Mapping[str, object]) -> str:
    """ "optimal, gap 0.83 % on cost" or "feasible, gap 11.36 % on capability": how far
    from the best possible a plan was proven to be, in a line."""
    gap = proof.get("gap")
    text = str(proof.get("status"))
    if isinstance(gap, (int, float)):
        text += f", gap {percent_up(float(gap))}" + (f" on {proof['gap_of']}" if proof.get("gap_of") else "")
    return text


def _summary_proof(summary: Mapping[str, object]) -> dict[str, object]:
    """Status, gap, bound, the objective they are of and the stages never optimised, as a
    plan's Summary records them. A re-plan's gap is of its charged objective ("cost + 50 ×
    changes"): named so, its bound is not read as one of cost alone."""
    if not summary:
        return {"status": NO_SUMMARY, "gap": None, "best_bound": None, "gap_of": None, "not_optimised": ""}
    return {
        "status": summary.get("status") or NO_STATUS,
        "gap": _number(summary.get("gap")),
        "best_bound": _number(summary.get("best_bound")),
        "gap_of": last_objective(summary, charged=True),
        "not_optimised": ", ".join(stages_not_optimised(summary)),
    }


def _point_proof(book: PlanBook, point: int) -> dict[str, object]:
    """A front point's proof from its Pareto row (proven, gap, gap_of; the sheet keeps no
    bound): the front's Summary gives the whole front's, another point's gap among them."""
    row = book.front_point_row(point) or {}  # keyed by normalised column names ("gap_of" -> "gapof")
    proven = row.get(normalise_name("proven"))
    status = "optimal" if proven is True else "feasible" if proven is False else NO_STATUS
    gap_of = row.get(normalise_name("gap_of"))
    return {
        "status": status,
        "gap": _number(row.get("gap")),
        "best_bound": None,
        "gap_of": str(gap_of) if gap_of else None,
        "not_optimised": "",
    }


def compare_plan_files(
    base: str | os.PathLike[str] | PlanBook,
    other: str | os.PathLike[str] | PlanBook,
    inputs: Inputs,
    point: int | None = None,
    *,
    base_point: int | None = None,
    other_point: int | None = None,
) -> Comparison:
    """What plan workbook `other` changes against plan workbook `base`, both read against
    `inputs` and priced on them (`read_plan_file`): two cycles' plans, a colleague's run
    beside one's own, or two points of one front, on one input workbook.

    `point` picks the plan of each file that is a Pareto front; `base_point` / `other_point`
    pick one side's, overriding it (two points of one front: `base_point=1, other_point=2`).
    ValueError when a point is no whole number ≥ 1, or one side's point is given for a
    file that is no front."""
    for name, value in (("point", point), ("base_point", base_point), ("other_point", other_point)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise ValueError(f"{name} is {value!r} — expected a front point's number, e.g. 3")
    books = [b if isinstance(b, PlanBook) else load_previous_plan(b) for b in (base, other)]
    if point is not None and not any(b.is_front for b in books):  # as `capopt compare --point` refuses it
        raise ValueError(
            f"point is {point!r} but neither file is a Pareto front — expected a point only for a front workbook"
        )
    points = []
    for label, book, own in (("base_point", books[0], base_point), ("other_point", books[1], other_point)):
        if own is not None and not book.is_front:
            raise ValueError(
                f"{label} is {own} but {Path(book.path).name} is a plan, not a Pareto front — "
                "expected a point only for a front workbook"
            )
        points.append(own if own is not None else point)
    a, b = read_plan_file(books[0], inputs, points[0]), read_plan_file(books[1], inputs, points[1])
    labels = [
        label if p is None or not book.is_front else f"{label} (point {p})"
        for label, p, book in zip(("base", "other"), points, books)
    ]
    proofs = pd.DataFrame([{**a.proof, "plan": labels[0]}, {**b.proof, "plan": labels[1]}])
    notes = tuple(dict.fromkeys(a.notes + b.notes))  # a note both share is said once
    return compare_plans(a.objectives, b.objectives, a.decisions, b.decisions, proofs, notes)


def _number(value: object) -> float | None:
    """A Summary number as read (None when blank or not a number)."""
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def compare_plans(
    base_objectives: dict[str, float],
    other_objectives: dict[str, float],
    base: PlanDecisions,
    other: PlanDecisions,
    proofs: pd.DataFrame,
    notes: tuple[str, ...] = (),
) -> Comparison:
    """Objectives side by side and every (nation, programme) funded in one plan and not the
    other ("gained" / "lost") or started in another year ("moved"); `proofs` says how far
    each plan is from proven (`Result.proof_row`)."""
    names = list(base_objectives)
    objectives = pd.DataFrame(
        {
            "objective": names,
            "base": [base_objectives[n] for n in names],
            "other": [other_objectives.get(n) for n in names],
        }
    )
    objectives["change"] = objectives["other"] - objectives["base"]
    a, b = base.funded(), other.funded()
    rows = []
    for key in sorted(set(a) | set(b)):
        if key not in a:
            change = "gained"
        elif key not in b:
            change = "lost"
        elif a[key] != b[key]:
            change = "moved"
        else:
            continue
        rows.append(
            {
                "nation": key[0],
                "programme": key[1],
                "change": change,
                "base_start": a.get(key),
                "other_start": b.get(key),
            }
        )
    changes = pd.DataFrame(rows, columns=["nation", "programme", "change", "base_start", "other_start"])
    # years stay whole numbers beside a blank (a gained programme has no base start): the
    # default float column printed 2031.0 and wrote 2031.0 to a workbook
    changes = changes.astype({"base_start": "Int64", "other_start": "Int64"})
    return Comparison(objectives, changes, proofs, notes)
