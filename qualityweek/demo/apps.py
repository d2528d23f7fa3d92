from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "qualityweek.demo"
    label = "demo"
    verbose_name = "Демо-данные"
