"""A MIP as plain numpy arrays: what the engine's workers receive, and how they rebuild it.

The engine solves many sub-MIPs (neighbourhoods) of one model, in this process and in
worker processes or Dask workers. A `highspy.Highs` object cannot be pickled, so the model
travels as arrays read once from the HiGHS model the solver adapter already holds, and
each worker builds its own HiGHS copy from them once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# An integer column whose LP value lies this close to a whole number counts as integral.
INTEGRALITY_TOLERANCE = 1e-6


@dataclass(frozen=True)
class MipArrays:
    """The column-wise (CSC) matrix, bounds, costs and integrality of one MIP."""

    maximise: bool
    offset: float
    cost: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    starts: np.ndarray
    index: np.ndarray
    values: np.ndarray
    integer: np.ndarray  # bool per column

    @property
    def columns(self) -> int:
        return len(self.cost)

    @property
    def nonzeros(self) -> int:
        return len(self.values)

    @classmethod
    def from_highs(cls, highs: object) -> "MipArrays":
        """Read the model `highs` holds (the solver adapter's persistent copy)."""
        import highspy

        lp = highs.getLp()  # type: ignore[attr-defined]
        matrix = lp.a_matrix_
        n = lp.num_col_
        starts, index, values = _column_wise(matrix, n, lp.num_row_)
        integrality = np.asarray(lp.integrality_, dtype=np.int64) if len(lp.integrality_) else np.zeros(n, dtype=np.int64)
        return cls(
            maximise=lp.sense_ == highspy.ObjSense.kMaximize,
            offset=float(lp.offset_),
            cost=np.array(lp.col_cost_, dtype=float),
            col_lower=np.array(lp.col_lower_, dtype=float),
            col_upper=np.array(lp.col_upper_, dtype=float),
            row_lower=np.array(lp.row_lower_, dtype=float),
            row_upper=np.array(lp.row_upper_, dtype=float),
            starts=starts,
            index=index,
            values=values,
            integer=integrality == 1,
        )

    def objective(self, x: np.ndarray) -> float:
        return float(self.cost @ x + self.offset)

    def better(self, a: float, b: float | None) -> bool:
        """Whether objective value `a` improves on `b` (None: nothing yet) beyond round-off."""
        if b is None:
            return True
        margin = 1e-9 * max(1.0, abs(b))
        return a > b + margin if self.maximise else a < b - margin

    def fractional(self, x: np.ndarray) -> np.ndarray:
        """Mask of the integer columns whose value in `x` is not whole."""
        return self.integer & (np.abs(x - np.round(x)) > INTEGRALITY_TOLERANCE)

    def highs(self, threads: int = 1, seed: int = 0, relax: bool = False) -> object:
        """A fresh, quiet `highspy.Highs` holding this MIP (or its LP relaxation)."""
        import highspy

        lp = highspy.HighsLp()
        lp.num_col_ = self.columns
        lp.num_row_ = len(self.row_lower)
        lp.sense_ = highspy.ObjSense.kMaximize if self.maximise else highspy.ObjSense.kMinimize
        lp.offset_ = self.offset
        lp.col_cost_ = self.cost
        lp.col_lower_ = self.col_lower
        lp.col_upper_ = self.col_upper
        lp.row_lower_ = self.row_lower
        lp.row_upper_ = self.row_upper
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = self.starts
        lp.a_matrix_.index_ = self.index
        lp.a_matrix_.value_ = self.values
        if not relax:
            lp.integrality_ = [
                highspy.HighsVarType.kInteger if flag else highspy.HighsVarType.kContinuous for flag in self.integer
            ]
        highs = highspy.Highs()
        highs.setOptionValue("output_flag", False)
        highs.setOptionValue("threads", int(threads))
        highs.setOptionValue("random_seed", int(seed))
        highs.passModel(lp)
        return highs


def _column_wise(matrix: object, columns: int, rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(starts, row index, value) of the matrix by columns, whichever way HiGHS stores it
    (rows added with `addRows` stay row-wise until HiGHS itself needs columns)."""
    import highspy

    start = np.asarray(matrix.start_, dtype=np.int64)
    index = np.asarray(matrix.index_, dtype=np.int32)
    value = np.asarray(matrix.value_, dtype=float)
    if matrix.format_ == highspy.MatrixFormat.kColwise:  # type: ignore[attr-defined]
        return start.astype(np.int32), index.copy(), value.copy()
    row_of_entry = np.repeat(np.arange(rows, dtype=np.int32), np.diff(start))
    order = np.argsort(index, kind="stable")  # by column, rows ascending within each
    counts = np.bincount(index, minlength=columns)
    col_start = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    return col_start, row_of_entry[order], value[order]
