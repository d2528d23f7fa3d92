"""Writes to the campaign calendar: one function per use case, each checked with ``require`` and
audited. The operator's pages, the admin and the demo loader all write through these."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from qualityweek.core import audit, public_cache
from qualityweek.core.audit import Actor
from qualityweek.core.permissions import require
from qualityweek.directory.models import Region

from . import calendar
from .models import Campaign, RegionalWindow
from .rules import PHASE_MOVES

EDITABLE = ("motto", "week_start", "week_end", "quality_day", "report_deadline", "submissions_closed")
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _check_dates(campaign: Campaign) -> None:
    """The campaign's dates in order, each message next to the field that is out of place."""
    errors: dict[str, str] = {}
    start, end, day, deadline = (campaign.week_start, campaign.week_end, campaign.quality_day,
                                 campaign.report_deadline)
    if start and end and end < start:
        errors["week_end"] = "Неделя качества не может закончиться раньше, чем началась."
    elif start and end and day and not start <= day <= end:
        errors["quality_day"] = "День качества должен приходиться на Неделю качества."
    if end and deadline and deadline < end and "week_end" not in errors:
        errors["report_deadline"] = "Срок отчётов не может быть раньше конца Недели качества."
    if deadline and deadline.year > campaign.year + 1:
        errors.setdefault("report_deadline", "Срок отчётов — не позже следующего года после кампании.")
    if errors:
        raise ValidationError(errors)


def _save(campaign: Campaign) -> None:
    _check_dates(campaign)
    campaign.full_clean(validate_unique=False)
    campaign.save()
    public_cache.bump_on_commit(*public_cache.SECTIONS)


@transaction.atomic
def create_campaign(*, actor: Actor, year: int, motto: str = "", phase: str = Campaign.Phase.DRAFT,
                    week_start: dt.date | None = None, week_end: dt.date | None = None,
                    quality_day: dt.date | None = None, report_deadline: dt.date | None = None) -> Campaign:
    """A campaign year whose dates default from the calendar rule; any date may be overridden."""
    require(actor, "create", Campaign)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError({"year": f"Укажите год от {FIRST_YEAR} до {LAST_YEAR}."})
    if Campaign.objects.filter(year=year).exists():
        raise ValidationError({"year": f"Кампания {year} года уже есть: измените её, а не создавайте заново."})
    default_start, default_end = calendar.quality_week(year)
    campaign = Campaign(
        year=year, motto=motto.strip(), phase=phase,
        week_start=week_start or default_start, week_end=week_end or default_end,
        quality_day=quality_day or calendar.quality_day(year),
        report_deadline=report_deadline or calendar.report_deadline(year),
    )
    _save(campaign)
    audit.record(actor=actor, action="campaign.create", obj=campaign, after=audit.snapshot(campaign))
    return campaign


def _locked(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_for_update().get(pk=campaign.pk)


def _refresh(target: Campaign, source: Campaign) -> None:
    """The caller's object shows what was saved (its regional windows stay loaded)."""
    for name in ("phase", "updated_at", *EDITABLE):
        setattr(target, name, getattr(source, name))


@transaction.atomic
def update_campaign(*, actor: Actor, campaign: Campaign, **changes: Any) -> Campaign:
    """Change the motto, the dates or whether reports are still accepted (the phase moves with
    ``move_phase``)."""
    require(actor, "change", campaign)
    locked = _locked(campaign)
    before = audit.snapshot(locked)
    for name, value in changes.items():
        if name not in EDITABLE:
            raise ValueError(f"Field {name} cannot be changed here.")
        setattr(locked, name, value.strip() if isinstance(value, str) else value)
    _save(locked)
    audit.record(actor=actor, action="campaign.update", obj=locked, before=before, after=audit.snapshot(locked))
    _refresh(campaign, locked)
    return campaign


@transaction.atomic
def move_phase(*, actor: Actor, campaign: Campaign, phase: str) -> Campaign:
    """Move the campaign to the next phase (or one step back), as ``rules.PHASE_MOVES`` allows."""
    require(actor, "move", campaign)
    locked = _locked(campaign)
    if phase not in PHASE_MOVES[locked.phase]:
        current = Campaign.Phase(locked.phase).label
        target = Campaign.Phase(phase).label if phase in Campaign.Phase.values else phase
        raise ValidationError({"phase": f"Из этапа «{current}» нельзя перейти к этапу «{target}»."})
    before = audit.snapshot(locked, ["phase"])
    locked.phase = phase
    locked.save(update_fields=["phase", "updated_at"])
    public_cache.bump_on_commit(*public_cache.SECTIONS)
    audit.record(actor=actor, action="campaign.phase", obj=locked, before=before,
                 after=audit.snapshot(locked, ["phase"]))
    _refresh(campaign, locked)
    return campaign


@transaction.atomic
def set_regional_window(*, actor: Actor, campaign: Campaign, region: Region, starts_on: dt.date | None = None,
                        ends_on: dt.date | None = None, deadline: dt.date | None = None,
                        reason: str = "") -> RegionalWindow:
    """Give a region its own activity window or a later report deadline (one row per region)."""
    window = (RegionalWindow.objects.select_for_update().filter(campaign=campaign, region=region).first()
              or RegionalWindow(campaign=campaign, region=region))
    require(actor, "change", window)
    if not (starts_on or ends_on or deadline):
        raise ValidationError({"starts_on": "Укажите даты мероприятий в регионе или продлённый срок отчётов."})
    before = audit.snapshot(window) if window.pk else None
    window.starts_on, window.ends_on, window.deadline, window.reason = starts_on, ends_on, deadline, reason.strip()
    window.full_clean(validate_unique=False)
    window.save()
    getattr(campaign, "_prefetched_objects_cache", {}).pop("windows", None)  # the campaign's copy is stale
    public_cache.bump_on_commit("campaign", "events")
    audit.record(actor=actor, action="campaign.regional_window", obj=window, before=before,
                 after=audit.snapshot(window))
    return window


@transaction.atomic
def delete_regional_window(*, actor: Actor, window: RegionalWindow) -> None:
    """The region goes back to the campaign's own dates and deadline."""
    require(actor, "delete", window)
    window = RegionalWindow.objects.select_for_update().select_related("campaign", "region").get(pk=window.pk)
    audit.record(actor=actor, action="campaign.regional_window_delete", obj=window, before=audit.snapshot(window))
    window.delete()
    public_cache.bump_on_commit("campaign", "events")
