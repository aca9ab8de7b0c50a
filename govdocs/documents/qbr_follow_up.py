"""Build-context step, QBR: what the partner controls and what the client drives, earlier actions
followed up, and the next steps the escalation rules call for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from govdocs.config.model import ClientFactor, Controller, GovernanceConfig, Partner
from govdocs.data.inputs import ActionStatus, PartnerInputs
from govdocs.data.inputs import ClientFactor as InputsClientFactor
from govdocs.documents.common import kpi_text
from govdocs.documents.qbr_summary import client_gap, list_words, undelivered_what
from govdocs.facts import PartnerFacts
from govdocs.periods import Month
from govdocs.planning.calendar import BusinessCalendar
from govdocs.planning.causes import action_side, standing
from govdocs.render.formatters import long_date
from govdocs.scoring.engine import Escalation, KpiQuarter, PartnerAssessment
from govdocs.scoring.results import Status
from govdocs.scoring.standing import kpi_sets

# Action status shown with the same shapes as KPI status: done/on track circle, late square.
ACTION_BADGE = {
    ActionStatus.DONE: "green",
    ActionStatus.ON_TRACK: "green",
    ActionStatus.NOT_STARTED: "amber",
    ActionStatus.LATE: "red",
    ActionStatus.DROPPED: "no_data",
}


# The step each escalation level calls for: text, days from the as-of date, rule name.
RULE_STEPS = {
    Escalation.OFFBOARDING_REVIEW: (
        "Decide retain, remediate or exit with procurement and the executive sponsor, on the "
        "offboarding-readiness assessment",
        30,
        "offboarding review",
    ),
    Escalation.PIP: ("Agree a performance-improvement plan covering {kpis}", 14, "improvement plan"),
    Escalation.WATCH: ("Review {kpis} month by month at the governance meeting", 30, "watch"),
}


# The partner's copy names the review, not the client's preparations for a possible exit: nothing
# about exit preparation reaches the partner before notice is given.
PARTNER_RULE_STEPS = {
    Escalation.OFFBOARDING_REVIEW: ("Formal performance review of {kpis} under the escalation rules", 30, "review"),
}


DATA_DELIVERY_DAYS = 10  # calendar days the partner has to deliver a month's missing data

CONTROLLER_LABEL = {Controller.PARTNER: "Partner", Controller.CLIENT: "Client", Controller.SHARED: "Shared"}


@dataclass(frozen=True)
class ControlRow:
    name: str
    status: str
    value: str
    controlled_by: str
    factors: tuple[str, ...]


@dataclass(frozen=True)
class ActionRow:
    ref: str
    action: str
    owner: str
    due: date
    status: str
    status_label: str
    note: str


@dataclass(frozen=True)
class NextStepRow:
    action: str
    owner: str
    due: date
    origin: str  # "Agreed" (human input) or "Governance rule"


def _factor_text(factor: ClientFactor | InputsClientFactor, config: GovernanceConfig) -> str:
    details = [d for d in (factor.impact, f"owner: {factor.client_owner or config.client.name}") if d]
    since = f"since {Month.parse(factor.since).label}; " if factor.since else ""
    return f"{factor.factor} ({since}{'; '.join(details)})"


def client_factors_for(
    config: GovernanceConfig, partner: Partner, inputs: PartnerInputs | None
) -> list[ClientFactor | InputsClientFactor]:
    """Programme-wide factors that apply to this partner, then the partner's own."""
    shared = [f for f in config.client_factors if f.partners is None or partner.id in f.partners]
    return [*shared, *(inputs.client_factors if inputs else [])]


