"""Access rules for outreach objects (see qualityweek.core.permissions).

The operator writes on the operator's letterhead; a regional coordinator writes on the letterhead of
their own region's authority for their sector (education ↔ education authority, business ↔ industry).
Letters are read through ``selectors.letters_for`` so a foreign letter is a 404 before any rule runs.

What may happen to a letter or a request depends on its status: the transition tables below say
which actions each status allows, and the rules consult them — so a view offers exactly the buttons
the services accept.

The system (demo loader, commands) writes letterheads, registers, templates, materials and letters
as the transition tables allow; the public acknowledges a delivery by its token link and writes to
the requests mailbox."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qualityweek.core.permissions import allow, public_rule, rule, system_rule
from qualityweek.directory.access import principal

from .models import (
    SECTOR_OF_AUTHORITY,
    Delivery,
    Dispatch,
    Letter,
    LetterTemplate,
    Material,
    Register,
    Request,
    Sender,
)
from .selectors import authority_of

# --- Transition tables ----------------------------------------------------------------------------

LETTER_ACTIONS: dict[str, frozenset[str]] = {
    Letter.Status.DRAFT: frozenset({"change", "register", "delete"}),
    Letter.Status.REGISTERED: frozenset({"dispatch", "cascade"}),
}

REQUEST_ACTIONS: dict[str, frozenset[str]] = {
    Request.Status.NEW: frozenset({"take", "answer", "close"}),
    Request.Status.IN_PROGRESS: frozenset({"answer", "close"}),
    Request.Status.ANSWERED: frozenset({"take", "answer", "close"}),
    Request.Status.CLOSED: frozenset({"take"}),
}

# Moves of a request between statuses (the buttons of the mailbox), and where each one leads.
REQUEST_MOVES: dict[str, str] = {"take": Request.Status.IN_PROGRESS, "close": Request.Status.CLOSED}


def letter_allows(letter: Letter, action: str) -> bool:
    return action in LETTER_ACTIONS.get(letter.status, frozenset())


def request_allows(request: Request, action: str) -> bool:
    return action in REQUEST_ACTIONS.get(request.status, frozenset())


# --- Signed-in users ------------------------------------------------------------------------------

def may_write_for(user: Any, sender: Sender) -> bool:
    p = principal(user)
    if sender.is_operator:
        return p.is_operator
    org = sender.organisation
    return org is not None and p.covers(org.region_id, SECTOR_OF_AUTHORITY.get(org.authority, ""))  # type: ignore[call-overload]


def _writes_letterheads(user: Any) -> bool:
    p = principal(user)
    return p.is_operator or p.is_coordinator


@rule(Sender, "change")
def change_sender(user: Any, sender: Any) -> bool:
    if isinstance(sender, type):
        return _writes_letterheads(user)
    return may_write_for(user, sender)


@rule(Register, "change")
def change_register(user: Any, register: Any) -> bool:
    if isinstance(register, type):
        return _writes_letterheads(user)
    return may_write_for(user, register.sender)


@rule(Letter, "create")
def create_letter(user: Any, _: Any) -> bool:
    return _writes_letterheads(user)


def _letter_step(action: str) -> Callable[[Any, Any], bool]:
    def check(user: Any, letter: Any) -> bool:
        return letter_allows(letter, action) and may_write_for(user, letter.sender)

    check.__name__ = f"{action}_letter"
    return check


for _action in ("change", "register", "delete", "dispatch"):
    rule(Letter, _action)(_letter_step(_action))


@rule(Letter, "track")
def track_letter(user: Any, letter: Any) -> bool:
    return principal(user).is_operator or may_write_for(user, letter.sender)


@rule(Letter, "cascade")
def cascade_letter(user: Any, letter: Any) -> bool:
    """A coordinator whose authority received the letter may retell it to their organisations."""
    p = principal(user)
    if not p.is_coordinator or not letter_allows(letter, "cascade"):
        return False
    authorities = [a for a in (authority_of(region_id, sector) for region_id, sector in p.regions) if a]
    return Delivery.objects.filter(letter=letter, organisation__in=authorities).exclude(
        status=Delivery.Status.QUEUED).exists()


@rule(Dispatch, "national")
def national_dispatch(user: Any, _: Any) -> bool:
    """Sending to the authorities of every region is the operator's."""
    return principal(user).is_operator


@rule(LetterTemplate, "view")
def view_template(user: Any, template: Any) -> bool:
    """The templates page for those who write letters; one template as ``selectors.templates_for``
    lists them (active; a coordinator sees the cascade ones)."""
    if not _writes_letterheads(user):
        return False
    if isinstance(template, type):
        return True
    p = principal(user)
    return (p.is_operator or p.is_coordinator) and template.is_active and (
        p.is_operator or template.audience.startswith("cascade_"))


@rule(LetterTemplate, "change", "create")
def change_template(user: Any, _: Any) -> bool:
    return principal(user).is_operator


@rule(Material, "view")
def view_material(user: Any, material: Any) -> bool:
    if isinstance(material, type) or principal(user).is_operator:
        return True
    return bool(material.is_published and (material.campaign_id is None or material.campaign.is_announced))


@rule(Material, "change", "create")
def change_material(user: Any, _: Any) -> bool:
    return principal(user).is_operator


@rule(Request, "view")
def view_request(user: Any, _: Any) -> bool:
    return principal(user).is_operator


def _request_step(action: str) -> Callable[[Any, Any], bool]:
    def check(user: Any, request: Any) -> bool:
        return principal(user).is_operator and (isinstance(request, type) or request_allows(request, action))

    check.__name__ = f"{action}_request"
    return check


for _action in ("take", "answer", "close"):
    rule(Request, _action)(_request_step(_action))


# --- The system: the demo loader and commands -----------------------------------------------------

system_rule(Sender, "change")(allow)
system_rule(Register, "change")(allow)
system_rule(LetterTemplate, "change", "create")(allow)
system_rule(Material, "change", "create")(allow)
# The services refuse a step the letter's status does not allow, with a reason (ValidationError).
system_rule(Letter, "create", "change", "register", "delete", "dispatch", "track")(allow)
system_rule(Dispatch, "national")(allow)


@rule(Delivery, "acknowledge")
def acknowledge_in_app(user: Any, delivery: Any) -> bool:
    """A person of the addressed organisation (or the coordinator whose authority it is) confirms a
    sent letter was read from their cabinet, without the e-mailed link."""
    if delivery.status not in (Delivery.Status.SENT, Delivery.Status.UNKNOWN):
        return False
    p = principal(user)
    if delivery.organisation_id in p.organisations:
        return True
    org = delivery.organisation
    return bool(org.authority) and (org.region_id, SECTOR_OF_AUTHORITY.get(org.authority, "")) in p.regions


# --- The public: visitors who are not signed in ---------------------------------------------------

@public_rule(Delivery, "acknowledge")
def acknowledge_delivery(_actor: Any, delivery: Any) -> bool:
    """Whoever holds the link of a sent letter confirms it was read (the token is the credential)."""
    return bool(delivery.token_hash)


public_rule(Request, "submit")(allow)
