from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models

from qualityweek.activities.models import Activity


class BestPracticeQuerySet(models.QuerySet):
    def published(self) -> BestPracticeQuerySet:
        return self.filter(status=BestPractice.Status.PUBLISHED, activity__is_hidden=False)


class BestPractice(models.Model):
    """An approved activity put forward as a best practice; editors publish it on the public site."""

    class Status(models.TextChoices):
        NOMINATED = "nominated", "На рассмотрении редакции"
        CHANGES = "changes", "Нужны правки"
        PUBLISHED = "published", "Опубликована"
        REJECTED = "rejected", "Отклонена"

    activity = models.OneToOneField(Activity, on_delete=models.PROTECT, related_name="practice",
                                    verbose_name="мероприятие")
    title = models.CharField("заголовок", max_length=200)
    story = models.TextField("как это было")
    results = models.TextField("результаты", blank=True)
    # Case-folded title, story, results, organisation and region: the SQLite search fallback reads
    # it; on PostgreSQL search_vector holds to_tsvector('russian', search_text), GIN-indexed
    # (migration 0002), so ranking does not re-parse every matching text.
    search_text = models.TextField("текст для поиска", blank=True, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.NOMINATED)
    editor_comment = models.TextField("комментарий редакции", blank=True)
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name="кто выдвинул")
    nominated_at = models.DateTimeField("выдвинута", auto_now_add=True)
    published_at = models.DateTimeField("опубликована", null=True, blank=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BestPracticeQuerySet.as_manager()

    class Meta:
        verbose_name = "лучшая практика"
        verbose_name_plural = "лучшие практики"
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["status", "-published_at"])]

    def __str__(self) -> str:
        return self.title


class ProblemReport(models.Model):
    """Anyone can flag a problem with a published page; editors handle it."""

    class Status(models.TextChoices):
        NEW = "new", "Новое"
        RESOLVED = "resolved", "Разобрано"

    practice = models.ForeignKey(BestPractice, null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="problems", verbose_name="практика")
    activity = models.ForeignKey(Activity, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                                 verbose_name="мероприятие")
    message = models.TextField("что не так")
    contact = models.CharField("как с вами связаться", max_length=200, blank=True)
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.NEW)
    created_at = models.DateTimeField(auto_now_add=True)
    ip = models.GenericIPAddressField("IP-адрес", null=True, blank=True)

    class Meta:
        verbose_name = "сообщение о проблеме"
        verbose_name_plural = "сообщения о проблемах"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.message[:60]
