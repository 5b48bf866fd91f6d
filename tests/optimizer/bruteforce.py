"""Brute-force enumeration of every feasible plan of a tiny instance, to hold the solver to.

The enumerator knows nothing of the Pyomo model: it lists the discrete choices (national
starts, joint starts and consortia, adoption years), prices joint payments with an exact
rational LP, and keeps what `optimizer.checks.verify.check_plan` accepts. Optima, weighted optima
and Pareto fronts of the enumerated plans are the ground truth for small instances.

Typical use from another test::

    from tests.optimizer.bruteforce import best_plan, random_tiny_inputs
    inputs = random_tiny_inputs(seed=7)
    optimum = best_plan(inputs, "capability")      # None if no plan is feasible
    assert solver_value == pytest.approx(optimum.value)

What "every feasible plan" means. Discrete choices are enumerated exhaustively. Joint
payments f are continuous, so a discrete choice with a joint programme has infinitely many
plans; the enumerator yields one of them — a vertex of the split polytope found by an
exact (Fraction) phase-1 simplex over every constraint that involves f: yearly sums,
members-only, minimum shares and each member's budget windows. The split is therefore
found whenever one exists, with no heuristic. No objective depends on how the split falls
(cost and risk count what the consortium pays in total, capability and interoperability
do not see f), so optima over the yielded plans are the true optima.

Before the (cheap, exact) final `check_plan`, the enumeration drops choices by necessary
conditions only: a start must let the programme finish inside the horizon, partners fund
no national programmes, a nation funds one programme per exclusive group, honours its
own national commitments, and can pay its national and adoption costs alone (spend only
grows when joint payments are added, and budget feasibility is monotone in spend).
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from data.tables import (
    ALLIANCE,
    Commitment,
    Inputs,
    JointDecision,
    PlanDecisions,
    Precedence,
    Programme,
    objective_sense,
)
from optimizer.checks.evaluate import borrowing_floor, carry_cap, nation_spend, objective_values
from optimizer.checks.verify import PAYMENT_RULES, RULES, check_plan, check_rules
from tests.optimizer.conftest import make_inputs, nation, programme, standard

MAX_COMBINATIONS = 200_000
# Inputs are binary floats (0.2 is not 1/5), so exact ties such as "min share 0.5 of two
# members" can miss by 1e-16. The split LP relaxes its inequalities by this relative
# amount — far inside the verifier's 1e-6, which re-checks every plan anyway.
LP_SLACK = Fraction(1, 10**9)
NON_PAYMENT_RULES = tuple(name for name in RULES if name not in PAYMENT_RULES)

Portfolio = tuple[dict[tuple[str, str], int], dict[tuple[str, str], int]]  # national, adoptions


# --- exact LP feasibility -------------------------------------------------------------

Row = tuple[Mapping[int, Fraction], Fraction]  # coefficients by variable index, right-hand side


def exact_feasible_point(n_vars: int, equalities: Sequence[Row], inequalities: Sequence[Row]) -> list[Fraction] | None:
    """A point x ≥ 0 with every equality (=) and inequality (≤) row, or None if none exists.

    Phase 1 of the simplex method on a dense tableau of Fractions with Bland's rule, so it
    is exact and always terminates; meant for a few dozen rows, not for real models.
    """
    rows: list[tuple[Mapping[int, Fraction], Fraction, int | None]]
    rows = [(coeffs, Fraction(b), None) for coeffs, b in equalities]
    rows += [(coeffs, Fraction(b), k) for k, (coeffs, b) in enumerate(inequalities)]
    width = n_vars + len(inequalities)  # structural variables, then one slack per inequality
    m = len(rows)
    tableau: list[list[Fraction]] = []
    for i, (coeffs, rhs, slack) in enumerate(rows):
        row = [Fraction(0)] * (width + m + 1)
        for j, a in coeffs.items():
            row[j] = Fraction(a)
        if slack is not None:
            row[n_vars + slack] = Fraction(1)
        row[-1] = rhs
        if rhs < 0:  # artificials need a non-negative start
            row = [-a for a in row]
        row[width + i] = Fraction(1)
        tableau.append(row)
    basis = [width + i for i in range(m)]
    # reduced costs of "minimise the sum of artificials"; last entry is minus that sum
    z = [-sum((r[j] for r in tableau), Fraction(0)) for j in range(width)] + [Fraction(0)] * m
    z.append(-sum((r[-1] for r in tableau), Fraction(0)))
    while True:
        entering = next((j for j in range(width + m) if z[j] < 0), None)
        if entering is None:
            break
        candidates = [
            (tableau[i][-1] / tableau[i][entering], basis[i], i) for i in range(m) if tableau[i][entering] > 0
        ]
        _, _, leaving = min(candidates)  # phase 1 is bounded below, so a row always exists
        _pivot(tableau, z, leaving, entering)
        basis[leaving] = entering
    if z[-1] != 0:
        return None
    point = [Fraction(0)] * n_vars
    for i, var in enumerate(basis):
        if var < n_vars:
            point[var] = tableau[i][-1]
    return point


def _pivot(tableau: list[list[Fraction]], z: list[Fraction], row: int, col: int) -> None:
    """Gauss-Jordan step on the non-zero entries of the pivot row only (rows are sparse)."""
    factor = tableau[row][col]
    tableau[row] = [a / factor for a in tableau[row]]
    nonzero = [(j, b) for j, b in enumerate(tableau[row]) if b]
    for i, other in enumerate([*tableau, z]):
        k = other[col]
        if i != row and k:
            for j, b in nonzero:
                other[j] -= k * b


# --- joint payment split --------------------------------------------------------------


def split_payments(inputs: Inputs, decisions: PlanDecisions) -> dict[tuple[str, str, int], float] | None:
    """Feasible joint payments f for the plan's discrete choices, or None if there are none.

    Members paying equal shares every year is tried first (it meets the yearly sums and
    every minimum share whenever any split does); if a budget rejects it, the exact LP
    decides (up to LP_SLACK). Every constraint involving f is in the LP: Σ_members f = cost each year, only
    members pay and only in spending years (no variable otherwise), each member's total ≥
    its minimum share, and each member's budget windows (see `_budget_windows`).
    """
    even = _even_split(inputs, decisions)
    if not check_rules(inputs, replace(decisions, payments=even), PAYMENT_RULES):
        return even
    index: dict[tuple[str, str, int], int] = {}
    equalities: list[Row] = []
    inequalities: list[Row] = []
    years = set(inputs.years)
    for pid, jd in sorted(decisions.joint.items()):
        p = inputs.programme_by_id[pid]
        members = sorted(set(jd.members))
        for year in range(jd.start_year, jd.start_year + p.duration_years):
            cost = p.cost_in_offset(year - jd.start_year)
            if not cost or year not in years:
                continue
            for nation_code in members:
                index[(nation_code, pid, year)] = len(index)
            equalities.append(({index[(n, pid, year)]: Fraction(1) for n in members}, Fraction(cost)))
        if p.min_share > 0:
            for nation_code in members:
                own = {i: Fraction(-1) for (n, q, _), i in index.items() if (n, q) == (nation_code, pid)}
                inequalities.append((own, -Fraction(p.min_share) * Fraction(p.total_cost)))
    other = nation_spend(inputs, decisions)
    payers = sorted({n for n, _, _ in index})
    for nation_code in payers:
        inequalities += _budget_windows(inputs, nation_code, index, other)
    inequalities = [(coeffs, rhs + LP_SLACK * max(Fraction(1), abs(rhs))) for coeffs, rhs in inequalities]
    point = exact_feasible_point(len(index), equalities, inequalities)
    if point is None:
        return None
    return {key: float(point[i]) for key, i in index.items() if point[i] != 0}


def _even_split(inputs: Inputs, decisions: PlanDecisions) -> dict[tuple[str, str, int], float]:
    payments = {}
    for pid, jd in decisions.joint.items():
        p = inputs.programme_by_id[pid]
        members = sorted(set(jd.members))
        for year in range(jd.start_year, jd.start_year + p.duration_years):
            cost = p.cost_in_offset(year - jd.start_year)
            if cost and year in inputs.years and members:
                payments.update({(n, pid, year): cost / len(members) for n in members})
    return payments


def _budget_windows(
    inputs: Inputs,
    nation_code: str,
    index: Mapping[tuple[str, str, int], int],
    other: Mapping[tuple[str, int], float],
) -> list[Row]:
    """Budget feasibility of one nation as linear limits on its joint payments.

    The greedy balance is bal_j = min over i ≤ j of (cap_{i-1} + Σ_{t=i..j} (budget_t −
    spend_t)), with cap_{y0-1} = 0; it must stay ≥ floor_j. So for every window i..j:
    Σ_{t=i..j} f_t ≤ cap_{i-1} + Σ_{t=i..j} (budget_t − other_t) − floor_j.
    """
    years = inputs.years
    rows: list[Row] = []
    for a, first in enumerate(years):
        start_cap = Fraction(carry_cap(inputs, nation_code, first - 1)) if a > 0 else Fraction(0)
        for last in years[a:]:
            window = range(first, last + 1)
            rhs = start_cap - Fraction(borrowing_floor(inputs, nation_code, last))
            rhs += sum(
                (Fraction(inputs.budget(nation_code, t)) - Fraction(other[(nation_code, t)]) for t in window),
                Fraction(0),
            )
            coeffs = {i: Fraction(1) for (n, _, t), i in index.items() if n == nation_code and t in window}
            rows.append((coeffs, rhs))
    return rows


# --- enumeration ----------------------------------------------------------------------


def _fitting_starts(inputs: Inputs, p: Programme) -> list[int]:
    """Starts that let p finish spending inside the horizon (a necessary condition)."""
    return list(range(inputs.settings.first_year, inputs.settings.last_year - p.duration_years + 2))


def _nation_portfolios(inputs: Inputs, nation_code: str) -> list[Portfolio]:
    """The nation's national starts and adoptions that pass the necessary conditions."""
    is_partner = inputs.nation_by_code[nation_code].role == "partner"
    nationals = [] if is_partner else [p for p in inputs.programmes if not p.is_joint]
    own: dict[str, list[Commitment]] = {}
    for c in inputs.commitments:
        if c.nation == nation_code:
            own.setdefault(c.programme, []).append(c)
    start_options = [[None, *_fitting_starts(inputs, p)] for p in nationals]
    adoption_options = [[None, *inputs.years] for _ in inputs.standards]
    out: list[Portfolio] = []
    for starts in itertools.product(*start_options):
        if not _honours(starts, nationals, own) or not _one_per_group(starts, nationals):
            continue
        national = {(nation_code, p.id): t for p, t in zip(nationals, starts) if t is not None}
        for years in itertools.product(*adoption_options):
            adoptions = {(nation_code, s.id): t for s, t in zip(inputs.standards, years) if t is not None}
            alone = PlanDecisions(national, {}, {}, adoptions)
            if not check_rules(inputs, alone, ["budget"]):
                out.append((national, adoptions))
    return out


