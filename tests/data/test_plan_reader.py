"""Reading plan workbooks back into decisions: exact round trips and Sheet!Cell errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from data.errors import InputError
from data.plan_reader import load_plan_book, read_plan
from data.report import write_plan_workbook
from optimizer.checks.evaluate import evaluate
from tests.data.fixtures.books import write_book
from tests.optimizer.conftest import make_inputs, plan, programme, standard


@pytest.fixture()
def inputs():
    return make_inputs(
        programmes=[programme("P", 2, 10), programme("J", 2, 20, "joint")],
        standards=[standard("S", 1)],
    )


@pytest.fixture()
def decisions():
    return plan(
        national={("A", "P"): 2030},
        joint={"J": (2031, ("A", "B"))},
        payments={("A", "J", 2031): 7.25, ("B", "J", 2031): 2.75, ("A", "J", 2032): 5.0, ("B", "J", 2032): 5.0},
        adoptions={("B", "S"): 2032},
    )


def _written(path: Path, inputs, decisions, **summary) -> Path:
    tables = evaluate(inputs, decisions)
    rows = [("status", "optimal"), ("input_file", "book.xlsx"), ("input_sha256", "AB12" * 16)]
    rows += list(summary.items())
    frames = tables.tables()
    return write_plan_workbook(path, rows, frames, list(inputs.years))


def test_a_written_plan_reads_back_to_the_same_decisions(tmp_path, inputs, decisions) -> None:
    path = _written(tmp_path / "plan.xlsx", inputs, decisions)
    book = load_plan_book(path)
    assert (book.input_file, book.input_sha256) == ("book.xlsx", "ab12" * 16)
    assert book.decisions(inputs) == decisions


def test_a_plan_book_knows_its_files_sha256_as_an_input_does(tmp_path, inputs, decisions) -> None:
    """A stress or re-plan workbook records it beside the plan's path (`plan_sha256`,
    `previous_plan_sha256`): of the file's bytes, by the function `input_sha256` comes from."""
    import hashlib

    from data.reader import file_sha256

    path = _written(tmp_path / "plan.xlsx", inputs, decisions)
    assert (
        load_plan_book(path).sha256 == file_sha256(path.read_bytes()) == hashlib.sha256(path.read_bytes()).hexdigest()
    )


def _book(**sheets):
    base = {
        "Summary": [["key", "value"], ["status", "optimal"]],
        "Plan": [
            ["nation", "programme", "sharing", "start_year"],
            ["A", "P", "national", 2030],
            ["A", "J", "joint", 2031],
            ["B", "J", "joint", 2031],
        ],
        "Contributions": [["programme", "nation", "year", "payment"], ["J", "A", 2031, 10], ["J", "B", 2032, 10]],
    }
    return base | sheets


def _errors(tmp_path: Path, inputs, book) -> list[str]:
    path = write_book(book, tmp_path / "plan.xlsx")
    with pytest.raises(InputError) as caught:
        read_plan(path, inputs)
    return [str(p) for p in caught.value.problems]


def test_ids_are_matched_ignoring_case_and_standards_sheet_is_optional(tmp_path, inputs) -> None:
    book = _book()
    book["Plan"][1] = ["a", "p", "National", 2030.0]
    decisions = read_plan(write_book(book, tmp_path / "plan.xlsx"), inputs)
    assert decisions.national == {("A", "P"): 2030}
    assert decisions.adoptions == {}


def test_every_problem_is_reported_at_its_cell(tmp_path, inputs) -> None:
    book = _book()
    book["Plan"] += [
        ["ZZZ", "P", "national", 2030],
        ["B", "P", "national", "soon"],
        ["B", "J", "national", 2031],
        ["A", "P", "national", 2031],
    ]
    book["Contributions"] += [["J", "C", 2031, 1], ["J", "A", 2040, 1], ["J", "B", 2031, -3]]
    assert _errors(tmp_path, inputs, book) == [
        (
            'Plan!A5: nation "ZZZ" is not in the input workbook — expected a nation code of the '
            "input workbook the plan was made from"
        ),
        'Plan!D6: start_year is "soon" — expected a year like 2028',
        "Plan!C7: J is national here but joint in the input workbook — expected joint",
        "Plan!B8: A/P is listed twice (also row 2) — expected one row per nation and programme",
        (
            'Contributions!B4: nation "C" is not in the input workbook — expected a nation code of '
            "the input workbook the plan was made from"
        ),
        ("Contributions!C5: year 2040 is outside the horizon 2030–2032 — expected a year of the input's horizon"),
        "Contributions!D6: payment is -3 — expected a number ≥ 0",
    ]


