from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "qualityweek.notifications"
    label = "notifications"
    verbose_name = "Уведомления"

    def ready(self) -> None:
        from . import handlers, rules  # noqa: F401  (handlers subscribe to core.events)

        handlers.subscribe_all()
