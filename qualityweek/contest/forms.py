"""Forms of the contest. The application form and the scoring form are built from the nomination's
configuration; the services validate again and name the field of every problem."""

from __future__ import annotations

from typing import Any

from django import forms

from qualityweek.directory.models import Region

from .models import Application, Contest, Criterion, FormField, Nomination, Round


class ApplicationForm(forms.Form):
    title = forms.CharField(label="Название заявки", max_length=300)

    def __init__(self, *args: Any, nomination: Nomination, application: Application | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.nomination = nomination
        answers = application.answers if application else {}
        if application is not None:
            self.initial.setdefault("title", application.title)
        if nomination.for_person:
            self.fields["nominee_name"] = forms.CharField(label="ФИО номинируемого сотрудника", max_length=200,
                                                          required=False)
            self.fields["nominee_position"] = forms.CharField(label="Должность", max_length=200, required=False)
            self.fields["nominee_consent"] = forms.BooleanField(
                label="Сотрудник согласен участвовать в конкурсе и на обработку его персональных данных",
                required=False)
            if application is not None:
                self.initial.setdefault("nominee_name", application.nominee_name)
                self.initial.setdefault("nominee_position", application.nominee_position)
                self.initial.setdefault("nominee_consent", application.nominee_consent_at is not None)
        for field in nomination.fields.all():
            self.fields[f"f_{field.key}"] = self._field(field)
            if field.key in answers:
                self.initial.setdefault(f"f_{field.key}", answers[field.key])

    @staticmethod
    def _field(field: FormField) -> forms.Field:
        common: dict[str, Any] = {"label": field.label, "required": False, "help_text": field.help_text}
        if field.kind == FormField.Kind.TEXT:
            widget = forms.Textarea(attrs={"rows": 5}) if field.max_length > 300 else forms.TextInput()
            return forms.CharField(widget=widget, **common)
        if field.kind == FormField.Kind.NUMBER:
            return forms.CharField(widget=forms.TextInput(attrs={"inputmode": "numeric"}), **common)
        if field.kind == FormField.Kind.CHOICE:
            return forms.ChoiceField(choices=[("", "—"), *[(c, c) for c in field.choices]], **common)
        if field.kind == FormField.Kind.LINK:
            return forms.CharField(widget=forms.URLInput(), **common)
        help_text = f"PDF, JPEG или PNG, до {field.max_size_mb} МБ. {field.help_text}".strip()
        return forms.FileField(**{**common, "help_text": help_text},
                               widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))


class ScoreForm(forms.Form):
    comment = forms.CharField(label="Комментарий", required=False, widget=forms.Textarea(attrs={"rows": 4}),
                              help_text="Обязателен для самой низкой или самой высокой оценки по любому критерию.")

    def __init__(self, *args: Any, criteria: list[Criterion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for c in criteria:
            self.fields[f"c_{c.pk}"] = forms.CharField(
                label=f"{c.title} (вес {c.weight})", required=False,
                help_text=f"от {c.scale_min} до {c.scale_max}",
                widget=forms.NumberInput(attrs={"min": c.scale_min, "max": c.scale_max, "step": 1}))
        self.order_fields([*[f"c_{c.pk}" for c in criteria], "comment"])


class ConflictForm(forms.Form):
    named = forms.CharField(label="Член жюри (ФИО или e-mail)", max_length=200, required=False)
    reason = forms.CharField(label="Причина конфликта интересов", max_length=500, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))


class DeclareForm(forms.Form):
    reason = forms.CharField(label="Почему вы не можете оценивать эту организацию", max_length=500, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Причина изменения утверждённых итогов", max_length=500, required=False)


class SettingsForm(forms.ModelForm):
    class Meta:
        model = Contest
        fields = ["blind_review", "jurors_see_scores", "release_comments", "min_reviews", "advance_top"]


class InviteForm(forms.Form):
    email = forms.EmailField(label="E-mail")
    last_name = forms.CharField(label="Фамилия", max_length=80, required=False)
    first_name = forms.CharField(label="Имя", max_length=80, required=False)
    patronymic = forms.CharField(label="Отчество", max_length=80, required=False)
    round = forms.ChoiceField(label="Тур", choices=Round.choices)
    region = forms.ModelChoiceField(label="Регион (для регионального тура)", queryset=Region.objects.none(),
                                    required=False)

    def __init__(self, *args: Any, regions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions  # type: ignore[attr-defined]
