"""The generic safe-image pipeline: check an upload by its content, then re-encode its pixels alone.

The same steps as the report photos (``activities/photos/services.py``), with the limits passed in:
the first bytes must announce JPEG, PNG or WebP; Pillow reads the header (a decompression bomb is
refused before any pixel is decoded) and verifies the file; the picture is then decoded, turned by
its EXIF orientation, flattened to sRGB over white and written as a fresh JPEG built from the
pixels only — EXIF (GPS), XMP, comments, profiles and anything glued to the file are gone. Every
failure is an ``ImageError`` with a Russian message for the user.

Used by quiz question pictures; the photo services keep their own copy of these steps for now
(their messages speak of photographs) and may delegate here later.
"""

from __future__ import annotations

import io
import os
import warnings
from typing import IO

from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

ImageFile.LOAD_TRUNCATED_IMAGES = False

_MAGIC: tuple[tuple[str, int, bytes], ...] = (
    ("JPEG", 0, b"\xff\xd8\xff"),
    ("PNG", 0, b"\x89PNG\r\n\x1a\n"),
    ("WEBP", 8, b"WEBP"),
)
MAX_PIXELS = 40_000_000

MSG_EMPTY = "Файл пустой."
MSG_NOT_IMAGE = "Это не изображение в формате JPEG, PNG или WebP (проверяется содержимое файла, а не его имя)."
MSG_BROKEN = "Файл повреждён или обрезан: изображение не читается."
MSG_BOMB = (f"Изображение слишком большое: больше {MAX_PIXELS // 1_000_000} мегапикселей. "
            "Уменьшите его и загрузите снова.")


class ImageError(Exception):
    """A file that is not an acceptable image; the message is Russian and shown to the user."""


def too_big(max_bytes: int) -> str:
    return f"Файл больше {max_bytes // (1024 * 1024)} МБ. Уменьшите изображение и загрузите снова."


def sniff(head: bytes) -> str | None:
    """The format the first bytes announce, or None for anything but JPEG, PNG and WebP."""
    for fmt, offset, magic in _MAGIC:
        if head[offset:offset + len(magic)] == magic and (fmt != "WEBP" or head[:4] == b"RIFF"):
            return fmt
    return None


def _open(fp: IO[bytes], expected: str, min_side: int) -> Image.Image:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(fp, formats=[expected])
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageError(MSG_BOMB) from None
        except (UnidentifiedImageError, SyntaxError, ValueError, OSError, EOFError):
            raise ImageError(MSG_NOT_IMAGE) from None
    if image.format != expected:
        raise ImageError(MSG_NOT_IMAGE)
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise ImageError(MSG_BOMB)
    if width < min_side or height < min_side:
        raise ImageError(f"Изображение слишком маленькое: нужно не меньше {min_side}×{min_side} пикселей. "
                         f"Это изображение — {width}×{height}.")
    return image


def check(fp: IO[bytes], *, max_bytes: int, min_side: int = 1) -> tuple[str, int, int]:
    """Check an uploaded file by its content: (format, width, height), or an ImageError."""
    fp.seek(0, os.SEEK_END)
    size = fp.tell()
    fp.seek(0)
    if size == 0:
        raise ImageError(MSG_EMPTY)
    if size > max_bytes:
        raise ImageError(too_big(max_bytes))
    fmt = sniff(fp.read(16))
    fp.seek(0)
    if fmt is None:
        raise ImageError(MSG_NOT_IMAGE)
    image = _open(fp, fmt, min_side)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.verify()
    except Exception:  # verify() raises whatever the plugin trips over on a broken file
        raise ImageError(MSG_BROKEN) from None
    finally:
        fp.seek(0)
    return fmt, image.width, image.height


def _flatten(image: Image.Image) -> Image.Image:
    if image.mode in {"RGBA", "LA", "PA", "RGBa", "La"} or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode in {"I;16", "I;16L", "I;16B", "I;16N", "I", "F"}:
        image = image.convert("L")
    return image if image.mode == "RGB" else image.convert("RGB")


def reencode(fp: IO[bytes], *, max_bytes: int, max_side: int, quality: int = 85,
             min_side: int = 1) -> tuple[bytes, int, int]:
    """Check the file, then a fresh JPEG of its pixels alone (at most ``max_side`` on the long side)."""
    fmt, _, _ = check(fp, max_bytes=max_bytes, min_side=min_side)
    source = _open(fp, fmt, min_side)
    try:
        if fmt == "JPEG":
            source.draft("RGB", (max_side, max_side))
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            source.load()
            try:
                oriented = ImageOps.exif_transpose(source)
            except (ValueError, SyntaxError, TypeError, KeyError, OSError):
                oriented = source
            flat = _flatten(oriented)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(MSG_BOMB) from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise ImageError(MSG_BROKEN) from None
    clean = Image.new("RGB", flat.size)
    clean.paste(flat)
    clean.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    clean.save(buffer, "JPEG", quality=quality, optimize=True, progressive=True)
    return buffer.getvalue(), clean.width, clean.height
