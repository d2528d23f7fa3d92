"""The demo data set: the composition root that runs every app's demo step in layer order.

It sits above every app (like ``urls.py``), so it may import them all. Each step module has
``build(ctx) -> dict[str, int]`` (counts to print) and may have ``wipe()`` for ``--reset``."""

from __future__ import annotations

from types import ModuleType

from django.db import connection

from qualityweek.activities import demo as activities_demo
from qualityweek.analytics import demo as analytics_demo
from qualityweek.campaigns import demo as campaigns_demo
from qualityweek.certificates import demo as certificates_demo
from qualityweek.contest import demo as contest_demo
from qualityweek.core import public_cache
from qualityweek.core.demo import DemoContext
from qualityweek.core.models import AuditEntry, Job
from qualityweek.directory import demo as directory_demo
from qualityweek.forum import demo as forum_demo
from qualityweek.notifications import demo as notifications_demo
from qualityweek.outreach import demo as outreach_demo
from qualityweek.quizzes import demo as quizzes_demo
from qualityweek.showcase import demo as showcase_demo

# Certificates come late: they are issued from what the other steps created; notifications last, told
# of what everything before made.
STEPS: list[ModuleType] = [directory_demo, campaigns_demo, activities_demo, analytics_demo, showcase_demo,
                           outreach_demo, quizzes_demo, forum_demo, contest_demo, certificates_demo,
                           notifications_demo]

__all__ = ["STEPS", "DemoContext", "build", "wipe"]


def build(ctx: DemoContext) -> dict[str, int]:
    counts: dict[str, int] = {}
    for step in STEPS:
        counts |= step.build(ctx)
    public_cache.bump_on_commit(*public_cache.SECTIONS)  # bulk inserts: the public pages start afresh
    return counts


def wipe() -> None:
    for step in reversed(STEPS):
        if hasattr(step, "wipe"):
            step.wipe()
    # Audit entries are append-only by design; a demo reset is the one sanctioned bulk delete.
    Job.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEntry._meta.db_table}")  # noqa: S608 - the model's own table name
