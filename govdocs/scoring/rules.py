"""Score step, the rules: status of a value, quarter aggregation, points, score and tier.

Pure functions over plain values; the brief's rules, one function each, so a property
test can hold each of them to its promise.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from govdocs.config.model import Aggregation, Direction, Kpi, Scoring, ScoringMethod, Tier, Uncertainty
from govdocs.periods import Month
from govdocs.scoring.stats import Clarity, Interval, kpi_interval, status_clarity


class Status(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    NO_DATA = "no_data"
    INSUFFICIENT = "insufficient_sample"
    NOT_CLEAR = "not_clear"  # a proportion whose 95% interval reaches across the target (or, both ways, the floor)

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
    relief: str | None = None  # why a red month is relieved (a client cause): then it is no partner failure

    @property
    def failed(self) -> bool:
        """A red month the partner answers for: red, and not relieved for a client cause."""
        return self.status is Status.RED and self.relief is None


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


def _interval(kpi: Kpi, value: float, volume: float | None) -> Interval | None:
    """The 95% interval of a proportion KPI's value; None when it has none (not a proportion, no sample)."""
    if not kpi.proportion or not volume or volume <= 0:
        return None
    return kpi_interval(value, volume)


def clearly_judged(
    kpi: Kpi,
    value: float,
    volume: float | None,
    target: float | None = None,
    floor: float | None = None,
    uncertainty: Uncertainty = Uncertainty.BOTH_WAYS,
) -> bool:
    """False for a proportion KPI whose 95% Wilson interval reaches across a boundary the rule
    judges: with twelve surveys a CSAT of 75% may well be 85%, so it is neither a pass nor a
    failure. Both ways (the default) a status needs its whole interval inside its band, so a red
    that may be amber is as unclear as a green that may be amber; pass only, just the target."""
    interval = _interval(kpi, value, volume)
    if interval is None:
        return True
    target = kpi.target if target is None else target
    if uncertainty is Uncertainty.PASS_ONLY:
        return status_clarity(interval, target, kpi.direction) is not Clarity.NOT_CLEAR
    floor = kpi.floor if floor is None else floor
    return value_status(kpi, interval.low, target, floor) is value_status(kpi, interval.high, target, floor)


def possible_statuses(kpi: Kpi, value: float, volume: float | None) -> tuple[Status, Status]:
    """The statuses at the worse and the better end of the value's 95% interval (both the
    measured status when it has no interval): what an unclear result may turn out to be."""
    interval = _interval(kpi, value, volume)
    if interval is None:
        status = value_status(kpi, value)
        return status, status
    ends = (interval.low, interval.high) if kpi.direction is Direction.HIGHER else (interval.high, interval.low)
    worse, better = ends
    return value_status(kpi, worse), value_status(kpi, better)


def month_status(
    kpi: Kpi, value: float | None, volume: float | None, uncertainty: Uncertainty = Uncertainty.BOTH_WAYS
) -> Status:
    if value is None:
        return Status.NO_DATA
    if volume is not None and volume < kpi.min_sample:
        return Status.INSUFFICIENT
    if not clearly_judged(kpi, value, volume, uncertainty=uncertainty):
        return Status.NOT_CLEAR
    return value_status(kpi, value)


@dataclass(frozen=True, slots=True)
class QuarterValue:
    value: float | None
    volume: float | None
    months_with_data: int
    status: Status


def quarter_value(
    kpi: Kpi, months: Sequence[MonthResult], uncertainty: Uncertainty = Uncertainty.BOTH_WAYS
) -> QuarterValue:
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
    if scale == 1 and not clearly_judged(kpi, value, total_volume, uncertainty=uncertainty):
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
    tier: Tier | None  # the tier of `value`; a document states `tier_words`, which follows the range
    not_clear_share: float = 0.0  # of which: measured, but too close to the target to call
    # The score's range when the unclear results are counted as whatever their 95% intervals allow
    # (each at its worse end, then each at its better end): a trigger holds only over the whole range.
    # `value` counts them at their measured values, inside those intervals, so low <= value <= high.
    low: float | None = None
    high: float | None = None
    # The tiers the range reaches, lowest first: one when the tier is firm, more when results that
    # are not statistically clear decide it.
    tiers: tuple[Tier, ...] = ()

    @property
    def provisional(self) -> bool:
        """Unclear results could move the score."""
        return self.low != self.value or self.high != self.value

    @property
    def tier_firm(self) -> bool:
        """The whole range lies in one tier: the unclear results cannot change it."""
        return len(self.tiers) <= 1

    @property
    def tier_names(self) -> str:
        """'At risk', or 'At risk or Watch' when the range reaches across a tier boundary."""
        names = [t.name for t in self.tiers] or ([self.tier.name] if self.tier else [])
        if not names:
            return "–"
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]

    @property
    def tier_words(self) -> str:
        """The tier as every document states it: 'At risk or Watch, provisional' when the score's
        range reaches more than one tier (uncertainty that protects a pass protects a failure too)."""
        return self.tier_names if self.tier_firm else f"{self.tier_names}, provisional"

    @property
    def range_words(self) -> str:
        """'56.0–68.0': the range, for a provisional score ('' for a firm one)."""
        if not self.provisional or self.low is None or self.high is None:
            return ""
        return f"{self.low:.1f}–{self.high:.1f}"

    @property
    def no_data_share(self) -> float:
        """Weight without data or with too small a sample: missing, not uncertain."""
        missing = self.unscored_share - self.not_clear_share
        return 0.0 if missing < 1e-9 else missing  # 0.3 - 0.3 is 5.6e-17 in binary fractions


