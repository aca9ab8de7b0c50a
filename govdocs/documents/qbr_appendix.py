"""Build-context step, QBR: the appendix: peers (named or anonymous), definitions, the scoring
rules and the breakdowns by channel or programme.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median
from typing import TYPE_CHECKING

from govdocs.config.model import Direction, GovernanceConfig, Kpi, Partner
from govdocs.documents.common import fairness_rules, kpi_text, score_words, target_source_text
from govdocs.documents.qbr_follow_up import CONTROLLER_LABEL
from govdocs.facts import join_names
from govdocs.periods import Quarter
from govdocs.planning.calendar import data_rule
from govdocs.planning.contract import DEADLINE_RULE
from govdocs.render.formatters import kpi_value, number, signed
from govdocs.scoring.engine import KpiQuarter, PartnerAssessment
from govdocs.scoring.peers import PeerBand, Position, band_step, peer_benchmark
from govdocs.scoring.standing import kpi_sets

if TYPE_CHECKING:
    import pandas as pd


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
    """One KPI against the peer group. The partner copy fills `band` and `position` (or says in
    `band` why there is no figure); the internal copy fills the median, best and rank."""

    name: str
    value: str
    status: str
    peers: int  # peers with data for the quarter
    band: str = ""  # partner copy: '72–79%', or why no band is shown
    position: str = ""  # partner copy: 'Ahead of the middle half' ...
    shown: bool = False  # partner copy: a band is shown
    peer_median: str = ""  # internal audience only
    rank: str = ""  # internal audience only
    peer_best: str = ""  # internal audience only
    best_name: str = ""  # internal audience only


POSITION_WORDS = {
    Position.AHEAD: "Ahead of the middle half",
    Position.WITHIN: "Within the middle half",
    Position.BEHIND: "Behind the middle half",
    Position.UNKNOWN: "–",
}


def band_text(kpi: Kpi, band: PeerBand) -> str:
    """'72–79%', '30–50 s': the band's edges at the grid's own precision."""
    suffix = kpi_value(0, kpi.unit.value, 0)[1:]
    return f"{number(band.low, band.decimals)}–{number(band.high, band.decimals)}{suffix}"


UNIT_PLURAL = {
    "percent": "percentages",
    "seconds": "times in seconds",
    "minutes": "times in minutes",
    "score": "scores",
    "count": "counts",
    "ratio": "ratios",
}


def step_text(kpi: Kpi) -> str:
    """A band step as a change is printed: '1 pp', '10 s', '1'."""
    step = band_step(kpi)
    return signed(step, kpi.unit.value, max(kpi.decimals - 1, 0)).lstrip("+")


def peer_rule(config: GovernanceConfig) -> str:
    """The rule, as the partner copy states it, with the steps of the catalogue's own KPIs."""
    by_unit: dict[str, dict[str, list[str]]] = {}
    for kpi in config.kpis:
        by_unit.setdefault(kpi.unit.value, {}).setdefault(step_text(kpi), []).append(kpi.name)
    steps = [
        f"{step} for {UNIT_PLURAL[unit] if len(found) == 1 else join_names(names)}"
        for unit, found in by_unit.items()
        for step, names in found.items()
    ]
    return (
        f"Where at least {config.peer_comparison.min_peers} peers have data for a KPI, the band shows where the "
        f"middle half of them lies, widened outward to whole steps of {join_names(steps)}; the position is read "
        "against the band's printed edges. No peer's figure, and no rank, can be read from this page. With fewer "
        "peers no figure is shown."
    )


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
                score=score_words(other.score),
                tier=other.score.tier_words,
                escalation=other.decision.level.label,
                green=len(kpi_sets(other).met),
                amber=len(kpi_sets(other).below_target),
                red=len(kpi_sets(other).below_floor),
                failures_12m=len(other.failures_12m),
            )
        )
    return tuple(rows)


def peer_values(peers: list[PartnerAssessment], index: int) -> list[tuple[str, float]]:
    """The peers with data for the quarter on the KPI at `index`: (name, quarter value)."""
    return [(p.partner.name, v) for p in peers if (v := p.kpis[index].current.value) is not None]


def peer_kpi_rows(
    portfolio: dict[str, PartnerAssessment], assessment: PartnerAssessment, named: bool, min_peers: int
) -> tuple[PeerKpiRow, ...]:
    """Per KPI: this partner against its peer group.

    The partner's copy shows the band the middle half of the peers lies in and the partner's
    position against it, only when at least `min_peers` peers have data (govdocs.scoring.peers);
    the internal copy shows the median, the rank, the best value and who achieved it."""
    peers_all = peers_of(portfolio, assessment.partner)
    rows = []
    for index, item in enumerate(assessment.kpis):
        peers = peer_values(peers_all, index)
        rows.append(_named_row(item.kpi, item, peers) if named else _anonymous_row(item.kpi, item, peers, min_peers))
    return tuple(rows)


