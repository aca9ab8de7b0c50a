"""The scoring rules, readable: the tests' oracle, one plain function per rule on one value at a time.

Production computes these rules once, in `govdocs.scoring.arrays` (NumPy, the whole portfolio at
once, or one cell through its one-cell entry points); nothing in govdocs/ imports this module. The
tests hold the arrays to it float for float (tests/test_scoring_arrays.py), and hold it to the
brief's worked examples and properties (tests/test_rules.py). A rule is changed in the arrays and
stated again here, so a test compares two statements of it.
"""

from __future__ import annotations

from collections.abc import Sequence

from govdocs.config.model import Aggregation, Direction, Kpi, Scoring, ScoringMethod, Uncertainty
from govdocs.scoring.results import MonthResult, QuarterValue, Score, Status, tier_for, weighted_score
from govdocs.scoring.stats import Clarity, Interval, kpi_interval, status_clarity

__all__ = [
    "MonthResult",
    "QuarterValue",
    "Score",
    "Status",
    "clearly_judged",
    "month_status",
    "points",
    "possible_statuses",
    "quarter_value",
    "tier_for",
    "unclear_points",
    "value_status",
    "weighted_score",
]


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
