"""Template filters for Russian text; loaded as a builtin in every template."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django import template

from qualityweek.core.text import count_ru, date_range_ru, date_ru, datetime_ru, plural_ru, ru_number
from qualityweek.core.timezones import timezone_label

register = template.Library()


@register.filter
def ru_date(value: dt.date | dt.datetime | None) -> str:
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return date_ru(value)


@register.filter
def ru_datetime(value: dt.date | dt.datetime | None) -> str:
    """«15 декабря 2026 г., 18:00» (a plain date has no time: «2 декабря 2026 г.»)."""
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        return datetime_ru(value)
    return date_ru(value)


@register.filter
def num(value: object, digits: int = 0) -> str:
    """{{ n|num }} → «327 723»; {{ x|num:1 }} → «12,5». Every count, total or amount a person reads goes
    through it; years, PINs, ids, INN/OGRN and postal codes do not (they are codes, not quantities)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        return ru_number(value, digits=int(digits))
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return str(value)  # a label such as «н/д» is shown as it is
    return ru_number(number, digits=int(digits))


@register.filter
def tz_label(value: str | None) -> str:
    """«Киров (UTC+3)» for «Europe/Kirov»."""
    return timezone_label(value)


@register.filter
def plural(value: int, forms: str) -> str:
    """{{ n }} {{ n|plural:"день,дня,дней" }}"""
    one, few, many = forms.split(",")
    return plural_ru(int(value or 0), one, few, many)


@register.simple_tag
def ru_range(start: dt.date, end: dt.date) -> str:
    return date_range_ru(start, end)


@register.filter
def timedelta_minutes_ru(value: dt.timedelta | None) -> str:
    """A duration in whole minutes, with the Russian plural: «15 минут», «1 минуту», «2 минуты»."""
    if not value:
        return ""
    minutes = max(1, round(value.total_seconds() / 60))
    return count_ru(minutes, "минуту", "минуты", "минут")