def test_joint_members_must_start_together(tmp_path, inputs) -> None:
    book = _book()
    book["Plan"][3] = ["B", "J", "joint", 2030]
    assert _errors(tmp_path, inputs, book) == [
        "Plan!D4: joint J starts 2030 here but 2031 in row 3 — expected one start year for all members",
    ]


def test_only_members_pay(tmp_path, inputs) -> None:
    book = _book()
    book["Plan"].pop(3)
    assert _errors(tmp_path, inputs, book) == [
        (
            "Contributions!B3: B pays to J but the Plan sheet has no joint row for B/J — expected "
            "payments only from consortium members"
        ),
    ]


def test_missing_sheets_and_columns(tmp_path, inputs) -> None:
    book = _book()
    del book["Plan"]
    path = write_book(book, tmp_path / "plan.xlsx")
    with pytest.raises(InputError, match="Plan: sheet is missing"):
        load_plan_book(path)  # (Contributions only where the plan funds joint programmes: below)
    book = _book()
    book["Plan"][0] = ["nation", "programme", "sharing", "start"]
    assert _errors(tmp_path, inputs, book) == [
        ("Plan!1: column start_year is missing — expected columns nation, programme, sharing, start_year")
    ]


def test_a_pareto_workbook_needs_a_point(tmp_path, inputs) -> None:
    book = _book(
        Plan=[
            ["point", "nation", "programme", "sharing", "start_year"],
            [1, "A", "P", "national", 2030],
            [2, "A", "P", "national", 2031],
        ],
        Contributions=[["point", "programme", "nation", "year", "payment"]],
    )
    path = write_book(book, tmp_path / "front.xlsx")
    with pytest.raises(InputError, match=r"holds 2 plans \(a Pareto front\)"):
        read_plan(path, inputs)
    assert read_plan(path, inputs, point=2).national == {("A", "P"): 2031}


def test_a_front_without_a_point_is_said_once_and_names_the_option(tmp_path, inputs) -> None:
    """`capopt stress front.xlsx` said "holds 18 plans" three times (Plan, Contributions,
    Standards) and never how to choose; now once, with --point and the points as a range."""
    rows = [[k, "A", "P", "national", 2030] for k in (1, 2, 3)]
    book = _book(
        Plan=[["point", "nation", "programme", "sharing", "start_year"], *rows],
        Contributions=[["point", "programme", "nation", "year", "payment"]],
        Standards=[["point", "nation", "standard", "adoption_year"]],
    )
    path = write_book(book, tmp_path / "front.xlsx")
    for point, said in ((None, "holds 3 plans"), (7, "has no point 7")):
        with pytest.raises(InputError) as raised:
            read_plan(path, inputs, point=point)
        assert len(raised.value.problems) == 1, raised.value.problems
        assert said in str(raised.value) and "one of 1–3, given as --point N" in str(raised.value)


def test_not_a_workbook_is_one_clear_error(tmp_path, inputs) -> None:
    fake = tmp_path / "plan.xlsx"
    fake.write_text("hello")
    with pytest.raises(InputError, match="not an Excel workbook"):
        read_plan(fake, inputs)


def test_an_unknown_id_is_reported_once_per_sheet_with_a_count(tmp_path, inputs) -> None:
    book = _book()
    book["Plan"] += [["A", "GONE", "national", 2030], ["B", "GONE", "national", 2031], ["C", "GONE", "national", 2031]]
    book["Summary"] += [["input_file", "old.xlsx"], ["input_sha256", "ff00" * 16]]
    from dataclasses import replace

    from data.tables import Source

    errors = _errors(tmp_path, replace(inputs, source=Source("new.xlsx", "aa11")), book)
    assert errors == [
        (
            'Plan!B5: programme "GONE" is not in the input workbook (nor in 2 more rows of Plan) — expected a '
            "programme id of the input workbook the plan was made from"
        ),
        (
            'Plan!A7: nation "C" is not in the input workbook — expected a nation code of the input workbook '
            "the plan was made from"
        ),
        (
            "Summary: the plan was made from old.xlsx (SHA-256 ff00ff00ff00…), not from new.xlsx — expected the input "
            "workbook the plan was made from (stress and compare: --book BOOK; replan: BOOK, its first argument)"
        ),
    ]


