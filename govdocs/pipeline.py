"""The pipeline, end to end: load -> validate -> score -> decide -> build context -> HTML -> PDF.

`render_qbrs`, `render_pips` and `render_offboarding` are the functions behind the
document commands; `govdocs build` (build.py) uses the same `prepare_*` steps. The
coordinating process loads, scores and builds each document's HTML; the PDFs are laid
out by a pool of worker processes (render/workers.py) while the next HTML is built.
The document commands write only when every requested document rendered, each file
atomically, so a failed run leaves nothing half-written.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from govdocs import signals
from govdocs.config.loader import load_config
from govdocs.config.model import GovernanceConfig
from govdocs.data.inputs import PartnerInputs, inputs_path, load_partner_inputs
from govdocs.data.loader import load_kpi_data
from govdocs.data.table import KpiData
from govdocs.documents import DOCUMENT_TYPES
from govdocs.documents.common import (
    Audience,
    InputFile,
    RunInputs,
    figure_rows,
    folder_name,
    run_files,
    sha256_file,
)
from govdocs.documents.credits import credits_view, exit_cost_view
from govdocs.documents.qbr import build_qbr_context
from govdocs.errors import ExitCode, GovdocsError, Location, Problem
from govdocs.exit_cost import exit_cost
from govdocs.facts import (
    PartnerFacts,
    RunFacts,
    closed_to_a_new_plan,
    contract_end_location,
    contract_ended_reason,
    join_names,
    no_further_plan_reason,
    run_facts,
)
from govdocs.periods import Quarter
from govdocs.prepared import Prepared, WrittenDocument
from govdocs.progress import step
from govdocs.render.environment import render_html
from govdocs.render.output import check_targets, folder_lock, write_together
from govdocs.render.pdf import DataFile
from govdocs.render.variants import PDF_A, PDF_UA
from govdocs.render.workers import PdfJob, RenderPool, default_jobs
from govdocs.scoring.engine import Escalation, PartnerAssessment
from govdocs.validate import cross_check, foreign_mentions, foreign_mentions_in_actions

if TYPE_CHECKING:
    from govdocs.data.actions import ProposedAction
    from govdocs.data.assessment import Assessment
    from govdocs.exit_cost import ExitCost
    from govdocs.facts import PlanBasis
    from govdocs.journal import Journal
    from govdocs.planning.offboarding import Decision, Evidence, Readiness
    from govdocs.planning.options import Options
    from govdocs.planning.pip import Plan


@dataclass(frozen=True)
class Workspace:
    """Config and data loaded, validated and cross-checked once per run."""

    config: GovernanceConfig
    data: KpiData
    run: RunInputs
    data_paths: tuple[Path, ...]
    templates: Path | None = None  # a user template folder, searched before the bundled one
    pdf_variant: str = PDF_UA  # --pdf-variant: every PDF tagged; PDF/A-3u carries its data too

    def facts(self, quarter: Quarter, as_of: date, config_path: Path) -> RunFacts:
        """The run's facts from this workspace: the KPI data, and the raw records' drill-down and QA
        review when the data was aggregated from them."""
        return run_facts(
            self.config,
            self.data,
            quarter,
            as_of,
            config_path,
            drill=self.run.drill,
            qa_review=self.run.qa_review,
        )

    def prepared(
        self,
        document: WrittenDocument,
        template: str,
        context: object,
        *attachments: bytes,
        data: Callable[[], DataFile] | None = None,
    ) -> Prepared:
        """A document's final HTML from its template, ready for the render pool. `data` makes
        the table the document's figures come from: embedded in a PDF/A-3 file only."""
        html = render_html(template, {"doc": context}, self.templates)
        embedded = data() if data is not None and self.pdf_variant == PDF_A else None
        return Prepared(document, html, attachments, self.templates, self.pdf_variant, embedded)


def load_workspace(
    config_path: Path,
    data_paths: list[Path],
    inputs_dir: Path | None = None,
    templates: Path | None = None,
    raw: Path | None = None,
    pdf_variant: str = PDF_UA,
) -> Workspace:
    config = load_config(config_path)
    quality = breakdown = drill = qa_review = None
    if data_paths:
        with step(f"reading the KPI data ({len(data_paths)} file{'s' * (len(data_paths) != 1)})"):
            data = load_kpi_data(data_paths, [k.id for k in config.kpis])
    if raw is not None or not data_paths:
        from govdocs.raw.source import join_table, load_raw

        config, aggregation = load_raw(config, config_path, raw)
        computed, quality, breakdown = aggregation.kpi_data(), aggregation.quality, aggregation.breakdown
        drill, qa_review = aggregation.drill, aggregation.qa_review
        raw_paths = [f.path for f in aggregation.files]
        data = join_table(data, data_paths, computed) if data_paths else computed
        data_paths = [*data_paths, *raw_paths]
    errors = [p for p in cross_check(config, data, data_paths) if p.severity == "error"]
    if errors:
        raise GovdocsError(errors)
    run = RunInputs.from_paths(config_path, data, inputs_dir, quality, breakdown, drill, qa_review)
    return Workspace(config, data, run, tuple(data_paths), templates, pdf_variant)


