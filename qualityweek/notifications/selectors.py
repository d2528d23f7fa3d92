"""Reads of notifications, always the asking person's own."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import Notification, Preference


def notifications_for(user: Any) -> QuerySet[Notification]:
    if user is None or not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(user_id=user.pk)


def unread_count(user: Any) -> int:
    return notifications_for(user).filter(read_at__isnull=True).count()


def latest_for(user: Any, limit: int = 5) -> list[Notification]:
    """The newest notifications, unread first (the cabinet's block)."""
    return list(notifications_for(user).order_by("read_at", "-created_at", "-id")[:limit])


def preference_of(user: Any) -> Preference:
    """The person's preferences (an unsaved default when they never changed them)."""
    return Preference.objects.filter(user_id=user.pk).first() or Preference(user_id=user.pk)
