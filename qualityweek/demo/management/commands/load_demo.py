"""Load the deterministic demo data set; every app contributes a step (see qualityweek/demo)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from qualityweek.core.demo import DemoContext
from qualityweek.demo import steps as demo
from qualityweek.directory.models import Organisation, User

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
        ctx = DemoContext(seed=seed, organisations=FULL_SCALE if full else organisations,
                               today=timezone.localdate(), on_progress=self.progress)
        started = time.monotonic()
        with transaction.atomic():
            if reset:
                demo.wipe()
            counts = demo.build(ctx)
        self.stdout.write("")
        summary = ", ".join(f"{name} {count}" for name, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Готово за {time.monotonic() - started:.1f} с: {summary}."))

    def progress(self, done: int, total: int, label: str) -> None:
        self.stdout.write(f"\r{label}: {done}/{total}", ending="")
        self.stdout.flush()