class WorkspaceRequest(Protocol):
    """What a document command's request (QbrRequest, PipRequest, build.BuildRequest) names for its
    workspace: a protocol, so this module needs no import of build.py, which imports it."""

    @property
    def config_path(self) -> Path: ...
    @property
    def data_paths(self) -> tuple[Path, ...]: ...
    @property
    def inputs_dir(self) -> Path | None: ...
    @property
    def templates(self) -> Path | None: ...
    @property
    def raw(self) -> Path | None: ...
    @property
    def pdf_variant(self) -> str: ...


def workspace_for(request: WorkspaceRequest) -> Workspace:
    """The workspace of a document command: its config, data, inputs, templates and PDF variant."""
    paths = (request.inputs_dir, request.templates, request.raw)
    return load_workspace(request.config_path, list(request.data_paths), *paths, request.pdf_variant)


def scorecard_file(assessments: list[PartnerAssessment], name: str) -> DataFile:
    """The scored quarter of these partners as `govdocs export --table scorecard` writes it: the
    file a PDF/A-3u document carries as its data. A partner's document passes its own partner only."""
    from govdocs.render.tables import to_csv
    from govdocs.scorecard import scorecard_columns, scorecard_rows

    quarter = assessments[0].quarter
    rows = [row for assessment in assessments for row in scorecard_rows(assessment)]
    who = assessments[0].partner.name if len(assessments) == 1 else "every partner"
    description = f"Scorecard {quarter} of {who}: the KPI values, volumes and statuses this document scores"
    return DataFile(name, description, to_csv(scorecard_columns(quarter), rows))


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


def returned_responses(
    workspace: Workspace, partner_id: str, audience: Audience, plan_start: date | None, review: Quarter | None = None
):
    """The partner's latest returned answers, as documents print them: to the plan starting on
    `plan_start`, and (with `review`) to the QBR of that quarter or the one before. The
    partner's response file is read once for both."""
    from govdocs.documents.response import latest_for_plan, latest_for_review, response_view
    from govdocs.response import load_responses
    from govdocs.validate import foreign_mentions_in_response

    path, responses = load_responses(workspace.run.inputs_dir, partner_id)
    chosen = (latest_for_plan(responses, plan_start), latest_for_review(responses, review) if review else None)
    views = []
    for response in chosen:
        if response is None or path is None:
            views.append(None)
            continue
        if audience is Audience.PARTNER:
            texts = [*response.root_causes.values(), *(d.issue for d in response.disputes)]
            texts += [d.evidence or "" for d in response.disputes] + [a.action for a in response.proposed_actions]
            texts += [a.note or "" for a in (response.checkin.actions if response.checkin else ())]
            if leaks := foreign_mentions_in_response(workspace.config, partner_id, texts, path):
                raise GovdocsError(leaks)
        views.append(response_view(workspace.config, response))
    return tuple(views)


def partner_inputs(
    inputs_dir: Path | None, partner_id: str, kpi_ids: set[str], quarter: Quarter | None
) -> tuple[PartnerInputs | None, Path | None]:
    if inputs_dir is None:
        return None, None
    path = inputs_path(inputs_dir, partner_id)
    if not path.exists():
        return None, None
    return load_partner_inputs(path, partner_id, kpi_ids, str(quarter) if quarter else None), path


# --- one document: prepared in this process, rendered by the pool, written atomically --------


def epoch(as_of: date) -> int:
    """The as-of date as the one timestamp allowed into a file."""
    return int(datetime.combine(as_of, time(), tzinfo=UTC).timestamp())


def submit(pool: RenderPool, prepared: Prepared, fmt: str, as_of: date) -> Future[bytes]:
    """HTML is final once its assets are inlined (it opens anywhere); a PDF goes to a worker."""
    if fmt == "html":
        from govdocs.render.preview import self_contained

        done: Future[bytes] = Future()
        try:  # a refused reference fails this document as a PDF worker's error would
            done.set_result(self_contained(prepared.html, prepared.templates, prepared.document.path.name).encode())
        except GovdocsError as exc:
            done.set_exception(exc)
        return done
    job = PdfJob(
        prepared.html, str(prepared.document.path), epoch(as_of), prepared.templates, prepared.variant, prepared.data
    )
    return pool.submit(job)


