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
from govdocs.planning.pip import Plan


def event_uid(plan: Plan, number: int, final: bool) -> str:
    kind = "final-review" if final else f"check-in-{number}"
    return f"pip-{plan.partner.id}-{plan.start.isoformat()}-{kind}@govdocs"


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
    calendar.add("x-wr-calname", f"Improvement plan: {plan.partner.name}")
    stamp = datetime.combine(plan.issued, time(0, 0), tzinfo=UTC)
    organizer = next((c for c in plan.partner.contacts if c.name == plan.meeting_owner and c.email), None)
    for checkin in plan.checkins:
        event = Event()
        start = datetime.combine(checkin.when.day, time(hour, minute), tzinfo=zone)
        title = "final review" if checkin.is_final else f"check-in {checkin.number}"
        event.add("uid", event_uid(plan, checkin.number, checkin.is_final))
        event.add("dtstamp", stamp)
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=settings.meeting_minutes))
        event.add("summary", f"Improvement plan {title}: {plan.partner.name}")
        expected = "; ".join(
            f"{o.kpi.name} expected {value:,.{o.kpi.decimals}f}"
            for o, value in zip(plan.objectives, checkin.expected, strict=True)
        )
        event.add(
            "description",
            f"{title.capitalize()} of the plan {document_id}, chaired by {plan.meeting_owner}. {expected}.",
        )
        if organizer is not None and organizer.email:
            event.add("organizer", _address(organizer.name, organizer.email, "CHAIR"))
        for contact in plan.partner.contacts:
            if contact.email:
                event.add("attendee", _address(contact.name, contact.email, "REQ-PARTICIPANT"), encode=0)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
