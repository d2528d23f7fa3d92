"""The dashboards' charts: the board's figures handed to the core chart wrapper (pygal SVG plus a table)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from qualityweek.core import charts
from qualityweek.core.text import MONTHS_GENITIVE

from .selectors import METRICS, Area

TOP_REGIONS = 20


def types_chart(types: Sequence[dict[str, Any]]) -> charts.Chart:
    return charts.bar(
        title="Мероприятия по типам",
        label_header="Тип мероприятия",
        horizontal=True,
        labels=[t["type"].name for t in types],
        series=[
            charts.Series("Приняты", [t["approved"].activities for t in types]),
            charts.Series("На проверке", [t["submitted"].activities for t in types]),
        ],
    )


def timeline_chart(days: Sequence[dict[str, Any]]) -> charts.Chart:
    return charts.line(
        title="Мероприятия по дню начала",
        label_header="День",
        labels=[f"{d['day'].day}\u00a0{MONTHS_GENITIVE[d['day'].month - 1]}" for d in days],  # «2 декабря»
        series=[
            charts.Series("Приняты", [d["approved"] for d in days]),
            charts.Series("На проверке", [d["submitted"] for d in days]),
        ],
    )


def places_chart(places: Sequence[Area]) -> charts.Chart:
    """Municipalities of a region: organisations taking part and activities accepted."""
    rows = sorted(places, key=lambda a: (-a.approved.activities, -a.organisations, a.label))
    return charts.bar(
        title="Муниципалитеты: организации и мероприятия",
        label_header="Населённый пункт",
        horizontal=True,
        labels=[a.label for a in rows],
        series=[
            charts.Series("Организаций участвуют", [a.organisations for a in rows]),
            charts.Series("Мероприятий принято", [a.approved.activities for a in rows]),
        ],
    )


def regions_chart(areas: Sequence[Area], metric: str) -> charts.Chart:
    """The regions leading by the map's metric (all of them are in the table below the map)."""
    m = METRICS[metric]
    scored = [(a, a.metric(metric)) for a in areas if a.region is not None]
    top = sorted(((a, v) for a, v in scored if v is not None), key=lambda p: (-float(p[1]), p[0].label))[:TOP_REGIONS]
    return charts.bar(
        title=f"Первые {len(top)} регионов: {m.label.lower()}",
        label_header="Регион",
        horizontal=True,
        unit="%" if m.unit == "%" else "",
        digits=1 if m.unit == "%" else 0,
        labels=[a.label for a, _ in top],
        series=[charts.Series(m.label, [v for _, v in top])],
    )


def years_chart(years: Sequence[dict[str, Any]]) -> charts.Chart:
    rows = sorted(years, key=lambda y: y["year"])
    return charts.bar(
        title="Участники по годам",
        label_header="Год",
        labels=[str(y["year"]) for y in rows],
        series=[
            charts.Series("Участников", [y["participants"] for y in rows]),
            charts.Series("Школьников на уроке качества", [y["pupils_in_lesson"] for y in rows]),
        ],
    )
