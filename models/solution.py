"""Between a solved model and `PlanDecisions`: read decisions out, or write them in as a MIP start."""

from __future__ import annotations

import math
from collections import defaultdict

import pyomo.environ as pyo
from pyomo.core.base.var import VarData

from data.tables import Inputs, JointDecision, PlanDecisions
from models.robust import set_robust_start

# Binaries come back from the solver within its integrality tolerance, not exactly 0/1.
_ON = 0.5
# Payments below this are solver noise, not a contribution anyone would report.
_PAYMENT_MIN = 1e-9
# A year's payments this close to its cost (relative) miss it by solver tolerance only.
PAYMENT_SUM_CRUMBS = 1e-6


def extract_decisions(m: pyo.ConcreteModel, inputs: Inputs) -> PlanDecisions:
    """The plan held in the variable values of a solved `m` (binaries rounded, tiny payments dropped)."""
    national = {(n, p): t for (n, p, t), x in m.starts.items() if _is_on(x)}
    joint = {}
    for (p, t), z in m.joint_starts.items():
        if _is_on(z):
            members = tuple(n for n in m.eligible[p] if _is_on(m.joins[n, p, t]))
            joint[p] = JointDecision(start_year=t, members=members)
    payments = _member_payments(m, inputs, joint)
    adoptions = {(n, s): t for (n, s, t), a in m.adopts.items() if _is_on(a)}
    return PlanDecisions(national=national, joint=joint, payments=payments, adoptions=adoptions)


def _member_payments(
    m: pyo.ConcreteModel, inputs: Inputs, joint: dict[str, JointDecision]
) -> dict[tuple[str, str, int], float]:
    """What each member pays each joint programme each year. Solver crumbs are cleaned:
    * a non-member's — a join left at about 1e-9 by the solver's integrality tolerance lets
      that nation pay about 1e-6 (a fuzzed front's plan: 2.4e-6, and the plan failed
      verification) — goes to the year's members in proportion to what they pay, so the
      year's payments still sum to its cost;
    * any payment in a year the programme costs nothing (a fuzzed front: 8.7e-6 in a
      zero-cost year, allowed by the payment row's tolerance) is dropped."""
    payments: dict[tuple[str, str, int], float] = {}
    crumbs: dict[tuple[str, int], float] = {}
    for (n, p, year), f in m.payment.items():
        if f.value is None or f.value <= _PAYMENT_MIN or p not in joint:
            continue
        if inputs.programme_by_id[p].cost_in_offset(year - joint[p].start_year) == 0.0:
            continue
        if n in joint[p].members:
            payments[n, p, year] = float(f.value)
        else:
            crumbs[p, year] = crumbs.get((p, year), 0.0) + float(f.value)
    for (p, year), amount in crumbs.items():
        paying = [key for key in payments if key[1] == p and key[2] == year]
        total = sum(payments[key] for key in paying)
        for key in paying:
            payments[key] += amount * payments[key] / total
    _pay_what_is_due(payments, inputs, joint)
    return payments


def _pay_what_is_due(
    payments: dict[tuple[str, str, int], float], inputs: Inputs, joint: dict[str, JointDecision]
) -> None:
    """Make each (programme, year)'s payments sum exactly to that year's cost when they miss
    it by solver crumbs only (within `PAYMENT_SUM_CRUMBS`, relative): MODEL.md family 3 is an
    equation, and a front's plan paid 149.999997 of 150 (HiGHS's row tolerance), so its
    Contributions and its cost objective (362.999997) were off the contract's figures.
    A shortfall is spread over the members in proportion (each pays a little more); an
    excess comes off the member furthest above its minimum share, so that no member is
    pushed below it. A larger miss is left as it is, for the verifier to refuse."""
    paying: dict[tuple[str, int], list[tuple[str, str, int]]] = defaultdict(list)
    paid: dict[tuple[str, str], float] = defaultdict(float)
    for key, amount in payments.items():
        paying[key[1], key[2]].append(key)
        paid[key[0], key[1]] += amount
    for (p, year), keys in paying.items():
        programme = inputs.programme_by_id[p]
        due = programme.cost_in_offset(year - joint[p].start_year)
        total = math.fsum(payments[key] for key in keys)
        if total <= 0 or total == due or abs(total - due) > PAYMENT_SUM_CRUMBS * due:
            continue
        if total < due:
            for key in keys:
                paid[key[0], p] += payments[key] * (due / total - 1)
                payments[key] *= due / total
            continue
        floor = programme.min_share * programme.total_cost
        excess = total - due
        able = [key for key in keys if payments[key] >= excess]  # none paid below 0 (the largest pays enough)
        payer = max(able, key=lambda key: (paid[key[0], p] - floor, payments[key], key))
        payments[payer] -= excess
        paid[payer[0], p] -= excess


