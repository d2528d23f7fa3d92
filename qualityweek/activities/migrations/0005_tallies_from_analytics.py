"""The tally models move from analytics to activities. Their tables keep their names
(``analytics_*``): only the migration state moves, no table is created or dropped (analytics
0002 removes them from its state)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('activities', '0004_queue_indexes'),
        ('analytics', '0001_initial'),
        ('campaigns', '0002_initial'),
        ('directory', '0003_scopes_and_job_tasks'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ActivityTally',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('activities', models.BigIntegerField(default=0, verbose_name='мероприятий')),
                        ('late', models.BigIntegerField(default=0, verbose_name='с опозданием')),
                        ('pupils_1_4', models.BigIntegerField(default=0, verbose_name='учащиеся 1–4')),
                        ('pupils_5_9', models.BigIntegerField(default=0, verbose_name='учащиеся 5–9')),
                        ('pupils_10_11', models.BigIntegerField(default=0, verbose_name='учащиеся 10–11')),
                        ('students', models.BigIntegerField(default=0, verbose_name='студенты')),
                        ('teachers', models.BigIntegerField(default=0, verbose_name='педагоги')),
                        ('parents', models.BigIntegerField(default=0, verbose_name='родители')),
                        ('employees', models.BigIntegerField(default=0, verbose_name='сотрудники')),
                        ('customers', models.BigIntegerField(default=0, verbose_name='клиенты')),
                        ('sector', models.CharField(choices=[('education', 'Образование'), ('business', 'Бизнес'), ('government', 'Органы власти'), ('other', 'Другое')], max_length=16)),
                        ('status', models.CharField(max_length=16)),
                        ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='campaigns.campaign')),
                        ('region', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='directory.region')),
                        ('type', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='activities.activitytype')),
                    ],
                    options={
                        'verbose_name': 'сводка по типам и регионам',
                        'db_table': 'analytics_activitytally',
                        'constraints': [models.UniqueConstraint(fields=('campaign', 'region', 'sector', 'type', 'status'), name='analytics_activity_tally_key')],
                    },
                ),
                migrations.CreateModel(
                    name='DayTally',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('sector', models.CharField(choices=[('education', 'Образование'), ('business', 'Бизнес'), ('government', 'Органы власти'), ('other', 'Другое')], max_length=16)),
                        ('day', models.DateField()),
                        ('status', models.CharField(max_length=16)),
                        ('activities', models.BigIntegerField(default=0, verbose_name='мероприятий')),
                        ('participants', models.BigIntegerField(default=0, verbose_name='участников')),
                        ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='campaigns.campaign')),
                        ('region', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='directory.region')),
                    ],
                    options={
                        'db_table': 'analytics_daytally',
                        'constraints': [models.UniqueConstraint(fields=('campaign', 'region', 'sector', 'day', 'status'), name='analytics_day_tally_key')],
                    },
                ),
                migrations.CreateModel(
                    name='Participation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('sector', models.CharField(choices=[('education', 'Образование'), ('business', 'Бизнес'), ('government', 'Органы власти'), ('other', 'Другое')], max_length=16)),
                        ('planned', models.BigIntegerField(default=0, verbose_name='запланировано')),
                        ('submitted', models.BigIntegerField(default=0, verbose_name='на проверке')),
                        ('approved', models.BigIntegerField(default=0, verbose_name='принято')),
                        ('returned', models.BigIntegerField(default=0, verbose_name='возвращено')),
                        ('cancelled', models.BigIntegerField(default=0, verbose_name='отменено')),
                        ('late', models.BigIntegerField(default=0, verbose_name='получено с опозданием')),
                        ('participants', models.BigIntegerField(default=0, verbose_name='участников (принято)')),
                        ('participants_submitted', models.BigIntegerField(default=0, verbose_name='участников (на проверке)')),
                        ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='campaigns.campaign')),
                        ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='participations', to='directory.organisation')),
                        ('region', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='directory.region')),
                    ],
                    options={
                        'db_table': 'analytics_participation',
                        'indexes': [models.Index(fields=['campaign', 'region', 'sector'], name='analytics_p_campaig_da7c1d_idx')],
                        'constraints': [models.UniqueConstraint(fields=('campaign', 'organisation', 'region', 'sector'), name='analytics_participation_key')],
                    },
                ),
                migrations.CreateModel(
                    name='RegionCount',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('sector', models.CharField(choices=[('education', 'Образование'), ('business', 'Бизнес'), ('government', 'Органы власти'), ('other', 'Другое')], max_length=16)),
                        ('organisations', models.BigIntegerField(default=0, verbose_name='организаций с мероприятиями')),
                        ('reported', models.BigIntegerField(default=0, verbose_name='организаций, приславших отчёт')),
                        ('approved', models.BigIntegerField(default=0, verbose_name='организаций с принятым отчётом')),
                        ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='campaigns.campaign')),
                        ('region', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='directory.region')),
                    ],
                    options={
                        'db_table': 'analytics_regioncount',
                        'constraints': [models.UniqueConstraint(fields=('campaign', 'region', 'sector'), name='analytics_region_count_key')],
                    },
                ),
                migrations.CreateModel(
                    name='RegionTally',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('activities', models.BigIntegerField(default=0, verbose_name='мероприятий')),
                        ('late', models.BigIntegerField(default=0, verbose_name='с опозданием')),
                        ('pupils_1_4', models.BigIntegerField(default=0, verbose_name='учащиеся 1–4')),
                        ('pupils_5_9', models.BigIntegerField(default=0, verbose_name='учащиеся 5–9')),
                        ('pupils_10_11', models.BigIntegerField(default=0, verbose_name='учащиеся 10–11')),
                        ('students', models.BigIntegerField(default=0, verbose_name='студенты')),
                        ('teachers', models.BigIntegerField(default=0, verbose_name='педагоги')),
                        ('parents', models.BigIntegerField(default=0, verbose_name='родители')),
                        ('employees', models.BigIntegerField(default=0, verbose_name='сотрудники')),
                        ('customers', models.BigIntegerField(default=0, verbose_name='клиенты')),
                        ('sector', models.CharField(choices=[('education', 'Образование'), ('business', 'Бизнес'), ('government', 'Органы власти'), ('other', 'Другое')], max_length=16)),
                        ('status', models.CharField(max_length=16)),
                        ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='campaigns.campaign')),
                        ('region', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='directory.region')),
                    ],
                    options={
                        'db_table': 'analytics_regiontally',
                        'constraints': [models.UniqueConstraint(fields=('campaign', 'region', 'sector', 'status'), name='analytics_region_tally_key')],
                    },
                ),
                migrations.CreateModel(
                    name='TypeTally',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('activities', models.BigIntegerField(default=0, verbose_name='мероприятий')),
                        ('late', models.BigIntegerField(default=0, verbose_name='с опозданием')),
                        ('pupils_1_4', models.BigIntegerField(default=0, verbose_name='учащиеся 1–4')),
                        ('pupils_5_9', models.BigIntegerField(default=0, verbose_name='учащиеся 5–9')),
                        ('pupils_10_11', models.BigIntegerField(default=0, verbose_name='учащиеся 10–11')),
                        ('students', models.BigIntegerField(default=0, verbose_name='студенты')),
                        ('teachers', models.BigIntegerField(default=0, verbose_name='педагоги')),
                        ('parents', models.BigIntegerField(default=0, verbose_name='родители')),
                        ('employees', models.BigIntegerField(default=0, verbose_name='сотрудники')),
                        ('customers', models.BigIntegerField(default=0, verbose_name='клиенты')),
                        ('status', models.CharField(max_length=16)),
                        ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='campaigns.campaign')),
                        ('type', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='activities.activitytype')),
                    ],
                    options={
                        'db_table': 'analytics_typetally',
                        'constraints': [models.UniqueConstraint(fields=('campaign', 'type', 'status'), name='analytics_type_tally_key')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
