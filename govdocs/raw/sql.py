"""Aggregate step, raw half: the `raw_data` definitions written out as SQL text.

One function per stage returns the text of common table expressions (CTEs); `kpi_query`
chains them into ONE statement that yields the canonical long KPI table. File reads are
isolated in CTEs named `<source>_read` and marked `FILE READ`: they are the only DuckDB
specific table functions, so a team whose records live in a warehouse replaces those few
lines by a SELECT from its own table and runs the same definitions there. Everything after
them is plain SQL (CASE, COALESCE, window functions, GROUP BY, WITH RECURSIVE) apart from
TRY_CAST / TRY_STRPTIME, `AT TIME ZONE`, EPOCH_US, EXTRACT(EPOCH ...) and REGEXP_MATCHES,
which are named in the header so a porter knows where to look.

Stages per source: `_read` (the user's columns renamed to govdocs fields, as text) ->
`_parsed` (text trimmed, local times and times with an offset apart, numbers as DOUBLE) ->
`_hours` (the zone's offset per local hour of the data) -> `_timed` (timestamps as instants,
the month in the source's time zone) -> `_tested` (each row's first reject reason other than
a duplicate id) -> `_dups` (ids with more than one valid row, and the first of them) ->
`_checked` (every row with its reject reason, NULL when accepted) -> `_cube` (sums per
partner, month, channel, programme and reason) and, for repeat measures,
`interactions_repeat` (each accepted contact's next contact of the same customer) -> the
KPI rows. A CTE marked `table` is read by more than one later stage: the engine keeps it as
a temporary table and runs the rest as a few statements, each streamed in one pass.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from govdocs.raw.model import (
    MEASURE_SOURCE,
    Abandoned,
    AbandonRate,
    Aht,
    Answered,
    Asa,
    Attrition,
    CsatTopBox,
    DurationUnit,
    FcrProxy,
    Nps,
    Offered,
    QaAutoFailRate,
    QaPassRate,
    QaScore,
    RawData,
    RepeatContactRate,
    ServiceLevel,
    ServiceLevelDenominator,
    SurveyFcr,
    TransferRate,
)

# Reject reasons, in the order they are tested: a row gets the first that applies.
MISSING_FIELD = "missing_field"
UNPARSEABLE_TIMESTAMP = "unparseable_timestamp"
NOT_A_NUMBER = "not_a_number"
BAD_VALUE = "bad_value"
DUPLICATE_ID = "duplicate_id"
UNKNOWN_PARTNER = "unknown_partner"
ANSWER_BEFORE_ARRIVAL = "answer_before_arrival"
NEGATIVE_DURATION = "negative_duration"
OUT_OF_RANGE = "out_of_range"
LEFT_BEFORE_HIRED = "left_before_hired"

EVENT_SOURCES = ("interactions", "surveys", "qa")
SOURCES = (*EVENT_SOURCES, "roster")

# A timestamp written with an offset after its time of day: +01:00, +0100, +01, Z.
_OFFSET_PATTERN = r"\d:\d\d(:\d\d(\.\d*)?)?\s*([zZ]|[+-]\d\d(:?\d\d)?)$"


def identifier(name: str) -> str:
    """A column name as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    """A Python string as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _text_list(values: Sequence[str]) -> str:
    return ", ".join(literal(v) for v in values)


@dataclass(frozen=True)
class Cte:
    """One common table expression: `name AS (body)`, with an optional comment line above it."""

    name: str
    body: str
    comment: str = ""
    # read by more than one later stage: the engine keeps it as a temporary table
    table: bool = False

    def __str__(self) -> str:
        head = f"-- {self.comment}\n" if self.comment else ""
        return f"{head}{self.name} AS (\n{self.body}\n)"


@dataclass(frozen=True)
class FileRead:
    """How one source's files are read: each file with the export columns it has, and each mapped
    field's type ('VARCHAR' for CSV, 'VARCHAR NOTRIM' for Parquet strings)."""

    paths: tuple[str, ...]
    file_format: str  # csv or parquet
    columns: tuple[frozenset[str], ...]  # per file: the export's column names it has
    types: Mapping[str, str]  # govdocs field -> type of its column
    delimiter: str | None = None


def read_function(path: str, file_format: str, delimiter: str | None = None) -> str:
    if file_format == "parquet":
        return f"read_parquet({literal(path)})"
    options = "all_varchar = true, header = true"
    if delimiter is not None:
        options += f", delim = {literal(delimiter)}"
    return f"read_csv({literal(path)}, {options})"


# --- stage 1: the file read ----------------------------------------------------------------


