"""Aggregate step, raw half: raw exports -> the canonical long KPI table, on an engine.

The files are resolved (resolve.py) and described by DuckDB (describe.py, heads.py); the
statements then run on the engine chosen, through its adapter (engines/: DuckDB embedded, out
of core within `memory_limit`, or Spark), which this module reaches only through the `Engine`
interface; the data-quality report and its refusals are report.py's. Each
source's stages run as a few statements that each stream the rows once (duplicate ids; sums
per partner, month, segment and reject reason with sample rows; repeat contacts), so no
statement holds millions of wide rows; the KPI rows and the data-quality report are both
computed from the small tables they leave. The same definitions are available as one SQL
statement (`aggregation_sql`) that gives the same KPI table when run on its own (`run_sql`).
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from govdocs.errors import ExitCode, GovdocsError, Location, Problem
from govdocs.progress import step
from govdocs.raw import presets, quality, sql
from govdocs.raw.describe import describe
from govdocs.raw.engines import Engine, engine_error, engine_kind, problem
from govdocs.raw.engines.duck import DuckEngine
from govdocs.raw.locations import Url
from govdocs.raw.model import RawData
from govdocs.raw.report import _quality, _refuse_empty, _refuse_unusable
from govdocs.raw.resolve import refuse_urls, resolve_files, with_lookups
from govdocs.raw.sql import drill as drill_sql

KPI_COLUMNS = ("partner", "period", "kpi", "value", "volume", "source")
BREAKDOWN_COLUMNS = ("partner", "period", "kpi", "segment_by", "segment", "value", "volume", "source")
CSV_LAYOUT = sql.platforms.CSV_LAYOUT  # a preset's file of CSV rows (Salesforce's Bulk API 2.0 results)


@dataclass(frozen=True)
class RawFile:
    source: str
    path: Path | Url
    sha256: str = ""  # a Url's, computed where it is read (a local file is hashed when asked)


@dataclass(frozen=True)
class QaReviewRows:
    """The monthly sums QA calibration and coaching are made of (govdocs/qa_review.py adds them up)."""

    calibration: pd.DataFrame | None  # partner, m, section, pairs, diff_sum, diff_squares, within
    coaching: pd.DataFrame | None  # partner, agent_id, m, evaluations, score_sum, low, low_followed
    roster: pd.DataFrame | None  # partner, agent_id, hired_on, left_on, team
    calibration_rules: object = None  # the calibration source (tolerance, minimum pairs, confidence)
    coaching_rules: object = None  # raw_data.coaching


@dataclass(frozen=True)
class Aggregation:
    """KPIs computed from raw records, their breakdowns and the data-quality report."""

    kpis: pd.DataFrame  # partner, period (YYYY-MM), kpi, value, volume, source="measured"
    breakdown: pd.DataFrame  # + segment_by (channel/programme), segment: rows for KPIs with `by`
    quality: quality.QualityReport
    files: tuple[RawFile, ...] = field(default=())
    sql: str = ""
    # where a gap is: partner, period, kpi, dimension, segment, numerator, volume (govdocs/raw/sql/drill.py)
    drill: pd.DataFrame | None = None
    # QA calibration and coaching that follows: monthly sums (govdocs/raw/sql/qa_review.py)
    qa_review: QaReviewRows | None = None

    def kpi_data(self):  # -> govdocs.data.table.KpiData
        """The KPI table as the data loader's `KpiData`, ready for scoring (one source per raw file)."""
        return to_kpi_data(self.kpis, self.files)


# --- the SQL text and running it ---------------------------------------------------------------


