"""Forms of the contest. The application form and the scoring form are built from the nomination's
configuration; the services validate again and name the field of every problem."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from qualityweek.directory.models import Organisation, Region, Sector

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
        fields = ["blind_review", "early_review", "jurors_see_scores", "release_comments", "min_reviews",
                  "advance_top", "forum_link"]


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


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ContestForm(forms.Form):
    year = forms.TypedChoiceField(label="Год кампании", coerce=int)
    title = forms.CharField(label="Название", max_length=200, initial="Лидер качества")
    description = forms.CharField(label="Описание", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    applications_open = forms.DateField(label="Начало приёма заявок", widget=DATE)
    applications_close = forms.DateField(label="Окончание приёма заявок", widget=DATE,
                                         help_text="Заявки принимаются до конца этого дня по времени региона.")
    regional_review_until = forms.DateField(label="Региональная экспертиза до", widget=DATE)
    regional_results_on = forms.DateField(label="Итоги регионального тура", widget=DATE)
    national_review_until = forms.DateField(label="Национальная экспертиза до", widget=DATE)
    results_on = forms.DateField(label="Итоги конкурса", widget=DATE)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years]  # type: ignore[attr-defined]


KINDS = {"текст": FormField.Kind.TEXT, "число": FormField.Kind.NUMBER, "выбор": FormField.Kind.CHOICE,
         "ссылка": FormField.Kind.LINK, "файл": FormField.Kind.FILE}
RANGE = re.compile(r"^\s*(-?\d+)\s*[-–—]\s*(-?\d+)\s*$")


def _range(text: str) -> tuple[int, int] | None:
    found = RANGE.match(text)
    return (int(found.group(1)), int(found.group(2))) if found else None


def _question(n: int, parts: list[str]) -> dict[str, Any]:
    label, kind_name = parts[0], (parts[1].lower() if len(parts) > 1 else "текст")
    if not label:
        raise forms.ValidationError(f"Строка {n}: напишите вопрос.")
    if kind_name not in KINDS:
        raise forms.ValidationError(f"Строка {n}: тип «{kind_name}» неизвестен; можно: {', '.join(KINDS)}.")
    spec: dict[str, Any] = {"key": f"q{n}", "label": label[:300], "kind": KINDS[kind_name],
                            "required": (parts[2].lower() if len(parts) > 2 else "да") != "нет"}
    param = parts[3] if len(parts) > 3 else ""
    kind = KINDS[kind_name]
    if param and kind in (FormField.Kind.TEXT, FormField.Kind.NUMBER):
        bounds = _range(param)
        if bounds is None or bounds[0] > bounds[1]:
            raise forms.ValidationError(f"Строка {n}: границы пишут так: 10-2000.")
        spec |= ({"min_length": max(bounds[0], 0), "max_length": bounds[1]} if kind == FormField.Kind.TEXT
                 else {"min_value": bounds[0], "max_value": bounds[1]})
    if kind == FormField.Kind.CHOICE:
        choices = [c.strip() for c in param.split("/") if c.strip()]
        if len(choices) < 2:
            raise forms.ValidationError(f"Строка {n}: перечислите варианты через «/», хотя бы два.")
        spec["choices"] = choices
    if kind == FormField.Kind.FILE and param:
        if not param.isdigit() or not 1 <= int(param) <= 50:
            raise forms.ValidationError(f"Строка {n}: размер файла — число мегабайт от 1 до 50.")
        spec["max_size_mb"] = int(param)
    return spec


def _criterion(n: int, parts: list[str]) -> dict[str, Any]:
    if not parts[0]:
        raise forms.ValidationError(f"Строка {n}: напишите название критерия.")
    weight = parts[1] if len(parts) > 1 and parts[1] else "1"
    if not weight.isdigit() or not 1 <= int(weight) <= 100:
        raise forms.ValidationError(f"Строка {n}: вес — целое число от 1 до 100.")
    bounds = _range(parts[2]) if len(parts) > 2 and parts[2] else (1, 10)
    if bounds is None or bounds[0] >= bounds[1]:
        raise forms.ValidationError(f"Строка {n}: шкалу пишут так: 1-10.")
    return {"title": parts[0][:200], "weight": int(weight), "scale_min": bounds[0], "scale_max": bounds[1]}


def _lines(text: str, parse: Any) -> list[dict[str, Any]]:
    out, errors = [], []
    rows = [line for line in text.splitlines() if line.strip()]
    for n, line in enumerate(rows, start=1):
        try:
            out.append(parse(n, [p.strip() for p in line.split(";")]))
        except forms.ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise forms.ValidationError(errors)
    return out


class NominationForm(forms.Form):
    title = forms.CharField(label="Название номинации", max_length=200)
    description = forms.CharField(label="Описание", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    sectors = forms.MultipleChoiceField(label="Кто может участвовать: сферы (ничего не отмечено — любые)",
                                        required=False, widget=forms.CheckboxSelectMultiple)
    kinds = forms.MultipleChoiceField(label="Типы организаций (ничего не отмечено — любые)", required=False,
                                      widget=forms.CheckboxSelectMultiple, choices=Organisation.Kind.choices)
    for_person = forms.BooleanField(label="Организация номинирует сотрудника (с его согласия)", required=False)
    questions = forms.CharField(
        label="Анкета: по вопросу в строке", widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Вопрос; тип (текст, число, выбор, ссылка, файл); обязательный (да/нет); параметры: для текста "
                  "и числа — границы «50-3000», для выбора — варианты «Очно/Онлайн», для файла — мегабайты «10».")
    criteria = forms.CharField(label="Критерии: по критерию в строке", widget=forms.Textarea(attrs={"rows": 4}),
                               help_text="Название; вес; шкала — например «Результативность; 3; 1-10».")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sectors"].choices = Sector.choices  # type: ignore[attr-defined]

    def clean_questions(self) -> list[dict[str, Any]]:
        return _lines(self.cleaned_data["questions"], _question)

    def clean_criteria(self) -> list[dict[str, Any]]:
        found = _lines(self.cleaned_data["criteria"], _criterion)
        if not found:
            raise forms.ValidationError("Нужен хотя бы один критерий.")
        return found
