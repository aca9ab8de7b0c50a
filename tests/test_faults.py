"""Faults: a build stopped by Ctrl-C or SIGTERM, a full disk, a read-only folder. No truncated
document at a final path, a clear message, a non-zero exit -- and running the same command
again finishes the job."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import INPUTS, ROOT, pdf_text
from test_build import BUILD

from govdocs import signals
from govdocs.cli import cli
from govdocs.errors import Terminated
from govdocs.journal import JOURNAL_NAME
from govdocs.render import output

# BRV (its QBR, both copies: its status is watch, no plan) and CRN (QBR and plan, both copies, and
# the offboarding memo); no portfolio summary, which only a build of every partner writes.
SUBSET = [*BUILD, "--inputs", str(INPUTS), "--partner", "BRV", "--partner", "CRN"]
EXPECTED = 7


def build(out: Path, *extra: str):
    return CliRunner().invoke(cli, [*SUBSET, "--out", str(out), *extra])


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob(".*") if p.name != JOURNAL_NAME)


def assert_complete(out: Path, result) -> dict:
    """The re-run finished: every document listed, each file whole and matching its hash."""
    assert result.exit_code == 0, result.output
    folder = out / "2026-Q3"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["documents"]) == EXPECTED and manifest["failed"] == []
    for entry in manifest["documents"]:
        assert hashlib.sha256((out / entry["path"]).read_bytes()).hexdigest() == entry["sha256"]
    # the journal stays, recording every document for the next (incremental) build
    journal = json.loads((folder / JOURNAL_NAME).read_text(encoding="utf-8"))["documents"]
    assert {e["path"] for e in manifest["documents"]} <= set(journal)
    assert leftovers(folder) == []
    return manifest


@pytest.mark.parametrize(("stop", "code", "name"), [(signal.SIGINT, 130, "Ctrl-C"), (signal.SIGTERM, 143, "SIGTERM")])
def test_a_stopped_build_leaves_whole_documents_and_a_rerun_finishes(tmp_path: Path, stop, code, name):
    # On a loaded machine this test's process can be starved while the build finishes all eight
    # documents: a run that ended before the signal could be sent proves nothing either way and
    # is tried again with a new folder (at most three times); any run the signal reached is judged.
    for attempt in range(3):
        out = tmp_path / f"out{attempt}"
        args = [sys.executable, "-m", "govdocs", *SUBSET, "--out", str(out)]
        process = subprocess.Popen(
            args,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            # As from a terminal: a suite started in the background (`make test &`) hands its
            # children an ignored SIGINT, which a build rightly keeps ignoring.
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        progress = []
        for line in process.stderr:  # one line per document when not on a terminal
            progress.append(line)
            if sum("] wrote " in p for p in progress) == 3:
                break
        if process.poll() is None:
            break
        process.communicate()
    process.send_signal(stop)
    _, rest = process.communicate(timeout=120)
    assert process.returncode == code
    assert rest.strip().splitlines()[-1] == (
        f"interrupted ({name}): no document was left half-written; run the same command again to finish"
    )
    folder = out / "2026-Q3"
    assert leftovers(folder) == []  # no temp file left behind
    assert not (folder / "manifest.json").exists()
    before = {p.name: p.stat().st_mtime_ns for p in folder.glob("*.pdf")}
    assert 3 <= len(before) < EXPECTED
    for path in folder.glob("*.pdf"):
        assert pdf_text(path)  # every file at a final path is a whole PDF

    result = build(out)
    manifest = assert_complete(out, result)
    assert f"kept: {len(before)} of them as an earlier run wrote them" in result.output
    after = {p.name: p.stat().st_mtime_ns for p in folder.glob("*.pdf")}
    assert all(after[n] == t for n, t in before.items())  # kept, not rendered again
    assert {Path(e["path"]).name for e in manifest["documents"]} == set(after)


def test_a_full_disk_stops_the_build_and_a_rerun_finishes(tmp_path: Path, monkeypatch):
    """The seventh file written (each document is written with its journal line) runs out of
    space half-way through. Built as HTML: the writes, not the layout, are under test."""
    real_fdopen = os.fdopen
    writes = {"count": 0}

    class FullDisk:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, content: bytes) -> int:
            writes["count"] += 1
            if writes["count"] >= 7:
                self.handle.write(content[: len(content) // 2])
                self.handle.flush()
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return self.handle.write(content)

        def __getattr__(self, name):
            return getattr(self.handle, name)

    monkeypatch.setattr(output.os, "fdopen", lambda fd, mode: FullDisk(real_fdopen(fd, mode)))
    out = tmp_path / "out"
    result = build(out, "--format", "html")
    assert result.exit_code == 6, result.output
    failed = [line for line in result.output.splitlines() if line.startswith("failed:")]
    assert len(failed) == 1, result.output
    assert failed[0].endswith("write failed: No space left on device [output.write_failed]")
    assert "stopped after the first failure (the output folder cannot be written)" in result.stderr
    folder = out / "2026-Q3"
    assert leftovers(folder) == []  # the half-written temp file is gone
    written = sorted(folder.glob("*.html"))
    assert 2 <= len(written) <= 3
    for path in written:
        assert path.read_text(encoding="utf-8").rstrip().endswith("</html>")  # whole, not cut
    journal = json.loads((folder / JOURNAL_NAME).read_text(encoding="utf-8"))
    assert sorted(Path(p).name for p in journal["documents"]) == [p.name for p in written]
    assert "manifest: not written (the output folder cannot be written)" in result.output

    monkeypatch.setattr(output.os, "fdopen", real_fdopen)  # space freed
    result = build(out, "--format", "html")
    assert_complete(out, result)
    assert f"kept: {len(written)} of them" in result.output


def test_a_read_only_folder_stops_before_any_work(tmp_path: Path, monkeypatch):
    out = tmp_path / "out"
    real_mkstemp = tempfile.mkstemp

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(output.tempfile, "mkstemp", read_only)
    result = build(out)
    assert result.exit_code == 6
    assert result.stderr == (
        f"error: {out / '2026-Q3'}: cannot write documents here: Read-only file system [output.unwritable]\n"
    )
    assert result.stdout == ""
    assert not any(p.is_file() for p in out.rglob("*"))

    monkeypatch.setattr(output.tempfile, "mkstemp", real_mkstemp)
    assert_complete(out, build(out, "--format", "html"))  # HTML: the same writes, without the PDF layout time


def test_files_that_belong_together_are_written_together(tmp_path: Path, monkeypatch):
    """A stop signal arriving between a plan and its calendar waits until both are in place."""
    plan, calendar = tmp_path / "pip.pdf", tmp_path / "pip.ics"
    real_stage = output._stage

    def stage_then_stop(path: Path, content: bytes) -> str:
        name = real_stage(path, content)
        if path == plan:
            os.kill(os.getpid(), signal.SIGTERM)
        return name

    signals.act()  # as every command does: SIGTERM raises Terminated
    monkeypatch.setattr(output, "_stage", stage_then_stop)
    with pytest.raises(Terminated):
        output.write_together([(plan, b"plan"), (calendar, b"calendar")])
    assert plan.read_bytes() == b"plan" and calendar.read_bytes() == b"calendar"
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def test_a_failed_write_leaves_the_old_files_and_no_temp_file(tmp_path: Path, monkeypatch):
    plan, calendar = tmp_path / "pip.pdf", tmp_path / "pip.ics"
    plan.write_bytes(b"old plan")
    real_stage = output._stage

    def full_on_calendar(path: Path, content: bytes) -> str:
        if path == calendar:
            raise output._write_failed(path, OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
        return real_stage(path, content)

    monkeypatch.setattr(output, "_stage", full_on_calendar)
    with pytest.raises(output.GovdocsError) as caught:
        output.write_together([(plan, b"new plan"), (calendar, b"calendar")])
    assert str(caught.value) == f"{calendar}: write failed: No space left on device [output.write_failed]"
    assert plan.read_bytes() == b"old plan" and not calendar.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pip.pdf"]


def test_a_journal_entry_whose_inputs_changed_is_rendered_again(tmp_path: Path):
    """The interrupted run's file is replaced when the inputs changed since -- never kept stale."""
    out = tmp_path / "out"
    folder = out / "2026-Q3"
    assert build(out, "--format", "html").exit_code == 0
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    target = folder / "qbr-BRV-partner.html"
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    (folder / "manifest.json").unlink()
    journal = {
        "govdocs": "0",
        "documents": {
            "2026-Q3/qbr-BRV-partner.html": {
                "path": "2026-Q3/qbr-BRV-partner.html",
                "sha256": digest,
                "attachments": {},
                "key": "an older run",
            }
        },
    }
    (folder / JOURNAL_NAME).write_text(json.dumps(journal), encoding="utf-8")
    for path in folder.iterdir():
        if path != target and path.name != JOURNAL_NAME:
            path.unlink()
    result = build(out, "--format", "html")
    assert "kept:" not in result.output
    again = assert_complete(out, result)
    assert again == manifest  # the same inputs give the same documents


