"""Small HTTP helpers shared by the apps' views."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, default: str, *, field: str = "next") -> str:
    """The `next` the form posted (or the query string carried) when it points to this site, else `default`.

    Absolute URLs to other hosts, scheme-relative `//host` and odd schemes are refused, so a crafted
    form cannot send a coordinator from a review button to a foreign page.
    """
    candidate = request.POST.get(field) or request.GET.get(field) or ""
    if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return candidate
    return default


def client_ip(request: HttpRequest) -> str:
    """The visitor's address: REMOTE_ADDR, or behind our reverse proxy (BEHIND_PROXY) the last address
    the proxy appended to X-Forwarded-For — the one a client cannot forge."""
    if getattr(settings, "BEHIND_PROXY", False):
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR") or "0.0.0.0"  # noqa: S104 - an address to count by, nothing binds to it
