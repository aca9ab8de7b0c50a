"""The partner's answer, read back from the form inside its copy of a plan or a QBR (`govdocs response import`).

The partner PIP carries a PDF form: the acknowledgment, per objective a root cause and proposed
actions, per action its status at a check-in, and disputes about a month's data. The partner QBR
carries the acknowledgment, the status of each earlier action on a stated date (inside the
reviewed quarter or the one after it) and the disputes. This module reads
the filled fields (pypdf), checks the form is the one issued (its identity fields against the
document's own metadata), validates every field as the YAML inputs are validated (the SMART rules
for proposed actions, dates inside the plan, known KPI ids and months), and writes the answer to
`<inputs>/<ID>.response.yaml`: one entry per document, replaced when the same document is imported
again, with the decision on each dispute kept as the vendor manager recorded it.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from govdocs.config.model import GovernanceConfig
from govdocs.data.actions import ProposedAction, ProposedActionFields
from govdocs.data.inputs import ActionStatus
from govdocs.errors import ExitCode, GovdocsError, Location, Problem, terminal_safe
from govdocs.limits import NAME_CHARACTERS, TEXT_CHARACTERS, control_character
from govdocs.periods import Month, Quarter
from govdocs.planning.pip import smart_problems
from govdocs.render.output import write_atomic
from govdocs.signing import ISSUER_FIELD

# A partner copy of a plan or a QBR: the two documents that carry the form.
ISSUED_ID = re.compile(r"^(?P<kind>PIP|QBR)-(?P<year>\d{4})Q(?P<q>[1-4])-(?P<partner>[A-Za-z0-9_.\-]+)-P-[0-9A-F]{6}$")
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
OBJECTIVE = re.compile(r"^objective:(?P<kpi>[^:]+):")
ACTION_FIELDS = ("action", "owner", "metric", "threshold", "due")
PROPOSAL = re.compile(r"^objective:(?P<kpi>[^:]+):action(?P<n>\d+):(?P<field>\w+)$")
DISPUTE = re.compile(r"^dispute(?P<n>\d+):(?P<field>\w+)$")
STATUS = re.compile(r"^action:(?P<ref>.+):(?P<field>status|note)$")


@dataclass(frozen=True)
class Form:
    path: Path
    fields: dict[str, str]  # field name -> value ("" when left empty)
    keywords: str  # the document's metadata: "PIP-2026Q3-BRV-P-C38677, partner"
    subject: str  # "... Document PIP-..., inputs c38677a94d8d."


def _refuse(path: Path, code: str, message: str, exit_code: ExitCode = ExitCode.INPUTS) -> GovdocsError:
    return GovdocsError([Problem(code, message, Location(path.name), exit_code)])


RETURNED_PDF_BYTES = 32 * 2**20  # a returned plan or review: the issued copy is about 150 KB


def read_returned(path: Path) -> bytes:
    """The bytes of a returned document: a regular file of at most RETURNED_PDF_BYTES that
    looks like a PDF (an empty file, a zip or a text is told as what it is, not as a signature
    that cannot be read)."""
    from govdocs.files import read_regular

    data = read_regular(path, ExitCode.INPUTS, RETURNED_PDF_BYTES, "a returned document")
    what = None
    if not data.strip():
        what = "the file is empty"
    elif data.startswith(b"PK\x03\x04"):
        what = "it is a zip archive (an Office document?)"
    elif b"%PDF-" not in data[:1024]:
        what = "it does not start as a PDF does (%PDF-)"
    if what is not None:
        raise _refuse(path, "response.unreadable", f"not a PDF: {what}; return the partner copy as a PDF")
    return data


def _unreadable(path: Path, exc: BaseException) -> GovdocsError:
    return _refuse(path, "response.unreadable", f"not a PDF govdocs can read ({terminal_safe(str(exc), 200)})")


def read_form(path: Path, pdf: bytes | None = None) -> Form:
    """The filled fields of a returned PDF (`pdf`: its bytes, or a revision of them), or one line
    saying why it cannot be read."""
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(read_returned(path) if pdf is None else pdf))
        if reader.is_encrypted and not reader.decrypt(""):
            why = "it is protected by a password; return the copy as issued, without a password"
            raise _refuse(path, "response.encrypted", f"cannot be read: {why}")
        raw = reader.get_fields() or {}
        meta = reader.metadata or {}
        keywords, subject = str(meta.get("/Keywords", "")), str(meta.get("/Subject", ""))
    except GovdocsError:
        raise
    except (OSError, PdfReadError, ValueError, RecursionError) as exc:
        raise _unreadable(path, exc) from None
    except Exception as exc:  # pypdf on a hostile file: KeyError, TypeError, AttributeError, ...
        raise _unreadable(path, exc) from None
    fields = {}
    for name, field in raw.items():
        value = field.get("/V")
        if isinstance(value, list):  # a list box: the first value chosen
            value = value[0] if value else ""
        text = "" if value is None else str(value)
        fields[str(name)] = "" if text in ("/Off",) else text.strip()
    if "govdocs:document" not in fields:
        why = "holds no govdocs response form (only the partner copy of a plan or a QBR carries one)"
        raise _refuse(path, "response.no_form", why)
    return Form(path, fields, keywords, subject)


IDENTITY_FIELDS = ("govdocs:document", "govdocs:partner", "govdocs:inputs", "govdocs:plan", "govdocs:review")


def certified_form(path: Path, pdf: bytes, certified: bytes | None) -> tuple[Form, Form]:
    """(the form as certified, the form as returned): the identity of the document is read from
    the revision its certification covers, never from fields or metadata the partner could change
    after it; an identity field changed since is refused. Uncertified: the returned form twice."""
    returned = read_form(path, pdf)
    if certified is None and ISSUER_FIELD in returned.fields:
        raise _refuse(
            path,
            "response.not_certified",
            "was certified when issued, and its certification is missing: a copy without it is refused; "
            "ask the partner to answer in the copy as issued",
        )
    if certified is None:
        return returned, returned
    issued = read_form(path, certified)
    changed = [f for f in IDENTITY_FIELDS if issued.fields.get(f, "") != returned.fields.get(f, "")]
    if changed:
        raise _refuse(
            path,
            "response.changed_document",
            f"the form's identity ({', '.join(changed)}) was changed after the document was certified: "
            "answer in the copy as issued",
        )
    return issued, returned


@dataclass(frozen=True)
class Identity:
    """The document a form answers, and the window its dates and months must fall in."""

    document: str
    partner: str
    inputs_hash: str
    kind: str  # "PIP" or "QBR"
    quarter: Quarter  # the reviewed quarter (the one that called for the plan)
    start: date  # a plan: its start; a QBR: the reviewed quarter's first day
    final_review: date  # a plan: its final review; a QBR: the last day of the quarter after it

    @property
    def months(self) -> tuple[Month, Month]:
        """The first and last month a dispute may name: the twelve months the document reviews,
        and for a plan every month up to its final review."""
        last = self.quarter.last_month
        if self.kind == "PIP":
            last = max(last, Month(self.final_review.year, self.final_review.month), key=lambda m: m.index)
        return self.quarter.last_month.shift(-11), last

    @property
    def window(self) -> str:
        return "the plan" if self.kind == "PIP" else f"{self.quarter.label} and the quarter after it"


def form_identity(form: Form, config: GovernanceConfig) -> Identity:
    """The document the form answers: its identity fields must be the ones the document's own
    metadata states, for a partner of the config."""
    f, path = form.fields, form.path
    document, partner, inputs_hash = (
        f.get("govdocs:document", ""),
        f.get("govdocs:partner", ""),
        f.get("govdocs:inputs", ""),
    )
    issued = form.keywords.split(",")[0].strip()
    match = ISSUED_ID.match(issued)
    if match is None:
        raise _refuse(
            path,
            "response.not_a_plan",
            f"is not a partner copy of an improvement plan or a QBR (document {issued or 'unknown'})",
        )
    if document != issued or f"inputs {inputs_hash}." not in form.subject:
        raise _refuse(
            path,
            "response.changed_document",
            f"the form's identity (document {document or 'empty'}, inputs {inputs_hash or 'empty'}) is not the "
            f"document's own ({issued}): the form was changed; ask the partner to answer in the copy as issued",
        )
    if partner != match["partner"] or partner not in {p.id for p in config.partners}:
        raise _refuse(
            path, "response.other_partner", f"answers for partner '{partner}', not for the document's partner"
        )
    quarter, keywords = Quarter(int(match["year"]), int(match["q"])), [k.strip() for k in form.keywords.split(",")]
    if match["kind"] == "QBR":
        if f.get("govdocs:review", "") != str(quarter) or f"review {quarter}" not in keywords:
            raise _refuse(
                path, "response.changed_document", "the form's review quarter was changed: answer in the copy as issued"
            )
        return Identity(
            issued, partner, inputs_hash, "QBR", quarter, quarter.months[0].first_day(), quarter.shift(1).end_date()
        )
    plan = f.get("govdocs:plan", "")
    try:
        if f"plan {plan}" not in keywords:
            raise ValueError(plan)
        start_text, _, final_text = plan.partition("/")
        start, final = date.fromisoformat(start_text), date.fromisoformat(final_text)
    except ValueError:
        raise _refuse(
            path, "response.changed_document", "the form's plan dates were changed: answer in the copy as issued"
        ) from None
    return Identity(issued, partner, inputs_hash, "PIP", quarter, start, final)


class _Checker:
    """Collects one problem per bad field, each naming the field."""

    def __init__(self, path: Path, as_of: date | None = None) -> None:
        self.path, self.problems, self.as_of = path, [], as_of

    def bad(self, field: str, message: str, code: str = "response.bad_field") -> None:
        self.problems.append(Problem(code, f"field {field}: {message}", Location(self.path.name), ExitCode.INPUTS))

    def text(self, field: str, value: str, limit: int = TEXT_CHARACTERS) -> str | None:
        if (found := control_character(value)) is not None:
            self.bad(field, f"the text holds a control character ({found}); remove it", "response.control_character")
            return None
        if len(value) > limit:
            self.bad(field, f"{len(value):,} characters, more than the {limit:,} it may hold; shorten it")
            return None
        return value or None

    def day(
        self,
        field: str,
        value: str,
        start: date | None = None,
        end: date | None = None,
        window: str = "the plan",
        past: bool = False,
    ) -> date | None:
        """The field's date; `past`: a day that has happened (on or before the import's as-of date)."""
        if not value:
            return None
        try:
            # Python also reads 2026-W43-1 and 20261020: a date here is written one way only
            if not ISO_DAY.match(value):
                raise ValueError(value)
            day = date.fromisoformat(value)
        except ValueError:
            self.bad(field, f"'{terminal_safe(value, 40)}' is not a date (YYYY-MM-DD)")
            return None
        if start is not None and end is not None and not start <= day <= end:
            self.bad(field, f"{day.isoformat()} is outside {window} ({start.isoformat()} to {end.isoformat()})")
            return None
        if past and self.as_of is not None and day > self.as_of:
            self.bad(
                field,
                f"{day.isoformat()} is after today ({self.as_of.isoformat()}): a signature or a meeting cannot be "
                "dated in the future; correct the date in the form (or import with --as-of the day it was returned)",
                "response.future_date",
            )
            return None
        return day


def _proposals(form: Form, identity: Identity, check: _Checker) -> list[dict[str, Any]]:
    groups: dict[tuple[str, int], dict[str, str]] = {}
    for name, value in form.fields.items():
        if (m := PROPOSAL.match(name)) and m["field"] in ACTION_FIELDS:
            groups.setdefault((m["kpi"], int(m["n"])), {})[m["field"]] = value
    objectives = sorted({kpi for kpi, _ in groups})
    out = []
    for (kpi, n), values in sorted(groups.items()):
        if not any(values.values()):
            continue
        prefix = f"objective:{kpi}:action{n}"
        due = check.day(f"{prefix}:due", values.get("due", ""))
        fields = ProposedActionFields(
            id=f"{identity.partner}-R{len(out) + 1}",
            objective=kpi,
            action=check.text(f"{prefix}:action", values.get("action", "")),
            metric=check.text(f"{prefix}:metric", values.get("metric", "")),
            threshold=check.text(f"{prefix}:threshold", values.get("threshold", "")),
            owner=check.text(f"{prefix}:owner", values.get("owner", ""), NAME_CHARACTERS),
            due=due,
        )
        if due is None and values.get("due"):
            continue  # the date's own line is enough
        issues = smart_problems(
            ProposedAction(fields, Location(form.path.name)), objectives, identity.start, identity.final_review
        )
        if issues:
            check.bad(prefix, f"the proposed action is not SMART: {'; '.join(issues)}", "response.not_smart")
            continue
        out.append(
            {
                "id": fields.id,
                "objective": kpi,
                "action": fields.action,
                "metric": fields.metric,
                "threshold": fields.threshold,
                "owner": fields.owner,
                "due": fields.due.isoformat() if fields.due else None,
            }
        )
    return out


def _disputes(
    form: Form, config: GovernanceConfig, identity: Identity, check: _Checker, previous: list[dict]
) -> list[dict[str, Any]]:
    kpis = {k.id: k for k in config.kpis}
    names = {k.name.casefold(): k.id for k in config.kpis}
    groups: dict[int, dict[str, str]] = {}
    for name, value in form.fields.items():
        if m := DISPUTE.match(name):
            groups.setdefault(int(m["n"]), {})[m["field"]] = value
    decided = {(d.get("kpi"), d.get("month")): d for d in previous}
    out = []
    for n, values in sorted(groups.items()):
        if not any(values.values()):
            continue
        prefix, ok = f"dispute{n}", True
        written = values.get("kpi", "")
        kpi = written if written in kpis else names.get(written.casefold())
        if kpi is None:
            check.bad(f"{prefix}:kpi", f"'{written}' is not a KPI id or name of the programme ({', '.join(kpis)})")
            ok = False
        month, (first, last) = values.get("month", ""), identity.months
        if not MONTH.match(month):
            check.bad(f"{prefix}:month", f"'{month}' is not a month (YYYY-MM)")
            ok = False
        elif not first.index <= Month.parse(month).index <= last.index:
            check.bad(f"{prefix}:month", f"{month} is not a month {identity.document} covers ({first} to {last})")
            ok = False
        issue = check.text(f"{prefix}:issue", values.get("issue", ""))
        if issue is None and not values.get("issue"):
            check.bad(f"{prefix}:issue", "empty: say what is wrong with the month's data")
            ok = False
        evidence = check.text(f"{prefix}:evidence", values.get("evidence", ""))
        if ok:
            earlier = decided.get((kpi, month), {})
            out.append(
                {
                    "kpi": kpi,
                    "month": month,
                    "issue": issue,
                    "evidence": evidence,
                    "decision": earlier.get("decision", "pending"),
                    "decision_note": earlier.get("decision_note"),
                }
            )
    return out


def _statuses(form: Form, check: _Checker) -> list[dict[str, Any]]:
    groups: dict[str, dict[str, str]] = {}
    for name, value in form.fields.items():
        if m := STATUS.match(name):
            groups.setdefault(m["ref"], {})[m["field"]] = value
    allowed = [s.value for s in ActionStatus]
    out = []
    for ref, values in groups.items():
        status, note = values.get("status", ""), values.get("note", "")
        if not status and not note:
            continue
        if status not in allowed:
            check.bad(f"action:{ref}:status", f"'{status}' is not a status ({', '.join(allowed)})")
            continue
        out.append({"id": ref, "status": status, "note": check.text(f"action:{ref}:note", note)})
    return out


def plan_objectives(issued: Form, config: GovernanceConfig) -> frozenset[str]:
    """The KPIs the issued form asks a root cause and actions for: the plan's objectives (a
    review's form has none). Read from the issued form, certified when it was."""
    kpis = {k.id for k in config.kpis}
    return frozenset(m["kpi"] for name in issued.fields if (m := OBJECTIVE.match(name)) and m["kpi"] in kpis)


