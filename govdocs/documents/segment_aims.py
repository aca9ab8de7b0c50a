"""Build-context step, PIP: the plan's actions aimed at where the gap is.

An action of the plan whose driver (config `action_library[].driver`, or a proposal's) matches a
segment the records show the gap concentrated in (govdocs/gaps.py) is aimed at that segment, with
a measure on it: from the segment's value in the quarter to the plan's target for the KPI by the
final review. Each check-in reports the segment's value over the month it reviews, once the
records of that month are in; a segment where the gap is that no action addresses is said in the
internal copy. Only the partner's own segments are read: nothing of another partner's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from govdocs.documents.common import Audience
from govdocs.facts import join_names
from govdocs.gaps import ActionDriverLike, KpiGap, SegmentAim, aim_actions, segment_label
from govdocs.planning.pip import Plan
from govdocs.render.formatters import kpi_value, long_date, number

RULE = (
    "An action aimed at a segment (a time band, a queue, a team, the agents of a tenure band, ...) is measured on "
    "that segment's contacts: from its value over the quarter's contacts in the records to the plan's target for the "
    "KPI by the final review. A segment at that target adds nothing to the gap, so the KPI cannot miss through it. "
    "Each check-in reports the segment's value over the contacts of the month it reviews, from the same records, "
    "once that month's records are in; a month in which the segment has fewer contacts than the KPI's minimum "
    "sample is shown as too small to say."
)


@dataclass(frozen=True)
class SegmentColumn:
    heading: str  # "Service level, 08:00–10:00"
    start: str  # the quarter's value


@dataclass(frozen=True)
class SegmentCheckIn:
    label: str  # "Check-in 1", "Final review"
    day: date
    reviewed: str  # "Oct 2026"
    cells: tuple[str, ...]  # per column: the value, or why there is none


@dataclass(frozen=True)
class SegmentAimsView:
    aims: tuple[str, ...]  # one sentence per aimed action and segment
    columns: tuple[SegmentColumn, ...]
    checkins: tuple[SegmentCheckIn, ...]
    quarter: str  # "Q3 2026": where the start values come from
    spread: str  # the plan's KPIs whose gap the records show spread across the contacts ("" when none)
    unaddressed: tuple[str, ...]  # segments no action is aimed at (internal copy only)
    off_target: tuple[str, ...]  # actions whose driver the records do not show the gap in (internal copy only)
    rule: str


def _cell(gap: KpiGap, key: tuple[str, str], reviewed: str, label: str, held: bool) -> str:
    if not held:
        return "to come"
    value = gap.monthly.get(key, {}).get(reviewed)
    if value is None:
        return f"no records for {label} yet"
    measured, volume = value
    if volume < gap.min_sample:
        return f"too small to say ({number(volume, 0)} contacts)"
    return kpi_value(measured, gap.unit, gap.decimals)


def segment_aims_view(plan: Plan, gaps: Sequence[KpiGap], as_of: date, audience: Audience) -> SegmentAimsView | None:
    """The plan's actions aimed at its objectives' segments; None when the records show no
    concentration on the plan's KPIs (or no records were read)."""
    goals = {o.kpi.id: o.target for o in plan.objectives}
    gaps = [g for g in gaps if g.kpi_id in goals]
    if not gaps:
        return None
    actions = [ActionDriverLike(a.ref, a.objective, a.driver) for a in plan.actions]
    aims, unaddressed = aim_actions(gaps, actions, goals)
    split = {g.kpi_id: g for g in gaps}
    aimed = {a.ref for a in aims}
    off_target = tuple(
        f"{a.ref} addresses {a.driver.label}, where the records do not show {split[a.objective].name}'s gap "
        "concentrated: it is measured on the KPI as a whole"
        for a in plan.actions
        if a.driver is not None and a.objective in split and a.ref not in aimed
    )
    spread = [g.name for g in gaps if not g.segments]
    spread_text = (
        f"{join_names(spread)}: the records show the gap spread across the contacts (no segment they carry holds "
        "a disproportionate part of it), so no action is aimed at one segment; "
        f"{'its actions are' if len(spread) == 1 else 'their actions are'} measured on the KPI as a whole."
        if spread
        else ""
    )
    final = long_date(plan.final_review.day)
    # one sentence per segment, naming every action aimed at it (the partner's first, as listed)
    refs: dict[tuple[str, str, str], list[str]] = {}
    first: dict[tuple[str, str, str], SegmentAim] = {}
    for a in aims:
        key = (a.gap.kpi_id, a.segment.dimension, a.segment.segment)
        refs.setdefault(key, []).append(a.ref)
        first.setdefault(key, a)
    sentences = tuple(
        f"{join_names(refs[key])} {'is' if len(refs[key]) == 1 else 'are'} aimed at {a.segment.label} "
        f"({a.gap.name}): {a.measure} by the final review on {final}."
        for key, a in first.items()
    )
    by_kpi = {g.kpi_id: g for g in gaps}
    keys = [
        (by_kpi[k], d, s)
        for k, d, s in dict.fromkeys((a.gap.kpi_id, a.segment.dimension, a.segment.segment) for a in aims)
    ]
    columns = tuple(
        SegmentColumn(f"{g.name}, {segment_label(d, s)}", kpi_value(_quarter_value(g, d, s), g.unit, g.decimals))
        for g, d, s in keys
    )
    checkins = tuple(
        SegmentCheckIn(
            "Final review" if c.is_final else f"Check-in {c.number}",
            c.when.day,
            c.reviewed.label,
            tuple(_cell(g, (d, s), str(c.reviewed), c.reviewed.label, c.when.day <= as_of) for g, d, s in keys),
        )
        for c in plan.checkins
        if c.new_month  # a meeting without a new month of data reviews the actions only
    )
    internal = audience is Audience.INTERNAL
    if not sentences and not spread_text and not (internal and (unaddressed or off_target)):
        return None  # the partner's copy: nothing aimed, nothing to say (the concentrations are in Where the gap is)
    return SegmentAimsView(
        aims=sentences,
        columns=columns,
        checkins=checkins,
        quarter=plan.quarter.label,
        spread=spread_text,
        unaddressed=tuple(u.text for u in unaddressed) if internal else (),
        off_target=off_target if internal else (),
        rule=RULE,
    )


def _quarter_value(gap: KpiGap, dimension: str, segment: str) -> float:
    return next(s.value for s in gap.segments if (s.dimension, s.segment) == (dimension, segment))
