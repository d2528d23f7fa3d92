"""Access rules for outreach objects (see qualityweek.core.permissions).

The operator writes on the operator's letterhead; a regional coordinator writes on the letterhead of
their own region's authority for their sector (education ↔ education authority, business ↔ industry).
Letters are read through ``selectors.letters_for`` so a foreign letter is a 404 before any rule runs."""

from __future__ import annotations

from qualityweek.core.permissions import rule
from qualityweek.directory.access import principal

from .models import (
    SECTOR_OF_AUTHORITY,
    Delivery,
    Letter,
    LetterTemplate,
    Material,
    Register,
    Request,
    Sender,
)


def may_write_for(user, sender: Sender) -> bool:
    p = principal(user)
    if sender.is_operator:
        return p.is_operator
    org = sender.organisation
    return org is not None and p.covers(org.region_id, SECTOR_OF_AUTHORITY.get(org.authority, ""))  # type: ignore[call-overload]


@rule(Sender, "change")
def change_sender(user, sender) -> bool:
    if isinstance(sender, type):
        return principal(user).is_operator or principal(user).is_coordinator
    return may_write_for(user, sender)


@rule(Register, "change")
def change_register(user, register) -> bool:
    return may_write_for(user, register.sender)


@rule(Letter, "create")
def create_letter(user, _) -> bool:
    p = principal(user)
    return p.is_operator or p.is_coordinator


@rule(Letter, "change", "register", "delete")
def change_letter(user, letter) -> bool:
    return letter.status == Letter.Status.DRAFT and may_write_for(user, letter.sender)


@rule(Letter, "dispatch")
def dispatch_letter(user, letter) -> bool:
    return letter.status == Letter.Status.REGISTERED and may_write_for(user, letter.sender)


@rule(Letter, "track")
def track_letter(user, letter) -> bool:
    return principal(user).is_operator or may_write_for(user, letter.sender)


@rule(Letter, "cascade")
def cascade_letter(user, letter) -> bool:
    """A coordinator whose authority received the letter may retell it to their organisations."""
    from .selectors import authority_of

    p = principal(user)
    if not p.is_coordinator or not letter.is_registered:
        return False
    authorities = [a for a in (authority_of(region_id, sector) for region_id, sector in p.regions) if a]
    return Delivery.objects.filter(letter=letter, organisation__in=authorities).exclude(
        status=Delivery.Status.QUEUED).exists()


@rule(LetterTemplate, "view")
def view_template(user, _) -> bool:
    p = principal(user)
    return p.is_operator or p.is_coordinator


@rule(LetterTemplate, "change", "create")
def change_template(user, _) -> bool:
    return principal(user).is_operator


@rule(Material, "view")
def view_material(user, material) -> bool:
    return isinstance(material, type) or material.is_published or principal(user).is_operator


@rule(Material, "change", "create")
def change_material(user, _) -> bool:
    return principal(user).is_operator


@rule(Request, "view", "answer")
def answer_request(user, _) -> bool:
    return principal(user).is_operator
