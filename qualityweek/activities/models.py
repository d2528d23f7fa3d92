from __future__ import annotations

import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q

from qualityweek.campaigns.models import Campaign
from qualityweek.directory.access import principal
from qualityweek.directory.models import Organisation, Region, Sector


class Category(models.TextChoices):
    """Participant categories the letters ask regions to count."""

    PUPILS_1_4 = "pupils_1_4", "Учащиеся 1–4 классов"
    PUPILS_5_9 = "pupils_5_9", "Учащиеся 5–9 классов"
    PUPILS_10_11 = "pupils_10_11", "Учащиеся 10–11 классов"
    STUDENTS = "students", "Студенты колледжей"
    TEACHERS = "teachers", "Педагоги"
    PARENTS = "parents", "Родители"
    EMPLOYEES = "employees", "Сотрудники"
    CUSTOMERS = "customers", "Клиенты и посетители"


CATEGORY_FIELDS = [c.value for c in Category]


class ActivityType(models.Model):
    """A row of the activity catalogue (data the operator edits, not a code enum)."""

    code = models.SlugField("код", max_length=48, unique=True)
    name = models.CharField("название", max_length=160, unique=True)
    sectors = models.JSONField("для каких сфер", default=list,
                               help_text="Коды сфер: education, business, government, other.")
    categories = models.JSONField("категории участников", default=list)
    order = models.PositiveSmallIntegerField("порядок", default=100)
    is_active = models.BooleanField("используется", default=True)

    class Meta:
        verbose_name = "тип мероприятия"
        verbose_name_plural = "типы мероприятий"
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    def allows(self, sector: str) -> bool:
        return sector in self.sectors


class ActivityQuerySet(models.QuerySet):
    def visible_to(self, user) -> ActivityQuerySet:
        return self.filter(principal(user).scope_filter())


class Activity(models.Model):
    """One activity from plan to report."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Запланировано"
        SUBMITTED = "submitted", "Отчёт на проверке"
        APPROVED = "approved", "Отчёт принят"
        RETURNED = "returned", "Возвращено на доработку"
        CANCELLED = "cancelled", "Отменено"

    class Format(models.TextChoices):
        IN_PERSON = "in_person", "Очно"
        ONLINE = "online", "Онлайн"
        HYBRID = "hybrid", "Гибридно"

    class Source(models.TextChoices):
        WEB = "web", "Сайт"
        IMPORT = "import", "Импорт таблицы"
        DEMO = "demo", "Демо-данные"

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="activities",
                                 verbose_name="кампания")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="activities",
                                     verbose_name="организация")
    # Copied from the organisation when the activity is created: scoping and aggregates read them
    # without a join, and a report stays with the region it was made in.
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="регион")
    sector = models.CharField("сфера", max_length=16, choices=Sector.choices)
    type = models.ForeignKey(ActivityType, on_delete=models.PROTECT, related_name="activities",
                             verbose_name="тип")
    title = models.CharField("название", max_length=300)
    starts_on = models.DateField("начало")
    ends_on = models.DateField("окончание")
    format = models.CharField("формат", max_length=16, choices=Format.choices, default=Format.IN_PERSON)
    audience = models.CharField("аудитория", max_length=300, blank=True)
    venue = models.CharField("место проведения", max_length=300, blank=True)
    expected_participants = models.PositiveIntegerField("ожидается участников", null=True, blank=True)
    is_public = models.BooleanField("показывать в афише", default=False)
    # Report
    description = models.TextField("описание", blank=True)
    links = models.JSONField("ссылки на публикации", default=list, blank=True)
    consent_on_file = models.BooleanField("согласия на публикацию фото получены", default=False)
    propose_best_practice = models.BooleanField("предложить как лучшую практику", default=False)
    pupils_1_4 = models.PositiveIntegerField(Category.PUPILS_1_4.label, default=0)
    pupils_5_9 = models.PositiveIntegerField(Category.PUPILS_5_9.label, default=0)
    pupils_10_11 = models.PositiveIntegerField(Category.PUPILS_10_11.label, default=0)
    students = models.PositiveIntegerField(Category.STUDENTS.label, default=0)
    teachers = models.PositiveIntegerField(Category.TEACHERS.label, default=0)
    parents = models.PositiveIntegerField(Category.PARENTS.label, default=0)
    employees = models.PositiveIntegerField(Category.EMPLOYEES.label, default=0)
    customers = models.PositiveIntegerField(Category.CUSTOMERS.label, default=0)
    # Workflow
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.PLANNED)
    submitted_at = models.DateTimeField("отправлено", null=True, blank=True)
    is_late = models.BooleanField("с опозданием", default=False)
    reviewed_at = models.DateTimeField("проверено", null=True, blank=True)
    review_comment = models.TextField("комментарий координатора", blank=True)
    is_hidden = models.BooleanField("скрыто из афиши координатором", default=False)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.WEB)
    client_token = models.UUIDField(null=True, blank=True, editable=False)
    import_key = models.CharField(max_length=64, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField("создано", auto_now_add=True)
    updated_at = models.DateTimeField("изменено", auto_now=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = "мероприятие"
        verbose_name_plural = "мероприятия"
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(starts_on__lte=models.F("ends_on")), name="activity_dates_ordered",
                                   violation_error_message="Окончание не может быть раньше начала."),
            # A retried form post carries the same token: one activity, not two.
            models.UniqueConstraint(fields=["organisation", "client_token"], condition=Q(client_token__isnull=False),
                                    name="activity_unique_client_token"),
            # Re-importing the same spreadsheet row finds the activity it created before.
            models.UniqueConstraint(fields=["campaign", "import_key"], condition=~Q(import_key=""),
                                    name="activity_unique_import_key"),
        ]
        indexes = [
            # Lists and the review queue filter by scope and status and show the newest reports first:
            # these two serve a page with an index scan instead of sorting every matching row.
            models.Index(fields=["campaign", "region", "sector", "status", "submitted_at", "id"],
                         name="activity_scope_queue"),
            models.Index(fields=["campaign", "status", "submitted_at", "id"], name="activity_national_queue"),
            models.Index(fields=["organisation", "campaign"]),
            models.Index(fields=["campaign", "starts_on", "id"], condition=Q(is_public=True, is_hidden=False),
                         name="activity_public_listing"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def participants(self) -> int:
        return sum(getattr(self, f) for f in CATEGORY_FIELDS)

    def counts(self) -> dict[str, int]:
        return {f: getattr(self, f) for f in CATEGORY_FIELDS}


class ActivityEvent(models.Model):
    """The history an organisation sees: every transition with its comment."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    from_status = models.CharField(max_length=16, choices=Activity.Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Activity.Status.choices)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.activity_id}: {self.from_status} → {self.to_status}"


