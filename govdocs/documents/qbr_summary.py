"""Build-context step, QBR: the summary (headline, what went well, what must improve, data notes,
the score and the escalation status), each sentence chosen by a computed fact.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from govdocs.config.model import Controller, Direction, GovernanceConfig, Kpi, Partner
from govdocs.data.inputs import DataGap, GapCause, PartnerInputs, named_kpis
from govdocs.documents.common import gap_text, kpi_text, telling
from govdocs.periods import Month
from govdocs.render.formatters import kpi_value, number, percent
from govdocs.scoring.arrays import possible_statuses
from govdocs.scoring.engine import KpiQuarter, PartnerAssessment
from govdocs.scoring.results import QuarterValue, Score, Status
from govdocs.scoring.standing import KpiSets, Standing, kpi_sets, standing
from govdocs.scoring.stats import kpi_interval


@dataclass(frozen=True)
class ReviewerNote:
    """A sentence of the reviewer's as a document prints it: with what the checker made of it."""

    label: str  # "Reviewer's note", "... (not checked against the data)", "..., contradicted by the data"
    text: str


REVIEWER = "Reviewer's note"


@dataclass(frozen=True)
class SummaryPoint:
    text: str
    status: str  # badge to show next to it ("green", "amber", "red", "" for none)
    kpi_id: str = ""  # the KPI a computed point is about
    notes: tuple[ReviewerNote, ...] = ()  # the reviewer's words about the same KPI, printed with it
    reviewer: bool = False  # the point is the reviewer's own words: printed as their note, not as a fact
    reviewer_label: str = REVIEWER


def reviewer_note(
    text: str, assessment: PartnerAssessment, internal: bool, concern: bool = False
) -> ReviewerNote | None:
    """The rule for the reviewer's free text (govdocs.reviewer_claims reads it): a sentence the
    facts contradict never reaches a partner copy, and the internal copy prints it with the facts
    that contradict it; one about the KPIs that the checker can neither verify nor refute is printed
    in the internal copy only, labelled not checked; one the checker verifies, or about no KPI, is
    the reviewer's note in both copies. None: left out of this copy."""
    from govdocs.reviewer_claims import read_text

    reading = read_text(text, assessment, concern)
    if not internal and not reading.partner_may_read:
        return None
    if reading.verdict == "contradicted":
        facts = "; ".join(c.fact for c in reading.contradicted)
        return ReviewerNote(f"{REVIEWER}, contradicted by the data", f"{text} The data: {facts}.")
    if reading.verdict == "not checked":
        return ReviewerNote(f"{REVIEWER} (not checked against the data)", text)
    return ReviewerNote(REVIEWER, text)


def _with_reviewer(
    points: list[SummaryPoint],
    texts: Sequence[str],
    assessment: PartnerAssessment,
    internal: bool = True,
    concern: bool = False,
) -> list[SummaryPoint]:
    """The reviewer's sentences, as `reviewer_note` allows in this copy: one about a KPI that
    already has a computed point is printed with that point (one bullet per KPI, never the same KPI
    twice); the others as points of their own."""
    kpis = [k.kpi for k in assessment.kpis]
    merged = list(points)
    for text in texts:
        note = reviewer_note(text, assessment, internal, concern)
        if note is None:
            continue
        ids = {k.id for k in named_kpis(text, kpis)}
        at = next((i for i, p in enumerate(merged) if p.kpi_id and p.kpi_id in ids), None)
        if at is None:
            merged.append(SummaryPoint(note.text, "", reviewer=True, reviewer_label=note.label))
        else:
            merged[at] = replace(merged[at], notes=(*merged[at].notes, note))
    return merged


def _shortfall(kpi: Kpi, value: float, threshold: float, what: str, shown: Kpi | None = None) -> str:
    """'5.9 pp short of the 80.0% target' or, when lower is better, '7 s above the 30 s target'.
    `shown`: the KPI with the decimals the value needs (see `telling`) for the gap; the threshold
    prints as every document prints it."""
    side = "short of" if kpi.direction is Direction.HIGHER else "above"
    return f"{gap_text(shown or kpi, value, threshold)} {side} the {kpi_text(kpi, threshold)} {what}"


