from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "qualityweek.activities"
    label = "activities"
    verbose_name = "Мероприятия и отчёты"

    def ready(self) -> None:
        from . import certificate_sources, quiz_link, rules  # noqa: F401

        quiz_link.ready()
