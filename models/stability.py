"""Family 14 — plan stability when re-planning from last year's plan (docs/robust.md).

Re-planning from year Y keeps the past as it happened and makes every change to the rest
of the previous plan cost a weight W, so a new plan does not churn for a marginal gain.
Programmes the previous plan started before Y arrive as `fund` commitments with their
start year (family 11, added by the caller); this family adds what commitments cannot say
and the change count:

* the past is frozen: no start, membership or adoption before Y other than the previous
  plan's, and a started joint programme's past payments are the previous plan's whenever
  they still add up to its (possibly re-estimated) cost in that year;
* every (nation, programme) the previous plan funds from Y on counts 1 change if the new
  plan drops or moves it, every one it does not fund counts 1 if the new plan adds it;
* every (nation, standard) adoption likewise: a planner acts on an adoption dropped or
  moved as on a programme (a 30-s reference plan re-planned unchanged at W = 50 dropped
  four nations' FMN adoptions for 10 of cost while they were not charged).

The change indicators are linear in the start binaries and exact: a funding's starts sum
to at most 1 (family 1), so "not started in t0" is `1 − x[n,p,t0]` and "added" is `Σ_t x`;
a nation adopts a standard at most once (`once_adoption`, family 1), so the same holds for `a[n,s,t]`.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping

import pyomo.environ as pyo

from data.tables import Inputs, PlanDecisions
from models.terms import Term, forget_lookups, funding, linear

log = logging.getLogger(__name__)

PAYMENT_TOLERANCE = 1e-6  # relative: past payments "still add up" to the year's cost


def add_plan_stability(
    m: pyo.ConcreteModel,
    inputs: Inputs,
    previous: PlanDecisions,
    weight: float,
    from_year: int,
    forced_changes: int = 0,
    warn: bool = True,
) -> None:
    """Family 14 — the frozen past and the change count, as `m.stability_penalty` = W·changes.

    replan_past_start[n,p]       (n,p) not started before Y in `previous`:  Σ_{t<Y} x[n,p,t] = 0
    replan_past_joint[p]         joint p not started before Y:             Σ_{t<Y} z[p,t] = 0
    replan_past_adoption[n,s]    Σ_{t<Y} a[n,s,t] = [previous adopts s before Y], and
                                 a[n,s,t0] = 1 for that previous adoption year t0
    replan_past_payment[n,p,τ]   joint p started before Y, τ < Y, previous payments of p in τ
                                 summing to cost_p[τ−t0]:  f[n,p,τ] = previous f[n,p,τ]
                                 (within half of PAYMENT_TOLERANCE of the year's cost; the verifier allows it all)
    plan_change[n,p]             previous start t0 ≥ Y:  1 − x[n,p,t0]  (1 if t0 is not allowed)
                                 otherwise:              Σ_{t≥Y} x[n,p,t]
    plan_adoption_change[n,s]    the same for adoptions: previous year t0 ≥ Y: 1 − a[n,s,t0];
                                 otherwise Σ_{t≥Y} a[n,s,t]
    plan_changes = Σ plan_change + Σ plan_adoption_change;  stability_penalty = W · plan_changes
    (x is w for joint programmes.) The previous plan's decisions on ids the inputs do not
    know cannot be kept; they count as constant changes, and so do `forced_changes` (those of
    the plan's decisions on such ids that the caller removed from `previous` before building:
    a re-plan's charged objective and bound left them out, while its change count had them).
    `warn`: log the past payments left free (off for a second build of the same re-plan, whose
    diagnosis printed every warning twice).
    """
    if weight < 0:
        raise ValueError(f"stability weight must be ≥ 0, got {weight}")
    before = _started_before(inputs, previous, from_year)
    _freeze_starts(m, inputs, before, from_year)
    _freeze_adoptions(m, previous, from_year)
    _freeze_payments(m, inputs, previous, from_year, warn)
    changes = change_terms(m, inputs, previous, from_year)
    adoptions = adoption_change_terms(m, inputs, previous, from_year)
    m.plan_change = pyo.Expression(
        list(changes), initialize={key: linear(terms, const) for key, (terms, const) in changes.items()}
    )
    m.plan_adoption_change = pyo.Expression(
        list(adoptions), initialize={key: linear(terms, const) for key, (terms, const) in adoptions.items()}
    )
    every = [*changes.values(), *adoptions.values()]
    m.plan_changes = pyo.Expression(
        expr=linear([t for terms, _ in every for t in terms], sum(const for _, const in every) + forced_changes)
    )
    m.stability_penalty = pyo.Expression(expr=float(weight) * m.plan_changes)
    forget_lookups(m)


def _started_before(inputs: Inputs, previous: PlanDecisions, from_year: int) -> dict[tuple[str, str], int]:
    """(nation, programme) -> start year of the previous plan's fundings that began before Y."""
    return {
        key: t
        for key, t in previous.funded().items()
        if t < from_year and key[1] in inputs.programme_by_id and key[0] in inputs.nation_by_code
    }


def _freeze_starts(m: pyo.ConcreteModel, inputs: Inputs, before: Mapping[tuple[str, str], int], from_year: int) -> None:
    rows: dict[tuple[str, str], list[Term]] = {}
    for (n, pid, t), x in [*m.starts.items(), *m.joins.items()]:
        if t < from_year and before.get((n, pid)) != t:
            rows.setdefault((n, pid), []).append((1.0, x))
    m.replan_past_start = pyo.Constraint(list(rows), rule=lambda m, n, p: (0.0, linear(rows[n, p]), 0.0))
    started = {pid for (_, pid) in before}
    joint: dict[str, list[Term]] = defaultdict(list)
    for (pid, t), z in m.joint_starts.items():
        if t < from_year and pid not in started:
            joint[pid].append((1.0, z))
    m.replan_past_joint = pyo.Constraint(list(joint), rule=lambda m, p: (0.0, linear(joint[p]), 0.0))


def _freeze_adoptions(m: pyo.ConcreteModel, previous: PlanDecisions, from_year: int) -> None:
    rows: dict[tuple[str, str], list[Term]] = defaultdict(list)
    kept: list[tuple[str, str, int]] = []
    for (n, s, t), a in m.adopts.items():
        if t < from_year:
            rows[n, s].append((1.0, a))
            if previous.adoptions.get((n, s)) == t:
                kept.append((n, s, t))
    adopted = {(n, s) for n, s, _ in kept}

    def past(m: pyo.ConcreteModel, n: str, s: str) -> tuple:
        level = 1.0 if (n, s) in adopted else 0.0
        return (level, linear(rows[n, s]), level)

    m.replan_past_adoption = pyo.Constraint(list(rows), rule=past)
    m.replan_past_adoption_year = pyo.Constraint(kept, rule=lambda m, n, s, t: (1.0, m.adopts[n, s, t], 1.0))


def held_payments(
    inputs: Inputs, previous: PlanDecisions, from_year: int, warn: bool = True
) -> dict[tuple[str, str, int], float]:
    """Past payments to keep: a joint programme started before Y, a year before Y, and the
    previous payments of that year (members only) adding up to the cost the inputs now give.

    When a re-estimated cost no longer matches, the year's split is left free: forcing the
    old split would make the re-plan infeasible for a change nobody can undo.
    """
    paid: dict[tuple[str, int], dict[str, float]] = defaultdict(dict)
    for (n, pid, year), amount in previous.payments.items():
        paid[pid, year][n] = float(amount)
    out: dict[tuple[str, str, int], float] = {}
    for pid, jd in previous.joint.items():
        p = inputs.programme_by_id.get(pid)
        if p is None or not p.is_joint or jd.start_year >= from_year:
            continue
        for year in range(jd.start_year, min(from_year, jd.start_year + p.duration_years)):
            cost = p.cost_in_offset(year - jd.start_year)
            split = paid.get((pid, year), {})
            total = sum(split.values())
            if set(split) <= set(jd.members) and abs(total - cost) <= PAYMENT_TOLERANCE * max(1.0, cost):
                out.update({(n, pid, year): split.get(n, 0.0) for n in jd.members})
            elif warn:
                log.warning(
                    "re-plan: %s's %d payments (%.6g) no longer add up to its cost %.6g; their split is left free",
                    pid,
                    year,
                    total,
                    cost,
                )
    return out


def held_payment_slack(inputs: Inputs, pid: str, year: int, start: int) -> float:
    """How far a held payment may move: half of PAYMENT_TOLERANCE of the year's cost (crumbs
    of 2e-6 on one member's share must be able to go to another's). Half: the verifier holds
    it to the whole tolerance, and a band as wide as the verifier's let the cost stage push
    payments to its edge, where rounding failed verification (a re-plan of the reference
    dataset ended in PlanVerificationError)."""
    return 0.5 * PAYMENT_TOLERANCE * max(1.0, inputs.programme_by_id[pid].cost_in_offset(year - start))


def _freeze_payments(
    m: pyo.ConcreteModel, inputs: Inputs, previous: PlanDecisions, from_year: int, warn: bool = True
) -> None:
    """Each held payment within `held_payment_slack` of its value (half what the verifier,
    check_plan_stability, allows): a solver's plan may overspend a budget by its feasibility
    tolerance (A paid 1.000002 beside a 4 in a budget of 5), and frozen to the last digit
    such crumbs made a re-plan of the unchanged inputs infeasible."""
    held = {key: amount for key, amount in held_payments(inputs, previous, from_year, warn).items() if key in m.payment}

    def band(m: pyo.ConcreteModel, n: str, p: str, t: int) -> tuple:
        slack = held_payment_slack(inputs, p, t, previous.joint[p].start_year)
        return (max(0.0, held[n, p, t] - slack), m.payment[n, p, t], held[n, p, t] + slack)

    m.replan_past_payment = pyo.Constraint(list(held), rule=band)


def _dropped_or_moved(options: list[tuple[int, object]], previous_year: int) -> tuple[list[Term], float]:
    """A decision previously taken in `previous_year` ≥ Y, from its yearly binaries (at most
    one is 1): `1 − v[previous_year]` (1 if that year is no longer possible)."""
    return [(-1.0, v) for t, v in options if t == previous_year], 1.0


def _added(options: list[tuple[int, object]], from_year: int) -> tuple[list[Term], float] | None:
    """A decision not taken before: `Σ_{t≥Y} v[t]` (None when it cannot be taken from Y on)."""
    added = [(1.0, v) for t, v in options if t >= from_year]
    return (added, 0.0) if added else None


def change_terms(
    m: pyo.ConcreteModel, inputs: Inputs, previous: PlanDecisions, from_year: int
) -> dict[tuple[str, str], tuple[list[Term], float]]:
    """(nation, programme) -> (terms, constant) of its change indicator (see the family)."""
    out: dict[tuple[str, str], tuple[list[Term], float]] = {}
    funded = previous.funded()
    for (n, pid), t0 in funded.items():
        if t0 < from_year:
            continue  # history: a commitment, never a change
        if pid not in inputs.programme_by_id or n not in inputs.nation_by_code:
            out[n, pid] = ([], 1.0)
            continue
        out[n, pid] = _dropped_or_moved(list(funding(m, n, pid)), t0)
    for p in inputs.programmes:
        for n in m.eligible[p.id]:
            if (n, p.id) not in funded and (added := _added(list(funding(m, n, p.id)), from_year)):
                out[n, p.id] = added
    return out


def adoption_change_terms(
    m: pyo.ConcreteModel, inputs: Inputs, previous: PlanDecisions, from_year: int
) -> dict[tuple[str, str], tuple[list[Term], float]]:
    """(nation, standard) -> (terms, constant) of its adoption's change indicator, as for a
    funding (1 if the standard is gone). Adoptions before Y are frozen
    (`_freeze_adoptions`): never a change."""
    out: dict[tuple[str, str], tuple[list[Term], float]] = {}
    years: dict[tuple[str, str], list[tuple[int, object]]] = defaultdict(list)
    for (n, sid, t), a in m.adopts.items():
        years[n, sid].append((t, a))
    for (n, sid), t0 in previous.adoptions.items():
        if t0 >= from_year:
            out[n, sid] = _dropped_or_moved(years.get((n, sid), []), t0)
    for key, options in years.items():
        if key not in previous.adoptions and (added := _added(options, from_year)):
            out[key] = added
    return out
