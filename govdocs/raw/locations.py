"""Where a raw file is: a local path or a URL the Spark session reads, and the endings that name
a file's format. Read by the DuckDB side (raw/engine.py) and the Spark side (raw/spark.py) alike,
so neither imports the other for them."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from urllib.parse import urlsplit

PARQUET_SUFFIXES = (".parquet", ".pq")
JSON_SUFFIXES = (".json", ".jsonl", ".ndjson")

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


class Url(str):
    """A file the Spark session reads (s3a://, abfss://, gs://, hdfs://, file://...): never opened
    here, and never by DuckDB. `name` is its last segment, as a local path's."""

    @property
    def name(self) -> str:
        return PurePosixPath(urlsplit(self).path).name


def is_url(pattern: str) -> bool:
    return _SCHEME.match(pattern) is not None