def read_cte(source: str, columns: Mapping[str, str], read: FileRead) -> Cte:
    """The only DuckDB-specific stage: the export's columns renamed to govdocs fields.

    Each row carries its file's position in the list (source_index) and its 1-based data row in
    that file (source_row). Parquet files are read by one scan of them all (matched by column
    name; a column a file lacks reads as NULL), rows numbered by the reader's file_row_number.
    CSV files are read one by one, rows numbered in file order (DuckDB keeps insertion order)."""
    comment = f"FILE READ ({source}): DuckDB table functions; in a warehouse select the same columns from your table"
    if read.file_format == "parquet":
        paths = "[" + _text_list(read.paths) + "]"
        select = [f"{identifier(column)} AS {field}" for field, column in columns.items()]
        # the file's name under a name of our own: an export may have a column called filename
        select += [f"LIST_POSITION({paths}, govdocs_file) - 1 AS source_index", "file_row_number + 1 AS source_row"]
        function = f"read_parquet({paths}, filename = 'govdocs_file', file_row_number = true, union_by_name = true)"
        return Cte(f"{source}_read", "  SELECT " + ", ".join(select) + f"\n  FROM {function}", comment)
    branches = []
    for index, (path, present) in enumerate(zip(read.paths, read.columns, strict=True)):
        select = [
            f"{identifier(column) if column in present else 'NULL'} AS {field}" for field, column in columns.items()
        ]
        select += [f"{index} AS source_index", "ROW_NUMBER() OVER () AS source_row"]
        function = read_function(path, read.file_format, read.delimiter)
        branches.append("  SELECT " + ", ".join(select) + f"\n  FROM {function}")
    return Cte(f"{source}_read", "\n  UNION ALL\n".join(branches), comment)


# --- stage 2: parsing ------------------------------------------------------------------------


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
    text = _text(field, types)
    if fmt is not None:
        parsed = f"TRY_STRPTIME({text}, {literal(fmt)})"
        return (none_naive, parsed) if "%z" in fmt or "%Z" in fmt else (parsed, none_zoned)
    offset = f"REGEXP_MATCHES({text}, {literal(_OFFSET_PATTERN)})"
    return (
        f"CASE WHEN {offset} THEN NULL ELSE TRY_CAST({text} AS TIMESTAMP) END",
        f"CASE WHEN {offset} THEN TRY_CAST({text} AS TIMESTAMPTZ) END",
    )


def _timestamp_columns(field: str, types: Mapping[str, str], fmt: str | None) -> list[str]:
    naive, zoned = _timestamp(field, types, fmt)
    return [f"{_raw(field, types)} AS {field}_raw", f"{naive} AS {field}_naive", f"{zoned} AS {field}_zoned"]


def _number(field: str, types: Mapping[str, str], unit: DurationUnit = DurationUnit.SECONDS) -> str:
    kind = types.get(field, "VARCHAR").upper()
    if not _is_text(kind):
        value = f"CAST({field} AS DOUBLE)"
        return f"{value} / 1000.0" if unit is DurationUnit.MILLISECONDS else value
    text = _text(field, types)
    if unit is DurationUnit.HMS:
        return f"EXTRACT(EPOCH FROM TRY_CAST({text} AS INTERVAL))"
    value = f"TRY_CAST({text} AS DOUBLE)"
    return f"{value} / 1000.0" if unit is DurationUnit.MILLISECONDS else value


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


# --- stage 3: instants ------------------------------------------------------------------------
#
# Reading a local time in a zone (`AT TIME ZONE`) costs a time zone computation per value. A zone's
# offset is the same all through a local hour except the hours of a clock change, so
# `<source>_hours` computes it once per distinct local hour of the data, with `uniform` when the
# hour starts and ends on the same offset; a row's instant is then its local time minus its
# hour's offset. Values in a non-uniform hour are converted one by one (AT TIME ZONE).


def _hours_cte(source: str, fields: Sequence[str], timezone: str) -> Cte:
    zone = literal(timezone)
    union = "\n    UNION ALL\n    ".join(
        f"SELECT DATE_TRUNC('hour', {f}_naive) AS hour FROM {source}_parsed WHERE {f}_naive IS NOT NULL" for f in fields
    )
    end = "hour + INTERVAL '3599.999999' SECOND"
    body = (
        f"  SELECT hour, EPOCH_US(hour) - EPOCH_US(hour AT TIME ZONE {zone}) AS offset_us,\n"
        f"    EPOCH_US(hour) - EPOCH_US(hour AT TIME ZONE {zone})\n"
        f"      = EPOCH_US({end}) - EPOCH_US(({end}) AT TIME ZONE {zone}) AS uniform\n"
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
            f"      ELSE EPOCH_US(p.{f}_naive AT TIME ZONE {zone}) END) AS {f}_us"
        )
    local = f"COALESCE(p.{month_field}_naive, p.{month_field}_zoned AT TIME ZONE {zone})"
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


# --- stage 4: checks and duplicates ------------------------------------------------------------


def _reason(tests: Sequence[tuple[str, str]]) -> str:
    whens = "\n      ".join(f"WHEN {condition} THEN {literal(reason)}" for reason, condition in tests)
    return f"CASE\n      {whens}\n      ELSE NULL END"


def _partner_test(partner_ids: Sequence[str] | None) -> list[tuple[str, str]]:
    if partner_ids is None:
        return []
    return [(UNKNOWN_PARTNER, f"partner NOT IN ({_text_list(partner_ids)})")]