def _objective_fields(form: Form, identity: Identity, objectives: frozenset[str], check: _Checker) -> None:
    """A filled field for an objective the document does not have (a made-up KPI, or any
    objective on a review's form) is refused: the loaders would carry it into the next plan."""
    for name, value in form.fields.items():
        if not value or (m := OBJECTIVE.match(name)) is None:
            continue
        if identity.kind == "QBR":
            check.bad(name, "a review's form has no objectives: root causes and proposed actions answer a plan")
        elif m["kpi"] not in objectives:
            listed = ", ".join(sorted(objectives)) or "none"
            check.bad(name, f"'{m['kpi']}' is not an objective of {identity.document} ({listed})")


def read_response(
    form: Form,
    config: GovernanceConfig,
    identity: Identity,
    previous: dict[str, Any] | None = None,
    objectives: frozenset[str] | None = None,
    as_of: date | None = None,
) -> dict[str, Any]:
    """The answer as the response file holds it; every bad field raised at once, one line each.
    With `as_of` (the import's today), an acknowledgment or check-in dated after it is refused:
    a partner cannot have signed, or met, on a day that has not come."""
    check, f = _Checker(form.path, as_of), form.fields
    if objectives is not None:
        _objective_fields(form, identity, objectives, check)
        if check.problems:
            raise GovdocsError(check.problems[:MAX_FIELD_PROBLEMS])
    acknowledged = {
        "name": check.text("ack:name", f.get("ack:name", ""), NAME_CHARACTERS),
        "role": check.text("ack:role", f.get("ack:role", ""), NAME_CHARACTERS),
        "date": None,
    }
    first = identity.quarter.months[0].first_day()
    day = check.day(
        "ack:date", f.get("ack:date", ""), first, identity.final_review, "the dates the document covers", past=True
    )
    acknowledged["date"] = day.isoformat() if day else None
    if any(acknowledged.values()) and not all(acknowledged.values()):
        missing = [k for k, v in acknowledged.items() if not v and not f.get(f"ack:{k}")]
        if missing:
            check.bad(f"ack:{missing[0]}", "empty: the acknowledgment needs a name, a role and a date")
    root_causes = {}
    for name, value in f.items():
        if (m := re.match(r"^objective:([^:]+):root_cause$", name)) and value:
            text = check.text(name, value)
            if text:
                root_causes[m[1]] = text
    checkin = check.day(
        "checkin:date", f.get("checkin:date", ""), identity.start, identity.final_review, identity.window, past=True
    )
    statuses = _statuses(form, check)
    if statuses and checkin is None and not f.get("checkin:date"):
        check.bad("checkin:date", "empty: say which check-in the statuses are for")
    entry = {
        "document": identity.document,
        "inputs_hash": identity.inputs_hash,
        **(
            {"plan": {"start": identity.start.isoformat(), "final_review": identity.final_review.isoformat()}}
            if identity.kind == "PIP"
            else {"review": str(identity.quarter)}
        ),
        "acknowledged": acknowledged if any(acknowledged.values()) else None,
        "root_causes": root_causes,
        "proposed_actions": _proposals(form, identity, check),
        "checkin": {"date": checkin.isoformat(), "actions": statuses} if checkin else None,
        "disputes": _disputes(form, config, identity, check, (previous or {}).get("disputes", [])),
    }
    if check.problems:
        raise GovdocsError(check.problems)
    return entry


