"""The engines that run the raw step's statements, behind one interface: `Engine`.

What DuckDB and Spark do differently sits in one adapter each (duck.py, spark.py): how the
engine starts and which files it may read, running a statement, fetching its result (`df()`,
`fetchall()`), registering a source's files or a frame as a view, and what it leaves open. The
KPI definitions (raw/engine.py), the data-quality report (raw/report.py) and the drill-downs
(raw/sql/drill.py through engine._drill, gaps.py) call this interface only; a third engine is a
third adapter and one entry in `ENGINES`.
"""

from __future__ import annotations

from govdocs.raw.engines.base import Engine, EngineKind, Result, engine_error, problem

__all__ = ["Engine", "EngineKind", "Result", "engine_error", "engine_kind", "problem"]


def engine_kind(name: str) -> EngineKind:
    """The adapter of the engine named in --engine or the raw_data section ("duckdb", "spark")."""
    from govdocs.raw.engines.duck import DuckEngine
    from govdocs.raw.engines.spark import SparkEngine

    engines: dict[str, EngineKind] = {"duckdb": DuckEngine, "spark": SparkEngine}
    return engines.get(name, DuckEngine)
