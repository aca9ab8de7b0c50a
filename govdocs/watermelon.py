"""Decide step, the watermelon panel: an SLA that holds while a customer outcome gets worse.

A configured pair (a contractual KPI, an outcome KPI) is flagged when the SLA's quarter is green
and the outcome's quarter is worse than the one before beyond its noise: by at least the pair's
`min_change`, or, for a proportion KPI without one, with the two quarters' 95% Wilson intervals
apart. A change inside the noise is said to be so and never flagged.
"""

from __future__ import annotations

from dataclasses import dataclass

from govdocs.config.model import Direction, GovernanceConfig, WatermelonPair
from govdocs.documents.common import gap_text, kpi_text
from govdocs.scoring.engine import KpiQuarter, PartnerAssessment
from govdocs.scoring.results import Status
from govdocs.scoring.stats import kpi_interval


@dataclass(frozen=True)
class WatermelonRow:
    sla: str
    outcome: str
    flagged: bool
    text: str  # what the numbers say, in one sentence
    note: str  # the pair's reason, printed with a flag


def _interval_text(item: KpiQuarter, value: float, volume: float) -> str:
    interval = kpi_interval(value, volume)
    return f"{kpi_text(item.kpi, interval.low)}–{kpi_text(item.kpi, interval.high)}"


def trend_sentence(item: KpiQuarter) -> str:
    """The KPI's trend over the reviewed quarters, the one fact the offboarding evidence scores."""
    trend = item.trend
    if trend.slope is None:
        return ""
    known = [q for q, v in trend.quarters if v is not None]
    first, last = known[0].label, known[-1].label
    sign = "+" if trend.slope >= 0 else "−"
    return f" Trend {first} to {last}: {trend.word} ({sign}{gap_text(item.kpi, trend.slope, 0)} a quarter)."


def _row(pair: WatermelonPair, sla: KpiQuarter, outcome: KpiQuarter, quarter: str, previous: str) -> WatermelonRow:
    def made(flagged: bool, text: str) -> WatermelonRow:
        if sla.current.status is Status.GREEN:
            text += trend_sentence(outcome)
        return WatermelonRow(sla.kpi.name, outcome.kpi.name, flagged, text, (pair.note or "") if flagged else "")

    held = sla.current.status is Status.GREEN
    sla_text = f"{sla.kpi.name} held at {kpi_text(sla.kpi, sla.current.value)}"
    if not held:
        words = {
            Status.NO_DATA: "had no data",
            Status.INSUFFICIENT: "had a low sample",
            Status.NOT_CLEAR: "was not clear",
        }
        state = words.get(sla.current.status, f"was {sla.current.status.value}")
        return made(
            False,
            f"{sla.kpi.name} {state} in {quarter} ({kpi_text(sla.kpi, sla.current.value)}): the SLA did not hold, "
            "so it hides nothing; the scorecard shows it.",
        )
    now, before = outcome.current, outcome.previous
    if now.value is None or before.value is None:
        return made(False, f"{sla_text}; {outcome.kpi.name} has no value for {previous} or {quarter} to compare.")
    kpi = outcome.kpi
    change = now.value - before.value
    worse = change < 0 if kpi.direction is Direction.HIGHER else change > 0
    moved = (
        f"{outcome.kpi.name} went from {kpi_text(kpi, before.value)} in {previous} "
        f"to {kpi_text(kpi, now.value)} in {quarter}"
    )
    if not worse:
        return made(False, f"{sla_text} and {moved}: no worse.")
    if pair.min_change is not None:
        beyond = abs(change) >= pair.min_change
        noise = f"a change of {kpi_text(kpi, abs(change))} against the {kpi_text(kpi, pair.min_change)} that counts"
    elif kpi.proportion and now.volume and before.volume:
        a, b = _interval_text(outcome, before.value, before.volume), _interval_text(outcome, now.value, now.volume)
        low_now, high_now = kpi_interval(now.value, now.volume).low, kpi_interval(now.value, now.volume).high
        low_before, high_before = (
            kpi_interval(before.value, before.volume).low,
            kpi_interval(before.value, before.volume).high,
        )
        beyond = high_now < low_before if kpi.direction is Direction.HIGHER else low_now > high_before
        noise = f"95% intervals {a} and {b} {'apart' if beyond else 'overlap'}"
    else:
        return made(False, f"{sla_text} and {moved}; no noise threshold is set for it (min_change).")
    if beyond:
        return made(True, f"{sla_text} while {moved}: worse beyond its noise ({noise}).")
    return made(False, f"{sla_text} and {moved}: within its noise ({noise}).")


def watermelon_rows(config: GovernanceConfig, assessment: PartnerAssessment) -> tuple[WatermelonRow, ...]:
    """Every configured pair for the partner, flagged ones first."""
    items = {item.kpi.id: item for item in assessment.kpis}
    quarter, previous = assessment.quarter.label, assessment.quarter.previous().label
    rows = [
        _row(pair, items[pair.sla], items[pair.outcome], quarter, previous)
        for pair in config.watermelon
        if pair.sla in items and pair.outcome in items
    ]
    return tuple(sorted(rows, key=lambda r: not r.flagged))
