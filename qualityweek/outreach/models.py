"""Outreach: letterheads, registers of outgoing numbers, letters, their delivery and
acknowledgement, the materials library and the requests mailbox."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from qualityweek.campaigns.models import Campaign
from qualityweek.core.models import Job
from qualityweek.directory.models import Organisation, Region

from .scopes import AUTHORITY_OF_SECTOR, SECTOR_OF_AUTHORITY, sender_filter  # noqa: F401  (re-exported)


def _verify_token() -> str:
    return secrets.token_urlsafe(18)


class SenderQuerySet(models.QuerySet):
    def visible_to(self, user) -> SenderQuerySet:
        return self.filter(sender_filter(user))


class Sender(models.Model):
    """A letterhead: the national operator's, or one regional authority's."""

    organisation = models.OneToOneField(Organisation, null=True, blank=True, on_delete=models.CASCADE,
                                        related_name="letterhead", verbose_name="орган власти региона")
    is_operator = models.BooleanField("национальный оператор", default=False)
    name = models.CharField("наименование на бланке", max_length=300,
                            help_text="Каждая строка бланка — с новой строки.")
    short_name = models.CharField("краткое наименование", max_length=120)
    address = models.CharField("почтовый адрес", max_length=300)
    phone = models.CharField("телефон", max_length=100, blank=True)
    website = models.CharField("сайт", max_length=200, blank=True)
    email = models.EmailField("e-mail", blank=True)
    signer_position = models.CharField("должность подписывающего", max_length=200)
    signer_name = models.CharField("инициалы и фамилия подписывающего", max_length=120)
    executor_name = models.CharField("исполнитель", max_length=200, blank=True)
    executor_phone = models.CharField("телефон исполнителя", max_length=100, blank=True)

    objects = SenderQuerySet.as_manager()

    class Meta:
        verbose_name = "бланк отправителя"
        verbose_name_plural = "бланки отправителей"
        ordering = ["-is_operator", "short_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_operator=True, organisation__isnull=True) | Q(is_operator=False,
                                                                           organisation__isnull=False),
                name="sender_operator_xor_organisation"),
            models.UniqueConstraint(fields=["is_operator"], condition=Q(is_operator=True),
                                    name="sender_one_operator"),
        ]

    def __str__(self) -> str:
        return self.short_name

    @property
    def region_id(self) -> int | None:
        return self.organisation.region_id if self.organisation_id and self.organisation else None

    @property
    def sector(self) -> str:
        if self.organisation is None:
            return ""
        return SECTOR_OF_AUTHORITY.get(self.organisation.authority, "")  # type: ignore[call-overload]


class Register(models.Model):
    """The register of outgoing numbers of one sender for one year."""

    sender = models.ForeignKey(Sender, on_delete=models.PROTECT, related_name="registers", verbose_name="отправитель")
    year = models.PositiveSmallIntegerField("год")
    pattern = models.CharField("шаблон номера", max_length=40, default="{n}",
                               help_text="{n} — порядковый номер, например «{n}-РСК».")
    next_number = models.PositiveIntegerField("следующий номер", default=1)

    class Meta:
        verbose_name = "журнал регистрации"
        verbose_name_plural = "журналы регистрации"
        ordering = ["-year", "sender"]
        constraints = [
            models.UniqueConstraint(fields=["sender", "year"], name="register_one_per_sender_year",
                                    violation_error_message="У этого отправителя уже есть журнал на этот год."),
            models.CheckConstraint(condition=Q(next_number__gte=1), name="register_number_positive"),
            models.CheckConstraint(condition=Q(pattern__contains="{n}"), name="register_pattern_has_n"),
        ]

    def __str__(self) -> str:
        return f"{self.sender}: {self.year}"

    def format(self, n: int) -> str:
        return self.pattern.replace("{n}", str(n))


class LetterTemplate(models.Model):
    """A reusable letter text with campaign placeholders."""

    class Audience(models.TextChoices):
        EDUCATION = "education", "Органы управления образованием и школы"
        BUSINESS = "business", "Министерства промышленности и предприятия"
        CASCADE_EDUCATION = "cascade_education", "Каскад: региональный орган — образовательным организациям"
        CASCADE_BUSINESS = "cascade_business", "Каскад: региональный орган — предприятиям"

    name = models.CharField("название шаблона", max_length=200, unique=True)
    audience = models.CharField("кому", max_length=24, choices=Audience.choices)
    title = models.CharField("заголовок к тексту", max_length=300)
    addressee = models.TextField("адресат", blank=True)
    salutation = models.CharField("обращение", max_length=200, blank=True)
    body = models.TextField("текст")
    attachment = models.TextField("отметка о приложении", blank=True)
    is_active = models.BooleanField("используется", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "шаблон письма"
        verbose_name_plural = "шаблоны писем"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Letter(models.Model):
    """An outgoing letter with the requisites of GOST R 7.0.97. Registered letters are frozen."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Черновик"
        REGISTERED = "registered", "Зарегистрировано"

    class Addressing(models.TextChoices):
        COLLECTIVE = "collective", "Одно обращение для всех адресатов"
        PERSONAL = "personal", "Каждому адресату — своё (должность в дательном падеже, имя)"

    sender = models.ForeignKey(Sender, on_delete=models.PROTECT, related_name="letters", verbose_name="отправитель")
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="letters", verbose_name="кампания")
    template = models.ForeignKey(LetterTemplate, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="letters", verbose_name="шаблон")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="cascades",
                               verbose_name="на основании письма")
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.DRAFT)
    register = models.ForeignKey(Register, null=True, blank=True, on_delete=models.PROTECT, related_name="letters",
                                 verbose_name="журнал")
    number = models.PositiveIntegerField("порядковый номер", null=True, blank=True)
    reg_number = models.CharField("регистрационный номер", max_length=60, blank=True)
    reg_date = models.DateField("дата регистрации", null=True, blank=True)
    reply_number = models.CharField("на № (номер входящего)", max_length=60, blank=True)
    reply_date = models.DateField("от (дата входящего)", null=True, blank=True)
    addressing = models.CharField("обращение к адресатам", max_length=16, choices=Addressing.choices,
                                  default=Addressing.COLLECTIVE)
    addressee_position = models.CharField(
        "адресат в именительном падеже", max_length=300, blank=True,
        help_text="Должность и организация или группа адресатов: «Руководители органов управления образованием», "
                  "«Министр образования Кировской области». Дательный падеж поставится сам.")
    addressee_person = models.CharField("ФИО адресата", max_length=200, blank=True,
                                        help_text="Для письма одному человеку: «Иванов Иван Иванович».")
    addressee = models.TextField("адресат в письме", blank=True,
                                 help_text="Заполните, только если автоматическое склонение не подходит.")
    salutation = models.CharField("обращение", max_length=200, default="Уважаемые коллеги!")
    title = models.CharField("заголовок к тексту", max_length=300)
    body = models.TextField("текст", help_text="Абзацы разделяйте пустой строкой; **так** — полужирный.")
    attachment = models.TextField("отметка о приложении", blank=True)
    signer_position = models.CharField("должность подписывающего", max_length=200)
    signer_name = models.CharField("инициалы и фамилия подписывающего", max_length=120)
    executor_name = models.CharField("исполнитель", max_length=200, blank=True)
    executor_phone = models.CharField("телефон исполнителя", max_length=100, blank=True)
    with_qr = models.BooleanField("QR-код для проверки подлинности", default=True)
    verify_token = models.CharField("код проверки подлинности", max_length=40, unique=True, default=_verify_token,
                                    editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="автор")
    created_at = models.DateTimeField("создано", auto_now_add=True)
    updated_at = models.DateTimeField("изменено", auto_now=True)

    class Meta:
        verbose_name = "письмо"
        verbose_name_plural = "письма"
        ordering = ["-created_at", "-id"]
        constraints = [
            # Two letters can never share a number in one register, whatever races happen above.
            models.UniqueConstraint(fields=["register", "number"], name="letter_unique_number_in_register",
                                    violation_error_message="Этот номер в журнале уже занят."),
            models.CheckConstraint(
                condition=Q(status="draft", number__isnull=True, register__isnull=True, reg_date__isnull=True)
                | Q(status="registered", number__isnull=False, register__isnull=False, reg_date__isnull=False)
                & ~Q(reg_number=""),
                name="letter_registered_has_number"),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="letter_not_own_parent"),
        ]
        indexes = [models.Index(fields=["sender", "status"])]

    def __str__(self) -> str:
        if self.reg_number:
            return f"№ {self.reg_number}: {self.title}"
        return f"Черновик: {self.title}"

    @property
    def is_registered(self) -> bool:
        return self.status == self.Status.REGISTERED


