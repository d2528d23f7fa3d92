import re

import pytest
from django.utils.html import strip_tags

from qualityweek.activities import services
from qualityweek.activities.models import Activity, ActivityEvent, ActivityType

pytestmark = pytest.mark.django_db


def shown_count(response) -> str:
    """The counter line above a list, as a person reads it: «3 отчёта»."""
    match = re.search(r'data-testid="activity-count">(.*?)</p>', response.content.decode(), re.S)
    return " ".join(strip_tags(match.group(1)).split())


def plan_form(campaign, token="8d7c4b4e-1111-4a7a-9a55-1d2f3e4a5b6c", **overrides):
    return {"organisation": "", "type": ActivityType.objects.get(code="quality_lesson").pk,
            "title": "Урок качества для 5–7 классов", "starts_on": campaign.quality_day.isoformat(),
            "ends_on": campaign.quality_day.isoformat(), "format": "in_person", "client_token": token} | overrides


def test_school_plans_reports_and_submits_through_the_pages(client, world, campaign):
    client.force_login(world.school_rep)
    data = plan_form(campaign, organisation=world.kirov_school.pk)
    first = client.post("/activities/new/", data)
    again = client.post("/activities/new/", data)  # a double click sends the same token
    assert first.status_code == again.status_code == 302
    activity = Activity.objects.get()
    assert first["Location"] == again["Location"] == f"/activities/{activity.pk}/"
    page = client.get(f"/activities/{activity.pk}/report/").content.decode()
    assert "Учащиеся 5–9 классов" in page
    assert "Клиенты и посетители" not in page
    response = client.post(f"/activities/{activity.pk}/report/", {
        "pupils_5_9": "75", "teachers": "3", "description": "Провели урок в трёх классах.",
        "links": "https://vk.com/wall-1_1\nhttps://school1.example.ru/news", "consent_on_file": "on",
        "submit": "1"})
    assert response.status_code == 302
    activity.refresh_from_db()
    assert (activity.status, activity.pupils_5_9, activity.participants) == ("submitted", 75, 78)
    assert activity.links == ["https://vk.com/wall-1_1", "https://school1.example.ru/news"]
    assert "Отчёт на проверке" in client.get(f"/activities/{activity.pk}/").content.decode()


