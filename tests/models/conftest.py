"""Tiny hand-made `Inputs` for the micro-model tests, a synthetic scale instance, and a solve helper."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

import pyomo.environ as pyo
import pytest
from pyomo.contrib.appsi.base import TerminationCondition
from pyomo.contrib.appsi.solvers import Highs

from data.tables import (
    CapabilityArea,
    Commitment,
    Inputs,
    Nation,
    Precedence,
    Programme,
    Settings,
    Standard,
    Target,
    objective_sense,
)

FIRST_YEAR = 2030


def nation(
    code: str,
    role: str = "ally",
    *,
    carry: float = 0.0,
    borrow: float = 0.0,
    max_concurrent: int | None = None,
) -> Nation:
    return Nation(
        code=code,
        name=code,
        role=role,  # type: ignore[arg-type]
        max_concurrent_programmes=max_concurrent,
        carry_over_fraction=carry,
        borrow_fraction=borrow,
    )


def programme(
    pid: str,
    cost: float = 6.0,
    duration: int = 1,
    *,
    joint: bool = False,
    profile: tuple[float, ...] | None = None,
    per_participant_cost: float = 0.0,
    earliest_start: int | None = None,
    deadline: int | None = None,
    flexible_start: bool = False,
    exclusive_group: str | None = None,
    risk: float = 0.0,
    min_participants: int | None = None,
    max_participants: int | None = None,
    min_share: float = 0.0,
    open_to_partners: bool = True,
) -> Programme:
    """A programme with the workbook's defaults (even profile; joint: at least 2 members)."""
    return Programme(
        id=pid,
        name=pid,
        technology="tech",
        sharing="joint" if joint else "national",
        duration_years=duration,
        total_cost=cost,
        per_participant_cost=per_participant_cost if joint else 0.0,
        earliest_start=earliest_start,
        deadline=deadline,
        flexible_start=flexible_start,
        exclusive_group=exclusive_group,
        trl=None,
        cost_overrun_risk=risk,
        min_participants=(2 if min_participants is None else min_participants) if joint else 1,
        max_participants=max_participants if joint else None,
        min_share=min_share if joint else 0.0,
        open_to_partners=open_to_partners if joint else False,
        profile=profile or tuple(1.0 / duration for _ in range(duration)),
    )


def make_inputs(
    programmes: list[Programme],
    *,
    years: int = 1,
    nations: list[Nation] | tuple[str, ...] = ("A",),
    budget: float | Mapping[str, float | Mapping[int, float]] = 10.0,
    values: Mapping[str, float] | Mapping[tuple[str, str], float] | None = None,
    areas: Mapping[str, float] = {"AIR": 1.0},
    standards: list[Standard] = (),  # type: ignore[assignment]
    requirements: tuple[tuple[str, str], ...] = (),
    precedences: tuple[Precedence, ...] = (),
    targets: tuple[Target, ...] = (),
    commitments: tuple[Commitment, ...] = (),
    **settings: Any,
) -> Inputs:
    """Inputs over `years` years from 2030.

    `budget` is one number for every nation and year, or per nation a number or {year: amount}.
    `values` maps programme -> points in the first area, or (programme, area) -> points;
    by default every programme is worth 1 point in the first area.
    """
    nations = [nation(n) if isinstance(n, str) else n for n in nations]
    span = range(FIRST_YEAR, FIRST_YEAR + years)
    budgets: dict[tuple[str, int], float] = {}
    for n in nations:
        per_nation = budget if isinstance(budget, (int, float)) else budget.get(n.code, 0.0)
        for t in span:
            amount = per_nation if isinstance(per_nation, (int, float)) else per_nation.get(t, 0.0)
            budgets[n.code, t] = float(amount)
    first_area = next(iter(areas))
    if values is None:
        values = {p.id: 1.0 for p in programmes}
    point_map = {(key if isinstance(key, tuple) else (key, first_area)): float(v) for key, v in values.items() if v}
    return Inputs(
        settings=Settings(first_year=FIRST_YEAR, last_year=FIRST_YEAR + years - 1, **settings),
        nations=tuple(nations),
        budgets=budgets,
        programmes=tuple(programmes),
        areas=tuple(CapabilityArea(id=a, name=a, weight=w) for a, w in areas.items()),
        values=point_map,
        standards=tuple(standards),
        requirements=tuple(requirements),
        precedences=tuple(precedences),
        targets=tuple(targets),
        commitments=tuple(commitments),
    )


def standard(sid: str, cost: float = 0.0, *, min_adopters: int = 1, weight: float = 1.0) -> Standard:
    return Standard(id=sid, name=sid, adoption_cost=cost, min_adopters=min_adopters, weight=weight)


def target(nation_code: str, year: int, amount: float, area: str = "AIR") -> Target:
    return Target(nation=nation_code, area=area, year=year, target=amount, row=2)


