"""The campaign home page and the campaign archive: the public composition of the calendar
(campaigns), the figures (analytics' tallies, never a GROUP BY over activities) and the practices."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from qualityweek.analytics.opendata import campaign_totals
from qualityweek.campaigns import selectors as campaigns
from qualityweek.contest import selectors as contest
from qualityweek.core.permissions import can
from qualityweek.core.public_cache import public_page
from qualityweek.forum.selectors import home_forum

from .selectors import published_practices


@public_page("campaign", "events", "practices", "forum")
def home(request: HttpRequest) -> HttpResponse:
    campaign = campaigns.current_campaign()
    status = campaigns.campaign_status(request.user, campaign) if campaign else None
    return render(request, "campaigns/home.html", {"campaign": campaign, "status": status,
                                                   "forum": home_forum(timezone.localdate()) if campaign else None})


def campaign_list(request: HttpRequest) -> HttpResponse:
    return render(request, "campaigns/campaign_list.html", {"campaigns": campaigns.campaigns_for(request.user)})


@public_page("campaign", "practices")
def campaign_detail(request: HttpRequest, year: int) -> HttpResponse:
    """A campaign's page; for past years it is the archive: figures and published practices."""
    campaign = get_object_or_404(campaigns.campaigns_for(request.user), year=year)
    return render(request, "campaigns/campaign_detail.html", {
        "campaign": campaign,
        "status": campaigns.campaign_status(request.user, campaign),
        "may_manage": can(request.user, "manage", campaign),
        "figures": campaign_totals([campaign.pk])[campaign.pk],
        "practices": published_practices().filter(activity__campaign=campaign).order_by("-published_at")[:30],
        "contest_winners": contest.has_winners(campaign.pk),
    })
