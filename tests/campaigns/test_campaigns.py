import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from qualityweek.campaigns import selectors, services
from qualityweek.campaigns.models import Campaign
from qualityweek.core.audit import Actor
from qualityweek.core.models import AuditEntry
from qualityweek.directory.models import Region

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def make(world, year=2026, **kw) -> Campaign:
    return services.create_campaign(actor=Actor(user=world.operator), year=year,
                                    motto="Россия — страна со Знаком качества", phase="reporting", **kw)


def test_create_campaign_computes_defaults_and_audits(world):
    c = make(world)
    assert (c.week_start, c.week_end, c.quality_day) == (dt.date(2026, 11, 9), dt.date(2026, 11, 15),
                                                          dt.date(2026, 11, 12))
    assert c.report_deadline == dt.date(2026, 12, 15)
    entry = AuditEntry.objects.get(action="campaign.create")
    assert entry.actor == world.operator
    assert entry.after["year"] == 2026


def test_operator_overrides_dates(world):
    c = make(world, report_deadline=dt.date(2026, 12, 20))
    assert c.report_deadline == dt.date(2026, 12, 20)
    services.update_campaign(actor=Actor(user=world.operator), campaign=c, quality_day=dt.date(2026, 11, 13))
    c.refresh_from_db()
    assert c.quality_day == dt.date(2026, 11, 13)
    entry = AuditEntry.objects.filter(action="campaign.update").get()
    assert entry.before == {"quality_day": "2026-11-12"}
    assert entry.after == {"quality_day": "2026-11-13"}


def test_quality_day_outside_week_is_refused_in_russian(world):
    c = make(world)
    with pytest.raises(ValidationError) as exc:
        services.update_campaign(actor=Actor(user=world.operator), campaign=c, quality_day=dt.date(2026, 11, 20))
    assert "День качества должен приходиться на Неделю качества." in exc.value.messages
    c.refresh_from_db()
    assert c.quality_day == dt.date(2026, 11, 12)


def test_only_operator_admin_manages_campaigns(world):
    with pytest.raises(PermissionDenied):
        services.create_campaign(actor=Actor(user=world.kirov_edu), year=2027)
    assert not Campaign.objects.filter(year=2027).exists()


def test_deadline_is_end_of_day_in_the_region_time_zone(world):
    c = make(world)
    kamchatka, kaliningrad = Region.objects.get(code="41"), Region.objects.get(code="39")
    assert c.deadline_at(kamchatka) == dt.datetime(2026, 12, 15, 23, 59, 59, 999999,
                                                     tzinfo=ZoneInfo("Asia/Kamchatka"))
    # Kamchatka's deadline passes 10 hours before Kaliningrad's.
    assert (c.deadline_at(kaliningrad) - c.deadline_at(kamchatka)) == dt.timedelta(hours=10)
    assert c.deadline_at(kamchatka).astimezone(UTC) == dt.datetime(2026, 12, 15, 11, 59, 59, 999999, tzinfo=UTC)


def test_regional_extension_and_window(world):
    c = make(world)
    kirov = Region.objects.get(code="43")
    services.set_regional_window(actor=Actor(user=world.operator), campaign=c, region=kirov,
                                 starts_on=dt.date(2026, 11, 2), ends_on=dt.date(2026, 11, 20),
                                 deadline=dt.date(2026, 12, 22), reason="Письмо министерства")
    c = Campaign.objects.prefetch_related("windows").get(pk=c.pk)
    assert c.deadline_for(kirov) == dt.date(2026, 12, 22)
    assert c.dates_for(kirov) == (dt.date(2026, 11, 2), dt.date(2026, 11, 20))
    assert c.deadline_for(Region.objects.get(code="77")) == dt.date(2026, 12, 15)
    with pytest.raises(ValidationError) as exc:
        services.set_regional_window(actor=Actor(user=world.operator), campaign=c, region=kirov,
                                     deadline=dt.date(2026, 12, 1))
    assert "Продлить можно только на более поздний срок" in exc.value.messages[0]


def test_home_status_counts_days_in_the_users_region(world):
    c = make(world)
    now = dt.datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    status = selectors.campaign_status(world.kirov_edu, c, now=now)
    assert status.region.code == "43"
    assert status.days_to_deadline == 24
    assert any("региональный отчёт" in line for line in status.todo)
    assert any("отчёты" in line for line in selectors.campaign_status(world.school_rep, c, now=now).todo)


def test_home_page_in_russian(client, world):
    c = make(world, year=timezone.localdate().year)
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Россия — страна со Знаком качества" in html
    assert f"{c.quality_day.day}\u00a0ноября {c.year}\u00a0г." in html
    assert "Сбор отчётов" in html


def test_draft_campaign_is_hidden_from_non_operators(client, world):
    services.create_campaign(actor=Actor(user=world.operator), year=2030, phase="draft")
    assert client.get("/campaigns/2030/").status_code == 404
    client.force_login(world.operator)
    assert client.get("/campaigns/2030/").status_code == 200