def commitment(nation_code: str, pid: str, action: str = "fund", start_year: int | None = None) -> Commitment:
    return Commitment(
        nation=nation_code,
        programme=pid,
        action=action,  # type: ignore[arg-type]
        start_year=start_year,
        row=2,
    )


def solve(m: pyo.ConcreteModel, weights: Mapping[str, float]) -> TerminationCondition:
    """Maximise Σ sign·weight·objective_expr[name] with HiGHS; load the solution if optimal.

    Secondary weights are small tie-breakers, so each test's asserted optimum is unique.
    """
    sign = {"max": 1.0, "min": -1.0}
    if hasattr(m, "test_objective"):
        m.del_component(m.test_objective)
    m.test_objective = pyo.Objective(
        expr=sum(sign[objective_sense(k)] * w * m.objective_expr[k] for k, w in weights.items()),
        sense=pyo.maximize,
    )
    solver = Highs()
    solver.config.load_solution = False
    solver.highs_options = {"mip_rel_gap": 0.0, "threads": 1}
    result = solver.solve(m)
    if result.termination_condition == TerminationCondition.optimal:
        result.solution_loader.load_vars()
    return result.termination_condition


def solve_optimal(m: pyo.ConcreteModel, weights: Mapping[str, float]) -> None:
    status = solve(m, weights)
    assert status == TerminationCondition.optimal, status


def value(m: pyo.ConcreteModel, name: str) -> float:
    return float(pyo.value(m.objective_expr[name]))


def synthetic_inputs(nations: int = 40, programmes: int = 60, years: int = 12, seed: int = 1) -> Inputs:
    """A random instance of realistic shape (a fifth partners, a third joint, every feature used)."""
    rng = random.Random(seed)
    codes = [f"N{i:02d}" for i in range(nations)]
    people = [
        nation(
            c,
            "partner" if i % 5 == 4 else "ally",
            carry=0.2 if i % 3 == 0 else 0.0,
            borrow=0.1 if i % 6 == 0 else 0.0,
            max_concurrent=4 if i % 4 == 0 else None,
        )
        for i, c in enumerate(codes)
    ]
    progs = []
    for i in range(programmes):
        joint = i % 3 == 2
        duration = rng.randint(1, 5)
        progs.append(
            programme(
                f"P{i:02d}",
                cost=rng.uniform(50, 500),
                duration=duration,
                joint=joint,
                per_participant_cost=rng.uniform(0, 20),
                earliest_start=FIRST_YEAR + rng.randint(0, 3),
                deadline=FIRST_YEAR + rng.randint(6, years + 2) if i % 7 == 0 else None,
                flexible_start=i % 2 == 0,
                exclusive_group=f"G{i % 5}" if i % 4 == 0 else None,
                risk=rng.uniform(0, 0.3),
                min_share=0.1 if joint else 0.0,
                max_participants=8 if joint and i % 2 else None,
            )
        )
    area_ids = ["AIR", "LAND", "SEA", "CYBER", "SPACE"]
    values = {(p.id, a): rng.randint(1, 10) for p in progs for a in area_ids if rng.random() < 0.5}
    standards = [standard(f"S{j}", rng.uniform(1, 10), min_adopters=1 + j % 3) for j in range(6)]
    return make_inputs(
        progs,
        years=years,
        nations=people,
        budget={c: rng.uniform(100, 400) for c in codes},
        values=values,
        areas={a: 1.0 for a in area_ids},
        standards=standards,
        requirements=tuple((p.id, f"S{i % 6}") for i, p in enumerate(progs) if i % 6 == 0),
        precedences=(
            Precedence("P00", "P03", "same_nation"),
            Precedence("P02", "P05", "any_nation"),
            Precedence("P06", "P08", "any_nation"),
        ),
        targets=tuple(target(c, FIRST_YEAR + years - 1, 20.0, area=a) for c in codes[:10] for a in area_ids[:2])
        + (target("ALLIANCE", FIRST_YEAR + years // 2, 200.0),),
        commitments=(commitment("N00", "P01"), commitment("N01", "P04", "exclude")),
        planning_cycle_years=2,
        discount_rate=0.03,
        service_years_after_horizon=5,
    )


@pytest.fixture
def synthetic() -> Inputs:
    return synthetic_inputs(nations=8, programmes=12, years=6)


def violations(m: pyo.ConcreteModel, tol: float = 1e-6) -> list[str]:
    """Names of active rows and variables that the current values break (bounds, integrality)."""
    bad = []
    for row in m.component_data_objects(pyo.Constraint, active=True):
        body = pyo.value(row.body)
        if (row.has_lb() and body < pyo.value(row.lower) - tol) or (row.has_ub() and body > pyo.value(row.upper) + tol):
            bad.append(row.name)
    for var in m.component_data_objects(pyo.Var):
        x = var.value
        if (
            x is None
            or (var.lb is not None and x < var.lb - tol)
            or (var.ub is not None and x > var.ub + tol)
            or (var.is_integer() and abs(x - round(x)) > tol)
        ):
            bad.append(var.name)
    return bad
