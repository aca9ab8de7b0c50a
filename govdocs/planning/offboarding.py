"""Decide step, offboarding: evidence for leaving, considerations for staying, the contract
clock, transition readiness, and the recommendation with its margin and sensitivity.

The rules, all from `config.offboarding`:
  exit evidence E (0-100) = weighted mean of failures against the allowance (capped at twice
    it), the improvement plan's outcome, 100 minus the latest score, and the direction of
    customer satisfaction;
  stay score S (0-100) = weighted mean of the rated considerations, rating r mapped to
    (r - 1) / 4 x 100; missing ratings are left out and listed, never guessed;
  net = S - E (from S and E at one decimal, as printed), read against the bands retain /
    retain with PIP / prepare exit / exit;
  an exit while transition readiness is below the minimum becomes "prepare exit".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from govdocs.config.model import ChecklistItem, Contract, GovernanceConfig, OffboardingSettings
from govdocs.data.assessment import Assessment, ChecklistStatus
from govdocs.data.table import KpiData
from govdocs.periods import Quarter
from govdocs.planning.pip import Outcome
from govdocs.render.formatters import counted
from govdocs.scoring.engine import PartnerAssessment, RedRun, red_runs
from govdocs.scoring.trend import TrendWord, slope

PIP_EVIDENCE = {  # how strongly a plan's outcome argues for leaving
    Outcome.NOT_MET: 100.0,
    Outcome.PARTLY_MET: 60.0,
    Outcome.NO_DATA: 50.0,
    Outcome.IN_PROGRESS: 50.0,
    Outcome.MET: 0.0,
}
NO_PLAN_EVIDENCE = 50.0  # no plan: neither for nor against
# A fitted slope smaller than these is called flat: a score moving 21 -> 25 -> 25 -> 25 fits
# +1.2 points a quarter, which is no trend a reader would call one.
SCORE_FLAT_BELOW = 2.0  # score points a quarter
# How strongly the satisfaction trend (scoring.trend, one fact) argues for leaving: a move within
# the noise of its samples argues neither way, as a flat one.
SATISFACTION_EVIDENCE = {
    TrendWord.DECLINING: 100.0,
    TrendWord.NOT_CLEAR: 50.0,
    TrendWord.FLAT: 50.0,
    TrendWord.TOO_SHORT: 50.0,
    TrendWord.IMPROVING: 0.0,
}


def checkable(change: float, threshold: float) -> str:
    """A signed change with enough decimals that a reader can compare it with its threshold: −0.47
    against 0.5, not −0.5 (one decimal, up to three)."""
    for decimals in (1, 2, 3):
        shown = round(abs(change), decimals)
        if shown != threshold and (shown < threshold) == (abs(change) < threshold):
            break
    return f"{change:+.{decimals}f}"


def trend_word(change_per_quarter: float, flat_below: float, higher_is_better: bool = True) -> str:
    """'flat', 'improving' or 'declining', from a least-squares slope and the stated threshold."""
    if abs(change_per_quarter) < flat_below:
        return "flat"
    return "improving" if (change_per_quarter > 0) == higher_is_better else "declining"


class Recommendation(StrEnum):
    RETAIN = "retain"
    RETAIN_WITH_PIP = "retain_with_pip"
    PREPARE_EXIT = "prepare_exit"
    EXIT = "exit"

    @property
    def label(self) -> str:
        return {
            "retain": "Retain",
            "retain_with_pip": "Retain with an improvement plan",
            "prepare_exit": "Prepare exit",
            "exit": "Exit",
        }[self.value]


@dataclass(frozen=True)
class EvidenceItem:
    key: str
    label: str
    points: float  # 0-100, higher argues for leaving
    weight: float
    detail: str


@dataclass(frozen=True)
class Evidence:
    items: tuple[EvidenceItem, ...]
    failures: int
    allowed: int
    red_runs: tuple[RedRun, ...]  # longest run per KPI, where there is one
    pip_outcome: Outcome | None
    score_history: tuple[tuple[Quarter, float | None, str], ...]
    score_trend: float | None  # points per quarter, least squares
    satisfaction: tuple[tuple[Quarter, float | None], ...]
    satisfaction_trend: float | None
    volume_share: float | None
    plan_text: str | None = None  # the plan this run issues or follows up, in the summary's words
    # KPIs on which two plans on record ended unmet: no further plan is offered on them, so
    # "retain with an improvement plan" is not a recommendation the assessment can make.
    no_further_plan: tuple[str, ...] = ()

    @property
    def score(self) -> float:
        total = sum(i.weight for i in self.items)
        return sum(i.points * i.weight for i in self.items) / total if total else 0.0


def gather_evidence(
    config: GovernanceConfig,
    data: KpiData,
    assessment: PartnerAssessment,
    portfolio: dict[str, PartnerAssessment],
    pip_outcome: Outcome | None,
    plan_text: str | None = None,  # the run's own words for the plan, when the run knows it
    no_further_plan: tuple[str, ...] = (),
) -> Evidence:
    settings = config.offboarding
    weights = settings.evidence_weights
    allowed = config.escalation.failures_allowed_12m
    failures = len(assessment.failures_12m)
    runs = []
    for item in assessment.kpis:
        found = red_runs(item.kpi.id, item.history)
        if found:
            runs.append(max(found, key=lambda r: (r.length, r.end)))
    # The engine already scored the last quarters; satisfaction is the same quarter rule on one KPI.
    # The tier as every document states it: the tiers the score's range reaches when unclear results decide it.
    history = tuple((q, score.value, score.tier_words) for q, score in assessment.score_history)
    trend = slope([s for _, s, _ in history])
    # Satisfaction's trend is the engine's one fact (scoring.trend), as the QBR and the summary state it.
    sat_item = next((k for k in assessment.kpis if k.kpi.id == settings.satisfaction_kpi), None)
    satisfaction = sat_item.trend.quarters if sat_item else ()
    satisfaction_trend = sat_item.trend.slope if sat_item else None
    share = None
    if settings.volume_kpi:
        index = [k.kpi.id for k in assessment.kpis].index(settings.volume_kpi)
        volumes = {pid: a.kpis[index].current.volume for pid, a in portfolio.items()}
        total = sum(v for v in volumes.values() if v)
        own = volumes.get(assessment.partner.id)
        share = own / total if own and total else None

    latest = assessment.score.value
    sat_points = 50.0
    sat_detail = "no satisfaction KPI configured"
    if sat_item is not None:
        sat, name = sat_item.trend, sat_item.kpi.name
        if sat.slope is None:
            sat_detail = f"{name}: fewer than two quarters with data"
        else:
            sat_points = SATISFACTION_EVIDENCE[sat.word]
            sat_detail = (
                f"{name} {sat.word} ({checkable(sat.slope, sat.flat_below)} per quarter over {sat.fitted} quarters; "
                f"under {sat.flat_below:g} either way counts as flat"
            )
            sat_detail += f"; {sat.noise})" if sat.noise else ")"
    items = (
        EvidenceItem(
            "failures",
            "Failures against the allowance",
            min(failures / allowed, 2.0) / 2 * 100,
            weights.get("failures", 0),
            f"{counted(failures, 'failure')} in 12 months; {allowed} allowed",
        ),
        EvidenceItem(
            "pip_outcome",
            "Improvement-plan outcome",
            NO_PLAN_EVIDENCE if pip_outcome is None else PIP_EVIDENCE[pip_outcome],
            weights.get("pip_outcome", 0),
            plan_text or ("no plan on record" if pip_outcome is None else pip_outcome.label),
        ),
        EvidenceItem(
            "score",
            "Latest score",
            100 - latest if latest is not None else 50.0,
            weights.get("score", 0),
            (
                f"{latest:.1f}"
                + (f" (provisional, {assessment.score.range_words})" if assessment.score.provisional else "")
                + f" in {assessment.quarter.label}"
            )
            if latest is not None
            else "no score",
        ),
        EvidenceItem(
            "satisfaction", "Customer-satisfaction trend", sat_points, weights.get("satisfaction", 0), sat_detail
        ),
    )
    return Evidence(
        items,
        failures,
        allowed,
        tuple(runs),
        pip_outcome,
        history,
        trend,
        satisfaction,
        satisfaction_trend,
        share,
        plan_text,
        no_further_plan,
    )


# --- the considerations for staying --------------------------------------------------------


@dataclass(frozen=True)
class ConsiderationRow:
    key: str
    label: str
    weight: float
    rating: int | None
    comment: str
    evidence: str


def rating_points(rating: int) -> float:
    return (rating - 1) / 4 * 100


def stay_score(rows: list[ConsiderationRow]) -> float | None:
    rated = [r for r in rows if r.rating is not None]
    total = sum(r.weight for r in rated)
    if not rated or total == 0:
        return None
    return sum(rating_points(r.rating) * r.weight for r in rated) / total  # type: ignore[arg-type]


def consideration_rows(settings: OffboardingSettings, assessment: Assessment | None) -> list[ConsiderationRow]:
    rows = []
    for key, item in settings.considerations.items():
        given = assessment.ratings.get(key) if assessment else None
        rows.append(
            ConsiderationRow(
                key,
                item.label,
                item.weight,
                given.rating if given else None,
                (given.comment or "") if given else "",
                (given.evidence or "") if given else "",
            )
        )
    return rows


# --- transition readiness ------------------------------------------------------------------


@dataclass(frozen=True)
class ChecklistRow:
    label: str
    weeks: int
    internal: bool
    status: ChecklistStatus | None  # None: not assessed
    owner: str
    note: str
    start_by: date | None = None  # latest start for the transition to finish by the contract end; None when done
    overdue_days: int = 0  # days the start-by date was already past on the as-of date
    item_id: str = ""  # the checklist item's id in the config
    # Items this one comes after that are not finished, though this one is under way or done: the
    # assessment has it running out of the checklist's order.
    early_before: tuple[str, ...] = ()


@dataclass(frozen=True)
class Readiness:
    rows: tuple[ChecklistRow, ...]
    share_done: float  # of the applicable items
    blockers: tuple[ChecklistRow, ...]
    weeks_needed: int  # the longest chain of open items, each starting when the items it follows finish
    notice_weeks: float
    fits_notice: bool
    chain: tuple[str, ...] = ()  # that chain's labels, first to last
    start_by: date | None = None  # when the chain must start for the transition to end with the contract
    overdue_days: int = 0  # days that start was already past on the as-of date


FINISHED = (ChecklistStatus.DONE, ChecklistStatus.NOT_APPLICABLE)


def _started_early(
    item: ChecklistItem, status: dict[str, ChecklistStatus | None], labels: dict[str, str]
) -> tuple[str, ...]:
    """The labels of the items `item` comes after that are not finished, when `item` is already in
    progress or done (the sequence the readiness dates assume says it cannot have started)."""
    if status[item.id] not in (ChecklistStatus.IN_PROGRESS, ChecklistStatus.DONE):
        return ()
    return tuple(labels[a] for a in item.after if a in labels and status[a] not in FINISHED)


def overdue(start_by: date | None, as_of: date | None) -> int:
    """Days a start-by date is past on the as-of date (0: not past, none, or no date to judge by)."""
    return max((as_of - start_by).days, 0) if start_by is not None and as_of is not None else 0


def readiness(
    settings: OffboardingSettings, assessment: Assessment | None, contract: Contract, as_of: date | None = None
) -> Readiness:
    entries = {item.id: assessment.checklist.get(item.id) if assessment else None for item in settings.checklist}
    status = {i: e.status if e else None for i, e in entries.items()}
    # Open items take their weeks, done and not-applicable ones none; an item starts when every item
    # it comes after has finished. The transition needs the longest such chain, worked back from
    # the contract's end to the latest start of each item.
    remaining = {
        item.id: 0 if status[item.id] in (ChecklistStatus.DONE, ChecklistStatus.NOT_APPLICABLE) else item.weeks
        for item in settings.checklist
    }
    followers = {i.id: [j.id for j in settings.checklist if i.id in j.after] for i in settings.checklist}
    tails: dict[str, int] = {}

    def tail(item: str) -> int:  # weeks from the item's start to the end of the transition
        if item not in tails:
            tails[item] = remaining[item] + max((tail(f) for f in followers[item]), default=0)
        return tails[item]

    weeks = max((tail(i) for i in remaining), default=0)
    chain: list[str] = []
    current = max(remaining, key=tail, default=None)  # the first of the longest, in checklist order
    while current is not None and tail(current) > 0:
        if remaining[current]:
            chain.append(current)
        current = next((f for f in followers[current] if tail(f) == tail(current) - remaining[current]), None)
    labels = {item.id: item.label for item in settings.checklist}
    starts = {
        item.id: None if remaining[item.id] == 0 else contract.end - timedelta(weeks=tail(item.id))
        for item in settings.checklist
    }
    rows = tuple(
        ChecklistRow(
            item.label,
            item.weeks,
            item.internal,
            status[item.id],
            (entry.owner or "") if (entry := entries[item.id]) else "",
            (entry.note or "") if entry else "",
            starts[item.id],
            overdue(starts[item.id], as_of),
            item.id,
            _started_early(item, status, labels),
        )
        for item in settings.checklist
    )
    applicable = [r for r in rows if r.status is not ChecklistStatus.NOT_APPLICABLE]
    done = sum(1 for r in applicable if r.status is ChecklistStatus.DONE)
    notice_weeks = contract.notice_days / 7
    return Readiness(
        rows=rows,
        share_done=done / len(applicable) if applicable else 1.0,
        blockers=tuple(r for r in rows if r.status is ChecklistStatus.BLOCKED),
        weeks_needed=weeks,
        notice_weeks=notice_weeks,
        fits_notice=weeks <= notice_weeks,
        chain=tuple(labels[i] for i in chain),
        start_by=(start := contract.end - timedelta(weeks=weeks) if weeks else None),
        overdue_days=overdue(start, as_of),
    )


# --- the recommendation ------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    recommendation: Recommendation
    net: float | None
    stay: float | None
    exit_evidence: float
    margin: float | None  # net points to the nearest band edge
    readiness_capped: bool  # an exit turned into "prepare exit" for lack of readiness
    sensitivity: str
    # With considerations not rated: the recommendation if every missing one were rated 1, and 5.
    missing_bounds: tuple[Recommendation, Recommendation] | None = None
    # The band the net falls in, before readiness or a closed plan replaced it (None: no net).
    rules_band: Recommendation | None = None

    @property
    def overridden(self) -> bool:
        """The recommendation is not the band the net falls in: the margin belongs to that band."""
        return self.rules_band is not None and self.rules_band is not self.recommendation

    @property
    def provisional(self) -> bool:
        """Some considerations are not rated: the recommendation stands on part of the assessment."""
        return self.missing_bounds is not None


def net_score(stay: float, exit_evidence: float) -> float:
    """Stay minus exit evidence, from the scores as printed (one decimal), so that 'stay 33.8
    against exit evidence 86.2: net −52.4' adds up on paper (from the unrounded scores it read −52.5)."""
    return round(round(stay, 1) - round(exit_evidence, 1), 1)