def _count(n: int, noun: str) -> str:
    """'1 further KPI', '3 further KPIs': the noun agrees with the number."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _too_close(kpi: Kpi, quarter: QuarterValue, at: Standing = Standing.UNCLEAR_AT_TARGET) -> str:
    """A not-clear quarter in words, against the threshold its interval reaches across: the target
    (it may be on target), or only the floor (below target for certain, perhaps beyond the floor)."""
    sample = f" of {number(quarter.volume, 0)}" if quarter.volume else ""
    if at is Standing.UNCLEAR_AT_FLOOR and kpi.floor is not None:
        return f"too close to the {kpi_text(kpi, kpi.floor)} floor to call on a sample{sample}"
    return (
        f"against the {kpi_text(kpi, kpi.target)} target: too close to call on a sample{sample}, "
        "so neither a pass nor a failure"
    )


def shown_change(item: KpiQuarter) -> float | None:
    """The change between the two values as printed, so the column adds up for the reader."""
    kpi = item.kpi
    if item.current.value is None or item.previous.value is None:
        return None
    return round(round(item.current.value, kpi.decimals) - round(item.previous.value, kpi.decimals), kpi.decimals)


def change_direction(item: KpiQuarter) -> str:
    change = shown_change(item)
    if change is None:
        return ""
    if change == 0:
        return "flat"
    return "better" if (change > 0) == (item.kpi.direction is Direction.HIGHER) else "worse"


def meaningful_improvement(item: KpiQuarter) -> bool:
    """Moved towards the target by at least a tenth of the amber band (5% of the target
    without a floor): smaller moves are noise and are not presented as progress."""
    change = shown_change(item)
    if change is None or change_direction(item) != "better":
        return False
    kpi = item.kpi
    band = abs(kpi.target - kpi.floor) if kpi.floor is not None else abs(kpi.target) * 0.05
    return abs(change) >= max(band * 0.1, 10**-kpi.decimals)


def list_words(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def headline(partner: Partner, assessment: PartnerAssessment) -> str:
    score = assessment.score
    quarter = assessment.quarter
    previous = quarter.previous()
    if score.value is None:
        return f"{partner.name} has no scored KPI for {quarter.label}: no month had enough data."
    change = assessment.score_change
    if change is None:
        trend = f"with no score for {previous.label} to compare"
    elif change == 0:
        trend = f"unchanged from {previous.label}"
    else:
        trend = f"{'up' if change > 0 else 'down'} {abs(change):.1f} points from {previous.label}"
    provisional = " (provisional)" if score.provisional else ""
    text = (
        f"{partner.name} scored {score.value:.1f}{provisional} out of 100 in {quarter.label}, "
        f"tier {tier_phrase(score)}, {trend}."
    )
    if score_range(assessment):
        reach = (
            f"the tier is {score.tier_names} across that range"
            if score.tier_firm
            else f"that range reaches the {score.tier_names.replace(' or ', ' and ')} tiers, so the tier is "
            "provisional too"
        )
        text += (
            f" The score is provisional: with the results that are not statistically clear counted as their "
            f"95% intervals allow, it is {score_range(assessment)}; {reach}."
        )
    return text


def tier_phrase(score: Score) -> str:
    """The tier inside a sentence: 'At risk', or 'At risk or Watch (provisional)' when the score's
    range reaches across a tier boundary (the tables and the cover print `Score.tier_words`)."""
    return score.tier_names if score.tier_firm else f"{score.tier_names} (provisional)"


def score_range(assessment: PartnerAssessment) -> str:
    """'56.0–68.0': the score's range when unclear results could move it, else ''."""
    score = assessment.score
    if score.value is None or score.low is None or score.high is None or not score.provisional:
        return ""
    return f"{number(score.low, 1)}–{number(score.high, 1)}"