MAX_FIELD_PROBLEMS = 50


def response_path(inputs_dir: Path, partner_id: str) -> Path:
    return inputs_dir / f"{partner_id}.response.yaml"


HEADER = (
    "# The partner's answers to its plans and reviews, imported from the returned PDFs by\n"
    "# `govdocs response import`: one entry per document, replaced when the same document is\n"
    "# imported again. Record each dispute's decision (accepted, rejected) and its note here.\n"
)


def import_response(
    path: Path,
    config: GovernanceConfig,
    inputs_dir: Path,
    pdf: bytes | None = None,
    certified: bytes | None = None,
    write: bool = False,
    as_of: date | None = None,
) -> tuple[Path, str, str, str, dict[str, Any]]:
    """Read and validate the form; return (response file, old text, new text, diff, the answer
    as read), and with `write` write the new text. `pdf` is the returned file's bytes and `certified` the revision
    its certification covers (when certified), which alone says which document the form answers.

    The answer is checked against the response file's own model (the limits the loaders apply)
    before anything is written, and the read-merge-write holds a lock on the inputs folder: two
    imports at once are made one after the other and neither answer is lost."""
    issued, form = certified_form(path, read_returned(path) if pdf is None else pdf, certified)
    identity = form_identity(issued, config)
    target = response_path(inputs_dir, identity.partner)
    with _folder_lock(inputs_dir):
        old, entries = _existing_responses(target, identity.partner)
        previous = next((e for e in entries if e.get("document") == identity.document), None)
        entry = read_response(form, config, identity, previous, plan_objectives(issued, config), as_of)
        # the same document again replaces its entry in place; a new one goes last (the newest answer)
        at = next((i for i, e in enumerate(entries) if e.get("document") == identity.document), None)
        entries = [*entries[:at], entry, *entries[at + 1 :]] if at is not None else [*entries, entry]
        document = {"partner": identity.partner, "responses": entries}
        _check_as_loaded(path, document)
        new = HEADER + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
        if old and _same_answers(old, new):
            new = old  # only the way the file was written differs: nothing to change
        diff = "".join(
            difflib.unified_diff(
                old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{target.name}", f"b/{target.name}"
            )
        )
        if write and old != new:
            write_response(target, new)
    return target, old, new, diff, entry