def files_of(prepared: Prepared, content: bytes) -> list[tuple[Path, bytes]]:
    """The document and its attachments, as (path, content)."""
    return [(prepared.document.path, content), *zip(prepared.document.attachments, prepared.attachments, strict=True)]


def written(prepared: Prepared, content: bytes) -> WrittenDocument:
    return replace(prepared.document, sha256=hashlib.sha256(content).hexdigest())


@contextmanager
def pool_scope(pool: RenderPool | None, fmt: str) -> Iterator[RenderPool]:
    """The caller's pool, or one for this call (none needed for HTML)."""
    if pool is not None:
        yield pool
        return
    with RenderPool(default_jobs() if fmt == "pdf" else 0) as own:
        yield own


def open_journal(out_dir: Path, quarter: Quarter) -> Journal:
    """The output folder's record of what earlier runs wrote there (see govdocs.journal)."""
    from govdocs.journal import Journal

    return Journal.open(out_dir / str(quarter), out_dir)


def check_or_defer(paths: list[Path], force: bool, journal: Journal) -> set[Path]:
    """`check_targets`, except when the folder has no build journal at all (deleted, or never
    written by this version): then the files in the way are returned, to be kept by `Batch` if
    each is byte for byte what the command renders, and refused before anything is written if
    not. A folder with a journal that does not know a file refuses it at once (a user's file)."""
    resumable = journal.resumable()
    if force or journal.entries:
        check_targets(paths, force, resumable)
        return set()
    waiting = {p for p in paths if p.exists() and p not in resumable}
    check_targets(paths, force, resumable | waiting)
    return waiting


class Batch:
    """All-or-nothing rendering for the document commands: every document is submitted as soon
    as its HTML is ready; files are written only when all of them rendered. A document an
    earlier run wrote into the folder, unchanged and still what the inputs call for (the
    folder's journal says so), is kept and not rendered again."""

    def __init__(
        self,
        pool: RenderPool,
        fmt: str,
        as_of: date,
        progress: Callable[[str], None] | None,
        seal: Callable[[Prepared, bytes], bytes] | None = None,
        journal: Journal | None = None,
        unverified: set[Path] | None = None,
    ) -> None:
        self.pool, self.fmt, self.as_of, self.progress = pool, fmt, as_of, progress
        self.unverified = unverified or set()  # files in the way with no journal: kept only if identical
        self.seal = seal  # applied to each rendered file before anything is written (signing)
        self.journal = journal
        self.items: list[tuple[Prepared, Future[bytes], str]] = []
        self.kept: list[WrittenDocument] = []

    def add(self, prepared: Prepared) -> None:
        from govdocs.journal import source_key

        key = source_key(prepared, self.fmt, epoch(self.as_of))
        # a certified copy is signed anew each time: never kept
        kept = self.journal.reuse(prepared, key) if self.journal is not None and self.seal is None else None
        if kept is not None:
            self.kept.append(kept)
            return
        self.items.append((prepared, submit(self.pool, prepared, self.fmt, self.as_of), key))

    def finish(self) -> list[WrittenDocument]:
        contents = []
        for number, (prepared, future, _) in enumerate(self.items, start=1):
            signals.check()  # a Ctrl-C Python dropped (inside a weakref callback) stops here
            contents.append(future.result())  # a worker's GovdocsError is raised here, as is
            if self.progress is not None:
                self.progress(f"[{number}/{len(self.items)}] rendered {prepared.document.partner_id}")
        done = [(prepared, content, key) for (prepared, _, key), content in zip(self.items, contents, strict=True)]
        if self.seal is not None:
            done = [(prepared, self.seal(prepared, content), key) for prepared, content, key in done]
        done = self._recognise(done)
        files = [file for prepared, content, _ in done for file in files_of(prepared, content)]
        if self.journal is not None and done:
            files.append(self.journal.with_documents(done))
        write_together(files)
        if self.journal is not None:
            for prepared, content, key in done:
                self.journal.record(prepared, content, key)
        fresh = [written(prepared, content) for prepared, content, _ in done]
        return [*fresh, *self.kept]

    def _recognise(self, done: list[tuple[Prepared, bytes, str]]) -> list[tuple[Prepared, bytes, str]]:
        """Files in the way of a folder without a journal: a document whose files are each
        byte for byte what was rendered is kept (and recorded); any other is refused, before
        anything is written. Never by its look: an edited document keeps its id and metadata."""
        if not self.unverified:
            return done
        from govdocs.journal import file_digest

        left, refused = [], []
        for prepared, content, key in done:
            files = files_of(prepared, content)
            if not any(path in self.unverified for path, _ in files):
                left.append((prepared, content, key))
            elif all(file_digest(path) == hashlib.sha256(data).hexdigest() for path, data in files):
                if self.journal is not None:
                    self.journal.adopt(prepared, content, key, None)
                self.kept.append(replace(written(prepared, content), kept=True))
            else:
                refused += [path for path, _ in files if path in self.unverified]
        if refused:
            raise GovdocsError(
                [
                    Problem(
                        "output.exists",
                        "document exists; pass --force to replace it",
                        Location(str(p)),
                        ExitCode.OUTPUT,
                    )
                    for p in refused
                ]
            )
        if self.journal is not None and not left and self.kept:
            write_together([self.journal.with_documents([])])  # the kept documents' record
        return left


