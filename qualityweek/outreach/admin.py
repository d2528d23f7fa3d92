from django.contrib import admin

from qualityweek.core.admin import AuditedAdmin

from .models import Contact, Delivery, Letter, LetterTemplate, Material, MaterialAudience, Register, Request, Sender


@admin.register(Sender)
class SenderAdmin(AuditedAdmin):
    list_display = ["short_name", "is_operator", "organisation", "signer_name"]
    search_fields = ["short_name", "name"]
    autocomplete_fields = ["organisation"]


@admin.register(Register)
class RegisterAdmin(AuditedAdmin):
    list_display = ["sender", "year", "pattern", "next_number"]
    list_filter = ["year"]


@admin.register(LetterTemplate)
class LetterTemplateAdmin(AuditedAdmin):
    list_display = ["name", "audience", "is_active"]


@admin.register(Letter)
class LetterAdmin(AuditedAdmin):
    list_display = ["reg_number", "reg_date", "title", "sender", "status"]
    list_filter = ["status", "campaign"]
    search_fields = ["reg_number", "title"]
    list_select_related = ["sender"]
    readonly_fields = ["status", "register", "number", "reg_number", "reg_date", "verify_token"]
    raw_id_fields = ["parent"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["letter", "organisation", "email", "status", "sent_at", "acknowledged_at"]
    list_filter = ["status"]
    list_select_related = ["letter", "organisation"]
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Contact)
class ContactAdmin(AuditedAdmin):
    list_display = ["organisation", "position", "last_name", "first_name", "patronymic"]
    search_fields = ["organisation__name", "last_name"]
    autocomplete_fields = ["organisation"]


class AudienceInline(admin.TabularInline):
    model = MaterialAudience
    extra = 1


@admin.register(Material)
class MaterialAdmin(AuditedAdmin):
    list_display = ["title", "kind", "campaign", "downloads", "is_published"]
    list_filter = ["kind", "campaign", "is_published"]
    inlines = [AudienceInline]


@admin.register(Request)
class RequestAdmin(AuditedAdmin):
    list_display = ["pk", "created_at", "name", "email", "topic", "status"]
    list_filter = ["status", "topic"]
    search_fields = ["name", "email", "message"]
