"""The robust start plan: the greedy plan of inputs whose costs carry their full overrun risk."""

from __future__ import annotations

from dataclasses import replace

from data.tables import Inputs, PlanDecisions
from optimizer.heuristics.greedy import greedy_plan


def protected_inputs(inputs: Inputs) -> Inputs:
    """The inputs with every programme's costs raised by its full overrun risk, robust mode off.

    A plan that fits these budgets fits the real ones with every programme overrunning at
    once, so it is robust for every Γ: a safe (if cautious) start for a robust solve.
    """
    programmes = tuple(
        replace(
            p,
            total_cost=p.total_cost * (1.0 + p.cost_overrun_risk),
            per_participant_cost=p.per_participant_cost * (1.0 + p.cost_overrun_risk),
        )
        for p in inputs.programmes
    )
    nations = tuple(replace(n, robust_overruns=None) for n in inputs.nations)
    return inputs.with_changes(
        programmes=programmes, nations=nations, settings=replace(inputs.settings, robust_overruns=0)
    )


def robust_greedy_plan(inputs: Inputs) -> PlanDecisions:
    """The spreadsheet-method (greedy) plan of the fully protected inputs, in real money.

    Its starts, memberships and adoptions carry over as they are; each joint payment is
    divided by 1 + risk, back to the programme's real cost. The plan is robust for any Γ.
    """
    plan = greedy_plan(protected_inputs(inputs))
    risk = {p.id: p.cost_overrun_risk for p in inputs.programmes}
    return replace(plan, payments={key: amount / (1.0 + risk[key[1]]) for key, amount in plan.payments.items()})
