"""Read-only admin: certificates change only through the services (issue, revoke, re-issue)."""

from django.contrib import admin

from .models import Certificate, NumberRegister


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Certificate)
class CertificateAdmin(ReadOnly):
    list_display = ("number_text", "holder_name", "kind", "status", "issued_at")
    list_filter = ("kind", "status")
    search_fields = ("number_text", "holder_name", "public_id")


@admin.register(NumberRegister)
class NumberRegisterAdmin(ReadOnly):
    list_display = ("kind", "year", "next_number")
