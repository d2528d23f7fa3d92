"""Who may do what at the forum (see qualityweek.core.permissions).

- a forum: anyone ``view``s a published one (the operator also a draft); anyone ``register``s while
  registration is open; the operator ``manage``s it (programme, approvals, exports, the dashboard);
  its staff (``forum_staff`` with ``event_id`` = the forum's id) and the operator ``checkin``;
  a regional coordinator ``register_venue`` (their region's regional venue) and ``register_group``
  (a delegation), a school's representative or teacher ``register_group`` (a class);
- a venue: the operator and the coordinator of its region ``view`` it (who registered there) and
  ``record_watchers`` (the head count watching together);
- a registration: its person (the signed-in owner, or whoever holds its personal link — the view
  checks the link) ``view``s it; the status table below says which steps each status allows: the
  owner ``cancel``s, ``edit``s and ``accept``s an offer; the operator or the coordinator of the
  registrant's region ``approve``s or ``decline``s a pending one; a delegation's person (the
  coordinator who registered it, the operator, or whoever holds its link) names its ``members``
  while it is active.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from qualityweek.core.permissions import allow, public_rule, rule, system_rule
from qualityweek.directory.access import principal
from qualityweek.directory.models import Role

from .models import ACTIVE, Forum, Registration, Venue

S = Registration.Status

REGISTRATION_ACTIONS: dict[str, frozenset[str]] = {
    S.PENDING: frozenset({"approve", "decline", "cancel", "edit"}),
    S.CONFIRMED: frozenset({"cancel", "edit"}),
    S.WAITLISTED: frozenset({"cancel", "edit"}),
    S.OFFERED: frozenset({"accept", "cancel"}),
    S.DECLINED: frozenset(),
    S.EXPIRED: frozenset(),
    S.CANCELLED: frozenset(),
}


def members_open(registration: Registration) -> bool:
    """A delegation's members are named (or removed) while the delegation is active."""
    return registration.kind == Registration.Kind.DELEGATION and registration.status in ACTIVE


def registration_allows(registration: Registration, action: str) -> bool:
    return action in REGISTRATION_ACTIONS.get(registration.status, frozenset())


def registration_open(forum: Forum) -> bool:
    now = timezone.now()
    if not forum.is_published:
        return False
    if forum.registration_opens_at is not None and now < forum.registration_opens_at:
        return False
    return forum.registration_closes_at is None or now < forum.registration_closes_at


def coordinator_regions(user: Any) -> frozenset[int]:
    return frozenset(region_id for region_id, _ in principal(user).regions)


# --- forum --------------------------------------------------------------------------------------------

@rule(Forum, "view")
def view_forum(user: Any, forum: Any) -> bool:
    return forum.is_published or principal(user).is_operator


@public_rule(Forum, "view")
def public_view_forum(_: Any, forum: Any) -> bool:
    return bool(forum.is_published)


@rule(Forum, "register")
@public_rule(Forum, "register")
def register_forum(_: Any, forum: Any) -> bool:
    return registration_open(forum)


@rule(Forum, "manage")
def manage_forum(user: Any, _: Any) -> bool:
    return principal(user).is_operator


@rule(Forum, "checkin")
def checkin_forum(user: Any, forum: Any) -> bool:
    p = principal(user)
    return p.is_operator or (not isinstance(forum, type) and p.staffs(forum.pk))


@rule(Forum, "register_venue")
def register_venue(user: Any, _: Any) -> bool:
    return principal(user).is_coordinator


@rule(Forum, "register_group")
def register_group(user: Any, forum: Any) -> bool:
    p = principal(user)
    party = p.is_coordinator or p.is_operator or any(
        Role.ORG_REP in roles or Role.TEACHER in roles for roles in p.organisations.values())
    return party and (isinstance(forum, type) or registration_open(forum))


# --- venue --------------------------------------------------------------------------------------------

@rule(Venue, "view")
@rule(Venue, "record_watchers")
def view_venue(user: Any, venue: Any) -> bool:
    p = principal(user)
    return p.is_operator or (venue.region_id is not None and venue.region_id in coordinator_regions(user))


# --- registration -------------------------------------------------------------------------------------

def _owner(user: Any, registration: Any) -> bool:
    return registration.user_id is not None and registration.user_id == user.pk


def _reviewer(user: Any, registration: Any) -> bool:
    """The operator, or the coordinator of the registrant's region (or of the regional venue's)."""
    if principal(user).is_operator:
        return True
    regions = coordinator_regions(user)
    return registration.region_id in regions or registration.venue.region_id in regions


@rule(Registration, "view")
def view_registration(user: Any, registration: Any) -> bool:
    return _owner(user, registration) or _reviewer(user, registration)


@rule(Registration, "own")
def own_registration(user: Any, registration: Any) -> bool:
    """The party check of cancel, edit and accept: the person who registered."""
    return _owner(user, registration)


@rule(Registration, "review")
def review_registration(user: Any, registration: Any) -> bool:
    """The party check of approve and decline."""
    return _reviewer(user, registration)


@rule(Registration, "approve")
@rule(Registration, "decline")
def decide_registration(user: Any, registration: Any) -> bool:
    return registration_allows(registration, "approve") and _reviewer(user, registration)


@rule(Registration, "cancel")
def cancel_registration(user: Any, registration: Any) -> bool:
    return registration_allows(registration, "cancel") and (_owner(user, registration)
                                                             or principal(user).is_operator)


@rule(Registration, "edit")
def edit_registration(user: Any, registration: Any) -> bool:
    return registration_allows(registration, "edit") and _owner(user, registration)


@rule(Registration, "accept")
def accept_registration(user: Any, registration: Any) -> bool:
    return registration_allows(registration, "accept") and _owner(user, registration)


@rule(Registration, "members")
def name_members(user: Any, registration: Any) -> bool:
    return members_open(registration) and (_owner(user, registration) or principal(user).is_operator)


# Whoever holds a registration's personal link acts as its person (the view has checked the link).
@public_rule(Registration, "members")
def public_members(_: Any, registration: Any) -> bool:
    return members_open(registration)


@public_rule(Registration, "cancel")
def public_cancel(_: Any, registration: Any) -> bool:
    return registration_allows(registration, "cancel")


@public_rule(Registration, "edit")
def public_edit(_: Any, registration: Any) -> bool:
    return registration_allows(registration, "edit")


@public_rule(Registration, "accept")
def public_accept(_: Any, registration: Any) -> bool:
    return registration_allows(registration, "accept")


# The system (demo, periodic jobs) runs the queue: offers, expiries, reminders.
for _action in ("view", "manage", "register", "register_group", "register_venue", "checkin"):
    system_rule(Forum, _action)(allow)
for _action in ("view", "record_watchers"):
    system_rule(Venue, _action)(allow)


def _system_step(action: str) -> Any:
    def check(_: Any, registration: Any) -> bool:
        return registration_allows(registration, action)

    check.__name__ = f"system_{action}_registration"
    return check


for _action in ("approve", "decline", "cancel", "accept", "edit"):
    system_rule(Registration, _action)(_system_step(_action))
system_rule(Registration, "members")(lambda _, registration: members_open(registration))
system_rule(Forum, "purge")(allow)
