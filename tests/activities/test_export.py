"""Export of a filtered activity list to XLSX and CSV: scoped, filtered, formula-safe."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from qualityweek.activities.exports import HEADERS, neutralise
from qualityweek.activities.models import Activity
from qualityweek.core.models import Job

DANGEROUS = ["=HYPERLINK(\"http://evil.example\",\"жми\")", "+79991234567", "-1+2", "@SUM(A1:A9)", "\tTab", "\rCR"]


def export(client, capture, fmt: str, **filters) -> tuple[Job, bytes]:
    with capture(execute=True):
        response = client.post(reverse("activity_export"), {"format": fmt, **filters})
    job = Job.objects.latest("created_at")
    assert response["Location"] == reverse("job_detail", args=[job.pk])
    assert job.status == Job.Status.DONE, job.message
    download = client.get(reverse("job_download", args=[job.pk]))
    return job, b"".join(download.streaming_content)


@pytest.fixture
def activities(world, make_activity):
    made = [make_activity(status="submitted"), make_activity(status="approved"), make_activity()]
    # Titles as a school could type them: each would run as a formula if written raw.
    Activity.objects.filter(pk=made[0].pk).update(title=DANGEROUS[0])
    for title in DANGEROUS[1:]:
        a = make_activity(status="submitted")
        Activity.objects.filter(pk=a.pk).update(title=title)
    Activity.objects.filter(pk=made[0].pk).update(description="=1+1", links=["https://a.example/1"])
    make_activity(world.kirov_company, type_code="open_day", status="submitted", employees=10)
    return made


def test_csv_export_neutralises_formulas_and_is_scoped(client, world, activities, django_capture_on_commit_callbacks):
    client.force_login(world.kirov_edu)
    job, content = export(client, django_capture_on_commit_callbacks, "csv")
    assert content.startswith(b"\xef\xbb\xbf")  # Excel opens UTF-8 with a BOM correctly
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == HEADERS
    titles = {r[HEADERS.index("Название мероприятия")] for r in rows[1:]}
    for title in DANGEROUS:
        assert "'" + title in titles, title
    assert not any(t.startswith(("=", "+", "-", "@", "\t", "\r")) for t in titles)
    assert "'=1+1" in {r[HEADERS.index("Описание")] for r in rows[1:]}
    # Only the coordinator's region and sector: the Kirov company is business.
    assert len(rows) - 1 == Activity.objects.filter(sector="education").count() == 8
    assert job.result_name.endswith(".csv")


def test_xlsx_export_writes_strings_not_formulas(client, world, activities, django_capture_on_commit_callbacks):
    client.force_login(world.operator)
    _, content = export(client, django_capture_on_commit_callbacks, "xlsx")
    with io.BytesIO(content) as f:
        import zipfile

        sheet_xml = zipfile.ZipFile(f).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml  # not a single formula cell
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert rows[0] == HEADERS
    titles = {r[HEADERS.index("Название мероприятия")] for r in rows[1:]}
    assert set(DANGEROUS) <= titles  # kept verbatim, as text
    assert len(rows) - 1 == Activity.objects.count() == 9
    first = rows[1]
    assert first[HEADERS.index("Дата начала")] == Activity.objects.first().starts_on  # a real date cell


def test_export_follows_the_list_filters(client, world, activities, django_capture_on_commit_callbacks):
    client.force_login(world.kirov_edu)
    _, content = export(client, django_capture_on_commit_callbacks, "csv", status="approved")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert [r[HEADERS.index("Статус")] for r in rows[1:]] == ["Отчёт принят"]
    _, content = export(client, django_capture_on_commit_callbacks, "xlsx", type="open_day")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert len(rows) == 1  # the open day belongs to the business sector, invisible here


def test_export_page_keeps_the_query_string(client, world, activities):
    client.force_login(world.kirov_edu)
    page = client.get(reverse("activity_export") + "?status=submitted&municipality=Киров&bogus=1")
    body = page.content.decode()
    assert page.status_code == 200
    assert 'name="status" value="submitted"' in body
    assert 'name="municipality" value="Киров"' in body
    assert 'name="bogus"' not in body
    assert "Будет выгружено: 6 мероприятий" in body


def test_school_exports_only_its_own(client, world, activities, django_capture_on_commit_callbacks):
    client.force_login(world.company_rep)
    _, content = export(client, django_capture_on_commit_callbacks, "csv")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert [r[HEADERS.index("Организация")] for r in rows[1:]] == [world.kirov_company.name]


def test_unknown_format_falls_back_to_xlsx(client, world, activities, django_capture_on_commit_callbacks):
    client.force_login(world.kirov_edu)
    job, content = export(client, django_capture_on_commit_callbacks, "exe")
    assert job.result_name.endswith(".xlsx")
    assert content.startswith(b"PK")


@pytest.mark.parametrize(("value", "safe"), [
    ("=1+1", "'=1+1"), ("+7", "'+7"), ("-x", "'-x"), ("@a", "'@a"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("Урок", "Урок"), ("", ""), ("a=b", "a=b"),
])
def test_neutralise(value, safe):
    assert neutralise(value) == safe


def test_exported_file_can_be_imported_again(client, world, activities, campaign, django_capture_on_commit_callbacks):
    """The export uses the template's headers, so a region can correct it and load it back."""
    from qualityweek.activities.imports import headers, workbook

    client.force_login(world.kirov_edu)
    _, content = export(client, django_capture_on_commit_callbacks, "xlsx")
    sheet = workbook.read_xlsx(content)
    hmap = headers.match_headers(sheet.rows)
    assert {"inn", "organisation", "type", "title", "starts_on", "ends_on", "links"} <= set(hmap.index)
    assert hmap.unknown == []
