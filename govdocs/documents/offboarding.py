"""Build-context step, offboarding-readiness assessment: an internal memo for procurement and
the executive sponsor that weighs the evidence for leaving against the considerations for
staying, shows when the contract lets the client act, and whether it is ready to move the work.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from markupsafe import Markup

from govdocs.commercial import minor_unit, money_text
from govdocs.config.model import Controller, GovernanceConfig, Partner
from govdocs.data.assessment import Assessment, ChecklistStatus
from govdocs.data.table import KpiData
from govdocs.documents.common import (
    Audience,
    DocumentMeta,
    InputFile,
    PartnerFingerprint,
    document_meta,
    fairness_rules,
    kpi_text,
    partner_fingerprint,
    score_words,
)
from govdocs.documents.credits import CreditsView, ExitCostView
from govdocs.facts import join_names
from govdocs.periods import Quarter
from govdocs.planning.contract import DEADLINE_RULE, Clock
from govdocs.planning.offboarding import (
    SCORE_FLAT_BELOW,
    ChecklistRow,
    Decision,
    Evidence,
    Readiness,
    Recommendation,
    checkable,
    trend_word,
)
from govdocs.planning.options import Option, OptionKind, Options
from govdocs.planning.pip import Outcome
from govdocs.render.charts import ScoreBar, score_history_svg
from govdocs.render.formatters import counted, long_date, money, number, percent, short_date
from govdocs.scoring.engine import PartnerAssessment

RECOMMENDATION_STYLE = {
    Recommendation.RETAIN: "none",
    Recommendation.RETAIN_WITH_PIP: "watch",
    Recommendation.PREPARE_EXIT: "pip",
    Recommendation.EXIT: "offboarding_review",
}
CHECKLIST_BADGE = {
    ChecklistStatus.DONE: "green",
    ChecklistStatus.IN_PROGRESS: "amber",
    ChecklistStatus.NOT_STARTED: "red",
    ChecklistStatus.BLOCKED: "red",
    ChecklistStatus.NOT_APPLICABLE: "no_data",
}


@dataclass(frozen=True)
class Row:
    cells: tuple[str, ...]
    badge: str = ""
    badge_label: str = ""


@dataclass(frozen=True)
class OffboardingContext:
    meta: DocumentMeta
    partner: Partner
    client_name: str
    quarter_label: str
    assessed_by: str
    assessed_on: date | None
    recommendation: str
    recommendation_style: str
    net: str
    stay: str
    exit_evidence: str
    margin: str
    margin_sentence: str
    readiness_note: str
    sensitivity: str
    evidence_rows: tuple[Row, ...]
    failures: int
    allowed: int
    run_rows: tuple[Row, ...]
    pip_line: str
    score_rows: tuple[Row, ...]
    score_chart: Markup
    score_trend: str
    satisfaction_rows: tuple[Row, ...]
    satisfaction_line: str
    volume_share: str
    considerations: tuple[Row, ...]
    missing_ratings: tuple[str, ...]
    provisional_note: str
    risk_factors: tuple[Row, ...]
    clock: Clock
    clock_lines: tuple[str, ...]
    checklist: tuple[Row, ...]
    readiness_share: str
    blockers: tuple[str, ...]
    readiness_line: str
    rules: tuple[str, ...]
    files: tuple[InputFile, ...]
    fingerprint: PartnerFingerprint
    credits: CreditsView | None = None  # the service credits of the trailing 12 months (None: no credit terms)
    exit_cost: ExitCostView | None = None  # the cost of leaving (None: no exit terms)
    decision_page: DecisionView | None = None  # the options side by side and the decision asked


def _clock_lines(clock: Clock, as_of: date) -> tuple[str, ...]:
    lines = [
        f"The contract ends on {long_date(clock.end)} with {clock.notice_days} days' notice: notice must be given "
        f"by {long_date(clock.notice_deadline)}"
        + (
            f", the last business day before {long_date(clock.contract_deadline)}, the date the notice period "
            "gives (a weekend or a public holiday)."
            if clock.moved
            else "."
        )
    ]
    if clock.passed:
        lines.append(f"That deadline passed {counted(-clock.days_left, 'day')} before {long_date(as_of)}.")
    else:
        lines.append(
            f"{counted(clock.days_left, 'day')} {'is' if clock.days_left == 1 else 'are'} left from {long_date(as_of)}."
        )
    if clock.auto_renew and clock.locked_until is not None:
        value = f", committing {money(clock.locked_value, clock.currency)}" if clock.locked_value else ""
        verb = "has renewed" if clock.passed else "renews"
        lines.append(
            f"Without notice the contract {verb} automatically for {clock.renewal_term}, to "
            f"{long_date(clock.locked_until)}{value}."
        )
    else:
        lines.append("The contract does not renew automatically: it ends unless a new agreement is signed.")
    return tuple(lines)


def _row_note(row: ChecklistRow) -> str:
    """The assessor's note, and an item under way before the items it comes after are finished."""
    if not row.early_before:
        return row.note
    early = (
        f"{row.status.label.lower() if row.status else 'started'} before {' and '.join(row.early_before)} "
        f"{'is' if len(row.early_before) == 1 else 'are'} finished, though it comes after "
        f"{'it' if len(row.early_before) == 1 else 'them'}"
    )
    return f"{row.note.rstrip('.')}; {early}." if row.note else f"{early[0].upper()}{early[1:]}."


