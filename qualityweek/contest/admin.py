"""The contest in the admin is read-only: every write goes through ``services`` from the contest's
own pages (checked with ``require``, audited)."""

from django.contrib import admin

from .models import ApplicantConflict, Application, Contest, JurorConflict, Nomination, RoundResult, Score


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Contest)
class ContestAdmin(ReadOnly):
    list_display = ("__str__", "phase", "applications_close", "results_on")


@admin.register(Nomination)
class NominationAdmin(ReadOnly):
    list_display = ("title", "contest", "for_person")
    list_filter = ("contest",)


@admin.register(Application)
class ApplicationAdmin(ReadOnly):
    list_display = ("title", "nomination", "organisation", "region", "status", "place")
    list_filter = ("contest", "status")
    list_select_related = ("nomination", "organisation", "region")
    search_fields = ("title", "organisation__name", "nominee_name")


@admin.register(Score)
class ScoreAdmin(ReadOnly):
    list_display = ("application", "juror", "round", "total")
    list_select_related = ("application", "juror")


@admin.register(JurorConflict)
class JurorConflictAdmin(ReadOnly):
    list_display = ("juror", "organisation", "kind", "contest")


@admin.register(ApplicantConflict)
class ApplicantConflictAdmin(ReadOnly):
    list_display = ("application", "named", "status", "juror")


@admin.register(RoundResult)
class RoundResultAdmin(ReadOnly):
    list_display = ("nomination", "round", "region", "version", "confirmed_at")
