"""Build-context step, PIP: a plan turned into what the PIP template prints.

The partner receives this document: it leads with what is working, states each number
that must move with its baseline, target and the value expected at every check-in, lists
who does what by when (the client's own commitments first among equals), and says
plainly what closes the plan and what follows a miss.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from govdocs.config.model import Contact, Controller, Direction, GovernanceConfig, Kpi, Partner
from govdocs.data.inputs import ActionStatus, PartnerInputs
from govdocs.data.table import KpiData
from govdocs.documents.common import (
    Audience,
    DocumentMeta,
    InputFile,
    PartnerFingerprint,
    document_meta,
    fairness_rules,
    gap_text,
    kpi_text,
    measured_by,
    partner_fingerprint,
    target_source_text,
    telling,
)
from govdocs.documents.qbr import ChartCard
from govdocs.documents.qbr_follow_up import CONTROLLER_LABEL, client_factors_for
from govdocs.documents.response import ResponseView
from govdocs.documents.segment_aims import SegmentAimsView, segment_aims_view
from govdocs.facts import PartnerFacts, join_names, record_sentence
from govdocs.gaps import GapView, gap_view
from govdocs.periods import Month
from govdocs.planning.calendar import data_rule
from govdocs.planning.causes import (
    ActionLike,
    CarriedAction,
    accountable_owner,
    carried_forward,
    plan_causes,
    standing,
)
from govdocs.planning.contract import PlanInTerm
from govdocs.planning.history import PlanOnRecord
from govdocs.planning.pip import Objective, Outcome, Plan, PlanAction, PlanResult, ProgressRow, month_end
from govdocs.render.charts import GlideChart, glide_svg
from govdocs.render.formatters import UNIT_SUFFIX, counted, long_date, number, short_date
from govdocs.scoring.arrays import month_status
from govdocs.scoring.engine import Escalation, PartnerAssessment
from govdocs.scoring.results import Status
from govdocs.scoring.standing import kpi_sets

PROGRESS_LABEL = {
    "on_track": ("green", "On track"),
    "off_track": ("red", "Off track"),
    "no_data": ("no_data", "No data yet"),
    "insufficient_sample": ("insufficient_sample", "Low sample"),
    "before_plan": ("no_data", "Before the plan"),
}
OUTCOME_BADGE = {
    Outcome.MET: "green",
    Outcome.PARTLY_MET: "amber",
    Outcome.NOT_MET: "red",
    Outcome.NO_DATA: "no_data",
    Outcome.IN_PROGRESS: "no_data",
}


@dataclass(frozen=True)
class ObjectiveRow:
    name: str
    kpi_id: str
    contractual: bool
    reason: str
    baseline: str
    baseline_month: str
    quarter_value: str
    target: str  # what this plan asks for by its end
    contract_target: str  # the KPI's own target, when the plan asks for a stage of it ("" otherwise)
    gap: str
    direction: str
    controlled_by: str
    pace: str  # the steepest improvement per month the glide path may ask for, and where it comes from


@dataclass(frozen=True)
class CheckInRow:
    label: str
    day: date
    moved: str
    reviewed: str  # month the meeting reviews
    before_plan: bool  # the reviewed month precedes the plan: it shows the baseline
    actions_only: bool  # no month of data that an earlier meeting has not already reviewed
    expected: tuple[str, ...]
    chair: str
    is_final: bool
    is_past: bool


@dataclass(frozen=True)
class ActionRow:
    ref: str
    action: str
    measure: str
    owner: str  # the person the inputs name, else the role
    due: date
    category: str
    source: str
    status: str
    note: str
    objective: str
    owner_role: str = ""  # the role that carries the action out, when the owner is a person answering for it


@dataclass(frozen=True)
class CarriedRow:
    """An earlier action of the partner's the last review left not done: carried into this plan
    (SMART like every action of it: a measure, its owner, a new due date) or closed, with why."""

    ref: str
    action: str
    measure: str  # "" when closed
    owner: str
    was_due: str
    status: str  # what the last review recorded of it: "last reported not started"
    outcome: str  # "Carried forward: was due 30 Sep 2026, now due 30 Oct 2026" or "Closed: <reason>"
    carried: bool = True


@dataclass(frozen=True)
class ActionGroup:
    objective: str
    actions: tuple[ActionRow, ...]


@dataclass(frozen=True)
class ProgressCellView:
    month: str
    actual: str
    expected: str
    badge: str
    label: str


@dataclass(frozen=True)
class ProgressRowView:
    label: str
    day: date
    cells: tuple[ProgressCellView, ...]


@dataclass(frozen=True)
class PipContext:
    meta: DocumentMeta
    partner: Partner
    client_name: str
    quarter_label: str
    start: date
    final_review: date
    issued: date
    as_of: date
    acknowledge_by: date
    duration_days: int
    cadence: str
    holidays_observed: bool  # a public-holiday calendar (or further days) is configured
    checkin_count: int
    why: tuple[str, ...]
    strengths: tuple[str, ...]
    objectives: tuple[ObjectiveRow, ...]
    objective_names: tuple[str, ...]
    pace_notes: tuple[str, ...]  # a plan lengthened, or a target split, because of the achievable rate
    pace_rule: str  # the appendix's rule for a target out of reach, as it applied to this plan
    checkins: tuple[CheckInRow, ...]
    charts: tuple[ChartCard, ...]
    partner_actions: tuple[ActionGroup, ...]
    client_actions: tuple[ActionRow, ...]
    context_events: tuple[tuple[str, str, str, str], ...]
    carried: tuple[CarriedRow, ...]  # the partner's earlier actions not done: carried forward or closed
    carried_summary: str  # the partner's tally of them; a client's overdue one named as the client's
    client_overdue: str  # the client's own commitments past due, named as the client's ("" when none)
    causes_answered: tuple[str, ...]  # each recorded cause with the actions that answer it
    causes_unanswered: tuple[str, ...]  # recorded causes no action answers (said in the internal copy)
    set_aside: tuple[str, ...]  # proposed actions for programme KPIs this plan has no objective for (internal)
    client_factors: tuple[tuple[str, str], ...]
    progress: tuple[ProgressRowView, ...]
    outcome: str
    outcome_badge: str
    outcome_text: str
    success_rule: str
    consequence: str
    partner_signatory: tuple[str, str]
    client_signatory: tuple[str, str]
    definitions: tuple[tuple[str, str, str, str], ...]
    rules: tuple[str, ...]  # the rules on uncertain results, provisional triggers and relief
    files: tuple[InputFile, ...]
    fingerprint: PartnerFingerprint
    is_internal: bool
    contract_line: str  # the plan's end against the notice deadline and the contract ("" partner copy: it ends in time)
    data_rule: str  # when a month's data is available, so which month each meeting reviews
    earlier_plans: tuple[str, ...]  # plans on record before this one on its KPIs, with their outcome
    response: ResponseView | None = None  # the partner's returned answer to this plan
    signed: bool = False  # the partner copy is certified (--sign): its acknowledgment is a signature field
    ended: bool = False  # the final review is past: the document is the plan's outcome report, nothing to sign
    what_follows: str = ""  # an ended plan's next step, by its outcome
    gaps: GapView | None = None  # where each objective's gap is, from raw records (govdocs/gaps.py)
    aims: SegmentAimsView | None = None  # the actions aimed at where the gap is (documents/segment_aims.py)


def _gap(kpi: Kpi, baseline: float, target: float) -> str:
    """'raise by 7.6 pp' / 'reduce by 65 s', or 'on target' when the baseline already meets it."""
    meets = baseline >= target if kpi.direction is Direction.HIGHER else baseline <= target
    if meets:
        return "on target"
    verb = "raise by" if kpi.direction is Direction.HIGHER else "reduce by"
    return f"{verb} {gap_text(telling(kpi, baseline, target), baseline, target)}"


def _rate_text(kpi: Kpi, rate: float) -> str:
    unit = " pp" if kpi.unit.value == "percent" else UNIT_SUFFIX[kpi.unit.value]
    decimals = kpi.decimals if round(rate, kpi.decimals) == round(rate, 6) else kpi.decimals + 1
    return f"{number(rate, decimals)}{unit}"


def _pace(objective: Objective, partner_name: str) -> str:
    """'at most 2.0 pp a month (the programme's standard rate for this KPI)'."""
    rate = objective.rate
    if rate is None:
        return "no achievable rate on record: a straight line to the target"
    if rate.from_history and rate.span is not None:
        source = f"{partner_name}'s best three months, {rate.span[0].label} to {rate.span[1].label}"
    else:
        source = "the programme's standard rate for this KPI"
    return f"at most {_rate_text(objective.kpi, rate.per_month)} a month ({source})"