def _start_by_text(row: ChecklistRow) -> str:
    """A checklist item's start-by date, and how long it is overdue when already past."""
    if row.start_by is None:
        return "–"
    late = f", overdue by {counted(row.overdue_days, 'day')}" if row.overdue_days else ""
    return short_date(row.start_by) + late


def _readiness_line(ready: Readiness, clock: Clock) -> str:
    """How long a transition takes, in sequence, against the notice period and the notice deadline."""
    chain = [label[0].lower() + label[1:] for label in ready.chain]
    how = f" ({', then '.join(chain)}, one after another)" if len(chain) > 1 else (f" ({chain[0]})" if chain else "")
    line = (
        f"{percent(ready.share_done)} of the applicable items are done. A transition needs about "
        f"{ready.weeks_needed} weeks{how}; the notice period is {ready.notice_weeks:.0f} weeks, so it "
        + ("fits inside the notice period." if ready.fits_notice else "does not fit inside the notice period.")
    )
    if ready.start_by is not None and ready.overdue_days:
        line += (
            f" To end with the contract on {long_date(clock.end)}, it had to start by {long_date(ready.start_by)}: "
            f"that start is overdue by {counted(ready.overdue_days, 'day')}, so a transition started now ends after "
            "the contract."
        )
    elif ready.start_by is not None:
        line += f" To end with the contract on {long_date(clock.end)}, it must start by {long_date(ready.start_by)}"
        if ready.start_by < clock.notice_deadline:
            line += f", before the notice deadline of {long_date(clock.notice_deadline)}."
        else:
            line += "."
    return line


def _provisional_note(decision: Decision) -> str:
    """What the unrated considerations could still do to the recommendation."""
    if decision.missing_bounds is None:
        return ""
    worst, best = decision.missing_bounds
    if worst is best:
        return f"Whatever the missing ratings turn out to be, 1 to 5, the recommendation stays {worst.label.lower()}."
    return (
        f"The missing ratings decide it: rated 1 throughout, the recommendation would be {worst.label.lower()}; "
        f"rated 5 throughout, {best.label.lower()}."
    )


def lower_first(label: str) -> str:
    """A label inside a sentence: 'Internal readiness' -> 'internal readiness', 'QA handover' kept."""
    return label[0].lower() + label[1:] if label[:2] != label[:2].upper() else label


def _margin_text(decision: Decision) -> str:
    """How far the net is from the nearest band edge, said of the band it falls in: when readiness or
    a closed plan replaced that band, the margin is the replaced band's, and the words say so."""
    if decision.margin is None:
        return "no margin: no consideration is rated"
    points = f"{number(decision.margin, 1)} points"
    if decision.overridden and decision.rules_band is not None:
        return f"the rules' band, {decision.rules_band.label.lower()}, by {points}"
    return f"margin {points}"


