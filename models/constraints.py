"""MODEL.md's constraint families, one `add_<family>(m, inputs)` each, each its own named components.

Each family lives in named components so a diagnosis can relax it as a group (commitments,
critical mass, min participants). Family 5 (schedule windows) has no rows: variables exist
only inside the windows (see `build.add_sets`). Rows are returned as `(lower, body, upper)`
with `LinearExpression` bodies, the fastest form for Pyomo to build and a solver to read.
"""

from __future__ import annotations

from collections import defaultdict

import pyomo.environ as pyo

from data.errors import InputError, Problem
from data.tables import ALLIANCE, Inputs
from models.objectives import spend_terms
from models.terms import (
    Term,
    adopted_by,
    completed_by,
    funding,
    in_development,
    in_service,
    joint_funding,
    linear,
    negated,
    started_by,
)


def add_once(m: pyo.ConcreteModel, inputs: Inputs) -> None:
    """Family 1 — each decision is taken at most once.

    once_national[n,p]  national p, n eligible:  Σ_t x[n,p,t] ≤ 1
    once_joint[p]       joint p:                 Σ_t z[p,t] ≤ 1
    once_adoption[n,s]  every n, s:              Σ_t a[n,s,t] ≤ 1

    Σ_t w[n,p,t] ≤ 1 needs no row: w ≤ z and Σ_t z ≤ 1 imply it.
    """
    national = defaultdict(list)
    for n, pid, t in m.national_windows:
        national[n, pid].append((1.0, m.starts[n, pid, t]))
    m.once_national = pyo.Constraint(list(national), rule=lambda m, n, p: (None, linear(national[n, p]), 1.0))
    joint = defaultdict(list)
    for pid, t in m.joint_windows:
        joint[pid].append((1.0, m.joint_starts[pid, t]))
    m.once_joint = pyo.Constraint(list(joint), rule=lambda m, p: (None, linear(joint[p]), 1.0))
    m.once_adoption = pyo.Constraint(
        m.nations,
        m.standards,
        rule=lambda m, n, s: (None, linear((1.0, m.adopts[n, s, t]) for t in m.years), 1.0),
    )


def add_consortium(m: pyo.ConcreteModel, inputs: Inputs) -> None:
    """Family 2 — a consortium exists only if its programme starts, within its size limits.

    consortium_member[n,p,t]  (n,p,t) ∈ membership windows:  w[n,p,t] ≤ z[p,t]
    consortium_min[p,t]       (p,t) ∈ joint windows:  Σ_n w[n,p,t] ≥ min_participants_p·z[p,t]
    consortium_max[p,t]       (p,t) ∈ joint windows:  Σ_n w[n,p,t] ≤ max_participants_p·z[p,t]
                              (max_participants blank = number of eligible nations)
    """
    m.consortium_member = pyo.Constraint(
        m.membership_windows,
        rule=lambda m, n, p, t: (
            None,
            linear([(1.0, m.joins[n, p, t]), (-1.0, m.joint_starts[p, t])]),
            0.0,
        ),
    )
    by_id = inputs.programme_by_id

    def members(p: str, t: int) -> list[Term]:
        return [(1.0, m.joins[n, p, t]) for n in m.eligible[p]]

    def at_least(m: pyo.ConcreteModel, p: str, t: int) -> tuple:
        size = by_id[p].min_participants
        return (0.0, linear(members(p, t) + [(-size, m.joint_starts[p, t])]), None)

    def at_most(m: pyo.ConcreteModel, p: str, t: int) -> tuple:
        size = by_id[p].max_participants
        size = len(m.eligible[p]) if size is None else size
        return (None, linear(members(p, t) + [(-size, m.joint_starts[p, t])]), 0.0)

    m.consortium_min = pyo.Constraint(m.joint_windows, rule=at_least)
    m.consortium_max = pyo.Constraint(m.joint_windows, rule=at_most)


