"""Role x URL rows for the public site and the best-practice workflow."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from qualityweek.activities.models import Activity, ActivityType, Photo
from qualityweek.campaigns.selectors import current_campaign
from qualityweek.showcase.models import BestPractice, ProblemReport
from tests.matrix import Route, all_, signed_in

TYPE_RU = {"quality_lesson": "Урок качества", "quiz": "Квиз", "open_day": "День открытых дверей"}
STATUS_RU = {"planned": "запланировано", "submitted": "на проверке", "approved": "принято"}


def _activity(org, code: str, status: str, **fields) -> Activity:
    campaign = current_campaign()
    return Activity.objects.create(
        campaign=campaign, organisation=org, region=org.region, sector=org.sector,
        type=ActivityType.objects.get(code=code), title=f"{TYPE_RU.get(code, code)} ({STATUS_RU.get(status, status)})",
        starts_on=campaign.quality_day,
        ends_on=campaign.quality_day, status=status, consent_on_file=True, **fields)


def objects(world) -> dict:
    practice = BestPractice.objects.create(
        activity=_activity(world.kirov_school, "quality_lesson", "approved", pupils_5_9=50), title="Практика",
        story="История практики " * 5, status="published", published_at=timezone.now())
    path = settings.MEDIA_ROOT / "private" / "photos" / "m.jpg"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\xff\xd8\xff\xe0")
    photo = Photo.objects.create(activity=practice.activity, status="ready", image="private/photos/m.jpg",
                                 thumbnail="private/photos/m.jpg", width=1, height=1)
    event = _activity(world.kirov_company, "open_day", "planned", is_public=True)
    return {
        "practice": practice, "public_photo": photo, "event": event,
        "event_photo": Photo.objects.create(activity=event, status="ready", image="private/photos/m.jpg",
                                            thumbnail="private/photos/m.jpg", width=1, height=1),
        "nominee": _activity(world.kirov_school, "quiz", "approved", pupils_5_9=20),
        "problem": ProblemReport.objects.create(practice=practice, message="Опечатка"),
    }


EDITORS = {"operator": 302, "editor": 302}
ROUTES: dict[str, Route] = {
    "event_list": Route(expect=all_(200)),
    "event_detail": Route(kwargs=lambda o: {"pk": o["event"].pk}, expect=all_(200)),
    "event_ics": Route(kwargs=lambda o: {"pk": o["event"].pk}, expect=all_(200)),
    "practice_list": Route(expect=all_(200)),
    "practice_feed": Route(expect=all_(200)),
    "practice_detail": Route(kwargs=lambda o: {"pk": o["practice"].pk}, expect=all_(200)),
    "practice_photo": Route(kwargs=lambda o: {"pk": o["practice"].pk, "photo_pk": o["public_photo"].pk},
                            expect=all_(200)),
    "practice_photo_thumb": Route(kwargs=lambda o: {"pk": o["practice"].pk, "photo_pk": o["public_photo"].pk},
                                  expect=all_(200)),
    "event_photo": Route(kwargs=lambda o: {"pk": o["event"].pk, "photo_pk": o["event_photo"].pk}, expect=all_(200)),
    "event_photo_thumb": Route(kwargs=lambda o: {"pk": o["event"].pk, "photo_pk": o["event_photo"].pk},
                               expect=all_(200)),
    "report_problem": Route(kwargs=lambda o: {"kind": "practice", "pk": o["practice"].pk}, expect=all_(200)),
    "sitemap": Route(expect=all_(200)),
    "sitemap_section": Route(kwargs=lambda o: {"section": "practices"}, expect=all_(200)),
    "robots": Route(expect=all_(200)),
    "practice_manage": Route(expect=signed_in(200)),
    "practice_manage_detail": Route(kwargs=lambda o: {"pk": o["practice"].pk},
                                    expect=signed_in(200, kirov_business=404)),
    "practice_moderate": Route(kwargs=lambda o: {"pk": o["practice"].pk, "action": "publish"}, method="POST",
                               expect=signed_in(403, kirov_business=404, **EDITORS)),
    "practice_nominate": Route(kwargs=lambda o: {"activity_pk": o["nominee"].pk},
                               expect=signed_in(403, kirov_edu=200, kirov_business=404)),
    "problem_resolve": Route(kwargs=lambda o: {"pk": o["problem"].pk}, method="POST",
                             expect=signed_in(403, **EDITORS)),
}
