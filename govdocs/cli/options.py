"""The options the commands share (--config, --data, --inputs, --raw, --templates, --jobs and the
document commands' output options), the render pool, and how a command reports what it wrote."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click

from govdocs.cli.app import PROJECT_KEY, DateType, QuarterType, progress_wanted
from govdocs.periods import Quarter
from govdocs.render.variants import PDF_UA, PDF_VARIANTS

F = TypeVar("F", bound=Callable[..., Any])


config_option = click.option(
    "--config",
    "config_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Governance config (YAML); in a project folder, the project file's.",
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
format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["pdf", "html"]),
    default="pdf",
    show_default=True,
    help="pdf: the documents to send; html: a fast preview of the same content.",
)
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


def quarter_option(help_text: str) -> Callable[[F], F]:
    """--quarter: optional in a project folder (its quarter rule decides), needed outside one."""
    return click.option(
        "--quarter",
        type=QuarterType(),
        help=f"{help_text} Default in a project folder: its quarter rule (the last complete quarter).",
    )


def partner_options(all_help: str) -> Callable[[F], F]:
    """--partner ID (repeatable) and --all, the same on every command that picks partners:
    neither is the same as --all; both together is a usage error."""

    def decorate(func: F) -> F:
        func = click.option("--all", "all_partners", is_flag=True, help=all_help + " (the default).")(func)
        return click.option(
            "--partner", "partner_ids", multiple=True, metavar="ID", help="Only this partner; repeat for several."
        )(func)

    return decorate


def check_selection(partner_ids: tuple[str, ...], all_partners: bool) -> None:
    if partner_ids and all_partners:
        raise click.UsageError(
            "--partner and --all exclude each other: name partners with --partner ID (repeatable), "
            "or pass --all (or neither) for every partner"
        )


actions_option = click.option(
    "--actions",
    type=click.Path(exists=True, path_type=Path),
    help="Partner-proposed actions: a folder of <ID>.yaml/.csv, or one .yaml/.csv file with one --partner.",
)
assessments_option = click.option(
    "--assessments",
    type=click.Path(exists=True, path_type=Path),
    help="Offboarding assessments: a folder of <ID>.yaml, or one .yaml file with one --partner.",
)
json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print the result as JSON on stdout (messages stay on stderr)."
)


def _finite(value: Any) -> Any:
    """JSON has no infinity or NaN: a value that is not a finite number is written as null."""
    import math

    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def emit_json(value: Any) -> None:
    import json

    click.echo(json.dumps(_finite(value), indent=2, allow_nan=False, ensure_ascii=False, default=str))


def progress(message: str) -> None:
    """A document rendered: one line on stderr, unless --quiet."""
    if progress_wanted() is not False:
        click.echo(message, err=True)


def written_json(
    written: list[Any], skipped: list[Any], quarter: Quarter, out_dir: Path, **extra: Any
) -> dict[str, Any]:
    """A document command's result as data: what `--json` prints."""
    return {
        "quarter": str(quarter),
        "out": str(out_dir / str(quarter)),
        "documents": [
            {
                "partner": d.partner_id or None,
                "type": d.kind,
                "audience": d.audience,
                "document_id": d.document_id,
                "path": str(d.path),
                "sha256": d.sha256,
                "attachments": [str(a) for a in d.attachments],
                "kept": d.kept,
            }
            for d in written
        ],
        "skipped": [{"partner": s.partner_id, "reason": s.reason} for s in skipped],
        **extra,
    }


def report_written(
    written: list[Any], skipped: list[Any], noun: str, quarter: Quarter, out_dir: Path, as_json: bool = False
) -> None:
    """What a document command did: skipped partners with the reason, then each file written."""
    if as_json:
        emit_json(written_json(written, skipped, quarter, out_dir))
        return
    for item in skipped:
        click.echo(f"skipped {item.partner_id}: {item.reason}")
    for document in written:
        verb = "kept " if document.kept else "wrote"
        click.echo(f"{verb} {document.path}  ({document.document_id})" + ("  unchanged" if document.kept else ""))
        for attachment in document.attachments:
            click.echo(f"{verb} {attachment}")
    count = len(written)
    kept = sum(1 for d in written if d.kept)
    also = f" ({kept} kept unchanged)" if kept else ""
    click.echo(f"{count} {noun}{'s' if count != 1 else ''} for {quarter} written to {out_dir}/{quarter}/{also}")