def counts(assessment: PartnerAssessment) -> dict[str, int]:
    """The summary's tiles, from the KPI sets: on target; below target and not beyond the floor for
    certain (amber, and unclear only about the floor); beyond the floor."""
    sets = kpi_sets(assessment)
    return {
        "green": len(sets.met),
        "amber": len(sets.within_floor_or_unclear),
        "red": len(sets.below_floor),
        "unclear_at_target": len(sets.unclear_at_target),
        "unclear_at_floor": len(sets.unclear_at_floor),
        "no_data": len(sets.no_data),
        # the quarter statuses as the scorecard prints them, for a template that counts those
        "not_clear": len(sets.unclear),
        "insufficient_sample": sum(1 for k in sets.no_data if k.current.status is Status.INSUFFICIENT),
        "total": len(assessment.kpis),
    }


def count_labels(assessment: PartnerAssessment) -> dict[str, str]:
    """The tiles' words, each naming the set it counts: '3 KPIs below target: 1 within the floor,
    2 too close to the floor to call'; '4 KPIs on target; 1 more too close to the target to call'."""
    sets = kpi_sets(assessment)
    green = f"{_noun(len(sets.met))} on target"
    if sets.unclear_at_target:
        green += f"; {len(sets.unclear_at_target)} more too close to the target to call"
    amber = f"{_noun(len(sets.within_floor_or_unclear))} below target"
    if sets.unclear_at_floor:
        amber += (
            f": {len(sets.below_target)} within the floor, {len(sets.unclear_at_floor)} too close to the floor to call"
        )
    else:
        amber += ", within the floor"
    return {"green": green, "amber": amber, "red": f"{_noun(len(sets.below_floor))} beyond the floor"}


def _noun(n: int) -> str:
    return "KPI" if n == 1 else "KPIs"


def strengths(
    assessment: PartnerAssessment, inputs: PartnerInputs | None, internal: bool = True
) -> tuple[SummaryPoint, ...]:
    """On-target KPIs (largest margin first), real improvements, then the reviewer's highlights."""
    points: list[SummaryPoint] = []
    green = [k for k in assessment.kpis if k.current.status is Status.GREEN and k.current.value is not None]
    previous = assessment.quarter.previous().label

    def margin(item: KpiQuarter) -> float:
        kpi = item.kpi
        band = abs(kpi.target - kpi.floor) if kpi.floor is not None else abs(kpi.target) * 0.05 or 1.0
        return abs(item.current.value - kpi.target) / band  # type: ignore[operator]

    for item in sorted(green, key=margin, reverse=True)[:4]:
        kpi = item.kpi
        text = f"{kpi.name} at {kpi_text(kpi, item.current.value)} against a target of {kpi_text(kpi, kpi.target)}"
        if meaningful_improvement(item):
            text += f", {gap_text(kpi, shown_change(item) or 0, 0)} better than in {previous}"
        points.append(SummaryPoint(text + ".", "green", kpi.id))
    if len(green) > 4:
        further = len(green) - 4
        points.append(SummaryPoint(f"{_count(further, 'further KPI')} also on target (see the scorecard).", "green"))
    # Real improvements that did not reach the target. A red KPI's improvement is told where it
    # belongs, under what must improve; the words follow the quarter's status, never a fresh comparison.
    for item in assessment.kpis:
        status = item.current.status
        if status not in (Status.AMBER, Status.NOT_CLEAR) or not meaningful_improvement(item):
            continue
        kpi, value = item.kpi, item.current.value
        assert value is not None
        change = gap_text(kpi, shown_change(item) or 0, 0)
        at = standing(item)
        shown = telling(kpi, value, kpi.target) if at is not Standing.UNCLEAR_AT_TARGET else kpi
        moved = f"{kpi.name} improved by {change} on {previous} to {kpi_text(shown, value)}"
        if at is Standing.UNCLEAR_AT_TARGET:
            points.append(SummaryPoint(f"{moved}, {_too_close(kpi, item.current)}.", "", kpi.id))
        else:
            still = f"{moved}, still {_shortfall(kpi, value, kpi.target, 'target', shown)}"
            if at is Standing.UNCLEAR_AT_FLOOR:
                still += f", {_too_close(kpi, item.current, at)}"
            points.append(SummaryPoint(still + ".", "", kpi.id))
    if inputs is not None:
        points = _with_reviewer(points, inputs.commentary.highlights, assessment, internal)
    if not points:
        # A red KPI may have improved: that is told under what must improve, so this says where.
        moved = [k for k in assessment.kpis if meaningful_improvement(k)]
        unsure = kpi_sets(assessment).unclear_at_target
        text = f"No KPI met its target in {assessment.quarter.label}"
        if unsure:
            names = list_words([k.kpi.name for k in unsure])
            text = (
                f"No KPI met its target for certain in {assessment.quarter.label} ({names} "
                f"{'is' if len(unsure) == 1 else 'are'} too close to the target to call)"
            )
        compared = any(shown_change(k) is not None for k in assessment.kpis)
        if not moved and compared:
            text += " or improved on the previous quarter."
        elif not moved:  # no quarter before with data: no claim about it (issue 35)
            text += f"; {assessment.quarter.previous().label} has no data to compare with."
        elif all(k.current.status is Status.RED for k in moved):
            text += "; the improvements that stayed below the floor are under what must improve."
        else:
            text += "."
        points.append(SummaryPoint(text, ""))
    return tuple(points)


