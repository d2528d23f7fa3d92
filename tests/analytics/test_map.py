"""The tile map: names on hover/focus (a <title>, an aria-label and a tip in its own strip), a skip
link before it, a legend on every map including the «Афиша»."""

from __future__ import annotations

import pytest
from django.urls import reverse

from qualityweek.analytics import mapsvg
from qualityweek.directory.models import Region

pytestmark = pytest.mark.django_db


def test_counts_map_has_tips_links_and_a_legend(world):
    regions = list(Region.objects.order_by("code"))
    kirov = next(r for r in regions if r.code == "43")
    m = mapsvg.render_counts(
        regions,
        {kirov.pk: 3},
        href=lambda r: f"?region={r.code}",
        title="Мероприятия",
        noun=("мероприятие", "мероприятия", "мероприятий"),
        map_id="events-map",
    )
    svg = str(m.svg)
    assert svg.count("<a ") == len(regions)
    assert '<a href="?region=43" aria-label="Кировская область: 3\u00a0мероприятия, код 43"' in svg
    assert '<text x="0" y="' in svg
    assert 'class="qw-map-tip" aria-hidden="true">Кировская область: 3' in svg
    assert 'id="events-map"' in svg
    assert 'aria-labelledby="events-map-title"' in svg
    legend = str(mapsvg.legend_html(m))
    assert "Легенда: Мероприятия" in legend
    assert "нет данных или 0" in legend
    assert "3" in legend


def test_afisha_has_a_skip_link_map_and_legend(client, world, campaign):
    html = client.get(reverse("event_list")).content.decode()
    skip = html.index('class="qw-skip-map" href="#events-map-after"')
    assert skip < html.index('<svg class="qw-map" id="events-map"') < html.index('id="events-map-after"')
    assert 'class="qw-legend"' in html
    assert "analytics/map.css" in html
