"""Anonymous public pages are cached whole. Each page depends on content sections; a change in a
section bumps its version number, so every key built from the old version is simply never read
again (no key scanning, works the same with local memory and Redis).

Bumps happen **after commit** (``bump_on_commit``), called by the services that change public data:
a bump made before the commit would let a visitor's request in between cache the old data under
the new version. The figures of a campaign have a generation number of their own, bumped the
same way by whatever writes the tallies.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse

TIMEOUT = 300
SECTIONS = ("campaign", "events", "practices", "forum")


def _version_key(section: str) -> str:
    return f"public:version:{section}"


def bump(*sections: str) -> None:
    for section in sections:
        try:
            cache.incr(_version_key(section))
        except ValueError:
            cache.set(_version_key(section), 2, None)


def bump_on_commit(*sections: str) -> None:
    """Bump once the surrounding transaction commits (at once outside a transaction)."""
    transaction.on_commit(lambda: bump(*sections))


def _generation_key(campaign_id: int) -> str:
    return f"figures:generation:{campaign_id}"


def figures_generation(campaign_id: int) -> int:
    """A number that changes whenever the campaign's figures change: caches of figures put it in their keys."""
    value: Any = cache.get_or_set(_generation_key(campaign_id), time.time_ns, timeout=None)
    return int(value)


def bump_figures_on_commit(campaign_ids: Iterable[int]) -> None:
    """After commit: the campaigns' figures and every public page showing them are rebuilt on the next request."""
    ids = sorted(set(campaign_ids))

    def bump_all() -> None:
        for campaign_id in ids:
            try:
                cache.incr(_generation_key(campaign_id))
            except ValueError:
                cache.set(_generation_key(campaign_id), time.time_ns(), None)
        bump("campaign")

    transaction.on_commit(bump_all)


def versions(sections: tuple[str, ...]) -> str:
    stored = cache.get_many([_version_key(s) for s in sections])
    return ".".join(str(stored.get(_version_key(s), 1)) for s in sections)


def public_page(*sections: str, timeout: int = TIMEOUT) -> Callable:
    """Cache a view's response for anonymous GETs; signed-in users always get a fresh page."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method != "GET" or request.user.is_authenticated:
                return view(request, *args, **kwargs)
            digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
            key = f"public:page:{versions(sections)}:{digest}"  # one path, one view: the path is enough
            hit = cache.get(key)
            if hit is not None:
                status, content_type, body, extra = hit
                response = HttpResponse(body, status=status, content_type=content_type)
                for header, value in extra.items():
                    response[header] = value
                response["X-Cache"] = "hit"
                return response
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.streaming:
                if hasattr(response, "render"):
                    response.render()
                extra = {h: response[h] for h in ("Content-Disposition",) if h in response}
                cache.set(key, (response.status_code, response["Content-Type"], response.content, extra), timeout)
            response["X-Cache"] = "miss"
            return response

        return wrapped

    return decorator
