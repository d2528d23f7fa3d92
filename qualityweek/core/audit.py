"""Who did what: the actor passed to every service, and the append-only audit entry it writes."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models.fields.files import FieldFile

from .models import AuditEntry

if TYPE_CHECKING:
    from django.http import HttpRequest

    from qualityweek.directory.models import User


@dataclass(frozen=True)
class Actor:
    user: User | None
    ip: str | None = None

    @classmethod
    def from_request(cls, request: HttpRequest) -> Actor:
        user = request.user if request.user.is_authenticated else None
        return cls(user=user, ip=request.META.get("REMOTE_ADDR") or None)

    @classmethod
    def system(cls) -> Actor:
        return cls(user=None)


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, (dt.date, dt.datetime, dt.time, decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (list, tuple, set)):
        return [_plain(item) for item in value]
    return value


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The object's concrete field values, as plain JSON (foreign keys as ids)."""
    names = fields or [
        f.attname for f in obj._meta.concrete_fields
        # Secrets never enter the log; bookkeeping timestamps would make every change look bigger.
        if f.attname not in {"password", "token_hash"}
        and not getattr(f, "auto_now", False) and not getattr(f, "auto_now_add", False)
    ]
    return {name: _plain(getattr(obj, name)) for name in names}


def record(
    *,
    actor: Actor,
    action: str,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    from qualityweek.directory.access import principal  # the directory owns roles

    user = actor.user
    role, scope = principal(user).describe() if user else ("система", "")
    if before is not None and after is not None:
        changed = {k for k in after if before.get(k) != after.get(k)}
        before = {k: v for k, v in before.items() if k in changed}
        after = {k: v for k, v in after.items() if k in changed}
    return AuditEntry.objects.create(
        actor=user,
        actor_email=user.email if user else "",
        role=role,
        scope=scope,
        action=action,
        object_type=obj._meta.label,
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        before=before,
        after=after,
        ip=actor.ip,
    )
