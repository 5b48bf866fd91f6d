"""Family 13 — robust budgets: every yearly budget survives up to Γ_n programme overruns.

The Bertsimas–Sim budget of uncertainty, kept linear through its dual (docs/robust.md).
For nation n and year τ each programme p it pays for may cost up to `cost_overrun_risk_p`
more than planned: its deviation is `d[n,p,τ] = risk_p · pay[n,p,τ]`, where pay is what n
pays for p in τ (national cost; a joint member's payment f plus its per-participant cost).
The worst case over "at most Γ_n programmes overrun" adds

    β[n,τ] = max { Σ_p d[n,p,τ]·u_p : Σ_p u_p ≤ Γ_n, 0 ≤ u_p ≤ 1 }

to spend[n,τ]. LP duality turns the inner max into

    β[n,τ] = min { Γ_n·λ[n,τ] + Σ_p μ[n,p,τ] : λ + μ[n,p,τ] ≥ d[n,p,τ], λ, μ ≥ 0 }

so asking for `spend + Γ·λ + Σ_p μ ≤ budget` with λ, μ as variables is exactly the robust
counterpart: any λ, μ the solver picks bound β from above. Nothing here changes family 4;
the robust rows sit beside the nominal ones, which they imply.
"""

from __future__ import annotations

from collections import defaultdict

import pyomo.environ as pyo

from data.tables import Inputs
from models.objectives import spend_terms
from models.terms import Term, linear, merged

# (nation, programme, year) -> the terms of d[n,p,τ] = risk_p · pay[n,p,τ]
Deviations = dict[tuple[str, str, int], list[Term]]


def add_robust_budget(m: pyo.ConcreteModel, inputs: Inputs) -> None:
    """Family 13 — robust budgets, for the nations with Γ_n > 0 (none: no components at all).

    robust_dual[n,p,τ]     n with Γ_n > 0, p it may pay for in τ with risk_p > 0:
                           λ[n,τ] + μ[n,p,τ] ≥ risk_p · pay[n,p,τ]
    With protection β[n,τ] = Γ_n·λ[n,τ] + Σ_p μ[n,p,τ]:
      use-or-lose nations, every τ with an uncertain payment:
        robust_budget[n,τ]          spend[n,τ] + β[n,τ] ≤ budget[n,τ]
      banking nations, every τ (a robust balance rbal beside the nominal one):
        robust_budget_balance[n,τ]  rbal[n,τ] − rbal[n,τ−1] + spend[n,τ] + β[n,τ] + rlapse[n,τ] = budget[n,τ]
        robust_carry_over_cap[n,τ]  rbal[n,τ] ≤ carry_over_fraction_n·budget[n,τ]
        robust_borrow_floor[n,τ]    rbal[n,τ] ≥ −borrow_fraction_n·budget[n,τ+1] (τ < yL); rbal[n,yL] ≥ 0
    When Γ_n is at least the number of programmes n may pay for in τ, every one of them
    overruns in the worst case, so β[n,τ] = Σ_p d[n,p,τ] directly (no dual variables).
    """
    gamma = {n.code: inputs.robust_overruns(n.code) for n in inputs.nations}
    deviations = robust_deviations(m, inputs, {n for n, g in gamma.items() if g > 0})
    if not deviations:
        return
    by_year: dict[tuple[str, int], list[str]] = defaultdict(list)
    for n, pid, year in deviations:
        by_year[n, year].append(pid)
    dual_years = [key for key, pids in by_year.items() if len(pids) > gamma[key[0]]]
    dual_items = [(n, pid, year) for (n, year) in dual_years for pid in by_year[n, year]]
    m.robust_years = pyo.Set(initialize=dual_years, dimen=2, ordered=pyo.Set.InsertionOrder)
    m.robust_items = pyo.Set(initialize=dual_items, dimen=3, ordered=pyo.Set.InsertionOrder)
    m.robust_level = pyo.Var(m.robust_years, domain=pyo.NonNegativeReals)  # λ[n,τ]
    m.robust_excess = pyo.Var(m.robust_items, domain=pyo.NonNegativeReals)  # μ[n,p,τ]
    m.robust_dual = pyo.Constraint(
        m.robust_items,
        rule=lambda m, n, p, t: (
            0.0,
            linear(
                [(1.0, m.robust_level[n, t]), (1.0, m.robust_excess[n, p, t])]
                + [(-c, v) for c, v in deviations[n, p, t]]
            ),
            None,
        ),
    )
    protection: dict[tuple[str, int], list[Term]] = {}
    for (n, year), pids in by_year.items():
        if (n, year) in m.robust_years:
            terms = [(float(gamma[n]), m.robust_level[n, year])]
            terms += [(1.0, m.robust_excess[n, pid, year]) for pid in pids]
        else:
            terms = [term for pid in pids for term in deviations[n, pid, year]]
        protection[n, year] = terms
    m.robust_gamma = pyo.Param(m.nations, initialize=gamma)
    m.robust_protection = pyo.Expression(  # β[n,τ], for reports and MIP starts
        list(protection), initialize={key: linear(merged(terms)) for key, terms in protection.items()}
    )
    _add_robust_rows(m, inputs, protection)