def _first_bad(pairs: Sequence[tuple[str, str]]) -> str:
    """The first raw text that failed to convert and its govdocs field (for the samples), else NULLs."""
    if not pairs:
        return "CAST(NULL AS VARCHAR) AS bad_value, CAST(NULL AS VARCHAR) AS bad_field"
    tests = [f"WHEN {raw} IS NOT NULL AND {value} IS NULL THEN" for raw, value in pairs]
    values = " ".join(f"{t} CAST({raw} AS VARCHAR)" for t, (raw, _) in zip(tests, pairs, strict=True))
    fields = " ".join(f"{t} {literal(value.removesuffix('_us'))}" for t, (_, value) in zip(tests, pairs, strict=True))
    return f"CASE {values} ELSE NULL END AS bad_value,\n    CASE {fields} ELSE NULL END AS bad_field"


def _unreadable(pairs: Sequence[tuple[str, str]]) -> str:
    return " OR ".join(f"({raw} IS NOT NULL AND {value} IS NULL)" for raw, value in pairs)


def _tested_cte(
    source: str, keep: Sequence[str], tests: Sequence[tuple[str, str]], bad: Sequence[tuple[str, str]], timed: bool
) -> Cte:
    """Every row with the columns the later stages use and the first reason, other than a
    duplicate id, that rejects it (`check_reason`; NULL when it passes every check)."""
    select = [*keep, f"{_reason(tests)} AS check_reason", _first_bad(bad), "source_index", "source_row", "source_key"]
    body = ",\n    ".join(select)
    upstream = f"{source}_timed" if timed else f"{source}_parsed"
    return Cte(f"{source}_tested", f"  SELECT\n    {body}\n  FROM {upstream}")


_DUP_KEY = {"interactions": "contact_id", "surveys": "response_id", "qa": "evaluation_id", "roster": "agent_key"}


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


def interactions_ctes(raw: RawData, read: FileRead, partner_ids: Sequence[str] | None) -> list[Cte]:
    src = raw.sources.interactions
    assert src is not None
    columns = src.columns.model_dump(exclude_none=True)
    types = read.types
    tz, fmt = src.timezone, src.timestamp_format
    stamps = ["arrived_at", "answered_at", "ended_at"]
    texts = [f for f in ("contact_id", "channel", "programme", "type", "customer_id") if f in columns]
    numbers = [f for f in ("talk_seconds", "hold_seconds", "acw_seconds", "transfers") if f in columns]
    parsed = [f"{_text(f, types)} AS {f}" for f in texts]
    parsed.append(f"{_partner(types, src.partner_values)} AS partner")
    for f in stamps:
        parsed += _timestamp_columns(f, types, fmt)
    for f in numbers:
        unit = src.duration_unit if f.endswith("_seconds") else DurationUnit.SECONDS
        parsed += [f"{_raw(f, types)} AS {f}_raw", f"{_number(f, types, unit)} AS {f}"]
    parsed += _SOURCE_COLUMNS
    missing = [
        "contact_id IS NULL",
        "partner IS NULL",
        "arrived_at_raw IS NULL",
        # an abandoned contact needs its end (how long the customer waited)
        "(answered_at_raw IS NULL AND ended_at_raw IS NULL)",
    ]
    if "talk_seconds" in columns:
        missing.append("(answered_at_raw IS NOT NULL AND talk_seconds_raw IS NULL)")
    stamp_pairs = [(f"{f}_raw", f"{f}_us") for f in stamps]
    nums = [(f"{f}_raw", f) for f in numbers]
    negative = [f"{f} < 0" for f in numbers]
    negative.append("ended_at_us < COALESCE(answered_at_us, arrived_at_us)")
    tests = [(MISSING_FIELD, " OR ".join(missing)), (UNPARSEABLE_TIMESTAMP, _unreadable(stamp_pairs))]
    if nums:
        tests.append((NOT_A_NUMBER, _unreadable(nums)))
    tests += _partner_test(partner_ids)
    tests.append((ANSWER_BEFORE_ARRIVAL, "answered_at_us < arrived_at_us"))
    tests.append((NEGATIVE_DURATION, " OR ".join(negative)))
    keep = ["partner", *texts, *numbers, "year", "month", *(f"{f}_us" for f in stamps)]
    seconds_of = {"arrived_at": "arrived_s", "answered_at": "answered_s", "ended_at": "ended_s"}
    return [
        _parsed_cte("interactions", parsed),
        _hours_cte("interactions", stamps, tz),
        _timed_cte("interactions", stamps, tz, "arrived_at"),
        _tested_cte("interactions", keep, tests, stamp_pairs + nums, timed=True),
        _dups_cte("interactions"),
        _checked_cte("interactions", _seconds_columns(seconds_of)),
    ]


def _flag(field: str, types: Mapping[str, str], yes: Sequence[str], no: Sequence[str]) -> str:
    """A yes/no field as 1/0; NULL when empty or not one of the values."""
    text = f"LOWER({_text(field, types)})"
    if types.get(field, "VARCHAR").upper() == "BOOLEAN":
        return f"CASE WHEN {field} THEN 1 WHEN NOT {field} THEN 0 END"
    return (
        f"CASE WHEN {text} IN ({_text_list([v.lower() for v in yes])}) THEN 1 "
        f"WHEN {text} IN ({_text_list([v.lower() for v in no])}) THEN 0 ELSE NULL END"
    )


