"""Score step, the rules: status of a value, quarter aggregation, points, score and tier.

Pure functions over plain values; the brief's rules, one function each, so a property
test can hold each of them to its promise.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from govdocs.config.model import Aggregation, Direction, Kpi, Scoring, ScoringMethod, Tier
from govdocs.periods import Month
from govdocs.scoring.stats import Clarity, kpi_interval, status_clarity


class Status(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    NO_DATA = "no_data"
    INSUFFICIENT = "insufficient_sample"
    NOT_CLEAR = "not_clear"  # a proportion whose 95% interval reaches across the target

    @property
    def scored(self) -> bool:
        """Only green/amber/red count as a pass or a failure."""
        return self in (Status.GREEN, Status.AMBER, Status.RED)


@dataclass(frozen=True, slots=True)  # millions of them in a large portfolio
class MonthResult:
    month: Month
    value: float | None
    volume: float | None
    status: Status
    source: str | None = None


def _meets(direction: Direction, value: float, threshold: float) -> bool:
    return value >= threshold if direction is Direction.HIGHER else value <= threshold


def value_status(kpi: Kpi, value: float, target: float | None = None, floor: float | None = None) -> Status:
    """Green at or beyond target, amber between floor and target, red beyond the floor."""
    target = kpi.target if target is None else target
    floor = kpi.floor if floor is None else floor
    if _meets(kpi.direction, value, target):
        return Status.GREEN
    if floor is not None and _meets(kpi.direction, value, floor):
        return Status.AMBER
    return Status.RED


def clearly_judged(kpi: Kpi, value: float, volume: float | None, target: float | None = None) -> bool:
    """False for a proportion KPI whose 95% Wilson interval reaches across the target: with twelve
    surveys a CSAT of 75% may well be 85%, so it is neither a pass nor a failure."""
    if not kpi.proportion or not volume or volume <= 0:
        return True
    interval = kpi_interval(value, volume)
    return status_clarity(interval, kpi.target if target is None else target, kpi.direction) is not Clarity.NOT_CLEAR


def month_status(kpi: Kpi, value: float | None, volume: float | None) -> Status:
    if value is None:
        return Status.NO_DATA
    if volume is not None and volume < kpi.min_sample:
        return Status.INSUFFICIENT
    if not clearly_judged(kpi, value, volume):
        return Status.NOT_CLEAR
    return value_status(kpi, value)


@dataclass(frozen=True, slots=True)
class QuarterValue:
    value: float | None
    volume: float | None
    months_with_data: int
    status: Status


def quarter_value(kpi: Kpi, months: Sequence[MonthResult]) -> QuarterValue:
    """Aggregate the quarter's months per the KPI's rule and judge the result.

    Months with data count even when their own sample is small: pooled, their volume
    weighs them. The quarter is insufficient only when the pooled volume is below the
    minimum. With `sum` the target applies per month, so the quarter compares against
    target x months with data.
    """
    present = [m for m in months if m.value is not None]
    if not present:
        return QuarterValue(None, None, 0, Status.NO_DATA)
    values = [m.value for m in present if m.value is not None]
    volumes = [m.volume for m in present]
    known_volumes = [v for v in volumes if v is not None]
    total_volume = sum(known_volumes) if len(known_volumes) == len(volumes) else None
    match kpi.aggregation:
        case Aggregation.SUM:
            value = sum(values)
        case Aggregation.LAST:
            value = values[-1]
        case Aggregation.WEIGHTED_MEAN if total_volume:
            value = sum(v * w for v, w in zip(values, known_volumes, strict=True)) / total_volume
        case _:
            value = sum(values) / len(values)
    if total_volume is not None and total_volume < kpi.min_sample:
        return QuarterValue(value, total_volume, len(present), Status.INSUFFICIENT)
    scale = len(present) if kpi.aggregation is Aggregation.SUM else 1
    if scale == 1 and not clearly_judged(kpi, value, total_volume):
        return QuarterValue(value, total_volume, len(present), Status.NOT_CLEAR)
    floor = None if kpi.floor is None else kpi.floor * scale
    status = value_status(kpi, value, kpi.target * scale, floor)
    return QuarterValue(value, total_volume, len(present), status)


def points(kpi: Kpi, status: Status, value: float | None, scoring: Scoring, scale: int = 1) -> float | None:
    """Points a quarter status earns; None when the KPI is not scored (no data / small sample)."""
    if not status.scored:
        return None
    pts = scoring.points
    if status is Status.GREEN:
        return pts.green
    if status is Status.RED:
        return pts.red
    if scoring.method is ScoringMethod.LINEAR and kpi.floor is not None and value is not None:
        target, floor = kpi.target * scale, kpi.floor * scale
        share = (value - floor) / (target - floor)
        return pts.amber + (pts.green - pts.amber) * min(max(share, 0.0), 1.0)
    return pts.amber


@dataclass(frozen=True)
class Score:
    value: float | None  # 0-100, None when no KPI has data
    unscored_share: float  # share of total weight without a scored status, for any reason
    incomplete: bool  # the unscored share is above the configured limit
    tier: Tier | None
    not_clear_share: float = 0.0  # of which: measured, but too close to the target to call

    @property
    def no_data_share(self) -> float:
        """Weight without data or with too small a sample: missing, not uncertain."""
        missing = self.unscored_share - self.not_clear_share
        return 0.0 if missing < 1e-9 else missing  # 0.3 - 0.3 is 5.6e-17 in binary fractions


def weighted_score(
    items: Sequence[tuple[float, float | None]], scoring: Scoring, not_clear_weight: float = 0.0
) -> Score:
    """Weighted mean of (weight, points) over KPIs with points; weights renormalised.
    `not_clear_weight`: the weight of KPIs without points because their result is not clear."""
    # fsum: exact sums, so the order KPIs are listed in cannot change the result.
    total = math.fsum(w for w, _ in items)
    scored = [(w, p) for w, p in items if p is not None]
    scored_weight = math.fsum(w for w, _ in scored)
    unscored = 0.0 if total == 0 else 1 - scored_weight / total
    not_clear = 0.0 if total == 0 else min(not_clear_weight / total, unscored)
    if not scored or scored_weight == 0:
        return Score(None, 1.0, True, None, not_clear)
    # Rounded once, here, so the printed score and its tier can never disagree.
    value = round(math.fsum(w * p for w, p in scored) / scored_weight, 1)
    return Score(value, unscored, unscored > scoring.incomplete_share, tier_for(value, scoring.tiers), not_clear)


def tier_for(score: float, tiers: Sequence[Tier]) -> Tier:
    """The first tier (highest first) whose minimum the score reaches."""
    for tier in tiers:
        if score >= tier.min_score:
            return tier
    return tiers[-1]