def document_path(out_dir: Path, kind: str, quarter: Quarter, partner_id: str, audience: Audience, fmt: str) -> Path:
    return out_dir / str(quarter) / f"{kind}-{partner_id}-{audience.value}.{fmt}"


def calendar_path(out_dir: Path, quarter: Quarter, partner_id: str) -> Path:
    return out_dir / str(quarter) / f"pip-{partner_id}.ics"


def check_isolation(
    workspace: Workspace, partner_id: str, inputs: PartnerInputs | None, inputs_file: Path | None
) -> None:
    """A partner copy may not name another partner (in the inputs it prints)."""
    leaks = foreign_mentions(workspace.config, workspace.run.config_path, partner_id, inputs, inputs_file)
    if leaks:
        raise GovdocsError(leaks)


# --- quarterly business reviews ----------------------------------------------------------------


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
    templates: Path | None = None  # a user template folder (--templates)
    raw: Path | None = None  # a raw_data mapping (--raw): KPIs computed from raw exports
    pdf_variant: str = PDF_UA  # --pdf-variant: pdf/ua-1 (tagged) or pdf/a-3u (archival, data inside)
    sign: Path | None = None  # a PKCS#12 key: each partner copy is certified with it (--sign)
    assessments_dir: Path | None = None  # offboarding assessments (--assessments): the decision's date


def decision_date(
    workspace: Workspace, facts: RunFacts, partner_id: str, as_of: date, review_file: Path | None
) -> date | None:
    """The date the partner's offboarding assessment asks the decision by (None: no review called
    for): the QBR's retain-or-exit step states this date, from the same facts as the assessment."""
    if facts[partner_id].assessment.decision.level < Escalation.OFFBOARDING_REVIEW:
        return None
    return offboarding_facts(workspace, facts, partner_id, as_of, review_file).options.decide_by


def prepare_qbr(
    workspace: Workspace,
    facts: RunFacts,
    partner_id: str,
    audience: Audience,
    as_of: date,
    target: Path,
    inputs: PartnerInputs | None,
    inputs_file: Path | None,
    signed: bool = False,
    review_file: Path | None = None,
) -> Prepared:
    # the QBR's provenance also says which figure a KPI used where the platform has one of its own
    files = run_files(workspace.run, inputs_file, partner_id) + figure_rows(workspace.run, workspace.config)
    mine = facts[partner_id]
    start = mine.basis.followed.plan.start if mine.basis and mine.basis.followed else None
    start = start or (mine.new_plan.start if mine.new_plan else None)
    response, review_response = returned_responses(workspace, partner_id, audience, start, facts.quarter)
    context = build_qbr_context(
        config=workspace.config,
        facts=facts[partner_id],
        response=response,
        review_response=review_response,
        portfolio=facts.portfolio,
        inputs=inputs,
        files=files,
        audience=audience,
        as_of=as_of,
        data=workspace.data,
        breakdown=workspace.run.breakdown,
        certified=signed,
        decide_by=decision_date(workspace, facts, partner_id, as_of, review_file),
    )
    document = WrittenDocument(
        partner_id,
        "qbr",
        audience.value,
        context.meta.document_id,
        target,
        inputs=tuple(files),
        cause="quarterly review of every partner",
    )
    data = partial(scorecard_file, [facts[partner_id].assessment], f"scorecard-{partner_id}-{facts.quarter}.csv")
    return workspace.prepared(document, DOCUMENT_TYPES["qbr"].template, context, data=data)


