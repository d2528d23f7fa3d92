"""«Мой кабинет»: what each role sees, the next step of each activity, and a bounded number of
queries per role whatever the amount of data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from qualityweek.cabinet.selectors import next_step
from qualityweek.directory.models import Organisation
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_login_lands_on_the_cabinet(client, world):
    world.school_rep.set_password("Parol-2026-kirov")
    world.school_rep.save()
    response = client.post(reverse("login"), {"username": "school@example.ru", "password": "Parol-2026-kirov"})
    assert response.status_code == 302
    assert response["Location"] == reverse("cabinet")
    page = client.get(reverse("cabinet")).content.decode()
    assert "Мой кабинет" in page
    assert 'aria-live="polite"' in page
    assert reverse("notification_badge") in page


def test_school_sees_its_returned_report_first_with_the_comment(client, world, make_activity):
    make_activity(status="returned")
    make_activity(status="planned")
    # Another organisation's returned report: never shown to the school.
    make_activity(world.kirov_company, type_code="open_day", status="returned", customers=30)
    client.force_login(world.school_rep)
    page = client.get(reverse("cabinet")).content.decode()
    returned = page.index("Возвращено на доработку: 1")
    assert returned < page.index("Мои мероприятия")
    assert "Добавьте фото." in page
    assert "Исправить и отправить" in page
    assert "Вятский" not in page
    assert "Проверка отчётов" not in page
    assert "Воронка" not in page


def test_days_left_use_the_russian_plural(client, world, campaign):
    client.force_login(world.school_rep)
    page = client.get(reverse("cabinet")).content.decode()
    assert "<strong>20 дней</strong>" in page  # the fixture's deadline is in 20 days
    campaign.report_deadline = timezone.localdate() + dt.timedelta(days=1)
    campaign.save()
    assert "<strong>1 день</strong>" in client.get(reverse("cabinet")).content.decode()
    campaign.report_deadline = timezone.localdate() + dt.timedelta(days=3)
    campaign.save()
    assert "<strong>3 дня</strong>" in client.get(reverse("cabinet")).content.decode()


def test_next_step_follows_the_activity(world, make_activity):
    today = timezone.localdate()
    planned = make_activity(status="planned")
    assert next_step(planned, today).label == "Заполнить отчёт"
    assert next_step(planned, planned.ends_on - dt.timedelta(days=1)).url_name == "activity_edit"
    assert next_step(make_activity(status="submitted"), today).url_name == ""
    assert next_step(make_activity(status="returned"), today).url_name == "activity_report"


def test_coordinator_sees_queue_unreported_organisations_and_sign_ups(client, world, make_activity):
    make_activity(status="submitted")
    make_activity(status="submitted")
    # Business: the other coordinator's queue.
    make_activity(world.kirov_company, type_code="open_day", status="submitted", customers=30)
    f.organisation("43", name="МБОУ Лицей № 21", status=Organisation.Status.PENDING)
    f.organisation("43", name="МКОУ ООШ д. Бор")  # active, no report yet
    client.force_login(world.kirov_edu)
    page = client.get(reverse("cabinet")).content.decode()
    assert '<strong id="cab-queue-count">2</strong> отчёта' in page
    assert "Заявки организаций: 1" in page
    assert "МБОУ Лицей № 21" in page
    assert "МКОУ ООШ д. Бор" in page
    assert "Напомнить" in page
    assert "Не начат" in page  # the regional report


def test_operator_sees_the_national_funnel_and_lagging_regions(client, world, make_activity):
    make_activity(status="approved")
    make_activity(status="planned")
    client.force_login(world.operator)
    page = client.get(reverse("cabinet")).content.decode()
    assert "Воронка кампании" in page
    assert "Запланировано мероприятий</span> <strong>2</strong>" in page
    assert "Принято отчётов</span> <strong>1</strong>" in page
    assert "Отстающие регионы" in page
    assert "Обращения без ответа: 0" in page


# Measured on SQLite: 15, 15, 16, 14, 14, 6 (session and user included); a coordinator's count grows by
# two per (region, sector) pair covered, never with the number of activities or organisations.
@pytest.mark.parametrize(("role", "limit"), [("school_rep", 17), ("teacher", 17), ("kirov_edu", 18),
                                              ("operator", 16), ("editor", 16), ("juror", 8)])
def test_query_count_does_not_grow_with_the_data(client, world, make_activity, django_assert_max_num_queries,
                                                 role, limit):
    for _ in range(3):
        make_activity(status="submitted")
        make_activity(status="returned")
        make_activity(status="planned")
        f.organisation("43", name=f"Школа {_}", status=Organisation.Status.PENDING)
        f.organisation("43", name=f"Школа без отчёта {_}")
    client.force_login(world.as_role(role))
    client.get(reverse("cabinet"))  # warm the per-process caches (activity types, regions)
    with django_assert_max_num_queries(limit):
        assert client.get(reverse("cabinet")).status_code == 200
