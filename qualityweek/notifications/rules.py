"""Who may do what with notifications: each person reads and marks only their own."""

from __future__ import annotations

from typing import Any

from qualityweek.core.permissions import allow, rule, system_rule
from qualityweek.directory.access import principal

from .models import Notification, Preference


@rule(Notification, "view", "read")
def own_notification(user: Any, notification: Any) -> bool:
    return bool(notification.user_id == user.pk)


@rule(Preference, "change")
def own_preferences(user: Any, preference: Any) -> bool:
    return bool(preference.user_id == user.pk)


@rule(Preference, "digest")
def may_take_a_digest(user: Any, _: Any) -> bool:
    """The daily digest is offered to regional coordinators (the issue: «daily digest for coordinators»)."""
    return principal(user).is_coordinator


system_rule(Notification, "create")(allow)
