"""Photo evidence of an activity: upload, validation, re-encoding, deletion.

An upload is checked by its content (magic bytes, then Pillow reading the header and verifying the
file), never by its name or the browser's content type, and kept in quarantine under
``private/quarantine/`` of the file storage (``core.files``: local or the object store). A job then
decodes it, applies the EXIF orientation, and writes a fresh JPEG built from the pixels alone —
EXIF (GPS!), XMP, comments, colour profiles and any payload glued to the file are gone — plus a
thumbnail, under random names in ``private/photos/``. The files are served by
``photos.views.photo_file`` only to those who may see the activity; nothing here is ever reachable
through MEDIA_URL.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from PIL import Image

from qualityweek.core import audit, files, images, jobs, public_cache
from qualityweek.core.audit import Actor
from qualityweek.core.permissions import can, require
from qualityweek.core.text import count_ru

from ..models import Activity, Photo, photo_path

log = logging.getLogger(__name__)

MAX_PHOTOS = 10
MAX_BYTES = 15 * 1024 * 1024
MIN_SIDE = 200
MAX_SIDE = 2560
THUMB_SIDE = 400
QUALITY = 85
THUMB_QUALITY = 80
QUARANTINE = "private/quarantine"
FIELD = "photos"

RULES = images.Rules(max_bytes=MAX_BYTES, min_side=MIN_SIDE, noun="фотография", noun_accusative="фотографию")
MSG_EMPTY = images.MSG_EMPTY
MSG_TOO_BIG = RULES.msg_too_big
MSG_NOT_IMAGE = RULES.msg_not_image
MSG_BROKEN = images.MSG_BROKEN
MSG_BOMB = images.MSG_BOMB
MSG_NOTHING = "Выберите файл с фотографией."
MSG_LOCKED = "Фотографии можно менять, только пока отчёт не отправлен на проверку или возвращён на доработку."
MSG_FAILED = "Не удалось обработать изображение. Попробуйте загрузить его ещё раз."

# A file that is not an acceptable photo; the message is Russian and shown to the user.
PhotoError = images.ImageError


def _remove(*names: str) -> None:
    for name in names:
        if not name:
            continue
        try:
            files.delete(name)
        except OSError:  # a file already gone, or a name that was never ours
            log.warning("Could not remove %s", name)


# --- checking and re-encoding (core.images) ------------------------------------------------------------

def check_upload(fp: IO[bytes], size: int | None = None) -> tuple[str, int, int]:
    """Check an uploaded file by its content; (format, width, height) or a PhotoError."""
    return images.check(fp, RULES, size)


def reencode(fp: IO[bytes]) -> tuple[bytes, bytes, int, int]:
    """Decode a quarantined upload and build (image JPEG, thumbnail JPEG, width, height)."""
    image = images.decode(fp, RULES, MAX_SIDE)
    thumb = image.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    return images.jpeg(image, QUALITY), images.jpeg(thumb, THUMB_QUALITY), image.width, image.height


def _write(name: str, data: bytes) -> None:
    """Keep a file (its name is shown to readers only once the photo is ready)."""
    stored = files.store_bytes(name, data)
    if stored != name:  # the storage never renames a fresh random name; if it did, the row would lie
        files.delete(stored)
        raise OSError(f"The storage kept {name} as {stored}")


# --- services ----------------------------------------------------------------------------------------

def _authorise_edit(actor: Actor, activity: Activity) -> None:
    """The organisation's people change photos while the activity may be edited; for them a locked
    activity is a message, for everybody else it is forbidden."""
    if can(actor, "edit", activity):
        return
    require(actor, "write", activity)
    raise ValidationError({FIELD: MSG_LOCKED})


def _label(upload: UploadedFile, many: bool) -> str:
    name = (upload.name or "").replace("\n", " ")[:80]
    return f"«{name}»: " if many and name else ""


def _quarantine(upload: UploadedFile) -> str:
    upload.seek(0)
    return files.store_stream(f"{QUARANTINE}/{uuid.uuid4().hex}", upload)


def _over_limit(taken: int) -> str:
    left = max(MAX_PHOTOS - taken, 0)
    limit = count_ru(MAX_PHOTOS, "фотографии", "фотографий", "фотографий")
    if left:
        return (f"К мероприятию можно приложить не больше {limit}: уже есть {taken}, можно добавить ещё {left}. "
                "Выберите меньше файлов.")
    return f"К мероприятию можно приложить не больше {limit}: удалите ненужные, чтобы добавить новые."


def add_photos(*, actor: Actor, activity: Activity, uploads: Sequence[UploadedFile]) -> list[Photo]:
    """Accept photos for an activity: all of them, or — when any is wrong — none, with a Russian
    message per file. Each accepted file waits in quarantine for ``process_photo``."""
    _authorise_edit(actor, activity)
    if not uploads:
        raise ValidationError({FIELD: MSG_NOTHING})
    many = len(uploads) > 1
    errors = []
    for upload in uploads:
        try:
            check_upload(upload, upload.size)
        except PhotoError as exc:
            errors.append(f"{_label(upload, many)}{exc}")
    stored: list[str] = []
    try:
        with transaction.atomic():
            activity = Activity.objects.select_for_update().get(pk=activity.pk)
            _authorise_edit(actor, activity)
            if errors:
                raise ValidationError({FIELD: errors})
            taken = activity.photos.exclude(status=Photo.Status.REJECTED).count()
            if taken + len(uploads) > MAX_PHOTOS:
                raise ValidationError({FIELD: _over_limit(taken)})
            photos = []
            for upload in uploads:
                name = _quarantine(upload)
                stored.append(name)
                photo = Photo.objects.create(activity=activity, upload=name, uploaded_by=actor.user)
                audit.record(actor=actor, action="photo.add", obj=photo,
                             after={**audit.snapshot(photo, ["activity_id", "status"]),
                                    "file_name": (upload.name or "")[:255], "size": upload.size})
                photos.append(photo)
                jobs.enqueue_on_commit(f"{__package__}.tasks.process_photo_task", photo_id=photo.pk)
            public_cache.bump_on_commit("practices")
    except BaseException:
        _remove(*stored)
        raise
    return photos


def add_photo(*, actor: Actor, activity: Activity, upload: UploadedFile) -> Photo:
    return add_photos(actor=actor, activity=activity, uploads=[upload])[0]


def process_photo(*, photo_id: int) -> Photo | None:
    """Re-encode a quarantined upload (the job's work). Safe to run twice: only a photo still being
    processed is touched. The quarantined original is always deleted."""
    photo = Photo.objects.select_related("activity__campaign").filter(pk=photo_id).first()
    if photo is None or photo.status != Photo.Status.PROCESSING:
        return photo
    image_name = thumb_name = ""
    try:
        try:
            with files.open_stored(photo.upload) as fp:
                image_bytes, thumb_bytes, width, height = reencode(fp)
        except FileNotFoundError:
            raise PhotoError("Загруженный файл не найден. Загрузите фотографию ещё раз.") from None
        image_name, thumb_name = photo_path(photo, ""), photo_path(photo, "")
        _write(image_name, image_bytes)
        _write(thumb_name, thumb_bytes)
        fields: dict[str, Any] = {"status": Photo.Status.READY, "image": image_name, "thumbnail": thumb_name,
                                  "width": width, "height": height, "error": ""}
    except PhotoError as exc:
        fields = {"status": Photo.Status.REJECTED, "error": str(exc)[:300]}
    except Exception:
        log.exception("Photo %s could not be processed", photo_id)
        _remove(image_name, thumb_name)
        fields = {"status": Photo.Status.REJECTED, "error": MSG_FAILED}
    with transaction.atomic():
        updated = Photo.objects.filter(pk=photo_id, status=Photo.Status.PROCESSING).update(upload="", **fields)
        public_cache.bump_on_commit("practices")  # a published practice shows the activity's photos
    _remove(photo.upload)
    if not updated:  # deleted or finished by someone else meanwhile
        _remove(image_name, thumb_name)
        return None
    photo.refresh_from_db()
    return photo


def delete_photo(*, actor: Actor, photo: Photo) -> None:
    """Remove a photo while the activity may still be edited; its files go once the deletion commits."""
    with transaction.atomic():
        activity = Activity.objects.select_for_update().get(pk=photo.activity_id)
        _authorise_edit(actor, activity)
        photo = Photo.objects.select_for_update().get(pk=photo.pk, activity=activity)
        files = (photo.upload, photo.image, photo.thumbnail)
        audit.record(actor=actor, action="photo.delete", obj=photo,
                     before=audit.snapshot(photo, ["activity_id", "status", "image", "thumbnail"]))
        photo.delete()
        public_cache.bump_on_commit("practices")
        transaction.on_commit(lambda: _remove(*files))
