"""Decide step, improvement plans: objectives, glide path, SMART actions, progress and outcome.

`build_plan` turns a partner's assessed quarter into a plan; `plan_progress` and
`plan_outcome` read the data that arrived after the plan started. The outcome is the
one later documents (the offboarding assessment) reuse.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum

from govdocs.config.model import ActionCategory, ActionDriver, Controller, Direction, GovernanceConfig, Kpi, Partner
from govdocs.data.actions import ProposedAction
from govdocs.data.inputs import ActionStatus, ContextKind
from govdocs.data.table import KpiData
from govdocs.errors import ExitCode, GovdocsError, Location, Problem
from govdocs.periods import Month, Quarter
from govdocs.planning.calendar import BusinessCalendar, ScheduledDate, plan_dates
from govdocs.scoring.arrays import month_status
from govdocs.scoring.engine import PartnerAssessment
from govdocs.scoring.results import MonthResult, Status

MIN_ACTION_WORDS = 4  # "Improve service level" is a wish, not a specific action
SUSTAINED_MONTHS = 3  # an improvement counts as sustained over three months, not one good month
DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class AchievableRate:
    """The steepest glide path a plan may ask for: improvement per month, in the KPI's unit."""

    per_month: float
    from_history: bool  # the partner's own best sustained improvement (steeper than the catalogue's, if any)
    span: tuple[Month, Month] | None = None  # the months that improvement ran between


def best_sustained_improvement(kpi: Kpi, months: Sequence[MonthResult]) -> AchievableRate | None:
    """The partner's best average monthly improvement over any `SUSTAINED_MONTHS` months of
    scored data: what it has shown it can sustain. None when it never improved."""
    scored = {m.month: m.value for m in months if m.status.scored and m.value is not None}
    sign = 1 if kpi.direction is Direction.HIGHER else -1
    best: AchievableRate | None = None
    for month, value in scored.items():
        later = scored.get(month.shift(SUSTAINED_MONTHS))
        if later is None:
            continue
        rate = sign * (later - value) / SUSTAINED_MONTHS
        if rate > 0 and (best is None or rate > best.per_month):
            best = AchievableRate(rate, True, (month, month.shift(SUSTAINED_MONTHS)))
    return best


def achievable_rate(kpi: Kpi, months: Sequence[MonthResult]) -> AchievableRate | None:
    """The steeper of what the partner has shown it can sustain and what the KPI's catalogue says
    is achievable; either alone when only one is known; None (not capped) when neither is."""
    own = best_sustained_improvement(kpi, months)
    catalogue = kpi.achievable_monthly_change
    if catalogue is not None and (own is None or catalogue > own.per_month):
        return AchievableRate(catalogue, False)
    return own


@dataclass(frozen=True)
class Objective:
    kpi: Kpi  # with the partner's overrides
    baseline: float  # latest month with a scored value
    baseline_month: Month
    quarter_value: float | None
    reason: str  # why this KPI is in the plan
    rate: AchievableRate | None = None  # the steepest path the plan may ask for (None: not capped)
    goal: float | None = None  # this plan's target when the KPI's target is out of reach at the rate

    @property
    def target(self) -> float:
        """What this plan asks for by its end: the KPI's target, or the stage the rate allows."""
        return self.goal if self.goal is not None else self.kpi.target

    @property
    def split(self) -> bool:
        return self.goal is not None

    @property
    def gap(self) -> float:
        """How far the KPI must move in this plan, positive, in the KPI's unit."""
        return abs(self.target - self.baseline)

    def months_needed(self) -> float | None:
        """Months the KPI's own target needs at the achievable rate (None: not capped, or met)."""
        if self.rate is None or self.meets(self.baseline, self.kpi.target):
            return None
        return abs(self.kpi.target - self.baseline) / self.rate.per_month

    def meets(self, value: float, threshold: float) -> bool:
        return value >= threshold if self.kpi.direction is Direction.HIGHER else value <= threshold

    def expected_on(self, day: date, start: date, final: date) -> float:
        """The glide path: a straight line from the baseline at the start to the target at
        the final review (already at target: the target all along)."""
        if self.meets(self.baseline, self.target):
            return self.target
        share = min(max((day - start).days / max((final - start).days, 1), 0.0), 1.0)
        return self.baseline + (self.target - self.baseline) * share


