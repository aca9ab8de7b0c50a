"""Decide step: where the gap is. For each KPI that is red or amber in the quarter, its gap to
target split over the drill-down segments the raw records carry (govdocs/raw/sql/drill.py), and
the few segments that explain most of it -- a fact per partner, computed once per run and read by
the QBR and the plan alike.

The split is the SQL of `drill.GAP_QUERY`, run by DuckDB over the drill-down rows (small: a row
per partner, month, KPI and segment); the rows themselves come from whichever engine read the
records. A segment is printed only when its volume reaches the KPI's minimum sample, it holds at
least a third of the shortfall and at least twice its share of the volume (a segment that misses
only as much as the rest is not where the gap is); at most three per KPI.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import pandas as pd

from govdocs.config.model import ActionDriver, Direction, GovernanceConfig
from govdocs.periods import Quarter
from govdocs.render.formatters import kpi_value, number, percent
from govdocs.scoring.engine import PartnerAssessment
from govdocs.scoring.results import Status

MOST_SEGMENTS = 3  # printed per KPI
MIN_GAP_SHARE = 1 / 3  # of the shortfall
MIN_CONCENTRATION = 2.0  # the segment's share of the shortfall over its share of the volume
SPLIT = (Status.RED, Status.AMBER)

DIMENSION_LABELS = {
    "hour_band": "time of day",
    "weekday": "weekday",
    "queue": "queue",
    "channel": "channel",
    "site": "site",
    "team": "team",
    "tenure": "agent tenure",
}
WEEKDAYS = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")
TENURE_LABELS = {
    "under_90_days": "agents under 90 days in post",
    "90_to_365_days": "agents 90 to 365 days in post",
    "over_365_days": "agents over a year in post",
}


def segment_label(dimension: str, segment: str) -> str:
    """A segment as the documents name it: 08:00–10:00, Mondays, Outages (a queue as the records name it)."""
    if dimension == "hour_band":
        start = int(segment)
        return f"{start:02d}:00–{start + 2:02d}:00"
    if dimension == "weekday":
        return WEEKDAYS[int(segment) - 1]
    if dimension == "tenure":
        return TENURE_LABELS[segment]
    return segment


@dataclass(frozen=True)
class SegmentGap:
    dimension: str
    segment: str  # as the records write it (hour bands: the first hour, weekdays: 1 = Monday)
    volume: float
    share: float  # of the KPI's quarter volume, 0-1
    value: float  # the KPI over the segment's contacts
    contribution: float  # its part of the shortfall, in the KPI's unit (negative: it offsets)

    @property
    def label(self) -> str:
        return segment_label(self.dimension, self.segment)


@dataclass(frozen=True)
class KpiGap:
    """One red or amber KPI's quarter gap and the segments that explain most of it."""

    kpi_id: str
    name: str
    unit: str
    decimals: int
    status: Status
    target: float
    value: float  # the quarter value (volume-weighted over its months)
    shortfall: float  # how far from target, positive (in the KPI's unit)
    dimensions: tuple[str, ...]  # the dimensions the records carry
    split: Mapping[str, tuple[SegmentGap, ...]]  # every segment of every dimension: each adds up to shortfall
    segments: tuple[SegmentGap, ...]  # the printed ones, most of the gap first
    min_sample: float = 0.0  # the KPI's: a month of a segment below it is too small to say
    # the printed segments' value and volume in every month the records hold ("2026-10": (value, volume))
    monthly: Mapping[tuple[str, str], Mapping[str, tuple[float, float]]] = field(default_factory=dict)

    @property
    def explained(self) -> bool:
        return bool(self.segments)


