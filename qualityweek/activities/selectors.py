"""Reads of activities, always scoped to the user asking."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any

from django.db.models import Count, Min, Q, QuerySet

from qualityweek.campaigns.models import Campaign
from qualityweek.campaigns.selectors import current_campaign
from qualityweek.core.text import count_ru
from qualityweek.directory.access import principal
from qualityweek.directory.models import Organisation

from .models import Activity, ActivityEvent, ActivityType, Photo


@dataclass(frozen=True)
class ActivityFilter:
    """The filters of the activity list, the review queue and the exports (from a query string)."""

    year: int | None = None
    status: str = ""
    type: str = ""  # ActivityType.code
    kind: str = ""  # Organisation.Kind
    municipality: str = ""
    late: bool = False
    q: str = ""
    organisation: int | None = None

    @classmethod
    def from_params(cls, params: Any, *, default_status: str = "") -> ActivityFilter:
        def text(name: str, limit: int = 100) -> str:
            return (params.get(name) or "").strip()[:limit]

        def number(name: str) -> int | None:
            value = text(name)
            return int(value) if value.isdigit() and len(value) < 10 else None

        status = text("status") if "status" in params else default_status
        return cls(
            year=number("year"),
            status=status if status in Activity.Status.values else "",
            type=text("type", 48),
            kind=text("kind") if text("kind") in Organisation.Kind.values else "",
            municipality=text("municipality"),
            late=text("late") in {"1", "on", "true", "да"},
            q=text("q"),
            organisation=number("organisation"),
        )

    def as_params(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value not in (None, "", False):
                out[f.name] = "1" if value is True else str(value)
        return out

    def campaign(self) -> Campaign | None:
        if self.year:
            return Campaign.objects.filter(year=self.year).first()
        return current_campaign()


def activities_for(user: Any, flt: ActivityFilter | None = None) -> QuerySet[Activity]:
    qs = Activity.objects.visible_to(user).select_related("organisation", "type", "region", "campaign")
    if flt is None:
        return qs
    campaign = flt.campaign()
    qs = qs.filter(campaign=campaign) if campaign else qs.none()
    if flt.status:
        qs = qs.filter(status=flt.status)
    if flt.type:
        qs = qs.filter(type__code=flt.type)
    if flt.kind:
        qs = qs.filter(organisation__kind=flt.kind)
    if flt.municipality:
        qs = qs.filter(organisation__municipality__icontains=flt.municipality)
    if flt.late:
        qs = qs.filter(is_late=True)
    if flt.organisation:
        qs = qs.filter(organisation_id=flt.organisation)
    for word in flt.q.split():
        qs = qs.filter(Q(title__icontains=word) | Q(organisation__name__icontains=word))
    return qs


def activity_types_for(organisation: Organisation) -> list[ActivityType]:
    return [t for t in ActivityType.objects.filter(is_active=True) if t.allows(organisation.sector)]


def organisations_planning_for(user: Any) -> QuerySet[Organisation]:
    """Organisations the user plans activities for (their own, when active)."""
    ids = sorted(principal(user).organisations)
    return Organisation.objects.filter(pk__in=ids, status=Organisation.Status.ACTIVE).select_related("region")


def history_of(activity: Activity) -> QuerySet[ActivityEvent]:
    return activity.events.select_related("actor")


def photos_of(activity: Activity) -> QuerySet[Photo]:
    return activity.photos.all()


def campaign_counts(campaign: Campaign) -> dict[str, int]:
    """The national funnel's activity steps in one query: plans, reports sent, reports approved."""
    s = Activity.Status
    return Activity.objects.filter(campaign=campaign).aggregate(
        plans=Count("id", filter=~Q(status=s.CANCELLED)),
        reports=Count("id", filter=Q(submitted_at__isnull=False) & ~Q(status=s.CANCELLED)),
        approvals=Count("id", filter=Q(status=s.APPROVED)))


def reporting_organisations_by_region(campaign: Campaign) -> dict[int, int]:
    """Per region: how many organisations sent at least one report in the campaign (one query)."""
    rows = (Activity.objects.filter(campaign=campaign, status__in=[Activity.Status.SUBMITTED, Activity.Status.APPROVED])
            .values("region_id").annotate(n=Count("organisation_id", distinct=True)).values_list("region_id", "n"))
    return dict(rows)


REVIEW_SORTS: dict[str, tuple[str, tuple[str, ...]]] = {
    # code: (label, ordering) — the longest waiting first by default
    "oldest": ("Дольше всех ждут", ("submitted_at", "id")),
    "newest": ("Новые сверху", ("-submitted_at", "-id")),
    "photos": ("Меньше фото", ("n_photos", "submitted_at", "id")),
    "organisation": ("По организации", ("organisation__name", "submitted_at", "id")),
}


def review_rows(user: Any, flt: ActivityFilter, sort: str) -> QuerySet[Activity]:
    """The review queue: the filtered reports with their photo count, in the chosen order."""
    ordering = REVIEW_SORTS.get(sort, REVIEW_SORTS["oldest"])[1]
    return activities_for(user, flt).annotate(
        n_photos=Count("photos", filter=Q(photos__status=Photo.Status.READY))).order_by(*ordering)


def waiting_ru(since: dt.datetime | None, now: dt.datetime) -> str:
    """How long a report has waited, as a person says it: «3 дня», «5 часов», «меньше часа»."""
    if since is None:
        return ""
    seconds = max(int((now - since).total_seconds()), 0)
    if seconds >= 86400:
        return count_ru(seconds // 86400, "день", "дня", "дней")
    if seconds >= 3600:
        return count_ru(seconds // 3600, "час", "часа", "часов")
    return "меньше часа"


def review_queue(user: Any) -> dict[str, Any]:
    """The reports waiting for the user's review: how many, and when the oldest was sent (one query)."""
    return activities_for(user).filter(status=Activity.Status.SUBMITTED).aggregate(
        count=Count("id"), oldest=Min("submitted_at"))