def certifier(key: Path | None, fmt: str, audience: Audience) -> Callable[[Prepared, bytes], bytes] | None:
    """--sign: what certifies each partner PDF of a qbr or pip run with the key (None: nothing is
    signed; HTML and internal copies never are). The key is opened here, before anything renders."""
    if key is None or fmt != "pdf" or audience is not Audience.PARTNER:
        return None
    from govdocs.signing import certify, load_signer

    signer = load_signer(key)

    def seal(_prepared: Prepared, content: bytes) -> bytes:
        return certify(content, signer)

    return seal


def render_qbrs(
    request: QbrRequest, progress: Callable[[str], None] | None = None, pool: RenderPool | None = None
) -> list[WrittenDocument]:
    workspace = workspace_for(request)
    config, data = workspace.config, workspace.data
    partner_ids = select_partners(config, request.partner_ids)
    require_quarter_data(data, request.quarter)
    targets = {
        pid: document_path(request.out_dir, "qbr", request.quarter, pid, request.audience, request.fmt)
        for pid in partner_ids
    }
    with folder_lock(request.out_dir / str(request.quarter)):  # one run at a time per folder
        journal = open_journal(request.out_dir, request.quarter)
        unverified = check_or_defer(list(targets.values()), request.force, journal)

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
        facts = workspace.facts(request.quarter, request.as_of, request.config_path)
        seal = certifier(request.sign, request.fmt, request.audience)
        with pool_scope(pool, request.fmt) as active:
            batch = Batch(active, request.fmt, request.as_of, progress, seal, journal, unverified)
            single = len(partner_ids) == 1
            for pid in partner_ids:
                where = (request.as_of, targets[pid], *loaded[pid])
                under_review = facts[pid].assessment.decision.level >= Escalation.OFFBOARDING_REVIEW
                review = assessment_file(request.assessments_dir, pid, single) if under_review else None
                signed = seal is not None
                batch.add(prepare_qbr(workspace, facts, pid, request.audience, *where, signed, review))
            return batch.finish()


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
    templates: Path | None = None  # a user template folder (--templates)
    raw: Path | None = None  # a raw_data mapping (--raw): KPIs computed from raw exports
    pdf_variant: str = PDF_UA  # --pdf-variant: pdf/ua-1 (tagged) or pdf/a-3u (archival, data inside)
    sign: Path | None = None  # a PKCS#12 key: each partner PDF is certified with it (--sign)


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


def actions_file(actions: Path | None, partner_id: str, single: bool) -> Path | None:
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


def check_kpis(config: GovernanceConfig, kpi_ids: tuple[str, ...]) -> None:
    unknown = [k for k in kpi_ids if k not in {x.id for x in config.kpis}]
    if unknown:
        raise GovdocsError(
            [
                Problem("usage.unknown_kpi", f"no KPI '{k}' in the config", Location("--kpi"), ExitCode.USAGE)
                for k in unknown
            ]
        )