@dataclass(frozen=True)
class CheckIn:
    number: int  # 1..n; the final review is n + 1
    when: ScheduledDate
    moved_because: str
    reviewed: Month  # the latest month whose data is available by the meeting: what it looks at
    expected: tuple[float, ...]  # per objective, for the reviewed month
    is_final: bool
    # A month of the plan that no earlier meeting reviewed. Without one (fortnightly meetings on
    # monthly data, or a month before the start) the meeting reviews the actions only.
    new_month: bool = True


def review_words(plan: Plan, checkin: CheckIn) -> str:
    """What a meeting reviews, in the words the plan's table and its calendar file both use: the
    latest month whose data has landed by its date when no earlier meeting reviewed it; otherwise
    the actions only, and why (the month precedes the plan, or an earlier meeting reviewed it)."""
    month = checkin.reviewed.label
    if checkin.new_month:
        return f"Reviews {month}, the latest month whose data has landed by then, and the status of every action"
    if checkin.reviewed < Month(plan.start.year, plan.start.month):
        return f"Reviews the actions only: no new month of data ({month}, the latest landed, precedes the plan)"
    earlier = next(c for c in plan.checkins if c.reviewed == checkin.reviewed and c.new_month)
    name = "the final review" if earlier.is_final else f"check-in {earlier.number}"
    return f"Reviews the actions only: no new month of data ({month} was reviewed at {name})"


@dataclass(frozen=True)
class PlanAction:
    ref: str
    objective: str  # KPI id
    category: ActionCategory | None
    action: str
    metric: str
    threshold: str
    owner: str
    due: date
    side: Controller
    source: str  # "action library" or the proposing file
    status: ActionStatus | None
    note: str
    addresses: tuple[ContextKind, ...] = ()  # the kinds of partner context it answers
    driver: ActionDriver | None = None  # where in the records the gap it closes lies (govdocs/gaps.py)


def month_end(month: Month) -> date:
    return month.shift(1).first_day() - timedelta(days=1)


@dataclass(frozen=True)
class Plan:
    partner: Partner
    quarter: Quarter  # the quarter whose results called for the plan
    start: date
    final_review: ScheduledDate
    objectives: tuple[Objective, ...]
    checkins: tuple[CheckIn, ...]  # ends with the final review
    actions: tuple[PlanAction, ...]
    meeting_owner: str
    acknowledge_by: date
    issued: date
    calendar: BusinessCalendar
    duration_days: int  # start to final review, as planned (before a move to a business day)
    standard_days: int  # the configured duration: a longer plan was lengthened to reach a target
    # proposed actions for a programme KPI this plan has no objective for: left out, not refused
    # (an actions file may hold actions for KPIs a later plan will take up); said in the internal copy
    set_aside: tuple[ProposedAction, ...] = ()
    fixed_length: bool = False  # a plan on record, as issued: never lengthened, only staged
    longest_days: int = 0  # the programme's longest plan (pip.max_duration_days) when it was built

    @property
    def lengthened(self) -> bool:
        return self.duration_days > self.standard_days

    @property
    def length_days(self) -> int:
        """Days from the start to the final review as held (after any move to a business day): the
        length every document states."""
        return (self.final_review.day - self.start).days

    @property
    def target_date(self) -> date:
        """The end of the month the final review judges: the glide path reaches the target
        there, so the path and the success rule ask for the same thing."""
        return plan_target_date(self.start, self.final_review.day, self.calendar)

    def expected(self, objective: Objective, month: Month) -> float:
        """The value the glide path expects for `month` (at its end); the baseline before the start."""
        return objective.expected_on(month_end(month), self.start, self.target_date)


class Outcome(StrEnum):
    IN_PROGRESS = "in_progress"
    MET = "met"
    PARTLY_MET = "partly_met"
    NOT_MET = "not_met"
    NO_DATA = "no_data"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


# --- objectives -----------------------------------------------------------------------------


def plan_kpis(assessment: PartnerAssessment, config: GovernanceConfig) -> list[tuple[str, str]]:
    """(KPI id, reason) for each KPI that called for the plan: a red run long enough, else
    red (then amber) quarters when the score alone triggered it. Client-controlled KPIs never."""
    threshold = config.escalation.consecutive_red_for_pip
    eligible = [k for k in assessment.kpis if k.kpi.controlled_by is not Controller.CLIENT]
    chosen = []
    for item in eligible:
        run = item.longest_red_run
        if run is not None and run.length >= threshold:
            span = run.start.label if run.start == run.end else f"{run.start.label} – {run.end.label}"
            chosen.append((item.kpi.id, f"red {run.length} months running ({span})"))
    if chosen:
        return chosen
    for status in (Status.RED, Status.AMBER):
        chosen = [
            (k.kpi.id, f"{status.value} for {assessment.quarter.label}") for k in eligible if k.current.status is status
        ]
        if chosen:
            return chosen
    return []