def undelivered_what(assessment: PartnerAssessment, kpis: tuple[Kpi, ...], deliver: bool = False) -> str:
    # "no data for any of the 8 KPIs", but "deliver the data for all 8 KPIs"
    every = f"all {len(kpis)} KPIs" if deliver else f"any of the {len(kpis)} KPIs"
    return every if len(kpis) == len(assessment.kpis) else list_words([k.name for k in kpis])


def gap_of(inputs: PartnerInputs | None, month: Month) -> DataGap | None:
    """The reviewer's record of why `month` has no data (None: none recorded, an unknown cause)."""
    return next((g for g in inputs.data_gaps if g.month == str(month)), None) if inputs else None


def client_gap(inputs: PartnerInputs | None, month: Month) -> DataGap | None:
    """The month's gap when the client caused it: then it is not the partner's failure anywhere."""
    gap = gap_of(inputs, month)
    return gap if gap is not None and gap.cause is GapCause.CLIENT else None


def undelivered_findings(
    assessment: PartnerAssessment, inputs: PartnerInputs | None = None, internal: bool = True, client: str = ""
) -> tuple[str, ...]:
    """A month without data, stated as a finding: the partner's data-delivery obligation, unless the
    inputs record the client as its cause; then it is the client's in the internal copy, and in the
    partner copy a gap outside the partner's reporting, asked of and held against nobody."""
    found = []
    partner = assessment.partner.name
    for month, kpis in assessment.undelivered:
        what = undelivered_what(assessment, kpis)
        gap = client_gap(inputs, month)
        if gap is None:
            found.append(
                f"No data delivered for {what} in {month.label}: the month is unscored, so the tier rests on the "
                "other months; the data is owed under the reporting obligation."
            )
        elif internal:
            note = f" ({gap.note.rstrip('.')})" if gap.note else ""
            found.append(
                f"No data for {what} in {month.label}: a gap on {client or 'the client'}'s side{note}, not "
                f"{partner}'s; the month is unscored, so the tier rests on the other months, and no delivery is "
                f"asked of {partner}."
            )
        else:
            found.append(
                f"No data for {what} in {month.label}, for a cause outside {partner}'s reporting: the month is "
                f"unscored, so the tier rests on the other months; no delivery is asked of {partner}."
            )
    return tuple(found)