def unfilled(entry: dict[str, Any]) -> list[str]:
    """What a returned form leaves empty that a reader of the next documents would miss: the
    acknowledgment first (a form saved without it is imported, and said to be unacknowledged)."""
    missing = []
    if entry.get("acknowledged") is None:
        missing.append("the acknowledgment (name, role and date) is empty: imported as not acknowledged")
    answered = ("root_causes", "proposed_actions", "checkin", "disputes")
    if entry.get("acknowledged") is None and not any(entry.get(key) for key in answered):
        missing.append("no field of the form is filled in: check this is the file the partner returned")
    return missing


def _same_answers(old: str, new: str) -> bool:
    try:
        return yaml.safe_load(old) == yaml.safe_load(new)
    except yaml.YAMLError:
        return False


def _existing_responses(target: Path, partner_id: str) -> tuple[str, list[dict[str, Any]]]:
    """The response file's text and entries, read as the loaders read it; a file that is damaged
    or is not a response file (a list, bad YAML, a tag, a symbolic link, a directory, a FIFO)
    is refused in one line before anything is merged into it."""
    if not target.exists() and not target.is_symlink():
        return "", []
    try:
        doc, _, text = _load_response_file(target, partner_id)
    except GovdocsError as exc:
        first, more = exc.problems[0], len(exc.problems) - 1
        extra = f" (and {more:,} more problems)" if more else ""
        message = f"{first.message}{extra}; fix or move the existing response file, then import again"
        raise GovdocsError([Problem(first.code, message, first.location, ExitCode.INPUTS)]) from None
    return text, [dict(e) for e in doc.data.get("responses", [])]  # as written: checked by the model above


