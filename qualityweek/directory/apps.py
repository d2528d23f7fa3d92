from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "qualityweek.directory"
    label = "directory"
    verbose_name = "Справочник: регионы, организации, люди"

    def ready(self) -> None:
        from . import rules  # noqa: F401  (registers access rules)