def robust_deviations(m: pyo.ConcreteModel, inputs: Inputs, nations: set[str]) -> Deviations:
    """d[n,p,τ] = risk_p · pay[n,p,τ] as terms, for the given nations and risky programmes.

    pay[n,p,τ] is what family 4's spend counts for p: Σ_t x[n,p,t]·cost_p[τ−t] (national),
    f[n,p,τ] + Σ_t w[n,p,t]·ppc_p[τ−t] (joint). A joint overrun thus scales each member's
    own payment: the consortium shares the extra cost as it shares the planned one.
    """
    by_id = inputs.programme_by_id
    out: dict[tuple[str, str, int], list[Term]] = defaultdict(list)
    for (n, pid, t), start in m.starts.items():
        p = by_id[pid]
        if n in nations and p.cost_overrun_risk > 0:
            for k in range(p.duration_years):
                if cost := p.cost_in_offset(k):
                    out[n, pid, t + k].append((p.cost_overrun_risk * cost, start))
    for (n, pid, t), join in m.joins.items():
        p = by_id[pid]
        if n in nations and p.cost_overrun_risk > 0:
            for k in range(p.duration_years):
                if cost := p.per_participant_cost_in_offset(k):
                    out[n, pid, t + k].append((p.cost_overrun_risk * cost, join))
    for (n, pid, year), pay in m.payment.items():
        risk = by_id[pid].cost_overrun_risk
        if n in nations and risk > 0:
            out[n, pid, year].append((risk, pay))
    return {key: merged(terms) for key, terms in out.items()}


def _add_robust_rows(m: pyo.ConcreteModel, inputs: Inputs, protection: dict[tuple[str, int], list[Term]]) -> None:
    """Spend plus protection within budget, through a robust balance where a nation banks."""
    first, last = inputs.settings.first_year, inputs.settings.last_year
    use_or_lose = [key for key in protection if key[0] not in m.banking_nations]
    m.robust_budget = pyo.Constraint(
        use_or_lose,
        rule=lambda m, n, t: (
            None,
            linear(merged(spend_terms(m, n, t) + protection[n, t])),
            m.budget[n, t],
        ),
    )
    banking = sorted({n for n, _ in protection if n in m.banking_nations})
    m.robust_banking_nations = pyo.Set(initialize=banking, ordered=pyo.Set.InsertionOrder)
    m.robust_balance = pyo.Var(m.robust_banking_nations, m.years, domain=pyo.Reals)
    m.robust_lapse = pyo.Var(m.robust_banking_nations, m.years, domain=pyo.NonNegativeReals)

    def balance(m: pyo.ConcreteModel, n: str, t: int) -> object:
        terms = spend_terms(m, n, t) + protection.get((n, t), [])
        terms += [(1.0, m.robust_balance[n, t]), (1.0, m.robust_lapse[n, t])]
        if t > first:
            terms.append((-1.0, m.robust_balance[n, t - 1]))
        return linear(merged(terms)) == m.budget[n, t]

    def carry_cap(m: pyo.ConcreteModel, n: str, t: int) -> tuple:
        return (None, m.robust_balance[n, t], m.carry_over_fraction[n] * m.budget[n, t])

    def borrow_floor(m: pyo.ConcreteModel, n: str, t: int) -> tuple:
        if t == last:
            return (0.0, m.robust_balance[n, t], None)
        return (-m.borrow_fraction[n] * m.budget[n, t + 1], m.robust_balance[n, t], None)

    nations, years = m.robust_banking_nations, m.years
    m.robust_budget_balance = pyo.Constraint(nations, years, rule=balance)
    m.robust_carry_over_cap = pyo.Constraint(nations, years, rule=carry_cap)
    m.robust_borrow_floor = pyo.Constraint(nations, years, rule=borrow_floor)


def set_robust_start(m: pyo.ConcreteModel) -> None:
    """λ, μ and the robust balances implied by the plan in m's decision variables.

    The dual optimum is λ = the Γ-th largest overrun and μ_p = max(0, d_p − λ), which makes
    Γ·λ + Σ μ the sum of the Γ largest; balances follow MODEL.md's greedy rule on spend + β.
    With these a plan that is robust-feasible is a complete MIP start.
    """
    if not hasattr(m, "robust_protection"):
        return
    for var in (m.robust_level, m.robust_excess):
        for data in var.values():
            data.set_value(0.0)
    overruns: dict[tuple[str, int], list[tuple[float, str]]] = defaultdict(list)
    for (n, pid, year), row in m.robust_dual.items():
        overruns[n, year].append((max(0.0, -pyo.value(row.body)), pid))  # body = λ + μ − d
    for (n, year), items in overruns.items():
        items.sort(reverse=True)
        gamma = int(pyo.value(m.robust_gamma[n]))
        level = items[gamma - 1][0] if len(items) >= gamma else 0.0
        m.robust_level[n, year].set_value(level)
        for d, pid in items:
            m.robust_excess[n, pid, year].set_value(max(0.0, d - level))
    for n in m.robust_banking_nations:
        carried = 0.0
        for year in m.years:
            budget = pyo.value(m.budget[n, year])
            beta = pyo.value(m.robust_protection[n, year]) if (n, year) in m.robust_protection else 0.0
            available = carried + budget - pyo.value(m.spend[n, year]) - beta
            cap = pyo.value(m.carry_over_fraction[n] * budget)
            carried = min(available, cap)
            m.robust_balance[n, year].set_value(carried)
            m.robust_lapse[n, year].set_value(max(0.0, available - cap))