def pace_rule(plan: Plan) -> str:
    """The appendix's rule for a target out of reach at the achievable rate, as it applied to this
    plan: a new plan is lengthened first, up to the programme's longest, then staged; a plan on
    record keeps the length it was issued with, so a target out of reach by its end is staged. A
    stage is the baseline moved at the rate for the months from the start to the end of the last
    month the final review judges, rounded towards the baseline."""
    end = Month(plan.target_date.year, plan.target_date.month).label
    stage = (
        "asked for in stages: the baseline moved at that rate from the start to the end of "
        f"{end}, rounded towards the baseline"
    )
    if plan.fixed_length:
        return (
            f"This plan keeps the length it was issued with ({plan.length_days} days, final review "
            f"{short_date(plan.final_review.day)}): a target out of reach at that rate by then is {stage}."
        )
    return (
        f"A target out of reach at that rate lengthens the plan, up to the programme's longest plan "
        f"({plan.longest_days} days); one still out of reach is {stage}."
    )


def _pace_notes(plan: Plan) -> tuple[str, ...]:
    """Why the plan is longer than the standard, and which targets it asks for a stage of."""
    notes = []
    end = Month(plan.target_date.year, plan.target_date.month).label
    if plan.lengthened:
        binding = max(
            (o for o in plan.objectives if not o.split and o.months_needed() is not None),
            key=lambda o: o.months_needed() or 0.0,
            default=None,
        )
        why = (
            f": at the achievable rate, {binding.kpi.name} needs about {binding.months_needed():.1f} months to move "
            f"from {kpi_text(binding.kpi, binding.baseline)} to {kpi_text(binding.kpi, binding.kpi.target)}"
            if binding is not None
            else ", the longest the programme allows, to bring each target as close as the achievable rate permits"
        )
        notes.append(f"The plan runs {plan.length_days} days instead of the standard {plan.standard_days}{why}.")
    for o in plan.objectives:
        if not o.split:
            continue
        assert o.rate is not None
        remaining = abs(o.kpi.target - o.target) / o.rate.per_month
        notes.append(
            f"{o.kpi.name}: the {kpi_text(o.kpi, o.kpi.target)} target cannot be reached by the end of {end} at "
            f"{_rate_text(o.kpi, o.rate.per_month)} a month, so this plan asks for {kpi_text(o.kpi, o.target)} by "
            f"then; the {kpi_text(o.kpi, o.kpi.target)} target stays, "
            + ("less than a month" if remaining < 1 else f"about {remaining:.1f} months")
            + " further at that rate."
        )
    return tuple(notes)


