"""The `govdocs` command group: its option types, the --as-of rule, and how an error, a stop or a
bug ends a command (one line, its exit code; a traceback only with --debug)."""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

import click

from govdocs import __version__
from govdocs.errors import ExitCode, GovdocsError, Terminated
from govdocs.periods import Quarter

F = TypeVar("F", bound=Callable[..., Any])


class _ParsedType(click.ParamType):
    """A parameter parsed by `parse`, with an example of the expected form in the error."""

    example = ""

    def parse(self, text: str) -> Any:
        raise NotImplementedError

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return self.parse(value)
        except ValueError:
            self.fail(f"{value!r} is not a {self.name.lower()} like {self.example}", param, ctx)


class QuarterType(_ParsedType):
    name = "QUARTER"
    example = "2026-Q3"

    def parse(self, text: str) -> Quarter:
        return Quarter.parse(text)


class DateType(_ParsedType):
    name = "DATE"
    example = "2026-10-15"

    def parse(self, text: str) -> date:
        return date.fromisoformat(text)


ISSUE_YEARS = 3  # a document is issued after its quarter ends and within three years of it


def issue_date(as_of: date | None, quarter: Quarter) -> date:
    """The --as-of date (default today), refused unless the quarter has ended and it falls within
    three years of that: a Q3 review dated 1 July, or a date in the year 9999, is a typo."""
    from govdocs.errors import Location, Problem

    day = as_of or date.today()
    end = quarter.end_date()
    reason = None
    if day <= end:
        reason = f"is not after {quarter.label} ended ({end.isoformat()}): a document is issued after its quarter"
    elif (day - end).days > ISSUE_YEARS * 366:
        reason = f"is more than {ISSUE_YEARS} years after {quarter.label} ended ({end.isoformat()})"
    if reason is None:
        return day
    shown = f"today, {day.isoformat()}," if as_of is None else day.isoformat()
    origin = _project_origin()
    if origin is not None:  # a value of the project file: its file and line, exit 3, as for any of its values
        return_code, location, also = origin
        raise GovdocsError([Problem("project.as_of", f"{shown} {reason}{also}", location, return_code)])
    raise GovdocsError([Problem("usage.as_of", f"{shown} {reason}", Location("--as-of"), ExitCode.USAGE)])


PROJECT_KEY = "govdocs.project"  # where a command's loaded project file is kept (Context.meta)


def _project_origin() -> tuple[ExitCode, Any, str] | None:
    """When the issue date or the quarter that makes it wrong came from the project file (not
    from an option): the file's line to name instead of --as-of."""
    from click.core import ParameterSource

    context = click.get_current_context(silent=True)
    project = None if context is None else context.meta.get(PROJECT_KEY)
    if context is None or project is None:
        return None
    if context.get_parameter_source("as_of") is ParameterSource.DEFAULT_MAP:
        return ExitCode.CONFIG, project.location("as_of"), ""
    if context.params.get("quarter") is None and project.settings.quarter != "last_complete":
        also = " (the project file's quarter; give --quarter or --as-of to choose another)"
        return ExitCode.CONFIG, project.location("quarter"), also
    return None


EXIT_CODES = (
    "Exit codes: 0 ok, 1 internal error, 2 usage, 3 config or project file, 4 data, 5 human inputs, "
    "6 output exists or not writable, 7 render failed, 8 raw-data engine cannot run, 9 an extra not installed, "
    "130 interrupted (Ctrl-C), 143 stopped (SIGTERM). See docs/exit-codes.md."
)


def with_exit_codes(command: click.Command) -> None:
    """Every command's --help ends with the exit codes (the group's too)."""
    command.epilog = EXIT_CODES
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            with_exit_codes(sub)


MAX_PROBLEMS_SHOWN = 50  # lines of one refusal; the rest are counted (100,000 bad rows are not 100,000 lines)


def report_error(exc: GovdocsError) -> None:
    for problem in exc.problems[:MAX_PROBLEMS_SHOWN]:
        click.echo(f"error: {problem}", err=True)
    if len(exc.problems) > MAX_PROBLEMS_SHOWN:
        hidden = len(exc.problems) - MAX_PROBLEMS_SHOWN
        click.echo(f"error: {hidden:,} more problems not shown; fix the ones above first", err=True)


def _interrupted(terminated: bool) -> None:
    from govdocs import signals

    signals.ignore()  # stopping already: a second signal may not cut the last line short
    signals.received.clear()  # this stop is handled (CliRunner runs many commands in one process)
    # Conventional codes: 128 + the signal's number (SIGINT 2, SIGTERM 15).
    stopped_by = "SIGTERM" if terminated else "Ctrl-C"
    click.echo(
        f"interrupted ({stopped_by}): no document was left half-written; run the same command again to finish",
        err=True,
    )
    sys.exit(143 if terminated else 130)


