import datetime as dt

import pytest
from icalendar import Calendar

from qualityweek.activities import services as activity_services
from qualityweek.activities.models import Activity, ActivityType, Photo
from qualityweek.core.audit import Actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_day(world, campaign):
    return activity_services.plan_activity(
        actor=Actor(user=world.company_rep), campaign=campaign, organisation=world.kirov_company,
        type=ActivityType.objects.get(code="open_day"), title="День открытых дверей на хлебокомбинате",
        starts_on=campaign.quality_day, ends_on=campaign.quality_day, venue="г. Киров, ул. Производственная, 12",
        is_public=True)


def test_listing_filters_and_event_page(client, open_day):
    assert "День открытых дверей на хлебокомбинате" in client.get("/afisha/?region=43&type=open_day").content.decode()
    assert "День открытых дверей на хлебокомбинате" not in client.get("/afisha/?region=77").content.decode()
    on = open_day.starts_on.isoformat()
    assert "хлебокомбинате" in client.get(f"/afisha/?on={on}").content.decode()
    before = (open_day.starts_on - dt.timedelta(days=1)).isoformat()
    assert "хлебокомбинате" not in client.get(f"/afisha/?on={before}").content.decode()
    assert client.get("/afisha/?on=not-a-date&region=zz&year=abcd").status_code == 200
    page = client.get(f"/afisha/{open_day.pk}/").content.decode()
    assert 'property="og:title" content="День открытых дверей на хлебокомбинате"' in page


def test_ical_parses(client, open_day):
    response = client.get(f"/afisha/{open_day.pk}/calendar.ics")
    assert response["Content-Type"].startswith("text/calendar")
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "День открытых дверей на хлебокомбинате"
    assert event.decoded("DTSTART") == open_day.starts_on
    assert event.decoded("DTEND") == open_day.ends_on + dt.timedelta(days=1)
    assert "Производственная" in str(event["LOCATION"])


# The public cache is invalidated when a change commits: these tests commit for real.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_hidden_cancelled_and_private_events_are_not_listed(client, world, open_day):
    url = f"/afisha/{open_day.pk}/"
    assert client.get(url).status_code == 200
    activity_services.set_hidden(actor=Actor(user=world.kirov_business), activity=open_day, hidden=True)
    assert client.get(url).status_code == 404  # the cache was invalidated by the change
    assert "хлебокомбинате" not in client.get("/afisha/").content.decode()
    assert "хлебокомбинате" not in client.get("/sitemap-events.xml").content.decode()
    activity_services.set_hidden(actor=Actor(user=world.kirov_business), activity=open_day, hidden=False)
    activity_services.cancel(actor=Actor(user=world.company_rep), activity=Activity.objects.get(pk=open_day.pk))
    assert client.get(url).status_code == 404


# The public cache is invalidated when a change commits: these tests commit for real.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_anonymous_pages_are_cached_and_invalidated(client, world, open_day):
    first, second = client.get("/afisha/"), client.get("/afisha/")
    assert (first["X-Cache"], second["X-Cache"]) == ("miss", "hit")
    activity_services.update_plan(actor=Actor(user=world.company_rep), activity=open_day,
                                  title="Большой день открытых дверей")
    third = client.get("/afisha/")
    assert third["X-Cache"] == "miss"
    assert "Большой день открытых дверей" in third.content.decode()
    client.force_login(world.operator)
    assert "X-Cache" not in client.get("/afisha/")  # signed-in pages are never served from the cache


def test_photos_need_the_consent_flag(client, world, nominate, settings, tmp_path):
    practice = nominate("published", consent=False)
    (tmp_path / "media" / "private" / "photos").mkdir(parents=True, exist_ok=True)
    (tmp_path / "media" / "private" / "photos" / "a.jpg").write_bytes(b"\xff\xd8\xff")
    photo = Photo.objects.create(activity=practice.activity, status="ready", image="private/photos/a.jpg",
                                 width=10, height=10)
    page = client.get(f"/practices/{practice.pk}/").content.decode()
    assert "og:image" not in page
    assert f"/photos/{photo.pk}/" not in page
    assert client.get(f"/practices/{practice.pk}/photos/{photo.pk}/").status_code == 404
    Activity.objects.filter(pk=practice.activity_id).update(consent_on_file=True)
    from qualityweek.core.public_cache import bump

    bump("practices")
    page = client.get(f"/practices/{practice.pk}/").content.decode()
    assert "og:image" in page
    assert client.get(f"/practices/{practice.pk}/photos/{photo.pk}/").status_code == 200


def test_robots_sitemap_and_feed(client, nominate):
    practice = nominate("published", title="Практика в ленте")
    assert "Sitemap: http://testserver/sitemap.xml" in client.get("/robots.txt").content.decode()
    assert "sitemap-practices.xml" in client.get("/sitemap.xml").content.decode()
    feed = client.get("/practices/feed/")
    assert feed["Content-Type"].startswith("application/atom+xml")
    assert "Практика в ленте" in feed.content.decode()
    assert f"/practices/{practice.pk}/" in feed.content.decode()
