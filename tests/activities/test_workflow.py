import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qualityweek.activities import services
from qualityweek.activities.models import Activity, ActivityEvent, ActivityType
from qualityweek.campaigns import services as campaign_services
from qualityweek.core.audit import Actor
from qualityweek.core.models import AuditEntry
from qualityweek.directory.models import Role
from tests import factories as f

pytestmark = pytest.mark.django_db
LESSON = "quality_lesson"


def plan(world, campaign, **overrides):
    data = {"type": ActivityType.objects.get(code=LESSON), "title": "Урок качества", "starts_on": campaign.quality_day,
            "ends_on": campaign.quality_day, "format": "in_person"} | overrides
    return services.plan_activity(actor=Actor(user=world.school_rep), campaign=campaign,
                                  organisation=world.kirov_school, **data)


def test_full_loop_with_history_and_audit(world, make_activity):
    school, coordinator = Actor(user=world.school_rep), Actor(user=world.kirov_edu)
    activity = make_activity(status="planned")
    services.save_report(actor=school, activity=activity, pupils_5_9=75, description="3 класса, 75 учащихся",
                         links=["https://vk.com/wall-1_2"])
    services.submit(actor=school, activity=activity)
    services.return_for_changes(actor=coordinator, activity=activity, comment="Приложите фото.")
    activity.refresh_from_db()
    assert activity.status == "returned"
    assert activity.review_comment == "Приложите фото."
    services.save_report(actor=school, activity=activity, pupils_5_9=76)
    services.submit(actor=school, activity=activity)
    services.approve(actor=coordinator, activity=activity)
    activity.refresh_from_db()
    assert activity.status == "approved"
    assert activity.pupils_5_9 == 76
    assert list(ActivityEvent.objects.filter(activity=activity).values_list("to_status", flat=True)) == [
        "planned", "submitted", "returned", "submitted", "approved"]
    assert ActivityEvent.objects.get(activity=activity, to_status="returned").comment == "Приложите фото."
    actions = list(AuditEntry.objects.filter(object_id=str(activity.pk), object_type="activities.Activity")
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["activity.plan", "activity.report", "activity.submitted", "activity.returned",
                       "activity.report", "activity.submitted", "activity.approved"]


def test_approved_is_locked_and_reopen_needs_a_reason(world, make_activity):
    activity = make_activity(status="approved")
    with pytest.raises(PermissionDenied):
        services.save_report(actor=Actor(user=world.school_rep), activity=activity, pupils_5_9=1)
    with pytest.raises(ValidationError) as exc:
        services.reopen(actor=Actor(user=world.kirov_edu), activity=activity, reason=" ")
    assert "Укажите причину" in exc.value.messages[0]
    services.reopen(actor=Actor(user=world.kirov_edu), activity=activity, reason="Ошибка в числах")
    activity.refresh_from_db()
    assert activity.status == "submitted"


def test_return_requires_comment(world, make_activity):
    activity = make_activity(status="submitted")
    with pytest.raises(ValidationError) as exc:
        services.return_for_changes(actor=Actor(user=world.kirov_edu), activity=activity, comment="")
    assert exc.value.message_dict["comment"] == ["Напишите, что нужно исправить: организация увидит комментарий."]
    assert Activity.objects.get(pk=activity.pk).status == "submitted"


def test_submitting_twice_creates_one_report(world, make_activity):
    activity = make_activity(status="submitted")
    services.submit(actor=Actor(user=world.school_rep), activity=activity)
    assert ActivityEvent.objects.filter(activity=activity, to_status="submitted").count() == 1


def test_double_posted_plan_creates_one_activity(world, campaign):
    token = uuid.uuid4()
    first = plan(world, campaign, client_token=token)
    second = plan(world, campaign, client_token=token)
    assert first.pk == second.pk
    assert Activity.objects.count() == 1


def test_coordinators_review_only_their_region_and_sector(world, make_activity):
    activity = make_activity(status="submitted")
    for user in (world.moscow_edu, world.kirov_business, world.school_rep, world.editor):
        with pytest.raises(PermissionDenied):
            services.approve(actor=Actor(user=user), activity=activity)
    assert Activity.objects.get(pk=activity.pk).status == "submitted"


def test_teacher_reports_but_company_rep_cannot_touch_a_school(world, campaign):
    activity = plan(world, campaign)
    services.save_report(actor=Actor(user=world.teacher), activity=activity, pupils_1_4=20, description="Урок")
    with pytest.raises(PermissionDenied):
        services.save_report(actor=Actor(user=world.company_rep), activity=activity, pupils_1_4=1)


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"pupils_5_9": -3}, "pupils_5_9", "Число участников не может быть отрицательным."),
    ({"pupils_5_9": 250_000}, "pupils_5_9", "Слишком большое число (250000)"),
    ({"customers": 10}, "customers", "категория «Клиенты и посетители» не учитывается"),
    ({"pupils_10_11": 1500}, "pupils_1_4", "больше чем вдвое превышает численность организации (500)"),
    ({"links": ["javascript:alert(1)"]}, "links", "не похожа на адрес страницы"),
    ({"links": ["http://127.0.0.1/admin"]}, "links", "не похожа на адрес страницы"),
])
def test_bad_report_changes_nothing(world, campaign, fields, field, message):
    activity = plan(world, campaign)
    before = (Activity.objects.values().get(pk=activity.pk), AuditEntry.objects.count())
    with pytest.raises(ValidationError) as exc:
        services.save_report(actor=Actor(user=world.school_rep), activity=activity, **fields)
    assert any(message in m for m in exc.value.message_dict[field])
    assert (Activity.objects.values().get(pk=activity.pk), AuditEntry.objects.count()) == before


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"type": "open_day_for_business"}, "type", None),
    ({"starts_on": "far"}, "starts_on", "Даты вне сроков кампании"),
    ({"ends_on": "before"}, "ends_on", "Окончание не может быть раньше начала."),
    ({"title": "   "}, "title", "Укажите название мероприятия."),
])
def test_bad_plan_changes_nothing(world, campaign, overrides, field, message):
    data = {}
    if overrides.get("type"):
        data["type"] = ActivityType.objects.get(code="leader_contest")  # a business-only type
        message = "не предназначен для сферы «Образование»"
    if overrides.get("starts_on") == "far":
        data["starts_on"] = data["ends_on"] = campaign.week_start - dt.timedelta(days=30)
    if overrides.get("ends_on") == "before":
        data["ends_on"] = campaign.quality_day - dt.timedelta(days=1)
    if "title" in overrides:
        data["title"] = overrides["title"]
    with pytest.raises(ValidationError) as exc:
        plan(world, campaign, **data)
    assert any(message in m for m in exc.value.message_dict[field])
    assert Activity.objects.count() == 0


