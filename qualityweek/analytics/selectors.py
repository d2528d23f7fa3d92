"""Reads of the figures, always scoped. Everything here reads the tally tables (a few hundred rows per
campaign at most), never a GROUP BY over the activities; drill-down lists page through activities
and organisations of one region."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, FilteredRelation, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from qualityweek.activities import tally
from qualityweek.activities.models import (
    CATEGORY_FIELDS,
    Activity,
    ActivityTally,
    ActivityType,
    Category,
    DayTally,
    Participation,
    RegionalReport,
    RegionCount,
    RegionTally,
    TypeTally,
)
from qualityweek.campaigns.models import Campaign
from qualityweek.campaigns.selectors import current_campaign
from qualityweek.directory.access import principal
from qualityweek.directory.models import COORDINATED_SECTORS, Organisation, Region, Sector

from . import denominators
from .models import HistoricalTotal, Reminder

S = Activity.Status
LEARNERS = ("pupils_1_4", "pupils_5_9", "pupils_10_11")
SECTOR_LABELS = dict(Sector.choices)


# --- reference data, kept per process ----------------------------------------------------------------

# Regions come with the migrations; activity types change only when the catalogue is loaded. Each
# process keeps them for REFERENCE_SECONDS (and forgets them at once when this process saves one).
REFERENCE_SECONDS = 300.0
_reference: dict[str, tuple[float, Any]] = {}


def _per_process(name: str, load: Callable[[], Any], *, reload: bool = False) -> Any:
    now = time.monotonic()
    hit = _reference.get(name)
    if reload or hit is None or now - hit[0] > REFERENCE_SECONDS:
        hit = (now, load())
        _reference[name] = hit
    return hit[1]


def forget_reference(**_: Any) -> None:
    """Signal receiver: a region or an activity type was saved or deleted in this process."""
    _reference.clear()


def activity_types(*, reload: bool = False) -> dict[int, ActivityType]:
    return _per_process("types", lambda: {t.pk: t for t in ActivityType.objects.all()}, reload=reload)


def all_regions() -> list[Region]:
    """Every region with its federal district, by code."""
    return _per_process("regions", lambda: list(Region.objects.select_related("district").order_by("code")))


# --- scope ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scope:
    """What a dashboard may show: the whole country, or one region and sector."""

    national: bool
    region: Region | None = None
    sector: str = ""

    @property
    def label(self) -> str:
        if self.national or self.region is None:
            return "Россия"
        return f"{self.region.short_name}, {SECTOR_LABELS[self.sector].lower()}"

    def sectors_in(self, region_id: int) -> list[str]:
        """The sectors of ``region_id`` this scope may see (404 when none)."""
        if self.national:
            return [s.value for s in Sector]
        if self.region is not None and self.region.pk == region_id:
            return [self.sector]
        raise Http404


def coordinator_pairs(user: Any) -> list[tuple[int, str]]:
    return sorted(principal(user).regions)


def scope_for(user: Any, choice: str = "") -> Scope:
    """The operator sees the country; a coordinator one of their (region, sector) pairs
    (``choice`` = "43-education" picks one when they hold several); anyone else is refused."""
    p = principal(user)
    if p.is_operator:
        return Scope(national=True)
    pairs = coordinator_pairs(user)
    if not pairs:
        raise PermissionDenied
    chosen = pairs[0]
    for region_id, sector in pairs:
        if choice == f"{region_id}-{sector}":
            chosen = (region_id, sector)
    return Scope(national=False, region=Region.objects.get(pk=chosen[0]), sector=chosen[1])


def region_scope(user: Any, code: str, sector: str = "") -> tuple[Scope, Region, list[str]]:
    """A drill-down into one region: the operator any, a coordinator only their own (else 404)."""
    p = principal(user)
    if not (p.is_operator or p.is_coordinator):
        raise PermissionDenied
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise Http404
    if p.is_operator:
        sectors = [s.value for s in Sector]
        scope = Scope(national=True)
    else:
        sectors = [s for r, s in coordinator_pairs(user) if r == region.pk]
        if not sectors:
            raise Http404
        scope = Scope(national=False, region=region, sector=sectors[0])
    if sector:
        if sector not in sectors:
            raise Http404
        sectors = [sector]
        if not scope.national:
            scope = Scope(national=False, region=region, sector=sector)
    return scope, region, sectors


def campaigns() -> list[Campaign]:
    return list(Campaign.objects.exclude(phase=Campaign.Phase.DRAFT).order_by("-year"))


def chosen_campaign(year: Any, announced: list[Campaign] | None = None) -> Campaign | None:
    """The campaign asked for (404 when unknown or not announced), else the current one. With the
    list of announced campaigns at hand (newest first) it needs no query."""
    if announced is None:
        if year and str(year).isdigit() and len(str(year)) == 4:
            found = Campaign.objects.filter(year=int(year)).exclude(phase=Campaign.Phase.DRAFT).first()
            if found is None:
                raise Http404
            return found
        return current_campaign()
    if year and str(year).isdigit() and len(str(year)) == 4:
        chosen = next((c for c in announced if c.year == int(year)), None)
        if chosen is None:
            raise Http404
        return chosen
    today = timezone.localdate()
    return next((c for c in announced if c.year <= today.year), None)


# --- figures -----------------------------------------------------------------------------------------------

@dataclass
class Sums:
    activities: int = 0
    late: int = 0
    categories: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CATEGORY_FIELDS, 0))

    def add(self, row: dict[str, Any]) -> None:
        self.activities += row["activities"]
        self.late += row["late"]
        for f in CATEGORY_FIELDS:
            self.categories[f] += row[f]

    @property
    def participants(self) -> int:
        return sum(self.categories.values())

    @property
    def learners(self) -> int:
        return sum(self.categories[f] for f in LEARNERS)

    def by_category(self) -> list[tuple[str, str, int]]:
        return [(f, Category(f).label, self.categories[f]) for f in CATEGORY_FIELDS]


def pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class Completeness:
    """DHIS2-style reporting figures: expected, received (on time / late), returned, missing."""

    planned: int = 0
    submitted: int = 0
    approved: int = 0
    returned: int = 0
    late: int = 0

    @property
    def expected(self) -> int:
        return self.planned + self.submitted + self.approved + self.returned

    @property
    def received(self) -> int:
        return self.submitted + self.approved

    @property
    def on_time(self) -> int:
        return self.received - self.late

    @property
    def missing(self) -> int:
        return self.planned

    @property
    def rate(self) -> float | None:
        return pct(self.received, self.expected)

    @property
    def on_time_rate(self) -> float | None:
        return pct(self.on_time, self.expected)


@dataclass
class Area:
    """The figures of one region (or region × sector, organisation kind, municipality)."""

    key: Any
    label: str
    approved: Sums = field(default_factory=Sums)
    submitted: Sums = field(default_factory=Sums)
    completeness: Completeness = field(default_factory=Completeness)
    cancelled: int = 0
    organisations: int = 0  # with an activity that is not cancelled
    reported: int = 0  # with a report on review or approved
    approved_orgs: int = 0
    registered: int = 0
    with_size: int = 0
    size_total: int = 0
    reports: dict[str, str] = field(default_factory=dict)  # sector -> regional report status
    region: Region | None = None
    participants_known: int | None = None  # by kind / municipality only the total is kept

    @property
    def participants(self) -> int:
        return self.approved.participants if self.participants_known is None else self.participants_known

    @property
    def coverage(self) -> float | None:
        return pct(self.organisations, self.registered)

    @property
    def approved_coverage(self) -> float | None:
        return pct(self.approved_orgs, self.registered)

    @property
    def reach(self) -> float | None:
        """Participants (approved) against the sizes of registered organisations, where known."""
        return pct(self.participants, self.size_total)

    def metric(self, name: str) -> float | int | None:
        return METRICS[name].value(self)


@dataclass(frozen=True)
class Metric:
    code: str
    label: str
    unit: str  # "" for counts, "%" for shares
    attr: str

    def value(self, area: Area) -> float | int | None:
        value: Any = area
        for part in self.attr.split("."):
            value = getattr(value, part)
        return value


METRICS: dict[str, Metric] = {m.code: m for m in [
    Metric("activities", "Мероприятия (принятые отчёты)", "", "approved.activities"),
    Metric("participants", "Участники (принятые отчёты)", "", "participants"),
    Metric("organisations", "Организации с принятым отчётом", "", "approved_orgs"),
    Metric("coverage", "Охват: доля зарегистрированных организаций, участвующих в Неделе", "%", "coverage"),
    Metric("completeness", "Полнота отчётности: получено из ожидаемых", "%", "completeness.rate"),
    Metric("timeliness", "Своевременность: получено в срок из ожидаемых", "%", "completeness.on_time_rate"),
    Metric("submitted", "Отчёты на проверке", "", "submitted.activities"),
]}
PUBLIC_METRICS = ("activities", "participants", "organisations")


@dataclass
class Dashboard:
    campaign: Campaign
    scope: Scope
    total: Area
    areas: list[Area]  # per region (national) or per organisation kind (regional)
    sectors: list[Area]  # per region × sector (national) or per municipality (regional)
    regions_taking_part: int
    types: list[dict[str, Any]]
    timeline: list[dict[str, Any]]
    years: list[dict[str, Any]]
    directory_as_of: Any = None
    reports: dict[str, int] = field(default_factory=dict)


def _rows(qs: QuerySet, keys: Iterable[str], values: Iterable[str]) -> list[dict[str, Any]]:
    return list(qs.order_by().values(*keys).annotate(**{v: Sum(v) for v in values}))


CATEGORY_VALUES = ("activities", "late", *CATEGORY_FIELDS)


def _add_status(area: Area, status: str, row: dict[str, Any]) -> None:
    c = area.completeness
    if status == S.APPROVED:
        area.approved.add(row)
        c.approved += row["activities"]
        c.late += row["late"]
    elif status == S.SUBMITTED:
        area.submitted.add(row)
        c.submitted += row["activities"]
        c.late += row["late"]
    elif status == S.PLANNED:
        c.planned += row["activities"]
    elif status == S.RETURNED:
        c.returned += row["activities"]
    elif status == S.CANCELLED:
        area.cancelled += row["activities"]


def _closed_correction(campaign: Campaign, region_id: int | None = None, sector: str = "") -> dict[tuple, dict]:
    """Participation of closed organisations, per region × sector: taken out of completeness and
    coverage (a closed school is no longer expected to report). Cached with the directory's
    denominators (same timeout, new key at every refresh of them): organisations close rarely and a
    closed one seldom has a report still moving; the query itself probes the participation of every
    closed organisation."""
    key = f"analytics:closed:{campaign.pk}:{region_id or 0}:{sector}:{denominators.directory_version()}"
    found = cache.get(key)
    if found is None:
        found = _closed_correction_query(campaign, region_id, sector)
        cache.set(key, found, getattr(settings, "ANALYTICS_DIRECTORY_TTL", 300))
    return found


def _closed_correction_query(campaign: Campaign, region_id: int | None, sector: str) -> dict[tuple, dict]:
    closed = Organisation.objects.filter(sector__in=[s.value for s in Sector], status=Organisation.Status.CLOSED)
    if region_id:
        closed = closed.filter(region_id=region_id, sector=sector)
    rows = (Participation.objects.filter(campaign=campaign, organisation_id__in=closed.values("pk")).order_by()
            .values("region_id", "sector")
            .annotate(n_planned=Sum("planned"), n_submitted=Sum("submitted"), n_approved=Sum("approved"),
                      n_returned=Sum("returned"), n_late=Sum("late"),
                      orgs=Count("id", filter=Q(planned__gt=0) | Q(submitted__gt=0) | Q(approved__gt=0)
                                 | Q(returned__gt=0))))
    return {(r["region_id"], r["sector"]): dict(r) for r in rows}


def _apply_correction(area: Area, row: dict | None) -> None:
    if not row:
        return
    c = area.completeness
    c.planned -= row["n_planned"]
    c.submitted -= row["n_submitted"]
    c.approved -= row["n_approved"]
    c.returned -= row["n_returned"]
    c.late -= row["n_late"]
    area.organisations -= row["orgs"]


def _types(campaign: Campaign, region_id: int | None = None, sector: str = "",
           names: dict[int, ActivityType] | None = None) -> list[dict[str, Any]]:
    names = names if names is not None else activity_types()
    if region_id:
        qs: QuerySet = ActivityTally.objects.filter(campaign=campaign, region_id=region_id, sector=sector)
    else:
        qs = TypeTally.objects.filter(campaign=campaign)
    out: dict[int, dict[str, Any]] = {}
    for row in _rows(qs.filter(status__in=[S.APPROVED, S.SUBMITTED]), ["type_id", "status"], CATEGORY_VALUES):
        kind = names.get(row["type_id"]) or activity_types(reload=True)[row["type_id"]]
        item = out.setdefault(kind.pk, {"type": kind, "approved": Sums(), "submitted": Sums()})
        item["approved" if row["status"] == S.APPROVED else "submitted"].add(row)
    items = sorted(out.values(), key=lambda i: (-i["approved"].activities, i["type"].order))
    top = max((i["approved"].activities for i in items), default=0)
    for i in items:
        i["share"] = pct(i["approved"].activities, top) or 0
    return items


def _timeline(campaign: Campaign, region_id: int | None = None, sector: str = "") -> list[dict[str, Any]]:
    qs = DayTally.objects.filter(campaign=campaign, status__in=[S.APPROVED, S.SUBMITTED])
    if region_id:
        qs = qs.filter(region_id=region_id, sector=sector)
    days: dict[Any, dict[str, Any]] = {}
    day = campaign.week_start
    while day <= campaign.week_end:
        days[day] = {"day": day, "approved": 0, "submitted": 0, "participants": 0}
        day = day.fromordinal(day.toordinal() + 1)
    for row in qs.order_by().values("day", "status").annotate(n=Sum("activities"), p=Sum("participants")):
        item = days.setdefault(row["day"], {"day": row["day"], "approved": 0, "submitted": 0, "participants": 0})
        item[row["status"]] += row["n"]
        if row["status"] == S.APPROVED:
            item["participants"] += row["p"]
    items = [days[d] for d in sorted(days)]
    top = max((i["approved"] + i["submitted"] for i in items), default=0)
    for i in items:
        i["in_week"] = campaign.week_start <= i["day"] <= campaign.week_end
        i["share_approved"] = pct(i["approved"], top) or 0
        i["share_submitted"] = pct(i["submitted"], top) or 0
    return items


def _year_row(year: int, campaign: Campaign | None = None) -> dict[str, Any]:
    return {"year": year, "campaign": campaign, "platform": None, "manual": None}


def _platform_by_year(announced: list[Campaign], region_id: int | None, sector: str,
                      lesson: int | None) -> dict[int, dict[str, int]]:
    """The platform's approved figures per year (of the announced campaigns), for the country or
    one region and sector."""
    if region_id:
        qs: QuerySet = RegionTally.objects.filter(region_id=region_id, sector=sector, status=S.APPROVED)
        counts = RegionCount.objects.filter(region_id=region_id, sector=sector)
    else:
        qs = TypeTally.objects.filter(status=S.APPROVED)
        counts = RegionCount.objects.all()
    platform: dict[int, dict[str, int]] = {}
    learners = tally.sum_of(LEARNERS)
    everyone = tally.sum_of(CATEGORY_FIELDS)
    annotations: dict[str, Any] = {"activities": Sum("activities"), "participants": Sum(everyone)}
    if not region_id and lesson:
        annotations["pupils_in_lesson"] = Coalesce(Sum(learners, filter=Q(type_id=lesson)), Value(0))
    year_of = {c.pk: c.year for c in announced}
    for row in qs.order_by().values("campaign_id").annotate(**annotations):
        if row["campaign_id"] in year_of:
            platform[year_of[row["campaign_id"]]] = {k: int(v or 0) for k, v in row.items() if k != "campaign_id"}
    for row in (counts.filter(approved__gt=0).order_by().values("campaign_id")
                .annotate(organisations=Sum("approved"), regions=Count("region_id", distinct=True))):
        if row["campaign_id"] in year_of:
            platform.setdefault(year_of[row["campaign_id"]], {}).update(organisations=row["organisations"],
                                                                         regions=row["regions"])
    return platform


def _add_manual_totals(years: dict[int, dict[str, Any]]) -> None:
    """The totals the operator entered by hand for years before the platform."""
    for h in HistoricalTotal.objects.all():
        years.setdefault(h.year, _year_row(h.year))
        years[h.year]["manual"] = h


def _official_figures(item: dict[str, Any]) -> None:
    """An item's figures: the platform's where it has them, else the ones entered by hand."""
    p, m = item["platform"] or {}, item["manual"]
    item["participants"] = p.get("participants") or (m.participants if m else None)
    item["activities"] = p.get("activities") or (m.activities if m else None)
    item["organisations"] = p.get("organisations") or (m.organisations if m else None)
    item["regions"] = p.get("regions") or (m.regions if m else None)
    item["pupils_in_lesson"] = p.get("pupils_in_lesson") or (m.pupils_in_lesson if m else None)
    item["source"] = "платформа" if p.get("activities") else ("введено оператором" if m else "")


def year_over_year(region_id: int | None = None, sector: str = "", *, types: dict[int, ActivityType] | None = None,
                   announced: list[Campaign] | None = None) -> list[dict[str, Any]]:
    """Every campaign's official figures: the platform's approved reports, and the totals the
    operator entered by hand for years before the platform (shown side by side when both exist)."""
    types = types if types is not None else activity_types()
    lesson = next((pk for pk, t in types.items() if t.code == "quality_lesson"), None)
    years: dict[int, dict[str, Any]] = {}
    if announced is None:
        announced = list(Campaign.objects.exclude(phase=Campaign.Phase.DRAFT))
    for c in sorted(announced, key=lambda c: c.year):
        years[c.year] = _year_row(c.year, c)
    for year, figures in _platform_by_year(announced, region_id, sector, lesson).items():
        if figures.get("activities"):
            years.setdefault(year, _year_row(year))
            years[year]["platform"] = figures
    if not region_id:
        _add_manual_totals(years)
    items = [years[y] for y in sorted(years)]
    for item in items:
        _official_figures(item)
    top = max((i["participants"] or 0 for i in items), default=0)
    for item in items:
        item["share"] = pct(item["participants"] or 0, top) or 0
    return [i for i in items if i["source"]] if not region_id else [i for i in items if i["platform"]]


@dataclass
class _NationalAreas:
    """Where a national row is added up: its region, the region × sector pair (with ``by_sector``)
    and the country."""

    areas: dict[int, Area]
    by_sector: bool
    total: Area
    pairs: dict[tuple[int, str], Area] = field(default_factory=dict)

    def pair(self, region_id: int, sector: str) -> Area:
        key = (region_id, sector)
        if key not in self.pairs:
            r = self.areas[region_id].region
            if r is None:
                raise RuntimeError("r must be set here")
            self.pairs[key] = Area(key=key, label=f"{r.short_name}: {SECTOR_LABELS.get(sector, sector).lower()}",
                                   region=r)
        return self.pairs[key]

    def targets(self, region_id: int, sector: str) -> tuple[Area, ...]:
        if self.by_sector:
            return (self.areas[region_id], self.pair(region_id, sector), self.total)
        return (self.areas[region_id], self.total)


def _add_national_tallies(campaign: Campaign, into: _NationalAreas) -> None:
    tallies = RegionTally.objects.filter(campaign=campaign)
    if into.by_sector:  # one row per (region, sector, status) already
        for row in tallies.values("region_id", "sector", "status", *CATEGORY_VALUES):
            for area in into.targets(row["region_id"], row["sector"]):
                _add_status(area, row["status"], row)
    else:  # sectors folded in the database: a quarter of the rows to add up here
        for row in _rows(tallies, ["region_id", "status"], CATEGORY_VALUES):
            _add_status(into.areas[row["region_id"]], row["status"], row)
            _add_status(into.total, row["status"], row)


def _add_national_counts(campaign: Campaign, into: _NationalAreas) -> None:
    for region_id, sector, orgs, reported, approved in RegionCount.objects.filter(campaign=campaign).values_list(
            "region_id", "sector", "organisations", "reported", "approved"):
        for area in into.targets(region_id, sector):
            area.organisations += orgs
            area.reported += reported
            area.approved_orgs += approved


def _add_national_denominators(into: _NationalAreas) -> Any:
    """Adds the directory's denominators; returns when they were computed (None without any)."""
    as_of = None
    for region_id, sector, registered, with_size, size_total, refreshed_at in denominators.denominators(
            getattr(settings, "ANALYTICS_DIRECTORY_TTL", 300)):
        as_of = refreshed_at
        for area in into.targets(region_id, sector):
            area.registered += registered
            area.with_size += with_size
            area.size_total += size_total
    return as_of


