"""The directory side of the dashboards: coverage denominators (registered active organisations
per region and sector), a materialised view of the directory kept in ``Denominator``."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Count, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from qualityweek.directory.models import Organisation

from .models import Denominator


def refresh_denominators() -> None:
    """Registered active organisations per region and sector (regional authorities left out),
    recomputed from the directory in one grouped query."""
    now = timezone.now()
    rows = (Organisation.objects.filter(status=Organisation.Status.ACTIVE, authority="").order_by()
            .values("region_id", "sector")
            .annotate(n=Count("id"), with_size=Count("size"), size_total=Coalesce(Sum("size"), Value(0))))
    objs = [Denominator(region_id=r["region_id"], sector=r["sector"], organisations=r["n"],
                        with_size=r["with_size"], size_total=r["size_total"], refreshed_at=now) for r in rows]
    try:
        with transaction.atomic():
            Denominator.objects.all().delete()
            Denominator.objects.bulk_create(objs)
    except IntegrityError:  # a concurrent request refreshed them at the same moment
        pass


def denominators(max_age: float) -> list[tuple]:
    """(region_id, sector, organisations, with_size, size_total, refreshed_at) per region and sector,
    refreshed first when older than ``max_age`` seconds (organisations change rarely; the dashboard
    says as of when)."""
    fields = ("region_id", "sector", "organisations", "with_size", "size_total", "refreshed_at")
    rows = list(Denominator.objects.values_list(*fields))
    oldest = min((r[-1] for r in rows), default=None)
    if oldest is None or (timezone.now() - oldest).total_seconds() > max_age:
        refresh_denominators()
        rows = list(Denominator.objects.values_list(*fields))
    return rows
