"""Demo campaigns: every year since the first all-Russian quality lesson (2018) up to this one."""

from __future__ import annotations

import datetime as dt

from qualityweek.core.audit import Actor
from qualityweek.core.demo import DemoContext

from . import calendar, services
from .models import Campaign

MOTTO = "Россия — страна со Знаком качества"
FIRST_YEAR = 2018


def phase_on(year: int, today: dt.date) -> str:
    """The phase a campaign of ``year`` would be in on ``today`` under the default calendar."""
    start, end = calendar.quality_week(year)
    if today > calendar.report_deadline(year) + dt.timedelta(days=14):
        return Campaign.Phase.CLOSED
    if today > end:
        return Campaign.Phase.REPORTING
    if today >= start:
        return Campaign.Phase.RUNNING
    if today >= dt.date(year, 9, 1):
        return Campaign.Phase.ANNOUNCED
    return Campaign.Phase.DRAFT


def build(ctx: DemoContext) -> dict[str, int]:
    actor = Actor.system()
    for year in range(FIRST_YEAR, ctx.today.year + 1):
        services.create_campaign(actor=actor, year=year, motto=MOTTO, phase=phase_on(year, ctx.today))
    return {"кампаний": ctx.today.year - FIRST_YEAR + 1}


def wipe() -> None:
    Campaign.objects.all().delete()
