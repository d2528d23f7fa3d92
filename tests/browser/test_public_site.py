"""Issue 6 in a real browser at phone width: a citizen finds an open day in a chosen region,
opens it and downloads it to a calendar."""

import pytest
from icalendar import Calendar

from qualityweek.activities import services
from qualityweek.activities.models import ActivityType
from qualityweek.core.audit import Actor
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_citizen_finds_an_open_day_on_a_phone(page, world, campaign):
    open_day = ActivityType.objects.get(code="open_day")
    for org, title in [(world.kirov_company, "День открытых дверей на Вятском хлебокомбинате"),
                       (f.organisation("77", kind="manufacturer", sector="business", name="АО «Московский завод»"),
                        "День открытых дверей в Москве")]:
        services.plan_activity(actor=Actor.system(), campaign=campaign, organisation=org, type=open_day, title=title,
                               starts_on=campaign.quality_day, ends_on=campaign.quality_day, is_public=True,
                               venue="ул. Производственная, 12")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.base_url + "/")
    page.get_by_role("button", name="Меню").click()  # on a phone the header's links are behind «Меню»
    page.get_by_role("link", name="Афиша", exact=True).click()
    page.get_by_label("Регион").select_option(label="Кировская область")
    page.get_by_label("Что").select_option(label="День открытых дверей")
    page.get_by_role("button", name="Найти").click()
    assert page.get_by_test_id("event-count").inner_text() == "1 мероприятие"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling
    page.get_by_role("link", name="День открытых дверей на Вятском хлебокомбинате").click()
    page.get_by_role("heading", name="День открытых дверей на Вятском хлебокомбинате").wait_for()
    with page.expect_download() as download:
        page.get_by_role("link", name="Добавить в календарь (.ics)").click()
    event = Calendar.from_ical(download.value.path().read_bytes()).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "День открытых дверей на Вятском хлебокомбинате"
    assert event.decoded("DTSTART") == campaign.quality_day
