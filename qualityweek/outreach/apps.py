from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "qualityweek.outreach"
    label = "outreach"
    verbose_name = "Рассылки: письма, материалы, обращения"

    def ready(self) -> None:
        from . import rules  # noqa: F401  (registers access rules)
