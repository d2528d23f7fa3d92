"""Content-Security-Policy: a strict policy on every page, and templates that need nothing inline."""

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2] / "qualityweek"
INLINE = [
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"<style(?![^>]*nonce=)", re.I), "<style> without a nonce"),
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*nonce=)", re.I), "inline <script> without a nonce"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "on* event handler"),
    (re.compile(r"\shx-on", re.I), "hx-on handler"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_templates_have_no_inline_styles_scripts_or_handlers():
    found = []
    for path in ROOT.rglob("templates/**/*.html"):
        text = path.read_text(encoding="utf-8")
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    for path in ROOT.rglob("*.py"):  # HTML built in Python (the SVG map, its legend)
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<[a-z][^>]*\sstyle=", text):
            found.append(f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, match.start()) + 1}: style attribute")
    assert not found, "\n".join(found)


@pytest.mark.parametrize(("role", "url"), [("anonymous", "/"), ("anonymous", "/afisha/"),
                                      ("anonymous", "/accounts/login/"), ("kirov_edu", "/dashboard/"),
                                      ("school_rep", "/activities/new/")])
def test_pages_carry_a_strict_policy(client, world, campaign, role, url):
    user = world.as_role(role)
    if user:
        client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    policy = directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"][0] == "'self'"
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["style-src"][0] == "'self'"
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert "'self'" in policy["connect-src"]
    assert '<meta name="htmx-config"' in response.content.decode()
