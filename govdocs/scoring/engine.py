"""Score and decide steps: a partner's quarter, scored, with failures and its escalation status.

`assess_partner` is the one entry point documents use; it returns plain frozen data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import IntEnum

from govdocs.config.model import Controller, GovernanceConfig, Kpi, Partner
from govdocs.data.table import KpiData, Observation
from govdocs.periods import Month, Quarter, trailing_months
from govdocs.scoring.arrays import ScoredTable, scored
from govdocs.scoring.rules import MonthResult, QuarterValue, Score, Status, month_status, weighted_score

HISTORY_MONTHS = 12


class Escalation(IntEnum):
    """Ordered: a higher level supersedes a lower one."""

    NONE = 0
    WATCH = 1
    PIP = 2
    OFFBOARDING_REVIEW = 3

    @property
    def label(self) -> str:
        return {0: "None", 1: "Watch", 2: "Performance-improvement plan", 3: "Offboarding review"}[self.value]

    @property
    def slug(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class RedRun:
    kpi_id: str
    start: Month
    end: Month

    @property
    def length(self) -> int:
        return self.end.index - self.start.index + 1


@dataclass(frozen=True)
class KpiQuarter:
    kpi: Kpi  # with the partner's overrides applied
    months: tuple[MonthResult, ...]  # the quarter's three months
    history: tuple[MonthResult, ...]  # trailing 12 months to the quarter end
    current: QuarterValue
    previous: QuarterValue
    points: float | None
    failures: int  # red months of a contractual KPI in the quarter
    longest_red_run: RedRun | None  # longest run of red months touching the quarter

    @property
    def change(self) -> float | None:
        if self.current.value is None or self.previous.value is None:
            return None
        return self.current.value - self.previous.value

    @property
    def improved(self) -> bool | None:
        """True when the change moved towards the target direction."""
        if self.change is None or self.change == 0:
            return None
        return (self.change > 0) == (self.kpi.direction.value == "higher_is_better")


@dataclass(frozen=True)
class Failure:
    kpi_id: str
    month: Month
    value: float


@dataclass(frozen=True)
class EndedPlan:
    """An improvement plan on record that ended with its targets unmet: an offboarding-review reason."""

    quarter: Quarter  # the quarter whose results called for it
    final_review: date
    outcome: str  # "not met", "partly met"


@dataclass(frozen=True)
class Decision:
    level: Escalation
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class PartnerAssessment:
    partner: Partner
    quarter: Quarter
    kpis: tuple[KpiQuarter, ...]
    score: Score
    previous_score: Score
    score_history: tuple[tuple[Quarter, Score], ...]  # oldest first, ending with `quarter`
    failures_12m: tuple[Failure, ...]
    failures_allowed_12m: int
    decision: Decision

    @property
    def score_change(self) -> float | None:
        if self.score.value is None or self.previous_score.value is None:
            return None
        return round(self.score.value - self.previous_score.value, 1)

    @property
    def failures_in_quarter(self) -> int:
        return sum(k.failures for k in self.kpis)


def month_results(kpi: Kpi, series: Mapping[Month, Observation], months: list[Month]) -> tuple[MonthResult, ...]:
    results = []
    for month in months:
        obs = series.get(month)
        if obs is None:
            results.append(MonthResult(month, None, None, Status.NO_DATA))
        else:
            status = month_status(kpi, obs.value, obs.volume)
            results.append(MonthResult(month, obs.value, obs.volume, status, obs.source))
    return tuple(results)


def red_runs(kpi_id: str, history: tuple[MonthResult, ...]) -> list[RedRun]:
    """Runs of consecutive red months. A month without a scored status ends a run:
    with no data or too small a sample we cannot say the KPI stayed red."""
    runs: list[RedRun] = []
    start: Month | None = None
    for previous, result in zip((None, *history), history, strict=False):
        if result.status is Status.RED:
            if start is None:
                start = result.month
        elif start is not None and previous is not None:
            runs.append(RedRun(kpi_id, start, previous.month))
            start = None
    if start is not None:
        runs.append(RedRun(kpi_id, start, history[-1].month))
    return runs


def _kpi_quarter(table: ScoredTable, partner: Partner, base: Kpi, quarter: Quarter, window: list[Month]) -> KpiQuarter:
    """The KPI's quarter, read from the rules applied to the whole portfolio (scoring.arrays);
    `window`: the trailing months to the quarter's end."""
    kpi = table.kpi(partner.id, base.id)
    history = table.month_results(partner.id, kpi.id, window)
    months = history[-3:]
    failures = sum(1 for m in months if m.status is Status.RED) if kpi.contractual else 0
    touching = [r for r in red_runs(kpi.id, history) if r.end >= quarter.months[0]]
    longest = max(touching, key=lambda r: (r.length, r.end), default=None)
    return KpiQuarter(
        kpi=kpi,
        months=months,
        history=history,
        current=table.quarter_value(partner.id, kpi.id, quarter),
        previous=table.quarter_value(partner.id, kpi.id, quarter.previous()),
        points=table.points(partner.id, kpi.id, quarter),
        failures=failures,
        longest_red_run=longest,
    )


