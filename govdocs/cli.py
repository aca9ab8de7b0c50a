"""The `govdocs` command line: parse options, call one core function, report.

Heavy libraries (pandas, WeasyPrint, matplotlib) are imported inside the commands, so
`govdocs --help` starts as fast as Click itself. A `GovdocsError` becomes one line per
problem on stderr and its documented exit code; anything else is a bug, shown as one
line unless --debug asks for the traceback.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click

from govdocs import __version__
from govdocs.errors import ExitCode, GovdocsError, Terminated
from govdocs.periods import Month, Quarter

F = TypeVar("F", bound=Callable[..., Any])


class _ParsedType(click.ParamType):
    """A parameter parsed by `parse`, with an example of the expected form in the error."""

    example = ""

    def parse(self, text: str) -> Any:
        raise NotImplementedError

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return self.parse(value)
        except ValueError:
            self.fail(f"{value!r} is not a {self.name.lower()} like {self.example}", param, ctx)


class QuarterType(_ParsedType):
    name = "QUARTER"
    example = "2026-Q3"

    def parse(self, text: str) -> Quarter:
        return Quarter.parse(text)


class DateType(_ParsedType):
    name = "DATE"
    example = "2026-10-15"

    def parse(self, text: str) -> date:
        return date.fromisoformat(text)


ISSUE_YEARS = 3  # a document is issued after its quarter ends and within three years of it


def issue_date(as_of: date | None, quarter: Quarter) -> date:
    """The --as-of date (default today), refused unless the quarter has ended and it falls within
    three years of that: a Q3 review dated 1 July, or a date in the year 9999, is a typo."""
    from govdocs.errors import Location, Problem

    day = as_of or date.today()
    end = quarter.end_date()
    reason = None
    if day <= end:
        reason = f"is not after {quarter.label} ended ({end.isoformat()}): a document is issued after its quarter"
    elif (day - end).days > ISSUE_YEARS * 366:
        reason = f"is more than {ISSUE_YEARS} years after {quarter.label} ended ({end.isoformat()})"
    if reason is None:
        return day
    shown = f"today, {day.isoformat()}," if as_of is None else day.isoformat()
    raise GovdocsError([Problem("usage.as_of", f"{shown} {reason}", Location("--as-of"), ExitCode.USAGE)])


def _report(exc: GovdocsError) -> None:
    for problem in exc.problems:
        click.echo(f"error: {problem}", err=True)


def _interrupted(terminated: bool) -> None:
    from govdocs import signals

    signals.ignore()  # stopping already: a second signal may not cut the last line short
    signals.received.clear()  # this stop is handled (CliRunner runs many commands in one process)
    # Conventional codes: 128 + the signal's number (SIGINT 2, SIGTERM 15).
    stopped_by = "SIGTERM" if terminated else "Ctrl-C"
    click.echo(
        f"interrupted ({stopped_by}): no document was left half-written; run the same command again to finish",
        err=True,
    )
    sys.exit(143 if terminated else 130)


def handle_errors(func: F) -> F:
    """Turn core errors into their exit codes; hide tracebacks unless --debug."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from govdocs import signals

        debug = bool(click.get_current_context().find_root().params.get("debug"))
        try:
            signals.act()  # a stop held while the command line was read is raised here
            try:
                result = func(*args, **kwargs)
            except SystemExit:
                signals.check()  # a stop Python dropped (raised inside a weakref callback)
                raise
            signals.check()
            return result
        except GovdocsError as exc:
            if signals.received:  # the stop came first and the error followed from it
                _interrupted(signals.received[0] == signal.SIGTERM)
            if debug:
                raise
            _report(exc)
            sys.exit(int(exc.exit_code))
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except BrokenPipeError:
            # The reader stopped reading (`govdocs aggregate --sql | head`): nothing is wrong.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)
        except KeyboardInterrupt as exc:
            _interrupted(isinstance(exc, Terminated))
        except Exception as exc:  # a bug: say so in one line
            if signals.received:
                # Not a bug but the stop, turned into another error by the code it interrupted
                # (pydantic building a validator, a lock being released): the stop is reported.
                _interrupted(signals.received[0] == signal.SIGTERM)
            if debug:
                raise
            click.echo(
                f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback and report it)",
                err=True,
            )
            sys.exit(int(ExitCode.INTERNAL))

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="govdocs")
@click.option("--debug", is_flag=True, help="Show full tracebacks instead of one-line errors.")
def cli(debug: bool) -> None:
    """Vendor-governance documents from partner KPI data.

    \b
    Quick start:
      govdocs init my-program
      govdocs qbr --config my-program/governance.yaml --data my-program/data/kpis.csv \\
          --inputs my-program/inputs --quarter 2026-Q3 --all --out my-program/output

    Exit codes: 0 ok, 1 internal error, 2 usage, 3 config, 4 data, 5 human inputs,
    6 output exists or not writable, 7 render failed.
    """