def photo_path(instance: Photo, filename: str) -> str:
    return f"private/photos/{instance.activity.campaign.year}/{uuid.uuid4().hex}.jpg"


class Photo(models.Model):
    """Evidence photo. Uploaded files are re-encoded by a job (EXIF stripped); only the re-encoded
    image and its thumbnail are kept, under random names, served only to those who may see them."""

    class Status(models.TextChoices):
        PROCESSING = "processing", "Обрабатывается"
        READY = "ready", "Готово"
        REJECTED = "rejected", "Отклонено"

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="photos")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROCESSING)
    upload = models.CharField(max_length=255, blank=True)  # quarantined original, deleted after processing
    image = models.CharField(max_length=255, blank=True)
    thumbnail = models.CharField(max_length=255, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"Фото {self.pk} к «{self.activity}»"


class RegionalReport(models.Model):
    """The report a region submits to the operator by 15 December, per sector."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Черновик"
        SUBMITTED = "submitted", "Отправлен оператору"
        ACCEPTED = "accepted", "Принят"
        RETURNED = "returned", "Возвращён"

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="regional_reports")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    sector = models.CharField(max_length=16, choices=Sector.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    totals = models.JSONField(default=dict, encoder=DjangoJSONEncoder, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    is_late = models.BooleanField(default=False)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        verbose_name = "региональный отчёт"
        verbose_name_plural = "региональные отчёты"
        constraints = [models.UniqueConstraint(fields=["campaign", "region", "sector"],
                                               name="one_regional_report")]

    def __str__(self) -> str:
        return f"{self.region.short_name}, {self.get_sector_display().lower()}: {self.campaign.year}"


class ImportBatch(models.Model):
    """One uploaded spreadsheet: validated into a preview first, imported only when confirmed."""

    class Status(models.TextChoices):
        VALIDATING = "validating", "Проверяется"
        PREVIEW = "preview", "Проверено, ждёт подтверждения"
        IMPORTING = "importing", "Импортируется"
        DONE = "done", "Импортировано"
        FAILED = "failed", "Ошибка"
        CANCELLED = "cancelled", "Отменено"

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    sector = models.CharField(max_length=16, choices=Sector.choices, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    file = models.CharField(max_length=255)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.VALIDATING)
    rows_total = models.PositiveIntegerField(default=0)
    rows_valid = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # [{"row": 5, "column": "Дата", "message": "…"}]
    imported = models.PositiveIntegerField(default=0)
    already_present = models.PositiveIntegerField(default=0)
    job = models.ForeignKey("core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "импорт таблицы"
        verbose_name_plural = "импорт таблиц"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name


# --- the incremental aggregates (written by ``tally.py``) -----------------------------------------------
# Derived data: every row can be recomputed from the activities (``manage.py recount_aggregates``).
# Counters are signed so that a write that bypassed the tally shows up as a difference in the recount
# instead of breaking a later user's request. The tables keep the names they were created with.

def _counter(label: str) -> models.BigIntegerField:
    return models.BigIntegerField(label, default=0)


class CategorySums(models.Model):
    """Activities, late ones, and participants by category."""

    activities = _counter("мероприятий")
    late = _counter("с опозданием")
    pupils_1_4 = _counter("учащиеся 1–4")
    pupils_5_9 = _counter("учащиеся 5–9")
    pupils_10_11 = _counter("учащиеся 10–11")
    students = _counter("студенты")
    teachers = _counter("педагоги")
    parents = _counter("родители")
    employees = _counter("сотрудники")
    customers = _counter("клиенты")

    class Meta:
        abstract = True

    @property
    def participants(self) -> int:
        return sum(getattr(self, f) for f in CATEGORY_FIELDS)


class ActivityTally(CategorySums):
    """campaign × region × sector × activity type × status: the finest aggregate (open data, drill-down)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    sector = models.CharField(max_length=16, choices=Sector.choices)
    type = models.ForeignKey(ActivityType, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16)

    class Meta:
        db_table = "analytics_activitytally"
        verbose_name = "сводка по типам и регионам"
        constraints = [models.UniqueConstraint(fields=["campaign", "region", "sector", "type", "status"],
                                               name="analytics_activity_tally_key")]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class RegionTally(CategorySums):
    """campaign × region × sector × status: what the national dashboard reads per region."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    sector = models.CharField(max_length=16, choices=Sector.choices)
    status = models.CharField(max_length=16)

    class Meta:
        db_table = "analytics_regiontally"
        constraints = [models.UniqueConstraint(fields=["campaign", "region", "sector", "status"],
                                               name="analytics_region_tally_key")]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class TypeTally(CategorySums):
    """campaign × activity type × status: the national distribution by type and the year-over-year."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    type = models.ForeignKey(ActivityType, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16)

    class Meta:
        db_table = "analytics_typetally"
        constraints = [models.UniqueConstraint(fields=["campaign", "type", "status"],
                                               name="analytics_type_tally_key")]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class DayTally(models.Model):
    """campaign × region × sector × start day × status: the timeline across Quality Week."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    sector = models.CharField(max_length=16, choices=Sector.choices)
    day = models.DateField()
    status = models.CharField(max_length=16)
    activities = _counter("мероприятий")
    participants = _counter("участников")

    class Meta:
        db_table = "analytics_daytally"
        constraints = [models.UniqueConstraint(fields=["campaign", "region", "sector", "day", "status"],
                                               name="analytics_day_tally_key")]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class Participation(models.Model):
    """campaign × organisation: how many of its activities are in each state."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    sector = models.CharField(max_length=16, choices=Sector.choices)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="participations")
    planned = _counter("запланировано")
    submitted = _counter("на проверке")
    approved = _counter("принято")
    returned = _counter("возвращено")
    cancelled = _counter("отменено")
    late = _counter("получено с опозданием")  # late among submitted + approved
    participants = _counter("участников (принято)")
    participants_submitted = _counter("участников (на проверке)")

    class Meta:
        db_table = "analytics_participation"
        constraints = [models.UniqueConstraint(fields=["campaign", "organisation", "region", "sector"],
                                               name="analytics_participation_key")]
        indexes = [models.Index(fields=["campaign", "region", "sector"], name="analytics_p_campaig_da7c1d_idx")]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class RegionCount(models.Model):
    """campaign × region × sector: organisations taking part, kept in step with Participation."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    sector = models.CharField(max_length=16, choices=Sector.choices)
    organisations = _counter("организаций с мероприятиями")  # any activity not cancelled
    reported = _counter("организаций, приславших отчёт")  # submitted or approved
    approved = _counter("организаций с принятым отчётом")

    class Meta:
        db_table = "analytics_regioncount"
        constraints = [models.UniqueConstraint(fields=["campaign", "region", "sector"],
                                               name="analytics_region_count_key")]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"
