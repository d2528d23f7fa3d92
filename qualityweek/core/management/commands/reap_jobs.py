"""Take over jobs whose lease expired once (``run_worker`` does this every JOB_REAP_SECONDS)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from qualityweek.core.jobs import reap_expired_jobs


class Command(BaseCommand):
    help = "Requeue idempotent jobs whose worker stopped; mark the others interrupted."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = reap_expired_jobs()
        self.stdout.write(f"requeued: {counts['requeued']}, interrupted: {counts['interrupted']}")