def improvements(
    assessment: PartnerAssessment, inputs: PartnerInputs | None, internal: bool = True, client: str = ""
) -> tuple[SummaryPoint, ...]:
    """What must improve: every KPI below its target for certain (the KPI sets' `short`: red, amber,
    and unclear only about the floor), red first, then the data the partner owes."""
    points: list[SummaryPoint] = []
    sets = kpi_sets(assessment)
    order = {Standing.BELOW_FLOOR: 0, Standing.UNCLEAR_AT_FLOOR: 1, Standing.BELOW_TARGET: 2}
    short = sorted(sets.short, key=lambda k: (order[standing(k)], -k.kpi.weight))
    for item in short:
        kpi = item.kpi
        value = item.current.value
        assert value is not None
        shown = telling(kpi, value, kpi.target, kpi.floor)
        text = f"{kpi.name} at {kpi_text(shown, value)}: {_shortfall(kpi, value, kpi.target, 'target', shown)}"
        if item.current.status is Status.RED and kpi.floor is not None:
            text += f" and beyond the {kpi_text(kpi, kpi.floor)} floor"
        elif standing(item) is Standing.UNCLEAR_AT_FLOOR:
            text += f", {_too_close(kpi, item.current, Standing.UNCLEAR_AT_FLOOR)}"
        red = [m for m in item.months if m.status is Status.RED]
        red_months = [
            f"{m.month.short_label} (relieved: no partner failure)" if m.relief else m.month.short_label for m in red
        ]
        if len(red) == len(item.months) and not any(m.relief for m in red):
            text += "; red all quarter"
        elif red_months:
            text += f"; red in {list_words(red_months)}"
        if item.current.status is Status.RED and meaningful_improvement(item):
            text += (
                f"; {gap_text(kpi, shown_change(item) or 0, 0)} better than in {assessment.quarter.previous().label}"
            )
        if kpi.controlled_by is Controller.SHARED:
            text += " (shared with the client: see the drivers page)"
        elif kpi.controlled_by is Controller.CLIENT:
            text += " (driven by the client: see the drivers page)"
        points.append(SummaryPoint(text + ".", item.current.status.value, kpi.id))
    points += [SummaryPoint(text, "no_data") for text in undelivered_findings(assessment, inputs, internal, client)]
    if inputs is not None:
        points = _with_reviewer(points, inputs.commentary.concerns, assessment, internal, concern=True)
    if not points:
        points.append(SummaryPoint(nothing_short(sets), ""))
    return tuple(points)


def nothing_short(sets: KpiSets) -> str:
    """What must improve when no KPI is below target for certain: a KPI too close to the target to
    call, or without a scored quarter, is named, never folded into 'nothing is below target'."""
    if not sets.unclear_at_target and not sets.no_data:
        return "Nothing is below target this quarter: the task is to hold the level."
    parts = []
    if sets.unclear_at_target:
        names = [k.kpi.name for k in sets.unclear_at_target]
        parts.append(f"{list_words(names)} {'is' if len(names) == 1 else 'are'} too close to the target to call")
    if sets.no_data:
        names = [k.kpi.name for k in sets.no_data]
        parts.append(f"{list_words(names)} {'has' if len(names) == 1 else 'have'} no scored quarter")
    return f"No KPI is below target for certain this quarter; {'; '.join(parts)}."


def _unclear_case(kpi: Kpi, when: str, value: float, volume: float) -> tuple[str, str]:
    """(the edge its interval reaches across, 'Jul 2026 76.7% of 544, interval 72.9% to 80.0%')."""
    interval = kpi_interval(value, volume)

    def show(figure: float) -> str:
        return kpi_value(figure, kpi.unit.value, kpi.decimals)

    worse, better = possible_statuses(kpi, value, volume)
    edges = {
        (Status.RED, Status.AMBER): f"the floor of {show(kpi.floor or 0)}",
        (Status.RED, Status.GREEN): f"the floor of {show(kpi.floor or 0)} and the target of {show(kpi.target)}",
    }
    edge = edges.get((worse, better), f"the target of {show(kpi.target)}")  # the edge the interval straddles
    return edge, f"{when} {show(value)} of {number(volume, 0)}, interval {show(interval.low)} to {show(interval.high)}"


def unclear_sentence(cases: list[tuple[str, str, str]]) -> str:
    """Every result that is not statistically clear in one sentence: each KPI named once with the
    edge its 95% intervals reach across, then each month (and the quarter) with its figures."""
    groups: dict[tuple[str, str], list[str]] = {}
    for name, edge, figures in cases:
        groups.setdefault((name, edge), []).append(figures)
    parts = [f"{name}, across {edge}: {'; '.join(figures)}" for (name, edge), figures in groups.items()]
    return (
        "Not statistically clear, each counted neither as a pass nor as a failure because its 95% interval "
        f"reaches across an edge (value, sample, interval): {' — '.join(parts)}."
    )


