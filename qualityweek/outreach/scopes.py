"""Who writes on which letterhead, as query filters: below the models and the selectors, so both
use it without importing each other."""

from __future__ import annotations

from django.db.models import Q

from qualityweek.directory.access import principal
from qualityweek.directory.models import Organisation

# A coordinator's sector and the regional authority whose letters they write.
AUTHORITY_OF_SECTOR = {"education": Organisation.Authority.EDUCATION, "business": Organisation.Authority.INDUSTRY}
SECTOR_OF_AUTHORITY = {v: k for k, v in AUTHORITY_OF_SECTOR.items()}

NOTHING = Q(pk__in=[])


def sender_filter(user, prefix: str = "") -> Q:
    """The letterheads a user writes on: the operator's, or their own authorities'."""
    p = principal(user)
    q = Q(**{f"{prefix}is_operator": True}) if p.is_operator else NOTHING
    for region_id, sector in sorted(p.regions):
        q |= Q(**{f"{prefix}organisation__region_id": region_id,
                  f"{prefix}organisation__authority": AUTHORITY_OF_SECTOR[sector]})
    return q