def _add_national_corrections(campaign: Campaign, into: _NationalAreas) -> None:
    for (region_id, sector), row in _closed_correction(campaign).items():
        for area in into.targets(region_id, sector):
            _apply_correction(area, row)


def _national_reports(campaign: Campaign, areas: dict[int, Area], n_regions: int) -> dict[str, int]:
    """The regional reports by status (noting each on its region's area), and how many are expected,
    received and missing."""
    reports: dict[str, int] = defaultdict(int)
    for rr in RegionalReport.objects.filter(campaign=campaign).values("region_id", "sector", "status", "is_late"):
        areas[rr["region_id"]].reports[rr["sector"]] = rr["status"]
        reports[rr["status"]] += 1
        if rr["is_late"] and rr["status"] != RegionalReport.Status.DRAFT:
            reports["late"] += 1
    reports["expected"] = n_regions * len(COORDINATED_SECTORS)
    reports["received"] = reports[RegionalReport.Status.SUBMITTED] + reports[RegionalReport.Status.ACCEPTED]
    reports["missing"] = reports["expected"] - reports["received"] - reports[RegionalReport.Status.RETURNED]
    return dict(reports)


def national(campaign: Campaign, *, by_sector: bool = False, announced: list[Campaign] | None = None) -> Dashboard:
    """The country's figures; ``by_sector`` adds the region × sector breakdown (the coverage tab)."""
    types = activity_types()
    regions = all_regions()
    areas = {r.pk: Area(key=r.pk, label=r.name, region=r) for r in regions}
    total = Area(key=None, label="Россия")
    into = _NationalAreas(areas=areas, by_sector=by_sector, total=total)
    _add_national_tallies(campaign, into)
    _add_national_counts(campaign, into)
    as_of = _add_national_denominators(into)
    _add_national_corrections(campaign, into)
    reports = _national_reports(campaign, areas, len(regions))
    return Dashboard(
        campaign=campaign, scope=Scope(national=True), total=total, areas=list(areas.values()),
        sectors=sorted(into.pairs.values(), key=lambda a: (a.region.code if a.region else "", a.key[1])),
        regions_taking_part=sum(1 for a in areas.values() if a.approved.activities),
        types=_types(campaign, names=types), timeline=_timeline(campaign),
        years=year_over_year(types=types, announced=announced), directory_as_of=as_of,
        reports=reports,
    )


