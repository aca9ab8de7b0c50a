"""Stops at any moment, tested in a loop: a race shows in one run of many, not in one.

Each run is a real `python -m govdocs build` with two render workers, stopped by Ctrl-C at
another moment, or ended early by a data error while the render pool is still starting."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from conftest import ROOT
from test_faults import SUBSET, leftovers

# --- stops at any moment, tested in a loop: a race shows in one run of many, not in one -------

STOP_LINE = "interrupted (Ctrl-C): no document was left half-written; run the same command again to finish"


def as_from_a_terminal() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_at_any_moment_ends_with_its_line_and_130(tmp_path: Path):
    """Ctrl-C at 6 moments spread over a build: while Python imports the CLI, while Click reads
    the command line, while the render pool's fork server starts, between documents and while
    a worker renders. Each run ends with exit 130 (or 0, if it finished first) and the stop
    line as its last line: before, 1 run in 8 ended "internal error: RuntimeError", or a
    traceback from concurrent.futures after the line, or died of the signal (-2) itself, and a
    Ctrl-C Python dropped inside a matplotlib weakref callback let the build run on to exit 0."""
    delays = [0.4 + 0.4 * i for i in range(6)]  # from 0.4 s: Python itself has started by then
    seen = []
    for number, delay in enumerate(delays):
        out = tmp_path / f"out{number}"
        process = subprocess.Popen(
            [sys.executable, "-m", "govdocs", *SUBSET, "--out", str(out), "--jobs", "2"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=as_from_a_terminal,
        )
        try:
            process.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGINT)
        _, errors = process.communicate(timeout=120)
        lines = errors.strip().splitlines()
        seen.append(process.returncode)
        assert process.returncode in (130, 0), f"after {delay:.2f} s: exit {process.returncode}\n{errors}"
        assert "Traceback" not in errors and "Exception ignored" not in errors, f"after {delay:.2f} s:\n{errors}"
        assert "internal error" not in errors, errors
        if process.returncode == 130:
            assert lines[-1] in (STOP_LINE, "interrupted (Ctrl-C): nothing was written"), errors
            folder = out / "2026-Q3"
            assert not folder.exists() or leftovers(folder) == [], leftovers(folder)
    assert seen.count(130) >= 5, seen  # the signal reached (almost) every run


def test_an_early_error_is_its_one_line_every_time(tmp_path: Path):
    """A data error found while the render pool is still starting: the error's line and exit
    4, and nothing after it, in each of 3 runs (a traceback from concurrent.futures followed
    the line in about 1 run in 20)."""
    data = tmp_path / "kpis.csv"
    text = (ROOT / "examples" / "data" / "kpis.csv").read_text(encoding="utf-8")
    data.write_text(text.replace("ATL,2025-05,service_level,", "ATL,2025-05,service_level,x", 1), encoding="utf-8")
    args = [a if a != str(ROOT / "examples" / "data" / "kpis.csv") else str(data) for a in SUBSET]
    assert str(data) in args
    for number in range(3):
        result = subprocess.run(
            [sys.executable, "-m", "govdocs", *args, "--out", str(tmp_path / f"out{number}"), "--jobs", "2"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 4, result.stderr
        assert len(lines) == 1 and lines[0].startswith(f"error: {data}:3: column 'value':"), result.stderr


# --- kill -9: nothing the coordinator started outlives it ------------------------------------


def _descendants(pid: int) -> list[int]:
    """Every process below `pid` (Linux /proc): the fork server, the workers, the resource tracker."""
    import os

    tree: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat", "rb") as handle:
                    parent = int(handle.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            tree.setdefault(parent, []).append(int(name))
    found, todo = [], [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except OSError:
        return False


def test_workers_end_within_seconds_after_kill_9_of_the_build(tmp_path: Path):
    """`kill -9` of a build gives it no chance to stop its pool: before, the fork server, the
    resource tracker and both render workers (about 255 MB) stayed alive indefinitely. Each
    worker now watches its coordinator and ends within a second of it; the fork server and the
    tracker follow once no worker holds them."""
    import os
    import time

    import pytest

    if not Path("/proc/self/stat").exists():
        pytest.skip("reads the process tree from /proc")
    process = subprocess.Popen(
        [sys.executable, "-m", "govdocs", *SUBSET, "--out", str(tmp_path / "out"), "--jobs", "2"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    started = []
    try:
        for line in process.stdout:  # the first rendered document: the workers exist
            if line.startswith("[1/"):
                break
        started = _descendants(process.pid)
        assert len(started) >= 3, started  # fork server, tracker, at least one worker
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_running(p) for p in started):
            time.sleep(0.1)
        left = [p for p in started if _running(p)]
        assert left == [], f"still running 10 s after kill -9: {left}"
    finally:
        for pid in started:
            if _running(pid):
                os.kill(pid, signal.SIGKILL)
        if process.poll() is None:
            process.kill()
