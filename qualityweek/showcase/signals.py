"""Public-cache invalidation: whatever changes what a visitor sees bumps that section's version.
Bulk inserts (demo, import) do not send signals; their pages refresh within the cache timeout."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from qualityweek.activities.models import Activity, Photo
from qualityweek.campaigns.models import Campaign, RegionalWindow
from qualityweek.core import public_cache as cache
from qualityweek.directory.models import Organisation

from .models import BestPractice

SECTIONS_OF = {
    Activity: ("events", "campaign", "practices"),
    Photo: ("practices",),
    Organisation: ("events", "practices"),
    Campaign: cache.SECTIONS,
    RegionalWindow: ("campaign", "events"),
    BestPractice: ("practices", "campaign"),
}


def _activity_sections(instance: Activity, update_fields) -> tuple[str, ...]:
    """A workflow step on a private activity changes only the counters, not the listing or
    practices, so the reporting rush does not keep emptying the listing's cache."""
    if update_fields is None or "is_hidden" in update_fields:
        return SECTIONS_OF[Activity]
    return ("campaign", "events") if instance.is_public else ("campaign",)


@receiver(post_save)
@receiver(post_delete)
def bump_public_cache(sender, instance=None, update_fields=None, **kwargs) -> None:
    if sender is Activity:
        cache.bump(*_activity_sections(instance, update_fields))
    elif sender in SECTIONS_OF:
        cache.bump(*SECTIONS_OF[sender])
