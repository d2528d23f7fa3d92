"""The public site's identity: the logo and favicon, and the footer with the operator's contacts."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

PAGES = ["/", "/afisha/", "/practices/", "/figures/", "/privacy/", "/personal-data/consent/", "/accounts/login/"]


@pytest.mark.parametrize("url", PAGES)
def test_every_public_page_has_the_logo_and_the_footer(client, db, url):
    html = client.get(url).content.decode()
    assert '<link rel="icon" href="/static/core/favicon.svg" type="image/svg+xml">' in html
    assert "/static/core/public.css" in html
    footer = html[html.index('<footer class="site-footer">'):]
    assert '/static/core/logo.svg' in footer
    for text in ["Роскачество", "119071, Россия, г. Москва, ул. Орджоникидзе, д. 12", "+7 (495) 777-43-12",
                 "mailto:tabolova@roskachestvo.gov.ru", 'href="/privacy/"', 'href="/personal-data/consent/"']:
        assert text in footer, text
    assert html.count("<h1") == 1, "one main heading per page"


def test_the_logo_files_are_svg():
    for name in ("core/logo.svg", "core/favicon.svg"):
        path = finders.find(name)
        assert path, name
        text = Path(path).read_text(encoding="utf-8")
        assert text.lstrip().startswith("<svg")
        assert "viewBox" in text
    assert "Неделя" in Path(finders.find("core/logo.svg")).read_text(encoding="utf-8")
