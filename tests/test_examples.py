"""The example scripts run as a user would run them (a subprocess, the real CLI entry)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "examples" / "small" / "small.xlsx"


def test_whatif_study_ranks_every_nation(tmp_path):
    out = tmp_path / "ranking.xlsx"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "examples" / "whatif_study.py"),
            str(SMALL),
            "--cut",
            "0.5",
            "--workers",
            "2",
            "--time-limit",
            "30",
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Alliance capability lost" in done.stdout
    assert " scenarios, " in done.stdout  # a progress line per scenario solved
    rows = list(openpyxl.load_workbook(out)["Ranking"].iter_rows(min_row=2, values_only=True))
    from optimizer import Scenario

    nations = {n.code for n in Scenario.from_excel(SMALL).inputs.nations}
    assert {r[0] for r in rows} == nations
    lost = [r[3] for r in rows]
    assert lost == sorted(lost, reverse=True)
    assert max(lost) > 0, "halving some nation's budget must cost capability"
    wb = openpyxl.load_workbook(out)
    header = [c.value for c in wb["Ranking"][1]]
    at_least, at_most = header.index("capability_lost_at_least"), header.index("capability_lost_at_most")
    for row in rows:  # the solves' bounds bracket the loss of the plans shown
        assert row[at_least] - 1e-6 <= row[3] <= row[at_most] + 1e-6
    summary = {r[0]: r[1] for r in wb["Summary"].iter_rows(values_only=True)}
    assert summary["solved"] == len(nations) + 1 and len(summary["input_sha256"]) == 64
    assert wb["Scenarios"].max_row == len(nations) + 2  # header, the base and one row per nation


def test_whatif_study_says_on_screen_when_its_ranking_is_not_proven():
    """At 8 s a scenario the ranking printed as a result, with only the workbook saying
    "0 of 36 proven" (two cuts even scored above the uncut base)."""
    import importlib.util
    from types import SimpleNamespace

    spec = importlib.util.spec_from_file_location("whatif_study", ROOT / "examples" / "whatif_study.py")
    assert spec is not None and spec.loader is not None
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)

    def point(status: str, gap: float) -> SimpleNamespace:
        return SimpleNamespace(result=SimpleNamespace(status=status, gap=gap))

    proven = SimpleNamespace(points=[point("optimal", 0.004), point("optimal", 0.009)])
    assert example.proof_caveat(proven) is None
    rough = SimpleNamespace(points=[point("feasible", 0.124), point("optimal", 0.009), point("feasible", 0.05)])
    assert example.proof_caveat(rough).startswith("2 of 3 solves not proven within the gap target, gaps up to 12.4%")


def test_whatif_study_says_how_its_scenarios_share_the_cores():
    """Its docstring and --help said "side by side on all local cores", but on mid-size models,
    the reference dataset (its default) among them, a sweep solves one scenario at a time on
    every core (README, "Sweeps and flexibility runs"): the Summary said `workers` 1."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "whatif_study.py"), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=False,
        env={**os.environ, "COLUMNS": "500"},
    )  # argparse wraps "mid-size" otherwise
    assert done.returncode == 0, done.stderr
    text = " ".join(done.stdout.split())
    assert "mid-size models such as the reference dataset: one scenario at a time on every core" in text
    assert "seconds per scenario (default 60)" in text
