"""README.md's Python code runs as a user would run it, on the bundled reference dataset."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"

# Seconds for every solve and study of the README's code: its own limits (60 s, 120 s) and the
# reference Settings sheet's (300 s, which pareto, budget_sweep, sweep and flexibility_value take)
# would make this test run for half an hour. Every solve starts from the greedy plan, so even
# this limit ends in plans (status "feasible"): the same calls, options and outputs are
# exercised, only not proven optimal. 3 s keeps the whole test under a minute on 2 cores (4 s
# took 80 s, 5 s about 95 s: budget_sweep and flexibility_value solve 5 and 4 points).
SECONDS = 3

# The README reads the user's workbook; the test has the bundled one, which the README names as
# the alternative and whose ids (DEU, FRA, POL, N07, N12, CA-C2) its code uses. Its Settings
# time limit is shortened so that the studies that take their limit from it end quickly.
USER_WORKBOOK = 'Scenario.from_excel("my.xlsx")'
REFERENCE = f"Scenario.reference().with_settings(time_limit_seconds={SECONDS})"
TIME_LIMIT = re.compile(r"\btime_limit=\d+(?:\.\d+)?\b")


def python_blocks(text: str) -> list[str]:
    """The code of every ```python fence, in order."""
    return re.findall(r"^```python[ \t]*\n(.*?)^```[ \t]*$", text, flags=re.MULTILINE | re.DOTALL)


def test_readme_python_code_runs_on_the_reference_dataset(tmp_path, monkeypatch, capsys):
    blocks = python_blocks(README.read_text(encoding="utf-8"))
    # the "From Python" block; a new ```python block fails here until this test runs it too
    assert len(blocks) == 1, f"README.md has {len(blocks)} python blocks — expected 1, the 'From Python' one"
    code = blocks[0]
    assert "from optimizer import Scenario, sweep" in code

    assert code.count(USER_WORKBOOK) == 1, f"README's block no longer reads {USER_WORKBOOK}"
    code = code.replace(USER_WORKBOOK, REFERENCE)
    # every time_limit= argument the README writes is a literal, and each one is shortened
    code, shortened = TIME_LIMIT.subn(f"time_limit={SECONDS}", code)
    assert shortened >= 1 and shortened == code.count("time_limit="), "a time_limit= argument was not shortened"
    # `sweep(..., workers=2)` runs as written: spawned workers re-import the optimizer, never
    # this code (the pytest process's main module is guarded), as in tests/optimizer/studies.

    monkeypatch.chdir(tmp_path)  # plan.xlsx, which the block writes and then reads, lands here
    namespace: dict[str, object] = {"__name__": "readme"}
    exec(compile(code, str(README), "exec"), namespace)  # noqa: S102 — running the README is the point
    printed = capsys.readouterr().out

    assert (tmp_path / "plan.xlsx").is_file()
    result, other = namespace["result"], namespace["other"]
    for solved in (result, other):
        assert solved.status in {"optimal", "feasible"}, solved.status
        assert not solved.plan.empty
    assert "capability:CA-C2" in result.objectives
    assert namespace["scenario"].inputs.settings.time_limit_seconds == SECONDS  # the studies' limit too
    assert namespace["cut"].inputs.source.changes[-1] == "budgets ×0.9 for DEU, FRA in 2028–2030"

    # result.compare(other) and other.compare("plan.xlsx") are both printed
    assert printed.count("Objectives:") == 2 and printed.count("Plan changes:") == 2, printed

    front = namespace["front"]
    assert len(front.plans) == len(front.points) >= 1
    # 3 s is no time for a front of this model: each payoff-table solve gets ~0.6 s, which
    # on a quiet machine finds the cheapest plan (a second point), but twice neither row got
    # past the greedy start plan (1 point, the greedy plan's; the grid then has one level and
    # is walked at once). A front of one point must then not claim to be complete.
    assert len(front.points) >= 2 or (not front.payoff_proven and not front.proven_complete)
    curve = namespace["curve"]
    assert len(curve.points) == 5 and curve.complete
    assert set(curve.table["status"]) <= {"optimal", "feasible"}
    study = namespace["study"]
    assert len(study.points) == 2 and study.complete
    assert study.workers == 2, "sweep(..., workers=2) fell back to this process alone"
    value = namespace["value"]
    assert {"rigid", "flexible"} <= set(value.by_objective.columns)
    assert not value.by_nation.empty
