"""Public-cache invalidation: whatever changes what a visitor sees bumps that section's version.
Bulk inserts (demo, import) do not send signals; their pages refresh within the cache timeout."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from qualityweek.activities.models import Activity, Photo
from qualityweek.campaigns.models import Campaign, RegionalWindow
from qualityweek.directory.models import Organisation

from . import cache
from .models import BestPractice

SECTIONS_OF = {
    Activity: ("events", "campaign", "practices"),
    Photo: ("practices",),
    Organisation: ("events", "practices"),
    Campaign: cache.SECTIONS,
    RegionalWindow: ("campaign", "events"),
    BestPractice: ("practices", "campaign"),
}


@receiver(post_save)
@receiver(post_delete)
def bump_public_cache(sender, **kwargs) -> None:
    sections = SECTIONS_OF.get(sender)
    if sections:
        cache.bump(*sections)
