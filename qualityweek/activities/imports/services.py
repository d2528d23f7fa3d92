"""Spreadsheet import of many organisations' activities by a regional coordinator.

upload (``start_import``) -> a validation job (``validate_batch``) -> a preview the coordinator reads
-> ``confirm_import`` starts the import job (``run_import``) or ``cancel_import`` drops it. Nothing is
written to activities before the coordinator confirms, and then only the rows that passed.

Imported rows are reports of activities that were held, so they arrive in status *submitted*
(``source=import``, created by the coordinator, who stands for the organisation): they enter the
coordinator's review queue like any report and are approved there (bulk approve exists), so every
approval stays an explicit, audited transition. Each row carries a deterministic ``import_key``;
re-uploading the same or an overlapping file creates nothing twice and reports "already present".
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone

from qualityweek.activities import tally
from qualityweek.campaigns.models import Campaign
from qualityweek.campaigns.selectors import current_campaign
from qualityweek.core import audit, files
from qualityweek.core.audit import Actor
from qualityweek.core.jobs import restart_job, start_job, stop_job
from qualityweek.core.permissions import require
from qualityweek.core.rules import CANCELLABLE
from qualityweek.directory.models import Organisation, Region

from .. import services
from ..models import CATEGORY_FIELDS, Activity, ActivityEvent, ActivityType, ImportBatch
from ..rules import STUCK, batch_allows, batch_state
from . import workbook
from .problems import SpreadsheetError
from .rows import MAX_STORED_ERRORS, CleanRow, Validator

B = ImportBatch.Status
WRITE_BATCH = 5000
KEY_QUERY_CHUNK = 5000
Progress = Callable[[int, int], None]


def _noop(done: int, total: int) -> None:
    return None


def _rows_file(batch: ImportBatch) -> str:
    return f"private/imports/{batch.pk}-rows.json"


def _campaign_accepting() -> Campaign:
    campaign = current_campaign()
    if campaign is None:
        raise ValidationError({"file": "Нет объявленной кампании: загружать мероприятия пока некуда."})
    if campaign.phase == Campaign.Phase.CLOSED:
        raise ValidationError({"file": f"Кампания {campaign.year} года завершена: импорт закрыт."})
    if campaign.submissions_closed:
        raise ValidationError({"file": f"Приём отчётов кампании {campaign.year} года закрыт оператором."})
    return campaign


# --- upload ------------------------------------------------------------------------------------------

@transaction.atomic
def start_import(*, actor: Actor, region: Region, sector: str, file_name: str, data: bytes) -> ImportBatch:
    """Store the upload, create the batch and start its validation job. Cheap file checks (size, real
    format, zip bomb) run here, so an unusable file is refused at once and nothing is created."""
    # The unsaved batch the actor would upload (the public and the system have no ``import`` rule).
    require(actor, "import", ImportBatch(region=region, sector=sector, uploaded_by=actor.user))
    campaign = _campaign_accepting()
    file_name = Path(file_name or "таблица").name[:200]
    try:
        kind = workbook.check_upload(file_name, data)
    except SpreadsheetError as exc:
        raise ValidationError({"file": str(exc)}) from None
    relative = f"private/imports/{uuid.uuid4().hex}.{kind}"
    relative = files.store_bytes(relative, data)
    batch = ImportBatch.objects.create(campaign=campaign, region=region, sector=sector, uploaded_by=actor.user,
                                       file=relative, file_name=file_name,
                                       sha256=hashlib.sha256(data).hexdigest())
    job = start_job(owner=actor.user, kind="activities.import_validate", title=f"Проверка таблицы «{file_name}»",
                    task=f"{__package__}.tasks.validate_import_task", batch_id=batch.pk)
    batch.job = job
    batch.save(update_fields=["job"])
    audit.record(actor=actor, action="activity_import.upload", obj=batch,
                 after={"file_name": file_name, "sha256": batch.sha256, "region": region.code, "sector": sector,
                        "campaign": campaign.year})
    return batch


# --- validation (in a job) ---------------------------------------------------------------------------

def validate_batch(*, batch_id: int, on_progress: Progress = _noop) -> ImportBatch:
    """Parse and validate the stored file into a preview: errors by row and column, valid rows kept
    aside for the import. A file that cannot be used at all marks the batch failed with the reason."""
    batch = ImportBatch.objects.select_related("campaign", "region").get(pk=batch_id)
    if batch.status != B.VALIDATING:
        return batch
    campaign = Campaign.objects.prefetch_related("windows").get(pk=batch.campaign_id)
    if batch.region is None:
        raise RuntimeError("batch.region must be set here")
    try:
        data = files.read_bytes(batch.file)
        kind = "xlsx" if batch.file.endswith(".xlsx") else "csv"
        sheet = workbook.read_sheet(kind, data)
        validator = Validator(campaign=campaign, region=batch.region, sector=batch.sector)
        result = validator.validate(sheet, on_progress=on_progress)
    except SpreadsheetError as exc:
        _fail(batch, str(exc))
        return batch
    keys = [row.key for row in result.valid]
    present = _existing_keys(campaign, keys)
    files.store_bytes(_rows_file(batch), json.dumps([r.to_list() for r in result.valid], ensure_ascii=False)
                      .encode("utf-8"))
    errors = [e.as_dict() for e in result.errors]
    if len(errors) >= MAX_STORED_ERRORS:
        errors.append({"row": None, "column": "", "cell": "",
                       "message": f"Показаны первые {MAX_STORED_ERRORS} ошибок; исправьте их и "
                                  "загрузите файл снова."})
    errors += [{"row": None, "column": "", "cell": "", "message": note, "note": True} for note in result.notes]
    ImportBatch.objects.filter(pk=batch.pk, status=B.VALIDATING).update(
        status=B.PREVIEW, rows_total=result.rows_total, rows_valid=len(result.valid), errors=errors,
        already_present=len(present))
    batch.refresh_from_db()
    return batch


def _fail(batch: ImportBatch, message: str) -> None:
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=B.FAILED, errors=[{"row": None, "column": "", "cell": "", "message": message}],
        finished_at=timezone.now())
    batch.refresh_from_db()


def mark_failed(batch_id: int, message: str) -> None:
    """An unexpected failure of a job: the batch says so instead of waiting forever."""
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if batch and batch.status in {B.VALIDATING, B.IMPORTING}:
        _fail(batch, message)


def _existing_keys(campaign: Campaign, keys: list[str]) -> set[str]:
    """The keys already imported into the campaign: one query with an array parameter on PostgreSQL,
    chunks of ``IN`` lists where the database has no arrays (SQLite)."""
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(Activity._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT import_key FROM {table} WHERE campaign_id = %s "  # noqa: S608 - the model's own table
                           "AND import_key = ANY(%s)", [campaign.pk, keys])
            return {key for (key,) in cursor.fetchall()}
    present: set[str] = set()
    for i in range(0, len(keys), KEY_QUERY_CHUNK):
        present.update(Activity.objects.filter(campaign=campaign, import_key__in=keys[i:i + KEY_QUERY_CHUNK])
                       .values_list("import_key", flat=True))
    return present


# --- confirm / cancel --------------------------------------------------------------------------------

def _own_batch(actor: Actor, batch: ImportBatch) -> ImportBatch:
    """The batch, locked, when the actor uploaded it within their scope (the ``import`` rule)."""
    locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    require(actor, "import", locked)
    return locked


@transaction.atomic
def confirm_import(*, actor: Actor, batch: ImportBatch) -> ImportBatch:
    """Import the valid rows of a previewed batch (in a job). A second click changes nothing."""
    batch = _own_batch(actor, batch)
    if batch.status in {B.IMPORTING, B.DONE}:
        return batch
    if not batch_allows(batch, "confirm"):
        raise ValidationError(f"Импорт нельзя подтвердить: статус «{batch.get_status_display()}».")
    if batch.rows_valid == 0:
        raise ValidationError("В таблице нет строк без ошибок: импортировать нечего. Исправьте ошибки и "
                              "загрузите файл снова.")
    _campaign_accepting()
    job = start_job(owner=actor.user, kind="activities.import_run",
                    title=f"Импорт мероприятий из «{batch.file_name}»",
                    task=f"{__package__}.tasks.run_import_task", batch_id=batch.pk)
    batch.status, batch.job = B.IMPORTING, job
    batch.save(update_fields=["status", "job"])
    audit.record(actor=actor, action="activity_import.confirm", obj=batch,
                 after={"rows_valid": batch.rows_valid, "rows_total": batch.rows_total})
    return batch


@transaction.atomic
def retry_import(*, actor: Actor, batch: ImportBatch) -> ImportBatch:
    """Run a stuck batch's job again (its worker died or it was cancelled mid-way). Safe: validation
    moves only a validating batch, and the import runs in one transaction that skips rows present."""
    batch = _own_batch(actor, batch)
    if batch_state(batch) != STUCK:
        if batch.status in {B.VALIDATING, B.IMPORTING}:
            return batch  # still running (a second click): nothing to do
        raise ValidationError(f"Повторять нечего: статус «{batch.get_status_display()}».")
    if batch.job is None:
        raise RuntimeError("a stuck batch has a job")
    restart_job(job=batch.job, message="Запущено снова.")
    audit.record(actor=actor, action="activity_import.retry", obj=batch, after={"status": batch.status})
    return batch


@transaction.atomic
def cancel_import(*, actor: Actor, batch: ImportBatch) -> ImportBatch:
    """Drop a previewed, failed or stuck batch: nothing is imported and the stored files are removed."""
    batch = _own_batch(actor, batch)
    if batch.status == B.CANCELLED:
        return batch
    if not batch_allows(batch, "cancel"):
        raise ValidationError(f"Отменить можно только проверенный и ещё не импортированный файл "
                              f"(сейчас: «{batch.get_status_display()}»).")
    if batch.job is not None and batch.job.status in CANCELLABLE:  # an interrupted job must not be re-queued
        stop_job(job=batch.job)
    before = audit.snapshot(batch, ["status"])
    batch.status, batch.finished_at = B.CANCELLED, timezone.now()
    batch.save(update_fields=["status", "finished_at"])
    audit.record(actor=actor, action="activity_import.cancel", obj=batch, before=before,
                 after=audit.snapshot(batch, ["status"]))
    names = [batch.file, _rows_file(batch)]

    def remove_files() -> None:
        for name in names:
            files.delete(name)

    transaction.on_commit(remove_files)
    return batch


# --- the import itself (in a job) --------------------------------------------------------------------

def run_import(*, batch_id: int, on_progress: Progress = _noop) -> ImportBatch:
    """Write the previewed valid rows as submitted activities, in bulk, skipping rows already present.

    Imports into one campaign are serialised by a row lock on the campaign, so two overlapping files
    confirmed at the same moment cannot both insert the same row."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update(of=("self",)).select_related("region", "uploaded_by").get(
            pk=batch_id)
        if batch.status != B.IMPORTING:
            return batch
        campaign = Campaign.objects.select_for_update().get(pk=batch.campaign_id)
        campaign = Campaign.objects.prefetch_related("windows").get(pk=campaign.pk)
        region = batch.region
        if region is None:
            raise RuntimeError("region must be set here")
        rows = [CleanRow.from_list(v) for v in json.loads(files.read_bytes(_rows_file(batch)).decode("utf-8"))]
        # The world may have moved since the preview: organisations closed, types retired.
        orgs = Organisation.objects.in_bulk(
            list({r.organisation_id for r in rows}))
        usable_orgs = {pk for pk, o in orgs.items()
                       if o.region_id == region.pk and o.sector == batch.sector
                       and o.status == Organisation.Status.ACTIVE}
        types = {t.pk: t for t in ActivityType.objects.filter(is_active=True)}
        present = _existing_keys(campaign, [r.key for r in rows])
        now = timezone.now()
        late = services.is_late(Activity(campaign=campaign, region=region), now)
        user = batch.uploaded_by
        errors = list(batch.errors)
        fresh: list[dict[str, Any]] = []
        for r in rows:
            if r.key in present:
                continue
            if r.organisation_id not in usable_orgs or r.type_id not in types:
                errors.append({"row": r.row, "column": "", "cell": "",
                               "message": "Не импортирована: организация закрыта или тип мероприятия больше не "
                                          "используется (изменилось после проверки)."})
                continue
            present.add(r.key)
            fresh.append({
                "campaign_id": campaign.pk, "organisation_id": r.organisation_id, "region_id": region.pk,
                "sector": batch.sector, "type_id": r.type_id, "title": r.title, "starts_on": r.starts_on,
                "ends_on": r.ends_on, "format": r.format, "is_public": r.is_public, "description": r.description,
                "links": r.links, "status": Activity.Status.SUBMITTED.value, "submitted_at": now,
                "is_late": late, "source": Activity.Source.IMPORT.value, "import_key": r.key,
                "created_by_id": user.pk, **r.counts})
        total = len(fresh)
        comment = f"Импортировано из таблицы «{batch.file_name}»" + (" (с опозданием)" if late else "")
        for i in range(0, total, WRITE_BATCH):
            ids = bulk_insert(Activity, fresh[i:i + WRITE_BATCH], now=now)
            bulk_insert(ActivityEvent, [
                {"activity_id": pk, "actor_id": user.pk, "from_status": "",
                 "to_status": Activity.Status.SUBMITTED.value, "comment": comment} for pk in ids], now=now)
            on_progress(min(i + WRITE_BATCH, total), total)
        tally.activities_created(fresh)  # the dashboards' aggregates, collected once, same transaction
        already = len(rows) - total - (len(errors) - len(batch.errors))
        batch.status, batch.imported, batch.already_present = B.DONE, total, already
        batch.errors, batch.finished_at = errors, timezone.now()
        batch.save(update_fields=["status", "imported", "already_present", "errors", "finished_at"])
        audit.record(actor=Actor(user=user), action="activity_import.done", obj=batch,
                     after={"imported": total, "already_present": already, "campaign": campaign.year,
                            "region": region.code, "sector": batch.sector,
                            "participants": sum(sum(a[f] for f in CATEGORY_FIELDS) for a in fresh)})
    files.delete(_rows_file(batch))
    on_progress(total, total)
    return batch


