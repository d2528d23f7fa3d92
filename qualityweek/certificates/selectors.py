"""Scoped reads of certificates: a list, a detail page and a download see the same rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from qualityweek.directory.access import principal
from qualityweek.directory.models import Organisation, Region, Role, Sector

from .models import Certificate
from .sources import SOURCES, Source

_NOTHING = Q(pk__in=[])


def _held_by(user: Any) -> Q:
    """The certificates a person holds: issued to them, or to an organisation they belong to."""
    p = principal(user)
    q = Q(user_id=user.pk)
    if p.organisations:
        q |= Q(holder_is_person=False, organisation_id__in=sorted(p.organisations))
    return q


def _managed_by(user: Any) -> Q:
    p = principal(user)
    if p.is_operator:
        return Q()
    q = _NOTHING
    for region_id, sector in sorted(p.regions):
        q |= Q(region_id=region_id, sector=sector)
    represented = sorted(org for org, roles in p.organisations.items() if Role.ORG_REP in roles)
    if represented:
        q |= Q(kind=Certificate.Kind.THANKS, organisation_id__in=represented)
    return q


def certificates_for(user: Any) -> QuerySet[Certificate]:
    """Every certificate the user may open (``can(user, "view", c)`` agrees)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Certificate.objects.none()
    if principal(user).is_operator:  # (an empty Q in an OR would vanish: Q() | q is q)
        return Certificate.objects.select_related("region", "organisation")
    return Certificate.objects.filter(_managed_by(user) | _held_by(user)).select_related("region", "organisation")


def managed_by(user: Any) -> QuerySet[Certificate]:
    if user is None or not getattr(user, "is_authenticated", False):
        return Certificate.objects.none()
    return Certificate.objects.filter(_managed_by(user)).select_related("region", "organisation")


def mine(user: Any) -> QuerySet[Certificate]:
    """«Мои сертификаты»: what the user holds."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Certificate.objects.none()
    return Certificate.objects.filter(_held_by(user)).select_related("region", "organisation")


def valid_by_holder(source: str, subject_id: int) -> dict[str, Certificate]:
    """The valid certificates a source issued for one subject, by holder key (for a feature app's
    public page that links each holder's certificate to its verification page)."""
    return {c.holder_key: c for c in Certificate.objects.valid().filter(source=source, subject_id=subject_id)}


def verified(public_id: str) -> Certificate | None:
    """The certificate a QR code names, for the public page; None when there is none."""
    if not public_id or len(public_id) > 32:
        return None
    return Certificate.objects.select_related("replaced_by").filter(public_id=public_id).first()


@dataclass(frozen=True)
class CertificateFilter:
    kind: str = ""
    status: str = ""
    source: str = ""
    region: int | None = None
    q: str = ""

    def apply(self, qs: QuerySet[Certificate]) -> QuerySet[Certificate]:
        if self.kind:
            qs = qs.filter(kind=self.kind)
        if self.status:
            qs = qs.filter(status=self.status)
        if self.source:
            qs = qs.filter(source=self.source)
        if self.region:
            qs = qs.filter(region_id=self.region)
        if self.q:
            qs = qs.filter(Q(holder_name__icontains=self.q) | Q(number_text__icontains=self.q))
        return qs


# --- The issue form: what a person may pick ----------------------------------------------------------

def issue_scopes(user: Any) -> list[tuple[str, str]]:
    """The scopes a person may issue for, as (value, Russian label): «region:43:education»,
    «org:17»; the operator admin also has «all» (every region)."""
    p = principal(user)
    options: list[tuple[str, str]] = []
    if p.is_operator_admin:
        options.append(("all", "Все регионы"))
        pairs: list[tuple[int, str]] = [(r.pk, str(s)) for r in Region.objects.order_by("name")
                                        for s in (Sector.EDUCATION, Sector.BUSINESS)]
    else:
        pairs = sorted(p.regions)
    regions = {r.pk: r for r in Region.objects.filter(pk__in={pk for pk, _ in pairs})}
    labels = dict(Sector.choices)
    for region_id, sector in pairs:
        label = f"{regions[region_id].name}, {labels.get(sector, sector).lower()}"
        options.append((f"region:{region_id}:{sector}", label))
    represented = sorted(org for org, roles in p.organisations.items() if Role.ORG_REP in roles)
    for org in Organisation.objects.filter(pk__in=represented).order_by("name"):
        options.append((f"org:{org.pk}", f"{org.name} (только благодарственные письма)"))
    return options


def sources() -> list[Source]:
    return sorted(SOURCES.values(), key=lambda s: s.label)


def subjects_of(source: Source) -> list[tuple[int, str]]:
    return list(source.subjects()) if source.subjects is not None else []
