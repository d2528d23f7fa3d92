"""Writes to the campaign calendar."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from qualityweek.core import audit, public_cache
from qualityweek.core.audit import Actor
from qualityweek.core.permissions import can
from qualityweek.directory.models import Region

from . import calendar
from .models import Campaign, RegionalWindow

EDITABLE = ("motto", "week_start", "week_end", "quality_day", "report_deadline", "phase", "submissions_closed")


def _authorise(actor: Actor, obj: Any) -> None:
    if actor.user is not None and not can(actor.user, "manage", obj):
        raise PermissionDenied


@transaction.atomic
def create_campaign(*, actor: Actor, year: int, motto: str = "", phase: str = Campaign.Phase.DRAFT,
                    **overrides: dt.date) -> Campaign:
    """A campaign whose dates default from the calendar rule; any date may be overridden."""
    _authorise(actor, Campaign)
    week_start, week_end = calendar.quality_week(year)
    campaign = Campaign(
        year=year, motto=motto.strip(), phase=phase,
        week_start=overrides.get("week_start", week_start), week_end=overrides.get("week_end", week_end),
        quality_day=overrides.get("quality_day", calendar.quality_day(year)),
        report_deadline=overrides.get("report_deadline", calendar.report_deadline(year)),
    )
    campaign.full_clean()
    campaign.save()
    public_cache.bump_on_commit(*public_cache.SECTIONS)  # every public page shows the campaign
    audit.record(actor=actor, action="campaign.create", obj=campaign, after=audit.snapshot(campaign))
    return campaign


@transaction.atomic
def update_campaign(*, actor: Actor, campaign: Campaign, **changes: Any) -> Campaign:
    _authorise(actor, campaign)
    before = audit.snapshot(campaign)
    for name, value in changes.items():
        if name not in EDITABLE:
            raise ValueError(f"Field {name} cannot be changed here.")
        setattr(campaign, name, value)
    campaign.full_clean()
    campaign.save()
    public_cache.bump_on_commit(*public_cache.SECTIONS)  # every public page shows the campaign
    audit.record(actor=actor, action="campaign.update", obj=campaign, before=before,
                 after=audit.snapshot(campaign))
    return campaign


@transaction.atomic
def set_regional_window(*, actor: Actor, campaign: Campaign, region: Region, starts_on: dt.date | None = None,
                        ends_on: dt.date | None = None, deadline: dt.date | None = None,
                        reason: str = "") -> RegionalWindow:
    """Give a region its own activity window or a later report deadline."""
    _authorise(actor, RegionalWindow)
    window = RegionalWindow.objects.filter(campaign=campaign, region=region).first() or RegionalWindow(
        campaign=campaign, region=region)
    before = audit.snapshot(window) if window.pk else None
    window.starts_on, window.ends_on, window.deadline, window.reason = starts_on, ends_on, deadline, reason.strip()
    window.full_clean()
    window.save()
    public_cache.bump_on_commit("campaign", "events")
    getattr(campaign, "_prefetched_objects_cache", {}).pop("windows", None)  # the campaign's copy is stale
    audit.record(actor=actor, action="campaign.regional_window", obj=window, before=before,
                 after=audit.snapshot(window))
    return window
