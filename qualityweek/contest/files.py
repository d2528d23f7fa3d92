"""Application attachments are checked by content (magic bytes) and size, never by name."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)


def sniff(head: bytes) -> tuple[str, str] | None:
    for magic, content_type, ext in SIGNATURES:
        if head.startswith(magic):
            return content_type, ext
    return None


def check_upload(upload: Any, *, max_mb: int) -> tuple[str, str]:
    """(content type, extension) of an acceptable upload, or a Russian ValidationError."""
    size = getattr(upload, "size", 0) or 0
    if size == 0:
        raise ValidationError("Файл пустой.")
    if size > max_mb * 1024 * 1024:
        raise ValidationError(f"Файл больше {max_mb} МБ.")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    found = sniff(head)
    if found is None:
        raise ValidationError("Можно приложить только PDF, JPEG или PNG (файл проверяется по содержимому, "
                              "а не по расширению).")
    return found
