"""Aggregate step, raw half: raw exports -> the canonical long KPI table, with DuckDB.

DuckDB runs embedded and reads the CSV (plain or gzip) and Parquet files directly, out of
core: it works within `memory_limit` and spills to a temporary folder beyond it. Each
source's stages run as a few statements that each stream the rows once (duplicate ids; sums
per partner, month, segment and reject reason with sample rows; repeat contacts), so no
statement holds millions of wide rows; the KPI rows and the data-quality report are both
computed from the small tables they leave. The same definitions are available as one SQL
statement (`aggregation_sql`) that gives the same KPI table when run on its own (`run_sql`).
"""

from __future__ import annotations

import glob
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from govdocs.errors import ExitCode, GovdocsError, Location, Problem
from govdocs.progress import step
from govdocs.raw import presets, quality, sql
from govdocs.raw.locations import JSON_SUFFIXES, PARQUET_SUFFIXES, Url, is_url
from govdocs.raw.model import PLATFORM_FORMATS, FileFormat, RawData
from govdocs.raw.sql import drill as drill_sql
from govdocs.raw.sql.stages import column_path
from govdocs.render.formatters import noun

KPI_COLUMNS = ("partner", "period", "kpi", "value", "volume", "source")
BREAKDOWN_COLUMNS = ("partner", "period", "kpi", "segment_by", "segment", "value", "volume", "source")
CSV_LAYOUT = sql.platforms.CSV_LAYOUT  # a preset's file of CSV rows (Salesforce's Bulk API 2.0 results)


@dataclass(frozen=True)
class RawFile:
    source: str
    path: Path | Url
    sha256: str = ""  # a Url's, computed where it is read (a local file is hashed when asked)


@dataclass(frozen=True)
class Aggregation:
    """KPIs computed from raw records, their breakdowns and the data-quality report."""

    kpis: pd.DataFrame  # partner, period (YYYY-MM), kpi, value, volume, source="measured"
    breakdown: pd.DataFrame  # + segment_by (channel/programme), segment: rows for KPIs with `by`
    quality: quality.QualityReport
    files: tuple[RawFile, ...] = field(default=())
    sql: str = ""
    # where a gap is: partner, period, kpi, dimension, segment, numerator, volume (govdocs/raw/sql/drill.py)
    drill: pd.DataFrame | None = None

    def kpi_data(self):  # -> govdocs.data.table.KpiData
        """The KPI table as the data loader's `KpiData`, ready for scoring (one source per raw file)."""
        return to_kpi_data(self.kpis, self.files)


# --- files and columns --------------------------------------------------------------------------


def _location(source: str, *rest: str | int) -> str:
    return "raw_data.sources." + source + "".join(f".{r}" if isinstance(r, str) else f"[{r}]" for r in rest)


def with_lookups(raw: RawData, base: Path, partner_ids: Sequence[str] | None) -> RawData:
    """The sources with each `partner_lookup` file read into their partner_values (whose own
    entries win). A lookup naming an id that is not a partner is refused with its file and line."""
    sources = {}
    problems: list[Problem] = []
    for source in sql.SOURCES:
        src = getattr(raw.sources, source)
        if src is None or src.partner_lookup is None:
            continue
        path = Path(src.partner_lookup).expanduser()
        path = path if path.is_absolute() else base / path
        found = _read_lookup(path, problems, set(partner_ids) if partner_ids is not None else None)
        sources[source] = src.model_copy(update={"partner_values": {**found, **src.partner_values}})
    if problems:
        raise GovdocsError(problems)
    if not sources:
        return raw
    return raw.model_copy(update={"sources": raw.sources.model_copy(update=sources)})


LOOKUP_BYTES = 64 * 2**20  # a partner lookup: a million export values is about 30 MB


def _read_lookup(path: Path, problems: list[Problem], partner_ids: set[str] | None) -> dict[str, str]:
    import csv
    import json

    from govdocs.files import read_regular

    where = Location(str(path))
    try:
        text = read_regular(path, ExitCode.DATA, LOOKUP_BYTES, "a partner lookup").decode("utf-8-sig")
    except GovdocsError as exc:
        problems += exc.problems
        return {}
    except UnicodeDecodeError:
        problems.append(Problem("raw.unreadable", "the partner lookup is not UTF-8 text", where, ExitCode.DATA))
        return {}
    pairs: list[tuple[int, str, str]] = []
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            problems.append(
                Problem("raw.unreadable", f"not JSON: {exc.msg}", Location(str(path), exc.lineno), ExitCode.DATA)
            )
            return {}
        except RecursionError:  # thousands of nested brackets: no lookup nests at all
            problems.append(Problem("raw.unreadable", "not a lookup: JSON nested too deeply", where, ExitCode.DATA))
            return {}
        flat = isinstance(data, dict) and all(isinstance(v, str | int) for v in data.values())
        if not flat:
            message = 'a JSON lookup is one object of export value to partner id: {"Atlas CS": "ATL"}'
            problems.append(Problem("raw.bad_lookup", message, where, ExitCode.DATA))
            return {}
        pairs = [(0, str(k), str(v)) for k, v in data.items()]
    else:
        rows = list(csv.reader(text.splitlines()))
        for line, row in enumerate(rows[1:], start=2):
            cells = [c.strip() for c in row]
            if not any(cells):
                continue
            if len(cells) < 2 or not cells[0] or not cells[1]:
                message = "a lookup row needs the export's value and the partner id"
                problems.append(Problem("raw.bad_lookup", message, Location(str(path), line), ExitCode.DATA))
                continue
            pairs.append((line, cells[0], cells[1]))
    out: dict[str, str] = {}
    for line, value, partner in pairs:
        if partner_ids is not None and partner not in partner_ids:
            message = f"'{partner}' (for '{value}') is not a partner id in the config"
            problems.append(Problem("raw.bad_lookup", message, Location(str(path), line or None), ExitCode.DATA))
        elif value in out and out[value] != partner:
            message = f"'{value}' is mapped twice, to {out[value]} and to {partner}"
            problems.append(Problem("raw.bad_lookup", message, Location(str(path), line or None), ExitCode.DATA))
        out[value] = partner
    return out


