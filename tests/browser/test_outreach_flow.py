"""The operator composes a letter from the seed-000 template, previews it, registers and sends it to
every education authority, and watches the tracking table fill while the sending job runs; an
acknowledgement opened from the e-mail shows up in the table."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from playwright.sync_api import expect

from qualityweek.core.audit import Actor
from qualityweek.outreach import services
from qualityweek.outreach.models import Dispatch
from qualityweek.outreach.tasks import send_dispatch_task
from tests import factories as f
from tests.outreach.conftest import authorities, campaign, operator_sender, smtp, templates  # noqa: F401 (fixtures)

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_compose_preview_send_and_track(page, world, settings, campaign, authorities,  # noqa: F811
                                        operator_sender, templates, smtp):  # noqa: F811
    # The sending job waits in the queue (as it does for a real worker) until the test runs it below.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    smtp.refuse.add("edu16@authority.example.ru")
    services.save_register(actor=Actor(user=world.operator), sender=operator_sender, year=campaign.year,
                           pattern="{n}-РСК", next_number=2174)
    log_in(page, "operator@example.ru", f.PASSWORD)

    page.get_by_role("link", name="Письма").first.click()
    page.get_by_role("link", name="Написать письмо").click()
    page.get_by_label("Шаблон").select_option(label=templates["education"].name)
    page.get_by_role("button", name="Сохранить черновик").click()

    # The preview is the letter on paper, with the dative addressee and the 2026 dates filled in.
    preview = page.get_by_role("article", name="Предварительный просмотр письма")
    expect(preview.get_by_test_id("addressee")).to_have_text("Руководителям органов управления образованием")
    expect(preview).to_contain_text(f"В {campaign.year}\u00a0году Неделя качества")
    expect(preview).to_contain_text("«Россия\u00a0— страна со\u00a0Знаком качества»")
    page.get_by_role("button", name="Зарегистрировать").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Письмо № 2174-РСК")
    expect(preview.get_by_test_id("registration")).to_contain_text("2174-РСК")

    if connection.vendor == "sqlite":
        # The test database is SQLite's shared-cache memory database, whose table locks make a poll
        # that reads while the worker writes fail at once. The polls are routed through Playwright,
        # which answers them only when the test calls it again — after the worker's writes.
        page.route("**/tracking/table/**", lambda route: route.continue_())
        page.route("**/dispatches/*/status/**", lambda route: route.continue_())
    page.get_by_role("link", name="Отправить").click()
    page.get_by_label("Все органы управления образованием регионов").check()
    page.get_by_role("button", name="Отправить").click()
    # The dispatch asks first: how many addressees, and who has no e-mail; nothing is queued yet.
    expect(page.get_by_test_id("confirm-total")).to_have_text("89")
    assert not Dispatch.objects.exists()
    page.get_by_role("button", name="Да, отправить").click()
    page.wait_for_url(re.compile(r".*/tracking/\?started=\d+$"))
    expect(page.get_by_test_id("dispatch-banner")).to_contain_text("Рассылка запущена")
    expect(page.get_by_test_id("count-queued")).to_have_text("89")
    expect(page.get_by_test_id("count-sent")).to_have_text("0")

    # A worker picks the job up; the page polls and the table fills without a reload.
    dispatch = Dispatch.objects.get()
    url = page.url
    send_dispatch_task.call(job_id=str(dispatch.job_id), dispatch_id=dispatch.pk)
    expect(page.get_by_test_id("count-sent")).to_have_text("88", timeout=20_000)
    expect(page.get_by_test_id("count-failed")).to_have_text("1")
    expect(page.get_by_test_id("count-queued")).to_have_text("0")
    # The banner follows the job and gives way to its outcome when it ends.
    expect(page.get_by_test_id("dispatch-banner")).to_contain_text("Рассылка завершена", timeout=20_000)
    expect(page.get_by_text("Рассылка запущена")).to_have_count(0)
    assert page.url == url
    failed_row = page.get_by_test_id("tracking-table").get_by_role("row").filter(has_text="Татарстан")
    expect(failed_row).to_contain_text("Mailbox unavailable")

    # An authority opens its link from the e-mail and acknowledges; the operator sees it.
    body = next(m.get_body(("plain",)).get_content() for m in smtp.messages
                if m["To"] == "edu43@authority.example.ru")
    ack = re.search(r"http://127\.0\.0\.1:8000(/outreach/ack/\S+/)", body).group(1)  # type: ignore[union-attr]
    other = page.context.new_page()
    other.goto(page.base_url + ack)
    other.get_by_role("button", name="Ознакомлен").click()
    expect(other.get_by_role("status")).to_contain_text("Спасибо")
    page.reload()
    expect(page.get_by_test_id("count-acknowledged")).to_have_text("1")
    kirov_row = page.get_by_test_id("tracking-table").get_by_role("row").filter(has_text="Кировской области")
    expect(kirov_row).to_contain_text("Ознакомлен")
