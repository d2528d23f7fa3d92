"""The cheap link check of reports and imports agrees with Django's URLValidator on real-world
addresses, and refuses what a report must not link to (loopback, other schemes, credentials)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from qualityweek.activities.services import is_public_url

VALID = [
    "https://vk.com/wall-1_2", "http://school5.kirov.ru/news/2026/11/12/urok-kachestva.html",
    "https://xn--80ak6aa92e.xn--p1ai/", "https://школа5.рф/новости?id=7#фото", "https://example.ru:8443/a/b",
    "https://t.me/s/roskachestvo/123", "https://youtu.be/dQw4w9WgXcQ?t=30", "https://8.8.8.8/x",
    "https://sub-domain.example.co.uk./path", "http://a.b-c.de/%D0%B0",
]
# Refused by URLValidator too.
INVALID = [
    "javascript:alert(1)", "ftp://example.ru/file", "https://", "example.ru", "http://exa mple.ru/",
    "http://-bad-.ru/", "http://example", "data:text/html,hi", "https://" + "a" * 2100 + ".ru/",
]
# Accepted by URLValidator, refused here: nothing a report should link to.
STRICTER = [
    "http://127.0.0.1/admin", "http://localhost:8000/", "http://[::1]/", "http://0.0.0.0/",
    "http://user:pass@example.ru/", "http://example.ru/<script>", "http://example.ru/\x00",
    "http://example.ru:0/", "http://example.ru:99999/", "https://ex_ample.ru/",
]


@pytest.mark.parametrize("link", VALID)
def test_real_world_links_pass_as_with_urlvalidator(link):
    URLValidator(schemes=["http", "https"])(link)  # the reference accepts it too
    assert is_public_url(link)


@pytest.mark.parametrize("link", INVALID)
def test_what_urlvalidator_refuses_is_refused(link):
    with pytest.raises(ValidationError):
        URLValidator(schemes=["http", "https"])(link)
    assert not is_public_url(link)


@pytest.mark.parametrize("link", STRICTER)
def test_loopback_credentials_and_stray_characters_are_refused(link):
    assert not is_public_url(link)
