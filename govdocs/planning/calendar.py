"""Decide step, dates: business days (weekends, country holidays, extra dates), the day each
month's data is available, and check-ins.

Every date a plan promises lands on a business day: a check-in that would fall on a
weekend or a holiday moves to the next business day, and the document says why. Monthly data
arrives some business days after the month ends (`pip.data_lag_business_days`): a meeting
reviews only the months whose data is available by its date, never a month still being counted.
"""

from __future__ import annotations

import calendar as stdlib_calendar
import functools
from dataclasses import dataclass
from datetime import date, timedelta

from govdocs.config.model import Cadence, PipSettings
from govdocs.periods import Month


@functools.lru_cache(maxsize=64)
def _country_holidays(country: str, subdivision: str | None, years: tuple[int, ...]) -> tuple[tuple[date, str], ...]:
    """A country's holidays in those years, named. Made once per country and years: a portfolio
    run asks for the same calendar for every partner (2,300 times for 1,000 partners, 2.4 s)."""
    import holidays

    # Names in English where the country has them, else in its own default language: never
    # from the machine's locale (LANG unset in cron or Docker gave Dutch names in English plans).
    probe = holidays.country_holidays(country, subdiv=subdivision)
    languages = getattr(probe, "supported_languages", ())
    language = next((c for c in ("en_US", "en_GB") if c in languages), probe.default_language)
    table = holidays.country_holidays(country, subdiv=subdivision, years=list(years), language=language)
    return tuple((day, str(name)) for day, name in sorted(table.items()))


DEFAULT_DATA_LAG = 5  # business days: a week for the month's figures to be closed and delivered


@dataclass(frozen=True)
class BusinessCalendar:
    holidays: dict[date, str]  # date -> name, e.g. "Christmas Day"
    data_lag: int = DEFAULT_DATA_LAG  # business days after a month ends before its data is available

    @classmethod
    def from_settings(cls, settings: PipSettings, years: range) -> BusinessCalendar:
        named: dict[date, str] = {}
        if settings.holiday_country is not None:
            named.update(_country_holidays(settings.holiday_country, settings.holiday_subdivision, tuple(years)))
        for day in settings.extra_holidays:
            named.setdefault(day, "configured non-business day")
        return cls(named, settings.data_lag_business_days)

    def data_available(self, month: Month) -> date:
        """The day `month`'s data is available: `data_lag` business days after the month ends."""
        return self.add_business_days(month.shift(1).first_day() - timedelta(days=1), self.data_lag)

    def latest_available(self, day: date) -> Month:
        """The latest month whose data is available on `day`: what a meeting that day reviews."""
        month = Month(day.year, day.month)  # with no lag, a month is available on its own last day
        while self.data_available(month) > day:
            month = month.shift(-1)
        return month

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.holidays

    def why_not(self, day: date) -> str:
        if day in self.holidays:
            return self.holidays[day]
        return "weekend" if day.weekday() >= 5 else ""

    def on_or_after(self, day: date) -> date:
        while not self.is_business_day(day):
            day += timedelta(days=1)
        return day

    def next_after(self, day: date) -> date:
        return self.on_or_after(day + timedelta(days=1))

    def previous_before(self, day: date) -> date:
        day -= timedelta(days=1)
        while not self.is_business_day(day):
            day -= timedelta(days=1)
        return day

    def add_business_days(self, day: date, count: int) -> date:
        for _ in range(count):
            day = self.next_after(day)
        return day


@dataclass(frozen=True)
class ScheduledDate:
    day: date
    planned: date  # the date the cadence gave, before moving to a business day

    @property
    def moved(self) -> bool:
        return self.day != self.planned


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = stdlib_calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def _cadence_date(start: date, settings: PipSettings, number: int, business: BusinessCalendar) -> date:
    match settings.cadence:
        case Cadence.WEEKLY:
            return start + timedelta(weeks=number)
        case Cadence.FORTNIGHTLY:
            return start + timedelta(weeks=2 * number)
        case Cadence.MONTHLY:
            return add_months(start, number)
        case _:
            return business.add_business_days(start, settings.every_business_days * number)


def plan_dates(
    start: date, settings: PipSettings, business: BusinessCalendar, duration_days: int | None = None
) -> tuple[list[ScheduledDate], ScheduledDate]:
    """Check-ins at the cadence from `start`, then the final review `duration_days` (default: the
    settings') after it; each moved forward to a business day. Check-ins that would reach the final
    review are dropped."""
    end = start + timedelta(days=duration_days or settings.duration_days)
    final = ScheduledDate(business.on_or_after(end), end)
    checkins: list[ScheduledDate] = []
    number = 1
    while (planned := _cadence_date(start, settings, number, business)) < end:
        day = business.on_or_after(planned)
        if day < final.day and (not checkins or day > checkins[-1].day):
            checkins.append(ScheduledDate(day, planned))
        number += 1
    return checkins, final


def data_rule(lag: int) -> str:
    """The definitions' words for when a month's data is available and what a meeting reviews."""
    when = (
        "on the month's last day" if lag == 0 else f"{lag} business day{'s' if lag != 1 else ''} after the month ends"
    )
    return (
        f"Data availability: a month's KPI data is available {when}; a "
        "meeting or review judges only the months whose data is available by its date, the latest of them "
        "being the month it reviews."
    )
