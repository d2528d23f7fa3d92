"""A person registers on the public page, receives the ticket over real SMTP (PDF attached), and the
forum's staff check them in by typing the code on a phone-sized page; a second check-in is refused."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from qualityweek.directory.models import RoleAssignment
from tests import factories as f
from tests.browser.conftest import log_in, page  # noqa: F401 (fixture)
from tests.browser.test_csp import violations, watched
from tests.smtp import SmtpServer

from .conftest import make_forum, plenary

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def smtp(settings):
    with SmtpServer() as server:
        settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                                        "OPTIONS": {"host": "127.0.0.1", "port": server.port, "timeout": 10}}}
        yield server.inbox


def _wait_for(inbox, to: str):
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        for m in inbox.messages:
            if m["To"] == to:
                return m
        time.sleep(0.1)
    raise AssertionError(f"no message to {to}")


def test_register_get_ticket_by_smtp_and_check_in_on_a_phone(page, world, smtp):  # noqa: F811
    forum = make_forum(world.operator)
    RoleAssignment.objects.filter(user=world.forum_staff).update(event_id=forum.pk)
    session = plenary(forum)

    page.goto(page.base_url + "/forum/")
    expect(page.get_by_test_id(f"seats-{session.pk}")).to_have_text("свободно 10 мест")
    page.get_by_role("link", name="Пленарное заседание").click()
    page.get_by_role("link", name="Зарегистрироваться").click()
    page.get_by_label("Фамилия, имя, отчество").fill("Кузнецова Мария Ивановна")
    page.get_by_label("E-mail").fill("maria@example.ru")
    page.get_by_role("button", name="Зарегистрироваться").click()
    # Without the consent nothing is saved, and the form says why in Russian.
    expect(page.get_by_text("Без согласия на обработку персональных данных")).to_be_visible()
    page.get_by_label("Я даю согласие на обработку персональных данных").check()
    page.get_by_role("button", name="Зарегистрироваться").click()
    expect(page.get_by_test_id("status")).to_have_text("Подтверждена")
    shown = page.get_by_test_id("ticket-code").inner_text()

    message = _wait_for(smtp, "maria@example.ru")
    body = message.get_body(("plain",)).get_content()
    code = re.search(r"Код билета: ([A-Z0-9-]{14})", body).group(1)  # type: ignore[union-attr]
    assert code == shown
    pdf = next(part for part in message.iter_attachments() if part.get_filename().endswith(".pdf"))
    assert pdf.get_content()[:4] == b"%PDF"
    session.refresh_from_db()
    assert session.taken == 1
    page.goto(page.base_url + "/forum/")
    expect(page.get_by_test_id(f"seats-{session.pk}")).to_have_text("свободно 9 мест")

    phone = page.context.browser.new_context(locale="ru-RU", viewport={"width": 390, "height": 844})
    staff = phone.new_page()
    staff.base_url = page.base_url
    console = watched(staff)  # the check-in page's scripts (jsQR, checkin.js) live under the strict CSP
    log_in(staff, world.forum_staff.email, f.PASSWORD)
    staff.goto(f"{page.base_url}/forum/{forum.pk}/checkin/")
    staff.get_by_label("Код билета").fill(code.lower())
    staff.get_by_role("button", name="Отметить вход").click()
    result = staff.get_by_test_id("checkin-result")
    expect(result).to_contain_text("Вход отмечен")
    expect(result).to_contain_text("Кузнецова Мария Ивановна")
    expect(result).to_contain_text("Индивидуальная")
    assert staff.evaluate("document.documentElement.scrollWidth") <= 390
    staff.get_by_label("Код билета").fill(code)
    staff.get_by_role("button", name="Отметить вход").click()
    expect(result).to_contain_text("Повторный вход: билет уже отмечен")
    assert staff.evaluate("document.documentElement.scrollWidth") <= 390
    assert staff.evaluate("typeof jsQR") == "function"
    assert violations(staff) == []
    assert console == []
    phone.close()