def regional(campaign: Campaign, scope: Scope) -> Dashboard:
    """The same figures for one region and sector, by organisation kind and by municipality."""
    region = scope.region
    if region is None:
        raise RuntimeError("region must be set here")
    sector = scope.sector
    total = Area(key=region.pk, label=scope.label, region=region)
    for row in _rows(RegionTally.objects.filter(campaign=campaign, region=region, sector=sector), ["status"],
                     CATEGORY_VALUES):
        _add_status(total, row["status"], row)
    kinds = dict(Organisation.Kind.choices)
    by_kind: dict[str, Area] = {}
    by_place: dict[str, Area] = {}

    def bucket(groups: dict[str, Area], key: str, label: str) -> Area:
        return groups.setdefault(key, Area(key=key, label=label or "не указан"))

    orgs = Organisation.objects.filter(region=region, sector=sector, status=Organisation.Status.ACTIVE, authority="")
    grouped: Any = orgs.order_by().values("kind", "municipality")
    for row in grouped.annotate(n=Count("id"), sized=Count("size"),
                                                                            size=Coalesce(Sum("size"), Value(0))):
        for area in (bucket(by_kind, row["kind"], kinds.get(row["kind"], row["kind"])),
                     bucket(by_place, row["municipality"], row["municipality"]), total):
            area.registered += row["n"]
            area.with_size += row["sized"]
            area.size_total += row["size"]
    taking_part: Any = (Participation.objects.filter(campaign=campaign, region=region, sector=sector)
                   .exclude(organisation__status=Organisation.Status.CLOSED).order_by()
                   .values("organisation__kind", "organisation__municipality")
                   .annotate(orgs=Count("id", filter=Q(planned__gt=0) | Q(submitted__gt=0) | Q(approved__gt=0)
                                        | Q(returned__gt=0)),
                             reported=Count("id", filter=Q(submitted__gt=0) | Q(approved__gt=0)),
                             approved_orgs=Count("id", filter=Q(approved__gt=0)),
                             n_approved=Sum("approved"), n_submitted=Sum("submitted"), n_planned=Sum("planned"),
                             n_returned=Sum("returned"), n_late=Sum("late"), n_participants=Sum("participants")))
    for row in taking_part:
        for area in (bucket(by_kind, row["organisation__kind"], kinds.get(row["organisation__kind"], "")),
                     bucket(by_place, row["organisation__municipality"], row["organisation__municipality"])):
            area.organisations += row["orgs"]
            area.reported += row["reported"]
            area.approved_orgs += row["approved_orgs"]
            area.approved.activities += row["n_approved"]
            area.submitted.activities += row["n_submitted"]
            area.participants_known = (area.participants_known or 0) + row["n_participants"]
            area.completeness.approved += row["n_approved"]
            area.completeness.submitted += row["n_submitted"]
            area.completeness.planned += row["n_planned"]
            area.completeness.returned += row["n_returned"]
            area.completeness.late += row["n_late"]
    rc = RegionCount.objects.filter(campaign=campaign, region=region, sector=sector).first()
    if rc:
        total.organisations, total.reported, total.approved_orgs = rc.organisations, rc.reported, rc.approved
    _apply_correction(total, _closed_correction(campaign, region.pk, sector).get((region.pk, sector)))
    report = RegionalReport.objects.filter(campaign=campaign, region=region, sector=sector).first()
    if report:
        total.reports[sector] = report.status
    return Dashboard(
        campaign=campaign, scope=scope, total=total,
        areas=sorted(by_kind.values(), key=lambda a: -a.registered),
        sectors=sorted(by_place.values(), key=lambda a: (-a.organisations, a.label)),
        regions_taking_part=1 if total.approved.activities else 0,
        types=_types(campaign, region.pk, sector), timeline=_timeline(campaign, region.pk, sector),
        years=year_over_year(region.pk, sector),
    )


