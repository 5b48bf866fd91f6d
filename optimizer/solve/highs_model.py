"""A highspy model kept in step with a Pyomo model: our direct persistent HiGHS interface.

Why not Pyomo's APPSI interface: on every hand-off it runs Pyomo's generic expression
walker over each constraint body, and on every re-solve it re-scans the model for changes
(measured: 8.1 s of a 10.3 s build + hand-off on the L benchmark instance, and most of
the time of each small Pareto subproblem). Our `models/` builds every body as a flat
`LinearExpression` of `(coefficient, variable)` terms, so the matrix can be read directly
into numpy arrays and passed to HiGHS in one `addRows` call.

What stays in step between solves, each checked cheaply before every `run`:
* variables: bounds and fixing (one pass, only changed columns are sent); added variables
  become new columns; a removed variable rebuilds the HiGHS model;
* constraints: added ones become new rows, deactivated or deleted ones are deleted;
* mutable parameters (budgets, Pareto ε levels): rows whose bounds, constants or
  coefficients involve one are re-evaluated and re-sent;
* the active objective: re-read whenever it is a different object or expression.

The columns and rows are handed over in Pyomo's component order, as APPSI did, so HiGHS
sees the same matrix and follows the same path.

Not tracked (nothing in capopt does it): a constraint whose expression is replaced in
place (`set_value`), a mutable parameter inside the objective, and a variable whose domain
changes between integer and continuous.
Replace the component instead; a removed variable triggers a full reload.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyomo.environ as pyo
from pyomo.core.base.constraint import ConstraintData
from pyomo.core.base.var import VarData
from pyomo.core.expr.numeric_expr import LinearExpression, MonomialTermExpression
from pyomo.core.expr.numvalue import is_constant, native_numeric_types
from pyomo.repn import generate_standard_repn

if TYPE_CHECKING:
    from collections.abc import Iterable

    import highspy
    from pyomo.core.expr.numvalue import NumericValue

INF = float("inf")


@dataclass
class _Row:
    """One constraint's bounds as HiGHS has them, and whether parameters can change it.

    The row's entries are not kept: HiGHS holds them, and only a row with parametric
    coefficients is ever re-read."""

    con: ConstraintData
    lower: float
    upper: float
    parametric: bool  # bounds or constant involve a mutable parameter
    parametric_coefficients: bool
    # for a row whose parameters sit only in its bounds: re-evaluate just these
    lower_expr: object = None
    upper_expr: object = None
    constant: float = 0.0
    parametric_body: bool = False


class HighsModel:
    """Owns one `highspy.Highs` and keeps its LP/MIP equal to `model`'s active parts."""

    def __init__(self, model: pyo.ConcreteModel, highs: highspy.Highs):
        self.model = model
        self.highs = highs
        self.columns: list[VarData] = []
        self._column_of: dict[int, int] = {}
        self._bounds = (np.zeros(0), np.zeros(0))
        self.rows: list[_Row] = []
        self._objective_key: tuple | None = None
        self.objective: pyo.Objective | None = None
        self._objective_row: tuple[np.ndarray, float] = (np.zeros(0), 0.0)  # what HiGHS optimises
        self._objective_constant: object = None  # the objective's constant, where parameters move it
        self.solution: np.ndarray | None = None  # the column values last loaded from HiGHS
        self.load()

    # -- full hand-off ------------------------------------------------------------------
    def load(self) -> None:
        """Hand the whole model over (first time, or after a variable was removed)."""
        self.highs.clearModel()
        self.columns, self._column_of = [], {}
        self._bounds = (np.zeros(0), np.zeros(0))
        self.rows = []
        self._objective_key = None
        self._add_columns(list(self.model.component_data_objects(pyo.Var, descend_into=True)))
        with _unfixed(self.columns):
            self._add_rows(list(self.model.component_data_objects(pyo.Constraint, active=True, descend_into=True)))
            self._sync_objective()

    # -- before every solve ---------------------------------------------------------------
    def sync(self, parameters_only: bool = False) -> None:
        """Send HiGHS whatever changed in the Pyomo model since the last solve.

        `parameters_only`: the caller changed nothing but mutable parameters (and variable
        values), so only the rows that read parameters are looked at: the full pass lists
        every variable, row and objective of the model again, about 1 ms a solve on a
        knapsack front's tiny subproblems (a fifth of 4kp50's time)."""
        if parameters_only:
            with _unfixed(self.columns):
                self._sync_parameters()
            self._sync_objective_constant()
            return
        if not self._sync_columns():
            self.load()
            return
        with _unfixed(self.columns):
            self._sync_rows()
            self._sync_parameters()
            self._sync_objective()

    def _sync_columns(self) -> bool:
        """Add new variables, resend changed bounds; False if a variable disappeared."""
        current = list(self.model.component_data_objects(pyo.Var, descend_into=True))
        known = len(self.columns)
        if len(current) < known or any(a is not b for a, b in zip(current, self.columns)):
            return False
        lower, upper = _column_bounds(self.columns)
        changed = np.flatnonzero((lower != self._bounds[0]) | (upper != self._bounds[1])).astype(np.int32)
        if changed.size:
            self.highs.changeColsBounds(changed.size, changed, lower[changed], upper[changed])
            self._bounds = (lower, upper)
        if len(current) > known:
            self._add_columns(current[known:])
        return True

    def _sync_rows(self) -> None:
        current = list(self.model.component_data_objects(pyo.Constraint, active=True, descend_into=True))
        if len(current) == len(self.rows) and all(a is b.con for a, b in zip(current, self.rows)):
            return
        present = {id(c) for c in current}
        gone = [i for i, row in enumerate(self.rows) if id(row.con) not in present]
        if gone:
            self.highs.deleteRows(len(gone), np.array(gone, dtype=np.int32))
            dropped = set(gone)
            self.rows = [row for i, row in enumerate(self.rows) if i not in dropped]
        known = {id(row.con) for row in self.rows}
        self._add_rows([c for c in current if id(c) not in known])

    def _sync_parameters(self) -> None:
        """Re-read the rows that depend on mutable parameters; send what changed."""
        index, lower, upper = [], [], []
        for i, row in enumerate(self.rows):
            if not (row.parametric or row.parametric_coefficients):
                continue
            if row.parametric_coefficients or row.parametric_body:
                fresh, columns, coefficients = self._read_row(row.con)
                for j, value in zip(columns, coefficients):
                    self.highs.changeCoeff(i, int(j), float(value))
            else:  # the usual case (budgets, ε levels): only the bounds can have moved
                fresh = _Row(row.con, *_bounds(row.lower_expr, row.upper_expr, row.constant), True, False)
            if fresh.lower != row.lower or fresh.upper != row.upper:
                index.append(i)
                lower.append(fresh.lower)
                upper.append(fresh.upper)
                row.lower, row.upper = fresh.lower, fresh.upper
        if index:
            self.highs.changeRowsBounds(  # type: ignore[attr-defined]  # in highspy, missing from its stub
                len(index), np.array(index, dtype=np.int32), np.array(lower), np.array(upper)
            )

    def _sync_objective(self) -> None:
        import highspy

        active = list(self.model.component_data_objects(pyo.Objective, active=True, descend_into=True))
        if len(active) != 1:
            return  # the caller checks for exactly one before solving
        objective = active[0]
        key = (id(objective), id(objective.expr), objective.sense)
        if key == self._objective_key:
            self._sync_objective_constant()
            return
        self.objective = objective
        cost, constant, self._objective_constant, parametric_coefficients = self._read_linear(objective.expr)
        # coefficients that read parameters: read the whole objective again at every solve
        self._objective_key = None if parametric_coefficients else key
        self._objective_row = (cost, constant)
        n = len(self.columns)
        self.highs.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
        self.highs.changeObjectiveOffset(constant)
        sense = highspy.ObjSense.kMaximize if objective.sense == pyo.maximize else highspy.ObjSense.kMinimize
        self.highs.changeObjectiveSense(sense)

    def _sync_objective_constant(self) -> None:
        """Send the objective's constant again if parameters in it moved (an exact front's
        augmented objective carries −ε·Σ e_k/r_k, the ε levels over their ranges)."""
        if self._objective_constant is None:
            return
        cost, constant = self._objective_row
        fresh = float(pyo.value(self._objective_constant))
        if fresh != constant:
            self._objective_row = (cost, fresh)
            self.highs.changeObjectiveOffset(fresh)

    def _read_linear(self, expr: object) -> tuple[np.ndarray, float, object, bool]:
        """A linear expression, read with every variable free (see `_unfixed`), as
        (coefficient of each column, constant, the constant's expression if parameters move
        it (else None), whether parameters move any coefficient)."""
        vector = np.zeros(len(self.columns))
        with _unfixed(self.columns):
            repn = generate_standard_repn(expr, quadratic=False, compute_values=False)
        if repn.nonlinear_expr is not None or repn.quadratic_vars:
            raise ValueError("expression is not linear")
        parametric_coefficients = False
        for coef, var in zip(repn.linear_coefs, repn.linear_vars):
            parametric_coefficients = parametric_coefficients or not _is_fixed_number(coef)
            vector[self._column_of[id(var)]] += float(pyo.value(coef))
        constant = None if _is_fixed_number(repn.constant) else repn.constant
        return vector, float(pyo.value(repn.constant)), constant, parametric_coefficients

    def coefficients(self, expr: object) -> tuple[np.ndarray, float]:
        """A linear expression as (coefficient of each column, constant) at the parameters'
        current values."""
        vector, constant, _, _ = self._read_linear(expr)
        return vector, constant

    # -- columns and rows -------------------------------------------------------------------
    def _add_columns(self, variables: list[VarData]) -> None:
        if not variables:
            return
        start = len(self.columns)
        for j, var in enumerate(variables, start=start):
            self._column_of[id(var)] = j
        self.columns.extend(variables)
        lower, upper = _column_bounds(variables)
        self.highs.addVars(len(variables), lower, upper)
        integer = np.array([start + j for j, v in enumerate(variables) if v.is_integer()], dtype=np.int32)
        if integer.size:
            self.highs.changeColsIntegrality(integer.size, integer, np.ones(integer.size, dtype=np.uint8))
        self._bounds = (np.concatenate([self._bounds[0], lower]), np.concatenate([self._bounds[1], upper]))
        if self._objective_key is not None:
            self._objective_key = None  # new columns may carry objective coefficients

    def _add_rows(self, constraints: list[ConstraintData]) -> None:
        if not constraints:
            return
        rows: list[_Row] = []
        starts: list[int] = []
        columns: list[int] = []
        values: list[float] = []
        for con in constraints:
            row, row_columns, row_values = self._read_row(con)
            rows.append(row)
            starts.append(len(columns))
            columns += row_columns
            values += row_values
        self.rows.extend(rows)
        self.highs.addRows(
            len(rows),
            np.array([r.lower for r in rows]),
            np.array([r.upper for r in rows]),
            len(columns),
            np.array(starts, dtype=np.int32),
            np.array(columns, dtype=np.int32),
            np.array(values, dtype=float),
        )

    def _read_row(self, con: ConstraintData) -> tuple[_Row, list[int], list[float]]:
        """The row's bounds (the body's constant moved across), columns and coefficients."""
        lower_expr, body, upper_expr = con.to_bounded_expression()
        columns, coefficients, constant, parametric_body, parametric_coefficients = self._linear_terms(body)
        parametric = parametric_body or not (_is_fixed_number(lower_expr) and _is_fixed_number(upper_expr))
        lower, upper = _bounds(lower_expr, upper_expr, constant)
        row = _Row(
            con, lower, upper, parametric, parametric_coefficients, lower_expr, upper_expr, constant, parametric_body
        )
        return row, columns, coefficients

    def _linear_terms(self, body: NumericValue) -> tuple[list[int], list[float], float, bool, bool]:
        """(columns, coefficients, constant, constant is parametric, coefficients are parametric)."""
        if type(body) is LinearExpression:
            return self._flat_terms(body.args)
        if isinstance(body, VarData):
            return [self._column_of[id(body)]], [1.0], 0.0, False, False
        repn = generate_standard_repn(body, quadratic=False, compute_values=False)
        if repn.nonlinear_expr is not None or repn.quadratic_vars:
            raise ValueError(f"constraint {body} is not linear")
        parametric_coefficients = not all(_is_fixed_number(c) for c in repn.linear_coefs)
        parametric = not _is_fixed_number(repn.constant)
        columns = [self._column_of[id(v)] for v in repn.linear_vars]
        coefficients = [float(pyo.value(c)) for c in repn.linear_coefs]
        return _merge(columns, coefficients) + (float(pyo.value(repn.constant)), parametric, parametric_coefficients)

    def _flat_terms(self, args: tuple) -> tuple[list[int], list[float], float, bool, bool]:
        """The terms of a `LinearExpression` as `models.terms.linear` builds it: bare
        variables (coefficient 1), monomials and constants. This loop reads every matrix
        entry of the model, so it dispatches on exact types, the cheapest test Python has."""
        column_of = self._column_of
        columns: list[int] = []
        coefficients: list[float] = []
        constant = 0.0
        parametric = parametric_coefficients = False
        for arg in args:
            kind = type(arg)
            if kind is VarData:
                columns.append(column_of[id(arg)])
                coefficients.append(1.0)
            elif kind is MonomialTermExpression:
                coef, var = arg.args
                if type(coef) not in native_numeric_types:
                    parametric_coefficients = parametric_coefficients or not is_constant(coef)
                    coef = pyo.value(coef)
                columns.append(column_of[id(var)])
                coefficients.append(float(coef))
            elif kind in native_numeric_types:
                constant += arg
            elif isinstance(arg, VarData):  # a scalar Var
                columns.append(column_of[id(arg)])
                coefficients.append(1.0)
            else:
                parametric = parametric or not is_constant(arg)
                constant += float(pyo.value(arg))
        return _merge(columns, coefficients) + (float(constant), parametric, parametric_coefficients)

    # -- solutions ----------------------------------------------------------------------------
    def mip_start(self) -> None:
        """Offer the variables' current values (unset ones as 0) as HiGHS's starting plan."""
        import highspy

        values = np.array([0.0 if v.value is None else float(v.value) for v in self.columns])
        solution = highspy.HighsSolution()
        solution.col_value = values
        solution.value_valid = True
        solution.dual_valid = False
        self.highs.setSolution(solution)

    def load_solution(self) -> None:
        """Copy HiGHS's column values into the Pyomo variables (fixed ones keep theirs)."""
        self.solution = np.asarray(self.highs.getSolution().col_value, dtype=float)
        self.set_values(self.solution)

    def objective_value(self) -> float:
        """The active objective at the solution last loaded, from the cost row HiGHS was
        given: one dot product, where evaluating the Pyomo expression walked it term by term
        (about 1 ms a solve on a 50-item knapsack front, a quarter of 4kp50's time outside
        HiGHS). A fixed variable's column is fixed at its value, so the two agree."""
        assert self.solution is not None
        cost, constant = self._objective_row
        return float(cost @ self.solution[: cost.size]) + constant

    def set_values(self, values: Iterable[float], round_integers: bool = False) -> None:
        """Set the Pyomo variables from column values (fixed ones keep theirs).

        `round_integers` for a plan offered as a start: a solver's 0.9999999 becomes 1."""
        for var, value in zip(self.columns, values):
            if not var.fixed:
                if round_integers and var.is_integer():
                    value = round(value)
                var.set_value(value, skip_validation=True)