def _action_row(
    action: PlanAction, plan: Plan, contacts: Sequence[Contact] = (), as_of: date | None = None
) -> ActionRow:
    names = {o.kpi.id: o.kpi.name for o in plan.objectives}
    person, role = accountable_owner(action.owner, contacts) if contacts else ("", action.owner)
    state = standing(action.status, action.due, as_of) if as_of is not None else None
    return ActionRow(
        ref=action.ref,
        action=action.action,
        measure=measured_by(action.metric, action.threshold),
        owner=person or action.owner,
        owner_role=role if person else "",
        due=action.due,
        category=action.category.label if action.category else "–",
        source="Partner proposal" if action.source != "action library" else "Action library",
        status=state.label if state is not None else (action.status.label if action.status else ""),
        note=action.note,
        objective=names.get(action.objective, action.objective),
    )


def _carried_summary(earlier: Sequence[CarriedAction], partner: str, client: str) -> str:
    """The partner's tally of its earlier actions not done; the client's own named as the client's."""
    own = [c for c in earlier if c.side is not Controller.CLIENT]
    theirs = [c for c in earlier if c.side is Controller.CLIENT and c.carried]
    parts = []
    if own:
        carried = sum(1 for c in own if c.carried)
        past = sum(1 for c in own if c.standing.overdue or c.status is ActionStatus.LATE)
        closed = len(own) - carried
        parts.append(
            f"{len(own)} of the partner's actions from the last review {'is' if len(own) == 1 else 'are'} not done, "
            f"{past} past {'its' if len(own) == 1 else 'their'} due date: "
            + (
                "each is carried into this plan with a measure, an owner and a new due date."
                if not closed
                else f"{carried} carried into this plan with a measure, an owner and a new due date, {closed} closed "
                "with the reason recorded."
            )
        )
    if theirs:
        refs = join_names(c.ref for c in theirs)
        parts.append(
            f"{client}'s own {refs} {'is' if len(theirs) == 1 else 'are'} carried into {client}'s commitments "
            "below, not counted with the partner's."
        )
    return " ".join(parts)