def _check_as_loaded(path: Path, document: dict[str, Any]) -> None:
    """The merged file as the loaders will read it: anything they would refuse is refused now,
    naming the returned file, and nothing is written."""
    from pydantic import ValidationError

    from govdocs.yamlfile import format_path, pydantic_message

    try:
        ResponseFile.model_validate(document)
    except ValidationError as exc:
        errors = exc.errors()
        problems = [
            Problem(
                f"response.{error['type']}",
                f"the answer's {format_path(tuple(error['loc'])) or 'file'}: "
                + pydantic_message(error, kind_of_file="response"),
                Location(path.name),
                ExitCode.INPUTS,
            )
            for error in errors[:MAX_FIELD_PROBLEMS]
        ]
        raise GovdocsError(problems) from None


def _folder_lock(folder: Path):
    """An exclusive lock on the inputs folder for one read-merge-write (waits for the holder)."""
    import contextlib
    import os

    @contextlib.contextmanager
    def held():
        try:
            import fcntl
        except ImportError:  # Windows: no advisory locks
            yield
            return
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)

    return held()


def write_response(target: Path, text: str) -> None:
    write_atomic(target, text.encode("utf-8"))


# --- the response file, read back for the next documents ---------------------------------------


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Acknowledged(_Entry):
    name: str = Field(max_length=NAME_CHARACTERS)
    role: str = Field(max_length=NAME_CHARACTERS)
    date: date


