"""The regional report's workflow: draft -> submitted -> accepted | returned -> submitted ...
Each step is checked with ``require`` and the transition table (``rules.REPORT_ACTIONS``), and audited."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from qualityweek.campaigns.models import Campaign
from qualityweek.core import audit, events
from qualityweek.core.audit import Actor
from qualityweek.core.permissions import require
from qualityweek.directory.models import Region

from ..models import RegionalReport
from ..rules import report_allows
from .selectors import summary

R = RegionalReport.Status

# --- the workflow -------------------------------------------------------------------------------------

SNAPSHOT = ["status", "submitted_at", "is_late", "comment"]


def _locked(campaign: Campaign, region: Region, sector: str) -> RegionalReport | None:
    return (RegionalReport.objects.select_for_update(of=("self",)).select_related("campaign", "region")
            .filter(campaign=campaign, region=region, sector=sector).first())


@transaction.atomic
def start_report(*, actor: Actor, campaign: Campaign, region: Region, sector: str) -> RegionalReport:
    """The coordinator opens the report: it becomes a draft (once; opening it again changes nothing)."""
    report = RegionalReport(campaign=campaign, region=region, sector=sector)
    require(actor, "prepare", report)
    existing = _locked(campaign, region, sector)
    if existing is not None:
        return existing
    if campaign.phase == Campaign.Phase.DRAFT:
        raise ValidationError(f"Кампания {campaign.year} года ещё не объявлена.")
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:  # opened twice at the same moment
        return RegionalReport.objects.get(campaign=campaign, region=region, sector=sector)
    audit.record(actor=actor, action="regional_report.start", obj=report, after=audit.snapshot(report, SNAPSHOT))
    return report


@transaction.atomic
def submit_report(*, actor: Actor, campaign: Campaign, region: Region, sector: str,
                  now: dt.datetime | None = None) -> RegionalReport:
    """Send the report to the operator with a snapshot of its figures. After the deadline (end of the
    deadline day in the region's time zone, extensions respected) it is accepted and flagged late.
    Submitting again while it waits for the operator changes nothing."""
    report = _locked(campaign, region, sector) or RegionalReport(campaign=campaign, region=region, sector=sector)
    require(actor, "prepare", report)
    if report.status == R.SUBMITTED:
        return report
    if not report_allows(report, "submit"):
        raise ValidationError("Отчёт уже принят оператором: изменить его нельзя.")
    if campaign.phase == Campaign.Phase.DRAFT:
        raise ValidationError(f"Кампания {campaign.year} года ещё не объявлена.")
    now = now or timezone.now()
    before = audit.snapshot(report, SNAPSHOT) if report.pk else None
    report.totals = summary(campaign=campaign, region=region, sector=sector).totals()
    report.status = R.SUBMITTED
    report.submitted_at = now
    report.submitted_by = actor.user
    report.is_late = now > campaign.deadline_at(region)
    report.reviewed_at = None
    report.save()
    audit.record(actor=actor, action="regional_report.submit", obj=report, before=before,
                 after=audit.snapshot(report, [*SNAPSHOT, "totals"]))
    return report


@transaction.atomic
def accept_report(*, actor: Actor, report: RegionalReport) -> RegionalReport:
    locked = _locked(report.campaign, report.region, report.sector)
    if locked is None:
        raise ValidationError("Регион ещё не отправил этот отчёт.")
    require(actor, "decide", locked)
    if not report_allows(locked, "accept"):
        raise ValidationError(f"Принять можно только отправленный отчёт, а этот — «{locked.get_status_display()}».")
    before = audit.snapshot(locked, SNAPSHOT)
    locked.status = R.ACCEPTED
    locked.reviewed_at = timezone.now()
    locked.comment = ""
    locked.save()
    audit.record(actor=actor, action="regional_report.accept", obj=locked, before=before,
                 after=audit.snapshot(locked, SNAPSHOT))
    return locked


@transaction.atomic
def return_report(*, actor: Actor, report: RegionalReport, comment: str) -> RegionalReport:
    locked = _locked(report.campaign, report.region, report.sector)
    if locked is None:
        raise ValidationError("Регион ещё не отправил этот отчёт.")
    require(actor, "decide", locked)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": "Напишите, что нужно исправить: координатор увидит комментарий."})
    if not report_allows(locked, "return"):
        raise ValidationError(f"Вернуть можно только отправленный отчёт, а этот — «{locked.get_status_display()}».")
    before = audit.snapshot(locked, SNAPSHOT)
    locked.status = R.RETURNED
    locked.reviewed_at = timezone.now()
    locked.comment = comment
    locked.save()
    audit.record(actor=actor, action="regional_report.return", obj=locked, before=before,
                 after=audit.snapshot(locked, SNAPSHOT))
    events.emit("regional_report.returned", report=locked, comment=comment)
    return locked
