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
from .permissions import PUBLIC, SYSTEM, USER

if TYPE_CHECKING:
    from django.http import HttpRequest


@dataclass(frozen=True)
class Actor:
    """Who a service acts for: a signed-in user, the system (demo, jobs, commands) or the public
    (a visitor who is not signed in). ``can`` has separate rules for each kind."""

    user: Any  # the directory's User, or None (core sits below the directory and cannot name it)
    ip: str | None = None
    kind: str = ""

    def __post_init__(self) -> None:
        if not self.kind:
            object.__setattr__(self, "kind", USER if self.user is not None else PUBLIC)
        if (self.kind == USER) != (self.user is not None):
            raise ValueError("A user actor needs a user; the system and the public have none.")

    @classmethod
    def from_request(cls, request: HttpRequest) -> Actor:
        ip = request.META.get("REMOTE_ADDR") or None
        user = request.user if request.user.is_authenticated else None
        return cls(user=user, ip=ip) if user is not None else cls.public(ip)

    @classmethod
    def system(cls) -> Actor:
        return cls(user=None, kind=SYSTEM)

    @classmethod
    def public(cls, ip: str | None) -> Actor:
        return cls(user=None, ip=ip, kind=PUBLIC)

    @property
    def is_system(self) -> bool:
        return self.kind == SYSTEM


_KIND_LABELS = {SYSTEM: "система", PUBLIC: "посетитель"}


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
    user = actor.user
    # The user model (the directory's) knows its roles; core only asks it to describe them.
    role, scope = user.describe_roles() if user is not None else (_KIND_LABELS[actor.kind], "")
    if before is not None and after is not None:
        changed = {k for k in after if before.get(k) != after.get(k)}
        before = {k: v for k, v in before.items() if k in changed}
        after = {k: v for k, v in after.items() if k in changed}
    return AuditEntry.objects.create(
        actor=user,
        actor_email=getattr(user, "email", "") if user is not None else "",
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