def test_a_front_point_that_funds_nothing_can_be_chosen(tmp_path, inputs) -> None:
    """The "do nothing" end of a front has no Plan rows: reading points from the Plan sheet
    lost it ("has no point 4 — expected one of [1, 2, 3]" for a 4-point front)."""
    from optimizer import Scenario

    front = Scenario(inputs).pareto(objectives=["capability", "cost"], points=3, exact=False, time_limit=60, threads=1)
    empty = [i for i, pt in enumerate(front.points_found, start=1) if not pt.decisions.funded()]
    assert empty, "the cheapest point of this front funds nothing"
    path = front.to_excel(tmp_path / "front.xlsx")
    book = load_plan_book(path)
    assert book.front_points == list(range(1, len(front.points_found) + 1))
    chosen = read_plan(path, inputs, point=empty[0])
    assert chosen.funded() == {} and chosen.adoptions == {}
    with pytest.raises(InputError, match=f"holds {len(front.points_found)} plans"):
        read_plan(path, inputs)


# --- a re-plan's previous plan: read against a workbook that has changed -------------------
def _previous(tmp_path: Path, inputs, book):
    """read_previous_plan of `book` against `inputs` read from new.xlsx (SHA-256 aa11…)."""
    from dataclasses import replace

    from data.plan_reader import read_previous_plan
    from data.tables import Source

    path = write_book(book, tmp_path / "plan.xlsx")
    return read_previous_plan(path, replace(inputs, source=Source("new.xlsx", "aa11")))


def test_a_previous_plan_keeps_the_ids_its_new_workbook_lacks_and_warns_once_per_id(tmp_path, inputs) -> None:
    """A changed workbook is the normal case for a re-plan: a programme, nation or standard it
    no longer has was an error ("not in the input workbook"), so no re-plan could drop it.
    The ids are kept (the re-plan lists each drop as a change) and each is one warning at
    its first cell, naming the plan file; another input SHA-256 is a warning too."""
    book = _book(Standards=[["nation", "standard", "adoption_year"], ["A", "S", 2030], ["C", "OLD", 2031]])
    book["Plan"] += [["A", "GONE", "national", 2030], ["B", "gone", "national", 2031], ["C", "P", "national", 2031]]
    book["Summary"] += [["input_file", "old.xlsx"], ["input_sha256", "FF00" * 16]]
    decisions, warnings = _previous(tmp_path, inputs, book)
    assert decisions.national == {("A", "P"): 2030, ("A", "GONE"): 2030, ("B", "GONE"): 2031, ("C", "P"): 2031}
    assert decisions.adoptions == {("A", "S"): 2030, ("C", "OLD"): 2031}
    assert decisions.joint["J"].members == ("A", "B")
    assert [str(w) for w in warnings] == [
        (
            "[plan.xlsx]Summary!B4: the plan was made from old.xlsx (SHA-256 ff00ff00ff00…), not from new.xlsx "
            "(SHA-256 aa11…) — the re-plan judges it against new.xlsx"
        ),
        (
            '[plan.xlsx]Plan!B5: programme "GONE" is not in the input workbook (nor in 1 more row of Plan) — '
            "the re-plan drops its fundings and lists each as a change"
        ),
        (
            '[plan.xlsx]Plan!A7: nation "C" is not in the input workbook (also in 1 row of Standards) — '
            "the re-plan drops its fundings and adoptions and lists each as a change"
        ),
        (
            '[plan.xlsx]Standards!B3: standard "OLD" is not in the input workbook — the re-plan drops its '
            "adoptions and lists each as a change"
        ),
    ]
    with pytest.raises(InputError, match='programme "GONE" is not in the input workbook'):
        read_plan(tmp_path / "plan.xlsx", inputs)  # the strict reading (stress) is unchanged


def test_a_previous_plan_of_the_same_workbook_reads_without_warnings(tmp_path, inputs, decisions) -> None:
    from data.plan_reader import read_previous_plan

    path = _written(tmp_path / "plan.xlsx", inputs, decisions)
    assert read_previous_plan(path, inputs) == (decisions, [])


def test_a_previous_plan_still_refuses_what_is_not_an_unknown_id(tmp_path, inputs) -> None:
    book = _book()
    book["Plan"] += [["A", "GONE", "national", 2030], ["B", "P", "national", "soon"]]
    with pytest.raises(InputError) as caught:
        _previous(tmp_path, inputs, book)
    assert [str(p) for p in caught.value.problems] == ['Plan!D6: start_year is "soon" — expected a year like 2028']