def prepare_pip(
    workspace: Workspace,
    facts: PartnerFacts,
    basis: PlanBasis,
    audience: Audience,
    as_of: date,
    target: Path,
    calendar: Path | None,  # where the plan's .ics goes; None: no calendar beside this copy
    inputs: PartnerInputs | None,
    inputs_file: Path | None,
    proposed_file: Path | None,
    extra_kpis: tuple[str, ...] = (),
    signed: bool = False,
) -> Prepared:
    """The plan `basis` names (a new one, or the one on record the run follows up), with its
    progress up to `as_of`."""
    from govdocs.data.actions import read_proposed_actions
    from govdocs.documents.pip import build_pip_context
    from govdocs.planning.pip import Outcome, build_plan, plan_outcome, plan_progress
    from govdocs.render.ics import plan_calendar

    config, data = workspace.config, workspace.data
    assessment, start, cause = basis.assessment, basis.start, basis.cause
    proposed, unread = read_proposed_actions(proposed_file) if proposed_file else ([], [])
    if audience is Audience.PARTNER and (leaks := foreign_mentions_in_actions(config, assessment.partner.id, proposed)):
        raise GovdocsError(leaks)
    followed = basis.followed
    plan_for = partial(
        build_plan,
        config=config,
        assessment=assessment,
        issued=as_of,
        start=start,
        proposed=proposed,
        proposed_source=str(proposed_file) if proposed_file else "",
        # A plan on record keeps its objectives and length as issued.
        extra_kpis=followed.kpi_ids if followed else extra_kpis,
        library_location=Location(str(workspace.run.config_path), path="action_library"),
        final_review=followed.plan.start + timedelta(days=followed.plan.duration_days) if followed else None,
    )
    if unread:  # every problem of the file in one run: the unreadable cells, and the other rows' SMART checks
        raise GovdocsError(unreadable_and_not_smart(plan_for(with_actions=False), proposed, unread, config))
    plan = plan_for()
    result = plan_outcome(plan, data, as_of, config.pip.sustain_months)
    if result.outcome is not Outcome.IN_PROGRESS:
        # A plan whose final review has come publishes no calendar again (issue 35: an ended
        # plan's .ics was written by every later build, its past meetings re-sent to attendees).
        # No cancellation either: its meetings took place, and a CANCEL would strike them out.
        calendar = None
    files = run_files(workspace.run, inputs_file, assessment.partner.id)
    if proposed_file is not None:
        files.append(
            InputFile("Proposed actions", folder_name(proposed_file), sha256_file(proposed_file), "partner proposal")
        )
    context = build_pip_context(
        config=config,
        plan=plan,
        assessment=assessment,
        facts=facts,
        followed=basis.followed,
        progress=plan_progress(plan, data, as_of),
        result=result,
        inputs=inputs,
        files=files,
        audience=audience,
        as_of=as_of,
        data=data,
        response=returned_responses(workspace, plan.partner.id, audience, plan.start)[0],
        signed=signed,
    )
    document = WrittenDocument(
        plan.partner.id,
        "pip",
        audience.value,
        context.meta.document_id,
        target,
        (calendar,) if calendar else (),
        inputs=tuple(files),
        cause=cause or f"escalation status: {assessment.decision.level.label}",
    )
    ics = (plan_calendar(plan, config, context.meta.document_id),) if calendar else ()
    data = partial(scorecard_file, [assessment], f"scorecard-{plan.partner.id}-{assessment.quarter}.csv")
    return workspace.prepared(document, DOCUMENT_TYPES["pip"].template, context, *ics, data=data)


def unreadable_and_not_smart(
    plan: Plan, proposed: list[ProposedAction], unread: list[Problem], config: GovernanceConfig
) -> list[Problem]:
    """The problems of an actions file with a cell that cannot be read, in line order: those
    cells, and what keeps the file's actions (readable fields) from being SMART for this plan."""
    from govdocs.planning.pip import for_this_plan, not_smart, smart_problems

    programme = [k.id for k in config.kpis]
    taken, _ = for_this_plan(proposed, plan.objectives, programme)
    ids = [o.kpi.id for o in plan.objectives]
    numbers = {id(a): n for n, a in enumerate(proposed, start=1)}
    found = [(a, smart_problems(a, ids, plan.start, plan.final_review.day, programme)) for a in taken]
    problems = [*unread, *(not_smart(a, numbers[id(a)], issues) for a, issues in found if issues)]
    return sorted(problems, key=lambda p: p.location.line or 0)


def _pip_basis(facts: PartnerFacts, request: PipRequest) -> PlanBasis:
    """The plan on record for the quarter (and --start, if given) as issued; else, with no start
    given, the plan on record the run follows up; else a new plan. KPIs named with --kpi always
    make a new plan."""
    from govdocs.facts import PlanBasis

    if not request.extra_kpis:
        for record in reversed(facts.record):
            if record.quarter == request.quarter and request.start in (None, record.requested_start):
                return PlanBasis.following(record)
        if request.start is None and facts.basis is not None and facts.basis.followed is not None:
            return facts.basis
    return PlanBasis(facts.assessment, request.start, "")


