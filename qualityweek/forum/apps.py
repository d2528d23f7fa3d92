from django.apps import AppConfig


class ForumConfig(AppConfig):
    name = "qualityweek.forum"
    label = "forum"
    verbose_name = "Форум «Всемирный день качества»"
