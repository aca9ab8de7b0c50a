"""Raw step, a file's first bytes: what a raw export starts with (its header line, its first
character, gzip or not, JSON lines or one array), and small CSV files of one header joined into
one file so DuckDB reads them in one scan."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from govdocs.errors import ExitCode, Location, Problem
from govdocs.raw import sql
from govdocs.raw.model import PLATFORM_FORMATS, FileFormat
from govdocs.raw.resolve import _location


def _first_character(path: Path) -> str:
    """The file's first character after a byte-order mark and white space ('' when empty), read
    through gzip when the file is compressed: how a JSON file is told from CSV."""
    return _head(path)[0]


HEADER_BYTES = 256 * 2**10  # a CSV header line longer than this is not compared with other files'


HEAD_READ = 2**16  # the first read of a file: the whole of a small one, kept for `_join`


def _head(path: Path) -> tuple[str, bytes | None, bytes | None]:
    """The file's first character (as `_first_character`); its first line as stored, prefixed
    by whether it is gzip: files with the same header line are described once and read together;
    and its whole text when the first read of HEAD_READ bytes held it all. The line is None when
    it cannot stand for the file's header (empty, unreadable, longer than HEADER_BYTES, or a quoted
    field running on past it): such a file is described on its own."""
    data, magic, whole = b"", b"", None
    with open(path, "rb") as handle:  # noqa: PTH123 (once per file of thousands: the plain call is quicker)
        try:
            data = handle.read(HEAD_READ)  # a buffered read: short only at the end of the file
            stream = handle
            if data[:2] == b"\x1f\x8b":
                stream, magic = _unzipped(handle)
                data = stream.read(HEAD_READ)
            whole = data if len(data) < HEAD_READ else None
            while whole is None and b"\n" not in data and len(data) < HEADER_BYTES:
                chunk = stream.read(4096)
                if not chunk:
                    break
                data += chunk
        except (OSError, EOFError):
            return _first_of(data), None, None
    line, newline, _ = data.partition(b"\n")
    if not newline or not line.strip() or line.count(b'"') % 2:
        return _first_of(data), None, whole
    return _first_of(data), magic + line, whole


def _first_of(data: bytes) -> str:
    return data.decode("utf-8", "replace").lstrip("\ufeff \t\r\n")[:1]


def _unzipped(handle):
    """The bytes of an open file, through gzip when it starts with gzip's magic; and the magic."""
    import gzip

    handle.seek(0)
    magic = handle.read(2)
    handle.seek(0)
    return (gzip.GzipFile(fileobj=handle) if magic == b"\x1f\x8b" else handle), magic


def _json_layout(path: Path, source: str, problems: list[Problem], fmt: str) -> str:
    """'array' for one JSON array of records; 'unstructured' for records one after another (JSON
    lines, pretty-printed, or concatenated with no newline as Kinesis Firehose writes them); else
    a problem."""
    first = _first_character(path)
    if first == "[":
        return "array"
    if first == "{":
        return "unstructured"
    problems.append(
        Problem(
            "raw.not_json",
            f"the {source} file is not JSON (format: {fmt} reads JSON lines or a JSON array of records)",
            Location(str(path), 1, path=_location(source, "format")),
            ExitCode.DATA,
        )
    )
    return ""


def _looks_like_json(path: Path, source: str, first: str | None = None) -> Problem | None:
    """A CSV read of a JSON file would take a whole record for the header: say what to set instead."""
    first = _first_character(path) if first is None else first
    if first not in ("{", "["):
        return None
    shape = "JSON lines" if first == "{" else "a JSON array"
    # every platform whose export may be JSON (NICE CXone's Reporting API, Salesforce's REST API too)
    platforms = ", ".join(f"format: {f.value}" for f in FileFormat if f in PLATFORM_FORMATS)
    hint = f"{platforms} or format: json" if source == "interactions" else "format: json"
    return Problem(
        "raw.looks_like_json",
        f"{path.name} looks like {shape}; set {hint}",
        Location(str(path), 1, path=_location(source, "format")),
        ExitCode.DATA,
    )


