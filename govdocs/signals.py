"""Ctrl-C and SIGTERM, from the first instruction to the exit code.

Python raises KeyboardInterrupt wherever the main thread happens to be when the signal
arrives. Four things make that unreliable, and this module answers each:

- while the CLI is still importing or Click is reading the command line, the interrupt
  would be an import traceback or Click's "Aborted!" with exit 1: there the signal is
  *held* (recorded, not raised) and handed to the command as it starts;
- inside a weakref callback or a `__del__` (matplotlib's transforms have many), Python
  prints "Exception ignored" and drops the KeyboardInterrupt, and the run carried on as if
  nothing had been pressed: every stop is therefore also *recorded*, and `check()` at the
  run's checkpoints raises one that was dropped;
- the code a stop interrupts may turn it into an error of its own (pydantic building a
  validator raises SchemaError): the CLI reports a recorded stop as the stop;
- a second signal while stopping would cut the last line short: once stopping, both are
  ignored.

Nothing heavy is imported here: `python -m govdocs` installs the holding handlers first.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType

from govdocs.errors import Terminated

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
received: list[int] = []  # every stop signal this process was sent, in order
_ignoring: list[bool] = []  # set by ignore(): SIG_IGN is then ours, not inherited
_started: list[bool] = []  # set by act(): a command is running or has run


def _stop(signum: int) -> KeyboardInterrupt:
    return Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()


def _hold(signum: int, frame: FrameType | None) -> None:
    received.append(signum)


def _raise(signum: int, frame: FrameType | None) -> None:
    received.append(signum)
    raise _stop(signum)


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def _install(handler) -> None:
    """`handler` for both stop signals. A signal the process was started ignoring (`nohup`, a
    background `&`) stays ignored; one ignored by `ignore()` (an earlier command in the same
    process, as in tests) acts again."""
    if _main_thread():
        for number in STOP_SIGNALS:
            if signal.getsignal(number) is not signal.SIG_IGN or _ignoring:
                signal.signal(number, handler)
        _ignoring.clear()


def hold() -> None:
    """Record stop signals without raising (start-up and command-line parsing)."""
    _install(_hold)


def act() -> None:
    """From here on a stop signal raises (KeyboardInterrupt, or Terminated for SIGTERM), and
    one held since start-up is raised now."""
    _install(_raise)
    _started.append(True)
    check()


def check() -> None:
    """Raise a stop that was received but never raised, or raised where Python drops it."""
    if received:
        raise _stop(received[0])


def ignore() -> None:
    """Stopping already: further signals may not interrupt the clean-up or the last line."""
    if _main_thread():
        for number in STOP_SIGNALS:
            signal.signal(number, signal.SIG_IGN)
        _ignoring.append(True)


def started() -> bool:
    """Whether a command has started (act() was called) in this process."""
    return bool(_started)
