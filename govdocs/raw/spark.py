"""The raw engine on Apache Spark (`--engine spark`): the same statements the DuckDB engine runs,
translated by `sql.dialects`, on a Spark session (local[*] by default, a cluster with
--spark-master, or Spark Connect when SPARK_REMOTE is set).

Only the file read is Spark's own: each CSV file becomes a DataFrame with its data rows numbered
in file order (a CSV file is read whole, multiLine, so its rows stay in order; the numbers are
the DuckDB engine's `source_row`), each Parquet file one with its `_metadata.row_index`; the
read CTE's `read_csv(path)` then names that DataFrame's view. A JSON file (format: json, and
the platform presets' records, API envelopes and lookups) is read as its `read_json` asks
(`dialects.JsonRead`): its top-level values in file order -- JSON lines line by line, anything
else (an array, pretty-printed or concatenated records) split whole -- each parsed with the
read's columns, every leaf text, keys matched exactly (a record's other keys, such as contact
attributes differing only in case, are never looked at). Everything after it, from the
parsing to the data-quality samples, is the DuckDB text, translated.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import socket
import tempfile
import uuid
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlparse

from govdocs import extras
from govdocs.errors import ExitCode, GovdocsError, Location, Problem
from govdocs.progress import step
from govdocs.raw.sql import dialects
from govdocs.raw.sql.text import FileRead

# recursive CTEs (the attrition months) came with Spark 4.1
MINIMUM_SPARK = (4, 1)
_CREATE = re.compile(r"\s*CREATE TEMP TABLE (\w+) AS (.*)\Z", re.DOTALL)


class EngineError(Exception):
    """A statement Spark refused: the first line of its message."""


def _problem(message: str, where: str = "--engine spark") -> GovdocsError:
    return GovdocsError([Problem("raw.engine", message, Location(where), ExitCode.ENGINE)])


def _check_master(master: str) -> None:
    """A spark:// master that does not answer is named at once, not after Spark's own retries."""
    parsed = urlparse(master)
    if parsed.scheme != "spark":
        return
    for host_port in parsed.netloc.split(","):
        host, _, port = host_port.partition(":")
        try:
            with socket.create_connection((host, int(port or 7077)), timeout=5):
                return
        except (OSError, ValueError):
            continue
    raise _problem(f"the Spark master {master} does not answer", "--spark-master")


def start_session(master: str | None = None, memory: str = "2g"):
    """A Spark session: Spark Connect when SPARK_REMOTE is set, else the master given (local[*] by
    default). One error line when pyspark is missing (exit 9) or too old, Java is absent, or the master is
    unreachable."""
    # pyspark's own warnings are not the user's to act on: the tests hold its results on this
    # pandas to DuckDB's, and a window over the whole table is what the definitions ask for
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
    warnings.filterwarnings("ignore", message=".*No Partition Defined for Window operation", category=UserWarning)
    extras.require("spark", "the Spark engine", "--engine")
    import pyspark
    from pyspark.sql import SparkSession

    version = tuple(int(p) for p in re.findall(r"\d+", pyspark.__version__)[:2])
    if version < MINIMUM_SPARK:
        wanted = ".".join(map(str, MINIMUM_SPARK))
        raise _problem(f"--engine spark needs Spark {wanted} or newer; pyspark {pyspark.__version__} is installed")
    builder = SparkSession.builder.appName("govdocs")
    if not os.environ.get("SPARK_REMOTE"):
        master = master or "local[*]"
        _check_master(master)
        builder = builder.master(master).config("spark.driver.memory", memory).config("spark.ui.enabled", "false")
        builder = builder.config("spark.ui.showConsoleProgress", "false")
        quiet = Path(__file__).with_name("log4j2.properties").as_uri()
        builder = builder.config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile={quiet}")
        if master.startswith("local"):
            # a few shuffle partitions per core, not Spark's 200 (sized for a cluster): on one
            # machine each of those is a task to schedule for every grouping and window
            builder = builder.config("spark.sql.shuffle.partitions", str(4 * (os.cpu_count() or 2)))
    builder = (
        builder.config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.ansi.enabled", "false")  # DuckDB's NULL for 1/0, never an error
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
    )
    try:
        with step(f"starting Spark ({'Spark Connect' if os.environ.get('SPARK_REMOTE') else master})"):
            session = builder.getOrCreate()
    except Exception as exc:  # py4j and pyspark raise several kinds; each ends the run in one line
        text = str(exc)
        if "PACKAGE_NOT_INSTALLED" in text and os.environ.get("SPARK_REMOTE"):
            missing = text.split("]", 1)[-1].split(" must be installed")[0].strip()
            raise _problem(f"Spark Connect (SPARK_REMOTE) needs {missing}: pip install 'govdocs[spark]'") from None
        if "JAVA_GATEWAY_EXITED" in text or "JAVA_HOME" in text or "java" in text.lower() and "not found" in text:
            raise _problem("Spark could not start Java: install Java 17 or set JAVA_HOME") from None
        raise _problem(f"Spark could not start: {_first_line(text)}") from None
    if not os.environ.get("SPARK_REMOTE"):
        session.sparkContext.setLogLevel("ERROR")
    return session


