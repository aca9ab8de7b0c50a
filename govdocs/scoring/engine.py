"""Score and decide steps: a partner's quarter, scored, with failures and its escalation status.

`assess_partner` is the one entry point documents use; it returns plain frozen data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import IntEnum

from govdocs.config.model import Controller, GovernanceConfig, Kpi, Partner, Uncertainty
from govdocs.data.table import KpiData, Observation
from govdocs.periods import Month, Quarter, trailing_months
from govdocs.relief import relief_reasons, with_relief
from govdocs.scoring.arrays import ScoredTable, month_status, possible_statuses, scored, unclear_points
from govdocs.scoring.results import MonthResult, QuarterValue, Score, Status, tier_for, weighted_score
from govdocs.scoring.trend import Trend, kpi_trend

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
    failures: int  # red months of a contractual KPI in the quarter, relieved months left out
    longest_red_run: RedRun | None  # longest run of red months touching the quarter (relieved ones end a run)
    trend: Trend  # over the assessment's score-history quarters, ending with this one

    @property
    def relieved(self) -> tuple[MonthResult, ...]:
        """The quarter's red months relieved for a client cause: shown, never a partner failure."""
        return tuple(m for m in self.months if m.status is Status.RED and m.relief is not None)

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
    # Triggers that hold only for some outcomes of results that are not statistically clear: stated,
    # never acted on (they issue no plan and call no review on their own).
    provisional: tuple[str, ...] = ()


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

    @property
    def undelivered(self) -> tuple[tuple[Month, tuple[Kpi, ...]], ...]:
        """The quarter's months the partner sent no data for, each with the KPIs missing: a
        data-delivery finding and next step, never a silent gap under a tier."""
        gaps = []
        for index, month in enumerate(self.quarter.months):
            missing = tuple(k.kpi for k in self.kpis if k.months[index].status is Status.NO_DATA)
            if missing:
                gaps.append((month, missing))
        return tuple(gaps)


def month_results(
    kpi: Kpi,
    series: Mapping[Month, Observation],
    months: list[Month],
    uncertainty: Uncertainty = Uncertainty.BOTH_WAYS,
) -> tuple[MonthResult, ...]:
    results = []
    for month in months:
        obs = series.get(month)
        if obs is None:
            results.append(MonthResult(month, None, None, Status.NO_DATA))
        else:
            status = month_status(kpi, obs.value, obs.volume, uncertainty)
            results.append(MonthResult(month, obs.value, obs.volume, status, obs.source))
    return tuple(results)


def red_runs(kpi_id: str, history: tuple[MonthResult, ...], counts=lambda m: m.failed) -> list[RedRun]:
    """Runs of consecutive red months the partner answers for. A month without a scored status
    ends a run (with no data, too small a sample or an unclear result we cannot say the KPI stayed
    red), and so does a month relieved for a client cause. `counts`: which months make a run."""
    runs: list[RedRun] = []
    start: Month | None = None
    for previous, result in zip((None, *history), history, strict=False):
        if counts(result):
            if start is None:
                start = result.month
        elif start is not None and previous is not None:
            runs.append(RedRun(kpi_id, start, previous.month))
            start = None
    if start is not None:
        runs.append(RedRun(kpi_id, start, history[-1].month))
    return runs


def _kpi_quarter(
    table: ScoredTable,
    partner: Partner,
    base: Kpi,
    quarters: Sequence[Quarter],
    history: tuple[MonthResult, ...],
) -> KpiQuarter:
    """The KPI's quarter (the last of `quarters`, the ones its trend spans), read from the rules
    applied to the whole portfolio (scoring.arrays); `history`: its trailing months to the
    quarter's end, with their relief."""
    quarter = quarters[-1]
    kpi = table.kpi(partner.id, base.id)
    months = history[-3:]
    failures = sum(1 for m in months if m.failed) if kpi.contractual else 0
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
        trend=kpi_trend(kpi, [(q, table.quarter_value(partner.id, kpi.id, q)) for q in quarters]),
    )


def _range(start: Month, end: Month) -> str:
    return start.label if start == end else f"{start.label} – {end.label}"


def may_fail(kpi: Kpi, month: MonthResult) -> bool:
    """An unclear month that may be a partner failure: its 95% interval's worse end is red and no
    client cause relieves it."""
    if month.status is not Status.NOT_CLEAR or month.relief is not None or month.value is None:
        return False
    return possible_statuses(kpi, month.value, month.volume)[0] is Status.RED


def _quarters_words(quarters: Sequence[Quarter]) -> str:
    labels = [q.label for q in quarters]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def _at_risk(
    config: GovernanceConfig, score_history: tuple[tuple[Quarter, Score], ...]
) -> tuple[tuple[Quarter, ...], tuple[Quarter, ...]]:
    """The latest run of `at_risk_quarters` quarters running in the at-risk tier anywhere in the
    score history (the trailing 12 months and more, as the config keeps them): the run that holds
    whatever the unclear results are (the top of each score's range at risk), and the one that
    holds only for some of their outcomes (the bottom of each range at risk, not the top)."""
    ladder, tiers = config.escalation, config.scoring.tiers
    n = ladder.at_risk_quarters

    def at_risk(value: float | None) -> bool:
        return value is not None and tier_for(value, tiers).name == ladder.at_risk_tier

    firm: tuple[Quarter, ...] = ()
    provisional: tuple[Quarter, ...] = ()
    for end in range(n, len(score_history) + 1):
        run = score_history[end - n : end]
        if all(at_risk(s.low) for _, s in run):
            if all(at_risk(s.high) for _, s in run):
                firm = tuple(q for q, _ in run)
            else:
                provisional = tuple(q for q, _ in run)
    return firm, provisional