def _honours(
    starts: Sequence[int | None],
    nationals: Sequence[Programme],
    own: Mapping[str, list[Commitment]],
) -> bool:
    for p, t in zip(nationals, starts):
        for c in own.get(p.id, []):
            if c.action == "exclude" and t is not None:
                return False
            if c.action == "fund" and (t is None or c.start_year not in (None, t)):
                return False
    return True


def _one_per_group(starts: Sequence[int | None], nationals: Sequence[Programme]) -> bool:
    groups = [p.exclusive_group for p, t in zip(nationals, starts) if t is not None and p.exclusive_group]
    return len(groups) == len(set(groups))


def _joint_options(inputs: Inputs) -> list[list[tuple[str, JointDecision] | None]]:
    """Per joint programme: not started, or a start and a non-empty set of members."""
    codes = [n.code for n in inputs.nations]
    subsets = [c for k in range(1, len(codes) + 1) for c in itertools.combinations(codes, k)]
    return [
        [
            None,
            *((p.id, JointDecision(t, members)) for t in _fitting_starts(inputs, p) for members in subsets),
        ]
        for p in inputs.programmes
        if p.is_joint
    ]


def _unpruned_count(inputs: Inputs) -> int:
    """Choices before any pruning: refuses hopeless instances before the slow part."""
    count = 1
    for options in _joint_options(inputs):
        count *= len(options)
    per_nation = len(inputs.years) + 1
    for p in inputs.programmes:
        if not p.is_joint:
            count *= (len(_fitting_starts(inputs, p)) + 1) ** len(inputs.nations)
    return count * per_nation ** (len(inputs.standards) * len(inputs.nations))


