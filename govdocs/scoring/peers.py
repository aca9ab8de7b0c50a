"""Decide step, peers: what a partner copy may say about its peers without letting one be read.

A partner copy shows, per KPI, where the middle half of its peers lies, and only when at least
`peer_comparison.min_peers` peers (default five) have data for the quarter. The band is not a
statistic of the peers but the whole steps of the KPI's grid around one: its lower edge the
grid line strictly below the peer at the lower quarter, its upper edge the grid line strictly above
the peer at the upper quarter (kept inside the KPI's scale). A reader who knows the rule learns of
each of those two peers only a step-wide interval, and of every other peer a one-sided bound; the
step is ten times the KPI's printed precision, so no peer's value as printed can be derived. The
partner's position is said against the printed edges, so it adds nothing the page does not already
show. No rank: a rank beside the partner's own value tells how many peers lie above a known number.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from govdocs.config.model import Direction, Kpi, Unit

DEFAULT_MIN_PEERS = 5


class Position(StrEnum):
    AHEAD = "ahead"
    WITHIN = "within"
    BEHIND = "behind"
    UNKNOWN = "unknown"  # the partner has no value for the quarter


@dataclass(frozen=True)
class PeerBand:
    """The middle half of the peers with data, widened to whole steps of the KPI's grid."""

    low: float
    high: float
    step: float
    decimals: int  # the edges' printed decimals (one fewer than the KPI's, at least 0)
    peers: int  # peers with data for the quarter


@dataclass(frozen=True)
class PeerBenchmark:
    """One KPI of one partner against its peers: a band and a position, or why there is none."""

    peers: int  # peers with data for the quarter
    min_peers: int
    band: PeerBand | None  # None: fewer than min_peers peers have data
    position: Position

    @property
    def shown(self) -> bool:
        return self.band is not None


def band_step(kpi: Kpi) -> float:
    """Ten times the KPI's printed precision: 1 pp for a percentage printed to 0.1, 10 s for seconds
    printed whole."""
    return 10.0 ** (1 - kpi.decimals)


def kpi_scale(kpi: Kpi) -> tuple[float, float]:
    if kpi.scale is not None:
        return kpi.scale
    return (0.0, 100.0) if kpi.unit is Unit.PERCENT else (0.0, math.inf)


def _grid_below(value: float, step: float) -> float:
    """The grid line strictly below `value` (a value on the grid moves a whole step down)."""
    line = math.floor(round(value / step, 9)) * step
    return line - step if math.isclose(line, value, abs_tol=step * 1e-9) else line


def _grid_above(value: float, step: float) -> float:
    line = math.ceil(round(value / step, 9)) * step
    return line + step if math.isclose(line, value, abs_tol=step * 1e-9) else line


def middle_half(values: list[float]) -> tuple[float, float]:
    """The peers at the lower and upper quarter of the sorted values, by count: the a-th lowest and
    the a-th highest, a = ceil(n / 4), so the band always holds at least half of the peers."""
    ordered = sorted(values)
    a = math.ceil(len(ordered) / 4)
    return ordered[a - 1], ordered[len(ordered) - a]


def peer_band(kpi: Kpi, values: list[float]) -> PeerBand:
    step = band_step(kpi)
    lowest, highest = kpi_scale(kpi)
    lower, upper = middle_half(values)
    low = max(_grid_below(lower, step), lowest)
    high = min(_grid_above(upper, step), highest)
    return PeerBand(round(low, 9), round(high, 9), step, max(kpi.decimals - 1, 0), len(values))


def position(kpi: Kpi, value: float | None, band: PeerBand, printed: float | None) -> Position:
    """Where the partner's value, as printed, lies against the band's printed edges."""
    if value is None or printed is None:
        return Position.UNKNOWN
    above, below = printed > band.high, printed < band.low
    if not (above or below):
        return Position.WITHIN
    better = above if kpi.direction is Direction.HIGHER else below
    return Position.AHEAD if better else Position.BEHIND


def peer_benchmark(kpi: Kpi, value: float | None, peer_values: list[float], min_peers: int) -> PeerBenchmark:
    """The partner copy's comparison of one KPI with the peers that have data for the quarter."""
    if len(peer_values) < min_peers:
        return PeerBenchmark(len(peer_values), min_peers, None, Position.UNKNOWN)
    band = peer_band(kpi, peer_values)
    printed = None if value is None else round(value, kpi.decimals)
    return PeerBenchmark(len(peer_values), min_peers, band, position(kpi, value, band, printed))