def _range_note(score: Score) -> str:
    """' (provisional, 16.0–34.0)' after a provisional score; '' after a firm one."""
    return f" (provisional, {score.range_words})" if score.provisional else ""


def decide(
    config: GovernanceConfig,
    kpis: tuple[KpiQuarter, ...],
    score: Score,
    score_history: tuple[tuple[Quarter, Score], ...],
    failures_12m: tuple[Failure, ...],
    quarter: Quarter,
    ended_plans: Sequence[EndedPlan] = (),
) -> Decision:
    """Apply the escalation ladder; the highest level reached wins, with every reason. A trigger
    acts only when it holds whatever the unclear results turn out to be; one that holds only for
    some of their outcomes is stated as provisional and acts on nothing."""
    ladder = config.escalation
    reasons: dict[Escalation, list[str]] = {level: [] for level in Escalation}
    provisional: list[str] = []

    failures = len(failures_12m)
    unclear_failures = sum(1 for k in kpis if k.kpi.contractual for m in k.history if may_fail(k.kpi, m))
    counted_words = (
        f"(red months of contractual KPIs, relieved months left out) in the 12 months to {quarter.last_month.label}"
    )
    allowed = ladder.failures_allowed_12m
    if failures >= allowed:
        reasons[Escalation.OFFBOARDING_REVIEW].append(
            f"{failures} {'failure' if failures == 1 else 'failures'} {counted_words}; {allowed} "
            f"{'triggers' if allowed == 1 else 'trigger'} a review"
        )
    elif failures + unclear_failures >= allowed:
        provisional.append(
            f"{failures} {'failure' if failures == 1 else 'failures'} {counted_words}, {allowed} trigger a review: "
            f"{unclear_failures} more {'month' if unclear_failures == 1 else 'months'} could be red within "
            f"{'its' if unclear_failures == 1 else 'their'} 95% "
            f"{'interval' if unclear_failures == 1 else 'intervals'} (not clear), so the count may reach it"
        )
    firm_run, unclear_run = _at_risk(config, score_history)
    if firm_run:
        reasons[Escalation.OFFBOARDING_REVIEW].append(f"Tier {ladder.at_risk_tier} in {_quarters_words(firm_run)}")
    elif unclear_run:
        provisional.append(
            f"Tier {ladder.at_risk_tier} in {_quarters_words(unclear_run)} only for some outcomes of the results "
            "that are not statistically clear: the score's range reaches above the tier"
        )
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
            continue
        kpi = item.kpi
        possible = [
            r
            for r in red_runs(kpi.id, item.history, lambda m, kpi=kpi: m.failed or may_fail(kpi, m))
            if r.end >= quarter.months[0] and r.length >= ladder.consecutive_red_for_pip
        ]
        if possible:
            run = max(possible, key=lambda r: (r.length, r.end))
            provisional.append(
                f"{kpi.name} may be red {run.length} months running ({_range(run.start, run.end)}): some of these "
                "months are not statistically clear"
            )
    threshold = ladder.pip_score_below
    if score.value is not None and score.high is not None and score.high < threshold:
        reasons[Escalation.PIP].append(
            f"Score {score.value:.1f}{_range_note(score)} is below the improvement-plan threshold of {threshold:g}"
        )
    elif score.value is not None and score.low is not None and score.low < threshold:
        # Fair both ways: a range reaching both sides of the threshold decides nothing, whichever
        # side the score at the measured values falls on.
        provisional.append(
            f"Score {score.value:.1f} (provisional, {score.low:.1f}–{score.high:.1f}) may be below the "
            f"improvement-plan threshold of {threshold:g}: the results that are not statistically clear, counted "
            "as their 95% intervals allow, put it on either side"
        )

    for item in kpis:
        red = [m.month.short_label for m in item.months if m.failed]
        if item.kpi.id in on_plan:
            continue
        if red:
            reasons[Escalation.WATCH].append(f"{item.kpi.name} red in {', '.join(red)} {quarter.year}")
        elif item.current.status is Status.RED and not item.relieved:
            reasons[Escalation.WATCH].append(f"{item.kpi.name} red for the quarter")

    for level in sorted(Escalation, reverse=True):
        if reasons[level]:
            # Lower-level reasons stay visible: they are part of the evidence.
            collected = [r for lvl in sorted(Escalation, reverse=True) if lvl <= level for r in reasons[lvl]]
            return Decision(level, tuple(collected), tuple(provisional))
    return Decision(Escalation.NONE, (), tuple(provisional))


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
    depth = max(history_quarters, config.escalation.at_risk_quarters)
    quarters = [quarter.shift(-i) for i in range(depth - 1, -1, -1)]
    histories = {base.id: table.month_results(partner.id, base.id, window) for base in config.kpis}
    relief = relief_reasons(config, partner, histories)
    kpis = tuple(
        _kpi_quarter(table, partner, base, quarters, with_relief(histories[base.id], relief.get(base.id, {})))
        for base in config.kpis
    )
    unclear = [k for k in kpis if k.current.status is Status.NOT_CLEAR and k.current.value is not None]
    ranges = [
        (k.kpi.weight, *unclear_points(k.kpi, k.current.value, k.current.volume, config.scoring)) for k in unclear
    ]
    score = weighted_score(
        [(k.kpi.weight, k.points) for k in kpis], config.scoring, sum(k.kpi.weight for k in unclear), ranges
    )
    score_history = tuple((q, score if q == quarter else table.score(partner.id, q)) for q in quarters)
    failures = tuple(
        Failure(k.kpi.id, m.month, m.value)
        for k in kpis
        if k.kpi.contractual
        for m in k.history
        if m.failed and m.value is not None
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
