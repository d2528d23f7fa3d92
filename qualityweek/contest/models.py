"""The contest «Лидер качества»: one contest per campaign year, nominations with their application
forms and criteria, applications, the jury's scores, conflicts of interest and confirmed results.

The contest's primary key is what a juror's role assignment calls ``contest_id``."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from qualityweek.campaigns.models import Campaign
from qualityweek.directory.models import Organisation, Region


class Round(models.TextChoices):
    REGIONAL = "regional", "Региональный тур"
    NATIONAL = "national", "Национальный тур"


class Contest(models.Model):
    class Phase(models.TextChoices):
        DRAFT = "draft", "Подготовка"
        OPEN = "open", "Приём заявок"
        REGIONAL_REVIEW = "regional_review", "Региональная экспертиза"
        REGIONAL_RESULTS = "regional_results", "Итоги регионального тура"
        NATIONAL_REVIEW = "national_review", "Национальная экспертиза"
        RESULTS = "results", "Итоги конкурса"

    campaign = models.OneToOneField(Campaign, on_delete=models.PROTECT, related_name="contest",
                                    verbose_name="кампания")
    title = models.CharField("название", max_length=200, default="Лидер качества")
    description = models.TextField("описание", blank=True)
    phase = models.CharField("этап", max_length=20, choices=Phase.choices, default=Phase.DRAFT)
    applications_open = models.DateField("начало приёма заявок")
    applications_close = models.DateField("окончание приёма заявок (до конца дня по времени региона)")
    regional_review_until = models.DateField("региональная экспертиза до")
    regional_results_on = models.DateField("итоги регионального тура")
    national_review_until = models.DateField("национальная экспертиза до")
    results_on = models.DateField("итоги конкурса")
    forum_link = models.URLField("награждение на форуме (ссылка)", blank=True)
    blind_review = models.BooleanField("слепая экспертиза (названия и имена скрыты от жюри)", default=False)
    min_reviews = models.PositiveSmallIntegerField("минимум оценок на заявку", default=2)
    advance_top = models.PositiveSmallIntegerField("выходят в национальный тур (из номинации и региона)", default=3)
    early_review = models.BooleanField(
        "жюри регионального тура оценивает поданные заявки, не дожидаясь конца приёма", default=False)
    jurors_see_scores = models.BooleanField("жюри видит оценки коллег до закрытия тура", default=False)
    release_comments = models.BooleanField("комментарии жюри открыты заявителям", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "конкурс"
        verbose_name_plural = "конкурсы"
        ordering = ["-campaign__year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(applications_open__lte=F("applications_close"))
                & Q(applications_close__lte=F("regional_review_until"))
                & Q(regional_review_until__lte=F("regional_results_on"))
                & Q(regional_results_on__lte=F("national_review_until"))
                & Q(national_review_until__lte=F("results_on")),
                name="contest_windows_ordered",
                violation_error_message="Сроки конкурса должны идти по порядку: приём заявок, региональная "
                                        "экспертиза, итоги тура, национальная экспертиза, итоги.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.year}"

    @property
    def year(self) -> int:
        return self.campaign.year

    def closes_at(self, region: Region) -> dt.datetime:
        """Applications close at the end of the closing day in the applicant's own region."""
        return region.end_of_day(self.applications_close)

    def review_deadline(self, round_: str) -> dt.date:
        return self.regional_review_until if round_ == Round.REGIONAL else self.national_review_until


class Nomination(models.Model):
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="nominations",
                                verbose_name="конкурс")
    title = models.CharField("название", max_length=200)
    description = models.TextField("описание", blank=True)
    sectors = models.JSONField("сферы заявителей (пусто — любые)", default=list, blank=True)
    kinds = models.JSONField("типы организаций (пусто — любые)", default=list, blank=True)
    for_person = models.BooleanField("номинируется сотрудник", default=False)
    order = models.PositiveSmallIntegerField("порядок", default=0)

    class Meta:
        verbose_name = "номинация"
        verbose_name_plural = "номинации"
        ordering = ["contest", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["contest", "title"], name="nomination_unique_title")]

    def __str__(self) -> str:
        return self.title

    def admits(self, organisation: Organisation) -> bool:
        return (not self.sectors or organisation.sector in self.sectors) and (
            not self.kinds or organisation.kind in self.kinds)


