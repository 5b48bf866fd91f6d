"""Typed errors the CLI maps to exit codes (see README "Exit codes")."""

from __future__ import annotations

from data.errors import InputError  # re-exported: one import site for API users

__all__ = ["EXIT_CODES", "InfeasibleError", "InputError", "NoSolutionError", "OutputError", "SolverError"]


class SolverError(Exception):
    """The solver failed, is not installed, or returned something we cannot trust."""


class NoSolutionError(SolverError):
    """The time limit (or an interrupt) came before any feasible plan was found."""


class OutputError(Exception):
    """An output could be written neither where asked nor in any fallback folder (a full
    disk, a file-size limit, no writable folder): the environment's fault, not a bug."""


class InfeasibleError(Exception):
    """No plan satisfies the commitments, deadlines and critical-mass rules together.

    `conflicts` holds the planner-readable sentences of a minimal conflicting set (may be
    empty if no diagnosis could be made).
    """

    def __init__(self, message: str, conflicts: list[str] | None = None):
        self.conflicts = list(conflicts or [])
        text = message
        if self.conflicts:
            text += "\n" + "\n".join(f"  - {c}" for c in self.conflicts)
        super().__init__(text)


# One table so the CLI, the README and the tests agree.
EXIT_CODES: dict[str, int] = {
    "ok": 0,
    "internal_error": 1,
    "usage": 2,
    "invalid_input": 3,
    "infeasible": 4,
    "solver_error": 5,
    "no_solution": 6,
    "output_error": 7,
    "interrupted": 130,
    "reader_gone": 141,  # 128 + SIGPIPE: the reader of the output went away (`capopt … | head -1`)
    "terminated": 143,  # 128 + SIGTERM: a scheduler's or `timeout`'s stop (cli.stop_cleanly_on_sigterm)
}