def _margin_sentence(decision: Decision) -> str:
    if decision.margin is None:
        return "no consideration is rated."
    points = f"{number(decision.margin, 1)} points from the nearest band edge"
    if decision.overridden and decision.rules_band is not None:
        return (
            f"the net falls in the band {decision.rules_band.label.lower()}, {points}; the recommendation replaces "
            "that band, so the margin is not the recommendation's."
        )
    return points + "."


def _score_trend(evidence: Evidence) -> str:
    if evidence.score_trend is None:
        return "fewer than two quarters with a score"
    word = trend_word(evidence.score_trend, SCORE_FLAT_BELOW)
    fitted = sum(1 for _, score, _ in evidence.score_history if score is not None)
    return (
        f"{word} ({checkable(evidence.score_trend, SCORE_FLAT_BELOW)} points a quarter, a straight line fitted over "
        f"{fitted} quarters; under {SCORE_FLAT_BELOW:g} either way counts as flat)"
    )


def _rules(config: GovernanceConfig) -> tuple[str, ...]:
    off = config.offboarding
    rules = off.rules
    weights = ", ".join(f"{k.replace('_', ' ')} {v:g}" for k, v in off.evidence_weights.items())
    return (
        f"Exit evidence (0–100, higher argues for leaving): weighted mean ({weights}) of failures against the "
        "allowance (twice the allowance or more counts 100), the outcome of the latest improvement plan decided "
        "(this run's plan once its final review has passed, else the newest earlier plan that ended: not met 100, "
        "partly met 60, no data or no plan ended 50, met 0), 100 minus the latest score, and the "
        "customer-satisfaction trend "
        "(declining 100, flat or not clear 50, improving 0; flat when a straight line fitted over the quarters "
        "moves less than a tenth of the KPI's amber band a quarter; not clear when, for a surveyed share, the first "
        "and the last quarters' 95% intervals overlap, so the move is within the noise of its samples, as the QBR "
        "states it).",
        "Stay score (0–100): weighted mean of the rated considerations, a rating r counting (r − 1) / 4 × 100. "
        "Missing ratings are left out and listed, never guessed.",
        f"Recommendation from net = stay − exit evidence: retain at {rules.retain_from:g} or more; retain with an "
        f"improvement plan from {rules.retain_with_pip_from:g}; prepare exit from {rules.prepare_exit_from:g}; exit "
        f"below. An exit while less than {rules.min_readiness_to_exit * 100:.0f}% of the transition checklist is "
        "done becomes 'prepare exit'. Margin: net points to the nearest band edge.",
        *fairness_rules(config),
        DEADLINE_RULE,
        "Transition: an item starts when the items it comes after have finished (the checklist's 'after'), "
        "the others run alongside; the transition needs its longest chain of open items, and fits when that "
        "chain is no longer than the notice period. Start-by dates are worked back from the contract's end.",
    )


