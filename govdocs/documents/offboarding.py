"""Build-context step, offboarding-readiness assessment: an internal memo for procurement and
the executive sponsor that weighs the evidence for leaving against the considerations for
staying, shows when the contract lets the client act, and whether it is ready to move the work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from markupsafe import Markup

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
    trend_word,
)
from govdocs.render.charts import ScoreBar, score_history_svg
from govdocs.render.formatters import counted, labelled, long_date, money, number, percent, short_date
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
            f"Without notice the contract {verb} automatically for {clock.renewal_months} months, to "
            f"{long_date(clock.locked_until)}{value}."
        )
    else:
        lines.append("The contract does not renew automatically: it ends unless a new agreement is signed.")
    if clock.termination_for_cause:
        lines.append(f"Termination for cause: {clock.termination_for_cause}")
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


def _score_trend(evidence: Evidence) -> str:
    if evidence.score_trend is None:
        return "fewer than two quarters with a score"
    word = trend_word(evidence.score_trend, SCORE_FLAT_BELOW)
    fitted = sum(1 for _, score, _ in evidence.score_history if score is not None)
    return (
        f"{word} ({evidence.score_trend:+.1f} points a quarter, a straight line fitted over "
        f"{fitted} quarters; under {SCORE_FLAT_BELOW:g} either way counts as flat)"
    )


def _rules(config: GovernanceConfig) -> tuple[str, ...]:
    off = config.offboarding
    rules = off.rules
    weights = ", ".join(f"{k.replace('_', ' ')} {v:g}" for k, v in off.evidence_weights.items())
    return (
        f"Exit evidence (0-100, higher argues for leaving): weighted mean ({weights}) of failures against the "
        "allowance (twice the allowance or more counts 100), the outcome of the latest improvement plan decided "
        "(this run's plan once its final review has passed, else the newest earlier plan that ended: not met 100, "
        "partly met 60, no data or no plan ended 50, met 0), 100 minus the latest score, and the "
        "customer-satisfaction trend "
        "(declining 100, flat or not clear 50, improving 0; flat when a straight line fitted over the quarters "
        "moves less than a tenth of the KPI's amber band a quarter; not clear when, for a surveyed share, the first "
        "and the last quarters' 95% intervals overlap, so the move is within the noise of its samples, as the QBR "
        "states it).",
        "Stay score (0-100): weighted mean of the rated considerations, a rating r counting (r - 1) / 4 x 100. "
        "Missing ratings are left out and listed, never guessed.",
        f"Recommendation from net = stay - exit evidence: retain at {rules.retain_from:g} or more; retain with an "
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
        margin=number(decision.margin, 1) if decision.margin is not None else "–",
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
        score_rows=tuple(Row((q.label, number(s, 1), tier)) for q, s, tier in evidence.score_history),
        score_chart=score_history_svg(
            tuple(ScoreBar(q.label, s, q == quarter) for q, s, _ in evidence.score_history),
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
        blockers=tuple(labelled(r.label, r.note.rstrip(".")) if r.note else r.label for r in ready.blockers),
        readiness_line=readiness_line,
        rules=_rules(config),
        credits=credits,
        exit_cost=exit_cost,
        files=tuple(files),
        fingerprint=partner_fingerprint(data, partner.id, history_months),
    )