def build_objectives(
    assessment: PartnerAssessment, config: GovernanceConfig, extra_kpis: Sequence[str]
) -> list[Objective]:
    reasons = dict(plan_kpis(assessment, config))
    for kpi_id in extra_kpis:
        reasons.setdefault(kpi_id, "added to the plan by the vendor manager")
    objectives = []
    for item in assessment.kpis:
        if item.kpi.id not in reasons:
            continue
        scored = [m for m in item.months if m.status.scored and m.value is not None]
        if not scored:
            raise GovdocsError(
                [
                    Problem(
                        "pip.no_baseline",
                        f"KPI '{item.kpi.id}' ({reasons[item.kpi.id]}) has no scored month in {assessment.quarter} "
                        "to set a baseline from",
                        Location("--kpi") if item.kpi.id in extra_kpis else Location("data", column=item.kpi.id),
                        ExitCode.DATA,
                    )
                ]
            )
        latest = scored[-1]
        assert latest.value is not None
        objectives.append(
            Objective(
                item.kpi,
                latest.value,
                latest.month,
                item.current.value,
                reasons[item.kpi.id],
                achievable_rate(item.kpi, item.history),
            )
        )
    return objectives


# --- actions ---------------------------------------------------------------------------------


def _library_actions(
    config: GovernanceConfig, objectives: Sequence[Objective], start: date, final: date, business: BusinessCalendar
) -> list[PlanAction]:
    kpis = {o.kpi.id for o in objectives}
    actions = []
    for template in config.action_library:
        if template.kpi not in kpis:
            continue
        due = min(business.on_or_after(start + timedelta(days=template.due_days)), final)
        actions.append(
            PlanAction(
                template.id,
                template.kpi,
                template.category,
                template.action,
                template.metric,
                template.threshold,
                template.owner,
                due,
                template.side,
                "action library",
                None,
                "",
                tuple(template.addresses),
                template.driver,
            )
        )
    return actions


def smart_problems(
    proposed: ProposedAction,
    objective_ids: Sequence[str] | None,
    start: date | None,
    final: date | None,
    programme_kpis: Collection[str] = (),
) -> list[str]:
    """What keeps one proposed action from being SMART, in the reader's words (the plan's
    objectives by KPI id: the plan's own actions and a partner's returned response alike).
    Without a plan (`objective_ids`, `start` and `final` None: `govdocs validate` before any plan
    is built) the checks that need none: the objective is then checked against `programme_kpis`.
    A field whose cell could not be read was reported already and is not called missing."""
    f = proposed.fields
    unread = proposed.unreadable
    missing = []
    if not f.action:
        if "action" not in unread:
            missing.append("no action text")
    elif len(f.action.split()) < MIN_ACTION_WORDS:
        shown = f.action if len(f.action) <= 60 else f.action[:57] + "..."
        missing.append(f"action text too vague ('{shown}': say what will be done)")
    for name, gap in (("metric", "no metric that measures it"), ("threshold", "no threshold for the metric")):
        if not getattr(f, name) and name not in unread:
            missing.append(gap)
    if not f.owner and "owner" not in unread:
        missing.append("no owner")
    if f.due is None:
        if "due" not in unread:
            missing.append("no due date")
    elif start is not None and final is not None and not start <= f.due <= final:
        missing.append(f"due {f.due.isoformat()} is outside the plan ({start.isoformat()} to {final.isoformat()})")
    if not f.objective:
        if "objective" not in unread:
            missing.append("no objective (KPI id) it serves")
    elif objective_ids is not None and f.objective not in objective_ids:
        from govdocs.errors import did_you_mean

        hint = did_you_mean(f.objective, [*objective_ids, *programme_kpis])
        missing.append(f"objective '{f.objective}' is not an objective of this plan{hint} ({', '.join(objective_ids)})")
    elif objective_ids is None and programme_kpis and f.objective not in programme_kpis:
        from govdocs.errors import did_you_mean

        missing.append(
            f"objective '{f.objective}' is not a KPI of the programme{did_you_mean(f.objective, programme_kpis)}"
        )
    return missing


