from django.apps import AppConfig


class CabinetConfig(AppConfig):
    name = "qualityweek.cabinet"
    label = "cabinet"
    verbose_name = "Мой кабинет"