def combination_count(inputs: Inputs) -> int:
    """How many discrete choices the enumerator will try (after its necessary conditions)."""
    count = 1
    for options in _joint_options(inputs):
        count *= len(options)
    for n in inputs.nations:
        count *= len(_nation_portfolios(inputs, n.code))
    return count


def enumerate_plans(inputs: Inputs, max_combinations: int = MAX_COMBINATIONS) -> Iterator[PlanDecisions]:
    """Yield one feasible plan per feasible discrete choice of a tiny instance.

    Raises ValueError if the instance needs more than `max_combinations` trials (meant for
    ≤ 2 nations, ≤ 4 programmes, ≤ 4 years, ≤ 1 standard).
    """
    raw = _unpruned_count(inputs)
    if raw > max_combinations * 1000:
        raise ValueError(f"instance too large for brute force: {raw} raw combinations")
    portfolios = [_nation_portfolios(inputs, n.code) for n in inputs.nations]
    joint_options = _joint_options(inputs)
    total = 1
    for sizes in (map(len, joint_options), map(len, portfolios)):
        for size in sizes:
            total *= size
    if total > max_combinations:
        raise ValueError(f"instance too large for brute force: {total} > {max_combinations} combinations")
    split_cache: dict[tuple, dict[tuple[str, str, int], float] | None] = {}
    for joint_choice in itertools.product(*joint_options):
        joint = dict(choice for choice in joint_choice if choice is not None)
        for combo in itertools.product(*portfolios):
            national = {k: v for nat, _ in combo for k, v in nat.items()}
            adoptions = {k: v for _, ado in combo for k, v in ado.items()}
            draft = PlanDecisions(national, joint, {}, adoptions)
            if check_rules(inputs, draft, NON_PAYMENT_RULES):
                continue
            payments = _cached_split(inputs, draft, split_cache)
            if payments is None:
                continue
            plan = PlanDecisions(national, joint, payments, adoptions)
            if not check_plan(inputs, plan):
                yield plan