_JAVA_CLASSES = re.compile(r"^:?\s*(?:[\w$.]+(?:Exception|Error): )+")


def _first_line(text: str) -> str:
    """The message of an error, without py4j's 'An error occurred while calling o43.load.' and
    the Java exception classes in front of what the JVM said."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if len(lines) > 1 and lines[0].startswith("An error occurred while calling"):
        lines = lines[1:]
    return _JAVA_CLASSES.sub("", lines[0]) if lines else "no message"


@dataclass
class Result:
    frame: object  # a pyspark DataFrame

    def fetchall(self) -> list:
        try:
            return self.frame.collect()  # Rows: tuples, whose structs are read by field name as well
        except Exception as exc:
            raise EngineError(_first_line(str(exc))) from None

    def df(self):
        try:
            frame = self.frame.toPandas()
        except Exception as exc:
            raise EngineError(_first_line(str(exc))) from None
        import pandas as pd

        # text columns as DuckDB's .df() gives them: pandas' string type, or objects (None) when
        # the column holds no text at all
        text = [c for c in frame.columns if frame[c].dtype.kind not in "biufcmM"]
        for column in text:
            values = frame[column]
            frame[column] = (
                values.astype("str")
                if values.notna().any()
                else pd.Series([None] * len(values), index=values.index, dtype=object)
            )
        return frame


@dataclass
class SparkConnection:
    """What the DuckDB engine asks of its connection (`execute(text)` with `fetchall()` and `df()`),
    on Spark: each statement translated; `CREATE TEMP TABLE x AS ...` a cached view."""

    session: object
    delimiters: dict[str, str] = field(default_factory=dict)  # a URL's CSV delimiter, sniffed in its head
    tables: dict = field(default_factory=dict)  # a file read (paths, or a dialects.JsonRead) -> its view
    created: list[str] = field(default_factory=list)
    prefix: str = field(default_factory=lambda: "govdocs_" + uuid.uuid4().hex[:8])
    folder: str | None = None  # JSON files' values written one a line, removed on close

    def __post_init__(self) -> None:
        self.tables = _Views(self, self.tables)

    def execute(self, text: str) -> Result:
        created = _CREATE.match(text)
        query = created.group(2) if created else text
        try:  # a DialectError is govdocs' bug; anything else, a JSON file read on first being named
            translated = dialects.translate(query, "spark", self.tables)
        except dialects.DialectError:
            raise
        except Exception as exc:
            raise EngineError(_first_line(str(exc))) from None
        try:
            frame = self.session.sql(translated)
            if created:
                # computed once, its plan cut: later statements read the rows, not the plan again
                frame = frame.localCheckpoint(eager=True)
                frame.createOrReplaceTempView(created.group(1))
                self.created.append(created.group(1))
        except Exception as exc:
            raise EngineError(_first_line(str(exc))) from None
        return Result(frame)

    def register(self, source: str, read: FileRead) -> None:
        """The source's files as one view the translated read CTE selects from (CSV or Parquet);
        a platform's CSV or Parquet files as a view each (its JSON files, and JSON sources, are
        read as the statements name them: `json_view`)."""
        if read.file_format not in ("csv", "parquet"):
            self._register_each(source, read)
            return
        try:
            frames = [self._file(path, read) for path in read.paths]
            frame = frames[0]
            for other in frames[1:]:
                frame = frame.unionByName(other, allowMissingColumns=True)
            if read.file_format == "csv":
                # numbered once: the row numbers come from a non-deterministic order of reading,
                # which Spark would otherwise compute again for each statement that reads the view
                frame = frame.localCheckpoint(eager=True)
        except Exception as exc:
            where = read.paths[0] if len(read.paths) == 1 else f"{read.paths[0]} (+{len(read.paths) - 1} more)"
            message = f"Spark cannot read the {source} files: {_first_line(str(exc))}"
            raise GovdocsError([Problem("raw.unreadable", message, Location(where), ExitCode.DATA)]) from None
        name = f"{self.prefix}_{source}"
        frame.createOrReplaceTempView(name)
        self.tables[tuple(read.paths)] = name

    def _register_each(self, source: str, read: FileRead) -> None:
        """A preset's CSV and Parquet files, each a view of its own with its rows numbered from 1
        (`govdocs_row`, as the preset's `ROW_NUMBER() OVER ()` translates)."""
        from govdocs.raw.sql.platforms import CSV_LAYOUT, PARQUET

        for index, path in enumerate(read.paths):
            layout = read.layouts[index] if read.layouts else ""
            if layout not in ("", CSV_LAYOUT, PARQUET) or read.file_format == "json":
                continue
            kind = "parquet" if layout == PARQUET else "csv"
            try:
                frame = self._file(path, replace(read, file_format=kind))
                frame = frame.withColumn("govdocs_row", frame["file_row_number"] + 1).localCheckpoint(eager=True)
            except Exception as exc:
                raise _unreadable(source, path, exc) from None
            name = f"{self.prefix}_{source}_{index}"
            frame.createOrReplaceTempView(name)
            self.tables[(path,)] = name

    def json_view(self, read) -> str:
        """The view of one `read_json` (a dialects.JsonRead), read the first time a statement names it."""
        from pyspark.sql import functions as F
        from pyspark.sql.window import Window

        values = self._json_values(read.path, read.layout)
        schema = _struct_ddl(read.columns)
        parsed = values.select("govdocs_object", F.from_json("value", schema, {"mode": "FAILFAST"}).alias("v"))
        if read.records:
            array = F.col("v")
            for part in read.records:
                array = array.getField(part)
            exploded = parsed.select("govdocs_object", F.posexplode(array).alias("govdocs_pos", "value"))
            order = Window.orderBy("govdocs_object", "govdocs_pos")
            frame = exploded.select("value", F.row_number().over(order).alias("govdocs_row"))
        else:
            order = Window.orderBy("govdocs_object")
            frame = parsed.select("v.*", F.row_number().over(order).alias("govdocs_row"))
        frame = frame.localCheckpoint(eager=True)
        name = f"{self.prefix}_json_{len(self.tables)}"
        frame.createOrReplaceTempView(name)
        return name

    def _json_values(self, path: str, layout: str):
        """The file's top-level JSON values as text, numbered in file order (`govdocs_object`), by
        Spark's line reader (split across tasks). JSON lines are read as they are; an array's
        elements, or records pretty-printed or concatenated (as Firehose writes them), are first
        split here and written one a line (their line breaks, never inside a JSON string, as spaces)."""
        from pyspark.sql import functions as F

        if layout == "array" or not _json_lines(path) or _hidden_gzip(path):
            path = self._as_lines(path, layout == "array")
        lines = self.session.read.text(_uri(path))
        lines = lines.where(F.trim("value") != "")
        return lines.select(F.monotonically_increasing_id().alias("govdocs_object"), "value")

    def _as_lines(self, path: str, inside_array: bool) -> str:
        if self.folder is None:
            self.folder = tempfile.mkdtemp(prefix="govdocs-spark-")
        target = Path(self.folder) / f"values-{len(os.listdir(self.folder))}.jsonl"
        with _opened(path) as handle:  # bounded: a file (or a gzip bomb) larger than this is refused
            data = handle.read(WHOLE_FILE_BYTES + 1)
        if len(data) > WHOLE_FILE_BYTES:
            raise EngineError(
                f"{path}: a JSON file that is not JSON lines is split on the driver, and this one is larger "
                f"than {WHOLE_FILE_BYTES // 2**20} MB read whole: deliver it as JSON lines (one record a line), "
                "or in smaller files"
            )
        text = data.decode("utf-8-sig")
        try:
            values = _split(text, inside_array)
        except ValueError as exc:
            raise EngineError(f"{path}: not JSON: {exc}") from None
        with target.open("w", encoding="utf-8") as out:
            for value in values:
                out.write(value.replace("\r", " ").replace("\n", " ") + "\n")
        return str(target)

    def _file(self, path: str, read: FileRead):
        """One file as a DataFrame with the columns the one-scan read CTE selects beside the
        export's: `govdocs_file` (the path as listed) and `file_row_number` (0-based, file order)."""
        from pyspark.sql import functions as F
        from pyspark.sql.window import Window

        if read.file_format == "parquet":
            frame = self.session.read.parquet(_uri(path))
            return frame.select(
                "*", F.col("_metadata.row_index").alias("file_row_number"), F.lit(path).alias("govdocs_file")
            )
        options = {
            "header": "true",
            "multiLine": "true",  # quoted line breaks, and the file read whole: its rows in order
            "sep": read.delimiter or self.delimiters.get(path) or _sniffed(path),
            "quote": '"',
            "escape": '"',
            "mode": "PERMISSIVE",
            "encoding": "UTF-8",
        }
        frame = self.session.read.options(**options).csv(_uri(path))
        order = Window.orderBy(F.monotonically_increasing_id())
        return frame.select(
            "*", (F.row_number().over(order) - 1).alias("file_row_number"), F.lit(path).alias("govdocs_file")
        )

    def close(self) -> None:
        for name in {*self.tables.values(), *self.created}:
            self.session.catalog.dropTempView(name)
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


# The lines of a URL's CSV file DuckDB describes (its header and columns, its delimiter sniffed):
# the sniffer's own sample is 20,480 rows.
HEAD_LINES = 20_481
HEAD_ROWS = 1_000  # the Parquet rows copied with a URL's schema


def remote_files(session, files: Mapping[str, Sequence[object]], folder: Path):
    """The URLs among `files` (locations.Url, e.g. s3a://lake/calls/*.csv.gz) as the Spark session
    reads them: each pattern's files listed (sorted, each once) and hashed (SHA-256 of the bytes
    as stored, as a local file's), with a local copy of each file's head for DuckDB to describe
    and, for CSV, the delimiter DuckDB sniffs there. Returns the files, what to describe in
    their place, the hashes and the delimiters by URL; local paths pass through as they are."""
    from govdocs.raw.locations import PARQUET_SUFFIXES, Url

    listed: dict[str, tuple] = {}
    described: dict[str, tuple] = {}
    digests: dict[str, str] = {}
    delimiters: dict[str, str] = {}
    for source, paths in files.items():
        found: list = []
        heads: list = []
        for pattern in paths:
            if not isinstance(pattern, Url):
                found.append(pattern)
                heads.append(pattern)
                continue
            for url, digest in _listed(session, source, pattern):
                if any(str(f) == url for f in found):
                    continue
                head = folder / f"head-{len(digests)}"
                if url.lower().endswith(PARQUET_SUFFIXES):
                    head = _parquet_head(session, source, url, head.with_suffix(".parquet"))
                else:
                    head = _csv_head(session, source, url, head.with_suffix(".csv"))
                    delimiters[url] = _sniffed(str(head))
                found.append(Url(url))
                heads.append(head)
                digests[url] = digest
        listed[source], described[source] = tuple(found), tuple(heads)
    return listed, described, digests, delimiters


def _unreadable(source: str, where: str, exc: Exception) -> GovdocsError:
    message = f"Spark cannot read the {source} files: {_first_line(str(exc))}"
    return GovdocsError([Problem("raw.unreadable", message, Location(where), ExitCode.DATA)])


def _listed(session, source: str, pattern: str) -> list[tuple[str, str]]:
    """Every file the pattern matches, with its SHA-256, sorted by URL (Spark's binaryFile source:
    the bytes as stored, a compressed file's too, read where the session reads them)."""
    from pyspark.sql import functions as F

    try:
        frame = session.read.format("binaryFile").load(pattern)
        rows = frame.select("path", F.sha2("content", 256).alias("sha256")).collect()
    except Exception as exc:
        text = str(exc)
        if "PATH_NOT_FOUND" in text or "does not exist" in text.lower():
            rows = []
        elif "No FileSystem for scheme" in text or re.search(r"Class \S+FileSystem not found", text):
            scheme = urlparse(pattern).scheme
            message = (
                f"the Spark session has no file system for {scheme}:// (add its connector to the session, "
                "e.g. hadoop-aws for s3a://, hadoop-azure for abfss://)"
            )
            raise GovdocsError([Problem("raw.unreadable", message, Location(pattern), ExitCode.ENGINE)]) from None
        else:
            raise _unreadable(source, pattern, exc) from None
    if not rows:
        where = f"raw_data.sources.{source}.files"
        problem = Problem("raw.no_files", f"no file matches '{pattern}'", Location(pattern, path=where), ExitCode.DATA)
        raise GovdocsError([problem])
    return sorted((str(row["path"]), str(row["sha256"])) for row in rows)


def _csv_head(session, source: str, url: str, target: Path) -> Path:
    try:
        lines = [row[0] for row in session.read.text(url).limit(HEAD_LINES).collect()]
    except Exception as exc:
        raise _unreadable(source, url, exc) from None
    target.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return target


def _parquet_head(session, source: str, url: str, target: Path) -> Path:
    import pyarrow.parquet as pq

    try:
        table = session.read.parquet(url).limit(HEAD_ROWS).toArrow()
    except Exception as exc:
        raise _unreadable(source, url, exc) from None
    pq.write_table(table, target)
    return target


def _uri(path: str) -> str:
    """A local path as a file URI; a URL as it is (Spark lists file:///x as file:/x)."""
    return path if re.match(r"[A-Za-z][A-Za-z0-9+.-]+:", path) else Path(path).resolve().as_uri()


def _sniffed(path: str) -> str:
    """The delimiter DuckDB's sniffer finds (the DuckDB engine reads the file with it)."""
    import duckdb

    from govdocs.raw.sql.text import literal

    con = duckdb.connect(":memory:", config={"autoinstall_known_extensions": False})
    try:
        (delimiter,) = con.execute(f"SELECT Delimiter FROM sniff_csv({literal(path)})").fetchone()
    finally:
        con.close()
    return delimiter or ","


class _Views(dict):
    """The views standing for the file reads: a JSON read's made the first time it is named."""

    def __init__(self, connection: SparkConnection, known: Mapping) -> None:
        super().__init__(known)
        self.connection = connection

    def __missing__(self, key):
        from govdocs.raw.sql.dialects import JsonRead

        if not isinstance(key, JsonRead):
            raise KeyError(key)
        self[key] = self.connection.json_view(key)
        return self[key]


def _struct_ddl(columns: Sequence[tuple[str, str]]) -> str:
    """A read_json `columns` argument (name -> DuckDB type) as Spark's struct type."""
    from sqlglot import exp

    def name(text: str) -> str:
        return "`" + text.replace("`", "``") + "`"

    fields = [f"{name(k)}: {exp.DataType.build(kind, dialect='duckdb').sql('spark')}" for k, kind in columns]
    return "STRUCT<" + ", ".join(fields) + ">"


LINE_PROBE = 1 << 20  # the characters of a JSON file's first line looked at to tell JSON lines
# A JSON file that is not JSON lines (an array, pretty-printed or concatenated records) is split on
# the driver: read whole, so bounded (decompressed) like every other read
WHOLE_FILE_BYTES = 512 * 2**20


def _opened(path: str):
    """The file's bytes, through gzip when they start with its magic."""
    raw = open(path, "rb")  # noqa: SIM115 -- returned open, closed by the caller's with
    magic = raw.read(2)
    raw.seek(0)
    return gzip.GzipFile(fileobj=raw) if magic == b"\x1f\x8b" else raw


def _hidden_gzip(path: str) -> bool:
    """A gzip file without the .gz suffix by which Spark's reader knows to decompress it."""
    with open(path, "rb") as raw:
        return raw.read(2) == b"\x1f\x8b" and not path.lower().endswith(".gz")


def _json_lines(path: str) -> bool:
    """Whether the file is JSON lines: its first line is a whole JSON object (a pretty-printed
    record's first line is not; Firehose's concatenated records are one line of several)."""
    with _opened(path) as handle:
        first = handle.readline(LINE_PROBE)
    try:
        return first.endswith(b"\n") and isinstance(json.loads(first), dict)
    except ValueError:
        return False


def _split(text: str, inside_array: bool) -> list[str]:
    """The texts of the JSON values in `text`, in order: one after another, or the elements of
    the one array it holds. A malformed value raises (the read fails, as DuckDB's does)."""
    decoder = json.JSONDecoder()
    values: list[str] = []
    at, end = 0, len(text)

    def skip(position: int, also: str = "") -> int:
        while position < end and (text[position].isspace() or text[position] in also):
            position += 1
        return position

    at = skip(at)
    if inside_array:
        if text[at : at + 1] != "[":
            raise ValueError("the JSON file is not one array")
        at = skip(at + 1)
    while at < end:
        if inside_array and text[at] == "]":
            break
        _, stop = decoder.raw_decode(text, at)
        values.append(text[at:stop])
        at = skip(stop, "," if inside_array else "")
    return values


def refuse_platforms(sources: Mapping[str, Sequence[object]], formats: Sequence[str]) -> None:
    """JSON (format: json, and the platform presets' records) is read from local files: the URLs
    a Spark session lists are read as CSV or Parquet."""
    from govdocs.raw.locations import Url

    for (source, paths), fmt in zip(sources.items(), formats, strict=True):
        if fmt not in ("csv", "parquet") and any(isinstance(p, Url) for p in paths):
            raise _problem(
                f"--engine spark reads files named by URL as CSV or Parquet; the {source} source is "
                f"format: {fmt} (name its files by local path)",
                f"raw_data.sources.{source}.format",
            )