def _anonymous_row(kpi: Kpi, item: KpiQuarter, peers: list[tuple[str, float]], min_peers: int) -> PeerKpiRow:
    value = item.current.value
    benchmark = peer_benchmark(kpi, value, [v for _, v in peers], min_peers)
    if benchmark.band is None:
        why = f"not shown (fewer than {min_peers})"
        return PeerKpiRow(kpi.name, kpi_text(kpi, value), item.current.status.value, benchmark.peers, why, "–")
    return PeerKpiRow(
        kpi.name,
        kpi_text(kpi, value),
        item.current.status.value,
        benchmark.peers,
        band_text(kpi, benchmark.band),
        POSITION_WORDS[benchmark.position],
        shown=True,
    )


def no_peer_figure(rows: tuple[PeerKpiRow, ...], min_peers: int) -> str:
    """Why a partner copy shows no peer figure at all, with the rule, in plain sentences."""
    most = max((r.peers for r in rows), default=0)
    rule = (
        f"Peer figures are shown only where at least {min_peers} peers have data for a KPI, and then only as a "
        "band from which no peer's figure can be read. No peer figure is shown this quarter: "
    )
    if most == 0:
        return rule + "no other partner of the peer group has data for the quarter."
    return rule + (
        f"at most {most} other partner{'s' if most != 1 else ''} of the peer group "
        f"{'have' if most != 1 else 'has'} data for any KPI, fewer than the {min_peers} needed."
    )


def _named_row(kpi: Kpi, item: KpiQuarter, peers: list[tuple[str, float]]) -> PeerKpiRow:
    value = item.current.value
    if not peers:
        return PeerKpiRow(kpi.name, kpi_text(kpi, value), item.current.status.value, 0, peer_median="no peer data")
    higher = kpi.direction is Direction.HIGHER
    values = [v for _, v in peers]
    rank = "–"
    if value is not None:
        better = sum(1 for v in values if (v > value if higher else v < value))
        rank = f"{better + 1} of {len(values) + 1}"
    best_name, best = (max if higher else min)(peers, key=lambda p: p[1])
    return PeerKpiRow(
        kpi.name,
        kpi_text(kpi, value),
        item.current.status.value,
        len(values),
        peer_median=kpi_text(kpi, median(values)),
        rank=rank,
        peer_best=kpi_text(kpi, best),
        best_name=best_name,
    )


def definition_rows(config: GovernanceConfig, partner: Partner, internal: bool = True) -> tuple[DefinitionRow, ...]:
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
                target_source=target_source_text(kpi, config.client.name, internal),
                overridden=base.id in partner.targets,
            )
        )
    return tuple(rows)


def _total_weight(config: GovernanceConfig) -> str:
    import math

    return f"{math.fsum(k.weight for k in config.kpis):g}"


def weight_scaling(config: GovernanceConfig) -> str | None:
    """How weights that do not add up to 100 are counted, in words (None when they do): said by
    the method appendix and by `validate`."""
    import math

    total = math.fsum(k.weight for k in config.kpis)
    if not config.kpis or math.isclose(total, 100, abs_tol=1e-9):
        return None
    first = config.kpis[0]
    return (
        f"each weight is scaled by 100/{total:g}, so that they add up to 100 ({first.name}'s {first.weight:g} "
        f"counts as {first.weight * 100 / total:.1f})"
    )


def scoring_rules(config: GovernanceConfig) -> tuple[str, ...]:
    pts = config.scoring.points
    ladder = config.escalation
    tiers = ", ".join(f"{t.name} ≥ {t.min_score:g}" for t in config.scoring.tiers)
    scaled = weight_scaling(config)
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
        method + " The score is the weighted mean of the KPIs' points, their weights scaled up to 100% over the "
        "KPIs with a quarter value (a KPI without data, or with a sample below its minimum, is left out). A KPI "
        "whose quarter is too close to call (its 95% interval reaches across the target or the floor) counts "
        "at the points of its measured value in the "
        "score, and at the points of both ends of its interval in the score's range: such a score is "
        "provisional, printed with its range, and its tier is every tier the range reaches. "
        f"When more than {config.scoring.incomplete_share * 100:.0f}% of the weight has no scored quarter, the "
        "score is marked incomplete if part of that weight is without data or with too small a sample, and is "
        "provisional (as above) if all of it is too close to call; the cover says which. "
        f"Tiers: {tiers}."
        + (f" The weights in the config add up to {_total_weight(config)}: {scaled}." if scaled else ""),
        f"Escalation: watch when any KPI is red in the quarter; improvement plan when a KPI the partner "
        f"controls or shares is red {ladder.consecutive_red_for_pip} months running or the score is below "
        f"{ladder.pip_score_below:g}; offboarding review when {ladder.failures_allowed_12m} failures (red months of "
        f"contractual KPIs, relieved months left out) accumulate in 12 months or the tier is {ladder.at_risk_tier} "
        f"{ladder.at_risk_quarters} quarters running in any of the quarters the score chart shows.",
        *fairness_rules(config),
        DEADLINE_RULE,
        data_rule(config.pip.data_lag_business_days),
    )