def _client_overdue(plan: Plan, earlier: Sequence[CarriedAction], as_of: date, client: str, partner: str) -> str:
    """The client's commitments of this plan past their due date and not done, named as the client's."""
    late = [
        (a.ref, a.due) for a in plan.actions if a.side is Controller.CLIENT and standing(a.status, a.due, as_of).overdue
    ]
    listed_items = [f"{ref} (due {short_date(due)})" for ref, due in late]
    # A carried one is not overdue beside its new date: it missed its old one.
    listed_items += [
        f"{c.ref} (was due {short_date(c.was_due)}, now due {short_date(c.due)})"
        for c in earlier
        if c.side is Controller.CLIENT and c.carried and c.due and c.standing.overdue
    ]
    if not listed_items:
        return ""
    listed = join_names(listed_items)
    one = len(listed_items) == 1
    if late:
        verb = ("is" if one else "are") + " overdue"
    else:
        verb = ("was" if one else "were") + " not done by the date agreed"
    return (
        f"{client}'s own {'commitment' if one else 'commitments'} {listed} {verb}: "
        f"{'a delay' if one else 'delays'} on {client}'s side, recorded as such and not held against {partner}."
    )


def _charts(plan: Plan, data: KpiData) -> tuple[ChartCard, ...]:
    origin = Month(plan.start.year, plan.start.month).shift(-5)
    end = Month(plan.final_review.day.year, plan.final_review.day.month)
    months = [origin.shift(i) for i in range(end.index - origin.index + 1)]
    base = origin.first_day()
    cards = []
    for index, objective in enumerate(plan.objectives):
        kpi = objective.kpi
        series = data.series(plan.partner.id, kpi.id)
        points = []
        for month in months:
            obs = series.get(month)
            status = month_status(kpi, obs.value, obs.volume) if obs else Status.NO_DATA
            mid = (month_end(month) - base).days  # a month's value belongs to its end
            points.append((month.short_label, mid, obs.value if obs else None, status.value))
        # The path through the value expected for each reviewed month, drawn at that month's end.
        glide = [((plan.start - base).days, objective.baseline)]
        for checkin in plan.checkins:
            x = (month_end(checkin.reviewed) - base).days
            if month_end(checkin.reviewed) > plan.start and x > glide[-1][0]:
                glide.append((x, checkin.expected[index]))
        chart = GlideChart(
            title=kpi.name,
            unit_suffix=UNIT_SUFFIX[kpi.unit.value],
            months=tuple(points),
            glide=tuple(glide),
            target=kpi.target,
            floor=kpi.floor,
            start_day=(plan.start - base).days,
            final_day=(plan.final_review.day - base).days,
            decimals=kpi.decimals,
        )
        caption = (
            f"Baseline {kpi_text(kpi, objective.baseline)} ({objective.baseline_month.label}) to "
            f"{kpi_text(kpi, objective.target)} by the end of "
            f"{Month(plan.target_date.year, plan.target_date.month).label}"
            f"{f' (this plan; target {kpi_text(kpi, kpi.target)})' if objective.split else ''}. "
            "Dashed: target; dotted: floor; grey dashes: glide path, ticks at each meeting; shaded: the plan."
        )
        cards.append(ChartCard(kpi.name, caption, glide_svg(chart)))
    return tuple(cards)


