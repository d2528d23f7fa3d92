"""Thin views of the regional report: the board of regions, one report, its files and its workflow."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from qualityweek.core.audit import Actor
from qualityweek.core.forms import apply_errors
from qualityweek.core.permissions import actions_for, can
from qualityweek.directory.access import principal
from qualityweek.directory.models import COORDINATED_SECTORS, Sector

from ..models import RegionalReport
from . import selectors, services
from .pdf import build_pdf
from .xlsx import build_xlsx, file_stem, report_subtitle, report_title

PAGE_SIZE = 100
R = RegionalReport.Status


class ReturnForm(forms.Form):
    comment = forms.CharField(label="Что нужно исправить", widget=forms.Textarea(attrs={"rows": 3}),
                              max_length=4000, required=False,
                              help_text="Координатор региона увидит этот комментарий.")


def _detail_url(report: RegionalReport) -> str:
    return reverse("regional_report_detail", kwargs={"year": report.campaign.year, "code": report.region.code,
                                                     "sector": report.sector})


@login_required
@require_GET
def regional_report_list(request: HttpRequest) -> HttpResponse:
    if not selectors.may_list(request.user):
        raise PermissionDenied
    campaigns = selectors.campaigns_with_reports(request.user)
    campaign = next((c for c in campaigns if str(c.year) == request.GET.get("year")), None) \
        or selectors.default_campaign(request.user)
    rows = selectors.board(request.user, campaign) if campaign else []
    status = request.GET.get("status", "")
    sector = request.GET.get("sector", "")
    counts = {key: sum(1 for r in rows if r.state == key) for key in selectors.STATE_LABELS}
    shown = [r for r in rows if (not status or r.state == status) and (not sector or r.sector == sector)]
    p = principal(request.user)
    history = []
    if p.is_coordinator and not p.is_operator and campaign is not None:
        history = list(RegionalReport.objects.filter(region_id__in=[rid for rid, _ in p.regions])
                       .exclude(campaign=campaign).select_related("campaign", "region")
                       .order_by("-campaign__year", "region__code", "sector"))
        history = [r for r in history if p.covers(r.region_id, r.sector)]
    return render(request, "activities/regional_report_list.html", {
        "campaign": campaign, "campaigns": campaigns, "rows": shown, "total": len(rows), "counts": counts,
        "states": list(selectors.STATE_LABELS.items()), "status": status, "sector": sector,
        "sectors": [(s.value, s.label) for s in COORDINATED_SECTORS], "is_operator": p.is_operator,
        "late": sum(1 for r in rows if r.report is not None and r.report.is_late), "history": history,
    })


def _context(request: HttpRequest, report: RegionalReport, return_form: ReturnForm | None = None) -> dict:
    s = selectors.summary(campaign=report.campaign, region=report.region, sector=report.sector)
    actions = actions_for(request.user, report)
    page = Paginator(s.activities, PAGE_SIZE).get_page(request.GET.get("page"))
    return {
        "report": report, "s": s, "page": page, "state": selectors.state(report),
        "state_label": selectors.STATE_LABELS[selectors.state(report)],
        "badge": selectors.BADGES.get(selectors.state(report), ""),
        "title": report_title(s), "subtitle": report_subtitle(s),
        "actions": actions,
        "may_submit": "submit" in actions,
        "may_accept": "accept" in actions,
        "return_form": return_form or ReturnForm(),
        "snapshot": report.totals if report.pk and report.status in {R.SUBMITTED, R.ACCEPTED} else None,
        "changed_since": bool(report.totals) and report.totals != s.totals(),
    }


@login_required
@require_GET
def regional_report_detail(request: HttpRequest, year: int, code: str, sector: str) -> HttpResponse:
    """Reads only: a report nobody has started is shown unsaved, with «Начать отчёт» for its coordinator."""
    report = selectors.report_for(request.user, year=year, region_code=code, sector=sector)
    return render(request, "activities/regional_report_detail.html", _context(request, report))


@login_required
@require_POST
def regional_report_start(request: HttpRequest, year: int, code: str, sector: str) -> HttpResponse:
    """The coordinator starts the report: from now on it is their draft (a second click changes nothing)."""
    report = selectors.report_for(request.user, year=year, region_code=code, sector=sector)
    try:
        report = services.start_report(actor=Actor.from_request(request), campaign=report.campaign,
                                       region=report.region, sector=report.sector)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Отчёт начат: это черновик, пока вы не отправите его оператору.")
    return redirect(_detail_url(report))


def _download(content: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def regional_report_xlsx(request: HttpRequest, year: int, code: str, sector: str) -> HttpResponse:
    report = selectors.report_for(request.user, year=year, region_code=code, sector=sector)
    s = selectors.summary(campaign=report.campaign, region=report.region, sector=report.sector)
    return _download(build_xlsx(s, report), f"{file_stem(s)}.xlsx",
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@login_required
@require_GET
def regional_report_pdf(request: HttpRequest, year: int, code: str, sector: str) -> HttpResponse:
    report = selectors.report_for(request.user, year=year, region_code=code, sector=sector)
    s = selectors.summary(campaign=report.campaign, region=report.region, sector=report.sector)
    return _download(build_pdf(s, report), f"{file_stem(s)}.pdf", "application/pdf")


@login_required
@require_POST
def regional_report_submit(request: HttpRequest, year: int, code: str, sector: str) -> HttpResponse:
    report = selectors.report_for(request.user, year=year, region_code=code, sector=sector)
    try:
        report = services.submit_report(actor=Actor.from_request(request), campaign=report.campaign,
                                        region=report.region, sector=report.sector)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        note = " Срок отчёта прошёл: отчёт отмечен как отправленный с опозданием." if report.is_late else ""
        messages.success(request, f"Отчёт отправлен оператору.{note}")
    return redirect(_detail_url(report))


@login_required
@require_POST
def regional_report_accept(request: HttpRequest, year: int, code: str, sector: str) -> HttpResponse:
    report = selectors.report_for(request.user, year=year, region_code=code, sector=sector)
    if not can(request.user, "decide", report):
        raise PermissionDenied
    try:
        services.accept_report(actor=Actor.from_request(request), report=report)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Отчёт принят: {report.region.short_name}, "
                                  f"{Sector(report.sector).label.lower()}.")
    return redirect(_detail_url(report))


@login_required
@require_POST
def regional_report_return(request: HttpRequest, year: int, code: str, sector: str) -> HttpResponse:
    report = selectors.report_for(request.user, year=year, region_code=code, sector=sector)
    if not can(request.user, "decide", report):
        raise PermissionDenied
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.return_report(actor=Actor.from_request(request), report=report,
                                   comment=form.cleaned_data["comment"])
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                messages.error(request, " ".join(exc.messages))
                return redirect(_detail_url(report))
            apply_errors(form, exc)
        else:
            messages.success(request, "Отчёт возвращён координатору с комментарием.")
            return redirect(_detail_url(report))
    return render(request, "activities/regional_report_detail.html", _context(request, report, form), status=400)
