"""The demo data set is built by steps, one per app, in dependency order. Each step module has
``build(ctx) -> dict[str, int]`` (counts to print) and may have ``wipe()`` for ``--reset``."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

STEPS = [
    "qualityweek.directory.demo",
    "qualityweek.campaigns.demo",
    "qualityweek.activities.demo",
    "qualityweek.analytics.demo",
    "qualityweek.showcase.demo",
    "qualityweek.outreach.demo",
]


@dataclass(frozen=True)
class DemoContext:
    seed: int
    organisations: int
    today: dt.date
    on_progress: Callable[[int, int, str], None]


def steps() -> list[ModuleType]:
    return [importlib.import_module(name) for name in STEPS]


def build(ctx: DemoContext) -> dict[str, int]:
    counts: dict[str, int] = {}
    for step in steps():
        counts |= step.build(ctx)
    return counts


def wipe() -> None:
    from django.db import connection

    for step in reversed(steps()):
        if hasattr(step, "wipe"):
            step.wipe()
    # Audit entries are append-only by design; a demo reset is the one sanctioned bulk delete.
    from .models import AuditEntry, Job

    Job.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEntry._meta.db_table}")
