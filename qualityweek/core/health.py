"""Liveness and readiness.

``/healthz`` (liveness) answers «ok» without touching anything: the process is up. ``/readyz``
(readiness) is what a load balancer asks before sending traffic: the database answers a query, Redis
(when ``REDIS_URL`` is set) answers a ping, and the file storage takes, gives back and deletes a small
file. A failed check is logged with its reason; the answer names only the check, never the reason.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

log = logging.getLogger(__name__)

OK, FAILED, SKIPPED = "ok", "failed", "skipped"


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return OK


def check_redis() -> str:
    if not settings.REDIS_URL:
        return SKIPPED
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    finally:
        client.close()
    return OK


def check_storage() -> str:
    payload = uuid.uuid4().hex.encode()
    name = default_storage.save(f"private/health/{uuid.uuid4().hex}.txt", ContentFile(payload))
    try:
        with default_storage.open(name, "rb") as handle:
            if handle.read() != payload:
                raise OSError("the storage gave back other bytes than it was given")
    finally:
        default_storage.delete(name)
    return OK


CHECKS: dict[str, Callable[[], str]] = {"database": check_database, "redis": check_redis, "storage": check_storage}


def readiness() -> dict[str, str]:
    """Each check's outcome: ok, failed or skipped."""
    outcome: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            outcome[name] = check()
        except Exception:  # whatever breaks, the node is not ready; the log says why
            log.exception("Readiness check %s failed", name)
            outcome[name] = FAILED
    return outcome
