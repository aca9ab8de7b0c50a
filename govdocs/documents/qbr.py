"""Build-context step, QBR: a partner's quarter turned into what the QBR template prints.

Order of the story follows the tone the brief asks for: what went well first, then
what must improve, what the partner controls versus what the client drives, follow-up
of earlier actions, next steps, and the appendix that traces every number to its data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from statistics import median
from typing import TYPE_CHECKING

from markupsafe import Markup

from govdocs.config.model import ClientFactor, Controller, Direction, GovernanceConfig, Kpi, Partner
from govdocs.data.inputs import ActionStatus, PartnerInputs, named_kpis
from govdocs.data.inputs import ClientFactor as InputsClientFactor
from govdocs.data.table import KpiData
from govdocs.documents.common import (
    Audience,
    DocumentMeta,
    InputFile,
    PartnerFingerprint,
    document_meta,
    gap_text,
    kpi_text,
    partner_fingerprint,
    telling,
)
from govdocs.facts import PartnerFacts
from govdocs.periods import Month, Quarter
from govdocs.planning.contract import DEADLINE_RULE, Clock
from govdocs.render.charts import ScoreBar, TrendChart, TrendPoint, score_history_svg, trend_svg
from govdocs.render.formatters import UNIT_SUFFIX, kpi_value, long_date, number, percent, signed
from govdocs.scoring.engine import Escalation, KpiQuarter, PartnerAssessment
from govdocs.scoring.rules import QuarterValue, Status
from govdocs.scoring.stats import kpi_interval

if TYPE_CHECKING:
    import pandas as pd

MIN_ANONYMOUS_PEERS = 3  # fewer peers with data and a median could reveal one partner's figure
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
        "Prepare the offboarding-readiness assessment for procurement and the executive sponsor",
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
CONTROLLER_LABEL = {Controller.PARTNER: "Partner", Controller.CLIENT: "Client", Controller.SHARED: "Shared"}


@dataclass(frozen=True)
class MonthCell:
    label: str
    value: str
    status: str


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
class SummaryPoint:
    text: str
    status: str  # badge to show next to it ("green", "amber", "red", "" for none)
    kpi_id: str = ""  # the KPI a computed point is about
    notes: tuple[str, ...] = ()  # the reviewer's words about the same KPI, printed with it


def _with_reviewer(points: list[SummaryPoint], texts: Sequence[str], kpis: Sequence[Kpi]) -> list[SummaryPoint]:
    """The reviewer's sentences: one about a KPI that already has a computed point is printed with
    that point (one bullet per KPI, never the same KPI twice); the others as points of their own."""
    merged = list(points)
    for text in texts:
        ids = {k.id for k in named_kpis(text, kpis)}
        at = next((i for i, p in enumerate(merged) if p.kpi_id and p.kpi_id in ids), None)
        if at is None:
            merged.append(SummaryPoint(text, ""))
        else:
            merged[at] = replace(merged[at], notes=(*merged[at].notes, text))
    return merged


@dataclass(frozen=True)
class PeerRow:
    name: str
    is_self: bool
    score: str
    tier: str
    escalation: str
    green: int
    amber: int
    red: int
    failures_12m: int


@dataclass(frozen=True)
class PeerKpiRow:
    name: str
    value: str
    status: str
    peer_median: str
    rank: str
    peers: int
    peer_best: str = ""  # internal audience only
    best_name: str = ""  # internal audience only


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


@dataclass(frozen=True)
class DefinitionRow:
    name: str
    kpi_id: str
    definition: str
    unit: str
    direction: str
    target: str
    floor: str
    weight: str
    aggregation: str
    min_sample: str
    contractual: bool
    controlled_by: str
    target_source: str
    overridden: bool


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
    gap_months: int  # KPI-months of the quarter with no data, a low sample or a status that is not clear
    strengths: tuple[SummaryPoint, ...]
    improvements: tuple[SummaryPoint, ...]
    data_notes: tuple[str, ...]
    not_clear: bool  # some month or quarter of a proportion KPI is not statistically clear (legend entry)
    scorecard: tuple[ScorecardRow, ...]
    score_chart: Markup
    charts: tuple[ChartCard, ...]
    failures_12m: int
    failures_allowed: int
    peers_named: tuple[PeerRow, ...]
    peer_kpis: tuple[PeerKpiRow, ...]
    peer_count: int
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


@dataclass(frozen=True)
class BreakdownRow:
    """A KPI of the quarter per channel or programme, month by month (raw exports with `by:`)."""

    kpi: str  # the KPI's name
    segment_by: str  # "Channel" or "Programme"
    segment: str
    months: tuple[str, ...]  # value and volume per month of the quarter, '–' where there are none
    first: bool  # the KPI's first row (its name is printed once)


def _breakdown(
    frame: pd.DataFrame | None, config: GovernanceConfig, partner_id: str, quarter: Quarter
) -> tuple[BreakdownRow, ...]:
    """The partner's breakdown rows for the quarter, in catalogue order, segments by volume."""
    if frame is None or frame.empty:
        return ()
    periods = [str(m) for m in quarter.months]
    mine = frame[(frame["partner"] == partner_id) & frame["period"].isin(periods)]
    rows: list[BreakdownRow] = []
    for kpi in config.kpis:
        cells = mine[mine["kpi"] == kpi.id]
        if cells.empty:
            continue
        volume = cells.groupby(["segment_by", "segment"])["volume"].sum().sort_values(ascending=False)
        for i, (segment_by, segment) in enumerate(volume.index):
            found = {
                r.period: r
                for r in cells[(cells["segment_by"] == segment_by) & (cells["segment"] == segment)].itertuples()
            }
            rows.append(
                BreakdownRow(
                    kpi=kpi.name,
                    segment_by=str(segment_by).capitalize(),
                    segment=str(segment),
                    months=tuple(
                        f"{kpi_value(found[p].value, kpi.unit.value, kpi.decimals)} ({number(found[p].volume, 0)})"
                        if p in found
                        else "–"
                        for p in periods
                    ),
                    first=i == 0,
                )
            )
    return tuple(rows)


