from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q, prefetch_related_objects

from qualityweek.core.text import date_ru
from qualityweek.directory.models import Region


class Campaign(models.Model):
    """One year's Quality Week. Dates default from the calendar rule; the operator may override them."""

    class Phase(models.TextChoices):
        DRAFT = "draft", "Подготовка"
        ANNOUNCED = "announced", "Объявлена"
        RUNNING = "running", "Идёт Неделя качества"
        REPORTING = "reporting", "Сбор отчётов"
        CLOSED = "closed", "Завершена"

    year = models.PositiveSmallIntegerField("год", unique=True)
    motto = models.CharField("девиз", max_length=200, blank=True)
    week_start = models.DateField("начало Недели качества")
    week_end = models.DateField("конец Недели качества")
    quality_day = models.DateField("День качества")
    report_deadline = models.DateField("срок отчётов")
    phase = models.CharField("этап", max_length=16, choices=Phase.choices, default=Phase.DRAFT)
    submissions_closed = models.BooleanField("приём отчётов закрыт", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "кампания"
        verbose_name_plural = "кампании"
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(condition=Q(week_start__lte=F("week_end")), name="campaign_week_ordered",
                                   violation_error_message="Неделя качества не может закончиться раньше, "
                                                           "чем началась."),
            models.CheckConstraint(condition=Q(report_deadline__gte=F("week_start")),
                                   name="campaign_deadline_after_start",
                                   violation_error_message="Срок отчётов не может быть раньше начала недели."),
        ]

    def __str__(self) -> str:
        return f"Неделя качества {self.year}"

    @property
    def is_announced(self) -> bool:
        """A draft is the national operator's secret; from the announcement on, the campaign is public."""
        return self.phase != self.Phase.DRAFT

    def clean(self) -> None:
        if self.week_start and self.week_end and self.quality_day and not (
            self.week_start <= self.quality_day <= self.week_end
        ):
            raise ValidationError({"quality_day": "День качества должен приходиться на Неделю качества."})

    def window_for(self, region: Region) -> RegionalWindow | None:
        # Windows are few: load them once per campaign object (refresh_from_db forgets them).
        if "windows" not in getattr(self, "_prefetched_objects_cache", {}):
            prefetch_related_objects([self], "windows")
        return next((w for w in self.windows.all() if w.region_id == region.pk), None)

    def dates_for(self, region: Region | None) -> tuple[dt.date, dt.date]:
        window = self.window_for(region) if region else None
        return (
            (window.starts_on if window and window.starts_on else self.week_start),
            (window.ends_on if window and window.ends_on else self.week_end),
        )

    def deadline_for(self, region: Region) -> dt.date:
        window = self.window_for(region)
        return window.deadline if window and window.deadline else self.report_deadline

    def deadline_at(self, region: Region) -> dt.datetime:
        """Reports are due by the end of the deadline day in the region's own time zone."""
        return region.end_of_day(self.deadline_for(region))


class RegionalWindow(models.Model):
    """A region's own activity window and/or deadline extension for one campaign."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="windows",
                                 verbose_name="кампания")
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+", verbose_name="регион")
    starts_on = models.DateField("начало мероприятий в регионе", null=True, blank=True)
    ends_on = models.DateField("конец мероприятий в регионе", null=True, blank=True)
    deadline = models.DateField("продлённый срок отчётов", null=True, blank=True)
    reason = models.CharField("основание", max_length=300, blank=True)

    class Meta:
        verbose_name = "региональные сроки"
        verbose_name_plural = "региональные сроки"
        constraints = [models.UniqueConstraint(fields=["campaign", "region"], name="one_window_per_region",
                                               violation_error_message="Для этого региона сроки уже заданы.")]

    def __str__(self) -> str:
        return f"{self.region.short_name}: {self.campaign.year}"

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.starts_on > self.ends_on:
            raise ValidationError({"ends_on": "Окончание раньше начала."})
        if self.deadline and self.campaign_id and self.deadline < self.campaign.report_deadline:
            raise ValidationError({"deadline": "Продлить можно только на более поздний срок, "
                                               f"чем {date_ru(self.campaign.report_deadline)}"})