def test_a_previous_plan_none_of_which_the_workbook_knows_is_still_another_books_plan(tmp_path, inputs) -> None:
    """Re-planning it would only drop everything: the plan was made from another workbook."""
    book = _book(
        Plan=[["nation", "programme", "sharing", "start_year"], ["X", "Q", "national", 2030]],
        Contributions=[["programme", "nation", "year", "payment"]],
    )
    book["Summary"] += [["input_file", "old.xlsx"], ["input_sha256", "ff00" * 16]]
    with pytest.raises(InputError) as caught:
        _previous(tmp_path, inputs, book)
    assert [p.cell for p in caught.value.problems] == ["A2", "B2", ""]
    assert str(caught.value.warnings[0]).startswith("Summary: the plan was made from old.xlsx")


def test_a_previous_plan_that_is_no_plan_workbook_names_its_file(tmp_path, inputs) -> None:
    """A re-plan reads two workbooks: "Plan: sheet is missing" did not say which one."""
    book = _book()
    del book["Plan"]
    with pytest.raises(InputError) as caught:
        _previous(tmp_path, inputs, book)
    assert [str(p) for p in caught.value.problems] == [
        (
            "[plan.xlsx]Plan: sheet is missing — expected a plan workbook written by capopt (capopt solve or replan; "
            "a Pareto front's with --point)"
        )
    ]


def test_a_study_workbook_is_named_as_such(tmp_path, inputs) -> None:
    """A sweep's workbook given as a plan read "Plan: sheet is missing — expected a plan
    workbook written by capopt (capopt solve, replan)": not what the file was."""
    book = _book()
    del book["Plan"]
    book["Sweep"] = [["scenario", "budget_scale"], ["budget ×1", 1.0]]
    with pytest.raises(InputError) as caught:
        _previous(tmp_path, inputs, book)
    (problem,) = caught.value.problems
    assert str(problem).startswith(
        "[plan.xlsx]Plan: sheet is missing: the file is a budget sweep (capopt sweep), "
        "not one plan — expected a plan workbook"
    )
    assert str(problem).endswith(
        "for one of its plans, solve that budget alone (capopt solve on the workbook with its budgets scaled)"
    )


# --- plans edited by hand (an audit of plan workbooks as inputs) ----------------------------
def test_numbers_typed_as_text_read_as_an_input_workbook_reads_them(tmp_path, inputs) -> None:
    """A start year or a payment stored as text ("2030") was refused as "expected a year like
    2028", where the input reader takes it."""
    book = _book(
        Plan=[
            ["nation", "programme", "sharing", "start_year"],
            ["A", "P", "national", " 2030 "],
            ["A", "J", "joint", "2031"],
            ["B", "J", "joint", 2031],
        ],
        Contributions=[["programme", "nation", "year", "payment"], ["J", "A", "2031", "10"], ["J", "B", 2032, 10]],
    )
    read = read_plan(write_book(book, tmp_path / "plan.xlsx"), inputs)
    assert read.national == {("A", "P"): 2030}
    assert read.payments[("A", "J", 2031)] == 10.0


def test_a_front_whose_plan_sheet_lost_its_point_column_is_told_at_the_sheet(tmp_path, inputs) -> None:
    """Internal error: KeyError 'point' when the Pareto sheet still listed the points."""
    book = _book(Pareto=[["point", "capability", "cost"], [1, 10, 5], [2, 12, 7]])
    path = write_book(book, tmp_path / "front.xlsx")
    with pytest.raises(InputError, match="Plan: column point is missing — expected the front's point column"):
        read_plan(path, inputs, point=2)


def test_a_front_without_its_pareto_sheet_is_still_a_front(tmp_path, inputs) -> None:
    """The CLI asked for --point and then refused it: "is a plan, not a Pareto front"."""
    import cli

    book = _book(
        Plan=[
            ["point", "nation", "programme", "sharing", "start_year"],
            [1, "A", "P", "national", 2030],
            [2, "A", "P", "national", 2031],
        ],
        Contributions=[["point", "programme", "nation", "year", "payment"]],
    )
    front = load_plan_book(write_book(book, tmp_path / "front.xlsx"))
    plain = load_plan_book(write_book(_book(), tmp_path / "plan.xlsx"))
    assert front.is_front and front.front_points is None and not plain.is_front
    cli.check_point_has_a_front(2, [front])
    with pytest.raises(Exception, match="is a plan, not a Pareto front"):
        cli.check_point_has_a_front(2, [plain])


