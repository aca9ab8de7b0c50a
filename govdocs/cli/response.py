"""`govdocs response import`: the partner's filled-in plan read back into the inputs folder."""

from __future__ import annotations

from pathlib import Path

import click

from govdocs.cli.app import cli, handle_errors
from govdocs.cli.options import config_option, emit_json, json_option, project_option


@cli.group()
def response() -> None:
    """The partner's answer, returned inside its copy of the improvement plan.

    \b
    Example (the partner's copy of CRN's plan, filled in and sent back):
      govdocs response import returned/pip-CRN-partner.pdf --dry-run
    """


@response.command("import")
@click.argument("pdf", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@project_option
@config_option
@click.option(
    "--inputs",
    "inputs_dir",
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of human-input files: the answer is written to <PARTNER_ID>.response.yaml there.",
)
@click.option("--dry-run", is_flag=True, help="Show the change as a diff and write nothing.")
@json_option
@handle_errors
def import_(pdf: Path, config_path: Path, inputs_dir: Path, dry_run: bool, as_json: bool) -> None:
    """Read a returned plan's response form into the partner's response file.

    Checks the form is the one issued (document id, partner, inputs hash and plan dates against
    the document's own metadata), validates every field as the YAML inputs are validated (SMART
    proposed actions due inside the plan, dates, statuses, known KPI ids and months), and prints
    the change as a diff. A form returned without its acknowledgment (name, role, date) is
    imported with a warning saying so. A form from another partner, or one whose identity was changed, is
    refused; so is any bad field, one line each (exit 5), and nothing is written. Every signature
    the file carries is verified (intact; after the plan's certification, only form filling and
    signing): a file altered after it was signed is refused in one line.

    \b
    Example (in a project folder, or with --project DIR):
      govdocs response import returned/pip-CRN-partner.pdf --dry-run
    \b
    Example (every path given):
      govdocs response import returned/pip-CRN-partner.pdf --config examples/governance.yaml \\
          --inputs examples/inputs --dry-run
    """
    from govdocs.config.checks import trusted_paths
    from govdocs.config.loader import load_config
    from govdocs.response import import_response, read_form, read_returned, unfilled
    from govdocs.signing import load_trusted, verify

    config = load_config(config_path)
    data = read_returned(pdf)
    read_form(pdf, data)  # not a PDF, a password, no form: said as such before any signature is checked
    # an altered signed file, or a certification the programme does not trust, stops here in one line
    verification = verify(pdf, load_trusted(trusted_paths(config, config_path)), data)
    checks = verification.checks
    target, old, new, diff, entry = import_response(
        pdf, config, inputs_dir, data, verification.certified, write=not dry_run
    )
    warnings = unfilled(entry)
    if as_json:
        emit_json(
            {
                "pdf": str(pdf),
                "response_file": str(target),
                "document": entry.get("document"),
                "signatures": [check.line for check in checks],
                "changed": old != new,
                "written": old != new and not dry_run,
                "warnings": warnings,
                "entry": entry,
            }
        )
        return
    for warning in warnings:
        click.echo(f"warning: {pdf.name}: {warning}", err=True)
    for check in checks:
        click.echo(f"{pdf.name}: {check.line}")
    if not checks:
        click.echo(f"{pdf.name}: not signed")
    if old == new:
        click.echo(f"{target}: already holds this response; nothing to change")
        return
    click.echo(_shown_diff(diff), nl=False)
    if dry_run:
        click.echo(f"dry run: {target} not written")
        return
    click.echo(f"wrote {target}")


def _shown_diff(diff: str) -> str:
    """The diff with any control character the partner typed escaped: a field's text cannot
    clear the screen or print a fake line of its own."""
    from govdocs.errors import terminal_safe

    return "".join(terminal_safe(line, 4_000) + "\n" for line in diff.splitlines())
