"""The bundled reference dataset and the small example: reproducible, shipped, in range, valid."""

from __future__ import annotations

import csv
import re
import sys
import tomllib
from pathlib import Path

import openpyxl
import pytest

from data.reader import load_inputs
from data.reference import REFERENCE_FILE, reference_path
from data.reference import build_reference as br

ROOT = Path(__file__).resolve().parents[1]
REFERENCE_DIR = ROOT / "data" / "reference"
SMALL_DIR = ROOT / "examples" / "small"


def source_rows(name: str) -> list[dict[str, str]]:
    with (REFERENCE_DIR / "sources" / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def cell_values(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every sheet's cell values, row by row: what a planner sees, without file metadata."""
    wb = openpyxl.load_workbook(path)
    return {ws.title: [tuple(row) for row in ws.iter_rows(values_only=True)] for ws in wb}


def load_small_builder():
    """examples/ is not a package: load build_small.py by path, as a user would run it."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_small", SMALL_DIR / "build_small.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("build_small", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def reference():
    inputs, warnings = load_inputs(reference_path())
    return inputs, warnings


# --- reproducibility -----------------------------------------------------------------
def test_builder_is_deterministic(tmp_path):
    first = br.write_reference(tmp_path / "a.xlsx")
    second = br.write_reference(tmp_path / "b.xlsx")
    assert cell_values(first) == cell_values(second)


def test_shipped_workbook_is_what_the_builder_makes(tmp_path):
    """Forgetting to rerun the builder after editing it would ship stale data."""
    fresh = br.write_reference(tmp_path / "fresh.xlsx")
    assert cell_values(reference_path()) == cell_values(fresh)


def test_workbook_timestamps_are_fixed(tmp_path):
    props = openpyxl.load_workbook(br.write_reference(tmp_path / "a.xlsx")).properties
    assert props.created == br.FIXED_TIMESTAMP


def test_small_example_is_what_its_builder_makes(tmp_path):
    builder = load_small_builder()
    out = tmp_path / "small.xlsx"
    builder.main(["--output", str(out)])
    assert cell_values(SMALL_DIR / "small.xlsx") == cell_values(out)


# --- where it ships ------------------------------------------------------------------
def test_reference_ships_where_the_package_expects_it():
    path = reference_path()
    assert path == REFERENCE_DIR / REFERENCE_FILE
    assert path.is_file()
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["data"]
    assert "reference/*.xlsx" in package_data


# --- content -------------------------------------------------------------------------
def test_all_allies_with_armed_forces_and_some_partners(reference):
    inputs, _ = reference
    allies = set(inputs.allies)
    published = {
        row["code"] for row in source_rows("defence_expenditure.csv") if row["defence_expenditure_musd"].strip()
    }
    assert len(allies) == 31
    assert allies == published
    assert "ISL" not in inputs.nation_by_code  # no armed forces, no expenditure figures
    partners = [n for n in inputs.nations if n.role == "partner"]
    assert 3 <= len(partners) <= 5


def test_sizes_and_settings_in_range(reference):
    inputs, _ = reference
    s = inputs.settings
    assert 40 <= len(inputs.programmes) <= 80
    assert len(inputs.years) >= 10
    assert s.planning_cycle_years == 4
    assert s.carry_over_fraction > 0 and s.borrow_fraction == 0
    assert s.mip_gap == pytest.approx(0.01)
    joint = [p for p in inputs.programmes if p.is_joint]
    assert 5 <= len(joint) <= 15
    assert any(p.open_to_partners for p in joint)
    assert any(p.flexible_start for p in inputs.programmes)
    assert any(not p.flexible_start for p in inputs.programmes)
    assert all(2 <= p.duration_years <= 6 for p in inputs.programmes)
    assert all(0.1 <= p.cost_overrun_risk <= 0.6 for p in inputs.programmes)
    assert all(p.trl is not None and 1 <= p.trl <= 9 for p in inputs.programmes)


def test_every_nation_has_a_budget_in_every_year(reference):
    inputs, _ = reference
    for nation in inputs.nations:
        for year in inputs.years:
            assert inputs.budget(nation.code, year) > 0, (nation.code, year)


def test_ally_budgets_follow_the_stated_formula(reference):
    """README: share x expenditure x equipment share / USD per EUR, grown from 2024."""
    inputs, _ = reference
    for row in source_rows("defence_expenditure.csv"):
        if not row["defence_expenditure_musd"].strip():
            continue
        equipment_musd = float(row["defence_expenditure_musd"]) * float(row["equipment_share_pct"]) / 100
        for year in (inputs.years[0], inputs.years[-1]):
            expected = (
                br.EDT_SHARE_OF_EQUIPMENT
                * equipment_musd
                / br.USD_PER_EUR
                * (1 + br.BUDGET_GROWTH) ** (year - br.BASE_YEAR)
            )
            assert inputs.budget(row["code"], year) == pytest.approx(expected, abs=0.051)


def test_model_features_are_exercised(reference):
    inputs, _ = reference
    assert {p.sharing for p in inputs.programmes} == {"national", "joint"}
    assert {pr.scope for pr in inputs.precedences} == {"same_nation", "any_nation"}
    assert len({p.exclusive_group for p in inputs.programmes if p.exclusive_group}) >= 2
    assert any(s.min_adopters > 1 for s in inputs.standards)
    assert any(n.max_concurrent_programmes is not None for n in inputs.nations)
    assert {t.nation == "ALLIANCE" for t in inputs.targets} == {True, False}
    assert {c.action for c in inputs.commitments} >= {"fund"}
    assert inputs.requirements
    assert any(len(set(p.profile)) > 1 for p in inputs.programmes)  # some uneven cost profiles


def test_reference_names_only_things_in_its_sources():
    br.check_against_sources()  # raises on any unknown EDT area, capability area or standard


def test_every_copied_source_is_described():
    notes = (REFERENCE_DIR / "sources" / "SOURCES.md").read_text()
    for csv_file in (REFERENCE_DIR / "sources").glob("*.csv"):
        assert csv_file.name in notes


# --- validation ----------------------------------------------------------------------
def test_reference_validates_without_warnings(reference):
    _, warnings = reference
    assert list(warnings) == []


def test_small_example_validates_without_warnings():
    inputs, warnings = load_inputs(SMALL_DIR / "small.xlsx")
    assert list(warnings) == []
    assert len(inputs.nations) == 3 and len(inputs.years) == 5
    assert sum(p.is_joint for p in inputs.programmes) == 1
    assert len(inputs.standards) == len(inputs.precedences) == len(inputs.targets) == 1


def readme_objectives() -> dict[str, float]:
    """The expected values as the small example's README states them (one source of truth)."""
    text = (SMALL_DIR / "README.md").read_text()
    found = re.findall(r"^\| (shortfall|capability|cost)[^|]*\| \*\*([0-9.]+)\*\*", text, re.MULTILINE)
    return {name: float(value) for name, value in found}


def test_small_example_solves_to_the_readme_optimum():
    from optimizer import Scenario

    expected = readme_objectives()
    assert set(expected) == {"shortfall", "capability", "cost"}
    result = Scenario.from_excel(SMALL_DIR / "small.xlsx").solve(time_limit=30)
    assert result.status == "optimal"
    for name, value in expected.items():
        assert result.objectives[name] == pytest.approx(value, abs=1e-6), name
    funded = {(row.nation, row.programme, row.start_year) for row in result.plan.itertuples()}
    assert ("BRAVO", "P1", 2027) in funded  # the target pulls BRAVO's P1 forward
    assert not {p for _, p, _ in funded} & {"P4", "P5"}  # left out, as the README argues


def test_reference_model_keeps_dual_simplex_for_its_root_lp(reference):
    """The main job was measured faster with HiGHS's default root LP than with interior
    point (docs/benchmarks.md), so the reference model must stay below the size from which
    capopt switches to interior point (and, larger still, to fix-and-optimise first)."""
    import highspy

    from models import build_model
    from optimizer.session import IMPROVE_FROM_NONZEROS
    from optimizer.solve.highs_model import HighsModel
    from optimizer.solve.solver import IPM_ROOT_FROM_NONZEROS

    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    HighsModel(build_model(reference[0]), highs)
    assert 0 < highs.getNumNz() < IPM_ROOT_FROM_NONZEROS < IMPROVE_FROM_NONZEROS
