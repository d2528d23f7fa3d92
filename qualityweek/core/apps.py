from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "qualityweek.core"
    label = "core"
    verbose_name = "Общее: журнал аудита и фоновые задачи"

    def ready(self) -> None:
        from . import rules  # noqa: F401  (registers access rules)