def band(net: float, settings: OffboardingSettings) -> Recommendation:
    rules = settings.rules
    if net >= rules.retain_from:
        return Recommendation.RETAIN
    if net >= rules.retain_with_pip_from:
        return Recommendation.RETAIN_WITH_PIP
    if net >= rules.prepare_exit_from:
        return Recommendation.PREPARE_EXIT
    return Recommendation.EXIT


def _margin(net: float, settings: OffboardingSettings) -> float:
    rules = settings.rules
    edges = [rules.retain_from, rules.retain_with_pip_from, rules.prepare_exit_from]
    return min(abs(net - edge) for edge in edges)


def _apply_readiness(
    choice: Recommendation, share: float, settings: OffboardingSettings, plan_open: bool = True
) -> tuple[Recommendation, bool]:
    """The band's choice within what is open: no plan after two missed ones on the same KPIs
    (the next band down, preparing an exit), no exit before the checklist allows it."""
    if choice is Recommendation.RETAIN_WITH_PIP and not plan_open:
        choice = Recommendation.PREPARE_EXIT
    if choice is Recommendation.EXIT and share < settings.rules.min_readiness_to_exit:
        return Recommendation.PREPARE_EXIT, True
    return choice, False


def decide(
    settings: OffboardingSettings, rows: list[ConsiderationRow], evidence: Evidence, ready: Readiness
) -> Decision:
    stay = stay_score(rows)
    exit_evidence = evidence.score
    if stay is None:
        return Decision(
            Recommendation.PREPARE_EXIT,
            None,
            None,
            exit_evidence,
            None,
            False,
            "No consideration is rated: the recommendation defaults to preparing an exit until the "
            "assessment is complete.",
        )
    net = net_score(stay, exit_evidence)
    plan_open = not evidence.no_further_plan
    rules_band = band(net, settings)
    choice, capped = _apply_readiness(rules_band, ready.share_done, settings, plan_open)
    return Decision(
        choice,
        net,
        stay,
        exit_evidence,
        _margin(net, settings),
        capped,
        sensitivity_line(settings, rows, evidence, ready, choice),
        _missing_bounds(settings, rows, exit_evidence, ready, plan_open),
        rules_band,
    )


