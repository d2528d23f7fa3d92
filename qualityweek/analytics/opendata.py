"""Open data: the official (approved) figures per region × sector × activity type × participant
category, as CSV, XLSX and JSON with one documented, stable schema (docs/open-data.md), and the
read-only JSON API with its OpenAPI 3 description. No personal data: counts only."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import xlsxwriter
from django.core.cache import cache
from django.db.models import Sum
from django.utils import timezone

from qualityweek.activities import tally
from qualityweek.activities.models import (
    CATEGORY_FIELDS,
    Activity,
    ActivityTally,
    ActivityType,
    Category,
    RegionCount,
    TypeTally,
)
from qualityweek.campaigns.models import Campaign
from qualityweek.core import public_cache
from qualityweek.directory.models import Region

SCHEMA_ID = "qualityweek-open-data/aggregates/v1"
# (name, JSON type, description) — the order of the columns in every format. Never reorder or
# rename: add new columns at the end and bump the schema version.
FIELDS: list[tuple[str, str, str]] = [
    ("year", "integer", "Campaign year"),
    ("region_code", "string", "Two-digit code of the federal subject (01–95)"),
    ("region_iso", "string", "ISO 3166-2 code of the region, e.g. RU-KIR"),
    ("region_name", "string", "Official name of the region"),
    ("federal_district", "string", "Short name of the federal district"),
    ("sector", "string", "education | business | government | other"),
    ("activity_type", "string", "Code of the activity type in the catalogue"),
    ("activity_type_name", "string", "Name of the activity type"),
    ("category", "string", "Participant category code: " + ", ".join(CATEGORY_FIELDS)),
    ("category_name", "string", "Participant category name"),
    ("participants", "integer", "Participants of the category in approved reports"),
    ("activities_in_group", "integer",
     "Approved activities of this region, sector and type; the same on every category row of the group — "
     "do not sum it across categories"),
]
COLUMNS = [f[0] for f in FIELDS]
COUNT_COLUMNS = [i for i, (name, kind, _) in enumerate(FIELDS) if kind == "integer" and name != "year"]
S = Activity.Status


def rows_for(campaign: Campaign) -> list[dict[str, Any]]:
    regions = {r.pk: r for r in Region.objects.select_related("district")}
    types = {t.pk: t for t in ActivityType.objects.all()}
    groups: Any = (ActivityTally.objects.filter(campaign=campaign, status=S.APPROVED, activities__gt=0).order_by()
              .values("region_id", "sector", "type_id")
              .annotate(activities_sum=Sum("activities"), **{f"{f}_sum": Sum(f) for f in CATEGORY_FIELDS}))
    out: list[dict[str, Any]] = []
    for g in sorted(groups, key=lambda g: (regions[g["region_id"]].code, g["sector"], types[g["type_id"]].code)):
        region, kind = regions[g["region_id"]], types[g["type_id"]]
        for f in CATEGORY_FIELDS:
            out.append({
                "year": campaign.year, "region_code": region.code, "region_iso": region.iso_code,
                "region_name": region.name, "federal_district": region.district.short_name, "sector": g["sector"],
                "activity_type": kind.code, "activity_type_name": kind.name, "category": f,
                "category_name": str(Category(f).label), "participants": int(g[f"{f}_sum"]),
                "activities_in_group": int(g["activities_sum"]),
            })
    return out


def _cached(campaign: Campaign, fmt: str, build) -> bytes:
    key = f"analytics:opendata:{campaign.pk}:{public_cache.figures_generation(campaign.pk)}:{fmt}"
    data = cache.get(key)
    if data is None:
        data = build()
        cache.set(key, data, timeout=3600)
    return data


def as_csv(campaign: Campaign) -> bytes:
    # Machine data: numbers as plain digits, never grouped («327723», not «327 723»), so scripts and
    # spreadsheets compute with them (docs/open-data.md; pages and XLSX show them grouped).
    def build() -> bytes:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows_for(campaign))
        return buf.getvalue().encode("utf-8")

    return _cached(campaign, "csv", build)


def _excel_cell(value: Any) -> Any:
    """Numbers with decimals as Russian Excel reads them (3,5); everything else unchanged."""
    if isinstance(value, float):
        return format(value, "g").replace(".", ",")
    return value


def excel_csv(rows: list[dict[str, Any]], columns: list[str]) -> bytes:
    """CSV that Russian Excel opens by double click: UTF-8 with a BOM (else Cyrillic turns to mojibake),
    ``;`` between cells (the comma is the decimal separator there), CRLF line ends, decimal commas."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_excel_cell(row[c]) for c in columns])
    return "\ufeff".encode() + buf.getvalue().encode("utf-8")