def resolve_files(raw: RawData, base: Path) -> dict[str, tuple[Path | Url, ...]]:
    """Every configured source's files: globs expanded relative to `base`, sorted, each file once.
    A URL (s3a://bucket/calls/*.csv) is kept as written, for the Spark session to list."""
    out: dict[str, tuple[Path | Url, ...]] = {}
    problems: list[Problem] = []
    for source in sql.SOURCES:
        src = getattr(raw.sources, source)
        if src is None:
            continue
        found: list[Path | Url] = []
        listed: set[Path] = set()  # each file once, however many patterns match it (a set: 10,000 files)
        for i, pattern in enumerate(src.file_patterns()):
            if is_url(pattern):
                found.append(Url(pattern))
                continue
            path = Path(pattern).expanduser()
            path = path if path.is_absolute() else base / path
            # in the order Path sorts them (part by part), without making a Path of each first
            names = sorted(_listed_files(str(path)), key=_parts)
            matches = [Path(p) for p in names]
            if not matches:
                where = _location(source, "files") + ("" if isinstance(src.files, str) else f"[{i}]")
                problems.append(
                    Problem(
                        "raw.no_files",
                        f"no file matches '{path}'",
                        Location(str(path), path=where),
                        ExitCode.DATA,
                    )
                )
            found += [m for m in matches if m not in listed]
            listed.update(matches)
        out[source] = tuple(found)
    if problems:
        raise GovdocsError(problems)
    return out


def _listed_files(pattern: str) -> list[str]:
    """The regular files (or links to them) a glob pattern matches. A pattern with wildcards only
    in its last part is listed with one scandir, whose entries say what they are without a stat
    each (10,000 files of a folder)."""
    import fnmatch

    folder, name = os.path.split(pattern)
    if glob.has_magic(folder) or "**" in name:
        return [p for p in glob.glob(pattern, recursive=True) if os.path.isfile(p)]
    if not glob.has_magic(name):
        return [pattern] if os.path.isfile(pattern) else []
    try:
        with os.scandir(folder or ".") as entries:
            # glob's rule: a name starting with a dot matches only a pattern that does
            found = [
                os.path.join(folder, e.name)
                for e in entries
                if (not e.name.startswith(".") or name.startswith("."))
                and fnmatch.fnmatch(e.name, name)
                and e.is_file()
            ]
    except OSError:
        return []
    return found


def _parts(name: str) -> object:
    """A listed file's sort key: on POSIX its parts, as a Path compares (Windows compares case-folded)."""
    return name.split("/") if os.sep == "/" else Path(name)


def refuse_urls(files: Mapping[str, Sequence[Path | Url]], why: str) -> None:
    """One line per source whose files are URLs, where only local files can be read (`why`)."""
    problems = [
        Problem(
            "raw.remote_files",
            f"a URL, not a local file: {why}",
            Location(str(paths[0]), path=_location(source, "files")),
            ExitCode.ENGINE,
        )
        for source, paths in files.items()
        if paths and any(isinstance(p, Url) for p in paths)
    ]
    if problems:
        raise GovdocsError(problems)


def _format(src: object, paths: Sequence[Path]) -> str:
    chosen = getattr(src, "format", FileFormat.AUTO)
    if chosen is not FileFormat.AUTO:
        return chosen.value
    name = str(paths[0]).lower().removesuffix(".gz") if paths else ""
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    return "json" if name.endswith(JSON_SUFFIXES) else "csv"


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


def _connect(memory_limit: str = "1GB", temp_directory: Path | None = None, threads: int | None = None):
    import duckdb

    config: dict[str, object] = {
        "memory_limit": memory_limit,
        "autoinstall_known_extensions": False,  # never reach the network for an extension
        "preserve_insertion_order": True,  # row numbers follow the files (data-quality samples)
    }
    if temp_directory is not None:
        config["temp_directory"] = str(temp_directory)
    if threads is not None:
        config["threads"] = threads
    con = duckdb.connect(":memory:", config=config)
    con.execute("SET enable_progress_bar = false")
    con.execute("SET TimeZone = 'UTC'")  # nothing may depend on the session zone; this makes sure
    return con


def _duckdb_problem(exc: Exception, source: str, paths: Sequence[Path]) -> Problem:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    where = str(paths[0]) if len(paths) == 1 else f"{paths[0]} (+{len(paths) - 1} more)"
    return Problem("raw.unreadable", f"cannot read the {source} files: {first}", Location(where), ExitCode.DATA)


def describe(
    raw: RawData,
    files: Mapping[str, Sequence[Path]],
    con=None,
    base: Path = Path("."),
    texts: dict[str, bytes] | None = None,
) -> dict[str, sql.FileRead]:
    """How each source is read: every file's columns, and the type of every mapped column. A mapped
    column that no file has is reported with the columns that exist. `texts`, when given, gets the
    whole text of small CSV files read while describing them (for `_joined_reads`)."""
    own = con is None
    con = con or _connect()
    reads: dict[str, sql.FileRead] = {}
    problems: list[Problem] = []
    try:
        for source, paths in files.items():
            src = getattr(raw.sources, source)
            file_format = _format(src, paths)
            if presets.preset_of(src) is not None:
                reads[source] = _describe_platform(con, src, source, paths, problems, base)
            elif file_format == FileFormat.JSON.value:
                reads[source] = _describe_json(con, src, source, paths, problems)
            else:
                read = _describe_table(con, src, source, paths, file_format, problems, texts)
                if read is not None:
                    reads[source] = read
    finally:
        if own:
            con.close()
    if problems:
        raise GovdocsError(problems)
    return reads


def _top_level(con, function: str, path: Path, source: str, problems: list[Problem]) -> list[str] | None:
    import duckdb

    try:
        return [str(name) for name, *_ in con.execute(f"DESCRIBE SELECT * FROM {function}").fetchall()]
    except duckdb.Error as exc:
        problems.append(_duckdb_problem(exc, source, [path]))
        return None


KEYS_SAMPLED = 1000  # records whose keys name a JSON file's fields (as DuckDB samples for a schema)


