"""Load the deterministic demo data set: directory, people and campaigns (later apps add theirs)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from qualityweek.campaigns import demo as campaigns_demo
from qualityweek.campaigns.models import Campaign
from qualityweek.core.models import AuditEntry, Job
from qualityweek.directory import demo as directory_demo
from qualityweek.directory.models import Invitation, Organisation, User

FULL_SCALE = 100_000


class Command(BaseCommand):
    help = "Создаёт демонстрационные данные (детерминированно, по --seed)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--organisations", type=int, default=3000,
                            help="сколько организаций создать (кроме органов власти)")
        parser.add_argument("--full", action="store_true", help=f"полный масштаб: {FULL_SCALE} организаций")
        parser.add_argument("--reset", action="store_true", help="удалить прежние данные перед загрузкой")
        parser.add_argument("--if-empty", action="store_true", help="ничего не делать, если данные уже есть")

    def handle(self, *args, seed: int, organisations: int, full: bool, reset: bool, if_empty: bool, **_):
        has_data = Organisation.objects.exists() or User.objects.exists()
        if has_data and if_empty:
            self.stdout.write("Демо-данные уже загружены.")
            return
        if has_data and not reset:
            raise CommandError("В базе уже есть данные. Запустите с --reset, чтобы заменить их демо-данными.")
        count = FULL_SCALE if full else organisations
        started = time.monotonic()
        with transaction.atomic():
            if reset:
                wipe()
            result = directory_demo.build(seed=seed, organisations=count, on_progress=self.progress)
            result["campaigns"] = campaigns_demo.build(today=timezone.localdate())
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(
            f"Готово за {time.monotonic() - started:.1f} с: организаций {result['organisations']}, "
            f"пользователей {result['users']}, кампаний {result['campaigns']}."))

    def progress(self, done: int, total: int, label: str) -> None:
        self.stdout.write(f"\r{label}: {done}/{total}", ending="")
        self.stdout.flush()


def wipe() -> None:
    # Audit entries are append-only by design; a demo reset is the one sanctioned bulk delete.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEntry._meta.db_table}")
    for model in (Job, Invitation, Campaign):
        model.objects.all().delete()
    User.objects.all().delete()
    Organisation.objects.all().delete()
