"""No e-mail address of an organisation or a person leaves the platform through a public file or page."""

import re

import pytest
from django.urls import reverse

from qualityweek.activities import services as activity_services
from qualityweek.activities.models import ActivityType
from qualityweek.core.audit import Actor
from qualityweek.directory.models import Organisation

pytestmark = pytest.mark.django_db

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


@pytest.fixture
def open_day(world, campaign):
    Organisation.objects.filter(pk=world.kirov_company.pk).update(email="director.ivanova@hleb.example.ru")
    activity = activity_services.plan_activity(
        actor=Actor(user=world.company_rep), campaign=campaign, organisation=world.kirov_company,
        type=ActivityType.objects.get(code="open_day"), title="День открытых дверей на хлебокомбинате",
        starts_on=campaign.quality_day, ends_on=campaign.quality_day, venue="г. Киров, ул. Производственная, 12",
        is_public=True)
    activity.organisation.refresh_from_db()
    return activity


def test_ical_has_no_organiser_email(client, open_day):
    body = client.get(f"/afisha/{open_day.pk}/calendar.ics").content.decode().replace("\r\n ", "")
    assert "ORGANIZER" not in body
    assert "mailto:" not in body
    assert not EMAIL.findall(body)


def test_public_pages_and_open_data_show_no_personal_email(client, world, campaign, open_day):
    personal = {"director.ivanova@hleb.example.ru", world.company_rep.email.lower(), world.operator.email.lower()}
    urls = ["/", "/afisha/", f"/afisha/{open_day.pk}/", f"/afisha/{open_day.pk}/calendar.ics", "/practices/",
            "/practices/feed/", "/sitemap-events.xml",
            reverse("analytics_open_data", args=[campaign.year, "csv"]),
            reverse("analytics_open_data", args=[campaign.year, "json"]),
            reverse("api_aggregates", args=[campaign.year])]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode(errors="replace").replace("\r\n ", "")  # unfold iCal lines
        found = {e.lower() for e in EMAIL.findall(text)}
        assert not found & personal, (url, found & personal)