def as_excel_csv(campaign: Campaign) -> bytes:
    """The same rows and columns as :func:`as_csv`, offered «для Excel» beside it."""
    return _cached(campaign, "excel.csv", lambda: excel_csv(rows_for(campaign), COLUMNS))


def as_json(campaign: Campaign) -> bytes:
    def build() -> bytes:
        doc = {"schema": SCHEMA_ID, "campaign": campaign.year, "generated_at": timezone.now().isoformat(),
               "fields": [{"name": n, "type": t, "description": d} for n, t, d in FIELDS],
               "rows": rows_for(campaign)}
        return json.dumps(doc, ensure_ascii=False).encode("utf-8")

    return _cached(campaign, "json", build)


def as_xlsx(campaign: Campaign) -> bytes:
    def build() -> bytes:
        buf = io.BytesIO()
        book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
        sheet = book.add_worksheet("data")
        bold = book.add_format({"bold": True})
        # The counts stay numbers shown with thousands grouped (the reader's own separator); the year is not
        # a count and keeps its plain digits.
        count = book.add_format({"num_format": "#,##0"})
        sheet.write_row(0, 0, COLUMNS, bold)
        for i, row in enumerate(rows_for(campaign), start=1):
            sheet.write_row(i, 0, [row[c] for c in COLUMNS])
            for c in COUNT_COLUMNS:
                sheet.write_number(i, c, row[COLUMNS[c]], count)
        schema = book.add_worksheet("schema")
        schema.write_row(0, 0, ["name", "type", "description"], bold)
        for i, f in enumerate(FIELDS, start=1):
            schema.write_row(i, 0, list(f))
        schema.write(len(FIELDS) + 2, 0, SCHEMA_ID)
        book.close()
        return buf.getvalue()

    return _cached(campaign, "xlsx", build)


