"""Settings `robust_overruns` (Γ) and its per-nation override: read, checked, written back."""

from __future__ import annotations

from pathlib import Path

from data.input_writer import write_inputs
from data.reader import load_inputs
from tests.data.fixtures.books import errors_of, inputs_of, minimal_book, put


def test_robust_overruns_defaults_to_zero_for_every_nation() -> None:
    inputs = inputs_of(minimal_book())
    assert inputs.settings.robust_overruns == 0
    assert [inputs.robust_overruns(n.code) for n in inputs.nations] == [0, 0, 0]


def test_nation_value_overrides_the_settings_value() -> None:
    book = minimal_book()
    book["Settings"].append(["robust_overruns", 2])
    put(book, "Nations", 3, "robust_overruns", 0)
    inputs = inputs_of(book)
    assert inputs.settings.robust_overruns == 2
    assert [inputs.robust_overruns(n.code) for n in inputs.nations] == [2, 0, 2]


def test_changed_setting_reaches_nations_without_an_own_value() -> None:
    from optimizer.whatif import with_settings

    book = minimal_book()
    put(book, "Nations", 2, "robust_overruns", 1)
    changed = with_settings(inputs_of(book), robust_overruns=3)
    assert [changed.robust_overruns(n.code) for n in changed.nations] == [1, 3, 3]


def test_negative_or_fractional_gamma_is_an_error() -> None:
    book = minimal_book()
    book["Settings"].append(["robust_overruns", -1])
    put(book, "Nations", 2, "robust_overruns", 1.5)
    assert errors_of(book) == [
        "Settings!B4: robust_overruns is -1 — expected a whole number ≥ 0",
        "Nations!D2: robust_overruns is 1.5 — expected a whole number ≥ 0",
    ]


def test_gamma_round_trips_through_the_input_writer(tmp_path: Path) -> None:
    book = minimal_book()
    book["Settings"].append(["robust_overruns", 2])
    put(book, "Nations", 4, "robust_overruns", 1)
    inputs = inputs_of(book)
    again, _ = load_inputs(write_inputs(inputs, tmp_path / "again.xlsx"))
    assert again.settings.robust_overruns == 2
    assert [n.robust_overruns for n in again.nations] == [None, None, 1]
