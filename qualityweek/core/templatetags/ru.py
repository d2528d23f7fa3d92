"""Template filters for Russian text; loaded as a builtin in every template."""

import datetime as dt

from django import template

from qualityweek.core.text import count_ru, date_range_ru, date_ru, plural_ru

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
