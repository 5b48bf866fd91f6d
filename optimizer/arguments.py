"""Checks of the Python API's arguments that every layer shares (scenario, studies).

The command line's options are checked by click; these give the Python API the same
refusals, before anything is built, with messages naming the argument and what was
expected. They sit below the studies (pyproject's import contracts) so that the study
functions called directly (`replan`, `price_of_robustness`, `budget_sweep`) check alike.
"""

from __future__ import annotations

import inspect
import math
import numbers
import os
from collections.abc import Iterable, Mapping

import numpy as np


def whole_number(value: object) -> int | None:
    """`value` as an int if it is a whole number (not a bool; numpy's integers count), else None."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    return int(value) if math.isfinite(value) and float(value).is_integer() else None  # type: ignore[call-overload]


def check_count(name: str, value: object, allow_none: bool = True) -> int | None:
    """Threads, workers, a chain's length: a whole number ≥ 1, returned as an int (0 or -1
    used to run as if unset, `workers=2.0` failed inside as "'float' object cannot be
    interpreted as an integer", and `chain_length=-1` returned an empty sweep)."""
    if value is None and allow_none:
        return None
    number = whole_number(value)
    if number is None or number < 1:
        raise ValueError(f"{name} is {value!r} — expected a whole number ≥ 1")
    return number


def check_flag(name: str, value: object) -> bool:
    """True or False: "no" is a true value, so `monotone="no"` repaired the curve."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} is {value!r} — expected True or False")
    return bool(value)


def check_progress(progress: object) -> None:
    """A function of one argument, or None: one that cannot be called failed only once a
    point was done (a study's results lost), and `progress=lambda: None` failed inside
    HiGHS's callback as "HiGHS failed"."""
    if progress is not None and not (callable(progress) and _takes_one_argument(progress)):
        raise ValueError(
            f"progress is {getattr(progress, '__name__', type(progress).__name__)} — expected a "
            "function of one argument, called with each update (e.g. lambda update: print(update))"
        )


def _takes_one_argument(function: object) -> bool:
    """Whether `function(update)` can be called."""
    try:
        inspect.signature(function).bind(object())  # type: ignore[arg-type]
    except TypeError:
        return False
    except ValueError:  # no signature to read (some built-ins): let it be called
        return True
    return True


def check_solver_arguments(
    solver: object, highs_options: object, log_file: object, progress: object, client: object
) -> None:
    """The arguments handed to the solver layer, checked before the build: `solver=3` was an
    AttributeError, a list of HiGHS options another, `log_file=3` wrote the log to file
    descriptor 3, and a progress that cannot be called surfaced as "HiGHS failed"."""
    if not isinstance(solver, str) or not solver.strip():
        raise ValueError(f"solver is {solver!r} — expected a solver name, e.g. 'highs'")
    if highs_options is not None and not isinstance(highs_options, Mapping):
        raise ValueError(
            f"highs_options is {type(highs_options).__name__} — expected a mapping of HiGHS "
            "option names to values, e.g. {'mip_lp_solver': 'simplex'}"
        )
    if log_file is not None and (not isinstance(log_file, (str, os.PathLike)) or not str(log_file).strip()):
        raise ValueError(f"log_file is {log_file!r} — expected a file path, e.g. 'solve.log'")
    check_progress(progress)
    if client is not None and not callable(getattr(client, "submit", None)):
        raise ValueError(f"client is {type(client).__name__} — expected a dask.distributed.Client")


def check_scale_list(scales: object) -> list[float]:
    """Budget factors as a non-empty list of finite numbers ≥ 0; any iterable but text (a
    numpy array or a generator was refused as "not a list")."""
    if isinstance(scales, (str, bytes, Mapping)) or not isinstance(scales, Iterable):
        raise ValueError(f"scales is {scales!r} — expected a non-empty list of budget factors, e.g. [0.9, 1.0]")
    listed = list(scales)
    if not listed:
        raise ValueError(f"scales is {listed!r} — expected a non-empty list of budget factors, e.g. [0.9, 1.0]")
    for scale in listed:
        if isinstance(scale, bool) or not isinstance(scale, numbers.Real) or not math.isfinite(scale) or scale < 0:
            raise ValueError(f"scale {scale!r} — expected finite budget factors ≥ 0, e.g. [0.9, 1.0]")
    values = [float(scale) for scale in listed]
    if len(set(values)) != len(values):  # [1, 1, 1] solved one scenario three times
        raise ValueError(f"scales is {listed!r} — expected each budget factor once")
    return values


def check_fraction(name: str, value: object) -> float | None:
    """A fraction from 0 to 1, or None, as on the Nations sheet (a negative carry-over
    fraction ended in a plan the verifier rejected)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= float(value) <= 1:
        raise ValueError(f"{name} is {value!r} — expected a fraction from 0 to 1, or None")
    return float(value)


def check_scenario(scenario: object) -> None:
    """A study's first argument is a Scenario: `price_of_robustness(scenario.inputs, …)`
    failed as "'Inputs' object has no attribute 'check_study_options'"."""
    if not callable(getattr(scenario, "check_study_options", None)):
        raise TypeError(
            f"scenario is {type(scenario).__name__} — expected a Scenario, e.g. "
            "Scenario.from_excel('my.xlsx') or Scenario.reference()"
        )
