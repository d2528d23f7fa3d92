from django.db import migrations


def forwards(apps, schema_editor):
    from qualityweek.directory.reference import load_regions

    load_regions(apps.get_model("directory", "FederalDistrict"), apps.get_model("directory", "Region"))


def backwards(apps, schema_editor):
    apps.get_model("directory", "Region").objects.all().delete()
    apps.get_model("directory", "FederalDistrict").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
