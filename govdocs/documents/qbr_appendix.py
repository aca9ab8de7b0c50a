"""Build-context step, QBR: the appendix: peers (named or anonymous), definitions, the scoring
rules and the breakdowns by channel or programme.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median
from typing import TYPE_CHECKING

from govdocs.config.model import Direction, GovernanceConfig, Partner
from govdocs.documents.common import fairness_rules, kpi_text
from govdocs.documents.qbr_follow_up import CONTROLLER_LABEL
from govdocs.periods import Quarter
from govdocs.planning.contract import DEADLINE_RULE
from govdocs.render.formatters import kpi_value, number
from govdocs.scoring.engine import PartnerAssessment
from govdocs.scoring.rules import Status

if TYPE_CHECKING:
    import pandas as pd

MIN_ANONYMOUS_PEERS = 3  # fewer peers with data and a median could reveal one partner's figure


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
class BreakdownRow:
    """A KPI of the quarter per channel or programme, month by month (raw exports with `by:`)."""

    kpi: str  # the KPI's name
    segment_by: str  # "Channel" or "Programme"
    segment: str
    months: tuple[str, ...]  # value and volume per month of the quarter, '–' where there are none
    first: bool  # the KPI's first row (its name is printed once)


def breakdown_rows(
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


def peers_of(portfolio: dict[str, PartnerAssessment], partner: Partner) -> list[PartnerAssessment]:
    """The other partners of the same peer group: chat is not compared with voice."""
    return [a for pid, a in portfolio.items() if pid != partner.id and a.partner.peer_group == partner.peer_group]


def named_peer_rows(portfolio: dict[str, PartnerAssessment], partner: Partner) -> tuple[PeerRow, ...]:
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


def peer_kpi_rows(
    portfolio: dict[str, PartnerAssessment], assessment: PartnerAssessment, named: bool
) -> tuple[PeerKpiRow, ...]:
    """Per KPI: this partner against its peer group's median, and its rank.

    The partner's copy shows only the median and the rank, and only when at least
    MIN_ANONYMOUS_PEERS peers have data: no single peer's figure can be read off it.
    The internal copy adds the best value and who achieved it."""
    rows = []
    peers_all = peers_of(portfolio, assessment.partner)
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


def definition_rows(config: GovernanceConfig, partner: Partner) -> tuple[DefinitionRow, ...]:
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


def scoring_rules(config: GovernanceConfig) -> tuple[str, ...]:
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
        "volume is below the KPI's minimum sample is 'low sample'; a month of a proportion KPI whose result "
        "its sample cannot tell apart (see the rule on uncertain results) is 'not clear'. "
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
        f"contractual KPIs, relieved months left out) accumulate in 12 months or the tier is {ladder.at_risk_tier} "
        f"{ladder.at_risk_quarters} quarters running in any of the quarters the score chart shows.",
        *fairness_rules(config),
        DEADLINE_RULE,
    )
