"""`govdocs build`: the whole portfolio in one run.

Config and data are loaded, validated and scored once. For every partner the build plans
the QBR (each audience asked for), the improvement plan when the escalation status calls
for one or a plan on record is still running (`partners[].plans` in the config), and the offboarding
assessment when the status is offboarding review; then the internal portfolio summary
and a manifest. HTML is built here, PDFs in the render pool, and each document is written
atomically the moment it is rendered, so an interrupted or partly failed build leaves
complete documents or none at a path. One partner's bad file fails that partner's
documents only (unless `fail_fast`); the result says what failed and why.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path

from govdocs import __version__, signals
from govdocs.data.inputs import PartnerInputs
from govdocs.documents.common import Audience, InputFile
from govdocs.errors import ExitCode, GovdocsError, Problem
from govdocs.facts import RunFacts, contract_ended_reason, no_further_plan_reason
from govdocs.journal import Journal, source_key
from govdocs.periods import Quarter
from govdocs.pipeline import (
    Prepared,
    Skipped,
    Workspace,
    WrittenDocument,
    actions_file,
    assessment_file,
    calendar_path,
    check_isolation,
    document_path,
    epoch,
    files_of,
    partner_inputs,
    prepare_offboarding,
    prepare_pip,
    prepare_qbr,
    require_quarter_data,
    scorecard_file,
    select_partners,
    submit,
    workspace_for,
    written,
)
from govdocs.render.output import check_targets, folder_lock, write_atomic, write_together
from govdocs.render.variants import PDF_UA
from govdocs.render.workers import RenderPool
from govdocs.scoring.engine import Escalation, PartnerAssessment

KIND_ORDER = {"portfolio": 0, "qbr": 1, "pip": 2, "offboarding": 3}
KIND_NOUN = {"portfolio": "portfolio summary", "qbr": "QBR", "pip": "plan", "offboarding": "offboarding assessment"}


@dataclass(frozen=True)
class BuildRequest:
    config_path: Path
    data_paths: tuple[Path, ...]
    quarter: Quarter
    partner_ids: tuple[str, ...]  # empty: every partner
    out_dir: Path
    inputs_dir: Path | None
    actions_dir: Path | None
    assessments_dir: Path | None
    audiences: tuple[Audience, ...]
    as_of: date
    fmt: str = "pdf"
    fail_fast: bool = False
    force: bool = False
    templates: Path | None = None  # a user template folder (--templates)
    raw: Path | None = None  # a raw_data mapping (--raw): KPIs computed from raw exports
    pdf_variant: str = PDF_UA  # --pdf-variant


@dataclass(frozen=True)
class Planned:
    """A document the ladder calls for, not built yet."""

    partner_id: str | None  # None: the portfolio summary
    kind: str
    audience: str
    path: Path
    attachments: tuple[Path, ...]
    prepare: Callable[[], Prepared]
    sources: tuple[Path | None, ...] = ()  # the files of its own it is made from (inputs, actions, assessment)

    @property
    def label(self) -> str:
        who = self.partner_id or "portfolio"
        return f"{who} {KIND_NOUN[self.kind]} ({self.audience})"


@dataclass(frozen=True)
class Failed:
    partner_id: str | None
    kind: str
    audience: str
    path: Path
    reason: str
    exit_code: ExitCode


@dataclass
class BuildResult:
    out_dir: Path
    quarter: Quarter
    written: list[WrittenDocument] = field(default_factory=list)
    skipped: list[tuple[str, Skipped]] = field(default_factory=list)  # (kind, partner and why)
    failed: list[Failed] = field(default_factory=list)
    manifest: Path | None = None
    kept: list[Path] = field(default_factory=list)  # written by an interrupted build, unchanged
    unwritable: bool = False  # stopped because the output folder failed a write
    left_over: list[Path] = field(default_factory=list)  # an unfinished build's files this one did not plan
    warnings: list[Problem] = field(default_factory=list)  # reported, never stopping: the reviewer's text

    @property
    def exit_code(self) -> ExitCode:
        """OK when everything called for was written; else the code of the first failure in
        partner order (data 4, inputs 5, output 6, render 7, internal 1)."""
        if not self.failed:
            return ExitCode.OK
        first = min(self.failed, key=lambda f: (f.partner_id or "", KIND_ORDER[f.kind], f.audience))
        return first.exit_code


Report = Callable[[int, int, str], None]  # (done, total, what happened)


def _reason(exc: BaseException) -> tuple[str, ExitCode]:
    if isinstance(exc, GovdocsError):
        return "; ".join(str(p) for p in exc.problems), exc.exit_code
    if isinstance(exc, BrokenProcessPool):
        return "the PDF render process stopped unexpectedly (out of memory?)", ExitCode.RENDER
    return f"internal error: {type(exc).__name__}: {exc}", ExitCode.INTERNAL


# --- planning: which documents the ladder calls for ----------------------------------------------


def plan_documents(
    request: BuildRequest, workspace: Workspace, facts: RunFacts, partner_ids: list[str]
) -> tuple[list[Planned], list[tuple[str, Skipped]], dict[str, tuple[str, ...]]]:
    """Every document called for, in partner order; what was not called for and why; the
    documents per partner."""
    config = workspace.config
    kpi_ids = {k.id for k in config.kpis}
    quarter, as_of, out = request.quarter, request.as_of, request.out_dir
    planned: list[Planned] = []
    skipped: list[tuple[str, Skipped]] = []
    documents: dict[str, tuple[str, ...]] = {}

    for pid in partner_ids:
        assessment = facts[pid].assessment
        level = assessment.decision.level
        inputs: PartnerInputs | None = None
        inputs_file: Path | None = None
        inputs_error: GovdocsError | None = None
        try:
            inputs, inputs_file = partner_inputs(request.inputs_dir, pid, kpi_ids, quarter)
        except GovdocsError as exc:
            inputs_error = exc

        def guarded(
            step: Callable[[], Prepared],
            audience: Audience,
            pid: str = pid,
            inputs: PartnerInputs | None = inputs,
            inputs_file: Path | None = inputs_file,
            error: GovdocsError | None = inputs_error,
        ) -> Callable[[], Prepared]:
            """The step, after the partner's inputs loaded and (for a partner copy) passed the
            isolation check; run when the document's turn comes, so a failure is its own."""

            def run() -> Prepared:
                if error is not None:
                    raise error
                if audience is Audience.PARTNER:
                    check_isolation(workspace, pid, inputs, inputs_file)
                return step()

            return run

        kinds: list[str] = []
        own = partner_files(request.inputs_dir, pid)
        for audience in request.audiences:
            target = document_path(out, "qbr", quarter, pid, audience, request.fmt)
            # the assessment's decision date is the QBR's too: its file is one of the QBR's sources
            review = (
                assessment_file(request.assessments_dir, pid, single=len(request.partner_ids) == 1)
                if level >= Escalation.OFFBOARDING_REVIEW
                else None
            )
            step = partial(
                prepare_qbr, workspace, facts, pid, audience, as_of, target, inputs, inputs_file, review_file=review
            )
            sources = (*own, review) if review else own
            planned.append(Planned(pid, "qbr", audience.value, target, (), guarded(step, audience), sources))
        kinds.append("QBR")

        basis = facts[pid].basis
        if basis is not None:
            proposed = actions_file(request.actions_dir, pid, single=len(request.partner_ids) == 1)
            for number, audience in enumerate(request.audiences):
                target = document_path(out, "pip", quarter, pid, audience, request.fmt)
                # One calendar per plan, beside its first copy (the partner's when both are written).
                calendar = calendar_path(out, quarter, pid) if number == 0 else None
                step = partial(
                    prepare_pip,
                    workspace,
                    facts[pid],
                    basis,
                    audience,
                    as_of,
                    target,
                    calendar,
                    inputs,
                    inputs_file,
                    proposed,
                )
                attachments = (calendar,) if calendar else ()
                step_files = (*own, proposed)
                planned.append(
                    Planned(pid, "pip", audience.value, target, attachments, guarded(step, audience), step_files)
                )
            kinds.append("PIP")
        else:
            closed, clock = facts[pid].no_further_plan, facts[pid].clock
            if level >= Escalation.PIP and closed:
                reason = no_further_plan_reason(closed)
            elif level >= Escalation.PIP and clock.ended:
                reason = contract_ended_reason(clock)
            else:
                reason = f"no plan called for (escalation status {level.label.lower()})"
            skipped.append(("pip", Skipped(pid, reason)))

        if level >= Escalation.OFFBOARDING_REVIEW:
            target = document_path(out, "offboarding", quarter, pid, Audience.INTERNAL, request.fmt)
            review = assessment_file(request.assessments_dir, pid, single=len(request.partner_ids) == 1)
            step = partial(prepare_offboarding, workspace, facts, pid, as_of, target, review)
            step = guarded(step, Audience.INTERNAL)
            planned.append(Planned(pid, "offboarding", "internal", target, (), step, (*own, review)))
            kinds.append("Offboarding")
        else:
            skipped.append(
                ("offboarding", Skipped(pid, f"no review called for (escalation status {level.label.lower()})"))
            )
        documents[pid] = tuple(kinds)
    return planned, skipped, documents