def add_burden_sharing(m: pyo.ConcreteModel, inputs: Inputs) -> None:
    """Family 3 — the consortium pays the whole cost, each member only while a member.

    consortium_pays[p,τ]       (p,τ) ∈ joint spending years:  Σ_n f[n,p,τ] = Σ_t z[p,t]·cost_p[τ−t]
    pay_while_member[n,p,τ]    (n,p,τ) ∈ payment windows:     f[n,p,τ] ≤ Σ_t w[n,p,t]·cost_p[τ−t]
    min_share[n,p]             joint p with min_share_p > 0, n eligible:
                               Σ_τ f[n,p,τ] ≥ min_share_p·total_cost_p·Σ_t w[n,p,t]

    The per-participant cost is not a payment: it is spent directly (see `add_spend`) and
    counts neither in Σ f nor in the min-share test.
    """
    by_id = inputs.programme_by_id

    def consortium_pays(m: pyo.ConcreteModel, p: str, year: int) -> tuple:
        prog = by_id[p]
        terms = [(1.0, m.payment[n, p, year]) for n in m.eligible[p]]
        terms += [(-prog.cost_in_offset(year - t), z) for t, z in joint_funding(m, p)]
        return (0.0, linear(c for c in terms if c[0]), 0.0)

    def pay_while_member(m: pyo.ConcreteModel, n: str, p: str, year: int) -> tuple:
        prog = by_id[p]
        terms = [(1.0, m.payment[n, p, year])]
        terms += [(-prog.cost_in_offset(year - t), w) for t, w in funding(m, n, p)]
        return (None, linear(c for c in terms if c[0]), 0.0)

    m.consortium_pays = pyo.Constraint(m.joint_spending_years, rule=consortium_pays)
    m.pay_while_member = pyo.Constraint(m.payment_windows, rule=pay_while_member)

    pays = defaultdict(list)
    for n, p, year in m.payment_windows:
        pays[n, p].append((1.0, m.payment[n, p, year]))
    shared = [
        (n, p.id)
        for p in inputs.programmes
        if p.is_joint and p.min_share > 0 and p.total_cost > 0
        for n in m.eligible[p.id]
        if funding(m, n, p.id)
    ]

    def min_share(m: pyo.ConcreteModel, n: str, p: str) -> tuple:
        least = by_id[p].min_share * by_id[p].total_cost
        terms = pays[n, p] + [(-least, w) for _, w in funding(m, n, p)]
        return (0.0, linear(terms), None)

    m.min_share = pyo.Constraint(shared, rule=min_share)


def add_budget_balance(m: pyo.ConcreteModel, inputs: Inputs) -> None:
    """Family 4 — spend within budget, with carry-over and borrowing where a nation allows them.

    For n ∈ banking nations (carry_over_fraction_n > 0 or borrow_fraction_n > 0), every τ:
      budget_balance[n,τ]  bal[n,τ] − bal[n,τ−1] + spend[n,τ] + lapse[n,τ] = budget[n,τ]
                           (bal[n,y0−1] = 0)
      carry_over_cap[n,τ]  bal[n,τ] ≤ carry_over_fraction_n·budget[n,τ]
      borrow_floor[n,τ]    bal[n,τ] ≥ −borrow_fraction_n·budget[n,τ+1]  (τ < yL);  bal[n,yL] ≥ 0
    For every other nation, every τ in which it could spend (the above with both fractions 0):
      spend_within_budget[n,τ]  spend[n,τ] ≤ budget[n,τ]

    Right-hand sides use the mutable `m.budget`, so a changed budget is honoured on re-solve.
    """
    first, last = inputs.settings.first_year, inputs.settings.last_year
    use_or_lose = [
        (n, t)
        for n in m.nations
        if n not in m.banking_nations
        for t in m.years
        if m.spend[n, t].expr.nargs()  # a year with nothing to buy has no row
    ]
    m.spend_within_budget = pyo.Constraint(use_or_lose, rule=lambda m, n, t: (None, m.spend[n, t].expr, m.budget[n, t]))

    def balance(m: pyo.ConcreteModel, n: str, t: int) -> object:
        terms = spend_terms(m, n, t) + [(1.0, m.balance[n, t]), (1.0, m.lapse[n, t])]
        if t > first:
            terms.append((-1.0, m.balance[n, t - 1]))
        return linear(terms) == m.budget[n, t]

    def carry_cap(m: pyo.ConcreteModel, n: str, t: int) -> tuple:
        return (None, m.balance[n, t], m.carry_over_fraction[n] * m.budget[n, t])

    def borrow_floor(m: pyo.ConcreteModel, n: str, t: int) -> tuple:
        if t == last:
            return (0.0, m.balance[n, t], None)
        return (-m.borrow_fraction[n] * m.budget[n, t + 1], m.balance[n, t], None)

    m.budget_balance = pyo.Constraint(m.banking_nations, m.years, rule=balance)
    m.carry_over_cap = pyo.Constraint(m.banking_nations, m.years, rule=carry_cap)
    m.borrow_floor = pyo.Constraint(m.banking_nations, m.years, rule=borrow_floor)


