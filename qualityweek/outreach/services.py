"""Every write of outreach: one keyword-only function per use case, atomic, checked, audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from qualityweek.campaigns.models import Campaign
from qualityweek.core import audit, events
from qualityweek.core.audit import Actor
from qualityweek.core.jobs import RETRYABLE, restart_job, start_chunked_job, start_job
from qualityweek.core.mail import send_later
from qualityweek.core.models import Job
from qualityweek.core.permissions import can, require
from qualityweek.core.text import datetime_ru
from qualityweek.directory.models import Organisation, Region

from . import morph, placeholders, selectors
from .models import (
    Audience,
    Contact,
    Delivery,
    Dispatch,
    Letter,
    LetterTemplate,
    Material,
    MaterialAudience,
    Register,
    Request,
    RequestReply,
    Sender,
)
from .rules import REQUEST_MOVES
from .tokens import TOKEN_ALPHABET, new_ack_token, token_hash  # noqa: F401  (new_ack_token re-exported)

LETTER_FIELDS = ("reply_number", "reply_date", "addressing", "addressee_position", "addressee_person", "addressee",
                 "salutation", "title", "body", "attachment", "signer_position", "signer_name", "executor_name",
                 "executor_phone", "with_qr")
TEXT_FIELDS = ("addressee", "salutation", "title", "body", "attachment")
SENDER_FIELDS = ("name", "short_name", "address", "phone", "website", "email", "signer_position", "signer_name",
                 "executor_name", "executor_phone")


# --- Letterheads and registers --------------------------------------------------------------------

@transaction.atomic
def save_sender(*, actor: Actor, sender: Sender | None = None, organisation: Organisation | None = None,
                **fields: Any) -> Sender:
    """Create or edit a letterhead: the operator's (no organisation) or a regional authority's."""
    creating = sender is None
    if sender is None:
        sender = Sender(organisation=organisation, is_operator=organisation is None)
    before = None if creating else audit.snapshot(sender)
    for name, value in fields.items():
        if name not in SENDER_FIELDS:
            raise ValueError(f"Field {name} cannot be set here.")
        setattr(sender, name, value.strip() if isinstance(value, str) else value)
    require(actor, "change", sender)
    sender.full_clean()
    sender.save()
    audit.record(actor=actor, action="sender.create" if creating else "sender.update", obj=sender, before=before,
                 after=audit.snapshot(sender))
    return sender


def validate_pattern(pattern: str) -> str:
    pattern = pattern.strip()
    if pattern.count("{n}") != 1:
        raise ValidationError({"pattern": "В шаблоне номера должно быть ровно одно «{n}» — место порядкового номера."})
    rest = pattern.replace("{n}", "")
    if "{" in rest or "}" in rest:
        raise ValidationError({"pattern": "Кроме «{n}» фигурные скобки в номере не используются."})
    if len(pattern) > 40:
        raise ValidationError({"pattern": "Шаблон номера слишком длинный (не больше 40 символов)."})
    return pattern


@transaction.atomic
def save_register(*, actor: Actor, sender: Sender, year: int, pattern: str, next_number: int = 1) -> Register:
    """Open a sender's register for a year, or change its pattern before any number is issued."""
    require(actor, "change", sender)
    pattern = validate_pattern(pattern)
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": "Укажите год от 2000 до 2100."})
    if next_number < 1:
        raise ValidationError({"next_number": "Номера начинаются с 1."})
    register = Register.objects.select_for_update().filter(sender=sender, year=year).first()
    if register is None:
        register = Register.objects.create(sender=sender, year=year, pattern=pattern, next_number=next_number)
        audit.record(actor=actor, action="register.create", obj=register, after=audit.snapshot(register))
        return register
    before = audit.snapshot(register)
    if register.letters.exists() and (pattern != register.pattern or next_number != register.next_number):
        raise ValidationError({"pattern": "По журналу уже зарегистрированы письма: шаблон и нумерацию менять нельзя."})
    register.pattern, register.next_number = pattern, next_number
    register.save()
    audit.record(actor=actor, action="register.update", obj=register, before=before, after=audit.snapshot(register))
    return register


# --- Templates ------------------------------------------------------------------------------------