# --- the run ----------------------------------------------------------------------------------


def partner_files(inputs_dir: Path | None, partner_id: str) -> tuple[Path, ...]:
    """A partner's own files in the inputs folder: its inputs and its imported responses."""
    if inputs_dir is None or not inputs_dir.is_dir():
        return ()
    return tuple(sorted(inputs_dir.glob(f"{partner_id}.*")))


def _folder_files(path: Path | None) -> tuple[Path, ...]:
    if path is None:
        return ()
    return tuple(sorted(p for p in path.rglob("*") if p.is_file())) if path.is_dir() else (path,)


def run_digest(request: BuildRequest, workspace: Workspace) -> str:
    """What every document of the run is made from, hashed: govdocs' code and templates, the
    format and variant, the quarter and issue date, the user's template folder, the config, the
    raw mapping and every data file. A document's source digest adds its own files."""
    from govdocs.journal import _folder_digest, code_digest, file_digest

    digest = hashlib.sha256()
    header = [code_digest(), request.fmt, request.pdf_variant, str(request.quarter), request.as_of.isoformat()]
    header += [_folder_digest(request.templates) if request.templates else "-", workspace.run.config_sha256]
    header.append(file_digest(request.raw))
    header += [f"{s.name}={s.sha256}" for s in workspace.data.sources]
    digest.update("\n".join(header).encode())
    return digest.hexdigest()


