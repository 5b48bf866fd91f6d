"""A prototype hand-off of our Pyomo model to HiGHS that skips APPSI's expression walker.

Measured by the suite to show what the hand-off *could* cost (issue 7 asks for "the direct
persistent HiGHS interface"): APPSI's `set_instance` runs `generate_standard_repn` on every
constraint body, although `models/` already builds every body as a flat `LinearExpression`
of `(coefficient, variable)` terms. Reading those terms directly and passing CSR arrays
in one `addRows` call is what this module does. It is a measurement, not the product's
solver path (that lives in `optimizer.solver`): no persistence bookkeeping, no mutable
parameter tracking.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
from pyomo.core.base.var import VarData
from pyomo.core.expr.numeric_expr import LinearExpression, MonomialTermExpression
from pyomo.repn import generate_standard_repn


def handoff(m: pyo.ConcreteModel):  # -> highspy.Highs
    """Columns, rows and the active objective of `m` into a fresh highspy.Highs."""
    import highspy

    variables = list(m.component_data_objects(pyo.Var, descend_into=True))
    col = {id(v): j for j, v in enumerate(variables)}
    n = len(variables)
    lower = np.array([-highspy.kHighsInf if v.lb is None else v.lb for v in variables], dtype=float)
    upper = np.array([highspy.kHighsInf if v.ub is None else v.ub for v in variables], dtype=float)
    integer = np.array([v.is_integer() for v in variables], dtype=bool)

    starts, index, value, row_lo, row_hi = [0], [], [], [], []
    for con in m.component_data_objects(pyo.Constraint, active=True):
        body = con.body
        constant = 0.0
        if isinstance(body, VarData):
            index.append(col[id(body)])
            value.append(1.0)
        elif isinstance(body, LinearExpression):
            for arg in body.args:
                if isinstance(arg, VarData):
                    index.append(col[id(arg)])
                    value.append(1.0)
                elif isinstance(arg, MonomialTermExpression):
                    coef, var = arg.args
                    index.append(col[id(var)])
                    value.append(float(coef))
                else:
                    constant += pyo.value(arg)
        else:  # anything else: the general walker
            repn = generate_standard_repn(body, quadratic=False)
            index += [col[id(v)] for v in repn.linear_vars]
            value += [float(c) for c in repn.linear_coefs]
            constant = float(repn.constant)
        starts.append(len(index))
        row_lo.append(-highspy.kHighsInf if con.lower is None else pyo.value(con.lower) - constant)
        row_hi.append(highspy.kHighsInf if con.upper is None else pyo.value(con.upper) - constant)

    (objective,) = list(m.component_data_objects(pyo.Objective, active=True))
    repn = generate_standard_repn(objective.expr, quadratic=False)
    cost = np.zeros(n)
    for coef, var in zip(repn.linear_coefs, repn.linear_vars):
        cost[col[id(var)]] += coef

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.addVars(n, lower, upper)
    h.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
    ints = np.flatnonzero(integer).astype(np.int32)
    if ints.size:
        h.changeColsIntegrality(ints.size, ints, np.ones(ints.size, dtype=np.uint8))
    h.addRows(len(row_lo), np.array(row_lo), np.array(row_hi), len(index),
              np.array(starts[:-1], dtype=np.int32), np.array(index, dtype=np.int32), np.array(value))
    h.changeObjectiveSense(highspy.ObjSense.kMaximize if objective.sense == pyo.maximize else highspy.ObjSense.kMinimize)
    return h
