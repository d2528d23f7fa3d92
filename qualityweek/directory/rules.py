"""Access rules for the directory's objects (see qualityweek.core.permissions)."""

from collections.abc import Callable
from typing import Any

from qualityweek.core.permissions import allow, rule, system_rule

from .access import principal
from .models import COORDINATED_SECTORS, Invitation, Organisation, Region, Role


@rule(Region, "view")
def view_region(user: Any, region: Any) -> bool:
    """The regions a person works in, as ``selectors.region_choices_for`` lists them."""
    p = principal(user)
    if p.is_operator or any(region_id == region.pk for region_id, _ in p.regions):
        return True
    return bool(p.organisations) and Organisation.objects.filter(pk__in=list(p.organisations),
                                                                 region_id=region.pk).exists()


@rule(Organisation, "view")
def view_organisation(user: Any, org: Any) -> bool:
    p = principal(user)
    return p.is_operator or p.covers(org.region_id, org.sector) or p.represents(org.id)


@rule(Organisation, "create")
def create_organisation(user: Any, org: Any) -> bool:
    """Asked of the class: may this person add organisations at all; of an organisation: there."""
    p = principal(user)
    if isinstance(org, Organisation):
        return move_organisation(user, org)
    return p.is_operator_admin or p.is_coordinator


@rule(Organisation, "move")
def move_organisation(user: Any, org: Any) -> bool:
    """Put an organisation into its (new) region and sector: the operator or that region's coordinator."""
    p = principal(user)
    return p.is_operator_admin or p.covers(org.region_id, org.sector)


@rule(Organisation, "change")
def change_organisation(user: Any, org: Any) -> bool:
    p = principal(user)
    return p.is_operator_admin or p.covers(org.region_id, org.sector) or p.represents(org.id, Role.ORG_REP)


@rule(Organisation, "approve")
def approve_organisation(user: Any, org: Any) -> bool:
    """Decide on the organisation's status at all: the operator or the region's coordinator."""
    p = principal(user)
    return p.is_operator_admin or p.covers(org.region_id, org.sector)


# The status steps open in each status; the services and the detail page consult this table.
ORGANISATION_ACTIONS: dict[str, frozenset[str]] = {
    Organisation.Status.PENDING: frozenset({"activate", "reject"}),
    Organisation.Status.REJECTED: frozenset({"activate"}),
    Organisation.Status.ACTIVE: frozenset({"close"}),
    Organisation.Status.CLOSED: frozenset({"reopen"}),
}


def organisation_allows(org: Any, action: str) -> bool:
    return action in ORGANISATION_ACTIONS.get(getattr(org, "status", ""), frozenset())


def _status_step(action: str) -> Callable[[Any, Any], bool]:
    def step(user: Any, org: Any) -> bool:
        return organisation_allows(org, action) and approve_organisation(user, org)
    return step


def _system_status_step(action: str) -> Callable[[Any, Any], bool]:
    return lambda _system, org: organisation_allows(org, action)


for _step in ORGANISATION_ACTIONS[Organisation.Status.PENDING] | {"close", "reopen"}:
    rule(Organisation, _step)(_status_step(_step))
    system_rule(Organisation, _step)(_system_status_step(_step))


@rule(Organisation, "export")
def export_organisations(user: Any, _: Any) -> bool:
    p = principal(user)
    return p.is_operator or p.is_coordinator


@rule(Invitation, "create")
def create_invitation(user: Any, _: Any) -> bool:
    p = principal(user)
    return p.is_operator_admin or p.is_coordinator or any(
        Role.ORG_REP in roles for roles in p.organisations.values()
    )


@rule(Invitation, "send")
@rule(Invitation, "revoke")
def revoke_invitation(user: Any, inv: Any) -> bool:
    return may_invite(user, role=inv.role, region_id=inv.region_id, sector=inv.sector,
                      organisation=inv.organisation)


def may_invite(user: Any, *, role: str, region_id: int | None, sector: str, organisation: Organisation | None) -> bool:
    """Operator admins invite anyone; coordinators invite people into their organisations;
    an organisation's representative invites teachers of that organisation."""
    p = principal(user)
    if p.is_operator_admin:
        return True
    if role == Role.JUROR:  # a coordinator invites the jury of their own region's round
        return region_id is not None and any(r == region_id for r, _ in p.regions)
    if role == Role.COORDINATOR or role in (Role.OPERATOR_ADMIN, Role.OPERATOR_EDITOR):
        return False
    if organisation is None:
        return False
    if p.covers(organisation.region_id, organisation.sector) and organisation.sector in COORDINATED_SECTORS:
        return True
    return role == Role.TEACHER and p.represents(organisation.id, Role.ORG_REP)


# The system (the demo loader, commands) keeps the directory; it invites nobody: people are invited
# by a person, whose name the invitation carries.
system_rule(Organisation, "create", "change", "approve", "move")(allow)
