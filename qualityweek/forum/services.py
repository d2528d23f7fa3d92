"""Every write of the forum: the programme, registrations with quotas and the waiting list, approvals,
tickets and check-in, online attendance, the periodic offer expiry and reminders.

Seats (decision 0019). A registration's seats come from one quota holder (``holder_of``): its
session when the person sits in the session's hall, otherwise its venue. Every change of ``taken``
happens under ``select_for_update`` of that holder row, taken **before** the registration row, and
the check constraint ``taken <= capacity`` is the last word. The waiting list of a holder is strictly
first come, first served: while anybody waits, a newcomer queues behind them, and a freed seat is
offered to the head of the queue only (``_offer_next``); an offer holds its seats until it is
accepted, cancelled or expires.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import CharField, F, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.crypto import salted_hmac

from qualityweek.campaigns.models import Campaign
from qualityweek.core import audit, jobs, mail, public_cache
from qualityweek.core.audit import Actor
from qualityweek.core.db import atomic_retrying
from qualityweek.core.permissions import USER, can, require
from qualityweek.core.text import date_ru, ru_number
from qualityweek.directory.access import principal
from qualityweek.directory.models import Organisation, Region

from .models import Consent, Day, Forum, Member, Offer, Question, Registration, Session, Ticket, Venue
from .rules import registration_allows

S = Registration.Status
K = Registration.Kind
MAX_GROUP = 500
TICKET_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: typed from a phone screen
TICKET_LENGTH = 12  # 60 random bits
Holder = Session | Venue


# --- links and codes ----------------------------------------------------------------------------------

def new_ticket_code() -> str:
    return "".join(secrets.choice(TICKET_ALPHABET) for _ in range(TICKET_LENGTH))


def normalise_code(text: str) -> str:
    """What staff typed or the camera read («abcd-efgh-jkmn», a URL ending in the code) as a stored code."""
    text = (text or "").strip().rsplit("/", 1)[-1].upper()
    return "".join(ch for ch in text if ch.isalnum())[:32]


def display_code(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def link_token(registration: Registration) -> str:
    """The personal link's token: an HMAC of the registration's stored secret (the database alone
    does not give the link away)."""
    value = f"{registration.pk}:{registration.secret}"
    return salted_hmac("forum.registration", value, algorithm="sha256").hexdigest()[:40]


def token_matches(registration: Registration, token: str) -> bool:
    return hmac.compare_digest(link_token(registration), token or "")


def consent_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# --- quota holders ------------------------------------------------------------------------------------

def holder_of(registration: Registration) -> Holder:
    """The row whose seats the registration takes: its session in the session's own hall, else its venue."""
    if registration.venue_id == registration.session.venue_id:
        return registration.session
    return registration.venue


def _lock_holder(holder: Holder) -> Holder:
    return type(holder).objects.select_for_update(of=("self",)).get(pk=holder.pk)


def queue_of(holder: Holder) -> Any:
    """Registrations waiting for the holder's seats, first come first."""
    if isinstance(holder, Session):
        qs = Registration.objects.filter(session=holder, venue_id=holder.venue_id)
    else:
        qs = Registration.objects.filter(venue=holder).exclude(session__venue_id=holder.pk)
    return qs.filter(status=S.WAITLISTED).order_by("queued_at", "id")


def _fits(holder: Holder, seats: int) -> bool:
    return holder.capacity is None or holder.taken + seats <= holder.capacity


def _take(holder: Holder, seats: int) -> None:
    type(holder).objects.filter(pk=holder.pk).update(taken=F("taken") + seats)
    holder.taken += seats
    _public_changed()


def _release(holder: Holder, seats: int) -> None:
    type(holder).objects.filter(pk=holder.pk).update(taken=F("taken") - seats)
    holder.taken -= seats
    _public_changed()


def _public_changed() -> None:
    """The free seats or the programme changed: the visitors' cached pages showing them (the campaign
    home page's forum block) are rebuilt after the commit."""
    public_cache.bump_on_commit("forum")


def _offer_next(holder: Holder, now: dt.datetime) -> list[Registration]:
    """Offer freed seats to the head of the queue, as long as the head fits (never past them)."""
    offered = []
    for registration in queue_of(holder).select_for_update(of=("self",)).select_related("forum", "session")[:50]:
        if not _fits(holder, registration.seats):
            break
        _take(holder, registration.seats)
        registration.status = S.OFFERED
        registration.offer_expires_at = now + dt.timedelta(hours=registration.forum.offer_hours)
        registration.save(update_fields=["status", "offer_expires_at", "updated_at"])
        Offer.objects.create(registration=registration, made_at=now, expires_at=registration.offer_expires_at)
        audit.record(actor=Actor.system(), action="forum.registration.offered", obj=registration,
                     after={"offer_expires_at": str(registration.offer_expires_at)})
        _mail_offer(registration)
        offered.append(registration)
    return offered


def _free_seats(holder: Holder, registration: Registration, now: dt.datetime) -> None:
    if registration.holds_seats:
        _release(holder, registration.seats)
    _offer_next(holder, now)


# --- the programme ------------------------------------------------------------------------------------

