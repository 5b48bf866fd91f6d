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
