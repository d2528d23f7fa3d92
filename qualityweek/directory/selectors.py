"""Reads for the directory, always scoped to the user asking."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from .access import principal
from .models import Invitation, Organisation, Region, Role, RoleAssignment, Sector


@dataclass(frozen=True)
class OrganisationFilter:
    q: str = ""
    region: str = ""  # region code
    sector: str = ""
    kind: str = ""
    status: str = ""

    @classmethod
    def from_params(cls, params: Any) -> OrganisationFilter:
        def choice(name: str, allowed: set[str]) -> str:
            value = (params.get(name) or "").strip()
            return value if value in allowed else ""

        return cls(
            q=(params.get("q") or "").strip()[:100],
            region=choice("region", set(Region.objects.values_list("code", flat=True))),
            sector=choice("sector", set(Sector.values)),
            kind=choice("kind", set(Organisation.Kind.values)),
            status=choice("status", set(Organisation.Status.values)),
        )

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}


def organisations_for(user: Any, flt: OrganisationFilter | None = None) -> QuerySet[Organisation]:
    qs = Organisation.objects.visible_to(user).select_related("region")
    if flt is None:
        return qs
    if flt.q:
        words = flt.q.split()
        for word in words:
            qs = qs.filter(Q(name__icontains=word) | Q(municipality__icontains=word) | Q(inn=word))
    if flt.region:
        qs = qs.filter(region__code=flt.region)
    if flt.sector:
        qs = qs.filter(sector=flt.sector)
    if flt.kind:
        qs = qs.filter(kind=flt.kind)
    if flt.status:
        qs = qs.filter(status=flt.status)
    return qs


def region_choices_for(user: Any) -> QuerySet[Region]:
    """The regions a user works in (all for the operator), for filters and forms."""
    p = principal(user)
    regions = Region.objects.order_by("name")
    if p.is_operator:
        return regions
    ids = {r for r, _ in p.regions} | set(
        Organisation.objects.filter(pk__in=list(p.organisations)).values_list("region_id", flat=True))
    return regions.filter(pk__in=ids)


def regions_for(user: Any) -> QuerySet[Region]:
    """The same regions with counts of the organisations the user sees there."""
    visible = principal(user).organisation_filter("organisations__")
    return region_choices_for(user).select_related("district").order_by("code").annotate(
        organisation_count=Count("organisations", filter=visible & Q(organisations__status="active")),
        pending_count=Count("organisations", filter=visible & Q(organisations__status="pending")),
    )


def invitations_for(user: Any) -> QuerySet[Invitation]:
    p = principal(user)
    qs = Invitation.objects.select_related("region", "organisation", "invited_by")
    if p.is_operator_admin:
        return qs
    q = Q(invited_by=user)
    for region_id, sector in p.regions:
        q |= Q(organisation__region_id=region_id, organisation__sector=sector)
    org_ids = [oid for oid, roles in p.organisations.items() if Role.ORG_REP in roles]
    if org_ids:
        q |= Q(organisation_id__in=org_ids)
    return qs.filter(q)


def people_of(organisation: Organisation) -> QuerySet[RoleAssignment]:
    return organisation.people.select_related("user").order_by("role", "user__last_name")


def invitable_roles(user: Any) -> list[str]:
    """The roles a person may invite to: the operator's admin any, a coordinator an organisation's
    representative or teacher, a representative a teacher."""
    p = principal(user)
    if p.is_operator_admin:
        return list(Role.values)
    return [Role.ORG_REP, Role.TEACHER] if p.is_coordinator else [Role.TEACHER]


def invitable_organisations(user: Any) -> QuerySet[Organisation]:
    """Active organisations a person may invite people into: in their scope, and for a representative
    only the organisations they represent as such."""
    p = principal(user)
    organisations = organisations_for(user).filter(status=Organisation.Status.ACTIVE)
    if not (p.is_operator_admin or p.is_coordinator):
        organisations = organisations.filter(pk__in=[o for o, r in p.organisations.items() if Role.ORG_REP in r])
    return organisations


def single_organisation_of(user: Any) -> int | None:
    """The one organisation a person's whole scope is (a school's or a company's representative or
    teacher, with no regional or national role), else None: their pages fit that one organisation."""
    p = principal(user)
    if p.is_operator or p.regions or len(p.organisations) != 1:
        return None
    return next(iter(p.organisations))