CONSENT_TEXT = (
    "Я даю согласие ООО «Роскачество» (оператору) на обработку моих персональных данных — фамилии, имени, "
    "отчества, адреса электронной почты, региона и организации — в целях регистрации и участия в форуме "
    "«Всемирный день качества», выдачи билета и сертификата участника, в соответствии с Федеральным законом "
    "от 27\u00a0июля 2006\u00a0г. №\u00a0152-ФЗ «О персональных данных». Согласие действует до его отзыва."
)
PARTNERS_TEXT = ("Я согласен(на) на передачу моих фамилии, имени, e-mail и организации партнёрам форума для "
                 "приглашений на их мероприятия.")


@transaction.atomic
def create_forum(*, actor: Actor, campaign: Campaign, title: str, starts_on: dt.date, ends_on: dt.date,
                 requires_approval: bool = False, is_published: bool = False,
                 registration_opens_at: dt.datetime | None = None,
                 registration_closes_at: dt.datetime | None = None, offer_hours: int = 24) -> Forum:
    require(actor, "manage", Forum)
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "Последний день не может быть раньше первого."})
    if Forum.objects.filter(campaign=campaign).exists():
        raise ValidationError({"campaign": f"Форум {campaign.year} года уже создан."})
    forum = Forum.objects.create(campaign=campaign, title=title.strip(), starts_on=starts_on, ends_on=ends_on,
                                 requires_approval=requires_approval, is_published=is_published,
                                 registration_opens_at=registration_opens_at,
                                 registration_closes_at=registration_closes_at, offer_hours=offer_hours,
                                 consent_text=CONSENT_TEXT, partners_consent_text=PARTNERS_TEXT)
    audit.record(actor=actor, action="forum.created", obj=forum, after=audit.snapshot(forum))
    _public_changed()
    return forum


@transaction.atomic
def update_forum(*, actor: Actor, forum: Forum, **fields: Any) -> Forum:
    require(actor, "manage", forum)
    allowed = {"title", "requires_approval", "is_published", "registration_opens_at", "registration_closes_at",
               "offer_hours"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"Unknown forum fields {sorted(unknown)}")
    forum = Forum.objects.select_for_update(of=("self",)).get(pk=forum.pk)
    before = audit.snapshot(forum, sorted(fields))
    for name, value in fields.items():
        setattr(forum, name, value)
    opens, closes = forum.registration_opens_at, forum.registration_closes_at
    if opens and closes and closes <= opens:
        raise ValidationError({"registration_closes_at": "Регистрация должна закрываться позже, чем открывается."})
    forum.save(update_fields=sorted(fields))
    audit.record(actor=actor, action="forum.updated", obj=forum, before=before,
                 after=audit.snapshot(forum, sorted(fields)))
    _public_changed()
    return forum


@transaction.atomic
def add_day(*, actor: Actor, forum: Forum, date: dt.date, title: str = "", is_regional: bool = False) -> Day:
    require(actor, "manage", forum)
    if not forum.starts_on <= date <= forum.ends_on:
        raise ValidationError({"date": "День должен приходиться на даты форума."})
    if Day.objects.filter(forum=forum, date=date).exists():
        raise ValidationError({"date": "Такой день в программе уже есть."})
    day = Day.objects.create(forum=forum, date=date, title=title.strip(), is_regional=is_regional)
    audit.record(actor=actor, action="forum.day.added", obj=day, after=audit.snapshot(day))
    return day


@transaction.atomic
def add_venue(*, actor: Actor, forum: Forum, kind: str, name: str, address: str = "", capacity: int | None = None,
              stream_url: str = "") -> Venue:
    require(actor, "manage", forum)
    errors = {}
    if not name.strip():
        errors["name"] = "Укажите название площадки."
    if kind == Venue.Kind.ONLINE and not stream_url:
        errors["stream_url"] = "Для онлайн-площадки нужна ссылка на трансляцию."
    if kind == Venue.Kind.HALL and not address.strip():
        errors["address"] = "Укажите адрес зала."
    if kind not in {Venue.Kind.HALL, Venue.Kind.ONLINE}:
        errors["kind"] = "Региональные площадки регистрируют координаторы регионов."
    if errors:
        raise ValidationError(errors)
    venue = Venue.objects.create(forum=forum, kind=kind, name=name.strip(), address=address.strip(),
                                 capacity=capacity, stream_url=stream_url)
    audit.record(actor=actor, action="forum.venue.added", obj=venue, after=audit.snapshot(venue))
    return venue


@transaction.atomic
def add_session(*, actor: Actor, day: Day, venue: Venue, starts_at: dt.datetime, ends_at: dt.datetime, title: str,
                speakers: str = "", description: str = "", format: str = Session.Format.IN_PERSON,
                capacity: int | None = None) -> Session:
    require(actor, "manage", day.forum)
    errors = {}
    if not title.strip():
        errors["title"] = "Укажите название сессии."
    if ends_at <= starts_at:
        errors["ends_at"] = "Сессия должна заканчиваться позже, чем начинается."
    if venue.forum_id != day.forum_id or venue.kind != Venue.Kind.HALL:
        errors["venue"] = "Выберите зал этого форума."
    if errors:
        raise ValidationError(errors)
    session = Session.objects.create(forum=day.forum, day=day, venue=venue, starts_at=starts_at, ends_at=ends_at,
                                     title=title.strip(), speakers=speakers.strip(), description=description.strip(),
                                     format=format, capacity=venue.capacity if capacity is None else capacity)
    audit.record(actor=actor, action="forum.session.added", obj=session, after=audit.snapshot(session))
    _public_changed()
    return session


