"""The DuckDB adapter: embedded, reading the CSV, JSON and Parquet files the statements name
directly, out of core (within `memory_limit`, spilling to a temporary folder beyond it). It also
describes the files for either engine (raw/describe.py), so it is opened on every run."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from govdocs.raw.heads import _joined_reads
from govdocs.raw.resolve import refuse_urls

if TYPE_CHECKING:
    import pandas as pd

    from govdocs.raw.engines.base import Engine
    from govdocs.raw.locations import Url
    from govdocs.raw.model import RawData
    from govdocs.raw.sql.text import FileRead


def connect(memory_limit: str = "1GB", temp_directory: Path | None = None, threads: int | None = None):
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


class DuckEngine:
    """A DuckDB connection as an `Engine`."""

    name = "DuckDB"
    extra = None  # the raw extra's own
    reads_views = False  # the statements read the files themselves

    def __init__(self, con) -> None:
        self.con = con

    @classmethod
    def open(cls, memory_limit: str = "1GB", temp_directory: Path | None = None, threads: int | None = None):
        return cls(connect(memory_limit, temp_directory, threads))

    @staticmethod
    def check_files(raw: RawData, files: Mapping[str, Sequence[Path | Url]]) -> None:
        refuse_urls(
            files, "the duckdb engine reads local files only; --engine spark reads the URLs its session reaches"
        )

    @staticmethod
    def start(raw: RawData, master: str | None, local: Engine) -> Engine:
        """DuckDB runs the statements on the connection that described the files."""
        return local

    def remote_files(self, files: Mapping[str, Sequence[Path | Url]], folder: Path):
        """Nothing to fetch: `check_files` refused any URL, so every file is local and described as it is."""
        return files, files, {}

    def execute(self, text: str):
        return self.con.execute(text)

    def register(self, source: str, read: FileRead) -> None:
        """Nothing: the statements name the files."""

    def view(self, name: str, frame: pd.DataFrame) -> None:
        self.con.register(name, frame)

    def joined_reads(self, reads: Mapping[str, FileRead], folder: Path, texts: Mapping[str, bytes]) -> dict:
        return {s: _joined_reads(r, folder, self, texts) for s, r in reads.items()}

    def temp_tables(self) -> set[str]:
        return {
            name for (name,) in self.con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()
        }

    def close(self) -> None:
        self.con.close()
