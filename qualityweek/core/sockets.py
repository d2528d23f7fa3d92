"""What every WebSocket consumer shares.

A connection outlives the request that opened it, so a consumer never trusts the user object (and
the scope cached on it) that the session middleware put in ``scope["user"]`` at connect time: it
reads the user afresh for each message it acts on. A deactivated user or a changed role takes
effect at the next message."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model


def _reload(pk: Any) -> Any:
    return get_user_model().objects.filter(pk=pk, is_active=True).first()


async def fresh_user(scope: dict[str, Any]) -> Any:
    """The session's user as the database has it now, or None for a visitor."""
    user = scope.get("user")
    if user is None or not user.is_authenticated:
        return None
    return await database_sync_to_async(_reload)(user.pk)


async def fresh_user_label(scope: dict[str, Any]) -> dict[str, Any] | None:
    user = await fresh_user(scope)
    if user is None:
        return None

    def label() -> dict[str, Any]:
        role, where = user.describe_roles()
        return {"email": user.email, "role": role, "scope": where}

    return await database_sync_to_async(label)()
