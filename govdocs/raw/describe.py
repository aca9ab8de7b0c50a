"""Raw step, describing the files: every source's columns and the type of every mapped column,
read by DuckDB from the files (or a URL's local head) whichever engine then runs the statements;
a mapped column no file has is reported with the columns that exist."""

from __future__ import annotations

import glob
from collections.abc import Mapping, Sequence
from pathlib import Path

from govdocs.errors import ExitCode, GovdocsError, Location, Problem
from govdocs.raw import presets, sql
from govdocs.raw.engines.base import problem
from govdocs.raw.engines.duck import DuckEngine
from govdocs.raw.heads import _first_character, _head, _json_layout, _listed, _looks_like_json
from govdocs.raw.locations import PARQUET_SUFFIXES
from govdocs.raw.model import FileFormat, RawData
from govdocs.raw.resolve import _format, _location
from govdocs.raw.sql.platforms import CSV_LAYOUT
from govdocs.raw.sql.stages import column_path


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
    con = con or DuckEngine.open()
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
        problems.append(problem(exc, source, [path]))
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
        problems.append(problem(exc, source, [path]))
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
            problems.append(problem(exc, source, [path]))
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
    regardless of case, as the platform's own spellings vary: Start_Time, start_time). The
    drill-down's columns (an agent, a team) are read where a file has them, not required."""
    delimiter = getattr(src, "delimiter", None)
    needed = dict.fromkeys(p for f, p in presets.leg_paths(src).items() if f not in preset.drill)
    layouts = ["" for _ in paths]
    heads = [frozenset[str]() for _ in paths]
    for i, path in enumerate(paths):
        if _first_character(path) in ("{", "["):
            layouts[i] = _cxone_api_layout(con, path, source, problems, preset)
            continue
        names = _top_level(con, sql.read_function(str(path), "csv", delimiter), path, source, problems)
        if names is None:
            continue
        _refuse_duplicate_columns(con, src, path, source, problems)
        have = {n.lower() for n in names}
        heads[i] = frozenset(have)
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
        tuple(heads),  # a CSV file's column names, lower case (an API response's: none)
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