def _cached_split(
    inputs: Inputs,
    draft: PlanDecisions,
    cache: dict[tuple, dict[tuple[str, str, int], float] | None],
) -> dict[tuple[str, str, int], float] | None:
    """The split depends only on the consortia and on what their members spend besides f."""
    if not draft.joint:
        return {}
    spend = nation_spend(inputs, draft)
    members = sorted({n for jd in draft.joint.values() for n in jd.members})
    key = (
        tuple(sorted(draft.joint.items())),
        tuple(spend[(n, t)] for n in members for t in inputs.years),
    )
    if key not in cache:
        cache[key] = split_payments(inputs, draft)
    return cache[key]


# --- optima ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Optimum:
    """The best enumerated plan for one objective or weighted sum."""

    value: float  # in the objective's own sense; for weights, Σ sign·weight·objective (max)
    plan: PlanDecisions  # the first optimal plan in enumeration order
    objectives: dict[str, float]  # every objective of that plan
    feasible_plans: int
    optimal_plans: int  # how many enumerated plans reach the value (within 1e-9)


def feasible_plans(
    inputs: Inputs, max_combinations: int = MAX_COMBINATIONS
) -> list[tuple[PlanDecisions, dict[str, float]]]:
    """Every enumerated feasible plan with all its objective values."""
    return [(plan, objective_values(inputs, plan)) for plan in enumerate_plans(inputs, max_combinations)]


