"""iCalendar files: one session, or a person's own programme (the icalendar package)."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from icalendar import Calendar, Event

from .models import Session


def calendar(sessions: Iterable[Session], *, name: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Неделя качества//Форум//RU")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    for session in sessions:
        event = Event()
        event.add("uid", f"forum-session-{session.pk}@qualityweek")
        event.add("summary", session.title)
        event.add("dtstart", session.starts_at)
        event.add("dtend", session.ends_at)
        event.add("dtstamp", session.starts_at)
        event.add("location", ", ".join(p for p in (session.venue.name, session.venue.address) if p))
        description = session.speakers + ("\n\n" + session.description if session.description else "")
        event.add("description", description.strip())
        event.add("url", f"{settings.SITE_URL}/forum/session/{session.pk}/")
        cal.add_component(event)
    return cal.to_ical()
