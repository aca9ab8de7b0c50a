"""Build-context step, QBR: a partner's quarter turned into what the QBR template prints.

Order of the story follows the tone the brief asks for: what went well first, then
what must improve, what the partner controls versus what the client drives, follow-up
of earlier actions, next steps, and the appendix that traces every number to its data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from markupsafe import Markup

from govdocs.config.model import Controller, Direction, GovernanceConfig, Partner
from govdocs.data.inputs import PartnerInputs
from govdocs.data.table import KpiData
from govdocs.documents.common import (
    Audience,
    DocumentMeta,
    InputFile,
    PartnerFingerprint,
    document_meta,
    kpi_text,
    partner_fingerprint,
)
from govdocs.documents.credits import CreditsView, credits_view
from govdocs.documents.qbr_appendix import (
    BreakdownRow,
    DefinitionRow,
    PeerKpiRow,
    PeerRow,
    breakdown_rows,
    definition_rows,
    named_peer_rows,
    no_peer_figure,
    peer_kpi_rows,
    peer_rule,
    peers_of,
    scoring_rules,
)
from govdocs.documents.qbr_follow_up import (
    CONTROLLER_LABEL,
    ActionRow,
    ControlRow,
    NextStepRow,
    action_rows,
    control_section,
    next_step_rows,
)
from govdocs.documents.qbr_summary import (
    SummaryPoint,
    change_direction,
    count_labels,
    counts,
    data_notes,
    data_summary,
    escalation_lines,
    headline,
    improvements,
    list_words,
    score_note,
    score_range,
    shown_change,
    strengths,
)
from govdocs.documents.response import ResponseView
from govdocs.facts import PartnerFacts
from govdocs.gaps import GapView, gap_view
from govdocs.periods import Month, Quarter
from govdocs.planning.contract import Clock
from govdocs.qa_review import QaReviewView, qa_review_view
from govdocs.render.charts import ScoreBar, TrendChart, TrendPoint, score_history_svg, trend_svg
from govdocs.render.formatters import UNIT_SUFFIX, number, signed
from govdocs.scoring.engine import Escalation, PartnerAssessment
from govdocs.scoring.results import Status
from govdocs.watermelon import WatermelonRow

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class MonthCell:
    label: str
    value: str
    status: str
    relief: str = ""  # why the month is relieved for a client cause: shown, never a partner failure


@dataclass(frozen=True)
class ScorecardRow:
    kpi_id: str
    name: str
    unit: str
    higher_is_better: bool
    target: str
    floor: str
    value: str
    previous: str
    change: str
    change_direction: str  # "better", "worse", "flat", ""
    status: str
    months: tuple[MonthCell, ...]
    contractual: bool
    controlled_by: str
    weight_share: float
    points: str
    partner_reported: bool  # some month of the quarter comes from the partner's own figures


@dataclass(frozen=True)
class ChartCard:
    name: str
    caption: str
    svg: Markup


@dataclass(frozen=True)
class QbrContext:
    meta: DocumentMeta
    partner: Partner
    contacts_partner: tuple[tuple[str, str], ...]
    contacts_client: tuple[tuple[str, str], ...]
    quarter_label: str
    previous_label: str
    months: tuple[str, ...]
    score: str
    score_value: float | None
    score_incomplete: bool
    score_note: str  # under the score: what it rests on, missing and unclear weight said apart
    score_range: str  # '56.0–68.0' when unclear results could move the score, else ''
    tier: str
    tier_description: str
    change: str
    change_direction: str
    escalation: str
    escalation_slug: str
    escalation_reasons: tuple[str, ...]
    plans: tuple[str, ...]  # every plan on record with its outcome, then the plan this run issues
    contract: Clock
    headline: str
    counts: dict[str, int]
    count_labels: dict[str, str]  # the tiles' words, naming the KPI sets they count
    gap_months: int  # KPI-months of the quarter with no data, a low sample or a status that is not clear
    strengths: tuple[SummaryPoint, ...]
    improvements: tuple[SummaryPoint, ...]
    data_notes: tuple[str, ...]
    data_summary: str  # the data notes in one sentence, for the summary page
    relief_note: str  # the scorecard's relieved months, each with its reason
    not_clear: bool  # some month or quarter of a proportion KPI is not statistically clear (legend entry)
    scorecard: tuple[ScorecardRow, ...]
    score_chart: Markup
    charts: tuple[ChartCard, ...]
    failures_12m: int
    failures_allowed: int
    peers_named: tuple[PeerRow, ...]
    peer_kpis: tuple[PeerKpiRow, ...]
    peer_count: int
    peer_rule: str  # the partner copy's rule for what it shows of its peers
    peer_none: str  # partner copy: why it shows no peer figure, when it shows none
    peer_group: str
    control_summary: str
    control_rows: tuple[ControlRow, ...]
    context_events: tuple[tuple[str, str, str, str], ...]
    highlights: tuple[str, ...]
    concerns: tuple[str, ...]
    internal_notes: tuple[str, ...]
    actions: tuple[ActionRow, ...]
    actions_summary: str
    next_steps: tuple[NextStepRow, ...]
    precedence_note: str
    definitions: tuple[DefinitionRow, ...]
    scoring_rules: tuple[str, ...]
    files: tuple[InputFile, ...]
    fingerprint: PartnerFingerprint
    is_internal: bool
    breakdown: tuple[BreakdownRow, ...] = ()
    credits: CreditsView | None = None  # the service-credit statement (None: no credit terms)
    watermelon: tuple[WatermelonRow, ...] = ()  # what the SLA doesn't show
    watermelon_none: str = ""  # the panel in one line when no pair is flagged
    gaps: GapView | None = None  # where the gap is: the red and amber KPIs split by segment (raw records only)
    qa_review: QaReviewView | None = None  # QA calibration and coaching that follows (raw records only)
    response: ResponseView | None = None  # the partner's returned answer to its plan
    review_response: ResponseView | None = None  # its answer to this review or the one before
    review_quarter: str = ""  # '2026-Q3': the quarter the response form names
    signed: bool = False  # the partner copy is certified (--sign): its acknowledgment is a signature field


def _contacts(partner: Partner, side: Controller) -> tuple[tuple[str, str], ...]:
    return tuple((c.name, c.role) for c in partner.contacts if c.side is side)


def _scorecard(assessment: PartnerAssessment) -> tuple[ScorecardRow, ...]:
    total_weight = sum(k.kpi.weight for k in assessment.kpis)
    rows = []
    for item in assessment.kpis:
        kpi = item.kpi
        rows.append(
            ScorecardRow(
                kpi_id=kpi.id,
                name=kpi.name,
                unit=kpi.unit.value,
                higher_is_better=kpi.direction is Direction.HIGHER,
                target=kpi_text(kpi, kpi.target),
                floor=kpi_text(kpi, kpi.floor),
                value=kpi_text(kpi, item.current.value),
                previous=kpi_text(kpi, item.previous.value),
                change=signed(shown_change(item), kpi.unit.value, kpi.decimals),
                change_direction=change_direction(item),
                status=item.current.status.value,
                months=tuple(
                    MonthCell(m.month.short_label, kpi_text(kpi, m.value), m.status.value, m.relief or "")
                    for m in item.months
                ),
                contractual=kpi.contractual,
                controlled_by=CONTROLLER_LABEL[kpi.controlled_by],
                weight_share=kpi.weight / total_weight,
                points="–" if item.points is None else number(item.points, 0),
                partner_reported=any(m.source == "partner-reported" for m in item.months),
            )
        )
    return tuple(rows)


def relief_note(assessment: PartnerAssessment) -> str:
    """The quarter's relieved months in one sentence under the scorecard, which marks each."""
    cases = [
        f"{item.kpi.name} in {m.month.label} ({m.relief})" for item in assessment.kpis for m in item.months if m.relief
    ]
    if not cases:
        return ""
    return (
        f"Relieved for a client cause: {list_words(cases)}. A relieved month keeps its status but is no "
        "partner failure and earns no credit."
    )