@transaction.atomic
def save_template(*, actor: Actor, template: LetterTemplate | None = None, **fields: Any) -> LetterTemplate:
    require(actor, "change", LetterTemplate)
    creating = template is None
    template = template or LetterTemplate()
    before = None if creating else audit.snapshot(template)
    for name in ("name", "audience", "title", "addressee", "salutation", "body", "attachment", "is_active"):
        if name in fields:
            value = fields[name]
            setattr(template, name, value.strip() if isinstance(value, str) else value)
    # Unknown or broken placeholders are errors now; whether a campaign fills them is checked per letter.
    placeholders.validate({f: getattr(template, f) for f in TEXT_FIELDS}, None, require_values=False)
    template.full_clean()
    template.save()
    audit.record(actor=actor, action="template.create" if creating else "template.update", obj=template,
                 before=before, after=audit.snapshot(template))
    return template


# --- Letters --------------------------------------------------------------------------------------

def compose_addressee(*, position: str, person: str, override: str) -> tuple[str, morph.Person | None]:
    """The addressee requisite from a position in the nominative and an optional full name, unless
    the author wrote it by hand."""
    who = morph.parse_person(person) if person.strip() else None
    if person.strip() and who is None:
        raise ValidationError({"addressee_person": "Укажите фамилию, имя и отчество (или фамилию и имя) через пробел."})
    if override.strip():
        return override.strip(), who
    if not position.strip():
        raise ValidationError({"addressee_position": "Укажите адресата: должность и организацию или группу "
                                                     "адресатов, например «Руководители органов управления "
                                                     "образованием»."})
    return morph.addressee_block(position=position.strip(), person=who), who