def control_section(
    assessment: PartnerAssessment, inputs: PartnerInputs | None, config: GovernanceConfig
) -> tuple[str, tuple[ControlRow, ...]]:
    factors: dict[str, list[str]] = {}
    for factor in client_factors_for(config, assessment.partner, inputs):
        factors.setdefault(factor.kpi, []).append(_factor_text(factor, config))
    for item in assessment.kpis:  # relief is a client cause too, with its reason (govdocs.relief)
        for m in item.relieved:
            factors.setdefault(item.kpi.id, []).append(f"{m.month.label} red, relieved: {m.relief}.")
    rows = []
    for item in assessment.kpis:
        if item.current.status is Status.GREEN and item.kpi.id not in factors:
            continue
        rows.append(
            ControlRow(
                name=item.kpi.name,
                status=item.current.status.value,
                value=kpi_text(item.kpi, item.current.value),
                controlled_by=CONTROLLER_LABEL[item.kpi.controlled_by],
                factors=tuple(factors.get(item.kpi.id, ())),
            )
        )
    sets = kpi_sets(assessment)
    off = sets.short  # below target for certain: red, amber, and unclear only about the floor
    if not off:
        unsure = [k.kpi.name for k in sets.unclear_at_target]
        if not unsure:
            return "Every KPI with data met its target; no split of responsibility is needed this quarter.", tuple(rows)
        verb = "is" if len(unsure) == 1 else "are"
        return (
            f"No KPI is below target for certain; {list_words(unsure)} {verb} too close to the target to call: "
            f"the table shows who controls {'it' if len(unsure) == 1 else 'them'}.",
            tuple(rows),
        )

    def side(item: KpiQuarter) -> str:
        # A KPI whose only red months were relieved is missed for a client cause, whoever controls it.
        if item.relieved and not any(m.failed for m in item.months) and item.current.status is Status.RED:
            return "relieved for a client cause"
        return phrases[item.kpi.controlled_by]

    phrases = {
        Controller.PARTNER: "in the partner's control",
        Controller.SHARED: "shared with the client",
        Controller.CLIENT: "driven by the client",
    }
    by_side: dict[str, int] = {}
    for item in off:
        by_side[side(item)] = by_side.get(side(item), 0) + 1
    parts = list(by_side.items())
    if len(off) == 1:
        summary = f"The one KPI below target is {parts[0][0]}."
    elif len(parts) == 1:
        summary = f"All {len(off)} KPIs below target are {parts[0][0]}."
    else:
        summary = f"Of the {len(off)} KPIs below target, {list_words([f'{n} {p}' for p, n in parts])}."
    relieved = [(k.kpi.name, m) for k in off for m in k.relieved]
    if relieved:
        summary += " " + " ".join(
            f"{name}'s {m.month.label} is relieved ({m.relief}): no partner failure." for name, m in relieved
        )
    return summary, tuple(rows)


def action_rows(
    inputs: PartnerInputs | None, as_of: date, partner: Partner, client_name: str
) -> tuple[tuple[ActionRow, ...], str]:
    """The earlier actions with their standing on `as_of` (planning.causes.standing: the one reading
    of a due date and a recorded status), and a tally in which the partner's actions behind are the
    partner's and a client's overdue commitment is named as the client's, never counted with them."""
    if inputs is None or not inputs.previous_actions:
        return (), ""
    rows = []
    behind = 0
    client_behind = []
    for i, a in enumerate(inputs.previous_actions):
        ref = a.id or f"A{i + 1}"
        state = standing(a.status, a.due, as_of)
        client = action_side(a.owner, a.side, partner.contacts) is Controller.CLIENT
        if state.behind:
            if client:
                client_behind.append(ref)
            else:
                behind += 1
        rows.append(
            ActionRow(
                ref=ref,
                action=a.action,
                owner=a.owner,
                due=a.due,
                status="red" if state.overdue else ACTION_BADGE[a.status],
                status_label=(f"{state.label}: {client_name}'s commitment" if client else state.label),
                note=a.note or "",
            )
        )
    done = sum(1 for a in inputs.previous_actions if a.status is ActionStatus.DONE)
    total = len(rows)
    summary = f"{done} of the {total} action{'s' if total != 1 else ''} agreed at the last review "
    summary += f"{'is' if done == 1 else 'are'} done"
    whose = " of the partner's" if client_behind and behind else ""
    summary += f"; {behind}{whose} late, overdue or not started" if behind else ""
    if client_behind:
        summary += (
            f"; {client_name}'s own {list_words(client_behind)} {'is' if len(client_behind) == 1 else 'are'} "
            f"behind too: {'its' if len(client_behind) == 1 else 'their'} commitment, not the partner's"
        )
    return tuple(rows), summary + "."


def _plan_steps(facts: PartnerFacts, as_of: date, kpis: str, acknowledged: date | None = None) -> list[NextStepRow]:
    """The plan's own next date, as the plan states it: the acknowledgment of the plan this run
    issues (its first meeting once the partner's returned form acknowledged it), or the next
    meeting of the plan on record still running."""
    partner = facts.assessment.partner
    signatory = next((c.name for c in partner.contacts if c.side is Controller.PARTNER), partner.name)
    if facts.new_plan is not None and acknowledged is not None:
        plan = facts.new_plan
        meeting = next((c for c in plan.checkins if c.when.day > as_of), None)
        if meeting is None:
            return []
        name = "Final review" if meeting.is_final else f"Check-in {meeting.number}"
        return [
            NextStepRow(
                f"{name} of the performance-improvement plan on {kpis} (acknowledged on "
                f"{long_date(acknowledged)}): it reviews {meeting.reviewed.label}",
                plan.meeting_owner,
                meeting.when.day,
                "Improvement plan",
            )
        ]
    if facts.new_plan is not None:
        plan = facts.new_plan
        return [
            NextStepRow(
                f"Sign the performance-improvement plan on {kpis}: it starts on {long_date(plan.start)}, its "
                f"final review is on {long_date(plan.final_review.day)}",
                signatory,
                plan.acknowledge_by,
                "Improvement plan",
            )
        ]
    followed = facts.basis.followed if facts.basis else None
    if followed is None:
        return []
    meeting = next((c for c in followed.plan.checkins if c.when.day > as_of), None)
    if meeting is None:
        return []
    name = "Final review" if meeting.is_final else f"Check-in {meeting.number}"
    return [
        NextStepRow(
            f"{name} of the improvement plan from {followed.quarter.label}: it reviews {meeting.reviewed.label}",
            followed.plan.meeting_owner,
            meeting.when.day,
            "Improvement plan",
        )
    ]