def _targets(config: GovernanceConfig, assessments: Mapping[str, PartnerAssessment], kpis: set[str]) -> pd.DataFrame:
    rows = []
    for pid, assessment in assessments.items():
        quarter: Quarter = assessment.quarter
        months = quarter.months
        for k in assessment.kpis:
            if k.kpi.id not in kpis or k.current.status not in SPLIT:
                continue
            sign = 1 if k.kpi.direction is Direction.HIGHER else -1
            rows.append((pid, k.kpi.id, float(k.kpi.target), sign, str(months[0]), str(months[-1])))
    return pd.DataFrame(rows, columns=["partner", "kpi", "target", "sign", "first_period", "last_period"])


def split_gaps(drill: pd.DataFrame, targets: pd.DataFrame, scales: Mapping[str, float]) -> pd.DataFrame:
    """The decomposition table (drill.GAP_QUERY) on the local engine (DuckDB, through the engine
    interface): a row per partner, KPI, dimension and segment."""
    from govdocs.raw.engines.duck import DuckEngine
    from govdocs.raw.sql.drill import GAP_QUERY

    targets = targets.assign(scale=[float(scales[k]) for k in targets["kpi"]])
    con = DuckEngine.open()
    try:
        con.view("gap_drill", drill)
        con.view("gap_targets", targets)
        return con.execute(GAP_QUERY).df()
    finally:
        con.close()


def partner_gaps(
    config: GovernanceConfig,
    assessments: Mapping[str, PartnerAssessment],
    drill: pd.DataFrame | None,
    scales: Mapping[str, float] | None = None,
) -> dict[str, tuple[KpiGap, ...]]:
    """Each partner's red and amber KPIs split by segment (partners without any: no entry)."""
    if drill is None or drill.empty:
        return {}
    scales = scales if scales is not None else scale_of(drill)
    targets = _targets(config, assessments, set(drill["kpi"]))
    if targets.empty:
        return {}
    table = split_gaps(drill, targets, scales)
    out: dict[str, tuple[KpiGap, ...]] = {}
    for pid, assessment in assessments.items():
        mine = table[table["partner"] == pid]
        gaps = []
        for k in assessment.kpis:
            rows = mine[mine["kpi"] == k.kpi.id]
            if rows.empty or k.current.value is None:
                continue
            gap = _kpi_gap(k, rows)
            if gap is not None:
                gaps.append(replace(gap, monthly=_monthly(drill, pid, gap)))
        if gaps:
            out[pid] = tuple(gaps)
    return out


def _monthly(drill: pd.DataFrame, partner: str, gap: KpiGap) -> dict[tuple[str, str], dict[str, tuple[float, float]]]:
    """The printed segments' value and volume month by month, over every month of the records
    (the plan's check-ins report the months after the quarter)."""
    mine = drill[(drill["partner"] == partner) & (drill["kpi"] == gap.kpi_id)]
    out = {}
    for s in gap.segments:
        rows = mine[(mine["dimension"] == s.dimension) & (mine["segment"] == s.segment)]
        out[(s.dimension, s.segment)] = {
            str(r.period): (float(r.scale) * float(r.numerator) / float(r.volume), float(r.volume))
            for r in rows.itertuples()
            if float(r.volume) > 0
        }
    return out


def scale_of(drill: pd.DataFrame) -> dict[str, float]:
    return {str(k): float(s) for k, s in zip(drill["kpi"], drill["scale"], strict=True)} if "scale" in drill else {}


def _kpi_gap(k, rows: pd.DataFrame) -> KpiGap | None:
    whole = float(rows["whole_value"].iloc[0])
    # the documents' quarter value must be the one split (a KPI table row would differ): else no split
    if abs(whole - k.current.value) > 1e-6 * max(1.0, abs(whole)):
        return None
    shortfall = float(rows["shortfall"].iloc[0])
    if shortfall <= 0:
        return None
    split: dict[str, tuple[SegmentGap, ...]] = {}
    for dimension, group in rows.groupby("dimension", sort=False):
        split[str(dimension)] = tuple(
            SegmentGap(
                str(dimension),
                None if pd.isna(r.segment) else str(r.segment),  # type: ignore[arg-type]
                float(r.volume),
                float(r.share),
                float(r.value),
                float(r.contribution),
            )
            for r in group.itertuples()
        )
    dims = tuple(d for d in DIMENSION_LABELS if d in split)
    return KpiGap(
        kpi_id=k.kpi.id,
        name=k.kpi.name,
        unit=k.kpi.unit.value,
        decimals=k.kpi.decimals,
        status=k.current.status,
        target=float(k.kpi.target),
        value=whole,
        shortfall=shortfall,
        dimensions=dims,
        split=split,
        segments=explaining(split, shortfall, k.kpi.min_sample),
        min_sample=float(k.kpi.min_sample),
    )


