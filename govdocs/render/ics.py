"""Render step, calendar: a plan's check-ins and final review as an iCalendar file.

Built with the icalendar library. UIDs depend only on the partner, the plan start and the
meeting's number, so a re-issued plan updates the same events instead of adding copies;
DTSTAMP is the issue date, so the same inputs give the same bytes.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress, vText

from govdocs import __version__
from govdocs.config.model import GovernanceConfig
from govdocs.planning.pip import Plan, review_words
from govdocs.render.formatters import kpi_value


def event_uid(plan: Plan, number: int, final: bool) -> str:
    """One plan per partner and triggering quarter: moving its start or re-issuing it keeps the UIDs."""
    kind = "final-review" if final else f"check-in-{number}"
    return f"pip-{plan.partner.id}-{plan.quarter.year}Q{plan.quarter.q}-{kind}@govdocs"


def _address(name: str, email: str, role: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["cn"] = vText(name)
    address.params["role"] = vText(role)
    return address


def plan_calendar(plan: Plan, config: GovernanceConfig, document_id: str) -> bytes:
    settings = config.pip
    zone = ZoneInfo(settings.timezone)
    hour, minute = (int(part) for part in settings.meeting_time.split(":"))
    calendar = Calendar()
    calendar.add("prodid", f"-//govdocs//govdocs {__version__}//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"Improvement plan: {plan.partner.name}")
    stamp = datetime.combine(plan.issued, time(0, 0), tzinfo=UTC)
    organizer = next((c for c in plan.partner.contacts if c.name == plan.meeting_owner and c.email), None)
    # Re-issues carry a higher SEQUENCE (days since the plan's quarter ended), so clients update.
    sequence = max((plan.issued - plan.quarter.end_date()).days, 0)
    for checkin in plan.checkins:
        event = Event()
        start = datetime.combine(checkin.when.day, time(hour, minute), tzinfo=zone)
        title = "final review" if checkin.is_final else f"check-in {checkin.number}"
        event.add("uid", event_uid(plan, checkin.number, checkin.is_final))
        event.add("sequence", sequence)
        event.add("dtstamp", stamp)
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=settings.meeting_minutes))
        event.add("summary", f"Improvement plan {title}: {plan.partner.name}")
        expected = "; ".join(
            f"{o.kpi.name} {kpi_value(value, o.kpi.unit.value, o.kpi.decimals)}"
            for o, value in zip(plan.objectives, checkin.expected, strict=True)
        )
        # What it reviews in the plan's own words: a meeting without a new month reviews the actions only.
        reviews = review_words(plan, checkin)
        if checkin.new_month:
            reviews += f"; expected for {checkin.reviewed.label}: {expected}"
        chaired = f"{title.capitalize()} of the plan {document_id}, chaired by {plan.meeting_owner}."
        event.add("description", f"{chaired} {reviews}.")
        if organizer is not None and organizer.email:
            address = vCalAddress(f"mailto:{organizer.email}")
            address.params["cn"] = vText(organizer.name)
            event.add("organizer", address)
        for contact in plan.partner.contacts:
            if contact.email:
                role = "CHAIR" if contact.name == plan.meeting_owner else "REQ-PARTICIPANT"
                event.add("attendee", _address(contact.name, contact.email, role), encode=0)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
