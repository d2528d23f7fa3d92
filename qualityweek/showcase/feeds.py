from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from . import selectors


class PracticesFeed(Feed):
    feed_type = Atom1Feed
    title = "Лучшие практики Недели качества"
    subtitle = "Новые опубликованные практики школ, колледжей и предприятий"

    def link(self):
        return reverse("practice_list")

    def items(self):
        return selectors.published_practices().order_by("-published_at", "-id")[:50]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        a = item.activity
        return f"{a.organisation.name} ({a.region.name}), {a.type.name.lower()}. {item.story[:400]}"

    def item_link(self, item):
        return reverse("practice_detail", args=[item.pk])

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at
