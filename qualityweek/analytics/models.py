"""The coverage denominators, the figures of past campaigns the operator enters by hand and the
reminders sent to organisations. The incremental tallies of the activities live in the activities
app (``qualityweek.activities.tally``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from qualityweek.campaigns.models import Campaign
from qualityweek.directory.models import Organisation, Region, Sector


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
    """A reminder e-mail sent to an organisation that has not reported. Recorded «sending» before the
    SMTP call and given its outcome after, so a rerun of its job mails only organisations never tried."""

    class Status(models.TextChoices):
        SENDING = "sending", "Отправляется"
        SENT = "sent", "Отправлено"
        FAILED = "failed", "Ошибка отправки"
        UNKNOWN = "unknown", "Не известно, ушло ли"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.JSONField(default=list)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SENT)
    error = models.CharField(max_length=500, blank=True)
    job_id = models.CharField(max_length=36, blank=True, db_index=True)

    class Meta:
        ordering = ["-sent_at"]
        indexes = [models.Index(fields=["campaign", "organisation", "sent_at"])]

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"