def source_digest(run: str, item: Planned, extra: tuple[str, ...] = ()) -> str:
    from govdocs.journal import file_digest

    parts = [run, item.kind, item.audience, item.path.name, *extra]
    parts += [f"{p.name if p else '-'}={file_digest(p)}" for p in item.sources]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def client_gaps(request: BuildRequest, workspace: Workspace, facts: RunFacts) -> dict[str, frozenset[str]]:
    """The months without data each partner's inputs record the client as the cause of: the brief
    names them as the client's. A partner whose inputs do not load has its own QBR report why."""
    from govdocs.data.inputs import GapCause

    kpi_ids = {k.id for k in workspace.config.kpis}
    found = {}
    for pid, partner_facts in facts.items():
        if not partner_facts.assessment.undelivered:
            continue
        try:
            inputs, _ = partner_inputs(request.inputs_dir, pid, kpi_ids, request.quarter)
        except GovdocsError:
            continue
        if inputs is not None:
            found[pid] = frozenset(g.month for g in inputs.data_gaps if g.cause is GapCause.CLIENT)
    return found


def _portfolio_summary(
    request: BuildRequest,
    workspace: Workspace,
    facts: RunFacts,
    documents: dict[str, tuple[str, ...]],
    target: Path,
) -> Prepared:
    from govdocs.documents.common import run_files
    from govdocs.documents.portfolio import build_portfolio_context
    from govdocs.pipeline import offboarding_facts

    files = run_files(workspace.run, None)
    # The decision each offboarding assessment asks, by its date: the same facts as its decision page.
    options = {
        pid: offboarding_facts(
            workspace, facts, pid, request.as_of, assessment_file(request.assessments_dir, pid, single=False)
        ).options
        for pid, partner_facts in facts.items()
        if partner_facts.assessment.decision.level >= Escalation.OFFBOARDING_REVIEW
    }
    context = build_portfolio_context(
        config=workspace.config,
        facts=facts,
        documents=documents,
        files=files,
        as_of=request.as_of,
        options=options,
        client_gaps=client_gaps(request, workspace, facts),
    )
    document = WrittenDocument(
        "", "portfolio", "internal", context.meta.document_id, target, inputs=tuple(files), cause="every build"
    )
    assessments = [f.assessment for f in facts.partners.values()]
    data = partial(scorecard_file, assessments, f"scorecard-{facts.quarter}.csv")
    return workspace.prepared(document, "portfolio.html", context, data=data)


