from django.apps import AppConfig
from django_tasks_db.apps import TasksAppConfig


class TasksDatabaseConfig(TasksAppConfig):
    """django-tasks-db under a Russian name: the admin lists its queue as «Очередь фоновых задач»."""

    verbose_name = "Очередь фоновых задач"


class CoreConfig(AppConfig):
    default = True  # the module also holds TasksDatabaseConfig
    name = "qualityweek.core"
    label = "core"
    verbose_name = "Общее: журнал аудита и фоновые задачи"

    def ready(self) -> None:
        from . import rules  # noqa: F401  (registers access rules)
