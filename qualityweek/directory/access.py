"""Who may see what: a user's role assignments folded into one scope object (a Principal).

Scoped querysets (``visible_to``) and the ``can`` rules both ask the Principal, so a list and a
detail page can never disagree about what a user sees.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from .roles import NATIONAL_ROLES, Role

_NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class Principal:
    roles: frozenset[str] = frozenset()
    # (region_id, sector) pairs a coordinator covers.
    regions: frozenset[tuple[int, str]] = frozenset()
    # organisation id -> roles held there.
    organisations: dict[int, frozenset[str]] = field(default_factory=dict)
    labels: tuple[str, ...] = ()
    # Forum events a person works at.
    events: frozenset[int] = frozenset()
    # (contest_id, round or "" for every round, region_id or None for every region) a juror judges.
    juries: frozenset[tuple[int, str, int | None]] = frozenset()

    @property
    def is_operator(self) -> bool:
        return bool(self.roles & set(NATIONAL_ROLES))

    @property
    def is_operator_admin(self) -> bool:
        return Role.OPERATOR_ADMIN in self.roles

    @property
    def is_coordinator(self) -> bool:
        return bool(self.regions)

    def covers(self, region_id: int | None, sector: str) -> bool:
        return (region_id, sector) in self.regions

    def represents(self, organisation_id: int | None, *roles: str) -> bool:
        held = self.organisations.get(organisation_id or 0, frozenset())
        return bool(held & set(roles or (Role.ORG_REP, Role.TEACHER)))

    def staffs(self, event_id: int | None) -> bool:
        return event_id in self.events

    def judges(self, contest_id: int | None, round_: str = "", region_id: int | None = None) -> bool:
        """A juror of this contest whose scope includes the round and the region asked about
        (an empty round or a missing region in the question asks about the contest as a whole)."""
        return any(
            c == contest_id and (not r or not round_ or r == round_)
            and (g is None or region_id is None or g == region_id)
            for c, r, g in self.juries
        )

    def scope_filter(self, *, region: str = "region_id", sector: str = "sector",
                     organisation: str | None = "organisation_id") -> Q:
        """A Q over rows that carry a region, a sector and (optionally) an organisation: all rows
        for the operator, the covered (region, sector) pairs for a coordinator, and the user's own
        organisations for their people."""
        if self.is_operator:
            return Q()
        q = _NOTHING
        for region_id, sector_code in sorted(self.regions):
            q |= Q(**{region: region_id, sector: sector_code})
        if organisation and self.organisations:
            q |= Q(**{f"{organisation}__in": sorted(self.organisations)})
        return q

    def organisation_filter(self, prefix: str = "") -> Q:
        """A Q over Organisation (or over a model reaching it through ``prefix``)."""
        return self.scope_filter(region=f"{prefix}region_id", sector=f"{prefix}sector", organisation=f"{prefix}id")

    def describe(self) -> tuple[str, str]:
        """(role, scope) as the audit log writes them."""
        return (", ".join(sorted(self.roles)) or "пользователь", "; ".join(self.labels))


ANONYMOUS = Principal()


def principal(user: Any) -> Principal:
    """The user's scope, computed once per user object (one query). A request builds a new user
    object, so the cache lives as long as the request; a long-lived WebSocket connection calls
    ``forget`` before each message so that a changed role takes effect at once."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, "_principal", None)
    if cached is not None:
        return cached
    result = _fold(user.roles.select_related("region"))

    user._principal = result
    return result


def _fold(assignments: Any) -> Principal:
    roles: set[str] = set()
    regions: set[tuple[int, str]] = set()
    organisations: dict[int, set[str]] = {}
    events: set[int] = set()
    juries: set[tuple[int, str, int | None]] = set()
    labels: list[str] = []
    for ra in assignments:
        roles.add(ra.role)
        labels.append(_label(ra))
        if ra.role == Role.COORDINATOR:
            regions.add((ra.region_id, ra.sector))
        elif ra.role == Role.FORUM_STAFF:
            events.add(ra.event_id)
        elif ra.role == Role.JUROR:
            juries.add((ra.contest_id, ra.contest_round, ra.region_id))
        elif ra.organisation_id:
            organisations.setdefault(ra.organisation_id, set()).add(ra.role)
    return Principal(
        roles=frozenset(roles), regions=frozenset(regions),
        organisations={k: frozenset(v) for k, v in organisations.items()},
        labels=tuple(sorted(labels)), events=frozenset(events), juries=frozenset(juries),
    )


def _label(ra: Any) -> str:
    if ra.role == Role.FORUM_STAFF:
        return f"{ra.role}:event/{ra.event_id}"
    if ra.role == Role.JUROR:
        where = f"/{ra.contest_round}" if ra.contest_round else ""
        where += f"/{ra.region.code}" if ra.region_id else ""
        return f"{ra.role}:contest/{ra.contest_id}{where}"
    return f"{ra.role}:{ra.region.code + '/' + ra.sector if ra.region_id else ''}{ra.organisation_id or ''}"


def forget(user: Any) -> None:
    """Drop the cached scope after the user's roles change."""
    if hasattr(user, "_principal"):
        del user._principal
