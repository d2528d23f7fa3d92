from django.apps import AppConfig


class ContestConfig(AppConfig):
    name = "qualityweek.contest"
    label = "contest"
    verbose_name = "Конкурс «Лидер качества»"

    def ready(self) -> None:
        from . import certificates, rules  # noqa: F401 - registers the rules and the certificate sources
