"""Aggregates of the activities, kept incrementally (see ``tally.py``), plus the figures of past
campaigns the operator enters by hand and the reminders sent to organisations.

The tally tables are derived data: every row can be recomputed from the activities
(``manage.py recount_aggregates``). Counters are signed so that a write that bypassed the tally
shows up as a difference in the recount instead of breaking a later user's request.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from qualityweek.activities.models import CATEGORY_FIELDS, ActivityType
from qualityweek.campaigns.models import Campaign
from qualityweek.directory.models import Organisation, Region, Sector


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
        constraints = [models.UniqueConstraint(fields=["campaign", "organisation", "region", "sector"],
                                               name="analytics_participation_key")]
        indexes = [models.Index(fields=["campaign", "region", "sector"])]

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
        constraints = [models.UniqueConstraint(fields=["campaign", "region", "sector"],
                                               name="analytics_region_count_key")]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class Denominator(models.Model):
    """Registered active organisations per region and sector (the coverage denominator): a
    materialised view of the directory, refreshed when older than ANALYTICS_DIRECTORY_TTL."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    sector = models.CharField(max_length=16, choices=Sector.choices)
    organisations = models.PositiveIntegerField(default=0)
    with_size = models.PositiveIntegerField(default=0)
    size_total = models.BigIntegerField(default=0)
    refreshed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["region", "sector"], name="analytics_denominator_key")]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class HistoricalTotal(models.Model):
    """A past campaign's totals as the operator entered them (years before the platform, or to
    correct the record). The year-over-year comparison shows them beside the platform's figures."""

    year = models.PositiveSmallIntegerField("год", unique=True)
    activities = models.PositiveIntegerField("мероприятий", null=True, blank=True)
    organisations = models.PositiveIntegerField("организаций-участников", null=True, blank=True)
    regions = models.PositiveSmallIntegerField("регионов-участников", null=True, blank=True)
    participants = models.PositiveBigIntegerField("участников всего", null=True, blank=True)
    pupils_in_lesson = models.PositiveBigIntegerField("школьников на уроке качества", null=True, blank=True)
    source = models.CharField("источник", max_length=300, blank=True,
                              help_text="Например: итоговое письмо оператора № 2174-РСК.")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = "итоги прошлого года"
        verbose_name_plural = "итоги прошлых лет"
        ordering = ["year"]

    def __str__(self) -> str:
        return f"Итоги {self.year}"


class Reminder(models.Model):
    """A reminder e-mail sent to an organisation that has not reported."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.JSONField(default=list)

    class Meta:
        ordering = ["-sent_at"]
        indexes = [models.Index(fields=["campaign", "organisation", "sent_at"])]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"