# --- small helpers -----------------------------------------------------------------------


def _shortfall(kpi: Kpi, value: float, threshold: float, what: str, shown: Kpi | None = None) -> str:
    """'5.9 pp short of the 80.0% target' or, when lower is better, '7 s above the 30 s target'.
    `shown`: the KPI with the decimals the value needs (see `telling`) for the gap; the threshold
    prints as every document prints it."""
    side = "short of" if kpi.direction is Direction.HIGHER else "above"
    return f"{gap_text(shown or kpi, value, threshold)} {side} the {kpi_text(kpi, threshold)} {what}"


def _count(n: int, noun: str) -> str:
    """'1 further KPI', '3 further KPIs': the noun agrees with the number."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _too_close(kpi: Kpi, quarter: QuarterValue) -> str:
    """A not-clear quarter in words: against the target, on a sample too small to call either way."""
    sample = f" of {number(quarter.volume, 0)}" if quarter.volume else ""
    return (
        f"against the {kpi_text(kpi, kpi.target)} target: too close to call on a sample{sample}, "
        "so neither a pass nor a failure"
    )


def shown_change(item: KpiQuarter) -> float | None:
    """The change between the two values as printed, so the column adds up for the reader."""
    kpi = item.kpi
    if item.current.value is None or item.previous.value is None:
        return None
    return round(round(item.current.value, kpi.decimals) - round(item.previous.value, kpi.decimals), kpi.decimals)


def _change_direction(item: KpiQuarter) -> str:
    change = shown_change(item)
    if change is None:
        return ""
    if change == 0:
        return "flat"
    return "better" if (change > 0) == (item.kpi.direction is Direction.HIGHER) else "worse"


def meaningful_improvement(item: KpiQuarter) -> bool:
    """Moved towards the target by at least a tenth of the amber band (5% of the target
    without a floor): smaller moves are noise and are not presented as progress."""
    change = shown_change(item)
    if change is None or _change_direction(item) != "better":
        return False
    kpi = item.kpi
    band = abs(kpi.target - kpi.floor) if kpi.floor is not None else abs(kpi.target) * 0.05
    return abs(change) >= max(band * 0.1, 10**-kpi.decimals)


def _list_words(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _contacts(partner: Partner, side: Controller) -> tuple[tuple[str, str], ...]:
    return tuple((c.name, c.role) for c in partner.contacts if c.side is side)


# --- sections --------------------------------------------------------------------------------


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
                change_direction=_change_direction(item),
                status=item.current.status.value,
                months=tuple(
                    MonthCell(m.month.short_label, kpi_text(kpi, m.value), m.status.value) for m in item.months
                ),
                contractual=kpi.contractual,
                controlled_by=CONTROLLER_LABEL[kpi.controlled_by],
                weight_share=kpi.weight / total_weight,
                points="–" if item.points is None else number(item.points, 0),
                partner_reported=any(m.source == "partner-reported" for m in item.months),
            )
        )
    return tuple(rows)


def _headline(partner: Partner, assessment: PartnerAssessment) -> str:
    score = assessment.score
    quarter = assessment.quarter
    previous = quarter.previous()
    if score.value is None:
        return f"{partner.name} has no scored KPI for {quarter.label}: no month had enough data."
    change = assessment.score_change
    if change is None:
        trend = f"with no score for {previous.label} to compare"
    elif change == 0:
        trend = f"unchanged from {previous.label}"
    else:
        trend = f"{'up' if change > 0 else 'down'} {abs(change):.1f} points from {previous.label}"
    return (
        f"{partner.name} scored {score.value:.1f} out of 100 in {quarter.label}, "
        f"tier {score.tier.name if score.tier else '–'}, {trend}."
    )


def _counts(assessment: PartnerAssessment) -> dict[str, int]:
    counts = {s.value: 0 for s in Status}
    for item in assessment.kpis:
        counts[item.current.status.value] += 1
    counts["total"] = len(assessment.kpis)
    return counts


def _strengths(assessment: PartnerAssessment, inputs: PartnerInputs | None) -> tuple[SummaryPoint, ...]:
    """On-target KPIs (largest margin first), real improvements, then the reviewer's highlights."""
    points: list[SummaryPoint] = []
    green = [k for k in assessment.kpis if k.current.status is Status.GREEN and k.current.value is not None]
    previous = assessment.quarter.previous().label

    def margin(item: KpiQuarter) -> float:
        kpi = item.kpi
        band = abs(kpi.target - kpi.floor) if kpi.floor is not None else abs(kpi.target) * 0.05 or 1.0
        return abs(item.current.value - kpi.target) / band  # type: ignore[operator]

    for item in sorted(green, key=margin, reverse=True)[:4]:
        kpi = item.kpi
        text = f"{kpi.name} at {kpi_text(kpi, item.current.value)} against a target of {kpi_text(kpi, kpi.target)}"
        if meaningful_improvement(item):
            text += f", {gap_text(kpi, shown_change(item) or 0, 0)} better than in {previous}"
        points.append(SummaryPoint(text + ".", "green", kpi.id))
    if len(green) > 4:
        further = len(green) - 4
        points.append(SummaryPoint(f"{_count(further, 'further KPI')} also on target (see the scorecard).", "green"))
    # Real improvements that did not reach the target. A red KPI's improvement is told where it
    # belongs, under what must improve; the words follow the quarter's status, never a fresh comparison.
    for item in assessment.kpis:
        status = item.current.status
        if status not in (Status.AMBER, Status.NOT_CLEAR) or not meaningful_improvement(item):
            continue
        kpi, value = item.kpi, item.current.value
        assert value is not None
        change = gap_text(kpi, shown_change(item) or 0, 0)
        shown = telling(kpi, value, kpi.target) if status is Status.AMBER else kpi
        moved = f"{kpi.name} improved by {change} on {previous} to {kpi_text(shown, value)}"
        if status is Status.AMBER:
            points.append(
                SummaryPoint(f"{moved}, still {_shortfall(kpi, value, kpi.target, 'target', shown)}.", "", kpi.id)
            )
        else:
            points.append(SummaryPoint(f"{moved}, {_too_close(kpi, item.current)}.", "", kpi.id))
    if inputs is not None:
        points = _with_reviewer(points, inputs.commentary.highlights, [k.kpi for k in assessment.kpis])
    if not points:
        # A red KPI may have improved: that is told under what must improve, so this says where.
        moved = [k for k in assessment.kpis if meaningful_improvement(k)]
        text = f"No KPI met its target in {assessment.quarter.label}"
        if not moved:
            text += " or improved on the previous quarter."
        elif all(k.current.status is Status.RED for k in moved):
            text += "; the improvements that stayed below the floor are under what must improve."
        else:
            text += "."
        points.append(SummaryPoint(text, ""))
    return tuple(points)


