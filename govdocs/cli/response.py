"""`govdocs response import`: the partner's filled-in plan read back into the inputs folder."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from govdocs.cli.app import DateType, cli, handle_errors
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
@click.option(
    "--as-of",
    type=DateType(),
    help="Today for the import (default: today): an acknowledgment or check-in dated after it is refused.",
)
@json_option
@handle_errors
def import_(pdf: Path, config_path: Path, inputs_dir: Path, dry_run: bool, as_of: date | None, as_json: bool) -> None:
    """Read a returned plan's response form into the partner's response file.

    Checks the form is the one issued (document id, partner, inputs hash and plan dates against
    the document's own metadata), validates every field as the YAML inputs are validated (SMART
    proposed actions due inside the plan, dates, statuses, known KPI ids and months), and prints
    the change as a diff. A form returned without its acknowledgment (name, role, date) is
    imported with a warning saying so. A form from another partner, or one whose identity was changed, is
    refused; so is any bad field, one line each (exit 5), and nothing is written. Every signature
    the file carries is verified (intact; after the plan's certification, only form filling and
    signing): a file altered after it was signed is refused in one line. An acknowledgment or a check-in
    dated after today (--as-of) is refused, naming the field: it records a day that has not come.

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
        pdf, config, inputs_dir, data, verification.certified, write=not dry_run, as_of=as_of or date.today()
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


@response.command("fill")
@click.argument("pdf", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--set",
    "values",
    multiple=True,
    metavar="FIELD=VALUE",
    help="A field of the form and the text to put in it; repeat for several. Without --set the form's "
    "fields are listed.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="Where the filled copy is written (- for stdout).",
)
@json_option
@handle_errors
def fill(pdf: Path, values: tuple[str, ...], out: Path | None, as_json: bool) -> None:
    """List a partner copy's form fields, or fill them in: to try `response import` before a
    partner returns a form (a PDF reader does the same for the partner).

    \b
    Example:
      govdocs response fill output/2026-Q3/pip-CRN-partner.pdf            # the field names
      govdocs response fill output/2026-Q3/pip-CRN-partner.pdf --out returned/pip-CRN-partner.pdf \\
          --set "ack:name=Daniel Okafor" --set "ack:role=Client Services Director" --set ack:date=2026-10-20
    """
    from govdocs.errors import did_you_mean
    from govdocs.render.output import write_atomic
    from govdocs.response import read_form, read_returned

    data = read_returned(pdf)
    form = read_form(pdf, data)
    fillable = [name for name in form.fields if not name.startswith("govdocs:")]  # the identity is the issuer's
    if not values:
        if as_json:
            emit_json({"fields": {name: form.fields[name] or "" for name in fillable}})
            return
        for name in fillable:
            click.echo(f"{name}={form.fields[name]}" if form.fields[name] else name)
        return
    if out is None:
        raise click.UsageError("--set needs --out FILE: the copy as issued is never changed")
    chosen: dict[str, str] = {}
    for item in values:
        name, equals, value = item.partition("=")
        if not equals or name not in fillable:
            hint = did_you_mean(name, fillable) if equals else ""
            why = "is not FIELD=VALUE" if not equals else f"names no field of this form{hint}"
            raise click.UsageError(f"--set {item!r} {why} (without --set the fields are listed)")
        chosen[name] = value
    filled = _filled(data, chosen)
    if str(out) == "-":
        click.get_binary_stream("stdout").write(filled)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(out, filled)
    if as_json:
        emit_json({"wrote": str(out), "filled": sorted(chosen)})
        return
    click.echo(f"wrote {out}  ({len(chosen)} field{'s' if len(chosen) != 1 else ''} filled)")


def _filled(pdf: bytes, values: dict[str, str]) -> bytes:
    """The PDF with the fields set, appended as an incremental update (as a PDF reader saves a
    filled form: a certified copy stays certified)."""
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(PdfReader(io.BytesIO(pdf)), incremental=True)
    for page in writer.pages:
        if "/Annots" in page:
            writer.update_page_form_field_values(page, values, auto_regenerate=False)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
