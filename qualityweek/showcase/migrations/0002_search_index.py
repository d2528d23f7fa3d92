"""Russian full-text search for practices on PostgreSQL: a stored tsvector column with a GIN index.
On SQLite the column stays empty and search reads search_text with LIKE."""

import django.contrib.postgres.search
from django.db import migrations

INDEX = "showcase_practice_search_ru"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON showcase_bestpractice USING gin (search_vector)")
        schema_editor.execute("UPDATE showcase_bestpractice SET search_vector = "
                              "to_tsvector('russian'::regconfig, COALESCE(search_text, ''))")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("showcase", "0001_initial")]
    operations = [
        migrations.AddField(
            model_name="bestpractice", name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(create, drop),
    ]