def watermelon_line(rows: tuple[WatermelonRow, ...]) -> str:
    """The panel when nothing is flagged: one line, the pairs named, the table in the appendix."""
    pairs = [f"{row.sla} with {row.outcome}" for row in rows]
    return (
        f"No SLA holds while its customer outcome gets worse beyond its noise: {list_words(pairs)} "
        f"{'was' if len(pairs) == 1 else 'were'} checked; the figures are in the appendix."
    )


def _gap_months(assessment: PartnerAssessment) -> int:
    return sum(1 for k in assessment.kpis for m in k.months if not m.status.scored)


def _charts(assessment: PartnerAssessment) -> tuple[ChartCard, ...]:
    cards = []
    for item in assessment.kpis:
        kpi = item.kpi
        first, last = item.history[0].month, item.history[-1].month
        chart = TrendChart(
            title=kpi.name,
            unit_suffix=UNIT_SUFFIX[kpi.unit.value],
            points=tuple(TrendPoint(m.month.short_label, m.value, m.status.value) for m in item.history),
            target=kpi.target,
            floor=kpi.floor,
            higher_is_better=kpi.direction is Direction.HIGHER,
            decimals=kpi.decimals,
            highlight_last=3,
            highlight_label=assessment.quarter.label,
            span=f"{first.label} to {last.label}",
        )
        direction = "higher is better" if kpi.direction is Direction.HIGHER else "lower is better"
        bands = f"target {kpi_text(kpi, kpi.target)}" + (
            f", floor {kpi_text(kpi, kpi.floor)}" if kpi.floor is not None else ""
        )
        cards.append(ChartCard(kpi.name, f"{first.label} – {last.label} · {direction} · {bands}", trend_svg(chart)))
    return tuple(cards)