def _json_keys(
    con, path: Path, layout: str, source: str, problems: list[Problem], envelope: str = ""
) -> list[str] | None:
    """The top-level keys of a JSON file's first records, in the order first seen. Each record is
    read as JSON text and only its own keys are listed: no structure is detected, so a record
    nested deeper with keys that differ only in case (Connect's contact attributes are
    case-sensitive: GreetingPlayed and greetingPlayed) cannot make the file unreadable. With
    `envelope`, the records are those of that key's array ({"records": [...]})."""
    import duckdb

    objects = (
        f"read_json_objects({sql.literal(str(path))}, format = {sql.literal(layout)}, "
        f"maximum_object_size = {sql.platforms.MAX_OBJECT})"
    )
    if envelope:
        path_literal = sql.literal("$." + envelope)
        objects = f"(SELECT UNNEST(CAST(json_extract(json, {path_literal}) AS JSON[])) AS json FROM {objects})"
    query = (
        "SELECT key FROM (SELECT UNNEST(json_keys(json)) AS key, n, GENERATE_SUBSCRIPTS(json_keys(json), 1) AS k\n"
        f"  FROM (SELECT json, ROW_NUMBER() OVER () AS n FROM {objects} LIMIT {KEYS_SAMPLED}))\n"
        "GROUP BY key ORDER BY MIN(n * 100000 + k)"
    )
    try:
        return [str(key) for (key,) in con.execute(query).fetchall()]
    except duckdb.Error as exc:
        problems.append(_duckdb_problem(exc, source, [path]))
        return None


def _mapped_paths(mapped: Mapping[str, object]) -> list[str]:
    return [c for column in mapped.values() for c in ([column] if isinstance(column, str) else column)]


KEPT_TEXT = 64 * 2**20  # the small files' text kept from describing them to joining them, per source


def _describe_table(
    con,
    src,
    source: str,
    paths: Sequence[Path],
    file_format: str,
    problems: list[Problem],
    texts: dict[str, bytes] | None = None,
):
    delimiter = getattr(src, "delimiter", None)
    present: list[frozenset[str]] = []
    types: dict[str, str] = {}
    import duckdb

    # CSV files with the same header line are described once (10,000 daily files of one export
    # are one DESCRIBE, not 10,000 sniffs) and read together (`_batches`)
    headers: list[bytes | None] = []
    columns_of: dict[bytes, frozenset[str]] = {}
    kept = 0
    for path in paths:
        header = None
        if file_format == "csv":
            first, header, whole = _head(path)
            if (looks := _looks_like_json(path, source, first)) is not None:
                problems.append(looks)
                return None
            if texts is not None and whole is not None and kept + len(whole) <= KEPT_TEXT:
                texts[str(path)] = whole  # read once: `_join` copies it from here
                kept += len(whole)
        headers.append(header)
        function = sql.read_function(str(path), file_format, delimiter)
        if header is not None and header in columns_of:
            present.append(columns_of[header])  # its types are the first file's, noted below
            continue
        try:
            described = con.execute(f"DESCRIBE SELECT * FROM {function}").fetchall()
        except duckdb.Error as exc:
            problems.append(_duckdb_problem(exc, source, [path]))
            continue
        present.append(frozenset(str(name) for name, *_ in described))
        if header is not None:
            columns_of[header] = present[-1]
        for name, kind, *_ in described:
            # Parquet strings are taken as written (CSV cells are trimmed): a marker for the SQL builder
            marked = "VARCHAR NOTRIM" if file_format == "parquet" and kind == "VARCHAR" else str(kind)
            types.setdefault(str(name), marked)
    if len(present) < len(paths):
        return None
    mapped = src.columns.model_dump(exclude_none=True)
    nested = file_format == "parquet"
    everywhere = frozenset().union(*present)
    for field_name, column in mapped.items():
        for part in [column] if isinstance(column, str) else column:
            if column_path(part, everywhere, nested) is None:
                problems.append(
                    Problem(
                        "raw.missing_column",
                        f"no column '{part}' (mapped to {field_name}) in the {source} files; "
                        f"they have: {_listed(sorted(types))}",
                        Location(str(paths[0]), 1, part, _location(source, "columns", field_name)),
                        ExitCode.DATA,
                    )
                )
    kinds = {f: types.get(c, "VARCHAR") if isinstance(c, str) else "VARCHAR" for f, c in mapped.items()}
    if nested:  # a dotted path's type is its leaf's: read as text unless it is a top-level column
        kinds = {f: kinds[f] if not isinstance(c, str) or c in types else "VARCHAR NOTRIM" for f, c in mapped.items()}
    batches = _batches(paths, headers) if file_format == "csv" else ()
    return sql.FileRead(tuple(str(p) for p in paths), file_format, tuple(present), kinds, delimiter, batches=batches)


BATCH_BYTES = 64 * 2**20  # CSV files read by one read_csv call: together at most this much on disk


def _batches(paths: Sequence[Path], headers: Sequence[bytes | None]) -> tuple[tuple[int, ...], ...]:
    """The files' positions in groups read by one read_csv call each: files with the same header
    line, together at most BATCH_BYTES on disk (a larger file is read alone, as is a file whose
    header could not be compared). One call per file costs a scan's set-up, its own plan and its
    buffers for each of thousands of small files; one call for all of them costs a sort of each
    group's rows by file to number them (see `sql.stages.read_cte`), bounded by BATCH_BYTES."""
    batches: list[list[int]] = []
    open_batch: dict[bytes, tuple[int, int]] = {}  # header -> (its batch's place, bytes in it)
    for i, (path, header) in enumerate(zip(paths, headers, strict=True)):
        size = path.stat().st_size
        if header is None or size > BATCH_BYTES:
            batches.append([i])
            continue
        place, held = open_batch.get(header, (-1, 0))
        if place < 0 or held + size > BATCH_BYTES:
            open_batch[header] = (len(batches), size)
            batches.append([i])
            continue
        batches[place].append(i)
        open_batch[header] = (place, held + size)
    return tuple(tuple(b) for b in batches)


def _describe_json(con, src, source: str, paths: Sequence[Path], problems: list[Problem]) -> sql.FileRead:
    """JSON files: the layout of each, every mapped path read as text. A key that records lack is
    NULL (JSON leaves out empty fields); a mapped path whose first part no file has is a typo."""
    mapped = src.columns.model_dump(exclude_none=True)
    json_paths = tuple(dict.fromkeys(_mapped_paths(mapped)))
    layouts = [_json_layout(path, source, problems, "json") for path in paths]
    seen: set[str] = set()
    for path, layout in zip(paths, layouts, strict=True):
        if layout:
            seen |= set(_json_keys(con, path, layout, source, problems) or [])
    if seen:
        for field_name, column in mapped.items():
            for part in [column] if isinstance(column, str) else column:
                if part.split(".")[0] not in seen:
                    problems.append(
                        Problem(
                            "raw.missing_column",
                            f"no field '{part}' (mapped to {field_name}) in the {source} records; "
                            f"their fields: {_listed(sorted(seen))}",
                            Location(str(paths[0]), 1, part, _location(source, "columns", field_name)),
                            ExitCode.DATA,
                        )
                    )
    tops = frozenset(p.split(".")[0] for p in json_paths)
    return sql.FileRead(
        tuple(str(p) for p in paths),
        "json",
        tuple(tops for _ in paths),
        {f: "VARCHAR" for f in mapped},
        layouts=tuple(layouts),
        json_paths=json_paths,
    )


