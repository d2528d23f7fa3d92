"""The campaign's date rules: Quality Day is the second Thursday of November, Quality Week is the
Monday-to-Sunday week that holds it, and reports are due on 15 December."""

from __future__ import annotations

import datetime as dt

THURSDAY = 3


def quality_day(year: int) -> dt.date:
    first = dt.date(year, 11, 1)
    return first + dt.timedelta(days=(THURSDAY - first.weekday()) % 7 + 7)


def quality_week(year: int) -> tuple[dt.date, dt.date]:
    day = quality_day(year)
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def report_deadline(year: int) -> dt.date:
    return dt.date(year, 12, 15)
