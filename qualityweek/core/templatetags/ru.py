"""Template filters for Russian text; loaded as a builtin in every template."""

import datetime as dt

from django import template

from qualityweek.core.text import date_range_ru, date_ru, plural_ru

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
