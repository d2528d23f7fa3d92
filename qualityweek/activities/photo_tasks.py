"""Alias of ``photos.tasks`` under its old dotted path: task results enqueued before the split name
``qualityweek.activities.photo_tasks.process_photo_task`` and must still resolve."""

from .photos.tasks import process_photo_task

__all__ = ["process_photo_task"]
