"""The meeting as an iCalendar (.ics) event, written with the icalendar library."""

from __future__ import annotations

from icalendar import Calendar, Event

from portal.db import utcnow
from portal.meetings.models import Meeting


def ics(meeting: Meeting, link: str) -> bytes:
    """One VEVENT with the window, the title, the agenda as the description and the meeting's page as its URL."""
    calendar = Calendar()
    calendar.add("prodid", "-//Linli//meetings//ZH")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"meeting-{meeting.id}@linli")
    event.add("dtstamp", utcnow())
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("summary", meeting.title)
    agenda = "\n".join(f"{i}. {item.title}" for i, item in enumerate(meeting.items, start=1))
    event.add("description", f"{agenda}\n\n{link}".strip())
    event.add("url", link)
    if meeting.status == "cancelled":
        event.add("status", "CANCELLED")
    calendar.add_component(event)
    return calendar.to_ical()
