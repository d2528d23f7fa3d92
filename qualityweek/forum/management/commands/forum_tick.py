"""Enqueue (or, with --now, run) the forum's periodic work: expire lapsed offers, send reminders,
anonymise the registrations of forums long over (FORUM_PURGE_AFTER_DAYS)."""

from typing import Any

from django.core.management.base import BaseCommand

from qualityweek.forum.tasks import forum_tick_task


class Command(BaseCommand):
    help = "Истечение предложений мест из листа ожидания и напоминания участникам форума (запускать раз в минуту)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--now", action="store_true", help="выполнить сразу, без очереди задач")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["now"]:
            result = forum_tick_task.call()
            self.stdout.write(f"expired={result['expired']} reminded={result['reminded']} purged={result['purged']}")
        else:
            forum_tick_task.enqueue()
            self.stdout.write("enqueued")
