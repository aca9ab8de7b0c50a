"""The raw engine on Apache Spark (`--engine spark`): the same statements the DuckDB engine runs,
translated by `sql.dialects`, on a Spark session (local[*] by default, a cluster with
--spark-master, or Spark Connect when SPARK_REMOTE is set).

Only the file read is Spark's own: each CSV file becomes a DataFrame with its data rows numbered
in file order (a CSV file is read whole, multiLine, so its rows stay in order; the numbers are
the DuckDB engine's `source_row`), each Parquet file one with its `_metadata.row_index`; the
read CTE's `read_csv(path)` then names that DataFrame's view. Everything after it, from the
parsing to the data-quality samples, is the DuckDB text, translated.
"""

from __future__ import annotations

import os
import re
import socket
import uuid
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from govdocs.errors import ExitCode, GovdocsError, Location, Problem
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
    default). One error line when pyspark is missing or too old, Java is absent, or the master is
    unreachable."""
    # pyspark's own warnings are not the user's to act on: the tests hold its results on this
    # pandas to DuckDB's, and a window over the whole table is what the definitions ask for
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
    warnings.filterwarnings("ignore", message=".*No Partition Defined for Window operation", category=UserWarning)
    try:
        import pyspark
        from pyspark.sql import SparkSession
    except ImportError:
        raise _problem("--engine spark needs pyspark: pip install 'govdocs[spark]'") from None
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


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else "no message"


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
    tables: dict[tuple[str, ...], str] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)
    prefix: str = field(default_factory=lambda: "govdocs_" + uuid.uuid4().hex[:8])

    def execute(self, text: str) -> Result:
        created = _CREATE.match(text)
        query = created.group(2) if created else text
        translated = dialects.translate(query, "spark", self.tables)  # a failure here is govdocs' bug
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
        """The source's files as one view the translated read CTE selects from (CSV or Parquet:
        `refuse_platforms` has turned the others away)."""
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
            "sep": read.delimiter or _sniffed(path),
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


def _uri(path: str) -> str:
    return path if "://" in path else Path(path).resolve().as_uri()


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


def refuse_platforms(sources: Mapping[str, object], formats: Sequence[str]) -> None:
    """Platform presets and JSON are read by the DuckDB engine only (their reads use DuckDB's JSON
    functions and list lambdas, which the translation does not carry)."""
    for source, fmt in zip(sources, formats, strict=True):
        if fmt not in ("csv", "parquet"):
            raise _problem(
                f"--engine spark reads CSV and Parquet sources; the {source} source is format: {fmt} "
                "(use --engine duckdb)",
                f"raw_data.sources.{source}.format",
            )
