"""The national operator's campaign pages (``/campaigns/manage/…``): thin — parse, call a service,
render. The public campaign pages live in ``showcase``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from qualityweek.core.audit import Actor
from qualityweek.core.forms import apply_errors
from qualityweek.core.permissions import actions_for, can
from qualityweek.directory.models import Region

from . import selectors, services
from .forms import CampaignCreateForm, CampaignEditForm, PhaseForm, WindowForm
from .models import Campaign, RegionalWindow
from .rules import PHASE_MOVES


def _posted(request: HttpRequest):
    return request.POST if request.method == "POST" else None


def _managed(request: HttpRequest, year: int) -> Campaign:
    """The campaign of ``year`` if the user may see it (else 404) and manage it (else 403)."""
    campaign = get_object_or_404(selectors.campaigns_for(request.user), year=year)
    if not can(request.user, "manage", campaign):
        raise PermissionDenied
    return campaign


@login_required
def manage_list(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "manage", Campaign):
        raise PermissionDenied
    return render(request, "campaigns/manage_list.html", {
        "campaigns": selectors.campaigns_for(request.user),
        "may_create": can(request.user, "create", Campaign),
    })


@login_required
def manage_create(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "create", Campaign):
        raise PermissionDenied
    latest = selectors.visible_campaigns(request.user).values_list("year", flat=True).first()
    form = CampaignCreateForm(_posted(request),
                              initial=CampaignCreateForm.initial_for(latest, timezone.localdate().year))
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.create_campaign(actor=Actor.from_request(request), **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Кампания {campaign.year} года создана. Она видна только оператору, "
                                      "пока вы её не объявите.")
            return redirect("campaign_manage_detail", year=campaign.year)
    return render(request, "campaigns/manage_create.html", {"form": form})


@login_required
def manage_detail(request: HttpRequest, year: int) -> HttpResponse:
    campaign = _managed(request, year)
    actions = actions_for(request.user, campaign)
    form = CampaignEditForm(_posted(request), initial=CampaignEditForm.initial_for(campaign))
    if request.method == "POST":
        if "change" not in actions:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.update_campaign(actor=Actor.from_request(request), campaign=campaign, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "Изменения сохранены.")
                return redirect("campaign_manage_detail", year=campaign.year)
    return _detail(request, campaign, form=form)


def _detail(request: HttpRequest, campaign: Campaign, *, form: CampaignEditForm | None = None,
            phase_error: str = "") -> HttpResponse:
    moves = [(phase, Campaign.Phase(phase).label) for phase in PHASE_MOVES[campaign.phase]]
    return render(request, "campaigns/manage_detail.html", {
        "campaign": campaign,
        "form": form or CampaignEditForm(initial=CampaignEditForm.initial_for(campaign)),
        "actions": actions_for(request.user, campaign),
        "moves": moves, "phase_error": phase_error,
        "windows": campaign.windows.all(),
        "may_set_windows": can(request.user, "change", RegionalWindow),
    })


@login_required
@require_POST
def manage_phase(request: HttpRequest, year: int) -> HttpResponse:
    campaign = _managed(request, year)
    if not can(request.user, "move", campaign):
        raise PermissionDenied
    form = PhaseForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"phase": form.errors["phase"][0]})
        services.move_phase(actor=Actor.from_request(request), campaign=campaign, phase=form.cleaned_data["phase"])
    except ValidationError as exc:
        return _detail(request, campaign, phase_error=" ".join(exc.messages))
    messages.success(request, f"Этап кампании: «{campaign.get_phase_display()}».")
    return redirect("campaign_manage_detail", year=campaign.year)


@login_required
def manage_window(request: HttpRequest, year: int) -> HttpResponse:
    """Add a region's own dates or deadline extension; ``?region=<code>`` edits that region's."""
    campaign = _managed(request, year)
    if not can(request.user, "change", RegionalWindow):
        raise PermissionDenied
    code = request.GET.get("region", "")
    region = get_object_or_404(Region, code=code) if code else None
    window = next((w for w in campaign.windows.all() if region and w.region_id == region.pk), None)
    initial = ({"region": region.pk} if region else {}) | (
        {"starts_on": window.starts_on, "ends_on": window.ends_on, "deadline": window.deadline,
         "reason": window.reason} if window else {})
    form = WindowForm(_posted(request), region=region, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.set_regional_window(actor=Actor.from_request(request), campaign=campaign, region=data["region"],
                                         starts_on=data["starts_on"], ends_on=data["ends_on"],
                                         deadline=data["deadline"], reason=data["reason"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Сроки региона «{data['region'].name}» сохранены.")
            return redirect("campaign_manage_detail", year=campaign.year)
    return render(request, "campaigns/manage_window.html", {"campaign": campaign, "form": form, "region": region,
                                                             "window": window})


@login_required
@require_POST
def manage_window_delete(request: HttpRequest, year: int, pk: int) -> HttpResponse:
    campaign = _managed(request, year)
    window = get_object_or_404(campaign.windows.all(), pk=pk)
    if not can(request.user, "delete", window):
        raise PermissionDenied
    services.delete_regional_window(actor=Actor.from_request(request), window=window)
    messages.success(request, f"Регион «{window.region.name}» снова живёт по общим срокам кампании.")
    return redirect("campaign_manage_detail", year=campaign.year)
