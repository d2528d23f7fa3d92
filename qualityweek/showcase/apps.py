from django.apps import AppConfig


class ShowcaseConfig(AppConfig):
    name = "qualityweek.showcase"
    label = "showcase"
    verbose_name = "Публичный сайт: афиша и лучшие практики"

    def ready(self) -> None:
        from . import rules  # noqa: F401
