"""Campaigns in the admin are read-only: every write goes through ``services`` from the operator's
pages at ``/campaigns/manage/`` (checked with ``require``, audited)."""

from django.contrib import admin

from .models import Campaign, RegionalWindow


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RegionalWindowInline(admin.TabularInline):
    model = RegionalWindow
    extra = 0
    fields = readonly_fields = ("region", "starts_on", "ends_on", "deadline", "reason")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Campaign)
class CampaignAdmin(ReadOnly):
    list_display = ["year", "motto", "week_start", "week_end", "quality_day", "report_deadline", "phase"]
    list_filter = ["phase"]
    inlines = [RegionalWindowInline]