def _improvements(assessment: PartnerAssessment, inputs: PartnerInputs | None) -> tuple[SummaryPoint, ...]:
    points: list[SummaryPoint] = []
    order = {Status.RED: 0, Status.AMBER: 1}
    short = sorted(
        (k for k in assessment.kpis if k.current.status in order),
        key=lambda k: (order[k.current.status], -k.kpi.weight),
    )
    for item in short:
        kpi = item.kpi
        value = item.current.value
        assert value is not None
        shown = telling(kpi, value, kpi.target, kpi.floor)
        text = f"{kpi.name} at {kpi_text(shown, value)}: {_shortfall(kpi, value, kpi.target, 'target', shown)}"
        if item.current.status is Status.RED and kpi.floor is not None:
            text += f" and beyond the {kpi_text(kpi, kpi.floor)} floor"
        red_months = [m.month.short_label for m in item.months if m.status is Status.RED]
        if len(red_months) == len(item.months):
            text += "; red all quarter"
        elif red_months:
            text += f"; red in {_list_words(red_months)}"
        if item.current.status is Status.RED and meaningful_improvement(item):
            text += (
                f"; {gap_text(kpi, shown_change(item) or 0, 0)} better than in {assessment.quarter.previous().label}"
            )
        if kpi.controlled_by is Controller.SHARED:
            text += " (shared with the client: see the drivers page)"
        elif kpi.controlled_by is Controller.CLIENT:
            text += " (driven by the client: see the drivers page)"
        points.append(SummaryPoint(text + ".", item.current.status.value, kpi.id))
    if inputs is not None:
        points = _with_reviewer(points, inputs.commentary.concerns, [k.kpi for k in assessment.kpis])
    if not points:
        points.append(SummaryPoint("Nothing is below target this quarter: the task is to hold the level.", ""))
    return tuple(points)


