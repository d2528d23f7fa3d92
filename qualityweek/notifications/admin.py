from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only: notifications are written by the services (``services.notify``)."""

    list_display = ("created_at", "user", "kind", "title", "read_at", "email")
    list_filter = ("kind", "email")
    search_fields = ("title", "user__email")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
