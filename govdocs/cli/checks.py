"""Commands that check and set up, writing no document: `validate`, `schema` and `init`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from govdocs.cli.app import QuarterType, cli, handle_errors
from govdocs.cli.options import (
    config_option,
    data_option,
    inputs_option,
    raw_option,
)
from govdocs.periods import Quarter


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
