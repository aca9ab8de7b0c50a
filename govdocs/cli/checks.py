"""Commands that check and set up, writing no document: `validate`, `schema` and `init`."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from govdocs.cli.app import DateType, QuarterType, cli, handle_errors
from govdocs.cli.options import (
    PROJECT_KEY,
    actions_option,
    config_option,
    data_option,
    emit_json,
    inputs_option,
    json_option,
    project_option,
    project_quarter,
    raw_option,
)
from govdocs.periods import Quarter


@cli.command()
@project_option
@config_option
@data_option
@inputs_option
@click.option(
    "--quarter",
    type=QuarterType(),
    help="Check the inputs files were written for this quarter (in a project folder: its quarter rule).",
)
@actions_option
@click.option(
    "--as-of",
    type=DateType(),
    help="The issue date a build would use, to check action due dates against the plan's period (default: today).",
)
@json_option
@raw_option
@click.option(
    "--fix",
    is_flag=True,
    help="Remove what refers to a KPI or partner the config no longer has (the edit the errors propose), "
    "keeping the file's comments and layout; prints what changed (the diff when not on a terminal).",
)
@click.option("--dry-run", is_flag=True, help="With --fix: print the diff and change nothing.")
@handle_errors
def validate(
    config_path: Path,
    data_paths: tuple[Path, ...],
    inputs_dir: Path | None,
    quarter: Quarter | None,
    actions: Path | None,
    as_of: date | None,
    as_json: bool,
    raw: Path | None,
    fix: bool,
    dry_run: bool,
) -> None:
    """Check config, data, inputs and actions; report every problem.

    \b
    Example:
      govdocs validate                       # in a project folder, or with --project DIR
      govdocs validate --config examples/governance.yaml --data examples/data/kpis.csv \\
          --inputs examples/inputs
    """
    from govdocs.validate import validate_inputs

    if dry_run and not fix:
        raise click.UsageError("--dry-run goes with --fix")
    if fix and _fix(config_path, dry_run, as_json):
        return
    project = click.get_current_context().meta.get(PROJECT_KEY)
    if project is not None:
        quarter = quarter or project_quarter(None, as_of, need_data=False)
        if not data_paths and not raw:
            for name in project.missing_data():
                click.echo(f"note: no {name} yet: the config and inputs are checked without data", err=True)
    report = validate_inputs(config_path, list(data_paths), inputs_dir, quarter, raw, actions, as_of)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, allow_nan=False))
    else:
        from govdocs.errors import terminal_safe

        for problem in report.problems[:VALIDATE_LINES]:
            kind = "error  " if problem.severity == "error" else "warning"
            # the location and message echo input: escaped and cut, so a field cannot drive the terminal
            click.echo(f"{kind}  {terminal_safe(f'{problem.location}  {problem.message}', 2_000)}  [{problem.code}]")
        if len(report.problems) > VALIDATE_LINES:
            hidden = len(report.problems) - VALIDATE_LINES
            click.echo(f"...      {hidden:,} more problems not shown (--json lists every one)")
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


VALIDATE_LINES = 200  # problems printed as lines; the JSON report holds all of them


def _echo_diff(diff: str) -> None:
    """A diff of the config, each line fit for a terminal (an ESC in a value is shown escaped)."""
    from govdocs.errors import terminal_safe

    for line in diff.splitlines():
        click.echo(terminal_safe(line, 10_000))


def _fix(config_path: Path, dry_run: bool, as_json: bool) -> bool:
    """`validate --fix`: the config's dangling references removed, the file replaced atomically
    (with --dry-run only the diff). True when the command ends here (a dry run)."""
    from govdocs.config.fix import fix_config
    from govdocs.errors import terminal_safe
    from govdocs.render.output import write_atomic

    fixed = fix_config(config_path)
    if dry_run:
        if as_json:
            emit_json({"config": str(config_path), "changes": fixed.changes, "diff": fixed.diff()})
        else:
            _echo_diff(fixed.diff())
        return True
    if fixed.changed:
        write_atomic(config_path, fixed.after.encode("utf-8"))
    if as_json:  # the report follows on stdout, alone; what changed goes to stderr
        for change in fixed.changes:
            click.echo(f"fixed    {terminal_safe(change)}", err=True)
    elif sys.stdout.isatty():
        for change in fixed.changes:
            click.echo(f"fixed    {terminal_safe(change)}")
    else:
        _echo_diff(fixed.diff())
    for left in fixed.skipped:
        click.echo(f"not fixed: {terminal_safe(left)}: remove it by hand", err=True)
    if not fixed.changed and not fixed.skipped:
        click.echo("nothing to fix: no reference to a KPI or partner the config does not have", err=True)
    return False


SCHEMAS = ("config", "project", "inputs", "actions", "assessment")


def schema_of(kind: str) -> dict[str, Any]:
    """The JSON Schema of one of the files govdocs reads."""
    if kind == "config":
        from govdocs.config.model import GovernanceConfig

        return GovernanceConfig.model_json_schema()
    if kind == "project":
        from govdocs.project import ProjectFile

        return ProjectFile.model_json_schema()
    if kind == "inputs":
        from govdocs.data.inputs import PartnerInputs

        return PartnerInputs.model_json_schema()
    if kind == "actions":
        from govdocs.data.actions import ProposedActionFields

        return {"type": "array", "items": ProposedActionFields.model_json_schema(), "title": "Proposed actions"}
    from govdocs.data.assessment import Assessment

    return Assessment.model_json_schema()


@cli.command()
@click.option(
    "--of",
    "kind",
    type=click.Choice(SCHEMAS),
    default="config",
    show_default=True,
    help="Which file: the governance config, the project file (govdocs.yaml), a partner's inputs, "
    "proposed actions or an offboarding assessment.",
)
@json_option
@handle_errors
def schema(kind: str, as_json: bool) -> None:
    """Print the JSON Schema of the governance config (or of another file govdocs reads).

    The output is JSON with or without --json (accepted for the same options on every command).

    \b
    Example:
      govdocs schema > governance.schema.json
      govdocs schema --of inputs > inputs.schema.json
    """
    click.echo(json.dumps(schema_of(kind), indent=2))


def _partner(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[Any, ...]:
    from govdocs.starter_kit import StarterPartner

    try:
        return tuple(StarterPartner.parse(v) for v in values)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _ask_partners() -> tuple[Any, ...]:
    from govdocs.starter_kit import StarterPartner

    click.echo("Partners: one per line as ID=Name (e.g. ACME=Acme Contact Ltd); an empty line ends.", err=True)
    partners: list[Any] = []
    while True:
        text = click.prompt(f"partner {len(partners) + 1}", default="", show_default=False, err=True).strip()
        if not text:
            if partners:
                return tuple(partners)
            click.echo("name at least one partner", err=True)
            continue
        try:
            partners.append(StarterPartner.parse(text))
        except ValueError as exc:
            click.echo(str(exc), err=True)


def _ask_kpis() -> tuple[str, ...]:
    from govdocs.starter_kit import DEFAULT_KPIS, catalogue_table

    click.echo("KPIs in the catalogue (default targets; each with its source in the config):", err=True)
    for kpi_id, name, family, target in catalogue_table():
        click.echo(f"  {kpi_id:<20} {name:<32} {family:<15} {target}", err=True)
    while True:
        text = click.prompt("KPIs, separated by commas", default=",".join(DEFAULT_KPIS), err=True)
        chosen = tuple(k.strip() for k in text.split(",") if k.strip())
        known = {row[0] for row in catalogue_table()}
        unknown = [k for k in chosen if k not in known]
        if chosen and not unknown:
            return chosen
        click.echo(f"not in the catalogue: {', '.join(unknown) or 'none chosen'}", err=True)


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), required=False)
@click.option(
    "--client", help="Your organisation's name, printed on every document (default: asked, or the folder's name)."
)
@click.option(
    "--partner",
    "partners",
    multiple=True,
    metavar="ID[=NAME]",
    callback=_partner,
    help="A partner of the programme: its id and display name; repeat for several (asked when missing on a terminal).",
)
@click.option(
    "--kpi",
    "kpis",
    multiple=True,
    metavar="ID",
    help="A KPI from the catalogue (--list-kpis); repeat for several (default: asked on a terminal, else "
    "service_level, abandonment, fcr, csat).",
)
@click.option(
    "--as-of",
    type=DateType(),
    help="The programme's issue date, written to the project file (default: none written, so each run's "
    "today): the quarter reviewed is the last complete one before it.",
)
@click.option("--list-kpis", is_flag=True, help="Print the KPI catalogue with default targets and stop.")
@click.option("--force", is_flag=True, help="Write into a folder that is not empty (no existing file is replaced).")
@json_option
@handle_errors
def init(
    directory: Path | None,
    client: str | None,
    partners: tuple[Any, ...],
    kpis: tuple[str, ...],
    as_of: date | None,
    list_kpis: bool,
    force: bool,
    as_json: bool,
) -> None:
    """Create a programme folder for your partners and KPIs: a project file, a config that
    validates, a KPI data template, and inputs and actions files per partner.

    On a terminal, partners and KPIs not given as options are asked for.

    \b
    Example:
      govdocs init my-program --client "Acme Energy" --partner NORTH="North Contact Ltd" \\
          --partner SOUTH="South Service Co" --kpi service_level --kpi csat
    """
    from govdocs.starter_kit import DEFAULT_KPIS, StarterRequest, catalogue_table, create_starter

    if list_kpis:
        rows = catalogue_table()
        if as_json:
            emit_json([dict(zip(("id", "name", "family", "default_target"), row, strict=True)) for row in rows])
        else:
            for kpi_id, name, family, target in rows:
                click.echo(f"{kpi_id:<20} {name:<32} {family:<15} {target}")
        return
    if directory is None:
        raise click.UsageError("name the folder to create: govdocs init DIRECTORY")
    interactive = sys.stdin.isatty() and not as_json
    if not partners:
        if not interactive:
            raise click.UsageError("name the partners with --partner ID=NAME (repeatable)")
        partners = _ask_partners()
    if not kpis:
        kpis = _ask_kpis() if interactive else DEFAULT_KPIS
    if client is None:
        default = directory.absolute().name.replace("-", " ").replace("_", " ").strip().title() or "Client"
        client = click.prompt("Your organisation's name", default=default, err=True) if interactive else default
    request = StarterRequest(directory, client, tuple(partners), tuple(kpis), as_of or date.today(), force, as_of)
    written = create_starter(request)
    if as_json:
        emit_json({"directory": str(directory), "files": [str(p) for p in written]})
        return
    click.echo(f"created {len(written)} files in {directory}/")
    for path in written:
        click.echo(f"  {path}")
    click.echo("next: fill in data/kpis-template.csv and save it as data/kpis.csv; then, in the folder:")
    click.echo(f"  cd {directory} && govdocs validate && govdocs build")