@transaction.atomic
def add_question(*, actor: Actor, forum: Forum, kind: str, label: str, choices: list[str] | None = None,
                 required: bool = False) -> Question:
    require(actor, "manage", forum)
    choices = [c.strip() for c in choices or [] if c.strip()]
    if not label.strip():
        raise ValidationError({"label": "Сформулируйте вопрос."})
    if kind == Question.Kind.CHOICE and len(choices) < 2:
        raise ValidationError({"choices": "Для выбора из списка нужны хотя бы два варианта."})
    position = Question.objects.filter(forum=forum).count()
    question = Question.objects.create(forum=forum, kind=kind, label=label.strip(), choices=choices,
                                       required=required, position=position)
    audit.record(actor=actor, action="forum.question.added", obj=question, after=audit.snapshot(question))
    return question


@transaction.atomic
def register_regional_venue(*, actor: Actor, forum: Forum, region: Region, name: str, address: str,
                            capacity: int | None, contact: str, connection: str) -> Venue:
    """A coordinator registers (or updates) their region's venue for the regional day."""
    require(actor, "register_venue", forum)
    if not actor.is_system and region.pk not in _regions_of(actor):
        raise PermissionDenied("Площадку регистрирует координатор своего региона.")
    errors = {}
    if not name.strip():
        errors["name"] = "Укажите название площадки."
    if not address.strip():
        errors["address"] = "Укажите адрес площадки."
    if capacity is not None and capacity < 1:
        errors["capacity"] = "Число мест должно быть положительным."
    if not contact.strip():
        errors["contact"] = "Укажите контакт площадки (ФИО, телефон или e-mail)."
    if not connection.strip():
        errors["connection"] = "Опишите, как площадка подключается к трансляции."
    if errors:
        raise ValidationError(errors)
    venue = Venue.objects.select_for_update(of=("self",)).filter(forum=forum, region=region,
                                                                 kind=Venue.Kind.REGIONAL).first()
    if venue is not None and capacity is not None and capacity < venue.taken:
        raise ValidationError({"capacity": f"На площадку уже записано {venue.taken} чел.: мест не может быть меньше."})
    fields = {"name": name.strip(), "address": address.strip(), "capacity": capacity, "contact": contact.strip(),
              "connection": connection.strip()}
    if venue is None:
        venue = Venue.objects.create(forum=forum, region=region, kind=Venue.Kind.REGIONAL,
                                     registered_by=actor.user, **fields)
        audit.record(actor=actor, action="forum.venue.registered", obj=venue, after=audit.snapshot(venue))
        _public_changed()
        return venue
    before = audit.snapshot(venue, sorted(fields))
    for key, value in fields.items():
        setattr(venue, key, value)
    venue.save(update_fields=sorted(fields))
    audit.record(actor=actor, action="forum.venue.updated", obj=venue, before=before,
                 after=audit.snapshot(venue, sorted(fields)))
    _offer_next(venue, timezone.now())
    _public_changed()
    return venue


def _regions_of(actor: Actor) -> set[int]:
    return {region_id for region_id, _ in principal(actor.user).regions}


@transaction.atomic
def record_watchers(*, actor: Actor, venue: Venue, count: int) -> Venue:
    require(actor, "record_watchers", venue)
    if count < 0 or count > 100_000:
        raise ValidationError({"count": "Укажите число зрителей от 0 до 100 000."})
    venue = Venue.objects.select_for_update(of=("self",)).get(pk=venue.pk)
    before = audit.snapshot(venue, ["watchers"])
    venue.watchers = count
    venue.watchers_recorded_at = timezone.now()
    venue.save(update_fields=["watchers", "watchers_recorded_at"])
    audit.record(actor=actor, action="forum.venue.watchers", obj=venue, before=before,
                 after=audit.snapshot(venue, ["watchers"]))
    return venue


# --- registration -------------------------------------------------------------------------------------

def allowed_venues(session: Session) -> Any:
    """Where a person may attend the session from: its hall; online; the regional day's regional venues."""
    venues = Venue.objects.filter(forum_id=session.forum_id)
    q = Q()
    if session.format in {Session.Format.IN_PERSON, Session.Format.HYBRID}:
        q |= Q(pk=session.venue_id)
    if session.format in {Session.Format.ONLINE, Session.Format.HYBRID}:
        q |= Q(kind=Venue.Kind.ONLINE)
        if session.day.is_regional:
            q |= Q(kind=Venue.Kind.REGIONAL)
    return venues.filter(q).order_by("kind", "name")


@dataclass
class Applicant:
    name: str
    email: str
    region: Region | None = None
    organisation: Organisation | None = None
    answers: dict[str, Any] | None = None
    kind: str = K.INDIVIDUAL
    pupils: int = 0
    adults: int = 0


def seats_for(kind: str, pupils: int, adults: int) -> int:
    return 1 if kind == K.INDIVIDUAL else pupils + adults


