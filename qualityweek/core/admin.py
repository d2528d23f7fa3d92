import contextlib

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


def _unregister_foreign_admins() -> None:
    """The admin pages of the libraries show only English and nobody here works in them: login lockouts
    (axes) are lifted by a password reset, second factors (django-otp) are enrolled and reset from the
    profile, the job queue (django-tasks-db) is seen through «Фоновые задачи», and roles are not groups."""
    from django.apps import apps
    from django.contrib.auth.models import Group

    models = [Group]
    for label, names in {"axes": ("AccessAttempt", "AccessLog", "AccessFailureLog"),
                         "otp_totp": ("TOTPDevice",), "otp_static": ("StaticDevice",),
                         "django_tasks_database": ("DBTaskResult",)}.items():
        for name in names:
            with contextlib.suppress(LookupError):  # the library is not installed
                models.append(apps.get_model(label, name))
    for model in models:
        if admin.site.is_registered(model):
            admin.site.unregister(model)


_unregister_foreign_admins()
