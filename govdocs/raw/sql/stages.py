"""Raw SQL, the stages every source shares: the file read, parsing, instants in the source's time
zone, each row's reject reason and duplicate ids.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from govdocs.raw.model import (
    DurationUnit,
)
from govdocs.raw.sql.text import (
    _OFFSET_PATTERN,
    DUPLICATE_ID,
    FLAWED_FIELD,
    FLAWED_VALUE,
    LARGEST,
    UNKNOWN_PARTNER,
    Cte,
    FileRead,
    JoinedFiles,
    _text_list,
    identifier,
    literal,
    read_function,
)


def column_path(column: str, present: frozenset[str], nested: bool) -> str | None:
    """The SQL reading one export column: the column of that name, else (JSON and Parquet, whose
    records nest) the dotted path into the struct its first part names; None when the file has neither."""
    if column in present:
        return identifier(column)
    parts = column.split(".")
    if nested and len(parts) > 1 and parts[0] in present:
        # a nested leaf is read as text (a Parquet struct's timestamp or number as well)
        return f"CAST({'.'.join(identifier(p) for p in parts)} AS VARCHAR)"
    return None


def column_sql(column: str | Sequence[str], present: frozenset[str], nested: bool) -> str:
    """A mapped column as SQL; a [date, time] pair is the two read together ('07/31/2026 23:30:00')."""
    if isinstance(column, str):
        return column_path(column, present, nested) or "NULL"
    parts = [column_path(c, present, nested) for c in column]
    if any(p is None for p in parts):
        return "NULL"
    return "CONCAT_WS(' ', " + ", ".join(f"NULLIF(TRIM(CAST({p} AS VARCHAR)), '')" for p in parts) + ")"


def read_cte(source: str, columns: Mapping[str, str | Sequence[str]], read: FileRead, scan: bool = False) -> Cte:
    """The only DuckDB-specific stage: the export's columns renamed to govdocs fields.

    Each row carries its file's position in the list (source_index) and its 1-based data row in
    that file (source_row). Parquet files are read by one scan of them all (matched by column
    name; a column a file lacks reads as NULL), rows numbered by the reader's file_row_number.
    CSV and JSON files are read one by one, rows (records) numbered in file order (DuckDB keeps
    insertion order); JSON leaves are read as text, nested ones by their dotted path. `scan`
    writes CSV files as one scan too, for an engine whose reader numbers each file's rows itself
    (Spark: see govdocs.raw.spark)."""
    comment = f"FILE READ ({source}): DuckDB table functions; in a warehouse select the same columns from your table"
    if read.file_format == "parquet" or (scan and read.file_format == "csv"):
        paths = "[" + _text_list(read.paths) + "]"
        present = frozenset().union(*read.columns) if read.columns else frozenset()
        select = [f"{column_sql(column, present, True)} AS {field}" for field, column in columns.items()]
        # the file's name under a name of our own: an export may have a column called filename
        select += [f"LIST_POSITION({paths}, govdocs_file) - 1 AS source_index", "file_row_number + 1 AS source_row"]
        function = f"read_parquet({paths}, filename = 'govdocs_file', file_row_number = true, union_by_name = true)"
        return Cte(f"{source}_read", "  SELECT " + ", ".join(select) + f"\n  FROM {function}", comment)
    branches = []
    nested = bool(read.layouts)
    for k, batch in enumerate(read.batches or tuple((i,) for i in range(len(read.paths)))):
        index, present = batch[0], read.columns[batch[0]]
        select = [f"{column_sql(column, present, nested)} AS {field}" for field, column in columns.items()]
        if read.joined and read.joined[k] is not None:
            branches.append(_joined_read(select, read.joined[k], batch))  # type: ignore[arg-type]
            continue
        if len(batch) > 1:
            branches.append(_batch_read(select, [read.paths[i] for i in batch], batch, read.delimiter))
            continue
        select += [f"{index} AS source_index", "ROW_NUMBER() OVER () AS source_row"]
        layout = read.layouts[index] if read.layouts else ""
        function = read_function(read.paths[index], read.file_format, read.delimiter, layout, read.json_paths)
        branches.append("  SELECT " + ", ".join(select) + f"\n  FROM {function}")
    return Cte(f"{source}_read", "\n  UNION ALL\n".join(branches), comment)


def _batch_read(select: list[str], paths: Sequence[str], indexes: Sequence[int], delimiter: str | None) -> str:
    """CSV files with the same header read by one read_csv call: the rows come in the files'
    order (DuckDB keeps insertion order), so numbering them all, then within each file by that
    number, gives each row its 1-based data row in its file, as a file read alone numbers it.
    The file's place in the source's list comes from a join on its name (a list search per row
    would cost files x rows); the file's name is read under a name of our own, as for Parquet."""
    listed = "[" + _text_list(paths) + "]"
    places = "[" + ", ".join(str(i) for i in indexes) + "]"
    options = "all_varchar = true, header = true, filename = 'govdocs_file'"  # as read_function's, named
    if delimiter is not None:
        options += f", delim = {literal(delimiter)}"
    function = f"read_csv({listed}, {options})"
    select = [
        *select,
        "govdocs_place AS source_index",
        "ROW_NUMBER() OVER (PARTITION BY govdocs_file ORDER BY govdocs_row) AS source_row",
    ]
    return (
        "  SELECT " + ", ".join(select) + "\n"
        f"  FROM (SELECT *, ROW_NUMBER() OVER () AS govdocs_row FROM {function}) AS govdocs_read\n"
        f"  JOIN (SELECT UNNEST({listed}) AS govdocs_file, UNNEST({places}) AS govdocs_place) AS govdocs_files\n"
        "  USING (govdocs_file)"
    )


