from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "qualityweek.core"
    label = "core"
    verbose_name = "Общее: журнал аудита и фоновые задачи"
