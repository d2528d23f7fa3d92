from django.core.management.base import BaseCommand

from qualityweek.showcase import services


class Command(BaseCommand):
    help = ("Rebuild the Russian search index of best practices (PostgreSQL: the stored tsvector; "
            "SQLite: the FTS5 table of lemmas).")

    def handle(self, *args, **options) -> None:
        count = services.rebuild_search_index()
        self.stdout.write(f"Search index rebuilt: {count} practices.")
