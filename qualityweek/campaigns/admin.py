from django.contrib import admin
from django.utils import timezone

from qualityweek.core.admin import AuditedAdmin

from . import calendar
from .models import Campaign, RegionalWindow


class RegionalWindowInline(admin.TabularInline):
    model = RegionalWindow
    extra = 0
    autocomplete_fields = ["region"]


@admin.register(Campaign)
class CampaignAdmin(AuditedAdmin):
    list_display = ["year", "motto", "week_start", "week_end", "quality_day", "report_deadline", "phase"]
    list_filter = ["phase"]
    inlines = [RegionalWindowInline]

    def get_changeform_initial_data(self, request):
        # New campaigns start from the calendar rule for next year; the operator may override.
        initial = super().get_changeform_initial_data(request)
        latest = Campaign.objects.order_by("-year").values_list("year", flat=True).first()
        year = latest + 1 if latest else timezone.localdate().year
        start, end = calendar.quality_week(year)
        return {"year": year, "week_start": start, "week_end": end, "quality_day": calendar.quality_day(year),
                "report_deadline": calendar.report_deadline(year), **initial}
