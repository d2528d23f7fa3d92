"""Delete players and answers of games finished long ago (QUIZ_GAME_RETENTION_DAYS, 365 by default);
the games' titles, dates and player counts stay."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from qualityweek.core.audit import Actor
from qualityweek.quizzes.services import purge_old_games


class Command(BaseCommand):
    help = "Purge players and answers of old finished quiz games (the counts stay)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=getattr(settings, "QUIZ_GAME_RETENTION_DAYS", 365))

    def handle(self, *args: Any, **options: Any) -> None:
        purged = purge_old_games(actor=Actor.system(), older_than_days=options["days"])
        self.stdout.write(f"Purged games: {purged}")
