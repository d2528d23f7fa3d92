"""``{% types_chart board.types as c %}{% include "core/_chart.html" with chart=c %}`` and the like."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import template

from qualityweek.analytics import charting
from qualityweek.analytics.selectors import Area
from qualityweek.core.charts import Chart

register = template.Library()


@register.simple_tag
def types_chart(types: Sequence[dict[str, Any]]) -> Chart:
    return charting.types_chart(types)


@register.simple_tag
def timeline_chart(days: Sequence[dict[str, Any]]) -> Chart:
    return charting.timeline_chart(days)


@register.simple_tag
def places_chart(places: Sequence[Area]) -> Chart:
    return charting.places_chart(places)


@register.simple_tag
def regions_chart(areas: Sequence[Area], metric: str) -> Chart:
    return charting.regions_chart(areas, metric)


@register.simple_tag
def years_chart(years: Sequence[dict[str, Any]]) -> Chart:
    return charting.years_chart(years)
