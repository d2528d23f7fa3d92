from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils import timezone

from qualityweek.campaigns.models import Campaign
from qualityweek.directory.models import Organisation, Region

from .models import Audience, Dispatch, Letter, LetterTemplate, Material, Request, Sender
from .placeholders import PLACEHOLDERS

PLACEHOLDER_HELP = "Подстановки: " + ", ".join("{{" + k + "}} — " + v for k, v in PLACEHOLDERS.items()) + "."


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class SenderForm(forms.ModelForm):
    class Meta:
        model = Sender
        fields = ["name", "short_name", "address", "phone", "website", "email", "signer_position", "signer_name",
                  "executor_name", "executor_phone"]
        widgets = {"name": forms.Textarea(attrs={"rows": 3})}


class RegisterForm(forms.Form):
    year = forms.IntegerField(label="Год", min_value=2000, max_value=2100)
    pattern = forms.CharField(label="Шаблон номера", max_length=40, initial="{n}",
                              help_text="{n} — порядковый номер, например «{n}-РСК» или «01-08/{n}».")
    next_number = forms.IntegerField(label="Следующий номер", min_value=1, initial=1)


class LetterForm(forms.ModelForm):
    sender = forms.ModelChoiceField(label="Бланк отправителя", queryset=Sender.objects.none())
    campaign = forms.ModelChoiceField(label="Кампания", queryset=Campaign.objects.none())
    template = forms.ModelChoiceField(label="Шаблон", queryset=LetterTemplate.objects.none(), required=False,
                                      help_text="Текст, заголовок и обращение возьмутся из шаблона, "
                                                "если эти поля оставить пустыми.")

    class Meta:
        model = Letter
        fields = ["reply_number", "reply_date", "addressing", "addressee_position", "addressee_person", "addressee",
                  "salutation", "title", "body", "attachment", "signer_position", "signer_name", "executor_name",
                  "executor_phone", "with_qr"]
        widgets = {
            "reply_date": DateInput(),
            "addressee": forms.Textarea(attrs={"rows": 3}),
            "body": forms.Textarea(attrs={"rows": 18}),
            "attachment": forms.Textarea(attrs={"rows": 2}),
            "addressing": forms.RadioSelect,
        }
        help_texts = {"body": "Абзацы разделяйте пустой строкой; **так** — полужирный. " + PLACEHOLDER_HELP}

    def __init__(self, *args, senders, templates=None, campaigns=None, creating: bool = True, **kwargs):
        """``campaigns``: the ones the author may write about (``campaigns.selectors.visible_campaigns``):
        a coordinator never sees, let alone picks, a draft campaign."""
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["sender"]).queryset = senders
        if senders.count() == 1:
            self.fields["sender"].initial = senders.first()
        for name in ("title", "body", "signer_position", "signer_name", "salutation"):
            self.fields[name].required = False
        if creating:
            cast(forms.ModelChoiceField, self.fields["template"]).queryset = (
                templates if templates is not None else LetterTemplate.objects.none())
            campaign = cast(forms.ModelChoiceField, self.fields["campaign"])
            campaign.queryset = campaigns if campaigns is not None else Campaign.objects.none()
            campaign.initial = next((c for c in campaign.queryset if c.is_announced), None)
        else:
            del self.fields["sender"], self.fields["campaign"], self.fields["template"]
        self.order_fields(["sender", "campaign", "template"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("template") and "template" in self.fields:
            for name in ("title", "body"):
                if not data.get(name):
                    self.add_error(name, "Заполните поле или выберите шаблон.")
        return data


class RegisterLetterForm(forms.Form):
    date = forms.DateField(label="Дата регистрации", widget=DateInput(),
                           help_text="Номер выдаётся по журналу отправителя на год этой даты.")

    def clean_date(self):
        date = self.cleaned_data["date"]
        today = timezone.localdate()
        if date > today + dt.timedelta(days=1):
            raise forms.ValidationError("Письмо нельзя зарегистрировать будущей датой.")
        if date.year < today.year - 3:
            raise forms.ValidationError("Слишком ранняя дата регистрации.")
        return date


class DispatchForm(forms.Form):
    audience = forms.ChoiceField(label="Кому", widget=forms.RadioSelect)
    kind = forms.ChoiceField(label="Тип организаций", required=False,
                             choices=[("", "Все")] + [c for c in Organisation.Kind.choices
                                                      if c[0] not in ("authority",)])
    municipality = forms.CharField(label="Населённый пункт", required=False, max_length=120)

    def __init__(self, *args, audiences, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["audience"]).choices = [(a, Dispatch.Audience(a).label) for a in audiences]
        if len(audiences) == 1:
            self.fields["audience"].initial = audiences[0]


class RenderForm(forms.Form):
    formats = forms.MultipleChoiceField(label="Форматы", choices=[("pdf", "PDF"), ("docx", "DOCX")],
                                        widget=forms.CheckboxSelectMultiple, initial=["pdf", "docx"])


class TemplateForm(forms.ModelForm):
    class Meta:
        model = LetterTemplate
        fields = ["name", "audience", "title", "addressee", "salutation", "body", "attachment", "is_active"]
        widgets = {"body": forms.Textarea(attrs={"rows": 18}), "addressee": forms.TextInput(),
                   "attachment": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"body": PLACEHOLDER_HELP, "addressee": "В именительном падеже: «Руководители органов "
                                                             "управления образованием»."}


class MaterialForm(forms.ModelForm):
    upload = forms.FileField(label="Файл", required=False,
                             help_text="PDF, PNG, JPEG, SVG, PPTX, DOCX или ZIP до 50 МБ. Для баннера — изображение.")
    audiences = forms.MultipleChoiceField(label="Аудитория", choices=Audience.choices,
                                          widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Material
        fields = ["campaign", "kind", "title", "description", "url", "is_published"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def validate_constraints(self) -> None:
        """The file arrives in ``upload``, not in the model field: ``services.save_material`` checks the
        material's rules with Russian messages and the database constraints stay the last word."""

    def __init__(self, *args, campaigns=None, **kwargs):
        super().__init__(*args, **kwargs)
        campaign = cast(forms.ModelChoiceField, self.fields["campaign"])
        campaign.queryset = campaigns if campaigns is not None else Campaign.objects.none()
        campaign.empty_label = "Для всех лет"
        if self.instance.pk:
            self.fields["audiences"].initial = list(self.instance.audiences.values_list("audience", flat=True))


class RequestForm(forms.ModelForm):
    website = forms.CharField(required=False, label="Не заполняйте это поле",
                              widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}))
    consent = forms.BooleanField(label="Согласен на обработку персональных данных для ответа на обращение")

    class Meta:
        model = Request
        fields = ["name", "email", "organisation_name", "region", "topic", "message"]
        widgets = {"message": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        region = cast(forms.ModelChoiceField, self.fields["region"])
        region.queryset = Region.objects.order_by("name")
        region.empty_label = "Не указан"
        self.fields["email"].error_messages["invalid"] = "Введите правильный e-mail, например name@school.ru."
        for field in self.fields.values():
            field.error_messages.setdefault("required", "Заполните это поле.")

    def clean_website(self):
        # A honeypot: people do not see the field (it is hidden with CSS); robots fill it.
        if self.cleaned_data.get("website"):
            raise forms.ValidationError("Не заполняйте это поле.")
        return ""


class ReplyForm(forms.Form):
    body = forms.CharField(label="Ответ", widget=forms.Textarea(attrs={"rows": 8}), max_length=10000)
