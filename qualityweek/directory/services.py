"""Every write to the directory: one function per use case, atomic, audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from qualityweek.core import audit, events, legal, public_cache
from qualityweek.core.audit import Actor
from qualityweek.core.mail import send_later
from qualityweek.core.permissions import can, require
from qualityweek.core.text import date_ru

from .access import forget
from .models import (
    COORDINATED_SECTORS,
    NATIONAL_ROLES,
    Invitation,
    Organisation,
    Region,
    Role,
    RoleAssignment,
    User,
    organisation_key,
)

ORGANISATION_FIELDS = ("name", "kind", "sector", "region", "municipality", "address", "inn", "size",
                       "email", "phone", "website")

SECTOR_OF_KIND: dict[str, str] = {
    Organisation.Kind.SCHOOL: "education", Organisation.Kind.COLLEGE: "education",
    Organisation.Kind.UNIVERSITY: "education", Organisation.Kind.KINDERGARTEN: "education",
    Organisation.Kind.SUPPLEMENTARY: "education", Organisation.Kind.MANUFACTURER: "business",
    Organisation.Kind.RETAILER: "business", Organisation.Kind.SERVICE: "business",
    Organisation.Kind.AUTHORITY: "government", Organisation.Kind.OTHER: "other",
}


def _save_organisation(org: Organisation) -> None:
    org.inn = (org.inn or "").strip()
    org.name = " ".join(org.name.split())
    org.municipality = " ".join(org.municipality.split())
    org.name_key = organisation_key(org.name, org.municipality)
    others = Organisation.objects.exclude(pk=org.pk)
    errors = {}
    if org.inn and others.filter(inn=org.inn).exists():
        errors["inn"] = "Организация с таким ИНН уже зарегистрирована."
    if org.region_id and others.filter(region_id=org.region_id, name_key=org.name_key).exists():
        errors["name"] = "Организация с таким названием в этом населённом пункте уже зарегистрирована."
    if errors:
        raise ValidationError(errors)
    org.full_clean()
    try:
        with transaction.atomic():
            org.save()
            public_cache.bump_on_commit("events", "practices")  # both show the organisation's name
    except IntegrityError as exc:  # a concurrent insert won the race that full_clean() checked
        raise ValidationError("Такая организация уже зарегистрирована.") from exc


@transaction.atomic
def create_organisation(*, actor: Actor, status: str = Organisation.Status.ACTIVE, **fields: Any) -> Organisation:
    org = Organisation(status=status, **{k: v for k, v in fields.items() if k in ORGANISATION_FIELDS})
    if not org.sector and org.kind:
        org.sector = SECTOR_OF_KIND[org.kind]
    require(actor, "create", org)
    _save_organisation(org)
    audit.record(actor=actor, action="organisation.create", obj=org, after=audit.snapshot(org))
    return org


@transaction.atomic
def update_organisation(*, actor: Actor, organisation: Organisation, **changes: Any) -> Organisation:
    require(actor, "change", organisation)
    before = audit.snapshot(organisation)
    for name, value in changes.items():
        if name not in ORGANISATION_FIELDS:
            raise ValueError(f"Field {name} cannot be changed here.")
        setattr(organisation, name, value)
    moved = organisation.region_id != before["region_id"] or organisation.sector != before["sector"]
    if moved and not can(actor, "move", organisation):
        raise ValidationError("Перенести организацию в другой регион или сферу может только координатор.")
    _save_organisation(organisation)
    audit.record(actor=actor, action="organisation.update", obj=organisation, before=before,
                 after=audit.snapshot(organisation))
    return organisation


def _set_status(actor: Actor, org: Organisation, status: str, action: str, step: str) -> Organisation:
    require(actor, "approve", org)
    org = Organisation.objects.select_for_update().get(pk=org.pk)
    if not can(actor, step, org):  # the transition table (rules.ORGANISATION_ACTIONS) on the locked row
        raise ValidationError(f"Нельзя: организация в статусе «{org.get_status_display()}».")
    before = audit.snapshot(org, ["status"])
    org.status = status
    org.save(update_fields=["status", "updated_at"])
    public_cache.bump_on_commit("events", "practices")
    audit.record(actor=actor, action=action, obj=org, before=before, after=audit.snapshot(org, ["status"]))
    return org


@transaction.atomic
def approve_organisation(*, actor: Actor, organisation: Organisation) -> Organisation:
    org = _set_status(actor, organisation, Organisation.Status.ACTIVE, "organisation.approve", "activate")
    events.emit("organisation.approved", organisation=org)
    recipients = [ra.user.email for ra in org.people.select_related("user").filter(role=Role.ORG_REP)]
    if recipients:
        send_later(to=recipients, subject="Организация подтверждена — Неделя качества",
                   template="directory/email/organisation_approved.txt",
                   context={"organisation": org, "site_url": settings.SITE_URL})
    return org


@transaction.atomic
def reject_organisation(*, actor: Actor, organisation: Organisation, reason: str) -> Organisation:
    if not reason.strip():
        raise ValidationError({"reason": "Укажите причину отказа: её увидит заявитель."})
    org = _set_status(actor, organisation, Organisation.Status.REJECTED, "organisation.reject", "reject")
    events.emit("organisation.rejected", organisation=org, reason=reason.strip())
    recipients = [ra.user.email for ra in org.people.select_related("user").filter(role=Role.ORG_REP)]
    if recipients:
        send_later(to=recipients, subject="Заявка организации отклонена — Неделя качества",
                   template="directory/email/organisation_rejected.txt",
                   context={"organisation": org, "reason": reason.strip()})
    return org


@transaction.atomic
def close_organisation(*, actor: Actor, organisation: Organisation) -> Organisation:
    return _set_status(actor, organisation, Organisation.Status.CLOSED, "organisation.close", "close")


@transaction.atomic
def reopen_organisation(*, actor: Actor, organisation: Organisation) -> Organisation:
    return _set_status(actor, organisation, Organisation.Status.ACTIVE, "organisation.reopen", "reopen")


# --- People and roles ------------------------------------------------------------------------------

def _check_scope(role: str, region: Region | None, sector: str, organisation: Organisation | None,
                 contest_id: int | None = None) -> None:
    if role == Role.JUROR:
        if contest_id is None or sector or organisation:
            raise ValidationError("Член жюри приглашается в конкурс (и, возможно, в тур и регион), "
                                  "а не в организацию.")
    elif role in NATIONAL_ROLES:
        if region or sector or organisation:
            raise ValidationError("Роль оператора действует по всей России: регион и организацию не указывают.")
    elif role == Role.COORDINATOR:
        if region is None or sector not in COORDINATED_SECTORS:
            raise ValidationError({"region": "Для координатора укажите регион и сферу (образование или бизнес)."})
        if organisation:
            raise ValidationError({"organisation": "Координатор работает с регионом, а не с одной организацией."})
    else:
        if organisation is None:
            raise ValidationError({"organisation": "Укажите организацию."})
        if region or sector:
            raise ValidationError("Для роли в организации регион и сферу не указывают.")


@transaction.atomic
def assign_role(*, actor: Actor, user: User, role: str, region: Region | None = None, sector: str = "",
                organisation: Organisation | None = None, contest_id: int | None = None,
                contest_round: str = "") -> RoleAssignment:
    _check_scope(role, region, sector, organisation, contest_id)
    existing = RoleAssignment.objects.filter(user=user, role=role, region=region, sector=sector,
                                             organisation=organisation, contest_id=contest_id,
                                             contest_round=contest_round).first()
    if existing:
        return existing
    ra = RoleAssignment.objects.create(user=user, role=role, region=region, sector=sector,
                                       organisation=organisation, contest_id=contest_id,
                                       contest_round=contest_round)
    if role == Role.OPERATOR_ADMIN and not user.is_staff:
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    forget(user)
    audit.record(actor=actor, action="role.assign", obj=ra, after=audit.snapshot(ra))
    return ra


def _email_taken(email: str) -> bool:
    return User.objects.filter(email__iexact=email).exists()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def invite(*, actor: Actor, email: str, role: str, region: Region | None = None, sector: str = "",
           organisation: Organisation | None = None, last_name: str = "", first_name: str = "",
           patronymic: str = "", contest_id: int | None = None, contest_round: str = "") -> tuple[Invitation, str]:
    """Create an invitation and e-mail its link. Returns the invitation and the raw token."""
    email = email.strip().lower()
    _check_scope(role, region, sector, organisation, contest_id)
    require(actor, "send", Invitation(role=role, region=region, sector=sector, organisation=organisation,
                                      contest_id=contest_id, contest_round=contest_round))
    if organisation is not None and organisation.status != Organisation.Status.ACTIVE:
        raise ValidationError({"organisation": "Приглашать можно только в действующую организацию."})
    if _email_taken(email):
        raise ValidationError({"email": "Пользователь с таким e-mail уже зарегистрирован."})
    now = timezone.now()
    pending = Invitation.objects.filter(email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True,
                                        expires_at__gt=now)
    if pending.exists():
        raise ValidationError({"email": "На этот e-mail уже отправлено действующее приглашение."})
    token = secrets.token_urlsafe(32)
    inv = Invitation.objects.create(
        email=email, role=role, region=region, sector=sector, organisation=organisation,
        contest_id=contest_id, contest_round=contest_round,
        last_name=last_name.strip(), first_name=first_name.strip(), patronymic=patronymic.strip(),
        invited_by=actor.user, token_hash=_token_hash(token),
        expires_at=now + dt.timedelta(days=settings.INVITATION_TTL_DAYS),
    )
    audit.record(actor=actor, action="invitation.create", obj=inv, after=audit.snapshot(inv, [
        "email", "role", "region_id", "sector", "organisation_id", "contest_id", "contest_round",
        "expires_at"]))
    send_later(
        to=[email], subject="Приглашение на платформу Недели качества",
        template="directory/email/invitation.txt",
        context={"invitation": inv, "link": settings.SITE_URL + reverse("accept_invitation", args=[token]),
                 "inviter": actor.user},
    )
    return inv, token


@transaction.atomic
def revoke_invitation(*, actor: Actor, invitation: Invitation) -> Invitation:
    require(actor, "revoke", invitation)
    if invitation.accepted_at:
        raise ValidationError("Приглашение уже принято.")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit.record(actor=actor, action="invitation.revoke", obj=invitation)
    return invitation


class InvitationInvalid(Exception):
    """Raised with a Russian explanation the person can act on."""


TOKEN_ALPHABET = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def find_invitation(token: str) -> Invitation:
    if not 20 <= len(token) <= 100 or not set(token) <= TOKEN_ALPHABET:
        raise InvitationInvalid("Ссылка приглашения повреждена. Скопируйте её из письма целиком.")
    inv = Invitation.objects.select_related("region", "organisation").filter(token_hash=_token_hash(token)).first()
    if inv is None:
        raise InvitationInvalid("Приглашение не найдено. Возможно, ссылка скопирована не полностью.")
    if inv.accepted_at:
        raise InvitationInvalid("Это приглашение уже принято. Войдите со своим e-mail и паролем.")
    if inv.revoked_at:
        raise InvitationInvalid("Приглашение отозвано. Обратитесь к тому, кто вас пригласил.")
    if inv.expires_at <= timezone.now():
        raise InvitationInvalid(
            f"Срок действия приглашения истёк {date_ru(timezone.localtime(inv.expires_at).date())}. "
            "Попросите отправить новое."
        )
    return inv


def _require_consent(personal_data_consent: bool) -> dict[str, Any]:
    """152-FZ: no account without the separate consent; the user row keeps when and which edition."""
    if personal_data_consent is not True:
        raise ValidationError({"personal_data_consent": legal.CONSENT_REQUIRED})
    return {"personal_data_consent_at": timezone.now(), "personal_data_consent_version": legal.CONSENT_VERSION}


@transaction.atomic
def accept_invitation(*, token: str, last_name: str, first_name: str, patronymic: str, password: str,
                      personal_data_consent: bool, ip: str | None = None) -> User:
    consent = _require_consent(personal_data_consent)
    inv = find_invitation(token)
    inv = Invitation.objects.select_for_update().get(pk=inv.pk)
    if inv.accepted_at:
        raise InvitationInvalid("Это приглашение уже принято.")
    if _email_taken(inv.email):
        raise InvitationInvalid("Пользователь с таким e-mail уже зарегистрирован. Войдите со своим паролем.")
    user = User(email=inv.email, last_name=last_name.strip(), first_name=first_name.strip(),
                patronymic=patronymic.strip(), **consent)
    validate_password(password, user)
    user.set_password(password)
    user.save()
    actor = Actor(user=user, ip=ip)
    inv.accepted_at = timezone.now()
    inv.save(update_fields=["accepted_at"])
    assign_role(actor=Actor(user=inv.invited_by, ip=ip), user=user, role=inv.role, region=inv.region,
                sector=inv.sector, organisation=inv.organisation, contest_id=inv.contest_id,
                contest_round=inv.contest_round)
    audit.record(actor=actor, action="invitation.accept", obj=inv)
    events.emit("invitation.accepted", invitation=inv, user=user)
    return user


@transaction.atomic
def sign_up_organisation(*, organisation: dict[str, Any], person: dict[str, Any], password: str,
                         personal_data_consent: bool, ip: str | None = None) -> User:
    """An organisation registers itself; it waits for its regional coordinator's approval."""
    consent = _require_consent(personal_data_consent)
    email = person["email"].strip().lower()
    if _email_taken(email):
        raise ValidationError({"email": "Пользователь с таким e-mail уже зарегистрирован. Войдите или "
                                        "восстановите пароль."})
    user = User(email=email, last_name=person["last_name"].strip(), first_name=person["first_name"].strip(),
                patronymic=person.get("patronymic", "").strip(), position=person.get("position", "").strip(),
                phone=person.get("phone", "").strip(), **consent)
    validate_password(password, user)
    user.set_password(password)
    user.save()
    actor = Actor(user=user, ip=ip)
    org = Organisation(status=Organisation.Status.PENDING,
                       **{k: v for k, v in organisation.items() if k in ORGANISATION_FIELDS})
    org.sector = org.sector or SECTOR_OF_KIND[org.kind]
    _save_organisation(org)
    audit.record(actor=actor, action="organisation.sign_up", obj=org, after=audit.snapshot(org))
    RoleAssignment.objects.create(user=user, role=Role.ORG_REP, organisation=org)
    coordinators = list(User.objects.filter(roles__role=Role.COORDINATOR, roles__region=org.region,
                                            roles__sector=org.sector, is_active=True)
                        .values_list("email", flat=True).distinct())
    if coordinators:
        send_later(to=coordinators, subject=f"Новая организация ждёт подтверждения: {org.name}"[:150],
                   template="directory/email/organisation_pending.txt",
                   context={"organisation": org, "site_url": settings.SITE_URL,
                            "link": settings.SITE_URL + reverse("organisation_detail", args=[org.pk])})
    return user
