"""`build_model`: the Pyomo MIP of MODEL.md, read top to bottom like the formulation."""

from __future__ import annotations

import gc
import logging
import time

import pyomo.environ as pyo
from pyomo.common.gc_manager import PauseGC

from data.tables import Inputs
from models.constraints import (
    add_budget_balance,
    add_burden_sharing,
    add_capability_targets,
    add_capacity,
    add_commitments,
    add_consortium,
    add_critical_mass,
    add_exclusive_groups,
    add_once,
    add_precedence,
    add_standards_compliance,
)
from models.objectives import add_objective_expressions, add_spend
from models.robust import add_robust_budget
from models.terms import forget_lookups

log = logging.getLogger(__name__)


def build_model(inputs: Inputs) -> pyo.ConcreteModel:
    """The acquisition MIP for validated `inputs`, with every objective of MODEL.md a named
    Expression (`m.capability`, `m.cost`, …) and also indexed as `m.objective_expr[name]`.

    No Objective component is added: the optimizer chooses, combines and swaps objectives.
    Schedule windows (MODEL.md family 5) are not constraints but the sparse start sets: a
    variable exists only for an allowed start year of an eligible nation.
    """
    began = time.perf_counter()
    # The build allocates ~10^5 small expression objects; cyclic GC passes over them doubled
    # the build time and there is no garbage to find until it is done.
    with PauseGC():
        m = pyo.ConcreteModel(name="capopt")
        add_sets(m, inputs)
        add_parameters(m, inputs)
        add_variables(m)
        add_spend(m, inputs)

        add_once(m, inputs)  # 1
        add_consortium(m, inputs)  # 2
        add_burden_sharing(m, inputs)  # 3
        add_budget_balance(m, inputs)  # 4 (5, schedule windows, is the sparse sets)
        add_precedence(m, inputs)  # 6
        add_exclusive_groups(m, inputs)  # 7
        add_capacity(m, inputs)  # 8
        add_standards_compliance(m, inputs)  # 9
        add_critical_mass(m, inputs)  # 10
        add_commitments(m, inputs)  # 11
        add_capability_targets(m, inputs)  # 12
        add_robust_budget(m, inputs)  # 13 (docs/robust.md): no rows unless some Γ_n > 0

        add_objective_expressions(m, inputs)
        forget_lookups(m)
    _promote_to_oldest_generation()
    if log.isEnabledFor(logging.DEBUG):
        log.debug(
            "built model: %d variables, %d constraints in %.2f s",
            m.nvariables(),
            m.nconstraints(),
            time.perf_counter() - began,
        )
    return m


def _promote_to_oldest_generation() -> None:
    """Move the objects the build just created into the garbage collector's oldest generation.

    Built with the collector paused, ~10^6 new objects sit in its youngest generation, and
    the first collection after the build walks every one of them to find no garbage (0.15 s
    after the L benchmark build, measured). `gc.freeze()` then `gc.unfreeze()` moves them
    to the oldest generation in constant time; they are still collected there once the
    model is dropped. Skipped if the process has frozen objects of its own, which
    `unfreeze` would release.
    """
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()


