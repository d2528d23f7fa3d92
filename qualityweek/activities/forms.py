import uuid

from django import forms

from .models import CATEGORY_FIELDS, Activity, ActivityType, Category


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class PlanForm(forms.Form):
    organisation: forms.ModelChoiceField = forms.ModelChoiceField(label="Организация", queryset=None,
                                                                   empty_label=None)
    type = forms.ModelChoiceField(label="Тип мероприятия", queryset=ActivityType.objects.none(),
                                  empty_label="— выберите тип —")
    title = forms.CharField(label="Название", max_length=300)
    starts_on = forms.DateField(label="Дата начала", widget=DateInput())
    ends_on = forms.DateField(label="Дата окончания", widget=DateInput(),
                              help_text="Для мероприятия в один день — та же дата.")
    format = forms.ChoiceField(label="Формат", choices=Activity.Format.choices)
    audience = forms.CharField(label="Для кого", max_length=300, required=False,
                               help_text="Например: 5–7 классы и родители; покупатели магазина.")
    venue = forms.CharField(label="Место проведения", max_length=300, required=False)
    expected_participants = forms.IntegerField(label="Ожидается участников", min_value=0, max_value=100_000,
                                               required=False)
    is_public = forms.BooleanField(label="Показывать в публичной афише Недели качества", required=False,
                                   help_text="Для открытых мероприятий: дней открытых дверей, экскурсий, акций.")
    client_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, organisations, types, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        if len(organisations) == 1:
            self.fields["organisation"].widget = forms.HiddenInput()
        self.fields["type"].queryset = types  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial.setdefault("client_token", uuid.uuid4())


class ReportForm(forms.Form):
    description = forms.CharField(label="Как прошло мероприятие", required=False,
                                  widget=forms.Textarea(attrs={"rows": 5}))
    links = forms.CharField(label="Ссылки на публикации", required=False,
                            widget=forms.Textarea(attrs={"rows": 3}),
                            help_text="По одной ссылке в строке: сайт организации, соцсети, СМИ.")
    consent_on_file = forms.BooleanField(label="Согласия на публикацию фотографий получены и хранятся "
                                               "в организации", required=False)
    propose_best_practice = forms.BooleanField(label="Предложить как лучшую практику", required=False)

    def __init__(self, *args, activity: Activity, **kwargs):
        super().__init__(*args, **kwargs)
        for field in CATEGORY_FIELDS:
            if field in activity.type.categories:
                self.fields[field] = forms.IntegerField(label=Category(field).label, min_value=0,
                                                        max_value=10_000_000, required=False,
                                                        widget=forms.NumberInput(attrs={"inputmode": "numeric",
                                                                                       "data-participants": "1"}))
        # Participants first, as people fill the report in.
        order = [f for f in CATEGORY_FIELDS if f in self.fields] + ["description", "links", "consent_on_file",
                                                                     "propose_best_practice"]
        self.order_fields(order)

    def clean_links(self):
        return [line.strip() for line in self.cleaned_data["links"].split() if line.strip()]

    def report_fields(self) -> dict:
        data = dict(self.cleaned_data)
        return {k: (v if v is not None else 0) for k, v in data.items()}


class CommentForm(forms.Form):
    comment = forms.CharField(label="Комментарий", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
