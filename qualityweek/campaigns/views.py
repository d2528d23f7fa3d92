from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from qualityweek.core.permissions import can

from . import selectors


def home(request: HttpRequest) -> HttpResponse:
    campaign = selectors.current_campaign()
    status = selectors.campaign_status(request.user, campaign) if campaign else None
    return render(request, "campaigns/home.html", {"campaign": campaign, "status": status})


def campaign_list(request: HttpRequest) -> HttpResponse:
    return render(request, "campaigns/campaign_list.html", {"campaigns": selectors.campaigns_for(request.user)})


def campaign_detail(request: HttpRequest, year: int) -> HttpResponse:
    campaign = get_object_or_404(selectors.campaigns_for(request.user), year=year)
    return render(request, "campaigns/campaign_detail.html", {
        "campaign": campaign,
        "status": selectors.campaign_status(request.user, campaign),
        "may_manage": can(request.user, "manage", campaign),
    })