def build_offboarding_context(
    *,
    config: GovernanceConfig,
    assessment: PartnerAssessment,
    review: Assessment | None,
    evidence: Evidence,
    decision: Decision,
    ready: Readiness,
    clock: Clock,
    plan_sentences: tuple[str, ...],  # the partner's plans as the QBR names them
    files: list[InputFile],
    as_of: date,
    data: KpiData,
    credits: CreditsView | None = None,
    exit_cost: ExitCostView | None = None,
    options: Options | None = None,
) -> OffboardingContext:
    partner = assessment.partner
    quarter: Quarter = assessment.quarter
    meta = document_meta(
        kind="offboarding",
        title="Offboarding-Readiness Assessment",
        config=config,
        partner=partner,
        quarter=quarter,
        audience=Audience.INTERNAL,
        as_of=as_of,
        files=files,
    )
    kpis = {k.kpi.id: k.kpi for k in assessment.kpis}
    off = config.offboarding
    ratings = review.ratings if review else {}
    considerations = []
    missing = []
    for key, item in off.considerations.items():
        given = ratings.get(key)
        if given is None:
            missing.append(item.label)
            considerations.append(Row((item.label, f"{item.weight:g}", "not rated", "", ""), "no_data", "Missing"))
        else:
            considerations.append(
                Row(
                    (item.label, f"{item.weight:g}", f"{given.rating} / 5", given.comment or "", given.evidence or ""),
                    "green" if given.rating >= 4 else ("amber" if given.rating == 3 else "red"),
                    f"{given.rating} / 5",
                )
            )
    if decision.readiness_capped:
        readiness_note = (
            f"The rules point to exit, but only {percent(ready.share_done)} of the transition checklist is done "
            f"(at least {percent(off.rules.min_readiness_to_exit)} is needed): the recommendation is to prepare "
            "the exit."
        )
    else:
        readiness_note = ""
    sensitivity = decision.sensitivity
    if decision.readiness_capped:
        sensitivity += (
            f" Completing {percent(off.rules.min_readiness_to_exit)} of the transition checklist would change the "
            "recommendation to exit."
        )
    # The plans as every document of the run states them: this run's, then the earlier ones.
    pip_line = " ".join(plan_sentences) if plan_sentences else "No improvement plan is on record."
    if evidence.no_further_plan:
        pip_line += (
            f" Two plans on {join_names(evidence.no_further_plan)} ended with targets unmet: no further plan is "
            "offered on them, so retaining with an improvement plan is not among the recommendations."
        )
    sat_kpi = kpis.get(off.satisfaction_kpi) if off.satisfaction_kpi else None
    satisfaction_rows = tuple(
        Row((q.label, kpi_text(sat_kpi, v) if sat_kpi else "–")) for q, v in evidence.satisfaction
    )
    open_items = [
        r for r in ready.rows if r.status is not ChecklistStatus.DONE and r.status is not ChecklistStatus.NOT_APPLICABLE
    ]
    readiness_line = (
        _readiness_line(ready, clock)
        if open_items
        else (f"{percent(ready.share_done)} of the applicable items are done: nothing is left to do for a transition.")
    )
    history_months = [m.month for m in assessment.kpis[0].history]
    client_contact = next((c.name for c in partner.contacts if c.side is Controller.CLIENT), config.client.name)
    return OffboardingContext(
        meta=meta,
        partner=partner,
        client_name=config.client.name,
        quarter_label=quarter.label,
        assessed_by=review.assessed_by if review else client_contact,
        assessed_on=review.assessed_on if review else None,
        recommendation=decision.recommendation.label + (" (provisional)" if decision.provisional else ""),
        provisional_note=_provisional_note(decision),
        recommendation_style=RECOMMENDATION_STYLE[decision.recommendation],
        net=number(decision.net, 1) if decision.net is not None else "–",
        stay=number(decision.stay, 1) if decision.stay is not None else "–",
        exit_evidence=number(decision.exit_evidence, 1),
        margin=_margin_text(decision),
        margin_sentence=_margin_sentence(decision),
        readiness_note=readiness_note,
        sensitivity=sensitivity,
        evidence_rows=tuple(Row((i.label, number(i.points, 0), f"{i.weight:g}", i.detail)) for i in evidence.items),
        failures=evidence.failures,
        allowed=evidence.allowed,
        run_rows=tuple(
            Row(
                (
                    kpis[r.kpi_id].name,
                    str(r.length),
                    f"{r.start.label} – {r.end.label}",
                    "yes" if kpis[r.kpi_id].contractual else "no",
                )
            )
            for r in sorted(evidence.red_runs, key=lambda r: -r.length)
        ),
        pip_line=pip_line,
        score_rows=tuple(Row((q.label, score_words(score), score.tier_words)) for q, score in assessment.score_history),
        score_chart=score_history_svg(
            tuple(ScoreBar(q.label, s.value, q == quarter, s.low, s.high) for q, s in assessment.score_history),
            tuple((t.name, t.min_score) for t in config.scoring.tiers),
        ),
        score_trend=_score_trend(evidence),
        satisfaction_rows=satisfaction_rows,
        satisfaction_line=evidence.items[3].detail,
        volume_share=percent(evidence.volume_share, 1) if evidence.volume_share is not None else "–",
        considerations=tuple(considerations),
        missing_ratings=tuple(missing),
        risk_factors=tuple(
            Row((f.kind.label, f.summary, f.handling or "–")) for f in (review.risk_factors if review else [])
        ),
        clock=clock,
        clock_lines=_clock_lines(clock, as_of),
        checklist=tuple(
            Row(
                (
                    r.label + (" (client side)" if r.internal else ""),
                    f"{r.weeks}",
                    _start_by_text(r),
                    r.owner,
                    _row_note(r),
                ),
                CHECKLIST_BADGE[r.status] if r.status else "no_data",
                r.status.label if r.status else "Not assessed",
            )
            for r in ready.rows
        ),
        readiness_share=percent(ready.share_done),
        blockers=tuple(
            f"{lower_first(r.label)} ({r.note.rstrip('.')})" if r.note else lower_first(r.label) for r in ready.blockers
        ),
        readiness_line=readiness_line,
        rules=_rules(config),
        credits=credits,
        exit_cost=exit_cost,
        decision_page=None
        if options is None
        else decision_view(
            options,
            config=config,
            partner_name=partner.name,
            client_name=config.client.name,
            clock=clock,
            evidence=evidence,
            decision=decision,
            ready=ready,
            review=review,
            as_of=as_of,
        ),
        files=tuple(files),
        fingerprint=partner_fingerprint(data, partner.id, history_months),
    )


