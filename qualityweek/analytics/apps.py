from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "qualityweek.analytics"
    label = "analytics"
    verbose_name = "Показатели и открытые данные"

    def ready(self) -> None:
        from . import rules  # noqa: F401