def not_smart(item: ProposedAction, number: int, issues: Sequence[str]) -> Problem:
    """The one line for an action that is not SMART, at its row (`number`: its place in the file)."""
    name = f"'{item.fields.id}'" if item.fields.id else f"number {number}"
    return Problem("pip.not_smart", f"action {name} is not SMART: {'; '.join(issues)}", item.location, ExitCode.INPUTS)


def for_this_plan(
    proposed: Sequence[ProposedAction], objectives: Sequence[Objective], programme_kpis: Collection[str]
) -> tuple[list[ProposedAction], tuple[ProposedAction, ...]]:
    """The proposals this plan takes, and those it sets aside: an action whose objective is one of
    the programme's KPIs but not an objective of this plan (an actions file kept across quarters).
    An objective that is no KPI of the programme stays, to be refused as a likely typo."""
    planned = {o.kpi.id for o in objectives}
    taken: list[ProposedAction] = []
    aside: list[ProposedAction] = []
    for item in proposed:
        objective = item.fields.objective
        (aside if objective in programme_kpis and objective not in planned else taken).append(item)
    return taken, tuple(aside)


def merge_actions(
    library: list[PlanAction],
    proposed: Sequence[ProposedAction],
    objectives: Sequence[Objective],
    start: date,
    final: date,
    source: str,
) -> list[PlanAction]:
    """Library actions, with the partner's proposals replacing (same id or `replaces`) or
    extending them. Raises with one line per action that is not SMART. (Proposals for a KPI the
    plan has no objective for are taken out before: `for_this_plan`.)"""
    problems = []
    accepted: list[PlanAction] = []
    replaced: set[str] = set()
    for number, item in enumerate(proposed, start=1):
        f = item.fields
        issues = smart_problems(item, [o.kpi.id for o in objectives], start, final)
        if issues:
            problems.append(not_smart(item, number, issues))
            continue
        assert f.action and f.metric and f.threshold and f.owner and f.due and f.objective
        ref = f.id or f"P{number}"
        replaced.update(x for x in (f.replaces, f.id) if x)
        accepted.append(
            PlanAction(
                ref,
                f.objective,
                f.category,
                f.action,
                f.metric,
                f.threshold,
                f.owner,
                f.due,
                f.side,
                source,
                f.status,
                f.note or "",
                f.addresses,
                f.driver,
            )
        )
    if problems:
        raise GovdocsError(problems)
    return [a for a in library if a.ref not in replaced] + accepted


def require_actions_per_objective(
    objectives: Sequence[Objective], actions: Sequence[PlanAction], where: Location
) -> None:
    served = {a.objective for a in actions if a.side is not Controller.CLIENT}
    missing = [o for o in objectives if o.kpi.id not in served]
    if missing:
        raise GovdocsError(
            [
                Problem(
                    "pip.objective_without_action",
                    f"objective '{o.kpi.id}' ({o.kpi.name}) has no partner action: add one to the actions file "
                    "or to action_library in the config",
                    where,
                    ExitCode.INPUTS,
                )
                for o in missing
            ]
        )


# --- the plan --------------------------------------------------------------------------------


def plan_target_date(start: date, final_review: date, business: BusinessCalendar) -> date:
    """The end of the month the final review judges (the latest whose data is available by then):
    where the glide path reaches the target."""
    return max(month_end(business.latest_available(final_review)), start + timedelta(days=1))


def fit_to_rate(
    objectives: Sequence[Objective], start: date, standard: int, longest: int, business: BusinessCalendar
) -> tuple[int, list[Objective]]:
    """The plan's length and objectives under the achievable rates: the configured duration when
    every target is reachable in it; else the shortest length up to `longest` in which all are;
    else `longest`, with each target still out of reach split: the plan asks for what the rate
    allows by its end, rounded towards the baseline so it never asks for more."""

    @functools.cache  # each length is tried for every objective
    def months(duration: int) -> float:
        final = business.on_or_after(start + timedelta(days=duration))
        return (plan_target_date(start, final, business) - start).days / DAYS_PER_MONTH

    def reachable(objective: Objective, duration: int) -> bool:
        needed = objective.months_needed()
        return needed is None or needed <= months(duration) + 1e-9

    duration = next(
        (d for d in range(standard, max(longest, standard) + 1) if all(reachable(o, d) for o in objectives)), None
    )
    if duration is not None:
        return duration, list(objectives)
    duration = max(longest, standard)
    fitted = []
    for objective in objectives:
        if reachable(objective, duration):
            fitted.append(objective)
            continue
        assert objective.rate is not None
        sign = 1 if objective.kpi.direction is Direction.HIGHER else -1
        scale = 10**objective.kpi.decimals
        raw = objective.baseline + sign * objective.rate.per_month * months(duration)
        goal = (math.floor if sign > 0 else math.ceil)(raw * scale) / scale
        fitted.append(replace(objective, goal=goal))
    return duration, fitted