def set_start(m: pyo.ConcreteModel, decisions: PlanDecisions) -> None:
    """Give every variable of `m` the value implied by `decisions`, for a MIP warm start.

    HiGHS takes a start as a full column vector, so the derived variables are set too:
    v[s] (in use iff adopted by anyone), balances and lapses by MODEL.md's greedy rule, and
    shortfalls as max(0, T − cap). A joint programme with members but no payments in
    `decisions` gets its yearly cost split evenly among its members. A decision outside the
    model's windows raises `ValueError`: no variable could carry it.
    """
    for var in (m.starts, m.joint_starts, m.joins, m.payment, m.adopts, m.standard_in_use):
        for data in var.values():
            data.set_value(0)

    for (n, p), t in decisions.national.items():
        _lookup(m.starts, (n, p, t), f"{n} starting {p} in {t}").set_value(1)
    for p, jd in decisions.joint.items():
        t = jd.start_year
        _lookup(m.joint_starts, (p, t), f"joint programme {p} starting {t}").set_value(1)
        for n in jd.members:
            _lookup(m.joins, (n, p, t), f"{n} joining {p} starting {t}").set_value(1)
    for (n, s), t in decisions.adoptions.items():
        _lookup(m.adopts, (n, s, t), f"adoption of {s} by {n} in {t}").set_value(1)
    for s in m.critical_standards:
        in_use = any(m.adopts[n, s, t].value for n in m.nations for t in m.years)
        m.standard_in_use[s].set_value(int(in_use))

    _set_payments(m, decisions)
    _set_balances(m)
    for key, short in m.short.items():
        short.set_value(0.0)
        row = m.capability_target[key]
        short.set_value(max(0.0, pyo.value(row.lower) - pyo.value(row.body)))
    set_robust_start(m)  # family 13's duals and robust balances, when the model has them


def _is_on(var: VarData) -> bool:
    return var.value is not None and var.value > _ON


def _lookup(var: pyo.Var, key: tuple, what: str) -> VarData:
    if key not in var:
        raise ValueError(f"cannot warm-start {what}: outside the model's allowed windows")
    return var[key]


def _set_payments(m: pyo.ConcreteModel, decisions: PlanDecisions) -> None:
    for (n, p, t), amount in decisions.payments.items():
        _lookup(m.payment, (n, p, t), f"payment of {n} to {p} in {t}").set_value(amount)
    paid = {p for (_, p, _) in decisions.payments}
    for p, jd in decisions.joint.items():
        if p in paid or not jd.members:
            continue
        for year in m.years:
            if (p, year) not in m.consortium_pays:
                continue
            # with payments at 0 the row's body is −Σ_t z[p,t]·cost_p[τ−t]: the year's cost
            cost = -pyo.value(m.consortium_pays[p, year].body)
            for n in jd.members:
                m.payment[n, p, year].set_value(cost / len(jd.members))


def _set_balances(m: pyo.ConcreteModel) -> None:
    """MODEL.md's greedy balances: keep what the carry-over cap allows, lapse the rest."""
    for n in m.banking_nations:
        carried = 0.0
        for t in m.years:
            budget = pyo.value(m.budget[n, t])
            available = carried + budget - pyo.value(m.spend[n, t])
            cap = pyo.value(m.carry_over_fraction[n] * budget)
            carried = min(available, cap)
            m.balance[n, t].set_value(carried)
            m.lapse[n, t].set_value(max(0.0, available - cap))