def render_pips(
    request: PipRequest, progress: Callable[[str], None] | None = None, pool: RenderPool | None = None
) -> tuple[list[WrittenDocument], list[Skipped]]:
    """One plan per partner (and its .ics); with no partner named, every partner whose
    escalation status is an improvement plan or an offboarding review."""
    workspace = workspace_for(request)
    config, data = workspace.config, workspace.data
    check_kpis(config, request.extra_kpis)
    require_quarter_data(data, request.quarter)
    facts = workspace.facts(request.quarter, request.as_of, request.config_path)
    partner_ids, skipped = partners_called_for(
        config, facts.portfolio, request.partner_ids, Escalation.PIP, f"in {request.quarter}: no plan called for"
    )
    bases = {pid: _pip_basis(facts[pid], request) for pid in partner_ids}
    closed = {
        pid: names
        for pid, basis in bases.items()
        if basis.followed is None
        and (names := closed_to_a_new_plan(facts[pid].record, basis.assessment, config, request.extra_kpis))
    }
    if closed and request.partner_ids:
        raise GovdocsError(
            [
                Problem(
                    "usage.no_further_plan",
                    f"no further plan for {pid}: two plans on {join_names(names)} ended with targets unmet, and "
                    "the second said no further plan would be offered on them",
                    Location("--partner"),
                    ExitCode.USAGE,
                )
                for pid, names in closed.items()
            ]
        )
    for pid, names in closed.items():  # --all: left out, as the build leaves them out
        partner_ids.remove(pid)
        skipped.append(Skipped(pid, no_further_plan_reason(names)))
    ended = [pid for pid in partner_ids if bases[pid].followed is None and facts[pid].clock.ended]
    if ended and request.partner_ids:
        raise GovdocsError(
            [
                Problem(
                    "pip.contract_ended",
                    f"{pid}: {contract_ended_reason(facts[pid].clock)}, so no improvement plan is issued on it",
                    contract_end_location(config, request.config_path, pid),
                    ExitCode.INPUTS,
                )
                for pid in ended
            ]
        )
    for pid in ended:  # --all: left out, as the build leaves them out
        partner_ids.remove(pid)
        skipped.append(Skipped(pid, contract_ended_reason(facts[pid].clock)))
    targets = {
        pid: document_path(request.out_dir, "pip", request.quarter, pid, request.audience, request.fmt)
        for pid in partner_ids
    }
    calendars = {pid: calendar_path(request.out_dir, request.quarter, pid) for pid in partner_ids}
    with folder_lock(request.out_dir / str(request.quarter)):  # one run at a time per folder
        journal = open_journal(request.out_dir, request.quarter)
        unverified = check_or_defer([*targets.values(), *calendars.values()], request.force, journal)

        kpi_ids = {k.id for k in config.kpis}
        seal = certifier(request.sign, request.fmt, request.audience)

        with pool_scope(pool, request.fmt) as active:
            batch = Batch(active, request.fmt, request.as_of, progress, seal, journal, unverified)
            for pid in partner_ids:
                # A plan is read long after the quarter that called for it: its context comes from the
                # partner's current inputs file, whichever quarter that file was written for.
                inputs, inputs_file = partner_inputs(request.inputs_dir, pid, kpi_ids, None)
                if request.audience is Audience.PARTNER:
                    check_isolation(workspace, pid, inputs, inputs_file)
                batch.add(
                    prepare_pip(
                        workspace,
                        facts[pid],
                        bases[pid],
                        request.audience,
                        request.as_of,
                        targets[pid],
                        calendars[pid],
                        inputs,
                        inputs_file,
                        # --all picks partners by the data: a single file never serves it, however few it picks
                        actions_file(request.actions, pid, single=len(request.partner_ids) == 1),
                        request.extra_kpis,
                        signed=seal is not None,
                    )
                )
            return batch.finish(), skipped


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
    templates: Path | None = None  # a user template folder (--templates)
    raw: Path | None = None  # a raw_data mapping (--raw): KPIs computed from raw exports
    pdf_variant: str = PDF_UA  # --pdf-variant: pdf/ua-1 (tagged) or pdf/a-3u (archival, data inside)


def assessment_file(path: Path | None, partner_id: str, single: bool) -> Path | None:
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
                    Location("--assessments"),
                    ExitCode.USAGE,
                )
            ]
        )
    return path


@dataclass(frozen=True)
class OffboardingFacts:
    """A partner's offboarding assessment as facts: what the memo and the portfolio summary both read."""

    review: Assessment | None  # the vendor manager's assessment
    evidence: Evidence
    decision: Decision
    ready: Readiness
    cost: ExitCost | None
    options: Options


