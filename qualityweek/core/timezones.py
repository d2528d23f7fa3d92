"""Time zones as a Russian reader knows them: «Москва (UTC+3)», «Киров (UTC+3)», never «Europe/Kirov»."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

# Every zone the regions use (directory/data/regions.csv), by the city that names it.
CITIES = {
    "Europe/Kaliningrad": "Калининград",
    "Europe/Moscow": "Москва",
    "Europe/Kirov": "Киров",
    "Europe/Simferopol": "Симферополь",
    "Europe/Volgograd": "Волгоград",
    "Europe/Astrakhan": "Астрахань",
    "Europe/Samara": "Самара",
    "Europe/Saratov": "Саратов",
    "Europe/Ulyanovsk": "Ульяновск",
    "Asia/Yekaterinburg": "Екатеринбург",
    "Asia/Omsk": "Омск",
    "Asia/Novosibirsk": "Новосибирск",
    "Asia/Barnaul": "Барнаул",
    "Asia/Tomsk": "Томск",
    "Asia/Novokuznetsk": "Новокузнецк",
    "Asia/Krasnoyarsk": "Красноярск",
    "Asia/Irkutsk": "Иркутск",
    "Asia/Chita": "Чита",
    "Asia/Yakutsk": "Якутск",
    "Asia/Vladivostok": "Владивосток",
    "Asia/Sakhalin": "Сахалин",
    "Asia/Magadan": "Магадан",
    "Asia/Kamchatka": "Камчатка",
    "Asia/Anadyr": "Анадырь",
    "UTC": "Всемирное время",
}


def utc_offset(name: str, at: dt.datetime | None = None) -> str:
    """«UTC+3», «UTC+5:30», «UTC−1» (with a minus sign) for the zone at the given moment (now)."""
    offset = (at or dt.datetime.now(dt.UTC)).astimezone(ZoneInfo(name)).utcoffset() or dt.timedelta()
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def timezone_label(name: str | None, at: dt.datetime | None = None) -> str:
    """«Киров (UTC+3)» for «Europe/Kirov»; an unknown zone keeps its city part without the continent."""
    if not name:
        return ""
    city = CITIES.get(name) or name.rsplit("/", 1)[-1].replace("_", " ")
    try:
        return f"{city} ({utc_offset(name, at)})"
    except (KeyError, ValueError):
        return city


def timezone_choices() -> list[tuple[str, str]]:
    """The zones of the regions as choices for a form, west to east."""
    return sorted(
        ((name, timezone_label(name)) for name in CITIES if name != "UTC"),
        key=lambda c: (ZoneInfo(c[0]).utcoffset(dt.datetime.now(dt.UTC).replace(tzinfo=None)), c[1]),
    )