# --- bulk insert --------------------------------------------------------------------------------------
# Tens of thousands of activities at once: building a model instance per row and an INSERT with 40
# parameters per row costs more than parsing the whole file. On PostgreSQL the rows are streamed with
# COPY after reserving their ids from the table's sequence, so the caller still gets the ids (in
# order) for the rows that refer to them. Values go through each field's ``get_db_prep_save`` and
# defaults / ``auto_now`` are filled as ``save()`` fills them, so both paths write the same rows.


def _bulk_values(model: type[models.Model], rows: list[dict[str, Any]],
                 now: dt.datetime) -> tuple[list[str], list[list]]:
    """Column names and row values as COPY takes them: psycopg adapts dates, numbers, text and None
    itself; JSON is serialised with the field's encoder. Callers pass plain values (not choice enums)."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = [str(f.column) for f in fields]
    defaults: dict[str, Any] = {}
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults[f.attname] = now
        elif f.has_default():
            defaults[f.attname] = f.get_default()
        elif f.null:
            defaults[f.attname] = None
        else:
            defaults[f.attname] = ""
    for name, value in defaults.items():
        if isinstance(value, enum.Enum):
            defaults[name] = value.value
    json_fields = [(i, f.encoder) for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
    names = [(f.attname, defaults[f.attname]) for f in fields]
    prepared = []
    for row in rows:
        if not row.keys() <= defaults.keys():
            raise ValueError(f"Unknown fields for {model.__name__}: {sorted(row.keys() - defaults.keys())}")
        values = [row.get(name, default) for name, default in names]
        for i, encoder in json_fields:
            values[i] = json.dumps(values[i], cls=encoder, ensure_ascii=False)
        prepared.append(values)
    return columns, prepared


def bulk_insert(model: type[models.Model], rows: list[dict[str, Any]], *, now: dt.datetime) -> list[int]:
    """Insert ``rows`` (attname -> value) and return their new primary keys in the same order.
    Must run inside a transaction (the caller's), so a failure leaves nothing behind."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        objs = model._default_manager.bulk_create([model(**row) for row in rows], batch_size=1000)
        return [obj.pk for obj in objs]
    table, pk = model._meta.db_table, str(model._meta.pk.column)
    columns, values = _bulk_values(model, rows, now)
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [table, pk, len(rows)])
        ids = [r[0] for r in cursor.fetchall()]
        quoted = ", ".join(connection.ops.quote_name(c) for c in [pk, *columns])
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
            for pk_value, row in zip(ids, values, strict=True):
                copy.write_row([pk_value, *row])
    return ids