def surveys_ctes(raw: RawData, read: FileRead, partner_ids: Sequence[str] | None) -> list[Cte]:
    src = raw.sources.surveys
    assert src is not None
    columns = src.columns.model_dump(exclude_none=True)
    types = read.types
    texts = [f for f in ("response_id", "channel", "programme") if f in columns]
    parsed = [f"{_text(f, types)} AS {f}" for f in texts]
    parsed.append(f"{_partner(types, src.partner_values)} AS partner")
    parsed += _timestamp_columns("responded_at", types, src.timestamp_format)
    answers = [f for f in ("csat", "nps", "fcr") if f in columns]
    for f in ("csat", "nps"):
        if f in columns:
            parsed += [f"{_raw(f, types)} AS {f}_raw", f"{_number(f, types)} AS {f}"]
    if "fcr" in columns:
        parsed += [f"{_raw('fcr', types)} AS fcr_raw", f"{_flag('fcr', types, src.yes_values, src.no_values)} AS fcr"]
    parsed += _SOURCE_COLUMNS
    nums = [(f"{f}_raw", f) for f in ("csat", "nps") if f in columns]
    missing = ["partner IS NULL", "responded_at_raw IS NULL"]
    if answers:
        missing.append("(" + " AND ".join(f"{a}_raw IS NULL" for a in answers) + ")")
    tests = [
        (MISSING_FIELD, " OR ".join(missing)),
        (UNPARSEABLE_TIMESTAMP, "responded_at_us IS NULL"),
    ]
    if nums:
        tests.append((NOT_A_NUMBER, _unreadable(nums)))
    if "fcr" in columns:
        tests.append((BAD_VALUE, "fcr_raw IS NOT NULL AND fcr IS NULL"))
    tests += _partner_test(partner_ids)
    ranges = []
    if "csat" in columns:
        ranges.append(f"csat < 1 OR csat > {src.csat_scale}")
    if "nps" in columns:
        ranges.append("nps < 0 OR nps > 10 OR nps <> FLOOR(nps)")
    if ranges:
        tests.append((OUT_OF_RANGE, " OR ".join(ranges)))
    keep = ["partner", *texts, *answers, "year", "month", "responded_at_us"]
    bad = [("responded_at_raw", "responded_at_us"), *nums] + ([("fcr_raw", "fcr")] if "fcr" in columns else [])
    dups = "response_id" in columns
    return [
        _parsed_cte("surveys", parsed),
        _hours_cte("surveys", ["responded_at"], src.timezone),
        _timed_cte("surveys", ["responded_at"], src.timezone, "responded_at"),
        _tested_cte("surveys", keep, tests, bad, timed=True),
        *([_dups_cte("surveys")] if dups else []),
        _checked_cte("surveys", _seconds_columns({"responded_at": "responded_s"}), dups),
    ]


def qa_ctes(raw: RawData, read: FileRead, partner_ids: Sequence[str] | None) -> list[Cte]:
    src = raw.sources.qa
    assert src is not None
    columns = src.columns.model_dump(exclude_none=True)
    types = read.types
    texts = [f for f in ("evaluation_id", "channel", "programme") if f in columns]
    parsed = [f"{_text(f, types)} AS {f}" for f in texts]
    parsed.append(f"{_partner(types, src.partner_values)} AS partner")
    parsed += _timestamp_columns("evaluated_at", types, src.timestamp_format)
    parsed += [f"{_raw('score', types)} AS score_raw", f"{_number('score', types)} AS score"]
    has_fail = "auto_fail" in columns
    if has_fail:
        parsed += [
            f"{_raw('auto_fail', types)} AS auto_fail_raw",
            f"{_flag('auto_fail', types, src.yes_values, src.no_values)} AS auto_fail",
        ]
    parsed += _SOURCE_COLUMNS
    tests = [
        (MISSING_FIELD, "partner IS NULL OR evaluated_at_raw IS NULL OR score_raw IS NULL"),
        (UNPARSEABLE_TIMESTAMP, "evaluated_at_us IS NULL"),
        (NOT_A_NUMBER, "score IS NULL"),
    ]
    if has_fail:
        # an empty auto-fail cell means no auto-fail unless '' was taken out of no_values
        empty_is_no = "" in src.no_values
        condition = "auto_fail IS NULL" + ("" if not empty_is_no else " AND auto_fail_raw IS NOT NULL")
        tests.append((BAD_VALUE, condition))
    tests += _partner_test(partner_ids)
    tests.append((OUT_OF_RANGE, f"score < 0 OR score > {src.score_max:g}"))
    keep = ["partner", *texts, "score", "year", "month", "evaluated_at_us"]
    if has_fail:
        keep.append("COALESCE(auto_fail, 0) AS auto_fail")
    bad = [("evaluated_at_raw", "evaluated_at_us"), ("score_raw", "score")]
    bad += [("auto_fail_raw", "auto_fail")] if has_fail else []
    dups = "evaluation_id" in columns
    return [
        _parsed_cte("qa", parsed),
        _hours_cte("qa", ["evaluated_at"], src.timezone),
        _timed_cte("qa", ["evaluated_at"], src.timezone, "evaluated_at"),
        _tested_cte("qa", keep, tests, bad, timed=True),
        *([_dups_cte("qa")] if dups else []),
        _checked_cte("qa", _seconds_columns({"evaluated_at": "evaluated_s"}), dups),
    ]


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


