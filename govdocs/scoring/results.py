"""Score step, what the scorer returns: a month's and a quarter's result with its status, and the
partner's score, with the one rule that weighs KPI points into a score and places it in a tier.

The per-KPI rules (a value's status, a month's, a quarter's value, points) are computed in one
place, `govdocs.scoring.arrays`, on the whole portfolio at once or on one cell; the readable
one-value-at-a-time statement of them is the tests' oracle (tests/rules_oracle.py), held equal
to the arrays float for float. The weighting below has one implementation only: this one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from govdocs.config.model import Scoring, Tier
from govdocs.periods import Month


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


@dataclass(frozen=True, slots=True)
class QuarterValue:
    value: float | None
    volume: float | None
    months_with_data: int
    status: Status


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
