"""Render step, in parallel: final HTML in, PDF bytes out, in worker processes.

The coordinating process loads, scores and builds every document's HTML once (about
0.15 s a document, most of it charts); laying out and drawing the PDF is the expensive
part (about 1.2 s) and runs in `jobs` worker processes. Workers are forked from a
multiprocessing fork server that imported WeasyPrint once, so a worker starts in
milliseconds and holds the renderer only -- no pandas, no matplotlib, no partner data
beyond the one HTML document it is rendering. Where the platform has no fork server
(Windows), workers are spawned and import WeasyPrint themselves.

The pool is started before the coordinator imports pandas: the fork server's WeasyPrint
import then overlaps with the data loading, which is what makes a single QBR barely
slower than rendering its HTML alone (see docs/performance.md).

`jobs=0` renders in the calling process: no pool, same bytes (for --debug sessions and
for platforms where subprocesses are not allowed).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from govdocs.render.variants import PDF_UA

if TYPE_CHECKING:
    from govdocs.render.pdf import DataFile

# What the fork server imports before it forks any worker.
_PRELOAD = ["govdocs.render.pdf", "govdocs.render.environment", "weasyprint"]


@dataclass(frozen=True)
class PdfJob:
    html: str
    document: str  # the target path, named in error messages
    timestamp: int  # seconds since 1970: the only time that may enter the file
    templates: Path | None = None  # a user template folder, searched before the bundled one
    variant: str = PDF_UA  # one of render.variants.PDF_VARIANTS
    data: DataFile | None = None  # embedded in a PDF/A-3 file: the document's own data


def render_pdf(job: PdfJob) -> bytes:
    """Run in a worker (or inline): the sealed renderer over the template folders."""
    from govdocs.render.environment import template_dirs
    from govdocs.render.pdf import html_to_pdf

    return html_to_pdf(
        job.html, template_dirs(job.templates), job.document, job.timestamp, variant=job.variant, data=job.data
    )


COORDINATOR_CHECK_SECONDS = 0.5  # how often a worker looks for its coordinator


def _started(pid: int) -> str | None:
    """A process's start time (Linux: /proc/PID/stat field 22), so that a new process given a
    dead coordinator's id is not taken for it; None where it cannot be read."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[1].split()[19].decode()
    except (OSError, IndexError):
        return None


def _alive(pid: int, started: str | None) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return False  # another user's process holds the id now: the coordinator (ours) is gone
    return started is None or _started(pid) == started


def _watch_coordinator(pid: int) -> None:
    """End this worker when the coordinator is gone. A `kill -9` of a build gives the pool no
    chance to stop its workers, and a worker forked from the fork server is not the
    coordinator's child (no parent-death signal reaches it): each one looks for itself."""
    started = _started(pid)

    def watch() -> None:
        while _alive(pid, started):
            threading.Event().wait(COORDINATOR_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="govdocs-coordinator-watch", daemon=True).start()


def _worker_init(coordinator: int | None = None) -> None:
    # Ctrl-C is the coordinator's to handle: it cancels what is queued and stops the workers;
    # a worker dying on its own SIGINT would only turn that into a "broken pool" error.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if coordinator is not None:
        _watch_coordinator(coordinator)
    import weasyprint  # noqa: F401  (already imported when forked from the server)


def _ready() -> int:
    return os.getpid()


def _context() -> multiprocessing.context.BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(_PRELOAD)
        return context
    return multiprocessing.get_context("spawn")


def default_jobs() -> int:
    """The cores this process may use (the scheduler's affinity, not the machine's total)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class RenderPool:
    """`with RenderPool(jobs) as pool: future = pool.submit(PdfJob(...))`.

    `start()` returns at once; the fork server and the first worker come up on a
    background thread while the caller goes on loading data."""

    def __init__(self, jobs: int) -> None:
        if jobs < 0:
            raise ValueError("jobs must be 0 (render inline) or more")
        self.jobs = jobs
        self._executor: ProcessPoolExecutor | None = None
        self._warming: threading.Thread | None = None

    def start(self) -> RenderPool:
        if self.jobs and self._executor is None:
            self._executor = ProcessPoolExecutor(
                max_workers=self.jobs, mp_context=_context(), initializer=_worker_init, initargs=(os.getpid(),)
            )
            executor = self._executor
            self._warming = threading.Thread(target=lambda: executor.submit(_ready), daemon=True)
            self._warming.start()
        return self

    def submit(self, job: PdfJob) -> Future[bytes]:
        if self._executor is None:
            future: Future[bytes] = Future()
            try:
                future.set_result(render_pdf(job))
            except Exception as exc:  # delivered through the future, as from a worker
                future.set_exception(exc)
            return future
        if self._warming is not None:
            self._warming.join()
        return self._executor.submit(render_pdf, job)

    def restart(self) -> None:
        """After a worker died (BrokenProcessPool): a fresh pool for the remaining jobs."""
        self.close(cancel=True)
        self.start()

    def close(self, cancel: bool = False) -> None:
        executor, self._executor = self._executor, None
        if executor is None:
            return
        if self._warming is not None:
            self._warming.join()
        if cancel:
            # Stop now: queued jobs are dropped and running workers are ended, so an
            # interrupted build returns at once instead of finishing every render.
            processes = list((executor._processes or {}).values())
            manager = getattr(executor, "_executor_manager_thread", None)  # shutdown() forgets it
            executor.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                with contextlib.suppress(Exception):
                    process.terminate()
            for process in processes:
                with contextlib.suppress(Exception):
                    process.join(timeout=5)
            # Let the pool's manager thread finish closing its pipes before this process exits:
            # Python 3.11's exit hook wakes that thread through one of them, and a pipe closed
            # between its check and its write ends in an "OSError: Bad file descriptor"
            # traceback printed after govdocs' own last line.
            if manager is not None and manager is not threading.current_thread():
                with contextlib.suppress(Exception):
                    manager.join(timeout=5)
        else:
            executor.shutdown(wait=True)

    def __enter__(self) -> RenderPool:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close(cancel=kind is not None)
