"""Every file the platform keeps or produces goes through Django's storage API.

The default storage is the local ``MEDIA_ROOT`` in the embedded default and an S3 bucket in
production (``STORAGE_S3_BUCKET``, settings.py), so a file written by one app node or job worker is
read by any other. Nothing under ``private/`` is ever reachable by a URL of its own: a view checks
the permission first, then streams the file (``file_response``) or, for large downloads when
``PRIVATE_DOWNLOAD_URL_SECONDS`` is set, redirects to a signed URL that expires (``signed_url``).

A job that builds a file piece by piece (a ZIP, a workbook) builds it in a local scratch folder
(``scratch``) and stores it when it is complete (``store_path``): a reader never sees half a file,
and the scratch folder is removed whatever happens.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.utils.http import content_disposition_header

PRIVATE = "private/"


def checked(name: str, *, private: bool = True) -> str:
    """``name`` as a storage key: relative, no ``..``; under ``private/`` unless told otherwise."""
    path = PurePosixPath(name)
    if not name or path.is_absolute() or ".." in path.parts or "\\" in name:
        raise FileNotFoundError(name)
    if private and not name.startswith(PRIVATE):
        raise FileNotFoundError(name)
    return name


def store_bytes(name: str, data: bytes, *, private: bool = True) -> str:
    """Keep ``data`` under ``name`` (an existing file of that name is replaced); the key it got."""
    checked(name, private=private)
    if default_storage.exists(name):
        default_storage.delete(name)
    return default_storage.save(name, ContentFile(data))


def store_stream(name: str, stream: IO[bytes], *, private: bool = True) -> str:
    """Keep what ``stream`` holds (an upload, an open local file) under ``name``."""
    checked(name, private=private)
    if default_storage.exists(name):
        default_storage.delete(name)
    return default_storage.save(name, File(stream, name=PurePosixPath(name).name))


def store_path(name: str, path: Path, *, private: bool = True) -> str:
    """Keep the finished local file ``path`` under ``name``."""
    with path.open("rb") as fh:
        return store_stream(name, fh, private=private)


def open_stored(name: str, *, private: bool = True) -> Any:
    """The stored file, open for reading; ``FileNotFoundError`` when there is none."""
    checked(name, private=private)
    try:
        return default_storage.open(name, "rb")
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise FileNotFoundError(name) from exc


def read_bytes(name: str, *, private: bool = True) -> bytes:
    with open_stored(name, private=private) as fh:
        return fh.read()


def exists(name: str, *, private: bool = True) -> bool:
    try:
        return default_storage.exists(checked(name, private=private))
    except FileNotFoundError:
        return False


def delete(name: str, *, private: bool = True) -> None:
    """Remove a stored file; a file already gone is fine."""
    if name:
        default_storage.delete(checked(name, private=private))


@contextmanager
def scratch(prefix: str = "qw-") -> Iterator[Path]:
    """A local folder for building a file; removed on leaving the block."""
    root = Path(getattr(settings, "SCRATCH_DIR", "") or tempfile.gettempdir())
    root.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=root))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def signed_url(name: str, *, seconds: int, filename: str = "") -> str | None:
    """A URL of the stored file that works for ``seconds`` only, or None when the storage has none
    (the local file system: its files are never served by URL)."""
    storage: Any = default_storage
    if not hasattr(storage, "bucket_name"):
        return None
    parameters = {"ResponseContentDisposition": content_disposition_header(True, filename)} if filename else None
    return str(storage.url(checked(name), parameters=parameters, expire=seconds))


def file_response(name: str, *, content_type: str | None = None, filename: str = "",
                  as_attachment: bool = False, private: bool = True) -> FileResponse:
    """Stream a stored file (the caller has checked the permission); 404 when it is missing."""
    try:
        handle = open_stored(name, private=private)
    except FileNotFoundError:
        raise Http404 from None
    kwargs: dict[str, Any] = {"as_attachment": as_attachment, "filename": filename or PurePosixPath(name).name}
    if content_type:
        kwargs["content_type"] = content_type
    response = FileResponse(handle, **kwargs)
    response["X-Content-Type-Options"] = "nosniff"
    return response
