"""What «Мой кабинет» shows each role, read through the feature apps' scoped selectors.

The cabinet sits above the feature apps (beside the public showcase), so it composes their reads;
it owns no data. Every block costs a fixed number of queries whatever the amount of data (the tests
count them per role). A person holding several roles sees every block that fits them; an
organisation's person sees only their organisation's things."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Min
from django.utils import timezone

from qualityweek.activities import selectors as activities
from qualityweek.activities.models import Activity, RegionalReport
from qualityweek.activities.regional import selectors as regional
from qualityweek.analytics import selectors as analytics
from qualityweek.campaigns.models import Campaign
from qualityweek.campaigns.selectors import CampaignStatus, campaign_status, current_campaign
from qualityweek.certificates import selectors as certificates
from qualityweek.directory import selectors as directory
from qualityweek.directory.access import Principal, principal
from qualityweek.directory.models import Organisation, Region, Sector
from qualityweek.forum import selectors as forum
from qualityweek.notifications import selectors as notifications
from qualityweek.outreach import selectors as outreach
from qualityweek.quizzes import selectors as quizzes

S = Activity.Status
SHOWN = 5  # rows per list block; the block links to the full list


@dataclass
class Step:
    """The next step of one activity: a label and where it leads (none while the coordinator reviews)."""

    label: str
    url_name: str = ""


def next_step(activity: Activity, today: dt.date) -> Step:
    if activity.status == S.RETURNED:
        return Step("Исправить и отправить", "activity_report")
    if activity.status == S.PLANNED:
        if activity.ends_on > today:
            return Step("Изменить план", "activity_edit")
        if activity.description:
            return Step("Проверить и отправить", "activity_report")
        return Step("Заполнить отчёт", "activity_report")
    if activity.status == S.SUBMITTED:
        return Step("Ждёт проверки координатора")
    return Step("Отчёт принят" if activity.status == S.APPROVED else activity.get_status_display())


@dataclass
class OrganisationCabinet:
    returned: list[Activity]
    todo: list[tuple[Activity, Step]]
    counts: dict[str, int]
    letters: list[Any]
    certificates: list[Any]
    certificate_count: int
    games: list[Any]
    quiz_count: int
    registrations: list[Any]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class PairCabinet:
    """One (region, sector) a coordinator covers."""

    region: Region
    sector: str
    sector_label: str
    without_report: list[Organisation]
    without_report_count: int
    report: RegionalReport | None
    report_state: str

    @property
    def report_label(self) -> str:
        return regional.STATE_LABELS[self.report_state]

    @property
    def report_badge(self) -> str:
        return regional.BADGES.get(self.report_state, "")


@dataclass
class CoordinatorCabinet:
    queue_count: int
    oldest: dt.datetime | None
    pairs: list[PairCabinet]
    not_cascaded: list[Any]
    not_cascaded_count: int
    pending: list[Organisation]
    pending_count: int


@dataclass
class LaggingRegion:
    region: Region
    organisations: int
    reporting: int

    @property
    def percent(self) -> int:
        return round(100 * self.reporting / self.organisations) if self.organisations else 0


@dataclass
class OperatorCabinet:
    funnel: list[tuple[str, int]]
    lagging: list[LaggingRegion]
    requests_count: int
    oldest_request: dt.datetime | None


@dataclass
class Cabinet:
    principal: Principal
    campaign: Campaign | None
    status: CampaignStatus | None
    organisation: OrganisationCabinet | None = None
    coordinator: CoordinatorCabinet | None = None
    operator: OperatorCabinet | None = None
    notifications: list[Any] = field(default_factory=list)


def cabinet_for(user: Any, now: dt.datetime | None = None) -> Cabinet:
    p = principal(user)
    campaign = current_campaign()
    status = campaign_status(user, campaign, now) if campaign else None
    cab = Cabinet(principal=p, campaign=campaign, status=status,
                  notifications=notifications.latest_for(user))
    if p.organisations:
        cab.organisation = _organisation(user, campaign, status, now)
    if p.is_coordinator and campaign:
        cab.coordinator = _coordinator(user, p, campaign)
    if p.is_operator and campaign:
        cab.operator = _operator(user, campaign)
    return cab


def _organisation(user: Any, campaign: Campaign | None, status: CampaignStatus | None,
                  now: dt.datetime | None) -> OrganisationCabinet:
    if status is not None and status.region is not None:
        today = (now or timezone.now()).astimezone(status.region.zone).date()
    else:
        today = timezone.localdate()
    mine = activities.activities_for(user).filter(organisation_id__in=sorted(principal(user).organisations))
    if campaign:
        mine = mine.filter(campaign=campaign)
    counts = {row["status"]: row["n"] for row in mine.order_by().values("status").annotate(n=Count("id"))}
    open_rows = list(mine.filter(status__in=[S.RETURNED, S.PLANNED, S.SUBMITTED])
                     .select_related("organisation", "type").order_by("ends_on", "pk")[:50])
    returned = [a for a in open_rows if a.status == S.RETURNED]
    todo = [(a, next_step(a, today)) for a in open_rows if a.status != S.RETURNED][:10]
    held = certificates.mine(user).order_by("-issued_at", "-pk")
    return OrganisationCabinet(
        returned=returned, todo=todo, counts=counts,
        letters=list(outreach.to_acknowledge(user)[:SHOWN]),
        certificates=list(held[:SHOWN]), certificate_count=held.count(),
        games=list(quizzes.games_for(user).order_by("-created_at")[:3]),
        quiz_count=quizzes.quizzes_for(user).filter(organisation__isnull=False).count(),
        registrations=list(forum.my_registrations(user)[:SHOWN]),
    )


def _coordinator(user: Any, p: Principal, campaign: Campaign) -> CoordinatorCabinet:
    queue = activities.review_queue(user)
    regions = Region.objects.in_bulk(sorted({r for r, _ in p.regions}))
    reports = {(r.region_id, r.sector): r for r in RegionalReport.objects.filter(
        campaign=campaign, region_id__in=list(regions))}
    pairs = []
    for region_id, sector in sorted(p.regions):
        region = regions[region_id]
        without = analytics.organisations_of(campaign, region, [sector], "not_reported")
        report = reports.get((region_id, sector))
        pairs.append(PairCabinet(region=region, sector=sector, sector_label=Sector(sector).label,
                                 without_report=list(without[:SHOWN]), without_report_count=without.count(),
                                 report=report, report_state=regional.state(report)))
    letters = outreach.not_cascaded(user)
    pending = directory.organisations_for(user).filter(status=Organisation.Status.PENDING).order_by("created_at")
    return CoordinatorCabinet(queue_count=queue["count"], oldest=queue["oldest"], pairs=pairs,
                              not_cascaded=list(letters[:SHOWN]), not_cascaded_count=letters.count(),
                              pending=list(pending[:SHOWN]), pending_count=pending.count())


def _operator(user: Any, campaign: Campaign) -> OperatorCabinet:
    letters = outreach.national_funnel(campaign)
    acts = activities.campaign_counts(campaign)
    funnel = [("Письма оператора", letters["letters"]), ("Доставлено адресатам", letters["delivered"]),
              ("Подтверждено ознакомление", letters["acknowledged"]), ("Переслано регионами", letters["cascades"]),
              ("Запланировано мероприятий", acts["plans"]), ("Отправлено отчётов", acts["reports"]),
              ("Принято отчётов", acts["approvals"])]
    reporting = activities.reporting_organisations_by_region(campaign)
    totals = dict(directory.organisations_for(user).filter(status=Organisation.Status.ACTIVE, authority="")
                  .order_by().values("region_id").annotate(n=Count("id")).values_list("region_id", "n"))
    regions = Region.objects.in_bulk(list(totals))
    rows = [LaggingRegion(region=regions[r], organisations=n, reporting=reporting.get(r, 0)) for r, n in totals.items()]
    lagging = sorted(rows, key=lambda row: (row.reporting / row.organisations, -row.organisations,
                                            row.region.code))[:SHOWN]
    waiting = outreach.requests_for(user).filter(status__in=["new", "in_progress"]).order_by().aggregate(
        n=Count("id"), oldest=Min("created_at"))
    return OperatorCabinet(funnel=funnel, lagging=lagging, requests_count=waiting["n"],
                           oldest_request=waiting["oldest"])
