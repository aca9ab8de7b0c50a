"""The pipeline, end to end: load -> validate -> score -> decide -> build context -> HTML -> PDF.

`render_qbrs` is the one public function behind `govdocs qbr`. It renders every
requested document in memory first and writes them only when all succeeded, each
atomically, so a failed run leaves nothing half-written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path

from govdocs.config.loader import load_config
from govdocs.config.model import GovernanceConfig
from govdocs.data.inputs import PartnerInputs, inputs_path, load_partner_inputs
from govdocs.data.loader import KpiData, load_kpi_data
from govdocs.documents import DOCUMENT_TYPES
from govdocs.documents.common import Audience, RunInputs, run_files
from govdocs.documents.qbr import build_qbr_context
from govdocs.errors import ExitCode, GovdocsError, Location, Problem
from govdocs.periods import Quarter
from govdocs.render.environment import builtin_templates_dir, render_html
from govdocs.render.output import check_targets, write_atomic
from govdocs.scoring.engine import Escalation, PartnerAssessment, assess_partner, assess_portfolio
from govdocs.validate import cross_check, foreign_mentions


@dataclass(frozen=True)
class Workspace:
    """Config and data loaded, validated and cross-checked once per run."""

    config: GovernanceConfig
    data: KpiData
    run: RunInputs
    data_paths: tuple[Path, ...]


def load_workspace(config_path: Path, data_paths: list[Path], inputs_dir: Path | None = None) -> Workspace:
    config = load_config(config_path)
    data = load_kpi_data(data_paths, [k.id for k in config.kpis])
    errors = [p for p in cross_check(config, data, data_paths) if p.severity == "error"]
    if errors:
        raise GovdocsError(errors)
    return Workspace(config, data, RunInputs.from_paths(config_path, data, inputs_dir), tuple(data_paths))


def select_partners(config: GovernanceConfig, partner_ids: tuple[str, ...]) -> list[str]:
    known = [p.id for p in config.partners]
    unknown = [p for p in partner_ids if p not in known]
    if unknown:
        raise GovdocsError(
            [
                Problem(
                    "usage.unknown_partner",
                    f"no partner '{p}' in the config (known: {', '.join(known)})",
                    Location("--partner"),
                    ExitCode.USAGE,
                )
                for p in unknown
            ]
        )
    return list(partner_ids) if partner_ids else known


def require_quarter_data(data: KpiData, quarter: Quarter) -> None:
    months = {m.index for m in quarter.months}
    if not data.frame["month"].isin(months).any():
        latest = data.latest_month()
        raise GovdocsError(
            [
                Problem(
                    "data.no_quarter_data",
                    f"no KPI rows for {quarter} (the data ends {latest})",
                    Location(", ".join(s.name for s in data.sources)),
                    ExitCode.DATA,
                )
            ]
        )


def partner_inputs(
    inputs_dir: Path | None, partner_id: str, kpi_ids: set[str], quarter: Quarter | None
) -> tuple[PartnerInputs | None, Path | None]:
    if inputs_dir is None:
        return None, None
    path = inputs_path(inputs_dir, partner_id)
    if not path.exists():
        return None, None
    return load_partner_inputs(path, partner_id, kpi_ids, str(quarter) if quarter else None), path


@dataclass(frozen=True)
class QbrRequest:
    config_path: Path
    data_paths: tuple[Path, ...]
    quarter: Quarter
    partner_ids: tuple[str, ...]  # empty: every partner
    audience: Audience
    out_dir: Path
    fmt: str  # "pdf" or "html"
    inputs_dir: Path | None
    as_of: date
    force: bool = False


@dataclass(frozen=True)
class WrittenDocument:
    partner_id: str
    kind: str
    audience: str
    document_id: str
    path: Path
    attachments: tuple[Path, ...] = ()  # files written beside the document, e.g. the plan's .ics


def render_document(template: str, context: object, target: Path, fmt: str, as_of: date) -> bytes:
    """Context -> HTML -> (PDF) bytes; the as-of date is the only time that enters the file."""
    html = render_html(template, {"doc": context})
    if fmt == "html":
        return html.encode("utf-8")
    from govdocs.render.pdf import html_to_pdf

    templates = builtin_templates_dir()
    epoch = int(datetime.combine(as_of, time(), tzinfo=UTC).timestamp())
    return html_to_pdf(html, templates, [templates], str(target), timestamp=epoch)


def document_path(out_dir: Path, kind: str, quarter: Quarter, partner_id: str, audience: Audience, fmt: str) -> Path:
    return out_dir / str(quarter) / f"{kind}-{partner_id}-{audience.value}.{fmt}"


def render_qbrs(request: QbrRequest, progress: Callable[[str], None] | None = None) -> list[WrittenDocument]:
    workspace = load_workspace(request.config_path, list(request.data_paths), request.inputs_dir)
    config, data = workspace.config, workspace.data
    partner_ids = select_partners(config, request.partner_ids)
    require_quarter_data(data, request.quarter)
    doc_type = DOCUMENT_TYPES["qbr"]
    targets = {
        pid: document_path(request.out_dir, doc_type.kind, request.quarter, pid, request.audience, request.fmt)
        for pid in partner_ids
    }
    check_targets(targets.values(), request.force)

    kpi_ids = {k.id for k in config.kpis}
    loaded = {pid: partner_inputs(request.inputs_dir, pid, kpi_ids, request.quarter) for pid in partner_ids}
    if request.audience is Audience.PARTNER:
        leaks = [
            problem
            for pid in partner_ids
            for problem in foreign_mentions(config, request.config_path, pid, *loaded[pid])
        ]
        if leaks:
            raise GovdocsError(leaks)
    portfolio = assess_portfolio(config, data, request.quarter)
    rendered: list[tuple[WrittenDocument, bytes]] = []
    for number, pid in enumerate(partner_ids, start=1):
        inputs, inputs_file = loaded[pid]
        context = build_qbr_context(
            config=config,
            assessment=portfolio[pid],
            portfolio=portfolio,
            inputs=inputs,
            files=run_files(workspace.run, inputs_file),
            audience=request.audience,
            as_of=request.as_of,
            data=data,
        )
        content = render_document(doc_type.template, context, targets[pid], request.fmt, request.as_of)
        rendered.append(
            (
                WrittenDocument(pid, doc_type.kind, request.audience.value, context.meta.document_id, targets[pid]),
                content,
            )
        )
        if progress is not None:
            progress(f"[{number}/{len(partner_ids)}] rendered {pid}")
    for document, content in rendered:
        write_atomic(document.path, content)
    return [document for document, _ in rendered]


# --- performance-improvement plans -----------------------------------------------------------


@dataclass(frozen=True)
class PipRequest:
    config_path: Path
    data_paths: tuple[Path, ...]
    quarter: Quarter
    partner_ids: tuple[str, ...]  # empty: every partner whose escalation status calls for a plan
    audience: Audience
    out_dir: Path
    fmt: str
    inputs_dir: Path | None
    actions: Path | None  # a file (one partner) or a folder of <PARTNER_ID>.yaml|.csv
    start: date | None
    extra_kpis: tuple[str, ...]
    as_of: date
    force: bool = False


@dataclass(frozen=True)
class Skipped:
    partner_id: str
    reason: str


def partners_called_for(
    config: GovernanceConfig,
    portfolio: dict[str, PartnerAssessment],
    partner_ids: tuple[str, ...],
    minimum: Escalation,
    skip_reason: str,
) -> tuple[list[str], list[Skipped]]:
    """The partners named, or else every partner whose escalation status reaches `minimum`,
    with the others listed as skipped and why."""
    if partner_ids:
        return select_partners(config, partner_ids), []
    chosen = [pid for pid, a in portfolio.items() if a.decision.level >= minimum]
    skipped = [
        Skipped(pid, f"escalation status {a.decision.level.label.lower()} {skip_reason}")
        for pid, a in portfolio.items()
        if pid not in chosen
    ]
    return chosen, skipped


def _actions_file(actions: Path | None, partner_id: str, single: bool) -> Path | None:
    if actions is None:
        return None
    if actions.is_dir():
        found = [actions / f"{partner_id}{ext}" for ext in (".yaml", ".yml", ".csv")]
        return next((p for p in found if p.exists()), None)
    if not single:
        raise GovdocsError(
            [
                Problem(
                    "usage.actions_file",
                    "one actions file serves one partner; with several partners pass a "
                    "folder of <PARTNER_ID>.yaml or .csv files",
                    Location("--actions"),
                    ExitCode.USAGE,
                )
            ]
        )
    return actions


def render_pips(
    request: PipRequest, progress: Callable[[str], None] | None = None
) -> tuple[list[WrittenDocument], list[Skipped]]:
    """One plan per partner (and its .ics); with no partner named, every partner whose
    escalation status is an improvement plan or an offboarding review."""
    from govdocs.data.actions import load_proposed_actions
    from govdocs.documents.pip import build_pip_context
    from govdocs.planning.pip import build_plan, plan_outcome, plan_progress
    from govdocs.render.ics import plan_calendar

    workspace = load_workspace(request.config_path, list(request.data_paths), request.inputs_dir)
    config, data = workspace.config, workspace.data
    unknown_kpis = [k for k in request.extra_kpis if k not in {x.id for x in config.kpis}]
    if unknown_kpis:
        raise GovdocsError(
            [
                Problem("usage.unknown_kpi", f"no KPI '{k}' in the config", Location("--kpi"), ExitCode.USAGE)
                for k in unknown_kpis
            ]
        )
    require_quarter_data(data, request.quarter)
    portfolio = assess_portfolio(config, data, request.quarter)
    partner_ids, skipped = partners_called_for(
        config, portfolio, request.partner_ids, Escalation.PIP, f"in {request.quarter}: no plan called for"
    )
    doc_type = DOCUMENT_TYPES["pip"]
    targets = {
        pid: document_path(request.out_dir, doc_type.kind, request.quarter, pid, request.audience, request.fmt)
        for pid in partner_ids
    }
    calendars = {pid: request.out_dir / str(request.quarter) / f"pip-{pid}.ics" for pid in partner_ids}
    check_targets([*targets.values(), *calendars.values()], request.force)

    kpi_ids = {k.id for k in config.kpis}
    rendered: list[tuple[WrittenDocument, bytes, bytes]] = []
    for number, pid in enumerate(partner_ids, start=1):
        # A plan is read long after the quarter that called for it: its context comes from the
        # partner's current inputs file, whichever quarter that file was written for.
        inputs, inputs_file = partner_inputs(request.inputs_dir, pid, kpi_ids, None)
        if request.audience is Audience.PARTNER:
            leaks = foreign_mentions(config, request.config_path, pid, inputs, inputs_file)
            if leaks:
                raise GovdocsError(leaks)
        actions_file = _actions_file(request.actions, pid, single=len(partner_ids) == 1)
        proposed = load_proposed_actions(actions_file) if actions_file else []
        plan = build_plan(
            config=config,
            assessment=portfolio[pid],
            issued=request.as_of,
            start=request.start,
            proposed=proposed,
            proposed_source=str(actions_file) if actions_file else "",
            extra_kpis=request.extra_kpis,
            library_location=Location(str(request.config_path), path="action_library"),
        )
        files = run_files(workspace.run, inputs_file)
        if actions_file is not None:
            from govdocs.documents.common import InputFile, sha256_file

            files.append(
                InputFile("Proposed actions", actions_file.name, sha256_file(actions_file), "partner proposal")
            )
        context = build_pip_context(
            config=config,
            plan=plan,
            assessment=portfolio[pid],
            progress=plan_progress(plan, data, request.as_of),
            result=plan_outcome(plan, data, request.as_of, config.pip.sustain_months),
            inputs=inputs,
            files=files,
            audience=request.audience,
            as_of=request.as_of,
            data=data,
        )
        content = render_document(doc_type.template, context, targets[pid], request.fmt, request.as_of)
        document = WrittenDocument(
            pid, doc_type.kind, request.audience.value, context.meta.document_id, targets[pid], (calendars[pid],)
        )
        rendered.append((document, content, plan_calendar(plan, config, context.meta.document_id)))
        if progress is not None:
            progress(f"[{number}/{len(partner_ids)}] rendered {pid}")
    for document, content, calendar in rendered:
        write_atomic(document.path, content)
        write_atomic(document.attachments[0], calendar)
    return [document for document, *_ in rendered], skipped


# --- offboarding-readiness assessments -------------------------------------------------------


@dataclass(frozen=True)
class OffboardingRequest:
    config_path: Path
    data_paths: tuple[Path, ...]
    quarter: Quarter
    partner_ids: tuple[str, ...]  # empty: every partner whose escalation status is offboarding review
    out_dir: Path
    fmt: str
    assessment: Path | None  # a file (one partner) or a folder of <PARTNER_ID>.yaml
    as_of: date
    force: bool = False


def _assessment_file(path: Path | None, partner_id: str, single: bool) -> Path | None:
    if path is None:
        return None
    if path.is_dir():
        found = path / f"{partner_id}.yaml"
        return found if found.exists() else None
    if not single:
        raise GovdocsError(
            [
                Problem(
                    "usage.assessment_file",
                    "one assessment file serves one partner; with several partners pass "
                    "a folder of <PARTNER_ID>.yaml files",
                    Location("--assessment"),
                    ExitCode.USAGE,
                )
            ]
        )
    return path


def render_offboarding(
    request: OffboardingRequest, progress: Callable[[str], None] | None = None
) -> tuple[list[WrittenDocument], list[Skipped]]:
    """The internal offboarding-readiness assessment for each partner asked for."""
    from govdocs.data.assessment import load_assessment
    from govdocs.documents.common import InputFile, sha256_file
    from govdocs.documents.offboarding import build_offboarding_context
    from govdocs.planning.calendar import BusinessCalendar
    from govdocs.planning.offboarding import consideration_rows, contract_clock, decide, gather_evidence, readiness
    from govdocs.planning.pip import build_plan, plan_outcome

    workspace = load_workspace(request.config_path, list(request.data_paths))
    config, data = workspace.config, workspace.data
    require_quarter_data(data, request.quarter)
    portfolio = assess_portfolio(config, data, request.quarter)
    partner_ids, skipped = partners_called_for(
        config,
        portfolio,
        request.partner_ids,
        Escalation.OFFBOARDING_REVIEW,
        f"in {request.quarter}: no review called for",
    )
    doc_type = DOCUMENT_TYPES["offboarding"]
    targets = {
        pid: document_path(request.out_dir, doc_type.kind, request.quarter, pid, Audience.INTERNAL, request.fmt)
        for pid in partner_ids
    }
    check_targets(targets.values(), request.force)
    business = BusinessCalendar.from_settings(config.pip, range(request.as_of.year - 1, request.as_of.year + 4))
    rendered: list[tuple[WrittenDocument, bytes]] = []
    for number, pid in enumerate(partner_ids, start=1):
        assessment = portfolio[pid]
        review_file = _assessment_file(request.assessment, pid, single=len(partner_ids) == 1)
        review = load_assessment(review_file, pid, config) if review_file else None
        plan = outcome = None
        if review is not None and review.pip is not None:
            plan_quarter = Quarter.parse(review.pip.quarter)
            plan = build_plan(
                config=config,
                assessment=assess_partner(config, data, assessment.partner, plan_quarter),
                issued=request.as_of,
                start=review.pip.start,
                with_actions=False,
            )
            outcome = plan_outcome(plan, data, request.as_of, config.pip.sustain_months).outcome
        evidence = gather_evidence(config, data, assessment, portfolio, outcome)
        rows = consideration_rows(config.offboarding, review)
        ready = readiness(config.offboarding, review, assessment.partner.contract)
        decision = decide(config.offboarding, rows, evidence, ready)
        files = run_files(workspace.run, None)
        if review_file is not None:
            files.append(
                InputFile("Assessment", review_file.name, sha256_file(review_file), "vendor manager's ratings")
            )
        context = build_offboarding_context(
            config=config,
            assessment=assessment,
            review=review,
            evidence=evidence,
            decision=decision,
            ready=ready,
            clock=contract_clock(assessment.partner.contract, request.as_of, business),
            plan=plan,
            files=files,
            as_of=request.as_of,
            data=data,
        )
        content = render_document(doc_type.template, context, targets[pid], request.fmt, request.as_of)
        rendered.append(
            (WrittenDocument(pid, doc_type.kind, "internal", context.meta.document_id, targets[pid]), content)
        )
        if progress is not None:
            progress(f"[{number}/{len(partner_ids)}] rendered {pid}")
    for document, content in rendered:
        write_atomic(document.path, content)
    return [document for document, _ in rendered], skipped