def build(request: BuildRequest, pool: RenderPool, report: Report | None = None) -> BuildResult:
    """Plan, render and write the portfolio's documents; raise only for problems that stop
    every document (config, data, usage, existing outputs)."""
    workspace = workspace_for(request)
    config, data = workspace.config, workspace.data
    partner_ids = select_partners(config, request.partner_ids)
    require_quarter_data(data, request.quarter)
    # Every partner's facts, whichever are rendered: a QBR's peers are read from them, so a build of
    # one partner writes the same document as the full build.
    every = workspace.facts(request.quarter, request.as_of, request.config_path)
    facts = every.subset(partner_ids)
    portfolio = facts.portfolio

    planned, skipped, documents = plan_documents(request, workspace, every, partner_ids)
    folder = request.out_dir / str(request.quarter)
    # One run at a time per output folder: a second one stops here, before any work is undone.
    with folder_lock(folder):
        summary_path = folder / f"portfolio-summary-internal.{request.fmt}"
        manifest_path = folder / "manifest.json"
        journal = Journal.open(folder, request.out_dir)
        # An unfinished build's own manifest (listing its failures) is replaced, not protected.
        unfinished = journal.resumable() | ({manifest_path} if journal.entries else set())
        whole = set(partner_ids) == {p.id for p in config.partners}
        targets = [*([summary_path] if whole else []), manifest_path, *(p.path for p in planned)]
        targets += [a for p in planned for a in p.attachments]
        summary = Planned(
            None,
            "portfolio",
            "internal",
            summary_path,
            (),
            lambda: _portfolio_summary(request, workspace, facts, documents, summary_path),
            tuple(
                path
                for folder in (request.inputs_dir, request.actions_dir, request.assessments_dir)
                for path in _folder_files(folder)
            ),
        )
        # The summary first: it is the longest job and the one every reader opens. It covers the
        # whole portfolio, so a build of some partners leaves it to a build of every partner.
        queue = [summary, *planned] if whole else list(planned)
        result = BuildResult(request.out_dir, request.quarter, skipped=skipped)
        result.warnings = reviewer_warnings(request, {k.id for k in config.kpis}, facts, partner_ids)
        run = run_digest(request, workspace)
        digests = {id(item): source_digest(run, item) for item in planned}
        # the summary names every partner's documents and is read from the build's partners
        digests[id(summary)] = source_digest(
            run,
            summary,
            (",".join(partner_ids), json.dumps(documents, sort_keys=True)),
        )
        if not request.force and not journal.entries and any(p.exists() and p not in unfinished for p in targets):
            # no journal (deleted, or a build older than it) for files where documents go: those
            # that are exactly what this build writes are recognised as its own
            unfinished |= _adopt_identical(queue, request, pool, journal, digests, unfinished, manifest_path)
        check_targets(targets, request.force, unfinished)
        _run(queue, request, pool, result, report, journal, digests)
        if result.unwritable:
            return result  # no manifest on a full disk; the journal lets a re-run finish
        result.manifest = manifest_path
        write_atomic(manifest_path, manifest_json(request, workspace, portfolio, result))
        if not result.failed:
            result.left_over = journal.finish({summary_path, *(p.path for p in planned)})
        return result


