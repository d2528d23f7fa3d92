"""A draft campaign (not yet announced) is visible to the national operator only: the public site,
the archive, the event listing with its iCal files, the open data and the API never show it."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from qualityweek.activities.models import Activity, ActivityType
from qualityweek.campaigns import selectors, services
from qualityweek.core.audit import Actor

pytestmark = pytest.mark.django_db
SECRET = "Секретный девиз будущего года"


@pytest.fixture
def draft(world):
    return services.create_campaign(actor=Actor.system(), year=2031, motto=SECRET, phase="draft")


@pytest.fixture
def announced(world):
    return services.create_campaign(actor=Actor.system(), year=2025, motto="Объявленный девиз", phase="closed")


@pytest.fixture
def draft_event(world, draft):
    org = world.kirov_company
    return Activity.objects.create(
        campaign=draft, organisation=org, region=org.region, sector=org.sector,
        type=ActivityType.objects.get(code="open_day"), title="Тайный день открытых дверей",
        starts_on=draft.quality_day, ends_on=draft.quality_day, status="planned", is_public=True)


@pytest.mark.parametrize("role", ["anonymous", "kirov_edu", "kirov_business", "school_rep", "teacher", "juror"])
def test_visible_campaigns_hide_a_draft_from_everyone_but_the_operator(world, draft, announced, role):
    assert list(selectors.visible_campaigns(world.as_role(role))) == [announced]


@pytest.mark.parametrize("role", ["operator", "editor"])
def test_the_national_operator_sees_a_draft(world, draft, announced, role):
    assert list(selectors.visible_campaigns(world.as_role(role))) == [draft, announced]


@pytest.mark.parametrize("role", ["anonymous", "kirov_edu", "school_rep"])
def test_public_pages_never_show_a_draft(client, world, draft, announced, draft_event, role):
    user = world.as_role(role)
    if user is not None:
        client.force_login(user)
    for url in ("/", reverse("campaign_list"), reverse("event_list"), reverse("event_list") + "?year=2031",
                reverse("api_campaigns"), reverse("sitemap_section", kwargs={"section": "campaigns"}),
                reverse("practice_list"), reverse("practice_feed"), reverse("sitemap"), reverse("analytics_figures"),
                reverse("outreach_materials")):
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        assert SECRET not in html, url
        # The year as a number of its own: a timestamp's microseconds may hold the digits 2031.
        # (The page may echo the visitor's own query.)
        assert not re.search(r"(?<!\d)2031(?!\d)", html) or "?year=2031" in url, url
        assert "Тайный день открытых дверей" not in html, url
    assert client.get(reverse("campaign_detail", kwargs={"year": 2031})).status_code == 404
    assert client.get(reverse("event_detail", kwargs={"pk": draft_event.pk})).status_code == 404
    assert client.get(reverse("event_ics", kwargs={"pk": draft_event.pk})).status_code == 404
    assert client.get(reverse("api_aggregates", kwargs={"year": 2031})).status_code == 404
    assert client.get(reverse("analytics_open_data", kwargs={"year": 2031, "fmt": "csv"})).status_code == 404


def test_the_operator_sees_the_draft_in_the_archive(client, world, draft, announced):
    client.force_login(world.operator)
    assert SECRET in client.get(reverse("campaign_detail", kwargs={"year": 2031})).content.decode()
    assert "2031" in client.get(reverse("campaign_list")).content.decode()
