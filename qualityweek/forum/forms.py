"""Forms of the forum pages. The services validate again; these only parse."""

from __future__ import annotations

from typing import Any

from django import forms

from qualityweek.campaigns.models import Campaign
from qualityweek.core.text import ru_number
from qualityweek.directory.models import Region

from .models import Day, Forum, Question, Session, Venue


def _regions() -> Any:
    return Region.objects.order_by("name")


class PersonForm(forms.Form):
    name = forms.CharField(label="Фамилия, имя, отчество", max_length=200)
    email = forms.CharField(label="E-mail", max_length=254, help_text="На него придёт билет.")
    region = forms.ModelChoiceField(label="Регион", queryset=Region.objects.none(), required=False,
                                    empty_label="— не выбран —")

    def __init__(self, *args: Any, forum: Forum, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.forum = forum
        self.fields["region"].queryset = _regions()  # type: ignore[attr-defined]
        self.fields["email"].widget = forms.EmailInput(attrs={"autocomplete": "email"})
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        for q in forum.questions.all():
            self.fields[f"q_{q.pk}"] = _question_field(q)

    def answers(self) -> dict[str, Any]:
        return {key[2:]: value for key, value in self.cleaned_data.items() if key.startswith("q_")}


def _question_field(q: Question) -> forms.Field:
    if q.kind == Question.Kind.CHOICE:
        return forms.ChoiceField(label=q.label, required=False, choices=[("", "— выберите —")] +
                                 [(c, c) for c in q.choices])
    if q.kind == Question.Kind.REGION:
        return forms.ChoiceField(label=q.label, required=False,
                                 choices=[("", "— выберите —")] + [(r.pk, r.name) for r in _regions()])
    help_text = "ИНН или точное название организации из справочника." if q.kind == Question.Kind.ORGANISATION else ""
    return forms.CharField(label=q.label, required=False, max_length=2000, help_text=help_text)


class VenueChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        if obj.capacity is None:
            return str(obj.name)
        if obj.kind != Venue.Kind.REGIONAL:
            return obj.name
        return f"{obj.name} — свободно {ru_number(obj.free)} из {ru_number(obj.capacity)}"


class RegistrationForm(PersonForm):
    venue = VenueChoice(label="Где вы будете участвовать", queryset=Venue.objects.none(), empty_label=None)
    waitlist_ok = forms.BooleanField(label="Если мест нет — поставить меня в лист ожидания", required=False,
                                     initial=True)
    consent = forms.BooleanField(label="Я даю согласие на обработку персональных данных (текст выше)",
                                 required=False)
    partners_consent = forms.BooleanField(label="Я согласен(на) на передачу данных партнёрам форума (по желанию)",
                                          required=False)

    def __init__(self, *args: Any, forum: Forum, session: Session, venues: Any, **kwargs: Any) -> None:
        super().__init__(*args, forum=forum, **kwargs)
        self.fields["venue"].queryset = venues  # type: ignore[attr-defined]
        order = ["name", "email", "region", "venue"]
        self.order_fields(order)


class GroupForm(RegistrationForm):
    kind = forms.ChoiceField(label="Вид заявки", choices=[("delegation", "Делегация региона"),
                                                          ("group", "Группа учащихся (класс)")])
    pupils = forms.IntegerField(label="Учащихся", min_value=0, max_value=500, required=False, initial=0)
    adults = forms.IntegerField(label="Сопровождающих взрослых / участников делегации", min_value=0, max_value=500,
                                required=False, initial=1)
    session = forms.ModelChoiceField(label="Сессия", queryset=Session.objects.none(), empty_label=None)

    def __init__(self, *args: Any, forum: Forum, venues: Any, **kwargs: Any) -> None:
        super().__init__(*args, forum=forum, session=None, venues=venues, **kwargs)  # type: ignore[arg-type]
        self.fields["session"].queryset = (  # type: ignore[attr-defined]
            Session.objects.filter(forum=forum).select_related("day").order_by("starts_at"))
        self.fields["name"].label = "Руководитель (ФИО)"
        self.order_fields(["kind", "session", "venue", "name", "email", "region", "pupils", "adults"])


class MemberForm(forms.Form):
    name = forms.CharField(label="Фамилия, имя, отчество", max_length=200)
    position = forms.CharField(label="Должность", max_length=200, required=False)
    organisation = forms.CharField(label="Организация", max_length=300, required=False)
    email = forms.CharField(label="E-mail (по желанию)", max_length=254, required=False,
                            help_text="Если указать, участнику придёт его билет.",
                            widget=forms.EmailInput(attrs={"autocomplete": "off"}))


class VenueForm(forms.Form):
    name = forms.CharField(label="Название площадки", max_length=200)
    address = forms.CharField(label="Адрес", max_length=300)
    capacity = forms.IntegerField(label="Мест", min_value=1, max_value=100_000, required=False,
                                  help_text="Оставьте пустым, если без ограничения.")
    contact = forms.CharField(label="Контакт (ФИО, телефон, e-mail)", max_length=300)
    connection = forms.CharField(label="Как подключается к трансляции", max_length=300)


class WatchersForm(forms.Form):
    count = forms.IntegerField(label="Смотрели вместе, человек", min_value=0, max_value=100_000)


class DeclineForm(forms.Form):
    reason = forms.CharField(label="Причина отказа", max_length=500, required=False)


class EditForm(PersonForm):
    pass


class ForumForm(forms.Form):
    campaign = forms.ModelChoiceField(label="Кампания", queryset=Campaign.objects.filter(forum__isnull=True),
                                      empty_label=None)
    title = forms.CharField(label="Название", max_length=200)
    starts_on = forms.DateField(label="Первый день", widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label="Последний день", widget=forms.DateInput(attrs={"type": "date"}))
    requires_approval = forms.BooleanField(label="Регистрации подтверждаются", required=False)
    is_published = forms.BooleanField(label="Опубликовать программу и открыть регистрацию", required=False)


class DayForm(forms.Form):
    date = forms.DateField(label="Дата", widget=forms.DateInput(attrs={"type": "date"}))
    title = forms.CharField(label="Название дня", max_length=200, required=False)
    is_regional = forms.BooleanField(label="Региональный день", required=False)


class HallForm(forms.Form):
    kind = forms.ChoiceField(label="Вид", choices=[("hall", "Зал (очно)"), ("online", "Онлайн-трансляция")])
    name = forms.CharField(label="Название", max_length=200)
    address = forms.CharField(label="Адрес", max_length=300, required=False)
    capacity = forms.IntegerField(label="Мест", min_value=1, required=False)
    stream_url = forms.URLField(label="Ссылка на трансляцию", required=False, assume_scheme="https")


class SessionForm(forms.Form):
    day: forms.ModelChoiceField[Day] = forms.ModelChoiceField(label="День", queryset=Day.objects.none())
    venue: forms.ModelChoiceField[Venue] = forms.ModelChoiceField(label="Зал", queryset=Venue.objects.none())
    starts_at = forms.DateTimeField(label="Начало", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(label="Окончание", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    title = forms.CharField(label="Название", max_length=300)
    speakers = forms.CharField(label="Спикеры", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    format = forms.ChoiceField(label="Формат", choices=Session.Format.choices)
    capacity = forms.IntegerField(label="Мест (пусто — как в зале)", min_value=1, required=False)

    def __init__(self, *args: Any, forum: Forum, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["day"].queryset = forum.days.all()  # type: ignore[attr-defined]
        self.fields["venue"].queryset = forum.venues.filter(kind=Venue.Kind.HALL)  # type: ignore[attr-defined]


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label="Вид вопроса", choices=Question.Kind.choices)
    label = forms.CharField(label="Вопрос", max_length=300)
    choices = forms.CharField(label="Варианты (по одному в строке)", required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    required = forms.BooleanField(label="Обязательный", required=False)