def _joined_read(select: list[str], joined: JoinedFiles, indexes: Sequence[int]) -> str:
    """Files joined into one (`JoinedFiles`) read by one scan: the rows are numbered in order, a
    running count of boundary rows is each row's file (1-based, its place in `indexes`) and the
    row's number less its boundary row's is its data row in that file; boundary rows are dropped."""
    first = identifier(joined.first_column)
    marked = f"{first} = {literal(joined.boundary)}"
    places = "[" + ", ".join(str(i) for i in indexes) + "]"
    options = f"all_varchar = true, header = true, delim = {literal(joined.delimiter)}"
    select = [
        *select,
        f"LIST_EXTRACT({places}, CAST(govdocs_file AS BIGINT)) AS source_index",
        "govdocs_row - govdocs_start AS source_row",
    ]
    return (
        "  SELECT " + ", ".join(select) + "\n"
        "  FROM (\n"
        f"    SELECT *, SUM(CASE WHEN {marked} THEN 1 ELSE 0 END) OVER govdocs_order AS govdocs_file,\n"
        f"      MAX(CASE WHEN {marked} THEN govdocs_row END) OVER govdocs_order AS govdocs_start\n"
        f"    FROM (SELECT *, ROW_NUMBER() OVER () AS govdocs_row FROM read_csv({literal(joined.path)}, {options}))\n"
        "    WINDOW govdocs_order AS (ORDER BY govdocs_row ROWS UNBOUNDED PRECEDING)\n"
        f"  ) AS govdocs_joined WHERE {first} IS DISTINCT FROM {literal(joined.boundary)}"
    )


def table_read_cte(source: str, columns: Mapping[str, str | Sequence[str]], table: str) -> Cte:
    """The read stage over a warehouse table that holds the export's columns as text (`aggregate
    --sql --table`): the same renaming as a file read; rows numbered in the table's order, which a
    warehouse does not define (it decides only which copy of a duplicate id is kept first and the
    row numbers the data-quality samples quote)."""
    present = frozenset(c for column in columns.values() for c in ([column] if isinstance(column, str) else column))
    select = [f"{column_sql(column, present, True)} AS {field}" for field, column in columns.items()]
    select += ["0 AS source_index", "ROW_NUMBER() OVER () AS source_row"]
    comment = f"READ ({source}): the table {table}"
    return Cte(f"{source}_read", "  SELECT " + ", ".join(select) + f"\n  FROM {table}", comment)


def _date(field: str, types: Mapping[str, str], fmt: str | None) -> str:
    kind = types.get(field, "VARCHAR").upper()
    if kind == "DATE":
        return field
    if not _is_text(kind):
        return f"CAST({field} AS DATE)"
    text = _text(field, types)
    if fmt is not None:
        return f"CAST(TRY_STRPTIME({text}, {literal(fmt)}) AS DATE)"
    return f"TRY_CAST({text} AS DATE)"


def _is_text(kind: str) -> bool:
    return kind.upper().startswith("VARCHAR")


def _text(field: str, types: Mapping[str, str]) -> str:
    """A field as text, NULL when empty. CSV cells are trimmed; Parquet strings are taken as written."""
    kind = types.get(field, "VARCHAR").upper()
    if kind == "VARCHAR":
        return f"NULLIF(TRIM({field}), '')"
    if _is_text(kind):
        return f"NULLIF({field}, '')"
    return f"CAST({field} AS VARCHAR)"