def data_notes(assessment: PartnerAssessment) -> tuple[str, ...]:
    notes = []
    by_month_missing: dict[str, list[str]] = {}
    by_month_small: dict[str, list[str]] = {}
    unclear: list[tuple[str, str, str]] = []
    for item in assessment.kpis:
        for m in item.months:
            if m.status is Status.NO_DATA:
                by_month_missing.setdefault(m.month.label, []).append(item.kpi.name)
            elif m.status is Status.INSUFFICIENT:
                by_month_small.setdefault(m.month.label, []).append(
                    f"{item.kpi.name} ({number(m.volume, 0)} < {item.kpi.min_sample:,})"
                )
            elif m.status is Status.NOT_CLEAR and m.value is not None and m.volume:
                unclear.append((item.kpi.name, *_unclear_case(item.kpi, m.month.label, m.value, m.volume)))
        current = item.current
        if current.status is Status.NOT_CLEAR and current.value is not None and current.volume:
            unclear.append((item.kpi.name, *_unclear_case(item.kpi, "the quarter", current.value, current.volume)))
    total = len(assessment.kpis)
    for month, names in by_month_missing.items():
        what = "any KPI" if len(names) == total else list_words(names)
        notes.append(f"No data for {what} in {month}: shown as no data, counted neither as a pass nor as a failure.")
    for month, names in by_month_small.items():
        notes.append(
            f"{month} volume below the minimum sample for {list_words(names)}: shown, not scored "
            "as a month; pooled into the quarter value by volume."
        )
    if unclear:
        notes.append(unclear_sentence(unclear))
    if len(assessment.decision.provisional) > 1:  # one is stated in full in the escalation box
        notes += provisional_notes(assessment.decision.provisional)
    score = assessment.score
    if score.unscored_share > 0:
        parts = []
        if score.no_data_share > 0:
            parts.append(f"{percent(score.no_data_share)} of the KPI weight has no data or too small a sample")
        if score.not_clear_share > 0:
            weight = "" if parts else " of the KPI weight"
            parts.append(
                f"{percent(score.not_clear_share)}{weight} is measured but {unclear_which(kpi_sets(assessment))}"
            )
        # one term for one state (issue 35): weight too close to call makes the score provisional;
        # 'incomplete' is said only when weight without data is part of what is unscored
        if not score.incomplete:
            state = "; the score is complete enough to compare"
        elif score.no_data_share > 0:
            state = "; the score is marked incomplete"
        else:
            state = ""
        how = []
        if score.no_data_share > 0:
            how.append("the KPIs without a scored quarter are left out, the others' weights scaled up to 100%")
        if score.not_clear_share > 0:
            how.append(
                "a KPI too close to call counts at its measured value, and the score's range at both ends "
                "of its interval, so the score is provisional"
            )
        notes.append(f"{'; '.join(parts)}. In the score, {'; '.join(how)}{state}.")
    return tuple(notes)


def unclear_which(sets: KpiSets) -> str:
    """'too close to the target to call (First-contact resolution)', or both thresholds named, each
    with its KPIs: the quarter results that are not statistically clear."""
    parts = []
    for group, edge in ((sets.unclear_at_target, "target"), (sets.unclear_at_floor, "floor")):
        if group:
            parts.append(f"too close to the {edge} to call ({list_words([k.kpi.name for k in group])})")
    return " or ".join(parts) if len(parts) < 2 else f"{parts[0]}, or {parts[1]}"


