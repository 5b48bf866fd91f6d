"""capopt's public Python API: build a `Scenario`, solve it, read the `Result`.

    from optimizer import Scenario
    result = Scenario.reference().solve(time_limit=60)
    result.to_excel("plan.xlsx")
"""

from optimizer.errors import InfeasibleError, InputError, NoSolutionError, SolverError
from optimizer.result import Result
from optimizer.scenario import Scenario

__all__ = ["Scenario", "Result", "InputError", "InfeasibleError", "SolverError", "NoSolutionError"]