config_option = click.option(
    "--config",
    "config_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Governance config (YAML).",
)
data_option = click.option(
    "--data",
    "data_paths",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="KPI data file (.csv, .xlsx, .parquet); repeat for several.",
)
inputs_option = click.option(
    "--inputs",
    "inputs_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of human-input files, one <PARTNER_ID>.yaml per partner.",
)


raw_option = click.option(
    "--raw",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Compute the KPIs from raw exports with this raw_data mapping (YAML) instead of --data; "
    "without either, the config's own raw_data section is used.",
)
templates_option = click.option(
    "--templates",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Your template folder, searched before the bundled templates (sandboxed: it can read "
    "nothing outside itself and nothing from the network).",
)


def _jobs_default() -> int:
    from govdocs.render.workers import default_jobs

    return default_jobs()


jobs_option = click.option(
    "--jobs",
    type=click.IntRange(min=0),
    default=_jobs_default,
    show_default="the number of cores",
    help="PDF render processes; 0 renders in this process.",
)


@contextmanager
def render_pool(jobs: int, fmt: str = "pdf") -> Iterator[Any]:
    """Started before the command imports pandas: the renderer's start-up overlaps the data loading."""
    from govdocs.render.workers import RenderPool

    with RenderPool(jobs if fmt == "pdf" else 0) as pool:
        yield pool


def output_options(as_of_help: str, audience: bool = True) -> Callable[[F], F]:
    """Audience, output folder, format, as-of date and --force: shared by every document command."""
    audience_option = click.option(
        "--audience",
        type=click.Choice(["partner", "internal"]),
        default="partner",
        show_default=True,
        help="partner: peers anonymous, no internal notes; internal: named peers and internal notes.",
    )
    options = [audience_option] if audience else []
    options += [
        click.option(
            "--out",
            "out_dir",
            type=click.Path(file_okay=False, path_type=Path),
            default=Path("output"),
            show_default=True,
            help="Output folder; documents go to OUT/<quarter>/.",
        ),
        click.option("--format", "fmt", type=click.Choice(["pdf", "html"]), default="pdf", show_default=True),
        click.option("--as-of", type=DateType(), help=as_of_help),
        click.option("--force", is_flag=True, help="Replace documents that already exist."),
        raw_option,
        templates_option,
        jobs_option,
    ]

    def decorate(func: F) -> F:
        for option in reversed(options):
            func = option(func)
        return func

    return decorate


@cli.command()
@config_option
@data_option
@inputs_option
@click.option("--quarter", type=QuarterType(), help="Check the inputs files were written for this quarter.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@raw_option
@handle_errors
def validate(
    config_path: Path,
    data_paths: tuple[Path, ...],
    inputs_dir: Path | None,
    quarter: Quarter | None,
    as_json: bool,
    raw: Path | None,
) -> None:
    """Check config, data and inputs; report every problem.

    \b
    Example:
      govdocs validate --config examples/governance.yaml --data examples/data/kpis.csv \\
          --inputs examples/inputs
    """
    from govdocs.validate import validate_inputs

    report = validate_inputs(config_path, list(data_paths), inputs_dir, quarter, raw)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, allow_nan=False))
    else:
        for problem in report.problems:
            kind = "error  " if problem.severity == "error" else "warning"
            click.echo(f"{kind}  {problem.location}  {problem.message}  [{problem.code}]")
        from govdocs.render.formatters import counted

        summary = report.summary
        labels = {
            "partners": lambda n: counted(n, "partner"),
            "kpis": lambda n: counted(n, "KPI"),
            "rows": lambda n: f"{n:,} {'row' if n == 1 else 'rows'}",
            "months": lambda text: f"months {text}",
        }
        facts = ", ".join(labels[k](v) for k, v in summary.items() if k in labels)
        errors = len(report.errors)
        warnings = len(report.problems) - errors
        state = "valid" if report.valid else "invalid"
        counts = f"{counted(errors, 'error')}, {counted(warnings, 'warning')}"
        click.echo(f"{state}: {counts}" + (f" ({facts})" if facts else ""))
    sys.exit(int(report.exit_code))