def aggregation_sql(
    raw: RawData,
    *,
    base: Path = Path("."),
    partner_ids: Sequence[str] | None = None,
    reads: Mapping[str, sql.FileRead] | None = None,
    dialect: str = "duckdb",
    tables: Mapping[str, str] | None = None,
) -> str:
    """The whole aggregation as ONE SQL statement (`govdocs aggregate --sql`), in `dialect`.

    Without `tables`, the files are resolved and their headers read to learn the column types
    (unless `reads` says them). With `tables` (source -> table name; a source not named reads
    the table of its own name), every source is read from its table, its columns as text."""
    from govdocs import extras
    from govdocs.raw.sql import dialects

    extras.require("raw", "the aggregation's SQL text", "--sql")

    raw = with_lookups(raw, base, partner_ids)
    if tables is not None:
        present = [s for s in sql.SOURCES if getattr(raw.sources, s) is not None]
        for source in present:
            if presets.preset_of(getattr(raw.sources, source)) is not None:
                raise GovdocsError(
                    [
                        Problem(
                            "usage.table_preset",
                            "a platform preset reads the platform's files; "
                            "--table reads a table of the export's columns",
                            Location("--table", path=f"raw_data.sources.{source}.format"),
                            ExitCode.USAGE,
                        )
                    ]
                )
        tables = {s: tables.get(s, s) for s in present}
        reads = {
            s: sql.FileRead((), "csv", (), {f: "VARCHAR" for f in presets.fields_of(getattr(raw.sources, s))})
            for s in present
        }
    elif reads is None:
        files = resolve_files(raw, base)
        refuse_urls(files, "the SQL text is made from local files; name the warehouse's tables with --table")
        reads = describe(raw, files, base=base)
    text = sql.kpi_query(raw, reads, partner_ids, tables)
    if dialect == "duckdb":
        return text
    body = dialects.translate(text.removeprefix(sql.HEADER), dialect, pretty=True)
    return dialects.header(dialect) + body + "\n"


def _kpi_frames(rows: pd.DataFrame, raw: RawData) -> tuple[pd.DataFrame, pd.DataFrame]:
    by = {spec.kpi: getattr(spec, "by", None) for spec in raw.kpis}
    total = rows[rows["segment"].isna()]
    kpis = total[list(KPI_COLUMNS)].reset_index(drop=True)
    split = rows[rows["segment"].notna()].copy()
    split["segment_by"] = [by[k].value if by.get(k) else None for k in split["kpi"]]
    return kpis, split[list(BREAKDOWN_COLUMNS)].reset_index(drop=True)


def run_sql(text: str, *, memory_limit: str = "1GB", temp_directory: Path | None = None) -> pd.DataFrame:
    """Run an aggregation SQL text in a fresh DuckDB connection; the rows as a frame."""
    with tempfile.TemporaryDirectory(prefix="govdocs-duckdb-", dir=temp_directory) as spill:
        con = DuckEngine.open(memory_limit, Path(spill))
        try:
            return con.execute(text).df()
        finally:
            con.close()


