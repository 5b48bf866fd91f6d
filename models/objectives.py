"""Spend and the objective expressions of MODEL.md (capability, cost, shortfall, interoperability, risk)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

import pyomo.environ as pyo

from data.tables import AREA_OBJECTIVE_PREFIX, Inputs
from models.terms import Term, funding, linear, merged, recalled, remember

# MODEL.md's objectives, each a named Expression on the model.
MODEL_OBJECTIVES = ("capability", "cost", "shortfall", "interoperability", "risk")


def add_spend(m: pyo.ConcreteModel, inputs: Inputs) -> None:
    """`m.spend[n,τ]`, what nation n pays in year τ (MODEL.md family 4):

    spend[n,τ] = Σ_{p nat} Σ_t x[n,p,t]·cost_p[τ−t]
               + Σ_{p joint} (f[n,p,τ] + Σ_t w[n,p,t]·ppc_p[τ−t])
               + Σ_s adoption_cost_s·a[n,s,τ]

    Built once from per-(n,τ) term lists; budget rows and the cost objective reuse them.
    """
    terms: dict[tuple[str, int], list[Term]] = defaultdict(list)
    by_id = inputs.programme_by_id
    for (n, pid, t), start in m.starts.items():
        p = by_id[pid]
        for k in range(p.duration_years):
            if cost := p.cost_in_offset(k):
                terms[n, t + k].append((cost, start))
    for (n, pid, t), join in m.joins.items():
        p = by_id[pid]
        for k in range(p.duration_years):
            if cost := p.per_participant_cost_in_offset(k):
                terms[n, t + k].append((cost, join))
    for (n, pid, year), pay in m.payment.items():
        terms[n, year].append((1.0, pay))
    adoption_cost = {s.id: s.adoption_cost for s in inputs.standards}
    for (n, s, year), adopt in m.adopts.items():
        if adoption_cost[s]:
            terms[n, year].append((adoption_cost[s], adopt))
    m.spend = pyo.Expression(
        m.nations,
        m.years,
        initialize={(n, t): linear(terms.get((n, t), ())) for n in m.nations for t in m.years},
    )
    remember(m, "spend", terms)


def spend_terms(m: pyo.ConcreteModel, nation: str, year: int) -> list[Term]:
    """The (coefficient, variable) terms of spend[n,τ], for rows that add more terms to it.

    During the build they come from the lists `add_spend` made (reading them back from the
    expression makes Pyomo rebuild its coefficient cache: ~0.1 s on the L benchmark)."""
    built = recalled(m, "spend")
    if built is not None:
        return list(built.get((nation, year), ()))
    expr = m.spend[nation, year].expr
    return list(zip(expr.linear_coefs, expr.linear_vars))


def add_objective_expressions(m: pyo.ConcreteModel, inputs: Inputs) -> None:
    """The objectives of MODEL.md as named Expressions (`m.capability`, `m.cost`,
    `m.shortfall`, `m.interoperability`, `m.risk`), so every run can report each of them,
    and `m.objective_expr[name]` for every name in `inputs.objective_names()` (those five and
    one `capability:<c>` per area), which the optimizer indexes by the names a user gives.

    capability        Σ_{n,p,c} ω_c·value[p,c]·(Σ_{t∈Y} δ_t·I[n,p,t] + K[n,p,yL]·Σ_{h=1..H} δ_{yL+h})
    capability:<c>    the same for area c alone, without ω_c
    cost              Σ_{n,t} spend[n,t] (undiscounted)
    shortfall         Σ_g short[g]
    interoperability  Σ_s weight_s·Σ_n A[n,s,yL] + Σ_{n, p joint} Σ_t w[n,p,t]
    risk              Σ_n Σ_p cost_overrun_risk_p·(what n pays for p, per-participant cost included)
    """
    area_weight = {a.id: a.weight for a in inputs.areas}
    exprs = {
        "capability": linear(capability_terms(m, inputs, area_weight)),
        "cost": linear(merged(t for n in m.nations for y in m.years for t in spend_terms(m, n, y))),
        "shortfall": linear((1.0, short) for short in m.short.values()),
        "interoperability": linear(interoperability_terms(m, inputs)),
        "risk": linear(risk_terms(m, inputs)),
    }
    for name in MODEL_OBJECTIVES:
        setattr(m, name, pyo.Expression(expr=exprs[name]))
    for area in inputs.areas:
        exprs[AREA_OBJECTIVE_PREFIX + area.id] = linear(capability_terms(m, inputs, {area.id: 1.0}))
    # The same expression trees as the named ones (shared, not copied or nested), so solver
    # hand-offs that read `objective_expr` see plain linear sums.
    m.objective_expr = pyo.Expression(m.objective_names, initialize=exprs)


def discount_factors(inputs: Inputs) -> dict[int, float]:
    """δ_t = (1+r)^−(t−y0) for every year that earns capability: the horizon plus H years after."""
    s = inputs.settings
    last = s.last_year + s.service_years_after_horizon
    return {t: (1.0 + s.discount_rate) ** -(t - s.first_year) for t in range(s.first_year, last + 1)}


def capability_terms(m: pyo.ConcreteModel, inputs: Inputs, area_weight: Mapping[str, float]) -> list[Term]:
    """Capability points, summed over the given areas with the given weights.

    A start in t0 is in service from t0+d_p; both the horizon term Σ_{t∈Y} δ_t·I[n,p,t] and
    the after-horizon term K[n,p,yL]·Σ_h δ_{yL+h} then collapse to one coefficient per start
    binary, Σ_{t=t0+d_p}^{yL+H} δ_t, because every funded programme completes by yL.
    """
    delta = discount_factors(inputs)
    last = max(delta)
    service_value: dict[int, float] = {}  # first in-service year -> Σ δ over remaining years
    running = 0.0
    for year in range(last, inputs.settings.first_year - 1, -1):
        running += delta[year]
        service_value[year] = running
    terms: list[Term] = []
    for p in inputs.programmes:
        points = sum(w * inputs.values.get((p.id, c), 0.0) for c, w in area_weight.items())
        if not points:
            continue
        for n in m.eligible[p.id]:
            for start, var in funding(m, n, p.id):
                coef = points * service_value.get(start + p.duration_years, 0.0)
                if coef:
                    terms.append((coef, var))
    return terms


def interoperability_terms(m: pyo.ConcreteModel, inputs: Inputs) -> list[Term]:
    """Σ_s weight_s·Σ_n A[n,s,yL] (A[n,s,yL] = Σ_t a[n,s,t]) plus one point per membership."""
    weight = {s.id: s.weight for s in inputs.standards}
    terms: list[Term] = [(weight[s], adopt) for (n, s, t), adopt in m.adopts.items() if weight[s]]
    terms += [(1.0, join) for join in m.joins.values()]
    return terms


def risk_terms(m: pyo.ConcreteModel, inputs: Inputs) -> list[Term]:
    """cost_overrun_risk_p × what each nation pays for p (national: the whole cost)."""
    by_id = inputs.programme_by_id
    terms: list[Term] = []
    for (n, pid, t), start in m.starts.items():
        p = by_id[pid]
        if p.cost_overrun_risk and p.total_cost:
            terms.append((p.cost_overrun_risk * p.total_cost, start))
    for (n, pid, t), pay in m.payment.items():
        if by_id[pid].cost_overrun_risk:
            terms.append((by_id[pid].cost_overrun_risk, pay))
    for (n, pid, t), join in m.joins.items():
        p = by_id[pid]
        if p.cost_overrun_risk and p.per_participant_cost:
            terms.append((p.cost_overrun_risk * p.per_participant_cost, join))
    return terms