FORMATS = {"csv": (as_csv, "text/csv; charset=utf-8"),
           "json": (as_json, "application/json"),
           "xlsx": (as_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}


# --- JSON API ------------------------------------------------------------------------------------------------

def public_campaigns() -> list[Campaign]:
    return list(Campaign.objects.exclude(phase=Campaign.Phase.DRAFT).order_by("year"))


def campaign_totals(campaign_ids: list[int]) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = {c: {"activities": 0, "participants": 0, "organisations": 0, "regions": 0}
                                      for c in campaign_ids}
    everyone = Sum(tally.sum_of(CATEGORY_FIELDS))
    for row in (TypeTally.objects.filter(campaign_id__in=campaign_ids, status=S.APPROVED).order_by()
                .values("campaign_id").annotate(a=Sum("activities"), p=everyone)):
        out[row["campaign_id"]].update(activities=int(row["a"] or 0), participants=int(row["p"] or 0))
    regions: dict[int, set[int]] = {}
    for rc in RegionCount.objects.filter(campaign_id__in=campaign_ids, approved__gt=0).values("campaign_id",
                                                                                              "region_id", "approved"):
        out[rc["campaign_id"]]["organisations"] += rc["approved"]
        regions.setdefault(rc["campaign_id"], set()).add(rc["region_id"])
    for cid, ids in regions.items():
        out[cid]["regions"] = len(ids)
    return out


def campaign_doc(c: Campaign, totals: dict[str, int]) -> dict[str, Any]:
    return {"year": c.year, "motto": c.motto, "week_start": c.week_start.isoformat(),
            "week_end": c.week_end.isoformat(), "quality_day": c.quality_day.isoformat(),
            "report_deadline": c.report_deadline.isoformat(), "phase": c.phase, "totals": totals}


def regions_doc() -> list[dict[str, Any]]:
    return [{"code": r.code, "iso_code": r.iso_code, "name": r.name, "short_name": r.short_name,
             "federal_district": r.district.short_name, "timezone": r.timezone, "tile_x": r.tile_x,
             "tile_y": r.tile_y} for r in Region.objects.select_related("district").order_by("code")]


def aggregates_doc(campaign: Campaign, region: Region | None, kind: ActivityType | None) -> dict[str, Any]:
    qs = ActivityTally.objects.filter(campaign=campaign, status=S.APPROVED, activities__gt=0)
    if region is not None:
        qs = qs.filter(region=region)
    if kind is not None:
        qs = qs.filter(type=kind)
    rows: Any = (qs.order_by().values("region__code", "sector", "type__code")
            .annotate(activities_sum=Sum("activities"), **{f"{f}_sum": Sum(f) for f in CATEGORY_FIELDS}))
    items = []
    for r in sorted(rows, key=lambda r: (r["region__code"], r["sector"], r["type__code"])):
        categories = {f: int(r[f"{f}_sum"]) for f in CATEGORY_FIELDS}
        items.append({"region_code": r["region__code"], "sector": r["sector"], "activity_type": r["type__code"],
                      "activities": int(r["activities_sum"]), "participants": sum(categories.values()),
                      "categories": categories})
    return {"year": campaign.year, "status": "approved", "rows": items}


def _schema_ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def openapi() -> dict[str, Any]:
    """The OpenAPI 3.1 description of /api/v1/ (validated in the tests; responses are checked against it)."""
    counts = {"type": "integer", "minimum": 0}
    error = {"description": "Not found", "content": {"application/json": {"schema": _schema_ref("Error")}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Неделя качества — открытые данные", "version": "1.0.0",
                 "description": "Read-only figures of Russia's World Quality Week: official (approved) "
                                "aggregates only, no personal data. Later versions add endpoints, never "
                                "change these."},
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/campaigns/": {"get": {
                "operationId": "listCampaigns", "summary": "Campaigns with their official totals",
                "responses": {"200": {"description": "Campaigns, oldest first", "content": {"application/json": {
                    "schema": {"type": "object", "required": ["campaigns"], "additionalProperties": False,
                               "properties": {"campaigns": {"type": "array",
                                                            "items": _schema_ref("Campaign")}}}}}}}}},
            "/regions/": {"get": {
                "operationId": "listRegions", "summary": "The 89 regions with their tile-map cells",
                "responses": {"200": {"description": "Regions by code", "content": {"application/json": {
                    "schema": {"type": "object", "required": ["regions"], "additionalProperties": False,
                               "properties": {"regions": {"type": "array", "items": _schema_ref("Region")}}}}}}}}},
            "/campaigns/{year}/aggregates/": {"get": {
                "operationId": "getAggregates",
                "summary": "Approved figures per region × sector × activity type",
                "parameters": [
                    {"name": "year", "in": "path", "required": True, "schema": {"type": "integer"}},
                    {"name": "region", "in": "query", "required": False,
                     "schema": {"type": "string", "pattern": "^[0-9]{2}$"}, "description": "Region code"},
                    {"name": "type", "in": "query", "required": False, "schema": {"type": "string"},
                     "description": "Activity type code"},
                ],
                "responses": {"200": {"description": "Aggregates", "content": {"application/json": {
                    "schema": _schema_ref("Aggregates")}}}, "404": error}}},
        },
        "components": {"schemas": {
            "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}},
            "Totals": {"type": "object", "additionalProperties": False,
                       "required": ["activities", "participants", "organisations", "regions"],
                       "properties": {"activities": counts, "participants": counts, "organisations": counts,
                                      "regions": counts}},
            "Campaign": {"type": "object", "additionalProperties": False,
                         "required": ["year", "motto", "week_start", "week_end", "quality_day", "report_deadline",
                                      "phase", "totals"],
                         "properties": {
                             "year": {"type": "integer"}, "motto": {"type": "string"},
                             "week_start": {"type": "string", "format": "date"},
                             "week_end": {"type": "string", "format": "date"},
                             "quality_day": {"type": "string", "format": "date"},
                             "report_deadline": {"type": "string", "format": "date"},
                             "phase": {"type": "string", "enum": [p.value for p in Campaign.Phase]},
                             "totals": _schema_ref("Totals")}},
            "Region": {"type": "object", "additionalProperties": False,
                       "required": ["code", "iso_code", "name", "short_name", "federal_district", "timezone",
                                    "tile_x", "tile_y"],
                       "properties": {"code": {"type": "string", "pattern": "^[0-9]{2}$"},
                                      "iso_code": {"type": "string"}, "name": {"type": "string"},
                                      "short_name": {"type": "string"}, "federal_district": {"type": "string"},
                                      "timezone": {"type": "string"}, "tile_x": counts, "tile_y": counts}},
            "Aggregate": {"type": "object", "additionalProperties": False,
                          "required": ["region_code", "sector", "activity_type", "activities", "participants",
                                       "categories"],
                          "properties": {
                              "region_code": {"type": "string"}, "sector": {"type": "string"},
                              "activity_type": {"type": "string"}, "activities": counts, "participants": counts,
                              "categories": {"type": "object", "additionalProperties": False,
                                             "required": list(CATEGORY_FIELDS),
                                             "properties": dict.fromkeys(CATEGORY_FIELDS, counts)}}},
            "Aggregates": {"type": "object", "additionalProperties": False, "required": ["year", "status", "rows"],
                           "properties": {"year": {"type": "integer"}, "status": {"const": "approved"},
                                          "rows": {"type": "array", "items": _schema_ref("Aggregate")}}},
        }},
    }
