"""Role x URL rows for the activity loop (see tests/test_url_matrix.py)."""

from __future__ import annotations

from qualityweek.activities.models import Activity, ActivityType
from qualityweek.campaigns.selectors import current_campaign
from tests.matrix import Route, signed_in

STATUS_RU = {"planned": "запланирован", "submitted": "на проверке"}


def _activity(world, status: str) -> Activity:
    campaign = current_campaign()
    return Activity.objects.create(
        campaign=campaign, organisation=world.kirov_school, region=world.kirov_school.region, sector="education",
        type=ActivityType.objects.get(code="quality_lesson"), title=f"Урок качества ({STATUS_RU[status]})",
        starts_on=campaign.quality_day, ends_on=campaign.quality_day, status=status, pupils_5_9=75,
        description="Урок", is_public=True)


def objects(world) -> dict:
    return {"planned": _activity(world, "planned"), "submitted": _activity(world, "submitted")}


def _pk(name: str):
    return lambda o: {"pk": o[name].pk}


ORG_ONLY = {"operator": 403, "editor": 403, "kirov_edu": 403, "kirov_business": 404}
COORDINATOR_ONLY = {"operator": 403, "editor": 403, "kirov_business": 404, "school_rep": 403, "teacher": 403}

ROUTES: dict[str, Route] = {
    "activity_list": Route(expect=signed_in(200)),
    "activity_review": Route(expect=signed_in(403, kirov_edu=200, kirov_business=200)),
    "activity_create": Route(expect=signed_in(403, school_rep=200, teacher=200)),
    "activity_detail": Route(kwargs=_pk("submitted"), expect=signed_in(200, kirov_business=404)),
    "activity_edit": Route(kwargs=_pk("planned"), expect=signed_in(200, **ORG_ONLY)),
    "activity_report": Route(kwargs=_pk("planned"), expect=signed_in(200, **ORG_ONLY)),
    "activity_submit": Route(kwargs=_pk("planned"), method="POST", expect=signed_in(302, **ORG_ONLY)),
    "activity_cancel": Route(kwargs=_pk("planned"), method="POST", expect=signed_in(302, **ORG_ONLY)),
    "activity_approve": Route(kwargs=_pk("submitted"), method="POST", expect=signed_in(302, **COORDINATOR_ONLY)),
    "activity_return": Route(kwargs=_pk("submitted"), method="POST", expect=signed_in(302, **COORDINATOR_ONLY)),
    "activity_reopen": Route(kwargs=_pk("submitted"), method="POST", expect=signed_in(302, **COORDINATOR_ONLY)),
    "activity_hide": Route(kwargs=_pk("submitted"), method="POST",
                           expect=signed_in(302, **(COORDINATOR_ONLY | {"operator": 302}))),
}