def add_precedence(m: pyo.ConcreteModel, inputs: Inputs) -> None:
    """Family 6 — `after` may start only once `before` is complete.

    For each precedence (p before q), n eligible for q, t an allowed start of q:
      precedence_same_nation[p,q,n,t]  S[n,q,t] ≤ K[n,p,t−1]
      precedence_any_nation[p,q,n,t]   S[n,q,t] ≤ Σ_m K[m,p,t−1]   (joint p: Σ_{t'≤t−d_p} z[p,t'])
    S and K use w for joint programmes. Rows at other years are implied: S only changes at
    q's start years and K never decreases.
    """
    by_id = inputs.programme_by_id
    rows: dict[str, dict[tuple, list[Term]]] = {"same_nation": {}, "any_nation": {}}
    for rule in inputs.precedences:
        before, after = by_id[rule.before], by_id[rule.after]
        # any_nation: one list of starts whose completion frees everyone (a joint p runs once)
        anyone = None
        if rule.scope == "any_nation":
            anyone = (
                joint_funding(m, before.id)
                if before.is_joint
                else [start for n in m.eligible[before.id] for start in funding(m, n, before.id)]
            )
        for n in m.eligible[after.id]:
            fund = funding(m, n, after.id)
            done = funding(m, n, before.id) if anyone is None else anyone
            for t, _ in fund:
                rows[rule.scope][before.id, after.id, n, t] = started_by(fund, t) + negated(
                    completed_by(done, before.duration_years, t - 1)
                )
    m.precedence_same_nation = pyo.Constraint(
        list(rows["same_nation"]),
        rule=lambda m, *key: (None, linear(rows["same_nation"][key]), 0.0),
    )
    m.precedence_any_nation = pyo.Constraint(
        list(rows["any_nation"]),
        rule=lambda m, *key: (None, linear(rows["any_nation"][key]), 0.0),
    )


def add_exclusive_groups(m: pyo.ConcreteModel, inputs: Inputs) -> None:
    """Family 7 — a nation funds at most one programme of each exclusive group.

    exclusive_group[g,n]  groups with ≥ 2 programmes, every n:  Σ_{p∈g} Σ_t x[n,p,t] ≤ 1
    (joint programmes count through w).
    """
    groups: dict[str, list[str]] = defaultdict(list)
    for p in inputs.programmes:
        if p.exclusive_group is not None:
            groups[p.exclusive_group].append(p.id)
    rows: dict[tuple[str, str], list[Term]] = {}
    for group, pids in groups.items():
        if len(pids) < 2:
            continue
        for n in m.nations:
            terms = [(1.0, var) for pid in pids for _, var in funding(m, n, pid)]
            if terms:
                rows[group, n] = terms
    m.exclusive_group = pyo.Constraint(list(rows), rule=lambda m, g, n: (None, linear(rows[g, n]), 1.0))


def add_capacity(m: pyo.ConcreteModel, inputs: Inputs) -> None:
    """Family 8 — at most max_concurrent_programmes_n programmes in development at once.

    capacity[n,t]  n with a cap, every t:  Σ_p (S[n,p,t] − K[n,p,t−1]) ≤ max_n
    A programme is in development in each of its d_p spending years; memberships count.
    """
    rows: dict[tuple[str, int], list[Term]] = {}
    for nation in inputs.nations:
        if nation.max_concurrent_programmes is None:
            continue
        funded = [(p.duration_years, funding(m, nation.code, p.id)) for p in inputs.programmes]
        for t in m.years:
            terms = [term for d, fund in funded for term in in_development(fund, d, t)]
            if terms:
                rows[nation.code, t] = terms
    cap = {
        n.code: float(n.max_concurrent_programmes) for n in inputs.nations if n.max_concurrent_programmes is not None
    }
    m.capacity = pyo.Constraint(list(rows), rule=lambda m, n, t: (None, linear(rows[n, t]), cap[n]))


def add_standards_compliance(m: pyo.ConcreteModel, inputs: Inputs) -> None:
    """Family 9 — a required standard is adopted no later than the programme completes.

    standards_compliance[n,p,s,t]  p requires s, n eligible for p, t a completion year of p:
                                   K[n,p,t] ≤ A[n,s,t]
    Rows at other years are implied: K only changes at completion years and A never decreases.
    """
    by_id = inputs.programme_by_id
    rows: dict[tuple, list[Term]] = {}
    for pid, sid in inputs.requirements:
        d = by_id[pid].duration_years
        for n in m.eligible[pid]:
            fund = funding(m, n, pid)
            for t in sorted({start + d - 1 for start, _ in fund}):
                rows[n, pid, sid, t] = completed_by(fund, d, t) + negated(adopted_by(m, n, sid, t))
    m.standards_compliance = pyo.Constraint(list(rows), rule=lambda m, *key: (None, linear(rows[key]), 0.0))