def _adopt_identical(
    queue: list[Planned],
    request: BuildRequest,
    pool: RenderPool,
    journal: Journal,
    digests: dict[int, str],
    known: set[Path],
    manifest_path: Path,
) -> set[Path]:
    """Files the journal does not know that are byte for byte what this build writes: each such
    document is rendered here and compared by its SHA-256 (its attachments too), and recorded in
    the journal, so the build keeps it. Nothing else is taken for govdocs' own, however much it
    looks like it: an edited document keeps its document id and metadata, and a look-alike can be
    made, so neither is trusted -- only identical bytes, which replace nothing. The manifest is
    then recognised when every document it lists was. Returns the files recognised."""
    adopted: set[Path] = set()
    timestamp = epoch(request.as_of)
    for item in queue:
        paths = [item.path, *item.attachments]
        if not any(p.exists() and p not in known for p in paths):
            continue
        try:
            prepared = item.prepare()
            content = submit(pool, prepared, request.fmt, request.as_of).result()
        except Exception:  # noqa: BLE001 -- not recognised: the file stays protected, the build says why
            continue
        files = files_of(prepared, content)
        if all(journal.same_bytes(path, data) for path, data in files):
            journal.adopt(prepared, content, source_key(prepared, request.fmt, timestamp), digests.get(id(item)))
            adopted |= {path for path, _ in files}
    if manifest_path not in known and _manifest_is_ours(manifest_path, journal, adopted | known):
        adopted.add(manifest_path)
    return adopted


def _manifest_is_ours(path: Path, journal: Journal, ours: set[Path]) -> bool:
    """A manifest.json every document of which is a file recognised as this build's, with the
    SHA-256 the manifest records for it: the manifest of the build that wrote them."""
    from govdocs.files import read_regular

    try:
        manifest = json.loads(read_regular(path, ExitCode.OUTPUT, 64 * 2**20, "a manifest").decode("utf-8"))
        listed = [
            (journal.root / file["path"], file["sha256"])
            for document in manifest["documents"]
            for file in (document, *document.get("attachments", []))
        ]
    except (GovdocsError, OSError, ValueError, KeyError, TypeError, AttributeError):
        return False
    return bool(listed) and all(target in ours and journal.same_digest(target, digest) for target, digest in listed)


def reviewer_warnings(
    request: BuildRequest, kpi_ids: set[str], facts: RunFacts, partner_ids: Sequence[str]
) -> list[Problem]:
    """What `govdocs validate` warns of the reviewer's text, for the partners built: a sentence the
    computed facts contradict, or one about the KPIs it cannot check (left out of the partner copy)."""
    from govdocs.validate import reviewer_text_warnings

    found: list[Problem] = []
    for pid in partner_ids:
        try:
            inputs, path = partner_inputs(request.inputs_dir, pid, kpi_ids, request.quarter)
        except GovdocsError:
            continue  # the partner's documents report the inputs' own errors
        if inputs is not None and path is not None:
            found += reviewer_text_warnings(path, inputs, facts[pid].assessment)
    return found


def _run(
    queue: list[Planned],
    request: BuildRequest,
    pool: RenderPool,
    result: BuildResult,
    report: Report | None,
    journal: Journal,
    digests: dict[int, str],
) -> None:
    total = len(queue)
    done = 0
    timestamp = epoch(request.as_of)
    running: dict[Future[bytes], tuple[Planned, Prepared, str]] = {}
    broken: list[tuple[Planned, Prepared, str]] = []
    sources = {id(item): digests.get(id(item)) for item in queue}
    stopped = False
    unwritable = False  # the output folder failed a write: nothing more is written

    def tell(message: str) -> None:
        nonlocal done
        done += 1
        if report is not None:
            report(done, total, message)

    def fail(item: Planned, exc: BaseException) -> None:
        nonlocal stopped, unwritable
        reason, code = _reason(exc)
        result.failed.append(Failed(item.partner_id, item.kind, item.audience, item.path, reason, code))
        tell(f"failed {item.label}: {reason}")
        # A full disk or a folder that went read-only fails every later write as well.
        unwritable = unwritable or code is ExitCode.OUTPUT
        stopped = stopped or request.fail_fast or unwritable

    def collect(future: Future[bytes]) -> None:
        item, prepared, key = running.pop(future)
        if future.cancelled() or unwritable:
            return
        exc = future.exception()
        if isinstance(exc, BrokenProcessPool) and not stopped:
            broken.append((item, prepared, key))
            return
        if exc is not None:
            fail(item, exc)
            return
        content = future.result()
        try:
            source = sources[id(item)]
            write_together([*files_of(prepared, content), journal.with_document(prepared, content, key, source)])
        except GovdocsError as error:
            fail(item, error)
            return
        journal.record(prepared, content, key, source)
        result.written.append(written(prepared, content))
        tell(f"wrote {item.path}")

    for item in queue:
        signals.check()  # a Ctrl-C Python dropped (inside a weakref callback) stops here
        if stopped:
            break
        source = sources[id(item)]
        unchanged = journal.reuse_source(item.path, source) if source is not None else None
        if unchanged is not None:  # nothing it is made from changed: not even its HTML is built
            result.written.append(unchanged)
            result.kept.append(unchanged.path)
            tell(f"kept {item.path} (unchanged since it was written)")
            continue
        try:
            prepared = item.prepare()
        except Exception as exc:  # one partner's problem: the others go on
            fail(item, exc)
            continue
        key = source_key(prepared, request.fmt, timestamp)
        kept = journal.reuse(prepared, key)
        if kept is not None:
            if source is not None:
                journal.note_source(item.path, source, kept)
            result.written.append(kept)
            result.kept.append(kept.path)
            tell(f"kept {item.path} (unchanged since it was written)")
            continue
        running[submit(pool, prepared, request.fmt, request.as_of)] = (item, prepared, key)
        for future in [f for f in running if f.done()]:
            collect(future)
    while running:
        signals.check()
        finished, _ = wait(list(running), return_when=FIRST_COMPLETED)
        for future in finished:
            collect(future)
        if stopped:
            for future in list(running):
                future.cancel()
    if broken and not stopped:
        # A worker died and took the queued jobs with it: one more try each, in a fresh pool.
        pool.restart()
        for item, prepared, key in broken:
            running[submit(pool, prepared, request.fmt, request.as_of)] = (item, prepared, key)
        for future in list(running):
            if isinstance(future.exception(), BrokenProcessPool):
                item, _, _ = running.pop(future)
                fail(item, future.exception())  # type: ignore[arg-type]
            else:
                collect(future)
    if stopped:
        left = total - done
        if left and report is not None:
            why = "the output folder cannot be written" if unwritable else "--fail-fast"
            documents = "document" if left == 1 else "documents"
            report(done, total, f"stopped after the first failure ({why}): {left} {documents} not built")
    result.unwritable = unwritable


