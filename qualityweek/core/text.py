"""Russian wording helpers: numbers, plural forms and dates as official letters write them.

Every number a person reads goes through ``ru_number`` (the ``num`` template filter): thousands joined
by a no-break space, a decimal comma — «327 723», «12,5». Years, PINs, ids, INN/OGRN, postal codes and
phone numbers are codes, not quantities, and are never grouped. Every date a person reads has its month
in the genitive: ``date_ru`` («2 декабря 2026 г.»), ``datetime_ru`` («2 декабря 2026 г., 18:00»)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

NBSP = "\u00a0"

MONTHS_GENITIVE = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)


def plural_ru(n: int, one: str, few: str, many: str) -> str:
    """The form of a noun after the number n: 1 день, 2 дня, 5 дней, 11 дней, 21 день."""
    n = abs(int(n))
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def ru_number(value: float | int | Decimal | None, *, digits: int = 0) -> str:
    """``12345.6`` → ``12 346`` (``digits=1``: ``12 345,6``); thousands joined by a no-break space.

    ``None`` is a dash: a figure that is not known is not a zero."""
    if value is None:
        return "—"
    text = f"{value:,.{digits}f}"
    return text.replace(",", NBSP).replace(".", ",")


def count_ru(n: int, one: str, few: str, many: str) -> str:
    """«1 день», «327 723 участника»: the number as ``ru_number`` writes it and the noun's form after it."""
    return f"{ru_number(n)}{NBSP}{plural_ru(n, one, few, many)}"


def date_ru(d: dt.date) -> str:
    """12 ноября 2026 г."""
    return f"{d.day}\u00a0{MONTHS_GENITIVE[d.month - 1]} {d.year}\u00a0г."


def datetime_ru(value: dt.datetime, zone: dt.tzinfo | None = None) -> str:
    """15 декабря 2026 г., 18:00 — in ``zone`` (the current time zone by default) when the moment is aware."""
    if timezone.is_aware(value):
        value = timezone.localtime(value, zone)
    return f"{date_ru(value.date())}, {value:%H:%M}"


def date_range_ru(start: dt.date, end: dt.date) -> str:
    """9–15 ноября 2026 г.; 30 октября – 5 ноября 2026 г. across months."""
    if start == end:
        return date_ru(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day}\u00a0{MONTHS_GENITIVE[end.month - 1]} {end.year}\u00a0г."
    if start.year == end.year:
        return f"{start.day}\u00a0{MONTHS_GENITIVE[start.month - 1]} – {date_ru(end)}"
    return f"{date_ru(start)} – {date_ru(end)}"


# C0 control characters other than tab, line feed and carriage return, and the two non-characters XML 1.0
# forbids: none of them may appear in a DOCX part, and Typst prints them as boxes or stops on them.
_CONTROL = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF])


def strip_control(text: str) -> str:
    """The text without control characters (\\x00–\\x08, \\x0b, \\x0c, \\x0e–\\x1f), as it goes into a DOCX or PDF."""
    return text.translate(_CONTROL)


def strip_control_deep(value: Any) -> Any:
    """``strip_control`` applied to every string inside nested lists, tuples and dicts (a document's data)."""
    if isinstance(value, str):
        return value.translate(_CONTROL)
    if isinstance(value, dict):
        return {k: strip_control_deep(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(strip_control_deep(v) for v in value)
    return value