def _unclear_note(kpi: Kpi, when: str, value: float, volume: float) -> str:
    interval = kpi_interval(value, volume)

    def show(figure: float) -> str:
        return kpi_value(figure, kpi.unit.value, kpi.decimals)

    return (
        f"{kpi.name} in {when}: {show(value)} from a sample of {number(volume, 0)}; its 95% interval, "
        f"{show(interval.low)} to {show(interval.high)}, reaches across the target of {show(kpi.target)}: "
        "not statistically clear, counted neither as a pass nor as a failure."
    )


def _data_notes(assessment: PartnerAssessment) -> tuple[str, ...]:
    notes = []
    by_month_missing: dict[str, list[str]] = {}
    by_month_small: dict[str, list[str]] = {}
    unclear: list[str] = []
    for item in assessment.kpis:
        for m in item.months:
            if m.status is Status.NO_DATA:
                by_month_missing.setdefault(m.month.label, []).append(item.kpi.name)
            elif m.status is Status.INSUFFICIENT:
                by_month_small.setdefault(m.month.label, []).append(
                    f"{item.kpi.name} ({number(m.volume, 0)} < {item.kpi.min_sample:,})"
                )
            elif m.status is Status.NOT_CLEAR and m.value is not None and m.volume:
                unclear.append(_unclear_note(item.kpi, m.month.label, m.value, m.volume))
        current = item.current
        if current.status is Status.NOT_CLEAR and current.value is not None and current.volume:
            unclear.append(_unclear_note(item.kpi, "the quarter", current.value, current.volume))
    total = len(assessment.kpis)
    for month, names in by_month_missing.items():
        what = "any KPI" if len(names) == total else _list_words(names)
        notes.append(f"No data for {what} in {month}: shown as no data, counted neither as a pass nor as a failure.")
    for month, names in by_month_small.items():
        notes.append(
            f"{month} volume below the minimum sample for {_list_words(names)}: shown, not scored "
            "as a month; pooled into the quarter value by volume."
        )
    notes += unclear
    score = assessment.score
    if score.unscored_share > 0:
        parts = []
        if score.no_data_share > 0:
            parts.append(f"{percent(score.no_data_share)} of the KPI weight has no data or too small a sample")
        if score.not_clear_share > 0:
            weight = "" if parts else " of the KPI weight"
            parts.append(f"{percent(score.not_clear_share)}{weight} is measured but too close to the target to call")
        state = "incomplete" if score.incomplete else "complete enough to compare"
        notes.append(
            f"{'; '.join(parts)}. The score is the weighted mean of the other KPIs, their weights scaled up to "
            f"100%, and is marked {state}."
        )
    return tuple(notes)