def _raw(field: str, types: Mapping[str, str]) -> str:
    """The field as written, for 'empty?' and 'unreadable?' tests: text trimmed, typed columns as they are."""
    return _text(field, types) if _is_text(types.get(field, "VARCHAR")) else field


def _zoned_kind(kind: str) -> bool:
    return "WITH TIME ZONE" in kind or kind == "TIMESTAMPTZ"


def _timestamp(field: str, types: Mapping[str, str], fmt: str | None) -> tuple[str, str]:
    """A timestamp field as (naive, zoned): the local time as written when it carries no offset
    (to be read in the source's zone), else NULL; the TIMESTAMPTZ when it carries one, else NULL.
    Both are NULL when the value is empty or unreadable."""
    kind = types.get(field, "VARCHAR").upper()
    none_naive, none_zoned = "CAST(NULL AS TIMESTAMP)", "CAST(NULL AS TIMESTAMPTZ)"
    if _zoned_kind(kind):
        return none_naive, field
    if kind.startswith("TIMESTAMP") or kind == "DATE":
        return f"CAST({field} AS TIMESTAMP)", none_zoned
    if fmt in EPOCH_FORMATS and not _is_text(kind):
        return none_naive, _epoch(f"CAST({field} AS DOUBLE)", EPOCH_FORMATS[fmt])
    text = _text(field, types)
    if fmt in EPOCH_FORMATS:
        return none_naive, _epoch(f"TRY_CAST({text} AS DOUBLE)", EPOCH_FORMATS[fmt])
    if fmt is not None:
        parsed = f"TRY_STRPTIME({text}, {literal(fmt)})"
        return (none_naive, parsed) if "%z" in fmt or "%Z" in fmt else (parsed, none_zoned)
    offset = f"REGEXP_MATCHES({text}, {literal(_OFFSET_PATTERN)})"
    return (
        f"CASE WHEN {offset} THEN NULL ELSE TRY_CAST({text} AS TIMESTAMP) END",
        f"CASE WHEN {offset} THEN TRY_CAST({text} AS TIMESTAMPTZ) END",
    )


# timestamp_format values meaning a number counted from 1970-01-01 UTC, and its microseconds per unit
EPOCH_FORMATS = {"epoch_seconds": 1_000_000, "%s": 1_000_000, "epoch_milliseconds": 1_000}
_EPOCH_LAST_SECOND = 4_102_444_800  # 2100-01-01: a larger number is not a timestamp in this unit


def _epoch(number: str, us_per_unit: int) -> str:
    """An epoch number as a TIMESTAMPTZ; NULL (an unreadable timestamp) when negative or past 2100,
    which is what milliseconds read as seconds look like."""
    last = _EPOCH_LAST_SECOND * 1_000_000 // us_per_unit
    return (
        f"CASE WHEN {number} >= 0 AND {number} < {last} "
        f"THEN CAST(MAKE_TIMESTAMP(CAST(ROUND({number} * {us_per_unit}) AS BIGINT)) AS TIMESTAMP)"
        " AT TIME ZONE 'UTC' END"
    )


def _timestamp_columns(field: str, types: Mapping[str, str], fmt: str | None) -> list[str]:
    naive, zoned = _timestamp(field, types, fmt)
    return [f"{_raw(field, types)} AS {field}_raw", f"{naive} AS {field}_naive", f"{zoned} AS {field}_zoned"]


def _number(field: str, types: Mapping[str, str], unit: DurationUnit = DurationUnit.SECONDS) -> str:
    """A number field as DOUBLE; NULL (a 'not a number' reject) when unreadable, infinite, NaN or
    10^15 or more, which no count, score or duration is (and which no exact sum could hold)."""
    kind = types.get(field, "VARCHAR").upper()
    if not _is_text(kind):
        value = f"CAST({field} AS DOUBLE)"
    elif unit is DurationUnit.HMS:
        value = f"EXTRACT(EPOCH FROM TRY_CAST({_text(field, types)} AS INTERVAL))"
    else:
        value = f"TRY_CAST({_text(field, types)} AS DOUBLE)"
    usable = f"CASE WHEN ABS({value}) < {LARGEST} THEN {value} END"
    return f"{usable} / 1000.0" if unit is DurationUnit.MILLISECONDS else usable