def unclear_points(kpi: Kpi, value: float, volume: float | None, scoring: Scoring) -> tuple[float, float, float]:
    """The least, the measured and the most points an unclear quarter may earn: the points at the
    worse end of its 95% interval, at its measured value and at the better end (points never fall
    as the value improves, so the measured points lie between the other two)."""
    interval = _interval(kpi, value, volume)
    ends = (value,) if interval is None else (interval.low, interval.high)
    earned = [points(kpi, value_status(kpi, end), end, scoring) or 0.0 for end in ends]
    measured = points(kpi, value_status(kpi, value), value, scoring) or 0.0
    least, most = min(earned), max(earned)
    return least, min(max(measured, least), most), most


def _mean(items: Sequence[tuple[float, float]]) -> float:
    return round(math.fsum(w * p for w, p in items) / math.fsum(w for w, _ in items), 1)


def weighted_score(
    items: Sequence[tuple[float, float | None]],
    scoring: Scoring,
    not_clear_weight: float = 0.0,
    unclear: Sequence[tuple[float, float, float, float]] = (),
) -> Score:
    """Weighted mean of (weight, points) over KPIs with data; weights renormalised.
    `not_clear_weight`: the weight of KPIs without points because their result is not clear;
    `unclear`: those KPIs as (weight, least points, measured points, most points).

    One set of inputs for the score and its range: the scored KPIs, and the unclear ones counted at
    their measured value for the score, at the ends of their intervals for the range. Leaving the
    unclear ones out of the score (weights renormalised over the rest) gave a score no outcome of
    theirs could give: BRV's 54.3 beside its range of 56.0-68.0."""
    # fsum: exact sums, so the order KPIs are listed in cannot change the result.
    total = math.fsum(w for w, _ in items)
    scored = [(w, p) for w, p in items if p is not None]
    scored_weight = math.fsum(w for w, _ in scored)
    unscored = 0.0 if total == 0 else 1 - scored_weight / total
    not_clear = 0.0 if total == 0 else min(not_clear_weight / total, unscored)
    counted = [(w, p) for w, p in scored if w]
    ranges = [(w, lo, mid, hi) for w, lo, mid, hi in unclear if w]
    if not counted and not ranges:
        return Score(None, 1.0, True, None, not_clear)
    # Rounded once, here, so the printed score, its range and its tier can never disagree.
    value = _mean(counted + [(w, mid) for w, _, mid, _ in ranges])
    low = _mean(counted + [(w, lo) for w, lo, _, _ in ranges]) if ranges else value
    high = _mean(counted + [(w, hi) for w, _, _, hi in ranges]) if ranges else value
    low, high = min(low, value), max(high, value)  # equal already; held so across rounding too
    tier = tier_for(value, scoring.tiers)
    spanned = tuple(t for t in reversed(scoring.tiers) if _reaches(t, low, high, scoring.tiers))
    return Score(value, unscored, unscored > scoring.incomplete_share, tier, not_clear, low, high, spanned)


def _reaches(tier: Tier, low: float, high: float, tiers: Sequence[Tier]) -> bool:
    """Some score in [low, high] falls in `tier`."""
    return tier_for(low, tiers).min_score <= tier.min_score <= tier_for(high, tiers).min_score


def tier_for(score: float, tiers: Sequence[Tier]) -> Tier:
    """The first tier (highest first) whose minimum the score reaches."""
    for tier in tiers:
        if score >= tier.min_score:
            return tier
    return tiers[-1]
