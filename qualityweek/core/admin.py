from django.contrib import admin

from . import audit, public_cache
from .audit import Actor
from .models import AuditEntry, Job


class AuditedAdmin(admin.ModelAdmin):
    """Operator edits in the admin are writes like any other: each one leaves an audit entry, and
    the public pages are rebuilt once it commits (admin edits are rare, so all sections)."""

    def save_model(self, request, obj, form, change):
        before = audit.snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        public_cache.bump_on_commit(*public_cache.SECTIONS)
        audit.record(actor=Actor.from_request(request), action=f"admin.{'change' if change else 'add'}",
                     obj=obj, before=before, after=audit.snapshot(obj))

    def delete_model(self, request, obj):
        audit.record(actor=Actor.from_request(request), action="admin.delete", obj=obj,
                     before=audit.snapshot(obj))
        super().delete_model(request, obj)
        public_cache.bump_on_commit(*public_cache.SECTIONS)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            self.delete_model(request, obj)
        for obj in instances:
            self.save_model(request, obj, None, obj.pk is not None)
        formset.save_m2m()


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_email", "role", "action", "object_type", "object_repr", "ip"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_email", "object_repr", "object_id"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["created_at", "title", "owner", "status", "done", "total"]
    list_filter = ["status", "kind"]
    readonly_fields = [f.name for f in Job._meta.fields]

    def has_add_permission(self, request):
        return False
