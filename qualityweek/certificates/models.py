"""Certificates: what was issued to whom, for what, under which number, and whether it still holds.

A certificate is a record, not a file: its PDF and its public verification page are both rendered
from this row. What the holder's source said at issue time (name, reason, place, e-mail, scope) is
copied here, so a later change in the source neither alters an issued certificate nor hides it —
issuing again notices the change, revokes the old certificate and issues a new number.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from qualityweek.directory.models import Organisation, Region, Sector

from .kinds import Kind, format_number


def new_public_id() -> str:
    """96 random bits, URL-safe (16 characters): the id printed in the QR code."""
    return secrets.token_urlsafe(12)


class NumberRegister(models.Model):
    """The register of human numbers of one kind of certificate for one year («СУ-2026-00017»)."""

    kind = models.CharField("вид", max_length=32, choices=Kind.choices)
    year = models.PositiveSmallIntegerField("год")
    next_number = models.PositiveIntegerField("следующий номер", default=1)

    class Meta:
        verbose_name = "журнал номеров"
        verbose_name_plural = "журналы номеров"
        constraints = [
            models.UniqueConstraint(fields=["kind", "year"], name="cert_register_one_per_kind_year"),
            models.CheckConstraint(condition=Q(next_number__gte=1), name="cert_register_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.year}"


class CertificateQuerySet(models.QuerySet):
    def valid(self) -> CertificateQuerySet:
        return self.filter(status=Certificate.Status.VALID)


class Certificate(models.Model):
    Kind = Kind

    class Status(models.TextChoices):
        VALID = "valid", "Действителен"
        REVOKED = "revoked", "Отозван"

    class Mail(models.TextChoices):
        NONE = "", "Не отправлялся"
        SENDING = "sending", "Отправляется"
        SENT = "sent", "Отправлен"
        FAILED = "failed", "Не доставлен"
        UNKNOWN = "unknown", "Неизвестно"

    public_id = models.CharField("код проверки", max_length=32, unique=True, default=new_public_id, editable=False)
    kind = models.CharField("вид", max_length=32, choices=Kind.choices)
    year = models.PositiveSmallIntegerField("год номера")
    number = models.PositiveIntegerField("порядковый номер")
    number_text = models.CharField("номер", max_length=32)

    # Where it came from: the source, its subject (a campaign, a forum, a contest, a game) and the holder.
    source = models.CharField("источник", max_length=64)
    subject_id = models.PositiveBigIntegerField("предмет")
    subject_label = models.CharField("за что (кампания, форум, конкурс, игра)", max_length=300)
    holder_key = models.CharField("ключ получателя", max_length=100)
    holder_name = models.CharField("получатель", max_length=300)
    holder_printed = models.CharField("получатель (как напечатан)", max_length=300)
    holder_is_person = models.BooleanField(default=False)
    holder_email = models.EmailField("e-mail", blank=True)
    reason = models.CharField("за что", max_length=500)
    place = models.CharField("место", max_length=100, blank=True)

    # Scope: who may see and manage it.
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name="регион")
    sector = models.CharField("сфера", max_length=16, choices=Sector.choices, blank=True)
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="certificates", verbose_name="организация")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="certificates", verbose_name="пользователь-получатель")

    # As printed: the campaign's identity and the signatory at issue time.
    campaign_line = models.CharField(max_length=300)
    motto = models.CharField(max_length=200, blank=True)
    issuer = models.CharField("выдал", max_length=200)
    signer_position = models.CharField(max_length=200)
    signer_name = models.CharField(max_length=100)

    issued_at = models.DateTimeField("выдан")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.VALID)
    revoked_at = models.DateTimeField("отозван", null=True, blank=True)
    revoke_reason = models.CharField("причина отзыва", max_length=500, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    replaced_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replaces",
                                    verbose_name="заменён")

    # E-mail to the holder, exactly once: «sending» is committed before the SMTP call, the outcome after.
    mail_status = models.CharField("отправка", max_length=16, choices=Mail.choices, default=Mail.NONE, blank=True)
    mail_at = models.DateTimeField(null=True, blank=True)
    mail_error = models.CharField(max_length=500, blank=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = "сертификат"
        verbose_name_plural = "сертификаты"
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "year", "number"], name="cert_number_unique"),
            models.UniqueConstraint(fields=["source", "subject_id", "holder_key"], condition=Q(status="valid"),
                                    name="cert_one_valid_per_holder",
                                    violation_error_message="У этого получателя уже есть действующий сертификат."),
            models.CheckConstraint(condition=Q(status="valid", revoked_at__isnull=True)
                                   | Q(status="revoked", revoked_at__isnull=False),
                                   name="cert_revoked_has_date"),
        ]
        indexes = [
            models.Index(fields=["source", "subject_id", "status"], name="cert_source_subject"),
            models.Index(fields=["region", "sector"], name="cert_scope"),
        ]

    def __str__(self) -> str:
        return f"№ {self.number_text} — {self.holder_name}"

    @property
    def is_valid(self) -> bool:
        return self.status == self.Status.VALID

    def formatted_number(self) -> str:
        return format_number(self.kind, self.year, self.number)