def roster_ctes(raw: RawData, read: FileRead, partner_ids: Sequence[str] | None) -> list[Cte]:
    src = raw.sources.roster
    assert src is not None
    columns = src.columns.model_dump(exclude_none=True)
    types = read.types
    parsed = [
        f"{_partner(types, src.partner_values)} AS partner",
        f"{_text('agent_id', types)} AS agent_id",
        f"{_raw('hired_on', types)} AS hired_on_raw",
        f"{_date('hired_on', types, src.date_format)} AS hired_on",
    ]
    if "left_on" in columns:
        parsed += [
            f"{_raw('left_on', types)} AS left_on_raw",
            f"{_date('left_on', types, src.date_format)} AS left_on",
        ]
    else:
        parsed += ["CAST(NULL AS VARCHAR) AS left_on_raw", "CAST(NULL AS DATE) AS left_on"]
    # The same agent listed twice with the same hire date is a duplicate; a rehire is not.
    parsed.append(
        f"{_partner(types, src.partner_values)} || '|' || {_text('agent_id', types)} || '|' || "
        f"COALESCE({_text('hired_on', types)}, '') AS agent_key"
    )
    parsed += _SOURCE_COLUMNS
    tests = [
        (MISSING_FIELD, "partner IS NULL OR agent_id IS NULL OR hired_on_raw IS NULL"),
        (UNPARSEABLE_TIMESTAMP, "hired_on IS NULL OR (left_on_raw IS NOT NULL AND left_on IS NULL)"),
        *_partner_test(partner_ids),
        (LEFT_BEFORE_HIRED, "left_on < hired_on"),
    ]
    keep = [
        "partner",
        "agent_id",
        "agent_key",
        "hired_on",
        "left_on",
        "CAST(EXTRACT(YEAR FROM hired_on) AS INTEGER) AS year",
        "CAST(EXTRACT(MONTH FROM hired_on) AS INTEGER) AS month",
    ]
    bad = [("hired_on_raw", "hired_on"), ("left_on_raw", "left_on")]
    return [
        _parsed_cte("roster", parsed),
        _tested_cte("roster", keep, tests, bad, timed=False),
        _dups_cte("roster"),
        _checked_cte("roster"),
    ]


CTE_BUILDERS = {
    "interactions": interactions_ctes,
    "surveys": surveys_ctes,
    "qa": qa_ctes,
    "roster": roster_ctes,
}


# --- stage 5: the measures ---------------------------------------------------------------------


@dataclass(frozen=True)
class MeasureSql:
    """A KPI as sums over accepted rows and a value made of those sums."""

    kpi: str
    source: str
    sums: tuple[tuple[str, str], ...]  # (name, row expression summed in the cube)
    value: str  # expression over SUM(name) columns of the cube
    volume: str
    table: str = ""  # where the sums are: the source's cube (accepted rows), or interactions_repeat


def _filters(spec: object, source: str) -> list[str]:
    out = []
    for attr, column in (("channels", "channel"), ("programmes", "programme"), ("types", "type")):
        values = getattr(spec, attr, None)
        if values:
            out.append(f"{column} IN ({_text_list(values)})")
    return out


def _when(conditions: Sequence[str], then: str = "1") -> str:
    if not conditions:
        return then
    return f"CASE WHEN {' AND '.join(conditions)} THEN {then} ELSE 0 END"