def data_summary(assessment: PartnerAssessment) -> str:
    """The data notes in one sentence for the summary page: what is missing, small or unclear."""
    missing = sum(1 for k in assessment.kpis for m in k.months if m.status is Status.NO_DATA)
    small = sum(1 for k in assessment.kpis for m in k.months if m.status is Status.INSUFFICIENT)
    unclear = sorted(
        {k.kpi.name for k in assessment.kpis for m in (*k.months, k.current) if m.status is Status.NOT_CLEAR},
    )
    parts = []
    if missing:
        parts.append(f"{_count(missing, 'KPI-month')} without data")
    if small:
        parts.append(f"{_count(small, 'KPI-month')} with a sample below the minimum")
    if unclear:
        parts.append(f"results of {list_words(unclear)} not statistically clear")
    if not parts:
        return "Every KPI has data with a sufficient sample in all three months."
    return f"{list_words(parts)[0].upper()}{list_words(parts)[1:]}: shown, never counted as a pass or a failure."


def score_note(assessment: PartnerAssessment) -> str:
    """The line under the score. Missing data and an unclear result are different facts, told apart."""
    score = assessment.score
    sets = kpi_sets(assessment)
    missing, unclear = score.no_data_share, score.not_clear_share
    close = f"{percent(unclear)} of weight {unclear_edge(sets)}"
    if not score.incomplete:
        # A KPI too close to call counts at its measured value: it is among the KPIs weighed.
        note = f"weighted over {len(sets.with_data)} of {len(assessment.kpis)} KPIs"
        return f"{note}; {close}" if unclear > 0 else note
    if missing > 0 and unclear > 0:
        return f"Incomplete: {percent(missing)} of weight without data, {close}"
    if unclear > 0:
        return f"Provisional: {close}"
    return f"Incomplete: {percent(missing)} of weight without data"


def unclear_edge(sets: KpiSets) -> str:
    """'too close to the target to call', '... the floor ...' or '... the target or the floor ...':
    the thresholds the quarter results that are not statistically clear reach across."""
    edges = [e for e, group in (("the target", sets.unclear_at_target), ("the floor", sets.unclear_at_floor)) if group]
    return f"too close to {' or '.join(edges) or 'a threshold'} to call"


MAY_BE_RED = re.compile(r"^(.+) may be red (\d+) months running \((\w{3} \d{4})")


PROVISIONAL = "Provisional (no action on its own): "


def provisional_notes(provisional: tuple[str, ...]) -> tuple[str, ...]:
    """The provisional triggers in full, two or more possible red runs folded into one line (every
    figure kept): the data notes print them all."""
    runs = [(line, MAY_BE_RED.match(line)) for line in provisional]
    folded = [m for _, m in runs if m]
    lines = [line for line, m in runs if not m or len(folded) < 2]
    if len(folded) >= 2:
        lines.append(
            "Red months running if their unclear months are red: "
            + "; ".join(f"{m.group(1)} {m.group(2)} (since {m.group(3)})" for m in folded)
        )
    return tuple(PROVISIONAL + line for line in lines)


def _provisional_lines(provisional: tuple[str, ...]) -> tuple[str, ...]:
    """What the escalation box says of them: one in full, several in one line pointing to the data
    notes, so the summary stays on its page."""
    notes = provisional_notes(provisional)
    if len(notes) <= 1:
        return notes
    return (
        f"{PROVISIONAL}{len(notes)} triggers hold only for some outcomes of results that are not "
        "statistically clear; the data notes list them",
    )


def escalation_lines(assessment: PartnerAssessment, config: GovernanceConfig) -> tuple[str, ...]:
    """The decision's reasons, with three or more red runs folded into one line so the
    summary stays on one page; every figure is kept."""
    reasons = list(assessment.decision.reasons)
    provisional = _provisional_lines(assessment.decision.provisional)
    runs = []
    for item in assessment.kpis:
        run = item.longest_red_run
        text = None if run is None else f"{item.kpi.name} red {run.length} months running"
        matching = [r for r in reasons if text and r.startswith(text)]
        if run is not None and matching:
            runs.append((item.kpi.name, run, matching[0]))
    if len(runs) < 3:
        return (*reasons, *provisional)
    folded = "Red months running: " + "; ".join(
        f"{name} {run.length} (since {run.start.label})" for name, run, _ in runs
    )
    first = reasons.index(runs[0][2])
    kept = [r for r in reasons if r not in {reason for _, _, reason in runs}]
    kept.insert(first, folded)
    return (*kept, *provisional)