def add_sets(m: pyo.ConcreteModel, inputs: Inputs) -> None:
    """MODEL.md's sets plus the sparse index sets every variable and constraint is built over."""
    ordered = {"ordered": pyo.Set.InsertionOrder}
    m.years = pyo.Set(initialize=inputs.years, **ordered)
    m.nations = pyo.Set(initialize=[n.code for n in inputs.nations], **ordered)
    m.allies = pyo.Set(initialize=inputs.allies, within=m.nations, **ordered)
    m.programmes = pyo.Set(initialize=[p.id for p in inputs.programmes], **ordered)
    m.national_programmes = pyo.Set(initialize=[p.id for p in inputs.programmes if not p.is_joint], **ordered)
    m.joint_programmes = pyo.Set(initialize=[p.id for p in inputs.programmes if p.is_joint], **ordered)
    m.areas = pyo.Set(initialize=[a.id for a in inputs.areas], **ordered)
    m.standards = pyo.Set(initialize=[s.id for s in inputs.standards], **ordered)

    # family 5 (schedule windows): allowed start years, and who may fund what
    m.start_years = pyo.Set(
        m.programmes,
        initialize={p.id: inputs.allowed_starts(p) for p in inputs.programmes},
        **ordered,
    )
    m.eligible = pyo.Set(
        m.programmes,
        initialize={p.id: inputs.eligible_nations(p) for p in inputs.programmes},
        within=m.nations,
        **ordered,
    )
    national_windows, membership_windows, payment_windows = [], [], []
    joint_windows, joint_spending_years = [], []
    for p in inputs.programmes:
        starts = inputs.allowed_starts(p)
        members = inputs.eligible_nations(p)
        if not p.is_joint:
            national_windows += [(n, p.id, t) for n in members for t in starts]
            continue
        joint_windows += [(p.id, t) for t in starts]
        membership_windows += [(n, p.id, t) for n in members for t in starts]
        # years in which some allowed start has a non-zero cost: the only years f can be > 0
        spending = sorted({t + k for t in starts for k in range(p.duration_years) if p.cost_in_offset(k) > 0})
        joint_spending_years += [(p.id, y) for y in spending]
        payment_windows += [(n, p.id, y) for n in members for y in spending]
    m.national_windows = pyo.Set(initialize=national_windows, dimen=3, **ordered)
    m.joint_windows = pyo.Set(initialize=joint_windows, dimen=2, **ordered)
    m.membership_windows = pyo.Set(initialize=membership_windows, dimen=3, **ordered)
    m.joint_spending_years = pyo.Set(initialize=joint_spending_years, dimen=2, **ordered)
    m.payment_windows = pyo.Set(initialize=payment_windows, dimen=3, **ordered)

    # family 4: nations that may carry over or borrow need balances; the rest use or lose
    m.banking_nations = pyo.Set(
        initialize=[n.code for n in inputs.nations if n.carry_over_fraction > 0 or n.borrow_fraction > 0],
        within=m.nations,
        **ordered,
    )
    m.critical_standards = pyo.Set(
        initialize=[s.id for s in inputs.standards if s.min_adopters > 1],
        within=m.standards,
        **ordered,
    )
    m.targets = pyo.Set(initialize=[(g.nation, g.area, g.year) for g in inputs.targets], dimen=3, **ordered)
    m.objective_names = pyo.Set(initialize=inputs.objective_names(), **ordered)


def add_parameters(m: pyo.ConcreteModel, inputs: Inputs) -> None:
    """Budgets are mutable so what-if sweeps re-solve without rebuilding; the rest is fixed."""
    m.budget = pyo.Param(
        m.nations,
        m.years,
        initialize={(n, t): inputs.budget(n, t) for n in m.nations for t in m.years},
        mutable=True,
        within=pyo.NonNegativeReals,
    )
    m.carry_over_fraction = pyo.Param(m.nations, initialize={n.code: n.carry_over_fraction for n in inputs.nations})
    m.borrow_fraction = pyo.Param(m.nations, initialize={n.code: n.borrow_fraction for n in inputs.nations})


def add_variables(m: pyo.ConcreteModel) -> None:
    """MODEL.md's decision variables, each only over its sparse index set."""
    m.starts = pyo.Var(m.national_windows, domain=pyo.Binary)  # x[n,p,t]
    m.joint_starts = pyo.Var(m.joint_windows, domain=pyo.Binary)  # z[p,t]
    m.joins = pyo.Var(m.membership_windows, domain=pyo.Binary)  # w[n,p,t]
    m.payment = pyo.Var(m.payment_windows, domain=pyo.NonNegativeReals)  # f[n,p,t]
    m.adopts = pyo.Var(m.nations, m.standards, m.years, domain=pyo.Binary)  # a[n,s,t]
    m.standard_in_use = pyo.Var(m.critical_standards, domain=pyo.Binary)  # v[s]
    m.balance = pyo.Var(m.banking_nations, m.years, domain=pyo.Reals)  # bal[n,t]
    m.lapse = pyo.Var(m.banking_nations, m.years, domain=pyo.NonNegativeReals)
    m.short = pyo.Var(m.targets, domain=pyo.NonNegativeReals)  # short[g]
