"""The one safe-image pipeline: check an upload by its content, then rebuild it from its pixels alone.

Report photos (``activities/photos``) and quiz question pictures (``quizzes``) go through it, each
with its own limits and wording (``Rules``). The first bytes must announce JPEG, PNG or WebP; Pillow
reads the header (a decompression bomb is refused before any pixel is decoded) and verifies the
file. ``decode`` then turns the picture by its EXIF orientation, flattens it to 8-bit sRGB over white
and copies the pixels into a new image, so EXIF (GPS), XMP, comments, colour profiles and anything
glued to the file are gone. Every failure is an ``ImageError`` with a Russian message for the user.
"""

from __future__ import annotations

import io
import os
import warnings
from dataclasses import dataclass
from typing import IO

from PIL import Image, ImageCms, ImageFile, ImageOps, UnidentifiedImageError

MAX_PIXELS = 40_000_000
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

MSG_EMPTY = "Файл пустой."
MSG_BROKEN = "Файл повреждён или обрезан: изображение не читается."
MSG_BOMB = (f"Изображение слишком большое: больше {MAX_PIXELS // 1_000_000} мегапикселей. "
            "Уменьшите его и загрузите снова.")


class ImageError(Exception):
    """A file that is not an acceptable image; the message is Russian and shown to the user."""


@dataclass(frozen=True)
class Rules:
    """What one kind of picture accepts, and how its messages name it («фотография», «изображение»)."""

    max_bytes: int
    min_side: int = 1
    noun: str = "изображение"  # «Это не …»
    noun_accusative: str = "изображение"  # «Уменьшите …»

    @property
    def msg_too_big(self) -> str:
        return (f"Файл больше {self.max_bytes // (1024 * 1024)} МБ. "
                f"Уменьшите {self.noun_accusative} и загрузите снова.")

    @property
    def msg_not_image(self) -> str:
        return f"Это не {self.noun} в формате JPEG, PNG или WebP (проверяется содержимое файла, а не его имя)."

    @property
    def msg_small(self) -> str:
        return f"Изображение слишком маленькое: нужно не меньше {self.min_side}×{self.min_side} пикселей."


def sniff(head: bytes) -> str | None:
    """The format the first bytes announce, or None for anything but JPEG, PNG and WebP."""
    for fmt, offset, magic in _MAGIC:
        if head[offset:offset + len(magic)] == magic and (fmt != "WEBP" or head[:4] == b"RIFF"):
            return fmt
    return None


def _open(fp: IO[bytes], rules: Rules) -> tuple[str, Image.Image]:
    """Open (header only) a file whose first bytes announce a format we take; every failure is an
    ImageError."""
    fp.seek(0)
    fmt = sniff(fp.read(16))
    fp.seek(0)
    if fmt is None:
        raise ImageError(rules.msg_not_image)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(fp, formats=[fmt])
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageError(MSG_BOMB) from None
        except (UnidentifiedImageError, SyntaxError, ValueError, OSError, EOFError):
            raise ImageError(rules.msg_not_image) from None
    if image.format != fmt:
        raise ImageError(rules.msg_not_image)
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise ImageError(MSG_BOMB)
    if width < rules.min_side or height < rules.min_side:
        raise ImageError(rules.msg_small + f" Это изображение — {width}×{height}.")
    return fmt, image


def check(fp: IO[bytes], rules: Rules, size: int | None = None) -> tuple[str, int, int]:
    """Check an uploaded file by its content: (format, width, height), or an ImageError."""
    fp.seek(0, os.SEEK_END)
    size = fp.tell() if size is None else size
    fp.seek(0)
    if size == 0:
        raise ImageError(MSG_EMPTY)
    if size > rules.max_bytes:
        raise ImageError(rules.msg_too_big)
    fmt, image = _open(fp, rules)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.verify()
    except Exception:  # verify() raises whatever the plugin trips over on a broken file
        raise ImageError(MSG_BROKEN) from None
    finally:
        fp.seek(0)
    return fmt, image.width, image.height


def _to_srgb(image: Image.Image) -> Image.Image:
    """Convert pixels described by an embedded colour profile to sRGB; the profile is then dropped."""
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in {"RGB", "CMYK"}:
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        converted = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode="RGB")
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image  # an odd profile is ignored rather than failing the picture
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


def decode(fp: IO[bytes], rules: Rules, max_side: int) -> Image.Image:
    """The picture's pixels alone, upright, in 8-bit sRGB, at most ``max_side`` on the long side."""
    fmt, source = _open(fp, rules)
    try:
        if fmt == "JPEG":
            # Decode big JPEGs at a reduced scale straight away (never below the target size).
            source.draft("RGB", (max_side, max_side))
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            source.load()
            try:
                oriented = ImageOps.exif_transpose(source)
            except (ValueError, SyntaxError, TypeError, KeyError, OSError):
                oriented = source  # unreadable EXIF: keep the pixels as stored
            flat = _flatten(oriented)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(MSG_BOMB) from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise ImageError(MSG_BROKEN) from None
    clean = Image.new("RGB", flat.size)  # nothing but the pixels: no info, EXIF, XMP, comment or profile
    clean.paste(flat)
    clean.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return clean


def jpeg(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, optimize=True, progressive=True)
    return buffer.getvalue()


def reencode(fp: IO[bytes], rules: Rules, *, max_side: int, quality: int = 85) -> tuple[bytes, int, int]:
    """Check the file, then a fresh JPEG of its pixels alone: (bytes, width, height)."""
    check(fp, rules)
    image = decode(fp, rules, max_side)
    return jpeg(image, quality), image.width, image.height
