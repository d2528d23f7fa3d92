import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Audit entries are append-only.")

    def delete(self):
        raise TypeError("Audit entries are append-only.")


class AuditEntry(models.Model):
    """One write made through a service: who, in which role and scope, what changed, when, from where."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name="кто",
    )
    actor_email = models.CharField("e-mail", max_length=254, blank=True)
    role = models.CharField("роль", max_length=64, blank=True)
    scope = models.CharField("область", max_length=128, blank=True)
    action = models.CharField("действие", max_length=64)
    object_type = models.CharField("тип объекта", max_length=64)
    object_id = models.CharField("id объекта", max_length=64)
    object_repr = models.CharField("объект", max_length=255)
    before = models.JSONField("до", null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField("после", null=True, blank=True, encoder=DjangoJSONEncoder)
    at = models.DateTimeField("время (UTC)", auto_now_add=True, db_index=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "запись аудита"
        verbose_name_plural = "журнал аудита"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_email or 'система'}: {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit entries are append-only.")


class Job(models.Model):
    """A background job as its owner sees it: a title, progress, and a result to download."""

    class Status(models.TextChoices):
        QUEUED = "queued", "В очереди"
        RUNNING = "running", "Выполняется"
        DONE = "done", "Готово"
        FAILED = "failed", "Ошибка"
        # The worker stopped mid-job (its lease expired without a heartbeat); not going on by itself.
        INTERRUPTED = "interrupted", "Прервано"
        CANCELLED = "cancelled", "Отменено"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="jobs"
    )
    kind = models.CharField("вид", max_length=64)
    title = models.CharField("задача", max_length=255)
    status = models.CharField("состояние", max_length=16, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=500, blank=True)
    result_file = models.CharField(max_length=255, blank=True)
    result_name = models.CharField(max_length=255, blank=True)
    task_result_id = models.CharField(max_length=64, blank=True)
    # What to enqueue (again, on retry): the task's dotted path and one argument set per chunk.
    task_path = models.CharField(max_length=200, blank=True)
    task_kwargs = models.JSONField(default=list, blank=True)
    chunks = models.PositiveIntegerField(default=1)
    chunks_done = models.PositiveIntegerField(default=0)
    attempts = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The lease: a running job's worker touches this; the reaper takes over a job whose touch is older
    # than ``JOB_LEASE_SECONDS``.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # The id of the request that started the job: its task's log lines carry it too (core/logs.py).
    request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = "фоновая задача"
        verbose_name_plural = "фоновые задачи"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "heartbeat_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED

    @property
    def is_stalled(self) -> bool:
        """Running, but its worker has not been heard of for longer than the lease."""
        if self.status != self.Status.RUNNING or self.heartbeat_at is None:
            return False
        lease = getattr(settings, "JOB_LEASE_SECONDS", 60)
        return (timezone.now() - self.heartbeat_at).total_seconds() > lease


FINISHED = frozenset({Job.Status.DONE, Job.Status.FAILED, Job.Status.INTERRUPTED, Job.Status.CANCELLED})