def _missing_bounds(
    settings: OffboardingSettings,
    rows: list[ConsiderationRow],
    exit_evidence: float,
    ready: Readiness,
    plan_open: bool,
) -> tuple[Recommendation, Recommendation] | None:
    """The recommendations the unrated considerations could still give: all rated 1, all rated 5."""
    if all(r.rating is not None for r in rows):
        return None

    def all_rated(value: int) -> Recommendation:
        filled = [
            r if r.rating is not None else ConsiderationRow(r.key, r.label, r.weight, value, "", "") for r in rows
        ]
        stay = stay_score(filled)
        assert stay is not None
        return _apply_readiness(band(net_score(stay, exit_evidence), settings), ready.share_done, settings, plan_open)[
            0
        ]

    return all_rated(1), all_rated(5)


def sensitivity_line(
    settings: OffboardingSettings,
    rows: list[ConsiderationRow],
    evidence: Evidence,
    ready: Readiness,
    current: Recommendation,
) -> str:
    """The single rating change (smallest step first, then the heaviest consideration) that
    would change the recommendation, said in words."""
    best: tuple[int, float, ConsiderationRow, int, Recommendation] | None = None
    for row in rows:
        for value in range(1, 6):
            if value == row.rating:
                continue
            changed = [r if r is not row else ConsiderationRow(r.key, r.label, r.weight, value, "", "") for r in rows]
            stay = stay_score(changed)
            if stay is None:
                continue
            outcome, _ = _apply_readiness(
                band(net_score(stay, evidence.score), settings),
                ready.share_done,
                settings,
                not evidence.no_further_plan,
            )
            if outcome is current:
                continue
            step = abs(value - (row.rating if row.rating is not None else 3))
            key = (step, -row.weight)
            if best is None or key < (best[0], best[1]):
                best = (step, -row.weight, row, value, outcome)
    if best is None:
        return "No single rating, from 1 to 5, would change the recommendation."
    _, _, row, value, outcome = best
    if row.rating is None:
        return (
            f"{row.label} is not rated; a rating of {value} would change the recommendation to {outcome.label.lower()}."
        )
    return (
        f"A rating of {value} instead of {row.rating} on {row.label.lower()} would change the recommendation "
        f"to {outcome.label.lower()}."
    )