# --- the decision page ------------------------------------------------------------------------


@dataclass(frozen=True)
class OptionColumn:
    """One option as the decision page prints it: every cell a sentence chosen by a fact."""

    key: str
    label: str
    state: str  # "recommended", "open" or "not open"
    means: str
    notice_by: str
    ends_on: str
    money: tuple[str, ...]  # fees, termination fee, transition, parallel run, total, credits
    for_it: str
    against: str
    risk: str


@dataclass(frozen=True)
class DecisionView:
    ask: str  # the one decision asked of the reader, by which date
    decide_by: date
    money_labels: tuple[str, ...]
    columns: tuple[OptionColumn, ...]
    cause_lines: tuple[str, ...]  # the clause and each condition against the data
    basis: str  # how the amounts are made
    cost_note: str = ""  # the cheapest open option against the recommended one: why it is or is not chosen


def _strengths(review: Assessment | None, config: GovernanceConfig) -> list[str]:
    if review is None:
        return []
    labels = config.offboarding.considerations
    return [labels[k].label.lower() for k, r in review.ratings.items() if r.rating >= 4 and k in labels]


def _option_texts(
    option: Option,
    options: Options,
    *,
    partner_name: str,
    clock: Clock,
    evidence: Evidence,
    decision: Decision,
    ready: Readiness,
    strengths: list[str],
    plan_days: int,
    as_of: date,
    cost_text: Callable[[Decimal | None], str],
) -> tuple[str, str, str, str]:
    """What the option means, the evidence for it and against it, and its main risk. Each fact is
    put on the side it argues for: the same fact is for staying and against leaving, or the reverse."""
    kind = option.kind
    if not option.available:
        test = options.cause
        against = (
            "; ".join(f"{c.text}: {c.detail}" for c in test.conditions) if kind is OptionKind.CAUSE and test else "–"
        )
        return f"Not open: {option.why_not}.", "–", against, "–"
    stay_side: list[str] = []  # facts for staying (against leaving)
    leave_side: list[str] = []  # facts for leaving (against staying)
    if decision.stay is not None:
        balance = f"stay score {number(decision.stay, 1)} against exit evidence {number(decision.exit_evidence, 1)}"
        (stay_side if decision.stay >= decision.exit_evidence else leave_side).append(balance)
    record = f"{counted(evidence.failures, 'failure')} in 12 months, {evidence.allowed} allowed"
    (leave_side if evidence.failures >= evidence.allowed else stay_side).append(record)
    if evidence.pip_outcome in (Outcome.NOT_MET, Outcome.PARTLY_MET):
        leave_side.append(f"latest plan {evidence.pip_outcome.label.lower()}")
    elif evidence.pip_outcome is Outcome.MET:
        stay_side.append("latest plan met")
    if strengths:
        stay_side.append(f"rated 4 or 5: {join_names(strengths)}")
    readiness_text = f"{percent(ready.share_done)} of the transition checklist done" + (
        f"; blocked: {join_names(lower_first(r.label) for r in ready.blockers)}" if ready.blockers else ""
    )
    overrun = (
        f"a transition started on {short_date(as_of)} needs {ready.weeks_needed} weeks and ends "
        f"{counted(option.transition_overrun_days, 'day')} after the service does"
        if option.transition_overrun_days
        else ""
    )
    renewal_due = (
        f"renewal is decided by the notice deadline, {short_date(clock.notice_deadline)}"
        if clock.auto_renew and not clock.passed
        else f"the contract ends on {short_date(clock.term_end)} unless a new agreement is signed"
    )
    if kind is OptionKind.RENEW:
        if clock.auto_renew and not clock.passed:
            renews_to = short_date(option.ends_on)
            means = f"Give no notice: the contract renews for {clock.renewal_term}, to {renews_to}."
        else:
            means = (
                f"Sign a new agreement before {short_date(clock.term_end)} for {clock.renewal_term}, to "
                f"{short_date(option.ends_on)}, at today's fees."
            )
        for_it, against = [*stay_side, "no transition cost"], leave_side
        risk = f"{cost_text(option.fees)} in fees to pay up to {short_date(option.ends_on)}" + (
            f" with {counted(evidence.failures, 'failure')} on record" if evidence.failures else ""
        )
    elif kind is OptionKind.PLAN:
        if option.plan_final_review is not None and option.ends_on != clock.end:
            means = (
                f"Keep {partner_name} under the plan (final review {short_date(option.plan_final_review)}); "
                "without notice the contract renews."
            )
        elif option.plan_final_review is not None:
            means = (
                f"Keep {partner_name} to {short_date(clock.end)} under the plan whose final review is on "
                f"{short_date(option.plan_final_review)}."
            )
        else:
            means = (
                f"Keep {partner_name} to {short_date(clock.end)} under a plan; none is called for this quarter "
                f"(a plan runs {plan_days} days)."
            )
        for_it, against = [*stay_side, "targets at every check-in", "no transition cost"], leave_side
        late = (option.plan_final_review - clock.notice_deadline).days if option.plan_final_review else 0
        if option.plan_final_review is not None and late > 0 and clock.auto_renew and not clock.passed:
            risk = (
                f"the final review is {counted(late, 'day')} after the notice deadline: renewal is decided before "
                "the plan's outcome is known"
            )
        else:
            risk = renewal_due
    else:
        for_it, against = list(leave_side), [*stay_side, readiness_text]
        if kind is OptionKind.LAPSE:
            if clock.auto_renew:
                means = (
                    f"Give notice by {short_date(clock.notice_deadline)}: the contract ends on {short_date(clock.end)}."
                )
            else:
                means = f"Sign nothing: the contract ends on {short_date(clock.end)}."
            for_it.append("no termination fee")
            if overrun:
                risk = overrun
            elif ready.start_by is not None:
                risk = f"the transition ({ready.weeks_needed} weeks) must start by {short_date(ready.start_by)}"
            else:
                risk = "none from the dates: nothing is left to do for a transition"
        elif kind is OptionKind.CONVENIENCE:
            means = (
                f"Give notice now: the service ends after {counted(clock.notice_days, 'day')}, on "
                f"{short_date(option.ends_on)}."
            )
            saved = (clock.term_end - option.ends_on).days if option.ends_on else 0
            for_it.append(f"ends {counted(saved, 'day')} before the contract")
            against.insert(
                0,
                f"termination fee {cost_text(option.termination_fee)}"
                if option.termination_fee is not None
                else "termination fee not stated in the exit terms",
            )
            risk = overrun or f"the termination fee, {cost_text(option.termination_fee)}"
        else:
            test = options.cause
            assert test is not None
            means = (
                f"Give {counted(test.notice_days, 'day')}' notice under the clause now: the service ends on "
                f"{short_date(option.ends_on)}."
            )
            met = sum(1 for c in test.conditions if c.met)
            for_it[:0] = [f"{met} of the clause's {len(test.conditions)} conditions met (cited below)"]
            for_it.append("no termination fee")
            risk = overrun or f"the transition ({ready.weeks_needed} weeks) must fit the clause's notice"
    return means, "; ".join(for_it) or "–", "; ".join(against) or "–", risk


