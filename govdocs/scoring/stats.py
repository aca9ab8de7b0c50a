"""Score step, statistics: how sure a proportion from a sample is (Wilson score interval).

A CSAT of 75% from twelve surveys (9 of 12) says little: its 95% interval runs from 47% to 91%.
`status_clarity` tells whether the status against a target is statistically clear (the whole
interval lies on one side of the target) or not, so no partner is put on a plan because of
twelve surveys.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from statistics import NormalDist
from typing import Any

from govdocs.config.model import Direction


@dataclass(frozen=True)
class Interval:
    """A proportion and its confidence interval, in the unit asked for (1 = share, 100 = percent)."""

    estimate: float
    low: float
    high: float
    successes: float
    n: float
    confidence: float


def z_score(confidence: float) -> float:
    """The normal quantile of a two-sided confidence level (1.96 for 95%)."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence {confidence} must be between 0 and 1")
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def wilson_interval(successes: float, n: float, confidence: float = 0.95, scale: float = 1.0) -> Interval:
    """Wilson score interval (no continuity correction) for `successes` out of `n`.

    centre = (p + z^2/2n) / (1 + z^2/n); half-width = z / (1 + z^2/n) * sqrt(p(1-p)/n + z^2/4n^2)."""
    if n <= 0:
        raise ValueError("a proportion needs a sample (n > 0)")
    if not 0 <= successes <= n:
        raise ValueError(f"successes {successes} must be between 0 and n = {n}")
    low, high = wilson_bounds(successes, n, z_score(confidence), math.sqrt)
    return Interval(successes / n * scale, max(0.0, low) * scale, min(1.0, high) * scale, successes, n, confidence)


def wilson_bounds(successes: Any, n: Any, z: float, sqrt: Callable[[Any], Any]) -> tuple[Any, Any]:
    """The Wilson interval's ends as shares, before they are held to [0, 1]: one formula for one
    value (math.sqrt) and for a portfolio's arrays (numpy.sqrt, in govdocs.scoring.arrays), so
    the two give the same floats."""
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z / denominator * sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return centre - half, centre + half


def kpi_interval(value_percent: float, volume: float, confidence: float = 0.95) -> Interval:
    """The interval of a percentage KPI row (value 0-100, volume = its sample size), in percent."""
    successes = min(max(value_percent / 100 * volume, 0.0), volume)
    return wilson_interval(successes, volume, confidence, scale=100.0)


class Clarity(StrEnum):
    CLEARLY_MET = "clearly_met"  # the whole interval meets the target
    CLEARLY_MISSED = "clearly_missed"  # the whole interval misses it
    NOT_CLEAR = "not_clear"  # the interval straddles the target: the status is not statistically clear


def status_clarity(interval: Interval, target: float, direction: Direction | str) -> Clarity:
    """Whether the status against `target` (same unit as the interval) is statistically clear.

    The target is met at equality, as in the status rule (green when value >= target, or <= for
    lower-is-better)."""
    if Direction(direction) is Direction.HIGHER:
        if interval.low >= target:
            return Clarity.CLEARLY_MET
        if interval.high < target:
            return Clarity.CLEARLY_MISSED
        return Clarity.NOT_CLEAR
    if interval.high <= target:
        return Clarity.CLEARLY_MET
    if interval.low > target:
        return Clarity.CLEARLY_MISSED
    return Clarity.NOT_CLEAR
