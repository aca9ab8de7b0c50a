"""Decide step, the contract clock: the one notice deadline every document states.

The contract gives a notice period in calendar days before its end. Notice given on a weekend or a
public holiday is not given in practice, so the deadline is the end minus the notice period, or the
last business day before it when that day is not one (the plan calendar's country and holidays).
That one date is what the QBR, the plan, the offboarding assessment, the portfolio summary and the
export state, and the definitions say how it was moved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from govdocs.config.model import Contract, PipSettings
from govdocs.planning.calendar import BusinessCalendar, add_months


@dataclass(frozen=True)
class Clock:
    start: date
    end: date
    notice_days: int
    contract_deadline: date  # end minus the notice period, as the contract counts it
    notice_deadline: date  # the date notice must be given by: the above, or the business day before it
    days_left: int  # from the as-of date to the notice deadline; negative once passed
    auto_renew: bool
    renewal_months: int
    locked_until: date | None  # if the deadline passes with auto-renew: the renewed end
    locked_value: float | None  # the annual value times the renewal term
    annual_value: float | None
    currency: str
    termination_for_cause: str | None
    ended: bool = False  # the end date is before the as-of date and the contract does not renew itself
    to_confirm: frozenset[str] = frozenset()  # terms `govdocs init` guessed: printed as "to be confirmed"

    @property
    def term_confirmed(self) -> bool:
        return not self.to_confirm & {"start", "end"}

    @property
    def notice_confirmed(self) -> bool:
        return "notice_days" not in self.to_confirm

    @property
    def deadline_confirmed(self) -> bool:
        """The notice deadline is the end minus the notice period: both must be the contract's."""
        return not self.to_confirm & {"end", "notice_days"}

    @property
    def renewal_confirmed(self) -> bool:
        return "auto_renew" not in self.to_confirm

    @property
    def renewal_term(self) -> str:
        """The term an automatic renewal adds, as documents state it: '12 months', or, when the
        config left it to the default (or init's placeholder), said to be an assumption."""
        months = f"{self.renewal_months} month{'s' if self.renewal_months != 1 else ''}"
        return months if "renewal_months" not in self.to_confirm else f"an assumed {months}, to be confirmed"

    @property
    def renewal_more(self) -> str:
        """'12 more months' (what a renewal adds), or the same said to be an assumption."""
        more = f"{self.renewal_months} more month{'s' if self.renewal_months != 1 else ''}"
        return more if "renewal_months" not in self.to_confirm else f"an assumed {more}, to be confirmed"

    @property
    def decision_confirmed(self) -> bool:
        """The notice deadline and what follows it (renewal or end) are the contract's: a date may be
        set against them (a plan's final review, a renewal step, a portfolio decision)."""
        return self.deadline_confirmed and self.renewal_confirmed

    @property
    def passed(self) -> bool:
        return self.days_left < 0

    @property
    def term_end(self) -> date:
        """The last day of the term in force: the renewed end once the notice deadline passed on a
        contract that renews itself, else the contract's end."""
        return self.locked_until if self.passed and self.locked_until is not None else self.end

    @property
    def moved(self) -> bool:
        """The contract's own date is not a business day, so the deadline is the one before it."""
        return self.notice_deadline != self.contract_deadline


def contract_clock(contract: Contract, as_of: date, business: BusinessCalendar) -> Clock:
    contractual = contract.end - timedelta(days=contract.notice_days)
    deadline = contractual if business.is_business_day(contractual) else business.previous_before(contractual)
    locked_until = add_months(contract.end, contract.renewal_months) if contract.auto_renew else None
    locked_value = (
        contract.annual_value * contract.renewal_months / 12
        if contract.auto_renew and contract.annual_value is not None
        else None
    )
    return Clock(
        start=contract.start,
        end=contract.end,
        notice_days=contract.notice_days,
        contract_deadline=contractual,
        notice_deadline=deadline,
        days_left=(deadline - as_of).days,
        auto_renew=contract.auto_renew,
        renewal_months=contract.renewal_months,
        locked_until=locked_until,
        locked_value=locked_value,
        annual_value=contract.annual_value,
        currency=contract.currency,
        termination_for_cause=contract.termination_for_cause,
        ended=not contract.auto_renew and contract.end < as_of,
        to_confirm=frozenset(contract.to_confirm) | defaulted_terms(contract),
    )


def defaulted_terms(contract: Contract) -> frozenset[str]:
    """Terms the config leaves to govdocs' default where the contract must say: the renewal term
    of a contract that renews itself. Printed as assumed, to be confirmed, like init's placeholders."""
    unset = contract.auto_renew and "renewal_months" not in contract.model_fields_set
    return frozenset({"renewal_months"} if unset else ())


def partner_clock(contract: Contract, as_of: date, settings: PipSettings) -> Clock:
    """The clock with the business calendar of the years around the contract's own deadline."""
    contractual = contract.end - timedelta(days=contract.notice_days)
    business = BusinessCalendar.from_settings(settings, range(contractual.year - 1, contractual.year + 1))
    return contract_clock(contract, as_of, business)


DEADLINE_RULE = (
    "Notice deadline: the contract's end date minus its notice period in calendar days; when that day "
    "is a weekend or a public holiday, the last business day before it."
)


@dataclass(frozen=True)
class PlanInTerm:
    """Where a plan's final review falls against the contract: the one fact the partner copy and
    the internal copy both put in words."""

    final_review: date
    clock: Clock

    @property
    def days_after_deadline(self) -> int:
        """Days the final review falls after a notice deadline still to come (0: not after, or passed)."""
        if self.clock.passed:
            return 0
        return max((self.final_review - self.clock.notice_deadline).days, 0)

    @property
    def days_after_end(self) -> int:
        """Days the final review falls after the last day of the term in force (0: inside it)."""
        return max((self.final_review - self.clock.term_end).days, 0)

    @property
    def outlives(self) -> bool:
        """The plan ends after the notice deadline or after the contract: the partner is told."""
        return self.days_after_deadline > 0 or self.days_after_end > 0