def explaining(
    split: Mapping[str, Sequence[SegmentGap]], shortfall: float, min_sample: float
) -> tuple[SegmentGap, ...]:
    """The segments that explain most of the shortfall: enough volume to say, a third of the gap
    or more, and over-represented in it; most of the gap first, at most MOST_SEGMENTS."""
    found = [
        s
        for dimension, segments in split.items()
        if len(segments) > 1
        for s in segments
        if s.segment is not None
        and s.volume >= min_sample
        and s.contribution >= MIN_GAP_SHARE * shortfall
        and s.contribution / shortfall >= MIN_CONCENTRATION * s.share
    ]
    found.sort(key=lambda s: (-s.contribution, s.dimension, s.segment))
    return tuple(found[:MOST_SEGMENTS])


def _listed(names) -> str:
    """'a', 'a and b', 'a, b and c'."""
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


# --- the documents' view ----------------------------------------------------------------------


@dataclass(frozen=True)
class GapLine:
    kpi: str
    headline: str  # "Service level: 5.9 points short of the 80.0% target (74.1%)."
    segments: tuple[str, ...]  # one sentence per printed segment
    rest: str  # what the printed segments leave, or why none is printed


@dataclass(frozen=True)
class GapView:
    lines: tuple[GapLine, ...]
    method: str  # how the split is made, in one sentence
    dimensions: str  # the dimensions the records carry, listed


def _short(unit: str) -> str:
    return "points" if unit == "percent" else {"seconds": "s", "minutes": "min"}.get(unit, "")


def _amount(value: float, unit: str, decimals: int) -> str:
    """A part of a gap: 3.5 points, 4.0 s."""
    return f"{number(value, decimals)} {_short(unit)}".strip()


def gap_view(gaps: Sequence[KpiGap]) -> GapView | None:
    """The "Where the gap is" block; None when no KPI is red or amber with records to split."""
    if not gaps:
        return None
    lines = []
    dims: list[str] = []
    for g in gaps:
        dims += [d for d in g.dimensions if d not in dims]
    spread = [g for g in gaps if not g.segments]
    for g in gaps:
        if not g.segments:
            continue
        headline = (
            f"{g.name} {kpi_value(g.value, g.unit, g.decimals)} against {kpi_value(g.target, g.unit, g.decimals)}, "
            # lower is better (handle time, abandonment): the value is over the target, not short of it
            f"{_amount(g.shortfall, g.unit, g.decimals)} {'short' if g.value < g.target else 'over'}:"
        )
        sentences = tuple(
            f"{s.label} ({DIMENSION_LABELS[s.dimension]}), {percent(s.share)} of the contacts at "
            f"{kpi_value(s.value, g.unit, g.decimals)}, holds {_amount(s.contribution, g.unit, g.decimals)} "
            f"({percent(s.contribution / g.shortfall)})"
            for s in g.segments
        )
        lines.append(GapLine(g.name, headline, sentences, ""))
    if spread:  # nothing to say about these: one line for them all
        cuts = [DIMENSION_LABELS[d] for d in dims if any(d in g.dimensions for g in spread)]
        listed = cuts[0] if len(cuts) == 1 else ", ".join(cuts[:-1]) + " or " + cuts[-1]
        lines.append(
            GapLine(
                _listed(g.name for g in spread),
                _listed(g.name for g in spread) + ":",
                (),
                f"the gap is spread across the contacts; no {listed} holds a disproportionate part of it",
            )
        )
    method = (
        "each segment's part of the gap is its share of the quarter's contacts × (its value − target); over the "
        "segments of one cut these parts add up exactly to the whole gap. A segment is named only when it holds "
        "at least a third of the gap, at least twice its share of the contacts, and reaches the KPI's minimum "
        "sample."
    )
    return GapView(tuple(lines), method, ", ".join(DIMENSION_LABELS[d] for d in dims))