def test_huge_numbers_in_a_front_or_a_summary_are_told_not_crashed_on() -> None:
    """A Pareto point of 1e20 built a range of 1e20 numbers; a Summary gap of 1e308
    overflowed the rounding of percent_up (both "Internal error")."""
    from data.dashboard import percent_up
    from data.plan_reader import _point_list

    assert _point_list([1, 3, 10**20]) == "1, 3, 100000000000000000000"
    assert _point_list([1, 2, 3]) == "1–3"
    assert percent_up(1e308) == "> 1e+14 %" and percent_up(0.008295) == "0.83 %"


def test_a_misspelt_id_in_a_previous_plan_says_which_id_it_meant(tmp_path, inputs) -> None:
    """ "BRAOV" on a past row was dropped from history with no hint of BRAVO; on a joint row the
    error named only the payment it left without a member, never the misspelt cell."""
    inputs = _renamed_b(inputs)
    book = _book(
        Plan=[
            ["nation", "programme", "sharing", "start_year"],
            ["A", "P", "national", 2030],
            ["A", "J", "joint", 2031],
            ["BRAOV", "J", "joint", 2031],
        ],
        Contributions=[["programme", "nation", "year", "payment"], ["J", "A", 2031, 10], ["J", "BRAVO", 2032, 10]],
    )
    with pytest.raises(InputError) as caught:
        _previous(tmp_path, inputs, book)
    assert any(
        'Plan!A4: nation "BRAOV" is not in the input workbook (did you mean BRAVO?)' in str(w)
        for w in caught.value.warnings
    ), caught.value.warnings
    assert any("BRAVO pays to J but the Plan sheet has no joint row" in str(p) for p in caught.value.problems)


def _renamed_b(inputs):  # type: ignore[no-untyped-def]
    """The fixture's inputs with nation B called BRAVO (a name a slip can miss)."""
    from dataclasses import replace

    nations = tuple(replace(n, code="BRAVO") if n.code == "B" else n for n in inputs.nations)
    budgets = {("BRAVO" if n == "B" else n, y): v for (n, y), v in inputs.budgets.items()}
    return replace(inputs, nations=nations, budgets=budgets)


def test_a_plan_without_joint_programmes_needs_no_contributions_sheet(tmp_path, inputs) -> None:
    """An empty Contributions sheet deleted by a planner: "Contributions: sheet is missing"."""
    book = _book(Plan=[["nation", "programme", "sharing", "start_year"], ["A", "P", "national", 2030]])
    del book["Contributions"]
    assert read_plan(write_book(book, tmp_path / "plan.xlsx"), inputs).national == {("A", "P"): 2030}


def test_a_summary_without_its_input_sha256_row_is_said_to(tmp_path, inputs) -> None:
    """A deleted input_sha256 row was trusted without a word against a changed input of the
    same name; a blank one was warned about."""
    book = _book()
    book["Summary"] += [["input_file", "new.xlsx"]]
    _, warnings = _previous(tmp_path, inputs, book)
    assert any(
        "input_sha256 row is missing, so whether the plan was made from new.xlsx cannot be checked" in str(w)
        for w in warnings
    ), warnings


def test_a_plan_with_joint_programmes_needs_its_contributions_sheet(tmp_path, inputs) -> None:
    """Without it the joint programmes were read as paying 0, and the sheet was never named."""
    book = _book()
    del book["Contributions"]
    assert _errors(tmp_path, inputs, book)[0].startswith("Contributions: sheet is missing — expected a plan workbook")


def test_a_number_typed_with_separators_says_how_to_write_it(tmp_path, inputs) -> None:
    """A start year typed "2,030" in a text cell (or pasted from a report) was refused as
    "expected a year like 2028" with no word of the comma; the input reader's hint is given."""
    book = _book(
        Plan=[["nation", "programme", "sharing", "start_year"], ["A", "P", "national", "2,030"]],
        Contributions=[["programme", "nation", "year", "payment"], ["J", "A", "2 031", "1,5"]],
    )
    errors = _errors(tmp_path, inputs, book)
    assert (
        'Plan!D2: start_year is "2,030" (write a plain number: a point for decimals and no thousands '
        "separators, e.g. 1500.5) — expected a year like 2028"
    ) in errors
    assert any(
        e.startswith("Contributions!C2:") and "without spaces between the digits, e.g. 2031" in e for e in errors
    ), errors
    assert any(e.startswith("Contributions!D2:") and "a point for decimals" in e for e in errors), errors
