"""Phone crawl: every role opens every page it can reach at 390×844 (an ordinary phone). No page
scrolls sideways as a whole, and axe-core finds no critical or serious accessibility violation.

The pages are the role × URL matrix's GET routes (tests/test_url_matrix.py, tests/*/matrix*.py) with
its objects; a page is crawled for a role when it answers that role 200 with a whole HTML document
(JSON, files and htmx fragments are left out). One browser, one context per role, one tab reused.
axe-core is vendored in tests/browser/vendor/axe.min.js (see refresh-axe.sh for its version)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.matrix import ROLES
from tests.test_url_matrix import MATRIX, objects  # noqa: F401 (objects is a fixture)

from .conftest import CHROMIUM_ARGS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
# The matrix's roles and the company representative, who sees the pages of a business organisation.
CRAWL_ROLES = [*ROLES, "company_rep"]
PHONE = {"width": 390, "height": 844}

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"], elementRef: true});
  const bad = result.violations.filter(v => v.impact === "critical" || v.impact === "serious");
  return bad.filter(v => v.nodes.length).map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ") + " :: " + (n.failureSummary || "").split("\\n")[1]),
    count: v.nodes.length}));
}"""

WIDTH = """() => {
  const doc = document.documentElement;
  // (innerWidth is the window's width: a mobile emulation would zoom out and widen it to fit the page.)
  if (doc.scrollWidth <= window.innerWidth) return null;
  // Name the widest elements that stick out on the right, to say what to fix.
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.right > window.innerWidth + 1 && r.width > 0) {
      const classes = typeof el.className === "string" ? el.className.trim().split(/\\s+/).join(".") : "";
      out.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (classes ? "." + classes : "") +
               " right=" + Math.round(r.right));
    }
  }
  return {scrollWidth: doc.scrollWidth, innerWidth: window.innerWidth, offenders: out.slice(0, 6)};
}"""


def pages_for(user, objs) -> list[str]:
    """The GET pages that answer ``user`` 200 with a whole HTML document."""
    client = Client()
    if user is not None:
        client.force_login(user)
    urls = []
    for name, route in sorted(MATRIX.items()):
        if route.method != "GET":
            continue
        url = reverse(name, kwargs=route.kwargs(objs) if route.kwargs else None)
        response = client.get(url)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        if response.streaming or b"<html" not in response.content[:400].lower():
            continue  # an htmx fragment, not a page
        urls.append(url)
    return urls


def test_every_page_fits_a_phone_and_passes_axe(live_server, world, objects, monkeypatch):  # noqa: F811
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is not installed: `make test` installs it (apt-get install chromium).")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    started = time.monotonic()
    failures: list[str] = []
    crawled = 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        for role in CRAWL_ROLES:
            user = world.as_role(role)
            urls = pages_for(user, objects)
            # Not is_mobile: Chromium's mobile emulation zooms a too wide page out to fit, widening
            # window.innerWidth with it, and the check below would see nothing.
            context = browser.new_context(locale="ru-RU", viewport=PHONE, has_touch=True)
            # Playwright adds the script outside the page's Content-Security-Policy.
            context.add_init_script(path=str(AXE))
            if user is not None:
                client = Client()
                client.force_login(user)
                context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                                      "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                                      "url": live_server.url}])
            page = context.new_page()
            page.set_default_timeout(20_000)
            for url in urls:
                response = page.goto(live_server.url + url, wait_until="load")
                crawled += 1
                if response is None or response.status != 200:
                    failures.append(f"{role} {url}: status {response and response.status}")
                    continue
                wide = page.evaluate(WIDTH)
                if wide:
                    failures.append(f"{role} {url}: scrolls sideways {wide}")
                for v in page.evaluate(RUN_AXE):
                    failures.append(f"{role} {url}: axe {v['impact']} {v['id']} ({v['help']}) ×{v['count']} "
                                    f"{v['nodes']}")
            context.close()
        browser.close()
    elapsed = time.monotonic() - started
    print(f"\nphone crawl: {crawled} pages over {len(CRAWL_ROLES)} roles in {elapsed:.0f} s, "
          f"{len(failures)} failures")
    assert not failures, "\n".join(failures)


def _phone(browser, live_server, *, javascript: bool = True):
    context = browser.new_context(locale="ru-RU", viewport=PHONE, has_touch=True, java_script_enabled=javascript)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(live_server.url + "/")
    return page


def test_phone_header_folds_into_a_menu_button(live_server, world, monkeypatch):
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is not installed: `make test` installs it (apt-get install chromium).")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        page = _phone(browser, live_server)
        header = page.locator("header.site-header")
        button = page.get_by_role("button", name="Меню")
        menu = page.locator("#site-menu")
        assert button.get_attribute("aria-controls") == "site-menu"
        assert button.get_attribute("aria-expanded") == "false"
        assert not menu.is_visible()
        assert header.bounding_box()["height"] <= 80  # a compact bar, not a 200 px block
        # The keyboard opens it (Tab from the skip link, Enter), Escape closes it and keeps the focus.
        button.focus()
        page.keyboard.press("Enter")
        assert button.get_attribute("aria-expanded") == "true"
        assert page.get_by_role("link", name="Войти").is_visible()
        page.keyboard.press("Tab")
        page.keyboard.press("Escape")
        assert button.get_attribute("aria-expanded") == "false"
        assert page.evaluate("document.activeElement.classList.contains('menu-toggle')")
        button.click()
        assert menu.is_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

        # Without JavaScript the button stays hidden and the navigation is simply there.
        page = _phone(browser, live_server, javascript=False)
        assert not page.locator(".menu-toggle").is_visible()
        assert page.get_by_role("link", name="Войти").is_visible()

        # On a desktop screen the menu is the usual row and there is no button.
        context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(live_server.url + "/")
        assert not page.locator(".menu-toggle").is_visible()
        assert page.get_by_role("link", name="Войти").is_visible()
        browser.close()