def test_bad_plan_shows_russian_errors_by_field(client, world, campaign):
    client.force_login(world.school_rep)
    response = client.post("/activities/new/", plan_form(campaign, organisation=world.kirov_school.pk,
                                                         starts_on="2001-01-01", ends_on="31.02.2026"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Введите правильную дату." in html
    assert Activity.objects.count() == 0


def test_report_errors_are_shown_next_to_fields(client, world, make_activity):
    activity = make_activity(status="planned")
    client.force_login(world.school_rep)
    response = client.post(f"/activities/{activity.pk}/report/", {"pupils_5_9": "-4", "links": "ftp://x",
                                                                   "submit": "1"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Убедитесь, что это значение больше либо равно 0." in html
    activity.refresh_from_db()
    assert activity.status == "planned"
    assert activity.pupils_5_9 == 0


def test_review_queue_and_bulk_approve(client, world, make_activity):
    reports = [make_activity(status="submitted") for _ in range(3)]
    client.force_login(world.kirov_edu)
    assert shown_count(client.get("/activities/review/")) == "3 отчёта"
    response = client.post("/activities/review/", {"ids": [reports[0].pk, reports[1].pk, "x"]})
    assert response.status_code == 302
    assert sorted(Activity.objects.values_list("status", flat=True)) == ["approved", "approved", "submitted"]


def test_review_page_query_count_is_bounded(client, world, make_activity, django_assert_max_num_queries):
    for _ in range(30):
        make_activity(status="submitted")
    client.force_login(world.kirov_edu)
    with django_assert_max_num_queries(12):
        assert client.get("/activities/review/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/activities/?status=submitted&kind=school&municipality=Киров&late=1").status_code == 200


def test_returned_comment_and_history_are_visible_to_the_school(client, world, make_activity):
    activity = make_activity(status="returned")
    client.force_login(world.school_rep)
    html = client.get(f"/activities/{activity.pk}/").content.decode()
    assert "Координатор вернул отчёт" in html
    assert "Добавьте фото." in html
    assert "Возвращено на доработку" in html


def test_foreign_region_activity_is_404(client, world, make_activity):
    activity = make_activity(status="submitted")
    client.force_login(world.moscow_edu)
    assert client.get(f"/activities/{activity.pk}/").status_code == 404
    assert client.post(f"/activities/{activity.pk}/approve/").status_code == 404
    assert Activity.objects.get(pk=activity.pk).status == "submitted"
    assert shown_count(client.get("/activities/")) == "0 мероприятий"


def test_filters_narrow_the_list(client, world, make_activity):
    make_activity(status="submitted")
    make_activity(status="approved")
    client.force_login(world.kirov_edu)
    assert shown_count(client.get("/activities/?status=approved")) == "1 мероприятие"
    assert shown_count(client.get("/activities/?type=quality_lesson")) == "2 мероприятия"
    assert shown_count(client.get("/activities/?type=open_day")) == "0 мероприятий"
    assert shown_count(client.get("/activities/?status=bogus&late=maybe")) == "2 мероприятия"


REPORT = {"pupils_5_9": "75", "description": "Провели урок в трёх классах.", "consent_on_file": "on", "submit": "1"}


def test_save_and_submit_is_one_transaction(client, world, make_activity, monkeypatch):
    """A failure while submitting leaves the report as it was, not saved and unsubmitted."""
    activity = make_activity(status="planned")

    def broken(**_):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "validate_submission", broken)
    client.force_login(world.school_rep)
    client.raise_request_exception = False
    assert client.post(f"/activities/{activity.pk}/report/", REPORT).status_code == 500
    activity.refresh_from_db()
    assert (activity.status, activity.description, activity.pupils_5_9) == ("planned", "", 0)


def test_a_double_click_on_submit_is_answered_as_sent(client, world, make_activity):
    activity = make_activity(status="planned")
    client.force_login(world.school_rep)
    first = client.post(f"/activities/{activity.pk}/report/", REPORT)
    second = client.post(f"/activities/{activity.pk}/report/", REPORT, follow=True)
    assert first.status_code == 302
    assert second.status_code == 200
    assert "Отчёт отправлен координатору." in second.content.decode()
    assert ActivityEvent.objects.filter(activity=activity, to_status="submitted").count() == 1


def test_review_queue_shows_sent_date_waiting_time_photos_and_sorts(client, world, make_activity):
    import datetime as dt

    from django.utils import timezone

    from qualityweek.activities.models import Photo

    old, fresh = make_activity(status="submitted"), make_activity(status="submitted")
    Activity.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - dt.timedelta(days=3, hours=2))
    Activity.objects.filter(pk=fresh.pk).update(submitted_at=timezone.now() - dt.timedelta(hours=5))
    Photo.objects.create(activity=fresh, status=Photo.Status.READY, image="a.jpg")
    Photo.objects.create(activity=fresh, status=Photo.Status.READY, image="b.jpg")
    Photo.objects.create(activity=fresh, status=Photo.Status.REJECTED)
    client.force_login(world.kirov_edu)
    html = client.get("/activities/review/").content.decode()
    waits = [w.replace("\xa0", " ") for w in re.findall(r'data-testid="waiting">(.*?)</td>', html)]
    photos = [strip_tags(p) for p in re.findall(r'data-testid="photos">(.*?)</td>', html)]
    assert waits == ["3 дня", "5 часов"]  # the longest waiting first, by default
    assert photos == ["0", "2"]  # only the ready photos count
    assert "<th scope=\"col\">Отправлен</th>" in html
    newest = client.get("/activities/review/?sort=newest").content.decode()
    assert re.findall(r'data-testid="waiting">(.*?)</td>', newest) == ["5\xa0часов", "3\xa0дня"]
    fewest = client.get("/activities/review/?sort=photos").content.decode()
    assert [strip_tags(p) for p in re.findall(r'data-testid="photos">(.*?)</td>', fewest)] == ["0", "2"]
    assert client.get("/activities/review/?sort=DROP").status_code == 200  # an unknown order is the default


def test_waiting_time_in_russian():
    import datetime as dt

    from qualityweek.activities.selectors import waiting_ru

    now = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.UTC)
    cases = {dt.timedelta(minutes=20): "меньше часа", dt.timedelta(hours=1): "1 час", dt.timedelta(hours=22): "22 часа",
             dt.timedelta(days=1): "1 день", dt.timedelta(days=11): "11 дней", dt.timedelta(days=21): "21 день",
             dt.timedelta(days=5): "5 дней"}
    for delta, text in cases.items():
        assert waiting_ru(now - delta, now).replace("\xa0", " ") == text


def test_review_page_shows_the_report_before_the_decision(client, world, make_activity):
    activity = make_activity(status="submitted")
    client.force_login(world.kirov_edu)
    html = client.get(f"/activities/{activity.pk}/").content.decode()
    assert html.index("<h2>Отчёт</h2>") < html.index("Провели урок.") < html.index("Принять отчёт")
    assert html.index("Провели урок.") < html.index("Вернуть с комментарием")


def test_report_form_has_a_running_total_of_participants(client, world, make_activity):
    activity = make_activity(status="returned")
    client.force_login(world.school_rep)
    html = client.get(f"/activities/{activity.pk}/report/").content.decode()
    assert 'aria-live="polite" data-testid="participants-total"' in html
    assert re.search(r'<output id="participants-total" for="[^"]*id_pupils_5_9[^"]*">75</output>', html)
    assert '<span id="participants-word">участников</span>' in html
    assert 'data-participants="1"' in html
    assert "/static/activities/report.js" in html
