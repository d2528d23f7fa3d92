"""The regional report (the one the letters ask regions to send by 15 December): selectors that
compute it from the activities with a handful of aggregate queries; its workflow is in
``services.py``.

Approved activities are the official figures; reports still on review are shown beside them,
never mixed in. Returned, planned and cancelled activities do not count.
"""

from __future__ import annotations

import datetime as dt
import operator
from dataclasses import dataclass, field
from functools import reduce
from typing import Any, cast

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404

from qualityweek.campaigns.models import Campaign
from qualityweek.campaigns.selectors import campaigns_for, current_campaign
from qualityweek.core.permissions import can
from qualityweek.directory.access import principal
from qualityweek.directory.models import COORDINATED_SECTORS, Organisation, Region, Sector

from ..models import CATEGORY_FIELDS, Activity, ActivityType, Category, RegionalReport
from ..rules import NOT_STARTED, report_state

A = Activity.Status
R = RegionalReport.Status
STATE_LABELS = {NOT_STARTED: "Не начат", **dict(R.choices)}
# Badge colours of the shared stylesheet: green, amber, red; drafts and unstarted reports stay grey.
BADGES: dict[str, str] = {R.ACCEPTED: "done", R.SUBMITTED: "pending", R.RETURNED: "rejected"}
SECTOR_AUDIENCE = {
    Sector.EDUCATION: "Образовательные организации",
    Sector.BUSINESS: "Предприятия и организации",
}


# --- the figures --------------------------------------------------------------------------------------

@dataclass
class TypeRow:
    type_id: int
    name: str
    approved: int = 0
    approved_participants: int = 0
    submitted: int = 0
    submitted_participants: int = 0


@dataclass
class CategoryRow:
    code: str
    label: str
    approved: int
    submitted: int


@dataclass
class Summary:
    """Everything the report says, computed on demand from the activities."""

    campaign: Campaign
    region: Region
    sector: str
    approved_by_category: dict[str, int]
    submitted_by_category: dict[str, int]
    approved_count: int
    submitted_count: int
    types: list[TypeRow]
    organisations_taking_part: int
    organisations_pending: int
    organisations_registered: int
    activities: QuerySet[Activity] = field(repr=False)

    @property
    def sector_label(self) -> str:
        return Sector(self.sector).label

    @property
    def audience(self) -> str:
        return SECTOR_AUDIENCE.get(Sector(self.sector), "Организации")

    @property
    def approved_participants(self) -> int:
        return sum(self.approved_by_category.values())

    @property
    def submitted_participants(self) -> int:
        return sum(self.submitted_by_category.values())

    @property
    def categories(self) -> list[CategoryRow]:
        return [CategoryRow(c.value, c.label, self.approved_by_category[c.value], self.submitted_by_category[c.value])
                for c in Category]

    @property
    def deadline(self) -> dt.date:
        return self.campaign.deadline_for(self.region)

    @property
    def share_taking_part(self) -> float | None:
        if not self.organisations_registered:
            return None
        return self.organisations_taking_part / self.organisations_registered

    def totals(self) -> dict[str, Any]:
        """The snapshot stored on the report when it is submitted (plain JSON)."""
        return {
            "approved": {"activities": self.approved_count, "participants": self.approved_participants,
                         "by_category": self.approved_by_category},
            "submitted": {"activities": self.submitted_count, "participants": self.submitted_participants,
                          "by_category": self.submitted_by_category},
            "by_type": [{"type_id": t.type_id, "name": t.name, "approved": t.approved,
                         "approved_participants": t.approved_participants, "submitted": t.submitted,
                         "submitted_participants": t.submitted_participants} for t in self.types],
            "organisations": {"taking_part": self.organisations_taking_part,
                              "pending": self.organisations_pending,
                              "registered": self.organisations_registered},
        }


def _scope(campaign: Campaign, region: Region, sector: str) -> QuerySet[Activity]:
    return Activity.objects.filter(campaign=campaign, region=region, sector=sector)


def summary(*, campaign: Campaign, region: Region, sector: str) -> Summary:
    """The report's figures in four aggregate queries (plus one for the activity list when it is read),
    however many activities the region has."""
    counted = _scope(campaign, region, sector).filter(status__in=[A.APPROVED, A.SUBMITTED])
    per_type = cast(list[dict[str, Any]], list(
        counted.values("status", "type_id").annotate(n=Count("id"), **{f: Sum(f) for f in CATEGORY_FIELDS})))
    approved = dict.fromkeys(CATEGORY_FIELDS, 0)
    submitted = dict.fromkeys(CATEGORY_FIELDS, 0)
    rows: dict[int, TypeRow] = {}
    for row in per_type:
        target = approved if row["status"] == A.APPROVED else submitted
        people = 0
        for f in CATEGORY_FIELDS:
            target[f] += row[f] or 0
            people += row[f] or 0
        t = rows.setdefault(row["type_id"], TypeRow(type_id=row["type_id"], name=""))
        if row["status"] == A.APPROVED:
            t.approved += row["n"]
            t.approved_participants += people
        else:
            t.submitted += row["n"]
            t.submitted_participants += people
    order: dict[int, int] = {}
    for i, (pk, name) in enumerate(ActivityType.objects.filter(pk__in=list(rows)).values_list("pk", "name")):
        rows[pk].name, order[pk] = name, i  # the catalogue's own order
    orgs = counted.aggregate(
        taking_part=Count("organisation", distinct=True, filter=Q(status=A.APPROVED)),
        any_counted=Count("organisation", distinct=True),
    )
    registered = Organisation.objects.filter(region=region, sector=sector, status=Organisation.Status.ACTIVE).count()
    activities = (_scope(campaign, region, sector).filter(status=A.APPROVED)
                  .select_related("organisation", "type")
                  .order_by("organisation__name", "starts_on", "id"))
    return Summary(
        campaign=campaign, region=region, sector=sector,
        approved_by_category=approved, submitted_by_category=submitted,
        approved_count=sum(t.approved for t in rows.values()),
        submitted_count=sum(t.submitted for t in rows.values()),
        types=sorted(rows.values(), key=lambda t: order.get(t.type_id, 0)),
        organisations_taking_part=orgs["taking_part"],
        organisations_pending=orgs["any_counted"] - orgs["taking_part"],
        organisations_registered=registered,
        activities=activities,
    )