# --- actions aimed at where the gap is (the plan) ---------------------------------------------


def segment_phrase(dimension: str, segment: str) -> str:
    """Where a measure is taken, after the KPI's name: 'in the 08:00–10:00 interval', 'on Mondays'."""
    label = segment_label(dimension, segment)
    return {
        "hour_band": f"in the {label} interval",
        "weekday": f"on {label}",
        "queue": f"in the {label} queue",
        "channel": f"in the {label} channel",
        "site": f"at site {label}",
        "team": f"in team {label}",
        "tenure": f"for {label}",
    }[dimension]


@dataclass(frozen=True)
class ActionDriverLike:
    """What the aiming reads of a plan's action: its id, the KPI it serves and its driver."""

    ref: str
    kpi_id: str
    driver: ActionDriver | None


@dataclass(frozen=True)
class SegmentAim:
    """An action aimed at a segment where its KPI's gap is: from the segment's value in the
    quarter to the plan's target for the KPI by the final review."""

    ref: str
    gap: KpiGap
    segment: SegmentGap
    goal: float  # the plan's target for the KPI: a segment at it adds nothing to the gap

    @property
    def measure(self) -> str:
        """'Service level in the 08:00–10:00 interval from 58.2% to 80.0%'."""
        g = self.gap
        return (
            f"{g.name} {segment_phrase(self.segment.dimension, self.segment.segment)} from "
            f"{kpi_value(self.segment.value, g.unit, g.decimals)} to {kpi_value(self.goal, g.unit, g.decimals)}"
        )


@dataclass(frozen=True)
class Unaddressed:
    """A segment where a KPI's gap is concentrated that no action of the plan is aimed at."""

    gap: KpiGap
    segment: SegmentGap
    driver: ActionDriver

    @property
    def text(self) -> str:
        g, s = self.gap, self.segment
        return (
            f"{g.name}: {s.label} ({DIMENSION_LABELS[s.dimension]}) holds {percent(s.contribution / g.shortfall)} "
            f"of the gap, and no action of the plan addresses {self.driver.label} (driver: {self.driver.value})"
        )


def driver_of(dimension: str) -> ActionDriver:
    return next(d for d in ActionDriver if dimension in d.dimensions)


def aim_actions(
    gaps: Sequence[KpiGap], actions: Sequence[ActionDriverLike], goals: Mapping[str, float]
) -> tuple[tuple[SegmentAim, ...], tuple[Unaddressed, ...]]:
    """Each action with a driver aimed at every printed segment of its KPI's gap in its driver's
    dimensions (in the order of the actions, then of the segments); and the printed segments no
    action is aimed at. `goals`: the plan's target per KPI id (only the plan's KPIs are aimed)."""
    aims = []
    for action in actions:
        gap = next((g for g in gaps if g.kpi_id == action.kpi_id and g.kpi_id in goals), None)
        if gap is None or action.driver is None:
            continue
        aims += [
            SegmentAim(action.ref, gap, s, goals[gap.kpi_id])
            for s in gap.segments
            if s.dimension in action.driver.dimensions
        ]
    aimed = {(a.gap.kpi_id, a.segment.dimension, a.segment.segment) for a in aims}
    unaddressed = tuple(
        Unaddressed(g, s, driver_of(s.dimension))
        for g in gaps
        if g.kpi_id in goals
        for s in g.segments
        if (g.kpi_id, s.dimension, s.segment) not in aimed
    )
    return tuple(aims), unaddressed