def _describe_platform(
    con, src, source: str, paths: Sequence[Path], problems: list[Problem], base: Path
) -> sql.FileRead:
    """A platform's export: each file's layout, and the platform's key in its records (a file
    from another export is named at once, not read as contacts without ids)."""
    preset = presets.preset_of(src)
    assert preset is not None
    if preset is presets.NICE_CXONE:
        return _describe_platform_csv(con, src, source, paths, problems, preset)
    layouts = [
        sql.platforms.PARQUET
        if preset is presets.AMAZON_CONNECT and str(path).lower().endswith(PARQUET_SUFFIXES)
        # CSV: Salesforce's Bulk API 2.0 query results and Data Loader exports, Five9's reports
        else CSV_LAYOUT
        if preset.csv and _first_character(path) not in ("{", "[")
        else _json_layout(path, source, problems, preset.name)
        for path in paths
    ]
    columns: list[frozenset[str]] = [frozenset() for _ in paths]
    for i, (path, layout) in enumerate(zip(paths, layouts, strict=True)):
        if not layout:
            continue
        if layout == sql.platforms.PARQUET:
            keys = _top_level(con, sql.read_function(str(path), "parquet"), path, source, problems)
            columns[i] = frozenset(keys or ())
        elif layout == CSV_LAYOUT:
            function = sql.read_function(str(path), "csv", getattr(src, "delimiter", None))
            keys = _top_level(con, function, path, source, problems)
            columns[i] = frozenset(keys or ())
            if keys is not None:
                _refuse_duplicate_columns(con, src, path, source, problems)
        else:
            keys = _json_keys(con, path, layout, source, problems)
        if keys is not None and preset is presets.GENESYS_CLOUD and "conversations" in keys:
            layouts[i] = sql.platforms.WRAPPED  # a details query response or a jobs results page
            continue
        if keys is not None and preset.envelope and preset.envelope in keys:
            layouts[i] = preset.envelope  # an API response: its records are those of that key
            keys = _json_keys(con, path, layout, source, problems, envelope=preset.envelope)
        if keys == []:  # no record to tell the export by (an empty page or array): read as none
            continue
        if keys is not None and preset.needed and preset.key.lower() in {k.lower() for k in keys}:
            _check_selected(src, path, keys, source, problems)
            continue
        if keys is not None and preset.key not in keys:
            problems.append(
                Problem(
                    "raw.not_platform",
                    f"{path.name} does not look like {preset.title}: its records have no '{preset.key}' "
                    f"(they have: {_listed(keys, 12)})",
                    Location(str(path), 1, path=_location(source, "format")),
                    ExitCode.DATA,
                )
            )
    return sql.FileRead(
        tuple(str(p) for p in paths),
        preset.name,
        tuple(columns),
        presets.contact_types(preset),
        getattr(src, "delimiter", None),
        layouts=tuple(layouts),
        json_paths=presets.record_paths(src),
        lookups=_queues(src, base, problems),
    )


def _check_selected(src, path: Path, keys: Sequence[str], source: str, problems: list[Problem]) -> None:
    """A preset whose records hold only the fields chosen (Salesforce's query, Five9's report
    template): each field the preset cannot do without must be among them, else every contact
    would read as not queued or never answered."""
    preset = presets.preset_of(src)
    paths = presets.leg_paths(src)
    # a CSV header spells a field as the query did (SOQL names are case-insensitive); a CSV names a
    # related record's field whole (Owner.Name), a JSON record nests it
    have = {k.lower() for k in keys}
    missing = [paths[f] for f in preset.needed if not {paths[f].lower(), paths[f].split(".")[0].lower()} & have]
    if missing:
        problems.append(
            Problem(
                "raw.missing_column",
                f"{path.name} lacks the field{'s' if len(missing) > 1 else ''} {', '.join(missing)} that "
                f"format: {preset.name} reads: add {'them' if len(missing) > 1 else 'it'} to {preset.add_to} "
                f"(its records have: {_listed(list(keys), 12)})",
                Location(str(path), 1, missing[0], _location(source, "format")),
                ExitCode.DATA,
            )
        )


def _describe_platform_csv(con, src, source: str, paths: Sequence[Path], problems: list[Problem], preset):
    """A platform's CSV export: every file must have the columns the preset reads (names matched
    regardless of case, as the platform's own spellings vary: Start_Time, start_time)."""
    delimiter = getattr(src, "delimiter", None)
    needed = dict.fromkeys(presets.leg_paths(src).values())
    layouts = ["" for _ in paths]
    for i, path in enumerate(paths):
        if _first_character(path) in ("{", "["):
            layouts[i] = _cxone_api_layout(con, path, source, problems, preset)
            continue
        names = _top_level(con, sql.read_function(str(path), "csv", delimiter), path, source, problems)
        if names is None:
            continue
        _refuse_duplicate_columns(con, src, path, source, problems)
        have = {n.lower() for n in names}
        if preset.key.lower() not in have:
            problems.append(
                Problem(
                    "raw.not_platform",
                    f"{path.name} does not look like {preset.title}: it has no '{preset.key}' column "
                    f"(it has: {_listed(names, 12)})",
                    Location(str(path), 1, path=_location(source, "format")),
                    ExitCode.DATA,
                )
            )
            continue
        missing = [c for c in needed if c.lower() not in have]
        if missing:
            problems.append(
                Problem(
                    "raw.missing_column",
                    f"{path.name} lacks the column{'s' if len(missing) > 1 else ''} {', '.join(missing)} that "
                    f"format: {preset.name} reads (it has: {_listed(names)})",
                    Location(str(path), 1, missing[0], _location(source, "format")),
                    ExitCode.DATA,
                )
            )
    return sql.FileRead(
        tuple(str(p) for p in paths),
        preset.name,
        tuple(frozenset() for _ in paths),
        presets.contact_types(preset),
        delimiter,
        layouts=tuple(layouts) if any(layouts) else (),
    )