def weighted_score(objectives: Mapping[str, float], weights: Mapping[str, float]) -> float:
    """Σ sign_k·weight_k·obj_k (MODEL.md "weighted"), to be maximised."""
    return sum((1.0 if objective_sense(name) == "max" else -1.0) * w * objectives[name] for name, w in weights.items())


def best_plan(
    inputs: Inputs,
    objective: str | None = None,
    weights: Mapping[str, float] | None = None,
    max_combinations: int = MAX_COMBINATIONS,
) -> Optimum | None:
    """The optimum of one objective (in its sense) or of a weighted sum; None if infeasible."""
    if (objective is None) == (weights is None):
        raise ValueError("give exactly one of objective or weights")
    plans = feasible_plans(inputs, max_combinations)
    if not plans:
        return None
    if weights is not None:
        scores = [weighted_score(obj, weights) for _, obj in plans]
    else:
        sign = 1.0 if objective_sense(objective) == "max" else -1.0  # type: ignore[arg-type]
        scores = [sign * obj[objective] for _, obj in plans]  # type: ignore[index]
    best = max(scores)
    first = scores.index(best)
    value = best if weights is not None else plans[first][1][objective]  # type: ignore[index]
    return Optimum(
        value=value,
        plan=plans[first][0],
        objectives=plans[first][1],
        feasible_plans=len(plans),
        optimal_plans=sum(1 for s in scores if s >= best - 1e-9),
    )