def _score_chart(assessment: PartnerAssessment, config: GovernanceConfig) -> Markup:
    bars = tuple(
        ScoreBar(q.label, s.value, q == assessment.quarter, s.low, s.high) for q, s in assessment.score_history
    )
    tiers = tuple((t.name, t.min_score) for t in config.scoring.tiers)
    return score_history_svg(bars, tiers)


def build_qbr_context(
    *,
    config: GovernanceConfig,
    facts: PartnerFacts,
    portfolio: dict[str, PartnerAssessment],
    inputs: PartnerInputs | None,
    files: list[InputFile],
    audience: Audience,
    as_of: date,
    data: KpiData,
    breakdown: pd.DataFrame | None = None,
    response: ResponseView | None = None,
    review_response: ResponseView | None = None,
    certified: bool = False,
    decide_by: date | None = None,  # the offboarding assessment's decision date (None: no assessment)
) -> QbrContext:
    assessment = facts.assessment
    partner = assessment.partner
    quarter: Quarter = assessment.quarter
    meta = document_meta(
        kind="qbr",
        title="Quarterly Business Review",
        config=config,
        partner=partner,
        quarter=quarter,
        audience=audience,
        as_of=as_of,
        files=files,
    )
    clock = facts.clock
    history_months = [m.month for m in assessment.kpis[0].history]
    internal = audience is Audience.INTERNAL
    summary, control_rows = control_section(assessment, inputs, config)
    actions, actions_summary = action_rows(inputs, as_of, assessment.partner, config.client.name)
    level = assessment.decision.level
    precedence = (
        # 'What happens next follows the Watch status, ahead of the usual routine of the At risk or
        # Watch tier' read as a ranking of two statuses; it says which sets the steps, and in what order
        f"The escalation status ({level.label}) sets what happens next; the usual routine of the "
        f"{assessment.score.tier_names} tier{'' if assessment.score.tier_firm else ' (provisional)'} comes after it."
        if level is not Escalation.NONE and assessment.score.tier is not None
        else ""
    )
    change = assessment.score_change
    peer_kpis = peer_kpi_rows(portfolio, assessment, internal, config.peer_comparison.min_peers)
    return QbrContext(
        meta=meta,
        partner=partner,
        contacts_partner=_contacts(partner, Controller.PARTNER),
        contacts_client=_contacts(partner, Controller.CLIENT),
        quarter_label=quarter.label,
        previous_label=quarter.previous().label,
        months=tuple(m.short_label for m in quarter.months),
        score=number(assessment.score.value, 1),
        score_value=assessment.score.value,
        score_incomplete=assessment.score.incomplete,
        score_note=score_note(assessment),
        score_range=score_range(assessment),
        tier=assessment.score.tier_words,
        tier_description=(
            ((assessment.score.tier.description or "") if assessment.score.tier else "")
            if assessment.score.tier_firm
            else "the results that are not statistically clear decide the tier"
        ),
        change=signed(change, "", 1) if change is not None else "–",
        change_direction="" if change is None else ("flat" if change == 0 else ("better" if change > 0 else "worse")),
        escalation=assessment.decision.level.label,
        escalation_slug=assessment.decision.level.slug,
        escalation_reasons=escalation_lines(assessment, config),
        plans=facts.plan_sentences,
        contract=clock,
        headline=headline(partner, assessment),
        counts=counts(assessment),
        count_labels=count_labels(assessment),
        gap_months=_gap_months(assessment),
        strengths=strengths(assessment, inputs, internal),
        improvements=improvements(assessment, inputs, internal, config.client.name),
        data_notes=data_notes(assessment),
        data_summary=data_summary(assessment),
        relief_note=relief_note(assessment),
        not_clear=any(
            Status.NOT_CLEAR in (item.current.status, *(m.status for m in item.months)) for item in assessment.kpis
        ),
        scorecard=_scorecard(assessment),
        score_chart=_score_chart(assessment, config),
        charts=_charts(assessment),
        failures_12m=len(assessment.failures_12m),
        failures_allowed=assessment.failures_allowed_12m,
        peers_named=named_peer_rows(portfolio, partner) if internal else (),
        peer_kpis=peer_kpis,
        peer_rule=peer_rule(config),
        peer_none=no_peer_figure(peer_kpis, config.peer_comparison.min_peers),
        peer_count=len(peers_of(portfolio, partner)),
        peer_group=partner.peer_group,
        control_summary=summary,
        control_rows=control_rows,
        context_events=tuple(
            (e.kind.label, Month.parse(e.since).label if e.since else "–", e.summary, e.handling or "–")
            for e in (inputs.context if inputs else [])
        ),
        highlights=tuple(inputs.commentary.highlights) if inputs else (),
        concerns=tuple(inputs.commentary.concerns) if inputs else (),
        internal_notes=tuple(inputs.commentary.internal_notes) if inputs and internal else (),
        actions=actions,
        actions_summary=actions_summary,
        next_steps=next_step_rows(
            facts,
            inputs,
            config,
            as_of,
            internal,
            decide_by,
            acknowledged=response.acknowledged_on if response is not None else None,
        ),
        precedence_note=precedence,
        definitions=definition_rows(config, partner, internal),
        scoring_rules=scoring_rules(config),
        files=tuple(files),
        fingerprint=partner_fingerprint(data, partner.id, history_months),
        is_internal=internal,
        breakdown=breakdown_rows(breakdown, config, partner.id, quarter),
        credits=credits_view(facts.credits, {k.id: k.name for k in config.kpis}),
        watermelon=facts.watermelon,
        watermelon_none=watermelon_line(facts.watermelon),
        gaps=gap_view(facts.gaps),
        qa_review=qa_review_view(facts.calibration, facts.coaching, partner.name),
        response=response,
        review_response=review_response,
        review_quarter=str(quarter),
        signed=certified,
    )