def _progress(plan: Plan, rows: tuple[ProgressRow, ...]) -> tuple[ProgressRowView, ...]:
    views = []
    for row in rows:
        cells = []
        for objective, cell in zip(plan.objectives, row.cells, strict=True):
            badge, label = PROGRESS_LABEL[cell.status]
            cells.append(
                ProgressCellView(
                    cell.month.label if cell.month else "–",
                    kpi_text(objective.kpi, cell.actual),
                    kpi_text(objective.kpi, cell.expected),
                    badge,
                    label,
                )
            )
        label = "Final review" if row.checkin.is_final else f"Check-in {row.checkin.number}"
        views.append(ProgressRowView(label, row.checkin.when.day, tuple(cells)))
    return tuple(views)


def _outcome_text(plan: Plan, result: PlanResult, as_of: date) -> str:
    if result.outcome is Outcome.IN_PROGRESS:
        held = sum(1 for c in plan.checkins if c.when.day <= as_of)
        return (
            f"The plan runs until the final review on {long_date(plan.final_review.day)}; "
            f"{held} of {len(plan.checkins)} meetings have been held."
        )
    months = ", ".join(m.label for m in result.decided_on)
    parts = []
    for objective, item in zip(plan.objectives, result.objectives, strict=True):
        kpi = objective.kpi
        if item.met is None:
            parts.append(f"{kpi.name}: no scored data for {months}, so not decided")
            continue
        values = ", ".join(kpi_text(kpi, v) for _, v in item.months)
        verdict = "met" if item.met else "did not meet"
        if not objective.split:
            parts.append(f"{kpi.name} {verdict} the contract target ({values} against {kpi_text(kpi, kpi.target)})")
            continue
        contract = "met too" if item.contract_met else "still missed"
        parts.append(
            f"{kpi.name} {verdict} this plan's interim target ({values} against {kpi_text(kpi, objective.target)}); "
            f"the {kpi_text(kpi, kpi.target)} contract target is {contract}"
        )
    return f"Outcome on {months}: " + "; ".join(parts) + "."


def _what_follows(plan: Plan, result: PlanResult, client: str) -> str:
    """An ended plan's next step, chosen by its outcome: closed, escalated, or undecided."""
    if result.outcome is Outcome.MET:
        missed = [o for o, r in zip(plan.objectives, result.objectives, strict=True) if o.split and not r.contract_met]
        still = (
            f" {join_names(o.kpi.name for o in missed)} {'is' if len(missed) == 1 else 'are'} still short of the "
            "contract target: the quarterly reviews follow it, and red months count towards the escalation ladder "
            "as before."
            if missed
            else ""
        )
        closed = "The plan is closed: its targets for this plan were met."
        return f"{closed}{still} Nothing is to be acknowledged or signed."
    if result.outcome is Outcome.NO_DATA:
        return (
            "The outcome is undecided: no month the final review judged has scored data. The plan is neither "
            f"closed as met nor counted as missed; {client} decides the next step on the next month of data."
        )
    return (
        f"The plan ended with its targets {result.outcome.label.lower()}: the partnership moves to an offboarding "
        "review (escalation rule: a plan that ended with its targets unmet)."
    )


