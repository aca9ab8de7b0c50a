"""Commands that write tables, not documents: `export` (the scored quarter) and `aggregate` (raw
records to the KPI table, or its SQL)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from govdocs.cli.app import DateType, cli, handle_errors, issue_date
from govdocs.cli.options import (
    check_selection,
    config_option,
    data_option,
    emit_json,
    partner_options,
    project_option,
    project_quarter,
    quarter_option,
    raw_option,
)
from govdocs.periods import Month, Quarter

STDOUT = Path("-")


def _stdout_table(columns: list[str], rows: list[list[Any]]) -> None:
    """CSV on stdout: `--out -`, for a pipe."""
    from govdocs.render.tables import to_csv

    sys.stdout.buffer.write(to_csv(columns, rows))
    sys.stdout.flush()


def _rows_json(columns: list[str], rows: list[list[Any]]) -> None:
    from govdocs.render.tables import to_json

    click.echo(to_json(columns, rows).decode("utf-8"), nl=False)


@cli.command()
@project_option
@config_option
@data_option
@quarter_option("Quarter to export, e.g. 2026-Q3.")
@partner_options("Every partner in the config")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="Table to write: .csv, .xlsx, .json or .parquet (the name's ending picks the format); "
    "- writes CSV to stdout. Default: - (or nothing with --json).",
)
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
@click.option(
    "--as-of",
    type=DateType(),
    help="Date the escalation status is worked out on (default: today): a plan on record that ended "
    "unmet by then counts.",
)
@click.option(
    "--table",
    "table",
    type=click.Choice(["scorecard", "credits"]),
    default="scorecard",
    show_default=True,
    help="scorecard: partner x KPI; credits: the service-credit statements, partner x month x SLA over the "
    "trailing 12 months.",
)
@raw_option
@click.option("--json", "as_json", is_flag=True, help="Print the rows as JSON records on stdout.")
@handle_errors
def export(
    config_path: Path,
    data_paths: tuple[Path, ...],
    quarter: Quarter | None,
    partner_ids: tuple[str, ...],
    all_partners: bool,
    out: Path | None,
    force: bool,
    as_of: date | None,
    table: str,
    raw: Path | None,
    as_json: bool,
) -> None:
    """Write the quarter's scorecard (or its service credits) as a table (internal: every partner selected).

    One row per partner and KPI: terms, each month's value, volume and status, the quarter's
    value, status and points, the partner's score, tier and escalation status. Text a
    spreadsheet would run as a formula is written with a leading apostrophe.

    \b
    Example (in a project folder, or with --project DIR):
      govdocs export --out scorecard.xlsx
    \b
    Example (every path given):
      govdocs export --config examples/governance.yaml --data examples/data/kpis.csv \\
          --quarter 2026-Q3 --out output/scorecard-2026-Q3.xlsx
    """
    from govdocs.export import ExportRequest, export_table
    from govdocs.render.tables import write_table

    check_selection(partner_ids, all_partners)
    quarter = project_quarter(quarter, as_of)
    if out is None and not as_json:
        out = STDOUT
    request = ExportRequest(
        config_path,
        tuple(data_paths),
        quarter,
        tuple(partner_ids),
        out or STDOUT,
        issue_date(as_of, quarter),
        force,
        raw,
        table,
    )
    columns, rows, sheet = export_table(request)
    if out == STDOUT:
        if as_json:
            raise click.UsageError("--json prints the rows on stdout already: drop --out - or --json")
        _stdout_table(columns, rows)
        return
    if out is not None:
        write_table(out, columns, rows, sheet=sheet, stamp=quarter.end_date(), force=force)
    if as_json:
        _rows_json(columns, rows)
        return
    shape = "partner x KPI" if table == "scorecard" else "partner x month x SLA, 12 months"
    click.echo(f"wrote {out}  ({len(rows)} rows: {shape}, {quarter})")


def _tables(given: tuple[str, ...]) -> dict[str, str]:
    from govdocs.raw.sql import SOURCES

    out: dict[str, str] = {}
    for item in given:
        source, sep, table = item.partition("=")
        if not sep or source.strip() not in SOURCES or not table.strip():
            raise click.BadParameter(
                f"'{item}' is not SOURCE=TABLE with SOURCE one of {', '.join(SOURCES)}", param_hint="--table"
            )
        out[source.strip()] = table.strip()
    return out


@cli.command()
@project_option
@config_option
@raw_option
@click.option(
    "--out",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="Write the KPI table: .parquet, .csv, .xlsx or .json (the name's ending picks the format); "
    "- writes CSV to stdout (the report then goes to stderr).",
)
@click.option("--sql", "show_sql", is_flag=True, help="Print the aggregation as one SQL statement instead.")
@click.option(
    "--dialect",
    type=click.Choice(["duckdb", "spark", "trino", "bigquery", "snowflake", "postgres"]),
    default="duckdb",
    show_default=True,
    help="With --sql: the SQL dialect to print (duckdb and spark are run and compared by the tests).",
)
@click.option(
    "--table",
    "tables",
    multiple=True,
    metavar="SOURCE=TABLE",
    help="With --sql: read this source from a table holding the export's columns (repeatable; "
    "interactions=lake.calls). Given once, a source not named reads the table of its own name.",
)
@click.option("--force", is_flag=True, help="Replace the --out file if it exists.")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the data-quality report (what each source read, used, rejected) as JSON.",
)
@handle_errors
def aggregate(
    config_path: Path,
    raw: Path | None,
    out: Path | None,
    show_sql: bool,
    dialect: str,
    tables: tuple[str, ...],
    force: bool,
    as_json: bool,
) -> None:
    """Compute the KPI table from raw exports (interactions, surveys, QA, roster).

    Uses the raw_data section of --raw or of the config. Prints what each source read, used and
    rejected (and why); --out writes the table (partner, period, kpi, value, volume, source) that
    qbr, pip, offboarding and build compute the same way when given --raw; --sql prints the
    definitions as SQL to run in a warehouse.

    \b
    Example:
      govdocs aggregate --config examples/governance.yaml --raw examples/raw/mapping.yaml \\
          --out output/kpis-from-raw.parquet
    """
    from govdocs.config.loader import load_config
    from govdocs.raw.source import aggregate_raw, raw_section

    config = load_config(config_path)
    if show_sql:
        from govdocs.raw.engine import aggregation_sql

        section, base = raw_section(config, config_path, raw)
        named = _tables(tables) if tables else None
        ids = [p.id for p in config.partners]
        click.echo(aggregation_sql(section, base=base, partner_ids=ids, dialect=dialect, tables=named), nl=False)
        return
    if tables or dialect != "duckdb":
        raise click.UsageError("--dialect and --table go with --sql")
    if as_json and out == STDOUT:
        raise click.UsageError("--json prints the report on stdout: write the table to a file with --out FILE")
    from govdocs.raw.quality import reasons_text
    from govdocs.render.formatters import counted
    from govdocs.render.tables import check_format

    if out is not None:
        check_format(out)  # a format that cannot be written is said before the raw exports are read
    aggregation = aggregate_raw(config, config_path, raw)
    kpis = aggregation.kpis
    months = sorted(set(kpis["period"]))
    columns = list(kpis.columns)
    table_rows = [[None if value != value else value for value in row] for row in kpis.itertuples(index=False)]
    if as_json:
        if out is not None:
            from govdocs.render.tables import write_table

            stamp = Month.parse(months[-1]).first_day() if months else date(1970, 1, 1)
            write_table(out, columns, table_rows, sheet="KPIs", stamp=stamp, force=force)
        emit_json(_quality_json(aggregation, kpis, out))
        return
    to_stdout = out == STDOUT
    for source in aggregation.quality.sources:
        reasons = aggregation.quality.by_reason(source.source)
        why = reasons_text(reasons)
        files = f"{len(source.files)} file{'s' if len(source.files) != 1 else ''}"
        click.echo(
            f"{source.source}: {source.summary(files)}"
            + (f", {source.rejected:,} rejected ({why})" if source.rejected else ""),
            err=to_stdout,
        )
        for agreement in aggregation.quality.agreement:
            if agreement.source == source.source:
                click.echo(f"  {agreement.text()}", err=to_stdout)
    for problem in aggregation.quality.problems():
        click.echo(f"  {problem}", err=to_stdout)
    span = f"{months[0]} to {months[-1]}" if months else "no months"
    partners, measured = kpis["partner"].nunique(), kpis["kpi"].nunique()
    rows = f"{len(kpis):,} KPI {'row' if len(kpis) == 1 else 'rows'}"
    summary = f"{rows}: {counted(partners, 'partner')}, {counted(measured, 'KPI')}, {span}"
    if out is None:
        click.echo(summary)
        return
    if to_stdout:
        _stdout_table(columns, table_rows)
        click.echo(summary, err=True)
        return
    from govdocs.render.tables import write_table

    stamp = Month.parse(months[-1]).first_day() if months else date(1970, 1, 1)
    write_table(out, columns, table_rows, sheet="KPIs", stamp=stamp, force=force)
    click.echo(f"wrote {out}  ({summary})")


def _quality_json(aggregation: Any, kpis: Any, out: Path | None) -> dict[str, Any]:
    """The data-quality report of an aggregation, as `aggregate --json` prints it."""
    from dataclasses import asdict

    quality = aggregation.quality
    return {
        "sources": [{**asdict(source), "reasons": quality.by_reason(source.source)} for source in quality.sources],
        "rejects": [asdict(r) for r in quality.rejects],
        "samples": [asdict(s) for s in quality.samples],
        "agreement": [asdict(a) for a in quality.agreement],
        "problems": [str(p) for p in quality.problems()],
        "kpis": {
            "rows": len(kpis),
            "partners": int(kpis["partner"].nunique()),
            "kpis": int(kpis["kpi"].nunique()),
            "months": sorted(set(kpis["period"])),
        },
        "out": str(out) if out is not None else None,
    }
