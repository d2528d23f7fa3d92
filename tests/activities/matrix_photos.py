"""Role x URL rows for photo evidence (see tests/test_url_matrix.py)."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

from django.conf import settings
from PIL import Image

from qualityweek.activities.models import Activity, ActivityType, Photo
from qualityweek.campaigns.selectors import current_campaign
from tests.matrix import Route, signed_in


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), (20, 90, 160)).save(buffer, "JPEG")
    return buffer.getvalue()


def objects(world) -> dict:
    campaign = current_campaign()
    activity = Activity.objects.create(
        campaign=campaign, organisation=world.kirov_school, region=world.kirov_school.region, sector="education",
        type=ActivityType.objects.get(code="quality_lesson"), title="Урок качества с фотографиями",
        starts_on=campaign.quality_day, ends_on=campaign.quality_day)
    names = {}
    for variant in ("image", "thumbnail"):
        names[variant] = f"private/photos/{campaign.year}/{uuid.uuid4().hex}.jpg"
        path = Path(settings.MEDIA_ROOT) / names[variant]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_jpeg())
    photo = Photo.objects.create(activity=activity, status=Photo.Status.READY, width=300, height=200, **names)
    return {"photo_activity": activity, "photo": photo}


# Visible to the coordinator and the operator, who may look but not change; a foreign sector is a 404.
ORG_ONLY = {"operator": 403, "editor": 403, "kirov_edu": 403, "kirov_business": 404}

ROUTES: dict[str, Route] = {
    # An empty upload is refused with a message and sends the organisation back to the activity page.
    "photo_upload": Route(kwargs=lambda o: {"pk": o["photo_activity"].pk}, method="POST",
                          expect=signed_in(302, **ORG_ONLY)),
    "photo_file": Route(kwargs=lambda o: {"pk": o["photo"].pk, "variant": "thumb"},
                        expect=signed_in(200, kirov_business=404)),
    "photo_delete": Route(kwargs=lambda o: {"pk": o["photo"].pk}, method="POST", expect=signed_in(302, **ORG_ONLY)),
}