def _partner(types: Mapping[str, str], partner_values: Mapping[str, str]) -> str:
    text = _text("partner", types)
    if not partner_values:
        return text
    cases = " ".join(f"WHEN {literal(k)} THEN {literal(v)}" for k, v in partner_values.items())
    return f"CASE {text} {cases} ELSE {text} END"


# Where a row came from: file position, data row, and a key ordering rows as read (file, then row).
_SOURCE_COLUMNS = ["source_index", "source_row", "source_index * 10000000000 + source_row AS source_key"]


def _parsed_cte(source: str, select: list[str]) -> Cte:
    body = ",\n    ".join(select)
    return Cte(f"{source}_parsed", f"  SELECT\n    {body}\n  FROM {source}_read")


def _hours_cte(source: str, fields: Sequence[str], timezone: str) -> Cte:
    zone = literal(timezone)
    union = "\n    UNION ALL\n    ".join(
        f"SELECT DATE_TRUNC('hour', {f}_naive) AS hour FROM {source}_parsed WHERE {f}_naive IS NOT NULL" for f in fields
    )
    end = "hour + INTERVAL '3599.999999' SECOND"
    body = (
        f"  SELECT hour, EPOCH_US(hour) - EPOCH_US(CAST(hour AS TIMESTAMP) AT TIME ZONE {zone}) AS offset_us,\n"
        f"    EPOCH_US(hour) - EPOCH_US(CAST(hour AS TIMESTAMP) AT TIME ZONE {zone})\n"
        f"      = EPOCH_US({end}) - EPOCH_US(CAST({end} AS TIMESTAMP) AT TIME ZONE {zone}) AS uniform\n"
        f"  FROM (SELECT DISTINCT hour FROM (\n    {union}\n  ) AS stamps) AS local_hours"
    )
    return Cte(f"{source}_hours", body, table=True)


def _timed_cte(source: str, fields: Sequence[str], timezone: str, month_field: str) -> Cte:
    """Every parsed row with its timestamps as instants (`<field>_us`, microseconds since 1970 UTC;
    NULL when empty or unreadable) and the month of `month_field` in the source's zone."""
    zone = literal(timezone)
    select = ["p.*"]
    for f in fields:
        select.append(
            f"COALESCE(EPOCH_US(p.{f}_zoned), CASE WHEN h_{f}.uniform THEN EPOCH_US(p.{f}_naive) - h_{f}.offset_us\n"
            f"      ELSE EPOCH_US(CAST(p.{f}_naive AS TIMESTAMP) AT TIME ZONE {zone}) END) AS {f}_us"
        )
    local = f"COALESCE(p.{month_field}_naive, CAST(p.{month_field}_zoned AS TIMESTAMPTZ) AT TIME ZONE {zone})"
    select += _month_columns(local)
    joins = "".join(
        f"\n  LEFT JOIN {source}_hours AS h_{f} ON h_{f}.hour = DATE_TRUNC('hour', p.{f}_naive)" for f in fields
    )
    body = ",\n    ".join(select)
    return Cte(f"{source}_timed", f"  SELECT\n    {body}\n  FROM {source}_parsed AS p{joins}")


def seconds(us: str) -> str:
    """Microseconds since 1970 as seconds: the DOUBLE that EXTRACT(EPOCH FROM a TIMESTAMPTZ) gives
    (whole milliseconds / 1000 + the rest / 1e6), to the last bit, so sums and thresholds match it."""
    rest = f"(({us} % 1000 + 1000) % 1000)"
    return f"(CAST(({us} - {rest}) // 1000 AS DOUBLE) / 1000.0 + CAST({rest} AS DOUBLE) / 1000000.0)"


def _month_columns(local: str) -> list[str]:
    return [
        f"CAST(EXTRACT(YEAR FROM {local}) AS INTEGER) AS year",
        f"CAST(EXTRACT(MONTH FROM {local}) AS INTEGER) AS month",
    ]


def _reason(tests: Sequence[tuple[str, str]]) -> str:
    whens = "\n      ".join(f"WHEN {condition} THEN {literal(reason)}" for reason, condition in tests)
    return f"CASE\n      {whens}\n      ELSE NULL END"


def _partner_test(partner_ids: Sequence[str] | None) -> list[tuple[str, str]]:
    if partner_ids is None:
        return []
    return [(UNKNOWN_PARTNER, f"partner NOT IN ({_text_list(partner_ids)})")]