# --- drill-down lists --------------------------------------------------------------------------------------

def organisations_of(campaign: Campaign, region: Region, sectors: list[str], show: str) -> QuerySet[Organisation]:
    """Organisations of a region: those taking part, or the active ones with no report received."""
    qs = (Organisation.objects.filter(region=region, sector__in=sectors, authority="")
          .annotate(p=FilteredRelation("participations", condition=Q(participations__campaign=campaign)))
          .annotate(planned=Coalesce(F("p__planned"), Value(0)), submitted=Coalesce(F("p__submitted"), Value(0)),
                    approved=Coalesce(F("p__approved"), Value(0)), returned=Coalesce(F("p__returned"), Value(0)),
                    participants=Coalesce(F("p__participants"), Value(0))))
    if show == "not_reported":
        qs = qs.filter(status=Organisation.Status.ACTIVE).filter(
            Q(p__isnull=True) | Q(p__submitted=0, p__approved=0))
    else:
        qs = qs.filter(Q(p__planned__gt=0) | Q(p__submitted__gt=0) | Q(p__approved__gt=0) | Q(p__returned__gt=0))
    return qs.order_by("municipality", "name", "pk")


def last_reminders(campaign: Campaign, organisation_ids: list[int]) -> dict[int, Any]:
    out: dict[int, Any] = {}
    for r in Reminder.objects.filter(campaign=campaign, organisation_id__in=organisation_ids).order_by("sent_at"):
        out[r.organisation_id] = r.sent_at
    return out


@dataclass(frozen=True)
class ActivityDrill:
    region: Region | None
    sector: str
    status: str
    type: ActivityType | None
    day: Any


def activities_of(user: Any, campaign: Campaign, drill: ActivityDrill) -> QuerySet[Activity]:
    qs = Activity.objects.visible_to(user).filter(campaign=campaign)
    p = principal(user)
    if not p.is_operator:  # a coordinator's figures are their region and sector, not their own activities
        q = Q(pk__in=[])
        for region_id, sector in coordinator_pairs(user):
            q |= Q(region_id=region_id, sector=sector)
        qs = qs.filter(q)
    if drill.region is not None:
        qs = qs.filter(region=drill.region)
    if drill.sector:
        qs = qs.filter(sector=drill.sector)
    if drill.status:
        qs = qs.filter(status=drill.status)
    if drill.type is not None:
        qs = qs.filter(type=drill.type)
    if drill.day:
        qs = qs.filter(starts_on=drill.day)
    return qs.select_related("organisation", "type", "region").order_by("region__code", "organisation__name", "pk")
