"""Raw SQL, the building blocks: quoting, the reject reasons, a CTE and a file read."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# Reject reasons, in the order they are tested: a row gets the first that applies.
MISSING_FIELD = "missing_field"


UNPARSEABLE_TIMESTAMP = "unparseable_timestamp"


NOT_A_NUMBER = "not_a_number"


BAD_VALUE = "bad_value"


DUPLICATE_ID = "duplicate_id"


UNKNOWN_PARTNER = "unknown_partner"


ANSWER_BEFORE_ARRIVAL = "answer_before_arrival"


NEGATIVE_DURATION = "negative_duration"


# a platform's contact exported before it ended (a Genesys conversation with a segment still open)
IN_PROGRESS = "in_progress"


OUT_OF_RANGE = "out_of_range"


LEFT_BEFORE_HIRED = "left_before_hired"


# Not a reject: a platform's contact that never entered a queue (self-service, an outbound dial)
# is set aside, counted on its own, and neither offered nor answered.
NOT_QUEUED = "not_queued"


# A platform's own figures for a contact, where its records carry them (seconds): compared with
# govdocs' recomputation in the data-quality report; a KPI reads them only with `from: platform`.
PLATFORM_WAIT = "platform_wait"
PLATFORM_HANDLE = "platform_handle"
# whether the platform counts the contact within its service level: 1 within, 0 outside, NULL
# where it does not count it (CXone's serviceLevelFlag); its threshold is the platform's own
PLATFORM_WITHIN = "platform_within"
PLATFORM_FIGURES = (PLATFORM_WAIT, PLATFORM_HANDLE, PLATFORM_WITHIN)
# a platform's contact whose record holds a duration no duration is (negative, or not a usable
# number): the record's field (a preset's leg field, e.g. ivr_seconds) and its text, to reject it by
FLAWED_FIELD = "flawed_field"
FLAWED_VALUE = "flawed_value"


# a number of this size or more (or infinite, or NaN) is no count, score or duration, and no exact
# sum could hold it: rejected as not a number
LARGEST = 10**15


EVENT_SOURCES = ("interactions", "surveys", "qa")


SOURCES = (*EVENT_SOURCES, "roster", "calibration", "coaching")
# the sources read into a table of checked rows (no monthly cube): the roster, QA calibration
# pairs and coaching records (govdocs/raw/sql/qa_review.py)
TABLE_SOURCES = ("roster", "calibration", "coaching")


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
class JoinedFiles:
    """Small CSV files of one header copied into one file (`path`) to be read by one scan: the
    header once, then each file's rows after a boundary row whose first column (`first_column`)
    holds `boundary`, so each row's file and row number are counted back (see `read_cte`)."""

    path: str
    first_column: str
    boundary: str
    delimiter: str


@dataclass(frozen=True)
class FileRead:
    """How one source's files are read: each file with the export columns it has, and each mapped
    field's type ('VARCHAR' for CSV and JSON, 'VARCHAR NOTRIM' for Parquet strings)."""

    paths: tuple[str, ...]
    file_format: str  # csv, parquet, json, or a platform's format (amazon-connect, ...)
    columns: tuple[frozenset[str], ...]  # per file: the export's column names it has
    types: Mapping[str, str]  # govdocs field -> type of its column
    delimiter: str | None = None
    # JSON: per file, 'newline_delimited' (JSON lines) or 'array' (one array of records)
    layouts: tuple[str, ...] = ()
    # JSON: every dotted path read, so each file is read with the same all-text struct columns
    json_paths: tuple[str, ...] = ()
    # lookup files the read joins (genesys-cloud: the queues export naming the queue ids)
    lookups: tuple[str, ...] = ()
    # CSV: the files' positions in groups, each group read by one read_csv call (files with the
    # same header); empty: each file read by a call of its own
    batches: tuple[tuple[int, ...], ...] = ()
    # per batch: its files joined into one (the DuckDB engine's run; the SQL text reads the files)
    joined: tuple[JoinedFiles | None, ...] = ()


def json_columns(paths: Sequence[str]) -> str:
    """DuckDB's `columns` argument reading every path as text: 'Agent.Username' and 'Agent.ARN'
    become {'Agent': 'STRUCT("Username" VARCHAR, "ARN" VARCHAR)'}. Reading every leaf as text
    keeps a bad value a rejected row, never a failed read, as with CSV; a key a record lacks is NULL."""
    return "{" + ", ".join(f"{literal(k)}: {literal(kind)}" for k, kind in _json_kinds(paths).items()) + "}"


def json_record_type(paths: Sequence[str]) -> str:
    """One record of `json_columns` as a struct type, for records nested in an envelope
    ({"records": [...]}): every path read as text, as json_columns reads them."""
    return "STRUCT(" + ", ".join(f"{identifier(k)} {kind}" for k, kind in _json_kinds(paths).items()) + ")"


def _json_kinds(paths: Sequence[str]) -> dict[str, str]:
    """Each top-level key of `paths` -> its type: VARCHAR for a leaf, a STRUCT of its paths' leaves."""
    tree: dict = {}
    for path in paths:
        node = tree
        parts = path.split(".")
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):  # 'Agent' read whole and 'Agent.Username' too: keep the struct
                child = node[part] = {}
            node = child
        node.setdefault(parts[-1], None)

    def kind(node) -> str:
        if node is None:
            return "VARCHAR"
        return "STRUCT(" + ", ".join(f"{identifier(k)} {kind(v)}" for k, v in node.items()) + ")"

    return {k: kind(v) for k, v in tree.items()}


def read_function(
    path: str,
    file_format: str,
    delimiter: str | None = None,
    layout: str = "",
    json_paths: Sequence[str] = (),
    maximum_object_size: int | None = None,
) -> str:
    if file_format == "parquet":
        return f"read_parquet({literal(path)})"
    if layout:
        columns = f", columns = {json_columns(json_paths)}" if json_paths else ""
        size = f", maximum_object_size = {int(maximum_object_size)}" if maximum_object_size else ""
        return f"read_json({literal(path)}, format = {literal(layout)}{size}{columns})"
    options = "all_varchar = true, header = true"
    if delimiter is not None:
        options += f", delim = {literal(delimiter)}"
    return f"read_csv({literal(path)}, {options})"
