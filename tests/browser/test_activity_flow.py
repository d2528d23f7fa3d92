"""Issue 3's flow in a real browser: plan -> report with a photo -> returned -> fixed -> approved ->
visible in the regional report."""

import pytest
from PIL import Image

from qualityweek.activities.models import Activity
from tests import factories as f

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def as_user(page, email: str):
    context = page.context.browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    other = context.new_page()
    other.set_default_timeout(15_000)
    other.base_url = page.base_url
    log_in(other, email, f.PASSWORD)
    return other


def test_plan_report_return_fix_approve_and_regional_report(page, world, campaign, tmp_path):
    photo = tmp_path / "lesson.jpg"
    Image.new("RGB", (800, 600), (200, 120, 40)).save(photo, "JPEG")

    school = as_user(page, "school@example.ru")
    school.goto(page.base_url + "/activities/new/")
    school.get_by_label("Тип мероприятия").select_option(label="Урок качества")
    school.get_by_label("Название").fill("Урок качества для 5–7 классов")
    school.get_by_role("button", name="Сохранить план").click()
    school.get_by_role("link", name="Заполнить отчёт").click()
    school.get_by_label("Учащиеся 5–9 классов").fill("75")
    school.get_by_label("Как прошло мероприятие").fill("Три класса, 75 учащихся: читали этикетки и сравнивали товары.")
    school.get_by_label("Ссылки на публикации").fill("https://vk.com/wall-1_100")
    school.get_by_role("button", name="Сохранить черновик").click()
    school.get_by_label("Добавить фотографии").set_input_files(str(photo))
    school.get_by_role("button", name="Загрузить").click()
    school.wait_for_selector("#photos img")
    school.get_by_role("button", name="Отправить на проверку").click()
    school.get_by_text("Отчёт на проверке").first.wait_for()
    activity = Activity.objects.get()

    coordinator = as_user(page, "kirov.edu@example.ru")
    coordinator.goto(page.base_url + "/activities/review/")
    coordinator.get_by_role("link", name="Урок качества для 5–7 классов").click()
    coordinator.get_by_label("Комментарий").fill("Уточните число учащихся по классам.")
    coordinator.get_by_role("button", name="Вернуть с комментарием").click()
    coordinator.get_by_text("Отчёт возвращён на доработку.").wait_for()

    school.goto(page.base_url + f"/activities/{activity.pk}/")
    assert "Уточните число учащихся по классам." in school.content()
    school.get_by_role("link", name="Исправить отчёт").click()
    school.get_by_label("Учащиеся 5–9 классов").fill("76")
    school.get_by_role("button", name="Отправить на проверку").click()
    school.get_by_text("Отчёт отправлен координатору.").wait_for()

    coordinator.goto(page.base_url + f"/activities/{activity.pk}/")
    coordinator.get_by_role("button", name="Принять отчёт").click()
    coordinator.get_by_text("Отчёт принят.").wait_for()

    coordinator.goto(page.base_url + f"/reports/{campaign.year}/43/education/")
    report = coordinator.content()
    assert "Урок качества для 5–7 классов" in report and "76" in report
    activity.refresh_from_db()
    assert (activity.status, activity.pupils_5_9, activity.photos.filter(status="ready").count()) == ("approved", 76, 1)