class FormField(models.Model):
    """One question of a nomination's application form."""

    class Kind(models.TextChoices):
        TEXT = "text", "Текст"
        NUMBER = "number", "Число"
        CHOICE = "choice", "Выбор из списка"
        LINK = "link", "Ссылка"
        FILE = "file", "Файл (PDF, JPEG, PNG)"

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="fields",
                                   verbose_name="номинация")
    key = models.SlugField("код", max_length=40)
    label = models.CharField("вопрос", max_length=300)
    help_text = models.CharField("подсказка", max_length=300, blank=True)
    kind = models.CharField("тип", max_length=8, choices=Kind.choices)
    required = models.BooleanField("обязательный", default=True)
    min_length = models.PositiveIntegerField("минимум символов", default=0)
    max_length = models.PositiveIntegerField("максимум символов", default=2000)
    min_value = models.IntegerField("наименьшее число", null=True, blank=True)
    max_value = models.IntegerField("наибольшее число", null=True, blank=True)
    choices = models.JSONField("варианты", default=list, blank=True)
    max_size_mb = models.PositiveSmallIntegerField("наибольший размер файла, МБ", default=10)
    order = models.PositiveSmallIntegerField("порядок", default=0)

    class Meta:
        verbose_name = "вопрос анкеты"
        verbose_name_plural = "вопросы анкеты"
        ordering = ["nomination", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["nomination", "key"], name="form_field_unique_key"),
            models.CheckConstraint(condition=Q(min_length__lte=F("max_length")), name="form_field_lengths"),
        ]

    def __str__(self) -> str:
        return self.label


class Criterion(models.Model):
    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="criteria",
                                   verbose_name="номинация")
    title = models.CharField("критерий", max_length=200)
    weight = models.PositiveSmallIntegerField("вес", default=1)
    scale_min = models.SmallIntegerField("наименьшая оценка", default=1)
    scale_max = models.SmallIntegerField("наибольшая оценка", default=10)
    order = models.PositiveSmallIntegerField("порядок", default=0)

    class Meta:
        verbose_name = "критерий"
        verbose_name_plural = "критерии"
        ordering = ["nomination", "order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(scale_min__lt=F("scale_max")), name="criterion_scale"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="criterion_weight_positive"),
        ]

    def __str__(self) -> str:
        return self.title


class Application(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Черновик"
        SUBMITTED = "submitted", "Подана"
        WITHDRAWN = "withdrawn", "Отозвана"
        REGIONAL_REVIEW = "regional_review", "На региональной экспертизе"
        ADVANCED = "advanced", "Прошла в национальный тур"
        NOT_ADVANCED = "not_advanced", "Не прошла в национальный тур"
        NATIONAL = "national", "На национальной экспертизе"
        WINNER = "winner", "Победитель"
        PRIZE = "prize", "Призёр"
        PARTICIPANT = "participant", "Участник национального тура"

    contest = models.ForeignKey(Contest, on_delete=models.PROTECT, related_name="applications",
                                verbose_name="конкурс")
    nomination = models.ForeignKey(Nomination, on_delete=models.PROTECT, related_name="applications",
                                   verbose_name="номинация")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="contest_applications",
                                     verbose_name="организация")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name="регион")
    sector = models.CharField("сфера", max_length=16)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="подал")
    title = models.CharField("название заявки", max_length=300)
    nominee_name = models.CharField("номинант (ФИО сотрудника)", max_length=200, blank=True)
    nominee_position = models.CharField("должность номинанта", max_length=200, blank=True)
    nominee_consent_at = models.DateTimeField("согласие номинанта получено", null=True, blank=True)
    answers = models.JSONField("ответы", default=dict, blank=True)
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.DRAFT)
    place = models.PositiveSmallIntegerField("место", null=True, blank=True)
    submitted_at = models.DateTimeField("подана", null=True, blank=True)
    withdrawn_at = models.DateTimeField("отозвана", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "заявка"
        verbose_name_plural = "заявки"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["nomination", "organisation", "nominee_name"], condition=~Q(status="withdrawn"),
                name="application_unique_per_nominee",
                violation_error_message="Эта организация уже подала заявку в номинации с этим номинантом.",
            ),
            models.CheckConstraint(condition=Q(nominee_name="") | Q(nominee_consent_at__isnull=False),
                                   name="application_nominee_consent",
                                   violation_error_message="Нужно согласие номинанта."),
        ]
        indexes = [models.Index(fields=["contest", "status", "region"])]

    def __str__(self) -> str:
        return self.title

    @property
    def applicant(self) -> str:
        return self.nominee_name or self.organisation.name

    @property
    def place_label(self) -> str:
        if self.status == self.Status.WINNER:
            return "Победитель"
        if self.status == self.Status.PRIZE and self.place:
            return f"{'I' * self.place} место" if self.place <= 3 else f"{self.place} место"
        return ""