def _refuse_duplicate_columns(con, src, path: Path, source: str, problems: list[Problem]) -> None:
    """A preset's CSV file whose header names a column it reads twice (names matched regardless
    of case, as the preset matches them): the reader would keep one and rename the other, so the
    values of one of the two would be dropped without a word. The header is read as the file's
    first row (DuckDB's dialect, not its renamed column names)."""
    import duckdb

    delimiter = getattr(src, "delimiter", None)
    function = sql.read_function(str(path), "csv", delimiter).replace("header = true", "header = false")
    try:
        row = con.execute(f"SELECT * FROM {function} LIMIT 1").fetchone()
    except duckdb.Error:
        return  # described already: a file DuckDB cannot read is named by that
    read = {p.lower() for p in presets.leg_paths(src).values()}
    first: dict[str, int] = {}
    for number, cell in enumerate(row or (), start=1):
        name = (cell or "").strip()
        if name.lower() not in read:
            continue
        if name.lower() not in first:
            first[name.lower()] = number
            continue
        earlier = first[name.lower()]
        spelled = (row[earlier - 1] or "").strip()
        both = f"'{name}'" if spelled == name else f"'{spelled}' and '{name}'"
        preset = presets.preset_of(src)
        where = preset.add_to or "the export"
        problems.append(
            Problem(
                "raw.duplicate_column",
                f"{path.name} has two columns named {both} (columns {earlier} and {number}): format: "
                f"{preset.name} would read one and drop the other; remove or rename one in {where}",
                Location(str(path), 1, path=_location(source, "format")),
                ExitCode.DATA,
            )
        )


def _cxone_api_layout(con, path: Path, source: str, problems: list[Problem], preset) -> str:
    """A CXone JSON file: the Reporting API's completed contacts as delivered ({"resultSet":
    {"completedContacts": [...]}}), or those contacts as a JSON array or JSON lines."""
    layout = _json_layout(path, source, problems, preset.name)
    keys = _json_keys(con, path, layout, source, problems) if layout else None
    if keys is None:
        return ""
    if not keys:  # an empty array: no record to tell the export by, read as none
        return layout
    if sql.platforms.CXONE_WRAPPED in keys:
        return sql.platforms.CXONE_WRAPPED
    if "contactId" not in keys:
        problems.append(
            Problem(
                "raw.not_platform",
                f"{path.name} does not look like NICE CXone completed contacts: its records have no 'contactId' "
                f"and no 'resultSet' (they have: {_listed(keys, 12)})",
                Location(str(path), 1, path=_location(source, "format")),
                ExitCode.DATA,
            )
        )
    return layout


def _queues(src, base: Path, problems: list[Problem]) -> tuple[str, ...]:
    """The queues export(s) a genesys-cloud source names, relative to `base`."""
    pattern = getattr(src, "queues", None)
    if pattern is None:
        return ()
    path = Path(pattern).expanduser()
    path = path if path.is_absolute() else base / path
    found = sorted(str(p) for p in glob.glob(str(path), recursive=True) if Path(p).is_file())
    if not found:
        where = _location("interactions", "queues")
        problems.append(
            Problem("raw.no_files", f"no file matches '{path}'", Location(str(path), path=where), ExitCode.DATA)
        )
    return tuple(found)


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


# --- the SQL text and running it ---------------------------------------------------------------


def aggregation_sql(
    raw: RawData,
    *,
    base: Path = Path("."),
    partner_ids: Sequence[str] | None = None,
    reads: Mapping[str, sql.FileRead] | None = None,
    dialect: str = "duckdb",
    tables: Mapping[str, str] | None = None,
) -> str:
    """The whole aggregation as ONE SQL statement (`govdocs aggregate --sql`), in `dialect`.

    Without `tables`, the files are resolved and their headers read to learn the column types
    (unless `reads` says them). With `tables` (source -> table name; a source not named reads
    the table of its own name), every source is read from its table, its columns as text."""
    from govdocs import extras
    from govdocs.raw.sql import dialects

    extras.require("raw", "the aggregation's SQL text", "--sql")

    raw = with_lookups(raw, base, partner_ids)
    if tables is not None:
        present = [s for s in sql.SOURCES if getattr(raw.sources, s) is not None]
        for source in present:
            if presets.preset_of(getattr(raw.sources, source)) is not None:
                raise GovdocsError(
                    [
                        Problem(
                            "usage.table_preset",
                            "a platform preset reads the platform's files; "
                            "--table reads a table of the export's columns",
                            Location("--table", path=f"raw_data.sources.{source}.format"),
                            ExitCode.USAGE,
                        )
                    ]
                )
        tables = {s: tables.get(s, s) for s in present}
        reads = {
            s: sql.FileRead((), "csv", (), {f: "VARCHAR" for f in presets.fields_of(getattr(raw.sources, s))})
            for s in present
        }
    elif reads is None:
        files = resolve_files(raw, base)
        refuse_urls(files, "the SQL text is made from local files; name the warehouse's tables with --table")
        reads = describe(raw, files, base=base)
    text = sql.kpi_query(raw, reads, partner_ids, tables)
    if dialect == "duckdb":
        return text
    body = dialects.translate(text.removeprefix(sql.HEADER), dialect, pretty=True)
    return dialects.header(dialect) + body + "\n"


def _kpi_frames(rows: pd.DataFrame, raw: RawData) -> tuple[pd.DataFrame, pd.DataFrame]:
    by = {spec.kpi: getattr(spec, "by", None) for spec in raw.kpis}
    total = rows[rows["segment"].isna()]
    kpis = total[list(KPI_COLUMNS)].reset_index(drop=True)
    split = rows[rows["segment"].notna()].copy()
    split["segment_by"] = [by[k].value if by.get(k) else None for k in split["kpi"]]
    return kpis, split[list(BREAKDOWN_COLUMNS)].reset_index(drop=True)


def run_sql(text: str, *, memory_limit: str = "1GB", temp_directory: Path | None = None) -> pd.DataFrame:
    """Run an aggregation SQL text in a fresh DuckDB connection; the rows as a frame."""
    with tempfile.TemporaryDirectory(prefix="govdocs-duckdb-", dir=temp_directory) as spill:
        con = _connect(memory_limit, Path(spill))
        try:
            return con.execute(text).df()
        finally:
            con.close()


