"""Rate limits on forms anyone can post (docs/decisions/0013): counters per client address and per
e-mail in the shared cache (django-ratelimit), limits in ``settings.RATE_LIMITS``.

A view asks ``over_limit(request, "password_reset", email=...)`` before doing anything; when it is
over, it answers ``limited_response(request)``: HTTP 429 with a Russian page, nothing changed, no mail.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit.core import is_ratelimited

from .http import client_ip


def over_limit(request: HttpRequest, name: str, *, email: str | None = None) -> bool:
    """Count this POST against the limits named ``<name>_ip`` and (given an e-mail) ``<name>_email``;
    True when one of them is exceeded. Every counter is incremented, so a blocked client stays blocked."""
    limits: dict[str, str] = settings.RATE_LIMITS
    over = False
    if rate := limits.get(f"{name}_ip"):
        over |= is_ratelimited(request, group=f"qw:{name}:ip", key=lambda _g, r: client_ip(r), rate=rate,
                               method="POST", increment=True)
    address = (email or "").strip().lower()
    if address and (rate := limits.get(f"{name}_email")):
        over |= is_ratelimited(request, group=f"qw:{name}:email", key=lambda _g, _r: address, rate=rate,
                               method="POST", increment=True)
    return over


def limited_response(request: HttpRequest) -> HttpResponse:
    return render(request, "core/rate_limited.html", status=429)
