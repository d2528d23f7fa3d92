from typing import cast

from django import forms
from django.contrib.auth import password_validation
from django.urls import reverse
from django.utils.html import format_html

from qualityweek.core.legal import CONSENT_REQUIRED

from .models import COORDINATED_SECTORS, Organisation, Region, Role


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "kind", "region", "municipality", "address", "inn", "size", "email", "phone", "website"]
        widgets = {"inn": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})}
        help_texts = {"size": "Учащихся для образовательной организации, сотрудников для предприятия.",
                      "inn": "10 цифр для организации, 12 — для ИП. Необязательно."}

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        region = cast(forms.ModelChoiceField, self.fields["region"])
        region.queryset = regions if regions is not None else Region.objects.all()
        region.empty_label = "— выберите регион —"


def consent_field() -> forms.BooleanField:
    """The unticked, required box for the separate consent to personal-data processing (152-FZ)."""
    return forms.BooleanField(label="Даю согласие на обработку моих персональных данных", required=True,
                              error_messages={"required": CONSENT_REQUIRED})


class ConsentMixin:
    """Links the consent box to the consent text and the privacy policy."""

    fields: dict

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["personal_data_consent"].help_text = format_html(
            'Прочитайте <a href="{}" target="_blank">текст согласия</a> и <a href="{}" target="_blank">политику '
            "обработки персональных данных</a>. Без согласия регистрация невозможна.",
            reverse("personal_data_consent"), reverse("privacy"))


class SignUpForm(ConsentMixin, forms.Form):
    name = forms.CharField(label="Название организации", max_length=300)
    kind = forms.ChoiceField(label="Тип организации",
                             choices=[c for c in Organisation.Kind.choices if c[0] != "authority"])
    region = forms.ModelChoiceField(label="Регион", queryset=Region.objects.all(),
                                    empty_label="— выберите регион —")
    municipality = forms.CharField(label="Населённый пункт", max_length=120)
    inn = forms.CharField(label="ИНН", max_length=12, required=False,
                          widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    size = forms.IntegerField(label="Численность (учащихся или сотрудников)", min_value=1, max_value=2_000_000,
                              required=False)
    website = forms.URLField(label="Сайт", required=False, assume_scheme="https")
    last_name = forms.CharField(label="Фамилия", max_length=80)
    first_name = forms.CharField(label="Имя", max_length=80)
    patronymic = forms.CharField(label="Отчество", max_length=80, required=False)
    position = forms.CharField(label="Должность", max_length=200, required=False)
    phone = forms.CharField(label="Телефон", max_length=64, required=False)
    email = forms.EmailField(label="E-mail (логин)")
    password1 = forms.CharField(label="Пароль", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                help_text=password_validation.password_validators_help_text_html())
    password2 = forms.CharField(label="Пароль ещё раз",
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    personal_data_consent = consent_field()

    ORGANISATION_FIELDS = ("name", "kind", "region", "municipality", "inn", "size", "website")
    PERSON_FIELDS = ("last_name", "first_name", "patronymic", "position", "phone", "email")

    def clean(self):
        data = super().clean() or {}
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "Пароли не совпадают.")
        return data


class AcceptInvitationForm(ConsentMixin, forms.Form):
    last_name = forms.CharField(label="Фамилия", max_length=80)
    first_name = forms.CharField(label="Имя", max_length=80)
    patronymic = forms.CharField(label="Отчество", max_length=80, required=False)
    password1 = forms.CharField(label="Пароль", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                help_text=password_validation.password_validators_help_text_html())
    password2 = forms.CharField(label="Пароль ещё раз",
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    personal_data_consent = consent_field()

    def clean(self):
        data = super().clean() or {}
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "Пароли не совпадают.")
        return data


class InvitationForm(forms.Form):
    email = forms.EmailField(label="E-mail")
    last_name = forms.CharField(label="Фамилия", max_length=80, required=False)
    first_name = forms.CharField(label="Имя", max_length=80, required=False)
    patronymic = forms.CharField(label="Отчество", max_length=80, required=False)
    role = forms.ChoiceField(label="Роль", choices=Role.choices)
    region = forms.ModelChoiceField(label="Регион (для координатора)", queryset=Region.objects.all(),
                                    required=False, empty_label="—")
    sector = forms.ChoiceField(label="Сфера (для координатора)", required=False,
                               choices=[("", "—")] + [(s.value, s.label) for s in COORDINATED_SECTORS])
    organisation = forms.ModelChoiceField(label="Организация", queryset=Organisation.objects.none(),
                                          required=False, empty_label="—")

    def __init__(self, *args, organisations=None, roles=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisations is not None:
            cast(forms.ModelChoiceField, self.fields["organisation"]).queryset = organisations
        if roles is not None:
            cast(forms.ChoiceField, self.fields["role"]).choices = [c for c in Role.choices if c[0] in roles]
            if Role.COORDINATOR not in roles:
                del self.fields["region"], self.fields["sector"]


class RejectForm(forms.Form):
    reason = forms.CharField(label="Причина отказа", widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)

