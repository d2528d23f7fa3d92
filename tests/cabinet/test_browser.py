"""The issue's flow at 390 px in a real browser: the coordinator returns a report, the e-mail
arrives over real SMTP; the school logs in, lands on its cabinet, sees the returned report at the
top with the comment, fixes and resubmits it; the coordinator's cabinet count changes."""

import pytest

from qualityweek.activities.models import Activity
from tests import factories as f
from tests.browser.conftest import log_in, page  # noqa: F401 (fixture)
from tests.smtp import SmtpServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def smtp(settings):
    with SmtpServer() as server:
        settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                                        "OPTIONS": {"host": "127.0.0.1", "port": server.port, "timeout": 10}}}
        yield server.inbox


def on_phone(first, email: str):
    context = first.context.browser.new_context(locale="ru-RU", viewport=PHONE)
    other = context.new_page()
    other.set_default_timeout(15_000)
    other.base_url = first.base_url
    log_in(other, email, f.PASSWORD)  # waits for the cabinet: the page after login
    return other


def no_sideways_scroll(tab) -> bool:
    width, inner = tab.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    return width <= inner


def queue_count(tab) -> str:
    tab.goto(tab.base_url + "/cabinet/")
    return tab.locator("#cab-queue-count").inner_text()


def test_returned_report_reaches_the_school_and_the_fix_reaches_the_coordinator(page, world, make_activity,  # noqa: F811
                                                                               smtp):
    activity = make_activity(status="submitted")
    coordinator = on_phone(page, "kirov.edu@example.ru")
    assert queue_count(coordinator) == "1"
    assert no_sideways_scroll(coordinator)
    coordinator.goto(page.base_url + f"/activities/{activity.pk}/")
    coordinator.get_by_label("Комментарий").fill("Добавьте ссылку на новость на сайте школы.")
    coordinator.get_by_role("button", name="Вернуть с комментарием").click()
    coordinator.get_by_text("Отчёт возвращён на доработку.").wait_for()
    assert queue_count(coordinator) == "0"

    # The e-mail went over the wire to the school's representative (and the teacher who is not its author: none).
    [message] = [m for m in smtp.messages if m["To"] == "school@example.ru"]
    assert "Отчёт возвращён на доработку" in str(message["Subject"])
    assert "Добавьте ссылку на новость на сайте школы." in message.get_body(("plain",)).get_content()

    school = on_phone(page, "school@example.ru")
    assert school.url == page.base_url + "/cabinet/"
    returned = school.locator("section.cab-returned")
    assert "Добавьте ссылку на новость на сайте школы." in returned.inner_text()
    first_heading = school.locator("main h2:not(.sr-only)").first.inner_text()
    assert first_heading.startswith("Возвращено на доработку")
    assert school.locator("#notif-badge .badge").inner_text().startswith("1")
    assert no_sideways_scroll(school)
    returned.get_by_role("link", name="Исправить и отправить").click()
    # The running total of participants follows the category fields (local JS, announced politely).
    total = school.locator("#participants-total")
    assert total.inner_text() == "75"
    school.get_by_label("Педагоги").fill("5")
    school.wait_for_function("document.getElementById('participants-total').textContent === '80'")
    assert school.locator("[data-testid=participants-total]").get_attribute("aria-live") == "polite"
    school.get_by_label("Ссылки на публикации").fill("https://school1.example.ru/news/1\nhttps://school1.example.ru/news/2")
    school.get_by_role("button", name="Отправить на проверку").click()
    school.get_by_text("Отчёт отправлен координатору.").wait_for()
    school.goto(page.base_url + "/cabinet/")
    assert school.locator("section.cab-returned").count() == 0

    assert queue_count(coordinator) == "1"
    assert Activity.objects.get(pk=activity.pk).status == Activity.Status.SUBMITTED