def build_plan(
    *,
    config: GovernanceConfig,
    assessment: PartnerAssessment,
    issued: date,
    start: date | None,
    proposed: Sequence[ProposedAction] = (),
    proposed_source: str = "",
    extra_kpis: Sequence[str] = (),
    library_location: Location | None = None,
    with_actions: bool = True,
    final_review: date | None = None,
) -> Plan:
    """The plan for a partner's assessed quarter. `with_actions=False` gives the objectives and
    dates alone: enough to judge the outcome of a plan issued earlier. `final_review`: the date a
    plan on record was issued with (default: the length the achievable rates call for)."""
    settings = config.pip
    first_year = min(issued.year, start.year if start else issued.year)
    business = BusinessCalendar.from_settings(settings, range(first_year - 1, first_year + 3))
    start = business.on_or_after(start) if start else business.next_after(issued)
    # A plan rendered after its start (to show progress) was issued before it started.
    issued = min(issued, business.previous_before(start))
    objectives = build_objectives(assessment, config, extra_kpis)
    if not objectives:
        raise GovdocsError(
            [
                Problem(
                    "pip.no_objective",
                    f"nothing calls for a plan for '{assessment.partner.id}' in "
                    f"{assessment.quarter}; name a KPI with --kpi to make one anyway",
                    Location("--partner"),
                    ExitCode.USAGE,
                )
            ]
        )
    standard = settings.duration_days
    if final_review is not None:  # a plan on record, as issued: its length is fixed, and its standard
        standard = (final_review - start).days
        duration, objectives = fit_to_rate(objectives, start, standard, standard, business)
    else:
        duration, objectives = fit_to_rate(
            objectives, start, settings.duration_days, settings.max_duration_days, business
        )
    dates, final = plan_dates(start, settings, business, duration)
    target_date = plan_target_date(start, final.day, business)
    checkins = [
        CheckIn(
            n,
            when,
            business.why_not(when.planned) if when.moved else "",
            (reviewed := business.latest_available(when.day)),
            tuple(o.expected_on(month_end(reviewed), start, target_date) for o in objectives),
            n == len(dates) + 1,
        )
        for n, when in enumerate([*dates, final], start=1)
    ]
    first = Month(start.year, start.month)
    checkins = [
        replace(
            c,
            # The final review decides the plan on its last months, whoever saw them first.
            new_month=c.is_final or (c.reviewed >= first and all(e.reviewed != c.reviewed for e in checkins[:i])),
        )
        for i, c in enumerate(checkins)
    ]
    actions: list[PlanAction] = []
    set_aside: tuple[ProposedAction, ...] = ()
    if with_actions:
        library = _library_actions(config, objectives, start, final.day, business)
        proposed, set_aside = for_this_plan(proposed, objectives, {k.id for k in config.kpis})
        actions = merge_actions(library, proposed, objectives, start, final.day, proposed_source)
        where = (
            Location(proposed_source)
            if proposed_source
            else library_location or Location("config", path="action_library")
        )
        require_actions_per_objective(objectives, actions, where)
    partner = assessment.partner
    owner = settings.meeting_owner or next(
        (c.name for c in partner.contacts if c.side is Controller.CLIENT), config.client.name
    )
    return Plan(
        partner=partner,
        quarter=assessment.quarter,
        start=start,
        final_review=final,
        objectives=tuple(objectives),
        checkins=tuple(checkins),
        actions=tuple(sorted(actions, key=lambda a: (a.side is Controller.CLIENT, a.objective, a.due, a.ref))),
        meeting_owner=owner,
        acknowledge_by=business.add_business_days(issued, settings.acknowledge_business_days),
        issued=issued,
        calendar=business,
        duration_days=duration,
        standard_days=standard,
        set_aside=set_aside,
        fixed_length=final_review is not None,
        longest_days=max(settings.max_duration_days, settings.duration_days),
    )


