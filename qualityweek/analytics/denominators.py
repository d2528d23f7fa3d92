"""The directory side of the dashboards: coverage denominators (registered active organisations
per region and sector), a materialised view of the directory kept in ``Denominator``."""

from __future__ import annotations

import time
from typing import Any

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from qualityweek.directory.models import Organisation

from .models import Denominator


def _from_directory() -> list[tuple]:
    """Registered active organisations per region and sector (regional authorities left out),
    computed from the directory in one grouped query."""
    now = timezone.now()
    rows = (Organisation.objects.filter(status=Organisation.Status.ACTIVE, authority="").order_by()
            .values("region_id", "sector")
            .annotate(n=Count("id"), with_size=Count("size"), size_total=Coalesce(Sum("size"), Value(0))))
    return [(r["region_id"], r["sector"], r["n"], r["with_size"], r["size_total"], now) for r in rows]


VERSION_KEY = "analytics:directory-version"


def directory_version() -> int:
    """Changes with every refresh of the stored denominators: what is cached beside them (the
    closed organisations' correction) puts it in its keys."""
    value: Any = cache.get_or_set(VERSION_KEY, time.time_ns, timeout=None)
    return int(value)


def refresh_denominators() -> None:
    """Store the denominators (the demo loader, ``recount_aggregates`` and benchmarks call it)."""
    objs = [Denominator(region_id=r, sector=s, organisations=n, with_size=w, size_total=t, refreshed_at=at)
            for r, s, n, w, t, at in _from_directory()]
    try:
        with transaction.atomic():
            Denominator.objects.all().delete()
            Denominator.objects.bulk_create(objs)
    except IntegrityError:  # a concurrent refresh at the same moment
        pass
    cache.set(VERSION_KEY, time.time_ns(), None)


def denominators(max_age: float) -> list[tuple]:
    """(region_id, sector, organisations, with_size, size_total, as_of) per region and sector: the
    stored rows while younger than ``max_age`` seconds, else computed afresh from the directory.
    A read never writes: the stored rows are only a cache that explicit refreshes fill."""
    fields = ("region_id", "sector", "organisations", "with_size", "size_total", "refreshed_at")
    rows = list(Denominator.objects.values_list(*fields))
    oldest = min((r[-1] for r in rows), default=None)
    if oldest is None or (timezone.now() - oldest).total_seconds() > max_age:
        return _from_directory()
    return rows
