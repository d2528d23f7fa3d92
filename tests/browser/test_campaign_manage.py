"""The operator prepares next year's campaign on a phone: creates it (a draft nobody else sees),
corrects a date after a clear message, gives a region a later deadline and announces it."""

import datetime as dt

import pytest

from qualityweek.campaigns.models import Campaign, RegionalWindow
from tests import factories as f

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_operator_prepares_and_announces_a_campaign_on_a_phone(page, world):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "operator@example.ru", f.PASSWORD)
    page.get_by_role("button", name="Меню").click()  # on a phone the header's links are behind «Меню»
    page.get_by_role("link", name="Управление кампаниями").click()
    page.get_by_role("heading", name="Управление кампаниями").wait_for()
    page.get_by_role("link", name="Новая кампания").click()
    year = int(page.get_by_label("Год").input_value())
    page.get_by_label("Девиз").fill("Качество — это мы")
    page.get_by_label("День качества").fill(f"{year}-12-01")
    page.get_by_role("button", name="Создать кампанию").click()
    error = page.locator("#id_quality_day_error")
    assert error.inner_text() == "День качества должен приходиться на Неделю качества."
    assert page.get_by_label("День качества").get_attribute("aria-invalid") == "true"
    assert not Campaign.objects.exists()
    assert no_sideways_scroll(page)
    page.get_by_label("День качества").fill("")
    page.get_by_role("button", name="Создать кампанию").click()
    page.get_by_role("heading", name=f"Неделя качества {year}").wait_for()
    assert Campaign.objects.get().phase == "draft"
    assert no_sideways_scroll(page)

    page.get_by_role("link", name="Добавить сроки региона").click()
    page.get_by_role("combobox", name="Регион").select_option(label="Кировская область")
    page.get_by_label("Продлённый срок отчётов").fill(f"{year}-12-22")
    page.get_by_label("Основание").fill("Письмо министерства")
    page.get_by_role("button", name="Сохранить сроки").click()
    page.get_by_role("cell", name="Кировская область", exact=True).wait_for()
    assert RegionalWindow.objects.get().deadline == dt.date(year, 12, 22)
    assert no_sideways_scroll(page)

    page.get_by_role("button", name="Перевести на этап «Объявлена»").click()
    page.get_by_text("Этап кампании: «Объявлена».").wait_for()
    assert Campaign.objects.get().phase == "announced"
    assert page.get_by_role("button", name="Вернуть на этап «Подготовка»").count() == 0
    page.get_by_role("link", name="← Управление кампаниями").click()
    page.get_by_role("cell", name="Качество — это мы").wait_for()
    assert no_sideways_scroll(page)
