"""The forum «Всемирный день качества»: one forum per campaign year, its venues, days and sessions,
registrations with quotas and a waiting list, tickets, consents and attendance.

Quotas: every registration draws its seats from exactly one **quota holder** — the session when the
person sits in the session's own hall, otherwise the venue they attend (a regional venue or an online
stream). A holder keeps ``capacity`` (``None``: unlimited) and ``taken`` (seats held by pending,
confirmed and offered registrations); the services change ``taken`` only under a row lock of the
holder, and a check constraint refuses ``taken > capacity`` whatever happens (decision 0019).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from qualityweek.campaigns.models import Campaign
from qualityweek.core.text import datetime_ru
from qualityweek.directory.models import Organisation, Region


class Forum(models.Model):
    """One forum per campaign year. Its primary key is the ``event_id`` of forum staff roles."""

    campaign = models.OneToOneField(Campaign, on_delete=models.PROTECT, related_name="forum",
                                    verbose_name="кампания")
    title = models.CharField("название", max_length=200)
    starts_on = models.DateField("первый день")
    ends_on = models.DateField("последний день")
    registration_opens_at = models.DateTimeField("регистрация открывается", null=True, blank=True)
    registration_closes_at = models.DateTimeField("регистрация закрывается", null=True, blank=True)
    requires_approval = models.BooleanField("регистрации подтверждает оператор или координатор", default=False)
    offer_hours = models.PositiveSmallIntegerField("сколько часов действует предложение места", default=24)
    is_published = models.BooleanField("программа опубликована", default=False)
    consent_version = models.CharField("версия согласия на обработку ПДн", max_length=32, default="1")
    consent_text = models.TextField("текст согласия на обработку персональных данных (152-ФЗ)")
    partners_consent_text = models.TextField("текст согласия на передачу данных партнёрам", blank=True)
    personal_data_purged_at = models.DateTimeField("персональные данные обезличены", null=True, blank=True)

    class Meta:
        verbose_name = "форум"
        verbose_name_plural = "форумы"
        ordering = ["-starts_on"]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="forum_dates_order")]

    def __str__(self) -> str:
        return self.title


class Capacity(models.Model):
    """A quota holder: ``capacity`` seats (``None``: no limit), ``taken`` of them held."""

    capacity = models.PositiveIntegerField("мест", null=True, blank=True)
    taken = models.PositiveIntegerField("занято мест", default=0)

    class Meta:
        abstract = True

    @property
    def free(self) -> int | None:
        return None if self.capacity is None else max(0, self.capacity - self.taken)


def _quota(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(capacity__isnull=True) | Q(taken__lte=F("capacity")), name=name)


class Venue(Capacity):
    class Kind(models.TextChoices):
        HALL = "hall", "Зал (очно)"
        ONLINE = "online", "Онлайн-трансляция"
        REGIONAL = "regional", "Региональная площадка"

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="venues", verbose_name="форум")
    kind = models.CharField("вид", max_length=16, choices=Kind.choices)
    name = models.CharField("название", max_length=200)
    address = models.CharField("адрес", max_length=300, blank=True)
    stream_url = models.URLField("ссылка на трансляцию", blank=True)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="forum_venues",
                               verbose_name="регион")
    contact = models.CharField("контакт площадки", max_length=300, blank=True)
    connection = models.CharField("как подключается", max_length=300, blank=True)
    watchers = models.PositiveIntegerField("смотрели вместе (по данным площадки)", null=True, blank=True)
    watchers_recorded_at = models.DateTimeField(null=True, blank=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")

    class Meta:
        verbose_name = "площадка"
        verbose_name_plural = "площадки"
        ordering = ["kind", "name"]
        constraints = [
            _quota("venue_quota"),
            models.UniqueConstraint(fields=["forum", "region"], condition=Q(kind="regional"),
                                    name="venue_one_regional_per_region"),
            models.CheckConstraint(condition=Q(kind="regional", region__isnull=False) | ~Q(kind="regional"),
                                   name="venue_regional_has_region"),
        ]

    def __str__(self) -> str:
        return self.name


class Day(models.Model):
    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="days", verbose_name="форум")
    date = models.DateField("дата")
    title = models.CharField("название дня", max_length=200, blank=True)
    is_regional = models.BooleanField("региональный день", default=False)

    class Meta:
        verbose_name = "день форума"
        verbose_name_plural = "дни форума"
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["forum", "date"], name="day_unique_date")]

    def __str__(self) -> str:
        return self.title or str(self.date)


class Session(Capacity):
    class Format(models.TextChoices):
        IN_PERSON = "in_person", "Очно"
        ONLINE = "online", "Онлайн"
        HYBRID = "hybrid", "Гибридный формат"

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="sessions", verbose_name="форум")
    day = models.ForeignKey(Day, on_delete=models.CASCADE, related_name="sessions", verbose_name="день")
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="sessions", verbose_name="зал")
    starts_at = models.DateTimeField("начало")
    ends_at = models.DateTimeField("окончание")
    title = models.CharField("название", max_length=300)
    speakers = models.TextField("спикеры", blank=True)
    description = models.TextField("описание", blank=True)
    format = models.CharField("формат", max_length=16, choices=Format.choices, default=Format.IN_PERSON)

    class Meta:
        verbose_name = "сессия"
        verbose_name_plural = "сессии"
        ordering = ["starts_at", "venue__name"]
        constraints = [_quota("session_quota"),
                       models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="session_times_order")]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    """An operator-configured question of the registration form."""

    class Kind(models.TextChoices):
        TEXT = "text", "Текст"
        CHOICE = "choice", "Выбор из списка"
        ORGANISATION = "organisation", "Организация из справочника"
        REGION = "region", "Регион"

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField("вид", max_length=16, choices=Kind.choices)
    label = models.CharField("вопрос", max_length=300)
    choices = models.JSONField("варианты", default=list, blank=True)
    required = models.BooleanField("обязательный", default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "вопрос формы"
        verbose_name_plural = "вопросы формы"
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.label


ACTIVE = ("pending", "confirmed", "waitlisted", "offered")
HOLDING = ("pending", "confirmed", "offered")  # statuses whose seats count in the holder's ``taken``


class Registration(models.Model):
    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", "Индивидуальная"
        GROUP = "group", "Группа (класс)"
        DELEGATION = "delegation", "Делегация региона"

    class Status(models.TextChoices):
        PENDING = "pending", "Ожидает подтверждения"
        CONFIRMED = "confirmed", "Подтверждена"
        DECLINED = "declined", "Отклонена"
        WAITLISTED = "waitlisted", "В листе ожидания"
        OFFERED = "offered", "Предложено место"
        EXPIRED = "expired", "Предложение истекло"
        CANCELLED = "cancelled", "Отменена"

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="registrations")
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="registrations",
                                verbose_name="сессия")
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="registrations", verbose_name="площадка")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="forum_registrations")
    kind = models.CharField("вид", max_length=16, choices=Kind.choices, default=Kind.INDIVIDUAL)
    name = models.CharField("ФИО", max_length=200)
    email = models.EmailField("e-mail")
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, verbose_name="регион")
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.SET_NULL,
                                     verbose_name="организация")
    pupils = models.PositiveIntegerField("учащихся", default=0)
    adults = models.PositiveIntegerField("сопровождающих взрослых", default=0)
    seats = models.PositiveIntegerField("мест", default=1)
    answers = models.JSONField("ответы", default=dict, blank=True)
    status = models.CharField("статус", max_length=16, choices=Status.choices)
    decline_reason = models.CharField("причина отказа", max_length=500, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField("в очереди с", null=True, blank=True)
    offer_expires_at = models.DateTimeField("предложение действует до", null=True, blank=True)
    secret = models.CharField(max_length=32, unique=True)  # keys the personal link (an HMAC of it)
    join_token = models.CharField(max_length=43, unique=True)  # the online join link
    joined_at = models.DateTimeField("вошёл в трансляцию", null=True, blank=True)
    reminded_day_at = models.DateTimeField(null=True, blank=True)
    reminded_hour_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "регистрация"
        verbose_name_plural = "регистрации"
        ordering = ["-created_at"]
        constraints = [
            # A person registers once per session (a delegation or group is registered by its leader).
            models.UniqueConstraint(fields=["session", "email", "kind"], condition=Q(status__in=ACTIVE),
                                    name="registration_once_per_session"),
            models.CheckConstraint(condition=Q(seats__gte=1), name="registration_has_seats"),
            models.CheckConstraint(condition=~Q(status="offered") | Q(offer_expires_at__isnull=False),
                                   name="registration_offer_has_expiry"),
        ]
        indexes = [models.Index(fields=["venue", "status", "queued_at"]),
                   models.Index(fields=["session", "status", "queued_at"]),
                   models.Index(fields=["status", "offer_expires_at"])]

    def __str__(self) -> str:
        return f"{self.name} — {self.session}"

    @property
    def holds_seats(self) -> bool:
        return self.status in HOLDING


class Consent(models.Model):
    """A consent given with a registration: the document's version and text hash, the time and the address."""

    class Kind(models.TextChoices):
        PERSONAL_DATA = "personal_data", "Обработка персональных данных (152-ФЗ)"
        PARTNERS = "partners", "Передача данных партнёрам форума"

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    document_version = models.CharField(max_length=32)
    text_sha256 = models.CharField(max_length=64)
    accepted_at = models.DateTimeField()
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = "согласие"
        verbose_name_plural = "согласия"
        constraints = [models.UniqueConstraint(fields=["registration", "kind"], name="consent_once_per_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}, версия {self.document_version}"


class Ticket(models.Model):
    """The ticket of a confirmed registration: a random code (QR and typed), checked in once."""

    class Source(models.TextChoices):
        SCAN = "scan", "Сканирование QR"
        TYPED = "typed", "Код введён вручную"
        OFFLINE = "offline", "Офлайн-список"

    registration = models.OneToOneField(Registration, on_delete=models.CASCADE, related_name="ticket")
    code = models.CharField("код билета", max_length=16, unique=True)
    issued_at = models.DateTimeField(auto_now_add=True)
    checked_in_at = models.DateTimeField("отмечен на входе", null=True, blank=True)
    checked_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")
    check_in_source = models.CharField(max_length=16, choices=Source.choices, blank=True)
    emailed_at = models.DateTimeField("билет отправлен", null=True, blank=True)

    class Meta:
        verbose_name = "билет"
        verbose_name_plural = "билеты"

    def __str__(self) -> str:
        return self.code


class Member(models.Model):
    """A named member of a delegation, entered by its coordinator; each has a ticket code of their own
    (the same alphabet and length as a ``Ticket``'s), good while the delegation is confirmed."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="members")
    name = models.CharField("ФИО", max_length=200)
    position = models.CharField("должность", max_length=200, blank=True)
    organisation = models.CharField("организация", max_length=300, blank=True)
    email = models.EmailField("e-mail", blank=True)
    code = models.CharField("код билета", max_length=16, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    checked_in_at = models.DateTimeField("отмечен на входе", null=True, blank=True)
    checked_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")
    check_in_source = models.CharField(max_length=16, choices=Ticket.Source.choices, blank=True)
    emailed_at = models.DateTimeField("билет отправлен", null=True, blank=True)

    class Meta:
        verbose_name = "участник делегации"
        verbose_name_plural = "участники делегаций"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name

    def label(self) -> str:
        return ", ".join(p for p in (self.name, self.position, self.organisation) if p)


class Offer(models.Model):
    """Every seat offered from the waiting list, in the order made (the queue's audit trail)."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="offers")
    made_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    outcome = models.CharField(max_length=16, blank=True)  # accepted | expired | cancelled

    class Meta:
        ordering = ["made_at", "id"]

    def __str__(self) -> str:
        return f"Предложение до {datetime_ru(self.expires_at)}"
