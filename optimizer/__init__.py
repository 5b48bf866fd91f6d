"""capopt's public Python API: build a `Scenario`, solve it, read the `Result`.

    from optimizer import Scenario
    result = Scenario.reference().solve(time_limit=60)
    result.to_excel("plan.xlsx")
"""

from optimizer.errors import InfeasibleError, InputError, NoSolutionError, SolverError
from optimizer.result import Result
from optimizer.scenario import Scenario
from optimizer.studies.sweeps import Sweep, budget_sweep, sweep

__all__ = ["Scenario", "Result", "Sweep", "sweep", "budget_sweep", "InputError", "InfeasibleError", "SolverError", "NoSolutionError"]
