"""Run capopt commands in one child process under an address-space limit.

    python limited.py LIMIT_BYTES JOBS.json RESULTS.json

JOBS is a list of argument lists for `capopt`. Each runs through click's CliRunner (one
import of the tool for all of them); RESULTS gets, per job, the exit code, the combined
output, the seconds taken, any exception the CLI let escape and the job's own peak resident
memory (the kernel's high-water mark is reset before each job through /proc/self/clear_refs,
so one job's peak is not blamed on the next). With RLIMIT_AS set, a file that makes the reader balloon fails the job
(MemoryError, or the child dies) instead of pushing the machine into swap. Results are
rewritten after every job, so a crash still leaves the jobs before it on record.
"""

from __future__ import annotations

import json
import re
import resource
import sys
import time
import traceback
from pathlib import Path


def _reset_peak() -> None:
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")


def _peak_kb() -> int:
    with open("/proc/self/status") as status:
        found = re.search(r"VmHWM:\s+(\d+)", status.read())
    return int(found.group(1)) if found else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main(limit: int, jobs_file: Path, results_file: Path) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from click.testing import CliRunner

    import cli

    jobs = json.loads(jobs_file.read_text())
    results: list[dict[str, object]] = []
    for argv in jobs:
        _reset_peak()
        started = time.perf_counter()
        result = CliRunner().invoke(cli.main, argv)
        escaped = None
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            escaped = "".join(traceback.format_exception(*result.exc_info))  # type: ignore[misc]
        results.append(
            {
                "argv": argv,
                "exit_code": result.exit_code,
                "output": result.output,
                "seconds": time.perf_counter() - started,
                "escaped": escaped,
                "peak_rss_kb": _peak_kb(),
            }
        )
        results_file.write_text(json.dumps(results))


if __name__ == "__main__":
    main(int(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