# --- the manifest -----------------------------------------------------------------------------


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _inputs_list(files: tuple[InputFile, ...]) -> list[dict[str, str]]:
    return [{"role": f.role, "name": f.name, "sha256": f.sha256} for f in files]


def manifest_json(
    request: BuildRequest, workspace: Workspace, portfolio: dict[str, PartnerAssessment], result: BuildResult
) -> bytes:
    """Every document written with its hash and inputs; what was skipped or failed and why.
    Sorted, no wall-clock time: the same inputs give the same manifest."""
    root = request.out_dir
    entries = []
    for doc in sorted(result.written, key=lambda d: (d.partner_id, KIND_ORDER[d.kind], d.audience)):
        entry: dict[str, object] = {
            "partner": doc.partner_id or None,
            "type": doc.kind,
            "audience": doc.audience,
            "document_id": doc.document_id,
            "path": _relative(doc.path, root),
            "sha256": doc.sha256,
            "escalation_status": portfolio[doc.partner_id].decision.level.label if doc.partner_id else None,
            "cause": doc.cause,
            "inputs": _inputs_list(doc.inputs),
            "attachments": [
                {"path": _relative(path, root), "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
                for path in doc.attachments
            ],
        }
        entries.append(entry)
    manifest = {
        "govdocs": __version__,
        "quarter": str(request.quarter),
        "as_of": request.as_of.isoformat(),
        "config": {"name": workspace.run.config_path.name, "sha256": workspace.run.config_sha256},
        "data": [{"name": s.name, "sha256": s.sha256, "rows": s.rows} for s in workspace.data.sources],
        "documents": entries,
        "skipped": [
            {"partner": s.partner_id, "type": kind, "reason": s.reason}
            for kind, s in sorted(result.skipped, key=lambda k: (k[1].partner_id, KIND_ORDER[k[0]]))
        ],
        "failed": [
            {
                "partner": f.partner_id,
                "type": f.kind,
                "audience": f.audience,
                "path": _relative(f.path, root),
                "reason": f.reason,
                "exit_code": int(f.exit_code),
            }
            for f in sorted(result.failed, key=lambda f: (f.partner_id or "", KIND_ORDER[f.kind], f.audience))
        ],
    }
    return (json.dumps(manifest, indent=2, allow_nan=False, ensure_ascii=False) + "\n").encode("utf-8")
