from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from qualityweek.campaigns.models import Campaign

from . import selectors


class StaticSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return ["home", "event_list", "practice_list", "campaign_list"]

    def location(self, item):
        return reverse(item)


class CampaignSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Campaign.objects.exclude(phase=Campaign.Phase.DRAFT).order_by("-year")

    def location(self, item):
        return reverse("campaign_detail", args=[item.year])


class PracticeSitemap(Sitemap):
    changefreq = "monthly"
    limit = 5000

    def items(self):
        return selectors.published_practices().order_by("pk")

    def location(self, item):
        return reverse("practice_detail", args=[item.pk])

    def lastmod(self, item):
        return item.updated_at


class EventSitemap(Sitemap):
    changefreq = "weekly"
    limit = 5000

    def items(self):
        return selectors.public_events().order_by("pk")

    def location(self, item):
        return reverse("event_detail", args=[item.pk])

    def lastmod(self, item):
        return item.updated_at


SITEMAPS = {"pages": StaticSitemap, "campaigns": CampaignSitemap, "practices": PracticeSitemap,
            "events": EventSitemap}