def aggregate(
    raw: RawData,
    *,
    base: Path,
    partner_ids: Sequence[str] | None,
    temp_directory: Path | None = None,
    threads: int | None = None,
    samples_per_reason: int = 5,
    engine: str | None = None,
    spark_master: str | None = None,
) -> Aggregation:
    """Read the raw exports, check every row, compute the KPIs; raise GovdocsError on unusable input.

    `partner_ids` are the config's partners (rows of any other partner are rejected; None: no check).
    Rejected rows never raise: they are counted in `Aggregation.quality`. `engine` (else the
    section's own) runs the statements on DuckDB or, translated, on Spark (`spark_master`, else
    the section's, else local[*]); the files are described by DuckDB either way."""

    raw = with_lookups(raw, base, partner_ids)
    files = resolve_files(raw, base)
    engine = engine or raw.engine.value
    if engine != "spark":
        refuse_urls(
            files, "the duckdb engine reads local files only; --engine spark reads the URLs its session reaches"
        )
    digests: dict[str, str] = {}
    texts: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory(prefix="govdocs-duckdb-", dir=temp_directory) as spill:
        duck = _connect(raw.memory_limit, Path(spill), threads)
        con = duck
        try:
            described, remote = files, any(isinstance(p, Url) for paths in files.values() for p in paths)
            if engine == "spark":
                from govdocs.raw import spark

                spark.refuse_platforms(files, [_format(getattr(raw.sources, s), files[s]) for s in files])
            if remote:  # engine spark: its session lists and hashes the URLs' files first
                con = spark.SparkConnection(spark.start_session(spark_master or raw.spark_master))
                files, described, digests, con.delimiters = spark.remote_files(con.session, files, Path(spill))
            try:
                # a URL's file: DuckDB describes a copy of its head; small files' text kept for _joined_reads
                with step(f"reading the raw exports' columns ({', '.join(described)})"):
                    reads = describe(raw, described, duck, base, texts)
            except GovdocsError as exc:
                raise (_named_by_url(exc, described, files) if remote else exc) from None
            if remote:
                reads = {s: replace(r, paths=tuple(str(p) for p in files[s])) for s, r in reads.items()}
            engine_name = "Spark" if engine == "spark" else "DuckDB"
            if engine == "spark" and con is duck:
                con = spark.SparkConnection(spark.start_session(spark_master or raw.spark_master))
            per_source = sql.source_ctes(raw, reads, partner_ids, scan=con is not duck)
            joined = {s: _joined_reads(r, Path(spill), duck, texts) for s, r in reads.items()} if con is duck else reads
            texts.clear()
            fast = sql.source_ctes(raw, joined, partner_ids) if joined != reads else per_source
            upstream: list[sql.Cte] = []  # the interactions' stages the drill-down reads that are not tables
            # the roster first: the drill-down reads its checked rows (the agents' tenure, team and site)
            for source, ctes in sorted(per_source.items(), key=lambda item: item[0] != "roster"):
                if con is not duck:
                    con.register(source, reads[source])
                text = reads[source].file_format != "parquet"
                count = len(files[source])
                with step(f"{source}: checking the rows of {count} file{'s' * (count != 1)} on {engine_name}"):
                    if joined[source] == reads[source]:
                        pending = _run_source(con, raw, source, ctes, files[source], samples_per_reason, text)
                    else:
                        before = _temp_tables(con)
                        try:  # small CSV files joined into one, read in one scan (the SQL text reads them as they are)
                            pending = _run_source(
                                con, raw, source, fast[source], files[source], samples_per_reason, text
                            )
                        except GovdocsError:  # read them one by one: the error then names the file and its line
                            for table in _temp_tables(con) - before:
                                con.execute(f"DROP TABLE {sql.identifier(table)}")
                            pending = _run_source(con, raw, source, ctes, files[source], samples_per_reason, text)
                if source == "interactions":
                    upstream = pending
            query = sql.final_select(sql.final_ctes(raw, list(per_source)), sql.kpi_selects(raw))
            try:
                with step(f"computing the KPIs on {engine_name}"):
                    rows = con.execute(query).df()
            except Exception as exc:
                if not _engine_error(exc):
                    raise
                raise GovdocsError(
                    [_duckdb_problem(exc, "raw", list(files.get("interactions", ())) or [base])]
                ) from None
            drill = _drill(con, raw, upstream, engine_name, files) if "interactions" in per_source else None
            with step("counting the rejected rows for the data-quality report"):
                report = _quality(con, raw, files, per_source, samples_per_reason, reads)
            _refuse_empty(con, raw, report, per_source, reads)
        finally:
            if con is not duck:
                con.close()
            duck.close()
    _refuse_unusable(report)
    kpis, breakdown = _kpi_frames(rows, raw)
    raw_files = tuple(RawFile(s, p, digests.get(str(p), "")) for s, paths in files.items() for p in paths)
    return Aggregation(kpis, breakdown, report, raw_files, sql.kpi_query(raw, reads, partner_ids), drill)


def _drill(con, raw: RawData, upstream: Sequence[sql.Cte], engine_name: str, files) -> pd.DataFrame | None:
    """The drill-down rows (where a gap is) on the engine that computed the KPIs; None when the
    interactions carry no KPI whose gap can be split."""
    if not drill_sql.drill_ctes(raw):
        return None
    try:
        with step(f"splitting the KPIs by segment on {engine_name}"):
            return con.execute(drill_sql.drill_query(raw, list(upstream))).df()
    except Exception as exc:
        if not _engine_error(exc):
            raise
        raise GovdocsError([_duckdb_problem(exc, "interactions", list(files.get("interactions", ())))]) from None