@cli.command()
@handle_errors
def schema() -> None:
    """Print the JSON Schema of the governance config.

    \b
    Example:
      govdocs schema > governance.schema.json
    """
    from govdocs.config.model import GovernanceConfig

    click.echo(json.dumps(GovernanceConfig.model_json_schema(), indent=2))


@cli.command()
@config_option
@data_option
@click.option("--quarter", required=True, type=QuarterType(), help="Quarter to export, e.g. 2026-Q3.")
@click.option(
    "--partner", "partner_ids", multiple=True, metavar="ID", help="Only this partner; repeatable (default: all)."
)
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Table to write: .csv, .xlsx or .json (the name's ending picks the format).",
)
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
@click.option(
    "--as-of",
    type=DateType(),
    help="Date the escalation status is worked out on (default: today): a plan on record that ended "
    "unmet by then counts.",
)
@raw_option
@handle_errors
def export(
    config_path: Path,
    data_paths: tuple[Path, ...],
    quarter: Quarter,
    partner_ids: tuple[str, ...],
    out: Path,
    force: bool,
    as_of: date | None,
    raw: Path | None,
) -> None:
    """Write the quarter's scorecard as a table (internal: every partner selected).

    One row per partner and KPI: terms, each month's value, volume and status, the quarter's
    value, status and points, the partner's score, tier and escalation status. Text a
    spreadsheet would run as a formula is written with a leading apostrophe.

    \b
    Example:
      govdocs export --config examples/governance.yaml --data examples/data/kpis.csv \\
          --quarter 2026-Q3 --out output/scorecard-2026-Q3.xlsx
    """
    from govdocs.export import ExportRequest, export_scorecard

    request = ExportRequest(
        config_path, tuple(data_paths), quarter, tuple(partner_ids), out, issue_date(as_of, quarter), force, raw
    )
    rows = export_scorecard(request)
    click.echo(f"wrote {out}  ({rows} rows: partner x KPI, {quarter})")


