"""Whether this program can start worker processes, and what to tell a script that cannot.

capopt starts its workers with `spawn` (safe beside HiGHS's threads), and a spawned
process first re-runs the main script to rebuild it. A script without the
`if __name__ == "__main__":` guard therefore solves again inside every worker, which
then dies as it tries to start workers of its own; the run failed with Python's
`BrokenProcessPool` (found by an API audit: three lines — import, `Scenario.reference()
.solve()`, print — were enough). Such a script now solves in its own process, with a
warning that says why and what to add; `python -c`, notebooks and guarded scripts, whose
main module a worker does not re-run, keep every core.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

logger = logging.getLogger(__name__)

GUARD = 'if __name__ == "__main__":'
_WARNED: set[str] = set()


def unguarded_script() -> str | None:
    """The main script's path if spawned workers would re-run code it runs on import — its
    source never names `__main__`, so nothing in it is guarded — else None.

    Read from the source, not guessed from the call: a guarded script also solves from its
    top level (inside the `if`), and only the file tells the two apart. Interactive
    sessions, `python -c` and notebooks have no main file and are never re-run."""
    path = getattr(sys.modules.get("__main__"), "__file__", None)
    if not path:
        return None
    try:
        source = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return None if "__main__" in source else str(path)


def workers_allowed(purpose: str) -> bool:
    """Whether `purpose` (e.g. "the engine's neighbourhoods") may start worker processes;
    when not, warn once per purpose that it runs in this process and how to fix that."""
    script = unguarded_script()
    if script is None:
        return True
    if purpose not in _WARNED:
        _WARNED.add(purpose)
        logger.warning(
            "%s run in this process only: %s has no `%s` guard, and every worker process would "
            "re-run it from the top (Python starts them by spawning). Put the script's code under "
            "that guard to use every core.",
            purpose,
            script,
            GUARD,
        )
    return False


def broken_pool_advice() -> str:
    """What to say when worker processes died at start-up: most often an unguarded script
    whose source names `__main__` elsewhere (so `unguarded_script` could not tell)."""
    return (
        f"worker processes stopped as they started. If this is a script, put its code under "
        f"`{GUARD}`: each worker re-runs the script from the top"
    )
