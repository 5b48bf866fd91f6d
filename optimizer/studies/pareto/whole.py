"""Whether an objective is whole-valued on every plan: what exact mode's proof rests on.

Exact mode (MODEL.md: integer-valued objectives, step 1) steps each constrained objective
by 1 and stops each sub-problem at a relative gap worth less than one unit of the primary.
Both are sound only when every plan's value of every chosen objective is a whole number.
Nothing checked that: `capopt pareto --objectives capability,risk --exact` on a small
workbook said "proven complete" for 8 plans, and a grid of 60 points found 9 more
non-dominated ones (risk 9.2, 6.1, … lie between exact mode's steps). So each chosen
objective is checked here, before the front is called complete.

The checks are sufficient, not necessary: a "no" means "not certain", and the front is then
reported as not proven rather than refused. Capability, its areas and interoperability are
read off the model (every variable whole, every coefficient whole). Cost, risk and shortfall
have continuous variables (joint payments, shortfalls), whose values at a plan follow from
the data: a funded programme spends its whole cost inside the horizon (MODEL.md), so cost
is whole when every total cost, per-participant cost and adoption cost is; risk when every
risk times those costs is; shortfall (Σ max(0, T − cap) at the sub-problem's optimum, which
the augmentation term minimises) when every target and every capability value is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pyomo.environ as pyo
from pyomo.repn import generate_standard_repn

from data.tables import Inputs

TOLERANCE = 1e-9


def _whole(number: float) -> bool:
    return abs(number - round(number)) <= TOLERANCE * max(1.0, abs(number))


def _first_fraction(labelled: Iterable[tuple[str, float]]) -> str | None:
    """The first "what = value" that is not a whole number, or None."""
    for label, number in labelled:
        if not _whole(number):
            return f"{label} = {number:g}"
    return None


def _from_model(m: pyo.ConcreteModel, name: str) -> str | None:
    """Why the model's expression for `name` may take a fractional value (None: it cannot)."""
    repn = generate_standard_repn(m.objective_expr[name], quadratic=False)
    if repn.nonlinear_expr is not None:
        return "it is not linear"
    for var, coefficient in zip(repn.linear_vars, repn.linear_coefs):
        if not var.is_integer():
            return f"it has the continuous variable {var.name}"
        if not _whole(float(coefficient)):
            return f"{var.name} counts {float(coefficient):g} in it"
    if not _whole(float(repn.constant)):
        return f"its constant is {float(repn.constant):g}"
    return None


def _cost(inputs: Inputs) -> str | None:
    return _first_fraction(
        [(f"total_cost of {p.id}", p.total_cost) for p in inputs.programmes]
        + [(f"per_participant_cost of {p.id}", p.per_participant_cost) for p in inputs.programmes]
        + [(f"adoption_cost of {s.id}", s.adoption_cost) for s in inputs.standards]
    )


def _risk(inputs: Inputs) -> str | None:
    return _first_fraction(
        [(f"cost_overrun_risk × total_cost of {p.id}", p.cost_overrun_risk * p.total_cost) for p in inputs.programmes]
        + [
            (f"cost_overrun_risk × per_participant_cost of {p.id}", p.cost_overrun_risk * p.per_participant_cost)
            for p in inputs.programmes
        ]
    )


def _shortfall(inputs: Inputs) -> str | None:
    return _first_fraction(
        [(f"target {g.nation}/{g.area}/{g.year}", g.target) for g in inputs.targets]
        + [(f"value of {pid} in {area}", points) for (pid, area), points in inputs.values.items()]
    )


DATA_RULES = {"cost": _cost, "risk": _risk, "shortfall": _shortfall}


def fractional_objectives(m: pyo.ConcreteModel, inputs: Inputs, objectives: Sequence[str]) -> list[str]:
    """One "objective: why" for each chosen objective that may take a fractional value."""
    found = []
    for name in objectives:
        rule = DATA_RULES.get(name)
        why = rule(inputs) if rule is not None else _from_model(m, name)
        if why is not None:
            found.append(f"{name} ({why})")
    return found
