"""Build step, incremental: what earlier runs already wrote into an output folder.

`OUT/<quarter>/.govdocs-build.json` records every document a document command (`build`,
`qbr`, `pip`, `offboarding`) wrote there: its path, its file's SHA-256 (and its attachments')
and a key for what produced it -- the final HTML, the format, the issue timestamp, the
template folder and the govdocs and WeasyPrint versions. Each document is written together
with its journal line (one all-or-nothing write), and the journal stays when the run ends.

The next run into the folder -- after Ctrl-C, SIGTERM or a full disk, or after one partner's
inputs changed -- keeps every recorded document whose file is unchanged and whose key still
matches (the same bytes would be rendered again) without rendering it, and renders the rest.
A build also records each document's *source digest*: the hash of everything its HTML is made
from (the config, every data file, the partner's inputs, actions and assessment files, the
issue date, the template folders, govdocs' own code and the renderer's version). A document
whose source digest matches is kept without even building its HTML, which is what makes a
rebuild after one partner's change cost about that partner's documents alone.
A recorded document whose inputs changed is rendered anew and replaced: it is govdocs' own
output, never a file the user placed there. Anything not in the journal, or changed since it
was written, is protected as always (exit 6 without --force).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from govdocs import __version__
from govdocs.documents.common import InputFile
from govdocs.errors import ExitCode, GovdocsError
from govdocs.files import open_regular, read_regular
from govdocs.prepared import Prepared, WrittenDocument
from govdocs.render.output import write_atomic

JOURNAL_NAME = ".govdocs-build.json"


JOURNAL_MAX_BYTES = 64 * 1024 * 1024  # about 200,000 documents' entries


def _sha256(path: Path) -> str | None:
    """The file's digest, streamed; None for what is not a regular file (a FIFO, a device) or
    cannot be read: such a file is never taken for a document govdocs wrote."""
    try:
        descriptor = open_regular(path, ExitCode.OUTPUT)
    except GovdocsError:
        return None
    digest = hashlib.sha256()
    try:
        with os.fdopen(descriptor, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


@lru_cache(maxsize=4)
def _folder_digest(folder: Path) -> str:
    """A user template folder's files (images and fonts reach the PDF without passing the HTML)."""
    digest = hashlib.sha256()
    inside = (p for p in folder.rglob("*") if p.resolve().is_relative_to(folder.resolve()) and p.is_file())
    for path in sorted(inside):  # what the sealed loader may read; links out of it are refused there
        digest.update(f"{path.relative_to(folder).as_posix()}={_sha256(path)}\n".encode())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def _renderer_version() -> str:
    return metadata.version("weasyprint")


@lru_cache(maxsize=1)
def code_digest() -> str:
    """govdocs' own code and bundled templates, and the versions of what draws the documents:
    an edited template or module (an editable install) changes every source digest."""
    from govdocs.render.environment import builtin_templates_dir

    package = Path(__file__).resolve().parent
    digest = hashlib.sha256(f"{__version__}\n".encode())
    for name in ("weasyprint", "matplotlib", "jinja2", "pydyf", "fonttools"):
        try:
            digest.update(f"{name} {metadata.version(name)}\n".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name} -\n".encode())
    for folder in (package, builtin_templates_dir()):
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            if path.suffix != ".pyc":
                digest.update(f"{path.relative_to(folder).as_posix()}={_sha256(path)}\n".encode())
    return digest.hexdigest()


def file_digest(path: Path | None) -> str:
    """A file's SHA-256 ('-' for none, 'missing' for a path that is not a readable file)."""
    if path is None:
        return "-"
    return _sha256(path) or "missing"


def source_key(prepared: Prepared, fmt: str, timestamp: int) -> str:
    """What determines the document's bytes, hashed."""
    digest = hashlib.sha256()
    renderer = _renderer_version() if fmt == "pdf" else "-"
    templates = _folder_digest(prepared.templates) if prepared.templates else "-"
    header = f"govdocs {__version__}\nweasyprint {renderer}\n{fmt}\n{timestamp}\n{templates}\n"
    digest.update(header.encode())
    if fmt == "pdf":  # the variant and its embedded data change the PDF's bytes, not the HTML
        digest.update(f"{prepared.variant}\n".encode())
        if prepared.data is not None:
            digest.update(prepared.data.name.encode() + b"\n" + hashlib.sha256(prepared.data.content).digest())
    digest.update(prepared.html.encode("utf-8"))
    for attachment in prepared.attachments:
        digest.update(hashlib.sha256(attachment).digest())
    return digest.hexdigest()