def _first_bad(pairs: Sequence[tuple[str, str]], flawed: bool = False) -> str:
    """The first raw text that failed to convert and its govdocs field (for the samples), else NULLs;
    `flawed`: a platform's record duration no duration is (FLAWED_FIELD) first, by its leg field."""
    tests = [f"WHEN {raw} IS NOT NULL AND {value} IS NULL THEN" for raw, value in pairs]
    values = [f"{t} CAST({raw} AS VARCHAR)" for t, (raw, _) in zip(tests, pairs, strict=True)]
    fields = [f"{t} {literal(value.removesuffix('_us'))}" for t, (_, value) in zip(tests, pairs, strict=True)]
    if flawed:
        values.insert(0, f"WHEN {FLAWED_FIELD} IS NOT NULL THEN {FLAWED_VALUE}")
        fields.insert(0, f"WHEN {FLAWED_FIELD} IS NOT NULL THEN {FLAWED_FIELD}")
    if not values:
        return "CAST(NULL AS VARCHAR) AS bad_value, CAST(NULL AS VARCHAR) AS bad_field"
    value, field = " ".join(values), " ".join(fields)
    return f"CASE {value} ELSE NULL END AS bad_value,\n    CASE {field} ELSE NULL END AS bad_field"


def _unreadable(pairs: Sequence[tuple[str, str]]) -> str:
    return " OR ".join(f"({raw} IS NOT NULL AND {value} IS NULL)" for raw, value in pairs)


def _tested_cte(
    source: str,
    keep: Sequence[str],
    tests: Sequence[tuple[str, str]],
    bad: Sequence[tuple[str, str]],
    timed: bool,
    flawed: bool = False,
) -> Cte:
    """Every row with the columns the later stages use and the first reason, other than a
    duplicate id, that rejects it (`check_reason`; NULL when it passes every check)."""
    select = [*keep, f"{_reason(tests)} AS check_reason", _first_bad(bad, flawed)]
    select += ["source_index", "source_row", "source_key"]
    body = ",\n    ".join(select)
    upstream = f"{source}_timed" if timed else f"{source}_parsed"
    return Cte(f"{source}_tested", f"  SELECT\n    {body}\n  FROM {upstream}")


_DUP_KEY = {
    "interactions": "contact_id",
    "surveys": "response_id",
    "qa": "evaluation_id",
    "roster": "agent_key",
    "calibration": "row_key",  # one score per contact, side and section
    "coaching": "row_key",  # one session per agent and day
}


def _dups_cte(source: str) -> Cte:
    """Ids that more than one otherwise valid row carries, with the first of those rows in file
    order. Only rows that pass every other check compete: the first VALID copy is kept, and a copy
    rejected for a reason of its own (an empty field, an unknown partner) never pushes out a valid
    later one. Per partner: each vendor's system numbers its own records, so the same id at two
    partners is two records, not a duplicate."""
    key = _DUP_KEY[source]
    return Cte(
        f"{source}_dups",
        f"  SELECT partner AS dup_partner, {key} AS dup_key, MIN(source_key) AS first_key\n"
        f"  FROM {source}_tested WHERE check_reason IS NULL AND {key} IS NOT NULL AND partner IS NOT NULL\n"
        f"  GROUP BY partner, {key} HAVING COUNT(*) > 1",
        table=True,
    )


def _checked_cte(source: str, extra: Sequence[str] = (), dups: bool = True) -> Cte:
    """Every row with its final reject reason: its own, else 'duplicate_id' for a later valid copy."""
    if dups:
        reason = (
            "CASE WHEN t.check_reason IS NOT NULL THEN t.check_reason\n"
            f"      WHEN d.first_key IS NOT NULL AND t.source_key <> d.first_key THEN {literal(DUPLICATE_ID)}\n"
            "      ELSE NULL END AS reject_reason"
        )
        join = f"\n  LEFT JOIN {source}_dups AS d ON d.dup_key = t.{_DUP_KEY[source]} AND d.dup_partner = t.partner"
    else:
        reason, join = "t.check_reason AS reject_reason", ""
    body = ",\n    ".join(["t.*", *extra, reason])
    return Cte(f"{source}_checked", f"  SELECT\n    {body}\n  FROM {source}_tested AS t{join}")


def _seconds_columns(fields: Mapping[str, str]) -> list[str]:
    """Instants in seconds since 1970 for the measures (the checks compare microseconds)."""
    return [f"{seconds(f't.{field}_us')} AS {name}" for field, name in fields.items()]