def test_written_files_follow_the_umask(tmp_path: Path):
    """A private umask keeps documents private: no world-readable copy of a partner's plan."""
    previous = os.umask(0o077)
    try:
        output.write_atomic(tmp_path / "plan.pdf", b"plan")
    finally:
        os.umask(previous)
    assert (tmp_path / "plan.pdf").stat().st_mode & 0o777 == 0o600


def test_documents_an_unfinished_build_wrote_are_never_deleted(tmp_path: Path):
    """A narrower run after a failed one leaves the other partner's documents in place, says so,
    and the full command later keeps them."""
    import shutil

    inputs = tmp_path / "inputs"
    shutil.copytree(INPUTS, inputs)
    (inputs / "BRV.yaml").write_text("partner: BRV\ncommentary: [unclosed\n", encoding="utf-8")
    out = tmp_path / "out"
    folder = out / "2026-Q3"
    args = [*BUILD, "--out", str(out), "--format", "html", "--inputs", str(inputs)]
    assert CliRunner().invoke(cli, [*args, "--partner", "BRV", "--partner", "CRN"]).exit_code == 5
    crn = sorted(p.name for p in folder.glob("*CRN*"))
    assert crn  # written before the build stopped short

    shutil.copy(INPUTS / "BRV.yaml", inputs / "BRV.yaml")
    result = CliRunner().invoke(cli, [*args, "--partner", "BRV", "--force"])
    assert result.exit_code == 0, result.output
    assert f"not in the manifest: {len(crn)} files an earlier run wrote" in result.output
    assert sorted(p.name for p in folder.glob("*CRN*")) == crn
    assert (folder / JOURNAL_NAME).exists()

    # Both partners again, without --force: every document is govdocs' own and unchanged, so all are kept.
    result = CliRunner().invoke(cli, [*args, "--partner", "BRV", "--partner", "CRN"])
    assert result.exit_code == 0, result.output
    documents = [name for name in crn if not name.endswith(".ics")]  # the plan's calendar goes with it
    # CRN's documents and BRV's two QBRs are kept (a build of some partners writes no portfolio summary)
    assert f"kept: {len(documents) + 2} of them" in result.output and "not in the manifest" not in result.output
    assert (folder / JOURNAL_NAME).exists()