def _temp_tables(con) -> set[str]:
    return {name for (name,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()}


def _named_by_url(
    exc: GovdocsError, heads: Mapping[str, Sequence[Path | Url]], files: Mapping[str, Sequence[Path | Url]]
) -> GovdocsError:
    """The problems DuckDB found in the local copies of URLs' heads, naming the URLs instead."""
    names = {str(h): str(u) for s in files for h, u in zip(heads[s], files[s], strict=True) if str(h) != str(u)}

    def named(text: str) -> str:
        for head, url in names.items():
            text = text.replace(head, url)
        return text

    return GovdocsError(
        [
            replace(p, message=named(p.message), location=replace(p.location, file=named(p.location.file)))
            for p in exc.problems
        ]
    )


def _engine_error(exc: Exception) -> bool:
    """An error of the engine running a statement (DuckDB's, or Spark's first line)."""
    import duckdb

    from govdocs.raw.spark import EngineError

    return isinstance(exc, duckdb.Error | EngineError)


def _run_source(
    con, raw: RawData, source: str, ctes: Sequence[sql.Cte], paths: Sequence[Path], per_group: int, text: bool
) -> list[sql.Cte]:
    """A source's stages as a few statements, each a chain of CTEs read by one consumer (so DuckDB
    streams it, never buffering millions of rows): the stages read by more than one later stage
    (the hours' offsets, the duplicate ids) become small temporary tables, then `<source>_cube`
    (sums per partner, month, segment and reject reason, with a few sample rows of each reject
    group) and, for repeat measures, `interactions_repeat`; the roster becomes `roster_checked`.
    Parquet files are read again by each statement (reading columns is cheap); CSV text (`text`)
    is read once into a temporary table, and its checked rows are kept too, so the text is not
    decompressed and parsed again for each statement."""
    final = [ctes[-1]] if source == "roster" else sql.event_ctes(raw, source, per_group)
    stages = list(ctes) if source == "roster" else [*ctes, *final]
    pending: list[sql.Cte] = []
    try:
        for cte in stages:
            keep = cte.table or cte in final or (text and cte.name in (f"{source}_read", f"{source}_tested"))
            if not keep:
                pending.append(cte)
                continue
            head = f"WITH {', '.join(str(c) for c in pending)}\n" if pending else ""
            con.execute(f"CREATE TEMP TABLE {cte.name} AS {head}{cte.body}")
        return pending
    except Exception as exc:
        if not _engine_error(exc):
            raise
        raise GovdocsError([_duckdb_problem(exc, source, paths)]) from None


def _refuse_empty(
    con, raw: RawData, report: quality.QualityReport, ctes: Mapping[str, Sequence[sql.Cte]], reads
) -> None:
    """A source whose files hold no row (a platform's: no customer contact) gives no KPI at all, as
    a KPI file with a header and no rows does: refused in one line naming its file and what it
    holds -- a header and no rows, an API page whose array is empty, or records none of which is
    a contact (TaskRouter events of workers only) -- never an empty KPI table and exit 0."""
    problems = []
    for count in report.sources:
        if count.read:
            continue
        read: sql.FileRead = reads[count.source]
        layouts = set(read.layouts) or {CSV_LAYOUT if read.file_format == "csv" else read.file_format}
        first = ctes[count.source][0]  # the FILE READ stage: every record of the files, as read
        try:
            records = int(con.execute(f"WITH {first} SELECT COUNT(*) FROM {first.name}").fetchall()[0][0])
        except Exception as exc:
            if not _engine_error(exc):
                raise
            records = 0
        many = len(count.files) > 1
        files = f"the {len(count.files)} {count.source} files" if many else f"the {count.source} file"
        if records:
            preset = presets.preset_of(getattr(raw.sources, count.source))
            kinds = f": {NOT_CONTACTS[preset.name]}" if preset is not None and preset.name in NOT_CONTACTS else ""
            held = f"{records:,} {noun(records, 'record')} and no customer contact"
            message = f"{files} hold{'' if many else 's'} {held}{kinds}"
        elif layouts <= {CSV_LAYOUT, "csv"}:
            message = f"{files} {'have' if many else 'has'} a header and no rows"
        elif layouts & sql.platforms.ENVELOPES:
            arrays = ", ".join(f"'{e}'" for e in sorted(layouts & sql.platforms.ENVELOPES))
            message = f"{files} hold{'' if many else 's'} no records: an API page whose {arrays} array is empty"
        else:
            message = f"{files} hold{'' if many else 's'} no records"
        where = count.files[0] if not many else f"{count.files[0]} (+{len(count.files) - 1} more)"
        line = 1 if layouts <= {CSV_LAYOUT, "csv"} else None
        problems.append(
            Problem("raw.no_records", f"{message}: nothing to compute a KPI from", Location(where, line), ExitCode.DATA)
        )
    if problems:
        raise GovdocsError(problems)


# a preset whose records are not all contacts: what the others are, for a file with none
NOT_CONTACTS = {
    presets.TWILIO_FLEX.name: "TaskRouter events of workers, activities or workflows only, none of a task",
}


def _refuse_unusable(report: quality.QualityReport) -> None:
    """A source whose every row was rejected gives no KPI at all: that is a file read the wrong
    way (a timestamp format, a unit, a partner mapping), never an empty month to publish."""
    problems = []
    for source in report.sources:
        if source.accepted or not source.rejected:
            continue
        reasons = report.by_reason(source.source)
        reason, count = max(reasons.items(), key=lambda item: (item[1], item[0]))
        sample = next((s for s in report.samples if s.source == source.source and s.reason == reason), None)
        example = f"; the first: {sample.message}" if sample is not None else ""
        what = "contacts" if source.records is not None else "rows"
        problems.append(
            Problem(
                "raw.all_rejected",
                f"every one of the {source.read - source.not_queued:,} {source.source} {what} was rejected, "
                f"{count:,} for '{quality.SHORT.get(reason, reason)}'{example}",
                sample.location if sample is not None else Location(source.files[0] if source.files else source.source),
                ExitCode.DATA,
            )
        )
    if problems:
        raise GovdocsError(problems)


def _json_files(read: sql.FileRead | None) -> set[int]:
    """The positions of a source's files read as JSON records (numbered by record, not by line)."""
    if read is None:
        return set()
    if read.file_format == FileFormat.JSON.value:
        return set(range(len(read.paths)))
    return {i for i, layout in enumerate(read.layouts) if layout and layout not in (sql.platforms.PARQUET, CSV_LAYOUT)}


def _csv_files(read: sql.FileRead | None) -> set[int]:
    """The positions of a preset's files read as CSV (a row is the line after the header)."""
    return {i for i, layout in enumerate(read.layouts) if layout == CSV_LAYOUT} if read is not None else set()


def _quality(
    con,
    raw: RawData,
    files: Mapping[str, Sequence[Path]],
    present: Mapping[str, object],
    per_reason: int,
    reads: Mapping[str, sql.FileRead] | None = None,
) -> quality.QualityReport:
    sources: list[quality.SourceCount] = []
    rejects: list[quality.RejectCount] = []
    samples: list[quality.RejectSample] = []
    for source in present:
        src = getattr(raw.sources, source)
        mapped = presets.fields_of(src)
        paths = [str(p) for p in files[source]]
        # a Parquet row and a JSON record are numbered from 1 with no header line
        numbered = _format(src, files[source]) not in ("csv", FileFormat.NICE_CXONE.value)
        platform = presets.preset_of(src) is not None
        if platform:  # a record's own field a contact was rejected for (ivr_seconds: ivr_time_spent)
            mapped = {**presets.leg_paths(src), **mapped}
        json_files = _json_files((reads or {}).get(source))
        csv_files = _csv_files((reads or {}).get(source))
        accepted = rejected = not_queued = 0
        table = "roster_checked" if source == "roster" else f"{source}_cube"
        count = "COUNT(*)" if source == "roster" else "SUM(rows_read)"
        legs = ", SUM(legs_read), SUM(copies_merged)" if platform else ", 0, 0"
        counted = con.execute(
            f"SELECT partner, year, month, reject_reason, {count}{legs} FROM {table} GROUP BY ALL"
        ).fetchall()
        records = merged = 0
        for partner, year, month, reason, n, leg_count, copies in counted:
            records += int(leg_count or 0)
            merged += int(copies or 0)
            if reason is None:
                accepted += int(n)
                continue
            if reason == sql.NOT_QUEUED:
                not_queued += int(n)
                continue
            rejected += int(n)
            rejects.append(quality.RejectCount(source, partner, quality.period_text(year, month), reason, int(n)))
        if source == "roster":
            found = con.execute(quality.samples_sql(per_reason)).fetchall()
        else:
            found = [
                (reason, partner, year, month, *(sample[f] for f in sql.SAMPLE_FIELDS))
                for reason, partner, year, month, group in con.execute(
                    f"SELECT reject_reason, partner, year, month, samples FROM {table} WHERE reject_reason IS NOT NULL"
                ).fetchall()
                for sample in group or []
            ]
        found.sort(key=lambda s: (s[0], s[4]))
        taken: dict[str, int] = {}
        for reason, partner, year, month, _key, index, row, record_id, value, bad_field in found:
            if reason == sql.NOT_QUEUED or taken.setdefault(reason, 0) >= per_reason:
                continue
            taken[reason] += 1
            samples.append(
                quality.RejectSample(
                    source=source,
                    reason=reason,
                    file=paths[int(index)],
                    row=int(row),
                    line=None
                    if int(index) in json_files
                    else int(row) + 1
                    if int(index) in csv_files or not numbered
                    else int(row),
                    record=int(row) if int(index) in json_files else None,
                    platform=platform,
                    partner=partner,
                    period=quality.period_text(year, month),
                    record_id=record_id,
                    value=value,
                    column=_column_text(mapped.get(bad_field)) if bad_field else None,
                )
            )
        sources.append(
            quality.SourceCount(
                source,
                tuple(paths),
                accepted + rejected + not_queued,
                accepted,
                rejected,
                not_queued=not_queued,
                records=records + merged if platform else None,
                merged=merged,
            )
        )
    rejects.sort(key=lambda r: (r.source, r.partner or "", r.period or "", r.reason))
    agreement = _agreement(con, raw, present)
    return quality.QualityReport(tuple(sources), tuple(rejects), tuple(samples), agreement, quality.kpi_figures(raw))


def _agreement(con, raw: RawData, present: Mapping[str, object]) -> tuple[quality.PlatformAgreement, ...]:
    """The platform's own figures beside ours, for a platform's export that carries them."""
    src = getattr(raw.sources, "interactions", None)
    preset = presets.preset_of(src)
    if "interactions" not in present or preset is None:
        return ()
    mapped = presets.fields_of(src)
    numbers = tuple(f for f in ("talk_seconds", "hold_seconds", "acw_seconds") if f in mapped)
    # the platform's service-level flags are set beside ours at the service_level KPI's threshold
    seconds = next((float(k.answered_within_seconds) for k in raw.kpis if k.measure == "service_level"), None)
    rows = con.execute(quality.agreement_sql("interactions", numbers, seconds)).fetchall()
    return tuple(
        quality.PlatformAgreement(
            "interactions",
            quality.period_text(year, month),
            measure,
            quality.PLATFORM_FIGURES.get(preset.name, {}).get(measure, "figure"),
            int(compared),
            int(agreeing),
            contact_id,
            None if ours is None else float(ours),
            None if theirs is None else float(theirs),
            seconds if measure == "within" else None,
            int(ours_sum or 0) if measure == "within" else 0,
            int(theirs_sum or 0) if measure == "within" else 0,
        )
        for year, month, measure, compared, agreeing, contact_id, ours, theirs, ours_sum, theirs_sum in rows
    )


def _column_text(column: object) -> str | None:
    """A mapped column as the samples name it: 'Start_Date + Start_Time' for a date and time pair."""
    if column is None or isinstance(column, str):
        return column
    return " + ".join(str(c) for c in column)  # type: ignore[union-attr]


def to_kpi_data(kpis: pd.DataFrame, files: Sequence[RawFile] = ()):
    """The canonical KPI frame as `govdocs.data.table.KpiData` (columns partner, kpi, month,
    value, volume, source, line, file), with each raw file as a source (hash, rows unknown: 0)."""
    import hashlib

    from govdocs.data.table import KpiData, SourceFile
    from govdocs.periods import Month

    months = {p: Month.parse(p).index for p in set(kpis["period"])}
    frame = pd.DataFrame(
        {
            "partner": kpis["partner"].astype(str),
            "kpi": kpis["kpi"].astype(str),
            "month": kpis["period"].map(months).astype(int),
            "value": kpis["value"].astype(float),
            "volume": kpis["volume"].astype(float),
            "source": kpis["source"].astype(object),
            "line": 0,
            "file": 0,
        }
    )
    sources = []
    for raw_file in files:
        if raw_file.sha256:
            sources.append(SourceFile(raw_file.path.name, raw_file.sha256, 0, "raw"))
            continue
        digest = hashlib.sha256()
        with raw_file.path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        sources.append(SourceFile(raw_file.path.name, digest.hexdigest(), 0, "raw"))
    return KpiData(frame=frame, sources=sources)
