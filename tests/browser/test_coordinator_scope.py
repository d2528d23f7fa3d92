import pytest

from tests import factories as f

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_regional_coordinator_sees_only_own_region(page, world):
    f.organisation("43", name="МБДОУ «Детский сад № 12 «Радуга» г. Киров", kind="kindergarten")
    f.organisation("77", name="ГБОУ Школа № 2086")
    log_in(page, "kirov.edu@example.ru", f.PASSWORD)

    page.get_by_role("link", name="Организации").first.click()
    rows = page.locator("table tbody tr")
    names = rows.locator("td:first-child").all_inner_texts()
    assert sorted(names) == sorted(["МБОУ СОШ № 1 г. Кирова", "МБДОУ «Детский сад № 12 «Радуга» г. Киров"])
    assert page.get_by_test_id("org-count").inner_text() == "2 организации"
    assert all(r == "Кировская обл." for r in rows.locator("td:nth-child(2)").all_inner_texts())

    # Keyboard and label: the search field is reachable by its label and filters the list.
    page.get_by_label("Название, город или ИНН").fill("Радуга")
    page.keyboard.press("Enter")
    page.wait_for_url("**/directory/organisations/?q=*")
    assert page.get_by_test_id("org-count").inner_text() == "1 организация"

    response = page.goto(page.base_url + f"/directory/organisations/{world.moscow_school.pk}/")
    assert response.status == 404
