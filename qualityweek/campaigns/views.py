from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from qualityweek.core.permissions import can
from qualityweek.core.public_cache import public_page

from . import selectors


@public_page("campaign", "events", "practices")
def home(request: HttpRequest) -> HttpResponse:
    campaign = selectors.current_campaign()
    status = selectors.campaign_status(request.user, campaign) if campaign else None
    return render(request, "campaigns/home.html", {"campaign": campaign, "status": status})


def campaign_list(request: HttpRequest) -> HttpResponse:
    return render(request, "campaigns/campaign_list.html", {"campaigns": selectors.campaigns_for(request.user)})


@public_page("campaign", "practices")
def campaign_detail(request: HttpRequest, year: int) -> HttpResponse:
    """A campaign's page; for past years it is the archive: figures and published practices."""
    from qualityweek.showcase.selectors import published_practices

    campaign = get_object_or_404(selectors.campaigns_for(request.user), year=year)
    return render(request, "campaigns/campaign_detail.html", {
        "campaign": campaign,
        "status": selectors.campaign_status(request.user, campaign),
        "may_manage": can(request.user, "manage", campaign),
        "figures": selectors.campaign_figures(campaign),
        "practices": published_practices().filter(activity__campaign=campaign).order_by("-published_at")[:30],
    })