def handle_errors(func: F) -> F:
    """Turn core errors into their exit codes; hide tracebacks unless --debug."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from govdocs import signals

        debug = bool(click.get_current_context().find_root().params.get("debug"))
        try:
            signals.act()  # a stop held while the command line was read is raised here
            try:
                result = func(*args, **kwargs)
            except SystemExit:
                signals.check()  # a stop Python dropped (raised inside a weakref callback)
                raise
            signals.check()
            return result
        except GovdocsError as exc:
            if signals.received:  # the stop came first and the error followed from it
                _interrupted(signals.received[0] == signal.SIGTERM)
            if debug:
                raise
            report_error(exc)
            sys.exit(int(exc.exit_code))
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except BrokenPipeError:
            # The reader stopped reading (`govdocs aggregate --sql | head`): nothing is wrong.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)
        except KeyboardInterrupt as exc:
            _interrupted(isinstance(exc, Terminated))
        except ModuleNotFoundError as exc:
            from govdocs.extras import extra_of, missing_problem

            if debug or extra_of(exc.name) is None:
                raise
            # an optional part reached without its `extras.require` first: still one line, exit 9
            report_error(
                GovdocsError([missing_problem(extra_of(exc.name), f"this command (module {exc.name})", "govdocs")])
            )
            sys.exit(int(ExitCode.EXTRA))
        except Exception as exc:  # a bug: say so in one line
            if signals.received:
                # Not a bug but the stop, turned into another error by the code it interrupted
                # (pydantic building a validator, a lock being released): the stop is reported.
                _interrupted(signals.received[0] == signal.SIGTERM)
            if debug:
                raise
            click.echo(
                f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback and report it)",
                err=True,
            )
            sys.exit(int(ExitCode.INTERNAL))

    return wrapper  # type: ignore[return-value]


HEARTBEAT_SECONDS = 10  # a step that lasts longer is said again ("still ..."), so no run is silent for long
STARTING = "starting govdocs"


class _ProgressLines(logging.Handler):
    """The core's steps (govdocs.progress) on stderr, each with the seconds since the command
    started; while a step lasts, a "still ..." line every HEARTBEAT_SECONDS."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.started = time.monotonic()
        # the steps under way, innermost last, with their start; until the core's first step, the
        # command's own start (its imports: seconds on a busy machine) is the one under way
        self.open: list[tuple[str, float]] = [(STARTING, self.started)]
        self.said = self.started  # when the last line was written
        self.guard = threading.Lock()  # not `lock`: logging.Handler holds its own there
        self.stopped = threading.Event()
        self.beat = threading.Thread(target=self._beat, name="govdocs-progress", daemon=True)
        self.beat.start()

    def emit(self, record: logging.LogRecord) -> None:
        from govdocs.progress import END

        message, now = record.getMessage(), time.monotonic()
        with self.guard:
            if getattr(record, "step", None) == END:
                self.open = [s for s in self.open if s[0] != message]
                return
            self.open = [s for s in self.open if s[0] != STARTING]
            self.open.append((message, now))
            self._say(message, now)

    def _say(self, message: str, now: float) -> None:
        self.said = now
        click.echo(f"[{now - self.started:5.1f} s] {message}", err=True)

    def _beat(self) -> None:
        while not self.stopped.wait(min(1.0, HEARTBEAT_SECONDS / 4)):
            now = time.monotonic()
            with self.guard:
                if self.open and now - self.said >= HEARTBEAT_SECONDS:
                    message, since = self.open[-1]
                    self._say(f"still {message} ({now - since:.0f} s)", now)

    def close(self) -> None:
        self.stopped.set()
        super().close()


def progress_wanted() -> bool | None:
    """--progress (True), --quiet (False), or neither (None: the steps only on a terminal)."""
    context = click.get_current_context(silent=True)
    return None if context is None else context.find_root().params.get("progress")


def _show_progress(context: click.Context, wanted: bool | None) -> None:
    """Steps on stderr with --progress, or on a terminal unless --quiet; removed when the command ends."""
    from govdocs.progress import LOGGER

    if not (wanted or (wanted is None and sys.stderr.isatty())):
        return
    handler = _ProgressLines()
    LOGGER.addHandler(handler)
    LOGGER.setLevel(logging.INFO)
    LOGGER.propagate = False

    def remove() -> None:
        LOGGER.removeHandler(handler)
        handler.close()
        if not LOGGER.handlers:
            LOGGER.setLevel(logging.NOTSET)
            LOGGER.propagate = True

    context.call_on_close(remove)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="govdocs")
@click.option("--debug", is_flag=True, help="Show full tracebacks instead of one-line errors.")
@click.option(
    "--progress/--quiet",
    "progress",
    default=None,
    help="Each step of a run on stderr, also off a terminal (default: on a terminal only); "
    "--quiet: no progress lines at all.",
)
@click.pass_context
def cli(context: click.Context, debug: bool, progress: bool | None) -> None:
    """Vendor-governance documents from partner KPI data.

    \b
    Quick start:
      govdocs init my-program --partner NORTH="North Contact Ltd" --partner SOUTH="South Service Co"
      cd my-program        # fill data/kpis-template.csv, save it as data/kpis.csv
      govdocs validate
      govdocs build        # every document the escalation ladder calls for, into output/<quarter>/
    """
    _show_progress(context, progress)


def main() -> None:
    """The `govdocs` command. Stop signals are held until a command starts (Click would turn a
    Ctrl-C during its parsing into "Aborted!" and exit 1), then raise (see handle_errors)."""
    from govdocs import signals

    signals.hold()  # again: `main` may be called without `python -m govdocs` (an entry point)
    try:
        cli(prog_name="govdocs")
    except SystemExit as ending:
        if ending.code in (130, 143):
            _exit_stopped(int(ending.code))
        if signals.started() or not signals.received:
            raise  # a command ran: its own outcome stands (a stop after its end changes nothing)
    if signals.received and not signals.started():  # stopped before any command started (--help)
        terminated = signals.received[0] == signal.SIGTERM
        signals.ignore()
        click.echo(f"interrupted ({'SIGTERM' if terminated else 'Ctrl-C'}): nothing was written", err=True)
        _exit_stopped(143 if terminated else 130)


def _exit_stopped(code: int) -> None:
    """End a stopped run with its code once everything is cleaned up. Python's own exit would
    now and then end the process on SIGINT instead (exit -2, measured in 5 of 60 interrupted
    builds): multiprocessing's exit hook (which releases the render pool's semaphores) is run
    here, then the process ends without the interpreter's further shutdown."""
    import multiprocessing.util

    with contextlib.suppress(Exception):
        multiprocessing.util._exit_function()
    with contextlib.suppress(Exception):
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)
