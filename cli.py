"""`capopt` command line: a thin click layer over the public Python API (`optimizer`)."""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import logging
import math
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

if TYPE_CHECKING:
    import pandas as pd

# EXIT_CODES["interrupted"] before that table can be imported (tests/cli pin the two together).
INTERRUPTED_WHILE_STARTING = 128 + signal.SIGINT


def interrupted_while_starting() -> NoReturn:
    """Ctrl-C while capopt still imports its modules: `import cli` below loads pandas,
    openpyxl and Pyomo (about a second), before click or any command can catch anything,
    and the planner got a page of importlib traceback. One line and the interrupt's exit
    code instead, as for an interrupt anywhere else."""
    import multiprocessing

    if multiprocessing.current_process().name == "MainProcess":
        # a worker process starting up (it imports this module too) stays silent: the
        # planner saw "Interrupted." from a worker and then "Plan written" from capopt
        print("Interrupted.", file=sys.stderr)
    raise SystemExit(INTERRUPTED_WHILE_STARTING)


try:
    import click

    from data.dashboard import front_plans_in_words, percent_up
    from data.validate.judgements import MAX_COEFFICIENT
    from optimizer.errors import EXIT_CODES
    from optimizer.solve.engine.strategy import STRATEGIES
except KeyboardInterrupt:
    interrupted_while_starting()

logger = logging.getLogger("capopt.cli")


class FiniteFloatRange(click.FloatRange):
    """A FloatRange that also refuses NaN and infinity. click's bounds let `nan` through
    (every comparison with NaN is false), so `--gap nan` or `--time-limit nan` ran with a
    meaningless setting; the Settings sheet refuses both, and so does the command line."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return number


# --- output plumbing -------------------------------------------------------------------
TICK_SECONDS = 1.0  # how often a terminal's live progress line redraws its elapsed time


class Console:
    """Where progress goes: the real terminal's stderr, even while the solver's output is
    being captured at file-descriptor level (the solver adapter captures fd 1 and 2)."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet
        try:
            self.stream: TextIO = os.fdopen(os.dup(sys.stderr.fileno()), "w", buffering=1)
        except (OSError, ValueError, AttributeError):  # CliRunner: no real fd
            self.stream = sys.stderr
        self.is_tty = self.stream.isatty()
        self._live = False
        self._lock = threading.Lock()
        self._render: Callable[[], str] | None = None  # the live line, drawn afresh each tick
        self._ticker: threading.Thread | None = None

    def live(self, text: str) -> None:
        """A status line that rewrites itself on a terminal (one line per update otherwise)."""
        if self.quiet:
            return
        with self._lock:
            if self.is_tty:
                self._write("\r\033[K" + text)
                self._live = True
            else:
                self._write(text + "\n")

    def tick(self, render: Callable[[], str]) -> None:
        """A live line whose elapsed time keeps moving between updates: on the L benchmark
        instance the LP relaxation alone takes 14-36 s with no update, and a line frozen at
        "[2.9s] LP relaxation" read as a hung run. On a terminal it is redrawn every
        TICK_SECONDS until the next update or `end_live`; elsewhere it is one line, as `live`."""
        self._render = render
        self.live(render())
        if self.is_tty and not self.quiet and self._ticker is None:
            self._ticker = threading.Thread(target=self._keep_ticking, name="capopt-progress", daemon=True)
            self._ticker.start()

    def _keep_ticking(self) -> None:
        while True:
            time.sleep(TICK_SECONDS)
            with self._lock:
                if self._render is not None and self._live and not self.quiet:
                    self._write("\r\033[K" + self._render())

    def end_live(self) -> None:
        with self._lock:
            self._render = None
            if self._live:
                self._write("\n")
                self._live = False

    def clear_for(self, write: Callable[[], None]) -> None:
        """Run `write` (a log record) on a line of its own: the live line is wiped first and
        drawn again after, so a warning no longer ran on from "…gap 35.46 %" on one line."""
        with self._lock:
            live = self._live and self.is_tty and not self.quiet
            if live:
                self._write("\r\033[K")
            write()
            if live and self._render is not None:
                self._write(self._render())

    def _write(self, text: str) -> None:
        """Progress is a courtesy: if its reader went away (`capopt solve 2>&1 | head -1`),
        it stops, and the solve goes on to write its plan, rather than dying in the
        solver's progress callback with the plan lost."""
        try:
            self.stream.write(text)
            self.stream.flush()
        except BrokenPipeError:
            self.quiet = True


