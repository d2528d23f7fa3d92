from django.apps import AppConfig


class ContestConfig(AppConfig):
    name = "qualityweek.contest"
    label = "contest"
    verbose_name = "Конкурс «Лидер качества»"