def aggregate(
    raw: RawData,
    *,
    base: Path,
    partner_ids: Sequence[str] | None,
    temp_directory: Path | None = None,
    threads: int | None = None,
    samples_per_reason: int = 5,
    engine: str | None = None,
    spark_master: str | None = None,
    drill_down: bool = True,
) -> Aggregation:
    """Read the raw exports, check every row, compute the KPIs; raise GovdocsError on unusable input.

    `partner_ids` are the config's partners (rows of any other partner are rejected; None: no check).
    Rejected rows never raise: they are counted in `Aggregation.quality`. `engine` (else the
    section's own) runs the statements on DuckDB or, translated, on Spark (`spark_master`, else
    the section's, else local[*]); the files are described by DuckDB either way. `drill_down=False`
    leaves out the drill-down rows (where a gap is): a KPI table alone needs none."""

    raw = with_lookups(raw, base, partner_ids)
    files = resolve_files(raw, base)
    kind = engine_kind(engine or raw.engine.value)
    kind.check_files(raw, files)  # DuckDB: local files only; Spark: no platform preset
    digests: dict[str, str] = {}
    texts: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory(prefix="govdocs-duckdb-", dir=temp_directory) as spill:
        duck: Engine = DuckEngine.open(raw.memory_limit, Path(spill), threads)  # describes the files
        con: Engine | None = None  # runs the statements
        try:
            described, remote = files, any(isinstance(p, Url) for paths in files.values() for p in paths)
            if remote:  # only an engine that reads URLs gets here: its session lists and hashes them first
                con = kind.start(raw, spark_master, duck)
                files, described, digests = con.remote_files(files, Path(spill))
            try:
                # a URL's file: DuckDB describes a copy of its head; small files' text kept for _joined_reads
                with step(f"reading the raw exports' columns ({', '.join(described)})"):
                    reads = describe(raw, described, duck, base, texts)
            except GovdocsError as exc:
                raise (_named_by_url(exc, described, files) if remote else exc) from None
            if remote:
                reads = {s: replace(r, paths=tuple(str(p) for p in files[s])) for s, r in reads.items()}
            if con is None:
                con = kind.start(raw, spark_master, duck)
            engine_name = con.name
            per_source = sql.source_ctes(raw, reads, partner_ids, scan=con.reads_views)
            joined = con.joined_reads(reads, Path(spill), texts)
            texts.clear()
            fast = sql.source_ctes(raw, joined, partner_ids) if joined != reads else per_source
            upstream: list[sql.Cte] = []  # the interactions' stages the drill-down reads that are not tables
            upstreams: dict[str, list[sql.Cte]] = {}  # each source's stages kept as CTEs (QA: coaching)
            # the roster first: the drill-down reads its checked rows (the agents' tenure, team and site)
            for source, ctes in sorted(per_source.items(), key=lambda item: item[0] != "roster"):
                con.register(source, reads[source])
                text = reads[source].file_format != "parquet"
                count = len(files[source])
                with step(f"{source}: checking the rows of {count} file{'s' * (count != 1)} on {engine_name}"):
                    if joined[source] == reads[source]:
                        pending = _run_source(con, raw, source, ctes, files[source], samples_per_reason, text)
                    else:
                        before = con.temp_tables()
                        try:  # small CSV files joined into one, read in one scan (the SQL text reads them as they are)
                            pending = _run_source(
                                con, raw, source, fast[source], files[source], samples_per_reason, text
                            )
                        except GovdocsError:  # read them one by one: the error then names the file and its line
                            for table in con.temp_tables() - before:
                                con.execute(f"DROP TABLE {sql.identifier(table)}")
                            pending = _run_source(con, raw, source, ctes, files[source], samples_per_reason, text)
                upstreams[source] = pending
                if source == "interactions":
                    upstream = pending
            query = sql.final_select(sql.final_ctes(raw, list(per_source)), sql.kpi_selects(raw))
            try:
                with step(f"computing the KPIs on {engine_name}"):
                    rows = con.execute(query).df()
            except Exception as exc:
                if not engine_error(exc):
                    raise
                raise GovdocsError([problem(exc, "raw", list(files.get("interactions", ())) or [base])]) from None
            splits = drill_down and "interactions" in per_source
            drill = _drill(con, raw, upstream, engine_name, files) if splits else None
            reviewed = _qa_review(con, raw, upstreams, engine_name, files)
            with step("counting the rejected rows for the data-quality report"):
                report = _quality(con, raw, files, per_source, samples_per_reason, reads)
            _refuse_empty(con, raw, report, per_source, reads)
        finally:
            for opened in {id(e): e for e in (con, duck) if e is not None}.values():  # DuckDB's may run it too
                opened.close()
    _refuse_unusable(report)
    kpis, breakdown = _kpi_frames(rows, raw)
    raw_files = tuple(RawFile(s, p, digests.get(str(p), "")) for s, paths in files.items() for p in paths)
    query = sql.kpi_query(raw, reads, partner_ids)
    return Aggregation(kpis, breakdown, report, raw_files, query, drill, reviewed)


def _drill(con, raw: RawData, upstream: Sequence[sql.Cte], engine_name: str, files) -> pd.DataFrame | None:
    """The drill-down rows (where a gap is) on the engine that computed the KPIs; None when the
    interactions carry no KPI whose gap can be split."""
    if not drill_sql.drill_ctes(raw):
        return None
    try:
        with step(f"splitting the KPIs by segment on {engine_name}"):
            return con.execute(drill_sql.drill_query(raw, list(upstream))).df()
    except Exception as exc:
        if not engine_error(exc):
            raise
        raise GovdocsError([problem(exc, "interactions", list(files.get("interactions", ())))]) from None


