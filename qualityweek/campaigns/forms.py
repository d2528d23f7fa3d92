"""The operator's campaign forms. They only parse; the services check the dates and the year and
name the field at fault (``core.forms.apply_errors`` puts the message next to it)."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from qualityweek.directory.models import Region

from . import calendar
from .models import Campaign
from .services import FIRST_YEAR, LAST_YEAR


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _date(label: str, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput(), help_text=help_text,
                           error_messages={"invalid": "Введите дату, например 12.11.2026.",
                                           "required": "Укажите дату."})


RULE = "Если оставить пустым — по правилу календаря: {}."


class CampaignCreateForm(forms.Form):
    year = forms.IntegerField(label="Год", min_value=FIRST_YEAR, max_value=LAST_YEAR, error_messages={
        "required": "Укажите год кампании.", "invalid": "Год — это число, например 2027.",
        "min_value": f"Укажите год от {FIRST_YEAR} до {LAST_YEAR}.",
        "max_value": f"Укажите год от {FIRST_YEAR} до {LAST_YEAR}."})
    motto = forms.CharField(label="Девиз", max_length=200, required=False,
                            error_messages={"max_length": "Девиз — не длиннее 200 знаков."})
    week_start = _date("Начало Недели качества", False, RULE.format("понедельник второй недели ноября"))
    week_end = _date("Конец Недели качества", False, RULE.format("воскресенье той же недели"))
    quality_day = _date("День качества", False, RULE.format("второй четверг ноября"))
    report_deadline = _date("Срок отчётов", False, RULE.format("15 декабря"))

    @classmethod
    def initial_for(cls, latest_year: int | None, this_year: int) -> dict[str, Any]:
        """Next year after the latest campaign, with the calendar rule's dates."""
        year = latest_year + 1 if latest_year else this_year
        start, end = calendar.quality_week(year)
        return {"year": year, "week_start": start, "week_end": end, "quality_day": calendar.quality_day(year),
                "report_deadline": calendar.report_deadline(year)}


class CampaignEditForm(forms.Form):
    motto = forms.CharField(label="Девиз", max_length=200, required=False,
                            error_messages={"max_length": "Девиз — не длиннее 200 знаков."})
    week_start = _date("Начало Недели качества")
    week_end = _date("Конец Недели качества")
    quality_day = _date("День качества")
    report_deadline = _date("Срок отчётов", help_text="До конца этого дня по времени каждого региона.")
    submissions_closed = forms.BooleanField(label="Приём отчётов закрыт", required=False,
                                            help_text="Организации не смогут отправлять отчёты.")

    @classmethod
    def initial_for(cls, campaign: Campaign) -> dict[str, Any]:
        return {name: getattr(campaign, name) for name in cls.base_fields}


class PhaseForm(forms.Form):
    phase = forms.ChoiceField(label="Этап", choices=Campaign.Phase.choices,
                              error_messages={"invalid_choice": "Выберите этап из списка."})


class WindowForm(forms.Form):
    region = forms.ModelChoiceField(label="Регион", queryset=Region.objects.order_by("name"),
                                    empty_label="Выберите регион",
                                    error_messages={"required": "Выберите регион.",
                                                    "invalid_choice": "Выберите регион из списка."})
    starts_on = _date("Начало мероприятий в регионе", False)
    ends_on = _date("Конец мероприятий в регионе", False)
    deadline = _date("Продлённый срок отчётов", False, "Позже общего срока кампании.")
    reason = forms.CharField(label="Основание", max_length=300, required=False,
                             help_text="Например, письмо министерства от 1 ноября 2026 г. № 123.",
                             error_messages={"max_length": "Основание — не длиннее 300 знаков."})

    def __init__(self, *args: Any, region: Region | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if region is not None:  # editing one region's window: the region is fixed
            field = cast(forms.ModelChoiceField, self.fields["region"])
            field.queryset = Region.objects.filter(pk=region.pk)
            field.initial = region.pk