def _apply(letter: Letter, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        if name not in LETTER_FIELDS:
            raise ValueError(f"Field {name} cannot be set here.")
        setattr(letter, name, value.strip() if isinstance(value, str) else value)
    override = fields.get("addressee", "") if "addressee_position" in fields or "addressee_person" in fields \
        else letter.addressee
    if "addressee_position" in fields or "addressee_person" in fields or not letter.addressee:
        letter.addressee, who = compose_addressee(position=letter.addressee_position,
                                                  person=letter.addressee_person, override=override or "")
        if not fields.get("salutation"):
            letter.salutation = morph.salutation_for(who)
    if bool(letter.reply_number) != bool(letter.reply_date):
        raise ValidationError({"reply_number" if not letter.reply_number else "reply_date":
                               "Для ссылки на входящий документ укажите и номер, и дату."})
    check_placeholders(letter)


def fill_title(letter: Letter) -> None:
    """Fill the campaign values into the title as it is produced: a title is shown in lists, headers
    and notifications, where a «{{год}}» must never appear. A title whose placeholders cannot be
    filled yet is left for ``check_placeholders`` to report by field."""
    if not letter.campaign_id or "{{" not in letter.title:
        return
    values = placeholders.values_for(letter.campaign, letter.sender)
    if not placeholders.problems({"title": letter.title}, values):
        letter.title = placeholders.fill(letter.title, values)


def check_placeholders(letter: Letter) -> None:
    """Unknown, unfilled or broken placeholders, by field — before anything is registered or sent."""
    placeholders.validate({f: getattr(letter, f) for f in TEXT_FIELDS},
                          placeholders.values_for(letter.campaign, letter.sender) if letter.campaign_id else None)


@transaction.atomic
def create_letter(*, actor: Actor, sender: Sender, campaign: Campaign, template: LetterTemplate | None = None,
                  parent: Letter | None = None, **fields: Any) -> Letter:
    require(actor, "create", Letter)
    require(actor, "change", sender)
    if not can(actor, "view", campaign):
        # A draft campaign is the operator's: nobody else may fill its motto and dates into a letter.
        raise ValidationError({"campaign": "Выберите кампанию из списка."})
    letter = Letter(sender=sender, campaign=campaign, template=template, parent=parent, created_by=actor.user)
    defaults: dict[str, Any] = {"signer_position": sender.signer_position, "signer_name": sender.signer_name,
                                "executor_name": sender.executor_name, "executor_phone": sender.executor_phone}
    if template is not None:
        defaults |= {"title": template.title, "body": template.body, "attachment": template.attachment,
                     "salutation": template.salutation}
        if template.addressee:
            defaults["addressee_position"] = template.addressee
    _apply(letter, defaults | {k: v for k, v in fields.items() if v not in (None, "") or k not in defaults})
    fill_title(letter)
    letter.full_clean(exclude=["verify_token"])
    letter.save()
    audit.record(actor=actor, action="letter.create", obj=letter, after=audit.snapshot(letter))
    return letter


@transaction.atomic
def update_letter(*, actor: Actor, letter: Letter, **fields: Any) -> Letter:
    letter = (Letter.objects.select_for_update(of=("self",))
              .select_related("sender__organisation", "campaign").get(pk=letter.pk))
    require(actor, "change", letter)
    if letter.is_registered:
        raise ValidationError("Зарегистрированное письмо изменить нельзя.")
    before = audit.snapshot(letter)
    _apply(letter, fields)
    fill_title(letter)
    letter.full_clean(exclude=["verify_token"])
    letter.save()
    audit.record(actor=actor, action="letter.update", obj=letter, before=before, after=audit.snapshot(letter))
    return letter


@transaction.atomic
def delete_letter(*, actor: Actor, letter: Letter) -> None:
    require(actor, "delete", letter)
    if letter.is_registered:
        raise ValidationError("Зарегистрированное письмо удалить нельзя.")
    audit.record(actor=actor, action="letter.delete", obj=letter, before=audit.snapshot(letter))
    letter.delete()


def register_letter(*, actor: Actor, letter: Letter, date: dt.date | None = None) -> Letter:
    """Give the letter the next number of its sender's register for the year.

    The register row is locked while the number is taken; the unique (register, number) constraint
    guarantees that two letters never share a number even if the lock were bypassed."""
    for attempt in range(3):
        try:
            return _register(actor=actor, letter=letter, date=date)
        except IntegrityError:
            if attempt == 2:
                raise ValidationError("Не удалось выдать номер: журнал занят, повторите попытку.") from None
    raise AssertionError("unreachable")


@transaction.atomic
def _register(*, actor: Actor, letter: Letter, date: dt.date | None) -> Letter:
    letter = (Letter.objects.select_for_update(of=("self",))
              .select_related("sender__organisation", "campaign").get(pk=letter.pk))
    require(actor, "register", letter)
    if letter.is_registered:
        raise ValidationError("Письмо уже зарегистрировано.")
    fill_title(letter)
    check_placeholders(letter)
    date = date or timezone.localdate()
    register = Register.objects.select_for_update().filter(sender=letter.sender, year=date.year).first()
    if register is None:
        register = Register.objects.create(sender=letter.sender, year=date.year, pattern="{n}")
        audit.record(actor=actor, action="register.create", obj=register, after=audit.snapshot(register))
        register = Register.objects.select_for_update().get(pk=register.pk)
    before = audit.snapshot(letter)
    number = register.next_number
    Register.objects.filter(pk=register.pk).update(next_number=F("next_number") + 1)
    letter.register, letter.number, letter.reg_number = register, number, register.format(number)
    letter.reg_date, letter.status = date, Letter.Status.REGISTERED
    with transaction.atomic():
        letter.save()
    audit.record(actor=actor, action="letter.register", obj=letter, before=before, after=audit.snapshot(letter))
    return letter


@transaction.atomic
def cascade_letter(*, actor: Actor, parent: Letter, template: LetterTemplate | None = None) -> Letter:
    """A coordinator's own draft retelling a letter their authority received, pre-filled as the
    Kirov ministry did in seed 004: own letterhead, own signatory, the operator's text."""
    require(actor, "cascade", parent)
    user = actor.user
    if user is None:  # only a coordinator cascades (see rules.cascade_letter)
        raise RuntimeError("user must be set here")
    # The letterhead of the authority that received the letter (a coordinator may cover several).
    received = parent.deliveries.exclude(status=Delivery.Status.QUEUED).values("organisation_id")
    sender = selectors.senders_for(user).filter(organisation__in=received).first()
    if sender is None:
        raise ValidationError("Сначала заполните бланк своего органа власти (раздел «Бланк»).")
    sector = sender.sector
    audience = f"cascade_{sector}"
    template = template or LetterTemplate.objects.filter(audience=audience, is_active=True).order_by("pk").first()
    intro = template.body if template else ""
    body = "\n\n".join(x for x in (intro, parent.body) if x.strip())
    fields: dict[str, Any] = {
        "title": template.title if template else parent.title,
        "addressee_position": template.addressee if template and template.addressee else (
            "Руководители образовательных организаций" if sector == "education" else
            "Руководители организаций и индивидуальные предприниматели"),
        "salutation": (template.salutation if template and template.salutation else
                       "Уважаемые коллеги!" if sector == "education" else "Уважаемые предприниматели!"),
        "body": body,
        "attachment": parent.attachment,
    }
    return create_letter(actor=actor, sender=sender, campaign=parent.campaign, template=template, parent=parent,
                         **fields)


# --- Dispatch -------------------------------------------------------------------------------------

def personal_addressee(letter: Letter, org: Organisation) -> tuple[str, str]:
    """Each addressee's own block and salutation for personal letters; the letter's for collective ones."""
    if letter.addressing == Letter.Addressing.COLLECTIVE:
        return letter.addressee, letter.salutation
    head: Contact | None = getattr(org, "head", None)
    if head is not None and head.addressee_override:
        return head.addressee_override, head.salutation_override or letter.salutation
    person = morph.Person(head.last_name, head.first_name, head.patronymic) if head else None
    position = head.position if head else morph.head_position(org.name)
    return (morph.addressee_block(position=position, person=person),
            head.salutation_override if head and head.salutation_override else morph.salutation_for(person))


def audience_for(*, actor: Actor, audience: str, kind: str = "", municipality: str = "",
                 organisation_ids: Iterable[int] | None = None) -> QuerySet[Organisation]:
    user = actor.user
    if audience in (Dispatch.Audience.EDUCATION_AUTHORITIES, Dispatch.Audience.INDUSTRY_AUTHORITIES):
        if not can(actor, "national", Dispatch):
            raise ValidationError({"audience": "Рассылка по всем регионам доступна только оператору."})
        authority = (Organisation.Authority.EDUCATION if audience == Dispatch.Audience.EDUCATION_AUTHORITIES
                     else Organisation.Authority.INDUSTRY)
        return Organisation.objects.filter(authority=authority).select_related("region", "head")
    if audience == Dispatch.Audience.ORGANISATIONS:
        qs = (selectors.cascade_audience(user, kind=kind, municipality=municipality) if user is not None else
              Organisation.objects.filter(status=Organisation.Status.ACTIVE, authority="").select_related("head"))
        if organisation_ids is not None:
            qs = qs.filter(pk__in=list(organisation_ids))
        return qs
    raise ValidationError({"audience": "Выберите, кому отправить письмо."})


@dataclass(frozen=True)
class DispatchPreview:
    """What a dispatch would do, shown before it starts: how many addressees, and who has no e-mail."""

    total: int
    with_email: int
    without_email: list[Organisation]  # the first of them, by region and name

    @property
    def without_count(self) -> int:
        return self.total - self.with_email


def dispatch_preview(*, actor: Actor, letter: Letter, audience: str, kind: str = "", municipality: str = "",
                     limit: int = 200) -> DispatchPreview:
    """The addressees ``start_dispatch`` would queue now, without queueing anything (a read: the same
    checks and the same lists, so the confirmation says exactly what «Отправить» will do)."""
    require(actor, "dispatch", letter)
    if not letter.is_registered:
        raise ValidationError("Сначала зарегистрируйте письмо: отправляются только письма с номером.")
    orgs: QuerySet[Organisation]
    if audience == Dispatch.Audience.RESEND:
        orgs = Organisation.objects.filter(pk__in=letter.deliveries.exclude(
            status__in=[Delivery.Status.ACKNOWLEDGED, Delivery.Status.SENDING]).values("organisation_id"))
        if not orgs.exists():
            raise ValidationError({"audience": "Все адресаты уже подтвердили ознакомление: отправлять некому."})
    else:
        every = audience_for(actor=actor, audience=audience, kind=kind, municipality=municipality)
        if not every.exists():
            raise ValidationError({"audience": "По этим условиям нет ни одного адресата."})
        orgs = every.exclude(pk__in=letter.deliveries.values("organisation_id"))
        if not orgs.exists():
            raise ValidationError({"audience": "Всем адресатам из этого списка письмо уже направлено. "
                                               "Для повторной отправки выберите «Повторно — тем, кто не подтвердил»."})
    no_email = Q(email="") | Q(email__isnull=True)
    counts = orgs.order_by().aggregate(total=Count("id"), without=Count("id", filter=no_email))
    without = list(orgs.filter(no_email).select_related("region").order_by("region__code", "name")[:limit])
    return DispatchPreview(total=counts["total"], with_email=counts["total"] - counts["without"],
                           without_email=without)


@transaction.atomic
def start_dispatch(*, actor: Actor, letter: Letter, audience: str, kind: str = "", municipality: str = "",
                   organisation_ids: Iterable[int] | None = None, task: Any) -> Dispatch:
    """Queue one delivery per addressee and start the sending job ``task`` (after commit).

    Views call ``tasks.start_dispatch``, which passes the task."""
    letter = Letter.objects.select_for_update(of=("self",)).select_related("sender", "campaign").get(pk=letter.pk)
    require(actor, "dispatch", letter)
    if not letter.is_registered:
        raise ValidationError("Сначала зарегистрируйте письмо: отправляются только письма с номером.")
    if not letter.campaign.is_announced:
        raise ValidationError("Кампания ещё не объявлена: письмо о ней можно разослать после объявления.")
    dispatch = Dispatch(letter=letter, audience=audience, created_by=actor.user)
    if audience == Dispatch.Audience.RESEND:
        queued = list(letter.deliveries.select_related("organisation__head")
                      .exclude(status__in=[Delivery.Status.ACKNOWLEDGED, Delivery.Status.SENDING]))
        if not queued:
            raise ValidationError({"audience": "Все адресаты уже подтвердили ознакомление: отправлять некому."})
        dispatch.description = "Повторно: не подтвердившим ознакомление"
        dispatch.save()
        for d in queued:
            d.email = d.organisation.email.strip()
            d.status = Delivery.Status.QUEUED if d.email else Delivery.Status.NO_EMAIL
            d.error = "" if d.email else "У адресата не указан e-mail."
            d.dispatch = dispatch
        Delivery.objects.bulk_update(queued, ["email", "status", "error", "dispatch"])
        total = len(queued)
    else:
        orgs = list(audience_for(actor=actor, audience=audience, kind=kind, municipality=municipality,
                                 organisation_ids=organisation_ids).order_by("region__code", "name"))
        already = set(letter.deliveries.values_list("organisation_id", flat=True))
        fresh = [o for o in orgs if o.pk not in already]
        if not orgs:
            raise ValidationError({"audience": "По этим условиям нет ни одного адресата."})
        if not fresh:
            raise ValidationError({"audience": "Всем адресатам из этого списка письмо уже направлено. "
                                               "Для повторной отправки выберите «Повторно — тем, кто не подтвердил»."})
        dispatch.description = Dispatch.Audience(audience).label + (f": {kind}" if kind else "") + (
            f", {municipality}" if municipality else "")
        dispatch.save()
        deliveries = []
        for org in fresh:
            addressee, salutation = personal_addressee(letter, org)
            email = (org.email or "").strip()
            deliveries.append(Delivery(
                letter=letter, organisation=org, email=email, addressee=addressee, salutation=salutation,
                dispatch=dispatch, status=Delivery.Status.QUEUED if email else Delivery.Status.NO_EMAIL,
                error="" if email else "У адресата не указан e-mail."))
        Delivery.objects.bulk_create(deliveries, batch_size=1000)
        total = len(fresh)
    sendable = Delivery.objects.filter(dispatch=dispatch, status=Delivery.Status.QUEUED).count()
    owner = actor.user
    job = start_job(owner=owner, kind="outreach.dispatch",
                    title=f"Рассылка письма № {letter.reg_number}", task=task,
                    dispatch_id=dispatch.pk)
    dispatch.job, dispatch.total = job, total
    dispatch.save(update_fields=["job", "total"])
    audit.record(actor=actor, action="letter.dispatch", obj=letter,
                 after={"dispatch": dispatch.pk, "audience": audience, "addressees": total, "with_email": sendable})
    return dispatch


def _dispatch_for_update(actor: Actor, dispatch: Dispatch) -> Dispatch:
    Letter.objects.select_for_update(of=("self",)).filter(pk=dispatch.letter_id).first()
    dispatch = (Dispatch.objects.select_for_update(of=("self",)).select_related("letter", "job")
                .get(pk=dispatch.pk))
    require(actor, "dispatch", dispatch.letter)
    return dispatch


def _run_dispatch_again(dispatch: Dispatch, *, task: Any, message: str) -> Job:
    """The dispatch's job again (a failed, interrupted or cancelled one), or a new job when it finished."""
    job = dispatch.job
    if job is not None and job.status in RETRYABLE:
        return restart_job(job=job, message=message)
    if job is not None and not job.is_finished:
        raise ValidationError("Рассылка ещё идёт: дождитесь её окончания.")
    job = start_job(owner=dispatch.created_by, kind="outreach.dispatch",
                    title=f"Рассылка письма № {dispatch.letter.reg_number}", task=task, dispatch_id=dispatch.pk)
    dispatch.job = job
    dispatch.save(update_fields=["job"])
    return job


@transaction.atomic
def resume_dispatch(*, actor: Actor, dispatch: Dispatch, task: Any) -> Job:
    """«Продолжить рассылку»: mail the addressees of a broken dispatch that were never attempted
    (each once; those left «unknown» wait for ``resolve_unknown``). Views call ``tasks.resume_dispatch``."""
    dispatch = _dispatch_for_update(actor, dispatch)
    if not dispatch.deliveries.filter(status=Delivery.Status.QUEUED).exists():
        raise ValidationError("В этой рассылке не осталось адресатов, которым письмо ещё не отправлялось.")
    job = _run_dispatch_again(dispatch, task=task, message="Рассылка продолжена.")
    audit.record(actor=actor, action="letter.dispatch_resume", obj=dispatch.letter,
                 after={"dispatch": dispatch.pk, "job": str(job.pk)})
    return job


RESEND, DELIVERED = "resend", "delivered"


@transaction.atomic
def resolve_unknown(*, actor: Actor, dispatch: Dispatch, decision: str, task: Any) -> int:
    """The coordinator's decision on the addressees whose delivery is unknown: «отправить ещё раз»
    (queued again and sent by the dispatch's job, with the same Message-ID so that a receiver that got
    it can drop the copy) or «считать доставленным». Returns how many addressees it changed."""
    dispatch = _dispatch_for_update(actor, dispatch)
    if decision not in (RESEND, DELIVERED):
        raise ValidationError({"decision": "Выберите: отправить ещё раз или считать доставленным."})
    unknown = dispatch.deliveries.filter(status=Delivery.Status.UNKNOWN)
    if decision == DELIVERED:
        count = unknown.update(status=Delivery.Status.SENT, error="", sent_at=timezone.now())
    else:
        count = unknown.update(status=Delivery.Status.QUEUED, error="")
    if not count:
        raise ValidationError("В этой рассылке нет адресатов с неизвестным исходом отправки.")
    if decision == RESEND:
        _run_dispatch_again(dispatch, task=task, message="Повторная отправка адресатам с неизвестным исходом.")
    audit.record(actor=actor, action="letter.dispatch_unknown", obj=dispatch.letter,
                 after={"dispatch": dispatch.pk, "decision": decision, "addressees": count})
    return count


class AcknowledgementInvalid(Exception):
    """Raised with a Russian explanation for the person who opened the link."""


def find_delivery(token: str) -> Delivery:
    if not 40 <= len(token) <= 64 or not set(token) <= TOKEN_ALPHABET:
        raise AcknowledgementInvalid("Ссылка повреждена. Скопируйте её из письма целиком.")
    delivery = (Delivery.objects.select_related("letter__sender", "organisation")
                .filter(token_hash=token_hash(token)).first())
    if delivery is None:
        raise AcknowledgementInvalid("Ссылка не найдена. Возможно, письмо было отправлено повторно — "
                                     "воспользуйтесь ссылкой из последнего письма.")
    return delivery


@transaction.atomic
def acknowledge(*, token: str, ip: str | None = None) -> Delivery:
    """Mark a delivery as read. The link works once: a second use changes nothing."""
    delivery = find_delivery(token)
    actor = Actor.public(ip)
    require(actor, "acknowledge", delivery)
    delivery = (Delivery.objects.select_for_update(of=("self",)).select_related("letter", "organisation")
                .get(pk=delivery.pk))
    if delivery.status == Delivery.Status.ACKNOWLEDGED:
        raise AcknowledgementInvalid(
            f"Ознакомление уже подтверждено {datetime_ru(delivery.acknowledged_at)}."
            if delivery.acknowledged_at else "Ознакомление уже подтверждено.")
    before = audit.snapshot(delivery, ["status", "acknowledged_at"])
    delivery.status, delivery.acknowledged_at = Delivery.Status.ACKNOWLEDGED, timezone.now()
    delivery.save(update_fields=["status", "acknowledged_at"])
    audit.record(actor=actor, action="delivery.acknowledge", obj=delivery, before=before,
                 after=audit.snapshot(delivery, ["status", "acknowledged_at"]))
    return delivery


@transaction.atomic
def acknowledge_in_app(*, actor: Actor, delivery: Delivery) -> Delivery:
    """«Ознакомлен» pressed in the cabinet by a person of the addressed organisation. Pressing it again
    (a double click) changes nothing."""
    delivery = (Delivery.objects.select_for_update(of=("self",)).select_related("letter", "organisation")
                .get(pk=delivery.pk))
    if delivery.status == Delivery.Status.ACKNOWLEDGED:
        return delivery
    require(actor, "acknowledge", delivery)
    before = audit.snapshot(delivery, ["status", "acknowledged_at"])
    delivery.status, delivery.acknowledged_at = Delivery.Status.ACKNOWLEDGED, timezone.now()
    delivery.save(update_fields=["status", "acknowledged_at"])
    audit.record(actor=actor, action="delivery.acknowledge", obj=delivery, before=before,
                 after=audit.snapshot(delivery, ["status", "acknowledged_at"]))
    return delivery


# --- Personalised letters in bulk ------------------------------------------------------------------

CHUNK = 500


@transaction.atomic
def start_render(*, actor: Actor, letter: Letter, formats: tuple[str, ...] = ("pdf", "docx"), task: Any) -> Job:
    """Render every addressee's personal copy into one ZIP, in chunks of ``task`` that several workers
    share. Views call ``tasks.start_render``, which passes the task."""
    require(actor, "track", letter)
    if not set(formats) <= {"pdf", "docx"} or not formats:
        raise ValidationError({"formats": "Выберите PDF, DOCX или оба формата."})
    ids = list(letter.deliveries.order_by("pk").values_list("pk", flat=True))
    if not ids:
        raise ValidationError("У письма ещё нет адресатов: сначала сформируйте рассылку.")
    slices = [ids[i:i + CHUNK] for i in range(0, len(ids), CHUNK)]
    job = start_chunked_job(
        owner=actor.user, kind="outreach.render", title=f"Персональные копии письма № {letter.reg_number or letter.pk}",
        task=task, total=len(ids) * len(formats),
        chunks=[{"letter_id": letter.pk, "delivery_ids": chunk, "formats": list(formats), "chunk": n,
                 "chunks": len(slices)} for n, chunk in enumerate(slices)])
    audit.record(actor=actor, action="letter.render", obj=letter, after={"copies": len(ids), "formats": formats})
    return job


# --- Materials ------------------------------------------------------------------------------------

MATERIAL_FIELDS = ("campaign", "kind", "title", "description", "url", "width", "height", "is_published")


def _image_size(content: bytes) -> tuple[int, int] | None:
    try:
        with Image.open(BytesIO(content)) as img:
            return img.size
    except (UnidentifiedImageError, OSError):
        return None


def _material_snapshot(material: Material) -> dict[str, Any]:
    return audit.snapshot(material, ["campaign_id", "kind", "title", "description", "url", "width", "height",
                                     "is_published"]) | {"file": material.file.name or ""}


MAX_UPLOAD = 50 * 1024 * 1024
ALLOWED_EXTENSIONS = {".pdf", ".png", ".jpg", ".jpeg", ".svg", ".pptx", ".ppt", ".docx", ".doc", ".zip", ".mp4"}


def _set_material_fields(material: Material, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        if name not in MATERIAL_FIELDS:
            raise ValueError(f"Field {name} cannot be set here.")
        setattr(material, name, value.strip() if isinstance(value, str) else value)


def _check_upload(material: Material, upload: tuple[str, bytes], errors: dict[str, str]) -> None:
    """The uploaded file's type and size; a banner's image size is taken from the file."""
    filename, content = upload
    ext = ("." + filename.rsplit(".", 1)[-1].lower()) if "." in filename else ""
    if ext not in ALLOWED_EXTENSIONS:
        errors["file"] = "Такой тип файла не принимается: " + ", ".join(sorted(ALLOWED_EXTENSIONS)) + "."
    elif len(content) > MAX_UPLOAD:
        errors["file"] = "Файл больше 50 МБ. Для видео укажите ссылку."
    elif material.kind == Material.Kind.BANNER:
        size = _image_size(content)
        if size is None:
            errors["file"] = "Баннер должен быть изображением (PNG или JPEG)."
        else:
            material.width, material.height = size


def _check_material(material: Material, upload: tuple[str, bytes] | None, audience_list: list[str]) -> None:
    errors: dict[str, str] = {}
    if upload is not None:
        _check_upload(material, upload, errors)
    if material.kind == Material.Kind.VIDEO and not material.url:
        errors["url"] = "Видео добавляется ссылкой."
    if material.kind != Material.Kind.VIDEO and upload is None and not material.file and not material.url:
        errors["file"] = "Приложите файл или укажите ссылку."
    if material.kind == Material.Kind.BANNER and upload is None and not material.file:
        errors["file"] = "Приложите изображение баннера."
    if not audience_list:
        errors["audiences"] = "Отметьте хотя бы одну аудиторию."
    if set(audience_list) - set(Audience.values):
        errors["audiences"] = "Неизвестная аудитория."
    if errors:
        raise ValidationError(errors)


def _set_material_audiences(material: Material, audience_list: list[str]) -> None:
    material.audiences.exclude(audience__in=audience_list).delete()
    existing = set(material.audiences.values_list("audience", flat=True))
    MaterialAudience.objects.bulk_create([MaterialAudience(material=material, audience=a)
                                          for a in audience_list if a not in existing])


@transaction.atomic
def save_material(*, actor: Actor, material: Material | None = None, audiences: Iterable[str] = (),
                  upload: tuple[str, bytes] | None = None, **fields: Any) -> Material:
    require(actor, "change", Material)
    creating = material is None
    material = material or Material()
    before = None if creating else _material_snapshot(material)
    _set_material_fields(material, fields)
    audience_list = sorted(set(audiences))
    _check_material(material, upload, audience_list)
    if upload is not None:
        material.file.save(upload[0], ContentFile(upload[1]), save=False)
    material.full_clean()
    material.save()
    _set_material_audiences(material, audience_list)
    after = _material_snapshot(material) | {"audiences": audience_list}
    audit.record(actor=actor, action="material.create" if creating else "material.update", obj=material,
                 before=before, after=after)
    return material


def count_download(*, material: Material) -> None:
    """One more download. A counter, not a decision: it is not written to the audit log (an entry
    per anonymous download would drown the log)."""
    Material.objects.filter(pk=material.pk).update(downloads=F("downloads") + 1)


# --- Requests mailbox -----------------------------------------------------------------------------

REQUESTS_PER_HOUR = 5


@transaction.atomic
def submit_request(*, name: str, email: str, topic: str, message: str, organisation_name: str = "",
                   region: Region | None = None, ip: str | None = None) -> Request:
    """Anyone may write to the mailbox; a few requests per hour per address keep spam out."""
    actor = Actor.public(ip)
    require(actor, "submit", Request)
    key = f"outreach:requests:{ip or 'unknown'}"
    if cache.get(key, 0) >= REQUESTS_PER_HOUR:
        raise ValidationError("Слишком много обращений с вашего адреса за час. Попробуйте позже или напишите "
                              "на почту для обратной связи.")
    errors = {}
    if len(message.strip()) < 10:
        errors["message"] = "Опишите вопрос подробнее (не меньше 10 символов)."
    if not name.strip():
        errors["name"] = "Представьтесь, пожалуйста."
    if errors:
        raise ValidationError(errors)
    req = Request(name=name.strip(), email=email.strip().lower(), topic=topic, message=message.strip(),
                  organisation_name=organisation_name.strip(), region=region, ip=ip)
    req.full_clean()
    req.save()
    cache.set(key, cache.get(key, 0) + 1, 3600)
    audit.record(actor=actor, action="request.submit", obj=req, after=audit.snapshot(req))
    send_later(to=[req.email], subject=f"Обращение № {req.pk} принято — Неделя качества",
               template="outreach/email/request_received.txt", context={"request": req})
    return req


@transaction.atomic
def move_request(*, actor: Actor, request: Request, action: str) -> Request:
    require(actor, "view", request)
    request = Request.objects.select_for_update().get(pk=request.pk)
    target = REQUEST_MOVES[action]
    if not can(actor, action, request):
        raise ValidationError(f"Нельзя: обращение в статусе «{request.get_status_display()}».")
    before = audit.snapshot(request, ["status", "assignee_id"])
    request.status = target
    if action == "take":
        request.assignee = actor.user
    request.save(update_fields=["status", "assignee", "updated_at"])
    audit.record(actor=actor, action=f"request.{action}", obj=request, before=before,
                 after=audit.snapshot(request, ["status", "assignee_id"]))
    return request


@transaction.atomic
def answer_request(*, actor: Actor, request: Request, body: str, task: Any) -> RequestReply:
    """Answer by e-mail: the reply is stored, the request becomes «answered», the job ``task`` sends
    it. Views call ``tasks.answer_request``, which passes the task."""
    require(actor, "view", request)
    request = Request.objects.select_for_update().get(pk=request.pk)
    if not can(actor, "answer", request):
        raise ValidationError("Обращение закрыто. Сначала возьмите его в работу снова.")
    if len(body.strip()) < 5:
        raise ValidationError({"body": "Напишите ответ."})
    reply = RequestReply.objects.create(request=request, author=actor.user, body=body.strip())
    before = audit.snapshot(request, ["status", "assignee_id"])
    request.status = Request.Status.ANSWERED
    request.assignee = request.assignee or actor.user
    request.save(update_fields=["status", "assignee", "updated_at"])
    audit.record(actor=actor, action="request.answer", obj=request, before=before,
                 after=audit.snapshot(request, ["status", "assignee_id"]) | {"reply": reply.pk})
    start_job(owner=actor.user, kind="outreach.reply", title=f"Ответ на обращение № {request.pk}", task=task,
              reply_id=reply.pk)
    events.emit("request.answered", request=request)
    return reply