def score_note(assessment: PartnerAssessment) -> str:
    """The line under the score. Missing data and an unclear result are different facts, told apart."""
    score = assessment.score
    if not score.incomplete:
        scored = sum(1 for k in assessment.kpis if k.current.status.scored)
        return f"weighted over {scored} of {len(assessment.kpis)} KPIs"
    missing, unclear = score.no_data_share, score.not_clear_share
    if missing > 0 and unclear > 0:
        return f"Incomplete: {percent(missing)} of weight without data, {percent(unclear)} too close to call"
    if unclear > 0:
        return f"Provisional: {percent(unclear)} of weight too close to call"
    return f"Incomplete: {percent(missing)} of weight without data"


def _escalation_lines(assessment: PartnerAssessment, config: GovernanceConfig) -> tuple[str, ...]:
    """The decision's reasons, with three or more red runs folded into one line so the
    summary stays on one page; every figure is kept."""
    reasons = list(assessment.decision.reasons)
    runs = []
    for item in assessment.kpis:
        run = item.longest_red_run
        text = None if run is None else f"{item.kpi.name} red {run.length} months running"
        matching = [r for r in reasons if text and r.startswith(text)]
        if run is not None and matching:
            runs.append((item.kpi.name, run, matching[0]))
    if len(runs) < 3:
        return tuple(reasons)
    folded = "Red months running: " + "; ".join(
        f"{name} {run.length} (since {run.start.label})" for name, run, _ in runs
    )
    first = reasons.index(runs[0][2])
    kept = [r for r in reasons if r not in {reason for _, _, reason in runs}]
    kept.insert(first, folded)
    return tuple(kept)


def _gap_months(assessment: PartnerAssessment) -> int:
    return sum(1 for k in assessment.kpis for m in k.months if not m.status.scored)


def _charts(assessment: PartnerAssessment) -> tuple[ChartCard, ...]:
    cards = []
    for item in assessment.kpis:
        kpi = item.kpi
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
        )
        first, last = item.history[0].month, item.history[-1].month
        direction = "higher is better" if kpi.direction is Direction.HIGHER else "lower is better"
        bands = f"target {kpi_text(kpi, kpi.target)}" + (
            f", floor {kpi_text(kpi, kpi.floor)}" if kpi.floor is not None else ""
        )
        cards.append(ChartCard(kpi.name, f"{first.label} – {last.label} · {direction} · {bands}", trend_svg(chart)))
    return tuple(cards)


def _score_chart(assessment: PartnerAssessment, config: GovernanceConfig) -> Markup:
    bars = tuple(ScoreBar(q.label, s.value, q == assessment.quarter) for q, s in assessment.score_history)
    tiers = tuple((t.name, t.min_score) for t in config.scoring.tiers)
    return score_history_svg(bars, tiers)


def _peers_of(portfolio: dict[str, PartnerAssessment], partner: Partner) -> list[PartnerAssessment]:
    """The other partners of the same peer group: chat is not compared with voice."""
    return [a for pid, a in portfolio.items() if pid != partner.id and a.partner.peer_group == partner.peer_group]