@cli.command()
@config_option
@raw_option
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the KPI table: .parquet, .csv, .xlsx or .json (the name's ending picks the format).",
)
@click.option("--sql", "show_sql", is_flag=True, help="Print the aggregation as one plain SQL statement instead.")
@click.option("--force", is_flag=True, help="Replace the --out file if it exists.")
@handle_errors
def aggregate(config_path: Path, raw: Path | None, out: Path | None, show_sql: bool, force: bool) -> None:
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
        click.echo(aggregation_sql(section, base=base, partner_ids=[p.id for p in config.partners]))
        return
    from govdocs.raw.quality import reasons_text

    aggregation = aggregate_raw(config, config_path, raw)
    for source in aggregation.quality.sources:
        reasons = aggregation.quality.by_reason(source.source)
        why = reasons_text(reasons)
        files = f"{len(source.files)} file{'s' if len(source.files) != 1 else ''}"
        line = f"{source.source}: {source.read:,} rows read from {files}, {source.accepted:,} used"
        click.echo(line + (f", {source.rejected:,} rejected ({why})" if source.rejected else ""))
    for problem in aggregation.quality.problems():
        click.echo(f"  {problem}")
    kpis = aggregation.kpis
    months = sorted(set(kpis["period"]))
    span = f"{months[0]} to {months[-1]}" if months else "no months"
    summary = f"{len(kpis):,} KPI rows: {kpis['partner'].nunique()} partners, {kpis['kpi'].nunique()} KPIs, {span}"
    if out is None:
        click.echo(summary)
        return
    from govdocs.render.tables import write_table

    columns = list(kpis.columns)
    rows = [[None if value != value else value for value in row] for row in kpis.itertuples(index=False)]
    stamp = Month.parse(months[-1]).first_day() if months else date(1970, 1, 1)
    write_table(out, columns, rows, sheet="KPIs", stamp=stamp, force=force)
    click.echo(f"wrote {out}  ({summary})")


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Write into a folder that is not empty (existing files are kept).")
@handle_errors
def init(directory: Path, force: bool) -> None:
    """Create a starter programme folder to copy from.

    \b
    Example:
      govdocs init my-program
    """
    from govdocs.starter_kit import create_starter

    written = create_starter(directory, force=force)
    click.echo(f"created {len(written)} files in {directory}/")
    for path in written:
        click.echo(f"  {path}")
    click.echo("next: render a QBR for every partner of the sample programme:")
    click.echo(
        f"  govdocs qbr --config {directory}/governance.yaml --data {directory}/data/kpis.csv "
        f"--inputs {directory}/inputs --quarter 2026-Q3 --all --out {directory}/output"
    )


@cli.command()
@config_option
@data_option
@inputs_option
@click.option("--quarter", required=True, type=QuarterType(), help="Quarter to review, e.g. 2026-Q3.")
@click.option("--partner", "partner_ids", multiple=True, metavar="ID", help="Partner id; repeat for several.")
@click.option("--all", "all_partners", is_flag=True, help="Every partner in the config.")
@output_options("Date the document is issued (default: today); sets the notice countdown.")
@handle_errors
def qbr(
    config_path: Path,
    data_paths: tuple[Path, ...],
    inputs_dir: Path | None,
    quarter: Quarter,
    partner_ids: tuple[str, ...],
    all_partners: bool,
    audience: str,
    out_dir: Path,
    fmt: str,
    as_of: date | None,
    force: bool,
    raw: Path | None,
    templates: Path | None,
    jobs: int,
) -> None:
    """Render quarterly business reviews, one per partner.

    \b
    Example:
      govdocs qbr --config examples/governance.yaml --data examples/data/kpis.csv \\
          --inputs examples/inputs --quarter 2026-Q3 --partner BRV
    """
    _check_selection(data_paths, partner_ids, all_partners)
    with render_pool(jobs, fmt) as pool:
        from govdocs.documents.common import Audience
        from govdocs.pipeline import QbrRequest, render_qbrs

        request = QbrRequest(
            config_path=config_path,
            data_paths=tuple(data_paths),
            quarter=quarter,
            partner_ids=tuple(partner_ids),
            audience=Audience(audience),
            out_dir=out_dir,
            fmt=fmt,
            inputs_dir=inputs_dir,
            as_of=issue_date(as_of, quarter),
            force=force,
            templates=templates,
            raw=raw,
        )
        written = render_qbrs(request, progress=_progress, pool=pool)
    _report_written(written, [], "QBR", quarter, out_dir)