def measure_sql(spec: object, index: int, raw: RawData) -> MeasureSql:
    """Row-level sums and the value formula of one configured measure."""
    name = f"k{index}"
    source = MEASURE_SOURCE[spec.measure]  # type: ignore[attr-defined]
    where = _filters(spec, source)
    answered = "answered_s IS NOT NULL"
    wait = "(COALESCE(answered_s, ended_s) - arrived_s)"

    def share(numerator: list[str], denominator: list[str], *, scale: str = "100.0") -> MeasureSql:
        sums = ((f"{name}_n", _when([*where, *numerator])), (f"{name}_d", _when([*where, *denominator])))
        return MeasureSql(
            spec.kpi,
            source,
            sums,
            f"{scale} * SUM({name}_n) / SUM({name}_d)",
            f"SUM({name}_d)",  # type: ignore[attr-defined]
        )

    def mean(value: str, denominator: list[str]) -> MeasureSql:
        sums = ((f"{name}_n", _when([*where, *denominator], value)), (f"{name}_d", _when([*where, *denominator])))
        return MeasureSql(spec.kpi, source, sums, f"SUM({name}_n) / SUM({name}_d)", f"SUM({name}_d)")  # type: ignore[attr-defined]

    def offered(threshold: float) -> list[str]:
        # short abandons (gave up before `threshold` seconds) were never really offered
        return [f"({answered} OR {wait} >= {threshold:g})"] if threshold > 0 else []

    def abandoned(threshold: float) -> list[str]:
        return [f"answered_s IS NULL AND {wait} >= {threshold:g}"]

    match spec:
        case Offered():
            m = share(offered(spec.short_abandon_seconds), offered(spec.short_abandon_seconds))
            return MeasureSql(m.kpi, source, m.sums, f"SUM({name}_n)", m.volume)
        case Answered():
            m = share([answered], [answered])
            return MeasureSql(m.kpi, source, m.sums, f"SUM({name}_n)", m.volume)
        case Abandoned():
            m = share(abandoned(spec.short_abandon_seconds), offered(spec.short_abandon_seconds))
            return MeasureSql(m.kpi, source, m.sums, f"SUM({name}_n)", m.volume)
        case AbandonRate():
            return share(abandoned(spec.short_abandon_seconds), offered(spec.short_abandon_seconds))
        case ServiceLevel():
            within = [answered, f"answered_s - arrived_s <= {spec.answered_within_seconds:g}"]
            if spec.denominator is ServiceLevelDenominator.ANSWERED:
                return share(within, [answered])
            return share(within, offered(spec.short_abandon_seconds))
        case Asa():
            return mean("answered_s - arrived_s", [answered])
        case Aht():
            parts = ["talk_seconds"]
            columns = raw.sources.interactions.columns if raw.sources.interactions else None
            parts += [f"COALESCE({f}, 0)" for f in ("hold_seconds", "acw_seconds") if getattr(columns, f, None)]
            return mean(" + ".join(parts), [answered])
        case TransferRate():
            return share([answered, "COALESCE(transfers, 0) > 0"], [answered])
        case RepeatContactRate() | FcrProxy():
            window = f"{spec.within_days:g} * 86400"
            # a contact counts only once its whole N-day window lies inside the data (no censoring);
            # the sums are in interactions_repeat (accepted contacts with a customer id)
            counted = [answered, f"arrived_s + {window} <= data_end_s"]
            repeated = [*counted, f"next_arrived_s - arrived_s <= {window}"]
            m = share(repeated, counted)
            value = f"100.0 - {m.value}" if isinstance(spec, FcrProxy) else m.value
            return MeasureSql(m.kpi, source, m.sums, value, m.volume, REPEAT)
        case CsatTopBox():
            return share([f"csat >= {spec.top_box_min:g}"], ["csat IS NOT NULL"])
        case Nps():
            sums = (
                (f"{name}_p", _when([*where, "nps >= 9"])),
                (f"{name}_x", _when([*where, "nps <= 6"])),
                (f"{name}_d", _when([*where, "nps IS NOT NULL"])),
            )
            value = f"100.0 * (SUM({name}_p) - SUM({name}_x)) / SUM({name}_d)"
            return MeasureSql(spec.kpi, source, sums, value, f"SUM({name}_d)")
        case SurveyFcr():
            return share(["fcr = 1"], ["fcr IS NOT NULL"])
        case QaScore():
            return mean("score", [])
        case QaAutoFailRate():
            return share(["auto_fail = 1"], [])
        case QaPassRate():
            fail = ["auto_fail = 0"] if raw.sources.qa and raw.sources.qa.columns.auto_fail else []
            return share([f"score >= {spec.pass_score:g}", *fail], [])
        case Attrition():
            factor = "1200.0" if spec.annualised else "100.0"
            return MeasureSql(spec.kpi, "roster", (), f"{factor} * leavers / avg_headcount", "avg_headcount")
    raise AssertionError(f"unknown measure {spec!r}")


SAMPLE_FIELDS = ("source_key", "source_index", "source_row", "record_id", "bad_value", "bad_field")
_RECORD_ID = {"interactions": "contact_id", "surveys": "response_id", "qa": "evaluation_id", "roster": "agent_id"}
REPEAT = "interactions_repeat"


def samples_aggregate(source: str, per_group: int, columns: Mapping[str, object]) -> str:
    """DuckDB aggregate keeping the first rows (in file order) of a group: the data-quality samples."""
    record = _RECORD_ID[source]
    values = {name: name for name in SAMPLE_FIELDS}
    values["record_id"] = f"CAST({record} AS VARCHAR)" if record in columns else "CAST(NULL AS VARCHAR)"
    pack = ", ".join(f"{name} := {value}" for name, value in values.items())
    # the struct is built for rejected rows only (CASE), not for the millions of accepted ones
    sample = f"CASE WHEN reject_reason IS NOT NULL THEN STRUCT_PACK({pack}) END"
    return f"ARG_MIN({sample}, source_key, {int(per_group)}) FILTER (WHERE reject_reason IS NOT NULL)"


def _segments(segments: set[str]) -> tuple[list[str], list[str]]:
    present = [c for c in ("channel", "programme") if c in segments]
    absent = [f"CAST(NULL AS VARCHAR) AS {c}" for c in ("channel", "programme") if c not in segments]
    return present, absent


def _cube_cte(
    source: str, measures: Sequence[MeasureSql], segments: set[str], samples: str | None, last_arrival: bool
) -> Cte:
    """Sums per partner, month, segment and reject reason: small, so every KPI row, breakdown and
    data-quality count is read from it (the KPIs from the groups without a reject reason)."""
    sums = [f"SUM({expr}) AS {n}" for m in measures for n, expr in m.sums]
    present, absent = _segments(segments)
    keys = ", ".join(["partner", "year", "month", *present, "reject_reason"])
    extra = ["COUNT(*) AS rows_read"] + ([f"{samples} AS samples"] if samples else [])
    if last_arrival:
        extra.append("MAX(arrived_s) AS last_arrived_s")
    body = ",\n    ".join(["partner", "year", "month", *present, *absent, "reject_reason", *extra, *sums])
    return Cte(f"{source}_cube", f"  SELECT\n    {body}\n  FROM {source}_checked\n  GROUP BY {keys}")


