"""Russian full-text index for practice search, on PostgreSQL only (SQLite searches search_text
with LIKE). The indexed expression is exactly what selectors.search_practices filters on."""

from django.db import migrations

INDEX = "showcase_practice_search_ru"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON showcase_bestpractice "
            "USING gin (to_tsvector('russian'::regconfig, COALESCE(search_text, '')))")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("showcase", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
