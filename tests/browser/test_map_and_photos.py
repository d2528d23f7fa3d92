"""Issue 15 in a real browser: the «Афиша» map on a phone (skip link, region names on hover and on
keyboard focus, tiles big enough to tap) and the photos of a practice and an event."""

import pytest

from qualityweek.activities.models import Activity, Photo
from qualityweek.activities.photos import services as photo_services
from qualityweek.core import files
from qualityweek.core.audit import Actor
from qualityweek.showcase import demo_images
from qualityweek.showcase import services as showcase_services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _photo(activity: Activity, seed: int) -> Photo:
    name = f"{photo_services.QUARANTINE}/browser-{seed}"
    files.store_bytes(name, demo_images.picture(seed))
    photo = Photo.objects.create(activity=activity, upload=name)
    return photo_services.process_photo(photo_id=photo.pk)


def test_afisha_map_names_regions_on_hover_and_focus_and_can_be_skipped(page, world, campaign):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.base_url + "/afisha/")
    kirov = page.locator('#events-map a[data-region="43"]')
    assert kirov.get_attribute("aria-label") == "Кировская область: 0\u00a0мероприятий, код 43"
    tip = kirov.locator("text.qw-map-tip")
    assert not tip.is_visible()
    box = kirov.locator("rect").bounding_box()
    assert box["width"] >= 24
    assert box["height"] >= 24
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # the map scrolls itself

    kirov.locator("rect").hover()
    assert tip.is_visible()
    assert tip.text_content().startswith("Кировская область")
    moscow = page.locator('#events-map a[data-region="77"]')
    moscow.focus()
    page.mouse.move(0, 0)
    assert moscow.locator("text.qw-map-tip").is_visible()
    assert not tip.is_visible()
    page.keyboard.press("Enter")  # a tile is a link: it filters the listing by its region
    page.wait_for_url("**region=77**")

    skip = page.get_by_role("link", name="Пропустить карту")
    skip.focus()
    assert skip.is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "events-map-after"
    page.keyboard.press("Tab")  # the next stop is after the map, not one of its 89 tiles
    assert page.evaluate("document.activeElement.closest('svg') === null")


def test_practice_and_event_show_their_photos(page, world, campaign, make_activity):
    activity = make_activity(status="approved")
    Activity.objects.filter(pk=activity.pk).update(consent_on_file=True)
    activity.refresh_from_db()
    practice = showcase_services.nominate(
        actor=Actor(user=world.kirov_edu),
        activity=activity,
        title="Урок качества с дегустацией",
        story="Сравнили составы молока. " * 4,
        results="Памятка покупателя",
    )
    practice = showcase_services.publish(actor=Actor(user=world.editor), practice=practice)
    _photo(practice.activity, 1)
    event = make_activity(status="planned")
    Activity.objects.filter(pk=event.pk).update(is_public=True, consent_on_file=True)
    _photo(event, 2)
    for url in (f"/practices/{practice.pk}/", f"/afisha/{event.pk}/"):
        page.goto(page.base_url + url)
        img = page.get_by_test_id("gallery").locator("img").first
        img.scroll_into_view_if_needed()
        assert img.get_attribute("alt").startswith("Фотография с мероприятия «")
        page.wait_for_load_state("networkidle")
        assert img.evaluate("i => i.complete && i.naturalWidth > 0")