# --- reading reports ----------------------------------------------------------------------------------

def may_list(user: Any) -> bool:
    p = principal(user)
    return p.is_operator or p.is_coordinator


def report_for(user: Any, *, year: int, region_code: str, sector: str) -> RegionalReport:
    """The report of one campaign, region and sector as this user may see it, or 404. A report nobody
    has started yet is returned unsaved (status draft, no pk)."""
    if sector not in COORDINATED_SECTORS:
        raise Http404
    campaign = campaigns_for(user).filter(year=year).first()
    region = Region.objects.filter(code=region_code).first()
    if campaign is None or region is None:
        raise Http404
    report = (RegionalReport.objects.select_related("campaign", "region", "submitted_by")
              .filter(campaign=campaign, region=region, sector=sector).first())
    if report is None:
        report = RegionalReport(campaign=campaign, region=region, sector=sector)
    if not can(user, "view", report):
        raise Http404
    return report


def state(report: RegionalReport | None) -> str:
    return report_state(report)


@dataclass
class BoardRow:
    region: Region
    sector: str
    report: RegionalReport | None
    approved: int = 0
    submitted: int = 0
    participants: int = 0
    taking_part: int = 0
    registered: int = 0

    @property
    def state(self) -> str:
        return state(self.report)

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def badge(self) -> str:
        return BADGES.get(self.state, "")

    @property
    def sector_label(self) -> str:
        return Sector(self.sector).label


def board(user: Any, campaign: Campaign) -> list[BoardRow]:
    """Every region and sector the user covers (all 89 x 2 for the operator) with its report's state
    and live counts; four queries in all."""
    p = principal(user)
    if not (p.is_operator or p.regions):
        return []
    pairs_q = p.scope_filter(organisation=None)
    regions = {r.pk: r for r in Region.objects.select_related("district")}
    reports = {(r.region_id, r.sector): r
               for r in RegionalReport.objects.filter(pairs_q, campaign=campaign).select_related("submitted_by")}
    people = reduce(operator.add, [Sum(f, filter=Q(status=A.APPROVED)) for f in CATEGORY_FIELDS])
    counts: dict[tuple[int, str], dict[str, Any]] = {
        (row["region_id"], row["sector"]): dict(row)
        for row in Activity.objects.filter(pairs_q, campaign=campaign, status__in=[A.APPROVED, A.SUBMITTED])
        .values("region_id", "sector")
        .annotate(approved=Count("id", filter=Q(status=A.APPROVED)),
                  submitted=Count("id", filter=Q(status=A.SUBMITTED)),
                  people=people,
                  taking_part=Count("organisation", distinct=True, filter=Q(status=A.APPROVED)))
        .order_by()
    }
    registered = {
        (row["region_id"], row["sector"]): row["n"]
        for row in Organisation.objects.filter(pairs_q, status=Organisation.Status.ACTIVE,
                                               sector__in=COORDINATED_SECTORS)
        .values("region_id", "sector").annotate(n=Count("id")).order_by()
    }
    pairs: list[tuple[int, str]]
    if p.is_operator:
        pairs = [(rid, s) for rid in sorted(regions, key=lambda k: regions[k].code) for s in COORDINATED_SECTORS]
    else:
        pairs = sorted(p.regions, key=lambda pair: (regions[pair[0]].code, pair[1]))
    result = []
    for key in pairs:
        c: dict[str, Any] = counts.get(key, {})
        result.append(BoardRow(region=regions[key[0]], sector=key[1], report=reports.get(key),
                               approved=c.get("approved", 0), submitted=c.get("submitted", 0),
                               participants=c.get("people") or 0, taking_part=c.get("taking_part", 0),
                               registered=registered.get(key, 0)))
    return result


def campaigns_with_reports(user: Any) -> list[Campaign]:
    """Campaigns the user may report on, newest first (drafts only for the operator)."""
    return list(campaigns_for(user).order_by("-year"))


def default_campaign(user: Any) -> Campaign | None:
    return current_campaign() or campaigns_for(user).order_by("-year").first()