class ProposedByPartner(_Entry):
    id: str = Field(max_length=NAME_CHARACTERS)
    objective: str = Field(max_length=NAME_CHARACTERS)
    action: str = Field(max_length=TEXT_CHARACTERS)
    metric: str = Field(max_length=TEXT_CHARACTERS)
    threshold: str = Field(max_length=TEXT_CHARACTERS)
    owner: str = Field(max_length=NAME_CHARACTERS)
    due: date


class ActionAtCheckIn(_Entry):
    id: str = Field(max_length=NAME_CHARACTERS)
    status: ActionStatus
    note: str | None = Field(None, max_length=TEXT_CHARACTERS)


class CheckIn(_Entry):
    date: date
    actions: list[ActionAtCheckIn] = Field(default_factory=list, max_length=100)


class Decision(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Dispute(_Entry):
    kpi: str = Field(max_length=NAME_CHARACTERS)
    month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    issue: str = Field(max_length=TEXT_CHARACTERS)
    evidence: str | None = Field(None, max_length=TEXT_CHARACTERS)
    decision: Decision = Decision.PENDING
    decision_note: str | None = Field(None, max_length=TEXT_CHARACTERS)


class PlanDates(_Entry):
    start: date
    final_review: date


class Response(_Entry):
    document: str = Field(max_length=NAME_CHARACTERS)
    inputs_hash: str = Field(max_length=64)
    plan: PlanDates | None = None  # an answer to a plan
    review: str | None = Field(None, pattern=r"^\d{4}-Q[1-4]$")  # an answer to a QBR: its quarter
    acknowledged: Acknowledged | None = None
    root_causes: dict[str, str] = Field(default_factory=dict, max_length=50)
    proposed_actions: list[ProposedByPartner] = Field(default_factory=list, max_length=100)
    checkin: CheckIn | None = None
    disputes: list[Dispute] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _answers_one_document(self) -> Response:
        if (self.plan is None) == (self.review is None):
            raise ValueError("give either 'plan' (an answer to a plan) or 'review' (an answer to a QBR)")
        return self


class ResponseFile(_Entry):
    partner: str = Field(max_length=NAME_CHARACTERS)
    responses: list[Response] = Field(default_factory=list, max_length=50)


def _load_response_file(path: Path, partner_id: str) -> tuple[Any, tuple[Response, ...], str]:
    """(the YAML document, its responses, its text) of a response file, every problem with path
    and line (exit 5). The file is read in place only: a symbolic link is refused, as the import
    would write through it."""
    from govdocs.files import read_regular
    from govdocs.limits import FILE_BYTES
    from govdocs.yamlfile import load_yaml_bytes, model_from_document

    raw = read_regular(path, ExitCode.INPUTS, FILE_BYTES, "a response file", follow_symlinks=False)
    doc = load_yaml_bytes(raw, path, ExitCode.INPUTS)
    found = model_from_document(
        doc, ResponseFile, "response", ExitCode.INPUTS, ("response.not_mapping", "expected a mapping with 'partner:'")
    )
    if found.partner != partner_id:
        message = f"partner '{found.partner}' in a file named for '{partner_id}'"
        raise GovdocsError([Problem("response.partner_mismatch", message, doc.location(("partner",)), ExitCode.INPUTS)])
    return doc, tuple(found.responses), raw.decode("utf-8-sig")


def load_responses(inputs_dir: Path | None, partner_id: str) -> tuple[Path | None, tuple[Response, ...]]:
    """The partner's imported responses (none without the file), checked with path and line (exit 5)."""
    if inputs_dir is None:
        return None, ()
    path = response_path(inputs_dir, partner_id)
    if not path.exists() and not path.is_symlink():
        return None, ()
    return path, _load_response_file(path, partner_id)[1]
