"""A small registry of domain events: a service that performs a transition says so with ``emit``,
and an app above it (the notifications app) reacts without the service importing it.

Handlers run synchronously inside the emitting service's transaction, each in a savepoint of its own:
what a handler writes commits or rolls back with the transition itself, and a handler that fails is
logged and undone alone — a notification must never block a review or stop a dispatch. Anything
leaving the process (e-mail) must be deferred to ``transaction.on_commit`` by the handler.
Nothing subscribed → ``emit`` does nothing. Events are
named ``"<object>.<what happened>"``; the payload is keyword arguments (model instances allowed)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction

log = logging.getLogger(__name__)

Handler = Callable[..., None]

_handlers: dict[str, list[Handler]] = {}

# The events the services emit, with what their payload carries (documentation and a check).
KINDS: dict[str, str] = {
    "activity.returned": "activity, comment",
    "activity.approved": "activity",
    "organisation.approved": "organisation",
    "organisation.rejected": "organisation, reason",
    "invitation.accepted": "invitation, user",
    "letter.received": "delivery",
    "regional_report.returned": "report, comment",
    "request.answered": "request",
}


def subscribe(kind: str, handler: Handler) -> None:
    """Call ``handler(**payload)`` whenever ``kind`` is emitted (once per handler, idempotent)."""
    if kind not in KINDS:
        raise LookupError(f"Unknown event kind {kind!r}.")
    handlers = _handlers.setdefault(kind, [])
    if handler not in handlers:
        handlers.append(handler)


def emit(kind: str, **payload: Any) -> None:
    if kind not in KINDS:
        raise LookupError(f"Unknown event kind {kind!r}.")
    for handler in _handlers.get(kind, ()):
        try:
            with transaction.atomic():
                handler(**payload)
        except Exception:
            log.exception("Handler %r of event %s failed; the event's own change stands", handler, kind)
