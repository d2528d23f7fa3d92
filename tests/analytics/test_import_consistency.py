"""The real spreadsheet import keeps the aggregates equal to a recount: ``imports.run_import`` calls
``tally.activities_created`` after each bulk insert (without it the recount finds every imported
activity missing from the tallies and this test fails)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qualityweek.activities import tally
from qualityweek.activities.models import Activity, ImportBatch
from tests.activities.files import HEADERS, row, xlsx

pytestmark = pytest.mark.django_db


def test_import_then_review_keeps_aggregates_equal_to_a_recount(client, world, campaign, make_activity,
                                                                 django_capture_on_commit_callbacks):
    make_activity(status="approved")
    rows = [HEADERS] + [row(inn=world.kirov_school.inn, type="Урок качества", title=f"Урок качества, {i + 5} класс",
                            starts_on=campaign.quality_day, pupils_5_9=20 + i, teachers=1,
                            links="https://school1.example.ru/news/1", description="Провели урок.")
                        for i in range(5)]
    client.force_login(world.kirov_edu)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("activity_import"), {"file": SimpleUploadedFile("отчёт.xlsx", xlsx(rows))})
    batch = ImportBatch.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("activity_import_confirm", args=[batch.pk]))
    assert Activity.objects.filter(source=Activity.Source.IMPORT).count() == 5
    assert tally.recount() == []
    ids = list(Activity.objects.filter(source=Activity.Source.IMPORT).values_list("pk", flat=True))
    client.post(reverse("activity_review"), {"ids": [str(i) for i in ids[:3]]})
    assert Activity.objects.filter(pk__in=ids, status=Activity.Status.APPROVED).count() == 3
    assert tally.recount() == []
