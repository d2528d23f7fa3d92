from __future__ import annotations

from typing import Any

from django import forms

from . import engine
from .models import MAX_SECONDS, MIN_SECONDS, Game, Question, Quiz


class QuizForm(forms.Form):
    title = forms.CharField(label="Название", max_length=200)
    description = forms.CharField(label="Описание", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    age_group = forms.ChoiceField(label="Для кого", choices=Quiz.AgeGroup.choices)
    is_published = forms.BooleanField(label="Опубликовать в библиотеке", required=False,
                                      help_text="Учителя увидят квиз в библиотеке и смогут скопировать его.")

    def __init__(self, *args: Any, library: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not library:
            del self.fields["is_published"]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label="Тип вопроса", choices=Question.Kind.choices)
    text = forms.CharField(label="Вопрос", max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    options = forms.CharField(
        label="Варианты ответа", required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text="По одному в строке. Верные отметьте звёздочкой в начале: «* Знак качества». "
                  "Для вопроса «по порядку» — пункты в верном порядке (игроки увидят их перемешанными).")
    accepted = forms.CharField(label="Принимаемые ответы", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                               help_text="Для вопроса с вводом ответа: по одному варианту в строке. Регистр, "
                                         "«ё»/«е» и пробелы не важны.")
    target = forms.FloatField(label="Верное число", required=False, help_text="Для числовой оценки.")
    tolerance = forms.FloatField(label="Допуск", required=False, min_value=0,
                                 help_text="Насколько можно ошибиться и ещё получить баллы (чем ближе, тем больше).")
    seconds = forms.IntegerField(label="Время на ответ, секунд", required=False,
                                 help_text=f"От {MIN_SECONDS} до {MAX_SECONDS} (4 минуты). Пусто — без ограничения.")
    points = forms.TypedChoiceField(label="Баллы", coerce=int, initial=1000,
                                    choices=[(1000, "1000 — обычный"), (2000, "2000 — двойные"), (0, "0 — без баллов")])
    explanation = forms.CharField(label="Пояснение после ответа", required=False, max_length=500,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    image = forms.FileField(label="Изображение (необязательно)", required=False,
                            help_text="JPEG, PNG или WebP до 5 МБ. Файл пересохраняется без метаданных "
                                      "(сведения о камере, геометки) и показывается ведущему и игрокам этой игры.",
                            widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
    image_alt = forms.CharField(label="Описание изображения", required=False, max_length=300,
                                help_text="Обязательно, если есть изображение: его прочитает экранный диктор.")
    remove_image = forms.BooleanField(label="Убрать изображение", required=False)

    def __init__(self, *args: Any, question: Question | None = None, **kwargs: Any) -> None:
        if question is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "kind": question.kind, "text": question.text,
                "options": "\n".join(("* " if i in question.correct else "") + o
                                     for i, o in enumerate(question.options)),
                "accepted": "\n".join(question.accepted), "target": question.target,
                "tolerance": question.tolerance, "seconds": question.seconds, "points": question.points,
                "explanation": question.explanation, "image_alt": question.image_alt}
        super().__init__(*args, **kwargs)
        if question is None or not question.image:
            del self.fields["remove_image"]

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        options, correct = [], []
        for i, line in enumerate(_lines(data.get("options") or "")):
            if line.startswith("*"):
                correct.append(i)
                line = line.lstrip("* ").strip()
            options.append(line)
        return {"kind": data["kind"], "text": data["text"], "options": options, "correct": correct,
                "accepted": _lines(data.get("accepted") or ""), "target": data.get("target"),
                "tolerance": data.get("tolerance") or 0, "seconds": data.get("seconds"),
                "points": data.get("points", 1000), "explanation": data.get("explanation") or "",
                "image": data.get("image") or None, "image_alt": data.get("image_alt") or "",
                "remove_image": bool(data.get("remove_image"))}


class GameForm(forms.Form):
    scoring = forms.ChoiceField(label="Подсчёт баллов", choices=Game.Scoring.choices, initial=Game.Scoring.ACCURACY,
                                widget=forms.RadioSelect,
                                help_text="«Только точность» не торопит: так удобнее младшим школьникам и "
                                          "игрокам с особыми потребностями.")
    teams = forms.CharField(label="Команды (необязательно)", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                            help_text="От 2 до 8 названий, по одному в строке: игроки выберут команду при входе, "
                                      "счёт команды — средний балл её игроков. Пусто — каждый играет за себя.")

    def team_names(self) -> list[str]:
        return _lines(self.cleaned_data.get("teams") or "")


class CopyForm(forms.Form):
    organisation: forms.ModelChoiceField = forms.ModelChoiceField(label="В организацию", queryset=None,
                                                                   empty_label=None)

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]


class AttachForm(forms.Form):
    activity = forms.TypedChoiceField(label="Мероприятие", coerce=int, empty_value=None)
    category = forms.ChoiceField(label="Кто играл")

    def __init__(self, *args: Any, activities: list[tuple[int, str]], categories: list[tuple[str, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["activity"].choices = [("", "— выберите мероприятие —"), *activities]  # type: ignore[attr-defined]
        self.fields["category"].choices = categories  # type: ignore[attr-defined]


class ImportForm(forms.Form):
    file = forms.FileField(label="Файл квиза (XLSX или JSON)",
                           help_text="XLSX — по шаблону, JSON — выгрузка квиза с платформы. До 2 МБ.",
                           error_messages={"required": "Выберите файл квиза.",
                                           "empty": "Файл пустой: выберите файл квиза (XLSX или JSON)."},
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.json,application/json,"
                                                                  "application/vnd.openxmlformats-officedocument."
                                                                  "spreadsheetml.sheet"}))


class HomeworkForm(forms.Form):
    closes_on = forms.DateField(label="Принимать ответы до (дата)", widget=forms.DateInput(attrs={"type": "date"}),
                                error_messages={"required": "Укажите дату закрытия.",
                                                "invalid": "Дата в формате ДД.ММ.ГГГГ."},
                                input_formats=["%Y-%m-%d", "%d.%m.%Y"])
    closes_time = forms.TimeField(label="Время", initial="18:00", widget=forms.TimeInput(attrs={"type": "time"}),
                                  error_messages={"required": "Укажите время закрытия.",
                                                  "invalid": "Время в формате ЧЧ:ММ."},
                                  help_text="По времени вашей организации.")
    scoring = forms.ChoiceField(label="Подсчёт баллов", choices=Game.Scoring.choices, initial=Game.Scoring.ACCURACY,
                                widget=forms.RadioSelect)


class HomeworkJoinForm(forms.Form):
    nickname = forms.CharField(label="Имя в игре", required=False, max_length=20,
                               help_text="Любое, настоящее имя не нужно. Оставьте пустым — получите случайное.")


def homework_value(kind: str, data: Any, count: int) -> Any:
    """The answer a plain HTML form posted, as the engine grades it (None when nothing was picked)."""
    def _int(raw: Any) -> int | None:
        try:
            return int(raw)
        except (TypeError, ValueError):
            return None

    if kind in (engine.SINGLE, engine.TRUE_FALSE, engine.POLL):
        pick = _int(data.get("choice"))
        return None if pick is None else [pick]
    if kind == engine.MULTIPLE:
        picks = [_int(v) for v in data.getlist("choice")]
        return None if not picks or None in picks else picks
    if kind == engine.ORDERING:
        order = [_int(data.get(f"place_{n}")) for n in range(count)]
        return None if None in order else order
    if kind == engine.TYPED:
        return (data.get("text") or "").strip() or None
    if kind == engine.ESTIMATE:
        raw = (data.get("number") or "").replace(",", ".").replace(" ", "").replace("\u00a0", "")
        try:
            return float(raw)
        except ValueError:
            return None
    return None