# --- one run at a time per output folder ----------------------------------------------------------

HOLD = (
    "import sys, time\n"
    "from pathlib import Path\n"
    "from govdocs.render.output import folder_lock\n"
    "with folder_lock(Path(sys.argv[1])):\n"
    "    print('held', flush=True)\n"
    "    time.sleep(60)\n"
)


def test_a_second_run_into_a_held_folder_stops_and_names_the_holder(tmp_path: Path):
    """Two builds into one empty folder both passed the 'exists' check and the later silently replaced
    the earlier's documents. The second now stops at once: exit 6, one line naming the holder."""
    out = tmp_path / "out"
    folder = out / "2026-Q3"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(folder)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        result = build(out, "--format", "html")
        assert result.exit_code == 6
        assert result.stderr == (
            f"error: {folder}: another govdocs run (process {holder.pid}) is writing into this folder; wait for it "
            "to finish or choose another --out [output.locked]\n"
        )
        assert not any(p.is_file() for p in out.rglob("*"))
    finally:
        holder.kill()  # SIGKILL: no clean-up code runs, the kernel drops the lock
        holder.wait()
    assert_complete(out, build(out, "--format", "html"))  # nothing stale is left to block the next run


def test_the_document_commands_take_the_same_lock(tmp_path: Path):
    from govdocs.render.output import folder_lock

    out = tmp_path / "out"
    with folder_lock(out / "2026-Q3"):
        args = ["qbr", "--config", str(ROOT / "examples" / "governance.yaml"), "--data"]
        args += [str(ROOT / "examples" / "data" / "kpis.csv"), "--quarter", "2026-Q3", "--partner", "ATL"]
        args += ["--as-of", "2026-10-15", "--format", "html", "--out", str(out)]
        result = CliRunner().invoke(cli, args)
    assert result.exit_code == 6
    assert "is writing into this folder" in result.stderr and "[output.locked]" in result.stderr
    assert not out.exists()  # the folders made for the lock went with it


def test_an_ignored_interrupt_stays_ignored_while_files_are_written(tmp_path: Path):
    """A build started in the background inherits an ignored SIGINT. Holding the stop signals while
    files that belong together are written turned that ignored signal into a stop after all, so
    `kill -INT` stopped such a build only when it landed during a write."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with output.signals_held():
            os.kill(os.getpid(), signal.SIGINT)
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)
