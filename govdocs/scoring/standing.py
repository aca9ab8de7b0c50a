"""Where each KPI's quarter stands against its target and floor: one computed set per standing.

Every count and every "all / every / no KPI ..." sentence in the documents (the QBR's tiles, what
must improve, the split of responsibility, the data notes; the plan; the offboarding assessment;
the portfolio summary) is chosen by these sets, so no two sentences can count the same KPIs two
ways. A result that is not statistically clear is told by the threshold its 95% interval reaches
across: one that reaches across only the floor is below the target for certain (amber or red), so
it is below target in every count and in what must improve; one that reaches across the target
may be on target, so it is counted apart as too close to the target to call.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from govdocs.scoring.arrays import possible_statuses
from govdocs.scoring.results import Status

if TYPE_CHECKING:
    from govdocs.scoring.engine import KpiQuarter, PartnerAssessment


class Standing(StrEnum):
    MET = "met"  # green
    BELOW_TARGET = "below_target"  # amber: below the target, within the floor
    BELOW_FLOOR = "below_floor"  # red
    UNCLEAR_AT_TARGET = "unclear_at_target"  # its interval reaches across the target: may be on target
    UNCLEAR_AT_FLOOR = "unclear_at_floor"  # its interval reaches across the floor only: below target for certain
    NO_DATA = "no_data"  # no data, or too small a sample to score


def standing(item: KpiQuarter) -> Standing:
    """The quarter's standing of one KPI."""
    current = item.current
    match current.status:
        case Status.GREEN:
            return Standing.MET
        case Status.AMBER:
            return Standing.BELOW_TARGET
        case Status.RED:
            return Standing.BELOW_FLOOR
        case Status.NOT_CLEAR if current.value is not None:
            _, better = possible_statuses(item.kpi, current.value, current.volume)
            return Standing.UNCLEAR_AT_TARGET if better is Status.GREEN else Standing.UNCLEAR_AT_FLOOR
        case Status.NOT_CLEAR:
            return Standing.UNCLEAR_AT_TARGET
    return Standing.NO_DATA


@dataclass(frozen=True)
class KpiSets:
    """The partner's KPIs by quarter standing, each tuple in the scorecard's order."""

    met: tuple[KpiQuarter, ...]
    below_target: tuple[KpiQuarter, ...]  # amber
    below_floor: tuple[KpiQuarter, ...]  # red
    unclear_at_target: tuple[KpiQuarter, ...]
    unclear_at_floor: tuple[KpiQuarter, ...]
    no_data: tuple[KpiQuarter, ...]
    kpis: tuple[KpiQuarter, ...]  # all of them

    @property
    def short(self) -> tuple[KpiQuarter, ...]:
        """Below the target for certain: amber, red, and unclear only about the floor. What must
        improve, and what the split of responsibility counts."""
        return self._ordered(self.below_floor, self.below_target, self.unclear_at_floor)

    @property
    def within_floor_or_unclear(self) -> tuple[KpiQuarter, ...]:
        """Below target and not beyond the floor for certain: amber, and unclear only about the floor."""
        return self._ordered(self.below_target, self.unclear_at_floor)

    @property
    def unclear(self) -> tuple[KpiQuarter, ...]:
        return self._ordered(self.unclear_at_target, self.unclear_at_floor)

    @property
    def with_data(self) -> tuple[KpiQuarter, ...]:
        """Every KPI with a quarter value the score weighs (a result too close to call at its value)."""
        chosen = {id(k) for k in self.no_data}
        return tuple(k for k in self.kpis if id(k) not in chosen)

    def _ordered(self, *groups: tuple[KpiQuarter, ...]) -> tuple[KpiQuarter, ...]:
        chosen = {id(k) for group in groups for k in group}
        return tuple(k for k in self.kpis if id(k) in chosen)


def kpi_sets(assessment: PartnerAssessment) -> KpiSets:
    groups: dict[Standing, list[KpiQuarter]] = {s: [] for s in Standing}
    for item in assessment.kpis:
        groups[standing(item)].append(item)
    return KpiSets(*(tuple(groups[s]) for s in Standing), kpis=tuple(assessment.kpis))