# --- the project folder ------------------------------------------------------------------------

NO_PROJECT_KEY = "govdocs.no_project"
# project file key -> the parameter it gives its default to (a command takes the ones it has)
PROJECT_PARAMS = {
    "config": "config_path",
    "data": "data_paths",
    "raw": "raw",
    "inputs": "inputs_dir",
    "actions": "actions",
    "assessments": "assessments",
    "templates": "templates",
    "output": "out_dir",
}


def _shown(path: Path) -> str:
    """A project path as the user would type it: relative to the working folder when inside it."""
    import os

    try:
        return os.path.relpath(path) if path.resolve().is_relative_to(Path.cwd().resolve()) else str(path)
    except (ValueError, OSError, RuntimeError):  # another drive, a working folder gone, a symlink loop
        return str(path)


def _use_project(ctx: click.Context, param: click.Parameter, value: Path | None) -> None:
    """Read the project file (--project, else the nearest govdocs.yaml above the working folder)
    and make its paths the defaults of this command's options: given options still win."""
    from govdocs.cli.app import report_error
    from govdocs.errors import GovdocsError
    from govdocs.project import find_project, load_project

    if ctx.meta.get(NO_PROJECT_KEY):
        if value is not None:
            raise click.UsageError("--project and --no-project exclude each other")
        return
    found = value if value is not None else find_project(None)
    if found is None:
        return
    try:
        project = load_project(found)
    except GovdocsError as exc:
        report_error(exc)
        ctx.exit(int(exc.exit_code))
    ctx.meta[PROJECT_KEY] = project
    if progress_wanted() is not False:  # one line on stderr (stdout holds only results), not with --quiet
        how = "" if value is not None else "; --no-project to ignore it"
        click.echo(f"project: {_shown(project.file)}{how}", err=True)
    names = {p.name for p in ctx.command.params}
    defaults: dict[str, Any] = {}
    for key, target in project.paths().items():
        name = PROJECT_PARAMS[key]
        if name in names and target is not None:
            defaults[name] = [_shown(p) for p in target] if isinstance(target, list) else _shown(target)
    if "as_of" in names and project.settings.as_of is not None:
        defaults["as_of"] = project.settings.as_of.isoformat()
    ctx.default_map = {**(ctx.default_map or {}), **defaults}


def _no_project(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if not value:
        return
    if PROJECT_KEY in ctx.meta:  # --project came first on the command line
        raise click.UsageError("--project and --no-project exclude each other")
    ctx.meta[NO_PROJECT_KEY] = True


_project_path = click.option(
    "--project",
    type=click.Path(exists=True, path_type=Path),
    is_eager=True,
    expose_value=False,
    callback=_use_project,
    help="Project folder (or its govdocs.yaml) whose files and quarter rule are this command's defaults "
    "(default: the nearest govdocs.yaml in or above the working folder, named on stderr).",
)
# Declared before --project: when neither is given, Click processes them in this order.
_no_project_flag = click.option(
    "--no-project",
    is_flag=True,
    is_eager=True,
    expose_value=False,
    callback=_no_project,
    help="Read no project file, not even one in a folder above: every path comes from the options.",
)


def project_option(func: F) -> F:
    """--project DIR and --no-project, the same on every command that reads a project file."""
    return _no_project_flag(_project_path(func))


def project_quarter(quarter: Quarter | None, as_of: date | None, need_data: bool = True) -> Quarter:
    """--quarter, else the project's quarter rule; outside a project --quarter is needed."""
    project = click.get_current_context().meta.get(PROJECT_KEY)
    params = click.get_current_context().params
    if need_data and project is not None and not params.get("data_paths") and not params.get("raw"):
        missing = project.missing_data()
        if missing:
            raise click.UsageError(
                f"no KPI data yet: {_shown(project.path(missing[0]))} does not exist "
                "(fill data/kpis-template.csv and save it under that name), or give --data FILE"
            )
    if quarter is not None:
        return quarter
    if project is None:
        raise click.UsageError(
            "--quarter is needed outside a project folder (see `govdocs init`), e.g. --quarter 2026-Q3"
        )
    return project.quarter(as_of)
