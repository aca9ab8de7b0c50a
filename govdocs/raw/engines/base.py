"""The interface every engine adapter implements (`Engine`), and what the raw step does with any
engine's errors. See govdocs/raw/engines/__init__.py."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from govdocs.errors import ExitCode, Location, Problem

if TYPE_CHECKING:
    import pandas as pd

    from govdocs.raw.locations import Url
    from govdocs.raw.model import RawData
    from govdocs.raw.sql.text import FileRead


class Result(Protocol):
    """A statement's result."""

    def df(self) -> pd.DataFrame: ...
    def fetchall(self) -> list[Any]: ...


class Engine(Protocol):
    """One running engine: what the raw step asks of DuckDB and of Spark alike."""

    name: str  # as progress lines name it: "DuckDB", "Spark"
    reads_views: bool  # statements read each source from a registered view, not from its files

    def execute(self, text: str) -> Result:
        """Run one DuckDB-dialect statement (`CREATE TEMP TABLE x AS ...` keeps a table)."""
        ...

    def remote_files(self, files: Mapping[str, Sequence[Path | Url]], folder: Path) -> tuple[Any, Any, dict]:
        """The files named by URL, listed and hashed where the engine reads them, with a local copy of
        each one's head to describe: (files, the files to describe, each URL file's sha256)."""
        ...

    def register(self, source: str, read: FileRead) -> None:
        """Make a source's files readable by the statements (nothing to do where they read files)."""
        ...

    def view(self, name: str, frame: pd.DataFrame) -> None:
        """A pandas frame as a view the statements read by `name`."""
        ...

    def joined_reads(self, reads: Mapping[str, FileRead], folder: Path, texts: Mapping[str, bytes]) -> dict:
        """The reads with small files of one header joined, where the engine reads them faster so."""
        ...

    def temp_tables(self) -> set[str]:
        """The temporary tables the statements have made."""
        ...

    def close(self) -> None: ...


class EngineKind(Protocol):
    """An engine before it runs: which files it may read, and how it starts."""

    name: str
    extra: str | None  # the govdocs extra it needs beyond `raw` (pip install 'govdocs[spark]')

    @staticmethod
    def check_files(raw: RawData, files: Mapping[str, Sequence[Path | Url]]) -> None: ...

    @staticmethod
    def start(raw: RawData, master: str | None, local: Engine) -> Engine: ...


def engine_error(exc: Exception) -> bool:
    """An error of an engine running a statement (DuckDB's, or Spark's first line)."""
    import duckdb

    from govdocs.raw.spark import EngineError

    return isinstance(exc, duckdb.Error | EngineError)


def problem(exc: Exception, source: str, paths: Sequence[Path]) -> Problem:
    """An engine's refusal to read a source's files, as the one line naming its (first) file."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    where = str(paths[0]) if len(paths) == 1 else f"{paths[0]} (+{len(paths) - 1} more)"
    return Problem("raw.unreadable", f"cannot read the {source} files: {first}", Location(where), ExitCode.DATA)
