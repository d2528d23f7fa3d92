"""Who is told about an event: the people of an organisation, the coordinators of a region and sector."""

from __future__ import annotations

from collections.abc import Iterable

from qualityweek.directory.models import Role, RoleAssignment, User


def _users(qs: Iterable[int]) -> list[User]:
    return list(User.objects.filter(pk__in=list(qs), is_active=True).order_by("pk"))


def organisation_people(organisation_id: int, *, also: Iterable[int | None] = ()) -> list[User]:
    """The organisation's representatives, and (``also``) people named by the event, if still its people."""
    ids = set(RoleAssignment.objects.filter(organisation_id=organisation_id, role=Role.ORG_REP)
              .values_list("user_id", flat=True))
    extra = {pk for pk in also if pk}
    if extra:
        ids |= set(RoleAssignment.objects.filter(organisation_id=organisation_id, user_id__in=extra)
                   .values_list("user_id", flat=True))
    return _users(ids)


def coordinators(region_id: int, sector: str) -> list[User]:
    return _users(RoleAssignment.objects.filter(role=Role.COORDINATOR, region_id=region_id, sector=sector)
                  .values_list("user_id", flat=True))


def by_email(email: str) -> list[User]:
    return list(User.objects.filter(email__iexact=email.strip(), is_active=True)) if email else []
