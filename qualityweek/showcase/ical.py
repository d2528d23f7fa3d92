"""iCalendar (RFC 5545) files for events of the public listing."""

import datetime as dt

from icalendar import Calendar, Event

from qualityweek.activities.models import Activity


def event_calendar(activity: Activity, url: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Quality Week platform//RU")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"activity-{activity.pk}@qualityweek")
    event.add("summary", activity.title)
    # All-day events: DTEND is exclusive, so the day after the last one.
    event.add("dtstart", activity.starts_on)
    event.add("dtend", activity.ends_on + dt.timedelta(days=1))
    event.add("dtstamp", activity.updated_at)
    event.add("location", activity.venue or f"{activity.organisation.municipality}, {activity.region.name}")
    event.add("description", f"{activity.type.name}. {activity.organisation.name}. {activity.audience}".strip())
    event.add("url", url)
    # No ORGANIZER: it would need the organisation's e-mail, often a person's own, in a public file.
    cal.add_component(event)
    return cal.to_ical()