def decision_view(
    options: Options,
    *,
    config: GovernanceConfig,
    partner_name: str,
    client_name: str,
    clock: Clock,
    evidence: Evidence,
    decision: Decision,
    ready: Readiness,
    review: Assessment | None,
    as_of: date,
) -> DecisionView:
    quantum = minor_unit(options.currency)

    def cost_text(value: Decimal | None) -> str:
        return "not stated" if value is None else money_text(value, options.currency, quantum)

    strengths = _strengths(review, config)
    columns = []
    for option in options.options:
        means, for_it, against, risk = _option_texts(
            option,
            options,
            partner_name=partner_name,
            clock=clock,
            evidence=evidence,
            decision=decision,
            ready=ready,
            strengths=strengths,
            plan_days=config.pip.duration_days,
            as_of=as_of,
            cost_text=cost_text,
        )
        if option.available:
            fees = cost_text(option.fees)
            if option.fees is not None and option.ends_on is not None and option.ends_on > clock.end:
                # the days to the contract's end, then the renewal (what the note under the table says)
                to_end = max((clock.end - as_of).days, 0)
                renewal = (
                    f"the {clock.renewal_months}-month renewal"
                    if "renewal_months" not in clock.to_confirm
                    else f"a renewal of {clock.renewal_term}"
                )
                fees += f" ({counted(to_end, 'day')} + {renewal})"
            elif option.fees is not None:
                fees += f" ({counted(option.fee_days, 'day')})"
            credits = cost_text(options.credits_12m) if options.credits_12m is not None else "no credit terms"
            money_cells: tuple[str, ...] = (
                fees,
                cost_text(option.termination_fee),
                cost_text(option.transition),
                cost_text(option.parallel_run),
                cost_text(option.total) + (" + items not stated" if option.incomplete else ""),
                credits,
            )
        else:
            money_cells = ("–",) * 6
        state = "recommended" if option.kind is options.recommended else ("open" if option.available else "not open")
        columns.append(
            OptionColumn(
                option.kind.value,
                option.kind.label,
                state,
                means,
                short_date(option.notice_by) if option.available and option.notice_by else "–",
                short_date(option.ends_on) if option.available and option.ends_on else "–",
                money_cells,
                for_it,
                against,
                risk,
            )
        )
    verb = {
        OptionKind.RENEW: "renew the contract with",
        OptionKind.PLAN: "keep under an improvement plan",
        OptionKind.LAPSE: "let the contract lapse with",
        OptionKind.CONVENIENCE: "end early the contract with",
        OptionKind.CAUSE: "end for cause the contract with",
    }[options.recommended]
    ask = f"Decide by {long_date(options.decide_by)} whether to {verb} {partner_name}"
    if options.decide_by_reason == "transition":
        ask += (
            f": the transition ({ready.weeks_needed} weeks) must start that day to end with the contract on "
            f"{long_date(clock.end)}"
            + (
                f", and notice must be given by {long_date(clock.notice_deadline)}."
                if clock.auto_renew
                else ", which does not renew itself."
            )
        )
    elif options.decide_by_reason == "notice":
        ask = ask.replace(
            f"Decide by {long_date(options.decide_by)}",
            f"Decide by {long_date(options.decide_by)}, the notice deadline,",
        )
        ask += (
            f": without notice the contract renews to {long_date(clock.locked_until)}."
            if clock.auto_renew and clock.locked_until
            else f": the contract does not renew itself and ends on {long_date(clock.end)}."
        )
    else:
        ask += f": the contract runs to {long_date(clock.term_end)}."
    ask += f" The assessment recommends: {decision.recommendation.label.lower()}" + (
        " (provisional: some considerations are not rated)." if decision.provisional else "."
    )
    cause_lines: list[str] = []
    if options.cause_text:
        cause_lines.append(f"The contract: {options.cause_text}")
    if options.cause is not None:
        for condition in options.cause.conditions:
            cause_lines.append(
                f"{condition.text[0].upper()}{condition.text[1:]}: {'met' if condition.met else 'not met'}, "
                f"{condition.detail}."
            )
    fees = (
        f"Fees from {short_date(as_of)} to the end of service at {money(clock.annual_value, clock.currency)} a year "
        f"× days / 365 (a renewal: {clock.renewal_more}), a replacement's fees not included."
        if clock.annual_value is not None
        else "The contract states no annual value, so no fees are stated."
    )
    credits_note = (
        " Credits: owed whichever option is chosen, not in the total"
        + (f"; {cost_text(options.credits_open)} of it can still be earned back." if options.credits_open else ".")
        if options.credits_12m is not None
        else ""
    )
    basis = fees + " Transition, parallel run: the exit terms." + credits_note
    cost_note = _cheapest_note(options, decision, ready, as_of, cost_text)
    return DecisionView(
        ask,
        options.decide_by,
        (
            "Fees to the end of service",
            "Termination fee",
            "Transition",
            "Parallel run",
            "Total to pay",
            "Service credits owed by the partner",
        ),
        tuple(columns),
        tuple(cause_lines),
        basis,
        cost_note,
    )