def _repeat_cte(raw: RawData, measures: Sequence[MeasureSql], segments: set[str]) -> Cte:
    """Repeat-contact sums per partner, month and segment: each accepted contact with a customer id
    and that customer's next accepted contact (whichever partner or channel took it, in arrival
    order, ties in file order), against the last accepted arrival in the data. The window carries
    only the columns these sums need: its sort is the costly step."""
    columns = raw.sources.interactions.columns if raw.sources.interactions else None
    present, absent = _segments(segments)
    filters = [c for c in ("channel", "programme", "type") if getattr(columns, c, None) and c not in present]
    sums = [f"SUM({expr}) AS {n}" for m in measures for n, expr in m.sums]
    carried = ", ".join(["partner", "year", "month", *present, *filters, "arrived_s", "answered_s"])
    keys = ", ".join(["partner", "year", "month", *present])
    body = ",\n    ".join(["partner", "year", "month", *present, *absent, *sums])
    return Cte(
        REPEAT,
        f"  SELECT\n    {body}\n  FROM (\n"
        f"    SELECT {carried},\n"
        "      LEAD(arrived_s) OVER (PARTITION BY customer_id ORDER BY arrived_s, source_key) AS next_arrived_s\n"
        "    FROM interactions_checked WHERE reject_reason IS NULL AND customer_id IS NOT NULL\n"
        "  ) AS contacts\n"
        "  CROSS JOIN (\n"
        "    SELECT MAX(last_arrived_s) AS data_end_s FROM interactions_cube WHERE reject_reason IS NULL\n"
        "  ) AS data_end\n"
        f"  GROUP BY {keys}",
    )


def event_ctes(raw: RawData, source: str, samples_per_group: int | None = None) -> list[Cte]:
    """From `<source>_checked` to `<source>_cube`, and for repeat measures `interactions_repeat`
    (an event source: interactions, surveys or qa)."""
    measures = [measure_sql(spec, i, raw) for i, spec in enumerate(raw.kpis)]
    mine = [m for m in measures if m.source == source and not m.table]
    repeats = [m for m in measures if m.source == source and m.table == REPEAT]
    columns = getattr(raw.sources, source).columns.model_dump(exclude_none=True)
    samples = samples_aggregate(source, samples_per_group, columns) if samples_per_group else None
    segments = segment_columns(raw, source)
    ctes = [_cube_cte(source, mine, segments, samples, bool(repeats))]
    if repeats:
        ctes.append(_repeat_cte(raw, repeats, segments))
    return ctes


def _period(year: str, month: str) -> str:
    return f"CAST({year} AS VARCHAR) || '-' || LPAD(CAST({month} AS VARCHAR), 2, '0')"


def _kpi_select(m: MeasureSql, segment: str | None) -> str:
    seg = f"{segment}" if segment else "CAST(NULL AS VARCHAR)"
    group = "partner, year, month" + (f", {segment}" if segment else "")
    table = m.table or f"{m.source}_cube WHERE reject_reason IS NULL"
    return (
        f"  SELECT partner, {_period('year', 'month')} AS period, {literal(m.kpi)} AS kpi, "
        f"CAST({m.value} AS DOUBLE) AS value, CAST({m.volume} AS DOUBLE) AS volume, "
        f"{seg} AS segment\n"
        f"  FROM {table} GROUP BY {group} HAVING {m.volume} > 0"
    )


def _attrition_ctes(sources_present: Sequence[str]) -> list[Cte]:
    """Month spine per partner and headcount: employed on the first and on the last day of each month."""
    events = [
        f"SELECT partner, year * 12 + month - 1 AS m FROM {s}_cube WHERE reject_reason IS NULL"
        for s in sources_present
        if s != "roster"
    ]
    if not events:
        events = [
            "SELECT partner, year * 12 + month - 1 AS m FROM roster_accepted",
            "SELECT partner, CAST(EXTRACT(YEAR FROM left_on) * 12 + EXTRACT(MONTH FROM left_on) - 1 AS INTEGER) AS m"
            " FROM roster_accepted WHERE left_on IS NOT NULL",
        ]
    union = "\n    UNION ALL ".join(events)
    return [
        Cte(
            "attrition_bounds",
            f"  SELECT partner, MIN(m) AS first_m, MAX(m) AS last_m FROM (\n    {union}\n  ) AS e\n"
            "  WHERE partner IN (SELECT partner FROM roster_accepted)\n  GROUP BY partner",
        ),
        Cte(
            "attrition_months(partner, m, last_m)",
            "  SELECT partner, first_m, last_m FROM attrition_bounds\n"
            "  UNION ALL\n"
            "  SELECT partner, m + 1, last_m FROM attrition_months WHERE m < last_m",
        ),
        Cte(
            "attrition_days",
            "  SELECT partner, year, month, MAKE_DATE(year, month, 1) AS first_day,\n"
            "    CAST(MAKE_DATE(year, month, 1) + INTERVAL '1' MONTH - INTERVAL '1' DAY AS DATE) AS last_day FROM (\n"
            "    SELECT partner, CAST(FLOOR(m / 12.0) AS INTEGER) AS year,\n"
            "      CAST(m - 12 * FLOOR(m / 12.0) + 1 AS INTEGER) AS month\n"
            "    FROM attrition_months\n  ) AS ym",
        ),
        Cte(
            "attrition_cube",
            "  SELECT d.partner, d.year, d.month,\n"
            "    SUM(CASE WHEN r.hired_on <= d.first_day AND (r.left_on IS NULL OR r.left_on >= d.first_day)"
            " THEN 1 ELSE 0 END) AS start_headcount,\n"
            "    SUM(CASE WHEN r.hired_on <= d.last_day AND (r.left_on IS NULL OR r.left_on >= d.last_day)"
            " THEN 1 ELSE 0 END) AS end_headcount,\n"
            "    SUM(CASE WHEN r.left_on >= d.first_day AND r.left_on <= d.last_day"
            " THEN 1 ELSE 0 END) AS leavers\n"
            "  FROM attrition_days AS d JOIN roster_accepted AS r ON r.partner = d.partner\n"
            "  GROUP BY d.partner, d.year, d.month",
        ),
    ]