def test_submit_needs_participants_and_a_description_or_link(world, campaign):
    activity = plan(world, campaign)
    with pytest.raises(ValidationError) as exc:
        services.submit(actor=Actor(user=world.school_rep), activity=activity)
    assert set(exc.value.message_dict) == {"pupils_1_4", "description"}


def test_a_future_activity_cannot_be_reported(world, campaign):
    campaign_services.update_campaign(actor=Actor(user=world.operator), campaign=campaign,
                                      week_end=campaign.report_deadline)
    later = campaign.report_deadline
    activity = plan(world, campaign, starts_on=later, ends_on=later)
    services.save_report(actor=Actor(user=world.school_rep), activity=activity, pupils_1_4=5, description="x")
    with pytest.raises(ValidationError) as exc:
        services.submit(actor=Actor(user=world.school_rep), activity=activity)
    assert "Мероприятие ещё не прошло" in exc.value.messages[0]


def test_late_flag_follows_the_region_time_zone_and_extensions(world, campaign):
    """Kamchatka's deadline passes at 11:59:59 UTC; a report a minute later is late there
    but on time in Kirov; a regional extension makes it on time again."""
    kamchatka_school = f.organisation("41", name="Школа № 1 г. Петропавловска-Камчатского")
    rep = f.user(Role.ORG_REP, org=kamchatka_school)
    deadline = campaign.report_deadline
    after_kamchatka = dt.datetime.combine(deadline, dt.time(12, 1), tzinfo=ZoneInfo("UTC"))

    def submitted(org, user):
        a = services.plan_activity(actor=Actor(user=user), campaign=campaign, organisation=org,
                                   type=ActivityType.objects.get(code=LESSON), title="Урок",
                                   starts_on=campaign.quality_day, ends_on=campaign.quality_day)
        services.save_report(actor=Actor(user=user), activity=a, pupils_1_4=10, description="Урок")
        return services.submit(actor=Actor(user=user), activity=a, now=after_kamchatka)

    assert submitted(kamchatka_school, rep).is_late is True
    assert submitted(world.kirov_school, world.school_rep).is_late is False
    campaign_services.set_regional_window(actor=Actor(user=world.operator), campaign=campaign,
                                          region=kamchatka_school.region, deadline=deadline + dt.timedelta(days=3))
    campaign.refresh_from_db()
    assert submitted(kamchatka_school, rep).is_late is False


def test_operator_can_close_submissions(world, campaign, make_activity):
    activity = make_activity(status="planned")
    services.save_report(actor=Actor(user=world.school_rep), activity=activity, pupils_1_4=5, description="x")
    campaign_services.update_campaign(actor=Actor(user=world.operator), campaign=campaign, submissions_closed=True)
    with pytest.raises(ValidationError) as exc:
        services.submit(actor=Actor(user=world.school_rep), activity=Activity.objects.get(pk=activity.pk))
    assert "закрыт оператором" in exc.value.messages[0]


def test_bulk_approve_only_touches_reports_in_scope(world, make_activity):
    mine = [make_activity(status="submitted") for _ in range(3)]
    business = make_activity(world.kirov_company, type_code="open_day", status="submitted", customers=40)
    count = services.bulk_approve(actor=Actor(user=world.kirov_edu), ids=[a.pk for a in mine] + [business.pk])
    assert count == 3
    assert Activity.objects.get(pk=business.pk).status == "submitted"


def test_cancel(world, make_activity):
    activity = make_activity(status="planned")
    services.cancel(actor=Actor(user=world.school_rep), activity=activity, reason="Карантин")
    with pytest.raises(ValidationError):
        services.submit(actor=Actor(user=world.school_rep), activity=Activity.objects.get(pk=activity.pk))
