from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "qualityweek.campaigns"
    label = "campaigns"
    verbose_name = "Кампании: годы, даты, сроки"

    def ready(self) -> None:
        from . import rules  # noqa: F401
