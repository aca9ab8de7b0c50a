"""Decide step, a plan's causes: what the inputs record as behind the KPIs a plan must move, and
whether the plan's actions answer each of them.

A plan's causes are the partner context of its inputs that bears on its KPIs (an attrition spike,
an acquisition, an offshore move...; an event names its KPIs, or bears on all) and the client-side
factors on its KPIs. An action answers a context event when it says it does (`addresses`: the kinds
of context it works on, in the action library, a partner's proposal or an earlier action carried
forward); a client factor when an action on that KPI is the client's own or of the client-policy or
tooling category. Every earlier action the last review left not done (not started, late, on track
or overdue) is carried forward, with its owner and its measure, to the plan's first check-in (or its
own later due date); one dropped is closed with the reason recorded for it. An action's standing
(overdue or not) is read from its due date and recorded status, on either side, the same in every
document. An action's owner is the person the inputs name: the contact whose
role it is, else the role alone (no contact holds it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from govdocs.config.model import ActionCategory, Contact, Controller
from govdocs.data.inputs import ActionStatus, ContextEvent, ContextKind, PreviousAction
from govdocs.periods import Month

CLIENT_FACTOR_CATEGORIES = frozenset({ActionCategory.CLIENT_POLICY, ActionCategory.TOOLING})
OPEN_STATUSES = (ActionStatus.NOT_STARTED, ActionStatus.LATE)


@dataclass(frozen=True)
class ActionLike:
    """What the cause check needs of an action of the plan (or an earlier one carried into it)."""

    ref: str
    objective: str  # KPI id ("" for an earlier action carried forward: it serves the plan as a whole)
    category: ActionCategory | None
    side: Controller
    addresses: tuple[ContextKind, ...] = ()


@dataclass(frozen=True)
class Cause:
    kind: str  # "context" or "client factor"
    label: str  # "Attrition (since Nov 2025)", "Average handle time: ..."
    answered_by: tuple[str, ...]  # the refs of the actions that answer it


def plan_causes(
    context: Sequence[ContextEvent],
    client_factors: Sequence[tuple[str, str, str]],  # (KPI id, KPI name, factor) on the plan's KPIs
    actions: Sequence[ActionLike],
    plan_kpis: Sequence[str],
) -> tuple[Cause, ...]:
    causes = []
    for event in context:
        if event.kpis is not None and not set(event.kpis) & set(plan_kpis):
            continue  # it bears on other KPIs than this plan's
        refs = tuple(a.ref for a in actions if event.kind in a.addresses)
        since = f", since {Month.parse(event.since).label}" if event.since else ""
        causes.append(Cause("context", f"{event.kind.label}{since} ({event.summary.rstrip('.')})", refs))
    for kpi_id, kpi_name, factor in client_factors:
        refs = tuple(
            a.ref
            for a in actions
            if a.objective == kpi_id and (a.side is Controller.CLIENT or a.category in CLIENT_FACTOR_CATEGORIES)
        )
        causes.append(Cause("client factor", f"{kpi_name}, a client factor: {factor.rstrip('.')}", refs))
    return tuple(causes)


@dataclass(frozen=True)
class Standing:
    """An action's status as every document states it: the status last recorded, read against its
    due date on the run's as-of date. Past due and neither done nor dropped is overdue, whatever
    was last reported ('On track' on an action due three weeks ago is not on track)."""

    recorded: ActionStatus | None  # None: no status recorded yet
    overdue: bool

    @property
    def label(self) -> str:
        if not self.overdue:
            return self.recorded.label if self.recorded else ""
        if self.recorded is None:
            return "Overdue, no status recorded"
        if self.recorded is ActionStatus.NOT_STARTED:
            return "Overdue, not started"
        return f"Overdue (last reported {self.recorded.label.lower()})"

    @property
    def behind(self) -> bool:
        """Late, overdue or not started: what a tally of actions behind counts."""
        return self.overdue or self.recorded in OPEN_STATUSES


def standing(recorded: ActionStatus | None, due: date, as_of: date) -> Standing:
    overdue = recorded in (None, ActionStatus.ON_TRACK, ActionStatus.NOT_STARTED) and due < as_of
    return Standing(recorded, overdue)


def action_side(owner: str, side: str | None, contacts: Sequence[Contact]) -> Controller:
    """Whose an earlier action is: as recorded, else the client's when its owner is one of the
    client's contacts (by name or role), else the partner's."""
    if side is not None:
        return Controller(side)
    wanted = owner.strip().lower()
    client = any(
        c.side is Controller.CLIENT and wanted in (c.name.strip().lower(), c.role.strip().lower()) for c in contacts
    )
    return Controller.CLIENT if client else Controller.PARTNER


@dataclass(frozen=True)
class CarriedAction:
    """An earlier action the last review left not done, as the plan takes it on or closes it."""

    ref: str
    action: str
    owner: str
    was_due: date
    status: ActionStatus
    standing: Standing  # on the as-of date, against the date it was due
    carried: bool  # carried forward (else closed)
    due: date | None  # the new due date when carried forward
    reason: str  # why it was closed, or the note it was carried with
    side: Controller = Controller.PARTNER
    metric: str = ""
    threshold: str = ""
    addresses: tuple[ContextKind, ...] = ()

    @property
    def status_text(self) -> str:
        """Its one status wording in every table that shows it: a carried action is not 'overdue'
        beside its new due date; its old date and its new one are both stated."""
        from govdocs.render.formatters import short_date

        if not self.carried or self.due is None:
            return f"Closed: {self.reason.rstrip('.')}"
        return f"Carried forward: was due {short_date(self.was_due)}, now due {short_date(self.due)}"

    @property
    def reported(self) -> str:
        """What the last review recorded of it ('last reported not started'); '' when nothing was."""
        return f"last reported {self.status.label.lower()}" if self.status else ""


# An earlier action agreed without a measure is measured, once carried into a plan, by whether it
# is done: the one level the action itself states.
COMPLETION_METRIC = "Completed as agreed, confirmed at the check-in"
COMPLETION_THRESHOLD = "done"


def carried_forward(
    previous: Sequence[PreviousAction],
    first_checkin: date,
    final: date,
    as_of: date,
    contacts: Sequence[Contact] = (),
) -> tuple[CarriedAction, ...]:
    """Every earlier action not done: carried forward to the first check-in (or its own due date,
    when later and inside the plan), with its measure; a dropped one closed with its recorded
    reason. Late, not started, on track or overdue alike: none is left out without a word."""
    rows = []
    for number, item in enumerate(previous, start=1):
        if item.status is ActionStatus.DONE:
            continue
        ref = item.id or f"earlier {number}"
        side = action_side(item.owner, item.side, contacts)
        state = standing(item.status, item.due, as_of)
        carried = item.status is not ActionStatus.DROPPED  # a dropped action is closed, with its reason
        rows.append(
            CarriedAction(
                ref,
                item.action,
                item.owner,
                item.due,
                item.status,
                state,
                carried,
                (item.due if first_checkin <= item.due <= final else first_checkin) if carried else None,
                item.note or ("" if carried else "no reason recorded"),
                side,
                metric=(item.metric or COMPLETION_METRIC) if carried else "",
                threshold=(item.threshold or COMPLETION_THRESHOLD) if carried else "",
                addresses=tuple(item.addresses) if carried else (),
            )
        )
    return tuple(rows)


def accountable_owner(role: str, contacts: Sequence[Contact]) -> tuple[str, str]:
    """(person, role) for an action's owner: the contact with that role (or that name). ('', role)
    when no contact holds the role: the role is printed alone, never beside the name of a contact
    who holds another role (the account director is not the workforce planner)."""
    wanted = role.strip().lower()
    named = next((c for c in contacts if wanted in (c.role.strip().lower(), c.name.strip().lower())), None)
    if named is None:
        return "", role
    return named.name, "" if named.name.strip().lower() == wanted else named.role
