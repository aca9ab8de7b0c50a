"""The Spark adapter: the statements translated to Spark SQL and run on a session (raw/spark.py:
the session, the statements' translation, reading the files and URLs), each source's files
registered as a view."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from govdocs.raw import spark
from govdocs.raw.resolve import _format

if TYPE_CHECKING:
    import pandas as pd

    from govdocs.raw.engines.base import Engine
    from govdocs.raw.locations import Url
    from govdocs.raw.model import RawData
    from govdocs.raw.sql.text import FileRead


class SparkEngine(spark.SparkConnection):
    """A Spark session as an `Engine`."""

    name = "Spark"
    extra = "spark"
    reads_views = True  # each source's files are a view (`register`)

    @staticmethod
    def check_files(raw: RawData, files: Mapping[str, Sequence[Path | Url]]) -> None:
        spark.refuse_platforms(files, [_format(getattr(raw.sources, s), files[s]) for s in files])

    @staticmethod
    def start(raw: RawData, master: str | None, local: Engine) -> Engine:
        """A session on `master`, else the section's, else local[*] (SPARK_REMOTE: Spark Connect)."""
        return SparkEngine(spark.start_session(master or raw.spark_master))

    def remote_files(self, files: Mapping[str, Sequence[Path | Url]], folder: Path):
        """The URLs' files listed and hashed by the session, a local copy of each one's head for
        DuckDB to describe: (files, heads to describe, digests)."""
        files, described, digests, self.delimiters = spark.remote_files(self.session, files, folder)
        return files, described, digests

    def view(self, name: str, frame: pd.DataFrame) -> None:
        self.session.createDataFrame(frame).createOrReplaceTempView(name)

    def joined_reads(self, reads: Mapping[str, FileRead], folder: Path, texts: Mapping[str, bytes]) -> dict:
        return dict(reads)  # a view reads every file of a source at once already

    def temp_tables(self) -> set[str]:
        return set(self.created)