def _listed(names: Sequence[str], most: int = 30) -> str:
    """Column names for a message: at most `most`, each cut to 60 characters."""
    shown = [n if len(n) <= 60 else n[:57] + "..." for n in names[:most]]
    more = f" and {len(names) - most} more" if len(names) > most else ""
    return ", ".join(shown) + more


JOIN_BYTES = 2**20  # a CSV file this small (on disk) is copied with others of its header into one
JOINED_TEXT = 16 * 2**20  # ... and its text at most this long (a gzip file that expands further is read alone)


def _joined_reads(read: sql.FileRead, folder: Path, con, texts: Mapping[str, bytes]) -> sql.FileRead:
    """`read` with each batch of small CSV files copied into one file (`sql.JoinedFiles`) for
    DuckDB to read in one scan: a scan of its own per file costs about 0.3 ms of set-up, most of
    the time for 10,000 one-row files. A file that could read differently joined (not UTF-8, a
    quoted field still open at its end, larger than JOIN_BYTES) is read on its own."""
    if read.file_format != "csv" or not read.batches:
        return read
    batches: list[tuple[int, ...]] = []
    joined: list[sql.JoinedFiles | None] = []
    for batch in read.batches:
        found = _join(read, batch, folder / f"joined-{len(batches)}.csv", con, texts) if len(batch) > 1 else None
        kept = found[0] if found is not None else ()
        if found is not None:
            batches.append(kept)
            joined.append(found[1])
        copied = set(kept)
        rest = tuple(i for i in batch if i not in copied)
        if rest:
            batches.append(rest)
            joined.append(None)
    return replace(read, batches=tuple(batches), joined=tuple(joined))


def _join(
    read: sql.FileRead, batch: Sequence[int], target: Path, con, texts: Mapping[str, bytes]
) -> tuple[tuple[int, ...], sql.JoinedFiles] | None:
    """The files of `batch` (one header line) copied into `target`, each after a boundary row;
    the positions of the files copied and how to read them; None when fewer than two could be."""
    import uuid

    import duckdb

    first = read.paths[batch[0]]
    try:
        sniffed = con.execute(
            f"SELECT Delimiter, Columns FROM sniff_csv({sql.literal(first)}, header = true, all_varchar = true)"
        ).fetchone()
    except duckdb.Error:
        return None  # the file's own read names what is wrong with it
    delimiter = read.delimiter or sniffed[0]
    names = [column["name"] for column in sniffed[1]]
    if not names or not delimiter:
        return None
    boundary = f"govdocs-file-{uuid.uuid4().hex}"
    header = b""
    kept: list[int] = []
    with target.open("wb") as out:
        for i in batch:
            text = _checked(texts[read.paths[i]]) if read.paths[i] in texts else _small_text(Path(read.paths[i]))
            if text is None:
                continue
            line, _, body = text.partition(b"\n")
            if not kept:
                header = line
                out.write(line + b"\n")
            if line != header or body.count(b'"') % 2 or boundary.encode() in body:
                continue
            ending = b"\r\n" if line.endswith(b"\r") else b"\n"
            out.write(boundary.encode() + delimiter.encode() * (len(names) - 1) + ending)
            out.write(body if not body or body.endswith(b"\n") else body + ending)
            kept.append(i)
    if len(kept) < 2:
        return None
    return tuple(kept), sql.JoinedFiles(str(target), names[0], boundary, delimiter)


def _checked(text: bytes) -> bytes | None:
    """The text when it is UTF-8 (a file that is not is read alone, where its error names it)."""
    try:
        text.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text


def _small_text(path: Path) -> bytes | None:
    """A small CSV file's bytes (through gzip), when they are UTF-8 text of at most JOINED_TEXT."""
    data = bytearray()
    try:
        with open(path, "rb") as handle:  # noqa: PTH123 (once per file of thousands: the plain call is quicker)
            if os.fstat(handle.fileno()).st_size > JOIN_BYTES:
                return None
            stream, _ = _unzipped(handle)
            while chunk := stream.read(2**16):
                data += chunk
                if len(data) > JOINED_TEXT:
                    return None
    except (OSError, EOFError):
        return None
    return _checked(bytes(data))
