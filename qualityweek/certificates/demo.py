"""Demo data of this app (a step of qualityweek/demo/steps.py): certificates of participation for
the previous campaign's organisations with approved activities in several regions, letters of thanks
to the Kirov teachers, and one certificate revoked. The current campaign's Kirov schools are left for
the Kirov education coordinator to issue (the issue's «Done when»)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from qualityweek.campaigns.models import Campaign
from qualityweek.core.audit import Actor
from qualityweek.core.demo import DemoContext
from qualityweek.directory.models import Region

from . import services
from .models import Certificate, NumberRegister
from .sources import SOURCES, Subject

REGIONS = ["43", "77", "16", "66", "52"]  # Kirov, Moscow, Tatarstan, Sverdlovsk, Nizhny Novgorod
SYSTEM = Actor.system()


def build(ctx: DemoContext) -> dict[str, int]:
    campaign = Campaign.objects.filter(year=ctx.today.year - 1).first()
    if campaign is None or "activities.participation" not in SOURCES:
        return {}
    # Issued a week after the previous campaign's report deadline, at noon Moscow time.
    day = campaign.report_deadline + dt.timedelta(days=7)
    at = dt.datetime.combine(day, dt.time(12, 0), tzinfo=timezone.get_default_timezone())
    regions = dict(Region.objects.filter(code__in=REGIONS).values_list("code", "pk"))
    for n, code in enumerate(REGIONS):
        ctx.on_progress(n, len(REGIONS), "Сертификаты")
        for sector in ("education", "business"):
            services.issue(actor=SYSTEM, source_code="activities.participation", at=at,
                           subject=Subject(subject_id=campaign.pk, region_id=regions[code], sector=sector))
    services.issue(actor=SYSTEM, source_code="activities.thanks", at=at,
                   subject=Subject(subject_id=campaign.pk, region_id=regions["43"], sector="education"))
    first = Certificate.objects.valid().filter(region_id=regions["43"], kind="participation").order_by("pk").first()
    if first is not None:
        services.revoke(actor=SYSTEM, certificate=first,
                        reason="Отчёт о мероприятии признан недостоверным после повторной проверки.")
    return {"сертификатов": Certificate.objects.count()}


def wipe() -> None:
    Certificate.objects.update(replaced_by=None)
    Certificate.objects.all().delete()
    NumberRegister.objects.all().delete()
