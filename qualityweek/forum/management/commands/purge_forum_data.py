"""Anonymise the registrations of forums that ended more than FORUM_PURGE_AFTER_DAYS days ago (90 by
default); the forum's periodic tick does the same every minute. Audited once per forum (decision 0029)."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from qualityweek.core.audit import Actor
from qualityweek.forum.services import purge_due, purge_personal_data


class Command(BaseCommand):
    help = "Обезличивает регистрации форумов, закончившихся больше FORUM_PURGE_AFTER_DAYS дней назад."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--days", type=int, default=settings.FORUM_PURGE_AFTER_DAYS)
        parser.add_argument("--dry-run", action="store_true", help="только показать, какие форумы подошли")

    def handle(self, *args: Any, **options: Any) -> None:
        due = list(purge_due(after_days=options["days"]).values_list("title", flat=True))
        if options["dry_run"]:
            self.stdout.write(f"Due forums: {len(due)} {due}")
            return
        purged = purge_personal_data(actor=Actor.system(), after_days=options["days"])
        self.stdout.write(f"Forums purged: {len(due)}; registrations anonymised: {purged}")
