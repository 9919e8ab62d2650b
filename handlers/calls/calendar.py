"""Calendar files (.ics, via the icalendar library) so a call lands in anyone's agenda."""

from __future__ import annotations

from datetime import datetime

from icalendar import Calendar, Event


def ics(
    uid: str, title: str, description: str, location: str, starts_at: datetime, ends_at: datetime, stamp: datetime
) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Stad Kortrijk//Gangmaker//NL")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", starts_at)
    event.add("dtend", ends_at)
    event.add("summary", title)
    event.add("description", description)
    event.add("location", location)
    calendar.add_component(event)
    return calendar.to_ical()
