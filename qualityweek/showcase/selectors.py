"""Reads for the public site. Everything here is what an anonymous visitor may see: public, not
hidden, not cancelled activities of active organisations; published practices only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from qualityweek.activities.models import Activity, ActivityType, Photo
from qualityweek.campaigns.models import Campaign
from qualityweek.directory.access import principal
from qualityweek.directory.models import Organisation, Region

from . import search
from .models import BestPractice

SHOWN_STATUSES = [Activity.Status.PLANNED, Activity.Status.SUBMITTED, Activity.Status.APPROVED,
                  Activity.Status.RETURNED]


def public_events() -> QuerySet[Activity]:
    return (Activity.objects.filter(is_public=True, is_hidden=False, status__in=SHOWN_STATUSES,
                                    organisation__status=Organisation.Status.ACTIVE)
            .exclude(campaign__phase=Campaign.Phase.DRAFT)
            .select_related("organisation", "region", "type", "campaign"))


def _parse_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


@dataclass(frozen=True)
class EventFilter:
    region: str = ""
    type: str = ""
    on: dt.date | None = None
    year: int | None = None

    @classmethod
    def from_params(cls, params: Any) -> EventFilter:
        year = (params.get("year") or "").strip()
        return cls(region=(params.get("region") or "").strip()[:2], type=(params.get("type") or "").strip()[:48],
                   on=_parse_date((params.get("on") or "").strip()),
                   year=int(year) if year.isdigit() and len(year) == 4 else None)

    def as_params(self) -> dict[str, str]:
        out = {"region": self.region, "type": self.type, "on": self.on.isoformat() if self.on else "",
               "year": str(self.year or "")}
        return {k: v for k, v in out.items() if v}


def events(flt: EventFilter, campaign: Campaign | None) -> QuerySet[Activity]:
    qs = public_events()
    if flt.year and (campaign is None or flt.year != campaign.year):
        qs = qs.filter(campaign__year=flt.year)
    elif campaign is not None:
        qs = qs.filter(campaign_id=campaign.pk)
    if flt.region:
        qs = qs.filter(region__code=flt.region)
    if flt.type:
        qs = qs.filter(type__code=flt.type)
    if flt.on:
        qs = qs.filter(starts_on__lte=flt.on, ends_on__gte=flt.on)
    return qs.order_by("starts_on", "id")


def event_counts_by_region(flt: EventFilter, campaign: Campaign | None) -> dict[int, int]:
    """Events per region id for the map, with the same filters as the list except the region."""
    from django.db.models import Count

    qs = events(EventFilter(type=flt.type, on=flt.on, year=flt.year), campaign)
    return dict(qs.order_by().values_list("region_id").annotate(n=Count("id")))


def published_practices() -> QuerySet[BestPractice]:
    return BestPractice.objects.published().select_related(
        "activity", "activity__organisation", "activity__region", "activity__type", "activity__campaign")


@dataclass(frozen=True)
class PracticeFilter:
    q: str = ""
    type: str = ""
    region: str = ""
    year: int | None = None

    @classmethod
    def from_params(cls, params: Any) -> PracticeFilter:
        year = (params.get("year") or "").strip()
        return cls(q=" ".join((params.get("q") or "").split())[:200], type=(params.get("type") or "")[:48],
                   region=(params.get("region") or "")[:2],
                   year=int(year) if year.isdigit() and len(year) == 4 else None)

    def as_params(self) -> dict[str, str]:
        out = {"q": self.q, "type": self.type, "region": self.region, "year": str(self.year or "")}
        return {k: v for k, v in out.items() if v}


def search_practices(flt: PracticeFilter) -> QuerySet[BestPractice]:
    """Russian full-text search (word forms, both databases: see ``search``); a region named in the
    query filters by that region instead of searching its name in the texts."""
    qs = published_practices()
    parsed = search.parse_query(flt.q)
    if flt.type:
        qs = qs.filter(activity__type__code=flt.type)
    for region in {flt.region, parsed.region} - {""}:
        qs = qs.filter(activity__region__code=region)
    if flt.year:
        qs = qs.filter(activity__campaign__year=flt.year)
    return search.matching(qs, parsed.text)


def practice_photos(practice: BestPractice) -> QuerySet[Photo]:
    """Photos appear publicly only when the organisation confirmed the consents."""
    if not practice.activity.consent_on_file:
        return Photo.objects.none()
    return Photo.objects.filter(activity=practice.activity, status=Photo.Status.READY)


def event_photos(event: Activity) -> QuerySet[Photo]:
    """An event's photos, public on the same terms as a practice's: consents confirmed, processed."""
    if not event.consent_on_file:
        return Photo.objects.none()
    return Photo.objects.filter(activity=event, status=Photo.Status.READY)


def practices_for(user: Any) -> QuerySet[BestPractice]:
    """The practices a signed-in user works with: editors see all, coordinators their region,
    organisations their own."""
    scope = principal(user).scope_filter(region="activity__region_id", sector="activity__sector",
                                          organisation="activity__organisation_id")
    return BestPractice.objects.select_related("activity", "activity__organisation", "activity__region").filter(scope)


def proposals_for(user: Any) -> QuerySet[Activity]:
    """Approved activities their organisations proposed, not yet nominated, in the coordinator's scope."""
    return (Activity.objects.visible_to(user).filter(status=Activity.Status.APPROVED, propose_best_practice=True,
                                                     practice__isnull=True)
            .select_related("organisation", "type").order_by("-submitted_at"))


def campaign_years() -> list[int]:
    return list(Campaign.objects.exclude(phase=Campaign.Phase.DRAFT).order_by("-year").values_list("year", flat=True))


def region_choices() -> QuerySet[Region]:
    return Region.objects.only("code", "short_name", "name").order_by("name")


def type_choices() -> QuerySet[ActivityType]:
    return ActivityType.objects.filter(is_active=True)