def next_step_rows(
    facts: PartnerFacts,
    inputs: PartnerInputs | None,
    config: GovernanceConfig,
    as_of: date,
    internal: bool,
    decide_by: date | None = None,
    acknowledged: date | None = None,  # the date the partner's returned form acknowledged this run's plan
) -> tuple[NextStepRow, ...]:
    """The next steps, by date. `decide_by`: the decision date of the partner's offboarding
    assessment (its options' one date, planning.options): the retain-or-exit step is due then, the
    same day the assessment states, and the partner's formal review is held no later."""
    assessment, clock = facts.assessment, facts.clock
    owner = next((c.name for c in assessment.partner.contacts if c.side is Controller.CLIENT), config.client.name)
    business = BusinessCalendar.from_settings(config.pip, range(as_of.year, as_of.year + 2))
    steps: list[NextStepRow] = []
    if inputs is not None:
        steps += [NextStepRow(s.action, s.owner, s.due, "Agreed") for s in inputs.next_steps]
    partner_owner = next(
        (c.name for c in assessment.partner.contacts if c.side is Controller.PARTNER), assessment.partner.name
    )
    # A month whose gap the client caused asks nothing of the partner: the internal copy gives the
    # client its own step; the partner's step covers the other months only.
    owed = [(m, k) for m, k in assessment.undelivered if client_gap(inputs, m) is None]
    delivery_due = business.on_or_after(as_of + timedelta(days=DATA_DELIVERY_DAYS))  # a business day
    if owed:  # one step for every missing month, so the cover keeps room for the rest
        missing = "; ".join(f"{m.label} data for {undelivered_what(assessment, k, deliver=True)}" for m, k in owed)
        steps.append(
            NextStepRow(
                f"Deliver the missing {missing}, or state in writing why it cannot be delivered",
                partner_owner,
                delivery_due,
                "Data-delivery obligation",
            )
        )
    theirs = [(m, k) for m, k in assessment.undelivered if client_gap(inputs, m) is not None]
    if theirs and internal:
        missing = "; ".join(f"{m.label} data for {undelivered_what(assessment, k, deliver=True)}" for m, k in theirs)
        steps.append(
            NextStepRow(
                f"Restore the missing {missing}: a gap on {config.client.name}'s side, not the partner's",
                owner,
                delivery_due,
                "Client data gap",
            )
        )
    level = assessment.decision.level
    triggering = [k.kpi.name for k in assessment.kpis if k.current.status is Status.RED]
    rules = RULE_STEPS if internal else {**RULE_STEPS, **PARTNER_RULE_STEPS}
    kpis = list_words(triggering) or "the score"
    covered = list_words([o.kpi.name for o in facts.new_plan.objectives]) if facts.new_plan else kpis
    plan_steps = _plan_steps(facts, as_of, covered, acknowledged)
    # A plan issued or running in this run states its own dates: no second, made-up date to agree it.
    if level in rules and not (level is Escalation.PIP and plan_steps):
        text, days, rule = rules[level]
        due = business.on_or_after(as_of + timedelta(days=days))  # a generated date falls on a business day
        if level is Escalation.OFFBOARDING_REVIEW and decide_by is not None:
            # One date for the decision: the assessment's. The review comes before it, never after.
            due = decide_by if internal else min(due, decide_by)
        steps.append(NextStepRow(text.format(kpis=kpis), owner, due, f"Governance rule: {rule}"))
    steps += plan_steps
    # The renewal decision is the client's own business: it appears in the internal copy only.
    if internal and clock.decision_confirmed and 0 <= clock.days_left <= 180:
        if clock.auto_renew:
            action = (
                f"Decide on renewal or exit before the notice deadline; after it the contract renews "
                f"automatically for {clock.renewal_term}"
            )
        else:
            action = f"Decide whether to renew; without a new agreement the contract ends on {long_date(clock.end)}"
        steps.append(NextStepRow(action, owner, clock.notice_deadline, "Contract clock"))
    return tuple(sorted(steps, key=lambda s: s.due))
