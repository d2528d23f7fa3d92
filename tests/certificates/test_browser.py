"""The issue's «Done when», in a browser: the Kirov education coordinator issues certificates to every
Kirov school with approved activities in one job with a progress bar, downloads the ZIP, opens one
certificate, and its QR link shows it valid; the operator revokes it and the same link shows it
revoked."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
import segno
from django.db import connection
from playwright.sync_api import expect
from pypdf import PdfReader

from qualityweek.certificates import render
from qualityweek.certificates.models import Certificate
from qualityweek.certificates.tasks import issue_task
from qualityweek.core.models import Job
from tests import factories as f
from tests.browser.conftest import log_in, page  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_issue_download_verify_revoke(page, live_server, world, campaign, kirov, settings):  # noqa: F811
    settings.SITE_URL = live_server.url  # the QR code points at this server
    # The job waits in the queue (as it does for a real worker) until the test runs it below.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    log_in(page, "kirov.edu@example.ru", f.PASSWORD)
    page.goto(page.base_url + "/certificates/")
    page.get_by_role("link", name="Выдать сертификаты").click()
    page.get_by_label("Что выдать").select_option(label=f"Организации с принятыми отчётами о мероприятиях — "
                                                        f"Неделя качества {campaign.year}")
    page.get_by_label("Кому").select_option(label="Кировская область, образование")
    if connection.vendor == "sqlite":
        # SQLite's test database locks whole tables: the page's polls are answered only when the test
        # calls Playwright again, after the worker's writes (as tests/browser/test_outreach_flow.py does).
        page.route("**/jobs/**", lambda route: route.continue_())
    page.get_by_role("button", name="Выдать").click()
    page.wait_for_url(re.compile(r".*/jobs/[0-9a-f-]+/$"))
    expect(page.get_by_role("progressbar")).to_be_visible()
    expect(page.locator("section[aria-live]")).to_contain_text("В очереди")

    job = Job.objects.get(kind="certificates.issue")
    issue_task.call(job_id=str(job.pk), **job.task_kwargs[0])
    download_link = page.get_by_role("link", name=re.compile("Скачать"))
    expect(download_link).to_be_visible(timeout=20_000)
    expect(page.locator("section[aria-live]")).to_contain_text("Выдано новых: 2")

    with page.expect_download() as info:
        download_link.click()
    with zipfile.ZipFile(info.value.path()) as z:
        names = sorted(z.namelist())
        assert len(names) == 2  # the two Kirov schools with approved activities
        pdf_bytes = z.read(names[0])
    text = " ".join(PdfReader(io.BytesIO(pdf_bytes)).pages[0].extract_text().split())
    url = re.search(re.escape(live_server.url) + r"/c/[A-Za-z0-9_-]+/", text).group(0)  # type: ignore[union-attr]
    cert = Certificate.objects.get(number_text=names[0].removesuffix(".pdf"))
    assert cert.holder_name in text
    # The QR code printed on the certificate encodes exactly this link.
    assert render.qr_svg(url) == segno.make(url, error="m", micro=False, mask=3).svg_inline(
        scale=4, border=2, omitsize=False)

    visitor = page.context.browser.new_context(locale="ru-RU").new_page()  # type: ignore[union-attr]
    visitor.goto(url)
    expect(visitor.get_by_role("status")).to_contain_text("Действителен")
    expect(visitor.locator("main")).to_contain_text(cert.number_text)

    # The operator revokes it; the same link now says so, with the reason.
    page.context.clear_cookies()
    log_in(page, "operator@example.ru", f.PASSWORD)
    page.goto(page.base_url + f"/certificates/{cert.pk}/")
    page.get_by_role("link", name="Отозвать").click()
    page.get_by_label("Причина отзыва").fill("Отчёт школы признан недостоверным")
    page.get_by_role("button", name="Отозвать").click()
    expect(page.locator("main")).to_contain_text("Отозван")
    visitor.reload()
    expect(visitor.get_by_role("status")).to_contain_text("Отозван")
    expect(visitor.get_by_role("status")).to_contain_text("Отчёт школы признан недостоверным")

    # At 390 px the verification page does not scroll sideways.
    visitor.set_viewport_size({"width": 390, "height": 800})
    assert visitor.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
