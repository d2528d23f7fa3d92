from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect

from qualityweek.core.admin import AuditedAdmin
from qualityweek.core.audit import Actor

from . import services
from .models import Contact, Delivery, Letter, LetterTemplate, Material, MaterialAudience, Register, Request, Sender


class ServiceErrors:
    """A service's ValidationError becomes an error message on the same page (the admin's
    transaction is rolled back) instead of a server error."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)  # type: ignore[misc]
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(request.get_full_path())


@admin.register(Sender)
class SenderAdmin(ServiceErrors, AuditedAdmin):
    list_display = ["short_name", "is_operator", "organisation", "signer_name"]
    search_fields = ["short_name", "name"]
    autocomplete_fields = ["organisation"]

    def get_readonly_fields(self, request, obj=None):
        return ["organisation", "is_operator"] if obj is not None else ["is_operator"]

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in services.SENDER_FIELDS if name in form.cleaned_data}
        sender = services.save_sender(actor=Actor.from_request(request),
                                      sender=Sender.objects.get(pk=obj.pk) if change else None,
                                      organisation=None if change else form.cleaned_data.get("organisation"),
                                      **fields)
        obj.pk = sender.pk
        obj.refresh_from_db()


@admin.register(Register)
class RegisterAdmin(ServiceErrors, AuditedAdmin):
    list_display = ["sender", "year", "pattern", "next_number"]
    list_filter = ["year"]

    def get_readonly_fields(self, request, obj=None):
        return ["sender", "year"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        register = services.save_register(actor=Actor.from_request(request), sender=obj.sender, year=obj.year,
                                          pattern=form.cleaned_data["pattern"],
                                          next_number=form.cleaned_data["next_number"])
        obj.pk = register.pk
        obj.refresh_from_db()


@admin.register(LetterTemplate)
class LetterTemplateAdmin(ServiceErrors, AuditedAdmin):
    list_display = ["name", "audience", "is_active"]

    def save_model(self, request, obj, form, change):
        template = services.save_template(actor=Actor.from_request(request),
                                          template=LetterTemplate.objects.get(pk=obj.pk) if change else None,
                                          **form.cleaned_data)
        obj.pk = template.pk
        obj.refresh_from_db()


@admin.register(Letter)
class LetterAdmin(ServiceErrors, AuditedAdmin):
    """Letters are written through the services, here as in the app: a draft's text is edited with
    ``update_letter`` (which checks it), a registered letter is frozen and only viewed."""

    list_display = ["reg_number", "reg_date", "title", "sender", "status"]
    list_filter = ["status", "campaign"]
    search_fields = ["reg_number", "title"]
    list_select_related = ["sender"]
    readonly_fields = ["status", "register", "number", "reg_number", "reg_date", "verify_token"]
    raw_id_fields = ["parent"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:  # a new letter's verification code is not shown before it exists
            return [f for f in self.readonly_fields if f != "verify_token"]
        if obj.is_registered:
            return [f.name for f in Letter._meta.fields if f.name != "id"]
        # A draft keeps its sender and campaign: the service edits the requisites and the text.
        return [*self.readonly_fields, "sender", "campaign", "template", "parent"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_registered:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_registered:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        actor = Actor.from_request(request)
        data = form.cleaned_data
        fields = {name: data[name] for name in services.LETTER_FIELDS if name in data}
        if change:
            changed = {name: value for name, value in fields.items() if name in form.changed_data}
            letter = services.update_letter(actor=actor, letter=obj, **changed)
        else:
            letter = services.create_letter(actor=actor, sender=data["sender"], campaign=data["campaign"],
                                            template=data.get("template"), parent=data.get("parent"), **fields)
        obj.pk = letter.pk
        obj.refresh_from_db()

    def delete_model(self, request, obj):
        services.delete_letter(actor=Actor.from_request(request), letter=obj)


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
