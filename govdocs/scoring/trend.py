"""Score step, trends: which way a KPI moved over the reviewed quarters, judged once.

A straight line fitted over the quarters' values gives the change a quarter. It is *flat* when
that change is less than a tenth of the KPI's amber band a quarter (5% of the target without a
floor), the same size the QBR calls noise in a quarter's change. For a proportion with samples,
a direction is only stated when the first and the last quarters' 95% intervals are apart in that
direction; otherwise the move is within the noise of its samples and the trend is *not clear*.
Every document (QBR, plan, offboarding assessment, portfolio summary) reads this one fact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from govdocs.config.model import Direction, Kpi
from govdocs.periods import Quarter
from govdocs.scoring.results import QuarterValue
from govdocs.scoring.stats import kpi_interval


class TrendWord(StrEnum):
    IMPROVING = "improving"
    DECLINING = "declining"
    FLAT = "flat"
    NOT_CLEAR = "not clear"
    TOO_SHORT = "too short"  # fewer than two quarters with a value


@dataclass(frozen=True)
class Trend:
    quarters: tuple[tuple[Quarter, float | None], ...]  # oldest first
    slope: float | None  # the KPI's units a quarter, least squares; None with fewer than two values
    word: TrendWord
    flat_below: float  # a fitted change smaller than this a quarter is flat
    noise: str = ""  # the interval test in words, for a proportion

    @property
    def fitted(self) -> int:
        return sum(1 for _, v in self.quarters if v is not None)


def slope(values: Sequence[float | None]) -> float | None:
    """Least-squares change per step over the known values (None when fewer than two)."""
    points = [(i, v) for i, v in enumerate(values) if v is not None]
    if len(points) < 2:
        return None
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread


def flat_below(kpi: Kpi) -> float:
    band = abs(kpi.target - kpi.floor) if kpi.floor is not None else abs(kpi.target) * 0.05
    return band * 0.1 or 10**-kpi.decimals


def kpi_trend(kpi: Kpi, values: Sequence[tuple[Quarter, QuarterValue]]) -> Trend:
    """The KPI's trend over these quarters (oldest first)."""
    quarters = tuple((q, v.value) for q, v in values)
    change, flat = slope([v for _, v in quarters]), flat_below(kpi)
    if change is None:
        return Trend(quarters, None, TrendWord.TOO_SHORT, flat)
    if abs(change) < flat:
        return Trend(quarters, change, TrendWord.FLAT, flat)
    better = (change > 0) == (kpi.direction is Direction.HIGHER)
    word = TrendWord.IMPROVING if better else TrendWord.DECLINING
    known = [(q, v) for q, v in values if v.value is not None]
    (first_q, first), (last_q, last) = known[0], known[-1]
    if not (kpi.proportion and first.volume and last.volume):
        return Trend(quarters, change, word, flat)
    before, after = kpi_interval(first.value, first.volume), kpi_interval(last.value, last.volume)  # type: ignore[arg-type]
    apart = after.low > before.high if change > 0 else after.high < before.low
    noise = (
        f"95% intervals {before.low:.1f}–{before.high:.1f} in {first_q.label} and "
        f"{after.low:.1f}–{after.high:.1f} in {last_q.label} {'apart' if apart else 'overlap'}"
    )
    return Trend(quarters, change, word if apart else TrendWord.NOT_CLEAR, flat, noise)
