"""Views of the spreadsheet import and the activities export. Thin: parse, call a service, render."""

from __future__ import annotations

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

from .. import selectors
from ..models import ImportBatch
from ..rules import STUCK, batch_state
from . import selectors as import_selectors
from . import services as imports
from . import workbook
from .tasks import export_activities_task
from .template import build_template

ERRORS_PER_PAGE = 100


class UploadForm(forms.Form):
    scope = forms.ChoiceField(label="Регион и сфера", required=False)
    file = forms.FileField(
        label="Файл таблицы (XLSX или CSV)",
        help_text=f"До {workbook.MAX_UPLOAD_BYTES // 2**20} МБ и {workbook.MAX_ROWS:,} строк. "
                  "Первая строка таблицы — заголовки, как в шаблоне.".replace(",", "\u00a0"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,application/vnd.openxmlformats-officedocument"
                                                         ".spreadsheetml.sheet,text/csv"}),
    )

    def __init__(self, *args, scopes, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.scopes = {f"{region.pk}:{sector}": (region, sector) for region, sector in scopes}
        scope_field: forms.ChoiceField = self.fields["scope"]  # type: ignore[assignment]
        scope_field.choices = [(k, import_selectors.scope_label(*v)) for k, v in self.scopes.items()]
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
        if upload.size > workbook.MAX_UPLOAD_BYTES:
            raise ValidationError(f"Файл больше {workbook.MAX_UPLOAD_BYTES // 2**20} МБ. "
                                  "Разбейте таблицу на несколько файлов.")
        return upload


def _require_import(request: HttpRequest) -> None:
    if not can(request.user, "import", ImportBatch):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def activity_import(request: HttpRequest) -> HttpResponse:
    _require_import(request)
    scopes = import_selectors.import_scopes(request.user)
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
            windows.append((import_selectors.scope_label(region, sector), date_range_ru(*campaign.dates_for(region))))
    return render(request, "activities/import_upload.html", {
        "form": form, "campaign": campaign, "windows": windows,
        "batches": import_selectors.batches_for(request.user)[:10],
    })


@login_required
def activity_import_template(request: HttpRequest) -> HttpResponse:
    """The XLSX template: Russian headers, an example row, and the reference lists on a second sheet."""
    content = build_template(current_campaign())
    response = HttpResponse(content,
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="activities-template.xlsx"'
    return response


@login_required
def activity_import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(import_selectors.batches_for(request.user), pk=pk)
    row_errors = [e for e in batch.errors if not e.get("note")]
    notes = [e["message"] for e in batch.errors if e.get("note")]
    page = Paginator(row_errors, ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "batch": batch, "page": page, "notes": notes, "error_count": len([e for e in row_errors if e["row"]]),
        "error_rows": len({e["row"] for e in row_errors if e["row"]}),
        "new_rows": max(batch.rows_valid - batch.already_present, 0),
        "busy": batch_state(batch) in {ImportBatch.Status.VALIDATING, ImportBatch.Status.IMPORTING},
        "stuck": batch_state(batch) == STUCK,
        "actions": actions_for(request.user, batch),
    }
    template = "activities/import_status.html" if request.headers.get("HX-Request") else \
        "activities/import_detail.html"
    return render(request, template, context)


@login_required
@require_POST
def activity_import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(import_selectors.batches_for(request.user), pk=pk)
    try:
        imports.confirm_import(actor=Actor.from_request(request), batch=batch)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("activity_import_detail", pk=batch.pk)


@login_required
@require_POST
def activity_import_retry(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(import_selectors.batches_for(request.user), pk=pk)
    try:
        imports.retry_import(actor=Actor.from_request(request), batch=batch)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Обработка «{batch.file_name}» запущена снова.")
    return redirect("activity_import_detail", pk=batch.pk)


@login_required
@require_POST
def activity_import_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(import_selectors.batches_for(request.user), pk=pk)
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
