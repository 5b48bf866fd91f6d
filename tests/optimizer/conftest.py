"""A small factory for hand-built `Inputs` and plans, so each test states only what matters.

Plain functions (importable as `tests.optimizer.conftest`, which the brute-force
enumerator's random instances use too) plus fixtures handing them to tests.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest

from data.tables import (
    CapabilityArea,
    Commitment,
    Inputs,
    JointDecision,
    Nation,
    PlanDecisions,
    Precedence,
    Programme,
    Settings,
    Standard,
    Target,
)
from optimizer import Result, Scenario


def nation(
    code: str,
    role: str = "ally",
    max_concurrent: int | None = None,
    carry: float = 0.0,
    borrow: float = 0.0,
) -> Nation:
    return Nation(code, code, role, max_concurrent, carry, borrow)  # type: ignore[arg-type]


def programme(
    pid: str,
    duration: int = 1,
    cost: float = 10.0,
    sharing: str = "national",
    *,
    profile: Iterable[float] | None = None,
    ppc: float = 0.0,
    earliest: int | None = None,
    deadline: int | None = None,
    flexible: bool = False,
    group: str | None = None,
    risk: float = 0.0,
    min_participants: int | None = None,
    max_participants: int | None = None,
    min_share: float = 0.0,
    open_to_partners: bool = True,
) -> Programme:
    """A programme with WORKBOOK.md defaults; `profile` is normalised like CostProfiles."""
    shares = list(profile) if profile is not None else [1.0] * duration
    assert len(shares) == duration, "one profile share per year of duration"
    total = sum(shares)
    joint = sharing == "joint"
    return Programme(
        id=pid,
        name=pid,
        technology="",
        sharing=sharing,  # type: ignore[arg-type]
        duration_years=duration,
        total_cost=float(cost),
        per_participant_cost=float(ppc) if joint else 0.0,
        earliest_start=earliest,
        deadline=deadline,
        flexible_start=flexible,
        exclusive_group=group,
        trl=None,
        cost_overrun_risk=risk,
        min_participants=(2 if min_participants is None else min_participants) if joint else 1,
        max_participants=max_participants if joint else None,
        min_share=min_share if joint else 0.0,
        open_to_partners=open_to_partners if joint else True,
        profile=tuple(s / total for s in shares),
    )


def make_inputs(
    *,
    first_year: int = 2030,
    last_year: int = 2032,
    nations: Iterable[Nation] = (),
    budgets: float | Mapping[str, float | Iterable[float]] = 100.0,
    programmes: Iterable[Programme] = (),
    areas: Iterable[CapabilityArea] | Mapping[str, float] = ("air",),
    values: Mapping[tuple[str, str], float] | None = None,
    standards: Iterable[Standard] = (),
    requirements: Iterable[tuple[str, str]] = (),
    precedences: Iterable[Precedence | tuple[str, str] | tuple[str, str, str]] = (),
    targets: Iterable[Target | tuple[str, str, int, float]] = (),
    commitments: Iterable[Commitment | tuple[Any, ...]] = (),
    **settings: Any,
) -> Inputs:
    """Tiny validated-looking Inputs.

    `nations` defaults to allies A and B. `budgets` is one number for every nation and
    year, or per nation a number or a list with one entry per year. `areas` are ids
    (weight 1) or id -> weight. `values` default to 1 point per programme in the first
    area. Precedences, targets and commitments may be given as plain tuples.
    """
    nation_list = tuple(nations) or (nation("A"), nation("B"))
    years = range(first_year, last_year + 1)
    budget_map: dict[tuple[str, int], float] = {}
    for n in nation_list:
        spec = budgets if isinstance(budgets, (int, float)) else budgets.get(n.code, 0.0)
        per_year = [float(spec)] * len(years) if isinstance(spec, (int, float)) else list(spec)
        assert len(per_year) == len(years), f"one budget per year for {n.code}"
        budget_map.update({(n.code, y): float(b) for y, b in zip(years, per_year)})
    if isinstance(areas, Mapping):
        area_list = tuple(CapabilityArea(a, a, float(w)) for a, w in areas.items())
    else:
        area_list = tuple(a if isinstance(a, CapabilityArea) else CapabilityArea(a, a, 1.0) for a in areas)
    programme_list = tuple(programmes)
    if values is None:
        values = {(p.id, area_list[0].id): 1.0 for p in programme_list}
    return Inputs(
        settings=Settings(first_year=first_year, last_year=last_year, **settings),
        nations=nation_list,
        budgets=budget_map,
        programmes=programme_list,
        areas=area_list,
        values={k: float(v) for k, v in values.items() if v},
        standards=tuple(standards),
        requirements=tuple(requirements),
        precedences=tuple(_precedence(p) for p in precedences),
        targets=tuple(_target(t, row) for row, t in enumerate(targets, start=2)),
        commitments=tuple(_commitment(c, row) for row, c in enumerate(commitments, start=2)),
    )


def standard(sid: str, cost: float = 0.0, min_adopters: int = 1, weight: float = 1.0) -> Standard:
    return Standard(sid, sid, float(cost), min_adopters, float(weight))


def _precedence(spec: Precedence | tuple[str, ...]) -> Precedence:
    if isinstance(spec, Precedence):
        return spec
    before, after, *scope = spec
    return Precedence(before, after, scope[0] if scope else "same_nation")  # type: ignore[arg-type]


def _target(spec: Target | tuple[str, str, int, float], row: int) -> Target:
    if isinstance(spec, Target):
        return spec
    who, area, year, value = spec
    return Target(who, area, year, float(value), row)


def _commitment(spec: Commitment | tuple[Any, ...], row: int) -> Commitment:
    """(nation, programme, action[, start_year])."""
    if isinstance(spec, Commitment):
        return spec
    who, pid, action, *start = spec
    return Commitment(who, pid, action, start[0] if start else None, row)


def plan(
    national: Mapping[tuple[str, str], int] | None = None,
    joint: Mapping[str, tuple[int, Iterable[str]]] | None = None,
    payments: Mapping[tuple[str, str, int], float] | None = None,
    adoptions: Mapping[tuple[str, str], int] | None = None,
) -> PlanDecisions:
    """PlanDecisions with joint decisions given as programme -> (start, members)."""
    return PlanDecisions(
        national=dict(national or {}),
        joint={p: JointDecision(t, tuple(m)) for p, (t, m) in (joint or {}).items()},
        payments=dict(payments or {}),
        adoptions=dict(adoptions or {}),
    )


@pytest.fixture
def make() -> Any:
    """The factory as one namespace: make.inputs(...), make.programme(...), make.plan(...)."""

    class Factory:
        inputs = staticmethod(make_inputs)
        programme = staticmethod(programme)
        nation = staticmethod(nation)
        standard = staticmethod(standard)
        plan = staticmethod(plan)

    return Factory


def three_programmes() -> Inputs:
    """2030–2033, one ally with 6 a year: one programme of 6 per year. P is worth 1 a year,
    Q 2, R 3 (the re-plan tests' and the study-argument tests' scenario)."""
    return make_inputs(
        first_year=2030,
        last_year=2033,
        nations=[nation("A")],
        budgets=6.0,
        programmes=[programme("P", 1, 6), programme("Q", 1, 6), programme("R", 1, 6)],
        values={("P", "air"): 1.0, ("Q", "air"): 2.0, ("R", "air"): 3.0},
    )


# --- a two-nation scenario, solved, and the small example read from a copy ----------------
SMALL = Path(__file__).resolve().parents[2] / "examples" / "small" / "small.xlsx"


def two_nations() -> Scenario:
    """Budget 10 a year for A and B; P1 (cost 6, value 5) and P2 (cost 6, value 4)."""
    return Scenario(
        make_inputs(
            first_year=2030,
            last_year=2031,
            nations=[nation("A"), nation("B")],
            budgets=10.0,
            programmes=[programme("P1", cost=6), programme("P2", cost=6)],
            values={("P1", "air"): 5.0, ("P2", "air"): 4.0},
        )
    )


@pytest.fixture(scope="module")
def solved() -> Result:
    return two_nations().solve(time_limit=20, gap=0)


@pytest.fixture()
def small_copy(tmp_path: Path) -> Scenario:
    """The small example read from a copy, so a fault that overwrites it harms nothing."""
    book = tmp_path / "small.xlsx"
    shutil.copyfile(SMALL, book)
    return Scenario.from_excel(book)
