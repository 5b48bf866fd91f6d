"""Linear building blocks of MODEL.md (started-by S, completed-by K, in-service I, adopted-by A).

Every derived quantity in MODEL.md is a sum of start binaries over a range of start years.
Here they are lists of `(coefficient, variable)` terms, built once and turned into Pyomo
`LinearExpression`s directly, which skips Pyomo's generic expression walker both when the
model is built and when a persistent solver reads it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pyomo.environ as pyo
from pyomo.core.base.var import VarData
from pyomo.core.expr.numeric_expr import LinearExpression, MonomialTermExpression

Term = tuple[float, VarData]
# (start year, the binary that says "this nation funds the programme from that year")
Funding = Sequence[tuple[int, VarData]]


def linear(terms: Iterable[Term], constant: float = 0.0) -> LinearExpression:
    """`constant + Σ coef·var`; each variable must appear once (see `merged`).

    A coefficient of 1 is passed as the bare variable, which Pyomo accepts in a
    LinearExpression and which saves building a monomial for most constraint entries.
    """
    args: list = [constant] if constant else []
    args += [var if coef == 1.0 else MonomialTermExpression((coef, var)) for coef, var in terms]
    return LinearExpression(args)


def merged(terms: Iterable[Term]) -> list[Term]:
    """The terms with repeated variables summed (a solver rejects a column twice in one row)."""
    total: dict[int, list] = {}
    for coef, var in terms:
        entry = total.get(id(var))
        if entry is None:
            total[id(var)] = [coef, var]
        else:
            entry[0] += coef
    return [(coef, var) for coef, var in total.values()]


def negated(terms: Iterable[Term]) -> list[Term]:
    """The terms with their signs flipped, for rows written as lhs − rhs."""
    return [(-coef, var) for coef, var in terms]


def funding(m: pyo.ConcreteModel, nation: str, pid: str) -> Funding:
    """The binaries by which `nation` funds programme `pid`: x[n,p,t] (national) or w[n,p,t] (joint).

    Empty when the nation is not eligible or the programme has no allowed start, so every
    sum built from it simply has no terms (no Constraint.Skip needed).
    """
    return _by_pair(m, "starts", "joins").get((nation, pid), ())


def joint_funding(m: pyo.ConcreteModel, pid: str) -> Funding:
    """z[p,t]: the consortium of joint programme `pid` starts in year t."""
    return [(t, m.joint_starts[pid, t]) for t in m.start_years[pid]]


def adoptions(m: pyo.ConcreteModel, nation: str, standard: str) -> Funding:
    """a[n,s,t] for every year t."""
    return _by_pair(m, "adopts")[nation, standard]


def _by_pair(m: pyo.ConcreteModel, *names: str) -> dict[tuple[str, str], list]:
    """(n, p|s) -> [(t, var)] over the named 3-index variables, built once per model.

    Indexing a Pyomo Var costs microseconds; done per term it dominated the build, so each
    table is built in one pass and kept in the model's __dict__ (not a Pyomo component).
    """
    key = "by_pair_" + "_".join(names)
    table = recalled(m, key)
    if table is None:
        table = {}
        for name in names:
            for (n, p, t), data in getattr(m, name).items():
                table.setdefault((n, p), []).append((t, data))
        remember(m, key, table)
    return table


_LOOKUP = "_capopt_lookup_"


def remember(m: pyo.ConcreteModel, name: str, table: dict) -> None:
    """Keep a build-time lookup table on the model (in its __dict__, not as a Pyomo component)."""
    m.__dict__[_LOOKUP + name] = table


def recalled(m: pyo.ConcreteModel, name: str) -> dict | None:
    """A table `remember` kept, or None once the build is over (see `forget_lookups`)."""
    return m.__dict__.get(_LOOKUP + name)


def forget_lookups(m: pyo.ConcreteModel) -> None:
    """Drop the build-time lookup tables, so a built model carries only Pyomo components."""
    for key in [k for k in m.__dict__ if k.startswith(_LOOKUP)]:
        del m.__dict__[key]


def started_by(fund: Funding, year: int) -> list[Term]:
    """S[n,p,t] = Σ_{t' ≤ t} x[n,p,t']."""
    return [(1.0, var) for start, var in fund if start <= year]


def completed_by(fund: Funding, duration: int, year: int) -> list[Term]:
    """K[n,p,t] = Σ_{t' ≤ t−d_p+1} x[n,p,t'] (finished spending by the end of t)."""
    return [(1.0, var) for start, var in fund if start + duration - 1 <= year]


def in_service(fund: Funding, duration: int, year: int) -> list[Term]:
    """I[n,p,t] = K[n,p,t−1]."""
    return completed_by(fund, duration, year - 1)


def in_development(fund: Funding, duration: int, year: int) -> list[Term]:
    """S[n,p,t] − K[n,p,t−1]: started by t and still spending in t."""
    return [(1.0, var) for start, var in fund if start <= year < start + duration]


def adopted_by(m: pyo.ConcreteModel, nation: str, standard: str, year: int) -> list[Term]:
    """A[n,s,t] = Σ_{t' ≤ t} a[n,s,t']."""
    return [(1.0, var) for t, var in adoptions(m, nation, standard) if t <= year]
