"""The campaign services called directly: each use case, its rule, its audit entry and its
Russian message by field on bad input (with nothing changed)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qualityweek.campaigns import services
from qualityweek.campaigns.models import Campaign, RegionalWindow
from qualityweek.core.audit import Actor
from qualityweek.core.models import AuditEntry
from qualityweek.directory.models import Region

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def op(world):
    return Actor(user=world.operator)


@pytest.fixture
def c2027(op):
    return services.create_campaign(actor=op, year=2027, motto="Девиз")


@pytest.fixture
def kirov():
    return Region.objects.get(code="43")


def errors(exc) -> dict[str, list[str]]:
    return exc.value.message_dict


# --- create ---------------------------------------------------------------------------------------

def test_a_new_campaign_is_a_draft_by_the_calendar_rule(op, c2027):
    assert c2027.phase == Campaign.Phase.DRAFT
    assert (c2027.week_start, c2027.week_end, c2027.quality_day, c2027.report_deadline) == (
        D(2027, 11, 8), D(2027, 11, 14), D(2027, 11, 11), D(2027, 12, 15))
    entry = AuditEntry.objects.get(action="campaign.create")
    assert entry.after["year"] == 2027
    assert entry.actor_email == "operator@example.ru"


def test_the_system_creates_campaigns_for_the_demo(world):
    services.create_campaign(actor=Actor.system(), year=2028)
    assert AuditEntry.objects.get(action="campaign.create").role == "система"


@pytest.mark.parametrize("role", ["editor", "kirov_edu", "school_rep", "juror"])
def test_only_the_operators_administrator_creates(world, role):
    with pytest.raises(PermissionDenied):
        services.create_campaign(actor=Actor(user=world.as_role(role)), year=2027)
    with pytest.raises(PermissionDenied):
        services.create_campaign(actor=Actor.public("127.0.0.1"), year=2027)
    assert not Campaign.objects.exists()
    assert not AuditEntry.objects.exists()


def test_a_year_is_created_once(op, c2027):
    with pytest.raises(ValidationError) as exc:
        services.create_campaign(actor=op, year=2027, motto="Другой")
    assert errors(exc)["year"] == ["Кампания 2027 года уже есть: измените её, а не создавайте заново."]
    assert Campaign.objects.get().motto == "Девиз"
    assert AuditEntry.objects.count() == 1


@pytest.mark.parametrize("year", [1999, 2101])
def test_the_year_is_in_range(op, year):
    with pytest.raises(ValidationError) as exc:
        services.create_campaign(actor=op, year=year)
    assert errors(exc)["year"] == ["Укажите год от 2000 до 2100."]


@pytest.mark.parametrize(("dates", "field", "message"), [
    ({"week_start": D(2027, 11, 14), "week_end": D(2027, 11, 8)}, "week_end",
     "Неделя качества не может закончиться раньше, чем началась."),
    ({"quality_day": D(2027, 11, 20)}, "quality_day", "День качества должен приходиться на Неделю качества."),
    ({"report_deadline": D(2027, 11, 12)}, "report_deadline",
     "Срок отчётов не может быть раньше конца Недели качества."),
    ({"report_deadline": D(2029, 1, 15)}, "report_deadline", "Срок отчётов — не позже следующего года после кампании."),
])
def test_dates_out_of_order_are_refused_by_field(op, dates, field, message):
    with pytest.raises(ValidationError) as exc:
        services.create_campaign(actor=op, year=2027, **dates)
    assert errors(exc)[field] == [message]
    assert not Campaign.objects.exists()


# --- update ---------------------------------------------------------------------------------------

def test_the_operator_changes_motto_and_dates(op, c2027):
    services.update_campaign(actor=op, campaign=c2027, motto="  Новый девиз ", report_deadline=D(2027, 12, 20),
                             submissions_closed=True)
    c2027.refresh_from_db()
    assert (c2027.motto, c2027.report_deadline, c2027.submissions_closed) == ("Новый девиз", D(2027, 12, 20), True)
    entry = AuditEntry.objects.get(action="campaign.update")
    assert entry.before == {"motto": "Девиз", "report_deadline": "2027-12-15", "submissions_closed": False}


def test_a_bad_change_changes_nothing(op, c2027):
    with pytest.raises(ValidationError) as exc:
        services.update_campaign(actor=op, campaign=c2027, motto="Новый", week_end=D(2027, 11, 1))
    assert "week_end" in errors(exc)
    c2027.refresh_from_db()
    assert (c2027.motto, c2027.week_end) == ("Девиз", D(2027, 11, 14))
    assert not AuditEntry.objects.filter(action="campaign.update").exists()


def test_the_phase_is_not_a_field_to_edit(op, c2027):
    with pytest.raises(ValueError, match="cannot be changed"):
        services.update_campaign(actor=op, campaign=c2027, phase="closed")


@pytest.mark.parametrize("role", ["editor", "kirov_edu"])
def test_only_the_administrator_changes(world, c2027, role):
    with pytest.raises(PermissionDenied):
        services.update_campaign(actor=Actor(user=world.as_role(role)), campaign=c2027, motto="Чужой")
    c2027.refresh_from_db()
    assert c2027.motto == "Девиз"


# --- phase ----------------------------------------------------------------------------------------

def test_the_phase_moves_step_by_step_and_is_audited(op, c2027):
    for phase in ("announced", "running", "reporting", "closed", "reporting"):
        services.move_phase(actor=op, campaign=c2027, phase=phase)
        assert Campaign.objects.get(pk=c2027.pk).phase == phase == c2027.phase
    entries = list(AuditEntry.objects.filter(action="campaign.phase").order_by("pk"))
    assert [(e.before, e.after) for e in entries[:1]] == [({"phase": "draft"}, {"phase": "announced"})]
    assert len(entries) == 5


@pytest.mark.parametrize(("start", "target", "message"), [
    ("draft", "running", "Из этапа «Подготовка» нельзя перейти к этапу «Идёт Неделя качества»."),
    ("announced", "draft", "Из этапа «Объявлена» нельзя перейти к этапу «Подготовка»."),
    ("closed", "draft", "Из этапа «Завершена» нельзя перейти к этапу «Подготовка»."),
    ("draft", "finished", "Из этапа «Подготовка» нельзя перейти к этапу «finished»."),
])
def test_a_jump_is_refused(op, start, target, message):
    campaign = services.create_campaign(actor=op, year=2027, phase=start)
    with pytest.raises(ValidationError) as exc:
        services.move_phase(actor=op, campaign=campaign, phase=target)
    assert errors(exc)["phase"] == [message]
    assert Campaign.objects.get().phase == start
    assert not AuditEntry.objects.filter(action="campaign.phase").exists()


def test_only_the_administrator_moves_the_phase(world, c2027):
    with pytest.raises(PermissionDenied):
        services.move_phase(actor=Actor(user=world.editor), campaign=c2027, phase="announced")
    assert Campaign.objects.get().phase == "draft"


# --- regional windows -----------------------------------------------------------------------------

def test_a_window_is_set_then_changed_in_one_row(op, c2027, kirov):
    services.set_regional_window(actor=op, campaign=c2027, region=kirov, deadline=D(2027, 12, 22), reason=" Письмо ")
    services.set_regional_window(actor=op, campaign=c2027, region=kirov, starts_on=D(2027, 11, 1),
                                 ends_on=D(2027, 11, 21), deadline=D(2027, 12, 25), reason="Письмо")
    window = RegionalWindow.objects.get()
    assert (window.starts_on, window.deadline, window.reason) == (D(2027, 11, 1), D(2027, 12, 25), "Письмо")
    first, second = AuditEntry.objects.filter(action="campaign.regional_window").order_by("pk")
    assert first.before is None
    assert second.before == {"starts_on": None, "ends_on": None, "deadline": "2027-12-22"}


@pytest.mark.parametrize(("dates", "field"), [
    ({}, "starts_on"),
    ({"starts_on": D(2027, 11, 20), "ends_on": D(2027, 11, 10)}, "ends_on"),
    ({"deadline": D(2027, 12, 1)}, "deadline"),
])
def test_a_bad_window_is_refused_by_field(op, c2027, kirov, dates, field):
    with pytest.raises(ValidationError) as exc:
        services.set_regional_window(actor=op, campaign=c2027, region=kirov, **dates)
    assert field in errors(exc)
    assert not RegionalWindow.objects.exists()


def test_a_window_is_removed_and_audited(op, c2027, kirov):
    window = services.set_regional_window(actor=op, campaign=c2027, region=kirov, deadline=D(2027, 12, 22))
    services.delete_regional_window(actor=op, window=window)
    assert not RegionalWindow.objects.exists()
    assert AuditEntry.objects.get(action="campaign.regional_window_delete").before["deadline"] == "2027-12-22"


def test_only_the_administrator_sets_windows(world, op, c2027, kirov):
    coordinator = Actor(user=world.kirov_edu)
    with pytest.raises(PermissionDenied):
        services.set_regional_window(actor=coordinator, campaign=c2027, region=kirov, deadline=D(2027, 12, 22))
    window = services.set_regional_window(actor=op, campaign=c2027, region=kirov, deadline=D(2027, 12, 22))
    with pytest.raises(PermissionDenied):
        services.delete_regional_window(actor=coordinator, window=window)
    assert RegionalWindow.objects.count() == 1
