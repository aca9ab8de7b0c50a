"""The options the commands share (--config, --data, --inputs, --raw, --templates, --jobs and the
document commands' output options), the render pool, and how a command reports what it wrote."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from govdocs.cli.app import DateType, progress_wanted
from govdocs.periods import Quarter
from govdocs.render.variants import PDF_UA, PDF_VARIANTS

F = TypeVar("F", bound=Callable[..., Any])


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


_raw_path = click.option(
    "--raw",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Compute the KPIs from raw exports with this raw_data mapping (YAML) instead of --data; "
    "without either, the config's own raw_data section is used.",
)


def _choose_engine(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    # Click calls this for every invocation, the option given or not: each command starts from
    # its own choice (None: the raw_data section's), never an earlier command's in this process
    from govdocs.raw.source import choose_engine

    choose_engine(**{param.name: value})  # type: ignore[misc]


_engine = click.option(
    "--engine",
    type=click.Choice(["duckdb", "spark"]),
    expose_value=False,
    callback=_choose_engine,
    help="What computes the KPIs from raw exports: duckdb (embedded, the default) or spark "
    "(pip install 'govdocs[spark]'); else the raw_data section's engine.",
)
_spark_master = click.option(
    "--spark-master",
    metavar="URL",
    expose_value=False,
    callback=_choose_engine,
    help="The Spark master for --engine spark (default local[*]; SPARK_REMOTE set: Spark Connect).",
)


def raw_option(func: F) -> F:
    """--raw, with the engine that computes its KPIs (--engine, --spark-master)."""
    return _raw_path(_engine(_spark_master(func)))


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


out_option = click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("output"),
    show_default=True,
    help="Output folder; documents go to OUT/<quarter>/.",
)
format_option = click.option("--format", "fmt", type=click.Choice(["pdf", "html"]), default="pdf", show_default=True)
sign_option = click.option(
    "--sign",
    "sign_key",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Certify each partner copy with this PKCS#12 key (PAdES; passphrase in GOVDOCS_SIGN_PASSPHRASE): "
    "the partner can verify it was not altered, fill in its response form and sign the acknowledgment.",
)
pdf_variant_option = click.option(
    "--pdf-variant",
    type=click.Choice(PDF_VARIANTS),
    default=PDF_UA,
    show_default=True,
    help="pdf/ua-1: tagged for screen readers (structure, language, alt text). pdf/a-3u: archival, "
    "tagged too, with the document's scorecard (CSV) embedded as its associated data file.",
)


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
        out_option,
        format_option,
        pdf_variant_option,
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


def check_selection(data_paths: tuple[Path, ...], partner_ids: tuple[str, ...], all_partners: bool) -> None:
    if bool(partner_ids) == all_partners:
        raise click.UsageError("name the partners with --partner ID (repeatable) or pass --all, not both")


def progress(message: str) -> None:
    """A document rendered: one line on stderr, unless --quiet."""
    if progress_wanted() is not False:
        click.echo(message, err=True)


def report_written(written: list[Any], skipped: list[Any], noun: str, quarter: Quarter, out_dir: Path) -> None:
    """What a document command did: skipped partners with the reason, then each file written."""
    for item in skipped:
        click.echo(f"skipped {item.partner_id}: {item.reason}")
    for document in written:
        click.echo(f"wrote {document.path}  ({document.document_id})")
        for attachment in document.attachments:
            click.echo(f"wrote {attachment}")
    count = len(written)
    click.echo(f"{count} {noun}{'s' if count != 1 else ''} for {quarter} written to {out_dir}/{quarter}/")
