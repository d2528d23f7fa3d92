"""``db_worker`` with the job reaper beside its loop: one process per worker, nothing left behind.

The reaper is a daemon thread of the worker process, so a ``kill -9`` of the worker takes it along
(no orphan), and with N workers N reapers run (each takes over a job under its row lock, once)."""

from __future__ import annotations

import threading
from typing import Any

from django.conf import settings
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from qualityweek.core.jobs import reap_expired_jobs, reaper_loop


class Command(DbWorkerCommand):
    help = "Run a database background worker and reap jobs whose lease expired (JOB_REAP_SECONDS)."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.WORKER_METRICS_PORT:
            from prometheus_client import start_http_server

            start_http_server(settings.WORKER_METRICS_PORT, addr=settings.WORKER_METRICS_ADDR)
        reap_expired_jobs()  # what a previous, killed worker left behind
        stop = threading.Event()
        reaper = threading.Thread(target=reaper_loop, args=(stop, float(settings.JOB_REAP_SECONDS)),
                                  name="job-reaper", daemon=True)
        reaper.start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