def _range(start: Month, end: Month) -> str:
    return start.label if start == end else f"{start.label} – {end.label}"


def decide(
    config: GovernanceConfig,
    kpis: tuple[KpiQuarter, ...],
    score: Score,
    score_history: tuple[tuple[Quarter, Score], ...],
    failures_12m: tuple[Failure, ...],
    quarter: Quarter,
    ended_plans: Sequence[EndedPlan] = (),
) -> Decision:
    """Apply the escalation ladder; the highest level reached wins, with every reason."""
    ladder = config.escalation
    reasons: dict[Escalation, list[str]] = {level: [] for level in Escalation}

    if len(failures_12m) >= ladder.failures_allowed_12m:
        reasons[Escalation.OFFBOARDING_REVIEW].append(
            f"{len(failures_12m)} {'failure' if len(failures_12m) == 1 else 'failures'} (red months of contractual "
            f"KPIs) in the 12 months to {quarter.last_month.label}; {ladder.failures_allowed_12m} "
            f"{'triggers' if ladder.failures_allowed_12m == 1 else 'trigger'} a review"
        )
    recent = score_history[-ladder.at_risk_quarters :]
    if len(recent) == ladder.at_risk_quarters and all(
        s.tier is not None and s.tier.name == ladder.at_risk_tier for _, s in recent
    ):
        labels = [q.label for q, _ in recent]
        quarters = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
        reasons[Escalation.OFFBOARDING_REVIEW].append(f"Tier {ladder.at_risk_tier} in {quarters}")
    for plan in ended_plans:
        day = plan.final_review
        reasons[Escalation.OFFBOARDING_REVIEW].append(
            f"The improvement plan after the {plan.quarter.label} review ended with its targets {plan.outcome} at "
            f"its final review on {day.day} {day:%B %Y}"
        )

    on_plan: set[str] = set()  # KPIs already cited, with their run, as a reason for a plan
    for item in kpis:
        run = item.longest_red_run
        # A KPI the client controls never puts the partner on a plan: they cannot move it.
        if item.kpi.controlled_by is Controller.CLIENT:
            continue
        if run is not None and run.length >= ladder.consecutive_red_for_pip:
            on_plan.add(item.kpi.id)
            reasons[Escalation.PIP].append(
                f"{item.kpi.name} red {run.length} months running ({_range(run.start, run.end)})"
            )
    if score.value is not None and score.value < ladder.pip_score_below:
        reasons[Escalation.PIP].append(
            f"Score {score.value:.1f} is below the improvement-plan threshold of {ladder.pip_score_below:g}"
        )

    for item in kpis:
        red = [m.month.short_label for m in item.months if m.status is Status.RED]
        if item.kpi.id in on_plan:
            continue
        if red:
            reasons[Escalation.WATCH].append(f"{item.kpi.name} red in {', '.join(red)} {quarter.year}")
        elif item.current.status is Status.RED:
            reasons[Escalation.WATCH].append(f"{item.kpi.name} red for the quarter")

    for level in sorted(Escalation, reverse=True):
        if reasons[level]:
            # Lower-level reasons stay visible: they are part of the evidence.
            collected = [r for lvl in sorted(Escalation, reverse=True) if lvl <= level for r in reasons[lvl]]
            return Decision(level, tuple(collected))
    return Decision(Escalation.NONE, ())


def assess_partner(
    config: GovernanceConfig,
    data: KpiData,
    partner: Partner,
    quarter: Quarter,
    history_quarters: int = 4,
    ended_plans: Sequence[EndedPlan] = (),
) -> PartnerAssessment:
    """The partner's quarter. `ended_plans`: its plans on record that ended unmet in the 12 months
    before the run (govdocs.planning.history works them out); without them the ladder reads the
    KPI data alone, as for the quarter that called for a plan."""
    table, window = scored(config, data), trailing_months(quarter.last_month, HISTORY_MONTHS)
    kpis = tuple(_kpi_quarter(table, partner, base, quarter, window) for base in config.kpis)
    unclear = sum(k.kpi.weight for k in kpis if k.current.status is Status.NOT_CLEAR)
    score = weighted_score([(k.kpi.weight, k.points) for k in kpis], config.scoring, unclear)
    depth = max(history_quarters, config.escalation.at_risk_quarters)
    score_history = tuple(
        (q, score if q == quarter else table.score(partner.id, q))
        for q in (quarter.shift(-i) for i in range(depth - 1, -1, -1))
    )
    failures = tuple(
        Failure(k.kpi.id, m.month, m.value)
        for k in kpis
        if k.kpi.contractual
        for m in k.history
        if m.status is Status.RED and m.value is not None
    )
    decision = decide(config, kpis, score, score_history, failures, quarter, ended_plans)
    return PartnerAssessment(
        partner=partner,
        quarter=quarter,
        kpis=kpis,
        score=score,
        previous_score=score_history[-2][1],
        score_history=score_history,
        failures_12m=failures,
        failures_allowed_12m=config.escalation.failures_allowed_12m,
        decision=decision,
    )
