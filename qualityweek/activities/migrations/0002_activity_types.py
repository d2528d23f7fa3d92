from django.db import migrations


def forwards(apps, schema_editor):
    from qualityweek.activities.catalogue import load_types

    load_types(apps.get_model("activities", "ActivityType"))


class Migration(migrations.Migration):
    dependencies = [("activities", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
