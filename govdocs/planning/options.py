"""Decide step, the options: what the client can do about a partner, each with its cost and dates.

Five options, from the same facts the rest of the assessment states (the contract clock, the exit
costs, the transition readiness, the plans on record):
  renew               keep the partner for another term (an automatic renewal, or a new agreement);
  retain under a plan keep the partner to the contract's end under the plan this run issues or follows;
  let lapse           give notice by the deadline (or sign nothing) and end with the contract;
  end for convenience give notice now and end when the notice period runs out, paying the termination fee;
  end for cause       where the contract's cause conditions are met, end on the clause's notice, no fee.
Fees are counted from the as-of date to the day each option ends the partner's service, at the
contract's annual value a day (annual value × days / 365), each amount rounded once to the
currency's minor unit, as the exit costs are.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from govdocs.commercial import CreditStatement, as_decimal, minor_unit, round_money
from govdocs.config.model import CauseConditions
from govdocs.exit_cost import ExitCost
from govdocs.periods import Month
from govdocs.planning.calendar import add_months
from govdocs.planning.contract import Clock
from govdocs.planning.history import PlanOnRecord
from govdocs.planning.offboarding import Readiness, Recommendation
from govdocs.render.formatters import long_date
from govdocs.scoring.engine import Failure


class OptionKind(StrEnum):
    RENEW = "renew"
    PLAN = "plan"
    LAPSE = "lapse"
    CONVENIENCE = "convenience"
    CAUSE = "cause"

    @property
    def label(self) -> str:
        return {
            "renew": "Renew",
            "plan": "Retain under a plan",
            "lapse": "Let the contract lapse",
            "convenience": "End early for convenience",
            "cause": "End for cause",
        }[self.value]

    @property
    def leaves(self) -> bool:
        return self in (OptionKind.LAPSE, OptionKind.CONVENIENCE, OptionKind.CAUSE)


@dataclass(frozen=True)
class CauseCondition:
    """One condition of the termination-for-cause clause, tested against the data."""

    text: str  # the condition, in the config's terms
    met: bool
    detail: str  # what the data shows


@dataclass(frozen=True)
class CauseTest:
    conditions: tuple[CauseCondition, ...]
    notice_days: int

    @property
    def met(self) -> bool:
        return any(c.met for c in self.conditions)


def cause_test(
    conditions: CauseConditions | None,
    failures_12m: tuple[Failure, ...],
    kpi_names: dict[str, str],
    record: tuple[PlanOnRecord, ...],
    months: tuple[Month, Month],  # the first and the last month of the 12 the failures count
    as_of: date,
) -> CauseTest | None:
    """The contract's cause conditions against the run's facts (None: the config states none)."""
    if conditions is None:
        return None
    tests = []
    if conditions.sla_red_months is not None:
        counts = Counter(f.kpi_id for f in failures_12m)
        worst = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        reaching = [(k, n) for k, n in worst if n >= conditions.sla_red_months]
        span = f"{months[0].label} – {months[1].label}"
        if reaching:
            detail = ", ".join(f"{kpi_names[k]} red in {n} months" for k, n in reaching) + f" ({span})"
        elif worst:
            k, n = worst[0]
            detail = f"at most {n} red months of one SLA ({kpi_names[k]}, {span})"
        else:
            detail = f"no contractual SLA red in {span}"
        tests.append(
            CauseCondition(
                f"a contractual SLA red in {conditions.sla_red_months} or more of the last 12 months",
                bool(reaching),
                detail,
            )
        )
    if conditions.plan_unmet:
        ended = [p for p in record if p.unmet and p.plan.final_review.day <= as_of]
        detail = (
            "; ".join(
                f"the {p.quarter.label} plan ended {p.outcome.label.lower()} on {_day(p.plan.final_review.day)}"
                for p in ended
            )
            if ended
            else "no plan on record ended with a target unmet"
        )
        tests.append(CauseCondition("an improvement plan ended with a target unmet", bool(ended), detail))
    return CauseTest(tuple(tests), conditions.notice_days)


def _day(value: date) -> str:
    return long_date(value)


@dataclass(frozen=True)
class Option:
    kind: OptionKind
    available: bool
    why_not: str  # why the option is not open ("" when it is)
    notice_by: date | None  # the day notice must be given by (None: none to give)
    ends_on: date | None  # the partner's last day of service under the option
    fees: Decimal | None  # fees from the as-of date to `ends_on` (None: the contract states no value)
    fee_days: int  # the days those fees cover
    termination_fee: Decimal | None  # None: not stated in the exit terms
    transition: Decimal | None  # the transition items without the parallel run (None: no exit terms)
    parallel_run: Decimal | None
    # A transition started on the as-of date ends this many days after `ends_on` (0: it fits).
    transition_overrun_days: int = 0
    plan_final_review: date | None = None  # the plan option: the plan's final review

    @property
    def incomplete(self) -> bool:
        """Some amount the option costs is not stated (no exit terms, no annual value): the total leaves it out."""
        if self.fees is None:
            return True
        return self.kind.leaves and None in (self.transition, self.parallel_run, self.termination_fee)

    @property
    def total(self) -> Decimal:
        """What the option costs from the as-of date: the stated amounts added (a missing one counts nothing)."""
        parts = (self.fees, self.termination_fee, self.transition, self.parallel_run)
        return sum((p for p in parts if p is not None), Decimal(0))


@dataclass(frozen=True)
class Options:
    options: tuple[Option, ...]
    cause: CauseTest | None
    cause_text: str | None  # the clause as the contract words it
    recommended: OptionKind  # the option the recommendation points to
    decide_by: date  # the one date the decision is needed by
    decide_by_reason: str  # "notice" or "transition": which date sets it
    transition_weeks: int
    credits_12m: Decimal | None  # owed by the partner over the last 12 months, the same in every option
    credits_open: Decimal
    currency: str

    def get(self, kind: OptionKind) -> Option:
        return next(o for o in self.options if o.kind is kind)


def _fees(annual: float | None, days: int, quantum: Decimal) -> Decimal | None:
    if annual is None:
        return None
    return round_money(as_decimal(annual) * max(days, 0) / 365, quantum)


def decision_options(
    clock: Clock,
    cost: ExitCost | None,
    credits: CreditStatement | None,
    ready: Readiness,
    cause: CauseTest | None,
    recommendation: Recommendation,
    plan_final_review: date | None,  # the plan this run issues or follows (None: no plan)
    no_further_plan: tuple[str, ...],
    as_of: date,
) -> Options:
    quantum = cost.quantum if cost else minor_unit(clock.currency)
    annual = clock.annual_value
    transition = cost.transition if cost else None
    parallel = cost.parallel_run if cost else None
    fee = cost.termination_fee if cost else None
    needed = timedelta(weeks=ready.weeks_needed)

    def overrun(ends: date) -> int:
        return max((as_of + needed - ends).days, 0)

    to_end = (clock.end - as_of).days
    options = []
    # Renew: without notice an automatic renewal; otherwise a new agreement for the renewal term.
    renewed_end = clock.locked_until if clock.locked_until is not None else _add_term(clock)
    renewal = (
        cost.renewal_commitment
        if cost and cost.renewal_commitment is not None
        else (None if annual is None else round_money(as_decimal(annual) * clock.renewal_months / 12, quantum))
    )
    renew_fees = None if annual is None else (_fees(annual, to_end, quantum) or Decimal(0)) + (renewal or Decimal(0))
    options.append(
        Option(
            OptionKind.RENEW,
            True,
            "",
            None,
            renewed_end,
            renew_fees,
            (renewed_end - as_of).days,
            Decimal(0),
            Decimal(0),
            Decimal(0),
        )
    )
    # Retain under a plan: to the contract's end; renewal is still decided by the notice deadline.
    plan_why = ""
    if no_further_plan:
        plan_why = f"two plans on {', '.join(no_further_plan)} ended with targets unmet: no further plan is offered"
    # A plan whose final review falls after the notice deadline of a contract that renews itself
    # keeps the partner past the deadline: without notice the contract renews, so the option costs
    # what renewing does.
    renews = (
        clock.auto_renew
        and not clock.passed
        and plan_final_review is not None
        and plan_final_review > clock.notice_deadline
    )
    options.append(
        Option(
            OptionKind.PLAN,
            not plan_why,
            plan_why,
            None,
            renewed_end if renews else clock.end,
            renew_fees if renews else _fees(annual, to_end, quantum),
            (renewed_end - as_of).days if renews else to_end,
            Decimal(0),
            Decimal(0),
            Decimal(0),
            plan_final_review=plan_final_review,
        )
    )
    # Let lapse: notice by the deadline (auto-renewal), or nothing to sign; ends with the contract.
    lapse_why = ""
    if clock.auto_renew and clock.passed:
        passed, renews_to = _day(clock.notice_deadline), _day(clock.term_end)
        lapse_why = f"the notice deadline passed on {passed}: the contract renews to {renews_to}"
    options.append(
        Option(
            OptionKind.LAPSE,
            not lapse_why,
            lapse_why,
            clock.notice_deadline if clock.auto_renew else None,
            clock.term_end if lapse_why else clock.end,
            _fees(annual, (clock.term_end - as_of).days, quantum),
            (clock.term_end - as_of).days,
            Decimal(0),
            transition,
            parallel,
            overrun(clock.term_end),
        )
    )
    # End early for convenience: notice now, the service ends when the notice period runs out.
    early_end = as_of + timedelta(days=clock.notice_days)
    convenience_why = ""
    if early_end >= clock.term_end:
        convenience_why = (
            f"notice given on {_day(as_of)} runs to {_day(early_end)}, not before the contract ends on "
            f"{_day(clock.term_end)}"
        )
    options.append(
        Option(
            OptionKind.CONVENIENCE,
            not convenience_why,
            convenience_why,
            as_of,
            early_end,
            _fees(annual, clock.notice_days, quantum),
            clock.notice_days,
            fee,
            transition,
            parallel,
            overrun(early_end),
        )
    )
    # End for cause: where the conditions hold, on the clause's notice and without the fee.
    if cause is None:
        cause_why = (
            "the contract's cause conditions are not stated in the config, so the data cannot test them"
            if clock.termination_for_cause
            else "the contract states no termination for cause"
        )
        cause_days = None
    else:
        cause_days = cause.notice_days
        cause_why = "" if cause.met else "none of the contract's conditions is met"
    cause_end = as_of + timedelta(days=cause_days) if cause_days is not None else None
    options.append(
        Option(
            OptionKind.CAUSE,
            not cause_why,
            cause_why,
            as_of if cause_end else None,
            cause_end,
            _fees(annual, cause_days, quantum) if cause_days is not None else None,
            cause_days or 0,
            Decimal(0) if cause_end else None,
            transition if cause_end else None,
            parallel if cause_end else None,
            overrun(cause_end) if cause_end else 0,
        )
    )
    recommended = {
        Recommendation.RETAIN: OptionKind.RENEW,
        Recommendation.RETAIN_WITH_PIP: OptionKind.PLAN,
        Recommendation.PREPARE_EXIT: OptionKind.LAPSE,
        Recommendation.EXIT: OptionKind.LAPSE,
    }[recommendation]
    by_kind = {o.kind: o for o in options}
    if not by_kind[recommended].available:
        recommended = next(
            k
            for k in (OptionKind.LAPSE, OptionKind.CAUSE, OptionKind.CONVENIENCE, OptionKind.RENEW)
            if by_kind[k].available
        )
    # The decision is needed by the notice deadline, or earlier when leaving needs the transition
    # to start before it to end with the contract.
    decide_by, reason = (clock.notice_deadline, "notice") if not clock.passed else (clock.term_end, "end")
    if recommended.leaves and ready.start_by is not None and as_of <= ready.start_by < decide_by:
        decide_by, reason = ready.start_by, "transition"
    return Options(
        tuple(options),
        cause,
        clock.termination_for_cause,
        recommended,
        decide_by,
        reason,
        ready.weeks_needed,
        None if credits is None else credits.trailing_totals.net,
        Decimal(0) if credits is None else credits.trailing_totals.open_earn_back,
        clock.currency,
    )


def _add_term(clock: Clock) -> date:
    return add_months(clock.end, clock.renewal_months)
