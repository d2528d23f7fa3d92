"""Views of the spreadsheet import and the activities export. Thin: parse, call a service, render."""

from __future__ import annotations

import io

import xlsxwriter
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from qualityweek.campaigns.selectors import current_campaign
from qualityweek.core.audit import Actor
from qualityweek.core.forms import apply_errors
from qualityweek.core.jobs import start_job
from qualityweek.core.permissions import actions_for, can
from qualityweek.core.text import date_range_ru

from . import imports, selectors, spreadsheets
from .import_tasks import export_activities_task
from .models import CATEGORY_FIELDS, ActivityType, ImportBatch

ERRORS_PER_PAGE = 100


class UploadForm(forms.Form):
    scope = forms.ChoiceField(label="Регион и сфера", required=False)
    file = forms.FileField(
        label="Файл таблицы (XLSX или CSV)",
        help_text=f"До {spreadsheets.MAX_UPLOAD_BYTES // 2**20} МБ и {spreadsheets.MAX_ROWS:,} строк. "
                  "Первая строка таблицы — заголовки, как в шаблоне.".replace(",", "\u00a0"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,application/vnd.openxmlformats-officedocument"
                                                         ".spreadsheetml.sheet,text/csv"}),
    )

    def __init__(self, *args, scopes, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.scopes = {f"{region.pk}:{sector}": (region, sector) for region, sector in scopes}
        scope_field: forms.ChoiceField = self.fields["scope"]  # type: ignore[assignment]
        scope_field.choices = [(k, imports.scope_label(*v)) for k, v in self.scopes.items()]
        if len(self.scopes) == 1:
            self.fields["scope"].widget = forms.HiddenInput()
            self.initial["scope"] = next(iter(self.scopes))

    def clean_scope(self) -> str:
        value = self.cleaned_data.get("scope") or ""
        if not value and len(self.scopes) == 1:
            value = next(iter(self.scopes))
        if value not in self.scopes:
            raise ValidationError("Выберите регион и сферу, в которые загружаются мероприятия.")
        return value

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > spreadsheets.MAX_UPLOAD_BYTES:
            raise ValidationError(f"Файл больше {spreadsheets.MAX_UPLOAD_BYTES // 2**20} МБ. "
                                  "Разбейте таблицу на несколько файлов.")
        return upload


def _require_import(request: HttpRequest) -> None:
    if not can(request.user, "import", ImportBatch):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def activity_import(request: HttpRequest) -> HttpResponse:
    _require_import(request)
    scopes = imports.import_scopes(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, scopes=scopes)
    if request.method == "POST" and form.is_valid():
        region, sector = form.scopes[form.cleaned_data["scope"]]
        upload = form.cleaned_data["file"]
        try:
            batch = imports.start_import(actor=Actor.from_request(request), region=region, sector=sector,
                                         file_name=upload.name, data=upload.read())
        except ValidationError as exc:
            apply_errors(form, exc, default_field="file")
        else:
            return redirect("activity_import_detail", pk=batch.pk)
    campaign = current_campaign()
    windows = []
    if campaign:
        for region, sector in scopes:
            windows.append((imports.scope_label(region, sector), date_range_ru(*campaign.dates_for(region))))
    return render(request, "activities/import_upload.html", {
        "form": form, "campaign": campaign, "windows": windows,
        "batches": imports.batches_for(request.user)[:10],
    })


@login_required
def activity_import_template(request: HttpRequest) -> HttpResponse:
    """The XLSX template: Russian headers, an example row, and the reference lists on a second sheet."""
    campaign = current_campaign()
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    head = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DCE7F5",
                            "border": 1})
    date = book.add_format({"num_format": "dd.mm.yyyy"})
    note = book.add_format({"italic": True, "font_color": "#4F5964", "text_wrap": True, "valign": "top"})
    sheet = book.add_worksheet("Мероприятия")
    columns = spreadsheets.COLUMNS
    sheet.write_row(0, 0, [c.header for c in columns], head)
    day = campaign.quality_day if campaign else None
    example = {
        "inn": "4345000000", "organisation": "МБОУ «Средняя общеобразовательная школа № 1» г. Киров",
        "type": "Урок качества", "title": "Урок качества «Россия — страна со Знаком качества»",
        "format": "очно", "pupils_5_9": 75, "teachers": 3,
        "links": "https://vk.com/wall-1_1", "description": "Урок качества для трёх классов: 75 учащихся.",
        "is_public": "да",
    }
    for col, c in enumerate(columns):
        if c.key in ("starts_on", "ends_on") and day:
            sheet.write_datetime(1, col, day, date)
        elif c.key in example:
            sheet.write(1, col, example[c.key])
        if c.help:
            sheet.write_comment(0, col, c.help, {"x_scale": 2})
    sheet.set_row(0, 45)
    sheet.set_column(0, len(columns) - 1, 16)
    sheet.set_column(1, 1, 40)
    sheet.set_column(2, 3, 32)
    sheet.freeze_panes(1, 0)
    ref = book.add_worksheet("Типы мероприятий")
    ref.write_row(0, 0, ["Тип мероприятия", "Код", "Для каких сфер", "Какие категории участников учитываются"],
                  head)
    sectors = {"education": "образование", "business": "бизнес", "government": "органы власти", "other": "другое"}
    labels = dict(zip(CATEGORY_FIELDS, [c.header for c in columns if c.key in CATEGORY_FIELDS], strict=True))
    row = 0
    for row, t in enumerate(ActivityType.objects.filter(is_active=True), start=1):
        ref.write_row(row, 0, [t.name, t.code, ", ".join(sectors.get(s, s) for s in t.sectors),
                               ", ".join(labels.get(c, c) for c in t.categories)])
    rules = [
        "Как указать организацию:",
        "1. По ИНН (10 или 12 цифр) — надёжнее всего.",
        "2. Если ИНН нет — точное название организации, как в реестре платформы (регистр, «ё», кавычки и "
        "пробелы не важны).",
        "Организация должна быть из вашего региона и вашей сферы и быть подтверждена в реестре.",
        "Даты: 14.11.2026, 14 ноября 2026, 2026-11-14 или ячейка в формате даты; окончание можно не указывать.",
        "Числа участников — целые, пустая ячейка означает 0. Пустые строки пропускаются.",
        "Загружаются отчёты о проведённых мероприятиях: нужно хотя бы одно ненулевое число участников и "
        "описание или ссылка на публикацию.",
        "Формат: очно, онлайн или гибридно. Показывать в афише: да или нет.",
        "Повторная загрузка того же файла не создаёт дубликатов.",
    ]
    for i, line in enumerate(rules):
        ref.write(row + 2 + i, 0, line, note if i else head)
    ref.set_column(0, 0, 60)
    ref.set_column(1, 1, 18)
    ref.set_column(2, 3, 50)
    book.close()
    response = HttpResponse(out.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="activities-template.xlsx"'
    return response


@login_required
def activity_import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(imports.batches_for(request.user), pk=pk)
    row_errors = [e for e in batch.errors if not e.get("note")]
    notes = [e["message"] for e in batch.errors if e.get("note")]
    page = Paginator(row_errors, ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "batch": batch, "page": page, "notes": notes, "error_count": len([e for e in row_errors if e["row"]]),
        "error_rows": len({e["row"] for e in row_errors if e["row"]}),
        "new_rows": max(batch.rows_valid - batch.already_present, 0),
        "busy": batch.status in {ImportBatch.Status.VALIDATING, ImportBatch.Status.IMPORTING},
        "actions": actions_for(request.user, batch),
    }
    template = "activities/import_status.html" if request.headers.get("HX-Request") else \
        "activities/import_detail.html"
    return render(request, template, context)


@login_required
@require_POST
def activity_import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(imports.batches_for(request.user), pk=pk)
    try:
        imports.confirm_import(actor=Actor.from_request(request), batch=batch)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("activity_import_detail", pk=batch.pk)


@login_required
@require_POST
def activity_import_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(imports.batches_for(request.user), pk=pk)
    try:
        imports.cancel_import(actor=Actor.from_request(request), batch=batch)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Загрузка «{batch.file_name}» отменена: ничего не импортировано.")
    return redirect("activity_import")


@login_required
@require_http_methods(["GET", "POST"])
def activity_export(request: HttpRequest) -> HttpResponse:
    """GET shows what will be exported (the activity list's filters from the query string) and asks
    for the format; POST starts the export job and sends the user to its progress page."""
    params = request.POST if request.method == "POST" else request.GET
    flt = selectors.ActivityFilter.from_params(params)
    if request.method == "POST":
        fmt = request.POST.get("format", "xlsx")
        if fmt not in ("xlsx", "csv"):
            fmt = "xlsx"
        job = start_job(owner=request.user, kind="activities.export",
                        title=f"Выгрузка мероприятий в {fmt.upper()}", task=export_activities_task,
                        filters=flt.as_params(), fmt=fmt)
        return redirect("job_detail", pk=job.pk)
    campaign = flt.campaign()
    return render(request, "activities/import_export.html", {
        "filters": flt.as_params(), "campaign": campaign,
        "count": selectors.activities_for(request.user, flt).count(),
    })