def _named_peers(portfolio: dict[str, PartnerAssessment], partner: Partner) -> tuple[PeerRow, ...]:
    rows = []
    ranked = sorted(portfolio.values(), key=lambda a: (-(a.score.value or -1), a.partner.name))
    for other in ranked:
        rows.append(
            PeerRow(
                name=other.partner.name,
                is_self=other.partner.id == partner.id,
                score=number(other.score.value, 1),
                tier=other.score.tier.name if other.score.tier else "–",
                escalation=other.decision.level.label,
                green=sum(1 for k in other.kpis if k.current.status is Status.GREEN),
                amber=sum(1 for k in other.kpis if k.current.status is Status.AMBER),
                red=sum(1 for k in other.kpis if k.current.status is Status.RED),
                failures_12m=len(other.failures_12m),
            )
        )
    return tuple(rows)


def _peer_kpis(
    portfolio: dict[str, PartnerAssessment], assessment: PartnerAssessment, named: bool
) -> tuple[PeerKpiRow, ...]:
    """Per KPI: this partner against its peer group's median, and its rank.

    The partner's copy shows only the median and the rank, and only when at least
    MIN_ANONYMOUS_PEERS peers have data: no single peer's figure can be read off it.
    The internal copy adds the best value and who achieved it."""
    rows = []
    peers_all = _peers_of(portfolio, assessment.partner)
    for index, item in enumerate(assessment.kpis):
        kpi = item.kpi
        peers = [(p.partner.name, v) for p in peers_all if (v := p.kpis[index].current.value) is not None]
        peer_values = [v for _, v in peers]
        value = item.current.value
        if len(peer_values) < (1 if named else MIN_ANONYMOUS_PEERS):
            rows.append(
                PeerKpiRow(kpi.name, kpi_text(kpi, value), item.current.status.value, "not shown", "–", len(peers))
            )
            continue
        higher = kpi.direction is Direction.HIGHER
        rank = "–"
        if value is not None:
            better = sum(1 for v in peer_values if (v > value if higher else v < value))
            rank = f"{better + 1} of {len(peer_values) + 1}"
        best_name, best = (max if higher else min)(peers, key=lambda p: p[1])
        rows.append(
            PeerKpiRow(
                kpi.name,
                kpi_text(kpi, value),
                item.current.status.value,
                kpi_text(kpi, median(peer_values)),
                rank,
                len(peer_values),
                kpi_text(kpi, best) if named else "",
                best_name if named else "",
            )
        )
    return tuple(rows)


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


def _control(
    assessment: PartnerAssessment, inputs: PartnerInputs | None, config: GovernanceConfig
) -> tuple[str, tuple[ControlRow, ...]]:
    factors: dict[str, list[str]] = {}
    for factor in client_factors_for(config, assessment.partner, inputs):
        factors.setdefault(factor.kpi, []).append(_factor_text(factor, config))
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
    off = [k for k in assessment.kpis if k.current.status in (Status.AMBER, Status.RED)]
    if not off:
        return "Every KPI with data met its target; no split of responsibility is needed this quarter.", tuple(rows)
    by_side = {c: sum(1 for k in off if k.kpi.controlled_by is c) for c in Controller}
    phrases = {
        Controller.PARTNER: "in the partner's control",
        Controller.SHARED: "shared with the client",
        Controller.CLIENT: "driven by the client",
    }
    parts = [(n, phrases[c]) for c, n in by_side.items() if n]
    if len(off) == 1:
        summary = f"The one KPI below target is {parts[0][1]}."
    elif len(parts) == 1:
        summary = f"All {len(off)} KPIs below target are {parts[0][1]}."
    else:
        summary = f"Of the {len(off)} KPIs below target, {_list_words([f'{n} {p}' for n, p in parts])}."
    return summary, tuple(rows)


def _overdue_label(status: ActionStatus) -> str:
    """Past its due date and not done: overdue, with what was last reported (never 'On track, overdue')."""
    if status is ActionStatus.NOT_STARTED:
        return "Overdue, not started"
    return f"Overdue (last reported {status.label.lower()})"


