"""Reads of the import: a coordinator's batches and the (region, sector) pairs they may import into."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from qualityweek.directory.access import principal
from qualityweek.directory.models import Region, Sector

from ..models import ImportBatch


def batches_for(user: Any) -> QuerySet[ImportBatch]:
    """A coordinator sees the imports they uploaded; everyone else sees none (a foreign one is a 404)."""
    if not getattr(user, "is_authenticated", False):
        return ImportBatch.objects.none()
    return ImportBatch.objects.filter(uploaded_by=user).select_related("region", "campaign", "job")


def import_scopes(user: Any) -> list[tuple[Region, str]]:
    """The (region, sector) pairs the user may import into, in a stable order."""
    pairs = sorted(principal(user).regions)
    regions = Region.objects.in_bulk([r for r, _ in pairs])
    return [(regions[r], s) for r, s in pairs if r in regions]


def scope_label(region: Region, sector: str) -> str:
    return f"{region.short_name} — {Sector(sector).label.lower()}"