def _fmt(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 1e6 else f"{value:,.0f}"
    return str(value)


def terminal_table(frame: pd.DataFrame, formatters: dict[str, Callable[[object], str]] | None = None) -> str:
    """A table for the terminal, "—" where a cell is blank as the status line and the
    workbook show it: pandas prints "NaN" (it hands blanks to `na_rep`, never to a formatter),
    and an infeasible sweep point's row read "NaN NaN NaN"."""
    return frame.to_string(index=False, formatters=formatters, na_rep="—")


def gap_text(gap: object) -> str:
    """A gap as the Dashboard shows it (`percent_up`): rounded *up* to a hundredth of a
    percent, never down. A gap bounds how far the plan may be from the best possible, and
    the terminal's "0.99%" beside the Dashboard's "1 %" for one run gave two numbers, the
    first claiming more than was proven. "—": no gap (no plan, or no bound)."""
    try:
        fraction = float(gap)  # type: ignore[arg-type]  # a table's cell may be NaN or pd.NA
    except (TypeError, ValueError):
        return "—"
    return percent_up(fraction) if math.isfinite(fraction) else "—"


def solve_progress(console: Console) -> Callable[[Any], None]:
    """Render solver progress: elapsed time, stage, incumbent, bound and gap."""
    started = time.monotonic()
    last_line = [0.0]

    def show(p: Any) -> None:
        now = time.monotonic()
        if not console.is_tty and now - last_line[0] < 5.0:
            return  # a log file does not need four lines a second
        last_line[0] = now
        gap = gap_text(p.gap)
        rest = f"{p.stage:<24} incumbent {_fmt(p.incumbent):>14}  bound {_fmt(p.bound):>14}  gap {gap:>8}"
        console.tick(lambda: f"[{time.monotonic() - started:6.1f}s] {rest}")

    return show


def handle_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """One error formatter: a short message and a documented exit code, never a traceback
    (unless --debug). A reader that went away, while the command prints or while its error
    is reported (`capopt validate bad.xlsx 2>&1 | head -1`), ends it quietly (reader_gone)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        try:
            return reported(ctx, fn, *args, **kwargs)
        except BrokenPipeError:
            reader_gone(ctx)

    return wrapper


def _ending_live_on_error(ctx: click.Context, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """`fn(...)`; if it raises, the live progress line is ended first, so that its ticking
    redraw never lands on or after the error message."""
    try:
        return fn(*args, **kwargs)
    except BaseException:
        console = (ctx.obj or {}).get("console")
        if console is not None:
            console.end_live()
        raise


def reported(ctx: click.Context, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """`fn(*args, **kwargs)`, its errors reported as one message each with their exit code."""
    from optimizer.errors import InfeasibleError, InputError, NoSolutionError, OutputError, SolverError

    try:
        return _ending_live_on_error(ctx, fn, *args, **kwargs)
    except BrokenPipeError:
        raise
    except InputError as exc:
        for w in exc.warnings:
            click.echo(f"warning: {w}", err=True)
        click.echo(f"Input has {len(exc.problems)} problem(s):", err=True)
        for p in exc.problems:
            click.echo(f"  {p}", err=True)
        ctx.exit(EXIT_CODES["invalid_input"])
    except InfeasibleError as exc:
        click.echo(f"Infeasible: {exc}", err=True)
        ctx.exit(EXIT_CODES["infeasible"])
    except OutputError as exc:
        click.echo(f"Output error: {exc}", err=True)
        ctx.exit(EXIT_CODES["output_error"])
    except SolverError as exc:  # NoSolutionError too
        from optimizer.solve.solver import INTERRUPT

        if INTERRUPT.is_set():  # Ctrl-C before any plan: an interrupt, not a solver's failure
            click.echo("Interrupted before a plan was found.", err=True)
            ctx.exit(EXIT_CODES["interrupted"])
        no_plan = isinstance(exc, NoSolutionError)
        click.echo(f"{'No plan' if no_plan else 'Solver error'}: {exc}", err=True)
        ctx.exit(EXIT_CODES["no_solution" if no_plan else "solver_error"])
    except KeyboardInterrupt:
        from optimizer.solve.solver import INTERRUPT

        # a second Ctrl-C after the first asked to keep the best plan: say that it was not kept
        click.echo(
            "Interrupted again: stopped without writing the plan found so far."
            if INTERRUPT.is_set()
            else "Interrupted.",
            err=True,
        )
        ctx.exit(EXIT_CODES["interrupted"])
    except (click.exceptions.Exit, click.ClickException, click.Abort):
        raise
    except Exception as exc:  # noqa: BLE001 — the last resort: still one line, unless --debug
        if _raised_by_ctrl_c(exc):
            click.echo("Interrupted.", err=True)
            ctx.exit(EXIT_CODES["interrupted"])
        if (ctx.obj or {}).get("debug"):
            traceback.print_exc()
        click.echo(f"Internal error: {type(exc).__name__}: {exc} (run with --debug for details)", err=True)
        ctx.exit(EXIT_CODES["internal_error"])


def _raised_by_ctrl_c(exc: BaseException) -> bool:
    """Whether `exc` was raised while a Ctrl-C was being handled. Pyomo's Param construction
    cleans up after any exception by deleting the entry it was adding; a Ctrl-C before the
    entry existed made that a KeyError, and the run ended in "Internal error: KeyError …",
    blaming capopt for the planner's own stop. The interrupt is then in the chain."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, KeyboardInterrupt):
            return True
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return False


def reader_gone(ctx: click.Context) -> NoReturn:
    """The reader of our output went away (`capopt validate BOOK | head -1`): stop at once,
    quietly — no message, no traceback, exit 141 as command-line tools do. The reader asked
    for no more; an "Internal error" would blame capopt for it. Outputs are whole already
    (each is written to a temporary file and renamed, before anything is printed about
    it). stdout and stderr are pointed at /dev/null first: the interpreter's final flush
    of what is still buffered would fail again ("Exception ignored … BrokenPipeError")."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        for stream in (sys.stdout, sys.stderr):
            os.dup2(devnull, stream.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # CliRunner: no real fd
        pass
    ctx.exit(EXIT_CODES["reader_gone"])


def load_scenario(book: str | None) -> Any:
    """BOOK's scenario (the bundled reference dataset when none is named), its reading
    warnings printed: every command reads its workbook the same way."""
    from optimizer import Scenario

    scenario = Scenario.reference() if book is None else Scenario.from_excel(book)
    for w in scenario.warnings:
        click.echo(f"warning: {w}", err=True)
    return scenario


def write_output(writer: Callable[[Path], Path], path: str | Path) -> Path:
    """Write an output; if the target cannot be written (open in Excel, read-only folder,
    a folder that does not exist), write next to it — or in the current folder — under a
    timestamped name, so a finished solve is never lost, and say where it went."""
    with finishing_output():
        return _write_or_fall_back(writer, Path(path))


@contextlib.contextmanager
def keeping_the_plan() -> Iterator[None]:
    """`finishing_output` from the moment the solver's run returns, for a command that then
    writes what it returned: a Ctrl-C in the moment between the solver's end and the write's
    start (the plan checked against the model, the Result built) still lost the plan. Before
    the run returns, Ctrl-C is the solver's own (stop and keep the best plan) or, while the
    model is built, an interrupt as before."""
    from optimizer.solve.solver import runs_returned

    returned_before = runs_returned()
    with finishing_output(ready=lambda: runs_returned() > returned_before):
        yield


@contextlib.contextmanager
def finishing_output(ready: Callable[[], bool] | None = None) -> Iterator[None]:
    """A first Ctrl-C while a finished plan is verified and written does not lose it: the
    README promises that Ctrl-C keeps the best plan, and one pressed a moment after the solve
    ended threw the plan away ("Interrupted.", exit 130) or, inside the zip writer, printed a
    traceback. A second Ctrl-C (after the same stop request's duplicates) abandons the write;
    the temporary file goes with it. Until `ready()` says there is a plan, Ctrl-C interrupts."""
    from optimizer.solve.solver import DUPLICATE_SIGNAL_SECONDS, INTERRUPT

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)
    pressed: list[float] = []

    def handler(signum: int, frame: object) -> None:
        if ready is not None and not ready():
            raise KeyboardInterrupt  # no plan yet: as before this handler
        if not pressed:
            pressed.append(time.monotonic())
            INTERRUPT.set()  # a second one then reads "Interrupted again: … without writing the plan"
            print("Ctrl-C: the plan found is being written; press Ctrl-C again to abandon it.", file=sys.stderr)
        elif time.monotonic() - pressed[0] >= DUPLICATE_SIGNAL_SECONDS:
            signal.signal(signal.SIGINT, previous)
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _unused(path: Path) -> Path:
    """`path`, or with -2, -3, … added if a file of that name exists: two runs falling back in
    the same second wrote one timestamped name, and one plan was lost."""
    candidate, n = path, 1
    while _taken(candidate):
        n += 1
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
    return candidate


def _taken(path: Path) -> bool:
    """Whether a file (or link) of that name exists; a name the system refuses (too long) is
    not taken: writing it fails as the output error it is (it ended as "Internal error")."""
    try:
        return path.exists() or path.is_symlink()
    except OSError:
        return False


def _write_or_fall_back(writer: Callable[[Path], Path], target: Path) -> Path:
    """`writer(target)`, else a timestamped copy beside it or in the current folder."""
    from optimizer.errors import OutputError

    try:
        return writer(target)
    except OSError as exc:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        tried = []
        for folder in dict.fromkeys((target.absolute().parent, Path.cwd())):  # once each, in this order
            fallback = _unused(folder / f"{_short_stem(target.stem)}-{stamp}{target.suffix}").absolute()
            try:
                written = writer(fallback)
            except OSError as again:
                tried.append(f"{fallback.parent} ({why_unwritable(fallback, again)})")
                continue
            click.echo(
                f"warning: could not write {target} ({why_unwritable(target, exc)}); wrote {written} instead", err=True
            )
            return written
        # a full disk or a file-size limit ended in "Internal error: OSError … (a bug)", exit 1
        raise OutputError(
            f"could not write {target} ({why_unwritable(target, exc)}), nor a copy in "
            f"{' or '.join(tried)}, so it was not written — expected room on the disk and a "
            "folder you may write to"
        ) from exc


def _short_stem(stem: str, most_bytes: int = 100) -> str:
    """`stem` cut to at most `most_bytes` bytes of UTF-8, whole characters only: a name too long
    for the system (255 bytes) is kept that way. Cut to 100 characters, a Cyrillic or CJK
    stem still made 200–300 bytes, and the copy failed as its target had."""
    return stem.encode("utf-8")[:most_bytes].decode("utf-8", errors="ignore")


def why_unwritable(target: Path, exc: OSError) -> str:
    """Why writing `target` failed, in the user's terms: a missing folder is named, since
    the system's own text ("No such file or directory") names only our temporary file."""
    folder = target.absolute().parent
    if not folder.exists():
        return f"folder {folder} does not exist"
    if not folder.is_dir():
        return f"{folder} is not a folder"
    return exc.strerror or str(exc)


def refuse_overwriting(read: list[str | Path | None], outputs: dict[str, str | Path | None]) -> None:
    """Stop before anything is solved if a file the command writes ({option: path}) is a file
    it reads, or another of its outputs. The input is never written to (README), yet
    `pareto BOOK -o BOOK`, `sweep`, `flexibility`, `robustness` and `--log BOOK` replaced
    the planner's workbook by their output; `--plot` onto `-o` replaced the front."""
    from data.xlsx_io import same_file

    inputs = [Path(p) for p in read if p]
    written = [(hint, Path(p)) for hint, p in outputs.items() if p]
    for i, (hint, path) in enumerate(written):
        clash = next((p for p in inputs if same_file(path, p)), None)
        if clash is not None:
            raise click.BadParameter(
                f"the output would overwrite an input workbook ({clash}) — expected another file name", param_hint=hint
            )
        other = next((h for h, p in written[:i] if same_file(path, p)), None)
        if other is not None:
            raise click.BadParameter(f"{path} is also the {other} output — expected a file of its own", param_hint=hint)


def source_path(scenario: Any) -> str | None:
    """The workbook a scenario was read from (the bundled reference workbook without BOOK)."""
    source = scenario.inputs.source
    return source.path if source is not None else None


def xlsx_output(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Every output is an Excel workbook: a name ending otherwise (plan.csv) would hide one
    under a misleading name, so it is refused as a usage error before anything is solved."""
    if value is not None and Path(value).suffix.lower() != ".xlsx":
        suggestion = Path(value).with_suffix(".xlsx").name if Path(value).stem else "plan.xlsx"
        raise click.BadParameter(
            f"{value!r} — expected a file name ending in .xlsx (the output is an Excel workbook), e.g. {suggestion}"
        )
    return value


def log_output(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """`--log FILE` in a folder that does not exist is a usage error (exit 2), found before
    anything is solved: it ended as "Solver error: cannot write the solver log" (exit 5)."""
    if value is None:
        return None
    folder = Path(value).parent
    if not folder.is_dir():
        raise click.BadParameter(f"{value!r} — expected a file in an existing folder ({folder} does not exist)")
    if Path(value).suffix.lower() in (".xlsx", ".xlsm", ".xls") or _is_workbook(Path(value)):
        # appended text broke an earlier plan's file
        raise click.BadParameter(f"{value!r} is a workbook — expected a text file for the log, e.g. solve.log")
    target = Path(value) if Path(value).exists() else folder
    if not os.access(target, os.W_OK):  # "Solver error: cannot write the solver log" (exit 5) after the build
        raise click.BadParameter(
            f"{value!r} cannot be written (no permission) — expected a log file this user may write"
        )
    return value


def _is_workbook(path: Path) -> bool:
    """Whether an existing regular file is a zip archive, as every .xlsx is (whatever its
    name); a pipe or terminal (`--log /dev/stderr`) is not opened to read: it waited for ever."""
    try:
        if not path.is_file():
            return False
        with path.open("rb") as handle:
            return handle.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def png_output(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """`--plot` draws a PNG. Checked before anything is solved: `--plot front.xlsx` ended in
    an internal error after the whole front, and `--plot front` said "Plot written to
    front" while matplotlib wrote front.png; without matplotlib the front was lost to a
    solver error at the end."""
    if value is None:
        return None
    if Path(value).suffix.lower() != ".png":
        suggestion = Path(value).with_suffix(".png").name if Path(value).stem else "front.png"
        raise click.BadParameter(
            f"{value!r} — expected a file name ending in .png (the plot is a PNG image), e.g. {suggestion}"
        )
    if importlib.util.find_spec("matplotlib") is None:
        raise click.BadParameter("plotting needs matplotlib — expected it installed: pip install 'capopt[plot]'")
    return value


def output_option(default: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """`-o/--output`: the workbook a command writes (checked by xlsx_output)."""
    return click.option(
        "-o",
        "--output",
        default=default,
        show_default=True,
        type=click.Path(dir_okay=False),
        callback=xlsx_output,
        help="The workbook to write (.xlsx).",
    )


# --- commands --------------------------------------------------------------------------
# Workbooks a command reads: click checks nothing, so a folder, a missing file or an unreadable
# one is reported by the reader as an invalid input (exit 3, `my.xlsx: is a folder — …`),
# like every other problem with the file, not as a usage error (exit 2).
BOOK_PATH = click.Path()


VERBOSE_HELP = "Show the solver log (-v) and debug logging (-vv)."
QUIET_HELP = "Only errors and the final summary."
DEBUG_HELP = "Show tracebacks for internal errors."


def log_level(verbose: int, quiet: bool) -> int:
    """The logging level of -v/-vv/-q (-q wins)."""
    if quiet:
        return logging.ERROR
    return logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG


def apply_output_options(obj: dict[str, Any]) -> None:
    """Set the logging levels and the console from ctx.obj's verbose/quiet, once more: the
    group set them from the options before the command name (main)."""
    level = log_level(obj["verbose"], obj["quiet"])
    logging.getLogger().setLevel(level)
    logging.getLogger("pyomo").setLevel(max(level, logging.WARNING))
    obj["console"].quiet = obj["quiet"]


def command_output_option(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    """-v/-q/--debug typed after the command name add to the ones before it."""
    if not value:
        return
    obj = ctx.ensure_object(dict)
    if param.name == "verbose":
        obj["verbose"] = obj.get("verbose", 0) + value
    else:
        obj[str(param.name)] = True
    if "console" in obj:
        apply_output_options(obj)


def command_output_params() -> list[click.Parameter]:
    """-v, -q and --debug for a command: `capopt solve -q` was "No such option: -q" since
    they existed only before the command name (`capopt -q solve`). Same meaning in both places."""
    return [
        click.Option(
            ["-v", "--verbose"], count=True, expose_value=False, callback=command_output_option, help=VERBOSE_HELP
        ),
        click.Option(
            ["-q", "--quiet"], is_flag=True, expose_value=False, callback=command_output_option, help=QUIET_HELP
        ),
        click.Option(["--debug"], is_flag=True, expose_value=False, callback=command_output_option, help=DEBUG_HELP),
    ]


class CapoptGroup(click.Group):
    """The command group: every command also takes -v/-q/--debug (command_output_params)."""

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        cmd.params.extend(command_output_params())
        super().add_command(cmd, name)

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except KeyboardInterrupt:
            interrupted()

    def invoke(self, ctx: click.Context) -> Any:
        """Ctrl-C before a command's own error handling (handle_errors) runs — in the group's
        set-up or while the command's options are checked — is an interrupt like any other:
        click's own "Aborted!" exited 1, the code of an internal error."""
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            interrupted()


def interrupted() -> NoReturn:
    """Report an interrupt: one line and its documented exit code."""
    click.echo("Interrupted.", err=True)
    raise click.exceptions.Exit(EXIT_CODES["interrupted"])


@click.group(cls=CapoptGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help=VERBOSE_HELP)
@click.option("-q", "--quiet", is_flag=True, help=QUIET_HELP)
@click.option("--debug", is_flag=True, help=DEBUG_HELP)
@click.version_option(package_name="capopt")
@click.pass_context
def main(ctx: click.Context, verbose: int, quiet: bool, debug: bool) -> None:
    """capopt — which emerging-technology programmes each nation should fund, and when.

    Reads an input workbook (see `capopt template`), validates it, solves the acquisition
    model with HiGHS and writes the plan back to Excel. Without a BOOK argument, commands
    use the bundled reference dataset. -v, -q and --debug go before or after the command name.
    """
    level = log_level(verbose, quiet)
    console = Console(quiet)
    # the module's name only where the planner asked for the log (-v): "WARNING
    # optimizer.solve.solver: …" at the default level named code, not anything to act on
    handler = ConsoleAwareHandler(sys.stderr)
    handler.console = console
    handler.setFormatter(
        logging.Formatter("%(levelname)s %(name)s: %(message)s" if verbose else "%(levelname)s: %(message)s")
    )
    logging.basicConfig(level=level, handlers=[handler])  # as before: only where none is set up
    logging.getLogger("pyomo").setLevel(max(level, logging.WARNING))
    ctx.obj = {"verbose": verbose, "quiet": quiet, "debug": debug, "console": console}
    stop_cleanly_on_sigterm()


SIGTERM_GRACE_SECONDS = 5.0  # how long SIGTERM waits for a HiGHS search to stop


def stop_cleanly_on_sigterm() -> None:
    """SIGTERM (a scheduler's or `timeout`'s stop) ends the run as an exit does, not as a
    kill: worker processes are stopped (atexit) and a half-written output's temporary file is
    removed. Python's default ended the process at once, and its spawned workers ran on,
    re-parented, burning a core; a temporary workbook stayed beside the output."""
    if threading.current_thread() is not threading.main_thread():
        return

    def terminated(signum: int, frame: object) -> None:
        from optimizer.solve.engine.workers import stop_local_pools
        from optimizer.solve.highs_thread import HIGHS_THREAD
        from optimizer.solve.solver import INTERRUPT

        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second one ends it the hard way
        print("Terminated (SIGTERM): stopped; an output being written was left whole or not written.", file=sys.stderr)
        INTERRUPT.set()  # HiGHS stops at its next callback; exiting while it searched aborted (134)
        stop_local_pools()  # first: a second SIGTERM then leaves no worker behind, and exit need not wait for them
        HIGHS_THREAD.wait_idle(SIGTERM_GRACE_SECONDS)
        raise SystemExit(EXIT_CODES["terminated"])

    signal.signal(signal.SIGTERM, terminated)


class ConsoleAwareHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The root log handler, writing each record on a line of its own beside the live
    progress line (`Console.clear_for`)."""

    console: Console | None = None

    def emit(self, record: logging.LogRecord) -> None:
        console = self.console
        if console is None:
            super().emit(record)
        else:
            console.clear_for(lambda: super(ConsoleAwareHandler, self).emit(record))


@main.command()
@click.argument("book", type=BOOK_PATH, required=False)
@handle_errors
def validate(book: str | None) -> None:
    """Check BOOK.xlsx and print a one-screen summary (exit 3 and every problem if invalid)."""
    from data.summary import describe

    scenario = load_scenario(book)
    click.echo(describe(scenario.inputs, list(scenario.warnings)))


@main.command()
@click.argument("path", type=click.Path(dir_okay=False), callback=xlsx_output)
@click.option("--force", is_flag=True, help="Replace PATH if it exists (its data is lost).")
@handle_errors
def template(path: str, force: bool) -> None:
    """Write a blank input workbook to fill in, with a data dictionary and drop-downs."""
    from data.template import write_template

    if Path(path).exists() and not force:
        # `template my.xlsx` typed for `validate my.xlsx` wiped a filled-in workbook
        raise click.BadParameter(
            f"{path} exists and would be replaced by a blank workbook — "
            "expected a new file name, or --force to replace it",
            param_hint="PATH",
        )
    written = write_output(lambda p: write_template(p), path)
    click.echo(f"Blank input workbook written to {written}")


def common_solve_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Options every solving command shares; they override the Settings sheet."""
    options = [
        click.option(
            "--time-limit",
            type=FiniteFloatRange(min=0, min_open=True),
            help="Seconds for the whole run (default: the Settings sheet's time_limit_seconds).",
        ),
        click.option(
            "--gap",
            type=FiniteFloatRange(min=0, max=1, max_open=True),
            help="Relative MIP gap as a fraction, e.g. 0.01 for 1 % (default: the Settings sheet's mip_gap).",
        ),
        click.option("--threads", type=click.IntRange(min=1), help="Solver threads."),
        click.option(
            "--solver",
            default="highs",
            show_default=True,
            help="highs, or any MIP solver Pyomo drives (cbc, gurobi, …).",
        ),
        click.option(
            "--log",
            "log_file",
            type=click.Path(dir_okay=False),
            callback=log_output,
            help="Keep the solver log in FILE.",
        ),
        click.option(
            "--highs-option",
            "highs_options",
            multiple=True,
            metavar="NAME=VALUE",
            help="A HiGHS option by name (repeatable), e.g. mip_lp_solver=ipm for large models; "
            "recorded in the Summary sheet.",
        ),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def engine_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """How a single solve searches: the strategy, and where the engine's workers run."""
    options = [
        click.option(
            "--strategy",
            type=click.Choice(list(STRATEGIES)),
            default="auto",
            show_default=True,
            help="highs: HiGHS's branch-and-bound; rens: LP relaxation and RENS, then HiGHS from that "
            "plan; lns: the LP-guided engine (LP relaxation, RENS, neighbourhoods in parallel); "
            "portfolio: HiGHS's branch-and-bound on one worker beside the engine on the others; "
            "auto: chosen by the model's size and the workers. Recorded in the Summary.",
        ),
        click.option(
            "--workers",
            "engine_workers",
            type=click.IntRange(min=1),
            help="The engine's parallel workers (default: one per core).",
        ),
        click.option(
            "--scheduler",
            help="Run the engine's workers on a Dask cluster, e.g. tcp://host:8786 (needs capopt[distributed]).",
        ),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def dask_client(scheduler: str | None) -> Any:
    """A client for `--scheduler` (None without one): a clear usage error if Dask is missing
    or the address is malformed; a SolverError (exit 5) naming the address if no scheduler
    answers there (connect_scheduler)."""
    if not scheduler:
        return None
    try:
        import dask.distributed  # noqa: F401
    except ImportError as exc:
        raise click.UsageError('--scheduler needs Dask: pip install "capopt[distributed]"') from exc
    from optimizer.solve.engine.workers import connect_scheduler

    try:
        return connect_scheduler(scheduler)
    except ValueError as exc:  # e.g. "missing port number in address 'foo'"
        raise click.BadParameter(
            f"{scheduler!r}: {exc} — expected an address such as tcp://host:8786", param_hint="--scheduler"
        ) from None


def finite_number(text: str) -> float:
    """A NAME=VALUE number: NaN and infinity are no level or weight a solver can use."""
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(text)
    return number


def weight_number(text: str) -> float:
    """A --weight value: finite and ≥ 0, as the Settings sheet's weight_* keys require (a
    negative capability weight silently turned the run into minimising capability)."""
    number = finite_number(text)
    if number < 0:
        raise ValueError(text)
    return number


def parse_pairs(
    pairs: tuple[str, ...],
    option: str,
    example: str,
    convert: Callable[[str], Any] = finite_number,
    kind: str = "NUMBER",
) -> dict[str, Any] | None:
    """Repeatable NAME=VALUE options (--weight, --nadir: numbers; --highs-option: text) as a
    dict; None when not given. A NAME given twice is refused: silently keeping the last
    value would hide which one the run used."""
    if not pairs:
        return None
    out: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        try:
            if not sep or not name.strip() or not value.strip():
                raise ValueError
            converted = convert(value.strip())
        except ValueError:
            raise click.BadParameter(f"{pair!r} — expected NAME={kind}, e.g. {example}", param_hint=option) from None
        if name.strip() in out:
            raise click.BadParameter(f"{name.strip()} is given twice — expected each name once", param_hint=option)
        out[name.strip()] = converted
    return out


def parse_highs_options(pairs: tuple[str, ...]) -> dict[str, str] | None:
    """Repeatable --highs-option NAME=VALUE, each checked by HiGHS before anything is built."""
    from optimizer.solve.solver import check_highs_options

    options = parse_pairs(pairs, "--highs-option", "mip_lp_solver=ipm", convert=str, kind="VALUE")
    try:
        check_highs_options(options or {})
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--highs-option") from None
    return options


def check_objective_names(names: list[str], inputs: Any, hint: str) -> list[str]:
    """`names` spelt as the workbook spells its objectives, matched ignoring case as the
    Python API and the Settings sheet match them (`--priority COST,Capability` was refused
    where `priority=["COST", "Capability"]` ran); an unknown one is a usage error."""
    known = {name.casefold(): name for name in inputs.objective_names()}
    unknown = [n for n in names if n.casefold() not in known]
    if unknown:
        raise click.BadParameter(
            f"unknown objective(s) {', '.join(unknown)} — expected some of {', '.join(sorted(known.values()))}",
            param_hint=hint,
        )
    return [known[n.casefold()] for n in names]


def canonical_keys(pairs: dict[str, float] | None, inputs: Any, hint: str) -> dict[str, float] | None:
    """NAME=VALUE pairs keyed by the workbook's spelling of each objective (a name given
    twice in any case is refused)."""
    if not pairs:
        return pairs
    names = check_objective_names(list(pairs), inputs, hint)
    if len(set(names)) < len(names):
        raise click.BadParameter("an objective is given twice — expected each name once", param_hint=hint)
    return dict(zip(names, pairs.values()))


def parse_objective_list(text: str | None, inputs: Any, hint: str) -> list[str] | None:
    """A comma list of objective names (--priority, --objectives), checked as the Settings
    sheet checks `priority`: empty items are skipped, a list naming nothing or naming an
    objective twice is refused (a front of capability,capability ended in an internal
    error; a priority of cost,cost ran as if cost alone was given)."""
    if text is None:
        return None
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise click.BadParameter(
            f"{text!r} lists no objective — expected objective names, e.g. shortfall,capability,cost", param_hint=hint
        )
    names = check_objective_names(names, inputs, hint)
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise click.BadParameter(
            f"{text!r} names {', '.join(twice)} twice — expected each objective once", param_hint=hint
        )
    return names


def parse_priority_and_weights(
    priority: str | None, weights: tuple[str, ...], inputs: Any
) -> tuple[list[str] | None, dict[str, float] | None]:
    """--priority and --weight of a single-plan run, each checked against the workbook's
    objectives (weights finite and ≥ 0, as on the Settings sheet)."""
    priority_list = parse_objective_list(priority, inputs, "--priority")
    weight_map = parse_pairs(weights, "--weight", "capability=1", convert=weight_number, kind="NUMBER ≥ 0")
    if weight_map and not any(weight_map.values()):  # was an internal error from the run's own check
        raise click.BadParameter(
            f"every weight given is 0 ({', '.join(weights)}) — expected at least one "
            "objective with a weight > 0, e.g. capability=1",
            param_hint="--weight",
        )
    return priority_list, canonical_keys(weight_map, inputs, "--weight")


def run_objective(
    objective: str | None, priority: list[str] | None, weights: dict[str, float] | None, settings_objective: str
) -> str:
    """The mode of a single-plan run (solve, replan) from its options and the Settings sheet.

    --weight alone makes a run weighted and --priority alone lexicographic, with a note when
    the Settings sheet says otherwise; options that contradict each other are usage errors,
    since one of them would be ignored without a word. A Settings objective of `pareto`
    cannot be one plan: the planner is pointed to `capopt pareto` instead of the solver's
    internal error (`capopt solve` makes the front before it gets here).
    """
    if priority and weights and objective is None:
        raise click.BadParameter(
            "--priority orders a lexicographic run and --weight weighs a weighted one — "
            "expected one of them (or --objective to say which run is meant)",
            param_hint="--priority/--weight",
        )
    if weights and objective == "lexicographic":
        raise click.BadParameter(
            "--weight is for weighted runs and --objective lexicographic would ignore it "
            "— expected --objective weighted, or no --weight",
            param_hint="--weight",
        )
    if priority and objective == "weighted":
        raise click.BadParameter(
            "--priority is for lexicographic runs and --objective weighted would ignore it "
            "— expected --objective lexicographic, or no --priority",
            param_hint="--priority",
        )
    implied = "weighted" if weights else "lexicographic" if priority else None
    if objective is None and implied is not None:
        if settings_objective != implied:
            option = "--weight" if weights else "--priority"
            recorded = "the weights" if weights else "the priority"
            click.echo(
                f"note: {option} makes this a {implied} run (the Settings sheet says {settings_objective}); "
                f"the Summary records {recorded}",
                err=True,
            )
        return implied
    mode = objective or settings_objective
    if mode == "pareto":
        raise click.UsageError(
            "the Settings sheet says objective = pareto, which is a front, not one plan — "
            "expected `capopt pareto BOOK` for the front, or --objective lexicographic "
            "or --objective weighted for one plan"
        )
    return mode


# What `capopt solve` hands on to the front when the Settings sheet asks for one (--workers
# as the front's processes), and the options every command takes.
FRONT_SOLVE_OPTIONS = (
    "book",
    "output",
    "time_limit",
    "threads",
    "solver",
    "engine_workers",
    "verbose",
    "quiet",
    "debug",
)


def makes_the_settings_front(
    ctx: click.Context, settings_objective: str, objective: str | None, priority: str | None, weights: tuple[str, ...]
) -> bool:
    """Whether `capopt solve` makes the front the Settings sheet asks for (objective = pareto,
    a mode WORKBOOK.md allows) rather than one plan: the main command does what the workbook
    says, where it was refused. --objective, --priority or --weight choose one plan instead;
    the options a front does not take are refused, naming them, since it would ignore them."""
    if settings_objective != "pareto" or objective is not None or priority or weights:
        return False
    defaults = (click.core.ParameterSource.DEFAULT, click.core.ParameterSource.DEFAULT_MAP, None)
    given = [
        param.opts[0]
        for param in ctx.command.params
        if param.name not in FRONT_SOLVE_OPTIONS and ctx.get_parameter_source(param.name or "") not in defaults
    ]
    if given:
        raise click.UsageError(
            f"the Settings sheet says objective = pareto, so this makes a front, and a front takes no "
            f"{', '.join(given)} — expected only --time-limit, --threads, --workers or --solver with it, "
            "--objective lexicographic or weighted for one plan, or `capopt pareto BOOK` for the front's "
            "own options"
        )
    return True


def check_objective_sizes(
    scenario: Any, objective: str, priority: list[str] | None, weights: dict[str, float] | None
) -> None:
    """Usage error if --objective/--priority/--weight make a run whose coefficients are too
    large for the solver (the workbook's own run was judged as it was read)."""
    problem = scenario.objective_size_problem(
        None if objective == scenario.inputs.settings.objective and not (priority or weights) else objective,
        priority,
        weights,
        weight_label="--weight {name}={weight:g}",
    )
    if problem:  # named after the option that put the objective to use
        raise click.BadParameter(
            problem, param_hint="--weight" if weights else "--priority" if priority else "--objective"
        )


@main.command()
@click.argument("book", type=BOOK_PATH, required=False)
@output_option("plan.xlsx")
@click.option("--objective", type=click.Choice(["lexicographic", "weighted"]), help="How objectives combine.")
@click.option("--priority", help="Lexicographic order, e.g. shortfall,capability,cost.")
@click.option(
    "--weight",
    "weights",
    multiple=True,
    help="NAME=VALUE for weighted runs (repeatable); the whole weighting: an objective not named "
    "weighs 0, whatever the Settings sheet's weight_* keys say.",
)
@click.option(
    "--robust",
    "robust",
    type=click.IntRange(min=0),
    metavar="GAMMA",
    help="Budgets must survive GAMMA programme overruns per nation and year (Settings robust_overruns).",
)
@click.option(
    "--improve",
    "improve_seconds",
    type=FiniteFloatRange(min=0),
    default=None,
    metavar="SECONDS",
    help="Spend up to SECONDS (of the time limit) re-optimising one nation at a time from the "
    "start plan before the full search. Default: half the time limit on models of "
    "250,000 non-zeros or more solved with --strategy highs (the engine searches nation "
    "neighbourhoods itself), none otherwise; 0 turns it off.",
)
@common_solve_options
@engine_options
@click.pass_context
@handle_errors
def solve(
    ctx: click.Context,
    book: str | None,
    output: str,
    objective: str | None,
    priority: str | None,
    weights: tuple[str, ...],
    robust: int | None,
    improve_seconds: float | None,
    time_limit: float | None,
    gap: float | None,
    threads: int | None,
    solver: str,
    log_file: str | None,
    highs_options: tuple[str, ...],
    strategy: str,
    engine_workers: int | None,
    scheduler: str | None,
) -> None:
    """Solve BOOK.xlsx (default: the reference dataset) and write the plan workbook."""
    console: Console = ctx.obj["console"]
    highs_map = parse_highs_options(highs_options)
    scenario = load_scenario(book)
    if makes_the_settings_front(ctx, scenario.inputs.settings.objective, objective, priority, weights):
        click.echo(
            "note: the Settings sheet says objective = pareto, so this writes the front, as "
            "`capopt pareto` would (--objective lexicographic or weighted makes one plan)",
            err=True,
        )
        write_front(
            ctx,
            scenario,
            book,
            output,
            time_limit=time_limit,
            threads=threads,
            workers=engine_workers or 1,
            solver=solver,
        )
        return
    if robust is not None:
        scenario = scenario.with_settings(robust_overruns=robust)
    priority_list, weight_map = parse_priority_and_weights(priority, weights, scenario.inputs)
    objective = run_objective(objective, priority_list, weight_map, scenario.inputs.settings.objective)
    check_objective_sizes(scenario, objective, priority_list, weight_map)
    refuse_overwriting([book, source_path(scenario)], {"-o": output, "--log": log_file})
    with keeping_the_plan():
        result = scenario.solve(
            objective=objective,
            priority=priority_list,
            weights=weight_map,
            time_limit=time_limit,
            gap=gap,
            threads=threads,
            solver=solver,
            progress=None if console.quiet else solve_progress(console),
            stream_log=ctx.obj["verbose"] > 0,
            log_file=log_file,
            improve_seconds=improve_seconds,
            highs_options=highs_map,
            strategy=strategy,
            workers=engine_workers,
            client=dask_client(scheduler),
        )
        console.end_live()
        if scheduler and result.strategy.startswith("highs"):
            # the cluster only serves the engine's neighbourhoods: say so rather than stay silent
            click.echo(
                f"note: --scheduler was not used: this model got HiGHS's own search ({result.strategy}); "
                "--strategy lns sends the engine's neighbourhoods to the cluster",
                err=True,
            )
        written = write_output(result.to_excel, output)
    print_result_summary(result, written)


def print_result_summary(result: Any, written: Path, gap_of: str | None = None) -> None:
    """The run's status, search and objectives. `gap_of`: what the gap is of when it is not
    the last stage's bare objective — a re-plan's "cost + 50 × changes", as its Dashboard
    says: "gap 0.16 % on cost" claimed a bound on cost alone."""
    gap = gap_text(result.gap)
    if gap_of:
        whose = f" on {gap_of}"
    else:
        whose = f" on {result.gap_objective}" if result.gap_objective and len(result.stages) > 1 else ""
    click.echo(
        f"Status: {result.status} ({result.termination}); gap {gap}{whose}; "
        f"{result.build_seconds + result.solve_seconds:.1f} s "
        f"(build {result.build_seconds:.1f} s)"
    )
    unsolved = list(getattr(result, "not_optimised", []))
    if unsolved:
        reason = getattr(result, "not_optimised_reason", "no time was left")
        advice = "raise --time-limit" if reason == "no time was left" else "run again without interrupting"
        click.echo(
            f"Not optimised ({reason}): {', '.join(unsolved)} — {advice} to optimise "
            f"{'them' if len(unsolved) > 1 else 'it'}"
        )
    if getattr(result, "strategy", ""):
        bound = f"; bound from {result.bound_source}" if result.bound_source and result.best_bound is not None else ""
        click.echo(f"Search: {result.strategy}{bound}")
    for name, value in result.objectives.items():
        click.echo(f"  {name:<32} {value:>16,.3f}")
    click.echo(result.headline())
    click.echo(f"Plan written to {written}")


def progress_bar(done: int, total: int, width: int = 30) -> str:
    """'[#####-----]': the share done, for the fronts', sweeps' and stress tests' progress lines."""
    filled = int(width * done / max(total, 1))
    return f"[{'#' * filled}{'-' * (width - filled)}]"


def pareto_progress(console: Console, time_limit: float | None = None) -> Callable[[Any], None]:
    """A progress bar for the grid: points done of total, skipped, solved, found. The ETA
    never runs past the time limit (it said 147 s with 46 s of the limit left)."""
    started = time.monotonic()
    last = [0.0]

    def show(stats: Any) -> None:
        now = time.monotonic()
        if now - last[0] < (0.2 if console.is_tty else 5.0) and stats.done < stats.grid_total:
            return
        last[0] = now
        total = max(stats.grid_total, 1)
        elapsed = now - started
        eta = elapsed / stats.done * (total - stats.done) if stats.done else float("nan")
        if time_limit is not None:
            eta = min(eta, max(time_limit - elapsed, 0.0))  # min keeps nan: no estimate yet
        console.live(
            f"{progress_bar(stats.done, total)} {stats.done}/{stats.grid_total} grid points  solved {stats.solved}  "
            f"skipped {stats.skipped}  infeasible {stats.infeasible}  feasible {len_found(stats)}  "
            f"{second_tries(stats)}{elapsed:5.0f}s elapsed, ETA {eta:5.0f}s"
        )

    return show


def len_found(stats: Any) -> int:
    """Grid points solved with a plan (a point whose time ran out before any plan has none;
    second tries are counted apart, in `retried`)."""
    return stats.solved - stats.infeasible - stats.no_plan


def second_tries(stats: Any) -> str:
    """'second tries 2 (1 proven)  ': unproven points solved again with the time the walk left."""
    return f"second tries {stats.retried} ({stats.retried_proven} proven)  " if stats.retried else ""


@main.command()
@click.argument("book", type=BOOK_PATH, required=False)
@output_option("front.xlsx")
@click.option("--objectives", help="Comma list, primary first, e.g. capability,cost (default: Settings).")
@click.option(
    "--points",
    type=click.IntRange(min=2),
    help="Grid levels per constrained objective (default: Settings pareto_points).",
)
@click.option(
    "--exact/--grid",
    default=None,
    help="Every integer step (integer-valued objectives) or a grid (default: Settings pareto_exact).",
)
@click.option(
    "--nadir",
    multiple=True,
    help="NAME=VALUE worst level to explore for an objective (repeatable). Expert option: exact "
    "fronts find safe levels themselves, and a level above the true nadir can cut plans off.",
)
@click.option("--point-time-limit", type=FiniteFloatRange(min=0, min_open=True), help="Seconds per grid point.")
@click.option(
    "--plot",
    type=click.Path(dir_okay=False),
    callback=png_output,
    help="Also draw the front to a PNG file (.png; needs matplotlib).",
)
@click.option(
    "--time-limit",
    type=FiniteFloatRange(min=0, min_open=True),
    help="Seconds for the whole front (default: the Settings sheet's time_limit_seconds).",
)
@click.option("--threads", type=click.IntRange(min=1), help="Solver threads.")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Local processes sharing the grid (one solver thread each unless --threads).",
)
@click.option("--solver", default="highs", show_default=True, help="MIP solver.")
@click.pass_context
@handle_errors
def pareto(
    ctx: click.Context,
    book: str | None,
    output: str,
    objectives: str | None,
    points: int | None,
    exact: bool | None,
    nadir: tuple[str, ...],
    point_time_limit: float | None,
    plot: str | None,
    time_limit: float | None,
    threads: int | None,
    workers: int,
    solver: str,
) -> None:
    """Pareto front of two or more objectives (AUGMECON2), with plans and core index: a grid of
    --points levels by default, every non-dominated plan with --exact."""
    write_front(
        ctx,
        load_scenario(book),
        book,
        output,
        objectives,
        points,
        exact,
        nadir,
        point_time_limit,
        plot,
        time_limit,
        threads,
        workers,
        solver,
    )


def write_front(
    ctx: click.Context,
    scenario: Any,
    book: str | None,
    output: str,
    objectives: str | None = None,
    points: int | None = None,
    exact: bool | None = None,
    nadir: tuple[str, ...] = (),
    point_time_limit: float | None = None,
    plot: str | None = None,
    time_limit: float | None = None,
    threads: int | None = None,
    workers: int = 1,
    solver: str = "highs",
) -> None:
    """`capopt pareto`'s work on a scenario already read: `capopt solve` brings a workbook
    whose Settings ask for a front here, read once (its warnings printed once)."""
    console: Console = ctx.obj["console"]
    refuse_overwriting([book, source_path(scenario)], {"-o": output, "--plot": plot})
    names = parse_objective_list(objectives, scenario.inputs, "--objectives")
    if names and len(names) < 2:
        raise click.BadParameter("a front needs at least two objectives", param_hint="--objectives")
    nadir_map = canonical_keys(parse_pairs(nadir, "--nadir", "cost=5000"), scenario.inputs, "--nadir")
    check_nadir_names(nadir_map, names or list(scenario.inputs.settings.pareto_objectives))
    if names and (problem := scenario.objective_size_problem("pareto", names)):
        raise click.BadParameter(problem, param_hint="--objectives")
    if points is not None and (exact if exact is not None else scenario.inputs.settings.pareto_exact):
        click.echo("note: --points is ignored in exact mode: every whole level is a grid level", err=True)
    front = scenario.pareto(
        objectives=names,
        points=points,
        exact=exact,
        nadir=nadir_map,
        time_limit=time_limit,
        point_time_limit=point_time_limit,
        threads=threads,
        solver=solver,
        workers=workers,
        progress=None
        if console.quiet
        else pareto_progress(
            console, time_limit if time_limit is not None else scenario.inputs.settings.time_limit_seconds
        ),
    )
    console.end_live()
    written = write_output(front.to_excel, output)
    s = front.stats
    plans = front_plans_in_words(len(front.points_found), front.payoff_proven and s.unproven == 0)
    click.echo(
        f"Front: {len(front.points_found)} {plans} ({front.completeness}); "
        f"{s.solved} subproblems solved, {s.skipped} skipped, {s.unproven} not proven"
        f"{f' ({s.retried} solved again, {s.retried_proven} of them proven)' if s.retried else ''}; "
        f"{front.seconds:.1f} s"
    )
    click.echo(f"Worst levels explored: {front.worst_levels} ({front.bounds})")
    click.echo(f"Front written to {written}")
    if plot:
        click.echo(f"Plot written to {write_output(front.plot, plot)}")


def check_nadir_names(nadir: dict[str, float] | None, objectives: list[str]) -> None:
    """--nadir only for the front's constrained objectives, a usage mistake otherwise. A level
    for an objective not on the front ended in "Internal error: ValueError" (exit 1), and one
    for the primary objective, which has no grid, was ignored without a word."""
    for name in nadir or {}:
        if name not in objectives:
            raise click.BadParameter(
                f"{name} is not on the front — expected one of {', '.join(objectives[1:])}", param_hint="--nadir"
            )
        if name == objectives[0]:
            raise click.BadParameter(
                f"{name} is the front's primary objective, which is optimised, not stepped over a grid: "
                f"it has no worst level — expected one of {', '.join(objectives[1:])}",
                param_hint="--nadir",
            )


def sweep_progress(console: Console) -> Callable[[Any], None]:
    """Scenarios done, time per scenario and ETA."""

    def show(p: Any) -> None:
        if p.phase:  # after the scenarios: one solved again from a better plan
            console.live(f"{p.phase}  ({p.done} of {p.total} checked; re-solving for {p.elapsed:.0f}s)")
            return
        console.live(
            f"{progress_bar(p.done, p.total)} {p.done}/{p.total} scenarios  "
            f"last {p.last_seconds:5.1f}s  elapsed {p.elapsed:6.0f}s  ETA {p.eta:6.0f}s"
        )

    return show


def scale_out_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--workers and --scheduler for the studies that run many solves side by side."""
    options = [
        click.option(
            "--workers",
            type=click.IntRange(min=1),
            help="Scenarios solved side by side, one core each (default: all cores; with --workers 1, and by default on mid-size models such as the reference dataset, one at a time on every core).",
        ),
        click.option("--scheduler", help="Dask scheduler address, e.g. tcp://host:8786 (needs capopt[distributed])."),
        click.option(
            "--time-limit",
            type=FiniteFloatRange(min=0, min_open=True),
            help="Seconds of search per scenario (default: the Settings sheet's time_limit_seconds; one solved again from a better plan, as the notes say, searches up to twice that; building each model and starting its workers come on top: about 1–2 s on the bundled dataset, more on a loaded machine).",
        ),
        click.option(
            "--gap",
            type=FiniteFloatRange(min=0, max=1, max_open=True),
            help="Relative MIP gap per scenario as a fraction, e.g. 0.01 for 1 % (default: the Settings "
            "sheet's mip_gap).",
        ),
        click.option(
            "--strategy",
            type=click.Choice(list(STRATEGIES)),
            default="auto",
            show_default=True,
            help="The search every scenario gets, as solve's --strategy (auto: chosen by the model's "
            "size). Recorded in the Summary.",
        ),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def check_budget_options(scenario: Any, options: dict[str, dict[str, Any]]) -> None:
    """Try each option's budget what-if alone before anything is solved ({option: its
    with_budget arguments}, None for an option not given). A nation or year the workbook
    lacks, named on the command line, is a usage mistake (exit 2, naming the option), not
    an invalid workbook (exit 3, which the what-if itself would raise)."""
    from optimizer.errors import InputError

    for hint, selection in options.items():
        if all(value is None for value in selection.values()):
            continue
        try:
            scenario.with_budget(**selection)
        except InputError as exc:
            reasons = "; ".join(p.what + (f" — {p.expected}" if p.expected else "") for p in exc.problems)
            raise click.BadParameter(reasons, param_hint=hint) from None


@main.command()
@click.argument("book", type=BOOK_PATH, required=False)
@output_option("sweep.xlsx")
@click.option(
    "--budget-scale",
    default="0.6:1.4:0.1",
    show_default=True,
    help="START:STOP:STEP (STOP included: STEP must divide STOP − START) or a comma list; each factor once.",
)
@click.option("--nations", help="Comma list of nations whose budgets scale (default: all).")
@click.option("--years", help="FIRST:LAST years whose budgets scale (default: all).")
@scale_out_options
@click.pass_context
@handle_errors
def sweep(
    ctx: click.Context,
    book: str | None,
    output: str,
    budget_scale: str,
    nations: str | None,
    years: str | None,
    workers: int | None,
    scheduler: str | None,
    time_limit: float | None,
    gap: float | None,
    strategy: str,
) -> None:
    """Budget efficiency curve: solve with budgets scaled over a range."""
    from optimizer.studies.sweeps import parse_range

    console: Console = ctx.obj["console"]
    try:
        scales = parse_range(budget_scale)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--budget-scale")
    year_list = None
    if years:
        first, _, last = years.partition(":")
        try:
            year_list = list(range(int(first), int(last or first) + 1))
        except ValueError:
            raise click.BadParameter(f"{years!r} — expected FIRST:LAST, e.g. 2028:2030", param_hint="--years")
        if not year_list:  # reversed: an empty range scaled no budget at all
            raise click.BadParameter(
                f"{years!r} ends before it starts — expected FIRST:LAST with FIRST ≤ LAST, e.g. 2028:2030",
                param_hint="--years",
            )
    nation_list = None if nations is None else [n.strip() for n in nations.split(",") if n.strip()]
    if nation_list == []:  # '' was read as "all nations", the opposite of what was typed
        raise click.BadParameter(
            f"{nations!r} names no nation — expected a comma list, e.g. DEU,FRA "
            "(leave the option out to scale every nation)",
            param_hint="--nations",
        )
    scenario = load_scenario(book)
    refuse_overwriting([book, source_path(scenario)], {"-o": output})
    check_budget_options(
        scenario,
        {
            "--nations": {"nations": nation_list},
            "--years": {"years": year_list},
            "--budget-scale": {"scale": min(scales, default=1.0)},
        },
    )
    result = scenario.budget_sweep(
        scales,
        nations=nation_list,
        years=year_list,
        workers=workers,
        client=dask_client(scheduler),
        time_limit=time_limit,
        gap=gap,
        strategy=strategy,
        progress=None if console.quiet else sweep_progress(console),
    )
    console.end_live()
    if result.every_point_infeasible:
        from optimizer.errors import InfeasibleError

        widest = scenario.with_budget(max(scales), nations=nation_list, years=year_list)
        raise InfeasibleError(
            f"every scenario of the sweep is infeasible (budget ×{min(scales):g} to "
            f"×{max(scales):g}); no workbook written. At ×{max(scales):g}:",
            widest.diagnose(time_limit),
        )
    written = write_output(result.to_excel, output)
    table = result.table
    cols = [c for c in ("scenario", "status", "capability", "cost", "shortfall") if c in table]
    click.echo(terminal_table(table[cols]))
    for note in result.notes:  # e.g. a point solved again from a smaller budget's better plan
        click.echo(f"note: {note}")
    if not result.complete:
        click.echo("Interrupted: the scenarios solved so far were written.", err=True)
    click.echo(f"Sweep written to {written}")


@main.command()
@click.argument("book", type=BOOK_PATH, required=False)
@output_option("flexibility.xlsx")
@click.option(
    "--carry-over",
    type=FiniteFloatRange(min=0, max=1),
    help="Carry-over fraction every nation gets under the carry-over lever, 0 to 1 of a year's budget "
    "(default: each nation's own; 0.1 when the workbook allows neither carry-over nor borrowing and "
    "--borrow is not given).",
)
@click.option(
    "--borrow",
    type=FiniteFloatRange(min=0, max=1),
    help="Borrowing fraction every nation gets under the carry-over lever, 0 to 1 of the next year's "
    "budget (default: each nation's own).",
)
@scale_out_options
@click.pass_context
@handle_errors
def flexibility(
    ctx: click.Context,
    book: str | None,
    output: str,
    carry_over: float | None,
    borrow: float | None,
    workers: int | None,
    scheduler: str | None,
    time_limit: float | None,
    gap: float | None,
    strategy: str,
) -> None:
    """What free starts and carry-over/borrowing are worth, against the rigid cycle."""
    console: Console = ctx.obj["console"]
    scenario = load_scenario(book)
    refuse_overwriting([book, source_path(scenario)], {"-o": output})
    report = scenario.flexibility_value(
        carry_over_fraction=carry_over,
        borrow_fraction=borrow,
        workers=workers,
        client=dask_client(scheduler),
        time_limit=time_limit,
        gap=gap,
        strategy=strategy,
        progress=None if console.quiet else sweep_progress(console),
    )
    console.end_live()
    if report.sweep.every_point_infeasible:
        from optimizer.errors import InfeasibleError

        raise InfeasibleError(
            "every lever's scenario is infeasible, the workbook's own included; no workbook written. As given:",
            scenario.diagnose(time_limit),
        )
    written = write_output(report.to_excel, output)
    if report.by_objective.empty:  # pandas would print "Empty DataFrame" and its columns
        click.echo("No lever found a plan: each one's status is below.")
    else:
        click.echo(terminal_table(report.by_objective))
    solves = report.solves.drop(columns=["proof"], errors="ignore")  # the workbook's Solves sheet has it
    click.echo(terminal_table(solves, {"gap": gap_text}))  # gaps as the status line shows them
    for note in [*report.notes, *report.sweep.notes]:
        click.echo(f"note: {note}")
    if not report.sweep.complete:
        click.echo("Interrupted: the levers solved so far were written.", err=True)
    click.echo(f"Flexibility report written to {written}")


# --- issue 8: robust plans, stress tests, re-planning -----------------------------------
def parse_gammas(text: str) -> list[int]:
    """--gammas as distinct whole numbers ≥ 0, or a usage error naming the option."""
    try:
        gammas = [int(g) for g in text.split(",") if g.strip()]
    except ValueError:
        raise click.BadParameter(f"{text!r} — expected whole numbers, e.g. 0,1,2,3", param_hint="--gammas")
    if not gammas or any(g < 0 for g in gammas) or len(set(gammas)) != len(gammas):
        raise click.BadParameter(f"{text!r} — expected distinct whole numbers ≥ 0", param_hint="--gammas")
    return gammas


@main.command()
@click.argument("book", type=BOOK_PATH, required=False)
@output_option("robustness.xlsx")
@click.option("--gammas", default="0,1,2,3", show_default=True, help="Γ values to solve: overruns each budget absorbs.")
@scale_out_options
@click.pass_context
@handle_errors
def robustness(
    ctx: click.Context,
    book: str | None,
    output: str,
    gammas: str,
    workers: int | None,
    scheduler: str | None,
    time_limit: float | None,
    gap: float | None,
    strategy: str,
) -> None:
    """Price of robustness: every objective as budgets absorb Γ = 0, 1, 2, … programme overruns."""
    console: Console = ctx.obj["console"]
    values = parse_gammas(gammas)
    scenario = load_scenario(book)
    refuse_overwriting([book, source_path(scenario)], {"-o": output})
    report = scenario.price_of_robustness(
        values,
        workers=workers,
        client=dask_client(scheduler),
        time_limit=time_limit,
        gap=gap,
        strategy=strategy,
        progress=None if console.quiet else sweep_progress(console),
    )
    console.end_live()
    if report.sweep.every_point_infeasible:  # it exited 0 with a workbook of no plans, where sweep exits 4
        from optimizer.errors import InfeasibleError

        least = min(values)
        raise InfeasibleError(
            f"every Γ is infeasible (Γ = {', '.join(map(str, values))}); no workbook written. At Γ = {least}:",
            scenario.with_settings(robust_overruns=least).diagnose(time_limit),
        )
    written = write_output(report.to_excel, output)
    table = report.table
    cols = [c for c in ("gamma", "status", "gap", "proven", "capability", "cost", "shortfall", "risk") if c in table]
    # gaps as the status line shows them: a proven optimum's round-off gap printed as 1.691768e-16
    click.echo(terminal_table(table[cols], {"gap": gap_text}))
    click.echo(report.proven_summary())
    for line in report.not_proven():
        click.echo(line)
    for note in report.sweep.notes:  # e.g. a portfolio asked for with scenarios side by side
        click.echo(f"note: {note}")
    if not report.sweep.complete:
        click.echo("Interrupted: the Γ values solved so far were written.", err=True)
    click.echo(f"Price of robustness written to {written}")


def plan_inputs(plan_book: Any, book: str | None) -> Any:
    """The scenario plans are judged against: --book, else the (first) plan's recorded input
    file. A plan that records none (its Summary sheet deleted or blank) needs --book: it was
    judged against the bundled reference dataset without a word, and its nations came back
    as 14 "not in the input workbook" errors."""
    from data.errors import InputError, Problem

    if book is None and not plan_book.input_file:
        raise InputError(
            Problem(
                f"[{Path(plan_book.path).name}]Summary",
                "",
                "records no input_file (the workbook the plan was made from)",
                "expected --book BOOK.xlsx",
            )
        )
    if book is None:
        recorded = Path(plan_book.input_file)
        # as recorded (relative to the folder the solve ran in), then from the plan's folder:
        # a plan solved in a sub-folder (`../L.xlsx`) and stressed from its parent was refused
        folder = Path(plan_book.path).parent
        candidates = [c for c in dict.fromkeys((recorded, folder / recorded, folder / recorded.name)) if c.is_file()]
        # the one the plan was made from, where the Summary's SHA-256 tells: another in.xlsx in
        # the current folder was taken before the plan's own, and the plan then refused
        found = next((c for c in candidates if _made_from(plan_book, c)), candidates[0] if candidates else None)
        if found is None:
            raise InputError(
                Problem(
                    f"[{Path(plan_book.path).name}]Summary",
                    "",
                    f"input_file {plan_book.input_file} (the workbook the plan was made from) is not found",
                    "expected --book BOOK.xlsx",
                )
            )
        book = str(found)
    return load_scenario(book)


def _made_from(plan_book: Any, path: Path) -> bool:
    """Whether `path` is the workbook the plan records (its Summary's input_sha256)."""
    from data.reader import file_sha256

    recorded = str(plan_book.input_sha256 or "").lower()
    try:
        return bool(recorded) and file_sha256(path.read_bytes()) == recorded
    except OSError:
        return False


STRESS_SHOWN = {  # Alliance measure -> how the terminal shows it
    "expected_nation_years_in_breach": ("nation-years in breach (expected)", "{:,.2f}"),
    "budget_overrun_share": ("overrun beyond budget, share of budget", "{:.2%}"),
    "expected_overrun_beyond_budget": ("overrun beyond budget (expected)", "amount"),
    "p95_overrun_beyond_budget": ("overrun beyond budget (1 in 20 exceeds)", "amount"),
    "expected_nations_in_breach": ("nations in breach (expected)", "{:,.2f}"),
    "expected_capability_lost": ("capability at risk (expected lost)", "{:,.1f}"),
    "expected_capability_delivered": ("capability delivered (expected)", "{:,.1f}"),
    "any_breach_probability": ("P(some nation breaches somewhere)", "{:.3f}"),
}


def _stress_figure(fmt: str, value: float) -> str:
    """A stress measure as the terminal shows it; money as its cell does (`amount_text`: a
    workbook in EUR billion read 0.0 for an overrun of 0.03)."""
    from data.xlsx_io import amount_text

    return amount_text(value) if fmt == "amount" else fmt.format(value)


def nations_hit(by_nation: Any) -> Any:
    """The terminal's per-nation rows of a one-plan stress test: every nation that breaches or
    loses capability — one that never breaches still loses it when a consortium it is in
    slips, and the table left such a nation out."""
    hit = (by_nation["breach_probability"] > 0) | (by_nation["expected_capability_lost"] > 0)
    return by_nation.loc[hit, ["nation", "breach_probability", "expected_overrun_cost", "expected_capability_lost"]]


def stress_table(comparison: Any) -> str:
    """The headline measures, one column per plan."""
    table = comparison.alliance_table().set_index("measure")
    labels = comparison.labels
    width = max(len(text) for text, _ in STRESS_SHOWN.values())
    columns = [max(12, len(label)) for label in labels]
    lines = [" " * width + "".join(f"  {label:>{w}}" for label, w in zip(labels, columns))]
    for measure, (text, fmt) in STRESS_SHOWN.items():
        values = "".join(
            f"  {_stress_figure(fmt, float(table.loc[measure, label])):>{w}}" for label, w in zip(labels, columns)
        )
        lines.append(f"{text:<{width}}{values}")
    return "\n".join(lines)


@main.command()
@click.argument("plans", nargs=-1, required=True, type=BOOK_PATH)
@click.option("--book", type=BOOK_PATH, help="Input workbook (default: the first plan's Summary input_file).")
@click.option(
    "--samples",
    default=1000,
    show_default=True,
    type=click.IntRange(min=1, max=100_000),
    help="Overrun scenarios (at most 100,000: memory grows with them).",
)
@click.option(
    "--seed",
    default=0,
    show_default=True,
    type=click.IntRange(min=0),
    help="Random seed: the same seed gives every plan the same draws.",
)
@click.option(
    "--overrun-probability",
    default=0.5,
    show_default=True,
    type=FiniteFloatRange(0, 1),
    help="Chance that a programme overruns in a scenario.",
)
@click.option("--point", type=click.IntRange(min=1), help="For Pareto front workbooks: the point to stress.")
@click.option(
    "--allow-other-input",
    is_flag=True,
    help="Stress a plan made from another input workbook (or another version of it) anyway, with a warning.",
)
@output_option("stress.xlsx")
@click.pass_context
@handle_errors
def stress(
    ctx: click.Context,
    plans: tuple[str, ...],
    book: str | None,
    samples: int,
    seed: int,
    overrun_probability: float,
    point: int | None,
    allow_other_input: bool,
    output: str,
) -> None:
    """Stress test PLAN.xlsx [PLAN2.xlsx …] side by side under the same sampled cost overruns:
    budget breaches, overrun beyond budget and capability at risk, per nation and alliance."""
    from optimizer import compare_stress, read_plan_books, stress_plans

    inputs_given = [Path(p).resolve() for p in (*plans, *([book] if book else []))]
    if Path(output).resolve() in inputs_given:
        raise click.BadParameter("the output would overwrite an input workbook", param_hint="-o")
    books = read_plan_books(plans)
    check_point_has_a_front(point, books)
    scenario = plan_inputs(books[0], book)
    refuse_overwriting([*plans, book, source_path(scenario)], {"-o": output})  # the recorded input too
    chosen, warnings = stress_plans(books, scenario.inputs, point, allow_other_input)
    for line in warnings:
        click.echo(f"warning: {line}", err=True)
    console: Console = ctx.obj["console"]
    comparison = compare_stress(
        scenario.inputs,
        chosen,
        samples,
        seed,
        overrun_probability,
        progress=None if console.quiet else stress_progress(console),
    )
    console.end_live()
    comparison.notes += warnings
    source = scenario.inputs.source
    header = [("input_file", source.path if source else ""), ("input_sha256", source.sha256 if source else "")]
    written = write_output(lambda p: comparison.to_excel(p, header), output)
    if len(chosen) == 1:
        shown = nations_hit(comparison.by_nation)
        if not shown.empty:
            click.echo(terminal_table(shown))
    click.echo(stress_table(comparison))
    click.echo(
        f"{samples} samples, seed {seed}, overrun probability {overrun_probability:g}: the same draws for every plan."
    )
    click.echo(f"Stress test written to {written}")


@main.command()
@click.argument("base", type=BOOK_PATH)
@click.argument("other", type=BOOK_PATH)
@click.option(
    "--book", type=BOOK_PATH, help="Input workbook both plans are priced on (default: BASE's Summary input_file)."
)
@click.option("--point", type=click.IntRange(min=1), help="For Pareto front workbooks: the point of each to compare.")
@click.option(
    "--base-point",
    type=click.IntRange(min=1),
    help="BASE's point when it is a front (overrides --point for it), e.g. two points of one front: "
    "front.xlsx front.xlsx --base-point 1 --other-point 2.",
)
@click.option("--other-point", type=click.IntRange(min=1), help="OTHER's point when it is a front (overrides --point).")
@click.option(
    "-o",
    "--output",
    default=None,
    type=click.Path(dir_okay=False),
    callback=xlsx_output,
    help="Also write the comparison to this workbook (.xlsx).",
)
@click.pass_context
@handle_errors
def compare(
    ctx: click.Context,
    base: str,
    other: str,
    book: str | None,
    point: int | None,
    base_point: int | None,
    other_point: int | None,
    output: str | None,
) -> None:
    """What OTHER.xlsx changes against BASE.xlsx: objectives priced on one input workbook,
    each plan's status and gap, programmes gained and lost, start years moved."""
    from data.plan_reader import load_previous_plan
    from optimizer import compare_plan_files

    books = [load_previous_plan(base), load_previous_plan(other)]
    check_point_has_a_front(point, books)
    for own, one, hint in ((base_point, books[0], "--base-point"), (other_point, books[1], "--other-point")):
        if own is not None:
            check_point_has_a_front(own, [one], hint)
    scenario = plan_inputs(books[0], book)
    refuse_overwriting([base, other, book, source_path(scenario)], {"-o": output})
    comparison = compare_plan_files(
        books[0], books[1], scenario.inputs, point, base_point=base_point, other_point=other_point
    )
    click.echo(str(comparison))
    if output is not None:
        source = scenario.inputs.source
        # which plan of a front each side is: the Plans sheet's labels alone said it
        chosen = [
            own if own is not None else point if one.front_points is not None else None
            for own, one in ((base_point, books[0]), (other_point, books[1]))
        ]
        summary: list[tuple[str, object]] = [
            ("base_plan", books[0].path),
            ("base_plan_sha256", books[0].sha256),
            *([("base_point", chosen[0])] if chosen[0] is not None else []),
            ("other_plan", books[1].path),
            ("other_plan_sha256", books[1].sha256),
            *([("other_point", chosen[1])] if chosen[1] is not None else []),
            ("input_file", source.path if source else ""),
            ("input_sha256", source.sha256 if source else ""),
        ]
        written = write_output(lambda path: comparison.to_excel(path, summary), output)
        click.echo(f"Comparison written to {written}")


def stress_progress(console: Console) -> Callable[[int, int], None]:
    """Breaching samples replayed under the delay rule (the slow part: the reference dataset
    takes about 30 s for 10,000 samples), with elapsed time and ETA."""
    started = time.monotonic()

    def show(done: int, total: int) -> None:
        elapsed = time.monotonic() - started
        eta = elapsed / done * (total - done) if done else 0.0
        console.live(
            f"{progress_bar(done, total)} {done:,}/{total:,} breaching samples replayed  "
            f"elapsed {elapsed:5.0f}s  ETA {eta:5.0f}s"
        )

    return show


def check_point_has_a_front(point: int | None, books: list[Any], hint: str = "--point") -> None:
    """--point picks a plan of a Pareto front workbook; given where no workbook is a front it
    was ignored without a word (and a re-plan's Summary still said it started from
    "plan.xlsx (point 2)"), so the planner believed a point had been chosen."""
    if point is not None and not any(b.is_front for b in books):
        names = ", ".join(Path(b.path).name for b in books)
        raise click.BadParameter(
            f"{names} {'is a plan' if len(books) == 1 else 'are plans'}, not a Pareto front: "
            f"there is no point to choose — expected {hint} only with a front workbook "
            "(capopt pareto)",
            param_hint=hint,
        )


def previous_plan_decisions(plan_book: Any, inputs: Any, point: int | None) -> tuple[Any, list[Any]]:
    """The previous plan read leniently against `inputs`, every problem named with its file
    (`[plan.xlsx]Plan!D2`), as its warnings are and as `capopt stress` names them: a re-plan
    reads two workbooks, and "Plan!D2: start_year is \"soon\"" did not say which."""
    from data.errors import InputError
    from data.plan_reader import in_file, read_previous_plan

    def named(problems: list[Any]) -> list[Any]:  # those that name a file already keep it
        return [p if p.sheet.startswith("[") else q for p, q in zip(problems, in_file(problems, plan_book.path))]

    try:
        return read_previous_plan(plan_book, inputs, point)
    except InputError as exc:
        raise InputError(named(exc.problems), warnings=named(exc.warnings)) from None


def check_from_year(from_year: int, settings: Any) -> None:
    """--from-year outside the workbook's horizon is a mistake typed on the command line
    (exit 2), not an invalid workbook (exit 3, which the re-plan itself would raise)."""
    if not settings.first_year <= from_year <= settings.last_year:
        raise click.BadParameter(
            f"{from_year} is outside the horizon {settings.first_year}–{settings.last_year} "
            "— a year of the input's horizon",
            param_hint="--from-year",
        )


@main.command()
@click.argument("book", type=BOOK_PATH, required=False)
@click.option(
    "--previous", "previous_plan", required=True, type=BOOK_PATH, help="Last year's plan workbook (written by capopt)."
)
@click.option("--from-year", required=True, type=int, help="First year that may still change.")
@click.option(
    "--stability-weight",
    default=1.0,
    show_default=True,
    type=FiniteFloatRange(min=0, max=MAX_COEFFICIENT, max_open=True),
    help="Objective units a change must buy: charged per programme funding or standard adoption dropped, added or moved.",
)
@click.option("--point", type=click.IntRange(min=1), help="If --previous is a Pareto front: the point to start from.")
@output_option("replan.xlsx")
@click.option("--objective", type=click.Choice(["lexicographic", "weighted"]), help="How objectives combine.")
@click.option("--priority", help="Lexicographic order, e.g. shortfall,capability,cost.")
@click.option(
    "--weight",
    "weights",
    multiple=True,
    help="NAME=VALUE for weighted runs (repeatable); the whole weighting: an objective not named "
    "weighs 0, whatever the Settings sheet's weight_* keys say.",
)
@common_solve_options
@engine_options
@click.pass_context
@handle_errors
def replan(
    ctx: click.Context,
    book: str | None,
    previous_plan: str,
    from_year: int,
    stability_weight: float,
    point: int | None,
    output: str,
    objective: str | None,
    priority: str | None,
    weights: tuple[str, ...],
    time_limit: float | None,
    gap: float | None,
    threads: int | None,
    solver: str,
    log_file: str | None,
    highs_options: tuple[str, ...],
    strategy: str,
    engine_workers: int | None,
    scheduler: str | None,
) -> None:
    """Re-plan BOOK.xlsx (default: the reference dataset) from a year on, keeping what started and
    penalising changes to the rest."""
    from data.plan_reader import load_previous_plan

    console: Console = ctx.obj["console"]
    highs_map = parse_highs_options(highs_options)
    scenario = load_scenario(book)
    source = scenario.inputs.source
    book_path = book if book is not None else (source.path if source is not None else None)
    check_from_year(from_year, scenario.inputs.settings)
    refuse_overwriting([previous_plan, book_path], {"-o": output, "--log": log_file})
    priority_list, weight_map = parse_priority_and_weights(priority, weights, scenario.inputs)
    objective = run_objective(objective, priority_list, weight_map, scenario.inputs.settings.objective)
    check_objective_sizes(scenario, objective, priority_list, weight_map)
    # leniently: the workbook has normally changed since the plan was made (a programme
    # cancelled is dropped and listed as a change); stress reads strictly
    plan_book = load_previous_plan(previous_plan)
    check_point_has_a_front(point, [plan_book])
    previous, warnings = previous_plan_decisions(plan_book, scenario.inputs, point)
    for line in warnings:
        click.echo(f"warning: {line}", err=True)
    with keeping_the_plan():
        outcome = scenario.replan(
            previous,
            from_year,
            stability_weight,
            objective=objective,
            priority=priority_list,
            weights=weight_map,
            time_limit=time_limit,
            gap=gap,
            threads=threads,
            solver=solver,
            progress=None if console.quiet else solve_progress(console),
            stream_log=ctx.obj["verbose"] > 0,
            log_file=log_file,
            highs_options=highs_map,
            previous_source=str(previous_plan) + (f" (point {point})" if point is not None else ""),
            previous_sha256=plan_book.sha256,
            strategy=strategy,
            workers=engine_workers,
            client=dask_client(scheduler),
        )
        console.end_live()
        written = write_output(outcome.to_excel, output)
    changes = outcome.changes
    if changes.empty:
        click.echo(f"No change against the previous plan (stability weight {stability_weight:g}).")
    else:
        import pandas as pd

        shown = changes[
            ["nation", "programme", "change", "previous_start", "new_start", "capability_delta", "cost_delta"]
        ].copy()
        for column in ("previous_start", "new_start"):  # years, not "2029.0" and "NaN"
            years = pd.to_numeric(shown[column], errors="coerce")
            shown[column] = ["—" if pd.isna(year) else str(int(year)) for year in years]
        click.echo(terminal_table(shown))
    for note in outcome.notes:
        click.echo(f"note: {note}")
    deltas = outcome.objective_deltas.set_index("objective")
    bought = ", ".join(
        f"{name} {deltas.loc[name, 'delta']:+,.3f}"
        for name in ("capability", "cost", "shortfall")
        if name in deltas.index and deltas.loc[name, "delta"] is not None
    )
    click.echo(f"{outcome.change_count} change(s); against the previous plan: {bought}")
    print_result_summary(outcome.result, written, outcome.optimised_objective())


if __name__ == "__main__":  # pragma: no cover
    main()
