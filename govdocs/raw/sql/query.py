"""Raw SQL, the statement: the sources' and measures' CTEs chained into the one query that yields
the canonical long KPI table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from govdocs.raw.model import (
    Attrition,
    RawData,
)
from govdocs.raw.presets import preset_of
from govdocs.raw.sql.measures import MeasureSql, _attrition_ctes, _attrition_select, _period, event_ctes, measure_sql
from govdocs.raw.sql.platforms import preset_ctes
from govdocs.raw.sql.sources import CTE_BUILDERS
from govdocs.raw.sql.stages import read_cte, table_read_cte
from govdocs.raw.sql.text import SOURCES, Cte, FileRead, literal


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


def source_ctes(
    raw: RawData,
    reads: Mapping[str, FileRead],
    partner_ids: Sequence[str] | None,
    scan: bool = False,
    tables: Mapping[str, str] | None = None,
) -> dict[str, list[Cte]]:
    """Per configured source: its read CTE, then its parsed ... checked CTEs (see the module
    docstring). `scan`: CSV files read in one scan (see `read_cte`); `tables`: each source read
    from the table of that name instead of its files."""
    out: dict[str, list[Cte]] = {}
    for source in SOURCES:
        src = getattr(raw.sources, source)
        if src is None:
            continue
        if tables is not None:
            read = [table_read_cte(source, src.columns.model_dump(exclude_none=True), tables[source])]
        elif source == "interactions" and preset_of(src) is not None:
            read = preset_ctes(src, reads[source])
        else:
            read = [read_cte(source, src.columns.model_dump(exclude_none=True), reads[source], scan)]
        out[source] = [*read, *CTE_BUILDERS[source](raw, reads[source], partner_ids)]
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


def kpi_query(
    raw: RawData,
    reads: Mapping[str, FileRead],
    partner_ids: Sequence[str] | None,
    tables: Mapping[str, str] | None = None,
) -> str:
    """ONE statement computing the canonical long KPI table (plus breakdown rows) from the files,
    or from the tables named per source (`tables`)."""
    per_source = source_ctes(raw, reads, partner_ids, tables=tables)
    if not any(isinstance(spec, Attrition) for spec in raw.kpis):
        per_source.pop("roster", None)  # a roster for the drill-down only (where a gap is): no KPI reads it
    for source in ("calibration", "coaching"):  # QA calibration and coaching (qa_review.py): no KPI reads them
        per_source.pop(source, None)
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
