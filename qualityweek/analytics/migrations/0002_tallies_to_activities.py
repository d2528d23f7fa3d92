"""The tally models now belong to the activities app (activities 0005), with the same tables: they
leave the analytics state only, no table is dropped."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('analytics', '0001_initial'),
        ('activities', '0005_tallies_from_analytics'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='ActivityTally'),
                migrations.DeleteModel(name='DayTally'),
                migrations.DeleteModel(name='Participation'),
                migrations.DeleteModel(name='RegionCount'),
                migrations.DeleteModel(name='RegionTally'),
                migrations.DeleteModel(name='TypeTally'),
            ],
            database_operations=[],
        ),
    ]
