"""Recount every aggregate from the raw activities and report any difference.

    python manage.py recount_aggregates [--year 2026] [--fix]

Exits with status 1 when a difference was found, also when ``--fix`` then rebuilt the tables (a
scheduled ``--fix`` run still alerts); a second run confirms the repair."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from qualityweek.activities import tally
from qualityweek.analytics import denominators
from qualityweek.campaigns.models import Campaign


class Command(BaseCommand):
    help = "Сверяет сводные показатели с мероприятиями; с --fix пересчитывает их заново."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--year", type=int, help="only this campaign")
        parser.add_argument("--fix", action="store_true", help="rebuild the tables from the recount")

    def handle(self, *args, year: int | None = None, fix: bool = False, **options) -> None:
        campaign = None
        if year is not None:
            campaign = Campaign.objects.filter(year=year).first()
            if campaign is None:
                raise CommandError(f"Кампании {year} года нет.")
        diffs = tally.recount(campaign)
        for diff in diffs:
            self.stdout.write(str(diff))
        if not diffs:
            self.stdout.write("Сводные показатели совпадают с пересчётом: расхождений нет.")
            return
        self.stdout.write(f"Расхождений: {len(diffs)}.")
        if fix:
            rows = tally.rebuild(campaign)
            denominators.refresh_denominators()
            left = tally.recount(campaign)
            self.stdout.write(f"Показатели пересчитаны заново ({rows} строк); расхождений после пересчёта: "
                              f"{len(left)}.")
        sys.exit(1)