def _actions(inputs: PartnerInputs | None, as_of: date) -> tuple[tuple[ActionRow, ...], str]:
    if inputs is None or not inputs.previous_actions:
        return (), ""
    rows = []
    behind = 0
    for i, a in enumerate(inputs.previous_actions):
        overdue = a.status in (ActionStatus.ON_TRACK, ActionStatus.NOT_STARTED) and a.due < as_of
        if overdue or a.status in (ActionStatus.LATE, ActionStatus.NOT_STARTED):
            behind += 1
        rows.append(
            ActionRow(
                ref=a.id or f"A{i + 1}",
                action=a.action,
                owner=a.owner,
                due=a.due,
                status="red" if overdue else ACTION_BADGE[a.status],
                status_label=_overdue_label(a.status) if overdue else a.status.label,
                note=a.note or "",
            )
        )
    done = sum(1 for a in inputs.previous_actions if a.status is ActionStatus.DONE)
    total = len(rows)
    summary = f"{done} of the {total} action{'s' if total != 1 else ''} agreed at the last review "
    summary += f"{'is' if done == 1 else 'are'} done"
    summary += f"; {behind} late, overdue or not started." if behind else "."
    return tuple(rows), summary


def _next_steps(
    assessment: PartnerAssessment,
    inputs: PartnerInputs | None,
    clock: Clock,
    config: GovernanceConfig,
    as_of: date,
    internal: bool,
) -> tuple[NextStepRow, ...]:
    owner = next((c.name for c in assessment.partner.contacts if c.side is Controller.CLIENT), config.client.name)
    steps: list[NextStepRow] = []
    if inputs is not None:
        steps += [NextStepRow(s.action, s.owner, s.due, "Agreed") for s in inputs.next_steps]
    level = assessment.decision.level
    triggering = [k.kpi.name for k in assessment.kpis if k.current.status is Status.RED]
    rules = RULE_STEPS if internal else {**RULE_STEPS, **PARTNER_RULE_STEPS}
    if level in rules:
        text, days, rule = rules[level]
        kpis = _list_words(triggering) or "the score"
        steps.append(
            NextStepRow(text.format(kpis=kpis), owner, as_of + timedelta(days=days), f"Governance rule: {rule}")
        )
    # The renewal decision is the client's own business: it appears in the internal copy only.
    if internal and 0 <= clock.days_left <= 180:
        if clock.auto_renew:
            action = (
                f"Decide on renewal or exit before the notice deadline; after it the contract renews "
                f"automatically for {clock.renewal_months} months"
            )
        else:
            action = f"Decide whether to renew; without a new agreement the contract ends on {long_date(clock.end)}"
        steps.append(NextStepRow(action, owner, clock.notice_deadline, "Contract clock"))
    return tuple(sorted(steps, key=lambda s: s.due))


def _definitions(config: GovernanceConfig, partner: Partner) -> tuple[DefinitionRow, ...]:
    rows = []
    for base in config.kpis:
        kpi = config.effective_kpi(partner, base)
        rows.append(
            DefinitionRow(
                name=kpi.name,
                kpi_id=kpi.id,
                definition=kpi.definition,
                unit=kpi.unit.value,
                direction="Higher is better" if kpi.direction is Direction.HIGHER else "Lower is better",
                target=kpi_text(kpi, kpi.target),
                floor=kpi_text(kpi, kpi.floor),
                weight=f"{kpi.weight:g}",
                aggregation=kpi.aggregation.value.replace("_", " "),
                min_sample="–" if kpi.min_sample == 0 else f"{kpi.min_sample:,}",
                contractual=kpi.contractual,
                controlled_by=CONTROLLER_LABEL[kpi.controlled_by],
                target_source=kpi.target_source or "–",
                overridden=base.id in partner.targets,
            )
        )
    return tuple(rows)


