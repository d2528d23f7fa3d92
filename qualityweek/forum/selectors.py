"""Every read of the forum, scoped at the source."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404

from qualityweek.certificates.sources import Holder, Subject
from qualityweek.core.text import date_ru
from qualityweek.directory.access import principal
from qualityweek.directory.models import Region

from .models import Day, Forum, Member, Registration, Session, Ticket, Venue
from .rules import coordinator_regions

S = Registration.Status


def visible_forums(user: Any) -> QuerySet[Forum]:
    qs = Forum.objects.select_related("campaign")
    return qs if principal(user).is_operator else qs.filter(is_published=True)


def forum_for(user: Any, pk: int) -> Forum:
    forum = visible_forums(user).filter(pk=pk).first()
    if forum is None:
        raise Http404
    return forum


def current_forum(user: Any) -> Forum | None:
    return visible_forums(user).order_by("-starts_on").first()


def staffed_forum(user: Any, pk: int) -> Forum:
    """A forum whose check-in the user works: its staff or the operator; any other is a 404."""
    p = principal(user)
    if not (p.is_operator or p.staffs(pk)):
        raise Http404
    forum = Forum.objects.filter(pk=pk).first()
    if forum is None:
        raise Http404
    return forum


def managed_forum(user: Any, pk: int) -> Forum:
    """A forum the operator manages; anybody else is refused (403) on a forum they can see."""
    forum = forum_for(user, pk)
    if not principal(user).is_operator:
        raise PermissionDenied
    return forum


@dataclass
class DayPlan:
    day: Day
    halls: list[tuple[Venue, list[Session]]] = field(default_factory=list)


def programme(forum: Forum) -> list[DayPlan]:
    """The programme by day and hall (three queries)."""
    sessions = list(Session.objects.filter(forum=forum).select_related("venue", "day").order_by("starts_at", "pk"))
    plans = []
    for day in Day.objects.filter(forum=forum).order_by("date"):
        halls: dict[int, tuple[Venue, list[Session]]] = {}
        for s in sessions:
            if s.day_id == day.pk:
                halls.setdefault(s.venue_id, (s.venue, []))[1].append(s)
        plans.append(DayPlan(day, sorted(halls.values(), key=lambda h: h[0].name)))
    return plans


def session_for(user: Any, pk: int) -> Session:
    session = Session.objects.select_related("venue", "day", "forum").filter(pk=pk).first()
    if session is None or not (session.forum.is_published or principal(user).is_operator):
        raise Http404  # the same rule as visible_forums, without a subquery on the busiest page
    return session


def registrations_for(user: Any, forum: Forum) -> QuerySet[Registration]:
    """The operator sees every registration; a coordinator those of their regions (the registrant's
    region or the regional venue's); anybody else their own."""
    qs = Registration.objects.filter(forum=forum).select_related("session", "venue", "region", "organisation")
    p = principal(user)
    if p.is_operator:
        return qs
    regions = sorted(coordinator_regions(user))
    q = Q(user_id=user.pk) if user is not None and user.is_authenticated else Q(pk__in=[])
    if regions:
        q |= Q(region_id__in=regions) | Q(venue__region_id__in=regions)
    return qs.filter(q)


def registration_for(user: Any, pk: int) -> Registration:
    row = Registration.objects.filter(pk=pk).select_related("forum").first()
    found = registrations_for(user, row.forum).filter(pk=pk).first() if row is not None else None
    if found is None:
        raise Http404
    return found


def my_registrations(user: Any) -> QuerySet[Registration]:
    return (Registration.objects.filter(user_id=user.pk).select_related("forum", "session", "venue", "ticket")
            .order_by("session__starts_at"))


def regional_venue_for(user: Any, forum: Forum, region_id: int) -> Venue | None:
    if region_id not in coordinator_regions(user) and not principal(user).is_operator:
        raise Http404
    return Venue.objects.filter(forum=forum, kind=Venue.Kind.REGIONAL, region_id=region_id).first()


def venue_for(user: Any, pk: int) -> Venue:
    p = principal(user)
    qs = Venue.objects.select_related("forum", "region")
    if not p.is_operator:
        qs = qs.filter(region_id__in=sorted(coordinator_regions(user)))
    venue = qs.filter(pk=pk).first()
    if venue is None:
        raise Http404
    return venue


def pending_for(user: Any, forum: Forum) -> QuerySet[Registration]:
    return registrations_for(user, forum).filter(status=S.PENDING).order_by("created_at")


def offers_for(user: Any) -> QuerySet[Registration]:
    """A signed-in person's open offers (shown in-app beside the e-mail)."""
    if user is None or not user.is_authenticated:
        return Registration.objects.none()
    return Registration.objects.filter(user_id=user.pk, status=S.OFFERED).select_related("session")


def queue_position(registration: Registration) -> int | None:
    from_services = registration.status == S.WAITLISTED and registration.queued_at is not None
    if not from_services:
        return None
    same = Registration.objects.filter(status=S.WAITLISTED, venue_id=registration.venue_id,
                                       session_id=registration.session_id)
    return same.filter(Q(queued_at__lt=registration.queued_at)
                       | Q(queued_at=registration.queued_at, pk__lt=registration.pk)).count() + 1


# --- figures ------------------------------------------------------------------------------------------

@dataclass
class RegionRow:
    region: Region
    venue: Venue | None = None
    registrations: int = 0
    people: int = 0
    confirmed: int = 0
    pending: int = 0
    waitlisted: int = 0
    checked_in: int = 0
    joined: int = 0

    @property
    def attended(self) -> int:
        return self.checked_in + self.joined + (self.venue.watchers or 0 if self.venue else 0)


def _status_counts(qs: QuerySet[Registration], key: str) -> dict[Any, dict[str, int]]:
    rows = qs.values(key).annotate(
        n=Count("pk"), people=Sum("seats", filter=Q(status=S.CONFIRMED)),
        confirmed=Count("pk", filter=Q(status=S.CONFIRMED)), pending=Count("pk", filter=Q(status=S.PENDING)),
        waitlisted=Count("pk", filter=Q(status=S.WAITLISTED)),
        checked_in=Sum("seats", filter=Q(ticket__checked_in_at__isnull=False)),
        joined=Count("pk", filter=Q(joined_at__isnull=False)))
    return {r[key]: r for r in rows}


def by_region(forum: Forum) -> list[RegionRow]:
    """Every region: its venue, registrations (by the registrant's region) and attendance (four queries)."""
    counts = _status_counts(Registration.objects.filter(forum=forum), "region_id")
    venues = {v.region_id: v for v in Venue.objects.filter(forum=forum, kind=Venue.Kind.REGIONAL)}
    rows = []
    for region in Region.objects.order_by("code"):
        c = counts.get(region.pk, {})
        rows.append(RegionRow(region=region, venue=venues.get(region.pk), registrations=c.get("n", 0),
                              people=c.get("people") or 0, confirmed=c.get("confirmed", 0),
                              pending=c.get("pending", 0), waitlisted=c.get("waitlisted", 0),
                              checked_in=c.get("checked_in") or 0, joined=c.get("joined", 0)))
    return rows


def by_session(forum: Forum) -> list[tuple[Session, dict[str, int]]]:
    counts = _status_counts(Registration.objects.filter(forum=forum), "session_id")
    sessions = Session.objects.filter(forum=forum).select_related("venue").order_by("starts_at")
    return [(s, counts.get(s.pk, {})) for s in sessions]


def by_venue(forum: Forum) -> list[tuple[Venue, dict[str, int]]]:
    counts = _status_counts(Registration.objects.filter(forum=forum), "venue_id")
    venues = Venue.objects.filter(forum=forum).select_related("region").order_by("kind", "name")
    return [(v, counts.get(v.pk, {})) for v in venues]


def offline_list(forum: Forum, venue: Venue) -> Iterator[dict[str, str]]:
    """The confirmed tickets of a venue, for a scanner with a poor connection."""
    tickets = (Ticket.objects.filter(registration__forum=forum, registration__venue=venue,
                                     registration__status=S.CONFIRMED)
               .select_related("registration").order_by("code"))
    for t in tickets.iterator(chunk_size=2000):
        r = t.registration
        yield {"code": t.code, "name": r.name, "kind": r.get_kind_display(), "seats": str(r.seats),
               "checked_in_at": t.checked_in_at.isoformat() if t.checked_in_at else ""}
    members = (Member.objects.filter(registration__forum=forum, registration__venue=venue,
                                     registration__status=S.CONFIRMED).order_by("code"))
    for m in members.iterator(chunk_size=2000):
        yield {"code": m.code, "name": m.label(), "kind": "Участник делегации", "seats": "1",
               "checked_in_at": m.checked_in_at.isoformat() if m.checked_in_at else ""}


def members_of(registration: Registration) -> QuerySet[Member]:
    return Member.objects.filter(registration=registration).order_by("pk")


# --- the campaign home page -----------------------------------------------------------------------------

@dataclass
class HomeForum:
    forum: Forum
    regional_day: Day | None
    hall_free: int  # free seats in the halls of sessions with a limit (online-only sessions seat nobody)
    regional_venues: int
    regional_free: int


def home_forum(today: Any) -> HomeForum | None:
    """The published forum of the season (until its last day) with its free seats, for the public home
    page (four queries)."""
    forum = Forum.objects.filter(is_published=True, ends_on__gte=today).order_by("starts_on").first()
    if forum is None:
        return None
    sessions: list[tuple[int | None, int]] = list(
        Session.objects.filter(forum=forum, capacity__isnull=False).exclude(format=Session.Format.ONLINE)
        .values_list("capacity", "taken"))
    venues: list[tuple[int | None, int]] = list(
        Venue.objects.filter(forum=forum, kind=Venue.Kind.REGIONAL).values_list("capacity", "taken"))

    def free(rows: list[tuple[int | None, int]]) -> int:
        return sum(max(0, capacity - taken) for capacity, taken in rows if capacity is not None)

    return HomeForum(forum=forum, regional_day=Day.objects.filter(forum=forum, is_regional=True).first(),
                     hall_free=free(sessions), regional_venues=len(venues), regional_free=free(venues))


# --- certificates -------------------------------------------------------------------------------------

def attendance_subjects() -> Iterable[tuple[int, str]]:
    return [(f.pk, f"{f.title} ({date_ru(f.starts_on)})") for f in Forum.objects.order_by("-starts_on")]


def attendance_holders(subject: Subject) -> Iterator[Holder]:
    """Registrants checked in at the entrance or recorded at the online stream."""
    qs = (Registration.objects.filter(forum_id=subject.subject_id, status=S.CONFIRMED,
                                      forum__personal_data_purged_at__isnull=True)  # names gone: decision 0029
          .filter(Q(ticket__checked_in_at__isnull=False) | Q(joined_at__isnull=False))
          .select_related("forum", "organisation").order_by("pk"))
    if subject.region_id is not None:
        qs = qs.filter(region_id=subject.region_id)
    if subject.organisation_id is not None:
        qs = qs.filter(organisation_id=subject.organisation_id)
    for r in qs.iterator(chunk_size=1000):
        yield Holder(key=f"registration:{r.pk}", name=r.name, is_person=r.kind == Registration.Kind.INDIVIDUAL,
                     reason=f"за участие в форуме «{r.forum.title}»", email=r.email, region_id=r.region_id,
                     organisation_id=r.organisation_id, user_id=r.user_id,
                     sector=r.organisation.sector if r.organisation else "")
