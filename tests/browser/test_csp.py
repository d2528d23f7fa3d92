"""The strict Content-Security-Policy breaks nothing: the main pages of a visitor, a coordinator and a
school, with htmx at work (dashboard filters, photo upload), raise no policy violation at all."""

import pytest
from PIL import Image

from qualityweek.activities.models import Activity
from tests import factories as f

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Runs before any page script (Playwright injects it outside the page's policy).
RECORD = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', e => window.__violations.push(
  e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sourceFile || '') + ':' + e.lineNumber));
"""


def watched(page):
    page.add_init_script(RECORD)
    console = []
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: console.append(f"page error: {e}"))
    return console


def violations(page) -> list[str]:
    return page.evaluate("window.__violations")


def test_main_pages_raise_no_csp_violation(page, world, campaign, make_activity, tmp_path):
    console = watched(page)
    seen: list[str] = []
    for path in ["/", "/afisha/", "/practices/", "/campaigns/", "/accounts/login/", "/directory/regions/"]:
        page.goto(page.base_url + path)
        assert page.evaluate("typeof htmx") == "object"
        seen += violations(page)
    # htmx's own indicator style is off (the CSP would refuse its injected <style>).
    assert page.evaluate("document.querySelectorAll('head style').length") == 0

    log_in(page, world.kirov_edu.email, f.PASSWORD)
    page.goto(page.base_url + "/dashboard/")
    seen += violations(page)
    with page.expect_response(lambda r: "/dashboard/" in r.url and r.request.headers.get("hx-request") == "true"):
        page.locator("#id_year").dispatch_event("change")  # htmx fetches and swaps the dashboard body
    page.locator(".htmx-request").wait_for(state="detached")
    page.locator("#dashboard-body").wait_for()
    seen += violations(page)
    page.goto(page.base_url + "/activities/review/")
    seen += violations(page)
    page.goto(page.base_url + "/accounts/otp/setup/")  # the QR code is inline SVG
    page.locator(".otp-qr svg").wait_for()
    seen += violations(page)
    page.context.clear_cookies()

    activity = make_activity(status="planned")
    photo = tmp_path / "lesson.jpg"
    Image.new("RGB", (640, 480), (200, 120, 40)).save(photo, "JPEG")
    log_in(page, world.school_rep.email, f.PASSWORD)
    page.goto(page.base_url + "/activities/new/")
    seen += violations(page)
    page.goto(page.base_url + f"/activities/{activity.pk}/report/")
    seen += violations(page)
    page.goto(page.base_url + f"/activities/{activity.pk}/")
    page.get_by_label("Добавить фотографии").set_input_files([str(photo)])
    page.get_by_role("button", name="Загрузить").click()
    page.locator("#photos img").first.wait_for()  # (wait_for_function would need the eval the CSP refuses)
    seen += violations(page)
    assert Activity.objects.get(pk=activity.pk).photos.count() == 1
    assert not seen, seen + console
    assert not console, seen + console
