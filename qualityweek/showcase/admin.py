from django.contrib import admin

from qualityweek.core.admin import AuditedAdmin

from .models import BestPractice, ProblemReport


@admin.register(BestPractice)
class BestPracticeAdmin(AuditedAdmin):
    list_display = ["title", "status", "published_at"]
    list_filter = ["status"]
    search_fields = ["title"]
    raw_id_fields = ["activity", "nominated_by"]
    readonly_fields = ["search_text"]


@admin.register(ProblemReport)
class ProblemReportAdmin(AuditedAdmin):
    list_display = ["created_at", "message", "status"]
    list_filter = ["status"]
    raw_id_fields = ["practice", "activity"]
