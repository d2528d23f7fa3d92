"""The national dashboard's rendered body, served stale-while-revalidate.

Every aggregate write bumps the campaign's figures generation (``core.public_cache``). During the
reporting season that happens several times a second, so a body cached per generation would almost
never be served. Instead the latest rendered body is kept with the generation it shows and the time
its figures were read, and:

- while the generation is unchanged (and the directory's denominators are fresh), it is served;
- when a newer generation exists but the body is younger than ``ANALYTICS_DASHBOARD_REFRESH``
  seconds, it is still served (the debounce: one re-render per window, however many writes);
- otherwise one request — the one that takes the re-render lock, at most one at a time per campaign,
  tab and metric across all processes — renders the new body and stores it; the others serve the
  previous one meanwhile.

So a figure on the page is at most ``ANALYTICS_DASHBOARD_REFRESH`` seconds (plus one render) behind
the reports, and the page says how old it is (``Body.age``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from qualityweek.core import public_cache
from qualityweek.core.text import plural_ru

# A re-render that died (a killed process) frees its lock after this many seconds.
LOCK_SECONDS = 60


def clock() -> float:
    """Wall-clock seconds (tests replace it to move time on without waiting)."""
    return time.time()


def refresh_seconds() -> float:
    return float(getattr(settings, "ANALYTICS_DASHBOARD_REFRESH", 10))


@dataclass(frozen=True)
class Body:
    html: str
    rendered_at: float  # when its figures were read (clock seconds)
    current: bool  # no write since those figures were read

    def age(self, now: float | None = None) -> int:
        return max(0, int((clock() if now is None else now) - self.rendered_at))


def _key(campaign_id: int, tab: str, metric: str) -> str:
    return f"analytics:dashboard-body:{campaign_id}:{tab}:{metric}"


def national_body(campaign_id: int, tab: str, metric: str, render: Callable[[], str]) -> Body:
    """The body to serve for the campaign's national dashboard (``render`` makes a new one)."""
    generation = public_cache.figures_generation(campaign_id)
    key = _key(campaign_id, tab, metric)
    entry = cache.get(key)
    now = clock()
    lock, locked = key + ":rendering", False
    if entry is not None:
        shown, rendered_at, html = entry
        age = now - rendered_at
        # The directory's denominators are part of the body: they refresh on their own timeout.
        fresh = age < float(getattr(settings, "ANALYTICS_DIRECTORY_TTL", 300))
        if shown == generation and fresh:
            return Body(html, rendered_at, current=True)
        if fresh and age < refresh_seconds():
            return Body(html, rendered_at, current=False)  # debounced
        locked = cache.add(lock, 1, LOCK_SECONDS)
        if not locked:
            return Body(html, rendered_at, current=False)  # another request is re-rendering it
    # Nothing to serve yet (every such request renders), or this request holds the re-render lock.
    try:
        html = render()
        # Stored with the generation read before rendering: a write meanwhile makes it stale at once.
        cache.set(key, (generation, now, html), None)
    finally:
        if locked:
            cache.delete(lock)
    return Body(html, now, current=public_cache.figures_generation(campaign_id) == generation)


def age_ru(seconds: int) -> str:
    """«только что», «1 секунду назад», «12 секунд назад», «3 минуты назад»."""
    if seconds < 1:
        return "только что"
    if seconds < 60:
        return f"{seconds_ru(seconds)} назад"
    minutes = seconds // 60
    return f"{minutes}\u00a0{plural_ru(minutes, 'минуту', 'минуты', 'минут')} назад"


def seconds_ru(n: int) -> str:
    """«1 секунду», «2 секунды», «10 секунд» (after «раз в»)."""
    return f"{n}\u00a0{plural_ru(n, 'секунду', 'секунды', 'секунд')}"
