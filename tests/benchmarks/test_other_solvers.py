"""The other-solvers probe writes the reference stages a default run solves, with their holds,
as MPS that a solver reads back with the right sense and size; and HiGHS solves one."""

from __future__ import annotations

from pathlib import Path

import highspy
import pytest

from benchmarks import other_solvers


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    paths = other_solvers.write_models(tmp_path_factory.mktemp("mps"), capability_hold=39_000.0)
    return {path.stem: path for path in paths}


def _read(path: Path) -> highspy.HighsLp:
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    assert highs.readModel(str(path)) == highspy.HighsStatus.kOk
    return highs.getLp()


def test_each_stage_has_its_sense_and_the_holds_a_default_run_puts_on_it(written: dict[str, Path]) -> None:
    assert set(written) == {"capability", "cost", "shortfall_06"}
    lps = {name: _read(path) for name, path in written.items()}
    assert lps["capability"].sense_ == highspy.ObjSense.kMaximize
    assert lps["cost"].sense_ == lps["shortfall_06"].sense_ == highspy.ObjSense.kMinimize
    # the same columns; the cost stage adds the capability hold to the shortfall hold, and
    # the sweep point's first stage has neither
    assert lps["capability"].num_col_ == lps["cost"].num_col_ == lps["shortfall_06"].num_col_
    assert lps["cost"].num_row_ == lps["capability"].num_row_ + 1 == lps["shortfall_06"].num_row_ + 2


def test_highs_solves_a_written_stage_and_the_line_says_how_far_it_got(written: dict[str, Path]) -> None:
    line = other_solvers.solve_highs(written["capability"], seconds=2.0, seed=0)
    seconds, rest = line.split(" s ", 1)
    assert 0 < float(seconds) < 30  # the 2-s limit, with HiGHS's own overrun
    assert rest.split()[0] in {"Optimal", "Time"} and "bound" in rest and "nodes" in rest