def _contract_line(term: PlanInTerm, client: str, audience: Audience) -> str:
    """Where the plan ends against the contract, in plain words. A plan that outlives the notice
    deadline or the contract says so to the partner too, with what it means for them; one that
    ends in time is stated in the internal copy only."""
    clock, final = term.clock, long_date(term.final_review)
    deadline, end = long_date(clock.notice_deadline), long_date(clock.term_end)
    if not clock.decision_confirmed:
        # terms `govdocs init` guessed: no date is set against them until they are confirmed
        return (
            "The contract's end, notice period or renewal are still to be confirmed: this plan's final review, "
            f"{final}, is set against the notice deadline once they are."
            if audience is Audience.INTERNAL
            else ""
        )
    if term.days_after_end and not clock.auto_renew:
        return (
            f"The contract ends on {end} and does not renew automatically: that is "
            f"{counted(term.days_after_end, 'day')} before this plan's final review on {final}. Unless a renewal or "
            f"an extension is agreed, the plan ends with the contract; the meetings after {end} do not take place, "
            f"and {client} judges the results up to then."
        )
    if term.days_after_end and clock.passed:
        return (
            f"This plan's final review on {final} falls {counted(term.days_after_end, 'day')} after the renewed term "
            f"ends on {end}: the plan is completed only if the contract continues beyond it."
        )
    if term.days_after_deadline:
        renewal = (
            f"without notice the contract renews on {long_date(clock.end)} for {clock.renewal_term}"
            if clock.auto_renew
            else f"the contract ends on {long_date(clock.end)} unless it is renewed"
        )
        after_end = (
            f" If notice is given, the contract ends on {long_date(clock.end)}, "
            f"{counted(term.days_after_end, 'day')} before the final review, and the plan ends with it."
            if term.days_after_end
            else ""
        )
        stated = (
            f"This plan's final review on {final} falls {counted(term.days_after_deadline, 'day')} after "
            f"{deadline}, the last day notice can be given under the contract ({renewal})."
        )
        if audience is not Audience.INTERNAL:
            # the contract's dates are both parties'; when and on what the client decides is its own
            return f"{stated} The contract may be decided before this plan's outcome is known.{after_end}"
        return (
            f"{stated} {client} decides on the contract by then at the latest, before this plan's outcome is "
            f"known: progress shown at the check-ins before {deadline} is the most that decision can weigh."
            f"{after_end}"
        )
    if audience is not Audience.INTERNAL:
        return ""
    if clock.passed:
        return (
            f"The notice deadline, {deadline}, has passed: the plan runs inside the current term, which ends on {end}."
        )
    return (
        f"The final review, {final}, falls "
        f"{counted((clock.notice_deadline - term.final_review).days, 'day')} before the notice deadline of "
        f"{deadline}: the plan's outcome is known in time for the renewal decision."
    )


