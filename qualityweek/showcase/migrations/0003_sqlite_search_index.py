"""Russian search on SQLite: an FTS5 table of the practices' lemmas (decision 0032). PostgreSQL
keeps its stored tsvector (migration 0002); there this migration does nothing."""

from django.db import migrations

TABLE = "showcase_practice_fts"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    from qualityweek.showcase.search import lemma_text

    schema_editor.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5(lemmas)")
    practice = apps.get_model("showcase", "BestPractice")
    rows = [(pk, lemma_text(text)) for pk, text in practice.objects.values_list("pk", "search_text")]
    with schema_editor.connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {TABLE} (rowid, lemmas) VALUES (%s, %s)", rows)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")


class Migration(migrations.Migration):
    dependencies = [("showcase", "0002_search_index")]
    operations = [migrations.RunPython(create, drop)]