# --- progress and outcome ------------------------------------------------------------------


@dataclass(frozen=True)
class ProgressCell:
    month: Month | None  # the month the check-in reviews
    actual: float | None
    expected: float
    status: str  # "on_track", "off_track", "no_data", "insufficient_sample", "before_plan"


@dataclass(frozen=True)
class ProgressRow:
    checkin: CheckIn
    cells: tuple[ProgressCell, ...]


def plan_progress(plan: Plan, data: KpiData, as_of: date) -> tuple[ProgressRow, ...]:
    """Actual against expected at every check-in held by `as_of`: the month each check-in reviews
    (the latest whose data is available by then), against the glide path at that month's end."""
    rows = []
    for checkin in plan.checkins:
        if checkin.when.day > as_of:
            break
        month = checkin.reviewed
        cells = []
        for objective, expected in zip(plan.objectives, checkin.expected, strict=True):
            obs = data.series(plan.partner.id, objective.kpi.id).get(month)
            if obs is None:
                cells.append(ProgressCell(month, None, expected, "no_data"))
                continue
            if month < Month(plan.start.year, plan.start.month):
                cells.append(ProgressCell(month, obs.value, expected, "before_plan"))
                continue
            if month_status(objective.kpi, obs.value, obs.volume) is Status.INSUFFICIENT:
                cells.append(ProgressCell(month, obs.value, expected, "insufficient_sample"))
                continue
            state = "on_track" if objective.meets(obs.value, expected) else "off_track"
            cells.append(ProgressCell(month, obs.value, expected, state))
        rows.append(ProgressRow(checkin, tuple(cells)))
    return tuple(rows)


@dataclass(frozen=True)
class ObjectiveResult:
    kpi_id: str
    met: bool | None  # None: no scored data for the months that decide
    months: tuple[tuple[Month, float | None], ...]
    # The KPI's own (contract) target on the same months: the same as `met` unless the plan asked
    # for an interim stage of it; None when undecided.
    contract_met: bool | None = None


def _judged(verdicts: Sequence[bool | None]) -> bool | None:
    """All months meet: True; a measured miss: False (whatever the other months say); else None."""
    if any(v is False for v in verdicts):
        return False
    return None if any(v is None for v in verdicts) else True


@dataclass(frozen=True)
class PlanResult:
    outcome: Outcome
    objectives: tuple[ObjectiveResult, ...]
    decided_on: tuple[Month, ...]  # the months the outcome rests on


def plan_outcome(plan: Plan, data: KpiData, as_of: date, sustain_months: int) -> PlanResult:
    """Met when every objective meets its target in each of the `sustain_months` months up to the
    one the final review judges (the latest whose data is available by its date); not met when none
    does; partly met otherwise. Months without data or with a low sample decide nothing: an
    objective with no such month is left open."""
    if as_of < plan.final_review.day:
        return PlanResult(Outcome.IN_PROGRESS, (), ())
    last = plan.calendar.latest_available(plan.final_review.day)  # the month the final review judges
    months = tuple(last.shift(-i) for i in range(sustain_months - 1, -1, -1))
    results = []
    for objective in plan.objectives:
        series = data.series(plan.partner.id, objective.kpi.id)
        values = []
        verdicts: list[bool | None] = []
        contract: list[bool | None] = []
        for month in months:
            obs = series.get(month)
            usable = obs is not None and month_status(objective.kpi, obs.value, obs.volume).scored
            values.append((month, obs.value if obs else None))
            verdicts.append(objective.meets(obs.value, objective.target) if usable and obs else None)
            contract.append(objective.meets(obs.value, objective.kpi.target) if usable and obs else None)
        results.append(ObjectiveResult(objective.kpi.id, _judged(verdicts), tuple(values), _judged(contract)))
    decided = [r.met for r in results if r.met is not None]
    if not decided:
        outcome = Outcome.NO_DATA
    elif all(decided) and len(decided) == len(results):
        outcome = Outcome.MET
    elif not any(decided):
        outcome = Outcome.NOT_MET
    else:
        outcome = Outcome.PARTLY_MET
    return PlanResult(outcome, tuple(results), months)
