"""Structured logs and the request id that follows a request into the jobs it starts.

- ``RequestIdMiddleware`` gives every request an id: the one our reverse proxy sent in ``X-Request-ID``
  (trusted only when ``BEHIND_PROXY``; a well-formed token of at most 64 characters), else a new one.
  The response carries it back in ``X-Request-ID``.
- ``current_request_id()`` is that id while the request (or a job started by it) runs; ``start_job``
  stores it on the job and ``running_job`` puts it back in place while the job's task runs, so a
  request's lines and its job's lines share one ``request_id``.
- ``JsonFormatter`` writes one JSON object a line (``LOG_FORMAT=json``, the default when DEBUG is
  off), with ``request_id`` and ``job_id`` where they are known.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

_request_id: ContextVar[str] = ContextVar("request_id", default="")
_job_id: ContextVar[str] = ContextVar("job_id", default="")

_WELL_FORMED = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
HEADER = "X-Request-ID"


def current_request_id() -> str:
    return _request_id.get()


def current_job_id() -> str:
    return _job_id.get()


def new_request_id() -> str:
    return uuid.uuid4().hex


def incoming_request_id(request: HttpRequest) -> str:
    """The proxy's id when we sit behind our own proxy and it is well formed, else a fresh one.
    A client talking to a node directly cannot plant an id in the logs."""
    if getattr(settings, "BEHIND_PROXY", False):
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        if _WELL_FORMED.match(given):
            return given
    return new_request_id()


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = incoming_request_id(request)
        request.request_id = request_id  # type: ignore[attr-defined]
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response[HEADER] = request_id
        return response


@contextmanager
def job_context(*, job_id: str, request_id: str) -> Iterator[None]:
    """While a job's task runs: its lines carry its id and the id of the request that started it."""
    job_token = _job_id.set(job_id)
    request_token = _request_id.set(request_id)
    try:
        yield
    finally:
        _request_id.reset(request_token)
        _job_id.reset(job_token)


class ContextFilter(logging.Filter):
    """Puts ``request_id`` and ``job_id`` on every record (empty when unknown)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        record.job_id = _job_id.get()
        return True


_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "request_id", "job_id"}


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, request and job ids,
    the exception's traceback, and any ``extra=`` fields the caller gave."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("request_id", "job_id"):
            value = getattr(record, key, "")
            if value:
                entry[key] = value
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """The development format: readable, with the request id when there is one."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(ids)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        ids = " ".join(f"{key}={value}" for key in ("request_id", "job_id") if (value := getattr(record, key, "")))
        record.ids = f" [{ids}]" if ids else ""
        return super().format(record)
