"""Issue 3's flow in a real browser: plan -> report with a photo -> returned -> fixed -> approved ->
visible in the regional report."""

import pytest
from PIL import Image
from pypdf import PdfReader
from python_calamine import CalamineWorkbook

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
    photos = [tmp_path / "lesson-1.jpg", tmp_path / "lesson-2.jpg"]
    for n, path in enumerate(photos):
        Image.new("RGB", (800, 600), (200, 120 + n * 40, 40)).save(path, "JPEG")

    school = as_user(page, "school@example.ru")
    school.goto(page.base_url + "/activities/new/")
    school.get_by_label("Тип мероприятия").select_option(label="Урок качества")
    school.get_by_label("Название").fill("Урок качества для 5–7 классов")
    school.get_by_role("button", name="Сохранить план").click()
    school.get_by_role("link", name="Заполнить отчёт").click()
    school.get_by_label("Учащиеся 5–9 классов").fill("75")
    school.get_by_label("Как прошло мероприятие").fill("Три класса, 75 учащихся: читали этикетки, сравнивали товары.")
    school.get_by_label("Ссылки на публикации").fill("https://vk.com/wall-1_100")
    school.get_by_role("button", name="Сохранить черновик").click()
    school.get_by_label("Добавить фотографии").set_input_files([str(p) for p in photos])
    school.get_by_role("button", name="Загрузить").click()
    school.locator("#photos img").nth(1).wait_for()  # the page's CSP refuses wait_for_function's eval
    school.get_by_role("button", name="Отправить на проверку").click()
    school.get_by_text("Отчёт на проверке").first.wait_for()
    activity = Activity.objects.get()

    coordinator = as_user(page, "kirov.edu@example.ru")
    coordinator.goto(page.base_url + "/activities/review/")
    coordinator.get_by_role("link", name="Урок качества для 5–7 классов").click()
    coordinator.get_by_label("Комментарий").fill("Укажите, сколько педагогов провели урок.")
    coordinator.get_by_role("button", name="Вернуть с комментарием").click()
    coordinator.get_by_text("Отчёт возвращён на доработку.").wait_for()

    school.goto(page.base_url + f"/activities/{activity.pk}/")
    assert "Укажите, сколько педагогов провели урок." in school.content()
    school.get_by_role("link", name="Исправить отчёт").click()
    school.get_by_label("Педагоги").fill("3")
    school.get_by_role("button", name="Отправить на проверку").click()
    school.get_by_text("Отчёт отправлен координатору.").wait_for()

    coordinator.goto(page.base_url + f"/activities/{activity.pk}/")
    coordinator.get_by_role("button", name="Принять отчёт").click()
    coordinator.get_by_text("Отчёт принят.").wait_for()

    coordinator.goto(page.base_url + f"/reports/{campaign.year}/43/education/")
    assert "Урок качества для 5–7 классов" in coordinator.content()
    with coordinator.expect_download() as xlsx:
        coordinator.get_by_role("link", name="Скачать XLSX").click()
    with coordinator.expect_download() as pdf:
        coordinator.get_by_role("link", name="Скачать PDF").click()
    sheets = CalamineWorkbook.from_path(str(xlsx.value.path()))
    cells = [str(c) for name in sheets.sheet_names for row in sheets.get_sheet_by_name(name).to_python() for c in row]
    assert "Урок качества для 5–7 классов" in cells
    text = " ".join(p.extract_text() for p in PdfReader(str(pdf.value.path())).pages)
    assert "Урок качества для 5–7 классов" in " ".join(text.split())
    activity.refresh_from_db()
    assert (activity.status, activity.pupils_5_9, activity.teachers, activity.photos.filter(status="ready").count()) \
        == ("approved", 75, 3, 2)
