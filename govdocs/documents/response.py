"""Build-context step, the partner's answer: what it returned in its copy of the plan, as the next
plan and QBR print it (both copies: it is the partner's own answer), with the decision on each
dispute as the vendor manager recorded it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from govdocs.config.model import GovernanceConfig
from govdocs.documents.common import measured_by
from govdocs.periods import Quarter
from govdocs.render.formatters import long_date
from govdocs.response import Decision, Response

DECISION_WORDS = {
    Decision.PENDING: "Pending: not yet decided",
    Decision.ACCEPTED: "Accepted",
    Decision.REJECTED: "Rejected",
}


@dataclass(frozen=True)
class ResponseView:
    document: str
    acknowledged: str  # "Acknowledged by Daniel Okafor, Client Services Director, on 20 October 2026." or ""
    root_causes: tuple[tuple[str, str], ...]  # (KPI name, the partner's words)
    proposed: tuple[tuple[str, str, str, str, str, date], ...]  # id, KPI, action, measure, owner, due
    checkin: str  # "At the check-in of 30 October 2026:" or ""
    statuses: tuple[tuple[str, str, str], ...]  # action id, status, note
    disputes: tuple[tuple[str, str, str, str, str], ...]  # KPI, month, issue, evidence, decision
    summary: str  # one sentence: what came back
    acknowledged_on: date | None = None  # the acknowledgment's date: nothing asks the partner to sign again
    acknowledged_by: tuple[str, str] = ("", "")  # (name, role) of who acknowledged


def _summary(r: Response, pending: int) -> str:
    parts = []
    if r.acknowledged:
        parts.append(f"acknowledged on {long_date(r.acknowledged.date)}")
    else:
        parts.append("not acknowledged")
    if r.proposed_actions:
        parts.append(f"{len(r.proposed_actions)} proposed action{'s' if len(r.proposed_actions) != 1 else ''}")
    if r.checkin and r.checkin.actions:
        n = len(r.checkin.actions)
        parts.append(f"the status of {n} action{'s' if n != 1 else ''}")
    if r.disputes:
        parts.append(f"{len(r.disputes)} data dispute{'s' if len(r.disputes) != 1 else ''} ({pending} pending)")
    return f"The partner's response to {r.document}: " + ", ".join(parts) + "."


def response_view(config: GovernanceConfig, response: Response | None) -> ResponseView | None:
    if response is None:
        return None
    names = {k.id: k.name for k in config.kpis}
    ack = response.acknowledged
    acknowledged = f"Acknowledged by {ack.name}, {ack.role}, on {long_date(ack.date)}." if ack else ""
    disputes = tuple(
        (
            names.get(d.kpi, d.kpi),
            d.month,
            d.issue,
            d.evidence or "–",
            DECISION_WORDS[d.decision] + (f": {d.decision_note}" if d.decision_note else ""),
        )
        for d in response.disputes
    )
    checkin = response.checkin
    return ResponseView(
        document=response.document,
        acknowledged=acknowledged,
        acknowledged_on=ack.date if ack else None,
        acknowledged_by=(ack.name, ack.role) if ack else ("", ""),
        root_causes=tuple((names.get(k, k), text) for k, text in response.root_causes.items()),
        proposed=tuple(
            (a.id, names.get(a.objective, a.objective), a.action, measured_by(a.metric, a.threshold), a.owner, a.due)
            for a in response.proposed_actions
        ),
        checkin=(
            ""
            if not checkin
            else f"At the check-in of {long_date(checkin.date)}"
            if response.plan
            else f"As of {long_date(checkin.date)}"
        ),
        statuses=tuple((s.id, s.status.label, s.note or "") for s in (checkin.actions if checkin else ())),
        disputes=disputes,
        summary=_summary(response, sum(1 for d in response.disputes if d.decision is Decision.PENDING)),
    )


def latest_for_plan(responses: tuple[Response, ...], start: date | None) -> Response | None:
    """The newest response to the plan that starts on `start` (any issue of it): the document ids
    differ from issue to issue, the plan's start does not."""
    mine = [r for r in responses if start is not None and r.plan is not None and r.plan.start == start]
    return mine[-1] if mine else None


def latest_for_review(responses: tuple[Response, ...], quarter: Quarter) -> Response | None:
    """The newest answer to the QBR of `quarter` (a re-issue) or of the quarter before (the
    review this one follows up)."""
    wanted = {str(quarter), str(quarter.previous)}
    mine = [r for r in responses if r.review in wanted]
    return mine[-1] if mine else None
