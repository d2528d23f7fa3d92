"""Enqueue (or, with --now, run) the notifications' periodic work: deadline reminders 7 days and
1 day before each region's deadline, letters left queued, and (with --digests, once a day) the
coordinators' daily digests."""

from typing import Any

from django.core.management.base import BaseCommand

from qualityweek.notifications.tasks import notifications_tick_task


class Command(BaseCommand):
    help = "Напоминания о сроках, неотправленные письма уведомлений и ежедневные сводки (запускать раз в час)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--now", action="store_true", help="выполнить сразу, без очереди задач")
        parser.add_argument("--digests", action="store_true", help="отправить ежедневные сводки (раз в сутки)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["now"]:
            result = notifications_tick_task.call(digests=options["digests"])
            self.stdout.write(" ".join(f"{k}={v}" for k, v in result.items()))
        else:
            notifications_tick_task.enqueue(digests=options["digests"])
            self.stdout.write("enqueued")
