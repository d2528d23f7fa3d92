"""The photo job. Thin: the work is ``photos.process_photo``; the photo's status is its progress."""

from __future__ import annotations

from django.tasks import task

from .services import process_photo


@task()
def process_photo_task(*, photo_id: int) -> str:
    photo = process_photo(photo_id=photo_id)
    return photo.status if photo is not None else "gone"