@cli.command()
@config_option
@data_option
@inputs_option
@click.option("--quarter", required=True, type=QuarterType(), help="Quarter whose results call for the plan.")
@click.option("--partner", "partner_ids", multiple=True, metavar="ID", help="Partner id; repeat for several.")
@click.option(
    "--all",
    "all_partners",
    is_flag=True,
    help="Every partner whose escalation status calls for a plan (others are listed as skipped).",
)
@click.option("--start", type=DateType(), help="Plan start (default: the first business day after --as-of).")
@click.option(
    "--actions",
    type=click.Path(exists=True, path_type=Path),
    help="Partner-proposed actions: a .yaml/.csv file (one partner) or a folder of <ID>.yaml/.csv.",
)
@click.option("--kpi", "extra_kpis", multiple=True, metavar="ID", help="Add an objective for this KPI; repeatable.")
@output_options("Issue date (default: today); progress uses data up to it.")
@handle_errors
def pip(
    config_path: Path,
    data_paths: tuple[Path, ...],
    inputs_dir: Path | None,
    quarter: Quarter,
    partner_ids: tuple[str, ...],
    all_partners: bool,
    start: date | None,
    actions: Path | None,
    extra_kpis: tuple[str, ...],
    audience: str,
    out_dir: Path,
    fmt: str,
    as_of: date | None,
    force: bool,
    raw: Path | None,
    templates: Path | None,
    jobs: int,
) -> None:
    """Render improvement plans with check-ins and a calendar.

    \b
    Example:
      govdocs pip --config examples/governance.yaml --data examples/data/kpis.csv \\
          --inputs examples/inputs --quarter 2026-Q3 --partner BRV --actions examples/actions/BRV.csv
    """
    _check_selection(data_paths, partner_ids, all_partners)
    with render_pool(jobs, fmt) as pool:
        from govdocs.documents.common import Audience
        from govdocs.pipeline import PipRequest, render_pips

        request = PipRequest(
            config_path=config_path,
            data_paths=tuple(data_paths),
            quarter=quarter,
            partner_ids=tuple(partner_ids),
            audience=Audience(audience),
            out_dir=out_dir,
            fmt=fmt,
            inputs_dir=inputs_dir,
            actions=actions,
            start=start,
            extra_kpis=tuple(extra_kpis),
            as_of=issue_date(as_of, quarter),
            force=force,
            templates=templates,
            raw=raw,
        )
        written, skipped = render_pips(request, progress=_progress, pool=pool)
    _report_written(written, skipped, "plan", quarter, out_dir)


@cli.command()
@config_option
@data_option
@click.option("--quarter", required=True, type=QuarterType(), help="Quarter of the latest review, e.g. 2026-Q3.")
@click.option("--partner", "partner_ids", multiple=True, metavar="ID", help="Partner id; repeat for several.")
@click.option(
    "--all",
    "all_partners",
    is_flag=True,
    help="Every partner whose escalation status is offboarding review (others are listed as skipped).",
)
@click.option(
    "--assessment",
    type=click.Path(exists=True, path_type=Path),
    help="The vendor manager's assessment: a .yaml file (one partner) or a folder of <ID>.yaml.",
)
@output_options("Date of the assessment (default: today); sets the notice countdown.", audience=False)
@handle_errors
def offboarding(
    config_path: Path,
    data_paths: tuple[Path, ...],
    quarter: Quarter,
    partner_ids: tuple[str, ...],
    all_partners: bool,
    assessment: Path | None,
    out_dir: Path,
    fmt: str,
    as_of: date | None,
    force: bool,
    raw: Path | None,
    templates: Path | None,
    jobs: int,
) -> None:
    """Render internal offboarding-readiness assessments.

    \b
    Example:
      govdocs offboarding --config examples/governance.yaml --data examples/data/kpis.csv \\
          --quarter 2026-Q3 --partner CRN --assessment examples/assessments/CRN.yaml
    """
    _check_selection(data_paths, partner_ids, all_partners)
    with render_pool(jobs, fmt) as pool:
        from govdocs.pipeline import OffboardingRequest, render_offboarding

        request = OffboardingRequest(
            config_path=config_path,
            data_paths=tuple(data_paths),
            quarter=quarter,
            partner_ids=tuple(partner_ids),
            out_dir=out_dir,
            fmt=fmt,
            assessment=assessment,
            as_of=issue_date(as_of, quarter),
            force=force,
            templates=templates,
            raw=raw,
        )
        written, skipped = render_offboarding(request, progress=_progress, pool=pool)
    _report_written(written, skipped, "assessment", quarter, out_dir)


