"""``{% public_figures %}``: the home page's counters and map for the current campaign, rendered
once and cached until the campaign's aggregates change (the tally bumps a generation number on
commit); a short timeout bounds staleness across processes that do not share the cache."""

from __future__ import annotations

from django import template
from django.core.cache import cache
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from qualityweek.activities.models import RegionalReport
from qualityweek.analytics import mapsvg, present, selectors
from qualityweek.campaigns.models import Campaign
from qualityweek.core import public_cache

register = template.Library()
PUBLIC_TIMEOUT = 60


def public_html(campaign: Campaign, metric: str = "activities", *, with_map: bool = True) -> SafeString:
    metric = metric if metric in selectors.PUBLIC_METRICS else "activities"
    key = f"analytics:public:{campaign.pk}:{public_cache.figures_generation(campaign.pk)}:{metric}:{int(with_map)}"
    html = cache.get(key)
    if html is None:
        board = selectors.national(campaign)
        figures_url = reverse("analytics_figures")
        link = f"{figures_url}?year={campaign.year}&metric={metric}#region-"
        public_map = mapsvg.render(board.areas, metric, lambda a: link + (a.region.code if a.region else ""),
                                   f"Карта регионов: {selectors.METRICS[metric].label}",
                                   map_id="public-map") if with_map else None
        html = render_to_string("analytics/_public_figures.html", {
            "campaign": campaign, "board": board, "map": public_map,
            "legend": mapsvg.legend_html(public_map) if public_map else "", "metric": selectors.METRICS[metric],
            "with_map": with_map})
        cache.set(key, html, timeout=PUBLIC_TIMEOUT)
    return mark_safe(html)  # noqa: S308 - a rendered (autoescaped) template


@register.simple_tag
def public_figures(campaign: Campaign | None, metric: str = "activities", with_map: bool = True) -> SafeString:
    if campaign is None or campaign.phase == Campaign.Phase.DRAFT:
        return mark_safe("")
    return public_html(campaign, metric, with_map=with_map)


@register.filter
def pct(value: float | None) -> str:
    return present.pct(value)


@register.filter
def get(mapping: dict, key: str):
    return mapping.get(key) if mapping else None


@register.filter
def metric_value(area, metric: str) -> str:
    return present.metric(area, metric)


@register.filter
def report_status(status: str) -> str:
    return dict(RegionalReport.Status.choices).get(status, "не начат").lower()


@register.filter
def total(items, key: str) -> int:
    return sum(i.get(key) or 0 for i in items)