def pareto_front(
    inputs: Inputs, objectives: Sequence[str], max_combinations: int = MAX_COMBINATIONS
) -> list[tuple[float, ...]]:
    """Every non-dominated objective vector (in the order of `objectives`), sorted."""
    signs = [1.0 if objective_sense(name) == "max" else -1.0 for name in objectives]
    vectors = {tuple(round(obj[name], 9) for name in objectives) for _, obj in feasible_plans(inputs, max_combinations)}

    def dominates(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
        return a != b and all(s * x >= s * y for s, x, y in zip(signs, a, b))

    return sorted(v for v in vectors if not any(dominates(u, v) for u in vectors))


# --- random tiny instances ------------------------------------------------------------


def random_tiny_inputs(seed: int, max_combinations: int = 2_000) -> Inputs:
    """A random tiny instance (same seed, same instance) that enumerates quickly.

    Up to 2 nations (sometimes a partner), 2–4 years, 2–4 programmes (up to 2 joint),
    at most one standard; budgets, carry-over and borrowing, cycles, windows, deadlines,
    precedence, exclusivity, capacity, targets (incl. ALLIANCE), discounting, service
    years after the horizon and occasional commitments. Draws again until the enumeration
    needs at most `max_combinations` trials.
    """
    rng = random.Random(seed)
    for _ in range(200):
        inputs = _draw(rng)
        if combination_count(inputs) <= max_combinations:
            return inputs
    raise RuntimeError(f"no tiny instance within {max_combinations} combinations for seed {seed}")


def _draw(rng: random.Random) -> Inputs:
    first = 2030
    n_years = rng.choice([2, 3, 3, 4])
    last = first + n_years - 1
    nations = [_draw_nation(rng, "A", "ally")]
    if rng.random() < 0.85:
        nations.append(_draw_nation(rng, "B", "partner" if rng.random() < 0.3 else "ally"))
    n_programmes = rng.randint(2, 4 if n_years <= 3 else 3)
    programmes: list[Programme] = []
    for k in range(n_programmes):
        joint = len(nations) == 2 and sum(p.is_joint for p in programmes) < 2 and rng.random() < 0.35
        programmes.append(_draw_programme(rng, f"P{k + 1}", joint, first, last))
    areas = {"air": 1.0, "cyber": rng.choice([0.5, 1.0, 2.0])}
    values = {}
    for p in programmes:
        air, cyber = rng.randint(0, 5), rng.randint(0, 5)
        values[(p.id, "air")], values[(p.id, "cyber")] = (air or (0 if cyber else 1)), cyber
    standards, requirements = [], []
    if rng.random() < 0.5:
        standards.append(standard("S1", rng.randint(0, 3), rng.choice([1, 2]), rng.choice([1.0, 2.0])))
        if rng.random() < 0.5:
            requirements.append((rng.choice(programmes).id, "S1"))
    precedences = []
    if rng.random() < 0.35:
        i, j = sorted(rng.sample(range(n_programmes), 2))
        precedences.append(Precedence(programmes[i].id, programmes[j].id, rng.choice(["same_nation", "any_nation"])))
    targets = {
        (
            rng.choice([ALLIANCE, "A"]),
            rng.choice(["air", "cyber"]),
            rng.randint(first, last),
        ): rng.randint(1, 6)
        for _ in range(rng.randint(0, 2))
    }
    return make_inputs(
        first_year=first,
        last_year=last,
        nations=nations,
        budgets={n.code: [rng.randint(2, 10) for _ in range(n_years)] for n in nations},
        programmes=programmes,
        areas=areas,
        values=values,
        standards=standards,
        requirements=requirements,
        precedences=precedences,
        targets=[(*key, t) for key, t in targets.items()],
        commitments=_draw_commitments(rng, nations, programmes),
        planning_cycle_years=rng.choice([1, 1, 2]),
        discount_rate=rng.choice([0.0, 0.0, 0.1]),
        service_years_after_horizon=rng.choice([0, 0, 1, 2]),
    )


def _draw_nation(rng: random.Random, code: str, role: str):  # -> Nation
    return nation(
        code,
        role,
        max_concurrent=rng.choice([None, None, 1, 2]),
        carry=rng.choice([0.0, 0.0, 0.5, 1.0]),
        borrow=rng.choice([0.0, 0.0, 0.3]),
    )


def _draw_programme(rng: random.Random, pid: str, joint: bool, first: int, last: int) -> Programme:
    duration = rng.randint(1, min(2, last - first + 1))
    profile = [1.0] * duration if rng.random() < 0.5 else [float(rng.randint(1, 3)) for _ in range(duration)]
    return programme(
        pid,
        duration,
        rng.randint(2, 10),
        "joint" if joint else "national",
        profile=profile,
        ppc=rng.choice([0.0, 0.0, 1.0]),
        earliest=rng.randint(first, last) if rng.random() < 0.25 else None,
        deadline=rng.randint(first + duration, last + 1) if rng.random() < 0.2 else None,
        flexible=rng.random() < 0.5,
        group="G" if rng.random() < 0.25 else None,
        risk=rng.choice([0.0, 0.1, 0.5]),
        min_participants=rng.choice([1, 2, 2]),
        max_participants=rng.choice([None, 2]),
        min_share=rng.choice([0.0, 0.0, 0.25, 0.5]),
        open_to_partners=rng.random() < 0.7,
    )


def _draw_commitments(rng: random.Random, nations: list, programmes: list[Programme]) -> list[tuple]:
    """At most one valid commitment row: never a partner on a national or closed programme."""
    if rng.random() >= 0.15:
        return []
    who, p = rng.choice(nations), rng.choice(programmes)
    if who.role == "partner" and (not p.is_joint or not p.open_to_partners):
        return []
    return [(who.code, p.id, rng.choice(["fund", "exclude"]))]
