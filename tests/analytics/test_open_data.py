"""Open data files parse back with the documented schema; the API and its OpenAPI schema agree."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import jsonschema
import pytest
from django.urls import reverse
from openapi_spec_validator import validate
from python_calamine import CalamineWorkbook

from qualityweek.activities.models import CATEGORY_FIELDS
from qualityweek.analytics import opendata

pytestmark = pytest.mark.django_db
DOC = Path(__file__).resolve().parents[2] / "docs" / "open-data.md"
TYPES = {"integer": int, "string": str}


@pytest.fixture
def published(world, make_activity, campaign):
    make_activity(status="approved", pupils_5_9=75, teachers=2)
    make_activity(status="submitted", pupils_1_4=20)  # not official yet: not in open data
    make_activity(world.kirov_company, status="approved", customers=40)
    make_activity(world.moscow_school, status="approved", pupils_10_11=500)
    return campaign


def _check_rows(rows: list[dict]) -> None:
    for row in rows:
        assert list(row) == opendata.COLUMNS
        for name, kind, _ in opendata.FIELDS:
            assert isinstance(row[name], TYPES[kind]), (name, row[name])


def _expected(rows: list[dict]) -> None:
    assert len(rows) == 3 * len(CATEGORY_FIELDS)  # 3 region × sector × type groups, 8 categories each
    by = {(r["region_code"], r["activity_type"], r["category"]): r for r in rows}
    assert by[("43", "quality_lesson", "pupils_5_9")]["participants"] == 75
    assert by[("43", "quality_lesson", "teachers")]["participants"] == 2
    assert by[("43", "quality_lesson", "pupils_1_4")]["participants"] == 0  # the submitted one is not counted
    assert by[("43", "open_day", "customers")]["activities_in_group"] == 1
    assert by[("77", "quality_lesson", "pupils_10_11")]["region_iso"] == "RU-MOW"
    assert sum(r["participants"] for r in rows) == 75 + 2 + 40 + 500


def _download(client, campaign, fmt: str) -> bytes:
    response = client.get(reverse("analytics_open_data", args=[campaign.year, fmt]))
    assert response.status_code == 200
    assert f"aggregates.{fmt}" in response["Content-Disposition"]
    return response.content


def test_csv_parses_back(client, published):
    text = _download(client, published, "csv").decode("utf-8")
    raw = list(csv.DictReader(io.StringIO(text)))
    kinds = {n: k for n, k, _ in opendata.FIELDS}
    rows = [{k: int(v) if kinds[k] == "integer" else v for k, v in r.items()} for r in raw]
    _check_rows(rows)
    _expected(rows)


def test_json_parses_back(client, published):
    doc = json.loads(_download(client, published, "json"))
    assert doc["schema"] == opendata.SCHEMA_ID
    assert doc["campaign"] == published.year
    assert [f["name"] for f in doc["fields"]] == opendata.COLUMNS
    _check_rows(doc["rows"])
    _expected(doc["rows"])


def test_xlsx_parses_back(client, published):
    book = CalamineWorkbook.from_filelike(io.BytesIO(_download(client, published, "xlsx")))
    data = book.get_sheet_by_name("data").to_python()
    assert data[0] == opendata.COLUMNS
    kinds = {n: k for n, k, _ in opendata.FIELDS}
    rows = [{c: int(v) if kinds[c] == "integer" else str(v) for c, v in zip(data[0], line, strict=True)}
            for line in data[1:]]
    _check_rows(rows)
    _expected(rows)
    schema = book.get_sheet_by_name("schema").to_python()
    assert [r[0] for r in schema[1:len(opendata.FIELDS) + 1]] == opendata.COLUMNS


def test_the_documented_schema_is_the_code_schema():
    text = DOC.read_text("utf-8")
    assert opendata.SCHEMA_ID in text
    documented = re.findall(r"^\| `(\w+)` \| (\w+) \|", text, flags=re.M)
    assert documented == [(n, k) for n, k, _ in opendata.FIELDS]


def test_unknown_format_or_year_is_404(client, published):
    assert client.get(f"/open-data/{published.year}/aggregates.exe").status_code == 404
    assert client.get("/open-data/1999/aggregates.csv").status_code == 404
    # A year that is not four digits is not "the current campaign" either.
    assert client.get("/open-data/99999/aggregates.csv").status_code == 404
    assert client.get("/open-data/0/aggregates.xlsx").status_code == 404


def test_files_follow_changes(client, world, published, make_activity, django_capture_on_commit_callbacks):
    before = json.loads(_download(client, published, "json"))
    with django_capture_on_commit_callbacks(execute=True):
        make_activity(world.moscow_school, status="approved", pupils_10_11=1)
    after = json.loads(_download(client, published, "json"))
    assert sum(r["participants"] for r in after["rows"]) == sum(r["participants"] for r in before["rows"]) + 1


def test_openapi_schema_is_valid_and_responses_match_it(client, published):
    spec = client.get(reverse("api_openapi")).json()
    validate(spec)
    components = spec["components"]["schemas"]

    def check(path: str, url: str, status: int = 200) -> dict:
        response = client.get(url)
        assert response.status_code == status
        op = spec["paths"][path]["get"]
        schema = op["responses"][str(status)]["content"]["application/json"]["schema"]
        resolver_schema = {**schema, "components": {"schemas": components}}
        jsonschema.validate(response.json(), resolver_schema)
        return response.json()

    campaigns = check("/campaigns/", reverse("api_campaigns"))
    this = next(c for c in campaigns["campaigns"] if c["year"] == published.year)
    assert this["totals"] == {"activities": 3, "participants": 617, "organisations": 3, "regions": 2}
    regions = check("/regions/", reverse("api_regions"))
    assert len(regions["regions"]) == 89
    aggregates = check("/campaigns/{year}/aggregates/", reverse("api_aggregates", args=[published.year]) + "?region=43")
    assert {r["activity_type"] for r in aggregates["rows"]} == {"quality_lesson", "open_day"}
    assert all(r["region_code"] == "43" for r in aggregates["rows"])
    check("/campaigns/{year}/aggregates/", reverse("api_aggregates", args=[1999]), status=404)
    check("/campaigns/{year}/aggregates/", reverse("api_aggregates", args=[published.year]) + "?region=00", status=404)


def test_no_personal_data_in_open_data(client, world, published):
    blob = _download(client, published, "json").decode() + json.dumps(client.get(reverse("api_campaigns")).json())
    for secret in (world.kirov_school.name, world.kirov_school.email, world.school_rep.email, world.kirov_school.inn):
        assert secret not in blob


def test_excel_csv_is_the_csv_for_russian_excel(client, published):
    response = client.get(reverse("analytics_open_data_excel", args=[published.year]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "aggregates-excel.csv" in response["Content-Disposition"]
    data = response.content
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads the Cyrillic names right
    lines = data[3:].decode("utf-8").split("\r\n")
    assert lines[0] == ";".join(opendata.COLUMNS)
    assert "," not in lines[0]
    raw = list(csv.DictReader(io.StringIO(data[3:].decode("utf-8"), newline=""), delimiter=";"))
    kinds = {n: k for n, k, _ in opendata.FIELDS}
    rows = [{k: int(v) if kinds[k] == "integer" else v for k, v in r.items()} for r in raw]
    _check_rows(rows)
    _expected(rows)
    # The same rows as the plain CSV, only the separator, BOM and line ends differ.
    plain = list(csv.DictReader(io.StringIO(_download(client, published, "csv").decode("utf-8"))))
    assert raw == plain
    assert client.get("/open-data/1999/aggregates-excel.csv").status_code == 404


def test_excel_csv_writes_decimals_with_a_comma():
    data = opendata.excel_csv([{"region": "Кировская область", "share": 12.5, "count": 3}],
                              ["region", "share", "count"])
    assert data == "\ufeffregion;share;count\r\nКировская область;12,5;3\r\n".encode()


def test_the_figures_page_offers_the_excel_csv_next_to_the_csv(client, published):
    html = client.get(reverse("analytics_figures")).content.decode()
    csv_link = reverse("analytics_open_data", args=[published.year, "csv"])
    excel_link = reverse("analytics_open_data_excel", args=[published.year])
    assert csv_link in html
    assert excel_link in html
    assert "CSV для Excel" in html
    assert html.index(excel_link) - html.index(csv_link) < 300