@cli.command()
@config_option
@data_option
@inputs_option
@click.option("--quarter", required=True, type=QuarterType(), help="Quarter to review, e.g. 2026-Q3.")
@click.option(
    "--partner", "partner_ids", multiple=True, metavar="ID", help="Only this partner; repeatable (default: all)."
)
@click.option(
    "--actions",
    "actions_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of partner-proposed actions, <ID>.yaml or <ID>.csv.",
)
@click.option(
    "--assessments",
    "assessments_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of offboarding assessments, <ID>.yaml.",
)
@click.option(
    "--audience",
    type=click.Choice(["both", "partner", "internal"]),
    default="both",
    show_default=True,
    help="Copies of the QBR and plan to write.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("output"),
    show_default=True,
    help="Output folder; documents go to OUT/<quarter>/.",
)
@click.option("--format", "fmt", type=click.Choice(["pdf", "html"]), default="pdf", show_default=True)
@click.option("--as-of", type=DateType(), help="Issue date (default: today); sets plan dates and notice countdowns.")
@click.option("--fail-fast", is_flag=True, help="Stop at the first failed document (the ones written stay).")
@click.option("--force", is_flag=True, help="Replace documents that already exist.")
@raw_option
@templates_option
@jobs_option
@handle_errors
def build(
    config_path: Path,
    data_paths: tuple[Path, ...],
    inputs_dir: Path | None,
    quarter: Quarter,
    partner_ids: tuple[str, ...],
    actions_dir: Path | None,
    assessments_dir: Path | None,
    audience: str,
    out_dir: Path,
    fmt: str,
    as_of: date | None,
    fail_fast: bool,
    force: bool,
    raw: Path | None,
    templates: Path | None,
    jobs: int,
) -> None:
    """Every document the escalation ladder calls for, a portfolio summary and a manifest.

    For each partner: the QBR; the improvement plan when the escalation status calls for
    one or one is open; the offboarding assessment at offboarding review. One partner's bad
    file fails only that partner's documents; the exit code is that of the first failure.

    \b
    Example:
      govdocs build --config examples/governance.yaml --data examples/data/kpis.csv \\
          --inputs examples/inputs --actions examples/actions --assessments examples/assessments \\
          --quarter 2026-Q3
    """
    with render_pool(jobs, fmt) as pool:
        from govdocs.build import BuildRequest
        from govdocs.build import build as run_build
        from govdocs.documents.common import Audience

        audiences = (Audience.PARTNER, Audience.INTERNAL) if audience == "both" else (Audience(audience),)
        request = BuildRequest(
            config_path=config_path,
            data_paths=tuple(data_paths),
            quarter=quarter,
            partner_ids=tuple(partner_ids),
            out_dir=out_dir,
            inputs_dir=inputs_dir,
            actions_dir=actions_dir,
            assessments_dir=assessments_dir,
            audiences=audiences,
            as_of=issue_date(as_of, quarter),
            fmt=fmt,
            fail_fast=fail_fast,
            force=force,
            templates=templates,
            raw=raw,
        )
        with _BuildProgress() as progress:
            result = run_build(request, pool, progress)
    _report_build(result)
    sys.exit(int(result.exit_code))