def _scoring_rules(config: GovernanceConfig) -> tuple[str, ...]:
    pts = config.scoring.points
    ladder = config.escalation
    tiers = ", ".join(f"{t.name} ≥ {t.min_score:g}" for t in config.scoring.tiers)
    method = (
        f"Each KPI's quarter status earns points: on target {pts.green:g}, amber {pts.amber:g}, "
        f"below floor {pts.red:g}."
        if config.scoring.method.value == "banded"
        else f"Each KPI earns {pts.green:g} points on target, {pts.red:g} below the floor, and from {pts.amber:g} "
        f"to {pts.green:g} in proportion to its position between floor and target."
    )
    return (
        "Month status: on target (green) when the value meets the target; below target (amber) between floor "
        "and target; below floor (red) beyond the floor. A month without a row is 'no data'; a month whose "
        "volume is below the KPI's minimum sample is 'low sample'; a month of a proportion KPI (a share of a "
        "sample of surveys or evaluations) whose result is too close to the target for the sample's size to "
        "tell (its 95% margin of error reaches across the target) is 'not clear'. "
        "None of these counts as a pass or a failure.",
        "Quarter value: volume-weighted mean of the months with data when every month has a volume, otherwise "
        "the mean (or the sum or last month where the KPI says so). The quarter status follows the month rule; "
        "the quarter is 'low sample' when the pooled volume is below the minimum.",
        method + f" The score is the weighted mean over KPIs with a scored quarter, their weights scaled up to "
        f"100%; it is marked incomplete when more than {config.scoring.incomplete_share * 100:.0f}% of the weight "
        "has no scored quarter (no data, too small a sample, or too close to the target to call; the cover says "
        "which). "
        f"Tiers: {tiers}.",
        f"Escalation: watch when any KPI is red in the quarter; improvement plan when a KPI the partner "
        f"controls or shares is red {ladder.consecutive_red_for_pip} months running or the score is below "
        f"{ladder.pip_score_below:g}; offboarding review when {ladder.failures_allowed_12m} failures (red months of "
        f"contractual KPIs) accumulate in 12 months or the tier is {ladder.at_risk_tier} "
        f"{ladder.at_risk_quarters} quarters running.",
        DEADLINE_RULE,
    )


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
    summary, control_rows = _control(assessment, inputs, config)
    actions, actions_summary = _actions(inputs, as_of)
    level = assessment.decision.level
    precedence = (
        f"The escalation status takes precedence over the routine of tier {assessment.score.tier.name}."
        if level is not Escalation.NONE and assessment.score.tier is not None
        else ""
    )
    change = assessment.score_change
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
        tier=assessment.score.tier.name if assessment.score.tier else "–",
        tier_description=(assessment.score.tier.description or "") if assessment.score.tier else "",
        change=signed(change, "", 1) if change is not None else "–",
        change_direction="" if change is None else ("flat" if change == 0 else ("better" if change > 0 else "worse")),
        escalation=assessment.decision.level.label,
        escalation_slug=assessment.decision.level.slug,
        escalation_reasons=_escalation_lines(assessment, config),
        plans=facts.plan_sentences,
        contract=clock,
        headline=_headline(partner, assessment),
        counts=_counts(assessment),
        gap_months=_gap_months(assessment),
        strengths=_strengths(assessment, inputs),
        improvements=_improvements(assessment, inputs),
        data_notes=_data_notes(assessment),
        not_clear=any(
            Status.NOT_CLEAR in (item.current.status, *(m.status for m in item.months)) for item in assessment.kpis
        ),
        scorecard=_scorecard(assessment),
        score_chart=_score_chart(assessment, config),
        charts=_charts(assessment),
        failures_12m=len(assessment.failures_12m),
        failures_allowed=assessment.failures_allowed_12m,
        peers_named=_named_peers(portfolio, partner) if internal else (),
        peer_kpis=_peer_kpis(portfolio, assessment, named=internal),
        peer_count=len(_peers_of(portfolio, partner)),
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
        next_steps=_next_steps(assessment, inputs, clock, config, as_of, internal),
        precedence_note=precedence,
        definitions=_definitions(config, partner),
        scoring_rules=_scoring_rules(config),
        files=tuple(files),
        fingerprint=partner_fingerprint(data, partner.id, history_months),
        is_internal=internal,
        breakdown=_breakdown(breakdown, config, partner.id, quarter),
    )
