"""Render step, output: documents appear atomically (temp file + rename) or not at all.

A stopped run (Ctrl-C, SIGTERM) never leaves a truncated file at a final path: a file is
written under a temporary name and renamed; files that belong together are written with
the stop signals held back until the last one is in place.
"""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
import threading
from collections.abc import Iterable, Iterator, Set
from pathlib import Path
from types import FrameType
from typing import Any

from govdocs.errors import ExitCode, GovdocsError, Location, Problem, Terminated

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; runs into one folder are not serialised there
    fcntl = None  # type: ignore[assignment]


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold an advisory lock on an output folder for the whole run: a second run into the same
    folder stops at once with exit 6 and the holder's process id, instead of replacing the
    first run's documents. The lock is the kernel's (flock on the folder itself), so it is
    released on any exit, a crash or a kill included: no lock file, nothing stale to clean up.
    Folders made for it are removed again when the run wrote nothing into them."""
    missing = [p for p in (folder, *folder.parents) if not p.exists()]
    descriptor = None
    try:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(folder, os.O_RDONLY)
        except OSError as exc:
            raise _unwritable(folder, exc) from None
        if fcntl is not None:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                raise GovdocsError(
                    [
                        Problem(
                            "output.locked",
                            f"another govdocs run{_holder(descriptor)} is writing into this folder; wait for it "
                            "to finish or choose another --out",
                            Location(str(folder)),
                            ExitCode.OUTPUT,
                        )
                    ]
                ) from None
        yield
    finally:
        if descriptor is not None:
            os.close(descriptor)
        for made in missing:  # deepest first; only empty ones go
            with contextlib.suppress(OSError):
                made.rmdir()


def _holder(descriptor: int) -> str:
    """' (process 1234)' from the kernel's lock table when it can be read (Linux), else ''."""
    inode = os.fstat(descriptor).st_ino
    with contextlib.suppress(OSError):
        for line in Path("/proc/locks").read_text().splitlines():
            fields = line.split()
            if len(fields) > 5 and fields[1] == "FLOCK" and fields[5].rsplit(":", 1)[-1] == str(inode):
                return f" (process {fields[4]})"
    return ""


def check_targets(paths: Iterable[Path], force: bool, resumable: Set[Path] = frozenset()) -> None:
    """Before any work: refuse to overwrite existing documents unless forced (or `resumable`,
    left unchanged by an interrupted build), and to start at all when an output folder
    cannot be written (read-only, no permission)."""
    paths = list(paths)
    existing = [p for p in paths if p.exists() and p not in resumable]
    if existing and not force:
        raise GovdocsError(
            [
                Problem(
                    "output.exists", "document exists; pass --force to replace it", Location(str(p)), ExitCode.OUTPUT
                )
                for p in existing
            ]
        )
    for folder in sorted({p.parent for p in paths}):
        _probe(folder)


def _probe(folder: Path) -> None:
    """Create and remove a file where the documents will go; folders made for the test are
    removed again, so a run that stops later leaves nothing behind."""
    missing = [p for p in (folder, *folder.parents) if not p.exists()]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        descriptor, name = tempfile.mkstemp(prefix=".govdocs-probe.", dir=folder)
        os.close(descriptor)
        os.unlink(name)
    except OSError as exc:
        raise _unwritable(folder, exc) from None
    finally:
        for made in missing:  # deepest first
            with contextlib.suppress(OSError):
                made.rmdir()


def _unwritable(folder: Path, exc: OSError) -> GovdocsError:
    return GovdocsError(
        [
            Problem(
                "output.unwritable",
                f"cannot write documents here: {exc.strerror}",
                Location(str(folder)),
                ExitCode.OUTPUT,
            )
        ]
    )


def write_atomic(path: Path, content: bytes) -> None:
    """Write to a temp file in the same folder, fsync, then rename over the target."""
    write_together([(path, content)])


def write_together(files: Iterable[tuple[Path, bytes]]) -> None:
    """Several files, all or none: each goes to a temp file beside its target and is fsynced;
    only when every one is staged are they renamed into place, with stop signals held back.
    A failure (disk full, read-only folder) removes the temp files and leaves the targets as
    they were."""
    staged: list[tuple[str, Path]] = []
    try:
        with signals_held():
            for path, content in files:
                staged.append((_stage(path, content), path))
            for temp_name, path in staged:
                try:
                    os.replace(temp_name, path)
                except OSError as exc:
                    raise _write_failed(path, exc) from None
    except BaseException:
        for temp_name, _ in staged:
            with contextlib.suppress(OSError):
                os.unlink(temp_name)
        raise


def _write_failed(path: Path, exc: OSError) -> GovdocsError:
    return GovdocsError(
        [Problem("output.write_failed", f"write failed: {exc.strerror or exc}", Location(str(path)), ExitCode.OUTPUT)]
    )


def _stage(path: Path, content: bytes) -> str:
    """`content` in a fsynced temp file beside `path`; its name."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as exc:
        raise GovdocsError(
            [Problem("output.unwritable", f"cannot write here: {exc.strerror}", Location(str(path)), ExitCode.OUTPUT)]
        ) from None
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, 0o666 & ~_umask())  # what a plain open() would have given
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        if isinstance(exc, OSError):
            raise _write_failed(path, exc) from None
        raise
    return temp_name


def _umask() -> int:
    """The process's umask (there is no call that only reads it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait until the block is done: files that belong together (a plan
    and its calendar; a document and the journal line that records it) are all written or
    none. A signal that arrives meanwhile is recorded and raised once the block is over.
    (Blocking with pthread_sigmask would not do: it holds only this thread, and the render
    pool's threads would take the signal.) Outside the main thread signals cannot arrive, and
    nothing is changed."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []

    def hold(signum: int, frame: FrameType | None) -> None:
        caught.append(signum)

    previous: list[tuple[int, Any]] = []
    try:
        for number in (signal.SIGINT, signal.SIGTERM):
            # An ignored signal stays ignored (a run started in the background with `&`, or under
            # nohup, inherits an ignored SIGINT): holding it would turn it into a stop after all.
            if signal.getsignal(number) is not signal.SIG_IGN:
                previous.append((number, signal.signal(number, hold)))
        yield
    finally:
        _restore(previous)
        if caught:  # a stop signal wins over whatever else the block raised
            raise Terminated() if caught[0] == signal.SIGTERM else KeyboardInterrupt()


def _restore(handlers: list[tuple[int, Any]]) -> None:
    """Every handler back, even if a signal raises between two of them."""
    if not handlers:
        return
    (number, handler), rest = handlers[0], handlers[1:]
    try:
        signal.signal(number, handler if handler is not None else signal.SIG_DFL)
    finally:
        _restore(rest)