class _BuildProgress:
    """A bar on a terminal; one plain line per document otherwise (logs, CI)."""

    def __init__(self) -> None:
        self.bar: Any = None
        self.tty = sys.stderr.isatty()

    def __enter__(self) -> _BuildProgress:
        return self

    def __call__(self, done: int, total: int, message: str) -> None:
        if not self.tty:
            click.echo(f"[{done}/{total}] {message}", err=True)
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="Rendering", file=sys.stderr, show_pos=True, width=30)
            self.bar.__enter__()
        if message.startswith("failed"):
            click.echo(f"\r{message}", err=True)
        self.bar.update(done - self.bar.pos)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def _report_build(result: Any) -> None:
    from collections import Counter

    from govdocs.build import KIND_NOUN, KIND_ORDER
    from govdocs.facts import NO_FURTHER_PLAN

    counts = Counter(d.kind for d in result.written)
    written = ", ".join(
        f"{n} {KIND_NOUN[k]}{'s' if n != 1 else ''}" for k, n in sorted(counts.items(), key=lambda x: KIND_ORDER[x[0]])
    )
    click.echo(f"written: {len(result.written)} documents ({written or 'none'}) to {result.out_dir}/{result.quarter}/")
    if result.kept:
        click.echo(f"kept: {len(result.kept)} of them as the interrupted build wrote them (unchanged, still current)")
    if result.left_over:
        names = ", ".join(p.name for p in result.left_over)
        click.echo(
            f"not in the manifest: {len(result.left_over)} files an earlier unfinished build wrote for documents "
            f"this run does not call for ({names}); delete them if they are not needed"
        )
    by_kind: dict[str, list[str]] = {}
    closed: list[str] = []  # plans not offered again after two missed ones, with their reason
    for kind, item in result.skipped:
        if item.reason.startswith(NO_FURTHER_PLAN):
            closed.append(f"{item.partner_id}: {item.reason.removeprefix(NO_FURTHER_PLAN)}")
        else:
            by_kind.setdefault(kind, []).append(item.partner_id)
    for kind, partners in by_kind.items():
        noun = KIND_NOUN[kind]
        plural = "s" if len(partners) != 1 else ""
        click.echo(f"skipped: {len(partners)} {noun}{plural}, not called for ({', '.join(partners)})")
    if closed:
        plural = "s" if len(closed) != 1 else ""
        click.echo(f"skipped: {len(closed)} plan{plural}, no further plan offered ({'; '.join(closed)})")
    for failure in result.failed:
        who = failure.partner_id or "portfolio"
        click.echo(f"failed: {who} {KIND_NOUN[failure.kind]} ({failure.audience}): {failure.reason}")
    click.echo(f"manifest: {result.manifest or 'not written (the output folder cannot be written)'}")
    if not result.failed:
        click.echo("build complete")
        return
    click.echo(f"build incomplete: {len(result.failed)} failed (exit {int(result.exit_code)})")
    click.echo("run the same command again once fixed: documents already written are kept, the rest are built")


def _check_selection(data_paths: tuple[Path, ...], partner_ids: tuple[str, ...], all_partners: bool) -> None:
    if bool(partner_ids) == all_partners:
        raise click.UsageError("name the partners with --partner ID (repeatable) or pass --all, not both")


def _progress(message: str) -> None:
    click.echo(message, err=True)


def _report_written(written: list[Any], skipped: list[Any], noun: str, quarter: Quarter, out_dir: Path) -> None:
    """What a document command did: skipped partners with the reason, then each file written."""
    for item in skipped:
        click.echo(f"skipped {item.partner_id}: {item.reason}")
    for document in written:
        click.echo(f"wrote {document.path}  ({document.document_id})")
        for attachment in document.attachments:
            click.echo(f"wrote {attachment}")
    count = len(written)
    click.echo(f"{count} {noun}{'s' if count != 1 else ''} for {quarter} written to {out_dir}/{quarter}/")


def main() -> None:
    """The `govdocs` command. Stop signals are held until a command starts (Click would turn a
    Ctrl-C during its parsing into "Aborted!" and exit 1), then raise (see handle_errors)."""
    from govdocs import signals

    signals.hold()  # again: `main` may be called without `python -m govdocs` (an entry point)
    try:
        cli(prog_name="govdocs")
    except SystemExit as ending:
        if ending.code in (130, 143):
            _exit_stopped(int(ending.code))
        if signals.started() or not signals.received:
            raise  # a command ran: its own outcome stands (a stop after its end changes nothing)
    if signals.received and not signals.started():  # stopped before any command started (--help)
        terminated = signals.received[0] == signal.SIGTERM
        signals.ignore()
        click.echo(f"interrupted ({'SIGTERM' if terminated else 'Ctrl-C'}): nothing was written", err=True)
        _exit_stopped(143 if terminated else 130)


def _exit_stopped(code: int) -> None:
    """End a stopped run with its code once everything is cleaned up. Python's own exit would
    now and then end the process on SIGINT instead (exit -2, measured in 5 of 60 interrupted
    builds): multiprocessing's exit hook (which releases the render pool's semaphores) is run
    here, then the process ends without the interpreter's further shutdown."""
    import multiprocessing.util

    with contextlib.suppress(Exception):
        multiprocessing.util._exit_function()
    with contextlib.suppress(Exception):
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)