def _cheapest_note(
    options: Options,
    decision: Decision,
    ready: Readiness,
    as_of: date,
    cost_text: Callable[[Decimal | None], str],
) -> str:
    """The cheapest open option (of those with every amount stated), said to be the recommended one or
    said why it is not: from the
    options' facts (transition overrun, the evidence's side, amounts not stated), never a guess."""
    open_options = [o for o in options.options if o.available]
    if len(open_options) < 2:
        return ""
    # The cheapest way to leave: only an option whose amounts are all stated can be called the
    # cheapest, and staying (renew, a plan) buys more service, so it is not compared on cost here.
    stated = [o for o in open_options if not o.incomplete and o.kind.leaves]
    chosen = options.get(options.recommended)
    if not stated:
        return ""
    cheapest = min(stated, key=lambda o: (o.total, o.kind is not options.recommended))
    if cheapest.kind is chosen.kind:
        return (
            f"{chosen.kind.label} is the cheapest open way to leave ({cost_text(chosen.total)}) and the one "
            "recommended."
        )
    reasons = []
    if cheapest.ends_on and chosen.ends_on and cheapest.ends_on < chosen.ends_on:
        fewer = (chosen.ends_on - cheapest.ends_on).days
        reasons.append(f"it buys {counted(fewer, 'day')} less service (to {short_date(cheapest.ends_on)})")
    if cheapest.transition_overrun_days > chosen.transition_overrun_days:
        reasons.append(
            f"a transition started today ends {counted(cheapest.transition_overrun_days, 'day')} after the service"
            + (
                f" ({counted(chosen.transition_overrun_days, 'day')} if recommended)"
                if chosen.transition_overrun_days
                else ""
            )
        )
    if decision.stay is not None:
        balance = f"stay score {number(decision.stay, 1)} against exit evidence {number(decision.exit_evidence, 1)}"
        if cheapest.kind.leaves and not chosen.kind.leaves:
            reasons.append(f"the evidence is for staying ({balance})")
        elif chosen.kind.leaves and not cheapest.kind.leaves:
            reasons.append(f"the evidence is for leaving ({balance})")
    why = "; ".join(reasons) or (
        f"the recommendation ({decision.recommendation.label.lower()}) follows the evidence, and the cost alone does "
        "not decide it"
    )
    return (
        f"{cheapest.kind.label} is the cheapest open way to leave ({cost_text(cheapest.total)}, against "
        f"{cost_text(chosen.total)} recommended) but is not recommended: {why}."
    )
