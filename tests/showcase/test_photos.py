"""Consented photos of practices and events: thumbnails through the photo pipeline, public only with
consents, foreign or unconsented photos 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from qualityweek.activities.models import Activity, Photo
from qualityweek.activities.photos import services as photo_services
from qualityweek.core import files
from qualityweek.showcase import demo_images

pytestmark = pytest.mark.django_db


def _public(make_activity, public: bool = True) -> Activity:
    activity = make_activity(status="planned")
    Activity.objects.filter(pk=activity.pk).update(is_public=public)
    activity.refresh_from_db()
    return activity


def _photo(activity: Activity, seed: int = 1) -> Photo:
    name = f"{photo_services.QUARANTINE}/test-{seed}-{activity.pk}"
    files.store_bytes(name, demo_images.picture(seed))
    photo = Photo.objects.create(activity=activity, upload=name)
    done = photo_services.process_photo(photo_id=photo.pk)
    assert done is not None
    assert done.status == Photo.Status.READY, done.error
    return done


def test_generated_picture_is_a_valid_image_that_the_pipeline_accepts(world, make_activity):
    data = demo_images.picture(3)
    assert data.startswith(b"\x89PNG")
    assert demo_images.picture(3) == data
    photo = _photo(make_activity(status="approved"), 3)
    assert photo.thumbnail
    assert photo.image
    assert photo.width == demo_images.WIDTH


def test_practice_shows_thumbnails_linking_to_the_image(client, nominate):
    practice = nominate("published")
    photo = _photo(practice.activity)
    page = client.get(reverse("practice_detail", args=[practice.pk])).content.decode()
    thumb = reverse("practice_photo_thumb", args=[practice.pk, photo.pk])
    assert f'src="{thumb}"' in page
    assert f'href="{reverse("practice_photo", args=[practice.pk, photo.pk])}"' in page
    assert f'alt="Фотография с мероприятия «{practice.title}», 1 из 1"' in page
    response = client.get(thumb)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8")


def test_event_shows_consented_photos_only(client, world, make_activity):
    event = _public(make_activity)
    photo = _photo(event)
    detail = reverse("event_detail", args=[event.pk])
    thumb = reverse("event_photo_thumb", args=[event.pk, photo.pk])
    assert thumb not in client.get(detail).content.decode()
    assert client.get(thumb).status_code == 404
    Activity.objects.filter(pk=event.pk).update(consent_on_file=True)
    from qualityweek.core.public_cache import bump

    bump("events")
    assert thumb in client.get(detail).content.decode()
    assert client.get(thumb).status_code == 200
    assert client.get(reverse("event_photo", args=[event.pk, photo.pk])).status_code == 200


def test_a_photo_of_another_event_or_a_private_event_is_404(client, world, make_activity):
    event, other, hidden = _public(make_activity), _public(make_activity), _public(make_activity, False)
    Activity.objects.filter(pk__in=[event.pk, other.pk, hidden.pk]).update(consent_on_file=True)
    photo = _photo(other)
    hidden_photo = _photo(hidden, 2)
    assert client.get(reverse("event_photo", args=[event.pk, photo.pk])).status_code == 404
    assert client.get(reverse("event_photo_thumb", args=[hidden.pk, hidden_photo.pk])).status_code == 404
