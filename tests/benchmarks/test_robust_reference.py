"""The re-plan table's change column adds up: fundings by kind, then standard adoptions."""

from __future__ import annotations

import pandas as pd

from benchmarks.robust_reference import change_counts
from data.tables import PlanDecisions
from optimizer.studies.replan import ADOPTION, CHANGE_COLUMNS, FUNDING, ReplanResult


def _outcome(rows: list[tuple[str, str]]) -> ReplanResult:
    """A re-plan whose Changes table holds one row per (change, decision); nothing else is read."""
    table = pd.DataFrame(
        [{**dict.fromkeys(CHANGE_COLUMNS), "change": change, "decision": decision} for change, decision in rows],
        columns=list(CHANGE_COLUMNS),
    )
    return ReplanResult(
        result=None,
        previous=PlanDecisions({}, {}, {}, {}),  # type: ignore[arg-type]
        from_year=2029,
        stability_weight=0.0,
        changes=table,
        objective_deltas=pd.DataFrame(),
    )


def test_adoption_changes_are_counted_apart_from_fundings() -> None:
    """Adoption rows ("adoption added", …) are changes too: "(added/dropped/moved)" of the
    fundings alone printed 305 (208/12/5) for a re-plan with 80 adoption changes."""
    outcome = _outcome(
        [("added", FUNDING)] * 3
        + [("dropped", FUNDING), ("moved", FUNDING), ("kept", FUNDING)]
        + [("adoption added", ADOPTION), ("adoption moved", ADOPTION)]
    )
    assert change_counts(outcome) == "7: 5 (3/1/1) + 2"


def test_no_change_is_a_zero() -> None:
    assert change_counts(_outcome([])) == "0"
    assert change_counts(_outcome([("kept", FUNDING)])) == "0"
