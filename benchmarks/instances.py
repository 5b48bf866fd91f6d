"""Seeded synthetic alliance instances (S, M, L, XL) with every feature of MODEL.md present.

The benchmark needs instances that are large, reproducible and *hard in the way real data
is*: budgets tight enough that choices matter, lumpy multi-year spend against annual caps,
consortia that must be assembled, and a little of every rule so no code path is skipped.
Real alliance data of that size does not exist in the open, so it is generated here.

    from benchmarks.instances import generate
    inputs = generate("M", seed=1)                   # mixed: some nations carry over
    rigid = generate("M", seed=1, hard_caps=True)    # use-it-or-lose-it everywhere

Deterministic per (size, seed, hard_caps): the same call gives the same `Inputs` on any
machine (numpy's PCG64 stream, no set iteration order involved).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from data.tables import (
    ALLIANCE,
    CapabilityArea,
    Commitment,
    Inputs,
    Nation,
    Precedence,
    Programme,
    Settings,
    Source,
    Standard,
    Target,
)

FIRST_YEAR = 2027


@dataclass(frozen=True)
class Size:
    nations: int
    programmes: int
    years: int


SIZES: dict[str, Size] = {
    "S": Size(8, 20, 8),
    "M": Size(20, 60, 12),
    "L": Size(32, 120, 15),
    "XL": Size(40, 250, 20),
}

AREAS = ("AIR", "LAND", "SEA", "SPACE", "CYBER", "C2")
# Profile shapes (share per relative year position); resampled to each duration.
PROFILE_SHAPES = {
    "even": lambda x: np.ones_like(x),
    "ramp_up": lambda x: 0.4 + x,
    "hump": lambda x: 0.3 + np.sin(np.pi * (x + 0.5) / 2.0) ** 2,
    "front": lambda x: 1.4 - x,
}
# Fraction of the national wish list a typical ally can afford over the horizon: low
# enough that most programmes are left unfunded, so the ranking decides the value.
AFFORDABLE_SHARE = 0.28


def generate(size: str | Size, seed: int = 1, hard_caps: bool = False) -> Inputs:
    """A validated-shape `Inputs` for size S, M, L or XL.

    `size` may also be a `Size(nations, programmes, years)` for tests (years ≥ 5).
    `hard_caps=True` gives every nation carry_over_fraction = borrow_fraction = 0 (the
    rigid use-it-or-lose-it rule the issue measures against); otherwise about half the
    nations may carry over (and some borrow) while the rest have hard annual caps.
    """
    if isinstance(size, Size):
        dims, stream = size, [size.nations, size.programmes, size.years]
    elif size in SIZES:
        dims, stream = SIZES[size], [list(SIZES).index(size)]
    else:
        raise ValueError(f"unknown size {size!r}: expected one of {', '.join(SIZES)}")
    rng = np.random.default_rng([seed, *stream, int(hard_caps)])
    settings = Settings(
        first_year=FIRST_YEAR,
        last_year=FIRST_YEAR + dims.years - 1,
        planning_cycle_years=2,
        discount_rate=0.03,
        service_years_after_horizon=5,
        objective="weighted",
        time_limit_seconds=120.0,
    )
    nations = _nations(rng, dims.nations, hard_caps)
    programmes = _programmes(rng, dims, settings)
    areas = tuple(
        CapabilityArea(a, a.title(), float(w)) for a, w in zip(AREAS, np.round(rng.uniform(0.5, 2.0, len(AREAS)), 2))
    )
    values = _values(rng, programmes)
    standards = _standards(rng, dims)
    requirements = _requirements(rng, programmes, standards)
    budgets = _budgets(rng, nations, programmes, settings)
    draft = Inputs(
        settings=settings,
        nations=nations,
        budgets=budgets,
        programmes=programmes,
        areas=areas,
        values=values,
        standards=standards,
        requirements=requirements,
        precedences=_precedences(rng, programmes),
        source=Source(f"benchmarks.instances.generate({size!r}, seed={seed}, hard_caps={hard_caps})", ""),
    )
    return draft.with_changes(targets=_targets(rng, draft), commitments=_commitments(rng, draft))


def _nations(rng: np.random.Generator, count: int, hard_caps: bool) -> tuple[Nation, ...]:
    """~85% allies; every other nation may carry over (every fourth also borrows)."""
    partners = max(1, round(0.15 * count))
    out = []
    for i in range(count):
        role = "partner" if i >= count - partners else "ally"
        banking = not hard_caps and i % 2 == 1
        carry = 0.25 if banking else 0.0
        borrow = 0.1 if banking and i % 4 == 3 else 0.0
        cap = int(rng.integers(3, 8)) if role == "ally" and rng.random() < 0.5 else None
        out.append(Nation(f"N{i + 1:02d}", f"Nation {i + 1}", role, cap, carry, borrow))
    return tuple(out)


def _profile(rng: np.random.Generator, duration: int) -> tuple[float, ...]:
    name = list(PROFILE_SHAPES)[int(rng.integers(len(PROFILE_SHAPES)))]
    x = (np.arange(duration) + 0.5) / duration
    shares = PROFILE_SHAPES[name](x)
    shares = shares / shares.sum()
    return tuple(float(v) for v in shares)


def _programmes(rng: np.random.Generator, dims: Size, settings: Settings) -> tuple[Programme, ...]:
    """Exact feature counts (30% joint, 25% with an earliest start, 12% with a deadline,
    exclusive groups of 2–3 national programmes) so even S has every feature."""
    first, last = settings.first_year, settings.last_year
    count = dims.programmes
    order = rng.permutation(count)
    joint_ids = set(order[: round(0.3 * count)].tolist())
    with_earliest = set(rng.permutation(count)[: max(1, round(0.25 * count))].tolist())
    with_deadline = set(rng.permutation(count)[: max(1, round(0.12 * count))].tolist())
    national = [j for j in range(count) if j not in joint_ids]
    group_of: dict[int, str] = {}
    pool = [int(j) for j in rng.permutation(national)]
    for g in range(max(1, count // 15)):
        size = int(rng.integers(2, 4))
        for j in pool[:size]:
            group_of[j] = f"G{g + 1}"
        pool = pool[size:]
    out = []
    for j in range(count):
        joint = j in joint_ids
        duration = int(rng.integers(2, min(6, dims.years - 2) + 1))
        total = float(np.round(rng.lognormal(np.log(1200 if joint else 220), 0.5), 1))
        earliest = first + int(rng.integers(1, 4)) if j in with_earliest else None
        deadline = None
        if j in with_deadline:
            lo = (earliest or first) + duration + 1
            deadline = int(rng.integers(lo, last + 2)) if lo <= last + 1 else None
        min_p = int(rng.integers(2, 4)) if joint else 1
        max_p = min_p + int(rng.integers(1, 5)) if joint and rng.random() < 0.6 else None
        min_share = 0.0
        if joint and rng.random() < 0.5:
            most = max_p if max_p is not None else dims.nations
            min_share = float(np.round(rng.uniform(0.5, 0.9) / most, 3))
        out.append(
            Programme(
                id=f"P{j + 1:03d}",
                name=f"Programme {j + 1}",
                technology=["AI", "quantum", "hypersonics", "autonomy", "space", "biotech"][j % 6],
                sharing="joint" if joint else "national",
                duration_years=duration,
                total_cost=total,
                per_participant_cost=float(np.round(rng.uniform(5, 30), 1)) if joint else 0.0,
                earliest_start=earliest,
                deadline=deadline,
                flexible_start=bool(rng.random() < 0.4),
                exclusive_group=group_of.get(j),
                trl=int(rng.integers(3, 10)),
                cost_overrun_risk=float(np.round(rng.uniform(0.0, 0.3), 2)),
                min_participants=min_p,
                max_participants=max_p,
                min_share=min_share,
                open_to_partners=bool(joint and rng.random() < 0.6),
                profile=_profile(rng, duration),
            )
        )
    return tuple(out)


def _values(rng: np.random.Generator, programmes: tuple[Programme, ...]) -> dict[tuple[str, str], float]:
    """1–3 areas per programme; joint programmes are bigger and worth more per member."""
    values = {}
    for p in programmes:
        k = int(rng.integers(1, 4))
        scale = 2.0 if p.is_joint else 1.0
        for area in rng.choice(AREAS, size=k, replace=False):
            values[p.id, str(area)] = float(np.round(scale * rng.uniform(5, 50), 1))
    return values


def _standards(rng: np.random.Generator, dims: Size) -> tuple[Standard, ...]:
    count = max(3, dims.programmes // 20)
    out = []
    for i in range(count):
        critical = i % 2 == 0
        out.append(
            Standard(
                id=f"STD{i + 1:02d}",
                name=f"Standard {i + 1}",
                adoption_cost=float(np.round(rng.uniform(2, 15), 1)),
                min_adopters=int(rng.integers(2, 5)) if critical else 1,
                weight=float(np.round(rng.uniform(1, 5), 1)),
            )
        )
    return tuple(out)


def _requirements(
    rng: np.random.Generator, programmes: tuple[Programme, ...], standards: tuple[Standard, ...]
) -> tuple[tuple[str, str], ...]:
    out = []
    for p in programmes:
        if rng.random() < 0.15:
            out.append((p.id, standards[int(rng.integers(len(standards)))].id))
    return tuple(out)


def _precedences(rng: np.random.Generator, programmes: tuple[Programme, ...]) -> tuple[Precedence, ...]:
    """Earlier programme → later one (so no cycle); ~10% of programmes, both scopes present."""
    count = len(programmes)
    afters = sorted(int(j) for j in rng.permutation(np.arange(1, count))[: max(2, count // 10)])
    out = []
    for k, j in enumerate(afters):
        after = programmes[j]
        fitting = [i for i in range(j) if programmes[i].duration_years + after.duration_years <= 8]
        if not fitting:
            continue
        before = programmes[fitting[int(rng.integers(len(fitting)))]]
        # alternate-ish scopes so both appear even with two rules
        scope = "any_nation" if (k % 3 == 1) else "same_nation"
        out.append(Precedence(before.id, after.id, scope))
    return tuple(out)


def _budgets(
    rng: np.random.Generator,
    nations: tuple[Nation, ...],
    programmes: tuple[Programme, ...],
    settings: Settings,
) -> dict[tuple[str, int], float]:
    """Sized so a typical ally affords ~AFFORDABLE_SHARE of the national programmes.

    Nations differ in size (lognormal) and budgets grow ~2% a year with noise, so the
    same programme fits one nation's year and not another's.
    """
    years = settings.years
    wish_list = sum(p.total_cost for p in programmes if not p.is_joint)
    joint_share = sum(p.total_cost for p in programmes if p.is_joint) / max(1, len(nations)) * 2
    per_year = AFFORDABLE_SHARE * (wish_list + joint_share) / len(years)
    out = {}
    for n in nations:
        size = float(np.clip(rng.lognormal(0.0, 0.5), 0.4, 2.5)) * (0.4 if n.role == "partner" else 1.0)
        for k, year in enumerate(years):
            noise = float(rng.uniform(0.92, 1.08))
            out[n.code, year] = float(np.round(per_year * size * 1.02**k * noise, 1))
    return out


def _targets(rng: np.random.Generator, inputs: Inputs) -> tuple[Target, ...]:
    """Per-nation and ALLIANCE targets around what the nation's budget could buy.

    The estimate is crude on purpose (budget / mean cost × mean points): about half the
    targets end up missed, so shortfall is a live objective, not always 0.
    """
    years = inputs.years
    mid, last = years[len(years) // 2], years[-1]
    national = [p for p in inputs.programmes if not p.is_joint]
    mean_cost = float(np.mean([p.total_cost for p in national]))
    mean_points = {a: float(np.mean([inputs.values.get((p.id, a), 0.0) for p in inputs.programmes])) for a in AREAS}
    out: list[Target] = []
    estimate: dict[tuple[str, str], float] = {}
    for n in inputs.nations:
        budget = sum(inputs.budget(n.code, y) for y in years)
        for a in AREAS:
            estimate[n.code, a] = budget / mean_cost * mean_points[a]
    for n in inputs.nations:
        if n.role == "partner" and rng.random() < 0.7:
            continue
        for a in rng.choice(AREAS, size=int(rng.integers(1, 3)), replace=False):
            a = str(a)
            for year, frac in ((mid, 0.25), (last, 0.6)):
                goal = float(np.round(frac * rng.uniform(0.5, 1.1) * estimate[n.code, a], 1))
                out.append(Target(n.code, a, year, goal, len(out) + 2))
    for a in AREAS:
        total = sum(estimate[n, a] for n in inputs.allies)
        out.append(Target(ALLIANCE, a, last, float(np.round(0.5 * total, 1)), len(out) + 2))
    return tuple(out)


def _commitments(rng: np.random.Generator, inputs: Inputs) -> tuple[Commitment, ...]:
    """Feasible by construction: cheap, unconstrained national programmes, one per nation.

    A committed programme has no precedence, no required standard and no exclusive group,
    and its yearly cost is at most 40% of the nation's smallest annual budget, so it fits
    whatever else the nation does (capacity caps are ≥ 3). One joint `fund` asks a large
    ally to be in a modest consortium of 2+, which other nations can afford to join.
    """
    constrained = {r.after for r in inputs.precedences} | {p for p, _ in inputs.requirements}
    years = inputs.years
    out: list[Commitment] = []
    allies = inputs.allies
    for code in allies:
        if rng.random() >= 0.3:
            continue
        least = min(inputs.budget(code, y) for y in years)
        cheap = [
            p
            for p in inputs.programmes
            if not p.is_joint
            and p.id not in constrained
            and p.exclusive_group is None
            and inputs.allowed_starts(p)
            and max(p.total_cost * s for s in p.profile) <= 0.4 * least
        ]
        if not cheap:
            continue
        p = cheap[int(rng.integers(len(cheap)))]
        start = inputs.allowed_starts(p)[0] if rng.random() < 0.5 else None
        out.append(Commitment(code, p.id, "fund", start, len(out) + 2))
    committed = {(c.nation, c.programme) for c in out}
    national = [p for p in inputs.programmes if not p.is_joint]
    for _ in range(max(1, len(allies) // 4)):
        code = allies[int(rng.integers(len(allies)))]
        p = national[int(rng.integers(len(national)))]
        if (code, p.id) not in committed:
            committed.add((code, p.id))
            out.append(Commitment(code, p.id, "exclude", None, len(out) + 2))
    richest = max(allies, key=lambda n: sum(inputs.budget(n, y) for y in years))
    joint = [
        p
        for p in inputs.programmes
        if p.is_joint
        and p.id not in constrained
        and p.min_participants == 2
        and inputs.allowed_starts(p)
        and p.total_cost <= 0.5 * sum(inputs.budget(richest, y) for y in years)
    ]
    if joint:
        p = min(joint, key=lambda q: q.total_cost)
        out.append(Commitment(richest, p.id, "fund", None, len(out) + 2))
    return tuple(out)


def describe(inputs: Inputs) -> dict[str, int]:
    """Counts of each feature, so a reader (and a test) can see every one is present."""
    return {
        "nations": len(inputs.nations),
        "partners": sum(n.role == "partner" for n in inputs.nations),
        "banking_nations": sum(n.carry_over_fraction > 0 or n.borrow_fraction > 0 for n in inputs.nations),
        "hard_cap_nations": sum(n.carry_over_fraction == 0 and n.borrow_fraction == 0 for n in inputs.nations),
        "capacity_caps": sum(n.max_concurrent_programmes is not None for n in inputs.nations),
        "programmes": len(inputs.programmes),
        "joint": sum(p.is_joint for p in inputs.programmes),
        "open_to_partners": sum(p.is_joint and p.open_to_partners for p in inputs.programmes),
        "uneven_profiles": sum(len(set(p.profile)) > 1 for p in inputs.programmes),
        "earliest_starts": sum(p.earliest_start is not None for p in inputs.programmes),
        "deadlines": sum(p.deadline is not None for p in inputs.programmes),
        "flexible_starts": sum(p.flexible_start for p in inputs.programmes),
        "exclusive_groups": len({p.exclusive_group for p in inputs.programmes if p.exclusive_group}),
        "precedence_same_nation": sum(r.scope == "same_nation" for r in inputs.precedences),
        "precedence_any_nation": sum(r.scope == "any_nation" for r in inputs.precedences),
        "standards": len(inputs.standards),
        "critical_standards": sum(s.min_adopters > 1 for s in inputs.standards),
        "requirements": len(inputs.requirements),
        "fund_commitments": sum(c.action == "fund" for c in inputs.commitments),
        "exclude_commitments": sum(c.action == "exclude" for c in inputs.commitments),
        "nation_targets": sum(t.nation != ALLIANCE for t in inputs.targets),
        "alliance_targets": sum(t.nation == ALLIANCE for t in inputs.targets),
    }
