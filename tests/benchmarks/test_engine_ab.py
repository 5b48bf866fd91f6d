"""The A/B runner changes exactly the engine constant it is given, keeping its type."""

from __future__ import annotations

import pytest

from benchmarks import engine_ab
from optimizer.solve.engine import engine, neighbourhoods


def test_apply_sets_the_named_constant_with_its_type(monkeypatch: pytest.MonkeyPatch) -> None:
    # registered with monkeypatch first, so the test leaves the constants as it found them
    monkeypatch.setattr(engine, "TASKS_PER_WORKER", engine.TASKS_PER_WORKER)
    monkeypatch.setattr(neighbourhoods, "FIRST_FREE_COLUMNS", neighbourhoods.FIRST_FREE_COLUMNS)
    engine_ab.apply(["TASKS_PER_WORKER=3", "FIRST_FREE_COLUMNS=1000"])
    assert engine.TASKS_PER_WORKER == 3 and isinstance(engine.TASKS_PER_WORKER, int)
    assert neighbourhoods.FIRST_FREE_COLUMNS == 1000


def test_apply_refuses_an_unknown_name() -> None:
    with pytest.raises(SystemExit, match="no engine constant named NOT_A_CONSTANT"):
        engine_ab.apply(["NOT_A_CONSTANT=1"])


def test_the_reference_dataset_is_judged_by_its_capability(capsys):
    """`--size reference --robust G`: the bundled dataset's lexicographic solve with G
    overruns per nation and year; the value is the plan's capability, as printed."""
    value = engine_ab.run_one("reference", False, 4.0, [], robust=1)
    line = next(row for row in capsys.readouterr().out.splitlines() if row.startswith("RESULT"))
    assert value > 0 and float(line.split()[1]) == round(value, 1)
