from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "qualityweek.activities"
    label = "activities"
    verbose_name = "Мероприятия и отчёты"

    def ready(self) -> None:
        from . import rules  # noqa: F401