@dataclass
class Journal:
    path: Path
    root: Path  # paths are recorded relative to the output folder
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    _hashes: dict[str, str | None] = field(default_factory=dict, repr=False)
    _changed: bool = field(default=False, repr=False)  # entries changed without a document write

    @classmethod
    def open(cls, folder: Path, root: Path) -> Journal:
        """The journal an interrupted build left in `folder`, or an empty one. An unreadable
        journal counts as none: its files are then protected like any other."""
        path = folder / JOURNAL_NAME
        try:
            raw = read_regular(path, ExitCode.OUTPUT, JOURNAL_MAX_BYTES, "a build journal")
            entries = json.loads(raw.decode("utf-8"))["documents"]
            if not isinstance(entries, dict):
                entries = {}
        except (GovdocsError, OSError, ValueError, KeyError, TypeError):
            entries = {}
        return cls(path, root, entries)

    def _key(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def _hash(self, name: str) -> str | None:
        """A recorded file's hash, read once per run: the files the journal lists are the
        unfinished build's, and this run only ever writes the ones it does not keep."""
        if name not in self._hashes:
            self._hashes[name] = _sha256(self.root / name)
        return self._hashes[name]

    def _intact(self, entry: dict[str, Any]) -> bool:
        files = [(entry.get("path"), entry.get("sha256")), *(entry.get("attachments") or {}).items()]
        return all(
            isinstance(name, str) and isinstance(digest, str) and self._hash(name) == digest for name, digest in files
        )

    def resumable(self) -> set[Path]:
        """Files left by the interrupted build, unchanged since: not in the way of this one."""
        return {
            self.root / name
            for entry in self.entries.values()
            if isinstance(entry, dict) and self._intact(entry)
            for name in (entry["path"], *(entry.get("attachments") or {}))
        }

    def reuse(self, prepared: Prepared, key: str) -> WrittenDocument | None:
        """The document as already written, when its file is intact and its key matches."""
        entry = self.entries.get(self._key(prepared.document.path))
        if not isinstance(entry, dict) or entry.get("key") != key or not self._intact(entry):
            return None
        return replace(prepared.document, sha256=entry["sha256"], kept=True)

    def _entry(self, prepared: Prepared, content: bytes, key: str, source: str | None = None) -> dict[str, Any]:
        document = prepared.document
        entry: dict[str, Any] = {
            "path": self._key(document.path),
            "sha256": hashlib.sha256(content).hexdigest(),
            "attachments": {
                self._key(path): hashlib.sha256(data).hexdigest()
                for path, data in zip(document.attachments, prepared.attachments, strict=True)
            },
            "key": key,
        }
        if source is not None:  # what the manifest lists of a document kept without its HTML
            entry["source"] = source
            entry["document"] = self._recorded(document)
        return entry

    def _recorded(self, document: WrittenDocument) -> dict[str, Any]:
        """What the manifest lists of a document kept without building its HTML."""
        return {
            "partner": document.partner_id,
            "type": document.kind,
            "audience": document.audience,
            "document_id": document.document_id,
            "cause": document.cause,
            "inputs": [asdict(f) for f in document.inputs],
            "attachments": [self._key(path) for path in document.attachments],
        }

    def with_document(
        self, prepared: Prepared, content: bytes, key: str, source: str | None = None
    ) -> tuple[Path, bytes]:
        """The journal file as it will be with this document recorded: written together with
        the document, so either both are on disk or neither."""
        return self.with_documents([(prepared, content, key)], source)

    def with_documents(
        self, documents: list[tuple[Prepared, bytes, str]], source: str | None = None
    ) -> tuple[Path, bytes]:
        """The journal file with several documents recorded (a document command's batch)."""
        entries = dict(self.entries)
        for prepared, content, key in documents:
            entries[self._key(prepared.document.path)] = self._entry(prepared, content, key, source)
        text = json.dumps({"govdocs": __version__, "documents": entries}, indent=1, sort_keys=True)
        return self.path, (text + "\n").encode("utf-8")

    def record(self, prepared: Prepared, content: bytes, key: str, source: str | None = None) -> None:
        """After the write succeeded."""
        self.entries[self._key(prepared.document.path)] = self._entry(prepared, content, key, source)
        self._hashes.pop(self._key(prepared.document.path), None)

    def same_digest(self, path: Path, digest: str) -> bool:
        """The regular file at `path` has this SHA-256 (a FIFO, a folder, a missing file: no)."""
        return _sha256(path) == digest

    def same_bytes(self, path: Path, content: bytes) -> bool:
        return self.same_digest(path, hashlib.sha256(content).hexdigest())

    def adopt(self, prepared: Prepared, content: bytes, key: str, source: str | None) -> None:
        """A file found identical to the document this run renders, with no journal line for it
        (the journal was deleted): recorded as if this run had written it."""
        self.record(prepared, content, key, source)
        self._changed = True

    def reuse_source(self, path: Path, source: str) -> WrittenDocument | None:
        """The document as already written, when its file is intact and everything it is made
        from is unchanged (its source digest matches): kept without building its HTML."""
        entry = self.entries.get(self._key(path))
        if not isinstance(entry, dict) or entry.get("source") != source or not self._intact(entry):
            return None
        try:
            about = entry["document"]
            return WrittenDocument(
                about["partner"],
                about["type"],
                about["audience"],
                about["document_id"],
                path,
                attachments=tuple(self.root / name for name in about["attachments"]),
                inputs=tuple(InputFile(**f) for f in about["inputs"]),
                cause=about["cause"],
                sha256=entry["sha256"],
                kept=True,
            )
        except (KeyError, TypeError):  # an entry from an older journal: the HTML key decides
            return None

    def note_source(self, path: Path, source: str, document: WrittenDocument) -> None:
        """A document kept by its HTML key: its new source digest, for the next run."""
        entry = self.entries.get(self._key(path))
        if isinstance(entry, dict):
            entry["source"] = source
            entry["document"] = self._recorded(document)
            self._changed = True

    def finish(self, planned: set[Path]) -> list[Path]:
        """The build completed: the journal keeps every intact document, for the next build to
        keep. Entries for documents it did not plan (a plan no longer needed, another --partner
        or --audience, a `govdocs offboarding` of its own) stay with their files, never
        deleted; returns those files."""
        intact = {key: entry for key, entry in self.entries.items() if isinstance(entry, dict) and self._intact(entry)}
        left = {key: entry for key, entry in intact.items() if self.root / str(entry.get("path")) not in planned}
        if intact != self.entries or self._changed:
            text = json.dumps({"govdocs": __version__, "documents": intact}, indent=1, sort_keys=True)
            write_atomic(self.path, (text + "\n").encode("utf-8"))
            self.entries = intact
        return sorted(self.root / name for e in left.values() for name in (e["path"], *(e.get("attachments") or {})))

    def close(self) -> None:
        """The build completed: the manifest is the record now."""
        self.path.unlink(missing_ok=True)
