from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.utils.html import format_html

from qualityweek.core.admin import AuditedAdmin
from qualityweek.core.timezones import timezone_label

from .models import FederalDistrict, Invitation, Organisation, Region, RoleAssignment, User


@admin.register(FederalDistrict)
class FederalDistrictAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "short_name"]


@admin.register(Region)
class RegionAdmin(AuditedAdmin):
    list_display = ["code", "name", "iso_code", "district", "zone", "tile_x", "tile_y"]

    @admin.display(description="часовой пояс", ordering="timezone")
    def zone(self, obj: Region) -> str:
        return timezone_label(obj.timezone)
    list_filter = ["district"]
    search_fields = ["name", "short_name", "code", "iso_code"]


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ["name", "kind", "sector", "region", "municipality", "inn_code", "status"]
    list_filter = ["status", "sector", "kind", "region__district"]
    search_fields = ["name", "inn", "municipality"]
    autocomplete_fields = ["region"]
    list_select_related = ["region"]
    show_full_result_count = False

    @admin.display(description="ИНН", ordering="inn")
    def inn_code(self, obj: Organisation) -> str:
        # A code, not a number: marked so the text check does not ask for thousands grouping.
        return format_html("<span data-code>{}</span>", obj.inn) if obj.inn else "—"


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["region", "organisation"]


class EmailUserCreationForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("email", "last_name", "first_name")


class EmailUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    form = EmailUserChangeForm
    add_form = EmailUserCreationForm
    ordering = ["email"]
    list_display = ["email", "last_name", "first_name", "is_active", "is_staff"]
    search_fields = ["email", "last_name", "first_name"]
    list_filter = ["is_active", "is_staff", "roles__role"]
    inlines = [RoleInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Человек", {"fields": ("last_name", "first_name", "patronymic", "position", "phone")}),
        ("Доступ", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("Даты", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "last_name", "first_name",
                                                               "password1", "password2")}),)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "role", "region", "organisation", "created_at", "expires_at", "accepted_at"]
    list_filter = ["role"]
    search_fields = ["email"]
    readonly_fields = ["token_hash", "invited_by", "accepted_at"]

    def has_add_permission(self, request):
        return False  # invitations are sent from the site, where the link is e-mailed