class Attachment(models.Model):
    """A file answer to a file question, kept under MEDIA_ROOT/private/contest/."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    key = models.SlugField(max_length=40)
    file = models.FileField(upload_to="private/contest/%Y/")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["application", "key"], name="attachment_one_per_field")]

    def __str__(self) -> str:
        return self.name


class JurorConflict(models.Model):
    """An organisation a juror may not judge: their employer or a conflict they declared."""

    class Kind(models.TextChoices):
        EMPLOYER = "employer", "Место работы"
        DECLARED = "declared", "Заявленный конфликт интересов"

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="juror_conflicts")
    juror = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.DECLARED)
    reason = models.CharField("причина", max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "конфликт интересов члена жюри"
        verbose_name_plural = "конфликты интересов членов жюри"
        constraints = [models.UniqueConstraint(fields=["contest", "juror", "organisation"],
                                               name="juror_conflict_unique")]

    def __str__(self) -> str:
        return f"{self.juror} — {self.organisation}"


class ApplicantConflict(models.Model):
    """A juror the applicant names as conflicted; the operator confirms it (or not)."""

    class Status(models.TextChoices):
        PENDING = "pending", "На рассмотрении"
        CONFIRMED = "confirmed", "Подтверждён"
        REJECTED = "rejected", "Не подтверждён"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="named_conflicts")
    named = models.CharField("кого называет заявитель", max_length=200)
    reason = models.CharField("причина", max_length=500)
    juror = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="+", verbose_name="член жюри")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "конфликт интересов, названный заявителем"
        verbose_name_plural = "конфликты интересов, названные заявителями"
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=~Q(status="confirmed") | Q(juror__isnull=False),
                                              name="applicant_conflict_confirmed_has_juror")]

    def __str__(self) -> str:
        return self.named


class Score(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="scores")
    juror = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    round = models.CharField(max_length=10, choices=Round.choices)
    values = models.JSONField("оценки по критериям")  # {criterion id: value}
    total = models.FloatField("взвешенная оценка из 100")
    comment = models.TextField("комментарий", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "оценка"
        verbose_name_plural = "оценки"
        constraints = [
            models.UniqueConstraint(fields=["application", "juror", "round"], name="score_one_per_juror"),
            models.CheckConstraint(condition=Q(total__gte=0) & Q(total__lte=100), name="score_total_range"),
        ]

    def __str__(self) -> str:
        return f"{self.juror_id}: {self.total:.1f}"


class RoundResult(models.Model):
    """The chair's confirmed decision for one nomination in one round (and region): frozen, audited."""

    contest = models.ForeignKey(Contest, on_delete=models.PROTECT, related_name="results")
    nomination = models.ForeignKey(Nomination, on_delete=models.PROTECT, related_name="results")
    round = models.CharField(max_length=10, choices=Round.choices)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    ranking = models.JSONField(default=list)  # [{application, raw, normalised, outcome, place}]
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+")
    confirmed_at = models.DateTimeField()
    version = models.PositiveSmallIntegerField(default=1)
    reason = models.CharField("причина изменения", max_length=500, blank=True)

    class Meta:
        verbose_name = "итоги тура"
        verbose_name_plural = "итоги туров"
        constraints = [
            models.UniqueConstraint(fields=["nomination", "round", "region"], name="round_result_unique_regional",
                                    condition=Q(region__isnull=False)),
            models.UniqueConstraint(fields=["nomination", "round"], name="round_result_unique_national",
                                    condition=Q(region__isnull=True)),
            models.CheckConstraint(condition=Q(round="national", region__isnull=True)
                                   | Q(round="regional", region__isnull=False), name="round_result_scope"),
        ]

    def __str__(self) -> str:
        return f"{self.nomination} — {self.get_round_display()}"


class Reminder(models.Model):
    """A reminder e-mailed to one juror before one round's deadline (sent once)."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="+")
    juror = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    round = models.CharField(max_length=10, choices=Round.choices)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contest", "juror", "round"], name="reminder_once")]

    def __str__(self) -> str:
        return f"{self.juror_id}: {self.round}"
