"""Writes of the analytics app: the operator's hand-entered history and reminder e-mails to
organisations that have not reported. The tallies themselves are written by ``tally.py``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from qualityweek.campaigns.models import Campaign
from qualityweek.core import audit
from qualityweek.core.audit import Actor
from qualityweek.core.jobs import start_job
from qualityweek.core.models import Job
from qualityweek.core.permissions import require
from qualityweek.directory.models import Region

from . import selectors
from .models import HistoricalTotal, Reminder
from .rules import RegionSector
from .tasks import send_reminders_task

HISTORY_FIELDS = ("activities", "organisations", "regions", "participants", "pupils_in_lesson", "source")
REMIND_AGAIN_AFTER = dt.timedelta(hours=24)


@transaction.atomic
def save_historical_total(*, actor: Actor, year: int, **fields: Any) -> HistoricalTotal:
    """Create or correct a past year's totals; audited with before and after."""
    require(actor, "manage", HistoricalTotal)
    this_year = timezone.localdate().year
    if not 2000 <= year <= this_year:
        raise ValidationError({"year": f"Год должен быть между 2000 и {this_year}."})
    data = {k: fields.get(k) for k in HISTORY_FIELDS}
    if not any(data[k] for k in HISTORY_FIELDS if k != "source"):
        raise ValidationError({"__all__": "Укажите хотя бы один показатель."})
    if data["regions"] is not None and data["regions"] > 89:
        raise ValidationError({"regions": "Регионов не может быть больше 89."})
    total = HistoricalTotal.objects.select_for_update().filter(year=year).first()
    before = audit.snapshot(total) if total else None
    total = total or HistoricalTotal(year=year)
    for name, value in data.items():
        setattr(total, name, value if value is not None or name != "source" else "")
    total.updated_by = actor.user
    total.save()
    audit.record(actor=actor, action="analytics.history", obj=total, before=before, after=audit.snapshot(total))
    return total


@transaction.atomic
def delete_historical_total(*, actor: Actor, total: HistoricalTotal) -> None:
    require(actor, "manage", HistoricalTotal)
    audit.record(actor=actor, action="analytics.history_delete", obj=total, before=audit.snapshot(total))
    total.delete()


@transaction.atomic
def send_reminders(*, actor: Actor, campaign: Campaign, region: Region, sector: str,
                   organisation_ids: list[int] | None = None) -> tuple[Job | None, int]:
    """Queue reminder e-mails to the region's organisations (of one sector) that have not reported
    (optionally only the chosen ones). Organisations reminded in the last 24 hours are skipped, so a
    double click sends one e-mail. Returns the job (None when nobody is left) and how many."""
    require(actor, "remind", RegionSector(region, sector))
    qs = selectors.organisations_of(campaign, region, [sector], "not_reported")
    if organisation_ids is not None:
        qs = qs.filter(pk__in=organisation_ids)
    ids = list(qs.values_list("pk", flat=True))
    recent = set(Reminder.objects.filter(campaign=campaign, organisation_id__in=ids,
                                         sent_at__gte=timezone.now() - REMIND_AGAIN_AFTER)
                 .values_list("organisation_id", flat=True))
    ids = [i for i in ids if i not in recent]
    audit.record(actor=actor, action="analytics.remind", obj=region,
                 after={"campaign": campaign.year, "sector": sector, "organisations": len(ids),
                        "skipped_recent": len(recent)})
    if not ids:
        return None, 0
    job = start_job(owner=actor.user, kind="analytics.remind",
                    title=f"Напоминания организациям: {region.short_name}, {campaign.year}",
                    task=send_reminders_task, campaign_id=campaign.pk, organisation_ids=ids,
                    sender_id=actor.user.pk)
    return job, len(ids)