def build_pip_context(
    *,
    config: GovernanceConfig,
    plan: Plan,
    assessment: PartnerAssessment,
    facts: PartnerFacts,
    followed: PlanOnRecord | None,
    progress: tuple[ProgressRow, ...],
    result: PlanResult,
    inputs: PartnerInputs | None,
    files: list[InputFile],
    audience: Audience,
    as_of: date,
    data: KpiData,
    response: ResponseView | None = None,
    signed: bool = False,
) -> PipContext:
    partner = plan.partner
    # A plan whose final review is past is reported as an outcome, never re-sent for acknowledgment.
    ended = result.outcome is not Outcome.IN_PROGRESS
    meta = document_meta(
        kind="pip",
        title="Improvement-Plan Outcome Report" if ended else "Performance-Improvement Plan",
        config=config,
        partner=partner,
        quarter=plan.quarter,
        audience=audience,
        as_of=as_of,
        files=files,
    )
    ladder = config.escalation
    objective_ids = {o.kpi.id for o in plan.objectives}
    strengths = tuple(
        f"{k.kpi.name} at {kpi_text(k.kpi, k.current.value)} against a target of {kpi_text(k.kpi, k.kpi.target)}"
        for k in kpi_sets(assessment).met
    )[:3]
    groups = []
    contacts = partner.contacts
    for objective in plan.objectives:
        own = tuple(
            _action_row(a, plan, contacts, as_of)
            for a in plan.actions
            if a.objective == objective.kpi.id and a.side is not Controller.CLIENT
        )
        groups.append(ActionGroup(objective.kpi.name, own))
    client_actions = tuple(_action_row(a, plan, contacts, as_of) for a in plan.actions if a.side is Controller.CLIENT)
    # The plan's causes (partner context, client factors on its KPIs) and whether its actions answer
    # them; the earlier actions left open, carried forward or closed.
    factors = tuple(
        (f.kpi, config.kpi(f.kpi).name, f.factor)
        for f in client_factors_for(config, partner, inputs)
        if f.kpi in objective_ids
    )
    first_meeting = plan.checkins[0].when.day
    earlier = carried_forward(
        inputs.previous_actions if inputs else (), first_meeting, plan.final_review.day, as_of, contacts
    )
    carried = tuple(
        CarriedRow(
            c.ref,
            c.action,
            measured_by(c.metric, c.threshold) if c.carried else "",
            c.owner,
            short_date(c.was_due),
            c.reported,
            c.status_text,
            c.carried,
        )
        for c in earlier
        if c.side is not Controller.CLIENT
    )
    # The client's earlier commitments not done join its commitments in this plan, as the client's.
    client_actions += tuple(
        ActionRow(
            ref=c.ref,
            action=c.action,
            measure=measured_by(c.metric, c.threshold),
            owner=c.owner,
            due=c.due,
            category="–",
            source="Earlier review",
            status=c.status_text,
            note=f"carried from the last review, {c.reported}" + (f"; {c.reason}" if c.reason else ""),
            objective="Earlier review",
        )
        for c in earlier
        if c.side is Controller.CLIENT and c.carried and c.due
    )
    carried_summary = _carried_summary(earlier, partner.name, config.client.name)
    client_overdue = _client_overdue(plan, earlier, as_of, config.client.name, partner.name)
    causes = plan_causes(
        inputs.context if inputs else (),
        factors,
        tuple(ActionLike(a.ref, a.objective, a.category, a.side, a.addresses) for a in plan.actions)
        + tuple(ActionLike(c.ref, "", None, c.side, c.addresses) for c in earlier if c.carried),
        tuple(objective_ids),
    )
    checkins = tuple(
        CheckInRow(
            label="Final review" if c.is_final else f"Check-in {c.number}",
            day=c.when.day,
            moved=f"moved from {short_date(c.when.planned)} ({c.moved_because})" if c.when.moved else "",
            reviewed=c.reviewed.label,
            before_plan=month_end(c.reviewed) <= plan.start,
            actions_only=not c.new_month,
            expected=tuple(kpi_text(o.kpi, v) for o, v in zip(plan.objectives, c.expected, strict=True)),
            chair=plan.meeting_owner,
            is_final=c.is_final,
            is_past=c.when.day <= as_of,
        )
        for c in plan.checkins
    )
    partner_contact = next(
        ((c.name, c.role) for c in partner.contacts if c.side is Controller.PARTNER), ("", "Authorised signatory")
    )
    client_contact = next(
        ((c.name, c.role) for c in partner.contacts if c.side is Controller.CLIENT), ("", "Vendor manager")
    )
    # Rows used: the twelve months behind the plan and every month of data since. (A second
    # `history` below once replaced this list with sentences: every plan hashed no rows at all.)
    used_months = [m.month for m in assessment.kpis[0].history]
    latest = data.latest_month()
    while latest is not None and used_months[-1] < latest:
        used_months.append(used_months[-1].shift(1))
    sustain = config.pip.sustain_months
    # Plans on record before this one, on a KPI this plan covers, with their outcome.
    earlier = [
        p for p in facts.record if (followed is None or p.index < followed.index) and set(p.kpi_ids) & objective_ids
    ]
    missed = [p for p in earlier if p.unmet]
    history = tuple(record_sentence(p) for p in earlier)
    if missed:
        shared = [o.kpi.name for o in plan.objectives if any(o.kpi.id in p.kpi_ids for p in missed)]
        count = 1 + sum(
            1 for p in earlier if set(p.kpi_ids) & {o.kpi.id for o in plan.objectives if o.kpi.name in shared}
        )
        ordinal = {2: "second", 3: "third"}.get(count, f"{count}th")
        consequence = (
            f"This is the {ordinal} plan on {join_names(shared)}: the plan after the "
            f"{missed[-1].quarter.label} review ended with its targets {missed[-1].outcome.label.lower()}. If the "
            f"targets are not met at the final review, no further improvement plan is offered on "
            f"{'it' if len(shared) == 1 else 'these KPIs'}, and the offboarding review decides without one "
            "(escalation rule: a plan that ended with its targets unmet)."
        )
    else:
        consequence = (
            "If the targets are not met at the final review, the partnership moves to an offboarding review "
            "(escalation rule: a plan that ended with its targets unmet)."
        )
    if assessment.decision.level is Escalation.OFFBOARDING_REVIEW:
        consequence += (
            f" The {plan.quarter.label} results already meet the offboarding-review rule: "
            f"{assessment.decision.reasons[0][0].lower()}{assessment.decision.reasons[0][1:]}. This plan runs "
            "alongside that review, and its outcome is part of the evidence the review weighs."
        )
    else:
        consequence += (
            f" Independently of the plan, {ladder.failures_allowed_12m} failures (red months of contractual KPIs) "
            "in 12 months also trigger that review."
        )
    status = f"Starts {short_date(plan.start)}" if as_of < plan.start else result.outcome.label
    return PipContext(
        meta=meta,
        partner=partner,
        client_name=config.client.name,
        quarter_label=plan.quarter.label,
        start=plan.start,
        final_review=plan.final_review.day,
        issued=plan.issued,
        as_of=as_of,
        acknowledge_by=plan.acknowledge_by,
        duration_days=plan.length_days,
        cadence=config.pip.cadence.value.replace("_", " "),
        holidays_observed=config.pip.holiday_country is not None or bool(config.pip.extra_holidays),
        checkin_count=len(plan.checkins) - 1,
        why=assessment.decision.reasons,
        strengths=strengths,
        objectives=tuple(
            ObjectiveRow(
                name=o.kpi.name,
                kpi_id=o.kpi.id,
                contractual=o.kpi.contractual,
                reason=o.reason,
                baseline=kpi_text(telling(o.kpi, o.baseline, o.target), o.baseline),
                baseline_month=o.baseline_month.label,
                quarter_value=kpi_text(o.kpi, o.quarter_value),
                target=kpi_text(o.kpi, o.target),
                contract_target=kpi_text(o.kpi, o.kpi.target) if o.split else "",
                gap=_gap(o.kpi, o.baseline, o.target),
                pace=_pace(o, partner.name),
                direction="higher is better" if o.kpi.direction is Direction.HIGHER else "lower is better",
                controlled_by=CONTROLLER_LABEL[o.kpi.controlled_by],
            )
            for o in plan.objectives
        ),
        objective_names=tuple(o.kpi.name for o in plan.objectives),
        pace_notes=_pace_notes(plan),
        pace_rule=pace_rule(plan),
        checkins=checkins,
        charts=_charts(plan, data),
        partner_actions=tuple(groups),
        client_actions=client_actions,
        carried=carried,
        carried_summary=carried_summary,
        client_overdue=client_overdue,
        causes_answered=tuple(f"{c.label}: answered by {', '.join(c.answered_by)}" for c in causes if c.answered_by),
        causes_unanswered=tuple(c.label for c in causes if not c.answered_by),
        set_aside=tuple(
            f"{a.fields.id or 'an action'} ({config.kpi(a.fields.objective).name})"
            for a in plan.set_aside
            if a.fields.objective
        ),
        context_events=tuple(
            (e.kind.label, Month.parse(e.since).label if e.since else "–", e.summary, e.handling or "–")
            for e in (inputs.context if inputs else [])
        ),
        client_factors=tuple(
            (config.kpi(f.kpi).name, f.factor + (f" ({f.impact})" if f.impact else ""))
            for f in client_factors_for(config, partner, inputs)
            if f.kpi in objective_ids
        ),
        progress=_progress(plan, progress),
        outcome=status,
        outcome_badge=OUTCOME_BADGE[result.outcome],
        outcome_text=_outcome_text(plan, result, as_of),
        success_rule=(
            f"The plan closes successfully when every objective meets its target for this plan in "
            f"{'the month' if sustain == 1 else f'each of the {sustain} months up to the month'} the final review on "
            f"{long_date(plan.final_review.day)} judges ({plan.checkins[-1].reviewed.label}, the latest whose data is "
            "available by then). Months without data or with a sample below the "
            "minimum decide nothing either way."
        ),
        consequence=consequence,
        partner_signatory=partner_contact,
        client_signatory=client_contact,
        definitions=tuple(
            (
                o.kpi.name,
                o.kpi.definition,
                target_source_text(o.kpi, config.client.name, audience is Audience.INTERNAL),
                CONTROLLER_LABEL[o.kpi.controlled_by],
            )
            for o in plan.objectives
        ),
        rules=fairness_rules(config),
        files=tuple(files),
        fingerprint=partner_fingerprint(data, partner.id, used_months),
        is_internal=audience is Audience.INTERNAL,
        response=response,
        signed=signed,
        contract_line=_contract_line(PlanInTerm(plan.final_review.day, facts.clock), config.client.name, audience),
        earlier_plans=history,
        data_rule=data_rule(plan.calendar.data_lag),
        ended=ended,
        what_follows=_what_follows(plan, result, config.client.name) if ended else "",
        gaps=gap_view([g for g in facts.gaps if g.kpi_id in {o.kpi.id for o in plan.objectives}]),
        aims=segment_aims_view(plan, facts.gaps, as_of, audience),
    )
