"""capopt's public Python API: build a `Scenario`, solve it, read the `Result`.

>>> from optimizer import Scenario
>>> result = Scenario.reference().solve(time_limit=60)
>>> result.to_excel("plan.xlsx")
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from optimizer.compare import compare_plan_files
from optimizer.errors import InfeasibleError, InputError, NoSolutionError, SolverError
from optimizer.result import Result
from optimizer.scenario import Scenario
from optimizer.studies.stress import compare_stress, read_plan_books, stress_plans
from optimizer.studies.sweeps import Sweep, sweep


def budget_sweep(
    scenario: Scenario,
    scales: Sequence[float],
    nations: Sequence[str] | None = None,
    years: Sequence[int] | None = None,
    **kwargs: Any,
) -> Sweep:
    """`scenario.budget_sweep(scales, nations, years, **kwargs)`, with its argument checks.

    The package used to export the study's unchecked function under this name, so
    `budget_sweep(s, [0.9], time_limt=5)` failed in the solver as "Session.run() got an
    unexpected keyword argument" and `budget_sweep(s, [])` as an IndexError, where the
    method (and the README's promise) give a TypeError listing the valid options or a
    ValueError naming the argument."""
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario is {type(scenario).__name__} — expected a Scenario, e.g. Scenario.reference()")
    return scenario.budget_sweep(scales, nations, years, **kwargs)


__all__ = [
    "InfeasibleError",
    "InputError",
    "NoSolutionError",
    "Result",
    "Scenario",
    "SolverError",
    "Sweep",
    "budget_sweep",
    "compare_plan_files",
    "compare_stress",
    "read_plan_books",
    "stress_plans",
    "sweep",
]
