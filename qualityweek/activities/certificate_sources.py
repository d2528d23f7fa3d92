"""Certificate sources of the activities app (registered from ``ActivitiesConfig.ready()``): the
arrow goes activities → certificates, never back.

- ``activities.participation``: every organisation with an approved activity in the campaign gets a
  certificate of participation (scope: region and sector, or one organisation).
- ``activities.thanks``: a letter of thanks for each teacher (role «teacher») of those organisations
  — reports name no people, so the organisation's teachers on the platform are the ones thanked.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.db.models import Q

from qualityweek.campaigns.models import Campaign
from qualityweek.certificates.kinds import Kind
from qualityweek.certificates.sources import Holder, Source, Subject, register
from qualityweek.directory.models import Organisation, Role, RoleAssignment

from .models import Activity


def _campaigns() -> Iterable[tuple[int, str]]:
    """Announced campaigns with at least one approved activity (past years' totals alone issue nothing)."""
    approved = Activity.objects.filter(status=Activity.Status.APPROVED).values("campaign_id")
    return [(c.pk, f"Неделя качества {c.year}")
            for c in Campaign.objects.exclude(phase=Campaign.Phase.DRAFT).filter(pk__in=approved).order_by("-year")]


def _year(campaign_id: int) -> int | None:
    return Campaign.objects.filter(pk=campaign_id).values_list("year", flat=True).first()


def _organisations(subject: Subject) -> Iterator[Organisation]:
    approved = Activity.objects.filter(campaign_id=subject.subject_id, status=Activity.Status.APPROVED)
    scope = Q()
    if subject.region_id is not None:
        scope &= Q(region_id=subject.region_id)
    if subject.sector:
        scope &= Q(sector=subject.sector)
    if subject.organisation_id is not None:
        scope &= Q(pk=subject.organisation_id)
    ids = approved.values("organisation_id")
    return Organisation.objects.filter(scope, pk__in=ids).order_by("name", "pk").iterator(chunk_size=1000)


def participants(subject: Subject) -> Iterator[Holder]:
    year = _year(subject.subject_id)
    for org in _organisations(subject):
        yield Holder(key=f"org:{org.pk}", name=org.name,
                     reason=f"за участие во Всемирной неделе качества {year}\u00a0года",
                     email=org.email, region_id=org.region_id, sector=org.sector, organisation_id=org.pk)


def teachers(subject: Subject) -> Iterator[Holder]:
    year = _year(subject.subject_id)
    orgs = {org.pk: org for org in _organisations(subject)}
    roles = (RoleAssignment.objects.filter(role=Role.TEACHER, organisation_id__in=list(orgs), user__is_active=True)
             .select_related("user").order_by("user__last_name", "user__first_name", "pk"))
    for ra in roles:
        org, user = orgs[ra.organisation_id or 0], ra.user
        name = " ".join(p for p in (user.last_name, user.first_name, user.patronymic) if p)
        yield Holder(key=f"teacher:{org.pk}:{user.pk}", name=name, is_person=True,
                     reason=(f"за организацию и проведение мероприятий Всемирной недели качества {year}\u00a0года "
                             f"({org.name})"),
                     email=user.email, region_id=org.region_id, sector=org.sector, organisation_id=org.pk,
                     user_id=user.pk)


PARTICIPATION = register(Source(
    code="activities.participation", kind=Kind.PARTICIPATION,
    label="Организации с принятыми отчётами о мероприятиях", holders=participants, subjects=_campaigns,
    campaign_year=_year))
THANKS = register(Source(
    code="activities.thanks", kind=Kind.THANKS,
    label="Благодарственные письма учителям организаций с принятыми отчётами", holders=teachers,
    subjects=_campaigns, campaign_year=_year))