class Dispatch(models.Model):
    """One send run of a letter to a list of addressees, with its progress job."""

    class Audience(models.TextChoices):
        EDUCATION_AUTHORITIES = "education_authorities", "Все органы управления образованием регионов"
        INDUSTRY_AUTHORITIES = "industry_authorities", "Все министерства промышленности и экономики регионов"
        ORGANISATIONS = "organisations", "Организации по фильтру"
        RESEND = "resend", "Повторно — тем, кто не подтвердил"

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="dispatches", verbose_name="письмо")
    audience = models.CharField("кому", max_length=24, choices=Audience.choices)
    description = models.CharField("список", max_length=300, blank=True)
    job = models.ForeignKey(Job, null=True, on_delete=models.SET_NULL, related_name="+")
    total = models.PositiveIntegerField("адресатов", default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "рассылка"
        verbose_name_plural = "рассылки"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.letter}: {self.get_audience_display()}"


class Delivery(models.Model):
    """One addressee of one letter: the e-mail sent, its fate and the acknowledgement."""

    class Status(models.TextChoices):
        QUEUED = "queued", "В очереди"
        # Recorded (committed) before the SMTP call; the outcome replaces it after.
        SENDING = "sending", "Отправляется"
        SENT = "sent", "Отправлено"
        FAILED = "failed", "Ошибка отправки"
        # The SMTP reply was lost, or the worker stopped mid-send: the coordinator decides.
        UNKNOWN = "unknown", "Не известно, ушло ли"
        NO_EMAIL = "no_email", "Нет e-mail"
        ACKNOWLEDGED = "acknowledged", "Ознакомлен"

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="deliveries", verbose_name="письмо")
    dispatch = models.ForeignKey(Dispatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries",
                                 verbose_name="последняя рассылка")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="letter_deliveries",
                                     verbose_name="адресат")
    email = models.EmailField("e-mail", blank=True)
    addressee = models.TextField("адресат в письме")
    salutation = models.CharField("обращение", max_length=200)
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.QUEUED)
    error = models.CharField("причина ошибки", max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField("попыток", default=0)
    token_hash = models.CharField(max_length=64, blank=True)
    sent_at = models.DateTimeField("отправлено", null=True, blank=True)
    acknowledged_at = models.DateTimeField("ознакомлен", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "адресат письма"
        verbose_name_plural = "адресаты писем"
        ordering = ["organisation__region__code", "organisation__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["letter", "organisation"], name="delivery_once_per_addressee",
                                    violation_error_message="Этому адресату письмо уже направлено."),
            models.UniqueConstraint(fields=["token_hash"], condition=~Q(token_hash=""),
                                    name="delivery_unique_token"),
            models.CheckConstraint(
                condition=Q(status="acknowledged", acknowledged_at__isnull=False)
                | ~Q(status="acknowledged") & Q(acknowledged_at__isnull=True),
                name="delivery_acknowledged_has_time"),
            models.CheckConstraint(condition=~Q(status="failed") | ~Q(error=""), name="delivery_failure_has_reason"),
        ]
        indexes = [models.Index(fields=["letter", "status"])]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.get_status_display()}"


