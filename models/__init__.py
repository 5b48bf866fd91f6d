"""capopt models: the Pyomo MIP of MODEL.md built from validated `data.tables.Inputs`.

Never touches files: inputs come in as typed tables, decisions go out as `PlanDecisions`.
"""

from models.build import build_model
from models.solution import extract_decisions, set_start

__all__ = ["build_model", "extract_decisions", "set_start"]
