"""Decide step, dates: business days (weekends, country holidays, extra dates) and check-ins.

Every date a plan promises lands on a business day: a check-in that would fall on a
weekend or a holiday moves to the next business day, and the document says why.
"""

from __future__ import annotations

import calendar as stdlib_calendar
import functools
from dataclasses import dataclass
from datetime import date, timedelta

from govdocs.config.model import Cadence, PipSettings


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


@dataclass(frozen=True)
class BusinessCalendar:
    holidays: dict[date, str]  # date -> name, e.g. "Christmas Day"

    @classmethod
    def from_settings(cls, settings: PipSettings, years: range) -> BusinessCalendar:
        named: dict[date, str] = {}
        if settings.holiday_country is not None:
            named.update(_country_holidays(settings.holiday_country, settings.holiday_subdivision, tuple(years)))
        for day in settings.extra_holidays:
            named.setdefault(day, "configured non-business day")
        return cls(named)

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