class Contact(models.Model):
    """Who heads an organisation, for a personal addressee and salutation."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="head",
                                        verbose_name="организация")
    position = models.CharField("должность (в именительном падеже)", max_length=300)
    last_name = models.CharField("фамилия", max_length=80)
    first_name = models.CharField("имя", max_length=80)
    patronymic = models.CharField("отчество", max_length=80, blank=True)
    addressee_override = models.TextField("адресат вручную", blank=True,
                                          help_text="Если склонение по правилам не подходит.")
    salutation_override = models.CharField("обращение вручную", max_length=200, blank=True)

    class Meta:
        verbose_name = "руководитель организации"
        verbose_name_plural = "руководители организаций"

    def __str__(self) -> str:
        return f"{self.position} {self.last_name}"


# --- Materials library ---------------------------------------------------------------------------

class Audience(models.TextChoices):
    PRIMARY = "primary", "1–4 классы"
    MIDDLE = "middle", "5–9 классы"
    SENIOR = "senior", "10–11 классы"
    COLLEGE = "college", "Колледжи и вузы"
    PRESCHOOL = "preschool", "Детские сады"
    BUSINESS = "business", "Предприятия"
    EVERYONE = "everyone", "Все"


class Material(models.Model):
    class Kind(models.TextChoices):
        LESSON_PLAN = "lesson_plan", "План урока"
        PRESENTATION = "presentation", "Презентация"
        VIDEO = "video", "Видео"
        BANNER = "banner", "Баннер"
        GREETING = "greeting", "Поздравление"
        BRAND = "brand", "Элементы фирменного стиля"

    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="materials",
                                 verbose_name="кампания")
    kind = models.CharField("вид", max_length=16, choices=Kind.choices)
    title = models.CharField("название", max_length=200)
    description = models.TextField("описание", blank=True)
    file = models.FileField("файл", upload_to="materials/%Y/", blank=True)
    url = models.URLField("ссылка", blank=True)
    width = models.PositiveSmallIntegerField("ширина, px", null=True, blank=True)
    height = models.PositiveSmallIntegerField("высота, px", null=True, blank=True)
    downloads = models.PositiveIntegerField("скачиваний", default=0)
    is_published = models.BooleanField("опубликован", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "материал"
        verbose_name_plural = "материалы"
        ordering = ["kind", "title", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(file="") | ~Q(url=""), name="material_has_file_or_url"),
            models.CheckConstraint(condition=~Q(kind="video") | ~Q(url=""), name="material_video_is_link"),
            models.CheckConstraint(
                condition=~Q(kind="banner") | Q(width__isnull=False, height__isnull=False) & ~Q(file=""),
                name="material_banner_has_size"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def size_label(self) -> str:
        return f"{self.width}×{self.height}" if self.width and self.height else ""


class MaterialAudience(models.Model):
    material = models.ForeignKey(Material, on_delete=models.CASCADE, related_name="audiences")
    audience = models.CharField("аудитория", max_length=16, choices=Audience.choices)

    class Meta:
        verbose_name = "аудитория материала"
        verbose_name_plural = "аудитории материалов"
        constraints = [models.UniqueConstraint(fields=["material", "audience"], name="material_audience_once")]

    def __str__(self) -> str:
        return self.get_audience_display()


# --- Requests mailbox ----------------------------------------------------------------------------

class Request(models.Model):
    """A request to the feedback mailbox: materials, mock-ups or advice."""

    class Topic(models.TextChoices):
        MATERIALS = "materials", "Информационные материалы"
        MOCKUPS = "mockups", "Дизайн-макеты"
        ADVICE = "advice", "Консультация"
        OTHER = "other", "Другое"

    class Status(models.TextChoices):
        NEW = "new", "Новое"
        IN_PROGRESS = "in_progress", "В работе"
        ANSWERED = "answered", "Дан ответ"
        CLOSED = "closed", "Закрыто"

    name = models.CharField("имя", max_length=150)
    email = models.EmailField("e-mail")
    organisation_name = models.CharField("организация", max_length=300, blank=True)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.SET_NULL, verbose_name="регион")
    topic = models.CharField("тема", max_length=16, choices=Topic.choices)
    message = models.TextField("вопрос")
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.NEW)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name="ответственный")
    ip = models.GenericIPAddressField("IP-адрес", null=True, blank=True)
    created_at = models.DateTimeField("поступило", auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "обращение"
        verbose_name_plural = "обращения"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"Обращение № {self.pk}: {self.get_topic_display()}"


class RequestReply(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "В очереди"
        SENDING = "sending", "Отправляется"
        SENT = "sent", "Отправлен"
        FAILED = "failed", "Ошибка отправки"
        UNKNOWN = "unknown", "Не известно, ушёл ли"

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="replies", verbose_name="обращение")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                               verbose_name="автор")
    body = models.TextField("ответ")
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.QUEUED)
    error = models.CharField("причина ошибки", max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "ответ на обращение"
        verbose_name_plural = "ответы на обращения"
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(status="failed") | ~Q(error=""),
                                              name="reply_failure_has_reason")]

    def __str__(self) -> str:
        return f"Ответ на {self.request}"
