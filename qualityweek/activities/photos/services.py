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

import io
import logging
import os
import uuid
import warnings
from collections.abc import Sequence
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from PIL import Image, ImageCms, ImageFile, ImageOps, UnidentifiedImageError

from qualityweek.core import audit, files, jobs, public_cache
from qualityweek.core.audit import Actor
from qualityweek.core.permissions import can, require
from qualityweek.core.text import count_ru

from ..models import Activity, Photo, photo_path

log = logging.getLogger(__name__)

MAX_PHOTOS = 10
MAX_BYTES = 15 * 1024 * 1024
MAX_PIXELS = 40_000_000
MIN_SIDE = 200
MAX_SIDE = 2560
THUMB_SIDE = 400
QUALITY = 85
THUMB_QUALITY = 80
QUARANTINE = "private/quarantine"
FIELD = "photos"

# One limit for every image Pillow opens in this process: above it Pillow warns, above twice it
# refuses. ``_open`` turns both into a Russian message, so a bomb is never decoded.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
# A truncated file is an error, not a half-grey picture.
ImageFile.LOAD_TRUNCATED_IMAGES = False

_MAGIC: tuple[tuple[str, int, bytes], ...] = (
    ("JPEG", 0, b"\xff\xd8\xff"),
    ("PNG", 0, b"\x89PNG\r\n\x1a\n"),
    ("WEBP", 8, b"WEBP"),  # RIFF....WEBP
)
FORMATS = ("JPEG", "PNG", "WEBP")

MSG_EMPTY = "Файл пустой."
MSG_TOO_BIG = f"Файл больше {MAX_BYTES // (1024 * 1024)} МБ. Уменьшите фотографию и загрузите снова."
MSG_NOT_IMAGE = "Это не фотография в формате JPEG, PNG или WebP (проверяется содержимое файла, а не его имя)."
MSG_BROKEN = "Файл повреждён или обрезан: изображение не читается."
MSG_BOMB = (f"Изображение слишком большое: больше {MAX_PIXELS // 1_000_000} мегапикселей. "
            "Уменьшите его и загрузите снова.")
MSG_SMALL = f"Изображение слишком маленькое: нужно не меньше {MIN_SIDE}×{MIN_SIDE} пикселей."
MSG_NOTHING = "Выберите файл с фотографией."
MSG_LOCKED = "Фотографии можно менять, только пока отчёт не отправлен на проверку или возвращён на доработку."
MSG_FAILED = "Не удалось обработать изображение. Попробуйте загрузить его ещё раз."


class PhotoError(Exception):
    """A file that is not an acceptable photo; the message is Russian and shown to the user."""


def _remove(*names: str) -> None:
    for name in names:
        if not name:
            continue
        try:
            files.delete(name)
        except OSError:  # a file already gone, or a name that was never ours
            log.warning("Could not remove %s", name)


# --- checking a file ----------------------------------------------------------------------------------

def sniff(head: bytes) -> str | None:
    """The format the first bytes announce, or None for anything but JPEG, PNG and WebP."""
    for fmt, offset, magic in _MAGIC:
        if head[offset:offset + len(magic)] == magic and (fmt != "WEBP" or head[:4] == b"RIFF"):
            return fmt
    return None


def _open(fp: IO[bytes], expected: str) -> Image.Image:
    """Open (header only) a file that must be ``expected``; every failure is a PhotoError."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(fp, formats=[expected])
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise PhotoError(MSG_BOMB) from None
        except (UnidentifiedImageError, SyntaxError, ValueError, OSError, EOFError):
            raise PhotoError(MSG_NOT_IMAGE) from None
    if image.format != expected:
        raise PhotoError(MSG_NOT_IMAGE)
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise PhotoError(MSG_BOMB)
    if width < MIN_SIDE or height < MIN_SIDE:
        raise PhotoError(MSG_SMALL + f" Это изображение — {width}×{height}.")
    return image


def check_upload(fp: IO[bytes], size: int | None = None) -> tuple[str, int, int]:
    """Check an uploaded file by its content; (format, width, height) or a PhotoError."""
    fp.seek(0, os.SEEK_END)
    size = fp.tell() if size is None else size
    fp.seek(0)
    if size == 0:
        raise PhotoError(MSG_EMPTY)
    if size > MAX_BYTES:
        raise PhotoError(MSG_TOO_BIG)
    fmt = sniff(fp.read(16))
    fp.seek(0)
    if fmt is None:
        raise PhotoError(MSG_NOT_IMAGE)
    image = _open(fp, fmt)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.verify()
    except PhotoError:
        raise
    except Exception:  # verify() raises whatever the plugin trips over on a broken file
        raise PhotoError(MSG_BROKEN) from None
    finally:
        fp.seek(0)
    return fmt, image.width, image.height


# --- re-encoding -------------------------------------------------------------------------------------

def _to_srgb(image: Image.Image) -> Image.Image:
    """Convert pixels described by an embedded colour profile to sRGB; the profile is then dropped."""
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in {"RGB", "CMYK"}:
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        converted = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode="RGB")
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image  # an odd profile is ignored rather than failing the photo
    return converted if converted is not None else image


def _flatten(image: Image.Image) -> Image.Image:
    """Any mode to 8-bit RGB; transparency over white."""
    if image.mode in {"I;16", "I;16L", "I;16B", "I;16N", "I"}:
        image = image.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    elif image.mode == "F":
        image = image.convert("L")
    if image.mode in {"RGBA", "LA", "PA", "RGBa", "La"} or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    image = _to_srgb(image)
    return image if image.mode == "RGB" else image.convert("RGB")


def _pixels_only(image: Image.Image) -> Image.Image:
    """A new image holding nothing but the pixels: no info, EXIF, XMP, comment or profile."""
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    return clean


def _jpeg(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, optimize=True, progressive=True)
    return buffer.getvalue()


def reencode(fp: IO[bytes]) -> tuple[bytes, bytes, int, int]:
    """Decode a quarantined upload and build (image JPEG, thumbnail JPEG, width, height)."""
    fp.seek(0)
    fmt = sniff(fp.read(16))
    fp.seek(0)
    if fmt is None:
        raise PhotoError(MSG_NOT_IMAGE)
    source = _open(fp, fmt)
    try:
        if fmt == "JPEG":
            # Decode big JPEGs at a reduced scale straight away (never below the target size).
            source.draft("RGB", (MAX_SIDE, MAX_SIDE))
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            source.load()
            try:
                oriented = ImageOps.exif_transpose(source)
            except (ValueError, SyntaxError, TypeError, KeyError, OSError):
                oriented = source  # unreadable EXIF: keep the pixels as stored
            image = _pixels_only(_flatten(oriented))
    except PhotoError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoError(MSG_BOMB) from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise PhotoError(MSG_BROKEN) from None
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    thumb = image.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    return _jpeg(image, QUALITY), _jpeg(thumb, THUMB_QUALITY), image.width, image.height


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
