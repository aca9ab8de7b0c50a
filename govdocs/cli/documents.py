"""The document commands: `qbr`, `pip`, `offboarding` for chosen partners, `build` for the portfolio."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from govdocs.cli.app import DateType, cli, handle_errors, issue_date
from govdocs.cli.options import (
    actions_option,
    assessments_option,
    check_selection,
    config_option,
    data_option,
    emit_json,
    format_option,
    inputs_option,
    jobs_option,
    json_option,
    out_option,
    output_options,
    partner_options,
    pdf_variant_option,
    progress,
    project_option,
    project_quarter,
    quarter_option,
    raw_option,
    render_pool,
    report_written,
    sign_option,
    templates_option,
    written_json,
)
from govdocs.periods import Quarter


@cli.command()
@project_option
@config_option
@data_option
@inputs_option
@quarter_option("Quarter to review, e.g. 2026-Q3.")
@partner_options("Every partner in the config")
@assessments_option
@sign_option
@output_options("Date the document is issued (default: today); sets the notice countdown.")
@json_option
@handle_errors
def qbr(
    config_path: Path,
    data_paths: tuple[Path, ...],
    inputs_dir: Path | None,
    quarter: Quarter | None,
    partner_ids: tuple[str, ...],
    all_partners: bool,
    assessments: Path | None,
    sign_key: Path | None,
    audience: str,
    out_dir: Path,
    fmt: str,
    pdf_variant: str,
    as_of: date | None,
    force: bool,
    raw: Path | None,
    templates: Path | None,
    jobs: int,
    as_json: bool,
) -> None:
    """Render quarterly business reviews, one per partner.

    \b
    Example (in a project folder, or with --project DIR):
      govdocs qbr --partner BRV
    \b
    Example (every path given):
      govdocs qbr --config examples/governance.yaml --data examples/data/kpis.csv \\
          --inputs examples/inputs --quarter 2026-Q3 --partner BRV
    """
    check_selection(partner_ids, all_partners)
    quarter = project_quarter(quarter, as_of)
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
            pdf_variant=pdf_variant,
            inputs_dir=inputs_dir,
            assessments_dir=assessments,
            as_of=issue_date(as_of, quarter),
            sign=sign_key,
            force=force,
            templates=templates,
            raw=raw,
        )
        written = render_qbrs(request, progress=progress, pool=pool)
    report_written(written, [], "QBR", quarter, out_dir, as_json)


@cli.command()
@project_option
@config_option
@data_option
@inputs_option
@quarter_option("Quarter whose results call for the plan.")
@partner_options("Every partner whose escalation status calls for a plan (others are listed as skipped)")
@click.option("--start", type=DateType(), help="Plan start (default: the first business day after --as-of).")
@actions_option
@click.option("--kpi", "extra_kpis", multiple=True, metavar="ID", help="Add an objective for this KPI; repeatable.")
@sign_option
@output_options("Issue date (default: today); progress uses data up to it.")
@json_option
@handle_errors
def pip(
    config_path: Path,
    data_paths: tuple[Path, ...],
    inputs_dir: Path | None,
    quarter: Quarter | None,
    partner_ids: tuple[str, ...],
    all_partners: bool,
    start: date | None,
    actions: Path | None,
    extra_kpis: tuple[str, ...],
    sign_key: Path | None,
    audience: str,
    out_dir: Path,
    fmt: str,
    pdf_variant: str,
    as_of: date | None,
    force: bool,
    raw: Path | None,
    templates: Path | None,
    jobs: int,
    as_json: bool,
) -> None:
    """Render improvement plans with check-ins and a calendar.

    \b
    Example (in a project folder, or with --project DIR):
      govdocs pip --partner BRV
    \b
    Example (every path given):
      govdocs pip --config examples/governance.yaml --data examples/data/kpis.csv \\
          --inputs examples/inputs --quarter 2026-Q3 --partner BRV --actions examples/actions/BRV.csv
    """
    check_selection(partner_ids, all_partners)
    quarter = project_quarter(quarter, as_of)
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
            pdf_variant=pdf_variant,
            inputs_dir=inputs_dir,
            actions=actions,
            start=start,
            extra_kpis=tuple(extra_kpis),
            as_of=issue_date(as_of, quarter),
            force=force,
            templates=templates,
            raw=raw,
            sign=sign_key,
        )
        written, skipped = render_pips(request, progress=progress, pool=pool)
    report_written(written, skipped, "plan", quarter, out_dir, as_json)


@cli.command()
@project_option
@config_option
@data_option
@quarter_option("Quarter of the latest review, e.g. 2026-Q3.")
@partner_options("Every partner whose escalation status is offboarding review (others are listed as skipped)")
@assessments_option
@output_options("Date of the assessment (default: today); sets the notice countdown.", audience=False)
@json_option
@handle_errors
def offboarding(
    config_path: Path,
    data_paths: tuple[Path, ...],
    quarter: Quarter | None,
    partner_ids: tuple[str, ...],
    all_partners: bool,
    assessments: Path | None,
    out_dir: Path,
    fmt: str,
    pdf_variant: str,
    as_of: date | None,
    force: bool,
    raw: Path | None,
    templates: Path | None,
    jobs: int,
    as_json: bool,
) -> None:
    """Render internal offboarding-readiness assessments.

    \b
    Example (in a project folder, or with --project DIR):
      govdocs offboarding --partner CRN
    \b
    Example (every path given):
      govdocs offboarding --config examples/governance.yaml --data examples/data/kpis.csv \\
          --quarter 2026-Q3 --partner CRN --assessments examples/assessments/CRN.yaml
    """
    check_selection(partner_ids, all_partners)
    quarter = project_quarter(quarter, as_of)
    with render_pool(jobs, fmt) as pool:
        from govdocs.pipeline import OffboardingRequest, render_offboarding

        request = OffboardingRequest(
            config_path=config_path,
            data_paths=tuple(data_paths),
            quarter=quarter,
            partner_ids=tuple(partner_ids),
            out_dir=out_dir,
            fmt=fmt,
            pdf_variant=pdf_variant,
            assessment=assessments,
            as_of=issue_date(as_of, quarter),
            force=force,
            templates=templates,
            raw=raw,
        )
        written, skipped = render_offboarding(request, progress=progress, pool=pool)
    report_written(written, skipped, "assessment", quarter, out_dir, as_json)


@cli.command()
@project_option
@config_option
@data_option
@inputs_option
@quarter_option("Quarter to review, e.g. 2026-Q3.")
@partner_options("Every partner in the config")
@actions_option
@assessments_option
@click.option(
    "--audience",
    type=click.Choice(["both", "partner", "internal"]),
    default="both",
    show_default=True,
    help="Copies of the QBR and plan to write.",
)
@out_option
@format_option
@pdf_variant_option
@click.option("--as-of", type=DateType(), help="Issue date (default: today); sets plan dates and notice countdowns.")
@click.option("--fail-fast", is_flag=True, help="Stop at the first failed document (the ones written stay).")
@click.option("--force", is_flag=True, help="Replace documents that already exist, a file you placed there too.")
@raw_option
@templates_option
@jobs_option
@json_option
@handle_errors
def build(
    config_path: Path,
    data_paths: tuple[Path, ...],
    inputs_dir: Path | None,
    quarter: Quarter | None,
    partner_ids: tuple[str, ...],
    all_partners: bool,
    actions: Path | None,
    assessments: Path | None,
    audience: str,
    out_dir: Path,
    fmt: str,
    pdf_variant: str,
    as_of: date | None,
    fail_fast: bool,
    force: bool,
    raw: Path | None,
    templates: Path | None,
    jobs: int,
    as_json: bool,
) -> None:
    """Every document the escalation ladder calls for, a portfolio summary and a manifest.

    For each partner: the QBR; the improvement plan when the escalation status calls for
    one or one is open; the offboarding assessment at offboarding review. One partner's bad
    file fails only that partner's documents; the exit code is that of the first failure.

    A build into a folder holding an earlier build's documents renders only the documents
    whose content changed and keeps the rest; a file you placed there is refused (exit 6)
    unless --force.

    \b
    Example (in a project folder, or with --project DIR):
      govdocs build
    \b
    Example (every path given):
      govdocs build --config examples/governance.yaml --data examples/data/kpis.csv \\
          --inputs examples/inputs --actions examples/actions --assessments examples/assessments \\
          --quarter 2026-Q3
    """
    check_selection(partner_ids, all_partners)
    quarter = project_quarter(quarter, as_of)
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
            actions_dir=actions,
            assessments_dir=assessments,
            audiences=audiences,
            as_of=issue_date(as_of, quarter),
            fmt=fmt,
            pdf_variant=pdf_variant,
            fail_fast=fail_fast,
            force=force,
            templates=templates,
            raw=raw,
        )
        with _BuildProgress() as progress:
            result = run_build(request, pool, progress)
    if as_json:
        emit_json(_build_json(result))
    else:
        _report_build(result)
    sys.exit(int(result.exit_code))


def _build_json(result: Any) -> dict[str, Any]:
    kept = set(result.kept)
    data = written_json(
        result.written,
        [item for _, item in result.skipped],
        result.quarter,
        result.out_dir,
        failed=[
            {
                "partner": f.partner_id or None,
                "type": f.kind,
                "audience": f.audience,
                "path": str(f.path),
                "reason": f.reason,
                "exit_code": int(f.exit_code),
            }
            for f in result.failed
        ],
        manifest=str(result.manifest) if result.manifest else None,
        exit_code=int(result.exit_code),
    )
    for document, entry in zip(result.written, data["documents"], strict=True):
        entry["kept"] = document.path in kept or document.kept
    for (kind, _), entry in zip(result.skipped, data["skipped"], strict=True):
        entry["type"] = kind
    data["warnings"] = [w.to_dict() for w in result.warnings]
    return data


class _BuildProgress:
    """A bar on a terminal; one plain line per document otherwise (logs, CI)."""

    def __init__(self) -> None:
        from govdocs.cli.app import progress_wanted

        self.bar: Any = None
        self.tty = sys.stderr.isatty()
        self.quiet = progress_wanted() is False

    def __enter__(self) -> _BuildProgress:
        return self

    def __call__(self, done: int, total: int, message: str) -> None:
        if self.quiet:
            return
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
    from govdocs.facts import CONTRACT_ENDED, NO_FURTHER_PLAN

    counts = Counter(d.kind for d in result.written)
    written = ", ".join(
        f"{n} {KIND_NOUN[k]}{'s' if n != 1 else ''}" for k, n in sorted(counts.items(), key=lambda x: KIND_ORDER[x[0]])
    )
    click.echo(f"written: {len(result.written)} documents ({written or 'none'}) to {result.out_dir}/{result.quarter}/")
    if result.kept:
        click.echo(f"kept: {len(result.kept)} of them as an earlier run wrote them (unchanged, not rendered again)")
    if result.left_over:
        names = ", ".join(p.name for p in result.left_over)
        click.echo(
            f"not in the manifest: {len(result.left_over)} files an earlier run wrote for documents "
            f"this build does not call for ({names}); delete them if they are not needed"
        )
    by_kind: dict[str, list[str]] = {}
    closed: list[str] = []  # plans not offered again after two missed ones, with their reason
    ended: list[str] = []  # plans not issued on a contract that has ended, with its end
    for kind, item in result.skipped:
        if item.reason.startswith(NO_FURTHER_PLAN):
            closed.append(f"{item.partner_id}: {item.reason.removeprefix(NO_FURTHER_PLAN)}")
        elif item.reason.startswith(CONTRACT_ENDED):
            ended.append(f"{item.partner_id}: {item.reason.removeprefix(CONTRACT_ENDED)}")
        else:
            by_kind.setdefault(kind, []).append(item.partner_id)
    for kind, partners in by_kind.items():
        noun = KIND_NOUN[kind]
        plural = "s" if len(partners) != 1 else ""
        click.echo(f"skipped: {len(partners)} {noun}{plural}, not called for ({', '.join(partners)})")
    if closed:
        plural = "s" if len(closed) != 1 else ""
        click.echo(f"skipped: {len(closed)} plan{plural}, no further plan offered ({'; '.join(closed)})")
    if ended:
        plural = "s" if len(ended) != 1 else ""
        click.echo(f"skipped: {len(ended)} plan{plural}, contract ended ({'; '.join(ended)})")
    for failure in result.failed:
        who = failure.partner_id or "portfolio"
        click.echo(f"failed: {who} {KIND_NOUN[failure.kind]} ({failure.audience}): {failure.reason}")
    for warning in result.warnings:  # the reviewer's text the computed facts contradict, at its line
        click.echo(str(warning), err=True)  # escaped and cut by Problem.__str__
    click.echo(f"manifest: {result.manifest or 'not written (the output folder cannot be written)'}")
    if not result.failed:
        click.echo("build complete")
        return
    click.echo(f"build incomplete: {len(result.failed)} failed (exit {int(result.exit_code)})")
    click.echo("run the same command again once fixed: documents already written are kept, the rest are built")
