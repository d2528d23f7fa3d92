"""In-app notifications, each with the fate of its e-mail, and each person's mail preferences."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from qualityweek.core.text import date_ru

from .kinds import CHOICES


class Notification(models.Model):
    """One event told to one person. ``key`` names the event, so telling it twice changes nothing."""

    class Email(models.TextChoices):
        NONE = "none", "Без письма"          # no address, or the causing service mails it itself
        OFF = "off", "Письма отключены"      # the person switched this kind off
        QUEUED = "queued", "В очереди"
        DIGEST = "digest", "В ежедневной сводке"
        # Recorded (committed) before the SMTP call; the outcome replaces it after (decision 0015).
        SENDING = "sending", "Отправляется"
        SENT = "sent", "Отправлено"
        FAILED = "failed", "Ошибка отправки"
        UNKNOWN = "unknown", "Не известно, ушло ли"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications",
                             verbose_name="получатель")
    kind = models.CharField("вид", max_length=32, choices=CHOICES)
    key = models.CharField(max_length=200)
    title = models.CharField("заголовок", max_length=300)
    body = models.TextField("текст", blank=True)
    url = models.CharField("ссылка", max_length=300, blank=True)
    created_at = models.DateTimeField("создано", auto_now_add=True)
    read_at = models.DateTimeField("прочитано", null=True, blank=True)
    email = models.CharField("письмо", max_length=16, choices=Email.choices, default=Email.NONE)
    email_error = models.CharField("причина ошибки", max_length=500, blank=True)
    emailed_at = models.DateTimeField("письмо отправлено", null=True, blank=True)
    digest = models.ForeignKey("Digest", null=True, blank=True, on_delete=models.SET_NULL, related_name="items")

    class Meta:
        verbose_name = "уведомление"
        verbose_name_plural = "уведомления"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="notification_once_per_event"),
            models.CheckConstraint(condition=~Q(email="failed") | ~Q(email_error=""),
                                   name="notification_failure_has_reason"),
        ]
        indexes = [models.Index(fields=["user", "read_at"]), models.Index(fields=["email"])]

    def __str__(self) -> str:
        return self.title


class Preference(models.Model):
    """What a person receives by e-mail. No row: every kind, one letter per event."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    email_off = models.JSONField("без писем", default=list, blank=True)  # kind codes
    daily_digest = models.BooleanField("ежедневная сводка вместо отдельных писем", default=False)

    class Meta:
        verbose_name = "настройки уведомлений"
        verbose_name_plural = "настройки уведомлений"

    def __str__(self) -> str:
        return f"Настройки уведомлений: {self.user_id}"


class Digest(models.Model):
    """One daily summary letter of one person: claimed before it is sent, so it goes out once."""

    class Status(models.TextChoices):
        SENDING = "sending", "Отправляется"
        SENT = "sent", "Отправлено"
        FAILED = "failed", "Ошибка отправки"
        UNKNOWN = "unknown", "Не известно, ушло ли"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField("день")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SENDING)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "ежедневная сводка"
        verbose_name_plural = "ежедневные сводки"
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="digest_once_a_day")]

    def __str__(self) -> str:
        return f"Сводка {date_ru(self.day)}"