def _attrition_select(m: MeasureSql) -> str:
    avg = "((start_headcount + end_headcount) / 2.0)"
    value = m.value.replace("avg_headcount", avg)
    return (
        f"  SELECT partner, {_period('year', 'month')} AS period, {literal(m.kpi)} AS kpi, "
        f"CAST({value} AS DOUBLE) AS value, CAST({avg} AS DOUBLE) AS volume, CAST(NULL AS VARCHAR) AS segment\n"
        f"  FROM attrition_cube WHERE {avg} > 0"
    )


def segment_columns(raw: RawData, source: str) -> set[str]:
    src = getattr(raw.sources, source)
    if src is None or source == "roster":
        return set()
    return {c for c in ("channel", "programme") if getattr(src.columns, c, None)}


def source_ctes(raw: RawData, reads: Mapping[str, FileRead], partner_ids: Sequence[str] | None) -> dict[str, list[Cte]]:
    """Per configured source: its read CTE, then its parsed ... checked CTEs (see the module docstring)."""
    out: dict[str, list[Cte]] = {}
    for source in SOURCES:
        src = getattr(raw.sources, source)
        if src is None:
            continue
        columns = src.columns.model_dump(exclude_none=True)
        out[source] = [read_cte(source, columns, reads[source]), *CTE_BUILDERS[source](raw, reads[source], partner_ids)]
    return out


def final_ctes(raw: RawData, present: Sequence[str]) -> list[Cte]:
    """After the cubes: the roster's accepted rows and the attrition CTEs, when a KPI needs them."""
    if not any(isinstance(spec, Attrition) for spec in raw.kpis) or "roster" not in present:
        return []
    roster = Cte("roster_accepted", "  SELECT * FROM roster_checked WHERE reject_reason IS NULL")
    return [roster, *_attrition_ctes(present)]


def kpi_selects(raw: RawData) -> list[str]:
    """The SELECTs of the KPI rows (and breakdown rows), one per configured measure."""
    selects: list[str] = []
    for i, spec in enumerate(raw.kpis):
        m = measure_sql(spec, i, raw)
        if m.source == "roster":
            selects.append(_attrition_select(m))
            continue
        selects.append(_kpi_select(m, None))
        if getattr(spec, "by", None) is not None:
            selects.append(_kpi_select(m, spec.by.value))  # type: ignore[union-attr]
    return selects


HEADER = """\
-- govdocs: KPIs from raw records, as one SQL statement.
-- Output: partner, period (YYYY-MM, in each source's time zone), kpi, value, volume, source,
--   segment (NULL for the partner's total; 'channel'/'programme' value for breakdown rows).
-- Portable SQL except: the FILE READ CTEs (DuckDB read_csv/read_parquet: replace them by your
-- tables), TRY_CAST/TRY_STRPTIME (SAFE_CAST elsewhere), REGEXP_MATCHES, AT TIME ZONE,
-- EPOCH_US (microseconds since 1970 of a timestamp) and EXTRACT(EPOCH FROM ...) (seconds).
"""


def kpi_query(raw: RawData, reads: Mapping[str, FileRead], partner_ids: Sequence[str] | None) -> str:
    """ONE statement computing the canonical long KPI table (plus breakdown rows) from the files."""
    per_source = source_ctes(raw, reads, partner_ids)
    ctes = [c for source_list in per_source.values() for c in source_list]
    for source in per_source:
        if source != "roster":
            ctes += event_ctes(raw, source)
    return HEADER + final_select([*ctes, *final_ctes(raw, list(per_source))], kpi_selects(raw))


def final_select(ctes: Sequence[Cte], selects: Sequence[str]) -> str:
    """The KPI rows: the measures' SELECTs united, after the CTEs they read."""
    union = "\n  UNION ALL\n".join(selects)
    return (
        "WITH RECURSIVE\n"
        + "".join(f"{c},\n" for c in ctes)
        + f"kpi_rows AS (\n{union}\n)\n"
        + "SELECT partner, period, kpi, value, volume, 'measured' AS source, segment\n"
        + "FROM kpi_rows\nORDER BY partner, period, kpi, segment NULLS FIRST\n"
    )