def offboarding_facts(
    workspace: Workspace, facts: RunFacts, partner_id: str, as_of: date, review_file: Path | None
) -> OffboardingFacts:
    """The evidence, recommendation, readiness, cost and options of one partner, computed once from the
    run's facts and the assessment file: the offboarding memo and the portfolio summary read these."""
    from govdocs.data.assessment import ChecklistStatus, load_assessment
    from govdocs.planning.offboarding import consideration_rows, decide, gather_evidence, readiness
    from govdocs.planning.options import cause_test, decision_options

    config, data = workspace.config, workspace.data
    partner_facts = facts[partner_id]
    assessment, portfolio = partner_facts.assessment, facts.portfolio
    review = load_assessment(review_file, partner_id, config) if review_file else None
    # The partner's plans as the portfolio summary states them: this run's, then the earlier ones.
    line = partner_facts.plan_line
    outcome, plan_text = (line.outcome, line.text) if line else (None, None)
    evidence = gather_evidence(config, data, assessment, portfolio, outcome, plan_text, partner_facts.no_further_plan)
    rows = consideration_rows(config.offboarding, review)
    ready = readiness(config.offboarding, review, assessment.partner.contract, as_of)
    decision = decide(config.offboarding, rows, evidence, ready)
    cost = exit_cost(
        config,
        assessment.partner,
        partner_facts.clock,
        partner_facts.credits,
        frozenset(r.item_id for r in ready.rows if r.status is ChecklistStatus.NOT_APPLICABLE),
    )
    options = decision_options(
        partner_facts.clock,
        cost,
        partner_facts.credits,
        ready,
        cause_test(
            assessment.partner.contract.cause_conditions,
            assessment.failures_12m,
            {k.id: k.name for k in config.kpis},
            partner_facts.record,
            (assessment.kpis[0].history[0].month, assessment.kpis[0].history[-1].month),
            as_of,
        ),
        decision.recommendation,
        partner_facts.plan_final_review,
        partner_facts.no_further_plan,
        as_of,
    )
    return OffboardingFacts(review, evidence, decision, ready, cost, options)


def prepare_offboarding(
    workspace: Workspace,
    facts: RunFacts,
    partner_id: str,
    as_of: date,
    target: Path,
    review_file: Path | None,
) -> Prepared:
    """The internal offboarding-readiness assessment of one partner, from the run's facts: its plans
    on record and the plan this run issues or follows up read as every other document reads them."""
    from govdocs.documents.offboarding import build_offboarding_context

    config, data = workspace.config, workspace.data
    partner_facts = facts[partner_id]
    assessment = partner_facts.assessment
    found = offboarding_facts(workspace, facts, partner_id, as_of, review_file)
    files = run_files(workspace.run, None, assessment.partner.id)
    if review_file is not None:
        files.append(InputFile("Assessment", review_file.name, sha256_file(review_file), "vendor manager's ratings"))
    context = build_offboarding_context(
        config=config,
        assessment=assessment,
        review=found.review,
        evidence=found.evidence,
        decision=found.decision,
        ready=found.ready,
        clock=partner_facts.clock,
        plan_sentences=partner_facts.plan_sentences,
        files=files,
        as_of=as_of,
        data=data,
        credits=credits_view(partner_facts.credits, {k.id: k.name for k in config.kpis}),
        exit_cost=exit_cost_view(found.cost, partner_facts.clock, found.options),
        options=found.options,
    )
    document = WrittenDocument(
        partner_id,
        "offboarding",
        "internal",
        context.meta.document_id,
        target,
        inputs=tuple(files),
        cause=f"escalation status: {assessment.decision.level.label}",
    )
    data = partial(scorecard_file, [assessment], f"scorecard-{partner_id}-{assessment.quarter}.csv")
    return workspace.prepared(document, DOCUMENT_TYPES["offboarding"].template, context, data=data)


def render_offboarding(
    request: OffboardingRequest, progress: Callable[[str], None] | None = None, pool: RenderPool | None = None
) -> tuple[list[WrittenDocument], list[Skipped]]:
    """The internal offboarding-readiness assessment for each partner asked for."""
    workspace = load_workspace(
        request.config_path,
        list(request.data_paths),
        templates=request.templates,
        raw=request.raw,
        pdf_variant=request.pdf_variant,
    )
    config, data = workspace.config, workspace.data
    require_quarter_data(data, request.quarter)
    facts = workspace.facts(request.quarter, request.as_of, request.config_path)
    partner_ids, skipped = partners_called_for(
        config,
        facts.portfolio,
        request.partner_ids,
        Escalation.OFFBOARDING_REVIEW,
        f"in {request.quarter}: no review called for",
    )
    targets = {
        pid: document_path(request.out_dir, "offboarding", request.quarter, pid, Audience.INTERNAL, request.fmt)
        for pid in partner_ids
    }
    with folder_lock(request.out_dir / str(request.quarter)):  # one run at a time per folder
        journal = open_journal(request.out_dir, request.quarter)
        unverified = check_or_defer(list(targets.values()), request.force, journal)
        with pool_scope(pool, request.fmt) as active:
            batch = Batch(active, request.fmt, request.as_of, progress, journal=journal, unverified=unverified)
            for pid in partner_ids:
                review_file = assessment_file(request.assessment, pid, single=len(partner_ids) == 1)
                batch.add(prepare_offboarding(workspace, facts, pid, request.as_of, targets[pid], review_file))
            return batch.finish(), skipped
