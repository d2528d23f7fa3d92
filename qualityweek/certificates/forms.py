from __future__ import annotations

from typing import Any

from django import forms

from . import selectors
from .kinds import Kind
from .models import Certificate
from .sources import Subject


def _what_choices() -> list[tuple[str, str]]:
    choices = []
    for source in selectors.sources():
        for pk, label in selectors.subjects_of(source):
            choices.append((f"{source.code}|{pk}", f"{source.label} — {label}"))
    return choices


class IssueForm(forms.Form):
    what = forms.ChoiceField(label="Что выдать", help_text="Источник получателей и кампания (форум, конкурс, игра).")
    scope = forms.ChoiceField(label="Кому", help_text="Область, в которой выдаются сертификаты.")

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        what, scope = self.fields["what"], self.fields["scope"]
        if not isinstance(what, forms.ChoiceField) or not isinstance(scope, forms.ChoiceField):
            raise TypeError("choice fields expected")
        what.choices = [("", "— выберите —"), *_what_choices()]
        scope.choices = selectors.issue_scopes(user)
        self.fields["what"].error_messages["invalid_choice"] = "Выберите, что выдать, из списка."
        self.fields["scope"].error_messages["invalid_choice"] = "Выберите область из списка."
        self.fields["what"].error_messages["required"] = "Выберите, что выдать."
        self.fields["scope"].error_messages["required"] = "Выберите, кому выдать."

    def source_and_subject(self) -> tuple[str, Subject]:
        code, subject_id = self.cleaned_data["what"].split("|")
        scope = self.cleaned_data["scope"]
        region_id, sector, organisation_id = None, "", None
        if scope.startswith("region:"):
            _, region, sector = scope.split(":")
            region_id = int(region)
        elif scope.startswith("org:"):
            organisation_id = int(scope.split(":")[1])
        return code, Subject(subject_id=int(subject_id), region_id=region_id, sector=sector,
                             organisation_id=organisation_id)


class RevokeForm(forms.Form):
    reason = forms.CharField(label="Причина отзыва", max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="Её увидит каждый, кто проверит сертификат по QR-коду.",
                             error_messages={"required": "Укажите причину отзыва.",
                                             "max_length": "Не длиннее 500 символов."})


class FilterForm(forms.Form):
    q = forms.CharField(label="Получатель или номер", required=False, max_length=100)
    kind = forms.ChoiceField(label="Вид", required=False, choices=[("", "Все виды"), *Kind.choices])
    status = forms.ChoiceField(label="Статус", required=False,
                               choices=[("", "Любой"), *Certificate.Status.choices])

    def filter(self) -> selectors.CertificateFilter:
        if not self.is_valid():
            return selectors.CertificateFilter()
        d = self.cleaned_data
        return selectors.CertificateFilter(kind=d["kind"], status=d["status"], q=d["q"].strip())