def _qa_review(con, raw: RawData, upstreams: Mapping[str, Sequence[sql.Cte]], engine_name: str, files):
    """QA calibration pairs and coaching that follows, as monthly sums, on the engine that read the
    records; None when no source for either is configured."""
    from govdocs.raw.sql import qa_review

    src = raw.sources
    coached = src.qa is not None and src.qa.columns.agent_id is not None
    if src.calibration is None and not coached:
        return None

    def run(source: str, text: str, upstream: Sequence[sql.Cte] = ()) -> pd.DataFrame:
        head = "WITH " + ",\n".join(str(c) for c in upstream) + ",\n" if upstream else ""
        text = head + text[len("WITH ") :] if upstream and text.startswith("WITH ") else head + text
        try:
            return con.execute(text).df()
        except Exception as exc:
            if not engine_error(exc):
                raise
            raise GovdocsError([problem(exc, source, list(files.get(source, ())))]) from None

    with step(f"pairing the QA calibration scores and following the coaching on {engine_name}"):
        calibration = run("calibration", qa_review.calibration_select(raw)) if src.calibration is not None else None
        coaching = run("qa", qa_review.coaching_select(raw, raw.coaching), upstreams.get("qa", ())) if coached else None
        roster = run("roster", qa_review.roster_select()) if coached and src.roster is not None else None
    return QaReviewRows(calibration, coaching, roster, src.calibration, raw.coaching)


def _named_by_url(
    exc: GovdocsError, heads: Mapping[str, Sequence[Path | Url]], files: Mapping[str, Sequence[Path | Url]]
) -> GovdocsError:
    """The problems DuckDB found in the local copies of URLs' heads, naming the URLs instead."""
    names = {str(h): str(u) for s in files for h, u in zip(heads[s], files[s], strict=True) if str(h) != str(u)}

    def named(text: str) -> str:
        for head, url in names.items():
            text = text.replace(head, url)
        return text

    return GovdocsError(
        [
            replace(p, message=named(p.message), location=replace(p.location, file=named(p.location.file)))
            for p in exc.problems
        ]
    )


def _run_source(
    con, raw: RawData, source: str, ctes: Sequence[sql.Cte], paths: Sequence[Path], per_group: int, text: bool
) -> list[sql.Cte]:
    """A source's stages as a few statements, each a chain of CTEs read by one consumer (so DuckDB
    streams it, never buffering millions of rows): the stages read by more than one later stage
    (the hours' offsets, the duplicate ids) become small temporary tables, then `<source>_cube`
    (sums per partner, month, segment and reject reason, with a few sample rows of each reject
    group) and, for repeat measures, `interactions_repeat`; the roster becomes `roster_checked`.
    Parquet files are read again by each statement (reading columns is cheap); CSV text (`text`)
    is read once into a temporary table, and its checked rows are kept too, so the text is not
    decompressed and parsed again for each statement."""
    table = source in sql.TABLE_SOURCES
    final = [ctes[-1]] if table else sql.event_ctes(raw, source, per_group)
    stages = list(ctes) if table else [*ctes, *final]
    pending: list[sql.Cte] = []
    try:
        for cte in stages:
            keep = cte.table or cte in final or (text and cte.name in (f"{source}_read", f"{source}_tested"))
            if not keep:
                pending.append(cte)
                continue
            head = f"WITH {', '.join(str(c) for c in pending)}\n" if pending else ""
            con.execute(f"CREATE TEMP TABLE {cte.name} AS {head}{cte.body}")
        return pending
    except Exception as exc:
        if not engine_error(exc):
            raise
        raise GovdocsError([problem(exc, source, paths)]) from None


def to_kpi_data(kpis: pd.DataFrame, files: Sequence[RawFile] = ()):
    """The canonical KPI frame as `govdocs.data.table.KpiData` (columns partner, kpi, month,
    value, volume, source, line, file), with each raw file as a source (hash, rows unknown: 0)."""
    import hashlib

    from govdocs.data.table import KpiData, SourceFile
    from govdocs.periods import Month

    months = {p: Month.parse(p).index for p in set(kpis["period"])}
    frame = pd.DataFrame(
        {
            "partner": kpis["partner"].astype(str),
            "kpi": kpis["kpi"].astype(str),
            "month": kpis["period"].map(months).astype(int),
            "value": kpis["value"].astype(float),
            "volume": kpis["volume"].astype(float),
            "source": kpis["source"].astype(object),
            "line": 0,
            "file": 0,
        }
    )
    sources = []
    for raw_file in files:
        if raw_file.sha256:
            sources.append(SourceFile(raw_file.path.name, raw_file.sha256, 0, "raw"))
            continue
        digest = hashlib.sha256()
        with raw_file.path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        sources.append(SourceFile(raw_file.path.name, digest.hexdigest(), 0, "raw"))
    return KpiData(frame=frame, sources=sources)
