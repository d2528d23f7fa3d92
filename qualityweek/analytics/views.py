"""Thin views: dashboards, drill-downs, reminders, history, open data and the JSON API."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from qualityweek.activities.models import Activity, ActivityType, RegionalReport
from qualityweek.core.audit import Actor
from qualityweek.core.forms import apply_errors
from qualityweek.core.permissions import can
from qualityweek.core.text import ru_number
from qualityweek.directory.models import Region, Sector

from . import bodies, mapsvg, opendata, present, selectors, services
from .forms import HistoricalTotalForm
from .models import HistoricalTotal
from .rules import RegionSector

PAGE_SIZE = 50


def _metric(request: HttpRequest, allowed: tuple[str, ...] | None = None) -> str:
    value = request.GET.get("metric", "")
    choices = allowed or tuple(selectors.METRICS)
    return value if value in choices else choices[0]


def _q(**params: Any) -> str:
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


def _scope_links(context: dict[str, Any], campaign, scope) -> None:
    context["year_q"] = _q(year=campaign.year)
    context["scope_q"] = "" if scope.national or scope.region is None else \
        "&" + _q(region=scope.region.code, sector=scope.sector)


def _national_context(context: dict[str, Any], campaign, announced, tab: str, metric: str) -> None:
    board = selectors.national(campaign, by_sector=tab == "coverage", announced=announced)
    region_base = reverse("analytics_region", args=["00"])[:-3]
    context["map"] = mapsvg.render(
        board.areas, metric, lambda a: f"{region_base}{a.region.code if a.region else ''}/?year={campaign.year}",
        f"Карта регионов: {selectors.METRICS[metric].label}", map_id="regions-map")
    context["legend"] = mapsvg.legend_html(context["map"])
    if tab == "coverage":
        context["coverage_rows"] = present.coverage_rows(board.sectors, campaign.year)
    else:
        context["region_rows"] = present.region_table(present.region_rows(
            board.areas, campaign.year, metric, dict(RegionalReport.Status.choices), selectors.SECTOR_LABELS))
    context["board"] = board
    _scope_links(context, campaign, context["scope"])


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    scope = selectors.scope_for(request.user, request.GET.get("scope", ""))
    announced = selectors.campaigns()
    campaign = selectors.chosen_campaign(request.GET.get("year"), announced)
    context: dict[str, Any] = {"scope": scope, "campaign": campaign, "campaigns": announced,
                               "metrics": selectors.METRICS, "pairs": [], "sector_labels": selectors.SECTOR_LABELS}
    if campaign is None:
        context["body"] = render_to_string("analytics/_dashboard_body.html", context, request=request)
        return render(request, "analytics/dashboard.html", context)
    if scope.national:
        tab = "coverage" if request.GET.get("tab") == "coverage" else "overview"
        metric = _metric(request)
        context.update(tab=tab, metric=metric, metric_label=selectors.METRICS[metric].label)
        # The national body is the same for every operator: the latest rendered one is served while
        # reports arrive and re-rendered at most once per refresh window (``bodies``); the page says
        # how old its figures are.
        def render_body() -> str:
            _national_context(context, campaign, announced, tab, metric)
            return render_to_string("analytics/_dashboard_body.html", context, request=request)

        served = bodies.national_body(campaign.pk, tab, metric, render_body)
        body = served.html
        context["freshness"] = {"current": served.current, "age": bodies.age_ru(served.age()),
                                "refresh": bodies.seconds_ru(int(bodies.refresh_seconds()))}
    else:
        context["board"] = selectors.regional(campaign, scope)
        pairs = selectors.coordinator_pairs(request.user)
        if len(pairs) > 1:
            names = dict(Region.objects.filter(pk__in=[r for r, _ in pairs]).values_list("pk", "short_name"))
            context["pairs"] = [(f"{r}-{s}", f"{names[r]}, {selectors.SECTOR_LABELS[s].lower()}") for r, s in pairs]
        _scope_links(context, campaign, scope)
        body = render_to_string("analytics/_dashboard_body.html", context, request=request)
    context["body"] = body
    return render(request, "analytics/dashboard.html", context)


@login_required
def region(request: HttpRequest, code: str) -> HttpResponse:
    scope, reg, sectors = selectors.region_scope(request.user, code, request.GET.get("sector", ""))
    campaign = selectors.chosen_campaign(request.GET.get("year"))
    if campaign is None:
        raise Http404
    show = "not_reported" if request.GET.get("show") == "not_reported" else "taking_part"
    board = selectors.national(campaign, by_sector=True) if scope.national else selectors.regional(campaign, scope)
    area = next((a for a in board.areas if a.region is not None and a.region.pk == reg.pk), None) \
        if scope.national else board.total
    by_sector = [a for a in board.sectors if a.region is not None and a.region.pk == reg.pk] if scope.national \
        else []
    orgs = selectors.organisations_of(campaign, reg, sectors, show).select_related("region")
    page = Paginator(orgs, PAGE_SIZE).get_page(request.GET.get("page"))
    reminded = selectors.last_reminders(campaign, [o.pk for o in page])
    sector = request.GET.get("sector", "") if request.GET.get("sector", "") in sectors else ""
    remind_sectors = [s for s in sectors if s in {x.value for x in Sector}
                      and can(request.user, "remind", RegionSector(reg, s))] if show == "not_reported" else []
    return render(request, "analytics/region.html", {
        "campaign": campaign, "region": reg, "scope": scope, "area": area, "by_sector": by_sector, "page": page,
        "show": show, "sector": sector, "sectors": sectors, "reminded": reminded, "remind_sectors": remind_sectors,
        "sector_labels": selectors.SECTOR_LABELS,
        "base_q": _q(year=campaign.year, sector=sector), "list_q": _q(year=campaign.year, sector=sector, show=show),
    })


@login_required
@require_POST
def remind(request: HttpRequest, code: str) -> HttpResponse:
    sector = request.POST.get("sector", "")
    _scope, reg, _sectors = selectors.region_scope(request.user, code, sector)
    if sector not in {s.value for s in Sector}:
        raise Http404
    campaign = selectors.chosen_campaign(request.POST.get("year"))
    if campaign is None:
        raise Http404
    ids = [int(i) for i in request.POST.getlist("organisations") if i.isdigit()] or None
    job, count = services.send_reminders(actor=Actor.from_request(request), campaign=campaign, region=reg,
                                         sector=sector, organisation_ids=ids)
    if job is None:
        messages.info(request, "Напоминать некому: все организации из списка уже отчитались "
                               "или получили напоминание за последние сутки.")
        return redirect(reverse("analytics_region", args=[reg.code]) + "?" + _q(year=campaign.year, sector=sector,
                                                                                 show="not_reported"))
    messages.success(request, f"Напоминания отправляются: организаций — {ru_number(count)}.")
    return redirect("job_detail", pk=job.pk)


@login_required
def activities(request: HttpRequest) -> HttpResponse:
    """Drill-down to the activities behind a figure: region, sector, status, type, day."""
    p_code, sector = request.GET.get("region", ""), request.GET.get("sector", "")
    reg = None
    if p_code:
        _scope, reg, _sectors = selectors.region_scope(request.user, p_code, sector)
    else:
        selectors.scope_for(request.user)  # refuses roles without figures
    campaign = selectors.chosen_campaign(request.GET.get("year"))
    if campaign is None:
        raise Http404
    status = request.GET.get("status", "")
    status = status if status in Activity.Status.values else ""
    kind = ActivityType.objects.filter(code=request.GET.get("type", "")).first() if request.GET.get("type") else None
    try:
        day = dt.date.fromisoformat(request.GET.get("day", "")) if request.GET.get("day") else None
    except ValueError:
        day = None
    drill = selectors.ActivityDrill(region=reg, sector=sector if sector in {s.value for s in Sector} else "",
                                    status=status, type=kind, day=day)
    qs = selectors.activities_of(request.user, campaign, drill)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "analytics/activities.html", {
        "campaign": campaign, "drill": drill, "page": page, "statuses": dict(Activity.Status.choices),
        "query": _q(year=campaign.year, region=p_code, sector=drill.sector, status=status,
                    type=kind.code if kind else "", day=day.isoformat() if day else ""),
    })


@login_required
def history(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "manage", HistoricalTotal):
        raise PermissionDenied
    form = HistoricalTotalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_historical_total(actor=Actor.from_request(request), **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Итоги {form.cleaned_data['year']} года сохранены.")
            return redirect("analytics_history")
    return render(request, "analytics/history.html", {
        "form": form, "totals": HistoricalTotal.objects.all(), "years": selectors.year_over_year()})


def figures(request: HttpRequest) -> HttpResponse:
    """The public figures page: counters, the map with a metric switch, and the downloads."""
    campaign = selectors.chosen_campaign(request.GET.get("year"))
    metric = _metric(request, selectors.PUBLIC_METRICS)
    return render(request, "analytics/figures.html", {
        "campaign": campaign, "campaigns": selectors.campaigns(), "metric": metric,
        "metrics": {k: selectors.METRICS[k] for k in selectors.PUBLIC_METRICS}, "formats": list(opendata.FORMATS)})


@require_GET
def open_data_file(request: HttpRequest, year: int, fmt: str) -> HttpResponse:
    # The year in the path is the file asked for: no campaign that year is a 404, never another year's file.
    campaign = next((c for c in opendata.public_campaigns() if c.year == year), None)
    if campaign is None or fmt not in opendata.FORMATS:
        raise Http404
    build, content_type = opendata.FORMATS[fmt]
    response = HttpResponse(build(campaign), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="quality-week-{campaign.year}-aggregates.{fmt}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def open_data_excel(request: HttpRequest, year: int) -> HttpResponse:
    """The CSV file again, for Excel: UTF-8 with a BOM, «;» between cells, decimal commas."""
    campaign = next((c for c in opendata.public_campaigns() if c.year == year), None)
    if campaign is None:
        raise Http404
    response = HttpResponse(opendata.as_excel_csv(campaign), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="quality-week-{campaign.year}-aggregates-excel.csv"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _json(data: Any, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def api_openapi(request: HttpRequest) -> JsonResponse:
    return _json(opendata.openapi())


@require_GET
def api_campaigns(request: HttpRequest) -> JsonResponse:
    items = opendata.public_campaigns()
    totals = opendata.campaign_totals([c.pk for c in items])
    return _json({"campaigns": [opendata.campaign_doc(c, totals[c.pk]) for c in items]})


@require_GET
def api_regions(request: HttpRequest) -> JsonResponse:
    return _json({"regions": opendata.regions_doc()})


@require_GET
def api_aggregates(request: HttpRequest, year: int) -> JsonResponse:
    campaign = next((c for c in opendata.public_campaigns() if c.year == year), None)
    if campaign is None:
        return _json({"error": f"Кампании {year} года нет в открытых данных."}, status=404)
    reg = None
    if request.GET.get("region"):
        reg = Region.objects.filter(code=request.GET["region"]).first()
        if reg is None:
            return _json({"error": "Нет региона с таким кодом."}, status=404)
    kind = None
    if request.GET.get("type"):
        kind = ActivityType.objects.filter(code=request.GET["type"]).first()
        if kind is None:
            return _json({"error": "Нет такого типа мероприятия."}, status=404)
    return _json(opendata.aggregates_doc(campaign, reg, kind))

