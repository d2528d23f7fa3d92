"""Read-only admin views of the forum: every write goes through the services (the forum's own pages)."""

from typing import Any

from django.contrib import admin

from .models import Forum, Registration, Session, Venue


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Forum)
class ForumAdmin(ReadOnly):
    list_display = ("title", "starts_on", "ends_on", "is_published", "requires_approval")


@admin.register(Venue)
class VenueAdmin(ReadOnly):
    list_display = ("name", "kind", "forum", "region", "capacity", "taken")
    list_filter = ("kind",)


@admin.register(Session)
class SessionAdmin(ReadOnly):
    list_display = ("title", "starts_at", "venue", "format", "capacity", "taken")


@admin.register(Registration)
class RegistrationAdmin(ReadOnly):
    list_display = ("name", "kind", "seats", "session", "venue", "status", "created_at")
    list_filter = ("status", "kind")
    search_fields = ("name", "email")
    exclude = ("secret", "join_token")