def add_critical_mass(m: pyo.ConcreteModel, inputs: Inputs) -> None:
    """Family 10 — a standard with min_adopters_s > 1 is adopted by enough nations or by none.

    critical_mass_switch[n,s]  s critical, every n:  A[n,s,yL] ≤ v[s]
    critical_mass[s]           s critical:           Σ_n A[n,s,yL] ≥ min_adopters_s·v[s]
    """
    last = inputs.settings.last_year
    least = {s.id: s.min_adopters for s in inputs.standards}
    m.critical_mass_switch = pyo.Constraint(
        m.nations,
        m.critical_standards,
        rule=lambda m, n, s: (
            None,
            linear(adopted_by(m, n, s, last) + [(-1.0, m.standard_in_use[s])]),
            0.0,
        ),
    )
    m.critical_mass = pyo.Constraint(
        m.critical_standards,
        rule=lambda m, s: (
            0.0,
            linear(
                [term for n in m.nations for term in adopted_by(m, n, s, last)]
                + [(-float(least[s]), m.standard_in_use[s])]
            ),
            None,
        ),
    )


def add_commitments(m: pyo.ConcreteModel, inputs: Inputs) -> None:
    """Family 11 — planners' fixed decisions, as rows a diagnosis can relax.

    commit_fund[n,p]     `fund`:     Σ_t x[n,p,t] = 1, or x[n,p,start_year] = 1 if given
    commit_exclude[n,p]  `exclude`:  Σ_t x[n,p,t] = 0
    (w for joint programmes). The validator has already rejected commitments that cannot
    be met by any variable; a pair committed twice in conflicting ways is rejected here.
    """
    fund_rows: dict[tuple[str, str], list[Term]] = {}
    exclude_rows: dict[tuple[str, str], list[Term]] = {}
    seen: dict[tuple[str, str], object] = {}
    for c in inputs.commitments:
        key = (c.nation, c.programme)
        if seen.setdefault(key, (c.action, c.start_year)) != (c.action, c.start_year):
            raise InputError(
                Problem(
                    *c.place,
                    f"{c.nation}/{c.programme} is committed twice in different ways",
                    "one commitment per nation and programme",
                )
            )
        fund = funding(m, c.nation, c.programme)
        if c.action == "exclude":
            if fund:
                exclude_rows[key] = [(1.0, var) for _, var in fund]
            continue
        terms = [(1.0, var) for t, var in fund if c.start_year in (None, t)]
        if not terms:
            when = f" starting {c.start_year}" if c.start_year is not None else ""
            raise InputError(
                Problem(
                    *c.place,
                    f"{c.nation} cannot fund {c.programme}{when}",
                    "a nation eligible for the programme and one of its allowed start years",
                )
            )
        fund_rows[key] = terms
    m.commit_fund = pyo.Constraint(list(fund_rows), rule=lambda m, n, p: (1.0, linear(fund_rows[n, p]), 1.0))
    m.commit_exclude = pyo.Constraint(list(exclude_rows), rule=lambda m, n, p: (None, linear(exclude_rows[n, p]), 0.0))


def add_capability_targets(m: pyo.ConcreteModel, inputs: Inputs) -> None:
    """Family 12 — soft capability targets; the gap is the shortfall objective.

    capability_target[n,c,t]  every target (n, c, t, T):  cap[n,c,t] + short[n,c,t] ≥ T
    with cap[n,c,t] = Σ_p value[p,c]·I[n,p,t]; for n = ALLIANCE, cap sums over allies only.
    """
    by_id = inputs.programme_by_id
    target_of = {(g.nation, g.area, g.year): g.target for g in inputs.targets}

    def target(m: pyo.ConcreteModel, nation: str, area: str, year: int) -> tuple:
        who = list(m.allies) if nation == ALLIANCE else [nation]
        terms: list[Term] = [(1.0, m.short[nation, area, year])]
        for (pid, c), points in inputs.values.items():
            if c != area or not points:
                continue
            d = by_id[pid].duration_years
            for n in who:
                terms += [(points, var) for _, var in in_service(funding(m, n, pid), d, year)]
        return (float(target_of[nation, area, year]), linear(terms), None)

    m.capability_target = pyo.Constraint(m.targets, rule=target)