def validate_answers(forum: Forum, answers: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """(clean answers keyed by question id, errors keyed ``q_<id>``)."""
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for q in forum.questions.all():
        key = f"q_{q.pk}"
        value = answers.get(str(q.pk), "")
        value = value.strip() if isinstance(value, str) else value
        if value in ("", None):
            if q.required:
                errors[key] = "Ответьте на этот вопрос."
            continue
        if q.kind == Question.Kind.TEXT:
            clean[str(q.pk)] = str(value)[:2000]
        elif q.kind == Question.Kind.CHOICE:
            if value not in q.choices:
                errors[key] = "Выберите один из вариантов."
            else:
                clean[str(q.pk)] = value
        elif q.kind == Question.Kind.ORGANISATION:
            org = find_organisation(value)
            if org is None:
                errors[key] = "Организация не найдена в справочнике: укажите ИНН или точное название."
            else:
                clean[str(q.pk)] = {"id": org.pk, "name": org.name}
        else:
            region = Region.objects.filter(pk=_int(value)).first()
            if region is None:
                errors[key] = "Выберите регион из списка."
            else:
                clean[str(q.pk)] = {"id": region.pk, "name": region.name}
    return clean, errors


def find_organisation(value: Any) -> Organisation | None:
    """An active organisation by its INN or exact name (an id from code)."""
    active = Organisation.objects.filter(status=Organisation.Status.ACTIVE)
    if isinstance(value, int):
        return active.filter(pk=value).first()
    text = str(value).strip()
    if text.isdigit() and len(text) in {10, 12}:
        return active.filter(inn=text).first()
    return active.filter(name__iexact=text).first()


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _validate_person(who: Applicant) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not who.name.strip():
        errors["name"] = "Укажите фамилию, имя и отчество."
    elif len(who.name) > 200:
        errors["name"] = "Слишком длинное имя (не больше 200 символов)."
    try:
        validate_email(who.email)
    except ValidationError:
        errors["email"] = "Введите правильный адрес электронной почты, например ivanova@example.ru."
    if who.kind == K.GROUP and who.pupils < 1:
        errors["pupils"] = "Укажите число учащихся в группе."
    if who.kind in {K.GROUP, K.DELEGATION} and who.adults < 1:
        errors["adults"] = ("Укажите число сопровождающих взрослых." if who.kind == K.GROUP
                            else "Укажите число участников делегации.")
    if who.pupils < 0 or who.adults < 0 or seats_for(who.kind, who.pupils, who.adults) > MAX_GROUP:
        errors["adults"] = f"В одной заявке не больше {MAX_GROUP} человек."
    return errors


def _validate_kind(actor: Actor, forum: Forum, who: Applicant) -> None:
    if who.kind == K.INDIVIDUAL:
        return
    require(actor, "register_group", forum, "Группы регистрируют школы, делегации — координаторы регионов.")
    if who.kind == K.DELEGATION and not actor.is_system and who.region is not None \
            and who.region.pk not in _regions_of(actor) and not _is_operator(actor):
        raise ValidationError({"region": "Делегацию регистрирует координатор своего региона."})


def _is_operator(actor: Actor) -> bool:
    return actor.user is not None and principal(actor.user).is_operator


def _validate_target(forum: Forum, session: Session, venue: Venue) -> dict[str, str]:
    if session.forum_id != forum.pk:
        return {"session": "Выберите сессию этого форума."}
    if not allowed_venues(session).filter(pk=venue.pk).exists():
        return {"venue": "На эту сессию нельзя записаться на выбранную площадку."}
    return {}


@atomic_retrying
def register(*, actor: Actor, forum: Forum, session: Session, venue: Venue, applicant: Applicant,
             consent: bool, partners_consent: bool = False, waitlist_ok: bool = True,
             notify: bool = True) -> tuple[Registration, str]:
    """Register a person (or a group, or a delegation). Returns the registration and its personal
    link's token. Seats are held at once when free and nobody waits; otherwise the person joins the
    waiting list (or, without ``waitlist_ok``, gets the message that the session is full).
    ``notify=False`` (the demo) sends neither the confirmation nor the ticket e-mail."""
    require(actor, "register", forum, "Регистрация на форум сейчас закрыта.")
    _validate_kind(actor, forum, applicant)
    errors = _validate_person(applicant)
    errors |= _validate_target(forum, session, venue)
    answers, answer_errors = validate_answers(forum, applicant.answers or {})
    errors |= answer_errors
    if not consent:
        errors["consent"] = "Без согласия на обработку персональных данных зарегистрироваться нельзя."
    if errors:
        raise ValidationError(errors)
    email = applicant.email.strip().lower()
    registration = Registration(forum=forum, session=session, venue=venue, kind=applicant.kind,
                                user=actor.user, name=" ".join(applicant.name.split()), email=email,
                                region=applicant.region, organisation=applicant.organisation,
                                pupils=applicant.pupils if applicant.kind == K.GROUP else 0,
                                adults=applicant.adults if applicant.kind != K.INDIVIDUAL else 0,
                                seats=seats_for(applicant.kind, applicant.pupils, applicant.adults),
                                answers=answers, secret=secrets.token_hex(16), join_token=secrets.token_urlsafe(32))
    holder = holder_of(registration)
    if holder.capacity is not None and registration.seats > holder.capacity:
        raise ValidationError({"adults": f"В заявке {ru_number(registration.seats)} чел., а на площадке всего "
                                         f"{ru_number(holder.capacity)} мест."})
    if _already(registration):
        raise ValidationError({"email": f"{email} уже зарегистрирован(а) на эту сессию. "
                                        "Заявка есть в личном кабинете или в письме с билетом."})
    # Everything that does not depend on the seats is written first, so the holder's row lock (taken
    # last) is held for a handful of statements only. The row starts as waitlisted (an active
    # status: the unique constraint refuses a parallel double registration here).
    registration.status = S.WAITLISTED
    registration.queued_at = timezone.now()
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError as exc:  # the same person in a parallel request
        raise ValidationError({"email": f"{email} уже зарегистрирован(а) на эту сессию."}) from exc
    _record_consents(actor, forum, registration, partners_consent, registration.queued_at)
    _new_ticket(registration)
    _seat(holder, registration, waitlist_ok=waitlist_ok)
    audit.record(actor=actor, action="forum.registration.created", obj=registration,
                 after=audit.snapshot(registration, ["status", "kind", "seats", "session_id", "venue_id"]))
    if registration.status == S.CONFIRMED and notify:
        jobs.enqueue_on_commit("qualityweek.forum.tasks.send_ticket_task", registration_id=registration.pk)
    if notify:
        _mail_registered(registration)
    return registration, link_token(registration)


def _seat(holder: Holder, registration: Registration, *, waitlist_ok: bool) -> None:
    """Under the holder's row lock: seats when they are free and nobody waits ahead, else the queue."""
    holder = _lock_holder(holder)
    ahead = queue_of(holder).exclude(pk=registration.pk).exists()
    if _fits(holder, registration.seats) and not ahead:
        _take(holder, registration.seats)
        registration.status = S.PENDING if registration.forum.requires_approval else S.CONFIRMED
        registration.queued_at = None
    elif waitlist_ok:
        registration.queued_at = timezone.now()  # the queue's order is the order of the lock
    else:
        raise ValidationError({"session": "Мест на эту сессию нет. Отметьте «Встать в лист ожидания», "
                                          "и мы предложим место, как только оно освободится."})
    Registration.objects.filter(pk=registration.pk).update(status=registration.status,
                                                           queued_at=registration.queued_at)


def _already(registration: Registration) -> bool:
    return Registration.objects.filter(session_id=registration.session_id, email=registration.email,
                                       kind=registration.kind, status__in=list(S_ACTIVE)).exists()


S_ACTIVE = (S.PENDING, S.CONFIRMED, S.WAITLISTED, S.OFFERED)


def _record_consents(actor: Actor, forum: Forum, registration: Registration, partners: bool,
                     now: dt.datetime) -> None:
    rows = [Consent(registration=registration, kind=Consent.Kind.PERSONAL_DATA,
                    document_version=forum.consent_version, text_sha256=consent_hash(forum.consent_text),
                    accepted_at=now, ip=actor.ip)]
    if partners and forum.partners_consent_text:
        rows.append(Consent(registration=registration, kind=Consent.Kind.PARTNERS,
                            document_version=forum.consent_version,
                            text_sha256=consent_hash(forum.partners_consent_text), accepted_at=now, ip=actor.ip))
    Consent.objects.bulk_create(rows)


def _new_ticket(registration: Registration) -> Ticket:
    """Every registration gets its code at once; it opens the door only while the registration is confirmed."""
    for _ in range(5):
        try:
            with transaction.atomic():
                return Ticket.objects.create(registration=registration, code=new_ticket_code())
        except IntegrityError:
            continue  # 60 random bits: a clash is astronomically rare, but never a 500
    raise RuntimeError("Could not draw a unique ticket code")


def _issue_ticket(registration: Registration, *, notify: bool = True) -> Ticket:
    """A registration has just become confirmed: its ticket (made now if it predates tickets) goes out."""
    ticket = Ticket.objects.filter(registration=registration).first() or _new_ticket(registration)
    if notify:
        jobs.enqueue_on_commit("qualityweek.forum.tasks.send_ticket_task", registration_id=registration.pk)
    return ticket


def _step(actor: Actor, registration: Registration, action: str) -> tuple[Holder, Registration]:
    """Lock the holder, then the registration; check the party right, then the status table.
    A visitor acting through the personal link (checked by the view) is the registration's person."""
    holder = _lock_holder(holder_of(registration))
    registration = (Registration.objects.select_for_update(of=("self",))
                    .select_related("forum", "session", "venue").get(pk=registration.pk))
    if actor.kind == USER:
        party = "review" if action in {"approve", "decline"} else "own"
        if not (can(actor, party, registration) or (action == "cancel" and _is_operator(actor))):
            raise PermissionDenied("Недостаточно прав для этого действия.")
    if not registration_allows(registration, action):
        raise ValidationError({"__all__": f"Заявка в статусе «{registration.get_status_display()}»: "
                                          "это действие недоступно."})
    require(actor, action, registration)
    return holder, registration


def _set_status(actor: Actor, registration: Registration, to: str, **fields: Any) -> Registration:
    before = audit.snapshot(registration, ["status", "decline_reason"])
    registration.status = to
    for name, value in fields.items():
        setattr(registration, name, value)
    registration.save(update_fields=["status", "updated_at", *fields])
    audit.record(actor=actor, action=f"forum.registration.{to}", obj=registration, before=before,
                 after=audit.snapshot(registration, ["status", "decline_reason"]))
    return registration


@atomic_retrying
def approve(*, actor: Actor, registration: Registration) -> Registration:
    _, registration = _step(actor, registration, "approve")
    registration = _set_status(actor, registration, S.CONFIRMED, decided_by=actor.user, decided_at=timezone.now())
    _issue_ticket(registration)
    return registration


@atomic_retrying
def decline(*, actor: Actor, registration: Registration, reason: str) -> Registration:
    if not reason.strip():
        raise ValidationError({"reason": "Укажите причину отказа: её увидит участник."})
    holder, registration = _step(actor, registration, "decline")
    _release(holder, registration.seats)
    registration = _set_status(actor, registration, S.DECLINED, decline_reason=reason.strip()[:500],
                               decided_by=actor.user, decided_at=timezone.now())
    mail.send_later(to=[registration.email], subject=f"{registration.forum.title}: заявка отклонена",
                    template="forum/email/declined.txt", context={"r": registration})
    _offer_next(holder, timezone.now())
    return registration


@atomic_retrying
def cancel(*, actor: Actor, registration: Registration) -> Registration:
    holder, registration = _step(actor, registration, "cancel")
    was_offered = registration.status == S.OFFERED
    holds = registration.holds_seats
    registration = _set_status(actor, registration, S.CANCELLED, offer_expires_at=None)
    if was_offered:
        Offer.objects.filter(registration=registration, outcome="").update(outcome="cancelled")
    if holds:
        _release(holder, registration.seats)
    _offer_next(holder, timezone.now())
    return registration


@atomic_retrying
def accept_offer(*, actor: Actor, registration: Registration) -> Registration:
    _, registration = _step(actor, registration, "accept")
    now = timezone.now()
    if registration.offer_expires_at is not None and registration.offer_expires_at <= now:
        raise ValidationError({"__all__": "Срок предложения истёк: место предложено следующему в очереди."})
    to = S.PENDING if registration.forum.requires_approval else S.CONFIRMED
    Offer.objects.filter(registration=registration, outcome="").update(outcome="accepted")
    registration = _set_status(actor, registration, to, offer_expires_at=None)
    if to == S.CONFIRMED:
        _issue_ticket(registration)
    return registration


@atomic_retrying
def edit(*, actor: Actor, registration: Registration, name: str, region: Region | None,
         organisation: Organisation | None, answers: dict[str, Any]) -> Registration:
    """The person changes their details; a confirmed registration of a moderated forum goes back to approval."""
    _, registration = _step(actor, registration, "edit")
    who = Applicant(name=name, email=registration.email, kind=registration.kind, pupils=registration.pupils or 1,
                    adults=registration.adults or 1)
    errors = {k: v for k, v in _validate_person(who).items() if k == "name"}
    clean, answer_errors = validate_answers(registration.forum, answers)
    errors |= answer_errors
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(registration, ["name", "region_id", "organisation_id", "answers", "status"])
    registration.name = " ".join(name.split())
    registration.region = region
    registration.organisation = organisation
    registration.answers = clean
    if registration.status == S.CONFIRMED and registration.forum.requires_approval:
        registration.status = S.PENDING
    registration.save()
    audit.record(actor=actor, action="forum.registration.edited", obj=registration, before=before,
                 after=audit.snapshot(registration, ["name", "region_id", "organisation_id", "answers", "status"]))
    return registration


def expire_offers(*, now: dt.datetime | None = None) -> int:
    """Expire every lapsed offer and move its seats on (the periodic job; running it twice changes nothing)."""
    now = now or timezone.now()
    ids = list(Registration.objects.filter(status=S.OFFERED, offer_expires_at__lte=now)
               .order_by("offer_expires_at", "id").values_list("pk", flat=True)[:1000])
    done = 0
    for pk in ids:
        done += _expire_one(pk, now)
    return done


@atomic_retrying
def _expire_one(pk: int, now: dt.datetime) -> int:
    registration = Registration.objects.select_related("session").get(pk=pk)
    holder = _lock_holder(holder_of(registration))
    registration = Registration.objects.select_for_update(of=("self",)).get(pk=pk)
    if registration.status != S.OFFERED or registration.offer_expires_at is None \
            or registration.offer_expires_at > now:
        return 0
    Offer.objects.filter(registration=registration, outcome="").update(outcome="expired")
    _set_status(Actor.system(), registration, S.EXPIRED, offer_expires_at=None)
    _release(holder, registration.seats)
    _offer_next(holder, now)
    return 1


# --- check-in and attendance --------------------------------------------------------------------------

@dataclass(frozen=True)
class CheckIn:
    ok: bool
    message: str
    ticket: Ticket | None = None
    first_at: dt.datetime | None = None
    member: Member | None = None  # a delegation member's own ticket (then ``ticket`` is None)

    @property
    def registration(self) -> Registration | None:
        if self.ticket is not None:
            return self.ticket.registration
        return self.member.registration if self.member is not None else None

    @property
    def name(self) -> str:
        if self.member is not None:
            return self.member.label()
        return self.ticket.registration.name if self.ticket is not None else ""


def check_in(*, actor: Actor, forum: Forum, code: str, source: str = Ticket.Source.TYPED,
             at: dt.datetime | None = None) -> CheckIn:
    """Mark a ticket of this forum as entered; a second time answers with the time of the first.
    One conditional UPDATE: two scanners racing on the same ticket cannot both win."""
    require(actor, "checkin", forum)
    normalised = normalise_code(code)
    if len(normalised) != TICKET_LENGTH:
        return CheckIn(False, "Код билета — 12 букв и цифр, например ABCD-EFGH-JKLM. Проверьте ввод.")
    ticket = (Ticket.objects.select_related("registration__session", "registration__venue")
              .filter(code=normalised, registration__forum=forum).first())
    if ticket is None:
        return _check_in_member(actor, forum, normalised, source, at)
    registration = ticket.registration
    if registration.status != S.CONFIRMED:
        return CheckIn(False, f"Регистрация {registration.get_status_display().lower()}: вход по билету закрыт.",
                       ticket)
    when = at or timezone.now()
    won = Ticket.objects.filter(pk=ticket.pk, checked_in_at__isnull=True).update(
        checked_in_at=when, checked_in_by=actor.user, check_in_source=source)
    if not won:
        ticket.refresh_from_db(fields=["checked_in_at"])
        first = timezone.localtime(ticket.checked_in_at) if ticket.checked_in_at else None
        stamp = f"{first:%H:%M:%S} {date_ru(first.date())}" if first else ""
        return CheckIn(False, f"Повторный вход: билет уже отмечен в {stamp}.", ticket, ticket.checked_in_at)
    ticket.checked_in_at = when
    return CheckIn(True, "Вход отмечен.", ticket, when)


def _check_in_member(actor: Actor, forum: Forum, code: str, source: str, at: dt.datetime | None) -> CheckIn:
    member = (Member.objects.select_related("registration__session", "registration__venue")
              .filter(code=code, registration__forum=forum).first())
    if member is None:
        return CheckIn(False, "Билет с таким кодом на этом форуме не найден.")
    registration = member.registration
    if registration.status != S.CONFIRMED:
        return CheckIn(False, f"Заявка делегации {registration.get_status_display().lower()}: вход по билету закрыт.",
                       member=member)
    when = at or timezone.now()
    won = Member.objects.filter(pk=member.pk, checked_in_at__isnull=True).update(
        checked_in_at=when, checked_in_by=actor.user, check_in_source=source)
    if not won:
        member.refresh_from_db(fields=["checked_in_at"])
        first = timezone.localtime(member.checked_in_at) if member.checked_in_at else None
        stamp = f"{first:%H:%M:%S} {date_ru(first.date())}" if first else ""
        return CheckIn(False, f"Повторный вход: билет уже отмечен в {stamp}.", first_at=member.checked_in_at,
                       member=member)
    member.checked_in_at = when
    return CheckIn(True, "Вход отмечен.", first_at=when, member=member)


def sync_offline(*, actor: Actor, forum: Forum, entries: Iterable[dict[str, Any]]) -> dict[str, int]:
    """Check-ins recorded offline: each (code, time) once; a code already in is counted, not changed."""
    require(actor, "checkin", forum)
    counts = {"accepted": 0, "duplicate": 0, "refused": 0}
    now = timezone.now()
    for entry in list(entries)[:5000]:
        at = _parse_time(entry.get("at")) or now
        result = check_in(actor=actor, forum=forum, code=str(entry.get("code", "")), source=Ticket.Source.OFFLINE,
                          at=min(at, now))
        if result.ok:
            counts["accepted"] += 1
        elif result.first_at is not None:
            counts["duplicate"] += 1
        else:
            counts["refused"] += 1
    return counts


def _parse_time(value: Any) -> dt.datetime | None:
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def record_join(*, token: str) -> Registration | None:
    """The personal join link of an online registrant: records the first entry, returns the registration."""
    registration = (Registration.objects.select_related("venue", "session")
                    .filter(join_token=token, status=S.CONFIRMED).first())
    if registration is None:
        return None
    Registration.objects.filter(pk=registration.pk, joined_at__isnull=True).update(joined_at=timezone.now())
    return registration


# --- mail ---------------------------------------------------------------------------------------------

def personal_url(registration: Registration) -> str:
    return f"{settings.SITE_URL}/forum/r/{registration.pk}/{link_token(registration)}/"


def _mail_registered(registration: Registration) -> None:
    if registration.status == S.CONFIRMED:
        return  # the ticket e-mail (with its PDF) says it
    mail.send_later(to=[registration.email], subject=f"{registration.forum.title}: заявка принята",
                    template="forum/email/registered.txt",
                    context={"r": registration, "url": personal_url(registration)})


def _mail_offer(registration: Registration) -> None:
    mail.send_later(to=[registration.email], subject=f"{registration.forum.title}: для вас освободилось место",
                    template="forum/email/offer.txt",
                    context={"r": registration, "url": personal_url(registration),
                             "until": timezone.localtime(registration.offer_expires_at)})


# --- delegation members ---------------------------------------------------------------------------------

UNNAMED = "Участник (данные удалены)"


def _new_member_code() -> str:
    """A code no ticket and no member holds (the unique index has the last word)."""
    for _ in range(5):
        code = new_ticket_code()
        if not Ticket.objects.filter(code=code).exists() and not Member.objects.filter(code=code).exists():
            return code
    raise RuntimeError("Could not draw a unique ticket code")


@transaction.atomic
def add_member(*, actor: Actor, registration: Registration, name: str, position: str = "", organisation: str = "",
               email: str = "") -> Member:
    """Name one member of a delegation (up to its number of seats); each member gets a ticket code of
    their own, mailed to them when they have an address and the delegation is confirmed."""
    registration = (Registration.objects.select_for_update(of=("self",)).select_related("forum")
                    .get(pk=registration.pk))
    require(actor, "members", registration, "Участников называют у действующей заявки делегации.")
    name, position, organisation = (" ".join(v.split()) for v in (name, position, organisation))
    email = email.strip().lower()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Укажите фамилию, имя и отчество участника."
    elif len(name) > 200:
        errors["name"] = "Слишком длинное имя (не больше 200 символов)."
    elif name.casefold() in {n.casefold() for n in Member.objects.filter(registration=registration)
                             .values_list("name", flat=True)}:  # casefold: SQLite's iexact is ASCII only
        errors["name"] = f"{name} уже в списке делегации."
    if len(position) > 200:
        errors["position"] = "Не больше 200 символов."
    if len(organisation) > 300:
        errors["organisation"] = "Не больше 300 символов."
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = "Введите правильный адрес электронной почты или оставьте поле пустым."
    named = Member.objects.filter(registration=registration).count()
    if named >= registration.seats:
        errors["__all__"] = (f"В заявке {ru_number(registration.seats)} мест, и все участники уже названы. "
                             "Чтобы назвать другого, удалите кого-нибудь из списка.")
    if errors:
        raise ValidationError(errors)
    member = Member.objects.create(registration=registration, name=name, position=position,
                                   organisation=organisation, email=email, code=_new_member_code())
    # Ids only: the audit log is append-only and must not keep what the purge removes.
    audit.record(actor=actor, action="forum.member.added", obj=member,
                 after={"registration_id": registration.pk, "named": named + 1, "has_email": bool(email)})
    if registration.status == S.CONFIRMED and email:
        jobs.enqueue_on_commit("qualityweek.forum.tasks.send_member_tickets_task", registration_id=registration.pk)
    return member


@transaction.atomic
def remove_member(*, actor: Actor, registration: Registration, member_id: int) -> None:
    registration = Registration.objects.select_for_update(of=("self",)).get(pk=registration.pk)
    require(actor, "members", registration, "Участников называют у действующей заявки делегации.")
    member = Member.objects.filter(registration=registration, pk=member_id).first()
    if member is None:
        raise ValidationError({"__all__": "Такого участника в делегации нет."})
    if member.checked_in_at is not None:
        raise ValidationError({"__all__": f"{member.name} уже прошёл(а) на форум: удалить нельзя."})
    member.delete()
    audit.record(actor=actor, action="forum.member.removed", obj=registration,
                 before={"member_id": member_id}, after={"named": registration.members.count()})


# --- the registrants export -------------------------------------------------------------------------------

@transaction.atomic
def start_export(*, actor: Actor, forum: Forum) -> Any:
    """The XLSX of every registrant with every answer, built by a job the owner watches and downloads."""
    require(actor, "manage", forum)
    job = jobs.start_job(owner=actor.user, kind="forum.export", title=f"Участники форума «{forum.title}» (XLSX)",
                         task="qualityweek.forum.tasks.export_registrants_task", forum_id=forum.pk)
    audit.record(actor=actor, action="forum.export", obj=forum, after={"job": str(job.pk)})
    return job


# --- personal data after the forum ------------------------------------------------------------------------

def purge_due(*, today: dt.date | None = None, after_days: int | None = None) -> Any:
    """Forums whose personal data is due for anonymisation: ended ``FORUM_PURGE_AFTER_DAYS`` ago, not yet done."""
    today = today or timezone.localdate()
    days = settings.FORUM_PURGE_AFTER_DAYS if after_days is None else after_days
    return Forum.objects.filter(ends_on__lt=today - dt.timedelta(days=days), personal_data_purged_at__isnull=True)


def purge_personal_data(*, actor: Actor, today: dt.date | None = None, after_days: int | None = None) -> int:
    """Anonymise the registrations of every forum that ended long enough ago (decision 0029); the
    figures (statuses, seats, regions, organisations, check-ins, online entries) stay. Each forum in
    its own transaction, audited once; running it again changes nothing."""
    done = 0
    for pk in list(purge_due(today=today, after_days=after_days).values_list("pk", flat=True)):
        done += _purge_forum(actor, pk, today=today, after_days=after_days)
    return done


@transaction.atomic
def _purge_forum(actor: Actor, pk: int, *, today: dt.date | None, after_days: int | None) -> int:
    forum = purge_due(today=today, after_days=after_days).select_for_update(of=("self",)).filter(pk=pk).first()
    if forum is None:
        return 0  # another run did it
    require(actor, "purge", forum)
    pk_text = Cast("pk", output_field=CharField())
    registrations = Registration.objects.filter(forum=forum)
    count = registrations.update(
        name=Value(UNNAMED), email=Concat(Value("deleted-"), pk_text, Value("@forum.invalid")), user=None,
        answers={}, decline_reason="", secret=Concat(Value("purged-"), pk_text),
        join_token=Concat(Value("purged-"), pk_text))
    members = Member.objects.filter(registration__forum=forum).update(name=UNNAMED, position="", organisation="",
                                                                     email="")
    Consent.objects.filter(registration__forum=forum).update(ip=None)
    forum.personal_data_purged_at = timezone.now()
    forum.save(update_fields=["personal_data_purged_at"])
    audit.record(actor=actor, action="forum.personal_data.purged", obj=forum,
                 after={"registrations": count, "members": members,
                        "after_days": settings.FORUM_PURGE_AFTER_DAYS if after_days is None else after_days})
    return count