@contextmanager
def _unfixed(columns: list[VarData]) -> Iterator[None]:
    """Read expressions with every variable free, then fix them again.

    Pyomo's expression reader folds a fixed variable into the constant. Fixing is a column
    bound here (lb = ub = value), so a row or objective read while a variable was fixed
    would lose that variable's coefficient for good once it is unfixed."""
    fixed = [var for var in columns if var.fixed]
    for var in fixed:
        var.unfix()
    try:
        yield
    finally:
        for var in fixed:
            var.fix()


def _bounds(lower_expr: object, upper_expr: object, constant: float) -> tuple[float, float]:
    """Row bounds for HiGHS: the constraint's bounds less the body's constant."""
    lower = -INF if lower_expr is None else float(pyo.value(lower_expr)) - constant
    upper = INF if upper_expr is None else float(pyo.value(upper_expr)) - constant
    return lower, upper


def _column_bounds(variables: list[VarData]) -> tuple[np.ndarray, np.ndarray]:
    """Each variable's bounds as HiGHS wants them: domain and explicit bounds, fixed = value."""
    lower = np.empty(len(variables))
    upper = np.empty(len(variables))
    for j, var in enumerate(variables):
        if var.fixed:
            lower[j] = upper[j] = var.value
            continue
        lo, hi = var.bounds
        lower[j] = -INF if lo is None else lo
        upper[j] = INF if hi is None else hi
    return lower, upper


def _is_fixed_number(expr: object) -> bool:
    """True for None, numbers and expressions of immutable parameters only."""
    return expr is None or type(expr) in native_numeric_types or is_constant(expr)


def _merge(columns: list[int], coefficients: list[float]) -> tuple[list[int], list[float]]:
    """Sum the coefficients of a column that appears twice (HiGHS rejects repeats)."""
    if len(set(columns)) < len(columns):
        total: dict[int, float] = {}
        for j, value in zip(columns, coefficients):
            total[j] = total.get(j, 0.0) + value
        return list(total), list(total.values())
    return columns, coefficients
